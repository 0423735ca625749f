"""Movement ops: reshape, permute, expand, squeeze, slicing along a dim, joining and splitting, flips.

Most of these move no data: NumPy returns a view, and so does torch. Such results are registered
with `_make_view` (their base, and how to re-create them from it), so an in-place change of the
view reaches the base and autograd sees it (CopySlices in tensor.py). A result that NumPy had to
copy (reshape of non-contiguous data) is a plain new tensor, as in torch.

Gradients are movements too: the adjoint of a reshape is a reshape back, of a permutation the
inverse permutation, of an expand nothing at all (the engine sums a broadcast gradient back to the
input's shape), of a slice a zero padding.
"""
import operator
from .. import _dtype
from ..tensor import Tensor, Size, cast, _make_view, _wrap_dim
from ..autograd.graph import Op, _wrap, renamed
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph_xp import register
from ..backend import xp_of
from ._util import bind, numpy_aliases, public_names


def _tensor(x, op, arg='input'):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{arg}' (position 1) must be Tensor, not {type(x).__name__}")


def _sizes(args, op):
    """view(2, 3), view((2, 3)), view([2, 3]), view(torch.Size([2, 3])) -> (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    if all(type(s) is int for s in args):
        return tuple(args)
    try:
        return tuple(operator.index(s) for s in args)
    except TypeError:
        bad = next(s for s in args if not hasattr(s, '__index__'))
        raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                        f"{type(bad).__name__}") from None


def _infer_shape(shape, numel, op):
    """Resolve one -1 in shape from numel, with torch's errors."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError(f"{op}: only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {s}")
        else:
            known *= s
    if infer is not None:
        if known == 0 and numel == 0:
            raise RuntimeError(f"{op}: cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:infer] + (numel // known,) + shape[infer + 1:]
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# --- the primitive movement ops ------------------------------------------------------------------
class Reshape(Op):
    """A new shape for the same elements in row-major order: a view when the strides allow it."""
    __slots__ = ('in_shape',)

    def forward(self, xp, a, shape, copy=None):
        self.in_shape = a.shape
        return a.reshape(shape) if copy is None else a.reshape(shape, copy=copy)

    def backward(self, xp, g):
        return xp.reshape(g, self.in_shape)

    @classmethod
    def name(cls):
        return 'ViewBackward0'


class UnsafeView(Reshape):
    """reshape that had to copy (torch records _unsafe_view of a clone)."""
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'UnsafeViewBackward0'


class Permute(Op):
    __slots__ = ('dims',)

    def forward(self, xp, a, dims):
        self.dims = dims
        return a.transpose(dims)

    def backward(self, xp, g):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return xp.transpose(g, tuple(inverse))

    @classmethod
    def name(cls):
        return 'PermuteBackward0'


class Transpose(Permute):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'TransposeBackward0'


class TwoDimT(Permute):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'TBackward0'


class Squeeze(Reshape):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'SqueezeBackward0'


class Unsqueeze(Reshape):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'UnsqueezeBackward0'


class Expand(Op):
    """Broadcast to a larger shape without copying; the engine sums the gradient back (sum_to)."""
    __slots__ = ()
    sums_to_input = True

    def forward(self, xp, a, shape):
        return xp.broadcast_to(a, shape)

    def backward(self, xp, g):
        return g

    @classmethod
    def name(cls):
        return 'ExpandBackward0'


def _view_of(t, out, view_fn):
    """Register out as a view of t (it shares t's memory)."""
    return _make_view(t, view_fn, op_result=out)


def _reshape_fn(shape):
    return lambda xp, a: xp.reshape(a, shape)


def _view(t, shape, op):
    shape = _infer_shape(shape, t._data.size, op)
    a = t._data
    if a.shape == shape:
        out = Reshape.apply(t, shape=shape)
        return _view_of(t, out, _reshape_fn(shape))
    try:
        out = Reshape.apply(t, shape=shape, copy=False)
    except ValueError:
        return None
    return _view_of(t, out, _reshape_fn(shape))


def view(self, *shape, dtype=None):
    """Returns a new tensor with the same data as the self tensor but of a different shape.

    The returned tensor shares the same data and must have the same number of elements, but may have
    a different size. `view(dtype)` reinterprets the bytes as another dtype; with a different element size
    the last dim (which must be contiguous) shrinks or grows by the ratio of the sizes."""
    self = _tensor(self, 'view', 'self')
    if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type)) or dtype is not None:
        return _view_dtype(self, dtype if dtype is not None else shape[0])
    shape = _sizes(shape, 'view')
    out = _view(self, shape, 'view')
    if out is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
                           f"(view: input of shape {list(self.shape)} with strides {list(self.stride())} "
                           f"to shape {list(shape)})")
    return out


def _view_dtype(t, dt):
    dt = _dtype.to_dtype(dt)
    if dt.np == t._data.dtype:
        return view(t, t.shape)
    if t._req:   # a reinterpretation of bytes has no gradient: the result never requires grad, as in torch
        t = t.detach()
    if dt.itemsize != t._data.itemsize:
        from .elementwise import _INT_NAMES as _TYPE_WORDS
        a, old = t._data, _TYPE_WORDS[t.dtype.name]
        what = f"to view {old} as {_TYPE_WORDS[dt.name]} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        step = a.strides[-1] // a.itemsize
        if step != 1 and a.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {step}")
        ratio = dt.itemsize // a.itemsize
        if ratio and a.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {a.shape[-1]}")
        return _view_of(t, _wrap(a.view(dt.np), xp_of(a)), lambda xp, b: b.view(dt.np))
    xp = xp_of(t._data)
    out = _wrap(t._data.view(dt.np), xp)
    return _view_of(t, out, lambda xp, a: a.view(dt.np))


def view_as(self, other):
    """View this tensor as the same size as other. self.view_as(other) is self.view(other.size())."""
    return view(self, other.shape)


def reshape(input, *sizes, shape=None):
    """Returns a tensor with the same data and number of elements as input, but with the specified shape.

    When possible, the returned tensor will be a view of input. Otherwise, it will be a copy."""
    input = _tensor(input, 'reshape')
    shape = _sizes(sizes if shape is None else (shape,), 'reshape')
    out = _view(input, shape, 'reshape')
    if out is None:
        out = UnsafeView.apply(input, shape=_infer_shape(shape, input._data.size, 'reshape'))
    return out


def reshape_as(self, other):
    """Returns this tensor as the same shape as other (a view when possible)."""
    return reshape(self, other.shape)


def _dims_list(dims, op):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return tuple(operator.index(d) for d in dims)


def _permuted(input, dims, op):
    out = op.apply(input, dims=dims)
    return _view_of(input, out, lambda xp, a: xp.transpose(a, dims))


def permute(input, *dims):
    """Returns a view of the original tensor input with its dimensions permuted."""
    input = _tensor(input, 'permute')
    dims = _dims_list(dims, 'permute')
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n, 'permute') for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (dims {list(dims)})")
    return _permuted(input, dims, Permute)


def transpose(input, dim0, dim1):
    """Returns a tensor that is a transposed version of input. The given dimensions dim0 and dim1 are swapped.

    The resulting tensor shares its underlying storage with the input tensor."""
    input = _tensor(input, 'transpose')
    n = input.ndim
    d0, d1 = _wrap_dim(dim0, n, 'transpose'), _wrap_dim(dim1, n, 'transpose')
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return _permuted(input, tuple(dims), Transpose)


swapaxes = swapdims = transpose


def t(input):
    """Expects input to be <= 2-D tensor and transposes dimensions 0 and 1 (0-D and 1-D are returned as is)."""
    input = _tensor(input, 't')
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return _permuted(input, (1, 0) if input.ndim == 2 else tuple(range(input.ndim)), TwoDimT)


def adjoint(input):
    """Returns a view of the tensor conjugated and with the last two dimensions transposed."""
    input = _tensor(input, 'adjoint')
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return _conj(transpose(input, -2, -1))


