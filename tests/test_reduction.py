"""Reductions against torch: values, dtypes, shapes, gradients (gradcheck, gradgradcheck where it matters)."""
import math
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same


# --- sum and mean ---------------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [{}, {'dim': 1}, {'dim': -1, 'keepdim': True}, {'dim': (0, 2)},
                                {'dim': (0, 2), 'keepdim': True}, {'dim': []}])
def test_sum_mean(kw):
    check(lambda L, x: L.sum(x, **kw), (2, 3, 2), gradgrad=True)
    check(lambda L, x: x.mean(**kw), (2, 3, 2), gradgrad=True)


def test_sum_mean_noncontig_and_0d():
    check(lambda L, x: x.sum(0) * x.mean(1, keepdim=True), (3, 4), noncontig=True, gradgrad=True)
    check(lambda L, x: (x.sum(), x.sum(0), x.mean(-1)), np.array(1.5, dtype='float64'))


def test_sum_dtypes():
    for dt in ('int32', 'int64', 'bool', 'uint8'):
        a = np.array([[1, 0, 3], [4, 5, 0]]).astype(dt)
        check(lambda L, x: (x.sum(), x.sum(1), L.sum(x, 0, keepdim=True)), a, grad=False)
    check(lambda L, x: x.sum(dtype=L.float64), (3,))
    check(lambda L, x: x.mean(dtype=L.float64), np.array([1, 2, 4]), grad=False)
    check(lambda L, x: x.sum(0, dtype=L.float32), np.array([[1, 2], [3, 4]], dtype='int32'), grad=False)
    check(lambda L, x: (x.sum(), x.mean()), (4,), dtype='float16', atol=1e-3, gradcheck=False)


def test_sum_mean_empty():
    check(lambda L, x: (x.sum(), x.sum(1), x.mean(0)), np.zeros((0, 3), 'float64'))


def test_sum_mean_errors():
    check_error(lambda L: L.tensor([1, 2]).mean(), RuntimeError, 'mean')
    check_error(lambda L: L.ones(2, 3).sum(2), IndexError, 'sum')
    check_error(lambda L: L.ones(2, 3).sum((0, 0)), RuntimeError, 'sum')
    check_error(lambda L: L.ones(2).mean(dtype=L.int64), RuntimeError, 'mean')


def test_sum_backward_is_fresh_array():
    x = ember.ones(3, 4, requires_grad=True)
    x.sum().backward()
    assert x.grad._data.flags.writeable and x.grad._data.base is None


def test_nansum_nanmean():
    a = np.array([[1., np.nan, 2.], [np.nan, np.nan, 3.]], 'float64')
    check(lambda L, x: (L.nansum(x), x.nansum(1), L.nanmean(x), x.nanmean(0, keepdim=True)), a, gradcheck=False)
    check(lambda L, x: x.nansum(), np.array([1, 2, 3]), grad=False)
    check_error(lambda L: L.tensor([1, 2]).nanmean(), RuntimeError, 'nanmean')


# --- prod ---------------------------------------------------------------------------------------------
def test_prod():
    check(lambda L, x: (x.prod(), L.prod(x, 1), x.prod(0, keepdim=True)), (3, 4), low=0.5, high=1.5, gradgrad=True)
    check(lambda L, x: x.prod(-1), (2, 3), noncontig=True)


@pytest.mark.parametrize('a', [[[2., 0., 3.], [0., 0., 4.], [1., 2., 3.]],
                               [[0., 5., 7., 0.5], [3., 1., 0., 2.], [1., 1., 1., 1.]]])
def test_prod_grad_with_zeros(a):
    a = np.array(a, 'float64')
    check(lambda L, x: (x.prod(1), x.prod(0, keepdim=True)), a)
    check(lambda L, x: x.prod(), a)


def test_prod_dtypes_and_empty():
    check(lambda L, x: (x.prod(), x.prod(0)), np.array([[1, 2], [3, 4]], 'int32'), grad=False)
    check(lambda L, x: x.prod(), np.array([True, False]), grad=False)
    check(lambda L, x: (x.prod(), x.prod(1)), np.zeros((2, 0), 'float64'))
    check(lambda L, x: x.prod(dtype=L.float64), (3,))
    check_error(lambda L: L.ones(3).prod(dim=(0,)), TypeError, 'prod')


