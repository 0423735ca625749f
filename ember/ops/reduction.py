"""Reductions: sum, mean, prod, max/min, var/std, norms, logical reductions, medians, cumulative ops.

A reduction's backward spreads the gradient back over the reduced axes: `xp.full(shape, g)` writes
the (reshaped) gradient straight into a fresh array of the input's shape, which costs less than a
broadcast view that the engine would copy anyway. Reductions that pick elements (max, median, ...)
send the gradient through a mask: to the chosen index for the dim forms, split evenly between ties
for the whole-tensor forms and amax/amin, as torch does.
"""
import builtins
import collections
import math
import warnings
from .. import _dtype
from ..tensor import Tensor, cast
from ..autograd.graph import Op, _wrap, renamed
from ..autograd.graph_xp import register, GraphXP
from ..backend import xp_of, numpy_backend
from ._util import bind, const, dims, numpy_aliases, public_names, to_float

def _tensor(x, op):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


_BF16 = _dtype.bfloat16.np
_NDARRAY = numpy_backend.ndarray


def _low_float(np_dtype):
    """float16 and bfloat16 accumulate in float32, as torch does on CPU."""
    return np_dtype.kind == 'f' and np_dtype.itemsize == 2 or np_dtype == _dtype.bfloat16.np


def _kept_shape(shape, axis):
    """The shape of a keepdim=True reduction over axis (None: all axes)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _count(shape, axis):
    n = 1
    for i, s in enumerate(shape):
        if axis is None or i in axis:
            n *= s
    return n


def _spread(xp, g, shape, axis, keep):
    """The gradient of a reduction's output (over axis) spread over the input's shape (a fresh array)."""
    if not keep and g.ndim:
        g = xp.reshape(g, _kept_shape(shape, axis))
    if hasattr(xp, 'ndarray'):   # arrays: two C calls instead of numpy.full's Python frame
        out = xp.empty(shape, g.dtype)
        out[...] = g
        return out
    return xp.full(shape, g)


def _expand(xp, y, kshape, keep):
    """A reduction's output with the reduced axes kept as size 1 (to broadcast against the input)."""
    return y if keep or y.ndim == 0 or y.ndim == len(kshape) else xp.reshape(y, kshape)


# --- sum and mean --------------------------------------------------------------------------------
class Sum(Op):
    # The forward stays lean (it runs in every loss): the kept shape is only worked out by backward.
    __slots__ = ('shape', 'axis', 'keep')

    def forward(self, xp, a, axis, keepdims):
        self.shape, self.axis, self.keep = a.shape, axis, keepdims
        d = a.dtype
        if d.kind in 'fc' and d.itemsize > 2:
            if type(a) is _NDARRAY:   # NumPy's sum method adds a Python frame around this call
                return xp.add.reduce(a, axis, None, None, keepdims)
            return a.sum(axis=axis, keepdims=keepdims)
        if d.itemsize == 2 and d.kind == 'f' or d == _BF16:
            return a.sum(axis=axis, keepdims=keepdims, dtype='float32').astype(d)
        if d.kind in 'biu':   # callers cast to the result dtype (int64 unless dtype= says otherwise)
            return xp.asarray(a.sum(axis=axis, keepdims=keepdims, dtype=d))
        return a.sum(axis=axis, keepdims=keepdims)

    def backward(self, xp, g):
        return _spread(xp, g, self.shape, self.axis, self.keep)

    def name(self):   # torch's overloads: sum() is SumBackward0, sum(dim) SumBackward1
        return 'SumBackward0' if self.axis is None else 'SumBackward1'


class Mean(Op):
    __slots__ = ('shape', 'axis', 'keep', 'n')

    def forward(self, xp, a, axis, keepdims):
        self.shape, self.axis, self.keep = a.shape, axis, keepdims
        n = a.size if axis is None else _count(a.shape, axis)
        self.n = const(float(n), a.dtype, xp)
        if _low_float(a.dtype):
            return (a.sum(axis=axis, keepdims=keepdims, dtype='float32') / n).astype(a.dtype)
        return a.sum(axis=axis, keepdims=keepdims) / self.n

    def backward(self, xp, g):
        return _spread(xp, g / self.n, self.shape, self.axis, self.keep)

    def name(self):
        return 'MeanBackward0' if self.axis is None else 'MeanBackward1'


def _numpy_names(op, dim, keepdim, kw):
    """(dim, keepdim) with NumPy's axis= / keepdims= spellings taken in, as torch's parser does."""
    for np_name, name in (('axis', 'dim'), ('keepdims', 'keepdim')):
        if np_name in kw:
            v = kw.pop(np_name)
            if name == 'dim':
                if dim is not None:
                    raise TypeError(f"{op}() got multiple values for argument 'dim'")
                dim = v
            else:
                keepdim = v
    if kw:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kw))}'")
    return dim, keepdim


def _sum_dtype(t, dtype):
    """torch's accumulation type: an explicit dtype (ember's or NumPy's), else int64 for integer and bool
    inputs."""
    if dtype is not None:
        return cast(t, _dtype.to_dtype(dtype))
    if t._data.dtype.kind in 'biu':
        return cast(t, _dtype.int64)
    return t


