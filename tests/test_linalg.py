"""ember.linalg against torch.linalg: values, dtypes, batched shapes, gradients (float64 gradcheck and
gradgradcheck), and the errors torch raises for singular, non-square and badly-shaped input."""
import math
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same


def top(lib, name):
    """torch.<name> for the torch.* forms that ember.linalg defines (wired in as ember.<name>)."""
    if lib is torch:
        return getattr(torch, name)
    return getattr(ember, name, None) or ember.linalg.TOPLEVEL[name]


def spd(L, a):
    """A symmetric positive-definite matrix made from any square a (differentiably)."""
    n = a.shape[-1]
    return a @ a.mT + n * L.eye(n, dtype=a.dtype)


def sym(L, a):
    return a + a.mT


def well(L, a):
    """a shifted away from singularity."""
    return a + 3 * L.eye(a.shape[-1], dtype=a.dtype)


# --- inverse, determinant, solvers ------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 3), (2, 3, 3), (2, 1, 2, 2)])
def test_inv_det_slogdet(shape):
    check(lambda L, a: L.linalg.inv(well(L, a)), shape)
    check(lambda L, a: L.linalg.det(a), shape)
    check(lambda L, a: L.linalg.slogdet(a), shape)
    check(lambda L, a: L.linalg.slogdet(a).logabsdet, shape, dtype='float64')


def test_gradgrad_inv_det_slogdet_solve():
    check(lambda L, a: L.linalg.inv(well(L, a)), (2, 2), gradgrad=True)
    check(lambda L, a: L.linalg.det(well(L, a)), (2, 2, 2), gradgrad=True)
    check(lambda L, a: L.linalg.slogdet(well(L, a))[1], (2, 2), gradgrad=True)
    check(lambda L, a, b: L.linalg.solve(well(L, a), b), (2, 2), (2, 1), gradgrad=True)


def test_det_singular_gradient():
    # rank-deficient input: the gradient is the cofactor matrix, through an SVD
    a = np.array([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])
    check(lambda L, a: L.linalg.det(a), a.astype('float32'), gradcheck=False)
    check(lambda L, a: L.linalg.det(a), np.zeros((2, 2, 2), 'float32'), gradcheck=False)


@pytest.mark.parametrize('sa,sb', [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 2)),
                                   ((3, 3), (2, 3, 1)), ((2, 1, 3, 3), (3, 3, 2))])
def test_solve(sa, sb):
    check(lambda L, a, b: L.linalg.solve(well(L, a), b), sa, sb)


def test_solve_left_false_and_dtypes():
    check(lambda L, a, b: L.linalg.solve(well(L, a), b, left=False), (3, 3), (2, 3))
    check(lambda L, a, b: L.linalg.solve(well(L, a), b), (3, 3), (3, 2), dtype='float64')


@pytest.mark.parametrize('upper,left,unit', [(True, True, False), (False, True, False), (True, False, True),
                                             (False, False, False)])
def test_solve_triangular(upper, left, unit):
    sb = (3, 2) if left else (2, 3)
    check(lambda L, a, b: L.linalg.solve_triangular(well(L, a), b, upper=upper, left=left, unitriangular=unit),
          (2, 3, 3), sb)


def test_solve_triangular_gradgrad():
    check(lambda L, a, b: L.linalg.solve_triangular(well(L, a), b, upper=True), (2, 2), (2, 2), gradgrad=True)


def test_complex_inverse_solve_det():
    rng = np.random.default_rng(3)
    a = (rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))).astype('complex64')
    b = (rng.standard_normal((2, 3, 2)) + 1j * rng.standard_normal((2, 3, 2))).astype('complex64')
    check(lambda L, a: L.linalg.inv(a), a, grad=False)
    check(lambda L, a, b: L.linalg.solve(a, b), a, b, grad=False)
    check(lambda L, a: L.linalg.det(a), a, grad=False)
    check(lambda L, a: L.linalg.slogdet(a), a, grad=False)
    check(lambda L, a: L.linalg.eigvalsh(a @ a.mH), a, grad=False, atol=1e-4)
    check(lambda L, a: L.linalg.svdvals(a), a, grad=False)
    check(lambda L, a: L.linalg.cholesky(a @ a.mH + 3 * L.eye(3)), a, grad=False)


