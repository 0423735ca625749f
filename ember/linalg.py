"""torch.linalg: decompositions, inverses, solvers and norms, batched over leading dimensions.

Each decomposition or inverse is one Op: forward calls the array library's LAPACK routine on the whole
batch, backward is the standard matrix-calculus formula written over `xp` (matmul, swapaxes, tril and
the solvers below), so that under create_graph=True it records a graph and higher derivatives work.
`xp.linalg.solve` / `xp.linalg.inv` are registered in graph_xp as these ops; triangular solves and the
matrix exponential, which NumPy lacks, are called from backward formulas through `_call`.
Everything else (norms, pinv-based least squares, matrix_power, multi_dot) is composed from ops.
"""
import math
from . import _dtype
from .tensor import Tensor, cast
from .autograd.graph import Op, _wrap
from .autograd.graph_xp import register, GraphXP
from .autograd.grad_mode import is_grad_enabled
from .backend import xp_of
from .ops._util import bind, dims
from .ops import elementwise as _E, reduction as _R, shape as _S, blas as _B, creation as _C, extra as _X

# torch.return_types.<name>: named tuples that print one field per line, like torch's
namedtuple = _R._return_type


class LinAlgError(RuntimeError):
    """Error raised by torch.linalg functions when the input is numerically invalid for the operation
    (a singular matrix, a matrix that is not positive-definite)."""


# --- result types ------------------------------------------------------------------------------------
_slogdet_t = namedtuple('linalg_slogdet', ['sign', 'logabsdet'])
_eigh_t = namedtuple('linalg_eigh', ['eigenvalues', 'eigenvectors'])
_eig_t = namedtuple('linalg_eig', ['eigenvalues', 'eigenvectors'])
_svd_t = namedtuple('linalg_svd', ['U', 'S', 'Vh'])
_qr_t = namedtuple('linalg_qr', ['Q', 'R'])
_lstsq_t = namedtuple('linalg_lstsq', ['solution', 'residuals', 'rank', 'singular_values'])
_inv_ex_t = namedtuple('linalg_inv_ex', ['inverse', 'info'])
_cholesky_ex_t = namedtuple('linalg_cholesky_ex', ['L', 'info'])
_lu_factor_t = namedtuple('linalg_lu_factor', ['LU', 'pivots'])
_lu_t = namedtuple('linalg_lu', ['P', 'L', 'U'])
_lu_factor_ex_t = namedtuple('linalg_lu_factor_ex', ['LU', 'pivots', 'info'])
_lu_unpack_t = namedtuple('lu_unpack', ['P', 'L', 'U'])
_triangular_solve_t = namedtuple('triangular_solve', ['solution', 'cloned_coefficient'])
_torch_svd_t = namedtuple('svd', ['U', 'S', 'V'])
_torch_qr_t = namedtuple('qr', ['Q', 'R'])
_torch_slogdet_t = namedtuple('slogdet', ['sign', 'logabsdet'])
_solve_ex_t = namedtuple('linalg_solve_ex', ['result', 'info'])


# --- argument checks --------------------------------------------------------------------------------
def _tensor(x, op, name='A'):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")


def _float_kind(A, op, kernel=None):
    dt = A._data.dtype
    if kernel is not None and (dt.kind not in 'fc' or A.dtype in (_dtype.float16, _dtype.bfloat16)):
        # ops that go straight to a LAPACK kernel fail in torch's dtype dispatch, not in an argument check
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_R._type_word(A.dtype)}\'')
    if A.dtype in (_dtype.float16, _dtype.bfloat16):
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {_R._type_word(A.dtype)}")
    if dt.kind not in 'fc':
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_R._type_word(A.dtype)}")


def _matrix(A, op, name='A', kernel=None, square=False):
    A = _tensor(A, op, name)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.shape[-2] != A.shape[-1]:
        m, n = A.shape[-2:]
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {m} by {n} matrices")
    _float_kind(A, op, kernel)
    return A


def _square(A, op, name='A', kernel=None):
    A = _matrix(A, op, name, kernel, square=kernel is not None)
    m, n = A.shape[-2:]
    if m != n:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {m} by {n} matrices")
    return A


def _same_dtype(A, B, op):
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{_R._type_word(A.dtype)} and B of type {_R._type_word(B.dtype)} instead")


def _is_lapack_error(e):
    return type(e).__name__ == 'LinAlgError'


def _batch_prefix(k, shape):
    return f"(Batch element {k}): " if len(shape) > 2 else ""


# --- small formula helpers (written over xp: arrays or, under create_graph, Tensors) ------------------
def _mH(xp, x, cplx):
    t = xp.swapaxes(x, -1, -2)
    return xp.conj(t) if cplx else t


def _call(cls, xp, *args, **params):
    """Run one of this module's ops inside a backward formula: recorded under create_graph (xp is the
    graph namespace), straight on the arrays otherwise."""
    if isinstance(xp, GraphXP):
        return cls.apply(*args, **params)
    return cls.__new__(cls).forward(xp, *args, **params)


# --- LU with partial pivoting (finds the pivot LAPACK reports as zero; also lu_factor and lu) ---------
def _lu_raw(xp, a):
    """Batched right-looking LU with partial pivoting, as LAPACK's getrf: returns (LU, pivots (1-based),
    info), info being the first exactly-zero pivot (1-based) of each matrix, 0 if none."""
    shape = a.shape
    m, n = shape[-2:]
    k = min(m, n)
    lu = a.reshape((math.prod(shape[:-2]), m, n)).copy()   # not -1: ambiguous for an empty matrix
    nb = lu.shape[0]
    rows = xp.arange(nb)
    piv = xp.zeros((nb, k), dtype=xp.int32)
    info = xp.zeros(nb, dtype=xp.int32)
    for j in range(k):
        col = lu[:, j:, j]
        mag = (xp.abs(col.real) + xp.abs(col.imag)) if lu.dtype.kind == 'c' else xp.abs(col)
        p = xp.argmax(mag, axis=1) + j
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        d = lu[:, j, j]
        zero = d == 0
        info = xp.where(zero & (info == 0), j + 1, info)
        if j + 1 < m:
            safe = xp.where(zero, 1, d)
            l = xp.where(zero[:, None], lu[:, j + 1:, j], lu[:, j + 1:, j] / safe[:, None])
            lu[:, j + 1:, j] = l
            lu[:, j + 1:, j + 1:] -= l[:, :, None] * lu[:, j, None, j + 1:]
    bshape = shape[:-2]
    return lu.reshape(shape), piv.reshape(bshape + (k,)), info.reshape(bshape)


def _raise_singular(xp, a, op):
    _, _, info = _lu_raw(xp, a)
    flat = info.reshape(-1)
    bad = [i for i in range(flat.shape[0]) if int(flat[i])]
    k = bad[0] if bad else 0
    raise LinAlgError(f"{op}: {_batch_prefix(k, a.shape)}The diagonal element {int(flat[k]) if bad else 1} is "
                      "zero, the inversion could not be completed because the input matrix is singular.")


def _cholesky_failure(xp, a):
    """(batch element, order of the first leading minor that is not positive-definite), or None."""
    n = a.shape[-1]
    flat = a.reshape((math.prod(a.shape[:-2]), n, n))
    for b in range(flat.shape[0]):
        try:
            xp.linalg.cholesky(flat[b])
            continue
        except Exception as e:
            if not _is_lapack_error(e):
                raise
        for k in range(1, n + 1):
            try:
                xp.linalg.cholesky(flat[b, :k, :k])
            except Exception as e:
                if not _is_lapack_error(e):
                    raise
                return b, k
        return b, n
    return None


# --- inverse and solvers -----------------------------------------------------------------------------
class Inv(Op):
    """inv(A); gradient -A^{-H} G A^{-H}."""
    __slots__ = ('cplx',)

    def forward(self, xp, a, op='linalg.inv'):
        try:
            y = xp.linalg.inv(a)
        except Exception as e:
            if not _is_lapack_error(e):
                raise
            _raise_singular(xp, a, op)
        self.cplx = a.dtype.kind == 'c'
        self.saved = (y,)
        return y

    def backward(self, xp, g):
        y, = self.saved
        yh = _mH(xp, y, self.cplx)
        return -xp.matmul(xp.matmul(yh, g), yh)

    @classmethod
    def name(cls):
        return 'LinalgInvExBackward0'


class Solve(Op):
    """X = A^{-1} B for stacks of matrices B (broadcast batch dimensions); gB = A^{-H} G, gA = -gB X^H."""
    __slots__ = ('cplx',)

    def forward(self, xp, a, b):
        try:
            x = xp.linalg.solve(a, b)
        except Exception as e:
            if not _is_lapack_error(e):
                raise
            _, _, info = _lu_raw(xp, a)
            flat = info.reshape(-1)
            k = next((i for i in range(flat.shape[0]) if int(flat[i])), 0)
            raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(k, a.shape)}The solver failed because the "
                              "input matrix is singular.") from None
        self.cplx = a.dtype.kind == 'c'
        self.saved = (a, x)
        return x

    def backward(self, xp, g):
        a, x = self.saved
        gb = xp.linalg.solve(_mH(xp, a, self.cplx), g)
        ga = -xp.matmul(gb, _mH(xp, x, self.cplx)) if self.needs[0] else None
        return ga, (gb if self.needs[1] else None)

    @classmethod
    def name(cls):
        return 'LinalgSolveExBackward0'


