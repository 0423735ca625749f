"""Indexing: x[idx], x[idx] = v, gather/scatter, the index_* family, masks, nonzero.

Three ops carry every gradient here. `View` is basic indexing (ints, slices, None: a view of the
input). `Index` is NumPy advanced indexing on a normalised index; its backward scatter-adds into
zeros (`xp.add_at`), and that scatter-add (`AddAt`) has an `Index` as its backward, so derivatives of
any order stay inside this pair. `Put` writes (or accumulates) values at an index, for setitem and
the scatter/index_put family. Everything else (gather, take, masked_select, index_select...) only
builds the NumPy index that torch's semantics call for.

torch and NumPy disagree on one point of advanced indexing: torch applies integer indices first (as
selections), NumPy treats them as advanced indices when an array index is present, which moves the
advanced dims. So a torch index is split into a basic part (applied first, as a view) and an advanced
part over the view's dims that has no ints left, where both libraries agree.
"""
from .. import _dtype
from ..tensor import Tensor, cast, _wrap_dim, _make_view, _as_array
from ..autograd.graph import Op, _wrap, renamed
from ..autograd.graph_xp import register, xp as _gxp
from ..autograd.grad_mode import is_grad_enabled
from ..backend import xp_of, numpy_backend
from ._util import bind, const, public_names
from .elementwise import Where, mul

_FULL = slice(None)
_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16', 'int64': 'Long',
          'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool',
          'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _tname(t):
    return _NAMES.get(t.dtype.name, t.dtype.name)


# --- the ops --------------------------------------------------------------------------------------
class View(Op):
    """Basic indexing: the result shares the input's memory (the caller registers it as a view)."""
    __slots__ = ('idx', 'shape')

    def forward(self, xp, a, idx):
        self.idx, self.shape = idx, a.shape
        return a[idx]

    def backward(self, xp, g):
        # A basic index never repeats an element, so assignment is enough (and much faster than add_at);
        # under create_graph this item assignment is ember's differentiable setitem.
        z = xp.zeros(self.shape, g.dtype)
        z[self.idx] = g
        return z

    def name(self):
        # torch applies the index entries left to right and its grad_fn is the last one that did
        # something: x[0] is SelectBackward0, x[:, 1:3] SliceBackward0, x[None] UnsqueezeBackward0,
        # x[:] AliasBackward0 (full slices are no-ops)
        last, d = 'Alias', 0
        for s in self.idx:
            if s is None:
                last = 'Unsqueeze'
            elif s is Ellipsis:
                d = len(self.shape) - sum(1 for r in self.idx if r is not None and r is not Ellipsis) + d
            elif isinstance(s, slice):
                if d >= len(self.shape) or s.indices(self.shape[d]) != (0, self.shape[d], 1):
                    last = 'Slice'
                d += 1
            else:
                last, d = 'Select', d + 1
        return last + 'Backward0'


class Index(Op):
    """Advanced indexing a[idx] (a copy); repeated indices accumulate their gradients."""
    __slots__ = ('idx', 'shape')

    def forward(self, xp, a, idx):
        self.idx, self.shape = idx, a.shape
        return a[idx]

    def backward(self, xp, g):
        return xp.add_at(xp.zeros(self.shape, g.dtype), self.idx, g)

    @classmethod
    def name(cls):
        return 'IndexBackward0'


class AddAt(Op):
    """target with values added at idx (repeats accumulate): xp.add_at as a differentiable function."""
    __slots__ = ('idx',)

    def forward(self, xp, target, values, idx):
        self.idx = idx
        out = target.copy()
        xp.add_at(out, idx, values)
        return out

    def backward(self, xp, g):
        return g, (g[self.idx] if self.needs[1] else None)

    @classmethod
    def name(cls):
        return 'IndexPutBackward0'


def _at(a, steps):
    for s in steps:
        a = a[s]
    return a


class Put(Op):
    """a with v written at an index (or added there, with accumulate). The index is a sequence of steps
    applied one after another (a basic one, whose result is a view, then an advanced one)."""
    __slots__ = ('steps', 'accumulate', 'vshape')

    def forward(self, xp, a, v, steps, accumulate):
        self.steps, self.accumulate, self.vshape = steps, accumulate, v.shape
        out = a.copy()
        target = _at(out, steps[:-1])
        try:
            if accumulate:
                xp.add_at(target, steps[-1], v)
            else:
                target[steps[-1]] = v
                mask = xp.ones(a.shape, bool)
                _at(mask, steps[:-1])[steps[-1]] = False
                self.saved = (mask,)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast to "
                               f"indexing result of shape {list(_at(a, steps).shape)}") from None
        return out

    def backward(self, xp, g):
        na, nv = self.needs
        ga = gv = None
        if na:
            ga = g if self.accumulate else xp.where(self.saved[0], g, 0)
        if nv:
            gv = _at(g, self.steps)
            if gv.ndim < len(self.vshape):   # v had extra leading 1-dims, which assignment drops
                gv = xp.reshape(gv, (1,) * (len(self.vshape) - gv.ndim) + tuple(gv.shape))
        return ga, gv

    @classmethod
    def name(cls):
        return 'IndexPutBackward0'


def _named(cls, name):
    return type(cls.__name__ + name, (cls,), {'__slots__': (), 'name': classmethod(lambda c: name)})


