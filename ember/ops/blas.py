"""Matrix products: matmul and its 2-D, batched and vector forms, the fused add* forms, einsum,
tensordot, kron and cross. Forward and backward side by side.

matmul-like products never promote (torch raises on mixed dtypes); outer, kron and addr promote
because torch computes them elementwise. Three ops carry the gradients: `Matmul` (two GEMMs at most,
one per input that needs a gradient, on transposed views rather than contiguous copies), `Einsum`
(each operand's gradient is one einsum with the equation rewritten) and `AddScaled` (beta and alpha of
the add* forms). Half-precision products are computed in float32 and rounded once, as torch's CPU
kernels accumulate: NumPy has no fast float16 GEMM and no bfloat16 einsum.
"""
import math
import warnings
from .. import _dtype
from .._dtype import _FROM_NP, result_type
from ..tensor import Tensor, cast
from ..autograd.graph import Op, renamed
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.graph_xp import register
from ._util import bind, public_names, as_tensor_arg, promote, dims as _norm_dims
from ..amp import _state as _amp   # autocast: one flag test per call while it is off

_F32 = _dtype.float32.np
_LOW = (_dtype.float16.np, _dtype.bfloat16.np)
_BOOL = _dtype.bool_.np

# How torch's C++ kernels name dtypes in their error messages.
_CPP = {'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float', 'float64': 'double',
        'int8': 'signed char', 'uint8': 'unsigned char', 'int16': 'short int', 'int32': 'int', 'int64': 'long int',
        'bool': 'bool', 'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>'}
_SCALAR = {'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float', 'float64': 'Double', 'int8': 'Char',
           'uint8': 'Byte', 'int16': 'Short', 'int32': 'Int', 'int64': 'Long', 'bool': 'Bool',
           'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _cpp(t):
    return _CPP[_FROM_NP[t._data.dtype].name]


def _scalar(t):
    return _SCALAR[_FROM_NP[t._data.dtype].name]


def _tensor(x, op, argname):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{argname}' must be Tensor, not {type(x).__name__}")


def _no_bool(t, kernel):
    if t._data.dtype == _BOOL:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _same_dtype(a, b, msg):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(msg)


def _shape_str(s):
    return 'x'.join(str(n) for n in s)


def _matmul_mismatch(sa, sb, k1, k2):
    """torch's message for matmul's inner sizes not matching, which names the kernel matmul folds the
    operands into: dot, mv, mm (leading dimensions of the first folded into rows) or bmm."""
    rows = math.prod(sa[:-1])
    if len(sa) == 1 and len(sb) == 1:
        msg = (f"inconsistent tensor size, expected tensor [{k1}] and src [{k2}] to have the same number of "
               f"elements, but got {k1} and {k2} elements respectively")
    elif len(sb) == 1:
        msg = f"size mismatch, got input ({rows}), mat ({rows}x{k1}), vec ({k2})"
    elif len(sb) == 2:
        msg = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k1} and {_shape_str(sb)})"
    else:
        batch = math.prod(_broadcast_shapes(sa[:-2], sb[:-2], 'matmul'))
        msg = (f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k1}] but got: "
               f"[{batch}, {k2}].")
    return 'matmul: ' + msg