class SolveTriangular(Op):
    """X = A^{-1} B with A upper or lower triangular (the other triangle is ignored)."""
    __slots__ = ('upper', 'unit', 'cplx')

    def forward(self, xp, a, b, upper, unitriangular=False):
        self.upper, self.unit, self.cplx = upper, unitriangular, a.dtype.kind == 'c'
        n = a.shape[-1]
        self.saved = (a, b)
        if a.ndim == 2 and b.ndim == 2 and getattr(xp, '__name__', '') == 'numpy':
            x = _scipy_triangular(a, b, upper, unitriangular)
            if x is not None:
                self.saved = (a, x)
                return x
        t = xp.triu(a) if upper else xp.tril(a)
        if unitriangular:
            eye = xp.eye(n, dtype=bool)
            t = xp.where(eye, xp.ones((), a.dtype), t)
        try:
            x = xp.linalg.solve(t, b)
        except Exception as e:
            if not _is_lapack_error(e):
                raise
            x = _substitute(xp, t, b, upper)   # a zero on the diagonal: inf/nan as LAPACK's trtrs gives
        self.saved = (a, x)
        return x

    def backward(self, xp, g):
        a, x = self.saved
        gb = _call(SolveTriangular, xp, _mH(xp, a, self.cplx), g, upper=not self.upper,
                   unitriangular=self.unit)
        ga = None
        if self.needs[0]:
            ga = -xp.matmul(gb, _mH(xp, x, self.cplx))
            k = 1 if self.unit else 0
            ga = xp.triu(ga, k) if self.upper else xp.tril(ga, -k)
        return ga, (gb if self.needs[1] else None)

    @classmethod
    def name(cls):
        return 'LinalgSolveTriangularBackward0'


def _scipy_triangular(a, b, upper, unit):
    """One matrix on the CPU: LAPACK's trtrs through SciPy (an optional dependency), O(n^2 k) rather than
    the LU solve's O(n^3); None where SciPy is missing or the matrix is singular."""
    try:
        from scipy.linalg import solve_triangular as trtrs
        return trtrs(a, b, lower=not upper, unit_diagonal=unit, check_finite=False)
    except Exception:
        return None


def _substitute(xp, t, b, upper):
    """Back/forward substitution, one row at a time (only for triangular matrices LAPACK calls singular)."""
    shape = xp.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    n = t.shape[-1]
    t = xp.broadcast_to(t, shape + t.shape[-2:])
    x = xp.zeros(shape + b.shape[-2:], dtype=xp.result_type(t, b))
    b = xp.broadcast_to(b, x.shape)
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        acc = b[..., i, :] - (t[..., i, None, :] @ x)[..., 0, :]
        x[..., i, :] = acc / t[..., i, i, None]
    return x


class _GraphLinalg:
    """xp.linalg under create_graph=True: NumPy's names, recorded as this module's ops."""
    @staticmethod
    def solve(a, b):
        return Solve.apply(a, b)

    @staticmethod
    def inv(a):
        return Inv.apply(a)


register('linalg')(_GraphLinalg)


def inv(A, *, out=None):
    """Computes the inverse of a square matrix if it exists. Throws a RuntimeError if the matrix is not
    invertible. Supports batches of matrices."""
    A = _square(A, 'linalg.inv')
    return Inv.apply(A)


def inv_ex(A, *, check_errors=False, out=None):
    """Computes the inverse of a square matrix if it is invertible; returns (inverse, info) where info is
    the LAPACK error code (0 for success, k when the k-th pivot is exactly zero)."""
    A = _square(A, 'linalg.inv_ex')
    xp = xp_of(A._data)
    _, _, info = _lu_raw(xp, A._data)
    if check_errors or not info.any():
        return _inv_ex_t(inv(A), _wrap(info, xp))
    # torch's inverse of a singular matrix is what LAPACK's getrs gives on the singular factor (inf, nan)
    eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A._data.dtype), A._data.shape)
    return _inv_ex_t(_wrap(_getrs_any(xp, A._data, eye), xp), _wrap(info, xp))


def _getrs_any(xp, a, b):
    """A^{-1} B through LAPACK's getrf/getrs one matrix at a time, also for singular A (whose result holds
    the infs and nans of the division by a zero pivot, as torch's *_ex functions return)."""
    import scipy.linalg.lapack as lapack
    pre = _LAPACK_PREFIX[str(a.dtype)]
    getrf, getrs = getattr(lapack, pre + 'getrf'), getattr(lapack, pre + 'getrs')
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:]) if batch else a[None]
    b = xp.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:]) if batch else b[None]
    out = xp.empty(b.shape, dtype=a.dtype)
    with xp.errstate(all='ignore'):
        for i in range(a.shape[0]):   # only reached for input with a singular matrix
            lu_, piv, _ = getrf(a[i])
            out[i] = getrs(lu_, piv, b[i])[0]
    return out.reshape(batch + b.shape[-2:])


def _rhs(A, B, op):
    """B as a stack of matrices, and whether it was a (batch of) vector(s) (torch's vector rule)."""
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = _S.unsqueeze(B, -1) if vec else B
    if Bm.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {Bm.shape[-2]}x{Bm.shape[-1]})")
    return Bm, vec