Gather, IndexSelect, Take = (_named(Index, n) for n in ('GatherBackward0', 'IndexSelectBackward0', 'TakeBackward0'))
MaskedSelect = _named(Index, 'MaskedSelectBackward0')
Scatter, ScatterAdd, IndexAdd = (_named(Put, n) for n in ('ScatterBackward0', 'ScatterAddBackward0',
                                                          'IndexAddBackward0'))
IndexCopy, IndexFill, MaskedScatter = (_named(Put, n) for n in ('IndexCopyBackward0', 'IndexFillBackward0',
                                                                'MaskedScatterBackward0'))
PutBackward = _named(Put, 'PutBackward0')


# --- turning a torch index into NumPy indices ------------------------------------------------------
def _index_array(it, xp, what='tensors used as indices'):
    """An index given as a Tensor, NumPy array/scalar or (nested) list, as an array of the tensor's library."""
    if isinstance(it, Tensor):
        a = it._data
    elif isinstance(it, (list, tuple)):
        a = _as_array(list(it), xp=xp) if len(it) else xp.zeros(0, 'int64')
    else:
        a = xp.asarray(it)
    k = a.dtype.kind
    if k == 'b' or a.dtype == 'uint8':
        return a.astype(bool, copy=False)
    if a.dtype not in ('int64', 'int32'):
        raise IndexError(f"{what} must be long, int, byte or bool tensors")
    return a


def _is_array_like(it):
    return isinstance(it, (Tensor, list, tuple)) or hasattr(it, '__array_interface__')


def _seq_as_tuple(seq):
    # torch's legacy rule (as NumPy's once was): a list holding slices, None, Ellipsis, sequences or
    # tensors is read as a tuple of indices, x[[[0, 1]]] == x[[0, 1]].
    return len(seq) < 32 and any(it is None or it is Ellipsis or isinstance(it, (slice, list, tuple, Tensor))
                                 for it in seq)


def _check_bounds(arr, size, dim, exc=IndexError):
    if arr.size:
        hi, lo = int(arr.max()), int(arr.min())
        bad = hi if hi >= size else lo if lo < -size else None
        if bad is not None:
            raise exc(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _parse(shape, index, xp):
    """Split a torch index into (basic, advanced): basic is a NumPy basic index (ints, slices, None,
    ending in Ellipsis so that even a full selection is a 0-d view); advanced is None or a tuple of
    slices and int arrays over the dims of x[basic]."""
    if type(index) is not tuple:
        index = tuple(index) if isinstance(index, list) and _seq_as_tuple(index) else (index,)
    items, used, seen_ellipsis = [], 0, False
    for it in index:
        if it is None:
            items.append(('none', None))
        elif it is Ellipsis:
            # torch lets the first ellipsis take all the free dims and later ones none
            if not seen_ellipsis:
                items.append(('ellipsis', None))
            seen_ellipsis = True
        elif isinstance(it, slice):
            if it.step is not None and it.step.__index__() <= 0:
                raise ValueError("step must be greater than zero")
            items.append(('slice', it))
            used += 1
        elif isinstance(it, bool):
            items.append(('bool', it))
        elif isinstance(it, int):
            items.append(('int', it))
            used += 1
        elif _is_array_like(it):
            a = _index_array(it, xp)
            if a.dtype.kind == 'b':
                if a.ndim == 0:
                    items.append(('bool', bool(a)))
                else:
                    items.append(('mask', a))
                    used += a.ndim
            else:
                items.append(('array', a))
                used += 1
        elif hasattr(it, '__index__') and not isinstance(it, float):
            items.append(('int', it.__index__()))
            used += 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(it).__name__})")
    ndim = len(shape)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv, arrays, d = [], [], [], 0
    into_empty = []
    for kind, v in items:
        if kind == 'none':
            basic.append(None)
            adv.append(_FULL)
        elif kind == 'ellipsis':
            n = ndim - used
            basic += [_FULL] * n
            adv += [_FULL] * n
            d += n
        elif kind == 'slice':
            basic.append(v)
            adv.append(_FULL)
            d += 1
        elif kind == 'int':
            size = shape[d]
            if not -size <= v < size:
                raise IndexError(f"index {v} is out of bounds for dimension {d} with size {size}")
            basic.append(v)
            d += 1
        elif kind == 'bool':
            # True/False add a dim of size 1 that is then indexed by [0] (True) or [] (False).
            basic.append(None)
            arrays.append(xp.zeros(1 if v else 0, 'int64'))
            adv.append(arrays[-1])
        elif kind == 'array':
            if 0 in shape:   # torch checks no bounds on an empty tensor unless a size-0 dim is really indexed
                if shape[d] > 0:
                    v = v % shape[d]
                elif v.size:
                    into_empty.append(v)
            else:
                _check_bounds(v, shape[d], d)
            basic.append(_FULL)
            arrays.append(v)
            adv.append(v)
            d += 1
        else:
            k = v.ndim
            if v.shape != tuple(shape[d:d + k]):
                j = next((j for j in range(k) if d + j >= ndim or v.shape[j] != shape[d + j]), 0)
                raise IndexError(f"The shape of the mask {list(v.shape)} at index {j} does not match the shape of "
                                 f"the indexed tensor {list(shape)} at index {d + j}")
            nz = v.nonzero()
            basic += [_FULL] * k
            arrays += nz
            adv += nz
            d += k
    if not arrays:
        return tuple(basic) + (Ellipsis,), None
    try:
        bshape = xp.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(a.shape)) for a in arrays)) from None
    if into_empty:
        if 0 not in bshape:
            raise IndexError("index is out of bounds for dimension with size 0")
        empty = xp.zeros(bshape, 'int64')
        adv = [empty if any(a is b for b in arrays) else a for a in adv]
    while adv and adv[-1] is _FULL:
        adv.pop()
    return tuple(basic) + (Ellipsis,), tuple(adv)