def _broadcast_shapes(sa, sb, op):
    """The broadcast of two shapes (torch's message when they do not broadcast)."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"{op}: The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
        out.append(x if y == 1 else y)
    return tuple(out)


def _check_expand(shape, target, op):
    """input of the add* forms must broadcast to the product's shape (torch expands it)."""
    if len(shape) > len(target):
        raise RuntimeError(f"{op}: expand(size={list(target)}): the number of sizes provided ({len(target)}) must be "
                           f"greater or equal to the number of dimensions in the tensor ({len(shape)})")
    for i in range(1, len(shape) + 1):
        if shape[-i] != target[-i] and shape[-i] != 1:
            raise RuntimeError(f"{op}: the expanded size of the tensor ({target[-i]}) must match the existing size "
                               f"({shape[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _into(res, out, op):
    """torch's out= argument: the result written into `out` (resized when its shape differs)."""
    if out is None:
        return res
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (res._req or out._req):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if out._data.dtype != res._data.dtype:
        raise RuntimeError(f"{op}: expected out tensor to have dtype {res.dtype}, but got {out.dtype} instead")
    if out._data.shape == res._data.shape:
        out._data[...] = res._data
    else:
        out._data = res._data
    out._vc[0] += 1
    return out


# --- matmul ----------------------------------------------------------------------------------------------
class Matmul(Op):
    """numpy.matmul's semantics (1-D operands, broadcast batch dims); torch's matmul, mm, bmm, mv and dot."""
    __slots__ = ('low', 'cplx')

    def forward(self, xp, a, b):
        self.saved = (a, b)
        self.cplx = a.dtype.kind == 'c'
        self.low = a.dtype if a.dtype in _LOW else None   # the half dtype, computed in float32
        return self._mm(xp, a, b)

    def _mm(self, xp, a, b):
        if b.ndim == 2 and a.ndim > 2:
            # A batch of matrices times one matrix: one GEMM over the flattened batch. NumPy would loop
            # over the batch, and a strided stack misses BLAS altogether ((64,16,128) @ (128,384) with
            # a seq-first view: 2.3 ms -> 0.8 ms).
            out = self._mm(xp, xp.reshape(a, (-1, a.shape[-1])), b)
            return xp.reshape(out, tuple(a.shape[:-1]) + (b.shape[-1],))
        if self.low is not None:
            return xp.astype(xp.matmul(xp.astype(a, _F32), xp.astype(b, _F32)), self.low)
        return xp.matmul(a, b)

    def _ein(self, xp, eq, a, b):
        if self.low is not None:
            return xp.astype(xp.einsum(eq, xp.astype(a, _F32), xp.astype(b, _F32), optimize=True), self.low)
        return xp.einsum(eq, a, b, optimize=True)

    def backward(self, xp, g):
        a, b = self.saved
        na, nb = self.needs
        if self.cplx:   # torch's convention: the gradient of a @ b is g @ b^H
            a, b = (xp.conj(a) if nb else a), (xp.conj(b) if na else b)
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if na else None), (g * a if nb else None)
        if a.ndim == 1:      # (k,) @ (..., k, n) -> (..., n)
            if na:
                ga = self._mm(xp, b, g) if b.ndim == 2 else self._ein(xp, '...kn,...n->...k', b, g)
            if nb:
                gb = self._ein(xp, 'k,...n->...kn', a, g)
        elif b.ndim == 1:    # (..., m, k) @ (k,) -> (..., m)
            if na:
                ga = self._ein(xp, '...m,k->...mk', g, b)
            if nb:
                # Batched a: one GEMV over the flattened batch instead of a GEMV per matrix and a sum.
                gb = self._mm(xp, g, a) if a.ndim == 2 else \
                    self._mm(xp, xp.reshape(g, (-1,)), xp.reshape(a, (-1, a.shape[-1])))
        else:
            if na:
                ga = self._mm(xp, g, xp.swapaxes(b, -1, -2))
            if nb:
                if b.ndim == 2 and a.ndim > 2:
                    # A batch times one matrix (nn.Linear on 3-D input): one GEMM over the flattened batch.
                    k, n = a.shape[-1], g.shape[-1]
                    gb = self._mm(xp, xp.swapaxes(xp.reshape(a, (-1, k)), 0, 1), xp.reshape(g, (-1, n)))
                else:
                    gb = self._mm(xp, xp.swapaxes(a, -1, -2), g)
        return ga, gb

    @classmethod
    def name(cls):
        return 'MmBackward0'


def _dtype_pair_msg(a, b):
    return f"expected m1 and m2 to have the same dtype, but got: {_cpp(a)} != {_cpp(b)}"


def matmul(input, other, *, out=None):
    """torch.matmul: matrix product of two tensors.

    1-D x 1-D is a dot product (0-d result); 2-D x 2-D a matrix product; a 1-D first argument is
    treated as a row vector and a 1-D second argument as a column vector (the added dimension removed
    afterwards); with more than 2 dimensions the leading (batch) dimensions broadcast."""
    a = _tensor(input, 'matmul', 'input')
    b = other if isinstance(other, Tensor) else as_tensor_arg(other, 'matmul')
    if _amp.cpu_on: a, b = _amp.lower(a, b)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(_dtype_pair_msg(a, b))
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and "
                           f"{len(sb)}D")
    k1, k2 = sa[-1], sb[-2] if len(sb) > 1 else sb[0]
    if len(sb) > 2:   # torch checks that batch dimensions broadcast before the inner sizes
        _broadcast_shapes(sa[:-2], sb[:-2], 'matmul')
    if k1 != k2:
        raise RuntimeError(_matmul_mismatch(sa, sb, k1, k2))
    _no_bool(a, 'addmm_impl_cpu_')
    res = Matmul.apply(a, b)
    if len(sa) != 2 or len(sb) != 2:   # 2-D @ 2-D keeps Matmul's own name (MmBackward0): no rename on the hot path
        res = renamed(res, _matmul_name(len(sa), len(sb)))
    return _into(res, out, 'matmul')


def _matmul_name(na, nb):
    """The node torch's matmul ends with for these operand ranks (it folds to mm/mv/dot and views)."""
    if na <= 2 and nb <= 2:
        return ('DotBackward0', 'SqueezeBackward4', 'MvBackward0')[2 * (na - 1) + nb - 1]
    return 'CloneBackward0' if na == 2 and nb > 2 else 'UnsafeViewBackward0'


def _rmatmul(self, other):
    return matmul(as_tensor_arg(other, 'matmul', 'input'), self)


def mm(input, mat2, *, out=None):
    """torch.mm: matrix product of input (n x m) and mat2 (m x p), an (n x p) tensor. No broadcasting."""
    a, b = _tensor(input, 'mm', 'input'), _tensor(mat2, 'mm', 'mat2')
    if _amp.cpu_on: a, b = _amp.lower(a, b)
    if a.ndim != 2:
        raise RuntimeError(f"mm: self must be a matrix, got a {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mm: mat2 must be a matrix, got a {b.ndim}-D tensor")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(_dtype_pair_msg(a, b))
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mm: mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    _no_bool(a, 'addmm_impl_cpu_')
    return _into(Matmul.apply(a, b), out, 'mm')