def _warn(msg):
    import warnings
    warnings.warn(msg, UserWarning, stacklevel=3)


def _T(self):
    n = self.ndim
    if n == 0:
        _warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.")
    elif n != 2:
        _warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
              "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
              "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.")
    return permute(self, tuple(range(n))[::-1])


def _matrix_only(self, name, batches=True):
    if self.ndim == 0:
        _warn(f"Tensor.{name} is deprecated on 0-D tensors. This function is the identity in these cases.")
        return False
    if self.ndim < 2 or (not batches and self.ndim > 2):
        what = "matrices or batches of matrices" if batches else "matrices (2-D tensors)"
        hint = ". For batches of matrices, consider using tensor.mH" if not batches and self.ndim > 2 else ""
        raise RuntimeError(f"tensor.{name} is only supported on {what}. Got {self.ndim}-D tensor{hint}.")
    return True


def _mT(self):
    return transpose(self, -2, -1) if _matrix_only(self, 'mT') else permute(self, ())


def _mH(self):
    return adjoint(self) if _matrix_only(self, 'mH') else _conj(permute(self, ()))


def _H(self):
    return adjoint(self) if _matrix_only(self, 'H', batches=False) else _conj(permute(self, ()))


def _conj(t):
    # conj belongs to the elementwise family; looked up when used, so this module does not depend on it
    if t.dtype.is_complex:
        conj = getattr(Tensor, 'conj', None)
        if conj is None:
            raise NotImplementedError(f"adjoint/mH/H of a {t.dtype} tensor needs Tensor.conj, which ember does not "
                                      "provide yet")
        return conj(t)
    return t


def squeeze(input, dim=None):
    """Returns a tensor with all specified dimensions of input of size 1 removed (all of them for dim=None).

    The returned tensor shares the storage with the input tensor."""
    input = _tensor(input, 'squeeze')
    shape = input._data.shape
    n = len(shape)
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        dl = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(sorted({_wrap_dim(operator.index(d), n, 'squeeze') for d in dl}))
        axes = tuple(i for i in axes if n and shape[i] == 1)
    new = tuple(s for i, s in enumerate(shape) if i not in axes)
    out = renamed(Squeeze.apply(input, shape=new),   # torch's overloads: squeeze(), squeeze(dim), squeeze(dims)
                  'SqueezeBackward' + ('0' if dim is None else '2' if isinstance(dim, (tuple, list)) else '1'))
    return _view_of(input, out, lambda xp, a: xp.squeeze(a, axes) if axes else xp.reshape(a, new))


def unsqueeze(input, dim):
    """Returns a new tensor with a dimension of size one inserted at the specified position.

    The returned tensor shares the same underlying data with this tensor. A negative dim counts from
    the end of the result (dim + input.dim() + 1)."""
    input = _tensor(input, 'unsqueeze')
    n = input.ndim
    d = _wrap_dim(operator.index(dim), n + 1, 'unsqueeze')
    shape = input._data.shape
    new = shape[:d] + (1,) + shape[d:]
    out = Unsqueeze.apply(input, shape=new)
    return _view_of(input, out, lambda xp, a: xp.expand_dims(a, d))


def expand(self, *sizes):
    """Returns a new view of the self tensor with singleton dimensions expanded to a larger size.

    Passing -1 as the size for a dimension means not changing the size of that dimension. New dimensions
    are prepended; the new ones cannot be -1. No new memory is allocated."""
    self = _tensor(self, 'expand', 'self')
    sizes = _sizes(sizes, 'expand')
    shape = self._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({len(shape)})")
    out_shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand: the expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            out_shape.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
        out_shape.append(s)
    out_shape = tuple(out_shape)
    out = Expand.apply(self, shape=out_shape)
    return _view_of(self, out, lambda xp, a: xp.broadcast_to(a, out_shape))


def expand_as(self, other):
    """Expand this tensor to the same size as other. self.expand_as(other) is self.expand(other.size())."""
    return expand(self, other.shape)


def broadcast_to(input, size):
    """Broadcasts input to the shape size. Equivalent to calling input.expand(size)."""
    return expand(input, size)


def movedim(input, source, destination):
    """Moves the dimension(s) of input at the position(s) in source to the position(s) in destination.

    Other dimensions of input that are not explicitly moved remain in their original order."""
    input = _tensor(input, 'movedim')
    n = input.ndim
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    src = [_wrap_dim(operator.index(d), n, 'movedim') for d in src]
    dst = [_wrap_dim(operator.index(d), n, 'movedim') for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    if n == 0:
        return permute(input, ())
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def flatten(input, start_dim=0, end_dim=-1):
    """Flattens input by reshaping it into a one-dimensional tensor.

    If start_dim or end_dim are passed, only dimensions starting with start_dim and ending with end_dim
    are flattened. A view when possible, a copy otherwise (as reshape)."""
    input = _tensor(input, 'flatten')
    n = input.ndim
    s, e = _wrap_dim(start_dim, n, 'flatten'), _wrap_dim(end_dim, n, 'flatten')   # 0-d: 0 and -1 only
    if n == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (-1 if input._data.size == 0 and 0 not in shape[s:e + 1] else
                                       _prod(shape[s:e + 1]),) + shape[e + 1:])


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def unflatten(input, dim, sizes):
    """Expands a dimension of the input tensor over multiple dimensions (one of sizes may be -1)."""
    input = _tensor(input, 'unflatten')
    n = input.ndim
    d = _wrap_dim(dim, n, 'unflatten')
    sizes = _sizes((sizes,), 'unflatten')
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = input._data.shape[d]
    try:
        sizes = _infer_shape(sizes, size, 'unflatten')
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({size}) in the input tensor") from None
    shape = input._data.shape
    return view(input, shape[:d] + sizes + shape[d + 1:])


def ravel(input):
    """Return a contiguous flattened tensor. A copy is made only if needed."""
    return reshape(_tensor(input, 'ravel'), (-1,))


class Clone(Op):
    __slots__ = ()

    def forward(self, xp, a, order):
        return a.copy(order=order)

    def backward(self, xp, g):
        return g

    @classmethod
    def name(cls):
        return 'CloneBackward0'


def clone(input, *, memory_format=None):
    """Returns a copy of input (differentiable; the gradient flows back to input).

    With the default memory_format (torch.preserve_format) a dense input keeps its strides."""
    input = _tensor(input, 'clone')
    return Clone.apply(input, order='C' if memory_format == 'torch.contiguous_format' else 'K')


def contiguous(self, memory_format=None):
    """Returns a contiguous in memory tensor containing the same data as self tensor.

    If self tensor is already in the specified memory format, this function returns the self tensor."""
    self = _tensor(self, 'contiguous', 'self')
    if self._data.flags.c_contiguous:
        return self
    return Clone.apply(self, order='C')


# --- repeating ---------------------------------------------------------------------------------------
class Repeat(Op):
    __slots__ = ('reps', 'shape')
    sums_to_input = True

    def forward(self, xp, a, reps):
        shape = (1,) * (len(reps) - a.ndim) + a.shape
        self.reps, self.shape = reps, shape
        return xp.tile(xp.reshape(a, shape), reps)

    def backward(self, xp, g):
        # each result dim i is reps[i] copies of the input's dim i: split it in two and sum the copies
        split = []
        for r, s in zip(self.reps, self.shape):
            split += [r, s]
        return xp.sum(xp.reshape(g, tuple(split)), axis=tuple(range(0, len(split), 2)))

    @classmethod
    def name(cls):
        return 'RepeatBackward0'


def repeat(self, *sizes):
    """Repeats this tensor along the specified dimensions (copies the data, unlike expand)."""
    self = _tensor(self, 'repeat', 'self')
    reps = _sizes(sizes, 'repeat')
    if len(reps) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           f"tensor (repeat: {len(reps)} repeat dims for a tensor of shape {list(self.shape)})")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeat got {list(reps)}")
    return Repeat.apply(self, reps=reps)