def _is_trivial(basic):
    return all(s == _FULL for s in basic[:-1])


def _view(t, basic):
    out = View.apply(t, idx=basic)
    return _make_view(t, lambda xp, a: a[basic], op_result=out)


def __getitem__(self, index):
    """x[index]: torch's basic (a view) and advanced (a copy) indexing."""
    if type(index) is int and self._data.ndim:   # the most common case, without the general parse
        n = self._data.shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        return _view(self, (index, Ellipsis))
    basic, adv = _parse(self._data.shape, index, xp_of(self._data))
    if adv is None:
        return _view(self, basic)
    if not _is_trivial(basic):
        self = _view(self, basic)
    return Index.apply(self, idx=adv)


def _value_for(self, value, xp, index, advanced):
    """The value of x[idx] = value: a Tensor (cast to x's dtype) or a 0-d array of x's dtype."""
    if isinstance(value, Tensor):
        if value._data.dtype == self._data.dtype:
            return value
        # torch casts for basic indices and for x[bool_mask] = 0-d tensor (its masked_fill path); an
        # advanced index otherwise goes to index_put_, which refuses a different dtype
        if advanced:
            _check_put_dtype(self, value, index)
        return cast(value, self.dtype)
    if isinstance(value, (bool, int, float, complex)):
        return const(value, self._data.dtype, xp)
    return _wrap(_as_array(value, self.dtype, xp), None)


def _check_put_dtype(self, value, index):
    """torch's index_put_ refuses a value tensor of another dtype (before it looks at the index bounds)."""
    if value._data.dtype != self._data.dtype and _torch_advanced(index) and \
            not (value.ndim == 0 and _is_single_mask(index)):
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {_tname(self)} "
                           f"for the destination and {_tname(value)} for the source.")


def _torch_advanced(index):
    """Whether torch takes index_put_'s path: a tensor or sequence index. NumPy integer scalars index like
    ints, and so does a lone Python bool (in a tuple, torch makes a bool an index tensor)."""
    if isinstance(index, bool):
        return False
    items = index if type(index) is tuple else (index,)
    return any(isinstance(i, bool) or
               not (i is None or i is Ellipsis or isinstance(i, (slice, int, float)) or _int_scalar_index(i) or
                    (hasattr(i, 'dtype') and getattr(i, 'ndim', 1) == 0 and not isinstance(i, Tensor)))
               for i in items)


def _int_scalar_index(i):
    """A 0-d integer tensor, which torch's indexing takes as the int it holds."""
    return isinstance(i, Tensor) and i._data.ndim == 0 and i._data.dtype.kind in 'iu'


def _is_single_mask(index):
    """Whether the only advanced index is one bool mask (a tensor of >= 1 dims or a list of bools): with a 0-d
    value torch writes it by masked_fill, which casts the value, beside basic indices or not."""
    items = index if type(index) is tuple else (index,)
    adv = [i for i in items if not (i is None or i is Ellipsis or isinstance(i, slice) or
                                    (isinstance(i, int) and not isinstance(i, bool)) or _int_scalar_index(i))]
    if len(adv) != 1:
        return False
    m = adv[0]
    if isinstance(m, Tensor):
        return m._data.dtype == bool and m._data.ndim > 0
    return isinstance(m, list) and len(m) > 0 and all(isinstance(b, bool) for b in m)


def __setitem__(self, index, value):
    """x[index] = value, in place: value (a number or a tensor broadcastable to x[index]) cast to x's dtype."""
    xp = xp_of(self._data)
    if isinstance(value, Tensor):
        _check_put_dtype(self, value, index)
    basic, adv = _parse(self._data.shape, index, xp)
    v = _value_for(self, value, xp, index, adv is not None)
    vt = isinstance(v, Tensor)
    steps = (basic,) if adv is None else (adv,) if _is_trivial(basic) else (basic, adv)
    if is_grad_enabled() and (self._req or (vt and v._req)):
        if vt and v.ndim > 0:
            v = _drop_leading_ones(v, _at(self._data, steps).ndim)
        self._inplace(lambda s, val: Put.apply(s, val, steps=steps, accumulate=False), v, name='__setitem__')
        return
    vd = v._data if vt else v
    target = _at(self._data, steps[:-1])
    try:
        target[steps[-1]] = vd
    except ValueError as e:
        if not target.flags.writeable:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.") \
                from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vd.shape)} cannot be broadcast to indexing "
                           f"result of shape {list(_at(self._data, steps).shape)}") from e
    self._vc[0] += 1