# --- max / min / amax / amin / argmax / argmin / aminmax -------------------------------------------------
def test_max_min_whole_ties():
    a = np.array([[1., 3., 3.], [2., 0., 0.]], 'float64')
    check(lambda L, x: (x.max(), L.min(x)), a)
    check(lambda L, x: x.max() * x.min(), (3, 4), noncontig=True)


def test_max_min_dim():
    check(lambda L, x: tuple(x.max(1)) + tuple(L.min(x, 0, keepdim=True)), (3, 4))
    r = ember.max(ember.tensor([[1., 5.], [7., 2.]]), dim=1)
    assert type(r).__name__ == 'max' and r.values.tolist() == [5., 7.] and r.indices.tolist() == [1, 0]
    assert repr(r).startswith('torch.return_types.max(')
    check(lambda L, x: tuple(x.max(0)), np.array(2.5, 'float64'))
    a = np.array([[2., 2.], [2., 3.]], 'float64')     # ties: the first index (no finite differences at ties)
    check(lambda L, x: tuple(x.min(0)), a, gradcheck=False)


def test_max_binary():
    check(lambda L, x, y: L.max(x, y), (2, 3), (3,))
    check(lambda L, x, y: x.min(y), (2, 3), (2, 3))


@pytest.mark.parametrize('fn', ['amax', 'amin'])
def test_amax_amin(fn):
    check(lambda L, x: (getattr(L, fn)(x), getattr(x, fn)(1), getattr(x, fn)((0, 2), keepdim=True)), (2, 3, 2),
          gradgrad=True)
    a = np.array([[1., 4., 4.], [4., 1., 1.]], 'float64')   # ties split evenly
    check(lambda L, x: (getattr(x, fn)(), getattr(x, fn)(1), getattr(x, fn)(dim=())), a, gradcheck=False)
    check(lambda L, x: getattr(x, fn)(1), np.zeros((0, 3), 'float64'), grad=False)


def test_max_dtypes():
    a = np.array([[1, 5], [7, 2]], 'int32')
    check(lambda L, x: (x.max(), x.amin(0), tuple(x.max(1)), x.argmax()), a, grad=False)
    check(lambda L, x: (x.max(), x.any()), np.array([True, False]), grad=False)


def test_max_errors_on_empty():
    check_error(lambda L: L.tensor([]).max(), RuntimeError, 'max')
    check_error(lambda L: L.tensor([]).amax(), RuntimeError, 'amax')
    check_error(lambda L: L.zeros(0, 3).max(0), IndexError, 'max')
    check_error(lambda L: L.zeros(0, 3).amin(0), IndexError, 'amin')
    check_error(lambda L: L.tensor([]).argmax(), IndexError, 'argmax')
    check_error(lambda L: L.ones(2, 3).argmax(dim=(0, 1)), TypeError, 'argmax')


def test_argmax_argmin():
    check(lambda L, x: (x.argmax(), L.argmin(x), x.argmax(1), x.argmin(0, keepdim=True), x.argmax(keepdim=True)),
          (3, 4), grad=False)
    check(lambda L, x: (x.argmax(), x.argmin(0)), np.array(1., 'float64'), grad=False)
    check(lambda L, x: x.argmax(1), (3, 4), noncontig=True, grad=False)


def test_aminmax():
    check(lambda L, x: tuple(L.aminmax(x)) + tuple(x.aminmax(dim=1, keepdim=True)), (3, 4))
    r = ember.aminmax(ember.tensor([1., 3.]))
    assert (r.min.item(), r.max.item()) == (1., 3.)


# --- var / std ---------------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [{}, {'dim': 1}, {'dim': (0, 2), 'keepdim': True}, {'correction': 0},
                                {'dim': 0, 'unbiased': False}, {'dim': 1, 'correction': 2}])
def test_var_std(kw):
    check(lambda L, x: L.var(x, **kw), (3, 4, 2), gradgrad=True)
    check(lambda L, x: x.std(**kw), (3, 4, 2))