def sum(input, dim=None, keepdim=False, *, dtype=None, **numpy_names):
    """torch.sum: the sum of all elements, or over dim (an int or a tuple of ints), keeping the
    reduced dims with keepdim. Integer and bool inputs sum to int64. NumPy's axis= and keepdims= are
    accepted too (not through numpy_aliases' wrapper: sum ends every loss, so it skips that frame)."""
    if numpy_names:
        dim, keepdim = _numpy_names('sum', dim, keepdim, numpy_names)
    if dim is None and dtype is None and type(input) is Tensor and input._data.dtype.kind in 'fc':
        return Sum.apply(input, axis=None, keepdims=keepdim is True)   # the loss's sum(): nothing to parse
    if type(input) is not Tensor:
        input = _tensor(input, 'sum')
    axis = None if dim is None else dims(dim, input._data.ndim, 'sum')
    if axis is not None and input._data.ndim == 0:
        axis = None
    input = _sum_dtype(input, dtype)
    return Sum.apply(input, axis=axis, keepdims=bool(keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """torch.mean: the mean of all elements, or over dim. The input must be floating point or
    complex (or dtype= must name one): mean of an integer tensor is an error, as in torch."""
    if type(input) is not Tensor:
        input = _tensor(input, 'mean')
    if dtype is not None:
        dt = _dtype.to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either a floating "
                               f"point or complex dtype. Got: {_type_word(dt)}")
        input = cast(input, dt)
    elif input._data.dtype.kind in 'biu':
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {_type_word(input.dtype)}")
    axis = None if dim is None else dims(dim, input._data.ndim, 'mean')
    if axis is not None and input._data.ndim == 0:
        axis = None
    return Mean.apply(input, axis=axis, keepdims=bool(keepdim))


_TYPE_WORDS = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int', 'int64': 'Long',
               'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float', 'float64': 'Double',
               'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _type_word(dt):
    return _TYPE_WORDS.get(dt.name, dt.name)


# --- calling a private op from a backward formula -------------------------------------------------
def _call(cls, xp, *args, **params):
    """Run one of this module's ops inside a backward formula: recorded (cls.apply) under create_graph,
    where xp is the graph namespace, and straight on the arrays otherwise."""
    if isinstance(xp, GraphXP):
        return cls.apply(*args, **params)
    return cls.__new__(cls).forward(xp, *args, **params)


class _ScatterAlong(Op):
    """out = zeros(shape); out[..., idx, ...] += g along axis: where index-picking reductions send their
    gradient. Its backward gathers with the same indices."""
    __slots__ = ('axis',)

    def forward(self, xp, g, idx, shape, axis, accumulate=False):
        self.axis = axis
        self.saved = (idx,)
        out = xp.zeros(shape, g.dtype)
        if idx.shape[axis] == 1 or not accumulate:
            xp.put_along_axis(out, idx, g, axis)
        else:
            at = list(xp.ix_(*[xp.arange(n) for n in idx.shape]))
            at[axis] = idx
            xp.add_at(out, tuple(at), g)
        return out

    def backward(self, xp, gg):
        return _call(_TakeAlong, xp, gg, self.saved[0], axis=self.axis), None


class _TakeAlong(Op):
    __slots__ = ('axis', 'shape')

    def forward(self, xp, a, idx, axis):
        self.axis, self.shape = axis, a.shape
        self.saved = (idx,)
        return xp.take_along_axis(a, idx, axis)

    def backward(self, xp, g):
        return _call(_ScatterAlong, xp, g, self.saved[0], shape=self.shape, axis=self.axis, accumulate=True), None


def _return_type(name, fields=('values', 'indices')):
    """torch.return_types.<name>: a named tuple (values, indices) that prints like torch's."""
    cls = collections.namedtuple(name, fields)
    cls.__module__ = 'torch.return_types'

    def __repr__(self):
        inner = ',\n'.join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{inner})"
    cls.__repr__ = __repr__
    return cls


_RT = {n: _return_type(n) for n in ('max', 'min', 'median', 'nanmedian', 'mode', 'cummax', 'cummin')}
_RT['aminmax'] = _return_type('aminmax', ('min', 'max'))


def _empty_check(t, axis, op, exc=RuntimeError):
    """torch's errors for picking reductions over nothing."""
    a = t._data
    if axis is None:
        if a.size == 0:
            raise exc(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                            f"reduction dim with the 'dim' argument.")
        return
    for d in axis:
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _axes(dim, ndim, op):
    """dims() for a reduction, with a 0-d input reducing nothing: its dim is still checked (0 or -1) as torch does."""
    if dim is None:
        return None
    axis = dims(dim, ndim, op)
    return axis if ndim else None


def _one_dim(dim, ndim, op):
    """One dim as a non-negative axis (0 for a 0-d tensor, where torch accepts 0 and -1)."""
    if isinstance(dim, (tuple, list)):   # these ops take exactly one int dim in torch
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    return dims(dim, ndim, op)[0]


# --- picking reductions: amax/amin, max/min, argmax/argmin ------------------------------------------
class AMax(Op):
    """amax/amin, and max()/min() of a whole tensor: the gradient is split evenly between ties.
    A NaN result: max() gives the gradient to the NaN elements; amax/amin/aminmax (by_count) scale it by
    the count of elements equal to the result, none, so it is NaN everywhere as in torch."""
    __slots__ = ('axis', 'kshape', 'keep', 'by_count', 'lo')

    def forward(self, xp, a, axis, keepdims, lo, by_count=False):
        self.axis, self.keep, self.by_count, self.lo = axis, keepdims, by_count, lo
        self.kshape = _kept_shape(a.shape, axis)
        y = xp.asarray(a.min(axis=axis, keepdims=keepdims) if lo else a.max(axis=axis, keepdims=keepdims))
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        if self.by_count:   # torch's scale_grad_by_count: grad / count(x == y) * (x == y)
            hit = x == _expand(xp, y, self.kshape, self.keep)
            count = xp.sum(hit, axis=self.axis, keepdims=True, dtype=g.dtype)
            return _expand(xp, g, self.kshape, self.keep) / count * hit
        return _evenly(xp, g, x, y, self.axis, self.kshape, self.keep)

    def name(self):   # amax/amin, or max()/min() of the whole tensor
        if self.by_count:
            return 'AminBackward0' if self.lo else 'AmaxBackward0'
        return 'MinBackward1' if self.lo else 'MaxBackward1'


def _evenly(xp, g, x, y, axis, kshape, keep):
    yk = _expand(xp, y, kshape, keep)
    hit = (x == yk) | ((x != x) & (yk != yk))   # a NaN result is picked from the NaN elements
    gk = _expand(xp, g, kshape, keep)
    count = xp.sum(hit, axis=axis, keepdims=True, dtype=g.dtype)
    return xp.where(hit, gk / count, 0)


class MaxDim(Op):
    """max/min along a dim: (values, indices); the gradient goes to the index picked."""
    __slots__ = ('axis', 'shape', 'keep', 'lo')
    differentiable_outputs = (True, False)

    def forward(self, xp, a, axis, keepdims, lo):
        self.axis, self.keep, self.shape, self.lo = axis, keepdims, a.shape, lo
        if a.ndim == 0:
            idx = xp.zeros((), 'int64')
            return a.copy(), idx
        ik = (a.argmin if lo else a.argmax)(axis=axis, keepdims=True)
        self.saved = (ik,)
        y = xp.take_along_axis(a, ik, axis)
        if not keepdims:
            return y.squeeze(axis), ik.squeeze(axis)
        return y, ik

    def backward(self, xp, g, gi=None):
        if not self.saved:
            return g
        return _pick_grad(xp, g, self.saved[0], self.shape, self.axis, self.keep)

    def name(self):
        return 'MinBackward0' if self.lo else 'MaxBackward0'


