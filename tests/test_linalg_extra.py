"""linalg additions: lu_solve, lu_unpack, lu_factor_ex, triangular_solve, householder_product, matmul, vander,
and gradients of eig/eigvals and lu/lu_factor, against torch."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

warnings.filterwarnings('ignore', message='.*(deprecated in favor).*')
SHAPES = [(3, 3), (2, 4, 4), (5, 3), (3, 5)]


@pytest.mark.parametrize('shape', SHAPES)
def test_lu_grad(shape):
    check(lambda L, a: L.linalg.lu(a), shape, dtype='float64', gradgrad=shape == (3, 3))
    check(lambda L, a: L.linalg.lu_factor(a).LU, shape, dtype='float64')


def test_lu_factor_ex():
    check(lambda L, a: tuple(L.linalg.lu_factor_ex(a)), (2, 3, 3), grad=False)
    check(lambda L, a: tuple(L.linalg.lu_factor_ex(a)), np.zeros((2, 2), 'float32'), grad=False)
    check_error(lambda L: L.linalg.lu_factor_ex(L.zeros(2, 2), check_errors=True), RuntimeError)


@pytest.mark.parametrize('shape', [(3, 3), (2, 4, 4), (5, 3), (3, 5)])
def test_lu_unpack(shape):
    def f(L, a):
        LU, piv = L.linalg.lu_factor(a)
        return tuple(L.lu_unpack(LU, piv))
    check(f, shape, dtype='float64')
    a = np.random.default_rng(0).standard_normal(shape)
    tl, tp = torch.linalg.lu_factor(torch.tensor(a))
    el, ep = ember.linalg.lu_factor(ember.tensor(a))
    assert_same(tuple(torch.lu_unpack(tl, tp, unpack_pivots=False))[1:], tuple(ember.lu_unpack(el, ep, unpack_pivots=False))[1:])
    assert ember.lu_unpack(el, ep, unpack_data=False).L.numel() == 0
    check_error(lambda L: L.lu_unpack(L.ones(3, 3), L.ones(3)), RuntimeError, 'int32')


@pytest.mark.parametrize('left,adjoint', [(True, False), (True, True), (False, False), (False, True)])
def test_lu_solve(left, adjoint):
    def f(L, a, b):
        LU, piv = L.linalg.lu_factor(a)
        return L.linalg.lu_solve(LU, piv, b, left=left, adjoint=adjoint)
    check(f, (2, 3, 3), (2, 3, 2) if left else (2, 2, 3), dtype='float64')
    check(f, (3, 3), (3, 4) if left else (4, 3), dtype='float32', gradcheck=False)


def test_lu_solve_legacy_and_errors():
    def f(L, a, b):
        LU, piv = L.linalg.lu_factor(a)
        return L.lu_solve(b, LU, piv)
    check(f, (2, 3, 3), (2, 3, 1), dtype='float64')
    check_error(lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(4, 2)), RuntimeError)
    check_error(lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(3, 2, dtype=L.float64)), RuntimeError)


@pytest.mark.parametrize('upper', [True, False])
@pytest.mark.parametrize('transpose', [True, False])
def test_triangular_solve(upper, transpose):
    a = np.random.default_rng(1).standard_normal((2, 3, 3)) + 4 * np.eye(3)
    check(lambda L, b, a: tuple(L.triangular_solve(b, a, upper=upper, transpose=transpose)), (2, 3, 2), a,
          dtype='float64')
    check(lambda L, b, a: tuple(L.triangular_solve(b, a, upper, transpose, unitriangular=True)), (3, 2),
          a[0].astype('float32'), gradcheck=False)
    check(lambda L, b, a: b.triangular_solve(a, upper=upper).solution, (3, 2), a[0], dtype='float64', gradcheck=False)


def test_triangular_solve_errors():
    check_error(lambda L: L.triangular_solve(L.ones(3, 2), L.ones(2, 3)), RuntimeError)
    check_error(lambda L: L.triangular_solve(L.ones(4, 2), L.eye(3)), RuntimeError)


def _phase_free(L, w, v):
    """A loss that does not depend on each eigenvector's phase (the only kind eig's gradient is defined for)."""
    return (w * w).real.sum() + (v.abs() ** 2 * L.arange(1., 17.).view(4, 4).to(v.real.dtype)).sum()


def test_eig_grad():
    a = np.random.default_rng(2).standard_normal((4, 4))
    ta, ea = torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)
    tw, tv = torch.linalg.eig(ta)
    ew, ev = ember.linalg.eig(ea)
    assert_same(tw, ew)
    _phase_free(torch, tw, tv).backward()
    _phase_free(ember, ew, ev).backward()
    assert_same(ta.grad, ea.grad, atol=1e-8, rtol=1e-6)
    f = lambda x: _phase_free(ember, *ember.linalg.eig(x))
    assert ember.autograd.gradcheck(f, [ember.tensor(a, requires_grad=True)])
    assert ember.autograd.gradgradcheck(lambda x: ember.linalg.eigvals(x).abs(), [ember.tensor(a, requires_grad=True)])


def test_eigvals_grad_complex():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))
    check(lambda L, a: L.linalg.eigvals(a), z, dtype='complex128', gradcheck=False, atol=1e-8)
    check(lambda L, a: L.linalg.eigvals(a).abs(), (2, 3, 3), dtype='float64')


def test_householder_product():
    check(lambda L, a, t: L.linalg.householder_product(a, t), (5, 3), (3,), dtype='float64')
    check(lambda L, a, t: L.orgqr(a, t), (2, 4, 4), (2, 2), dtype='float64')
    check(lambda L, a, t: a.orgqr(t), (4, 3), (3,), gradcheck=False)
    check_error(lambda L: L.linalg.householder_product(L.ones(3, 4), L.ones(3)), RuntimeError)
    check_error(lambda L: L.linalg.householder_product(L.ones(4, 3), L.ones(4)), RuntimeError)


def test_matmul_and_vander():
    check(lambda L, a, b: L.linalg.matmul(a, b), (2, 3, 4), (4, 2))
    check(lambda L, x: L.linalg.vander(x, N=4), (2, 3), dtype='float64')
