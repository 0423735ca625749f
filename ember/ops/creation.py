"""Creation ops: tensor, zeros, ones, full, arange, linspace, eye, the *_like and new_* forms."""
import math
from .. import _dtype
from .._dtype import to_dtype, _FROM_NP
from .._device import check_device
from ..backend import numpy_backend, xp_of
from ..tensor import Tensor, _as_array, _infer_dtype, _init
from ..autograd.graph import _wrap
from ._util import bind, public_names


def _new(a, requires_grad=False):
    t = _wrap(a, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size, op):
    """zeros(2, 3), zeros((2, 3)), zeros([2, 3]) and zeros(torch.Size([2, 3])) all mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        shape = tuple(int(s.__index__()) for s in size)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                        f"{type(next(s for s in size if not hasattr(s, '__index__'))).__name__}") from None
    for s in shape:
        if s < 0:
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
        if dt is None and not hasattr(data, 'dtype') and a.dtype.kind == 'f' and a.dtype != _dtype._default[0].np:
            a = a.astype(_dtype._default[0].np)
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


def _filled(op, value, size, dtype, device, requires_grad):
    xp = _xp(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    shape = _size(size, op)
    if value is None:
        a = xp.empty(shape, dt.np)
    elif value == 0:
        a = xp.zeros(shape, dt.np)
    else:
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
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _filled('full', fill_value, (size,), dtype, device, requires_grad)


def _like(op, value, input, dtype, device, requires_grad):
    dt = to_dtype(dtype) or input.dtype
    return _filled(op, value, (input._data.shape,), dt, device, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('zeros_like', 0, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('ones_like', 1, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like('empty_like', None, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like('full_like', fill_value, input, dtype, device, requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.arange: integer arguments give int64, any float gives the default float dtype."""
    if end is None:
        start, end = 0, start
    args = [x.item() if isinstance(x, Tensor) else x for x in (start, end, step)]
    if args[2] == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (args[1] - args[0]) * args[2] < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign")
    dt = to_dtype(dtype) or (_dtype.int64 if all(isinstance(x, int) for x in args) else _dtype._default[0])
    xp = _xp(device)
    n = max(0, math.ceil((args[1] - args[0]) / args[2]))
    # computed in float64 (or int64) then cast, as torch does, so float32 ranges do not drift
    a = args[0] + args[2] * xp.arange(n, dtype='float64' if dt.kind in 'fc' or not all(
        isinstance(x, int) for x in args) else 'int64')
    return _new(a.astype(dt.np), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """torch.range (deprecated in torch): like arange but includes end."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = to_dtype(dtype) or _dtype._default[0]
    return _new((start + step * _xp(device).arange(n, dtype='float64')).astype(dt.np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    dt = to_dtype(dtype) or _dtype._default[0]
    xp = _xp(device)
    start, end = (x.item() if isinstance(x, Tensor) else x for x in (start, end))
    # torch fills the first half from start and the second half from end (symmetric rounding)
    if steps == 1:
        a = xp.asarray([start], dtype='float64')
    else:
        step = (end - start) / (steps - 1)
        i = xp.arange(steps, dtype='float64')
        half = steps // 2
        a = xp.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if dt.kind == 'i':
        a = xp.trunc(a) if dt.kind == 'i' else a
    return _new(a.astype(dt.np), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = to_dtype(dtype) or _dtype._default[0]
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

__all__ = [n for n in public_names(globals(), __name__) if not n.startswith('new_')]