def _drop_leading_ones(v, ndim):
    # NumPy and torch let a value carry extra leading size-1 dims; drop them so gradients keep v's shape.
    while v.ndim > ndim and v.shape[0] == 1:
        v = v[0]
    return v


# --- argument checks shared by the gather/scatter family -------------------------------------------
def _tensor(x, op, what='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def _long_index(index, op, int32=True, exc=RuntimeError, msg=None):
    index = _tensor(index, op, 'index')
    ok = ('int64', 'int32') if int32 else ('int64',)
    if index._data.dtype not in ok:
        raise exc(msg or (f"{op}(): Expected dtype int32/int64 for index" if int32 else
                          f"{op}(): Expected dtype int64 for index"))
    return index._data


def _scalar_value(value, t, op):
    """A fill value: a number, or a 0-d tensor (cast to t's dtype, keeping its graph)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        return cast(value, t.dtype)
    if isinstance(value, float) and t.dtype.kind == 'i':
        from .creation import _check_fits   # NaN, inf or out of range: torch refuses rather than wrapping
        _check_fits(value, t.dtype)
    return const(value, t._data.dtype, xp_of(t._data))


def _grid(xp, out_shape, dim, index, in_shape):
    """The advanced index that picks in[..., index[i, j, ...] (at dim), ...] for every position of out_shape:
    arange along each other dim (0 where in_shape broadcasts), index at dim."""
    nd = len(out_shape)
    idx = []
    for d in range(nd):
        if d == dim:
            idx.append(index)
            continue
        shp = [1] * nd
        if in_shape[d] == 1 and out_shape[d] != 1:
            idx.append(xp.zeros(shp, 'int64'))
        else:
            shp[d] = out_shape[d]
            idx.append(xp.arange(out_shape[d]).reshape(shp))
    return tuple(idx)


def _expand(xp, t, shape):
    """t broadcast to shape, as a copy (an Index whose gradient sums over the broadcast dims)."""
    nd, lead = len(shape), len(shape) - t.ndim
    idx = []
    for d, s in enumerate(t.shape):
        shp = [1] * nd
        if s == 1:
            idx.append(xp.zeros(shp, 'int64'))
        else:
            shp[lead + d] = s
            idx.append(xp.arange(s).reshape(shp))
    if not idx:
        return Index.apply(_as_1d(t), idx=(xp.zeros(shape, 'int64'),))
    return Index.apply(t, idx=tuple(xp.broadcast_to(i, shape) for i in idx))


def _scatter_checks(op, self, dim, index):
    """torch's shape and range checks for gather/scatter: returns (dim, index array)."""
    nd = self.ndim
    dim = _wrap_dim(dim, nd, op)
    idx = _long_index(index, op)
    if idx.ndim != max(nd, 0) and not (nd == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return dim, idx


def _range_check(idx, size, dim):
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        bad = hi if hi >= size else lo if lo < 0 else None
        if bad is not None:
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _as_1d(t):
    """A 0-d tensor as a 1-element view (the gather/scatter family treats 0-d tensors as size-1 vectors)."""
    return _view(t, (None, Ellipsis)) if t.ndim == 0 else t


# --- gather, scatter ------------------------------------------------------------------------------
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """torch.gather: out[i][j][k] = input[i][index[i][j][k]][k] (for dim=1), for every position of index."""
    input = _tensor(input, 'gather')
    dim, idx = _scatter_checks('gather', input, dim, index)
    if input.ndim == 0:
        _range_check(idx, 1, dim)
        return _view(Gather.apply(_as_1d(input), idx=(idx.reshape(-1),)), ((0,) if idx.ndim == 0 else ()) +
                     (Ellipsis,))
    for d in range(input.ndim):
        if d != dim and idx.shape[d] > input.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(input.shape)} apart from dimension {dim}")
    _range_check(idx, input.shape[dim], dim)
    xp = xp_of(input._data)
    return Gather.apply(input, idx=_grid(xp, idx.shape, dim, idx, input.shape))


def _scatter_setup(op, input, dim, index, src):
    """Checks, and the gather-style index of every position of `index` into input."""
    input = _tensor(input, op)
    dim, idx = _scatter_checks(op, input, dim, index)
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    shape = input.shape if input.ndim else (1,)
    idx = idx.reshape(-1) if input.ndim == 0 else idx
    sshape = (tuple(src.shape) or (1,)) if isinstance(src, Tensor) else None
    for d in range(len(shape)):
        if (d != dim and idx.shape[d] > shape[d]) or (sshape is not None and idx.shape[d] > sshape[d]):
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} apart from "
                               f"dimension {dim}" + (f" and to be no larger size than src {list(sshape)}"
                                                     if sshape is not None else ""))
    _range_check(idx, shape[dim], dim)
    grid = _grid(xp_of(input._data), idx.shape, dim, idx, shape)
    if isinstance(src, Tensor):
        src = _as_1d(src)
        if tuple(src.shape) != idx.shape:   # only the part of src that index covers is scattered
            src = _view(src, tuple(slice(0, n) for n in idx.shape) + (Ellipsis,))
    return input, grid, src


