"""ember's dtypes and PyTorch's type-promotion rules.

A dtype wraps the NumPy dtype that stores it (bfloat16 comes from ml_dtypes).
Promotion follows torch, not NumPy: categories bool < int < float < complex,
and a Python scalar or 0-d tensor only decides the *category* of the result
when it is of a higher category than the dimensioned tensors.
"""
import numpy as np
import ml_dtypes

__all__ = ['dtype', 'get_default_dtype', 'set_default_dtype', 'promote_types', 'result_type',
           'can_cast', 'finfo', 'iinfo']


class dtype:
    __slots__ = ('name', 'np', 'itemsize', 'is_floating_point', 'is_complex', 'is_signed', 'kind')

    def __init__(self, name, np_dtype, kind):
        self.name, self.np, self.kind = name, np.dtype(np_dtype), kind  # kind: 'b', 'i', 'f', 'c'
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == 'f'
        self.is_complex = kind == 'c'
        self.is_signed = name not in ('uint8', 'uint16', 'uint32', 'uint64', 'bool')

    def __repr__(self):
        return 'torch.' + self.name  # torch prints dtypes this way; users compare reprs in tests

    def to_real(self):
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)

    def to_complex(self):
        return {'float64': complex128, 'complex128': complex128}.get(self.name, complex64)

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


bool_ = dtype('bool', np.bool_, 'b')
uint8 = dtype('uint8', np.uint8, 'i')
int8 = dtype('int8', np.int8, 'i')
int16 = dtype('int16', np.int16, 'i')
int32 = dtype('int32', np.int32, 'i')
int64 = dtype('int64', np.int64, 'i')
float16 = dtype('float16', np.float16, 'f')
bfloat16 = dtype('bfloat16', ml_dtypes.bfloat16, 'f')
float32 = dtype('float32', np.float32, 'f')
float64 = dtype('float64', np.float64, 'f')
complex64 = dtype('complex64', np.complex64, 'c')
complex128 = dtype('complex128', np.complex128, 'c')
# torch's "shell" unsigned types: storage, conversion, indexing and a few ops, but no promotion with other
# integer types
uint16 = dtype('uint16', np.uint16, 'i')
uint32 = dtype('uint32', np.uint32, 'i')
uint64 = dtype('uint64', np.uint64, 'i')
_WIDE_UNSIGNED = (uint16, uint32, uint64)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128,
       uint16, uint32, uint64)
_BY_NAME = {d.name: d for d in ALL}
_FROM_NP = {d.np: d for d in ALL}
_ALIASES = dict(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64,
                cfloat=complex64, cdouble=complex128, chalf=complex64)


def from_numpy_dtype(np_dtype):
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        d = _FROM_NP.get(np.dtype(np_dtype))
        if d is None:
            raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
                            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
                            "uint32, uint16, uint8, and bool.")
        return d


def to_dtype(d):
    """Accept an ember dtype, a NumPy dtype, a Python type, or a name; return an ember dtype."""
    if isinstance(d, dtype) or d is None:
        return d
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return _default[0].to_complex()
    if isinstance(d, str):
        name = d[6:] if d.startswith('torch.') else d
        if name in _BY_NAME or name in _ALIASES:
            return _BY_NAME.get(name) or _ALIASES[name]
    return from_numpy_dtype(d)


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    d = to_dtype(d)
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    for hook in _on_default_change:
        hook()


_on_default_change = []   # caches that depend on the default dtype register a clear() here


_promote_cache = {}


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both a and b cast to safely."""
    if a is b:
        return a
    key = (a, b)
    r = _promote_cache.get(key)
    if r is None:
        r = _promote_cache[key] = _promote_uncached(a, b)
    return r


_KERNEL_WORDS = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int', 'int64': 'Long',
                 'uint16': 'UInt16', 'uint32': 'UInt32', 'uint64': 'UInt64', 'complex64': 'ComplexFloat',
                 'complex128': 'ComplexDouble'}


def _promote_uncached(a, b):
    if a in _WIDE_UNSIGNED or b in _WIDE_UNSIGNED:   # torch promotes them only to floating point
        other = b if a in _WIDE_UNSIGNED else a
        if other.kind == 'f':
            return other
        raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{_KERNEL_WORDS[a.name]} and {_KERNEL_WORDS[b.name]}")
    if a.kind == 'b':
        return b
    if b.kind == 'b':
        return a
    ka, kb = 'ifc'.index(a.kind), 'ifc'.index(b.kind)
    if ka != kb:
        hi, lo = (a, b) if ka > kb else (b, a)
        if hi.kind == 'c' and lo.kind == 'f':  # complex with a wider float widens the complex
            return complex128 if lo is float64 else hi
        return hi
    if a.kind == 'i':
        return _FROM_NP[np.promote_types(a.np, b.np)]
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(x):
    """The dtype torch gives a Python number: bool, int64, the default float, or its complex."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default[0]
    if isinstance(x, complex):
        return _default[0].to_complex()
    d = _FROM_NP.get(getattr(x, 'dtype', None))  # a NumPy scalar
    if d is not None:
        return d
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


def _combine(higher, lower):
    # torch's combine_categories: the higher tier's dtype wins unless a lower tier brings a higher category
    if higher is None:
        return lower
    if lower is None or higher.kind == 'c':
        return higher
    if lower.kind == 'c':
        return higher.to_complex() if higher.kind == 'f' else lower
    if higher.kind == 'f':
        return higher
    if higher.kind == 'b' or lower.kind == 'f':
        return promote_types(higher, lower)
    return higher


def result_type(*args):
    """torch.result_type for any mix of tensors and Python numbers."""
    dim = zero = wrapped = None
    for x in args:
        d = getattr(x, 'dtype', None)
        if d is not None and hasattr(x, 'ndim') and not isinstance(x, np.generic):
            d = to_dtype(d)
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(x)
            if isinstance(x, np.generic):  # NumPy scalars behave like 0-d tensors
                zero = d if zero is None else promote_types(zero, d)
            else:
                wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_, to):
    """torch.can_cast: casting is allowed unless it lowers the category (float->int, complex->float, ->bool)."""
    order = 'bifc'
    return order.index(from_.kind) <= order.index(to.kind)


class finfo:
    def __init__(self, type=None):
        type = to_dtype(type) or _default[0]
        if type.kind not in 'fc':
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        fi = ml_dtypes.finfo(type.np) if type is bfloat16 else np.finfo(type.np)
        self.dtype = type.name
        self.bits = type.itemsize * 8
        self.eps, self.max, self.min = float(fi.eps), float(fi.max), float(fi.min)
        self.tiny = self.smallest_normal = float(fi.smallest_normal)
        self.resolution = 10.0 ** -int(fi.precision)   # torch's: a power of ten, printed as 1e-06
        if type.kind == 'c':   # a complex dtype is described by its real component's dtype
            self.dtype = {'complex64': 'float32', 'complex128': 'float64'}.get(type.name, type.name)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    def __init__(self, type):
        type = to_dtype(type)
        if type.kind == 'b':
            raise TypeError(f"torch.bool is not supported by torch.iinfo")
        if type.kind not in 'iu':
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        ii = np.iinfo(type.np)
        self.dtype, self.bits, self.max, self.min = type.name, type.itemsize * 8, int(ii.max), int(ii.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