def _check_bmm(a, b, op):
    if a.ndim != 3:
        raise RuntimeError(f"{op}: batch1 must be a 3D tensor, got a {a.ndim}-D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"{op}: batch2 must be a 3D tensor, got a {b.ndim}-D tensor")
    sa, sb = a.shape, b.shape
    if op != 'bmm' and sa[0] != sb[0]:
        raise RuntimeError(f"{op}: batch1 and batch2 must have same number of batches, got {sa[0]} and {sb[0]}")
    if (sb[0], sb[1]) != (sa[0], sa[2]):
        raise RuntimeError(f"{op}: expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")


def bmm(input, mat2, *, out=None):
    """torch.bmm: batch matrix product of input (b x n x m) and mat2 (b x m x p), a (b x n x p) tensor.
    No broadcasting."""
    a, b = _tensor(input, 'bmm', 'input'), _tensor(mat2, 'bmm', 'mat2')
    if _amp.cpu_on: a, b = _amp.lower(a, b)
    _check_bmm(a, b, 'bmm')
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"bmm: expected scalar type {_scalar(a)} but found {_scalar(b)}")
    _no_bool(a, 'bmm')
    return _into(renamed(Matmul.apply(a, b), 'BmmBackward0'), out, 'bmm')


def _check_mv(m, v, op):
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"{op}: vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(f"{op}: size mismatch, got input ({m.shape[0]}), mat ({_shape_str(m.shape)}), "
                           f"vec ({v.shape[0]})")


def mv(input, vec, *, out=None):
    """torch.mv: matrix-vector product of input (n x m) and vec (m), a tensor of size n."""
    m, v = _tensor(input, 'mv', 'input'), _tensor(vec, 'mv', 'vec')
    _check_mv(m, v, 'mv')
    if m._data.dtype != v._data.dtype:
        raise RuntimeError(f"mv: expected mat and vec to have the same dtype, but got {_scalar(m)} and "
                           f"{_scalar(v)}")
    _no_bool(m, 'addmv_impl_cpu')
    return _into(renamed(Matmul.apply(m, v), 'MvBackward0'), out, 'mv')


def _check_dot(a, b, op):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{op}: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"{op}: inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and "
                           f"{b.shape[0]} elements respectively")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op} : expected both vectors to have same dtype, but found {_scalar(a)} and "
                           f"{_scalar(b)}")
    _no_bool(a, op)


def dot(input, tensor, *, out=None):
    """torch.dot: dot product of two 1-D tensors (no broadcasting)."""
    a, b = _tensor(input, 'dot', 'input'), _tensor(tensor, 'dot', 'tensor')
    _check_dot(a, b, 'dot')
    return _into(renamed(Matmul.apply(a, b), 'DotBackward0'), out, 'dot')


