"""safetensors files, in the `safetensors` package's API shape (`safetensors.torch`): save_file, load_file,
save, load, safe_open.

The format: an 8-byte little-endian header length N, N bytes of JSON header
(`{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`, padded
with spaces to a multiple of 8), then the raw little-endian bytes of every tensor, each contiguous, with
offsets relative to the end of the header. No pickle: loading runs no code."""
import json
import os
import struct
import numpy as np
from .. import _dtype
from ..tensor import Tensor
from ..autograd.graph import _wrap

__all__ = ['save_file', 'load_file', 'save', 'load', 'safe_open', 'SafetensorError']

_CODES = {'bool': 'BOOL', 'uint8': 'U8', 'int8': 'I8', 'int16': 'I16', 'int32': 'I32', 'int64': 'I64',
          'float16': 'F16', 'bfloat16': 'BF16', 'float32': 'F32', 'float64': 'F64', 'complex64': 'C64'}
_FROM_CODE = {v: _dtype._BY_NAME[k] for k, v in _CODES.items()}
_MAX_HEADER = 100_000_000
# the order of the safetensors package's Dtype enum, which its writer sorts by
_RANK = {c: i for i, c in enumerate(['BOOL', 'U8', 'I8', 'I16', 'F16', 'BF16', 'I32', 'F32', 'C64', 'F64', 'I64'])}


class SafetensorError(Exception):
    """A safetensors file or buffer that cannot be read or written, as the safetensors package raises."""