def test_singular_errors():
    s = np.array([[1., 2.], [2., 4.]], 'float32')
    s3 = np.diag([1., 1., 0.]).astype('float32')
    batch = np.stack([np.eye(3), np.diag([0., 1., 1.])]).astype('float32')
    for a, msg in [(s, 'The diagonal element 2 is zero'), (s3, 'The diagonal element 3 is zero'),
                   (batch, r'\(Batch element 1\): The diagonal element 1 is zero')]:
        check_error(lambda L: L.linalg.inv(L.tensor(a)), L_err(), match='linalg.inv: ' + msg)
    check_error(lambda L: top(L, 'inverse')(L.tensor(s)), L_err(), match='linalg.inv')
    check_error(lambda L: L.linalg.solve(L.tensor(s), L.ones(2)), L_err(),
                match='torch.linalg.solve: The solver failed because the input matrix is singular.')
    check_error(lambda L: L.linalg.cholesky(L.tensor(s)), L_err(),
                match=r'linalg.cholesky: The factorization could not be completed because the input is not '
                      r'positive-definite \(the leading minor of order 2 is not positive-definite\).')
    check_error(lambda L: L.linalg.cholesky(-L.eye(3).expand(2, 3, 3)), L_err(),
                match=r'\(Batch element 0\).*order 1')
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    r = ember.linalg.slogdet(ember.zeros(3, 3))
    assert r.sign.item() == 0 and r.logabsdet.item() == -math.inf


def L_err():
    """The exception class both libraries raise for singular input: LinAlgError, a RuntimeError."""
    return RuntimeError


def test_linalg_error_class():
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.inv(torch.zeros(2, 2))


def test_shape_and_dtype_errors():
    check_error(lambda L: L.linalg.inv(L.zeros(2, 3)), RuntimeError,
                match='linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices')
    check_error(lambda L: L.linalg.det(L.zeros(3)), RuntimeError,
                match='linalg.det: The input tensor A must have at least 2 dimensions.')
    check_error(lambda L: L.linalg.inv(L.zeros(3, 3, dtype=L.int64)), RuntimeError,
                match='linalg.inv: Expected a floating point or complex tensor as input. Got Long')
    check_error(lambda L: L.linalg.inv(L.eye(2, dtype=L.half)), RuntimeError, match='Low precision')
    check_error(lambda L: L.linalg.solve(L.eye(2), L.ones(3)), RuntimeError,
                match=r'Incompatible shapes of A and B for the equation AX = B \(2x2 and 3x1\)')
    check_error(lambda L: L.linalg.solve(L.eye(2, dtype=L.float64), L.ones(2, 2)), RuntimeError,
                match='Expected A and B to have the same dtype')
    check_error(lambda L: L.linalg.eigh(L.zeros(2, 3)), RuntimeError, match='linalg.eigh: A must be batches')
    check_error(lambda L: L.linalg.eigh(L.eye(2), UPLO='X'), RuntimeError, match="UPLO argument to be 'L' or 'U'")
    check_error(lambda L: L.linalg.svd(L.zeros(3)), RuntimeError, match='at least 2 dimensions')
    check_error(lambda L: L.linalg.qr(L.zeros(3, 2), mode='x'), RuntimeError, match='unrecognized mode')
    check_error(lambda L: L.linalg.matrix_power(L.zeros(2, 3), 2), RuntimeError, match='square matrices')
    check_error(lambda L: L.linalg.matrix_power(L.zeros(2, 2), 0.5), TypeError, match='must be int')
    check_error(lambda L: L.linalg.matrix_exp(L.zeros(2, 3)), RuntimeError, match='linalg.matrix_exp')
    check_error(lambda L: L.linalg.lstsq(L.zeros(3, 2), L.zeros(3, 1), driver='foo'), RuntimeError,
                match='driver')
    check_error(lambda L: top(L, 'trace')(L.zeros(2, 2, 2)), RuntimeError, match='expected a matrix')


# --- Cholesky, QR -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 3), (2, 3, 3)])
def test_cholesky(shape):
    check(lambda L, a: L.linalg.cholesky(spd(L, a)), shape)
    check(lambda L, a: L.linalg.cholesky(spd(L, a), upper=True), shape)
    check(lambda L, a: L.linalg.cholesky_ex(spd(L, a)), shape, grad=False)