def solve(A, B, *, left=True, out=None):
    """Computes the solution of a square system of linear equations with a unique solution: X such that
    AX = B (left=True) or XA = B (left=False). B may be a (batch of) vector(s); batch dimensions broadcast."""
    A = _square(A, 'linalg.solve')
    B = _tensor(B, 'linalg.solve', 'B')
    _same_dtype(A, B, 'linalg.solve')
    if not left:
        vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
        if vec:   # torch's vector rule makes B a column, which XA = B cannot take
            n = A.shape[-1]
            if n == 1:
                raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not supported "
                                   "for left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)")
            raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation XA = B "
                               f"({n}x{n} and {B.shape[-1]}x1)")
        return _S.transpose(solve(_S.transpose(A, -2, -1), _S.transpose(B, -2, -1)), -2, -1)
    Bm, vec = _rhs(A, B, 'linalg.solve')
    X = Solve.apply(A, Bm)
    return _S.squeeze(X, -1) if vec else X


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """linalg.solve that also returns LAPACK's info code (0: success)."""
    A = _square(A, 'linalg.solve_ex')
    xp = xp_of(A._data)
    info = _lu_raw(xp, A._data)[2]
    if check_errors or not info.any():
        return _solve_ex_t(solve(A, B, left=left), _wrap(info, xp))
    B = _tensor(B, 'linalg.solve_ex', 'B')
    _same_dtype(A, B, 'linalg.solve')
    if not left:   # XA = B is A^T X^T = B^T
        At, Bt = _S.transpose(A, -2, -1), (B if B.ndim == 1 else _S.transpose(B, -2, -1))
        X, info = solve_ex(At, Bt)
        return _solve_ex_t(X if X.ndim == 1 else _S.transpose(X, -2, -1), info)
    Bm, vec = _rhs(A, B, 'linalg.solve')
    X = _wrap(_getrs_any(xp, A._data, Bm._data), xp)
    return _solve_ex_t(_S.squeeze(X, -1) if vec else X, _wrap(info, xp))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Computes the solution of a triangular system of linear equations with a unique solution. Only the
    upper (upper=True) or lower triangle of A is read; unitriangular assumes ones on the diagonal."""
    A = _square(A, 'linalg.solve_triangular', kernel='triangular_solve_cpu')
    B = _matrix(B, 'linalg.solve_triangular', 'B', kernel='triangular_solve_cpu')
    if A.dtype != B.dtype:   # unlike solve, torch accepts this and computes in A's dtype
        B = cast(B, A.dtype)
    if not left:
        At, Bt = _S.transpose(A, -2, -1), _S.transpose(B, -2, -1)
        return _S.transpose(solve_triangular(At, Bt, upper=not upper, unitriangular=unitriangular), -2, -1)
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")
    return SolveTriangular.apply(A, B, upper=bool(upper), unitriangular=bool(unitriangular))


# --- determinants ------------------------------------------------------------------------------------
class Det(Op):
    """det(A); gradient conj(g det) A^{-H} (through an SVD where A is singular, as torch)."""
    __slots__ = ('cplx',)

    def forward(self, xp, a):
        self.cplx = a.dtype.kind == 'c'
        d = xp.asarray(xp.linalg.det(a))
        self.saved = (a, d)
        return d

    def backward(self, xp, g):
        a, d = self.saved
        gd = g * xp.conj(d) if self.cplx else g * d
        if not isinstance(xp, GraphXP) and not d.all():
            return _det_grad_svd(xp, a, g, self.cplx)
        return _mH(xp, xp.linalg.inv(a), self.cplx) * xp.expand_dims(xp.expand_dims(gd, -1), -1)

    @classmethod
    def name(cls):
        return 'LinalgDetBackward0'


def _det_grad_svd(xp, a, g, cplx):
    """The cofactor matrix g * adj(A)^H through A = U S Vh, valid for singular A as well."""
    u, s, vh = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), s.dtype)
    left = xp.cumprod(xp.concatenate([ones, s[..., :-1]], -1), -1)
    right = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], -1), -1), -1)
    others = left * right   # product of all singular values but the i-th
    phase = xp.linalg.det(u) * xp.linalg.det(vh)
    scale = (g * xp.conj(phase)) if cplx else g * phase
    # adj(A) = phase V diag(others) U^H, and the gradient is g * adj(A)^H
    return xp.matmul(u * xp.expand_dims(others * xp.expand_dims(scale, -1), -2), vh)


class SlogDet(Op):
    """(sign, log|det A|). With tau = tr(A^{-1} dA): d log|det| = Re(tau) and d sign = i Im(tau) sign, so the
    gradient is (g_logabsdet + i Im(g_sign conj(sign))) A^{-H}; a real sign is piecewise constant."""
    __slots__ = ('cplx',)

    def forward(self, xp, a):
        self.cplx = a.dtype.kind == 'c'
        sign, logabs = xp.linalg.slogdet(a)
        sign, logabs = xp.asarray(sign), xp.asarray(logabs)
        self.saved = (a, sign)
        return sign, logabs

    def backward(self, xp, gsign, glog):
        a, sign = self.saved
        g = glog
        if self.cplx:
            g = glog + xp.imag(gsign * xp.conj(sign)) * 1j
        return _mH(xp, xp.linalg.inv(a), self.cplx) * xp.expand_dims(xp.expand_dims(g, -1), -1)

    @classmethod
    def name(cls):
        return 'LinalgSlogdetBackward0'


def det(A, *, out=None):
    """Computes the determinant of a square matrix. Supports batches of matrices."""
    return Det.apply(_square(A, 'linalg.det'))


def slogdet(A, *, out=None):
    """Computes the sign and natural logarithm of the absolute value of the determinant of a square
    matrix. Returns the named tuple (sign, logabsdet); for a singular matrix sign is 0 and logabsdet -inf."""
    return _slogdet_t(*SlogDet.apply(_square(A, 'linalg.slogdet')))


def logdet(input):
    """torch.logdet: log(det(A)): nan for a negative determinant, -inf for a singular matrix."""
    sign, logabs = slogdet(_square(input, 'logdet'))
    if sign.is_complex():
        return logabs + _E.log(sign)
    # a where, not log(sign): a negative determinant gives nan with a zero gradient, as in torch
    return _E.where(_E.lt(sign, 0), _C.full((), math.nan, dtype=logabs.dtype), logabs)


# --- Cholesky ----------------------------------------------------------------------------------------
class Cholesky(Op):
    """Lower factor L of A = L L^H (the lower triangle of A is read)."""
    __slots__ = ('cplx', 'upper')

    def forward(self, xp, a, op='linalg.cholesky', upper=False):
        self.upper = upper
        if upper:
            a = _mH(xp, a, a.dtype.kind == 'c')
        try:
            L = xp.linalg.cholesky(a)
        except Exception as e:
            if not _is_lapack_error(e):
                raise
            b, k = _cholesky_failure(xp, a) or (0, 1)
            raise LinAlgError(f"{op}: {_batch_prefix(b, a.shape)}The factorization could not be completed "
                              f"because the input is not positive-definite (the leading minor of order {k} is "
                              "not positive-definite).") from None
        self.cplx = a.dtype.kind == 'c'
        out = _mH(xp, L, self.cplx) if upper else L
        self.saved = (out,)   # the output itself, so that a double backward differentiates through it
        return out

    def backward(self, xp, g):
        L, = self.saved
        c = self.cplx
        if self.upper:
            L = _mH(xp, L, c)
            # torch's gradient for upper=True is the lower one for cotangent G^H, left as is (for a
            # Hermitian A both describe the same first-order change; for complex input they differ)
            g = _mH(xp, g, c)
        Lh = _mH(xp, L, c)
        p = xp.tril(xp.matmul(Lh, g))
        p = (p + _mH(xp, xp.tril(p, -1), c)) * 0.5
        ga = _call(SolveTriangular, xp, Lh, p, upper=True)                # L^{-H} P
        return _mH(xp, _call(SolveTriangular, xp, Lh, _mH(xp, ga, c), upper=True), c)   # ... L^{-1}

    @classmethod
    def name(cls):
        return 'LinalgCholeskyExBackward0'


def _partial_cholesky(xp, a):
    """What LAPACK's potrf leaves in the lower triangle when it stops at a minor that is not
    positive-definite (torch returns that, not NaN)."""
    import scipy.linalg.lapack as lapack
    c = getattr(lapack, _LAPACK_PREFIX[str(a.dtype)] + 'potrf')(xp.asarray(a), lower=1, clean=1)[0]
    return xp.tril(c)


def cholesky(A, *, upper=False, out=None):
    """Computes the Cholesky decomposition of a complex Hermitian or real symmetric positive-definite
    matrix: A = L L^H with L lower triangular (or A = U^H U with upper=True)."""
    A = _square(A, 'linalg.cholesky')
    return Cholesky.apply(A, upper=bool(upper))   # upper reads the upper triangle: U = L(A^H)^H


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """linalg.cholesky that returns (L, info) instead of raising: info is the order of the first leading
    minor that is not positive-definite (0 for success)."""
    A = _square(A, 'linalg.cholesky_ex')
    if upper:   # the upper triangle is read: factor A^H
        L, info = cholesky_ex(_mH_t(A), check_errors=check_errors)
        return _cholesky_ex_t(_mH_t(L), info)
    xp = xp_of(A._data)
    fail = _cholesky_failure(xp, A._data)
    if fail is None or check_errors:
        return _cholesky_ex_t(cholesky(A, upper=upper), _wrap(xp.zeros(A.shape[:-2], xp.int32), xp))
    n = A.shape[-1]
    flat = A._data.reshape((math.prod(A.shape[:-2]), n, n))
    info = xp.zeros(flat.shape[0], xp.int32)
    L = xp.zeros_like(flat)
    for b in range(flat.shape[0]):   # only reached for input that is not positive-definite
        f = _cholesky_failure(xp, flat[b])
        if f is None:
            L[b] = xp.linalg.cholesky(flat[b])
        else:
            info[b] = f[1]
            L[b] = _partial_cholesky(xp, flat[b])
    L = L.reshape(A._data.shape)
    return _cholesky_ex_t(_wrap(L, xp), _wrap(info.reshape(A.shape[:-2]), xp))


def _mH_t(A):
    At = _S.transpose(A, -2, -1)
    return _E.conj(At) if A._data.dtype.kind == 'c' else At


# --- QR ----------------------------------------------------------------------------------------------
class QR(Op):
    """A = QR (mode reduced or complete); the backward of reduced QR (complete only when m <= n)."""
    __slots__ = ('cplx', 'mode')

    def forward(self, xp, a, mode):
        self.cplx, self.mode = a.dtype.kind == 'c', mode
        if mode == 'r':
            r = xp.linalg.qr(a, mode='r')
            q = xp.zeros((0,), a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        self.saved = (q, r)
        return q, r

    def backward(self, xp, gq, gr):
        q, r = self.saved
        if self.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if self.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        c = self.cplx
        if m >= n:
            return _qr_grad_tall(xp, q, r, gq, gr, c)
        # A = [X | Y] with X square: X = Q U, Y = Q V
        u, v = r[..., :, :m], r[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        y = xp.matmul(q, v)
        gx = _qr_grad_tall(xp, q, u, gq + xp.matmul(y, _mH(xp, gv, c)), gu, c)
        return xp.concatenate([gx, xp.matmul(q, gv)], -1)

    @classmethod
    def name(cls):
        return 'LinalgQrBackward0'


def _qr_grad_tall(xp, q, r, gq, gr, c):
    """gA = (gQ + Q copyltu(M)) R^{-H} with M = R gR^H - gQ^H Q (m >= n)."""
    M = xp.matmul(r, _mH(xp, gr, c)) - xp.matmul(_mH(xp, gq, c), q)
    low = xp.tril(M, -1)
    diag = xp.tril(M) - low
    sym = low + _mH(xp, low, c) + (xp.real(diag) if c else diag)   # R's diagonal is real: so is this one
    b = gq + xp.matmul(q, sym)
    return _mH(xp, _call(SolveTriangular, xp, r, _mH(xp, b, c), upper=True), c)


def qr(A, mode='reduced', *, out=None):
    """Computes the QR decomposition A = QR of a matrix: Q with orthonormal columns, R upper triangular.
    mode: 'reduced' (Q is m x k), 'complete' (Q is m x m) or 'r' (Q is empty)."""
    A = _matrix(A, 'linalg.qr')
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    return _qr_t(*QR.apply(A, mode=mode))


# --- eigendecompositions -----------------------------------------------------------------------------
class Eigh(Op):
    """Eigenvalues (ascending, real) and orthonormal eigenvectors of a Hermitian matrix."""
    __slots__ = ('cplx', 'eye')

    def forward(self, xp, a, UPLO='L'):
        self.cplx = a.dtype.kind == 'c'
        w, v = xp.linalg.eigh(a, UPLO=UPLO)
        self.eye = xp.eye(a.shape[-1], dtype=w.dtype)
        self.saved = (w, v)
        return w, v

    def backward(self, xp, gw, gv):
        w, v = self.saved
        c, eye = self.cplx, self.eye
        vh = _mH(xp, v, c)
        vhgv = xp.matmul(vh, gv)
        vhgv = (vhgv - _mH(xp, vhgv, c)) * 0.5
        # E_ij = w_j - w_i off the diagonal; the diagonal takes gw instead
        e = xp.expand_dims(w, -2) - xp.expand_dims(w, -1) + eye
        inner = vhgv / e * (1 - eye) + xp.expand_dims(gw, -2) * eye
        return xp.matmul(xp.matmul(v, inner), vh)

    @classmethod
    def name(cls):
        return 'LinalgEighBackward0'


def _uplo(UPLO):
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A, UPLO='L', *, out=None):
    """Computes the eigenvalue decomposition of a complex Hermitian or real symmetric matrix: eigenvalues
    in ascending order and orthonormal eigenvectors (columns). Only the UPLO triangle of A is read."""
    A = _square(A, 'linalg.eigh', kernel='linalg_eigh_cpu')
    return _eigh_t(*Eigh.apply(A, UPLO=_uplo(UPLO)))


def eigvalsh(A, UPLO='L', *, out=None):
    """Computes the eigenvalues of a complex Hermitian or real symmetric matrix, in ascending order."""
    A = _square(A, 'linalg.eigh', kernel='linalg_eigh_cpu')
    UPLO = _uplo(UPLO)
    if A._req and is_grad_enabled():
        return Eigh.apply(A, UPLO=UPLO)[0]
    xp = xp_of(A._data)
    return _wrap(xp.linalg.eigvalsh(A._data, UPLO=UPLO), xp)


def _complex_of(dt):
    return 'complex128' if dt.name in ('float64', 'complex128') else 'complex64'


class Eig(Op):
    """A = V diag(L) V^{-1} for a general square matrix; complex eigenvalues and unit-norm eigenvectors.
    The backward is torch's (loss invariant to each eigenvector's phase; distinct eigenvalues):
    gA = V^{-H} (diag(gL) + (V^H gV - V^H V diag(re(V^H gV))) / conj(E)) V^H, E_ij = L_j - L_i, real part
    for a real A."""
    __slots__ = ('real_in', 'eye')

    def forward(self, xp, a):
        w, v = xp.linalg.eig(a)
        ct = _complex_of(a.dtype)
        w, v = w.astype(ct), v.astype(ct)
        self.real_in = a.dtype.kind != 'c'
        self.eye = xp.eye(a.shape[-1], dtype=ct)
        self.saved = (w, v)
        return w, v

    def backward(self, xp, gw, gv):
        w, v = self.saved
        eye = self.eye
        vh = _mH(xp, v, True)
        vhgv = xp.matmul(vh, gv)
        diag_re = xp.real(xp.sum(vhgv * eye, axis=-1))
        vhgv = vhgv - xp.matmul(vh, v * xp.expand_dims(diag_re, -2))
        wc = xp.conj(w)
        econj = xp.expand_dims(wc, -2) - xp.expand_dims(wc, -1) + eye
        ga = vhgv / econj + xp.expand_dims(gw, -2) * eye
        ga = xp.linalg.solve(vh, xp.matmul(ga, vh))
        return xp.real(ga) if self.real_in else ga

    @classmethod
    def name(cls):
        return 'LinalgEigBackward0'


def eig(A, *, out=None):
    """Computes the eigenvalue decomposition of a square matrix (if it exists): complex eigenvalues and
    unit-norm eigenvectors. Gradients assume distinct eigenvalues and a loss that does not depend on the
    phase of each eigenvector, as torch's."""
    A = _square(A, 'linalg.eig')
    return _eig_t(*Eig.apply(A))


