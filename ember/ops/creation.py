"""Creation ops: tensor, zeros, ones, full, arange, linspace, eye, the *_like and new_* forms."""
import math
from .. import _dtype
from .._dtype import to_dtype
from .._device import check_device
from ..backend import numpy_backend
from ..tensor import Tensor, _as_array
from ..autograd.graph import _wrap
from ._util import bind, public_names


def _new(a, requires_grad=False):
    t = _wrap(a, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size, op):
    """zeros(2, 3), zeros((2, 3)), zeros([2, 3]) and zeros(torch.Size([2, 3])) all mean shape (2, 3)."""
    if not isinstance(size, (tuple, list)) or len(size) == 0:   # zeros() names no size; zeros(()) is 0-d
        raise TypeError(f'{op}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        shape = tuple(int(s.__index__()) for s in size)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                        f"{type(next(s for s in size if not hasattr(s, '__index__'))).__name__}") from None
    for s in shape:
        if s < 0:
            if op == 'zeros':   # torch words this one differently
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _xp(device):
    check_device(device)
    return numpy_backend


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: always copies data; infers torch's dtype (ints -> int64, floats -> default float)."""
    xp = _xp(device)
    dt = to_dtype(dtype)
    if isinstance(data, Tensor):
        a = data._data.astype(dt.np) if dt is not None else data._data.copy()
    else:
        a = _as_array(data, dt, xp)
        if a is data or (hasattr(data, '__array_interface__') and xp.shares_memory(a, data)):
            a = a.copy()
    return _new(a, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: shares memory with a Tensor or NumPy array of the right dtype, else copies."""
    xp = _xp(device)
    dt = to_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dt is None or dt.np == data._data.dtype else data.to(dt)
    return _new(_as_array(data, dt, xp))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray):
    """torch.from_numpy: a tensor sharing memory with the array."""
    if not isinstance(ndarray, numpy_backend.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray, None)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dt = to_dtype(dtype) or _dtype._default[0]
    return _new(_xp(device).asarray(s, dtype=dt.np), requires_grad)


_C_TYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
           'int64': 'int64_t', 'int32': 'int', 'int16': 'int16_t', 'int8': 'int8_t', 'uint8': 'uint8_t'}


def _check_fits(value, dt):
    """torch refuses a finite fill value outside the dtype's range (inf and nan fill floats)."""
    if isinstance(value, bool) or dt.kind not in 'fi' or dt.name not in _C_TYPE:
        return
    if isinstance(value, float) and not math.isfinite(value):
        if dt.kind == 'f' or dt.name not in _C_TYPE:
            return
    elif isinstance(value, (int, float)):
        info = _dtype.finfo(dt) if dt.kind == 'f' else _dtype.iinfo(dt)
        if info.min <= value <= info.max:
            return
    else:
        return
    raise RuntimeError(f"value cannot be converted to type {_C_TYPE[dt.name]} without overflow")


def _filled(op, value, size, dtype, device, requires_grad):
    xp = _xp(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    shape = _size(size, op)
    if value is None:
        a = xp.empty(shape, dt.np)
    elif value == 0:
        a = xp.zeros(shape, dt.np)
    else:
        _check_fits(value, dt)
        a = xp.full(shape, value, dt.np)
    return _new(a, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled('zeros', 0, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled('ones', 1, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _filled('empty', None, size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.full: the dtype follows fill_value (bool, int64, default float, complex) unless given."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _filled('full', fill_value, (size,), dtype, device, requires_grad)


def _dense_order(a):
    """The axis order (outer to inner) in which a dense, non-overlapping array lays out its memory, when that
    is not C order; None for C-contiguous arrays and for strided ones with gaps or repeats."""
    if a.flags.c_contiguous or a.ndim < 2:
        return None
    order = sorted(list(enumerate(a.strides)), key=lambda ds: (-ds[1], ds[0]))   # (this module defines range)
    order = [d for d, _ in order]
    step = a.itemsize
    for d in reversed(order):
        if a.shape[d] != 1 and a.strides[d] != step:
            return None
        step *= a.shape[d]
    return order


def _like_layout(t, a, memory_format):
    """Lay a fresh array a (C order) out as torch's preserve_format does: a dense permuted input's strides
    exactly; for a strided one, dense memory in the order of its strides; C order otherwise."""
    if memory_format is not None and str(memory_format) != 'torch.preserve_format':
        return a
    src = t._data
    if src.flags.c_contiguous or src.ndim < 2:
        return a
    if _dense_order(src) is not None:   # torch copies the strides, size-1 dims' included
        strides = tuple(s // src.itemsize * a.itemsize for s in src.strides)
    else:
        inner_first = _stride_order(src)
        if inner_first == sorted(inner_first, reverse=True):   # C order already
            return a
        strides, step = [0] * src.ndim, a.itemsize
        for d in inner_first:
            strides[d] = step
            step *= src.shape[d]
    return _restride(a, tuple(strides))


def _stride_order(a):
    """Axes innermost first, by stride, as torch orders axes for a result like a: an insertion sort in which a
    broadcast axis (stride 0) compares with nothing, so the axes around it still sort past it."""
    st = a.strides
    order = [d for d, _ in enumerate(a.shape)][::-1]   # (this module defines range)
    for i, _ in enumerate(order):
        moving, j = i, i - 1
        while j >= 0:
            s0, s1 = st[order[j]], st[order[moving]]
            if s0 and s1 and s0 != s1:
                if s0 < s1:
                    break
                order[j], order[moving] = order[moving], order[j]
                moving = j
            j -= 1
    return order


def _restride(a, strides):
    """a's values in a fresh buffer laid out with the given (dense) byte strides."""
    out = numpy_backend.lib.stride_tricks.as_strided(numpy_backend.empty(a.size, a.dtype), a.shape, strides)
    out[...] = a
    return out


def _like(op, value, input, dtype, device, requires_grad, memory_format=None):
    dt = to_dtype(dtype) or input.dtype
    t = _filled(op, value, (input._data.shape,), dt, device, requires_grad)
    t._data = _like_layout(input, t._data, memory_format)
    return t


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('zeros_like', 0, input, dtype, device, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('ones_like', 1, input, dtype, device, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('empty_like', None, input, dtype, device, requires_grad, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like('full_like', fill_value, input, dtype, device, requires_grad, memory_format)


# torch's CPU range kernels fill 2 vectors of 32 bytes per step (8 floats, 4 doubles): each vector is
# arange(base, step) with base = start + step * i, and the compiler fuses every a * b + c into one
# rounding (FMA); the elements past the last whole pair of vectors are computed one by one. Doing the
# same arithmetic gives torch's values bit for bit (for up to 32768 elements, torch's grain size).
_VECTOR_BYTES = 32


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = a * 134217729.0   # 2**27 + 1: Veltkamp's split into two 26-bit halves
    hi = c - (c - a)
    return hi, a - hi


def _fma(a, b, c):
    """a * b + c in float64 with a single rounding, by error-free transformations."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s, t = _two_sum(p, c)
    return s + (t + e)


def _lanes(xp, n, itemsize):
    """For each element: the index its vector starts at, its lane, and whether it is in a vector."""
    w = max(1, _VECTOR_BYTES // itemsize)
    i = xp.arange(n, dtype='float64')
    lane = i % w
    return i, i - lane, lane, i < (n // (2 * w)) * 2 * w


def _float_range(xp, start, step, n, np_dtype):
    """torch.arange's values for a floating dtype: start and step in float64, as its CPU kernel does."""
    if np_dtype.itemsize < 4:   # half precision: start and step in float32, one rounding per element
        start, step = xp.float32(start), xp.float32(step)
        return (xp.float64(step) * xp.arange(n, dtype='float64') + xp.float64(start)).astype('float32') \
            .astype(np_dtype)
    i, base_i, lane, vec = _lanes(xp, n, np_dtype.itemsize)
    start, step = xp.float64(start), xp.float64(step)
    base = _fma(step, base_i, start).astype(np_dtype).astype('float64')
    return xp.where(vec, _fma(lane, step, base), _fma(step, i, start)).astype(np_dtype)


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.arange: values from start to end (exclusive) by step. Integer arguments give int64, a float gives
    the default float dtype; an integer dtype truncates the arguments first, as torch does."""
    if end is None:
        if start is None:
            raise TypeError('arange() missing 1 required positional arguments: "end"')
        start, end = 0, start
    elif start is None:   # arange(end=5)
        start = 0
    if dtype is not None and to_dtype(dtype) == _dtype.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    args = [x.item() if isinstance(x, Tensor) else x.item() if hasattr(x, 'item') else x for x in (start, end, step)]
    integral = all(isinstance(x, int) for x in args)
    dt = to_dtype(dtype) or (_dtype.int64 if integral else _dtype._default[0])
    start, end, step = args
    if not all(math.isfinite(x) for x in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("arange: upper bound and lower bound inconsistent with step sign")
    n = math.ceil((end - start) / step)
    if dt.kind in 'bi':
        start, end, step = (int(x) for x in args)
        if dt is _dtype.int64:   # torch sizes int64 ranges from the truncated arguments, others from the originals
            if step == 0:
                raise ValueError("arange: step must be nonzero")
            n = (end - start + step - (1 if step > 0 else -1)) // step
    xp = _xp(device)
    n = max(0, n)
    if dt.kind in 'bi':
        a = (start + step * xp.arange(n, dtype='int64')).astype(dt.np)
    else:
        a = _float_range(xp, start, step, n, dt.np)
    return _new(a, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated in torch): like arange but includes end."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    dt = to_dtype(dtype) or _dtype._default[0]
    if dt == _dtype.bool_:
        raise NotImplementedError("\"range_cpu\" not implemented for 'Bool'")
    start, end, step = (x.item() if hasattr(x, 'item') else x for x in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(math.floor((end - start) / step)) + 1
    return _new((start + step * _xp(device).arange(n, dtype='float64')).astype(dt.np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.linspace: steps values evenly spaced from start to end (both included)."""
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    dt = to_dtype(dtype) or _dtype._default[0]
    xp = _xp(device)
    start, end = (x.item() if isinstance(x, Tensor) else x for x in (start, end))
    if steps == 1:
        return _new(xp.asarray([start]).astype(dt.np), requires_grad)
    # torch's kernel: the first half counts up from start, the second half down from end, with step and
    # both ends in the output dtype (float64 for integer outputs); each a * b + c rounded once, as the
    # compiler's fused multiply-add does. Within an ulp (of the larger end) of torch's values.
    work = dt.np if dt.kind in 'fc' else xp.dtype('float64')
    s, e = xp.asarray(start).astype(work), xp.asarray(end).astype(work)
    if dt.kind in 'bi':
        s, e = xp.trunc(s), xp.trunc(e)   # start and end are converted to the integer dtype first
    step = ((e - s) / xp.asarray(steps - 1).astype(work)).astype(work)
    i = xp.arange(steps, dtype='float64')
    up = i < steps // 2
    if work.itemsize < 4:   # half precision: every operation rounds to the dtype (no fused ops)
        i, k = i.astype(work), (steps - 1 - i).astype(work)
        a = xp.where(up, (s + (step * i).astype(work)).astype(work), (e - (step * k).astype(work)).astype(work))
    else:
        f8 = lambda x: xp.asarray(x, dtype='float64')
        # float32 products are exact in float64, so one float64 add is (nearly always) the fused result
        fma = _fma if work == xp.float64 else lambda a, b, c: a * b + c
        a = xp.where(up, fma(f8(step), i, f8(s)), fma(-f8(step), steps - 1 - i, f8(e))).astype(work)
    if dt.kind in 'bi':
        a = xp.trunc(a)
    return _new(a.astype(dt.np), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = to_dtype(dtype) or _dtype._default[0]
    if dt.kind in 'biu' and steps > 1:
        # torch's integer kernel: start and end converted to the dtype first, the exponents in double
        # (counting up from start for the first half, down from end for the rest), pow, then truncation
        xp = _xp(device)
        s, e = (float(math.trunc(x.item() if isinstance(x, Tensor) else x)) for x in (start, end))
        step = (e - s) / (steps - 1)
        i = xp.arange(steps, dtype='float64')
        exps = xp.where(i < steps // 2, s + step * i, e - step * (steps - 1 - i))
        return _new(xp.power(float(base), exps).astype(dt.np), requires_grad)
    exps = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _new((base ** exps).astype(dt.np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n must be greater or equal to 0, got {n if n < 0 else m}")
    dt = to_dtype(dtype) or _dtype._default[0]
    return _new(_xp(device).eye(n, m, dtype=dt.np), requires_grad)


# --- Tensor.new_*: same dtype and device as self unless given --------------------------------------
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _filled('new_zeros', 0, size, dtype or self.dtype, device, requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _filled('new_ones', 1, size, dtype or self.dtype, device, requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _filled('new_empty', None, size, dtype or self.dtype, device, requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return _filled('new_full', fill_value, (size,), dtype or self.dtype, device, requires_grad)


bind(new_tensor=new_tensor, new_zeros=new_zeros, new_ones=new_ones, new_empty=new_empty, new_full=new_full)


# --- window functions (signal processing) ---------------------------------------------------------
_DTYPE_WORDS = {'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float', 'float64': 'double',
                'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
                'uint8': 'unsigned char', 'bool': 'bool', 'complex64': 'c10::complex<float>',
                'complex128': 'c10::complex<double>'}


def _window(op, window_length, periodic, dtype, device, requires_grad, formula):
    """formula(n, N) on float64 positions n = 0..N-1 of a symmetric window of length N; a periodic
    window is the symmetric window one longer with its last value dropped."""
    xp = _xp(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    if not dt.is_floating_point:
        raise RuntimeError(f"{op} expects floating point dtypes, got: TensorOptions(dtype={_DTYPE_WORDS[dt.name]}, "
                           "device=cpu, layout=Strided (default), requires_grad=false (default), "
                           "pinned_memory=false, memory_format=(nullopt))")
    window_length = int(window_length)
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:
        return _new(xp.ones((window_length,), dt.np), requires_grad)
    n = window_length + 1 if periodic else window_length
    w = formula(xp, xp.arange(n, dtype='float64'), n)
    return _new(xp.asarray(w[:window_length], dtype=dt.np), requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, requires_grad=False):
    """torch.hamming_window: alpha - beta * cos(2 pi n / (N - 1)); periodic (the default) for use with
    spectral analysis, as the first N values of a window of length N + 1."""
    return _window('hamming_window', window_length, periodic, dtype, device, requires_grad,
                   lambda xp, n, N: alpha - beta * xp.cos(2 * math.pi * n / (N - 1)))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.hann_window: 0.5 - 0.5 * cos(2 pi n / (N - 1)) (periodic by default)."""
    return _window('hann_window', window_length, periodic, dtype, device, requires_grad,
                   lambda xp, n, N: 0.5 - 0.5 * xp.cos(2 * math.pi * n / (N - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.blackman_window: 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window('blackman_window', window_length, periodic, dtype, device, requires_grad,
                   lambda xp, n, N: 0.42 - 0.5 * xp.cos(2 * math.pi * n / (N - 1))
                   + 0.08 * xp.cos(4 * math.pi * n / (N - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.bartlett_window: the triangular window 1 - |2n / (N - 1) - 1|."""
    return _window('bartlett_window', window_length, periodic, dtype, device, requires_grad,
                   lambda xp, n, N: 1 - xp.abs(2 * n / (N - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    """torch.kaiser_window: I0(beta * sqrt(1 - (2n / (N - 1) - 1) ** 2)) / I0(beta)."""
    return _window('kaiser_window', window_length, periodic, dtype, device, requires_grad,
                   lambda xp, n, N: xp.i0(beta * xp.sqrt(xp.maximum(0.0, 1 - (2 * n / (N - 1) - 1) ** 2)))
                   / xp.i0(xp.asarray(float(beta))))


# --- memory layouts and raw buffers -------------------------------------------------------------------
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """torch.empty_strided: an uninitialised tensor with the given size and stride (in elements)."""
    xp = _xp(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    size, stride = _size((size,), 'empty_strided'), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    need = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    store = xp.empty((need,), dt.np)
    a = xp.lib.stride_tricks.as_strided(store, shape=size, strides=tuple(s * store.itemsize for s in stride))
    return _new(a, requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """torch.frombuffer: a 1-D tensor sharing memory with an object that implements the buffer protocol
    (bytearray, array.array, memoryview...): count elements of dtype, from byte offset on."""
    dt = to_dtype(dtype)
    view = memoryview(buffer)
    length = view.nbytes
    item = dt.itemsize if hasattr(dt, 'itemsize') else numpy_backend.dtype(dt.np).itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count > 0:
        if count * item > length - offset:
            raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) "
                             f"must not be greater than actual buffer length ({length} bytes)")
    elif (length - offset) % item:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                         f"multiple of element size ({item})")
    if view.readonly:
        import warnings
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. "
                      "This means you can write to the underlying (supposedly non-writable) buffer using the "
                      "tensor. You may want to copy the buffer to protect its data or make it writable before "
                      "converting it to a tensor. This type of warning will be suppressed for the rest of "
                      "this program.", UserWarning)
    a = numpy_backend.frombuffer(view.cast('B'), dtype=dt.np, count=count, offset=offset)
    return _new(a, requires_grad)


# --- triangle indices ------------------------------------------------------------------------------------
def _tri_indices(op, row, col, offset, dtype, device, lower):
    xp = _xp(device)
    dt = to_dtype(dtype) if dtype is not None else _dtype.int64
    if dt.name not in ('int64', 'int32'):
        raise NotImplementedError(f"\"{op}\" not implemented for '{_TYPE_LABELS.get(dt.name, dt.name)}'")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r, c = (xp.tril_indices if lower else xp.triu_indices)(row, offset, col)
    return _new(xp.stack([r, c]).astype(dt.np).reshape(2, -1))


_TYPE_LABELS = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
                'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool', 'complex64': 'ComplexFloat',
                'complex128': 'ComplexDouble'}


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """torch.tril_indices: the (row, column) indices of the lower triangle of a row x col matrix, as a
    2 x N tensor in row-major order; offset shifts the diagonal (positive: above the main one)."""
    return _tri_indices('tril_indices', row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """torch.triu_indices: the (row, column) indices of the upper triangle of a row x col matrix."""
    return _tri_indices('triu_indices', row, col, offset, dtype, device, False)


__all__ = [n for n in public_names(globals(), __name__) if not n.startswith('new_')]