def test_cholesky_gradgrad_and_torch_forms():
    check(lambda L, a: L.linalg.cholesky(spd(L, a)), (2, 2), gradgrad=True)
    check(lambda L, a, b: top(L, 'cholesky_solve')(b, L.linalg.cholesky(spd(L, a))), (3, 3), (3, 2))
    check(lambda L, a, b: top(L, 'cholesky_solve')(b, L.linalg.cholesky(spd(L, a), upper=True), True),
          (3, 3), (3, 2), gradcheck=False)
    check(lambda L, a: top(L, 'cholesky_inverse')(L.linalg.cholesky(spd(L, a))), (3, 3))
    check(lambda L, a: spd(L, a).cholesky(), (2, 3, 3), gradcheck=False)


def test_cholesky_reads_one_triangle():
    a = np.random.default_rng(0).standard_normal((3, 3))
    s = a @ a.T + 3 * np.eye(3)
    lower, upper = s.copy(), s.copy()
    lower[0, 2] = 99.0   # ignored by the lower factor
    upper[2, 0] = 99.0   # ignored by the upper one
    check(lambda L, a: L.linalg.cholesky(a), lower, dtype='float64', gradcheck=False)
    check(lambda L, a: L.linalg.cholesky(a, upper=True), upper, dtype='float64', gradcheck=False)
    check(lambda L, a: L.linalg.cholesky_ex(a, upper=True), upper, dtype='float64', grad=False)


def test_cholesky_ex_info():
    t = torch.linalg.cholesky_ex(-torch.eye(2)).info
    e = ember.linalg.cholesky_ex(-ember.eye(2)).info
    assert_same(t, e)


@pytest.mark.parametrize('shape,mode', [((4, 3), 'reduced'), ((2, 4, 3), 'reduced'), ((3, 3), 'complete'),
                                        ((3, 4), 'reduced'), ((2, 3, 5), 'complete')])
def test_qr(shape, mode):
    check(lambda L, a: L.linalg.qr(a, mode=mode), shape)


def test_qr_modes_and_errors():
    check(lambda L, a: L.linalg.qr(a, mode='complete'), (4, 3), grad=False)
    check(lambda L, a: L.linalg.qr(a, mode='r'), (4, 3), grad=False)
    check(lambda L, a: top(L, 'qr')(a), (4, 3), gradcheck=False)
    check(lambda L, a: a.qr(some=False), (4, 3), grad=False)
    check(lambda L, a: L.linalg.qr(a).Q, (3, 2), gradgrad=True)
    for mode, msg in [('complete', 'not differentiable'), ('r', 'depends on Q')]:
        def f(L, mode=mode):
            a = L.ones(4, 3, requires_grad=True) + L.eye(4, 3)
            L.linalg.qr(a, mode=mode).R.sum().backward()
        check_error(f, RuntimeError, match=msg)


# --- eigendecompositions, SVD -------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 3), (2, 3, 3)])
@pytest.mark.parametrize('uplo', ['L', 'U'])
def test_eigh(shape, uplo):
    # eigenvectors are unique up to sign: compare V diag(f(w)) V^T and the eigenvalues
    # the gradient is symmetric (torch's convention), so finite differences need symmetric input
    def f(L, a):
        w, v = L.linalg.eigh(sym(L, a), UPLO=uplo)
        return w, (v * L.sin(w).unsqueeze(-2)) @ v.mT
    check(f, shape)
    check(lambda L, a: L.linalg.eigvalsh(sym(L, a), UPLO=uplo), shape)
    check(lambda L, a: L.linalg.eigvalsh(a, UPLO=uplo), shape, gradcheck=False)


def test_eigh_gradgrad():
    def f(L, a):
        w, v = L.linalg.eigh(sym(L, a))
        return w, (v * w.unsqueeze(-2) ** 2) @ v.mT
    check(f, (3, 3), gradgrad=True)


def test_eig_eigvals():
    a = np.array([[0., -1., 0.5], [1., 0., 0.], [0.2, 0., 2.]], 'float32')
    check(lambda L, a: L.linalg.eigvals(a), a, grad=False)
    check(lambda L, a: L.linalg.eig(a).eigenvalues, a, grad=False)
    w, v = ember.linalg.eig(ember.tensor(a))
    assert w.dtype == ember.complex64 and v.dtype == ember.complex64
    av = ember.tensor(a).to(ember.complex64) @ v
    np.testing.assert_allclose(av.numpy(), (v * w.unsqueeze(-2)).numpy(), atol=1e-5)