class Vdot(Op):
    """sum(conj(a) * b) for complex vectors (real vectors go through dot)."""
    __slots__ = ()

    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.vdot(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        na, nb = self.needs
        return (xp.conj(g) * b if na else None), (g * a if nb else None)


def vdot(input, other, *, out=None):
    """torch.vdot: dot product of two 1-D tensors, conjugating the first one (no broadcasting)."""
    a, b = _tensor(input, 'vdot', 'input'), _tensor(other, 'vdot', 'other')
    _check_dot(a, b, 'vdot')
    if a._data.dtype.kind != 'c':
        return _into(Matmul.apply(a, b), out, 'vdot')
    return _into(Vdot.apply(a, b), out, 'vdot')


# --- the add* forms: beta * input + alpha * product ----------------------------------------------------
class AddScaled(Op):
    """beta * input + alpha * product, with input broadcast to the product's shape. beta = 0 ignores
    input entirely (nan and inf in it do not propagate), as torch's add* functions do."""
    __slots__ = ('beta', 'alpha')

    def forward(self, xp, inp, prod, beta, alpha):
        self.beta, self.alpha = beta, alpha
        if prod.dtype == _BOOL:
            p = prod if alpha else xp.zeros_like(prod)
            return xp.logical_or(p, inp) if beta else p
        if alpha != 1:
            prod = prod * xp.asarray(alpha, prod.dtype)
        if beta == 0:
            return prod
        if beta != 1:
            inp = inp * xp.asarray(beta, inp.dtype)
        return inp + prod

    def backward(self, xp, g):
        ni, np_ = self.needs
        b, a = self.beta, self.alpha
        return ((g if b == 1 else g * b) if ni else None), ((g if a == 1 else g * a) if np_ else None)


def _scale(v, dt, name, op, allow_float_for_int):
    """beta/alpha in the product's dtype family: integer tensors take integer scales (torch truncates, or
    refuses for addr); bool tensors take truthiness."""
    if isinstance(v, Tensor):
        v = v.item()
    if dt.kind == 'b':
        return bool(v)
    if dt.kind in 'iu':
        if isinstance(v, float) or isinstance(v, complex):
            if not allow_float_for_int:
                raise RuntimeError(f"{op}: for integral input tensors, argument {name} must not be a floating "
                                   "point number.")
            return int(v.real)
        return int(v)
    if isinstance(v, complex) and dt.kind != 'c':
        raise RuntimeError(f"{op}: value cannot be converted to type {_CPP[_FROM_NP[dt].name]} without overflow")
    return v


def _add_scaled(inp, prod, beta, alpha, op, allow_float_for_int=True):
    dt = prod._data.dtype
    _check_expand(inp._data.shape, prod._data.shape, op)
    beta = _scale(beta, dt, 'beta', op, allow_float_for_int)
    alpha = _scale(alpha, dt, 'alpha', op, allow_float_for_int)
    return AddScaled.apply(inp, prod, beta=beta, alpha=alpha)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """torch.addmm: beta * input + alpha * (mat1 @ mat2); input broadcasts to the (n x p) result.
    With beta = 0, input is ignored (nan and inf in it are not propagated)."""
    inp = _tensor(input, 'addmm', 'input')
    a, b = _tensor(mat1, 'addmm', 'mat1'), _tensor(mat2, 'addmm', 'mat2')
    if _amp.cpu_on: inp, a, b = _amp.lower(inp, a, b)
    for t, n in ((a, 'mat1'), (b, 'mat2')):
        if t.ndim != 2:
            raise RuntimeError(f"addmm: {n} must be a matrix, got {t.ndim}-D tensor")
    if a._data.dtype != b._data.dtype or inp._data.dtype != a._data.dtype:
        x, y = (inp, a) if inp._data.dtype != a._data.dtype else (a, b)
        raise RuntimeError(f"addmm: self and mat2 must have the same dtype, but got {_scalar(x)} and {_scalar(y)}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    _no_bool(a, 'addmm_impl_cpu_')
    return _into(_add_scaled(inp, Matmul.apply(a, b), beta, alpha, 'addmm'), out, 'addmm')


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """torch.addmv: beta * input + alpha * (mat @ vec); input broadcasts to the result's size n."""
    inp = _tensor(input, 'addmv', 'input')
    m, v = _tensor(mat, 'addmv', 'mat'), _tensor(vec, 'addmv', 'vec')
    if inp.ndim > 1:
        raise RuntimeError(f"addmv: vector + matrix @ vector expected, got {inp.ndim}, {m.ndim}, {v.ndim}")
    _check_mv(m, v, 'addmv')
    if not inp._data.dtype == m._data.dtype == v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_scalar(inp)}, {_scalar(m)}, "
                           f"and {_scalar(v)}")
    _no_bool(m, 'addmv_impl_cpu')
    return _into(_add_scaled(inp, Matmul.apply(m, v), beta, alpha, 'addmv'), out, 'addmv')


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """torch.addr: beta * input + alpha * outer(vec1, vec2); the tensors promote to a common dtype.
    For bool tensors it is (beta and input) or (alpha and outer(vec1, vec2))."""
    inp = _tensor(input, 'addr', 'input')
    v1, v2 = _tensor(vec1, 'addr', 'vec1'), _tensor(vec2, 'addr', 'vec2')
    for t, n in ((v1, 'vec1'), (v2, 'vec2')):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {n}, but got {t.ndim}-D")
    dt = result_type(inp, v1, v2)
    inp, v1, v2 = cast(inp, dt), cast(v1, dt), cast(v2, dt)
    return _into(_add_scaled(inp, _outer(v1, v2), beta, alpha, 'addr', allow_float_for_int=False), out, 'addr')


def _check_add_batched(inp, a, b, op):
    _check_bmm(a, b, op)
    if not inp._data.dtype == a._data.dtype == b._data.dtype:
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"{op}: expected scalar type {_scalar(a)} but found {_scalar(b)}")
        raise RuntimeError(f"{op}: input dtypes must be the same, got: input {_cpp(inp)}, batch1: {_cpp(a)}, "
                           f"batch2: {_cpp(b)}")
    _no_bool(a, op)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2); input broadcasts to (b x n x p)."""
    inp = _tensor(input, 'baddbmm', 'input')
    a, b = _tensor(batch1, 'baddbmm', 'batch1'), _tensor(batch2, 'baddbmm', 'batch2')
    if _amp.cpu_on: inp, a, b = _amp.lower(inp, a, b)
    _check_add_batched(inp, a, b, 'baddbmm')
    return _into(_add_scaled(inp, Matmul.apply(a, b), beta, alpha, 'baddbmm'), out, 'baddbmm')


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.addbmm: beta * input + alpha * sum_i(batch1[i] @ batch2[i]); input broadcasts to (n x p)."""
    inp = _tensor(input, 'addbmm', 'input')
    a, b = _tensor(batch1, 'addbmm', 'batch1'), _tensor(batch2, 'addbmm', 'batch2')
    if _amp.cpu_on: inp, a, b = _amp.lower(inp, a, b)
    _check_add_batched(inp, a, b, 'addbmm')
    # One contraction over (batch, inner) pairs: a single GEMM instead of b of them plus a sum.
    prod = Einsum.apply(a, b, subs=('abc', 'acd'), out='bd')
    return _into(_add_scaled(inp, prod, beta, alpha, 'addbmm'), out, 'addbmm')


# --- einsum ----------------------------------------------------------------------------------------------
_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


