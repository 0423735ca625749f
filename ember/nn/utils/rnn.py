"""torch.nn.utils.rnn: packing variable-length sequences for the recurrent layers.

A PackedSequence stores, time step by time step, only the rows of the batch still running
(batch_sizes[t] of them, sequences sorted longest first). Packing and padding are gathers through
one index array (differentiable: index_select's backward scatters the gradient back); the index
arrays are bookkeeping built once on the CPU, as torch keeps batch_sizes on the CPU.
"""
from collections import namedtuple
import numpy as np   # index bookkeeping only (lengths, batch sizes), never tensor data

from ...tensor import Tensor

__all__ = ['PackedSequence', 'pack_padded_sequence', 'pad_packed_sequence', 'pad_sequence', 'unpad_sequence',
           'pack_sequence', 'unpack_sequence', 'invert_permutation']


def _ember():
    import ember
    return ember


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _ember().from_numpy(out)


class PackedSequence(namedtuple('PackedSequence_', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])):
    r"""Holds the data and list of batch_sizes of a packed sequence.

    All RNN modules accept packed sequences as inputs. Instances should never be created manually: they
    are meant to be made by pack_padded_sequence() or pack_sequence()."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != 'cpu':
                raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never "
                                 "be created manually. They should be instantiated by functions like "
                                 "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not (isinstance(data, (list, tuple)) and len(data) == 2):
            raise TypeError("PackedSequence: expected data and batch_sizes, or a (data, batch_sizes) pair")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Performs dtype and/or device conversion on self.data (batch_sizes stay on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cuda(self, *args, **kwargs):
        return self.to('cuda', *args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to('cpu', *args, **kwargs)

    def double(self):
        return self.to(dtype=_ember().float64)

    def float(self):
        return self.to(dtype=_ember().float32)

    def half(self):
        return self.to(dtype=_ember().float16)

    def long(self):
        return self.to(dtype=_ember().int64)

    def int(self):
        return self.to(dtype=_ember().int32)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return np.asarray(lengths._data).astype(np.int64).reshape(-1)
    return np.asarray([int(v) for v in lengths], dtype=np.int64).reshape(-1)


def _packed_positions(batch_sizes, B):
    """Flat (t * B + b) positions of the packed rows, in packed order."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    T = bs.size
    starts = np.repeat(np.arange(T, dtype=np.int64) * B, bs)
    offsets = np.arange(int(bs.sum()), dtype=np.int64) - np.repeat(np.cumsum(bs) - bs, bs)
    return starts + offsets


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    r"""Packs a Tensor containing padded sequences of variable length.

    input can be of size T x B x * (or B x T x * with batch_first). With enforce_sorted, the sequences
    must be sorted by length in decreasing order; otherwise they are sorted here and the permutation is
    kept in the PackedSequence (sorted_indices)."""
    ember = _ember()
    lens = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind='stable')
        lens = lens[order]
        sorted_indices = ember.from_numpy(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    B = input.shape[0] if batch_first else input.shape[1]
    if lens.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={B})")
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if np.any(lens[:-1] < lens[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability.")
    T = int(lens[0])
    if T > (input.shape[1] if batch_first else input.shape[0]):
        raise RuntimeError(f"pack_padded_sequence: a length ({T}) exceeds the padded sequence length "
                           f"{input.shape[1] if batch_first else input.shape[0]}")
    if batch_first:
        input = input.transpose(0, 1)
    batch_sizes = (lens[None, :] > np.arange(T)[:, None]).sum(1).astype(np.int64)
    flat = input[:T].reshape(T * B, *input.shape[2:])
    data = flat.index_select(0, ember.from_numpy(_packed_positions(batch_sizes, B)))
    return PackedSequence(data, ember.from_numpy(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    r"""Pads a packed batch of variable length sequences (the inverse of pack_padded_sequence).

    Returns a tuple of the padded Tensor (T x B x *, or B x T x * with batch_first) and a Tensor with
    the length of each sequence, in the batch's original order."""
    ember = _ember()
    bs = np.asarray(sequence.batch_sizes._data).astype(np.int64)
    T = bs.size
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
        T_out = int(total_length)
    else:
        T_out = T
    B = int(bs[0]) if T else 0
    data = sequence.data
    n = data.shape[0]
    index = np.full(T_out * B, n, dtype=np.int64)   # row n is the padding row appended below
    index[_packed_positions(bs, B)] = np.arange(n, dtype=np.int64)
    pad_row = ember.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = ember.cat([data, pad_row]).index_select(0, ember.from_numpy(index))
    padded = padded.reshape(T_out, B, *data.shape[1:])
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = ember.from_numpy(lengths)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = ember.from_numpy(np.asarray(lengths._data)[np.asarray(sequence.unsorted_indices._data)])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    r"""Pad a list of variable length Tensors with padding_value.

    Stacks a list of Tensors of shape L_i x * along a new batch dimension into T x B x * (B x T x *
    with batch_first), T the longest length; padding_side ('right' or 'left') says where the padding goes."""
    ember = _ember()
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lens = np.asarray([s.shape[0] for s in sequences], dtype=np.int64)
    trail = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != trail:
            for i, (a, b) in enumerate(zip(s.shape[1:], trail)):
                if a != b:
                    raise RuntimeError(f"The size of tensor a ({b}) must match the size of tensor b ({a}) at "
                                       f"non-singleton dimension {i + 1}")
            raise RuntimeError(f"pad_sequence: all sequences must have the same trailing dimensions, got "
                               f"{trail} and {tuple(s.shape[1:])}")
    T, B = int(lens.max()), len(sequences)
    n = int(lens.sum())
    starts = np.cumsum(lens) - lens
    t = np.arange(T)[:, None]
    shift = (T - lens)[None, :] if padding_side == 'left' else 0
    pos = t - shift
    valid = (pos >= 0) & (pos < lens[None, :])
    index = np.where(valid, starts[None, :] + pos, n)   # (T, B): row of the concatenation, or the pad row
    if batch_first:
        index = index.T
    flat = ember.cat(sequences + [ember.full((1,) + trail, padding_value, dtype=sequences[0].dtype)])
    out = flat.index_select(0, ember.from_numpy(index.reshape(-1).astype(np.int64)))
    return out.reshape(*index.shape, *trail)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    r"""Unpad padded Tensor into a list of variable length Tensors (the inverse of pad_sequence)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i][:int(n)] for i, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    r"""Packs a list of variable length Tensors: pack_padded_sequence(pad_sequence(sequences), lengths)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    r"""Unpack a PackedSequence into a list of variable length Tensors (the inverse of pack_sequence)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
