"""Regressions found by differential fuzzing of linalg / fft / special against torch (each checked against torch
on the same inputs: values, dtypes, shapes, gradients, exception classes)."""
import math
import numpy as np
import pytest
import torch
import ember
from ember.autograd import gradgradcheck

from helpers import assert_same, to_np

R = np.random.default_rng(0)


def pair(a, grad=False):
    a = np.asarray(a)
    t, e = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
    if grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    return t, e


def both(fn, *arrays, grad=False, atol=1e-6, rtol=1e-5):
    """fn(lib, *tensors) in torch and ember: same result; with grad, same gradients for a random cotangent."""
    ts, es = zip(*[pair(a, grad) for a in arrays])
    tout, eout = fn(torch, *ts), fn(ember, *es)
    assert_same(tout, eout, atol, rtol)
    if grad:
        g = R.standard_normal(tuple(tout.shape))
        if tout.dtype.is_complex:
            g = g + 1j * R.standard_normal(tuple(tout.shape))
        (tout * torch.from_numpy(g).conj()).sum().real.backward()
        (eout * ember.from_numpy(g).conj()).sum().real.backward()
        for t, e in zip(ts, es):
            np.testing.assert_allclose(to_np(e.grad), to_np(t.grad), atol=atol, rtol=rtol)


def raises_like(fn, *arrays):
    """torch and ember raise the same exception class (and ember's message names the op)."""
    ts, es = zip(*[pair(a) for a in arrays])
    with pytest.raises(Exception) as te:
        fn(torch, *ts)
    with pytest.raises(Exception) as ee:
        fn(ember, *es)
    assert type(ee.value).__name__.lstrip('_') == type(te.value).__name__.lstrip('_'), (ee.value, te.value)
    return str(te.value), str(ee.value)


def spd(n, dt='float64', batch=()):
    a = R.standard_normal(batch + (n, n))
    if dt.startswith('complex'):
        a = a + 1j * R.standard_normal(batch + (n, n))
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dt)


# --- integer input: the LAPACK-backed functions fail in torch's dtype dispatch (NotImplementedError) ----
@pytest.mark.parametrize('fn', [
    lambda L, a: L.linalg.eigh(a), lambda L, a: L.linalg.eigvalsh(a),
    lambda L, a: L.linalg.solve_triangular(a, a, upper=True), lambda L, a: L.linalg.lu(a),
    lambda L, a: L.linalg.lu_factor(a), lambda L, a: L.linalg.lu_factor_ex(a),
    lambda L, a: L.linalg.householder_product(a, a[..., 0, :2]), lambda L, a: L.cholesky_inverse(a)])
def test_int_input_not_implemented(fn):
    t, e = raises_like(fn, np.ones((3, 3), np.int64))
    assert e == t
    raises_like(fn, np.ones((3,), np.int64))   # the shape check comes first (RuntimeError / IndexError)


def test_int_input_other_checks_stay_runtime_errors():
    raises_like(lambda L, a: L.linalg.eigh(a), np.ones((2, 3), np.int64))
    raises_like(lambda L, a: L.linalg.inv(a), np.ones((3, 3), np.int64))


# --- norms and condition numbers of empty matrices ---------------------------------------------------
@pytest.mark.parametrize('shape', [(0, 0), (2, 0, 0), (3, 0), (0, 3), (0, 3, 3)])
@pytest.mark.parametrize('ord', [1, 2, math.inf, 'fro', 'nuc'])
def test_matrix_norm_empty_is_zero(shape, ord):
    both(lambda L, a: L.linalg.matrix_norm(a, ord=ord), np.ones(shape))


@pytest.mark.parametrize('ord', [-1, -2, -math.inf])
def test_matrix_norm_empty_min_raises(ord):
    raises_like(lambda L, a: L.linalg.matrix_norm(a, ord=ord), np.ones((2, 0, 0)))


@pytest.mark.parametrize('p', [None, 1, -1, 2, -2, math.inf, -math.inf, 'fro', 'nuc'])
def test_cond_of_0x0_is_zero(p):
    both(lambda L, a: L.linalg.cond(a, p), np.ones((2, 0, 0)))