def _layout(tensors, metadata):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, Tensor] but received {type(tensors)}")
    seen = {}
    for k, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected Tensor but received {type(t)}")
        if t._data.dtype not in _dtype._FROM_NP or _dtype._FROM_NP[t._data.dtype].name not in _CODES:
            raise ValueError(f"Key `{k}`: dtype {t.dtype} cannot be stored in a safetensors file")
        a = t._data
        if a.size:
            base = a if a.base is None else a.base
            prev = seen.get(id(base))
            if prev is not None and np.shares_memory(a, prev[1]):
                raise RuntimeError(f"Some tensors share memory, this will lead to duplicate memory on disk and "
                                   f"potential differences when loading them again: [{{{prev[0]!r}, {k!r}}}].")
            seen[id(base)] = (k, a)
    # as the safetensors package: by its dtype order, descending (wider types first), then by name
    order = sorted(tensors, key=lambda k: (-_RANK[_CODES[_dtype._FROM_NP[tensors[k]._data.dtype].name]], k))
    header, offset = {}, 0
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata must be a dict of str to str")
        header['__metadata__'] = metadata
    for k in order:
        a = tensors[k]._data
        header[k] = {'dtype': _CODES[_dtype._FROM_NP[a.dtype].name], 'shape': list(a.shape),
                     'data_offsets': [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header, separators=(',', ':')).encode('utf-8')
    raw += b' ' * (-len(raw) % 8)
    return order, struct.pack('<Q', len(raw)) + raw


def _chunks(tensors, order):
    for k in order:
        a = np.ascontiguousarray(tensors[k]._data)
        if a.dtype.byteorder == '>':
            a = a.astype(a.dtype.newbyteorder('<'))
        if a.size:
            yield a.reshape(-1).view(np.uint8)


def save(tensors, metadata=None):
    """Saves a dictionary of tensors into raw bytes in safetensors format.

    Args:
        tensors (Dict[str, Tensor]): The incoming tensors. Tensors need to be contiguous and dense.
        metadata (Dict[str, str], optional): Optional text only metadata you might want to save in your header.
    Returns:
        bytes: The raw bytes representing the format"""
    order, head = _layout(tensors, metadata)
    return b''.join([head] + [c.tobytes() for c in _chunks(tensors, order)])


def save_file(tensors, filename, metadata=None):
    """Saves a dictionary of tensors into a file in safetensors format.

    Args:
        tensors (Dict[str, Tensor]): The incoming tensors. Tensors need to be contiguous and dense.
        filename (str, or os.PathLike): The filename we're saving into.
        metadata (Dict[str, str], optional): Optional text only metadata you might want to save in your header."""
    order, head = _layout(tensors, metadata)
    with open(filename, 'wb') as f:
        f.write(head)
        for c in _chunks(tensors, order):
            f.write(c)


def _parse(buf, what):
    """(header dict, metadata, data start) of a safetensors buffer, every entry checked."""
    if buf.nbytes < 8:
        raise SafetensorError(f"Error while deserializing header of {what}: HeaderTooSmall")
    (n,) = struct.unpack('<Q', bytes(buf[:8]))
    if n > _MAX_HEADER:
        raise SafetensorError(f"Error while deserializing header of {what}: HeaderTooLarge")
    if 8 + n > buf.nbytes:
        raise SafetensorError(f"Error while deserializing header of {what}: InvalidHeaderLength "
                              "(the file is truncated)")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorError(f"Error while deserializing header of {what}: InvalidHeaderDeserialization ({e})") \
            from None
    if not isinstance(header, dict):
        raise SafetensorError(f"Error while deserializing header of {what}: the header is not a JSON object")
    metadata = header.pop('__metadata__', None)
    start, size = 8 + n, buf.nbytes - 8 - n
    spans = []
    for k, info in header.items():
        try:
            code, shape, (b, e) = info['dtype'], [int(s) for s in info['shape']], info['data_offsets']
        except (KeyError, TypeError, ValueError):
            raise SafetensorError(f"Error while deserializing header of {what}: tensor {k!r} has a malformed "
                                  "entry") from None
        if code not in _FROM_CODE:
            raise SafetensorError(f"{what}: tensor {k!r} has dtype {code}, which ember does not support")
        nbytes = _FROM_CODE[code].itemsize * int(np.prod(shape, dtype=np.int64))
        if e - b != nbytes or b < 0:
            raise SafetensorError(f"Error while deserializing header of {what}: TensorInvalidInfo for {k!r} "
                                  f"(shape {shape} of {code} needs {nbytes} bytes, offsets give {e - b})")
        spans.append((b, e, k))
    spans.sort()
    pos = 0
    for b, e, k in spans:
        if b != pos:
            raise SafetensorError(f"Error while deserializing header of {what}: InvalidOffset({k!r})")
        pos = e
    if pos != size:
        raise SafetensorError(f"Error while deserializing header of {what}: MetadataIncompleteBuffer "
                              f"(data holds {size} bytes, the header describes {pos}; truncated or corrupted)")
    return header, metadata, start


def _tensor(buf, start, info):
    dt = _FROM_CODE[info['dtype']]
    b, e = info['data_offsets']
    a = buf[start + b:start + e].view(dt.np).reshape(info['shape'])
    return _wrap(a, None)


def load(data):
    """Loads a safetensors file into ember format from pure bytes.

    Args:
        data (bytes): The content of a safetensors file
    Returns:
        Dict[str, Tensor]: dictionary that contains name as key, value as Tensor on cpu"""
    buf = np.frombuffer(bytearray(data), np.uint8)
    header, _, start = _parse(buf, '<bytes>')
    return {k: _tensor(buf, start, header[k]) for k in header}


def load_file(filename, device='cpu'):
    """Loads a safetensors file into ember format.

    Args:
        filename (str, or os.PathLike): The name of the file which contains the tensors
        device (Union[str, int], optional, defaults to cpu): The device where the tensors need to be located
    Returns:
        Dict[str, Tensor]: dictionary that contains name as key, value as Tensor"""
    buf = np.fromfile(os.fspath(filename), np.uint8)
    header, _, start = _parse(buf, repr(os.fspath(filename)))
    return {k: _tensor(buf, start, header[k]) for k in header}


class safe_open:
    """Opens a safetensors file lazily: ``keys()``, ``metadata()``, ``get_tensor(name)``; the file is mapped,
    so only the tensors asked for are read.

    Args:
        filename (str, or os.PathLike): The filename to open
        framework (str): accepted for the package's signature ("pt", "np", ...)
        device (str, defaults to "cpu"): The device on which you want the tensors."""

    def __init__(self, filename, framework='pt', device='cpu'):
        self._what = repr(os.fspath(filename))
        self._buf = np.memmap(os.fspath(filename), dtype=np.uint8, mode='c')
        self._header, self._metadata, self._start = _parse(self._buf, self._what)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return sorted(self._header)

    def metadata(self):
        return self._metadata

    def get_tensor(self, name):
        if name not in self._header:
            raise SafetensorError(f"File does not contain tensor {name}")
        t = _tensor(self._buf, self._start, self._header[name])
        t._data = np.array(t._data)     # a copy: the tensor owns its memory, not the mapping
        return t