def eigvals(A, *, out=None):
    """Computes the (complex) eigenvalues of a square matrix."""
    A = _square(A, 'linalg.eigvals')
    if A._req and is_grad_enabled():
        return Eig.apply(A)[0]
    xp = xp_of(A._data)
    return _wrap(xp.linalg.eigvals(A._data).astype(_complex_of(A._data.dtype)), xp)


# --- SVD ---------------------------------------------------------------------------------------------
class SVD(Op):
    """A = U diag(S) Vh; the backward is torch's (gauge-invariant losses, distinct singular values)."""
    __slots__ = ('cplx', 'eye')

    def forward(self, xp, a, full_matrices):
        self.cplx = a.dtype.kind == 'c'
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        self.eye = xp.eye(s.shape[-1], dtype=s.dtype)
        self.saved = (u, s, vh)
        return u, s, vh

    def backward(self, xp, gu, gs, gvh):
        u, s, vh = self.saved
        c, eye = self.cplx, self.eye
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        if u.shape[-1] != k:   # full_matrices: the extra columns do not enter A
            u, gu = u[..., :, :k], gu[..., :, :k]
        if vh.shape[-2] != k:
            vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        v, gv = _mH(xp, vh, c), _mH(xp, gvh, c)
        uh = _mH(xp, u, c)
        uhgu = xp.matmul(uh, gu)
        uhgu = uhgu - _mH(xp, uhgu, c)
        vhgv = xp.matmul(vh, gv)
        vhgv = vhgv - _mH(xp, vhgv, c)
        s2 = s * s
        e = xp.expand_dims(s2, -2) - xp.expand_dims(s2, -1) + eye
        srow, scol = xp.expand_dims(s, -2), xp.expand_dims(s, -1)
        ga = (uhgu * srow + scol * vhgv) / e * (1 - eye) + xp.expand_dims(gs, -2) * eye
        if c:   # the phase of each singular pair: torch's imaginary diagonal term
            ga = ga + eye * xp.expand_dims(xp.diagonal(uhgu, 0, -2, -1) / (s * 2), -2)
        if m > n:
            ga = xp.matmul(u, ga)
            gus = gu / srow
            ga = ga + gus - xp.matmul(u, xp.matmul(uh, gus))
            return xp.matmul(ga, vh)
        if m < n:
            ga = xp.matmul(ga, vh)
            gvs = _mH(xp, gv / srow, c)
            ga = ga + gvs - xp.matmul(xp.matmul(gvs, v), vh)
            return xp.matmul(u, ga)
        return xp.matmul(xp.matmul(u, ga), vh)

    @classmethod
    def name(cls):
        return 'LinalgSvdBackward0'


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Computes the singular value decomposition A = U diag(S) Vh, singular values in descending order.
    full_matrices=False gives the reduced decomposition."""
    A = _matrix(A, 'linalg.svd')
    return _svd_t(*SVD.apply(A, full_matrices=bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    """Computes the singular values of a matrix, in descending order."""
    A = _matrix(A, 'linalg.svdvals')
    if A._req and is_grad_enabled():
        return SVD.apply(A, full_matrices=False)[1]
    xp = xp_of(A._data)
    return _wrap(xp.linalg.svd(A._data, compute_uv=False), xp)


# --- pseudoinverse, rank, least squares --------------------------------------------------------------
def _tolerances(xp, atol, rtol, smax, m, n, dt):
    """torch's cutoff max(atol, rtol * sigma_max); rtol defaults to eps * max(m, n) when atol is unset."""
    def arr(t):
        return t._data if isinstance(t, Tensor) else t
    if rtol is None:
        rtol = (xp.finfo(dt).eps * max(m, n)) if (atol is None or (not isinstance(atol, Tensor) and atol == 0)) \
            else 0.0
    atol = 0.0 if atol is None else arr(atol)
    return xp.maximum(atol, arr(rtol) * smax)


class Pinv(Op):
    """Moore-Penrose pseudoinverse; backward is torch's pinv_backward (matmuls only)."""
    __slots__ = ('cplx',)

    def forward(self, xp, a, atol, rtol, hermitian):
        self.cplx = a.dtype.kind == 'c'
        m, n = a.shape[-2:]
        rd = xp.finfo(a.dtype).dtype
        if hermitian:
            w, v = xp.linalg.eigh(a)
            aw = xp.abs(w)
            thr = _tolerances(xp, atol, rtol, aw.max(-1, initial=0), m, n, rd)
            keep = aw > xp.expand_dims(thr, -1)
            winv = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(rd)
            p = xp.matmul(v * xp.expand_dims(winv, -2), _mH(xp, v, self.cplx))
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            thr = _tolerances(xp, atol, rtol, s[..., :1].max(-1, initial=0), m, n, rd)
            keep = s > xp.expand_dims(thr, -1)
            sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(rd)
            p = xp.matmul(_mH(xp, vh, self.cplx) * xp.expand_dims(sinv, -2), _mH(xp, u, self.cplx))
        p = p.astype(a.dtype)
        self.saved = (a, p)
        return p

    def backward(self, xp, g):
        a, p = self.saved
        c = self.cplx
        m, n = a.shape[-2], a.shape[-1]
        ph, gh = _mH(xp, p, c), _mH(xp, g, c)
        mm = xp.matmul
        if m <= n:
            K = mm(gh, p)
            KpH = mm(K, ph)
            return -_mH(xp, mm(p, K), c) + KpH - mm(mm(a, p), KpH) + mm(mm(ph, p), gh - mm(K, a))
        K = mm(p, gh)
        pHK = mm(ph, K)
        return -_mH(xp, mm(K, p), c) + mm(mm(gh - mm(a, K), p), ph) + pHK - mm(mm(pHK, p), a)

    @classmethod
    def name(cls):
        return 'LinalgPinvBackward0'


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Computes the pseudoinverse (Moore-Penrose inverse) of a matrix. Singular values (or eigenvalue
    moduli with hermitian=True) at or below max(atol, rtol * sigma_max) are treated as zero."""
    A = _matrix(A, 'linalg.pinv')
    if hermitian and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.eigh: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    return Pinv.apply(A, atol=atol, rtol=rtol, hermitian=bool(hermitian))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Computes the numerical rank of a matrix: the number of singular values (or eigenvalue moduli with
    hermitian=True) greater than max(atol, rtol * sigma_max)."""
    A = _matrix(A, 'linalg.matrix_rank')
    if tol is not None:
        atol, rtol = tol, 0.0
    xp = xp_of(A._data)
    a = A._data
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    thr = _tolerances(xp, atol, rtol, s.max(-1, initial=0), a.shape[-2], a.shape[-1], s.dtype)
    return _wrap((s > xp.expand_dims(xp.asarray(thr), -1)).sum(-1).astype(xp.int64), xp)