def test_var_std_legacy_and_mean_pairs():
    check(lambda L, x: (x.var(False), x.std(True), L.var(x, 0, True, True)), (3, 4))
    check(lambda L, x: L.var_mean(x, 1) + L.std_mean(x, dim=0, correction=0, keepdim=True), (3, 4))
    check(lambda L, x: (x.var(), x.std(0)), (3, 4), noncontig=True)


def test_var_edge_cases():
    check(lambda L, x: (x.var(), x.std()), np.array([2.], 'float64'), gradcheck=False)   # N - 1 = 0: nan
    check(lambda L, x: x.std(), np.zeros(3, 'float64'), gradcheck=False)                   # zero std: grad 0
    check_error(lambda L: L.tensor([1, 2]).var(), RuntimeError, 'var')
    check_error(lambda L: L.tensor([1, 2]).std(), RuntimeError, 'std')


# --- logsumexp, norm ---------------------------------------------------------------------------
def test_logsumexp():
    check(lambda L, x: (L.logsumexp(x, 1), x.logsumexp((0, 1), keepdim=True), x.logsumexp(-1)), (3, 4),
          gradgrad=True)
    big = np.array([[1000., 1001.], [-1000., -1e4]], 'float64')
    check(lambda L, x: x.logsumexp(1), big)
    inf = np.array([[-np.inf, -np.inf], [np.inf, 1.]], 'float64')
    check(lambda L, x: x.logsumexp(1), inf, grad=False)
    check(lambda L, x: x.logsumexp(0), np.array([1, 2]), grad=False)


@pytest.mark.parametrize('p', ['fro', 2, 1, 3, 0.5, math.inf, -math.inf, 0])
def test_norm(p):
    check(lambda L, x: (x.norm(p), L.norm(x, p, dim=1), x.norm(p, dim=(0, 1), keepdim=True)), (3, 4),
          gradcheck=p != 0.5)
    check(lambda L, x: x.norm(p, dim=0), np.array([[0., 1.], [0., -2.]], 'float64'), gradcheck=False)


def test_norm_zero_vector_and_nuc():
    check(lambda L, x: (x.norm(), x.norm(3)), np.zeros(3, 'float64'), gradcheck=False)
    check(lambda L, x: x.norm('nuc'), (3, 4))
    check(lambda L, x: x.norm(dtype=L.float64), (3,))
    check_error(lambda L: L.tensor([1, 2]).norm(), RuntimeError, 'norm')


# --- all / any / count_nonzero -------------------------------------------------------------------
def test_all_any_count_nonzero():
    a = np.array([[1., 0., 2.], [3., 4., 5.]], 'float64')
    check(lambda L, x: (x.all(), L.any(x), x.all(1), x.any(0, keepdim=True), x.all(dim=(0, 1)),
                        L.count_nonzero(x), x.count_nonzero(0), x.count_nonzero((0, 1))), a, grad=False)
    check(lambda L, x: (x.all(), x.any(0)), np.array([[1, 0], [2, 0]], 'uint8'), grad=False)
    check(lambda L, x: (x.all(), x.any(), x.count_nonzero()), np.zeros((0,), 'bool'), grad=False)


# --- median / nanmedian / mode -------------------------------------------------------------------
def test_median():
    check(lambda L, x: (x.median(), tuple(L.median(x, 1)), tuple(x.median(0, keepdim=True))), (3, 4))
    check(lambda L, x: (x.median(), tuple(x.median(0))), np.array([1., 2., 2., 1.], 'float64'))
    check(lambda L, x: x.median(), np.array([1., 2., 2., 3.], 'float64'))
    check(lambda L, x: (x.median(), tuple(x.median(1))), np.array([[3, 1, 2], [5, 5, 0]]), grad=False)
    check(lambda L, x: x.median(), np.zeros(0, 'float64'), grad=False)
    check_error(lambda L: L.zeros(2, 0).median(1), IndexError, 'median')


def test_median_nan():
    a = np.array([[1., np.nan, 3.], [4., 2., 6.]], 'float64')
    check(lambda L, x: (x.median(), x.median(1).values, x.nanmedian(), tuple(L.nanmedian(x, 1))), a,
          gradcheck=False)
    check(lambda L, x: x.nanmedian(), np.array([2., 2., 2., 3.], 'float64'), gradcheck=False)