def tile(input, dims):
    """Constructs a tensor by repeating the elements of input; dims gives the repeats per dimension.

    If dims has fewer entries than input has dimensions, ones are prepended to dims."""
    input = _tensor(input, 'tile')
    dims = _sizes((dims,), 'tile')
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


class RepeatInterleave(Op):
    __slots__ = ('axis', 'counts', 'in_shape')

    def forward(self, xp, a, counts, axis):
        self.axis, self.counts, self.in_shape = axis, counts, a.shape
        return xp.repeat(a, counts, axis=axis)

    def backward(self, xp, g):
        ax, counts, shape = self.axis, self.counts, self.in_shape
        if type(counts) is int:
            g = xp.reshape(g, shape[:ax] + (shape[ax], counts) + shape[ax + 1:])
            return xp.sum(g, axis=ax + 1)
        if not counts:
            return g
        bounds, off = [], 0
        for c in counts[:-1]:
            off += c
            bounds.append(off)
        return xp.concatenate([xp.expand_dims(xp.sum(p, axis=ax), ax) for p in xp.split(g, bounds, axis=ax)],
                              axis=ax)

    @classmethod
    def name(cls):
        return 'RepeatInterleaveBackward0'


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat elements of a tensor.

    repeats (int or Tensor) is broadcast to fit the size of the given dim; without dim the flattened
    input is used. repeat_interleave(repeats) alone gives the indices 0, 1, ... each repeated."""
    if repeats is None:
        repeats = _tensor(input, 'repeat_interleave')
        from .creation import arange
        input = arange(repeats.numel(), dtype=repeats.dtype)
    input = _tensor(input, 'repeat_interleave')
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    ax = _wrap_dim(dim, input.ndim, 'repeat_interleave')
    n = input._data.shape[ax] if input.ndim else 1
    if input.ndim == 0:
        input = reshape(input, (1,))
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
        if r.dtype not in ('int32', 'int64'):   # torch's kernel is dispatched for Int and Long only
            from .reduction import _type_word
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_type_word(repeats.dtype)}'")
        counts = [int(c) for c in r.reshape(-1).tolist()]
        if len(counts) == 1:
            counts = counts * n
        elif len(counts) != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{len(counts)} and input.size({dim}) = {n}")
        counts = tuple(counts)
    else:
        counts = operator.index(repeats)
    if (min(counts, default=0) if isinstance(counts, tuple) else counts) < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    total = sum(counts) if isinstance(counts, tuple) else counts * n
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: allocated size does not match required size (output_size "
                           f"{output_size}, repeats sum to {total})")
    return RepeatInterleave.apply(input, counts=counts, axis=ax)


# --- joining -----------------------------------------------------------------------------------------
def _skipped(a):
    # torch's legacy rule: 1-D empty tensors are left out of cat whatever the other shapes are
    return a.ndim == 1 and a.shape[0] == 0


class Cat(Op):
    __slots__ = ('axis', 'bounds', 'skipped')

    def forward(self, xp, *arrays, axis):
        self.axis = axis
        self.skipped = skipped = tuple(_skipped(a) for a in arrays)
        bounds, off = [], 0
        for a, sk in zip(arrays[:-1], skipped):
            off += 0 if sk else a.shape[axis]
            bounds.append(off)
        self.bounds = bounds
        if all(skipped):
            return xp.concatenate(arrays)
        return xp.concatenate([a for a, sk in zip(arrays, skipped) if not sk], axis=axis)

    def backward(self, xp, g):
        pieces = xp.split(g, self.bounds, axis=self.axis)
        if all(self.skipped):
            return tuple(pieces)
        return tuple(xp.reshape(p, (0,)) if sk else p for p, sk in zip(pieces, self.skipped))

    @classmethod
    def name(cls):
        return 'CatBackward0'


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return list(tensors)


def _common_dtype(tensors):
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = _dtype.promote_types(dt, t.dtype)
    return dt


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenates the given sequence of tensors in the given dimension.

    All tensors must either have the same shape (except in the concatenating dimension) or be a 1-D
    empty tensor with size (0,). The result has the promoted dtype of the inputs."""
    tensors = _tensor_list(tensors, 'cat')
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    if axis is not None:
        dim = axis
    dt = _common_dtype(tensors)
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, t) for i, t in enumerate(tensors) if not _skipped(t._data)]
    if not kept:
        return cast(Cat.apply(*tensors, axis=0), dt)
    ref = kept[0][1]
    ax = _wrap_dim(dim, ref.ndim, 'cat')
    rs = ref._data.shape
    for i, t in kept:
        s = t._data.shape
        if len(s) != len(rs):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(rs)} and {len(s)}")
        for d in range(len(rs)):
            if d != ax and s[d] != rs[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {ax}. Expected size {rs[d]} "
                                   f"but got size {s[d]} for tensor number {i} in the list.")
    return Cat.apply(*(cast(t, dt) for t in tensors), axis=ax)


concat = concatenate = cat


class Stack(Op):
    __slots__ = ('axis',)

    def forward(self, xp, *arrays, axis):
        self.axis = axis
        return xp.stack(arrays, axis=axis)

    def backward(self, xp, g):
        return tuple(xp.unstack(g, axis=self.axis))

    @classmethod
    def name(cls):
        return 'StackBackward0'


def stack(tensors, dim=0, *, out=None):
    """Concatenates a sequence of tensors along a new dimension. All tensors need to be of the same size."""
    tensors = _tensor_list(tensors, 'stack')
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(t._data.shape)} at entry {i}")
    ax = _wrap_dim(dim, len(s0) + 1, 'stack')
    dt = _common_dtype(tensors)
    return Stack.apply(*(cast(t, dt) for t in tensors), axis=ax)


