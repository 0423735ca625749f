"""What every op family shares: argument promotion, cached scalar constants, dim handling, binding."""
from .. import _dtype
from .._dtype import _FROM_NP, result_type
from ..tensor import Tensor, cast, _wrap_dim
from ..autograd.graph import _wrap
import numpy as _np   # only to recognise NumPy scalars among op arguments

_consts = {}


def const(value, np_dtype, xp):
    """A cached 0-d array holding a Python number in a dtype (NumPy multiplies by these twice as fast)."""
    key = (type(value), value, np_dtype)
    if value == 0 and key[0] is not int and key[0] is not bool:
        key = (key[0], repr(value), np_dtype)   # -0.0 == 0.0 (and hashes alike): keep the two signs apart
    a = _consts.get(key)
    if a is None:
        if len(_consts) > 4096:
            _consts.clear()
        try:
            a = xp.asarray(value, dtype=np_dtype)
        except OverflowError:   # torch wraps integers that overflow the tensor's dtype
            a = xp.asarray(value).astype(np_dtype)
        _consts[key] = a
    return a


def _scalar_with(t_dtype, v):
    """The dtype of tensor (of t_dtype) op Python scalar v, by torch's rules."""
    k = t_dtype.kind
    tv = type(v)
    if tv is float:
        return t_dtype if k in 'fc' else _dtype._default[0]
    if tv is int:
        return _dtype.int64 if k == 'b' else t_dtype
    if tv is bool:
        return t_dtype
    if tv is complex:
        return t_dtype if k == 'c' else (t_dtype.to_complex() if k == 'f' else _dtype._default[0].to_complex())
    return None


def as_tensor_arg(x, op, argname='other'):
    """Accept a Tensor, a NumPy array, or a Python number as an op's argument."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, '__array_interface__') and hasattr(x, 'dtype'):
        from ..backend import xp_of
        return _wrap(xp_of(x).asarray(x), None)
    raise TypeError(f"{op}(): argument '{argname}' must be Tensor, not {type(x).__name__}")


def promote(a, b, op):
    """(a, b) in their common torch dtype: Tensors are cast (a recorded op), Python numbers become
    cached 0-d arrays. Returns the pair and the common dtype."""
    if type(a) is Tensor:
        tb = type(b)
        if tb is Tensor:
            if a._data.dtype == b._data.dtype:
                return a, b, _FROM_NP[a._data.dtype]
        elif tb is float or tb is int:
            hit = _scalar_cache.get((tb, b, a._data.dtype, type(a._data)))
            if hit is None:
                hit = _scalar_entry(a, b)
            c, dt = hit
            return (a if dt.np == a._data.dtype else cast(a, dt)), c, dt
    elif type(b) is Tensor and (type(a) is float or type(a) is int):
        b, a, dt = promote(b, a, op)
        return a, b, dt
    return _promote_general(a, b, op)


_scalar_cache = {}
_dtype._on_default_change.append(_scalar_cache.clear)


def _scalar_entry(t, v):
    """Cache (0-d constant, result dtype) for tensor-of-this-dtype op this Python number."""
    if len(_scalar_cache) > 4096:
        _scalar_cache.clear()
    dt = _scalar_with(_FROM_NP[t._data.dtype], v)
    entry = (const(v, dt.np, _xp(t)), dt)
    if v == v and (v or type(v) is int):   # never cache NaN (unequal to itself) or 0.0 (equal to -0.0)
        _scalar_cache[(type(v), v, t._data.dtype, type(t._data))] = entry
    return entry


def _python_number(v):
    """torch takes a NumPy scalar as the Python number of its kind (np.bool_ as a float, as torch does)."""
    k = v.dtype.kind
    return float(v) if k in 'fb' else (int(v) if k in 'iu' else complex(v))


def _promote_general(a, b, op):
    if isinstance(a, _np.generic):
        a = _python_number(a)
    if isinstance(b, _np.generic):
        b = _python_number(b)
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            dt = result_type(a, b)
            return cast(a, dt), cast(b, dt), dt
        if isinstance(b, (int, float, complex)):
            dt = _scalar_with(_FROM_NP[a._data.dtype], b)
            return cast(a, dt), const(b, dt.np, _xp(a)), dt
        return promote(a, as_tensor_arg(b, op), op)
    if isinstance(b, Tensor):
        if isinstance(a, (int, float, complex)):
            dt = _scalar_with(_FROM_NP[b._data.dtype], a)
            return const(a, dt.np, _xp(b)), cast(b, dt), dt
        return promote(as_tensor_arg(a, op, 'input'), b, op)
    raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(a).__name__}")


def _xp(t):
    from ..backend import xp_of
    return xp_of(t._data)


def to_float(t):
    """Integer and bool tensors go to the default float dtype (for ops whose result is always float)."""
    if t._data.dtype.kind in 'biu':
        return cast(t, _dtype._default[0])
    return t


def dims(dim, ndim, op=''):
    """Normalise dim (int, tuple, list or None) to a sorted tuple of non-negative axes, or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        out = tuple(sorted(_wrap_dim(d, ndim, op) for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"{op}: dim {out} appears multiple times in the list of dims")
        return out if out else None
    return (_wrap_dim(dim, ndim, op),)


def numpy_aliases(namespace, *names):
    """torch's argument parser also takes NumPy's names, axis for dim and keepdims for keepdim
    (x.sum(axis=0, keepdims=True)): wrap the named functions of a module namespace to accept them."""
    import functools
    import inspect
    for name in names:
        fn = namespace[name]
        params = inspect.signature(fn).parameters
        aliases = tuple((np_name, name_) for np_name, name_ in (('axis', 'dim'), ('keepdims', 'keepdim'))
                        if name_ in params)

        def wrapper(*args, __fn=fn, __aliases=aliases, **kwargs):
            if kwargs:
                for np_name, name_ in __aliases:
                    if np_name in kwargs:
                        if name_ in kwargs:
                            raise TypeError(f"{__fn.__name__}() got multiple values for argument '{name_}'")
                        kwargs[name_] = kwargs.pop(np_name)
            return __fn(*args, **kwargs)
        namespace[name] = functools.wraps(fn)(wrapper)


def bind(**methods):
    """Make functions Tensor methods too (one definition, function and method form)."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


def public_names(namespace, module):
    """The public functions a module defines (its __all__): what ember re-exports as torch.<name>."""
    return [n for n, v in namespace.items() if not n.startswith('_') and callable(v) and not isinstance(v, type)
            and getattr(v, '__module__', None) == module]
