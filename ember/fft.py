"""torch.fft: discrete Fourier transforms and their helpers, with gradients.

Every transform is one op, `FFT`, of three kinds: complex-to-complex (fftn/ifftn), real-to-complex
(rfftn, the non-redundant half of the last transformed dimension) and complex-to-real (irfftn). The
one-, two- and n-dimensional functions and the Hermitian ones (hfft = irfft of the conjugate, ihfft =
conjugate of rfft, with the opposite normalisation) are all built on it. Single precision stays
single (float32 in, complex64 out), as in torch.

A transform is linear, so its gradient is its adjoint: the inverse transform with the dual
normalisation ("backward" <-> "forward", "ortho" is its own dual), cropped or zero-padded back to the
input's size where `n`/`s` padded or cropped the input. The real transforms need a weight on the
half spectrum: rfft keeps each frequency j with 0 < j < n/2 once while irfft counts it twice (it and
its conjugate mirror), so rfft's adjoint halves those entries before irfft and irfft's adjoint doubles
them after rfft. Backward formulas are written over `xp.fft`, which under create_graph is this
module's differentiable `_GraphFFT`, so higher derivatives work too. On NumPy data the transforms run
in scipy.fft when SciPy is installed (see _lib), else in numpy.fft.
"""
import math
import operator
from . import _dtype
from .tensor import Tensor, cast, _wrap_dim
from .autograd.graph import Op
from .autograd.graph_xp import register
from .ops.creation import arange
from .ops.elementwise import conj
from .ops.shape import roll
from .ops._util import to_float, public_names
from .ops import add_out_support

_NORMS = ('backward', 'ortho', 'forward')
_DUAL = {'backward': 'forward', 'forward': 'backward', 'ortho': 'ortho'}


def _fit(xp, g, shape, axes):
    """g cropped or zero-padded along axes to shape (the adjoint of the resize that n/s applied)."""
    crop = [slice(None)] * len(shape)
    pads = [(0, 0)] * len(shape)
    cropped = padded = False
    for ax in axes:
        have, want = g.shape[ax], shape[ax]
        if have > want:
            crop[ax] = slice(0, want)
            cropped = True
        elif have < want:
            pads[ax] = (0, want - have)
            padded = True
    if cropped:
        g = g[tuple(crop)]
    if padded:
        g = xp.pad(g, pads)
    return g


def _half_weights(xp, n, ax, ndim, value, dtype):
    """Per-frequency weights along axis ax of a half spectrum of a length-n signal: `value` for the
    frequencies 0 < j < n/2 that have a distinct conjugate mirror, 1 for the zero and Nyquist ones."""
    m = n // 2 + 1
    w = xp.full(m, value, dtype)
    w[0] = 1
    if n % 2 == 0:
        w[-1] = 1
    shape = [1] * ndim
    shape[ax] = m
    return w.reshape(shape)


_scipy_fft = []


def _lib(xp):
    """The FFT functions for xp's arrays: SciPy's for NumPy data when SciPy is installed (the same
    pocketfft, but it transforms several rows at once with SIMD: 3-5x faster than numpy.fft here), else
    xp.fft (CuPy's, or this module's differentiable _GraphFFT under create_graph)."""
    if getattr(xp, 'name', None) != 'numpy':
        return xp.fft
    if not _scipy_fft:
        try:
            import scipy.fft as lib
        except ImportError:
            lib = xp.fft
        _scipy_fft.append(lib)
    return _scipy_fft[0]


class FFT(Op):
    """An n-dimensional discrete Fourier transform over `axes` with signal sizes `s`."""
    __slots__ = ('kind', 'inverse', 'axes', 's', 'norm', 'in_shape', 'real_in', 'w')

    def forward(self, xp, a, kind, inverse, axes, s, norm):
        self.kind, self.inverse, self.axes, self.s, self.norm = kind, inverse, axes, s, norm
        self.in_shape = a.shape
        self.real_in = a.dtype.kind != 'c'
        lib = _lib(xp)
        if kind == 'c2c':
            y = (lib.ifftn if inverse else lib.fftn)(a, s=s, axes=axes, norm=norm)
        elif kind == 'r2c':
            y = lib.rfftn(a, s=s, axes=axes, norm=norm)
            self.w = _half_weights(xp, s[-1], axes[-1], a.ndim, 0.5, a.dtype)
        else:
            y = lib.irfftn(a, s=s, axes=axes, norm=norm)
            self.w = _half_weights(xp, s[-1], axes[-1], a.ndim, 2.0, y.dtype)
        return y

    def backward(self, xp, g):
        axes, norm, lib = self.axes, _DUAL[self.norm], _lib(xp)
        if self.kind == 'c2c':
            gx = (lib.fftn if self.inverse else lib.ifftn)(g, s=self.s, axes=axes, norm=norm)
            if self.real_in:
                gx = xp.real(gx)
        elif self.kind == 'r2c':
            gx = lib.irfftn(g * self.w, s=self.s, axes=axes, norm=norm)
        else:
            gx = lib.rfftn(g, s=self.s, axes=axes, norm=norm) * self.w
        return _fit(xp, gx, self.in_shape, axes)

    @classmethod
    def name(cls):
        return 'FftBackward0'