@pytest.mark.parametrize('shape', [(4, 3), (3, 4), (3, 3), (2, 4, 2)])
@pytest.mark.parametrize('full', [False, True])
def test_svd(shape, full):
    k = min(shape[-2:])

    def f(L, a):
        u, s, vh = L.linalg.svd(a, full_matrices=full)
        return s, u[..., :, :k] @ (s.unsqueeze(-1) ** 2 * vh[..., :k, :])   # sign-invariant
    check(f, shape)
    check(lambda L, a: L.linalg.svdvals(a), shape)


def test_svd_gradgrad_and_torch_svd():
    def f(L, a):
        u, s, vh = L.linalg.svd(a, full_matrices=False)
        return u @ vh
    check(f, (3, 2), gradgrad=True)
    check(lambda L, a: L.linalg.svdvals(a), (2, 3), gradgrad=True)

    def g(L, a):
        u, s, v = top(L, 'svd')(a)
        return s, u @ v.mT
    check(g, (4, 3))
    check(lambda L, a: a.svd(compute_uv=False).S, (4, 3), gradcheck=False)


# --- pinv, rank, lstsq ----------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(4, 3), (3, 4), (2, 3, 3)])
def test_pinv(shape):
    check(lambda L, a: L.linalg.pinv(a), shape)
    check(lambda L, a: top(L, 'pinverse')(a), shape, gradcheck=False)


def test_pinv_hermitian_tolerances_gradgrad():
    check(lambda L, a: L.linalg.pinv(sym(L, a), hermitian=True), (3, 3))
    rank1 = np.outer([1., 2., 3.], [1., 0., 1.]).astype('float32')
    check(lambda L, a: L.linalg.pinv(a), rank1, grad=False)
    check(lambda L, a: L.linalg.pinv(a, atol=0.5), (2, 3, 3), grad=False)
    check(lambda L, a: L.linalg.pinv(a, rtol=0.3), (2, 3, 3), grad=False)
    check(lambda L, a: L.linalg.pinv(a), (3, 2), gradgrad=True)


def test_matrix_rank():
    a = np.stack([np.outer([1., 2., 3.], [1., 0., 1.]), np.eye(3), np.zeros((3, 3))]).astype('float32')
    check(lambda L, a: L.linalg.matrix_rank(a), a, grad=False)
    check(lambda L, a: L.linalg.matrix_rank(a, hermitian=True), a[1:], grad=False)
    check(lambda L, a: L.linalg.matrix_rank(a, atol=L.tensor([0.1, 10.0, 1.0])), a, grad=False)
    check(lambda L, a: L.linalg.matrix_rank(a, rtol=0.5), (2, 4, 3), grad=False)


@pytest.mark.parametrize('driver', [None, 'gelsd', 'gelss', 'gels'])
def test_lstsq(driver):
    check(lambda L, a, b: L.linalg.lstsq(a, b, driver=driver), (2, 5, 3), (2, 5, 2), gradcheck=driver is None)
    check(lambda L, a, b: L.linalg.lstsq(a, b, driver=driver).solution, (5, 3), (5,), gradcheck=False)


def test_lstsq_underdetermined():
    check(lambda L, a, b: L.linalg.lstsq(a, b).solution, (3, 5), (3, 2))


# --- matrix functions ----------------------------------------------------------------------------------
@pytest.mark.parametrize('n', [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n):
    check(lambda L, a: L.linalg.matrix_power(well(L, a), n), (2, 3, 3), gradcheck=n in (3, -2))
    check(lambda L, a: a.matrix_power(n) if n >= 0 else (well(L, a)).matrix_power(n), (3, 3), gradcheck=False)


@pytest.mark.parametrize('shape,scale', [((3, 3), 0.5), ((2, 3, 3), 3.0), ((4, 4), 20.0)])
def test_matrix_exp(shape, scale):
    check(lambda L, a: L.linalg.matrix_exp(a * scale), shape, rtol=1e-4, atol=1e-4,
          gradcheck=scale < 10)
    check(lambda L, a: a.matrix_exp(), shape, dtype='float64', grad=False)


def test_matrix_exp_gradgrad():
    check(lambda L, a: L.linalg.matrix_exp(a), (2, 2), gradgrad=True)


# --- norms ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('ord', [2, 1, 3, 0.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize('dim,keepdim', [(None, False), (None, True), (-1, False), ((0, 2), True)])
def test_vector_norm(ord, dim, keepdim):
    check(lambda L, a: L.linalg.vector_norm(a, ord, dim, keepdim), (2, 3, 4), gradcheck=ord not in (0,))


def test_vector_norm_dtype_and_errors():
    check(lambda L, a: L.linalg.vector_norm(a, dtype=L.float64), (3, 4))
    check_error(lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.int64)), RuntimeError,
                match='Expected a floating point or complex tensor as input. Got Long')
    check_error(lambda L: L.linalg.vector_norm(L.ones(3), 'fro'), TypeError, match='must be Number')


