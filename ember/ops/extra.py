"""torch-level functions that PyTorch programs reach for now and then: index arithmetic (unravel_index),
Vandermonde matrices, numerical gradients, index_reduce, binomial sampling, unsafe splits and the
short-time Fourier transform and its inverse.

Most are compositions of existing differentiable ops (slicing, cat, cumprod, scatter_reduce, unfold,
the FFTs, index_add), so they need no backward of their own and higher-order gradients come free;
`fill` is a small Op because its gradient is a constant zero for the input, which no composition of
the input gives exactly when it holds inf or NaN.
"""
import warnings
from .. import _dtype
from ..tensor import Tensor, cast, _wrap_dim
from ..autograd.graph import Op, _wrap
from ..backend import xp_of
from ._util import bind
from . import elementwise as _E, reduction as _R, shape as _S, indexing as _I, creation as _C, random as _Rnd

_type_word = _R._type_word


def _tensor(x, op, name='input'):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


# --- unravel_index -----------------------------------------------------------------------------------
def unravel_index(indices, shape):
    """Converts a tensor of flat indices into a tuple of coordinate tensors that index into an arbitrary
    tensor of the specified shape. Each i-th tensor has the shape of indices and holds the index into
    dimension i (negative or too large flat indices wrap around, as in torch)."""
    indices = _tensor(indices, 'unravel_index', 'indices')
    if indices.dtype.is_complex or indices.dtype.is_floating_point or indices.dtype is _dtype.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    elif isinstance(shape, (tuple, list)):
        for d in shape:
            if not isinstance(d, int) or isinstance(d, bool):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(d)}")
        shape = tuple(shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    xp = xp_of(indices._data)
    coefs = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        coefs[i] = coefs[i + 1] * shape[i + 1]
    flat = indices._data.astype('int64')[..., None]
    with warnings.catch_warnings():   # a zero-size dimension: torch's floor division gives garbage, not a warning
        warnings.simplefilter('ignore')
        out = (flat // xp.asarray(coefs, dtype='int64')) % xp.asarray(shape, dtype='int64')
    return tuple(_wrap(out[..., i].copy(), xp) for i in range(len(shape)))


# --- fill ----------------------------------------------------------------------------------------------
class Fill(Op):
    """A tensor like the input filled with one value: no gradient flows to the input (zero), the whole
    gradient's sum flows to a tensor value."""
    differentiable_outputs = None

    def forward(self, xp, a, v=None, value=None):
        if v is not None:
            return xp.full(a.shape, v, dtype=a.dtype)
        return xp.full(a.shape, value, dtype=a.dtype)

    def backward(self, xp, g, *rest):
        ga = xp.zeros_like(g) if self.needs[0] else None
        if len(self.parents) == 1:
            return ga
        return ga, (g if self.needs[1] else None)   # the engine sums it back to the 0-d value

    @classmethod
    def name(cls):
        return 'FillBackward0'


def fill(input, value):
    """Returns a tensor of input's shape and dtype filled with value (a number or a 0-d tensor): the
    out-of-place form of Tensor.fill_."""
    input = _tensor(input, 'fill')
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return Fill.apply(input, cast(value, input.dtype))
    if not isinstance(value, (int, float, complex, bool)):
        raise TypeError(f"fill(): argument 'value' must be Number, not {type(value).__name__}")
    if isinstance(value, complex) and not input.dtype.is_complex:
        raise RuntimeError(f"fill: value cannot be converted to type {_type_word(input.dtype)} without overflow")
    return Fill.apply(input, value=value)


# --- rms_norm ------------------------------------------------------------------------------------------
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Applies Root Mean Square Layer Normalization over the last len(normalized_shape) dimensions:
    input / sqrt(mean(input**2) + eps) * weight; eps defaults to the dtype's machine epsilon."""
    from ..nn.functional import rms_norm as _rms   # nn builds on the core: import at call time
    return _rms(input, normalized_shape, weight, eps)


# --- Vandermonde matrices ----------------------------------------------------------------------------
def _powers(x, N, op):
    """Columns x**0 .. x**(N-1) along a new last dimension, as a running product (torch's formula, so the
    values and gradients match to the last bit)."""
    if x.dtype is _dtype.bool_ or not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = cast(x, _dtype.int64)
    ones = _C.ones_like(_S.unsqueeze(x, -1))
    if N == 1:
        return ones
    rep = _S.expand(_S.unsqueeze(x, -1), *(tuple(x.shape) + (N - 1,)))
    return _S.cat([ones, _R.cumprod(rep, -1)], -1)


def vander(x, N=None, increasing=False):
    """Generates a Vandermonde matrix: the columns are powers of x, x**(N-1) first (x**0 first with
    increasing=True). N defaults to len(x); integer and bool inputs give int64."""
    x = _tensor(x, 'vander', 'x')
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if N == 0:
        dt = x.dtype if (x.dtype.is_floating_point or x.dtype.is_complex) else _dtype.int64
        return _C.empty((x.shape[0], 0), dtype=dt)
    out = _powers(x, N, 'vander')
    return out if increasing else _S.flip(out, (1,))


def linalg_vander(x, *, N=None):
    """torch.linalg.vander: the Vandermonde matrix of x (batched over leading dimensions) with increasing
    powers x**0 .. x**(N-1) in the last dimension. N defaults to x.shape[-1] and must exceed 1."""
    x = _tensor(x, 'linalg.vander', 'x')
    if x.dtype is _dtype.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    if x.ndim == 0:
        raise RuntimeError("N must be greater than 1.")
    if N is None:
        N = x.shape[-1]
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _powers(x, N, 'linalg.vander')


# --- numerical gradient ---------------------------------------------------------------------------------
def _sl(t, d, start, stop=None):
    """t[start:stop] along dimension d (negative bounds count from the end, as torch's slice)."""
    n = t.shape[d]
    start = start + n if start < 0 else start
    stop = n if stop is None else (stop + n if stop < 0 else stop)
    return _S.narrow(t, d, start, stop - start)


def _item(v):
    return v.item() if isinstance(v, Tensor) else v


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates the gradient of a function g: R^n -> R in one or more dimensions using the second-order
    accurate central differences method, and either first or second order estimates at the boundaries.
    spacing is a scalar (the same step everywhere), a list of scalars (one step per dimension), or a list of
    1-D tensors holding the coordinates of each dimension. Returns one tensor per differentiated dimension."""
    input = _tensor(input, 'gradient')
    if input.dtype is _dtype.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if input.dtype is _dtype.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    nd = input.ndim
    if dim is None:
        dlist = list(range(nd))
        given_dim = False
    else:
        dlist = [dim] if isinstance(dim, int) else list(dim)
        given_dim = True
    listed = isinstance(spacing, (tuple, list))
    if listed:
        if not given_dim and len(spacing) != nd:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
                               f"equal to 'self.dim() = {nd}', since dim argument was not given, but got a list of "
                               f"length {len(spacing)}")
        if given_dim and len(spacing) != len(dlist):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(dlist)}.")
        spacing = list(spacing)
    else:
        spacing = [spacing] * len(dlist)
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    wrapped = [_wrap_dim(d, nd, 'gradient') if nd else _wrap_dim(d, 0, 'gradient') for d in dlist]
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for d in wrapped if wrapped.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    for d in wrapped:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    coords = [isinstance(s, Tensor) for s in spacing] if listed else [False]
    if any(coords):
        for s in spacing:
            if not isinstance(s, Tensor) or s.ndim != 1:
                n = s.ndim if isinstance(s, Tensor) else 0
                raise RuntimeError("torch.gradient expected each element of spacing to have one dimension, but got "
                                   f"an element with {n} dimensions!")
        return tuple(_gradient_coords(input, s, d, edge_order) for s, d in zip(spacing, wrapped))
    return tuple(_gradient_uniform(input, _item(s), d, edge_order) for s, d in zip(spacing, wrapped))


def _gradient_uniform(f, h, d, edge_order):
    center = _E.div(_E.sub(_sl(f, d, 2), _sl(f, d, 0, -2)), h)
    if edge_order == 1:
        first = _E.div(_E.sub(_sl(f, d, 1, 2), _sl(f, d, 0, 1)), h)
        last = _E.div(_E.sub(_sl(f, d, -1), _sl(f, d, -2, -1)), h)
    else:
        first = _E.div(_E.sub(_E.add(_E.mul(_sl(f, d, 0, 1), -1.5), _E.mul(_sl(f, d, 1, 2), 2)),
                              _E.mul(_sl(f, d, 2, 3), 0.5)), h)
        last = _E.div(_E.add(_E.add(_E.mul(_sl(f, d, -3, -2), 0.5), _E.mul(_sl(f, d, -2, -1), -2)),
                             _E.mul(_sl(f, d, -1), 1.5)), h)
    return _S.cat([first, _E.div(center, 2), last], d)


def _gradient_coords(f, x, d, edge_order):
    """Central differences on a non-uniform grid x (torch's weights, which are exact for quadratics)."""
    shape = [1] * f.ndim
    shape[d] = -1
    dx = _E.sub(x[1:], x[:-1])
    dx1, dx2 = dx[:-1], dx[1:]
    a = _S.reshape(_E.div(_E.neg(dx2), _E.mul(dx1, _E.add(dx1, dx2))), shape)
    b = _S.reshape(_E.div(_E.sub(dx2, dx1), _E.mul(dx1, dx2)), shape)
    c = _S.reshape(_E.div(dx1, _E.mul(dx2, _E.add(dx1, dx2))), shape)
    center = _E.add(_E.add(_E.mul(a, _sl(f, d, 0, -2)), _E.mul(b, _sl(f, d, 1, -1))), _E.mul(c, _sl(f, d, 2)))
    if edge_order == 1:
        first = _E.div(_E.sub(_sl(f, d, 1, 2), _sl(f, d, 0, 1)), dx[0])
        last = _E.div(_E.sub(_sl(f, d, -1), _sl(f, d, -2, -1)), dx[-1])
    else:
        d0, d1 = dx[0], dx[1]
        a0 = _E.div(_E.neg(_E.add(_E.mul(d0, 2.0), d1)), _E.mul(d0, _E.add(d0, d1)))
        b0 = _E.div(_E.add(d0, d1), _E.mul(d0, d1))
        c0 = _E.div(_E.neg(d0), _E.mul(d1, _E.add(d0, d1)))
        first = _E.add(_E.add(_E.mul(a0, _sl(f, d, 0, 1)), _E.mul(b0, _sl(f, d, 1, 2))), _E.mul(c0, _sl(f, d, 2, 3)))
        e1, e2 = dx[-1], dx[-2]
        a1 = _E.div(e1, _E.mul(e2, _E.add(e1, e2)))
        b1 = _E.div(_E.neg(_E.add(e1, e2)), _E.mul(e1, e2))
        c1 = _E.div(_E.add(_E.mul(e1, 2), e2), _E.mul(e1, _E.add(e1, e2)))
        last = _E.add(_E.add(_E.mul(a1, _sl(f, d, -3, -2)), _E.mul(b1, _sl(f, d, -2, -1))), _E.mul(c1, _sl(f, d, -1)))
    return _S.cat([first, center, last], d)


# --- index_reduce ---------------------------------------------------------------------------------------
def _index_reduce_args(input, dim, index, source, reduce, op):
    input = _tensor(input, op)
    index = _tensor(index, op, 'index')
    source = _tensor(source, op, 'source')
    if reduce not in ('prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    d = _wrap_dim(dim, input.ndim, op)
    if index.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.ndim} with type: "
                         f"{_type_word(index.dtype)} and size: {list(index.shape)}")
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: {_type_word(index.dtype)}")
    if input.dtype != source.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_type_word(input.dtype)}) and source "
                           f"({_type_word(source.dtype)}) must have the same scalar type")
    n = index.numel()
    ssize = source.shape[d] if source.ndim else 1
    if n != ssize:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to source.size(dim): "
                           f"({ssize}), for dim: {dim}")
    if source.ndim and (len(source.shape) != len(input.shape)
                        or any(s != t for i, (s, t) in enumerate(zip(source.shape, input.shape)) if i != d)):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    idx = index._data.reshape(-1)
    size = input.shape[d] if input.ndim else 1
    if n and (int(idx.max()) >= size or int(idx.min()) < -size):
        raise IndexError("index out of range in self")
    xp = xp_of(idx)
    idx = xp.where(idx < 0, idx + size, idx).astype('int64')
    view = [1] * max(source.ndim, 1)
    view[d] = n
    grid = _wrap(xp.ascontiguousarray(xp.broadcast_to(idx.reshape(view), source._data.shape or (1,))), xp)
    return input, d, grid, source


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduces the elements of source into input at the positions index gives along dim, with reduce one of
    'prod', 'mean', 'amax', 'amin'; include_self says whether input's own values take part."""
    input, d, grid, source = _index_reduce_args(input, dim, index, source, reduce, 'index_reduce')
    if input.ndim == 0:
        return _S.reshape(_I.scatter_reduce(_S.reshape(input, (1,)), 0, grid, _S.reshape(source, (1,)), reduce,
                                            include_self=include_self), ())
    return _I.scatter_reduce(input, d, grid, source, reduce, include_self=include_self)