def _pick_grad(xp, g, ik, shape, axis, keep):
    if not keep:
        g = xp.reshape(g, ik.shape)
    return _call(_ScatterAlong, xp, g, ik, shape=shape, axis=axis)


def amax(input, dim=(), keepdim=False):
    """torch.amax: the maximum over dim (all dims by default); the gradient is split evenly between
    equal maxima."""
    return _amax(input, dim, keepdim, False, 'amax')


def amin(input, dim=(), keepdim=False):
    """torch.amin: the minimum over dim (all dims by default); the gradient is split evenly between
    equal minima."""
    return _amax(input, dim, keepdim, True, 'amin')


def _amax(input, dim, keepdim, lo, op):
    input = _tensor(input, op)
    axis = _axes(dim, input._data.ndim, op)
    _empty_check(input, axis, op)
    _refuse_complex(input, NotImplementedError(f"\"{op[1:]}_values_cpu\" not implemented for "
                                               f"'{_type_word(input.dtype)}'"))
    return AMax.apply(input, axis=axis, keepdims=bool(keepdim), lo=lo, by_count=True)


def _refuse_complex(input, exc):
    """Ordering reductions have no meaning for complex numbers: torch raises exc (NumPy would order them)."""
    if input._data.dtype.kind == 'c':
        raise exc


def _max_like(input, dim, keepdim, other, lo, op):
    input = _tensor(input, op)
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        from .elementwise import maximum, minimum
        return (minimum if lo else maximum)(input, other)
    if dim is None:
        _empty_check(input, None, op)
        _refuse_complex(input, NotImplementedError(f"\"{op}_all\" not implemented for "
                                                   f"'{_type_word(input.dtype)}'"))
        return AMax.apply(input, axis=None, keepdims=False, lo=lo)
    axis = _one_dim(dim, input._data.ndim, op)
    _empty_check(input, (axis,), op)
    _refuse_complex(input, RuntimeError(f"{op}(): does not support complex input"))
    v, i = MaxDim.apply(input, axis=axis, keepdims=bool(keepdim), lo=lo)
    return _RT[op](v, i)


def max(input, dim=None, keepdim=False, *, other=None):
    """torch.max: max(input) is the largest element; max(input, dim, keepdim=False) is the named tuple
    (values, indices) along dim; max(input, other) is torch.maximum."""
    return _max_like(input, dim, keepdim, other, False, 'max')


def min(input, dim=None, keepdim=False, *, other=None):
    """torch.min: min(input), min(input, dim, keepdim=False) -> (values, indices), or min(input, other)."""
    return _max_like(input, dim, keepdim, other, True, 'min')


def _arg(input, dim, keepdim, lo, op):
    input = _tensor(input, op)
    a = input._data
    xp = xp_of(a)
    if a.dtype == bool and not isinstance(dim, (tuple, list)):
        raise RuntimeError(f"{op}(): does not support bool input")
    _refuse_complex(input, RuntimeError(f"{op}(): does not support complex input"))   # before dim, as torch
    if dim is None:
        _empty_check(input, None, op, IndexError)
        i = a.argmin() if lo else a.argmax()
        i = xp.asarray(i, dtype='int64')
        return _wrap(i.reshape((1,) * a.ndim) if keepdim else i, xp)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    axis = _one_dim(dim, a.ndim, op)
    if a.ndim == 0:
        return _wrap(xp.zeros((), 'int64'), xp)
    _empty_check(input, (axis,), op)
    i = (a.argmin if lo else a.argmax)(axis=axis, keepdims=bool(keepdim))
    return _wrap(i.astype('int64', copy=False), xp)


def argmax(input, dim=None, keepdim=False):
    """torch.argmax: the index of the largest element (of the flattened input, or along dim), as int64."""
    return _arg(input, dim, keepdim, False, 'argmax')


def argmin(input, dim=None, keepdim=False):
    """torch.argmin: the index of the smallest element (of the flattened input, or along dim), as int64."""
    return _arg(input, dim, keepdim, True, 'argmin')


def aminmax(input, *, dim=None, keepdim=False):
    """torch.aminmax: the named tuple (min, max) over dim (all elements when dim is None)."""
    input = _tensor(input, 'aminmax')
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
        axis = None
    else:
        axis = (_one_dim(dim, input._data.ndim, 'aminmax'),) if input._data.ndim else None
        _one_dim(dim, input._data.ndim, 'aminmax')   # checked on 0-d inputs too
        _empty_check(input, axis, 'aminmax')
    _refuse_complex(input, NotImplementedError(f"\"aminmax_cpu\" not implemented for '{_type_word(input.dtype)}'"))
    lo = AMax.apply(input, axis=axis, keepdims=bool(keepdim), lo=True, by_count=True)
    hi = AMax.apply(input, axis=axis, keepdims=bool(keepdim), lo=False, by_count=True)
    return _RT['aminmax'](lo, hi)


# --- prod ---------------------------------------------------------------------------------------
class Prod(Op):
    __slots__ = ('axis', 'kshape', 'keep')

    def forward(self, xp, a, axis, keepdims):
        self.axis, self.keep = axis, keepdims
        self.kshape = _kept_shape(a.shape, axis)
        y = xp.asarray(a.prod(axis=axis, keepdims=keepdims, dtype=a.dtype if a.dtype.kind in 'biu' else None))
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        axis, kshape, keep = self.axis, self.kshape, self.keep
        gk = _expand(xp, g, kshape, keep)
        zero = x == 0
        if not xp.any(zero):
            return gk * _expand(xp, y, kshape, keep) / x
        # With zeros, y / x is 0/0: d y / d x_i is the product of the others, which is the product of the
        # non-zeros at the one zero of a slice with a single zero, and 0 everywhere else.
        count = xp.sum(zero, axis=axis, keepdims=True)
        safe = xp.where(zero, 1, x)
        others = xp.prod(safe, axis=axis, keepdims=True)
        return gk * xp.where(count == 0, others / safe, xp.where(zero & (count == 1), others, 0))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """torch.prod: the product of all elements, or along dim (one int). Integer and bool inputs give int64."""
    input = _tensor(input, 'prod')
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    axis = None if dim is None else (_one_dim(dim, input._data.ndim, 'prod'),)
    axis = axis if input._data.ndim else None
    out = Prod.apply(_sum_dtype(input, dtype), axis=axis, keepdims=bool(keepdim) and dim is not None)
    return out if dim is None else renamed(out, 'ProdBackward1')