def _scalar_output(input, r):
    return _view(r, (0, Ellipsis)) if input.ndim == 0 else r


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """torch.scatter: a copy of input with self[index[i][j]][j] = src[i][j] (for dim=0); src may be a number
    (value). reduce='add' or 'multiply' combines instead of overwriting (no gradient, as in torch)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    input, grid, v = _scatter_setup('scatter', input, dim, index, src)
    if not isinstance(v, Tensor):
        v = _scalar_value(v, input, 'scatter')
    x1 = _as_1d(input)
    if reduce is None:
        return _scalar_output(input, Scatter.apply(x1, v, steps=(grid,), accumulate=False))
    if reduce not in ('add', 'multiply'):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return _scalar_output(input, ScatterCombine.apply(x1, v, idx=grid, reduce=reduce))


def scatter_add(input, dim, index, src):
    """torch.scatter_add: a copy of input with src added at index along dim (repeated indices accumulate)."""
    src = _tensor(src, 'scatter_add', 'src')
    input, grid, v = _scatter_setup('scatter_add', input, dim, index, src)
    return _scalar_output(input, ScatterAdd.apply(_as_1d(input), v, steps=(grid,), accumulate=True))


class ScatterCombine(Op):
    """scatter with reduce='add'/'multiply': torch has no derivative for it, and says so at backward."""
    __slots__ = ()

    def forward(self, xp, a, v, idx, reduce):
        out = a.copy()
        (xp.add if reduce == 'add' else xp.multiply).at(out, idx, v)
        return out

    def backward(self, xp, g):
        raise RuntimeError("derivative for aten::scatter is not implemented")


_IDENTITY = {'sum': 0, 'mean': 0, 'prod': 1}


class ScatterReduce(Op):
    """scatter_reduce: each gradient is linear in g with weights the forward computes (wa for input,
    ws for the scattered src): sum/mean spread g evenly, amax/amin share it among the elements equal to
    the result, prod multiplies by the product of the others (torch's zero-safe formula)."""
    __slots__ = ('idx',)

    def forward(self, xp, a, src, idx, reduce, include_self):
        self.idx = idx
        out, cnt, hit = _scatter_reduce_raw(xp, a, src, idx, reduce, include_self)
        if a.dtype.kind not in 'fc':
            return out
        if reduce in ('sum', 'mean'):
            wa = xp.where(hit, 0, 1).astype(a.dtype) if not include_self else xp.ones(a.shape, a.dtype)
            ws = xp.ones(src.shape, a.dtype)
            if reduce == 'mean':
                wa = wa / cnt
                ws = ws / cnt[idx]
        elif reduce in ('amax', 'amin'):
            # ties share the gradient evenly; like torch, input's ties count even when include_self=False
            self_eq = a == out
            src_eq = src == out[idx]
            n = self_eq.astype(a.dtype)
            xp.add_at(n, idx, src_eq.astype(a.dtype))
            n = n + (n == 0)
            wa = self_eq / n if include_self else (self_eq & ~hit) / n
            ws = src_eq / n[idx]
        else:
            if include_self:
                ma = xp.where(a == 0, 1, a).astype(a.dtype)
                wa = _scatter_reduce_raw(xp, ma, src, idx, 'prod', True)[0] / ma
            else:
                wa = xp.where(hit, 0, 1).astype(a.dtype)
            src_zero = src == 0
            nzero = xp.zeros(a.shape, a.dtype)
            xp.add_at(nzero, idx, src_zero.astype(a.dtype))
            single = src_zero & (nzero[idx] == 1)
            msrc = xp.where(single, 1, src).astype(a.dtype)
            mres = _scatter_reduce_raw(xp, a, msrc, idx, 'prod', include_self)[0]
            ws = xp.where(single, mres[idx], out[idx] / xp.where(src_zero, 1, src))
        self.saved = (wa.astype(a.dtype, copy=False), ws.astype(a.dtype, copy=False))
        return out

    def backward(self, xp, g):
        wa, ws = self.saved
        return (g * wa if self.needs[0] else None), (g[self.idx] * ws if self.needs[1] else None)

    @classmethod
    def name(cls):
        return 'ScatterReduceBackward0'


def _scatter_reduce_raw(xp, a, src, idx, reduce, include_self):
    """(result, count per position for mean, which positions were scattered into) on raw arrays."""
    out = a.copy()
    hit = xp.zeros(a.shape, bool)
    hit[idx] = True
    if not include_self:
        if reduce in _IDENTITY:
            ident = _IDENTITY[reduce]
        elif a.dtype.kind == 'f':
            ident = -xp.inf if reduce == 'amax' else xp.inf
        else:
            info = xp.iinfo(a.dtype) if a.dtype.kind in 'iu' else None
            ident = (info.min if reduce == 'amax' else info.max) if info else reduce == 'amin'
        out[hit] = ident
    ufunc = {'sum': xp.add, 'mean': xp.add, 'prod': xp.multiply, 'amax': xp.maximum, 'amin': xp.minimum}[reduce]
    ufunc.at(out, idx, src)
    cnt = None
    if reduce == 'mean':
        cnt = xp.ones(a.shape, a.dtype) if include_self else xp.zeros(a.shape, a.dtype)
        xp.add_at(cnt, idx, xp.ones(src.shape, a.dtype))
        cnt = cnt + (cnt == 0)
        out = out / cnt if a.dtype.kind in 'fc' else xp.floor_divide(out, cnt)
    return out, cnt, hit


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """torch.scatter_reduce: reduce all values from src into input at the indices given, with reduce one of
    'sum', 'prod', 'mean', 'amax', 'amin'; include_self says whether input's own values take part."""
    if reduce not in ('sum', 'prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    src = _tensor(src, 'scatter_reduce', 'src')
    input, grid, v = _scatter_setup('scatter_reduce', input, dim, index, src)
    return _scalar_output(input, ScatterReduce.apply(_as_1d(input), v, idx=grid, reduce=reduce,
                                                     include_self=bool(include_self)))


# --- index_* family ---------------------------------------------------------------------------------
def _dim_index(op, input, dim, index, int32=True, exc=RuntimeError, msg=None):
    """dim wrapped and index as a 1-D array for index_select/index_add/index_copy/index_fill."""
    input = _tensor(input, op)
    dim = _wrap_dim(dim, input.ndim, op)
    idx = _long_index(index, op, int32=int32, exc=exc, msg=msg)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return input, dim, idx.reshape(-1)


def index_select(input, dim, index, *, out=None):
    """torch.index_select: the entries of input along dim at the positions in index (a 1-D long tensor)."""
    input, dim, idx = _dim_index('index_select', input, dim, index,
                                 msg="index_select(): Expected dtype int32 or int64 for index")
    size = input.shape[dim] if input.ndim else 1
    if idx.size and (int(idx.max()) >= size or int(idx.min()) < 0):   # torch refuses negative indices here
        if dim == 1:   # torch's dim-1 kernel reports it differently
            bad = int(idx.max()) if int(idx.max()) >= size else int(idx.min())
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    if input.ndim == 0:
        return _view(IndexSelect.apply(_as_1d(input), idx=(idx,)), (0, Ellipsis))
    return IndexSelect.apply(input, idx=(_FULL,) * dim + (idx,))


def _index_write(op, cls, input, dim, index, v, accumulate, int32=True, idx_msg=None):
    input, dim, idx = _dim_index(op, input, dim, index, int32=int32, msg=idx_msg)
    size = input.shape[dim] if input.ndim else 1
    _check_bounds(idx, size, dim)
    if isinstance(v, Tensor) and v.ndim and input.ndim:
        if v.ndim == input.ndim and v.shape[dim] != idx.size:
            raise RuntimeError(f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                               f"({v.shape[dim]}), for dim: {dim}")
        if tuple(v.shape) != tuple(idx.size if d == dim else s for d, s in enumerate(input.shape)):
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(input.shape)} source.shape = {list(v.shape)}")
    if input.ndim == 0:
        r = cls.apply(_as_1d(input), _as_1d(v) if isinstance(v, Tensor) else v, steps=((idx,),),
                      accumulate=accumulate)
        return _view(r, (0, Ellipsis))
    return cls.apply(input, v, steps=((_FULL,) * dim + (idx,),), accumulate=accumulate)


def _no_negative(input, dim, index, prefix, exc, msg=None):
    """index_add and index_copy take indices in [0, size) only (index_fill and index_select differ)."""
    if not (isinstance(index, Tensor) and isinstance(input, Tensor)) or index._data.dtype.kind not in 'iu':
        return   # the shared checks report these
    idx = index._data
    d = _wrap_dim(dim, input.ndim, prefix)
    size = input.shape[d] if input.ndim else 1
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise exc(msg or f"{prefix if prefix.endswith(' ') else ''}index {bad} is out of bounds for dimension {d} "
                         f"with size {size}")


def index_add(input, dim, index, source, *, alpha=1):
    """torch.index_add: a copy of input with alpha * source added at the indices of dim (repeats accumulate)."""
    source = _tensor(source, 'index_add', 'source')
    if source._data.dtype != _tensor(input, 'index_add')._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_tname(input)}) and source ({_tname(source)}) must have the same "
                           "scalar type")
    # torch's kernels differ: alpha 1 along the first or last dim of a 2-D+ tensor reports a RuntimeError
    nd = input.ndim if isinstance(input, Tensor) else 0
    edge = nd > 1 and isinstance(dim, int) and dim % nd in (0, nd - 1)
    _no_negative(input, dim, index, 'index_add', RuntimeError if alpha == 1 and edge else IndexError,
                 None if alpha == 1 and edge else "index out of range in self")
    if alpha != 1:
        source = mul(source, alpha)
    return _index_write('index_add_', IndexAdd, input, dim, index, source, True)