def hstack(tensors, *, out=None):
    """Stack tensors in sequence horizontally (column wise): cat of atleast_1d inputs along dim 1 (0 for 1-D)."""
    tensors = _tensor_list(tensors, 'hstack')
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts and ts[0].ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """Stack tensors in sequence vertically (row wise): cat of atleast_2d inputs along dim 0."""
    return cat([atleast_2d(t) for t in _tensor_list(tensors, 'vstack')], 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Stack tensors in sequence depthwise (along the third axis): cat of atleast_3d inputs along dim 2."""
    return cat([atleast_3d(t) for t in _tensor_list(tensors, 'dstack')], 2)


def column_stack(tensors, *, out=None):
    """Creates a new tensor by horizontally stacking the tensors; 0-D and 1-D tensors become columns."""
    tensors = _tensor_list(tensors, 'column_stack')
    return cat([reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in tensors], 1)


def _atleast(tensors, n, op):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(_atleast(tuple(tensors[0]), n, op)) if len(tensors[0]) != 1 else \
            (_atleast(tuple(tensors[0]), n, op),)
    out = []
    for t in tensors:
        t = _tensor(t, op)
        d = t.ndim
        if d < n:
            shape = t._data.shape
            if n == 1:
                new = (1,)
            elif n == 2:
                new = (1,) * (2 - d) + shape
            else:   # numpy's and torch's rule: a 1-D (n,) becomes (1, n, 1), a 2-D (m, n) becomes (m, n, 1)
                new = {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[d]
            t = view(t, new)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*tensors):
    """Returns a 1-dimensional view of each input tensor with zero dimensions; others are returned as is."""
    return _atleast(tensors, 1, 'atleast_1d')


def atleast_2d(*tensors):
    """Returns a 2-dimensional view of each input tensor with zero or one dimensions."""
    return _atleast(tensors, 2, 'atleast_2d')


def atleast_3d(*tensors):
    """Returns a 3-dimensional view of each input tensor with zero, one or two dimensions."""
    return _atleast(tensors, 3, 'atleast_3d')


# --- splitting and slicing -----------------------------------------------------------------------------
class Split(Op):
    """Pieces of a tensor along one dim (each a view); the gradient is the pieces' gradients joined."""
    __slots__ = ('axis',)

    def forward(self, xp, a, bounds, axis):
        self.axis = axis
        return tuple(xp.split(a, bounds, axis=axis))

    def backward(self, xp, *grads):
        return xp.concatenate(grads, axis=self.axis)

    @classmethod
    def name(cls):
        return 'SplitBackward0'


def _slice_fn(axis, start, stop):
    """The view_fn of a slice start:stop along axis (a narrowed Tensor under the graph namespace)."""
    idx = (slice(None),) * axis + (slice(start, stop),)
    return lambda xp, a: narrow(a, axis, start, stop - start) if isinstance(a, Tensor) else a[idx]


def _split_at(input, bounds, ax):
    outs = Split.apply(input, bounds=tuple(bounds), axis=ax)
    starts = (0,) + tuple(bounds)
    stops = tuple(bounds) + (input._data.shape[ax],)
    return tuple(_view_of(input, o, _slice_fn(ax, s, e)) for o, s, e in zip(outs, starts, stops))


def split(tensor, split_size_or_sections, dim=0):
    """Splits the tensor into chunks. Each chunk is a view of the original tensor.

    An int split_size gives equally sized chunks (the last may be smaller); a list gives each
    chunk's size along dim, and the sizes must add up to the size of that dim."""
    tensor = _tensor(tensor, 'split', 'tensor')
    ax = _wrap_dim(dim, tensor.ndim, 'split')
    n = tensor._data.shape[ax]
    s = split_size_or_sections
    if isinstance(s, (tuple, list)):
        sizes = [operator.index(x) for x in s]
        if sum(sizes) != n or any(x < 0 for x in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {ax}), but got split_sizes={sizes}")
    else:
        s = operator.index(s)
        if s < 0 or (s == 0 and n != 0):
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}"
                               if s < 0 else f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {n}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s else [0]
    bounds, off = [], 0
    for x in sizes[:-1]:
        off += x
        bounds.append(off)
    return _split_at(tensor, bounds, ax)


