"""Dropout: element-wise, channel-wise (1d/2d/3d) and alpha dropout.

Each is the input times a random noise tensor (plus an offset for alpha dropout), so the gradient
is the same product and comes free from the multiply op. The noise is torch's: bernoulli_(1 - p) on the
default generator, so a seeded program drops the same units as under torch.
"""
import math
import warnings
from ...tensor import Tensor
from ...autograd.graph import _wrap
from ...backend import xp_of
from ...ops.random import _bernoulli_mask, default_generator

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']

# SELU's negative saturation value: alpha dropout sets dropped units to -_SELU_ALPHA * _SELU_SCALE
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _mask_like(a, q):
    """torch draws the mask for a tensor laid out like the input (empty_like), so a transposed input is
    masked in memory order; with a broadcast (stride-0) axis the layout is ambiguous and C order is used."""
    shape = a.shape
    axes = [d for d in range(a.ndim) if shape[d] > 1]
    if a.flags.c_contiguous or any(a.strides[d] == 0 for d in axes):
        return _bernoulli_mask(default_generator, shape, q)
    order = sorted(axes, key=lambda d: (-abs(a.strides[d]), d))
    if order == axes:
        return _bernoulli_mask(default_generator, shape, q)
    sizes = [shape[d] for d in order]
    keep = _bernoulli_mask(default_generator, tuple(sizes), q)
    # back from memory order to logical order, then restore the size-1 axes
    keep = keep.transpose([order.index(d) for d in axes])
    return keep.reshape(shape)


def _dropout(input, p, training, inplace, feature, alpha, op):
    """torch's _dropout_impl: keep each element (or each channel, with feature) with probability 1 - p,
    scale kept ones by 1 / (1 - p); alpha dropout instead keeps the mean and variance of SELU outputs."""
    _check_p(p)
    input = _tensor(input, op)
    if p == 0 or not training or input.numel() == 0:
        return input
    xp = xp_of(input._data)
    dt = input._data.dtype
    if p == 1:
        zero = _wrap(xp.zeros((), dt), xp)
        return input.mul_(zero) if inplace else input * zero
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
        keep = _bernoulli_mask(default_generator, shape, 1 - p)
    else:
        keep = _mask_like(input._data, 1 - p)
    if not alpha:
        noise = keep.astype(dt)
        noise *= xp.asarray(1 / (1 - p), dt)
        noise = _wrap(noise, xp)
        return input.mul_(noise) if inplace else input * noise
    a = 1 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    k = keep.astype(dt)
    offset = _wrap((k - 1) * xp.asarray(_ALPHA * a, dt) + xp.asarray(_ALPHA * a * p, dt), xp)
    noise = _wrap(k * xp.asarray(a, dt), xp)
    if inplace:
        return input.mul_(noise).add_(offset)
    return input * noise + offset


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, randomly zeroes some elements of the input tensor with probability p, using
    samples from a Bernoulli distribution; the outputs are scaled by 1 / (1 - p)."""
    return _dropout(input, p, training, inplace, False, False, 'dropout')


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Apply alpha dropout to the input: dropped units take SELU's negative saturation value and the
    result is scaled and shifted so that mean and variance are kept."""
    return _dropout(input, p, training, inplace, False, True, 'alpha_dropout')


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Randomly masks out entire channels (a channel is a feature map) with alpha dropout's values."""
    return _dropout(input, p, training, inplace, True, True, 'feature_alpha_dropout')


def _channel_dropout(input, p, training, inplace, batched, op):
    """Feature dropout, on an input given a batch dimension first when it has none."""
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, inplace, True, False, op)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 1D feature map) with probability p."""
    _check_p(p)
    input = _tensor(input, 'dropout1d')
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, nd == 3, 'dropout1d')


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 2D feature map) with probability p."""
    _check_p(p)
    input = _tensor(input, 'dropout2d')
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an error in a "
            "future release. To retain the behavior and silence this warning, please use dropout instead. Note that "
            "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        # as torch does today: a 3-D input is read as (N, C, L), not as an unbatched (C, H, W)
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout(input, p, training, inplace, True, False, 'dropout2d')


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Randomly zero out entire channels (a channel is a 3D feature map) with probability p."""
    _check_p(p)
    input = _tensor(input, 'dropout3d')
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in an error in a "
            "future release. To retain the behavior and silence this warning, please use dropout instead. Note that "
            "dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _channel_dropout(input, p, training, inplace, nd == 5, 'dropout3d')