def index_copy(input, dim, index, source):
    """torch.index_copy: a copy of input with the slices of source written at the indices of dim."""
    source = _tensor(source, 'index_copy', 'source')
    if source._data.dtype != _tensor(input, 'index_copy')._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_tname(input)} and (source) {_tname(source)}")
    _no_negative(input, dim, index, 'index_copy_(): ', IndexError)
    return _index_write('index_copy_', IndexCopy, input, dim, index, source, False, int32=False,
                        idx_msg="index_copy_(): Expected a long tensor for index, but got "
                                f"{_tname(index) if isinstance(index, Tensor) else ''}")


def index_fill(input, dim, index, value):
    """torch.index_fill: a copy of input with value at the indices of dim."""
    input = _tensor(input, 'index_fill')
    v = _scalar_value(value, input, 'index_fill_')
    if isinstance(index, Tensor) and index._data.dtype != 'int64':
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    return _index_write('index_fill_', IndexFill, input, dim, index, v, False, int32=False)


def index_put(input, indices, values, accumulate=False):
    """torch.index_put: a copy of input with values put at indices (a tuple of index tensors, as in
    input[indices] = values); accumulate adds instead, repeated indices included."""
    input = _tensor(input, 'index_put')
    values = _tensor(values, 'index_put', 'values')
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {_tname(input)} for "
                           f"the destination and {_tname(values)} for the source.")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"index_put(): expected Tensor as element {i} in argument 'indices', but got "
                            f"{type(t).__name__}")
    basic, adv = _parse(input._data.shape, tuple(indices), xp_of(input._data))
    steps = (basic,) if adv is None else (adv,) if _is_trivial(basic) else (basic, adv)
    v = _drop_leading_ones(values, _at(input._data, steps).ndim) if values.ndim else values
    return Put.apply(input, v, steps=steps, accumulate=bool(accumulate))