@pytest.mark.parametrize('ord', ['fro', 'nuc', 2, -2, 1, -1, math.inf, -math.inf])
def test_matrix_norm(ord):
    check(lambda L, a: L.linalg.matrix_norm(a, ord), (2, 3, 4))
    check(lambda L, a: L.linalg.matrix_norm(a, ord, dim=(0, 2), keepdim=True), (3, 2, 4), gradcheck=False)
    check(lambda L, a: L.linalg.norm(a, ord), (3, 4), gradcheck=False)


def test_norm_dispatch_and_errors():
    check(lambda L, a: L.linalg.norm(a), (2, 3, 4))
    check(lambda L, a: L.linalg.norm(a, 3, dim=1), (2, 3, 4))
    check(lambda L, a: L.linalg.norm(a, dim=(1, 2), keepdim=True), (2, 3, 4))
    check(lambda L, a: L.linalg.norm(a, 1), (4,))
    check_error(lambda L: L.linalg.norm(L.ones(2, 2, 2), 2), RuntimeError, match='must be 1D or 2D. Got 3D')
    check_error(lambda L: L.linalg.matrix_norm(L.ones(3)), RuntimeError, match='at least 2 dimensions')
    check_error(lambda L: L.linalg.matrix_norm(L.ones(3, 3), 3), RuntimeError, match='Order 3 not supported')
    check_error(lambda L: L.linalg.matrix_norm(L.ones(3, 3), dim=(0, 0)), RuntimeError, match='dims must be')


# --- products and the rest -----------------------------------------------------------------------------
def test_cross_vecdot_diagonal():
    check(lambda L, a, b: L.linalg.cross(a, b), (2, 4, 3), (1, 4, 3))
    check(lambda L, a, b: L.linalg.cross(a, b, dim=0), (3, 2), (3, 2))
    check(lambda L, a, b: L.linalg.vecdot(a, b), (2, 4), (4,))
    check(lambda L, a, b: L.linalg.vecdot(a, b, dim=0), (3, 2), (3, 2))
    check(lambda L, a: L.linalg.diagonal(a, offset=1), (2, 3, 4))
    check_error(lambda L: L.linalg.cross(L.zeros(3, 2), L.zeros(3, 2)), RuntimeError, match='must have length 3')


@pytest.mark.parametrize('shapes', [[(2, 3), (3, 4)], [(3,), (3, 4), (4, 2)], [(2, 3), (3, 5), (5,)],
                                    [(3,), (3, 4), (4,)], [(5, 2), (2, 6), (6, 3), (3, 1)]])
def test_multi_dot(shapes):
    check(lambda L, *ts: L.linalg.multi_dot(ts), *shapes)


def test_multi_dot_errors():
    check_error(lambda L: L.linalg.multi_dot([L.zeros(3)]), RuntimeError, match='at least 2 tensors but got 1')
    check_error(lambda L: L.linalg.multi_dot([L.zeros(2, 3), L.zeros(4, 2)]), RuntimeError,
                match=r'tensors 0 and 1 with shapes \[2, 3\] and \[4, 2\] cannot be multiplied')
    check_error(lambda L: L.linalg.multi_dot([L.zeros(2, 3), L.zeros(3, 2, 2)]), RuntimeError,
                match='the last tensor must be 1D or 2D but got 3D')


def test_tensorinv_tensorsolve():
    check(lambda L, a: L.linalg.tensorinv(a.reshape(6, 2, 3) + L.eye(6).reshape(6, 2, 3) * 3, ind=1), (6, 6))
    check(lambda L, a, b: L.linalg.tensorsolve(a.reshape(2, 3, 6) + L.eye(6).reshape(2, 3, 6) * 3, b),
          (6, 6), (2, 3))


def test_lu():
    check(lambda L, a: L.linalg.lu_factor(a), (2, 4, 4), grad=False)
    check(lambda L, a: L.linalg.lu(a), (2, 4, 3), grad=False)
    check(lambda L, a: L.linalg.lu(a), (3, 5), grad=False)
    check(lambda L, a: top(L, 'lu')(a, get_infos=True), (3, 3), grad=False)