# --- nan-ignoring sums, var and std --------------------------------------------------------------
class _NanToZero(Op):
    """NaN replaced by 0; the gradient is masked by multiplying with (x == x), so that an infinite
    incoming gradient gives NaN at the NaN positions, exactly as torch's nansum backward does."""
    __slots__ = ()

    def forward(self, xp, a):
        self.saved = (a,)
        return xp.where(a != a, 0, a)

    def backward(self, xp, g):
        x, = self.saved
        return g * (x == x)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """torch.nansum: sum treating NaN as zero."""
    input = _tensor(input, 'nansum')
    if input.dtype.kind == 'c':   # after torch's check of dim
        _axes(dim, input._data.ndim, 'nansum')
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if input.dtype.kind in 'fc':
        input = _NanToZero.apply(input)
    return renamed(sum(input, dim, keepdim, dtype=dtype), 'NansumBackward0')


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """torch.nanmean: the mean of the non-NaN elements."""
    input = _tensor(input, 'nanmean')
    if input.dtype.kind == 'c':
        _axes(dim, input._data.ndim, 'nanmean')
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if input.dtype.kind not in 'fc':
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_type_word(input.dtype)}")
    if dtype is not None and not (_dtype.to_dtype(dtype).is_floating_point or _dtype.to_dtype(dtype).is_complex):
        raise RuntimeError(f"nanmean(): could not infer output dtype. Optional dtype must be either a floating "
                           f"point or complex dtype. Got: {_type_word(_dtype.to_dtype(dtype))}")
    from .elementwise import isnan, logical_not
    n = sum(logical_not(isnan(input)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / n


class Var(Op):
    """var (and std, with root=True): sum((x - mean)^2) / max(N - correction, 0) over axis."""
    __slots__ = ('axis', 'kshape', 'keep', 'div', 'root', 'dof')

    def forward(self, xp, a, axis, keepdims, correction, root):
        self.axis, self.keep, self.root = axis, keepdims, root
        self.kshape = _kept_shape(a.shape, axis)
        self.dof = float(_count(a.shape, axis) - correction)
        self.div = builtins.max(self.dof, 0.0)
        w = a.astype('float32') if _low_float(a.dtype) else a
        d = w - w.mean(axis=axis, keepdims=True)
        sq = d.real * d.real + d.imag * d.imag if d.dtype.kind == 'c' else d * d
        y = sq.sum(axis=axis, keepdims=keepdims) / self.div
        if root:
            y = xp.sqrt(y)
        y = y.astype(a.dtype) if _low_float(a.dtype) else xp.asarray(y)
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        kshape, keep = self.kshape, self.keep
        d = x - xp.mean(x, axis=self.axis, keepdims=True)
        gk = _expand(xp, g, kshape, keep)
        # torch clamps the divisor at 0 in the value but not in the gradient: N - correction < 0 flips its sign
        scale = 1.0 / self.dof if self.dof else math.inf
        if not self.root:
            return gk * d * (2 * scale)
        yk = _expand(xp, y, kshape, keep)
        return xp.where(yk == 0, 0, gk / yk) * d * scale

    def name(self):
        return 'StdBackward0' if self.root else 'VarBackward0'


def _var_args(op, input, dim, unbiased, keepdim, correction):
    input = _tensor(input, op)
    if input.dtype.kind not in 'fc':
        raise RuntimeError(f"{op}: std and var only support floating point and complex dtypes")
    if isinstance(dim, bool) and unbiased is None:   # legacy var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{op}: Cannot pass both correction and unbiased arguments")
    axis = _axes(dim, input._data.ndim, op)
    if _count(input._data.shape, axis) - correction <= 0:
        warnings.warn(f"{op.split('_')[0]}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
    return input, axis, bool(keepdim), correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.var: the variance over dim, dividing by N - correction (correction=1 by default, Bessel's
    correction; the legacy unbiased=False means correction=0)."""
    input, axis, keepdim, c = _var_args('var', input, dim, unbiased, keepdim, correction)
    return Var.apply(input, axis=axis, keepdims=keepdim, correction=c, root=False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.std: the standard deviation over dim (see var for correction and unbiased)."""
    input, axis, keepdim, c = _var_args('std', input, dim, unbiased, keepdim, correction)
    return Var.apply(input, axis=axis, keepdims=keepdim, correction=c, root=True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.var_mean: the tuple (var, mean) over dim."""
    input, axis, keepdim, c = _var_args('var_mean', input, dim, unbiased, keepdim, correction)
    return (Var.apply(input, axis=axis, keepdims=keepdim, correction=c, root=False),
            Mean.apply(input, axis=axis, keepdims=keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """torch.std_mean: the tuple (std, mean) over dim."""
    input, axis, keepdim, c = _var_args('std_mean', input, dim, unbiased, keepdim, correction)
    return (Var.apply(input, axis=axis, keepdims=keepdim, correction=c, root=True),
            Mean.apply(input, axis=axis, keepdims=keepdim))


# --- logsumexp and norms ---------------------------------------------------------------------------
class LogSumExp(Op):
    __slots__ = ('kshape', 'keep')

    def forward(self, xp, a, axis, keepdims):
        self.keep = keepdims
        self.kshape = _kept_shape(a.shape, axis)
        if a.size == 0:
            y = xp.log(xp.exp(a).sum(axis=axis, keepdims=keepdims))
        else:
            # Subtracting the max keeps exp from overflowing; an infinite max (all -inf, or +inf) is left out.
            m = a.max(axis=axis, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            y = xp.log(xp.exp(a - m).sum(axis=axis, keepdims=True)) + m
            if not keepdims:
                y = y.reshape(_drop(y.shape, axis))
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        kshape, keep = self.kshape, self.keep
        return _expand(xp, g, kshape, keep) * xp.exp(x - _expand(xp, y, kshape, keep))

    @classmethod
    def name(cls):
        return 'LogsumexpBackward0'


def _drop(shape, axis):
    """The shape of a keepdim=False reduction over axis (None: all axes)."""
    return tuple(n for i, n in enumerate(shape) if axis is not None and i not in axis)


def logsumexp(input, dim, keepdim=False):
    """torch.logsumexp: log(sum(exp(input))) over dim, computed without overflow."""
    input = to_float(_tensor(input, 'logsumexp'))
    axis = _axes(dim, input._data.ndim, 'logsumexp')
    if axis is None and input._data.ndim and isinstance(dim, (tuple, list)):
        axis = tuple(range(input._data.ndim))
    return LogSumExp.apply(input, axis=axis, keepdims=bool(keepdim))


class Norm(Op):
    """The p-norm sum(|x|^p)^(1/p) over axis, for a finite p (0 counts the non-zeros)."""
    __slots__ = ('p', 'kshape', 'keep')

    def forward(self, xp, a, p, axis, keepdims):
        self.p, self.keep = p, keepdims
        self.kshape = _kept_shape(a.shape, axis)
        ab = xp.abs(a)
        if p == 2:
            y = xp.sqrt((ab * ab).sum(axis=axis, keepdims=keepdims))
        elif p == 1:
            y = ab.sum(axis=axis, keepdims=keepdims)
        elif p == 0:
            y = (ab != 0).sum(axis=axis, keepdims=keepdims).astype(ab.dtype)
        else:
            y = xp.power(xp.power(ab, p).sum(axis=axis, keepdims=keepdims), 1.0 / p)
        y = xp.asarray(y, dtype=ab.dtype)
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        p, kshape, keep = self.p, self.kshape, self.keep
        gk = _expand(xp, g, kshape, keep)
        if p == 0:
            return xp.zeros_like(x)
        if p == 1:
            return gk * xp.sign(x)
        yk = _expand(xp, y, kshape, keep)
        # torch sets the gradient of a zero norm to zero (the subgradient), not NaN.
        if p == 2:
            return x * xp.where(yk == 0, 0, gk / yk)
        scaled = xp.where(x == 0, 0, x * xp.power(xp.abs(x), p - 2))
        return scaled * xp.where(yk == 0, 0, gk / xp.power(yk, p - 1))

    @classmethod
    def name(cls):   # torch.norm and Tensor.norm run linalg.vector_norm
        return 'LinalgVectorNormBackward0'


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: the p-norm over dim (all elements by default). p may be 'fro', a number, inf or -inf;
    'nuc' is the nuclear norm of a matrix."""
    input = _tensor(input, 'norm')
    if dtype is not None:
        input = cast(input, _dtype.to_dtype(dtype))
    if input.dtype.kind not in 'fc':
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_type_word(input.dtype)}")
    nd = input._data.ndim
    axis = None if dim is None else dims(dim, nd, 'norm')   # validated even for a 0-d input, as in torch
    if nd == 0:
        axis = None
    keep = bool(keepdim)
    if p == 'nuc':
        return _nuclear(input, axis, keep)
    if p == 'fro' or p is None:
        p = 2
    if not isinstance(p, (int, float)):
        raise RuntimeError(f"norm: p must be 'fro', 'nuc' or a number, got {p!r}")
    if (p < 0 or math.isinf(p)) and input._data.size == 0:
        # max, min and negative powers have no identity: reducing over an empty dim is an error
        pw = ('-' if p < 0 else '') + 'inf' if math.isinf(p) else f'{p:g}'
        if axis is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {pw} norm on an empty tensor because the "
                               f"operation does not have an identity")
        for d in axis:
            if input._data.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {pw} norm on the dimension {d}because "
                                   f"this dimension is empty and the operation does not have an identity")
    if math.isinf(p):
        from .elementwise import abs as _abs
        return AMax.apply(_abs(input), axis=axis, keepdims=keep, lo=p < 0)
    return Norm.apply(input, p=p, axis=axis, keepdims=keep)


class NuclearNorm(Op):
    """The sum of the singular values of the matrices spanned by two axes; its gradient is U @ Vh."""
    __slots__ = ('kshape', 'keep')

    def forward(self, xp, a, axis, keepdims):
        self.keep = keepdims
        self.kshape = _kept_shape(a.shape, axis)
        m = xp.moveaxis(a, axis, (-2, -1))
        u, s, vh = xp.linalg.svd(m, full_matrices=False)
        # U @ Vh is saved as a constant: first derivatives are exact, higher ones are not supported.
        self.saved = (xp.moveaxis(u @ vh, (-2, -1), axis),)
        y = s.sum(axis=-1)
        return y.reshape(self.kshape) if keepdims else y

    def backward(self, xp, g):
        return _expand(xp, g, self.kshape, self.keep) * self.saved[0]


def _nuclear(input, axis, keep):
    nd = input._data.ndim
    if axis is None:
        if nd != 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
        axis = (0, 1)
    if len(axis) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {tuple(axis)}")
    return NuclearNorm.apply(input, axis=axis, keepdims=keep)


# --- logical reductions ---------------------------------------------------------------------------
def _logical(input, dim, keepdim, op):
    input = _tensor(input, op)
    a = input._data
    xp = xp_of(a)
    axis = _axes(dim, a.ndim, op)
    if isinstance(dim, (tuple, list)) and not dim:
        axis = ()   # torch's all/any reduce over no dim for dim=(), unlike sum
    r = (a.all if op == 'all' else a.any)(axis=axis, keepdims=bool(keepdim))
    r = xp.asarray(r)
    if a.dtype == 'uint8':   # torch keeps uint8 for byte tensors
        r = r.astype('uint8')
    return _wrap(r, xp)


def all(input, dim=None, keepdim=False):
    """torch.all: whether all elements (along dim) are non-zero. Gives bool (uint8 for uint8 input)."""
    return _logical(input, dim, keepdim, 'all')


def any(input, dim=None, keepdim=False):
    """torch.any: whether any element (along dim) is non-zero. Gives bool (uint8 for uint8 input)."""
    return _logical(input, dim, keepdim, 'any')


def count_nonzero(input, dim=None):
    """torch.count_nonzero: the number of non-zero elements (along dim), as int64."""
    input = _tensor(input, 'count_nonzero')
    a = input._data
    xp = xp_of(a)
    axis = _axes(dim, a.ndim, 'count_nonzero')
    return _wrap(xp.asarray((a != 0).sum(axis=axis), dtype='int64'), xp)


# --- medians and modes --------------------------------------------------------------------------------
def _median_index(xp, a, axis, ignore_nan):
    """The index (kept dim) of the lower median along axis; NaN propagates unless ignore_nan."""
    if a.dtype.kind == 'V':   # ml_dtypes' bfloat16 sorts NaN first; its float32 image sorts it last
        a = a.astype('float32')
    order = xp.argsort(a, axis=axis, kind='stable')   # NaNs sort last
    n = a.shape[axis]
    if a.dtype.kind in 'fc':
        nans = xp.isnan(a).sum(axis=axis, keepdims=True)
        valid = n - nans
        if ignore_nan:
            k = xp.maximum((valid - 1) // 2, 0)
        else:
            k = xp.where(nans > 0, xp.minimum(valid, n - 1), (n - 1) // 2)
    else:
        k = xp.full(_kept_shape(a.shape, (axis,)), (n - 1) // 2)
    return xp.take_along_axis(order, k.astype('int64'), axis)


def _median_whole(input, op, ignore_nan):
    a = input._data
    xp = xp_of(a)
    flat = _Reshape.apply(input, shape=(a.size,)) if a.ndim != 1 else input
    if a.size == 0:
        # torch gives NaN for floats and the lowest value of an integer type
        empty = xp.nan if input.dtype.kind in 'fc' else True if a.dtype == bool else xp.iinfo(a.dtype).min
        if input._req:   # NaN, still connected to the graph (a zero-size gradient) as in torch
            return Sum.apply(input, axis=None, keepdims=False) * empty
        return _wrap(xp.asarray(empty, dtype=a.dtype), xp)
    if a.dtype == bool:
        raise NotImplementedError('"median_cpu" not implemented for \'Bool\'')
    ik = _median_index(xp, flat._data, 0, ignore_nan)
    return AMedian.apply(flat, idx=ik, shape=a.shape)


class AMedian(Op):
    """median() / nanmedian() of a whole tensor: the gradient is split evenly between equal elements."""
    __slots__ = ()

    def forward(self, xp, flat, idx, shape):
        y = flat[idx].reshape(())
        self.saved = (flat, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        return _evenly(xp, g, x, y, None, (1,), False)


class PickDim(Op):
    """median/nanmedian/mode along a dim: values taken at precomputed indices; the gradient goes there."""
    __slots__ = ('axis', 'shape', 'keep')
    differentiable_outputs = (True, False)

    def forward(self, xp, a, ik, axis, keepdims):
        self.axis, self.keep, self.shape = axis, keepdims, a.shape
        self.saved = (ik,)
        y = xp.take_along_axis(a, ik, axis)
        if not keepdims:
            return y.squeeze(axis), ik.squeeze(axis)
        return y, ik

    def backward(self, xp, g, gi=None):
        return _pick_grad(xp, g, self.saved[0], self.shape, self.axis, self.keep), None


def _pick_dim(input, dim, keepdim, op, index_fn):
    a = input._data
    if a.dtype.kind == 'c':   # after torch's checks of dim
        _empty_check(input, (_one_dim(dim, a.ndim, op),), op)
        raise NotImplementedError(f"\"{'mode_cpu' if op == 'mode' else 'median_out'}\" not implemented for "
                                  f"'{_type_word(input.dtype)}'")
    xp = xp_of(a)
    if a.ndim == 0:
        _one_dim(dim, 0, op)
        if a.dtype == bool and op != 'mode':
            raise NotImplementedError('"median_out" not implemented for \'Bool\'')
        return _RT[op](_wrap(a.copy(), xp) if not input._req else input * 1, _wrap(xp.zeros((), 'int64'), xp))
    axis = _one_dim(dim, a.ndim, op)
    _empty_check(input, (axis,), op)
    if a.dtype == bool and op != 'mode':
        raise NotImplementedError('"median_out" not implemented for \'Bool\'')
    if a.size == 0:
        shape = _kept_shape(a.shape, (axis,)) if keepdim else _drop(a.shape, (axis,))
        # a reshape of no elements keeps the values connected to the graph, as torch's are
        v = _Reshape.apply(input, shape=shape) if input._req else _wrap(xp.zeros(shape, a.dtype), xp)
        return _RT[op](v, _wrap(xp.zeros(shape, 'int64'), xp))
    ik = index_fn(xp, a, axis)
    v, i = PickDim.apply(input, ik, axis=axis, keepdims=bool(keepdim))
    return _RT[op](v, i)


def median(input, dim=None, keepdim=False):
    """torch.median: median(input) is the lower of the two middle values of all elements (NaN if any is
    NaN); median(input, dim, keepdim=False) is the named tuple (values, indices) along dim."""
    input = _tensor(input, 'median')
    if dim is None:
        _refuse_complex(input, NotImplementedError(f"\"median_cpu\" not implemented for '{_type_word(input.dtype)}'"))
        return _median_whole(input, 'median', False)
    return _pick_dim(input, dim, keepdim, 'median', lambda xp, a, ax: _median_index(xp, a, ax, False))


def nanmedian(input, dim=None, keepdim=False):
    """torch.nanmedian: median ignoring NaN values (NaN only where a slice is all NaN)."""
    input = _tensor(input, 'nanmedian')
    if dim is None:
        _refuse_complex(input, NotImplementedError(f"\"median_cpu\" not implemented for '{_type_word(input.dtype)}'"))
        return _median_whole(input, 'nanmedian', True)
    return _pick_dim(input, dim, keepdim, 'nanmedian', lambda xp, a, ax: _median_index(xp, a, ax, True))


def _mode_index(xp, a, axis):
    """The index (kept dim) of the most frequent value along axis: the smallest such value on ties, at its
    last position, as torch returns it."""
    m = xp.moveaxis(a, axis, -1)
    n = m.shape[-1]
    s = xp.sort(m, axis=-1)
    pos = xp.arange(n)
    new = xp.ones(s.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    start = xp.maximum.accumulate(xp.where(new, pos, 0), axis=-1)
    best = xp.argmax(pos - start, axis=-1)[..., None]    # the first (smallest) value with the longest run
    val = xp.take_along_axis(s, best, -1)
    last = n - 1 - xp.argmax((m == val)[..., ::-1], axis=-1)[..., None]
    return xp.moveaxis(last, -1, axis).astype('int64')


def mode(input, dim=-1, keepdim=False):
    """torch.mode: the named tuple (values, indices) of the most frequent value along dim (the smallest
    one on ties) and its index."""
    return _pick_dim(_tensor(input, 'mode'), dim, keepdim, 'mode', _mode_index)


# --- cumulative ops ---------------------------------------------------------------------------------
class CumSum(Op):
    __slots__ = ('axis',)

    def forward(self, xp, a, axis, dtype=None):
        self.axis = axis
        return _accurate_cumsum(xp, a, axis) if dtype is None else a.cumsum(axis=axis, dtype=dtype)

    def backward(self, xp, g):
        # the reversed cumulative sum (flip, cumsum, flip: total - cumsum would cancel catastrophically)
        ax = self.axis
        if xp.name == 'graph':
            return xp.flip(xp.cumsum(xp.flip(g, ax), axis=ax), ax)
        return xp.flip(_accurate_cumsum(xp, xp.flip(g, ax), ax), ax)


def _accurate_cumsum(xp, a, axis):
    """Like torch's CPU kernel, float32 and narrower floats accumulate in float64 (0.1 added 1e5 times is
    10000.0, not 9998.56)."""
    if a.dtype.kind == 'f' and a.dtype.itemsize < 8 or a.dtype == _dtype.bfloat16.np:
        return a.cumsum(axis=axis, dtype='float64').astype(a.dtype)
    return a.cumsum(axis=axis, dtype=a.dtype if a.dtype.kind in 'biu' else None)


class CumProd(Op):
    __slots__ = ('axis',)

    def forward(self, xp, a, axis):
        self.axis = axis
        y = a.cumprod(axis=axis, dtype=a.dtype if a.dtype.kind in 'biu' else None)
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        x, y = self.saved
        ax = self.axis
        gy = g * y
        rev = xp.sum(gy, axis=ax, keepdims=True) - xp.cumsum(gy, axis=ax) + gy   # sum over k >= i of g_k y_k
        zero = x == 0
        if not xp.any(zero):
            return rev / x
        if isinstance(xp, GraphXP):
            return _cumprod_grad_products(xp, g, x, ax)
        # Before a slice's first zero the usual formula holds (every later y_k is 0 past the zero); at the
        # first zero, the gradient is sum over k >= z of g_k times the product up to k without x_z; after
        # it, every product includes the zero.
        nzeros = xp.cumsum(zero, axis=ax)
        before = nzeros == 0
        first = zero & (nzeros == 1)
        without = xp.cumprod(xp.where(first, 1, x), axis=ax)
        at_first = xp.sum(xp.where(before, 0, g * without), axis=ax, keepdims=True)
        return xp.where(before, rev / xp.where(before, x, 1), xp.where(first, at_first, 0))


def _cumprod_grad_products(xp, g, x, ax):
    """cumprod's gradient as products: dx_i = sum over k >= i of g_k times the product of x_m for m <= k,
    m != i. O(n^2) along the axis, used under create_graph where x has zeros: the zero-aware formula sets
    the gradient after a slice's first zero to a constant 0, whose own derivative (with respect to that
    zero) is not 0 (torch switches formulas the same way)."""
    n = x.shape[ax]
    raw = xp_of(x._data)
    eye = raw.eye(n, dtype=bool)
    xm = xp.expand_dims(xp.moveaxis(x, ax, -1), -2)    # (..., 1, n): row i will be x with x_i set to 1
    gm = xp.expand_dims(xp.moveaxis(g, ax, -1), -2)
    prods = xp.cumprod(xp.where(eye, 1, xm), axis=-1)   # (..., i, k): product over m <= k, m != i
    later = raw.triu(raw.ones((n, n), dtype=bool))     # k >= i
    return xp.moveaxis(xp.sum(xp.where(later, gm * prods, 0), axis=-1), -1, ax)


def _cum_args(input, dim, dtype, op):
    input = _tensor(input, op)
    axis = _one_dim(dim, input._data.ndim, op)
    if dtype is not None and _dtype.to_dtype(dtype) == _dtype.bool_ and input._data.size:
        raise NotImplementedError(f"\"{op}_out_cpu\" not implemented for 'Bool'")
    return _sum_dtype(input, dtype), axis


def cumsum(input, dim, *, dtype=None):
    """torch.cumsum: the cumulative sum along dim (integer and bool inputs give int64)."""
    input, axis = _cum_args(input, dim, dtype, 'cumsum')
    if input._data.ndim == 0:
        return input * 1 if input._req else _wrap(input._data.copy(), None)
    return renamed(CumSum.apply(input, axis=axis), 'CumsumBackward0')


def cumprod(input, dim, *, dtype=None):
    """torch.cumprod: the cumulative product along dim (integer and bool inputs give int64)."""
    input, axis = _cum_args(input, dim, dtype, 'cumprod')
    if input._data.ndim == 0:
        return input * 1 if input._req else _wrap(input._data.copy(), None)
    return renamed(CumProd.apply(input, axis=axis), 'CumprodBackward0')


class CumMax(Op):
    """cummax/cummin: (values, indices); a later element equal to the running extreme takes its index,
    and NaN propagates, as in torch. The gradient of each value goes to its index."""
    __slots__ = ('axis', 'shape')
    differentiable_outputs = (True, False)

    def forward(self, xp, a, axis, lo):
        self.axis, self.shape = axis, a.shape
        y = (xp.minimum if lo else xp.maximum).accumulate(a, axis=axis)
        pos = xp.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - 1 - axis))
        hit = a == y
        if a.dtype.kind in 'fc':
            hit |= xp.isnan(a)
        idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=axis).astype('int64')
        self.saved = (idx,)
        return y, idx

    def backward(self, xp, g, gi=None):
        return _call(_ScatterAlong, xp, g, self.saved[0], shape=self.shape, axis=self.axis, accumulate=True)


def _cummax(input, dim, lo, op):
    input = _tensor(input, op)
    if input._data.dtype.kind == 'c':   # after torch's check of dim
        _one_dim(dim, input._data.ndim, op)
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_type_word(input.dtype)}'")
    a = input._data
    axis = _one_dim(dim, a.ndim, op)
    if a.ndim == 0 or a.size == 0:
        xp = xp_of(a)
        v = input * 1 if input._req else _wrap(a.copy(), xp)
        return _RT[op](v, _wrap(xp.zeros(a.shape, 'int64'), xp))
    v, i = CumMax.apply(input, axis=axis, lo=lo)
    return _RT[op](renamed(v, 'CumminBackward0' if lo else 'CummaxBackward0'), i)


def cummax(input, dim):
    """torch.cummax: the named tuple (values, indices) of the running maximum along dim."""
    return _cummax(input, dim, False, 'cummax')


def cummin(input, dim):
    """torch.cummin: the named tuple (values, indices) of the running minimum along dim."""
    return _cummax(input, dim, True, 'cummin')


class LogCumSumExp(Op):
    """log(cumsum(exp(x))) along axis, stable (logaddexp accumulates); reverse runs from the end."""
    __slots__ = ('axis', 'reverse')

    def forward(self, xp, a, axis, reverse=False):
        self.axis, self.reverse = axis, reverse
        if reverse:
            y = xp.flip(xp.logaddexp.accumulate(xp.flip(a, axis), axis=axis), axis)
        else:
            y = xp.logaddexp.accumulate(a, axis=axis)
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        # grad_i = sum over k >= i (k <= i when reversed) of g_k exp(x_i - y_k), summed in log space for the
        # positive and negative parts of g separately, so that nothing overflows.
        x, y = self.saved
        ax, rev = self.axis, not self.reverse
        # Masked entries must not send NaN back under create_graph: log of 1 where g is 0, and y is only
        # subtracted where it is used (-inf - -inf would be NaN).
        mag = xp.abs(g)
        log_g = xp.log(xp.where(mag == 0, 1, mag)) - y
        pos = xp.where(g > 0, log_g, -math.inf)
        neg = xp.where(g < 0, log_g, -math.inf)
        return (xp.exp(_call(LogCumSumExp, xp, pos, axis=ax, reverse=rev) + x)
                - xp.exp(_call(LogCumSumExp, xp, neg, axis=ax, reverse=rev) + x))


def logcumsumexp(input, dim):
    """torch.logcumsumexp: log(cumsum(exp(input))) along dim, computed without overflow."""
    input = _tensor(input, 'logcumsumexp')
    axis = _one_dim(dim, input._data.ndim, 'logcumsumexp')   # torch checks dim before dtype
    if input.dtype.kind not in 'fc':
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_type_word(input.dtype)}'")
    if input._data.ndim == 0:
        return input * 1 if input._req else _wrap(input._data.copy(), None)
    return renamed(LogCumSumExp.apply(input, axis=axis), 'LogcumsumexpBackward0')


numpy_aliases(globals(), 'mean', 'nansum', 'nanmean', 'prod', 'max', 'min', 'amax', 'amin', 'argmax',
              'argmin', 'aminmax', 'var', 'std', 'var_mean', 'std_mean', 'logsumexp', 'all', 'any', 'count_nonzero',
              'median', 'nanmedian', 'mode', 'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp')
bind(sum=sum, mean=mean, nansum=nansum, nanmean=nanmean, prod=prod, max=max, min=min, amax=amax, amin=amin,
     argmax=argmax, argmin=argmin, aminmax=aminmax, var=var, std=std, logsumexp=logsumexp, norm=norm, all=all,
     any=any, count_nonzero=count_nonzero, median=median, nanmedian=nanmedian, mode=mode, cumsum=cumsum,
     cumprod=cumprod, cummax=cummax, cummin=cummin, logcumsumexp=logcumsumexp)


# --- the NumPy-named vocabulary backward formulas use (differentiable under create_graph) ---------
def _axis_arg(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, int):
        axis = (axis,)
    out = tuple(sorted(a % builtins.max(ndim, 1) for a in axis))
    return out if ndim else None


@register('sum')
def _graph_sum(x, axis=None, keepdims=False, dtype=None):
    x = _sum_dtype(x, dtype)
    return Sum.apply(x, axis=_axis_arg(axis, x._data.ndim), keepdims=keepdims)


@register('mean')
def _graph_mean(x, axis=None, keepdims=False, dtype=None):
    if dtype is not None:
        x = cast(x, _dtype.to_dtype(dtype))
    return Mean.apply(x, axis=_axis_arg(axis, x._data.ndim), keepdims=keepdims)


@register('prod')
def _graph_prod(x, axis=None, keepdims=False, dtype=None):
    x = _sum_dtype(x, dtype)
    return Prod.apply(x, axis=_axis_arg(axis, x._data.ndim), keepdims=keepdims)


@register('cumsum')
def _graph_cumsum(x, axis=None, dtype=None):
    return CumSum.apply(_sum_dtype(x, dtype), axis=axis % builtins.max(x._data.ndim, 1))


@register('cumprod')
def _graph_cumprod(x, axis=None, dtype=None):
    return CumProd.apply(_sum_dtype(x, dtype), axis=axis % builtins.max(x._data.ndim, 1))


def _graph_amax(lo):
    def fn(x, axis=None, keepdims=False):
        return AMax.apply(x, axis=_axis_arg(axis, x._data.ndim), keepdims=keepdims, lo=lo)
    return fn


for _name, _lo in (('amax', False), ('max', False), ('amin', True), ('min', True)):
    register(_name)(_graph_amax(_lo))


@register('any')
def _graph_any(x, axis=None, keepdims=False):
    return _logical(x, axis, keepdims, 'any')


class _Full(Op):
    """full(shape, tensor): the tensor broadcast into a fresh array (its gradient is summed back to the
    tensor's shape by the engine)."""
    __slots__ = ()
    sums_to_input = True

    def forward(self, xp, v, shape):
        return xp.full(shape, v)

    def backward(self, xp, g):
        return g


@register('full')
def _graph_full(shape, fill_value, dtype=None):
    if isinstance(fill_value, Tensor):
        if dtype is not None:
            fill_value = cast(fill_value, _dtype.to_dtype(dtype))
        return _Full.apply(fill_value, shape=tuple(shape))
    from ..backend import numpy_backend
    return _wrap(numpy_backend.full(shape, fill_value, dtype), None)


class _Reshape(Op):
    __slots__ = ('shape',)

    def forward(self, xp, a, shape):
        self.shape = a.shape
        return xp.reshape(a, shape)

    def backward(self, xp, g):
        return xp.reshape(g, self.shape)


def _graph_reshape(a, shape):
    return _Reshape.apply(a, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


# The engine's unbroadcast needs xp.reshape too; the shape ops module registers the real one (it is
# imported after this module and replaces this stand-in), which keeps reductions usable on their own.
if 'reshape' not in GraphXP.__dict__:
    register('reshape')(_graph_reshape)



# --- torch's deprecated norm forms and the in-place scans ----------------------------------------------
def frobenius_norm(input, dim, keepdim=False):
    """torch.frobenius_norm (deprecated in torch): the 2-norm over dim, i.e. linalg.vector_norm(A, 2, dim)."""
    import warnings
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed "
                  "in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning)
    return norm(input, 2, dim, keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    """torch.nuclear_norm (deprecated in torch): the sum of singular values of a matrix (over dim, two dims)."""
    import warnings
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning)
    if isinstance(dim, bool):   # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    input = _tensor(input, 'nuclear_norm')
    if dim is None and input.ndim != 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    return norm(input, 'nuc', (0, 1) if dim is None else dim, keepdim)


bind(cumsum_=lambda self, dim, *, dtype=None: self._inplace(cumsum, dim, dtype=dtype, name='cumsum_'),
     cumprod_=lambda self, dim, *, dtype=None: self._inplace(cumprod, dim, dtype=dtype, name='cumprod_'))


__all__ = public_names(globals(), __name__)