def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """In-place version of index_reduce."""
    return self._inplace(index_reduce, dim, index, source, reduce, name='index_reduce_', include_self=include_self)


# --- binomial --------------------------------------------------------------------------------------------
def binomial(count, prob, generator=None):
    """Draws from Binomial(count, prob) for each element (count and prob broadcast together); the result
    has count's dtype. Negative counts give 0; probabilities are clamped to [0, 1]."""
    count = _tensor(count, 'binomial', 'count')
    prob = _tensor(prob, 'binomial', 'prob')
    if not count.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {_type_word(count.dtype)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {_type_word(prob.dtype)} but expected {_type_word(count.dtype)}")
    g = _Rnd._gen(generator, 'binomial')
    xp = xp_of(count._data)
    try:
        c, p = xp.broadcast_arrays(count._data.astype('float64'), prob._data.astype('float64'))
    except ValueError:
        raise RuntimeError(f"binomial: shape mismatch: count of shape {list(count.shape)} and prob of shape "
                           f"{list(prob.shape)} cannot be broadcast") from None
    return _wrap(_Rnd._binomial_draws(g, c, p).astype(count._data.dtype), xp)


# --- unsafe splits -----------------------------------------------------------------------------------
def unsafe_split(tensor, split_size, dim=0):
    """Works like torch.split, but without the view checks of in-place changes to the pieces (torch's
    contract: the caller does not modify them in place)."""
    return tuple(_S.split(tensor, split_size, dim))


def unsafe_chunk(input, chunks, dim=0):
    """Works like torch.chunk, without the view checks of in-place changes to the pieces."""
    return tuple(_S.chunk(input, chunks, dim))


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """Works like torch.split_with_sizes, without the view checks of in-place changes to the pieces."""
    input = _tensor(input, 'unsafe_split_with_sizes')
    d = _wrap_dim(dim, input.ndim, 'unsafe_split_with_sizes')
    sizes = list(split_sizes)
    if sum(sizes) != input.shape[d]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {input.shape[d]} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    return tuple(_S.split(input, sizes, d))


# --- short-time Fourier transform --------------------------------------------------------------------
def _stft_call(input, n_fft, hop, win, window, extra):
    w = 'None' if window is None else f"torch.{_type_word(window.dtype)}Tensor{{{list(window.shape)}}}"
    return (f"stft(torch.{_type_word(input.dtype)}Tensor{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={w}{extra})")


def _full_window(window, n_fft, win_length, like):
    """The window zero-padded on both sides to n_fft (as torch centres a shorter window), or None for the
    rectangular window."""
    if window is None:
        if win_length == n_fft:
            return None
        window = _C.ones(win_length, dtype=like)
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        z = _C.zeros(left, dtype=window.dtype)
        z2 = _C.zeros(n_fft - win_length - left, dtype=window.dtype)
        window = _S.cat([z, window, z2])
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode='reflect',
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform (STFT): the Fourier transform of short overlapping windows of the input.
    input is 1-D (a signal) or 2-D (a batch of signals); the result has shape (*, n_fft // 2 + 1 or n_fft,
    n_frames). With center=True the signal is padded by n_fft // 2 on both sides (pad_mode) so frame t is
    centred at t * hop_length. hop_length defaults to n_fft // 4, win_length to n_fft, window to a
    rectangular one; normalized multiplies by n_fft ** -0.5; onesided (default for real input and window)
    keeps the non-negative frequencies. Differentiable with respect to input and window."""
    from .. import fft as _fft
    input = _tensor(input, 'stft')
    if align_to_window is not None and center:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if return_complex is None:
        cplx_in = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
        if not cplx_in:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    if center:
        from ..nn.functional import pad as _pad
        nd = input.ndim
        if nd in (1, 2):
            ext = _S.reshape(input, (1,) * (3 - nd) + tuple(input.shape))
            p = n_fft // 2
            input = _S.reshape(_pad(ext, [p, p], pad_mode), tuple(ext.shape[:-1]) + (ext.shape[-1] + 2 * p,))
            input = _S.reshape(input, tuple(input.shape[3 - nd:]))
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    extra = (f", normalized={int(bool(normalized))}, onesided={onesided}, return_complex={int(bool(return_complex))}"
             f", align_to_window={align_to_window})")
    if input.ndim not in (1, 2):
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra) + " : expected a 1D or 2D tensor")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra)
                           + " : expected a tensor of floating point or complex values")
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra)
                           + f" : expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra)
                           + f" : expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra)
                           + f" : expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(_stft_call(input, n_fft, hop, win, window, extra)
                           + f" : expected a 1D window tensor of size equal to win_length={win}, but got window "
                           f"with size {list(window.shape)}")
    if window is None and win == n_fft:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
    real_dt = input.dtype.to_real() if input.dtype.is_complex else input.dtype
    w = _full_window(window, n_fft, win, real_dt)
    cplx = input.dtype.is_complex or (w is not None and w.dtype.is_complex)
    if onesided is None:
        onesided = not cplx
    elif onesided and cplx:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    start = (n_fft - win) // 2 if (align_to_window and not center) else 0
    if start:
        input = _sl(input, -1, start)
    frames = input.unfold(-1, n_fft, hop)            # (*, n_frames, n_fft)
    if w is not None:
        frames = _E.mul(frames, w)
    norm = 'ortho' if normalized else 'backward'
    spec = _fft.rfft(frames, dim=-1, norm=norm) if onesided else _fft.fft(frames, dim=-1, norm=norm)
    spec = _S.transpose(spec, -1, -2)                  # (*, freq, n_frames)
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                      "complex tensors for all inputs, and return_complex=False will raise an error.")
        from .complex import view_as_real
        return view_as_real(_S.contiguous(spec))
    return spec


def _overlap_add(frames, hop, total):
    """Sum frames (*, n_frames, n_fft) into a signal (*, total), frame t starting at t * hop: one index_add
    (differentiable) instead of a loop over frames."""
    xp = xp_of(frames._data)
    nf, n = frames.shape[-2], frames.shape[-1]
    pos = (xp.arange(nf)[:, None] * hop + xp.arange(n)[None, :]).reshape(-1)
    lead = tuple(frames.shape[:-2])
    zeros = _C.zeros(lead + (total,), dtype=frames.dtype)
    flat = _S.reshape(frames, lead + (nf * n,))
    return _I.index_add(zeros, -1, _wrap(pos.astype('int64'), xp), flat)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse short time Fourier transform, expected to be the inverse of stft: the least squares
    estimate of the original signal by windowed overlap-add, divided by the summed squared window
    (which must not vanish anywhere: the NOLA condition). length trims or zero-pads the result."""
    from .. import fft as _fft
    input = _tensor(input, 'istft')
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    w_desc = 'None' if window is None else f"torch.{_type_word(window.dtype)}Tensor{{{list(window.shape)}}}"
    head = (f"istft({'CPU' + _type_word(input.dtype) + 'Type'}{list(input.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={w_desc}, center={int(bool(center))}, normalized={int(bool(normalized))}, "
            f"onesided={'None' if onesided is None else int(bool(onesided))}, "
            f"length={'None' if length is None else length}, return_complex={int(bool(return_complex))}) ")
    if input.ndim not in (2, 3):
        raise RuntimeError(head + f": expected a tensor with 2 or 3 dimensions of complex dtype, but got "
                           f"{input.ndim}")
    fft_size, n_frames = input.shape[-2], input.shape[-1]
    if onesided is None:
        onesided = fft_size != n_fft
    if onesided:
        if n_fft // 2 + 1 != fft_size:
            raise RuntimeError(head + ": expected the frequency dimension (3rd to the last) of the input tensor to "
                               f"match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    elif n_fft != fft_size:
        raise RuntimeError(head + ": expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft when onesided=False, but got {fft_size}")
    if not (0 < hop <= win):
        raise RuntimeError(head + ": expected 0 < hop_length <= win_length")
    if not (0 < win <= n_fft):
        raise RuntimeError(head + ": expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(head + ": Invalid window shape. window has to be 1D and length of `win_length`")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
    real_dt = input.dtype.to_real()
    w = _full_window(window, n_fft, win, real_dt)
    if w is None:
        w = _C.ones(n_fft, dtype=real_dt)
    norm = 'ortho' if normalized else 'backward'
    spec = _S.transpose(input, -1, -2)                 # (*, n_frames, freq)
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft.ifft(spec, dim=-1, norm=norm)
    else:
        if w.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spec = _S.narrow(spec, -1, 0, n_fft // 2 + 1)
        frames = _fft.irfft(spec, n=n_fft, dim=-1, norm=norm)
    frames = _E.mul(frames, w)
    expected = n_fft + hop * (n_frames - 1)
    y = _overlap_add(frames, hop, expected)
    wsq = _E.mul(w, w)
    env = _overlap_add(_S.expand(wsq, n_frames, n_fft), hop, expected)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (-(n_fft // 2) if center else expected)
    stop = min(end if end >= 0 else expected + end, expected)
    y = _S.narrow(y, -1, start, max(stop - start, 0))
    env = _S.narrow(env, -1, start, max(stop - start, 0))
    envd = env._data
    xp = xp_of(envd)
    if envd.size and float(xp.abs(envd).min()) < 1e-11:
        raise RuntimeError(head + "window overlap add min: 1")
    y = _E.div(y, env)
    if end > expected:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.")
        z = _C.zeros(tuple(y.shape[:-1]) + (end - expected,), dtype=y.dtype)
        y = _S.cat([y, z], -1)
    return y


bind(unsafe_split=unsafe_split, unsafe_chunk=unsafe_chunk, unsafe_split_with_sizes=unsafe_split_with_sizes,
     index_reduce=index_reduce, index_reduce_=_index_reduce_, stft=stft, istft=istft)

__all__ = ['unravel_index', 'fill', 'rms_norm', 'vander', 'gradient', 'index_reduce', 'binomial', 'unsafe_split',
           'unsafe_chunk', 'unsafe_split_with_sizes', 'stft', 'istft']