# --- the torch.* forms and Tensor methods -------------------------------------------------------------
def test_torch_forms_and_methods():
    check(lambda L, a: top(L, 'det')(a), (2, 3, 3))
    check(lambda L, a: a.det(), (3, 3), gradcheck=False)
    check(lambda L, a: top(L, 'logdet')(spd(L, a)), (2, 3, 3))
    check(lambda L, a: top(L, 'logdet')(-spd(L, a)), (3, 3), grad=False)   # negative det: nan
    check(lambda L, a: a.slogdet(), (3, 3), gradcheck=False)
    check(lambda L, a: well(L, a).inverse(), (3, 3), gradcheck=False)
    check(lambda L, a: well(L, a).logdet(), (3, 3), grad=False)
    check(lambda L, a: a.pinverse(), (3, 2), gradcheck=False)
    check(lambda L, a: top(L, 'matrix_exp')(a), (3, 3), gradcheck=False)
    check(lambda L, a: top(L, 'matrix_power')(a, 3), (3, 3), gradcheck=False)
    check(lambda L, a: top(L, 'trace')(a), (3, 4))
    check(lambda L, a: a.trace(), np.arange(9).reshape(3, 3).astype('int32'), grad=False)
    check(lambda L, a: top(L, 'slogdet')(a), (3, 3), gradcheck=False)


# --- complex gradients (check() compares real outputs only) ---------------------------------------------
def _complex_grads(fn, *arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    fn(torch, *ts).backward()
    fn(ember, *es).backward()
    for t, e in zip(ts, es):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-8, rtol=1e-6)


def _loss(x):
    return (x.real ** 2 + x.imag * 0.3).sum() if x.is_complex() else (x * x).sum()


@pytest.mark.parametrize('name', ['inv', 'solve', 'det', 'slogdet', 'cholesky', 'solve_triangular', 'eigh',
                                  'svd', 'qr', 'pinv', 'matrix_exp'])
def test_complex_gradients(name):
    rng = np.random.default_rng(5)
    c = lambda *s: rng.standard_normal(s) + 1j * rng.standard_normal(s)   # noqa: E731
    a, b, tall, wide = c(2, 3, 3), c(2, 3, 2), c(4, 3), c(3, 4)
    fns = {
        'inv': (lambda L, a: _loss(L.linalg.inv(a)), a),
        'solve': (lambda L, a, b: _loss(L.linalg.solve(a, b)), a, b),
        'det': (lambda L, a: _loss(L.linalg.det(a)), a),
        'slogdet': (lambda L, a: _loss(L.linalg.slogdet(a).sign) + L.linalg.slogdet(a).logabsdet.sum(), a),
        'cholesky': (lambda L, a: _loss(L.linalg.cholesky(a @ a.mH + 3 * L.eye(3))), a),
        'solve_triangular': (lambda L, a, b: _loss(L.linalg.solve_triangular(a, b, upper=True)), a, b),
        'eigh': (lambda L, a: _loss(L.linalg.eigh(a + a.mH)[0]) + (L.linalg.eigh(a + a.mH)[1].abs() ** 3).sum(), a),
        'svd': (lambda L, a: (L.linalg.svd(a, full_matrices=False).U.abs() ** 3).sum()
                + _loss(L.linalg.svdvals(a)), tall),
        'qr': (lambda L, a: _loss(L.linalg.qr(a).Q) + _loss(L.linalg.qr(a).R), wide),
        'pinv': (lambda L, a: _loss(L.linalg.pinv(a)), tall),
        'matrix_exp': (lambda L, a: _loss(L.linalg.matrix_exp(a)), a),
    }
    fn, *args = fns[name]
    _complex_grads(fn, *args)
    if name == 'qr':
        _complex_grads(lambda L, a: _loss(L.linalg.qr(a).Q) + _loss(L.linalg.qr(a).R), tall)


def test_out_and_no_silent_out():
    a = ember.tensor([[2., 1.], [1., 3.]])
    out = ember.empty(2, 2)
    r = ember.linalg.inv(a, out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), torch.linalg.inv(torch.tensor(a.numpy())).numpy(), rtol=1e-6)
    sign, logabs = ember.empty(()), ember.empty(())
    ember.linalg.slogdet(a, out=(sign, logabs))
    assert sign.item() == 1.0 and abs(logabs.item() - math.log(5.0)) < 1e-6