class Einsum(Op):
    """numpy.einsum over canonical subscripts (one letter per dimension label, every label's size the
    same in every operand: the public function renames size-1 dims that torch broadcasts).

    The gradient of operand i is one einsum of g with the other operands, written out to operand i's
    subscripts. Labels of operand i that appear nowhere else (summed out in the forward) come back
    through a ones operand; a repeated label (a diagonal) gets a fresh output letter tied to the first
    by an identity matrix, so the gradient lands on the diagonal and is zero elsewhere."""
    __slots__ = ('subs', 'out', 'shapes', 'dt', 'low', 'cplx', 'axp')

    def forward(self, xp, *ops, subs, out):
        self.subs, self.out = subs, out
        self.shapes = tuple(o.shape for o in ops)
        self.saved = ops
        self.axp = xp
        self.dt = ops[0].dtype
        self.cplx = self.dt.kind == 'c'
        self.low = self.dt in _LOW
        eq = ','.join(subs) + '->' + out
        if self.low:
            return xp.einsum(eq, *(o.astype(_F32) for o in ops), optimize=True).astype(ops[0].dtype)
        r = xp.einsum(eq, *ops, optimize=True)
        if len(ops) == 1 and xp.may_share_memory(r, ops[0]):
            r = r.copy()   # a permutation or diagonal of the input: never alias the operand's storage
        if len(ops) == 2 and r.ndim > 1:
            r = _pair_layout(xp, r, subs, out)
        return r

    def backward(self, xp, g):
        ops = self.saved
        return tuple(self._grad(xp, g, ops, i) if need else None for i, need in enumerate(self.needs))

    def _grad(self, xp, g, ops, i):
        subs, target, shape = self.subs, self.subs[i], self.shapes[i]
        dt = _F32 if self.low else self.dt   # of the constant eye/ones operands
        terms = [self.out]
        arrays = [g]
        for j, o in enumerate(ops):
            if j != i:
                terms.append(subs[j])
                arrays.append(xp.conj(o) if self.cplx else o)
        if self.low:
            arrays = [xp.astype(a, _F32) for a in arrays]
        present = set(''.join(terms))
        fresh = iter(c for c in _LETTERS if c not in present and c not in target)
        out, missing, missing_sizes = [], [], []
        for pos, c in enumerate(target):
            if c in out:
                f = next(fresh)
                terms.append(c + f)
                arrays.append(self.axp.eye(shape[pos], dtype=dt))
                out.append(f)
            else:
                out.append(c)
                if c not in present:
                    missing.append(c)
                    missing_sizes.append(shape[pos])
        if missing:
            terms.append(''.join(missing))
            arrays.append(self.axp.ones(tuple(missing_sizes), dtype=dt))
        r = xp.einsum(','.join(terms) + '->' + ''.join(out), *arrays, optimize=True)
        return xp.astype(r, self.dt) if self.low else r

    @classmethod
    def name(cls):
        return 'EinsumBackward0'


def _invalid_subscript(i):
    return RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, subscripts must "
                        "be in [a-zA-Z]")


def _parse_term(term, start, what):
    """A term's labels as a list, '...' as None; `start` is the term's index in the equation."""
    labels, ell, k = [], False, 0
    while k < len(term):
        c = term[k]
        if c == '.':
            if term[k:k + 3] != '...':
                raise RuntimeError(f"einsum(): found '.' for {what} that is not part of any ellipsis")
            if ell:
                raise RuntimeError(f"einsum(): found '.' for {what} for which an ellipsis was already found")
            ell = True
            labels.append(None)
            k += 3
            continue
        if not ('a' <= c <= 'z' or 'A' <= c <= 'Z'):
            raise _invalid_subscript(start + k)
        labels.append(c)
        k += 1
    return labels


def _pair_layout(xp, r, subs, out):
    """torch's memory layout for a two-operand einsum: a batched product laid out with the batch labels
    (in both operands and the output) outermost, then the output labels of one operand only (the group
    whose first label comes first in the output first), each group in output order; the result is a
    permutation of that buffer (it matters to a later mask drawn in memory order)."""
    order = [k for k, c in enumerate(out) if c in subs[0] and c in subs[1]]
    lo = [k for k, c in enumerate(out) if c not in subs[1]]
    ro = [k for k, c in enumerate(out) if c not in subs[0]]
    order += lo + ro if not ro or (lo and lo[0] < ro[0]) else ro + lo
    mem = xp.transpose(r, order)
    if mem.flags.c_contiguous:
        return r
    return xp.transpose(xp.ascontiguousarray(mem), [order.index(k) for k in range(len(order))])