# --- Cholesky ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('dt', ['float32', 'float64', 'complex128'])
@pytest.mark.parametrize('upper', [False, True])
def test_cholesky_ex_not_pd_returns_lapack_partial_factor(dt, upper):
    a = spd(4, dt, (3,))
    a[1] = -a[1]                          # fails at the first minor
    w, v = np.linalg.eigh(a[2])
    w[2] = -1.0                           # fails later, after a partial factorisation
    a[2] = ((v * w) @ np.conj(v.T)).astype(dt)
    both(lambda L, x: L.linalg.cholesky_ex(x, upper=upper), a, atol=1e-5)


def test_cholesky_ex_empty_batch():
    both(lambda L, x: L.linalg.cholesky_ex(x), np.ones((0, 3, 3)))
    both(lambda L, x: L.linalg.cholesky_ex(x), np.ones((2, 0, 0)))


@pytest.mark.parametrize('top', [False, True])
def test_cholesky_upper_complex_gradient(top):
    f = (lambda L, x: L.cholesky(x, upper=True)) if top else (lambda L, x: L.linalg.cholesky(x, upper=True))
    both(f, spd(3, 'complex128', (2,)), grad=True)
    both(f, spd(3, 'float64'), grad=True)


def test_cholesky_upper_gradgradcheck():
    a = ember.from_numpy(R.standard_normal((3, 3)) + 3 * np.eye(3)).requires_grad_()
    assert gradgradcheck(lambda x: ember.linalg.cholesky(x @ x.mT, upper=True), (a,))


@pytest.mark.parametrize('dt', ['float64', 'complex128'])
@pytest.mark.parametrize('upper', [False, True])
def test_cholesky_inverse_gradient_uses_whole_input(dt, upper):
    f = spd(3, dt, (2,))                   # not triangular: torch's gradient multiplies by all of it
    both(lambda L, x: L.cholesky_inverse(x, upper=upper), f, grad=True)
    u = np.linalg.cholesky(spd(3, dt))
    both(lambda L, x: L.cholesky_inverse(x, upper=upper), np.conj(u.T).copy() if upper else u, grad=True)


def test_cholesky_inverse_singular_and_gradcheck():
    t, e = raises_like(lambda L, x: L.cholesky_inverse(x), np.stack([np.eye(3), np.diag([1., 0, 1])]))
    assert e == t
    x = ember.from_numpy(np.tril(R.standard_normal((3, 3))) + 3 * np.eye(3)).requires_grad_()
    assert gradgradcheck(lambda a: ember.cholesky_inverse(a.tril()), (x,))


# --- determinants ----------------------------------------------------------------------------------------
def test_logdet_negative_determinant_nan_with_zero_gradient():
    a = np.stack([np.array([[1., 2], [3, 1]]), 2 * np.eye(2)])
    both(lambda L, x: L.logdet(x), a, grad=False)
    ts, es = pair(a, True)
    torch.logdet(ts).nan_to_num().sum().backward()
    ember.logdet(es).nan_to_num().sum().backward()
    np.testing.assert_allclose(to_np(es.grad), to_np(ts.grad))


# --- singular systems ---------------------------------------------------------------------------------
SING = [np.array([[1., 2], [2, 4]]), np.array([[1., 2, 3], [2, 4, 6], [1, 0, 1]])]


@pytest.mark.parametrize('a', SING)
def test_inv_ex_solve_ex_singular_like_lapack(a):
    both(lambda L, x: L.linalg.inv_ex(x), a)
    both(lambda L, x: L.linalg.inv_ex(x), np.stack([np.eye(len(a)), a]))
    both(lambda L, x: L.linalg.solve_ex(x, L.ones(len(a), 2, dtype=x.dtype)), a)
    both(lambda L, x: L.linalg.solve_ex(x, L.ones(len(a), dtype=x.dtype)), a)


@pytest.mark.parametrize('a', SING)
def test_lu_factor_raises_for_singular(a):
    t, e = raises_like(lambda L, x: L.linalg.lu_factor(x), np.stack([np.eye(len(a)), a]))
    assert e == t
    both(lambda L, x: L.linalg.lu_factor_ex(x), a)


@pytest.mark.parametrize('p', [1, -1, math.inf, -math.inf, 'fro'])
def test_cond_singular_is_inf(p):
    both(lambda L, x: L.linalg.cond(x, p), np.stack([np.eye(2), SING[0]]))