_DRIVERS = ('gels', 'gelsy', 'gelsd', 'gelss')


def lstsq(A, B, rcond=None, *, driver=None):
    """Computes a solution to the least squares problem of a system of linear equations: the X minimising
    ||AX - B||_F (the minimum-norm one where A is rank-deficient). Returns (solution, residuals, rank,
    singular_values); which of the last three are computed depends on driver, as in torch (CPU default gelsy)."""
    A = _matrix(A, 'linalg.lstsq')
    B = _tensor(B, 'linalg.lstsq', 'B')
    _same_dtype(A, B, 'torch.linalg.lstsq')
    if driver is None:
        driver = 'gelsy'
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vec = B.ndim == A.ndim - 1
    Bm = _S.unsqueeze(B, -1) if vec else B
    if Bm.ndim < 2 or Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    xp = xp_of(A._data)
    rd = xp.finfo(A._data.dtype).dtype
    if rcond is None:
        rcond = float(xp.finfo(rd).eps) * max(m, n)
    X = _B.matmul(Pinv.apply(A, atol=None, rtol=rcond, hermitian=False), Bm)
    s = xp.linalg.svd(A._data, compute_uv=False)
    rank = (s > rcond * s[..., :1]).sum(-1).astype(xp.int64)
    empty = _wrap(xp.zeros((0,), rd), xp)
    res = _E.abs(_S.reshape(X, (-1,))[:0])   # empty and real, but part of the graph as torch's
    if driver != 'gelsy' and m > n and bool((rank == n).all()):
        r = _B.matmul(A, X) - Bm
        res = _R.sum(_E.abs(r) ** 2 if r._data.dtype.kind == 'c' else r * r, -2)
        if vec:
            res = _S.squeeze(res, -1)
    return _lstsq_t(_S.squeeze(X, -1) if vec else X, res,
                    _wrap(rank, xp) if driver != 'gels' else _wrap(xp.zeros((0,), xp.int64), xp),
                    _wrap(s.astype(rd), xp) if driver in ('gelsd', 'gelss') else empty)


# --- matrix functions --------------------------------------------------------------------------------
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)


def _expm(xp, a):
    """Scaling and squaring with the [13/13] Pade approximant (Higham 2005), batched: each matrix is
    scaled by its own power of two, then squared that many times."""
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    work = a.astype('complex128' if a.dtype.kind == 'c' else 'float64')
    norm1 = xp.abs(work).sum(-2).max(-1)
    s = xp.maximum(0, xp.ceil(xp.log2(xp.maximum(norm1, 1e-300) / 5.371920351148152))).astype(xp.int64)
    s = xp.where(xp.isfinite(norm1), s, 0)
    work = work / xp.expand_dims(xp.expand_dims(2.0 ** s, -1), -1)
    b = _PADE13
    eye = xp.eye(n, dtype=work.dtype)
    a2 = work @ work
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = work @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    smax = int(s.max()) if s.size else 0
    for i in range(smax):
        sq = r @ r
        r = xp.where(xp.expand_dims(xp.expand_dims(s > i, -1), -1), sq, r)
    return r.astype(a.dtype)


class MatrixExp(Op):
    """exp(A); gradient: the upper-right block of exp([[A^H, G], [0, A^H]]) (itself a MatrixExp)."""
    __slots__ = ('cplx',)

    def forward(self, xp, a):
        self.cplx = a.dtype.kind == 'c'
        self.saved = (a,)
        return _expm(xp, a)

    def backward(self, xp, g):
        a, = self.saved
        n = a.shape[-1]
        ah = _mH(xp, a, self.cplx)
        z = xp.zeros_like(g)
        block = xp.concatenate([xp.concatenate([ah, g], -1), xp.concatenate([z, ah], -1)], -2)
        return _call(MatrixExp, xp, block)[..., :n, n:]

    @classmethod
    def name(cls):
        return 'LinalgMatrixExpBackward0'


def matrix_exp(A):
    """Computes the matrix exponential of a square matrix: sum_k A^k / k!. Supports batches."""
    A = _square(A, 'linalg.matrix_exp')
    return MatrixExp.apply(A)


def matrix_power(A, n, *, out=None):
    """Computes the n-th power of a square matrix for an integer n: the identity for n = 0 and the
    inverse's power for n < 0. Supports batches."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    A = _tensor(A, 'linalg.matrix_power')
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    xp = xp_of(A._data)
    if n == 0:   # the identity, recorded as a function of A (with a zero gradient), as torch's
        eye = _wrap(xp.eye(A.shape[-1], dtype=A._data.dtype), xp)
        return _E.where(_wrap(xp.ones(A._data.shape, bool), xp), eye, A)
    if n < 0:
        _float_kind(A, 'linalg.inv')
        A, n = Inv.apply(A), -n
    result = None
    base = A
    while n:   # binary powering: log2(n) matmuls
        if n & 1:
            result = base if result is None else _B.matmul(result, base)
        n >>= 1
        if n:
            base = _B.matmul(base, base)
    return result


# --- norms -------------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Computes a vector norm: sum(|x|^ord)^(1/ord) over dim (all elements if None); ord inf/-inf are the
    max/min of |x|, ord 0 counts the non-zeros. dtype casts x first."""
    x = _tensor(x, 'linalg.vector_norm', 'input')
    if isinstance(ord, (str, bool)) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    if dtype is not None:
        x = cast(x, _dtype.to_dtype(dtype))
    if x.dtype.kind not in 'fc':
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_R._type_word(x.dtype)}")
    if isinstance(dim, (tuple, list)):
        dims(dim, max(x.ndim, 1), 'linalg.vector_norm')   # torch's duplicate-dim error
    if dim is None and keepdim and x.ndim:
        r = _R.norm(x, ord, None, False)
        return _S.reshape(r, (1,) * x.ndim)
    return _R.norm(x, ord, dim, keepdim)


def _matrix_dims(A, dim, op):
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (d % A.ndim if -A.ndim <= d < A.ndim else None for d in dim)
    if d0 is None or d1 is None:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-A.ndim}, {A.ndim - 1}], but "
                         f"got {dim[0] if d0 is None else dim[1]})")
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Computes a matrix norm over the two dimensions dim: 'fro', 'nuc' (sum of singular values), inf / -inf
    (max / min absolute row sum), 1 / -1 (max / min absolute column sum), 2 / -2 (largest / smallest
    singular value)."""
    A = _tensor(A, 'linalg.matrix_norm')
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = cast(A, _dtype.to_dtype(dtype))
    _float_kind(A, 'linalg.matrix_norm')
    d0, d1 = _matrix_dims(A, dim, 'linalg.matrix_norm')
    if ord == 'fro':
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == 'nuc' or ord in (2, -2):
        M = _S.movedim(A, (d0, d1), (-2, -1))
        s = svdvals(M)
        # a largest norm over no values is 0 (norms are nonnegative), a smallest one has no value
        empty_max = ord == 2 and s.shape[-1] == 0
        r = _R.sum(s, -1) if ord == 'nuc' or empty_max else (_R.amax(s, -1) if ord == 2 else _R.amin(s, -1))
    elif ord in (1, -1, math.inf, -math.inf):
        red, pick = (d0, d1) if ord in (1, -1) else (d1, d0)   # column sums for 1, row sums for inf
        sums = _R.sum(_E.abs(A), red, keepdim=True)
        if ord > 0:
            r = (_R.sum if sums.shape[pick] == 0 else _R.amax)(sums, pick, keepdim=True)
        else:
            r = _R.amin(sums, pick, keepdim=True)
        return r if keepdim else _S.squeeze(r, (d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        for d in sorted((d0, d1)):
            r = _S.unsqueeze(r, d)
    return r


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Computes a vector or matrix norm: a matrix norm when dim is a 2-tuple (or A is 2-D with ord given),
    a vector norm when dim is an int or 1-tuple (or A is 1-D); with ord and dim both None, the 2-norm of
    A flattened."""
    A = _tensor(A, 'linalg.norm')
    if dim is not None:
        d = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(d) == 1:
            return vector_norm(A, 2 if ord is None else ord, d, keepdim, dtype=dtype)
        return matrix_norm(A, 'fro' if ord is None else ord, d, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def cond(A, p=None, *, out=None):
    """Computes the condition number of a matrix with respect to a matrix norm (2-norm by default:
    sigma_max / sigma_min)."""
    A = _matrix(A, 'linalg.cond')
    if A.shape[-1] == 0 and A.shape[-2] == 0:
        return _R.sum(_E.abs(A), (-2, -1))   # torch defines the condition number of a 0x0 matrix as 0
    if p is None or p in (2, -2):
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return hi / lo if p in (None, 2) else lo / hi
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    Ainv, info = inv_ex(A)
    r = matrix_norm(A, p) * matrix_norm(Ainv, p)
    if info._data.any():   # torch: a singular matrix has an infinite condition number
        r = _E.where(info != 0, _C.full((), math.inf, dtype=r.dtype), r)
    return r


# --- products and the rest ---------------------------------------------------------------------------
def cross(input, other, *, dim=-1, out=None):
    """Computes the cross product of two 3-dimensional vectors along dim (inputs broadcast)."""
    return _B.cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1, out=None):
    """Computes the dot product of two batches of vectors along dim: sum(conj(x) * y) (inputs broadcast)."""
    x, y = _tensor(x, 'linalg.vecdot', 'x'), _tensor(y, 'linalg.vecdot', 'y')
    if x._data.dtype.kind == 'c':
        x = _E.conj(x)
    return _R.sum(x * y, dim)