def _einsum_plan(equation, shapes):
    """Canonical subscripts for Einsum: (subs per operand, output subs). Follows torch's rules for implicit
    output (ellipsis dims, then the labels used once, sorted: uppercase first), ellipsis broadcasting
    and size-1 broadcasting of labelled dims."""
    eq = equation.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    terms = lhs.split(',')
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    parsed, pos = [], 0
    for i, term in enumerate(terms):
        parsed.append(_parse_term(term, pos, f"operand {i}"))
        pos += len(term) + 1
    n_ell = 0
    for i, (labels, shape) in enumerate(zip(parsed, shapes)):
        n = len([c for c in labels if c is not None])
        if None in labels:
            if n > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                                   f"number of dimensions ({len(shape)}) for operand {i}")
            n_ell = max(n_ell, len(shape) - n)
        elif n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {i} and no ellipsis was given")
    # Each operand's dims as keys: a letter, or ('...', k) for the k-th dim of the broadcast ellipsis.
    keyed, sizes = [], {}
    for i, (labels, shape) in enumerate(zip(parsed, shapes)):
        keys = []
        for c in labels:
            if c is None:
                e = len(shape) - (len(labels) - 1)
                keys.extend(('...', k) for k in range(n_ell - e, n_ell))
            else:
                keys.append(c)
        seen = {}
        for d, (key, s) in enumerate(zip(keys, shape)):
            if key in seen and seen[key] != s:
                raise RuntimeError(f"einsum(): subscript {key} is repeated for operand {i} but the sizes don't "
                                   f"match, {s} != {seen[key]}")
            seen[key] = s
            prev = sizes.get(key)
            if prev is None or prev == 1:
                sizes[key] = s
            elif s != prev and s != 1:
                if type(key) is tuple:
                    raise RuntimeError(f"einsum(): dimension {d} covered by ellipsis in operand {i} has size "
                                       f"{s} which does not broadcast with previously seen ellipsis with size "
                                       f"{prev} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {key} has size {s} for operand {i} which does not "
                                   f"broadcast with previously seen size {prev}")
        keyed.append(keys)
    if arrow:
        out_labels = _parse_term(rhs, len(lhs) + 2, 'output')
        out_keys = []
        for c in out_labels:
            if c is None:
                out_keys.extend(('...', k) for k in range(n_ell))
                continue
            if c in out_keys:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
            out_keys.append(c)
    else:
        counts = {}
        for keys in keyed:
            for key in keys:
                if type(key) is str:
                    counts[key] = counts.get(key, 0) + 1
        out_keys = [('...', k) for k in range(n_ell)] + sorted(c for c, n in counts.items() if n == 1)
    letters = iter(_LETTERS)
    names = {}

    def letter(key):
        if key not in names:
            names[key] = next(letters, None)
            if names[key] is None:
                raise RuntimeError("einsum(): too many subscripts in the equation (at most 52 are supported)")
        return names[key]

    subs = []
    for i, (keys, shape) in enumerate(zip(keyed, shapes)):
        s = []
        for key, n in zip(keys, shape):
            # A size-1 dim broadcast against a larger one is independent of that label: give it a
            # label of its own, summed out (size 1), so every label has one size in the einsum.
            s.append(letter(('bcast', i, key)) if n == 1 and sizes[key] != 1 else letter(key))
        subs.append(''.join(s))
    return tuple(subs), ''.join(letter(k) for k in out_keys)


def _sublist_equation(args):
    """torch.einsum(op1, sublist1, op2, sublist2, ..., [sublist_out]) as (equation, operands)."""
    def term(sub):
        s = ''
        for x in sub:
            if x is Ellipsis:
                s += '...'
            elif isinstance(x, int) and 0 <= x < 52:
                s += chr(ord('A') + x) if x < 26 else chr(ord('a') + x - 26)
            else:
                raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, 52), "
                                 f"got {x}")
        return s
    n = len(args) // 2
    eq = ','.join(term(s) for s in args[1:2 * n:2])
    if len(args) % 2:
        eq += '->' + term(args[-1])
    return eq, tuple(args[0:2 * n:2])