class _GraphFFT:
    """`xp.fft` under create_graph: NumPy's fftn/ifftn/rfftn/irfftn signatures over Tensors, each the
    differentiable FFT op (s and axes given, as the backward formulas give them)."""

    @staticmethod
    def fftn(a, s, axes, norm):
        return FFT.apply(a, kind='c2c', inverse=False, axes=tuple(axes), s=tuple(s), norm=norm)

    @staticmethod
    def ifftn(a, s, axes, norm):
        return FFT.apply(a, kind='c2c', inverse=True, axes=tuple(axes), s=tuple(s), norm=norm)

    @staticmethod
    def rfftn(a, s, axes, norm):
        return FFT.apply(a, kind='r2c', inverse=False, axes=tuple(axes), s=tuple(s), norm=norm)

    @staticmethod
    def irfftn(a, s, axes, norm):
        return FFT.apply(a, kind='c2r', inverse=True, axes=tuple(axes), s=tuple(s), norm=norm)


register('fft')(_GraphFFT())


# --- argument checking -------------------------------------------------------------------------------
def _real_only(x, op, word='real'):
    """torch refuses complex input to the real-to-complex transforms before it looks at dim or s."""
    if isinstance(x, Tensor) and x._data.dtype.kind == 'c':
        raise RuntimeError(f"{op} expects a {word} input tensor, but got {_complex_name(x)}")