def multi_dot(tensors, *, out=None):
    """Efficiently multiplies two or more matrices by reordering the multiplications so that the fewest
    arithmetic operations are performed. The first and last argument may be 1-D (a row / column vector)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        _tensor(t, 'multi_dot', 'tensors')
        lo = 1 if i in (0, len(ts) - 1) else 2
        if not lo <= t.ndim <= 2:
            which = 'first' if i == 0 else ('last' if i == len(ts) - 1 else None)
            raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {t.ndim}D" if which
                               else f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vec:
        ts[0] = _S.unsqueeze(ts[0], 0)
    if last_vec:
        ts[-1] = _S.unsqueeze(ts[-1], -1)
    for i in range(len(ts) - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            a, b = list(tensors[i].shape), list(tensors[i + 1].shape)
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {a} and {b} cannot be multiplied")
    r = _chain(ts)
    if first_vec and last_vec:
        return _S.reshape(r, ())
    if first_vec:
        return _S.squeeze(r, 0)
    return _S.squeeze(r, -1) if last_vec else r


def _chain(ts):
    """Matrix-chain product in the order with the fewest multiplications (dynamic programming)."""
    k = len(ts)
    p = [ts[0].shape[0]] + [t.shape[1] for t in ts]
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + p[i] * p[s + 1] * p[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def build(i, j):
        if i == j:
            return ts[i]
        s = split[i][j]
        return _B.matmul(build(i, s), build(s + 1, j))
    return build(0, k - 1)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Alias for torch.diagonal with defaults dim1=-2, dim2=-1: the diagonals of a batch of matrices."""
    return _S.diagonal(A, offset, dim1, dim2)


def tensorinv(A, ind=2, *, out=None):
    """Computes the multiplicative inverse of torch.tensordot: the tensor B with tensordot(A, B, ind) the
    identity, for A whose first ind dimensions multiply to the product of the rest."""
    A = _tensor(A, 'linalg.tensorinv')
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    lead, rest = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p, q = math.prod(lead), math.prod(rest)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {q} != {p}")
    return _S.reshape(inv(_S.reshape(A, (p, q))), rest + lead)


def tensorsolve(A, B, dims=None, *, out=None):
    """Computes the solution X of tensordot(A, X, X.ndim) = B; dims moves those dimensions of A to the end
    first."""
    A, B = _tensor(A, 'linalg.tensorsolve'), _tensor(B, 'linalg.tensorsolve', 'B')
    if dims is not None:
        dd = [d % A.ndim for d in dims]
        A = _S.movedim(A, dd, list(range(A.ndim - len(dd), A.ndim)))
    xshape = tuple(A.shape[B.ndim:])
    p = math.prod(A.shape[:B.ndim])
    q = math.prod(xshape)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {q} != {p}")
    return _S.reshape(solve(_S.reshape(A, (p, q)), _S.reshape(B, (p,))), xshape)


def _permutation(xp, piv, m, dtype):
    """The permutation matrices P (A = P L U) of LAPACK's 1-based row swaps, batched."""
    k = piv.shape[-1]
    flat = piv.reshape((math.prod(piv.shape[:-1]), k)).astype('int64') - 1   # not -1: k may be 0
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(k):   # k swaps applied in order, each one vectorised over the batch
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    P = xp.zeros((flat.shape[0], m, m), dtype)
    P[rows[:, None], perm, xp.arange(m)[None, :]] = 1
    return P.reshape(piv.shape[:-1] + (m, m))


def _solve_tri_right(xp, a, b, upper, unit=False):
    """X with X A = B for a triangular A: the transposed left solve A^T X^T = B^T."""
    x = _call(SolveTriangular, xp, xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2), upper=not upper,
              unitriangular=unit)
    return xp.swapaxes(x, -1, -2)


class LU(Op):
    """A = P L U with partial pivoting; P carries no gradient. The backward is torch's for square, wide and
    tall matrices."""
    differentiable_outputs = (False, True, True)
    __slots__ = ('cplx',)

    def forward(self, xp, a):
        m, n = a.shape[-2:]
        k = min(m, n)
        lu_, piv, _ = _lu_raw(xp, a)
        L = xp.tril(lu_[..., :, :k], -1) + xp.eye(m, k, dtype=a.dtype)
        U = xp.triu(lu_[..., :k, :])
        P = _permutation(xp, piv, m, a.dtype)
        self.cplx = a.dtype.kind == 'c'
        self.saved = (P, L, U)
        return P, L, U

    def backward(self, xp, gP, gL, gU):
        P, L, U = self.saved
        c = self.cplx
        m, n = L.shape[-2], U.shape[-1]
        k = min(m, n)
        Lh, Uh = _mH(xp, L, c), _mH(xp, U, c)
        if m == n:
            g = xp.tril(xp.matmul(Lh, gL), -1) + xp.triu(xp.matmul(gU, Uh))
            g = _solve_tri_right(xp, Uh, g, upper=False)
            g = _call(SolveTriangular, xp, Lh, g, upper=True, unitriangular=True)
        elif m < n:   # wide: U = [U1 U2]
            U1h = Uh[..., :k, :]
            g = xp.matmul(Lh, gL) - xp.matmul(xp.triu(gU), Uh)
            g = _solve_tri_right(xp, U1h, xp.tril(g, -1), upper=False)
            g = xp.concatenate([g + xp.triu(gU[..., :, :k]), gU[..., :, k:]], axis=-1)
            g = _call(SolveTriangular, xp, Lh, g, upper=True, unitriangular=True)
        else:         # tall: L = [L1; L2]
            L1h = Lh[..., :, :k]
            g = xp.matmul(gU, Uh) - xp.matmul(Lh, xp.tril(gL, -1))
            g = _call(SolveTriangular, xp, L1h, xp.triu(g), upper=True, unitriangular=True)
            g = xp.concatenate([g + xp.tril(gL[..., :k, :], -1), gL[..., k:, :]], axis=-2)
            g = _solve_tri_right(xp, Uh, g, upper=False)
        return xp.matmul(P, g)

    @classmethod
    def name(cls):
        return 'LinalgLuBackward0'


def _lu_compact(L, U):
    """The LAPACK-style packed m x n matrix (strict lower part of L, upper part of U) from the factors, by
    differentiable ops."""
    m, k, n = L.shape[-2], L.shape[-1], U.shape[-1]
    lo, up = _S.tril(L, -1), _S.triu(U)
    if m > n:
        up = _S.cat([up, _C.zeros(tuple(U.shape[:-2]) + (m - n, n), dtype=U.dtype)], -2)
    elif n > m:
        lo = _S.cat([lo, _C.zeros(tuple(L.shape[:-2]) + (m, n - m), dtype=L.dtype)], -1)
    return _E.add(lo, up)


def _lu_input(A, op):
    A = _tensor(A, op)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    return _matrix(A, op, kernel='lu_cpu')


