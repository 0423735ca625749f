"""The one place that knows which array library holds a tensor's data.

Ops never import numpy for data: they call `xp`, the namespace of their inputs' array
library. `numpy_backend` is NumPy's namespace plus the few functions where libraries
differ (special functions, scatter-add); a CuPy backend is the same shape.
"""
import types
import numpy


def _special(name):
    # SciPy is imported on first use, so `import ember` stays fast.
    def f(*args, **kw):
        import scipy.special
        fn = getattr(scipy.special, name)
        setattr(numpy_backend, name, fn)
        return fn(*args, **kw)
    f.__name__ = name
    return f


def _add_at(target, index, values):
    """target[index] += values, accumulating repeated indices (in place)."""
    numpy.add.at(target, index, values)
    return target


class _Backend(types.SimpleNamespace):
    """An array library's namespace; names not copied up front (NumPy's lazily imported submodules,
    which would cost ~60 ms at import) are fetched from the library on first use."""

    def __getattr__(self, name):
        value = getattr(self._lib, name)
        setattr(self, name, value)
        return value


numpy_backend = _Backend(_lib=numpy, **{k: v for k, v in vars(numpy).items()
                                        if not k.startswith('_') and not isinstance(v, types.ModuleType)})
numpy_backend.name = 'numpy'
numpy_backend.add_at = _add_at
for _n in ('erf', 'erfc', 'erfinv', 'erfcinv', 'gammaln', 'digamma', 'polygamma', 'i0e', 'i1', 'i1e',
           'ndtr', 'ndtri', 'log_ndtr', 'xlogy', 'xlog1py', 'zeta', 'expit', 'logit', 'entr',
           'i0', 'erfcx', 'gammainc', 'gammaincc', 'j0', 'j1', 'y0', 'y1', 'k0', 'k1', 'k0e', 'k1e'):
    setattr(numpy_backend, _n, _special(_n))

# erf(x) ~ tanh(x P(x^2)), P of degree 6 in x^2 with P(0) = 2/sqrt(pi): atanh(erf(x)) is a smooth odd function, and
# tanh damps the fit's error by 1 - erf^2 where erf nears +-1, so a short polynomial reaches float32 accuracy (fitted
# by iteratively reweighted least squares on [0, 4]). Evaluated in float32 in cache-sized chunks: max abs error vs
# exact 1.8e-7 over the float32 line (3e-7 relative near 0). x P(x^2) rises monotonically past 3.9 (where it is
# >= 9.07 and tanh rounds to 1 in float32, as erf does) and reaches +-inf for huge or infinite x, so no clipping
# is needed; NaN passes through. 15 passes over each chunk instead of the 24 of a rational approximation, and
# ~0.25x SciPy's time (SciPy's float32 erf is a float64 call per element). F.gelu uses the same coefficients.
_ERF_TANH_P = (1.1283791670955126, 0.10276880697359886, -0.00019030087475707325, -0.0006214366791081871,
               8.830622324677758e-05, -5.779727211266807e-06, 1.4817989729098122e-07)
_ERF_P32 = tuple(numpy.float32(c) for c in _ERF_TANH_P)
_ERF_CHUNK = 32768


def _erf_float32(x):
    flat = numpy.ascontiguousarray(x).reshape(-1)
    out = numpy.empty(flat.shape, numpy.float32)
    n = flat.size
    c = max(1, min(_ERF_CHUNK, n))
    x2, p = numpy.empty(c, numpy.float32), numpy.empty(c, numpy.float32)
    top, coef, c0 = _ERF_P32[-1], _ERF_P32[-2:0:-1], _ERF_P32[0]
    for i in range(0, n, c):
        m = min(c, n - i)
        if m != c:
            x2, p = x2[:m], p[:m]
        xs = flat[i:i + m]
        numpy.multiply(xs, xs, out=x2)
        numpy.multiply(x2, top, out=p)
        for a in coef:
            p += a
            p *= x2
        p += c0
        p *= xs
        numpy.tanh(p, out=out[i:i + m])
    return out.reshape(numpy.shape(x))


def _erf(x, *args, **kw):
    """erf: float32 arrays through the rational approximation above; everything else through SciPy."""
    if not args and not kw and type(x) is numpy.ndarray and x.dtype == numpy.float32:
        return _erf_float32(x)
    import scipy.special
    return scipy.special.erf(x, *args, **kw)


numpy_backend.erf = _erf

_BY_ARRAY_TYPE = {numpy.ndarray: numpy_backend}


def xp_of(array):
    """The backend namespace of an array (numpy for CPU data)."""
    return _BY_ARRAY_TYPE.get(type(array), numpy_backend)

# torch computes log(0) = -inf and 1/0 = inf silently; so do ember's ops (see docs/design.md).
numpy.seterr(divide='ignore', over='ignore', invalid='ignore', under='ignore')


def _keep_freed_memory():
    """Training frees and re-allocates the same large arrays every step. glibc's defaults hand big blocks
    back to the OS and fault them in again (measured: a LeNet step 7.1 ms -> 4.5 ms without that). Like
    PyTorch's caching allocator, ember keeps freed memory in the process: big allocations come from the
    heap and the heap is not trimmed. Set MALLOC_MMAP_THRESHOLD_ yourself to keep glibc's choice."""
    import os
    import sys
    if not sys.platform.startswith('linux') or 'MALLOC_MMAP_THRESHOLD_' in os.environ:
        return
    try:
        import ctypes
        libc = ctypes.CDLL('libc.so.6')
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks under 32 MB come from the heap
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: keep up to 256 MB of freed heap
    except (OSError, AttributeError):   # not glibc: leave the allocator alone
        pass


_keep_freed_memory()