def _method_split(self, split_size, dim=0):
    return split(self, split_size, dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Splits a tensor into multiple sub-tensors, all of which are views of input, along dimension dim.

    An int n gives n sections (the first size % n one element larger); a list of indices gives the
    split points, as in numpy.array_split."""
    input = _tensor(input, 'tensor_split')
    ax = _wrap_dim(dim, input.ndim, 'tensor_split')
    n = input._data.shape[ax]
    s = indices_or_sections
    if isinstance(s, Tensor):
        if s._data.dtype.kind not in 'iu' or s.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have integer dtype and be a "
                               f"0-D or 1-D tensor, but got {s.dtype} with {s.ndim} dims")
        s = int(s._data) if s.ndim == 0 else [int(i) for i in s._data.tolist()]
    if isinstance(s, (tuple, list)):
        bounds = [min(max(operator.index(i) + (n if i < 0 else 0), 0), n) for i in s]
        if any(b < a for a, b in zip(bounds, bounds[1:])):
            # torch slices input[b[k-1]:b[k]] as given: a falling index gives an empty piece, and the next
            # piece starts back at it (pieces may overlap, so they are separate views, not one Split)
            edges = [0] + bounds + [n]
            lead = (slice(None),) * ax
            return tuple(input[lead + (slice(lo, max(lo, hi)),)] for lo, hi in zip(edges, edges[1:]))
    else:
        s = operator.index(s)
        if s <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {s}")
        q, r = divmod(n, s)
        bounds, off = [], 0
        for k in range(s - 1):
            off += q + (1 if k < r else 0)
            bounds.append(off)
    return _split_at(input, bounds, ax)


def chunk(input, chunks, dim=0):
    """Attempts to split a tensor into the specified number of chunks. Each chunk is a view of the input.

    Chunks have size ceil(size / chunks) (the last one smaller), so fewer than chunks may be returned."""
    input = _tensor(input, 'chunk')
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    ax = _wrap_dim(dim, input.ndim, 'chunk')
    n = input._data.shape[ax]
    return split(input, max(-(-n // chunks), 1) if n else 0, ax) if n else split(input, [0] * chunks, ax)


class Unbind(Op):
    __slots__ = ('axis',)

    def forward(self, xp, a, axis):
        self.axis = axis
        return tuple(xp.unstack(a, axis=axis))

    def backward(self, xp, *grads):
        return xp.stack(grads, axis=self.axis)

    @classmethod
    def name(cls):
        return 'UnbindBackward0'


def unbind(input, dim=0):
    """Removes a tensor dimension. Returns a tuple of all slices along a given dimension (views)."""
    input = _tensor(input, 'unbind')
    if input.ndim == 0:
        raise IndexError("unbind: Dimension specified as 0 but tensor has no dimensions")
    ax = _wrap_dim(dim, input.ndim, 'unbind')
    outs = Unbind.apply(input, axis=ax)
    return tuple(_view_of(input, o, _select_fn(ax, i)) for i, o in enumerate(outs))


class Slice(Op):
    """x[..., start:stop, ...] along one axis: a view; the gradient is padded back with zeros."""
    __slots__ = ('axis', 'widths')

    def forward(self, xp, a, axis, start, stop):
        self.axis = axis
        self.widths = tuple((start, a.shape[axis] - stop) if i == axis else (0, 0) for i in range(a.ndim))
        return a[(slice(None),) * axis + (slice(start, stop),)]

    def backward(self, xp, g):
        return xp.pad(g, self.widths)

    @classmethod
    def name(cls):
        return 'SliceBackward0'


def narrow(input, dim, start, length):
    """Returns a new tensor that is a narrowed version of input: dimension dim runs from start to
    start + length. The returned tensor and input share the same underlying storage."""
    input = _tensor(input, 'narrow')
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    ax = _wrap_dim(dim, input.ndim, 'narrow')
    n = input._data.shape[ax]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative (got {length}).")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    out = Slice.apply(input, axis=ax, start=start, stop=start + length)
    return _view_of(input, out, _slice_fn(ax, start, start + length))


class Select(Op):
    """x[..., i, ...] along one axis: a view; the gradient is placed back at i among zeros."""
    __slots__ = ('axis', 'widths')

    def forward(self, xp, a, axis, index):
        self.axis = axis
        self.widths = tuple((index, a.shape[axis] - index - 1) if i == axis else (0, 0) for i in range(a.ndim))
        return a[(slice(None),) * axis + (index,)]

    def backward(self, xp, g):
        return xp.pad(xp.expand_dims(g, self.axis), self.widths)

    @classmethod
    def name(cls):
        return 'SelectBackward0'


def _select_fn(axis, index):
    idx = (slice(None),) * axis + (index,)
    return lambda xp, a: select(a, axis, index) if isinstance(a, Tensor) else a[idx]


def select(input, dim, index):
    """Slices the input tensor along the selected dimension at the given index (a view, one dim fewer)."""
    input = _tensor(input, 'select')
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    ax = _wrap_dim(dim, input.ndim, 'select')
    n = input._data.shape[ax]
    index = operator.index(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {ax}")
    index %= n
    out = Select.apply(input, axis=ax, index=index)
    return _view_of(input, out, _select_fn(ax, index))


class Pad(Op):
    """Zero padding (numpy.pad, constant mode): the adjoint of slicing, for backward formulas."""
    __slots__ = ('widths',)

    def forward(self, xp, a, widths):
        self.widths = widths
        return xp.pad(a, widths)

    def backward(self, xp, g):
        for ax, (lo, hi) in enumerate(self.widths):
            if lo or hi:
                stop = g.shape[ax] - hi
                g = narrow(g, ax, lo, stop - lo) if isinstance(g, Tensor) else \
                    g[(slice(None),) * ax + (slice(lo, stop),)]
        return g

    @classmethod
    def name(cls):
        return 'ConstantPadNdBackward0'


# --- reordering elements ------------------------------------------------------------------------------
def _dim_tuple(dims, ndim, op):
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    out = tuple(_wrap_dim(operator.index(d), ndim, op) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dims has duplicates, original flip dims size={len(out)}, but unique flip dims "
                           f"size={len(set(out))}")
    return out


class Flip(Op):
    __slots__ = ('dims',)

    def forward(self, xp, a, dims):
        self.dims = dims
        return xp.flip(a, dims).copy()   # torch's flip is a copy (a negative-stride view would alias)

    def backward(self, xp, g):
        return xp.flip(g, self.dims)

    @classmethod
    def name(cls):
        return 'FlipBackward0'


def flip(input, dims):
    """Reverse the order of an n-D tensor along given axis in dims. Makes a copy of input's data."""
    input = _tensor(input, 'flip')
    if not isinstance(dims, (tuple, list)):   # the method takes ints (x.flip(0)); the function a sequence
        raise TypeError(f"flip(): argument 'dims' must be tuple of ints, not {type(dims).__name__}")
    dims = _dim_tuple(dims, input.ndim, 'flip')
    return Flip.apply(input, dims=dims if input.ndim else ())   # a 0-d tensor takes dim 0 or -1: nothing to flip


def _method_flip(self, *dims):
    return flip(self, _dims_list(dims, 'flip'))


def fliplr(input):
    """Flip tensor in the left/right direction (dim 1). Requires the tensor to be at least 2-D."""
    input = _tensor(input, 'fliplr')
    if input.ndim < 2:
        raise RuntimeError(f"Input must be >= 2-d. (fliplr got a {input.ndim}-d tensor)")
    return flip(input, (1,))


def flipud(input):
    """Flip tensor in the up/down direction (dim 0). Requires the tensor to be at least 1-D."""
    input = _tensor(input, 'flipud')
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d. (flipud got a 0-d tensor)")
    return flip(input, (0,))


class Roll(Op):
    __slots__ = ('shifts', 'dims')

    def forward(self, xp, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return xp.roll(a, shifts, axis=dims)

    def backward(self, xp, g):
        return xp.roll(g, tuple(-s for s in self.shifts), axis=self.dims)

    @classmethod
    def name(cls):
        return 'RollBackward0'


def roll(input, shifts, dims=None):
    """Roll the tensor input along the given dimension(s). Elements shifted beyond the last position are
    re-introduced at the first position. Without dims the tensor is flattened, rolled, and restored."""
    input = _tensor(input, 'roll')
    shifts = tuple(operator.index(s) for s in (shifts if isinstance(shifts, (tuple, list)) else (shifts,)))
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: 0")
        return view(roll(flatten(input), shifts, 0), input.shape)
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    if len(dims) != len(shifts):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
    dims = tuple(_wrap_dim(operator.index(d), input.ndim, 'roll') for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate an n-D tensor by 90 degrees in the plane specified by dims, from the first towards the second."""
    input = _tensor(input, 'rot90')
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input.ndim
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n, 'rot90'), _wrap_dim(dims[1], n, 'rot90')
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return clone(input)


class Tril(Op):
    __slots__ = ('k',)
    fn = 'tril'

    def forward(self, xp, a, k):
        self.k = k
        return getattr(xp, self.fn)(a, k)

    def backward(self, xp, g):
        return getattr(xp, self.fn)(g, self.k)

    @classmethod
    def name(cls):
        return cls.fn.capitalize() + 'Backward0'


class Triu(Tril):
    __slots__ = ()
    fn = 'triu'


def tril(input, diagonal=0, *, out=None):
    """Returns the lower triangular part of the matrix (2-D tensor) or batch of matrices input; the other
    elements are set to 0. diagonal=k keeps the elements on and below the k-th diagonal."""
    input = _tensor(input, 'tril')
    if input.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions (got shape {list(input.shape)})")
    return Tril.apply(input, k=operator.index(diagonal))


def triu(input, diagonal=0, *, out=None):
    """Returns the upper triangular part of the matrix (2-D tensor) or batch of matrices input; the other
    elements are set to 0. diagonal=k keeps the elements on and above the k-th diagonal."""
    input = _tensor(input, 'triu')
    if input.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions (got shape {list(input.shape)})")
    return Triu.apply(input, k=operator.index(diagonal))


# --- diagonals ------------------------------------------------------------------------------------------
def _diag_place(xp, g, mask, offset, d1, d2):
    """Put g (..., L) on the offset-diagonal of zeros of shape (..., n, m) (mask: that diagonal, n x m),
    then move the two matrix dims to d1, d2. Each row holds at most one diagonal element, so padding g
    to a column of n values and keeping only the mask's entries of each row places it."""
    n = mask.shape[0]
    length = g.shape[-1]
    before = min(max(-offset, 0), n)
    col = xp.pad(g, ((0, 0),) * (g.ndim - 1) + ((before, n - length - before),))
    r = xp.where(mask, xp.expand_dims(col, -1), 0)
    return xp.moveaxis(r, (-2, -1), (d1, d2))


def _writable(d):
    # NumPy hands out diagonals read-only; torch's diagonal is a writable view of its base
    if not isinstance(d, Tensor) and not d.flags.writeable and d.base is not None and d.base.flags.writeable:
        d.flags.writeable = True
    return d


class Diagonal(Op):
    __slots__ = ('mask', 'offset', 'd1', 'd2')

    def forward(self, xp, a, offset, d1, d2):
        self.offset, self.d1, self.d2 = offset, d1, d2
        self.mask = xp.eye(a.shape[d1], a.shape[d2], offset, dtype=bool)
        return _writable(xp.diagonal(a, offset, d1, d2))

    def backward(self, xp, g):
        return _diag_place(xp, g, self.mask, self.offset, self.d1, self.d2)

    @classmethod
    def name(cls):
        return 'DiagonalBackward0'


def diagonal(input, offset=0, dim1=0, dim2=1):
    """Returns a partial view of input with its diagonal elements with respect to dim1 and dim2 appended
    as a dimension at the end of the shape. offset > 0 is above the main diagonal, < 0 below."""
    input = _tensor(input, 'diagonal')
    n = input.ndim
    d1, d2 = _wrap_dim(dim1, n, 'diagonal'), _wrap_dim(dim2, n, 'diagonal')
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = operator.index(offset)
    out = Diagonal.apply(input, offset=offset, d1=d1, d2=d2)
    return _view_of(input, out, lambda xp, a: _writable(xp.diagonal(a, offset, d1, d2)))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Creates a tensor whose diagonals of certain 2D planes (specified by dim1 and dim2) are filled by input.

    The last dimension of input becomes the diagonal; the new planes have size input.size(-1) + abs(offset)."""
    input = _tensor(input, 'diag_embed')
    n = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, n, 'diag_embed'), _wrap_dim(dim2, n, 'diag_embed')
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = operator.index(offset)
    if input.dtype.kind == 'b':   # placing among where's zeros would promote bool to int64
        return cast(diag_embed(cast(input, _dtype.uint8), offset, dim1, dim2), _dtype.bool_)
    size = input._data.shape[-1] + abs(offset)
    from ..autograd.graph_xp import xp as gxp   # the same placement as Diagonal's gradient, over Tensors
    mask = xp_of(input._data).eye(size, size, offset, dtype=bool)
    return _diag_place(gxp, input, mask, offset, d1, d2)


def diag(input, diagonal=0, *, out=None):
    """A 1-D input gives the 2-D square matrix with input as its diagonal-th diagonal; a 2-D input gives
    a 1-D copy of its diagonal-th diagonal."""
    input = _tensor(input, 'diag')
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return clone(_diagonal_fn(input, diagonal, 0, 1), memory_format='torch.contiguous_format')
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


_diagonal_fn = diagonal


def diagflat(input, offset=0):
    """A 2-D tensor with the flattened input as its offset-th diagonal."""
    return diag_embed(flatten(_tensor(input, 'diagflat')), offset, 0, 1)


# --- broadcasting -----------------------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to (torch.Size); a shape may be an int."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    out = []
    for k, s in enumerate(shapes):
        for s_i in s:
            if s_i < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s_i}: {list(s)}")
        cur = list(s)
        lead = len(cur) - len(out)
        if lead > 0:
            out = cur[:lead] + out
        for i in range(1, len(cur) + 1):
            a, b = out[-i], cur[-i]
            if a == 1:
                out[-i] = b
            elif b != 1 and a != b:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {b} at {-i}! Mismatching "
                                   f"argument at index {k} had {tuple(s)}; but expected shape should be "
                                   f"broadcastable to {out}")
    return Size(out)


def broadcast_tensors(*tensors):
    """Broadcasts the given tensors according to broadcasting semantics; each result is an expanded view."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(list(tensors), 'broadcast_tensors')
    shape = []
    for t in tensors:
        s = list(t._data.shape)
        if len(s) > len(shape):
            shape = s[:len(s) - len(shape)] + shape
        for i in range(1, len(s) + 1):
            if shape[-i] == 1:
                shape[-i] = s[-i]
            elif s[-i] != 1 and s[-i] != shape[-i]:
                raise RuntimeError(f"The size of tensor a ({shape[-i]}) must match the size of tensor b ({s[-i]}) "
                                   f"at non-singleton dimension {len(shape) - i}")
    shape = tuple(shape)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Creates grids of coordinates specified by the 1D inputs in tensors.

    indexing='ij' (the default) gives outputs of shape (len(t0), len(t1), ...); 'xy' swaps the first
    two dimensions (Cartesian indexing). Each output is an expanded view of its input."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(list(tensors), 'meshgrid')
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                               f"{t.ndim}D tensor of shape {list(t.shape)}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    pos = list(range(n))
    if indexing == 'xy' and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * n
    for t, p in zip(tensors, pos):
        shape[p] = t.numel()
    out = []
    for t, p in zip(tensors, pos):
        s = [1] * n
        s[p] = -1
        out.append(expand(view(t, s), shape))
    return tuple(out)


# --- the NumPy-named vocabulary that backward formulas use (differentiable under create_graph) ------
@register('reshape')
def _np_reshape(a, shape, order='C', copy=None):
    return reshape(a, shape)


@register('transpose')
def _np_transpose(a, axes=None):
    return permute(a, tuple(range(a.ndim))[::-1] if axes is None else axes)


@register('swapaxes')
def _np_swapaxes(a, axis1, axis2):
    return transpose(a, axis1, axis2)


@register('expand_dims')
def _np_expand_dims(a, axis):
    if isinstance(axis, (tuple, list)):
        n = a.ndim + len(axis)
        for d in sorted(_wrap_dim(x, n, 'expand_dims') for x in axis):
            a = unsqueeze(a, d)
        return a
    return unsqueeze(a, axis)


@register('squeeze')
def _np_squeeze(a, axis=None):
    return squeeze(a, axis)


@register('broadcast_to')
def _np_broadcast_to(a, shape):
    return expand(a, shape)


@register('moveaxis')
def _np_moveaxis(a, source, destination):
    return movedim(a, source, destination)


@register('concatenate')
def _np_concatenate(arrays, axis=0):
    return cat(list(arrays), axis)


@register('stack')
def _np_stack(arrays, axis=0):
    return stack(list(arrays), axis)


@register('unstack')
def _np_unstack(x, axis=0):
    return unbind(x, axis)


@register('split')
def _np_split(ary, indices_or_sections, axis=0):
    ax = _wrap_dim(axis, ary.ndim, 'split')
    if isinstance(indices_or_sections, int):
        n = ary.shape[ax]
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        return list(split(ary, n // indices_or_sections, ax))
    return list(tensor_split(ary, list(indices_or_sections), ax))


@register('pad')
def _np_pad(array, pad_width, mode='constant', constant_values=0):
    if mode != 'constant' or constant_values != 0:
        raise NotImplementedError("graph_xp.pad: only zero padding (mode='constant') is differentiable here")
    return Pad.apply(array, widths=tuple((int(lo), int(hi)) for lo, hi in pad_width))


@register('diagonal')
def _np_diagonal(a, offset=0, axis1=0, axis2=1):
    return diagonal(a, offset, axis1, axis2)


@register('flip')
def _np_flip(m, axis=None):
    return flip(m, tuple(range(m.ndim)) if axis is None else axis if isinstance(axis, (tuple, list)) else (axis,))


@register('roll')
def _np_roll(a, shift, axis=None):
    return roll(a, shift, axis)


@register('tril')
def _np_tril(m, k=0):
    return tril(m, k)


@register('triu')
def _np_triu(m, k=0):
    return triu(m, k)


def _method_permute(self, *dims):
    return permute(self, *dims)


def _method_repeat_interleave(self, repeats, dim=None, *, output_size=None):
    return repeat_interleave(self, repeats, dim, output_size=output_size)


numpy_aliases(globals(), 'cat', 'stack', 'squeeze', 'unsqueeze')
concat = concatenate = cat
bind(view=view, view_as=view_as, reshape=reshape, reshape_as=reshape_as, permute=_method_permute,
     transpose=transpose, swapaxes=swapaxes, swapdims=swapdims, t=t, adjoint=adjoint, squeeze=squeeze,
     unsqueeze=unsqueeze, expand=expand, expand_as=expand_as, broadcast_to=broadcast_to, movedim=movedim,
     moveaxis=moveaxis, flatten=flatten, unflatten=unflatten, ravel=ravel, clone=clone, contiguous=contiguous,
     repeat=repeat, tile=tile, repeat_interleave=_method_repeat_interleave, split=_method_split,
     tensor_split=tensor_split, chunk=chunk, unbind=unbind, narrow=narrow, select=select, flip=_method_flip,
     fliplr=fliplr, flipud=flipud, roll=roll, rot90=rot90, tril=tril, triu=triu, diagonal=diagonal,
     diag_embed=diag_embed, diag=diag, diagflat=diagflat)
bind(tril_=lambda self, diagonal=0: self._inplace(tril, diagonal, name='tril_'),
     triu_=lambda self, diagonal=0: self._inplace(triu, diagonal, name='triu_'),
     t_=lambda self: _inplace_view(self, t(self)),
     transpose_=lambda self, dim0, dim1: _inplace_view(self, transpose(self, dim0, dim1)),
     swapaxes_=lambda self, a, b: _inplace_view(self, transpose(self, a, b)),
     swapdims_=lambda self, a, b: _inplace_view(self, transpose(self, a, b)),
     squeeze_=lambda self, dim=None: _inplace_view(self, squeeze(self, dim)),
     unsqueeze_=lambda self, dim: _inplace_view(self, unsqueeze(self, dim)))
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.mH = property(_mH)
Tensor.H = property(_H)


def _inplace_view(self, v):
    """t.transpose_(...) and friends: self takes the new view's shape, and its history, in place."""
    if self._req and self.grad_fn is None and is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    self._data, self.grad_fn, self._nr = v._data, v.grad_fn, v._nr
    if self._view is not None:   # still a view of the same base, through one more movement
        self._view = v._view
    return self


# methods only in torch (there is no torch.view or torch.expand)
def _unfold(self, dimension, size, step):
    """Tensor.unfold: all slices of `size` elements along `dimension`, `step` apart, as a new last dim."""
    d = _wrap_dim(dimension, self.ndim, 'unfold')
    n = self.shape[d] if self.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    x = self if self.ndim else self.reshape(1)
    out = Unfold.apply(x, d=d, size=size, step=step)
    out = _view_of(x, out, lambda xp, a: _unfold(a, d, size, step) if isinstance(a, Tensor) else
                   xp.lib.stride_tricks.sliding_window_view(a, size, axis=d, writeable=a.flags.writeable)[
                       (slice(None),) * d + (slice(None, None, step),)])
    return out if self.ndim else out.reshape(size)


class Unfold(Op):
    """Tensor.unfold as torch lays it out: a strided view whose window dim keeps `dimension`'s place (stride
    step * stride) and whose new last dim walks the window (stride of `dimension`). Overlapping windows
    accumulate their gradients."""
    __slots__ = ('idx', 'shape', 'd')

    def forward(self, xp, a, d, size, step):
        n = a.shape[d]
        self.shape, self.d = a.shape, d
        self.idx = (slice(None),) * d + (xp.arange(0, n - size + 1, step)[:, None] + xp.arange(size)[None, :],)
        # writeable like torch's view (NumPy's default guards against overlapping windows)
        win = xp.lib.stride_tricks.sliding_window_view(a, size, axis=d, writeable=a.flags.writeable)
        return win[(slice(None),) * d + (slice(None, None, step),)]

    def backward(self, xp, g):
        # a[idx] puts (n_windows, size) at `dimension`; unfold has size last
        return xp.add_at(xp.zeros(self.shape, g.dtype), self.idx, xp.moveaxis(g, -1, self.d + 1))

    @classmethod
    def name(cls):
        return 'UnfoldBackward0'


bind(unfold=_unfold)



# --- torch's odds and ends: h/v/dsplit, block_diag, cartesian_prod, combinations, *_scatter, as_strided ---
def _directional_split(name, input, indices_or_sections, least, dim):
    input = _tensor(input, name)
    if input.ndim < least:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {least} dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    if isinstance(indices_or_sections, int):
        n = input._data.shape[dim]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {n} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """torch.hsplit: tensor_split along dim 1 (dim 0 for 1-D tensors); an int must divide that dim evenly."""
    return _directional_split('hsplit', input, indices_or_sections, 1,
                              1 if isinstance(input, Tensor) and input.ndim > 1 else 0)


def vsplit(input, indices_or_sections):
    """torch.vsplit: tensor_split along dim 0 of a tensor with at least 2 dims."""
    return _directional_split('vsplit', input, indices_or_sections, 2, 0)


def dsplit(input, indices_or_sections):
    """torch.dsplit: tensor_split along dim 2 of a tensor with at least 3 dims."""
    return _directional_split('dsplit', input, indices_or_sections, 3, 2)


def split_with_sizes(input, split_sizes, dim=0):
    """torch.split_with_sizes: split into pieces of the given sizes along dim (views)."""
    if not isinstance(split_sizes, (tuple, list)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return split(input, list(split_sizes), dim)


def block_diag(*tensors):
    """torch.block_diag: the given tensors (0-, 1- or 2-D) as the blocks of a block diagonal matrix."""
    tensors = _tensor_list(list(tensors), 'block_diag')
    mats = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        mats.append(reshape(t, (1, -1) if t.ndim == 1 else (1, 1)) if t.ndim < 2 else t)
    if not mats:
        return _wrap(_default_xp().zeros((1, 0), _dtype._default[0].np), None)
    dt = _common_dtype(mats)
    width = sum(m._data.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        w = m._data.shape[1]
        rows.append(Pad.apply(cast(m, dt), widths=((0, 0), (left, width - left - w))))
        left += w
    return cat(rows, 0)


def _default_xp():
    from ..backend import numpy_backend
    return numpy_backend


def cartesian_prod(*tensors):
    """torch.cartesian_prod: the Cartesian product of 1-D tensors, one row per combination
    (like itertools.product); a single tensor is returned as it is."""
    tensors = _tensor_list(list(tensors), 'cartesian_prod')
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing='ij')
    return stack([flatten(g) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """torch.combinations: the length-r combinations of the elements of a 1-D tensor (like
    itertools.combinations, or combinations_with_replacement), one per row."""
    import itertools
    from .indexing import __getitem__ as _getitem
    input = _tensor(input, 'combinations')
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(input._data[:0].copy(), None)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    xp = xp_of(input._data)
    idx = xp.asarray(list(pick(range(input._data.shape[0]), r)), dtype='int64').reshape(-1, r)
    return _getitem(input, idx)


def _sum_to_size(self, *size):
    """Tensor.sum_to_size: sum this tensor down to size, which must be broadcastable to its shape."""
    size = _sizes(size, 'sum_to_size')
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    keep = tuple(lead + i for i, (s, n) in enumerate(zip(size, shape[lead:])) if s == 1 and n != 1)
    out = self
    if keep:
        out = out.sum(keep, keepdim=True)
    if lead:
        out = out.sum(tuple(range(lead)))
    return out


def _fill_diagonal_(self, fill_value, wrap=False):
    """Tensor.fill_diagonal_: fill the main diagonal (all dims equal, or any 2-D shape) with fill_value;
    with wrap, a tall matrix's diagonal starts again after every N + 1 rows."""
    from .elementwise import where
    a = self._data
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    xp = xp_of(a)
    mask = xp.zeros(a.shape, bool)
    if a.ndim == 2:
        n, m = a.shape
        flat = mask.reshape(-1)
        stop = n * m if wrap else min(n, m) * m
        flat[0:stop:m + 1] = True
    else:
        k = xp.arange(a.shape[0])
        mask[(k,) * a.ndim] = True
    fill = xp.asarray(fill_value, dtype=a.dtype)
    return self._inplace(lambda s: where(_wrap(mask, xp), _wrap(fill, xp), s), name='fill_diagonal_')


class ScatterView(Op):
    """input with src written into one of its views (a slice, a selected index, a diagonal). The gradient
    of input is the gradient outside that view, of src the gradient inside it."""
    __slots__ = ('view', 'mask')

    def forward(self, xp, a, src, view):
        self.view = view
        out = a.copy()
        view(xp, out)[...] = src
        mask = xp.zeros(a.shape, bool)
        view(xp, mask)[...] = True
        self.mask = mask
        return out

    def backward(self, xp, g):
        na, ns = self.needs
        return (xp.where(self.mask, 0, g) if na else None), (self.view(xp, g) if ns else None)


def _scatter_into(op, input, src, view, view_shape):
    input = _tensor(input, op)
    src = _tensor(src, op, 'src')
    if tuple(src.shape) != tuple(view_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view_shape)}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): expected src to have the same dtype as self ({input.dtype}), "
                           f"got {src.dtype}")
    return ScatterView.apply(input, src, view=view)


def _index_view(idx):
    return lambda xp, a: a[idx]


def select_scatter(input, src, dim, index):
    """torch.select_scatter: input with src embedded at index along dim (src has one dim fewer)."""
    input = _tensor(input, 'select_scatter')
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    ax = _wrap_dim(dim, input.ndim, 'select_scatter')
    n = input._data.shape[ax]
    index = operator.index(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {ax}")
    idx = (slice(None),) * ax + (index % n,)
    return _scatter_into('select_scatter', input, src, _index_view(idx), input._data[idx].shape)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """torch.slice_scatter: input with src embedded at input[..., start:end:step, ...] along dim."""
    input = _tensor(input, 'slice_scatter')
    ax = _wrap_dim(dim, max(input.ndim, 1), 'slice_scatter')
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    idx = (slice(None),) * ax + (slice(start, end, step),)
    return _scatter_into('slice_scatter', input, src, _index_view(idx), input._data[idx].shape)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """torch.diagonal_scatter: input with src embedded on its diagonal (as torch.diagonal picks it)."""
    input = _tensor(input, 'diagonal_scatter')
    n = input.ndim
    d1, d2 = _wrap_dim(dim1, n, 'diagonal_scatter'), _wrap_dim(dim2, n, 'diagonal_scatter')
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = operator.index(offset)
    view = lambda xp, a: _writable(xp.diagonal(a, offset, d1, d2))   # noqa: E731
    return _scatter_into('diagonal_scatter', input, src, view,
                         xp_of(input._data).diagonal(input._data, offset, d1, d2).shape)


class AsStrided(Op):
    """A strided window on the input's storage. The gradient scatter-adds into a storage-sized buffer at
    each output element's storage position (overlapping windows accumulate), then reads it back at the
    input's own positions."""
    __slots__ = ('out_pos', 'in_pos', 'extent')

    def forward(self, xp, a, out, out_pos, in_pos, extent):
        self.out_pos, self.in_pos, self.extent = out_pos, in_pos, extent
        return out

    def backward(self, xp, g):
        buf = xp.add_at(xp.zeros((self.extent,), g.dtype), self.out_pos, xp.reshape(g, (-1,)))
        return buf[self.in_pos]

    @classmethod
    def name(cls):
        return 'AsStridedBackward0'


def _storage_root(a):
    root = a
    while root.base is not None and hasattr(root.base, '__array_interface__'):
        root = root.base
    return root


def _positions(xp, shape, strides, offset):
    """Storage position of every element of a strided layout."""
    pos = xp.full(tuple(shape), offset, dtype='int64')
    for d, (n, s) in enumerate(zip(shape, strides)):
        pos = pos + (xp.arange(n, dtype='int64') * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def as_strided(input, size, stride, storage_offset=None):
    """torch.as_strided: a view of input's storage with the given size, stride (in elements) and
    storage_offset (input's own by default). Overlapping views are allowed; their gradients accumulate."""
    input = _tensor(input, 'as_strided')
    a = input._data
    size, stride = tuple(operator.index(s) for s in size), tuple(operator.index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"as_strided: Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    xp = xp_of(a)
    root = _storage_root(a)
    item = a.itemsize
    root_start = root.__array_interface__['data'][0]
    own_offset = (a.__array_interface__['data'][0] - root_start) // item
    offset = own_offset if storage_offset is None else operator.index(storage_offset)
    storage = root.nbytes // item
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > storage:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {need * item} are out of bounds for "
                           f"storage of size {storage * item}")
    flat = xp.frombuffer(root, dtype=a.dtype) if root.flags.c_contiguous else root.reshape(-1)
    out = xp.lib.stride_tricks.as_strided(flat[offset:] if offset < flat.shape[0] else flat[:0],
                                          shape=size, strides=tuple(s * item for s in stride))
    if not input._req:
        return _view_of(input, _wrap(out, xp), _as_strided_fn(size, stride, storage_offset))
    in_strides = tuple(s // item for s in a.strides)
    res = AsStrided.apply(input, out, out_pos=_positions(xp, size, stride, offset).reshape(-1),
                          in_pos=_positions(xp, a.shape, in_strides, own_offset), extent=storage)
    return _view_of(input, res, _as_strided_fn(size, stride, storage_offset))


def _as_strided_fn(size, stride, storage_offset):
    return lambda xp, a: as_strided(a, size, stride, storage_offset) if isinstance(a, Tensor) else \
        xp.lib.stride_tricks.as_strided(a.reshape(-1)[storage_offset or 0:], shape=size,
                                        strides=tuple(s * a.itemsize for s in stride))


# --- statistics of rows and columns: renorm, dist, cov, corrcoef ---------------------------------------
def renorm(input, p, dim, maxnorm):
    """torch.renorm: each sub-tensor along dim whose p-norm exceeds maxnorm is scaled to norm maxnorm."""
    from .reduction import norm
    from .elementwise import where, mul, div, add
    input = _tensor(input, 'renorm')
    if input.dtype.kind not in 'fc':
        raise RuntimeError(f"renorm: expected a floating point or complex tensor, got {input.dtype}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    ax = _wrap_dim(dim, input.ndim, 'renorm')
    others = tuple(d for d in range(input.ndim) if d != ax)
    nrm = norm(input, p, others, keepdim=True)
    if nrm._data.dtype.kind == 'c':
        nrm = nrm.real
    factor = where(nrm > maxnorm, div(maxnorm, add(nrm, 1e-7)), 1.0)
    return mul(input, factor)


def _renorm_(self, p, dim, maxnorm):
    return self._inplace(renorm, p, dim, maxnorm, name='renorm_')


def dist(input, other, p=2):
    """torch.dist: the p-norm of input - other (broadcast)."""
    from .reduction import norm
    from .elementwise import sub
    input = _tensor(input, 'dist')
    other = _tensor(other, 'dist', 'other')
    return norm(sub(input, other), float(p) if not isinstance(p, str) else p)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """torch.cov: the covariance matrix of the variables in the rows of input (observations in columns);
    fweights are integer frequency weights, aweights observation weights."""
    from .reduction import sum as _sum, mean as _mean
    from .elementwise import mul, div, sub, conj, clamp
    from .blas import matmul
    input = _tensor(input, 'cov')
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                         f"{input.ndim} dimensions")
    x = reshape(input, (1, -1)) if input.ndim < 2 else input
    if x._data.dtype.kind in 'biu':
        x = cast(x, _dtype._default[0])
    n = x._data.shape[1]
    w = None
    for name, wt in (('fweights', fweights), ('aweights', aweights)):
        if wt is None:
            continue
        wt = _tensor(wt, 'cov', name)
        if wt.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                             f"{wt.ndim} dimensions")
        if wt._data.size != n:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                             f"input but got {wt._data.size} != {n}")
        if name == 'fweights' and wt._data.dtype.kind not in 'iu':
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights with "
                             f"{_type_label(wt)} dtype")
        if name == 'aweights' and wt.dtype.kind not in 'f':
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got aweights with "
                             f"{_type_label(wt)} dtype")
        if (wt._data < 0).any():
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else mul(w, wt)
    if w is None:
        avg = _mean(x, 1)
        w_sum = n
        factor = n - correction
    else:
        w_sum = _sum(w)
        avg = div(_sum(mul(x, w), 1), w_sum)
        if correction == 0:
            factor = w_sum
        elif aweights is None:
            factor = sub(w_sum, correction)
        else:
            factor = sub(w_sum, div(mul(_sum(mul(w, aweights)), correction), w_sum))
    if isinstance(factor, Tensor):
        factor = clamp(factor, min=0)
    elif factor <= 0:
        import warnings
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", RuntimeWarning)
        factor = 0
    xm = sub(x, unsqueeze(avg, 1))
    xw = xm if w is None else mul(xm, w)
    c = div(matmul(xw, conj(transpose(xm, 0, 1))), factor)
    return squeeze(c)


def _type_label(t):
    return str(t.dtype).replace('torch.', '').capitalize()


def corrcoef(input):
    """torch.corrcoef: the Pearson correlation coefficients of the variables in the rows of input."""
    from .elementwise import div, sqrt, clamp, real, imag
    c = cov(input)
    if c.ndim == 0:
        return div(c, c)
    d = diagonal(c)
    sd = sqrt(d.real if d._data.dtype.kind == 'c' else d)
    c = div(div(c, unsqueeze(sd, 1)), unsqueeze(sd, 0))
    if c._data.dtype.kind == 'c':
        from .complex import complex as make_complex
        return make_complex(clamp(real(c), -1, 1), clamp(imag(c), -1, 1))
    return clamp(c, -1, 1)


bind(hsplit=hsplit, vsplit=vsplit, dsplit=dsplit, split_with_sizes=split_with_sizes, sum_to_size=_sum_to_size,
     fill_diagonal_=_fill_diagonal_, diagonal_scatter=diagonal_scatter, select_scatter=select_scatter,
     slice_scatter=slice_scatter, as_strided=as_strided, renorm=renorm, renorm_=_renorm_, dist=dist,
     cov=cov, corrcoef=corrcoef)


__all__ = [n for n in public_names(globals(), __name__)
           if n not in ('sum_to_size', 'fill_diagonal_', 'view', 'view_as', 'reshape_as', 'expand', 'expand_as', 'contiguous', 'repeat')]