def lu_factor(A, *, pivot=True, out=None):
    """Computes a compact representation of the LU factorization with partial pivoting: (LU, pivots),
    pivots 1-based as LAPACK's. Raises for a singular matrix only where torch does (never: see
    lu_factor_ex's info)."""
    LU_, piv, info = lu_factor_ex(A, pivot=pivot)
    if info.numel() and bool(info._data.any()):
        flat = info._data.reshape(-1)
        b = int(xp_of(flat).argmax(flat != 0))
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(b, A.shape)}U[{int(flat[b])},{int(flat[b])}] "
                           "is zero and using it on lu_solve would result in a division by zero. If you still "
                           "want to perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return _lu_factor_t(LU_, piv)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """A version of lu_factor that also returns info: for each matrix, 0 on success, or the (1-based) index
    of the first exactly-zero pivot of U. check_errors=True raises for a nonzero info."""
    A = _lu_input(A, 'torch.lu_factor')
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    xp = xp_of(A._data)
    lu_, piv, info = _lu_raw(xp, A._data)
    if check_errors and info.any():
        flat = info.reshape(-1)
        b = next(i for i in range(flat.shape[0]) if int(flat[i]))
        raise LinAlgError(f"linalg.lu_factor_ex: {_batch_prefix(b, A.shape)}U[{int(flat[b])},{int(flat[b])}] is "
                          "zero, singular U.")
    if A._req and is_grad_enabled():
        _, L, U = LU.apply(A)
        packed = _lu_compact(L, U)
    else:
        packed = _wrap(lu_, xp)
    return _lu_factor_ex_t(packed, _wrap(piv, xp), _wrap(info, xp))


def lu(A, *, pivot=True, out=None):
    """Computes the LU decomposition with partial pivoting A = P L U (L unit lower triangular, U upper
    triangular)."""
    A = _lu_input(A, 'linalg.lu')
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    return _lu_t(*LU.apply(A))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """Unpacks the LU decomposition returned by lu_factor into the P, L, U matrices (empty tensors for
    the parts not asked for). Differentiable with respect to LU_data."""
    LU_data = _tensor(LU_data, 'lu_unpack', 'LU_data')
    LU_pivots = _tensor(LU_pivots, 'lu_unpack', 'LU_pivots')
    if LU_data.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(LU_data.shape)} instead")
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if LU_pivots.dtype != _dtype.int32:
        raise RuntimeError(f"torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
                           f"dtype. Note: this function is intended to be used with the output produced by "
                           f"torch.linalg.lu_factor")
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (k,):
        raise RuntimeError(f"torch.lu_unpack: Expected LU_pivots.shape[:-1] to be the same as LU_data.shape[:-2]"
                           f", but got LU_pivots.shape[:-1] = {list(LU_pivots.shape[:-1])} and "
                           f"LU_data.shape[:-2] = {list(LU_data.shape[:-2])}")
    xp = xp_of(LU_data._data)
    empty = _wrap(xp.zeros((0,), LU_data._data.dtype), xp)
    if unpack_data:
        eye = _wrap(xp.eye(m, k, dtype=LU_data._data.dtype), xp)
        L = _E.add(_S.tril(_S.narrow(LU_data, -1, 0, k), -1), eye)
        U = _S.triu(_S.narrow(LU_data, -2, 0, k))
    else:
        L = U = empty
    if unpack_pivots:
        piv = LU_pivots._data
        if piv.size and (int(piv.min()) < 1 or int(piv.max()) > m):
            raise RuntimeError("torch.lu_unpack: pivots out of range: each pivot must be in [1, LU_data.size(-2)]")
        P = _wrap(_permutation(xp, piv, m, LU_data._data.dtype), xp)
    else:
        P = empty
    return _lu_unpack_t(P, L, U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Computes the solution of a square system of linear equations with a unique solution given an LU
    decomposition (from lu_factor): A X = B, or X A = B with left=False, with A^H for adjoint=True.
    Differentiable with respect to LU and B."""
    LU = _square(LU, 'linalg.lu_solve', 'LU')
    B = _matrix(_tensor(B, 'linalg.lu_solve', 'B'), 'linalg.lu_solve', 'B')
    _same_dtype(LU, B, 'linalg.lu_solve')
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if not left:   # X A = B  <=>  A^H X^H = B^H
        return _mH_t(lu_solve(LU, pivots, _mH_t(B), left=True, adjoint=not adjoint))
    P, L, U = lu_unpack(LU, pivots)
    if not adjoint:   # A = P L U: X = U^{-1} L^{-1} P^T B
        Y = _B.matmul(_S.transpose(P, -1, -2), B)
        Y = solve_triangular(L, Y, upper=False, unitriangular=True)
        return solve_triangular(U, Y, upper=True)
    # A^H = U^H L^H P^T: X = P L^{-H} U^{-H} B
    Y = solve_triangular(_mH_t(U), B, upper=False)
    Y = solve_triangular(_mH_t(L), Y, upper=True, unitriangular=True)
    return _B.matmul(P, Y)


def matmul(input, other, *, out=None):
    """torch.linalg.matmul: alias for torch.matmul."""
    return _B.matmul(input, other)


def vander(x, *, N=None):
    """Generates a Vandermonde matrix: x**0, x**1, ..., x**(N-1) in the last dimension, batched over x's
    leading dimensions. N defaults to x.shape[-1]."""
    return _X.linalg_vander(x, N=N)


def householder_product(A, tau, *, out=None):
    """Computes the first n columns of a product of Householder matrices H_1 ... H_k, H_i = I - tau_i v_i v_i^H,
    v_i the i-th column of A below the diagonal with an implicit 1 on it (LAPACK's orgqr). Differentiable,
    composed of matrix products."""
    A = _matrix(A, 'linalg.householder_product', kernel='orgqr_cpu')
    tau = _tensor(tau, 'linalg.householder_product', 'tau')
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else 0
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if tau.ndim != A.ndim - 1 or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    _same_dtype(A, tau, 'torch.linalg.householder_product')
    xp = xp_of(A._data)
    dt = A._data.dtype
    below = _wrap(xp.tril(xp.ones((m, n), dtype=bool), -1), xp)
    eye_mn = _wrap(xp.eye(m, n, dtype=dt), xp)
    V = _E.add(_E.where(below, A, _C.zeros((), dtype=A.dtype)), eye_mn)   # unit lower trapezoidal
    Q = _wrap(xp.broadcast_to(xp.eye(m, n, dtype=dt), A._data.shape[:-2] + (m, n)).copy(), xp)
    for i in range(k - 1, -1, -1):   # Q = H_1 (H_2 (... H_k I)), each a rank-one update
        v = _S.narrow(V, -1, i, 1)
        t = _S.unsqueeze(_S.unsqueeze(_S.select(tau, -1, i), -1), -1)
        vh = _mH_t(v)
        Q = _E.sub(Q, _E.mul(t, _B.matmul(v, _B.matmul(vh, Q))))
    return Q


def _orgqr(input, tau):
    """torch.orgqr: alias for torch.linalg.householder_product."""
    return householder_product(input, tau)


# --- LDL (Bunch-Kaufman) ---------------------------------------------------------------------------------
_ldl_factor_t = namedtuple('linalg_ldl_factor', ['LD', 'pivots'])
_ldl_factor_ex_t = namedtuple('linalg_ldl_factor_ex', ['LD', 'pivots', 'info'])
_LAPACK_PREFIX = {'float32': 's', 'float64': 'd', 'complex64': 'c', 'complex128': 'z'}


def _lapack(name, dt, hermitian):
    import scipy.linalg.lapack as lapack
    p = _LAPACK_PREFIX[str(dt)]
    kind = 'he' if hermitian and p in 'cz' else 'sy'
    return getattr(lapack, f'{p}{kind}{name}')


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """Computes a compact representation of the LDL factorization of a Hermitian or symmetric (possibly
    indefinite) matrix, as LAPACK's sytrf (Bunch-Kaufman pivoting) computes it from the lower triangle:
    (LD, pivots, info). pivots are LAPACK's, 1-based, negative for 2x2 blocks; info is 0 on success, or k
    where D[k, k] is exactly zero. No gradient."""
    A = _tensor(A, 'linalg.ldl_factor_ex')
    if A.dtype.kind not in 'fc' or A.dtype.itemsize == 2:
        raise RuntimeError(f"torch.linalg.ldl_factor_ex: Expected a floating point or complex tensor as input. Got "
                           f"{_word(A)}")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        if A.dim() < 2:
            raise RuntimeError("torch.linalg.ldl_factor_ex: The input tensor A must have at least 2 dimensions.")
        raise RuntimeError(f"torch.linalg.ldl_factor_ex: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    a = A._data
    xp = xp_of(a)
    n = a.shape[-1]
    batch = a.shape[:-2]
    flat = a.reshape((-1, n, n))
    LD = xp.zeros_like(flat)
    piv = xp.zeros((flat.shape[0], n), 'int32')
    info = xp.zeros(flat.shape[0], 'int32')
    if n:
        sytrf = _lapack('trf', a.dtype, hermitian)
        for i in range(flat.shape[0]):
            lu_, ipiv, inf = sytrf(flat[i], lower=1)
            LD[i] = xp.tril(lu_)
            piv[i] = ipiv
            info[i] = inf
    if check_errors and info.any():
        b = int(xp.nonzero(info)[0][0])
        raise LinAlgError(f"torch.linalg.ldl_factor_ex: {_batch_prefix(b, A.shape)}The factorization could not be "
                          f"completed because the input is not invertible (D[{int(info[b])}, {int(info[b])}] is zero).")
    return _ldl_factor_ex_t(_wrap(LD.reshape(a.shape), xp), _wrap(piv.reshape(batch + (n,)), xp),
                            _wrap(info.reshape(batch), xp))


def _word(A):
    return {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool',
            'float16': 'Half', 'bfloat16': 'BFloat16'}.get(A.dtype.name, A.dtype.name)


def ldl_factor(A, *, hermitian=False, out=None):
    """Computes a compact representation of the LDL factorization of a Hermitian or symmetric (possibly
    indefinite) matrix: (LD, pivots) as LAPACK's sytrf gives them (see ldl_factor_ex). Raises for a
    singular matrix."""
    LD, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    if info._data.any():
        flat = info._data.reshape(-1)
        b = next(i for i in range(flat.shape[0]) if int(flat[i]))
        raise LinAlgError(f"torch.linalg.ldl_factor: {_batch_prefix(b, A.shape)}The factorization could not be "
                          f"completed because the input is not invertible (D[{int(flat[b])}, {int(flat[b])}] is "
                          "zero).")
    return _ldl_factor_t(LD, piv)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """Computes the solution X of AX = B using the LDL factorization of A (LD and pivots from
    ldl_factor); batches broadcast. No gradient."""
    LD = _tensor(LD, 'linalg.ldl_solve', 'LD')
    pivots = _tensor(pivots, 'linalg.ldl_solve', 'pivots')
    B = _tensor(B, 'linalg.ldl_solve', 'B')
    if LD.dim() < 2 or LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError(f"torch.linalg.ldl_solve: A must be batches of square matrices, but they are "
                           f"{LD.shape[-2]} by {LD.shape[-1]} matrices")
    if B.dim() < 2:
        raise RuntimeError("torch.linalg.ldl_solve: The input tensor B must have at least 2 dimensions.")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {_word(B)} and A of type "
                           f"{_word(LD)} instead.".replace('float32', 'Float').replace('float64', 'Double')
                           .replace('complex64', 'ComplexFloat').replace('complex128', 'ComplexDouble'))
    if pivots.dtype.kind not in 'iu':
        raise RuntimeError("torch.linalg.ldl_solve: Expected LD.dtype and pivots.dtype to be int, but got "
                           f"{pivots.dtype}")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is {n} by {n} but "
                           f"each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    xp = xp_of(LD._data)
    import numpy
    batch = tuple(numpy.broadcast_shapes(LD.shape[:-2], pivots.shape[:-1], B.shape[:-2]))
    ld = xp.broadcast_to(LD._data, batch + (n, n)).reshape((-1, n, n))
    pv = xp.broadcast_to(pivots._data, batch + (n,)).reshape((-1, n)).astype('int32')
    k = B.shape[-1]
    b = xp.broadcast_to(B._data, batch + (n, k)).reshape((-1, n, k))
    X = xp.empty_like(b)
    if n and k:
        sytrs = _lapack('trs', LD._data.dtype, hermitian)
        for i in range(ld.shape[0]):
            X[i] = sytrs(ld[i], pv[i], b[i], lower=1)[0]
    return _wrap(X.reshape(batch + (n, k)), xp)