def einsum(*args):
    """torch.einsum(equation, *operands): sums the product of the elements of the operands along dimensions
    specified using a notation based on the Einstein summation convention.

    Operands may be given as varargs or as one list; torch's sublist format (op1, [0, 1], op2, [1, 2],
    [0, 2]) works too. Labelled dims of size 1 and ellipsis dims broadcast."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at least one "
                        "operand and its subscripts list")
    if isinstance(args[0], str):
        equation, ops = args[0], args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
    else:
        equation, ops = _sublist_equation(args)
    for k, o in enumerate(ops):
        if not isinstance(o, Tensor):
            raise TypeError(f"einsum(): expected Tensor as element {k} in argument 1, but got {type(o).__name__}")
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    if _amp.cpu_on: ops = _amp.lower(*ops)
    for o in ops[1:]:
        if o._data.dtype != ops[0]._data.dtype:
            raise RuntimeError(f"einsum(): expected scalar type {_scalar(ops[0])} but found {_scalar(o)}")
    subs, out = _einsum_plan(equation, [o._data.shape for o in ops])
    summed = set(''.join(subs)) - set(out)
    kind = ops[0]._data.dtype.kind
    if summed and kind in 'biu':
        if len(ops) == 1:   # torch reduces a single operand with sum, which widens to int64
            ops = (cast(ops[0], _dtype.int64),)
        elif kind == 'b':
            raise NotImplementedError('"bmm" not implemented for \'Bool\'')
    if len(ops) == 1 and not summed and len(set(subs[0])) == len(subs[0]):
        from .shape import permute   # torch returns a relabelling of one operand as a view
        return permute(ops[0], [subs[0].index(c) for c in out])
    return Einsum.apply(*ops, subs=subs, out=out)


@register('einsum')
def _graph_einsum(subscripts, *operands, optimize=False):
    """numpy.einsum over Tensors (and constant arrays) for backward formulas under create_graph."""
    ops = [o if isinstance(o, Tensor) else as_tensor_arg(o, 'einsum') for o in operands]
    subs, out = _einsum_plan(subscripts, [o._data.shape for o in ops])
    return Einsum.apply(*ops, subs=subs, out=out)


def _outer(a, b):
    return Einsum.apply(a, b, subs=('a', 'b'), out='ab')


def outer(input, vec2, *, out=None):
    """torch.outer: outer product of input and vec2 (1-D tensors of sizes n and m), an (n x m) matrix.
    The tensors promote to a common dtype."""
    a, b = _tensor(input, 'outer', 'input'), _tensor(vec2, 'outer', 'vec2')
    for t, n in ((a, 'self'), (b, 'vec2')):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {n}, but got {t.ndim}-D")
    a, b, _ = promote(a, b, 'outer')
    return _into(_outer(a, b), out, 'outer')


def ger(input, vec2, *, out=None):
    """torch.ger: alias of torch.outer."""
    return outer(input, vec2, out=out)


def inner(input, other, *, out=None):
    """torch.inner: dot product over the last dimension of both tensors; a 0-d argument multiplies.
    Result shape: input.shape[:-1] + other.shape[:-1]."""
    a, b = _tensor(input, 'inner', 'input'), _tensor(other, 'inner', 'other')
    if a.ndim == 0 or b.ndim == 0:
        return _into(a * b, out, 'inner')
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("inner(): both inputs should have same dtype, got "
                           f"{_scalar(a)} and {_scalar(b)}")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    _no_bool(a, 'addmm_impl_cpu_')
    la, lb = _LETTERS[:a.ndim - 1], _LETTERS[a.ndim - 1:a.ndim + b.ndim - 2]
    k = _LETTERS[a.ndim + b.ndim - 2]
    return _into(einsum(f"{la}{k},{lb}{k}->{la}{lb}", a, b), out, 'inner')


def tensordot(a, b, dims=2, out=None):
    """torch.tensordot: contraction of a and b over multiple dimensions.

    dims=d contracts the last d dimensions of a with the first d of b; dims=(dims_a, dims_b) contracts
    the listed dimensions pairwise. The result has a's remaining dims, then b's."""
    a, b = _tensor(a, 'tensordot', 'a'), _tensor(b, 'tensordot', 'b')
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.ndim == 0 else dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        if len(dims) != 2:
            raise RuntimeError(f"tensordot expects dims to be a pair of lists, but got {dims}")
        da, db = dims
        if isinstance(da, int) or isinstance(db, int):
            raise TypeError(f"tensordot(): argument 'dims_self' must be tuple of ints, not int")
        da, db = list(da), list(db)
        if len(da) != len(db):
            raise RuntimeError("tensordot: both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"tensordot: both inputs should have same dtype, got {_scalar(a)} and {_scalar(b)}")
    na = [_norm_dims(d, a.ndim, 'tensordot')[0] for d in da]
    nb = [_norm_dims(d, b.ndim, 'tensordot')[0] for d in db]
    for x, y, dx, dy in zip(na, nb, da, db):
        sx, sy = a.shape[x], b.shape[y]
        if sx != sy and sx != 1 and sy != 1:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but first has size {sx} in dim "
                               f"{dx - (a.ndim if isinstance(dims, int) else 0)} and second has size {sy} in dim {dy}")
    if len(set(na)) != len(na) or len(set(nb)) != len(nb):
        raise RuntimeError("tensordot: a dimension appears more than once in dims")
    la = list(_LETTERS[:a.ndim])
    lb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for x, y in zip(na, nb):
        lb[y] = la[x]
    keep_a = ''.join(c for k, c in enumerate(la) if k not in na)
    keep_b = ''.join(c for k, c in enumerate(lb) if k not in nb)
    _no_bool(a, 'addmm_impl_cpu_')
    return _into(einsum(f"{''.join(la)},{''.join(lb)}->{keep_a}{keep_b}", a, b), out, 'tensordot')


# --- kron, cross ---------------------------------------------------------------------------------------
class Kron(Op):
    """numpy.kron. The gradient reshapes g to (a0, b0, a1, b1, ...) and contracts it with the other factor."""
    __slots__ = ('nd', 'shape_a', 'shape_b', 'cplx', 'low')

    def forward(self, xp, a, b):
        self.saved = (a, b)
        self.low = a.dtype if a.dtype in _LOW else None
        self.nd = max(a.ndim, b.ndim)
        self.shape_a = (1,) * (self.nd - a.ndim) + a.shape
        self.shape_b = (1,) * (self.nd - b.ndim) + b.shape
        self.cplx = a.dtype.kind == 'c'
        return xp.kron(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        na, nb = self.needs
        nd = self.nd
        inter = tuple(s for pair in zip(self.shape_a, self.shape_b) for s in pair)
        gr = xp.reshape(g, inter)
        la, lb = _LETTERS[:nd], _LETTERS[nd:2 * nd]
        lg = ''.join(x + y for x, y in zip(la, lb))
        # A factor with fewer dims than the other is padded with leading 1s: its subscripts skip them.
        sa, sb = la[nd - a.ndim:], lb[nd - b.ndim:]
        if self.cplx:
            a, b = (xp.conj(a) if nb else a), (xp.conj(b) if na else b)
        ga = self._ein(xp, f"{lg},{sb}->{sa}", gr, b) if na else None
        gb = self._ein(xp, f"{lg},{sa}->{sb}", gr, a) if nb else None
        return ga, gb

    _ein = Matmul._ein


def kron(input, other, *, out=None):
    """torch.kron: Kronecker product of input and other (the smaller rank is padded with leading 1s).
    The tensors promote to a common dtype."""
    a, b = _tensor(input, 'kron', 'input'), _tensor(other, 'kron', 'other')
    dt = _dtype.promote_types(a.dtype, b.dtype)   # not result_type: kron's 0-d operands get no dimension rule
    return _into(Kron.apply(cast(a, dt), cast(b, dt)), out, 'kron')


class Cross(Op):
    __slots__ = ('axis', 'cplx')

    def forward(self, xp, a, b, axis):
        self.saved = (a, b)
        self.axis = axis
        self.cplx = a.dtype.kind == 'c'
        return xp.cross(a, b, axis=axis)

    def backward(self, xp, g):
        a, b = self.saved
        na, nb = self.needs
        if self.cplx:
            a, b = (xp.conj(a) if nb else a), (xp.conj(b) if na else b)
        return (xp.cross(b, g, axis=self.axis) if na else None), (xp.cross(g, a, axis=self.axis) if nb else None)

    @classmethod
    def name(cls):
        return 'LinalgCrossBackward0'


def cross(input, other, dim=None, *, out=None):
    """torch.cross: cross product of vectors in dimension dim of input and other (which broadcast).

    dim=None (deprecated, with a warning) takes the first dimension of size 3."""
    a, b = _tensor(input, 'cross', 'input'), _tensor(other, 'cross', 'other')
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"cross: expected scalar type {_scalar(a)} but found {_scalar(b)}")
    shape = _broadcast_shapes(a._data.shape, b._data.shape, 'cross')
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((d for d, n in enumerate(a.shape) if n == 3), None)   # torch: input's first dim of size 3
        if dim is None:
            raise RuntimeError("cross: no dimension of size 3 in input")
    else:
        dim = _norm_dims(dim, max(a.ndim, 1), 'cross')[0]
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
                           f"{b.shape[dim]}")
    _no_bool(a, 'cross')
    return _into(Cross.apply(a, b, axis=dim), out, 'cross')


@register('cross')
def _graph_cross(a, b, axis=-1):
    return Cross.apply(a, b, axis=_norm_dims(axis, a.ndim, 'cross')[0])


def chain_matmul(*matrices, out=None):
    """torch.chain_matmul (deprecated; use torch.linalg.multi_dot): the product of N 2-D tensors, multiplied
    in the order that needs the fewest scalar multiplications."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    ms = [_tensor(m, 'chain_matmul', 'matrices') for m in matrices]
    for k, m in enumerate(ms):
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul: tensor {k} has dimension {m.ndim}, expected 2 instead.")
        if m._data.dtype != ms[0]._data.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {_cpp(ms[0])} "
                               f"and tensor {k} {_cpp(m)}")
        if k and ms[k - 1].shape[1] != m.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {k - 1} and {k} with shapes {list(ms[k - 1].shape)} and "
                               f"{list(m.shape)} cannot be multiplied")
    if len(ms) == 1:
        return _into(Einsum.apply(ms[0], subs=('ab',), out='ab'), out, 'chain_matmul')   # a copy
    dims = [m.shape[0] for m in ms] + [ms[-1].shape[1]]
    n = len(ms)
    # The classic matrix-chain order: cost[i][j] is the cheapest way to multiply ms[i..j].
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min((cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                                          for k in range(i, j))

    def product(i, j):
        return ms[i] if i == j else mm(product(i, split[i][j]), product(split[i][j] + 1, j))
    return _into(product(0, n - 1), out, 'chain_matmul')


@register('matmul')
def _graph_matmul(a, b):
    return Matmul.apply(a, b)


def _addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    return self._inplace(addmm, mat1, mat2, beta=beta, alpha=alpha, name='addmm_')


def _addmv_(self, mat, vec, *, beta=1, alpha=1):
    return self._inplace(addmv, mat, vec, beta=beta, alpha=alpha, name='addmv_')


def _addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return self._inplace(addr, vec1, vec2, beta=beta, alpha=alpha, name='addr_')


def _baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return self._inplace(baddbmm, batch1, batch2, beta=beta, alpha=alpha, name='baddbmm_')


def _addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return self._inplace(addbmm, batch1, batch2, beta=beta, alpha=alpha, name='addbmm_')


bind(matmul=matmul, __matmul__=matmul, __rmatmul__=_rmatmul, mm=mm, bmm=bmm, mv=mv, dot=dot, vdot=vdot,
     inner=inner, outer=outer, ger=ger, addmm=addmm, addmv=addmv, addr=addr, baddbmm=baddbmm, addbmm=addbmm,
     kron=kron, cross=cross, addmm_=_addmm_, addmv_=_addmv_, addr_=_addr_, baddbmm_=_baddbmm_,
     addbmm_=_addbmm_)

__all__ = public_names(globals(), __name__)