def put(input, index, source, accumulate=False):
    """torch.put: a copy of input (seen as 1-D) with source written (or added) at index."""
    input = _tensor(input, 'put')
    idx = _long_index(index, 'put_', int32=False,
                      msg=f"put_(): Expected a long tensor for index, but got "
                          f"{_tname(index) if isinstance(index, Tensor) else ''}")
    source = _tensor(source, 'put', 'source')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_tname(input)} and source.dtype = {_tname(source)}")
    if idx.size != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {idx.size}")
    xp = xp_of(input._data)
    steps = (_flat_index(xp, idx, input.shape, 'put_'),)
    v = source if source.ndim == 1 else \
        Take.apply(_as_1d(source), idx=_flat_index(xp, xp.arange(idx.size), tuple(source.shape) or (1,), 'put_'))
    return _scalar_output(input, PutBackward.apply(_as_1d(input), v, steps=steps, accumulate=bool(accumulate)))


def _flat_index(xp, idx, shape, op):
    """Flat (row-major) positions as a tuple of per-dim index arrays; negative positions count from the end."""
    n = 1
    for s in shape:
        n *= s
    flat = idx.reshape(-1)
    if flat.size and (int(flat.max()) >= n or int(flat.min()) < -n):
        bad = int(flat.max()) if int(flat.max()) >= n else int(flat.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    if not shape:
        return (xp.zeros(flat.size, 'int64'),)
    return xp.unravel_index(flat % max(n, 1), shape)


def take(input, index):
    """torch.take: input treated as 1-D, the elements at index; the result has index's shape."""
    input = _tensor(input, 'take')
    idx = _long_index(index, 'take', int32=False,
                      msg=f"take(): Expected a long tensor for index, but got "
                          f"{_tname(index) if isinstance(index, Tensor) else ''}")
    xp = xp_of(input._data)
    pos = _flat_index(xp, idx, input.shape, 'take')
    r = Take.apply(_as_1d(input), idx=tuple(p.reshape(idx.shape) for p in pos))
    return r


def take_along_dim(input, indices, dim=None):
    """torch.take_along_dim: values of input at indices along dim (input and indices broadcast in the other
    dims); with dim=None both are flattened first."""
    input = _tensor(input, 'take_along_dim')
    indices = _tensor(indices, 'take_along_dim', 'indices')
    if indices._data.dtype != 'int64':
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {_tname(indices)}")
    idx = indices._data
    xp = xp_of(input._data)
    if dim is None:
        pos = _flat_index(xp, idx, input.shape, 'take_along_dim')
        return Take.apply(_as_1d(input), idx=tuple(p.reshape(-1) for p in pos))
    if input.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    if input.ndim == 0:
        return gather(input, 0, indices)
    dim = _wrap_dim(dim, input.ndim, 'take_along_dim')
    other = [s for d, s in enumerate(input.shape) if d != dim]
    try:
        b = xp.broadcast_shapes(tuple(other), tuple(s for d, s in enumerate(idx.shape) if d != dim))
    except ValueError:
        raise RuntimeError(f"take_along_dim(): shapes {list(input.shape)} and {list(idx.shape)} cannot be broadcast "
                           f"apart from dim {dim}") from None
    out_shape = tuple(b[:dim]) + (idx.shape[dim],) + tuple(b[dim:])
    _check_bounds(idx, input.shape[dim], dim, RuntimeError)
    return Gather.apply(input, idx=_grid(xp, out_shape, dim, idx, input.shape))


# --- masks ------------------------------------------------------------------------------------------
def _bool_mask(mask, op, msg):
    mask = _tensor(mask, op, 'mask')
    if mask._data.dtype != bool:
        raise RuntimeError(msg.format(dtype=mask.dtype.name if mask._data.dtype != 'int64' else 'long int'))
    return mask


def _broadcast(xp, a, b, op):
    try:
        return tuple(xp.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        for i in range(1, max(len(a), len(b)) + 1):
            x = a[-i] if i <= len(a) else 1
            y = b[-i] if i <= len(b) else 1
            if x != y and 1 not in (x, y):
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                   f"non-singleton dimension {max(len(a), len(b)) - i}") from None
        raise


def masked_fill(input, mask, value):
    """torch.masked_fill: value where mask is True, input elsewhere (mask broadcasts with input)."""
    input = _tensor(input, 'masked_fill')
    mask = _bool_mask(mask, 'masked_fill', "masked_fill_ only supports boolean masks, but got mask with dtype "
                                           "{dtype}")
    _broadcast(xp_of(input._data), input.shape, mask.shape, 'masked_fill')
    return renamed(Where.apply(mask, _scalar_value(value, input, 'masked_fill_'), input),
                   'MaskedFillBackward1' if isinstance(value, Tensor) else 'MaskedFillBackward0')


def masked_select(input, mask):
    """torch.masked_select: a 1-D tensor of the elements of input where mask (broadcast with it) is True."""
    input = _tensor(input, 'masked_select')
    mask = _bool_mask(mask, 'masked_select', "masked_select: expected BoolTensor for mask")
    xp = xp_of(input._data)
    shape = _broadcast(xp, input.shape, mask.shape, 'masked_select') or (1,)
    nz = xp.broadcast_to(mask._data.reshape(-1) if not mask.ndim else mask._data, shape).nonzero()
    x1 = _as_1d(input)
    lead = len(shape) - x1.ndim
    # an input dim of size 1 that the mask broadcasts is read at 0 (its gradient then sums, as it should)
    idx = tuple(xp.zeros(nz[0].size, 'int64') if s == 1 else nz[lead + d] for d, s in enumerate(x1.shape))
    return MaskedSelect.apply(x1, idx=idx)


def masked_scatter(input, mask, source):
    """torch.masked_scatter: a copy of input with the leading elements of source (in row-major order)
    written where mask is True."""
    input = _tensor(input, 'masked_scatter')
    source = _tensor(source, 'masked_scatter', 'source')
    mask = _bool_mask(mask, 'masked_scatter', "masked_scatter_ only supports boolean masks, but got mask with "
                                              "dtype {dtype}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_tname(input)} and {_tname(source)}")
    xp = xp_of(input._data)
    shape = _broadcast(xp, input.shape, mask.shape, 'masked_scatter')
    if shape != tuple(input.shape):
        input = _expand(xp, input, shape)
    m = xp.broadcast_to(mask._data, shape)
    n = int(m.sum())
    if n > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    v = Take.apply(_as_1d(source), idx=_flat_index(xp, xp.arange(n), tuple(source.shape) or (1,), 'masked_scatter'))
    if not shape:
        return _view(MaskedScatter.apply(_as_1d(input), v, steps=((xp.zeros(n, 'int64'),),), accumulate=False),
                     (0, Ellipsis))
    return MaskedScatter.apply(input, v, steps=(m.nonzero(),), accumulate=False)


def nonzero(input, *, out=None, as_tuple=False):
    """torch.nonzero: the indices of the non-zero elements of input, as an (n, ndim) long tensor, or with
    as_tuple a tuple of one 1-D long tensor per dimension."""
    input = _tensor(input, 'nonzero')
    a = input._data
    xp = xp_of(a)
    if a.ndim == 0:
        hit = xp.zeros(1 if a else 0, 'int64')
        return (_wrap(hit, xp),) if as_tuple else _wrap(xp.zeros((hit.size, 0), 'int64'), xp)
    nz = a.nonzero()
    if as_tuple:
        return tuple(_wrap(i.astype('int64', copy=False), xp) for i in nz)
    return _wrap(xp.stack(nz, axis=1).astype('int64', copy=False), xp)


def argwhere(input):
    """torch.argwhere: the indices of the non-zero elements of input, an (n, ndim) long tensor."""
    return nonzero(input)


# --- in-place forms -------------------------------------------------------------------------------
def _inplace(fn, name):
    def method(self, *args, **kwargs):
        return self._inplace(fn, *args, name=name, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of {fn.__name__}."
    return method


def _put_(self, index, source, accumulate=False):
    """Tensor.put_: writes source (or adds it, with accumulate) at index of self seen as 1-D."""
    return self._inplace(put, index, source, accumulate, name='put_')


bind(__getitem__=__getitem__, __setitem__=__setitem__, index_select=index_select, masked_fill=masked_fill,
     masked_select=masked_select, masked_scatter=masked_scatter, take=take, take_along_dim=take_along_dim,
     gather=gather, scatter=scatter, scatter_add=scatter_add, scatter_reduce=scatter_reduce, index_add=index_add,
     index_copy=index_copy, index_fill=index_fill, index_put=index_put, put=put, put_=_put_, nonzero=nonzero,
     argwhere=argwhere)
bind(**{n + '_': _inplace(f, n + '_') for n, f in dict(
    masked_fill=masked_fill, masked_scatter=masked_scatter, scatter=scatter, scatter_add=scatter_add,
    scatter_reduce=scatter_reduce, index_add=index_add, index_copy=index_copy, index_fill=index_fill,
    index_put=index_put).items()})


# --- the differentiable vocabulary backward formulas here use ----------------------------------------
@register('add_at')
def _add_at(target, index, values):
    return AddAt.apply(target, values, idx=index)


if not hasattr(_gxp, 'zeros'):
    @register('zeros')
    def _zeros(shape, dtype=None):
        dt = dtype.np if isinstance(dtype, _dtype.dtype) else (dtype or _dtype._default[0].np)
        return _wrap(numpy_backend.zeros(tuple(shape), dt), None)


__all__ = public_names(globals(), __name__)