# --- torch.* forms (wired into ember/__init__.py through TOPLEVEL) ----------------------------------
def _inverse(input, *, out=None):
    """torch.inverse: alias for torch.linalg.inv."""
    return inv(input)


def _cholesky_top(input, upper=False, *, out=None):
    """torch.cholesky (deprecated in torch for torch.linalg.cholesky): the lower factor, or the upper one
    with upper=True."""
    A = _square(input, 'cholesky')
    return Cholesky.apply(A, op='cholesky', upper=bool(upper))


def _cholesky_solve(B, L, upper=False, *, out=None):
    """torch.cholesky_solve: solves A X = B given the Cholesky factor of A (lower, or upper with upper=True)."""
    L = _square(L, 'cholesky_solve', 'input2')
    B = _matrix(B, 'cholesky_solve', 'input')
    _same_dtype(B, L, 'cholesky_solve')
    if upper:
        Y = solve_triangular(_mH_t(L), B, upper=False)
        return solve_triangular(L, Y, upper=True)
    Y = solve_triangular(L, B, upper=False)
    return solve_triangular(_mH_t(L), Y, upper=True)


class CholeskyInverse(Op):
    """inv(L L^H) (or inv(U^H U)) from the triangle of the factor. torch's gradient multiplies by the whole
    input matrix, the unread triangle included, so the formula is written here rather than composed."""
    __slots__ = ('upper', 'cplx')

    def forward(self, xp, f, upper=False):
        self.upper, self.cplx = upper, f.dtype.kind == 'c'
        eye = xp.broadcast_to(xp.eye(f.shape[-1], dtype=f.dtype), f.shape)
        t = xp.triu(f) if upper else xp.tril(f)
        d = xp.diagonal(f, 0, -2, -1)
        if not isinstance(xp, GraphXP) and d.size and not d.all():
            b, k = divmod(int(xp.argmax((d == 0).reshape(-1))), f.shape[-1])
            raise LinAlgError(f"cholesky_inverse: {_batch_prefix(b, f.shape)}The diagonal element {k + 1} is zero, "
                              "the inversion could not be completed because the input matrix is singular.")
        x = _call(SolveTriangular, xp, t, eye, upper=upper, unitriangular=False)   # the factor's inverse
        xh = _mH(xp, x, self.cplx)
        a = xp.matmul(x, xh) if upper else xp.matmul(xh, x)
        self.saved = (f, a)
        return a

    def backward(self, xp, g):
        f, a = self.saved
        s = g + _mH(xp, g, self.cplx)
        asa = xp.matmul(xp.matmul(a, s), a)
        return -(xp.matmul(f, asa) if self.upper else xp.matmul(asa, f))

    @classmethod
    def name(cls):
        return 'CholeskyInverseBackward0'


def _cholesky_inverse(L, upper=False, *, out=None):
    """torch.cholesky_inverse: the inverse of A = L L^H (or U^H U with upper=True) from its factor."""
    L = _square(L, 'cholesky_inverse', 'input', kernel='cholesky_inverse_out_cpu')
    return CholeskyInverse.apply(L, upper=bool(upper))


def _qr_top(input, some=True, *, out=None):
    """torch.qr (deprecated in torch for torch.linalg.qr): reduced (some=True) or complete QR."""
    return _torch_qr_t(*qr(input, 'reduced' if some else 'complete'))


def _svd_top(input, some=True, compute_uv=True, *, out=None):
    """torch.svd (deprecated in torch for torch.linalg.svd): returns (U, S, V) with V, not Vh; some=True
    is the reduced decomposition. With compute_uv=False, U and V are zero-filled."""
    A = _matrix(input, 'svd')
    if not compute_uv:
        s = svdvals(A)
        m, n = A.shape[-2:]
        xp = xp_of(A._data)
        bs = tuple(A.shape[:-2])
        return _torch_svd_t(_wrap(xp.zeros(bs + (m, m), A._data.dtype), xp), s,
                            _wrap(xp.zeros(bs + (n, n), A._data.dtype), xp))
    U, S, Vh = svd(A, full_matrices=not some)
    return _torch_svd_t(U, S, _mH_t(Vh))


def _pinverse(input, rcond=1e-15):
    """torch.pinverse: alias for torch.linalg.pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


def _lu_top(A, pivot=True, get_infos=False, *, out=None):
    """torch.lu (deprecated for torch.linalg.lu_factor): (LU, pivots) and, with get_infos, the LAPACK info."""
    A = _matrix(A, 'lu')
    xp = xp_of(A._data)
    lu_, piv, info = lu_factor_ex(A)   # differentiable in LU, as torch's
    if not get_infos and info._data.any():
        _raise_singular(xp, A._data, 'torch.lu')
    return (lu_, piv, info) if get_infos else (lu_, piv)


def _lu_solve_top(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve (deprecated for torch.linalg.lu_solve): solves A x = b from A's LU factorization."""
    return lu_solve(LU_data, LU_pivots, b)


def _triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated for torch.linalg.solve_triangular): solves A X = b (A^T X = b with
    transpose=True) for a triangular A; returns (solution, cloned_coefficient), the second a copy of A."""
    b = _matrix(_tensor(b, 'triangular_solve', 'input'), 'triangular_solve', 'input')
    A = _matrix(_tensor(A, 'triangular_solve', 'A'), 'triangular_solve', 'A')
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"triangular_solve: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"triangular_solve: Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{A.shape[-1]} by {A.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    _same_dtype(b, A, 'triangular_solve')
    M = _S.transpose(A, -1, -2) if transpose else A
    X = solve_triangular(M, b, upper=(not upper) if transpose else upper, unitriangular=unitriangular)
    shape = tuple(X.shape[:-2]) + tuple(A.shape[-2:])
    return _triangular_solve_t(X, _S.clone(_S.expand(A, *shape)) if tuple(A.shape) != shape else _S.clone(A))


def _trace(input):
    """torch.trace: the sum of the elements of the main diagonal of a 2-D matrix."""
    input = _tensor(input, 'trace', 'input')
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return _R.sum(_S.diagonal(input, 0, 0, 1))


def _det_top(input):
    """torch.det: alias for torch.linalg.det."""
    return det(input)


def _slogdet_top(input):
    """torch.slogdet: alias for torch.linalg.slogdet (its result type is named slogdet)."""
    return _torch_slogdet_t(*slogdet(input))


def _matrix_power_top(input, n):
    """torch.matrix_power: alias for torch.linalg.matrix_power."""
    return matrix_power(input, n)


def _matrix_exp_top(input):
    """torch.matrix_exp: alias for torch.linalg.matrix_exp."""
    return matrix_exp(input)


TOPLEVEL = dict(det=_det_top, logdet=logdet, slogdet=_slogdet_top, inverse=_inverse, cholesky=_cholesky_top,
                cholesky_solve=_cholesky_solve, cholesky_inverse=_cholesky_inverse, qr=_qr_top, svd=_svd_top,
                pinverse=_pinverse, matrix_power=_matrix_power_top, matrix_exp=_matrix_exp_top, lu=_lu_top,
                trace=_trace, lu_solve=_lu_solve_top, lu_unpack=lu_unpack, triangular_solve=_triangular_solve,
                orgqr=_orgqr)
for _k, _v in TOPLEVEL.items():
    _v.__name__ = _k

bind(det=_det_top, logdet=logdet, slogdet=_slogdet_top, inverse=_inverse, cholesky=_cholesky_top,
     cholesky_solve=_cholesky_solve, cholesky_inverse=_cholesky_inverse, qr=_qr_top, svd=_svd_top,
     pinverse=_pinverse, matrix_power=_matrix_power_top, matrix_exp=_matrix_exp_top, lu=_lu_top, trace=_trace,
     lu_solve=_lu_solve_top, triangular_solve=_triangular_solve, orgqr=_orgqr)

from .ops import add_out_support as _add_out_support   # noqa: E402
_add_out_support(globals())   # torch's out= on the public functions (after binding: methods take no out=)

__all__ = ['LinAlgError', 'norm', 'vector_norm', 'matrix_norm', 'det', 'slogdet', 'inv', 'inv_ex', 'solve',
           'solve_ex', 'solve_triangular', 'lstsq', 'cholesky', 'cholesky_ex', 'qr', 'eigh', 'eigvalsh', 'eig',
           'eigvals', 'svd', 'svdvals', 'pinv', 'matrix_power', 'matrix_rank', 'matrix_exp', 'cross',
           'multi_dot', 'vecdot', 'diagonal', 'tensorinv', 'tensorsolve', 'lu_factor', 'lu', 'cond',
           'lu_factor_ex', 'lu_solve', 'matmul', 'vander', 'householder_product', 'ldl_factor', 'ldl_factor_ex',
           'ldl_solve']
