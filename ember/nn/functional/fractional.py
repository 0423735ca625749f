"""Fractional max pooling (Graham, 2014) and the legacy cross-channel LRN.

Fractional max pooling slides a kernel_size window over pseudo-random, increasing start positions so
that the output has the requested size: for each (batch, channel) plane one random number u in [0, 1)
per spatial dimension sets the starts floor((i + u) * a) - floor(u * a), a = (in - k) / (out - 1), with
the last window flush with the input's end. The windows are gathered with one `gather` over the
flattened plane, so the gradient (and its gradient) comes from gather's.
"""
import math
from ...tensor import Tensor
from ...autograd.graph import _wrap
from ...backend import xp_of
from ...ops.random import _uniform01, default_generator

__all__ = ['fractional_max_pool2d', 'fractional_max_pool3d', 'fractional_max_pool2d_with_indices',
           'fractional_max_pool3d_with_indices']

_AXES = {2: ('height', 'width'), 3: ('time', 'height', 'width')}


def _tuple(v, d):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * d


def _starts(xp, u, n_in, n_out, k):
    """Window starts for one dimension: u has shape (planes,), the result (planes, n_out)."""
    if n_out == 1:
        return xp.full(u.shape + (1,), n_in - k, 'int64')
    a = (n_in - k) / (n_out - 1)
    i = xp.arange(n_out - 1, dtype=u.dtype)
    s = (xp.floor((i[None, :] + u[:, None]) * a) - xp.floor(u[:, None] * a)).astype('int64')
    return xp.concatenate([s, xp.full(u.shape + (1,), n_in - k, 'int64')], axis=1)


def _fractional(op, d, input, kernel_size, output_size, output_ratio, _random_samples):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got: {list(input.shape)}")
    batched = input.dim() == d + 2
    x = input if batched else input.unsqueeze(0)
    N, C = x.shape[:2]
    spatial = tuple(x.shape[2:])
    K = _tuple(kernel_size, d)
    if output_size is None:
        ratio = _tuple(output_ratio, d)
        output_size = tuple(int(s * r) for s, r in zip(spatial, ratio))
    O = _tuple(output_size, d)
    for name, n_in, n_out, k in zip(_AXES[d], spatial, O, K):
        if n_out + k - 1 > n_in:
            raise RuntimeError(f"{op}(): pool {name} {k} too large relative to input {name} {n_in}")
    xp = xp_of(x._data)
    if _random_samples is None:
        samples = _uniform01(default_generator, (N, C, d), x.dtype)   # torch.rand(N, C, d) in x's dtype
    else:
        samples = _random_samples._data
        if samples.ndim != 3 or samples.shape[0] < N or samples.shape[2] != d:
            raise RuntimeError(f"Expect _random_samples to have shape ({N}, {C}, {d}), but got "
                               f"{list(samples.shape)}")
        if samples.shape[1] != C:
            raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
        samples = samples[:N]
    u = samples.reshape(N * C, d)
    # which sample drives which dimension is torch's: (width, height) in 2-D, (time, height, width) in 3-D
    order = (1, 0) if d == 2 else (0, 1, 2)
    starts = [_starts(xp, u[:, order[j]], spatial[j], O[j], K[j]) for j in range(d)]
    # flat index of every window element: dims (plane, o_1..o_d, k_1..k_d)
    P = N * C
    flat = xp.zeros((P,) + O + K, 'int64')
    stride = 1
    for j in range(d - 1, -1, -1):
        pos = starts[j][:, :, None] + xp.arange(K[j])[None, None, :]   # (P, O_j, K_j)
        shape = [P] + [1] * (2 * d)
        shape[1 + j] = O[j]
        shape[1 + d + j] = K[j]
        flat = flat + pos.reshape(shape) * stride
        stride *= spatial[j]
    flat = flat.reshape((P,) + O + (math.prod(K),))
    plane = x._data.reshape(P, -1)
    vals = xp.take_along_axis(plane, flat.reshape(P, -1), axis=1).reshape(flat.shape)
    nan = xp.isnan(vals)
    best = xp.where(nan.any(-1), nan.argmax(-1), vals.argmax(-1)) if nan.any() else vals.argmax(-1)
    idx = xp.take_along_axis(flat, best[..., None], axis=-1)[..., 0]                    # (P, *O)
    index = _wrap(idx.reshape((N, C, -1)), xp)
    out = x.reshape(N, C, -1).gather(2, index).reshape((N, C) + O)
    indices = _wrap(idx.reshape((N, C) + O), xp)
    if not batched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return out, indices


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """Applies 2D fractional max pooling over an input signal composed of several input planes, returning
    the output and the indices of the maxima (flat over each plane). Give output_size, or output_ratio
    (a fraction of the input size); _random_samples ((N, C, 2) in [0, 1)) fixes the pooling regions."""
    return _fractional('fractional_max_pool2d', 2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """Applies 3D fractional max pooling, returning the output and the indices of the maxima."""
    return _fractional('fractional_max_pool3d', 3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Applies 2D fractional max pooling over an input signal composed of several input planes (see
    torch.nn.FractionalMaxPool2d); return_indices also returns the indices of the maxima."""
    out, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                                  _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Applies 3D fractional max pooling (see torch.nn.FractionalMaxPool3d)."""
    out, idx = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                                  _random_samples)
    return (out, idx) if return_indices else out


def _cross_map_lrn2d(input, size, alpha, beta, k):
    """torch's CrossMapLRN2d: x / (k + alpha / size * s)^beta where s sums the squares over the channels
    within (size - 1) // 2 of each channel, and (as torch's running sum never drops it) channel 0."""
    if not isinstance(input, Tensor) or input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    from .vision import pad
    C = input.shape[1]
    half = (size - 1) // 2
    sq = input * input
    padded = pad(sq, (0, 0, 0, 0, half, half))
    s = padded[:, 0:C]
    for j in range(1, 2 * half + 1):
        s = s + padded[:, j:j + C]
    if C > half + 1:
        xp = xp_of(input._data)
        far = _wrap((xp.arange(C) > half).astype(input._data.dtype).reshape(1, C, 1, 1), xp)
        s = s + sq[:, 0:1] * far
    return input * (s * (alpha / size) + k) ** (-beta)