def _tensor_arg(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _input(x, op):
    _tensor_arg(x, op)
    if x.dtype == _dtype.float16 or x.dtype == _dtype.bfloat16:
        raise RuntimeError(f"fft_{op}: Unsupported dtype {'Half' if x.dtype == _dtype.float16 else 'BFloat16'}")
    return to_float(x)


def _norm(norm):
    if norm is None:
        return 'backward'
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _int(v, op, arg):
    if isinstance(v, bool) or not hasattr(v, '__index__'):
        raise TypeError(f"fft_{op}(): argument '{arg}' must be int, not {type(v).__name__}")
    return operator.index(v)


def _points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _one_dim(x, n, dim, op):
    """(axes, sizes) for a one-dimensional transform; sizes default to the input's length along dim."""
    _input(x, op)
    dim = _int(dim, op, 'dim')
    if x.ndim == 0:
        raise IndexError(f"fft_{op}: Dimension specified as {dim} but tensor has no dimensions")
    ax = _wrap_dim(dim, x.ndim, f"fft_{op}")
    return (ax,), (None if n is None else _int(n, op, 'n'),)


def _many_dims(x, s, dim, op, default_dims=None):
    """(axes, sizes) for an n-dimensional transform, following torch's rules for s and dim (checked before
    the dtype, as torch does)."""
    _tensor_arg(x, op)
    if isinstance(s, int):
        s = (s,)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None and default_dims is not None:
        dim = default_dims
    if s is not None:
        s = tuple(_int(v, op, 's') for v in s)
    if dim is not None:
        axes = tuple(_wrap_dim(_int(d, op, 'dim'), x.ndim, f"fft_{op}") for d in dim)
        if s is not None and len(s) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
    elif s is not None:
        if len(s) > x.ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {x.ndim} dimensions.")
        axes = tuple(range(x.ndim - len(s), x.ndim))
    else:
        axes = tuple(range(x.ndim))
    _input(x, op)
    sizes = (None,) * len(axes) if s is None else tuple(None if v == -1 else v for v in s)
    return axes, sizes


def _check_batch(x, axes, op):
    """torch refuses to transform a tensor that has an empty dimension it does not transform."""
    if x.numel() == 0 and any(x.shape[d] == 0 for d in range(x.ndim) if d not in axes):
        raise RuntimeError(f"fft_{op}: cannot transform a tensor with an empty batch dimension "
                           f"(shape {list(x.shape)})")


def _c2c(x, axes, sizes, norm, inverse, op):
    x = _input(x, op)
    norm = _norm(norm)
    s = tuple(_points(x.shape[a] if n is None else n) for a, n in zip(axes, sizes))
    if not axes:   # torch: no dimension to transform gives a complex copy
        return x.clone() if x.is_complex() else cast(x, x.dtype.to_complex())
    _check_batch(x, axes, op)
    return FFT.apply(x, kind='c2c', inverse=inverse, axes=axes, s=s, norm=norm)


def _r2c(x, axes, sizes, norm, op):
    x = _input(x, op)
    if x._data.dtype.kind == 'c':
        raise RuntimeError(f"{op} expects a real input tensor, but got {_complex_name(x)}")
    norm = _norm(norm)
    if not axes:
        raise RuntimeError(f"{op} must transform at least one axis")
    s = tuple(_points(x.shape[a] if n is None else n) for a, n in zip(axes, sizes))
    _check_batch(x, axes, op)
    return FFT.apply(x, kind='r2c', inverse=False, axes=axes, s=s, norm=norm)


def _c2r(x, axes, sizes, norm, op):
    x = _input(x, op)
    norm = _norm(norm)
    if not axes:
        raise RuntimeError(f"{op} must transform at least one axis")
    # the last transformed dimension holds a half spectrum: its default signal length is 2 * (m - 1)
    last = sizes[-1]
    s = tuple(_points(x.shape[a] if n is None else n) for a, n in zip(axes[:-1], sizes[:-1]))
    s += (_points(2 * (x.shape[axes[-1]] - 1) if last is None else last),)
    _check_batch(x, axes, op)
    if x._data.dtype.kind != 'c':
        x = cast(x, x.dtype.to_complex())
    return FFT.apply(x, kind='c2r', inverse=True, axes=axes, s=s, norm=norm)


def _complex_name(x):
    return 'ComplexFloat' if x._data.dtype.name == 'complex64' else 'ComplexDouble'


# --- the transforms ----------------------------------------------------------------------------------
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional discrete Fourier transform of input.

    n: signal length (the input is zero-padded or trimmed to it); dim: the dimension to transform;
    norm: "backward" (no normalization, the default), "ortho" (1/sqrt(n)) or "forward" (1/n)."""
    axes, sizes = _one_dim(input, n, dim, 'fft')
    return _c2c(input, axes, sizes, norm, False, 'fft')


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional inverse discrete Fourier transform of input (norm "backward"
    normalizes by 1/n)."""
    axes, sizes = _one_dim(input, n, dim, 'ifft')
    return _c2c(input, axes, sizes, norm, True, 'ifft')


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the 2 dimensional discrete Fourier transform of input (fftn over dim, by default the last
    two dimensions)."""
    axes, sizes = _many_dims(input, s, dim, 'fft2')
    return _c2c(input, axes, sizes, norm, False, 'fft2')


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the 2 dimensional inverse discrete Fourier transform of input."""
    axes, sizes = _many_dims(input, s, dim, 'ifft2')
    return _c2c(input, axes, sizes, norm, True, 'ifft2')


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N dimensional discrete Fourier transform of input.

    s: signal size in each transformed dimension (-1: keep that dimension's size); dim: the dimensions to
    transform (default: all, or the last len(s) when s is given)."""
    axes, sizes = _many_dims(input, s, dim, 'fftn')
    return _c2c(input, axes, sizes, norm, False, 'fftn')


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N dimensional inverse discrete Fourier transform of input."""
    axes, sizes = _many_dims(input, s, dim, 'ifftn')
    return _c2c(input, axes, sizes, norm, True, 'ifftn')


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional Fourier transform of real-valued input. The output holds only the
    positive frequencies below the Nyquist frequency: n // 2 + 1 of them."""
    _real_only(input, 'rfft')
    axes, sizes = _one_dim(input, n, dim, 'rfft')
    return _r2c(input, axes, sizes, norm, 'rfft')


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the inverse of rfft: a real signal of length n (default 2 * (input.size(dim) - 1)) from
    the one-sided Hermitian spectrum input."""
    axes, sizes = _one_dim(input, n, dim, 'irfft')
    return _c2r(input, axes, sizes, norm, 'irfft')


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the 2-dimensional discrete Fourier transform of real input (the last dimension of dim is
    one-sided)."""
    _real_only(input, 'rfftn', 'real-valued')
    axes, sizes = _many_dims(input, s, dim, 'rfft2')
    return _r2c(input, axes, sizes, norm, 'rfft2')


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the inverse of rfft2."""
    axes, sizes = _many_dims(input, s, dim, 'irfft2')
    return _c2r(input, axes, sizes, norm, 'irfft2')


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N-dimensional discrete Fourier transform of real input (the last dimension of dim is
    one-sided)."""
    _real_only(input, 'rfftn', 'real-valued')
    axes, sizes = _many_dims(input, s, dim, 'rfftn')
    return _r2c(input, axes, sizes, norm, 'rfftn')


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the inverse of rfftn: real output; the last dimension's signal length defaults to
    2 * (input.size(dim[-1]) - 1)."""
    axes, sizes = _many_dims(input, s, dim, 'irfftn')
    return _c2r(input, axes, sizes, norm, 'irfftn')


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional discrete Fourier transform of a Hermitian symmetric input signal
    (given by its one-sided half); the output is real, of length n (default 2 * (input.size(dim) - 1))."""
    axes, sizes = _one_dim(input, n, dim, 'hfft')
    return _c2r(conj(_input(input, 'hfft')), axes, sizes, _DUAL[_norm(norm)], 'hfft')


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the inverse of hfft: the one-sided Hermitian spectrum of a real input."""
    _real_only(input, 'ihfft')
    axes, sizes = _one_dim(input, n, dim, 'ihfft')
    return conj(_r2c(input, axes, sizes, _DUAL[_norm(norm)], 'ihfft'))


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the 2-dimensional discrete Fourier transform of a Hermitian symmetric input (one-sided in
    the last dimension of dim); real output."""
    axes, sizes = _many_dims(input, s, dim, 'hfft2')
    return _c2r(conj(_input(input, 'hfft2')), axes, sizes, _DUAL[_norm(norm)], 'hfft2')


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the 2-dimensional inverse discrete Fourier transform of real input (one-sided output)."""
    axes, sizes = _many_dims(input, s, dim, 'ihfft2')
    return conj(_r2c(input, axes, sizes, _DUAL[_norm(norm)], 'ihfft2'))


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the n-dimensional discrete Fourier transform of a Hermitian symmetric input; real output."""
    axes, sizes = _many_dims(input, s, dim, 'hfftn')
    return _c2r(conj(_input(input, 'hfftn')), axes, sizes, _DUAL[_norm(norm)], 'hfftn')


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N-dimensional inverse discrete Fourier transform of real input (one-sided output)."""
    axes, sizes = _many_dims(input, s, dim, 'ihfftn')
    return conj(_r2c(input, axes, sizes, _DUAL[_norm(norm)], 'ihfftn'))


# --- frequencies and shifts --------------------------------------------------------------------------
def _freq_dtype(dtype, op):
    dt = _dtype._default[0] if dtype is None else dtype
    if not dt.is_floating_point:
        if dt.is_complex:
            raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_complex_dtype_name(dt)}'")
        raise RuntimeError(f"{op} requires a floating point or complex dtype")
    return dt


def _complex_dtype_name(dt):
    return 'ComplexFloat' if dt == _dtype.complex64 else 'ComplexDouble'


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Computes the discrete Fourier Transform sample frequencies for a signal of size n:
    [0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d * n)."""
    n = _freq_n(n, 'fftfreq')
    dt = _freq_dtype(dtype, 'fftfreq')
    k = arange(n, dtype=_dtype.int64, device=device)
    k = k - (k >= (n + 1) // 2).to(_dtype.int64) * n   # [0, ..., ceil(n/2) - 1, -floor(n/2), ..., -1]
    return _freq_out(k, n, d, dt, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Computes the sample frequencies for rfft with a signal of size n: [0, 1, ..., n // 2] / (d * n)."""
    n = _freq_n(n, 'rfftfreq')
    dt = _freq_dtype(dtype, 'rfftfreq')
    return _freq_out(arange(n // 2 + 1, dtype=_dtype.int64, device=device), n, d, dt, requires_grad)


def _freq_n(n, op):
    if isinstance(n, bool) or not hasattr(n, '__index__'):
        raise TypeError(f"fft_{op}(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return n


def _freq_out(k, n, d, dt, requires_grad):
    if isinstance(d, Tensor):
        d = d.item()
    nd = n * d
    # torch multiplies by 1/(n*d) in double: inf when n*d is 0 (rfftfreq(0) is [nan], as in torch)
    out = k.to(dt) * (1.0 / nd if nd else math.copysign(math.inf, nd))
    out = out.detach()
    if requires_grad:
        out.requires_grad_(True)
    return out


def _shift_dims(input, dim, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"fft_{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dim is None:
        dims = tuple(range(input.ndim))
    else:
        dims = tuple(_wrap_dim(_int(d, op, 'dim'), input.ndim, f"fft_{op}")
                     for d in (dim if isinstance(dim, (tuple, list)) else (dim,)))
    if not dims:
        raise RuntimeError(f"fft_{op}: `shifts` required")
    return dims


def fftshift(input, dim=None):
    """Reorders n-dimensional FFT data, as provided by fftn, to have negative frequency terms first (the
    zero frequency moves to the centre). dim: the dimensions to rearrange (default: all)."""
    dims = _shift_dims(input, dim, 'fftshift')
    return roll(input, tuple(input.shape[d] // 2 for d in dims), dims)


def ifftshift(input, dim=None):
    """Inverse of fftshift."""
    dims = _shift_dims(input, dim, 'ifftshift')
    return roll(input, tuple(-(input.shape[d] // 2) for d in dims), dims)


add_out_support(globals())

__all__ = public_names(globals(), __name__)