def test_mode():
    check(lambda L, x: tuple(x.mode()), np.array([3, 1, 3, 1, 2]), grad=False)
    a = np.array([[1., 1., 2., 2.], [3., 3., 3., 0.], [5., 4., 4., 5.]], 'float64')
    # A mode is a repeated value: finite differences split the tie, so only torch's gradients are compared.
    check(lambda L, x: tuple(L.mode(x, 1)) + tuple(x.mode(0, keepdim=True)), a, gradcheck=False)
    check(lambda L, x: tuple(x.mode(0)), np.array([[2., 7.], [2., 1.], [9., 1.]], 'float64'), noncontig=True,
          gradcheck=False)


# --- cumulative ops ---------------------------------------------------------------------------------
def test_cumsum():
    check(lambda L, x: (L.cumsum(x, 1), x.cumsum(0), x.cumsum(-1, dtype=L.float64)), (3, 4), gradgrad=True)
    check(lambda L, x: x.cumsum(0), (3, 4), noncontig=True)
    check(lambda L, x: (x.cumsum(0), x.cumprod(0)), np.array([1, 2, 3], 'int32'), grad=False)
    check(lambda L, x: x.cumsum(0), np.array([True, True, False]), grad=False)
    check(lambda L, x: (x.cumsum(0), x.cumprod(0)), np.array(2., 'float64'))
    check(lambda L, x: x.cumsum(1), np.zeros((2, 0), 'float64'))


def test_cumprod():
    check(lambda L, x: (L.cumprod(x, 1), x.cumprod(0)), (3, 4), low=0.5, high=1.5, gradgrad=True)


@pytest.mark.parametrize('a', [[[2., 0., 3., 4.], [1., 2., 0., 0.5], [0., 0., 2., 3.]],
                               [[1., 2., 3., 0.], [0., 1., 1., 1.], [2., 2., 2., 2.]]])
def test_cumprod_grad_with_zeros(a):
    a = np.array(a, 'float64')
    check(lambda L, x: (x.cumprod(1), x.cumprod(0)), a)


@pytest.mark.parametrize('fn', ['cummax', 'cummin'])
def test_cummax_cummin(fn):
    check(lambda L, x: tuple(getattr(L, fn)(x, 1)) + tuple(getattr(x, fn)(0)), (3, 4), gradgrad=True)
    ties = np.array([[1., 1., 2., 1.], [2., 1., 2., 1.]], 'float64')
    check(lambda L, x: tuple(getattr(x, fn)(1)), ties, gradcheck=False)
    check(lambda L, x: tuple(getattr(x, fn)(0)), np.array([1., np.nan, 3.], 'float64'), gradcheck=False)
    check(lambda L, x: tuple(getattr(x, fn)(0)), np.array([3, 1, 4, 1, 5]), grad=False)


def test_logcumsumexp():
    check(lambda L, x: (L.logcumsumexp(x, 1), x.logcumsumexp(0)), (3, 4), gradgrad=True)
    big = np.array([[1000., 1001., -1000.], [-1e4, 0., 1.]], 'float64')
    check(lambda L, x: x.logcumsumexp(1), big)
    check_error(lambda L: L.tensor([1, 2]).logcumsumexp(0), NotImplementedError, 'logcumsumexp')


# --- higher-order gradients through the graph namespace ------------------------------------------------
def test_create_graph_through_sum_of_broadcast():
    # The engine's unbroadcast calls xp.sum under create_graph: the second derivative must flow through it.
    check(lambda L, x, y: ((x * y) ** 2).sum(), (3, 1), (1, 4), gradgrad=True)


def test_double_backward_values_match_torch():
    for lib in (torch, ember):
        x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=lib.float64, requires_grad=True)
        y = (x.logsumexp(1) * x.var(0).sum() + x.prod() + x.amax(1).sum() * x.mean()).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        if lib is torch:
            want = (g.detach().numpy(), gg.numpy())
        else:
            np.testing.assert_allclose(g.detach()._data, want[0], rtol=1e-10)
            np.testing.assert_allclose(gg._data, want[1], rtol=1e-10)