# --- solvers: shape and dtype rules -------------------------------------------------------------------
def test_solve_left_false_vector_rule():
    a = R.standard_normal((2, 3, 3))
    t, e = raises_like(lambda L, x, b: L.linalg.solve(x, b, left=False), a, R.standard_normal((2, 3)))
    assert e == t
    raises_like(lambda L, x, b: L.linalg.solve(x, b, left=False), a, R.standard_normal(3))
    raises_like(lambda L, x, b: L.linalg.solve(x, b, left=False), np.ones((1, 1)), np.ones(1))
    both(lambda L, x, b: L.linalg.solve(x, b, left=False), a, R.standard_normal((1, 3)), grad=True)


def test_solve_triangular_promotes_dtypes():
    a = np.triu(R.standard_normal((3, 3))) + 3 * np.eye(3)
    b = R.standard_normal((3, 2))
    both(lambda L, x, y: L.linalg.solve_triangular(x, y, upper=True), a, b.astype(np.float32))
    both(lambda L, x, y: L.linalg.solve_triangular(x, y, upper=True), a.astype(np.float32), b)
    both(lambda L, x, y: L.linalg.solve_triangular(x, y, upper=True), a.astype(np.complex64), b, atol=1e-5)


@pytest.mark.parametrize('driver', [None, 'gelsd', 'gels'])
def test_lstsq_complex_residuals_are_real(driver):
    a = R.standard_normal((4, 3)) + 1j * R.standard_normal((4, 3))
    b = R.standard_normal((4, 2)) + 1j * R.standard_normal((4, 2))
    both(lambda L, x, y: L.linalg.lstsq(x, y, driver=driver), a.astype(np.complex64), b.astype(np.complex64),
         atol=1e-4, rtol=1e-4)


# --- fft: argument check order ----------------------------------------------------------------------------
@pytest.mark.parametrize('fn', [lambda L, x: L.fft.rfft(x), lambda L, x: L.fft.ihfft(x), lambda L, x: L.fft.rfft2(x),
                                lambda L, x: L.fft.rfftn(x, dim=(3,)), lambda L, x: L.fft.rfft(x, dim=4)])
def test_fft_real_transforms_refuse_complex_first(fn):
    for a in [np.array(1 + 1j), np.ones(3, np.complex128)]:
        t, e = raises_like(fn, a)
        assert e == t


@pytest.mark.parametrize('name', ['fft2', 'irfft2', 'hfft2', 'ihfft2'])
def test_fft2_dims_checked_before_half_dtype(name):
    raises_like(lambda L, x: getattr(L.fft, name)(x), np.ones(4, np.float16))
    raises_like(lambda L, x: getattr(L.fft, name)(x), np.ones(4, np.complex64))


# --- special ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('eps', [0.1, 0.6])
def test_logit_eps_lower_bound_first(eps):
    u = np.array([0., 1., 0.5, 1e-10, 0.999, -0.1, 1.1, np.nan, 0.25, 0.75])
    both(lambda L, x: L.special.logit(x, eps=eps), u, grad=True)
    both(lambda L, x: L.logit(x, eps), u.astype(np.float32))


def test_sinc_complex():
    z = np.array([0j, 1 + 1j, 0.5 - 2j, 1e-9, -3 + 0.1j])
    both(lambda L, x: L.special.sinc(x), z, grad=True)
    both(lambda L, x: L.sinc(x), z.astype(np.complex64))


def test_special_round_refuses_integers():
    t, e = raises_like(lambda L, x: L.special.round(x), np.array([1, 2]))
    assert e == t
    raises_like(lambda L, x: L.special.round(x), np.array([True]))
    both(lambda L, x: L.round(x), np.array([1, 2]))   # torch.round keeps integers
    both(lambda L, x: L.special.round(x, decimals=2), np.array([1.2345, -2.675]))


def test_incomplete_gamma_edges():
    a = np.array([np.nan, -1., 0, 2, np.nan, 1.])
    x = np.array([0., 0, 0, 0, -1, -1])
    both(lambda L, p, q: L.special.gammainc(p, q), a, x)
    both(lambda L, p, q: L.special.gammaincc(p, q), a, x)
    for f in [lambda L, p, q: L.special.gammainc(p, q), lambda L, p, q: L.igammac(p, q)]:
        t, e = raises_like(f, np.array([1, 2]), np.array([1, 2]))
        assert e == t
