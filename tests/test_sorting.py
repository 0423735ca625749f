"""Sorting and selection against torch: values, indices, dtypes, shapes, gradients (gradcheck, gradgradcheck for
sort and cdist), NaN handling, ties, empty and 0-d inputs, integer dtypes, errors."""
import math
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

NAN = float('nan')


def both(fn, *arrays):
    """fn(lib, *tensors) in torch and ember on copies of the same arrays (no gradients)."""
    t = fn(torch, *[torch.from_numpy(np.array(a)) for a in arrays])
    e = fn(ember, *[ember.from_numpy(np.array(a)) for a in arrays])
    return t, e


def ties(shape, seed=0, dtype='float64', k=4):
    """Random values with many ties (drawn from k levels)."""
    return np.random.default_rng(seed).integers(0, k, shape).astype(dtype)


# --- sort, argsort, msort -----------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [{}, {'dim': 0}, {'dim': 1, 'descending': True}, {'descending': True},
                                {'dim': -2, 'stable': True}])
def test_sort_values_indices_grad(kw):
    check(lambda L, x: tuple(L.sort(x, **kw)), (3, 4, 2), gradgrad=True)
    check(lambda L, x: tuple(x.sort(**kw)), (3, 4, 2), noncontig=True)
    check(lambda L, x: L.argsort(x, **kw), (3, 4, 2), grad=False)


def test_sort_named_tuple_and_grad_fn():
    x = ember.tensor([3., 1., 2.], requires_grad=True)
    r = ember.sort(x)
    assert type(r).__name__ == 'sort' and repr(r).startswith('torch.return_types.sort(')
    assert r.values.grad_fn.name() == 'SortBackward0' and not r.indices.requires_grad
    assert r.indices.dtype == ember.int64
    v, i = r
    assert v.tolist() == [1., 2., 3.] and i.tolist() == [1, 2, 0]


@pytest.mark.parametrize('descending', [False, True])
def test_sort_ties_stable(descending):
    a = ties((5, 12))
    for stable in (False, True):   # ember is always stable; torch's stable=True indices are the reference
        t, e = both(lambda L, x: tuple(L.sort(x, descending=descending, stable=True)), a)
        assert_same(t, e)
        t, e = both(lambda L, x: L.sort(x, dim=0, descending=descending, stable=stable).values, a)
        assert_same(t, e)
    t, e = both(lambda L, x: L.argsort(x, dim=1, descending=descending, stable=True), a)
    assert_same(t, e)


def test_sort_nan():
    a = np.array([[1., NAN, 3., -math.inf, NAN, 2.], [NAN, 0., math.inf, 0., -1., NAN]])
    for desc in (False, True):
        t, e = both(lambda L, x: tuple(L.sort(x, descending=desc, stable=True)), a)
        assert_same(t, e)
        t, e = both(lambda L, x: L.argsort(x, dim=0, descending=desc, stable=True), a)
        assert_same(t, e)


@pytest.mark.parametrize('dt', ['int64', 'int32', 'uint8', 'bool', 'float16', 'int8'])
def test_sort_dtypes(dt):
    a = ties((4, 9), seed=3, dtype=dt, k=3 if dt != 'int8' else 5)
    if dt == 'int8':
        a = (a - 2).astype(dt)
    for desc in (False, True):
        check(lambda L, x: (tuple(L.sort(x, descending=desc, stable=True)), L.argsort(x, dim=0, descending=desc, stable=True),
                            L.msort(x)), a, grad=False)


def test_sort_empty_0d_errors():
    check(lambda L, x: (tuple(L.sort(x)), tuple(L.sort(x, 0)), L.argsort(x)), np.zeros((0, 3)), grad=False)
    check(lambda L, x: (tuple(L.sort(x)), tuple(L.sort(x, 0, True)), L.argsort(x), L.msort(x)),
          np.array(1.5), gradcheck=True)
    check_error(lambda L: L.sort(L.ones(2, 3), 2), IndexError, 'sort')
    check_error(lambda L: L.sort(L.ones(2, dtype=L.complex64)), RuntimeError, 'sort')
    check_error(lambda L: L.argsort(L.ones(2), 1), IndexError, 'argsort')


def test_msort():
    check(lambda L, x: L.msort(x), (4, 3), noncontig=True)
    check(lambda L, x: x.msort(), (5,))


# --- topk, kthvalue ----------------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [{'k': 2}, {'k': 3, 'dim': 0}, {'k': 1, 'largest': False},
                                {'k': 5, 'dim': 1, 'largest': False}, {'k': 6, 'dim': -1}, {'k': 0}])
def test_topk(kw):
    check(lambda L, x: tuple(L.topk(x, **kw)), (4, 6), gradgrad=True)
    check(lambda L, x: tuple(x.topk(**kw)), (4, 6), noncontig=True)


def test_topk_partition_path_and_ties():
    # long rows go through the partition path: compare values, and indices on distinct data
    check(lambda L, x: tuple(L.topk(x, 3)), (3, 40))
    check(lambda L, x: tuple(L.topk(x, 4, largest=False, dim=0)), (40, 3))
    a = ties((3, 40), k=6)
    for largest in (True, False):
        t, e = both(lambda L, x: L.topk(x, 7, largest=largest).values, a)
        assert_same(t, e)
        # the indices point at the values
        r = ember.topk(ember.from_numpy(a), 7, largest=largest)
        assert np.array_equal(np.take_along_axis(a, r.indices.numpy(), 1), r.values.numpy())


def test_topk_sorted_false_and_nan_and_ints():
    t, e = both(lambda L, x: L.topk(x, 4, sorted=False).values.sort().values, np.arange(10.)[::-1].copy())
    assert_same(t, e)
    a = np.array([1., NAN, 3., 2., NAN])
    check(lambda L, x: (tuple(L.topk(x, 3)), tuple(L.topk(x, 2, largest=False))), a, grad=False)
    check(lambda L, x: tuple(L.topk(x, 2, 0)), np.array([[3, 1], [2, 5], [7, 0]]), grad=False)
    check(lambda L, x: tuple(L.topk(x, 1)), np.array(2.5))
    check(lambda L, x: tuple(L.topk(x, 0)), np.zeros((2, 0)), grad=False)


def test_topk_errors():
    check_error(lambda L: L.topk(L.ones(3), 4), RuntimeError, 'topk')
    check_error(lambda L: L.topk(L.ones(3), -1), RuntimeError, 'topk')
    check_error(lambda L: L.topk(L.ones(2, 2), 1, dim=2), IndexError, 'topk')


@pytest.mark.parametrize('kw', [{'k': 1}, {'k': 3, 'dim': 0}, {'k': 2, 'dim': 1, 'keepdim': True}, {'k': 4}])
def test_kthvalue(kw):
    check(lambda L, x: tuple(L.kthvalue(x, **kw)), (3, 4), gradgrad=True)
    check(lambda L, x: tuple(x.kthvalue(**kw)), (3, 4), noncontig=True)


def test_kthvalue_nan_ints_empty_0d():
    a = np.array([[1., NAN, 3.], [2., 0., -1.]])
    check(lambda L, x: (tuple(L.kthvalue(x, 3)), tuple(L.kthvalue(x, 1)), tuple(L.kthvalue(x, 2, 0))), a,
          grad=False)
    check(lambda L, x: (tuple(L.kthvalue(x, 2)), tuple(L.kthvalue(x, 1, 1, True))), np.array([[3, 1, 2]]),
          grad=False)
    check(lambda L, x: tuple(L.kthvalue(x, 1)), np.array(3.5))
    check(lambda L, x: tuple(L.kthvalue(x, 2, 1)), np.zeros((0, 3)), grad=False)
    t, e = both(lambda L, x: L.kthvalue(x, 3).values, ties((4, 7), k=3))
    assert_same(t, e)


def test_kthvalue_errors():
    check_error(lambda L: L.kthvalue(L.ones(3), 4), RuntimeError, 'kthvalue')
    check_error(lambda L: L.kthvalue(L.ones(3), 0), RuntimeError, 'kthvalue')
    check_error(lambda L: L.kthvalue(L.zeros(0, 3), 1, 0), IndexError, 'kthvalue')
    check_error(lambda L: L.kthvalue(L.tensor(1.), 2), RuntimeError, 'kthvalue')


# --- unique, unique_consecutive ---------------------------------------------------------------------
@pytest.mark.parametrize('flags', [(False, False), (True, False), (False, True), (True, True)])
def test_unique(flags):
    inv, cnt = flags
    for a in (ties((3, 5), k=4), np.array([2., NAN, 1., NAN, 2.]), np.array(3.), np.zeros((0, 3)),
              ties((6,), dtype='int32'), np.array([True, False, True])):
        check(lambda L, x: L.unique(x, return_inverse=inv, return_counts=cnt), a, grad=False)
        check(lambda L, x: x.unique(sorted=False, return_inverse=inv, return_counts=cnt), a, grad=False)
        check(lambda L, x: L.unique_consecutive(x, return_inverse=inv, return_counts=cnt), a, grad=False)


@pytest.mark.parametrize('dim', [0, 1, -1])
def test_unique_dim(dim):
    a = np.array([[1, 2, 1, 1], [1, 2, 1, 1], [0, 5, 0, 0], [1, 2, 1, 1], [0, 5, 0, 3]])
    for x in (a, a.astype('float32'), a.T.copy(), a.reshape(5, 2, 2)):
        check(lambda L, x: L.unique(x, dim=dim, return_inverse=True, return_counts=True), x, grad=False)
        check(lambda L, x: L.unique(x, dim=dim), x, grad=False)
        check(lambda L, x: L.unique_consecutive(x, dim=dim, return_inverse=True, return_counts=True), x,
              grad=False)
    check(lambda L, x: L.unique(x, dim=0, return_inverse=True, return_counts=True), np.zeros((0, 3)), grad=False)


def test_unique_errors():
    check_error(lambda L: L.unique(L.zeros(2, 0), dim=0), RuntimeError, 'unique')
    check_error(lambda L: L.unique(L.zeros(2, 3), dim=2), IndexError, 'unique')


# --- searchsorted, bucketize --------------------------------------------------------------------------
@pytest.mark.parametrize('side', [{}, {'right': True}, {'side': 'right'}, {'side': 'left'}, {'out_int32': True}])
def test_searchsorted(side):
    seq = np.array([1., 2., 2., 3., 5.])
    vals = np.array([[0., 2., 2.5], [5., 6., 1.]])
    check(lambda L, s, v: L.searchsorted(s, v, **side), seq, vals, grad=False)
    check(lambda L, s: L.searchsorted(s, 2, **side), seq, grad=False)
    check(lambda L, s: L.searchsorted(s, 2.5, **side), seq, grad=False)
    # batched: one sorted row per row of values, with ties, integer values in a float sequence
    rng = np.random.default_rng(0)
    bs = np.sort(rng.integers(0, 6, (2, 3, 7)), -1).astype('float32')
    bv = rng.integers(-1, 8, (2, 3, 4))
    check(lambda L, s, v: L.searchsorted(s, v, **side), bs, bv, grad=False)
    check(lambda L, s, v: L.searchsorted(s, v, **side), bs, bv.astype('float32'), noncontig=True, grad=False)
    # sorter
    perm = np.array([3, 0, 4, 1, 2])
    unsorted = seq[np.argsort(perm)]
    check(lambda L, s, o, v: L.searchsorted(s, v, sorter=o, **side), unsorted, np.argsort(unsorted, kind='stable'),
          vals, grad=False)
    check(lambda L, v, b: L.bucketize(v, b, right='right' in side, out_int32='out_int32' in side), vals, seq,
          grad=False)
    check(lambda L, b: L.bucketize(3, b, right='right' in side), seq, grad=False)


def test_searchsorted_edge():
    check(lambda L, s, v: L.searchsorted(s, v), np.array([1, 3, 5]), np.array([[2, 3], [0, 9]]), grad=False)
    check(lambda L, s, v: L.searchsorted(s, v), np.zeros(0), np.array([1.]), grad=False)
    check(lambda L, s, v: L.searchsorted(s, v), np.array([1., 2.]), np.zeros(0), grad=False)
    check(lambda L, s, v: L.searchsorted(s, v), np.array([1., 2.]), np.array(1.5), grad=False)
    check(lambda L, s, v: L.searchsorted(s, v, right=True), np.zeros((2, 0)), np.ones((2, 3)), grad=False)


def test_searchsorted_errors():
    check_error(lambda L: L.searchsorted(L.tensor([1., 2]), L.tensor([1.]), side='left', right=True),
                RuntimeError, 'searchsorted')
    check_error(lambda L: L.searchsorted(L.tensor([1., 2]), L.tensor([1.]), side='middle'), RuntimeError,
                'searchsorted')
    check_error(lambda L: L.searchsorted(L.ones(2, 3), L.ones(3, 1)), RuntimeError, 'searchsorted')
    check_error(lambda L: L.searchsorted(L.ones(1, 3), L.ones(2)), RuntimeError, 'searchsorted')
    check_error(lambda L: L.searchsorted(L.tensor(1.), L.ones(2)), RuntimeError, 'searchsorted')
    check_error(lambda L: L.searchsorted(L.ones(3), L.ones(2), sorter=L.tensor([0, 1])), RuntimeError,
                'searchsorted')
    check_error(lambda L: L.searchsorted(L.ones(3), L.ones(2), sorter=L.tensor([0, 1, 2], dtype=L.int32)),
                RuntimeError, 'searchsorted')
    check_error(lambda L: L.searchsorted(L.tensor([True, False]), L.tensor([True])), NotImplementedError,
                'searchsorted')
    check_error(lambda L: L.bucketize(L.ones(2), L.ones(1, 3)), RuntimeError, 'bucketize')


# --- histc, histogram, bincount --------------------------------------------------------------------------
def test_histc():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 3)).astype('float32')
    check(lambda L, x: (L.histc(x), x.histc(bins=7, min=-1, max=1.5), L.histc(x, 5, -3, 0)), a, grad=False)
    edges = np.array([0., 0.25, 0.5, 0.75, 1., 1.25, 1.5, 2., 3., -0.5, 1.7, 2.9], 'float64')
    check(lambda L, x: (L.histc(x, 4, 0, 3), L.histc(x, 10, 0, 1), L.histc(x, 3)), edges, grad=False)
    check(lambda L, x: (L.histc(x, 4), L.histc(x, 2, 1, 1)), np.array([1., 1.], 'float32'), grad=False)
    check(lambda L, x: L.histc(x, 3), np.zeros(0, 'float32'), grad=False)
    check(lambda L, x: L.histc(x, 3, 0, 10), np.array([1., NAN, 4.], 'float32'), grad=False)
    check_error(lambda L: L.histc(L.tensor([1, 2])), NotImplementedError, 'histogram')
    check_error(lambda L: L.histc(L.tensor([1., 2]), bins=0), RuntimeError, 'bins')
    check_error(lambda L: L.histc(L.tensor([1., 2]), bins=3, min=3, max=1), RuntimeError, 'histc')
    check_error(lambda L: L.histc(L.tensor([1., math.inf]), bins=3), RuntimeError, 'histc')


def test_histogram():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20, 2)).astype('float32')
    w = rng.uniform(size=(20, 2)).astype('float32')
    check(lambda L, x: tuple(L.histogram(x, 5)), a, grad=False)
    check(lambda L, x, w: tuple(L.histogram(x, 4, range=(-1., 1.), weight=w, density=True)), a, w, grad=False)
    check(lambda L, x, b: tuple(L.histogram(x, b)), a, np.array([-1., 0., 0.5, 2.], 'float32'), grad=False)
    check(lambda L, x: tuple(x.histogram(3, density=True)), np.array([0., 10., 3.3, 7.]), grad=False)
    check(lambda L, x: tuple(L.histogram(x, 2)), np.array([1., 1.], 'float32'), grad=False)
    check(lambda L, x: tuple(L.histogram(x, 2)), np.zeros(0, 'float32'), grad=False)
    check_error(lambda L: L.histogram(L.tensor([1, 2]), 2), NotImplementedError, 'histogram')
    check_error(lambda L: L.histogram(L.tensor([1., 2]), 0), RuntimeError, 'bins')
    check_error(lambda L: L.histogram(L.tensor([1., 2]), 2, range=(2., 1.)), RuntimeError, 'histogram')
    check_error(lambda L: L.histogram(L.tensor([1., 2]), 2, weight=L.tensor([1.])), RuntimeError, 'histogram')
    check_error(lambda L: L.histogram(L.tensor([1., 2]).double(), 2, weight=L.tensor([1., 2])), RuntimeError,
                'histogram')


def test_bincount():
    a = np.array([1, 4, 1, 0, 4, 4])
    check(lambda L, x: (L.bincount(x), x.bincount(minlength=8)), a, grad=False)
    for wd in ('float32', 'float64', 'int64', 'float16'):
        check(lambda L, x, w: L.bincount(x, w, 3), a, np.arange(6).astype(wd), grad=False)
    check(lambda L, x: L.bincount(x), a.astype('uint8'), grad=False)
    check(lambda L, x: (L.bincount(x), L.bincount(x, minlength=2)), np.zeros(0, 'int64'), grad=False)
    check_error(lambda L: L.bincount(L.tensor([1, -2])), RuntimeError, 'bincount')
    check_error(lambda L: L.bincount(L.tensor([[1, 2]])), RuntimeError, 'bincount')
    check_error(lambda L: L.bincount(L.tensor([1., 2])), NotImplementedError, 'bincount')
    check_error(lambda L: L.bincount(L.tensor([True])), NotImplementedError, 'bincount')
    check_error(lambda L: L.bincount(L.tensor([1, 2]), minlength=-1), RuntimeError, 'minlength')
    check_error(lambda L: L.bincount(L.tensor([1, 2]), weights=L.tensor([1.])), RuntimeError, 'bincount')


# --- quantile, nanquantile ---------------------------------------------------------------------------
MODES = ['linear', 'lower', 'higher', 'midpoint', 'nearest']


@pytest.mark.parametrize('mode', MODES)
def test_quantile(mode):
    q = np.array([0.1, 0.3, 0.55, 0.9])   # no rank q * (n - 1) is whole: finite differences in q stay smooth
    for fn in ('quantile', 'nanquantile'):
        check(lambda L, x, q: getattr(L, fn)(x, q, 1, interpolation=mode), (3, 5), np.array([0., 1., 0.5]),
              dtype='float64', gradcheck=False)
        check(lambda L, x: getattr(L, fn)(x, 0.3, interpolation=mode), (3, 4), dtype='float64')
        check(lambda L, x, q: getattr(x, fn)(q, dim=1, keepdim=True, interpolation=mode), (3, 5), q,
              dtype='float64')
        check(lambda L, x, q: getattr(L, fn)(x, q, dim=0, interpolation=mode), (4, 3, 2), q.astype('float32'),
              noncontig=True, gradcheck=False)
        check(lambda L, x: getattr(L, fn)(x, 0.25, -1, True, interpolation=mode), (2, 3, 3), dtype='float64')


def test_quantile_shapes():
    q = np.array([0.15, 0.7])   # ranks 0.75 and 3.5: not whole, so finite differences in q are smooth
    check(lambda L, x: L.quantile(x, 0.5, keepdim=True), (2, 3))
    check(lambda L, x, q: L.quantile(x, q, keepdim=True), (2, 3), q, dtype='float64')
    check(lambda L, x, q: L.quantile(x, q), (2, 3), q, dtype='float64')
    check(lambda L, x, q: L.quantile(x, q[0]), (2, 3), q, dtype='float64')
    check(lambda L, x: (L.quantile(x, 0.5), L.quantile(x, 0.5, 0), L.quantile(x, 0.2, 0, True)), np.array(3.))
    check(lambda L, x: L.quantile(x, 0.5, 0), np.ones((1, 3)))


def test_quantile_nan():
    a = np.array([[1., NAN, 3., 0.], [NAN, NAN, NAN, NAN], [2., 3., 1., 5.]])
    q = np.array([0.1, 0.3, 0.9])
    for mode in MODES:
        check(lambda L, x, q: (L.quantile(x, q, 1, interpolation=mode), L.nanquantile(x, q, 1, interpolation=mode),
                               L.quantile(x, 0.4), L.nanquantile(x, 0.4, interpolation=mode)), a, q, gradcheck=False)


def test_quantile_gradgrad_and_ties():
    check(lambda L, x: L.quantile(x, 0.35, dim=1), (2, 6), dtype='float64', gradgrad=True)
    t, e = both(lambda L, x: (L.quantile(x, 0.4, 1), L.nanquantile(x, 0.9, 0)), ties((5, 7)))
    assert_same(t, e)


def test_quantile_errors():
    x = lambda L: L.tensor([[1., 2, 3], [4, 5, 6]])
    check_error(lambda L: L.quantile(x(L), 1.5), RuntimeError, 'quantile')
    check_error(lambda L: L.nanquantile(x(L), -0.5), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(x(L), L.tensor([0.5]).double()), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(x(L), L.tensor([[0.5]])), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(x(L), L.tensor([1.5])), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(L.tensor([1, 2]), 0.5), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(L.zeros(0, 3), 0.5, dim=0), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(x(L), 0.5, interpolation='foo'), RuntimeError, 'quantile')
    check_error(lambda L: L.quantile(x(L), 0.5, dim=2), IndexError, 'quantile')


# --- cdist -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('p', [2.0, 1.0, 3.0, 0.5, math.inf, 0.0])
def test_cdist(p):
    check(lambda L, a, b: L.cdist(a, b, p=p), (3, 2), (4, 2), dtype='float64', gradgrad=p in (2.0, 1.0, 3.0))
    check(lambda L, a, b: L.cdist(a, b, p=p), (2, 3, 4), (1, 5, 4), noncontig=True)


def test_cdist_compute_modes():
    # over 25 rows torch switches to the matrix-product formula; forcing either way must agree
    for mode in ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist',
                 'donot_use_mm_for_euclid_dist'):
        check(lambda L, a, b: L.cdist(a, b, compute_mode=mode), (30, 3), (6, 3), atol=1e-4, gradcheck=False)
        check(lambda L, a, b: L.cdist(a, b, compute_mode=mode), (2, 4, 3), (2, 5, 3), dtype='float64',
              gradgrad=True)


def test_cdist_batch_broadcast_and_empty():
    check(lambda L, a, b: L.cdist(a, b), (2, 1, 3, 2), (4, 5, 2), dtype='float64')
    check(lambda L, a, b: L.cdist(a, b), np.zeros((0, 2)), np.ones((4, 2)), grad=False)
    check(lambda L, a, b: L.cdist(a, b), np.zeros((3, 0)), np.zeros((2, 0)), grad=False)
    a = np.array([[0., 1.], [2., 2.]])   # a shared point: distance 0, zero gradient (torch's convention)
    for p in (2.0, 1.0, 3.0, math.inf):
        check(lambda L, x, y: L.cdist(x, y, p), a, a.copy(), gradcheck=False)


def test_cdist_errors():
    a = lambda L: L.ones(3, 2)
    check_error(lambda L: L.cdist(a(L), L.ones(4, 3)), RuntimeError, 'X1')
    check_error(lambda L: L.cdist(a(L), L.ones(4, 2), p=-1), RuntimeError, 'cdist')
    check_error(lambda L: L.cdist(L.ones(2), a(L)), RuntimeError, 'cdist')
    check_error(lambda L: L.cdist(a(L).long(), a(L).long()), RuntimeError, 'cdist')
    check_error(lambda L: L.cdist(a(L).double(), a(L)), RuntimeError, 'cdist')
    check_error(lambda L: L.cdist(a(L).half(), a(L).half()), NotImplementedError, 'cdist')
    check_error(lambda L: L.cdist(a(L), a(L), compute_mode='foo'), ValueError, 'compute_mode')


# --- diff, trapezoid ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [{}, {'n': 2}, {'dim': 0}, {'n': 3, 'dim': 1}, {'n': 0}, {'n': 9}])
def test_diff(kw):
    check(lambda L, x: L.diff(x, **kw), (4, 5), gradgrad=True)
    ext = ((1, 5), (2, 5)) if kw.get('dim') == 0 else ((4, 1), (4, 2))
    check(lambda L, x, p, a: x.diff(prepend=p, append=a, **kw), (4, 5), *ext, noncontig=True)


def test_diff_dtypes_and_errors():
    check(lambda L, x: (L.diff(x), L.diff(x, 2)), np.array([1, 3, 6, 2]), grad=False)
    check(lambda L, x: L.diff(x), np.array([True, False, False, True]), grad=False)
    check(lambda L, x, p: L.diff(x, prepend=p), np.array([1, 2]), np.array([1.]), grad=False)
    check(lambda L, x: L.diff(x, dim=0), np.zeros((0, 3)), grad=False)
    check_error(lambda L: L.diff(L.tensor(3.)), RuntimeError, 'diff')
    check_error(lambda L: L.diff(L.ones(2), n=-1), RuntimeError, 'order')
    check_error(lambda L: L.diff(L.ones(1, 2), prepend=L.ones(1)), RuntimeError, 'diff')
    check_error(lambda L: L.diff(L.ones(3, 2), prepend=L.ones(1, 2)), RuntimeError, 'diff')


def test_trapezoid():
    for fn in ('trapezoid', 'trapz'):
        f = lambda L: getattr(L, fn)
        check(lambda L, y: (f(L)(y), f(L)(y, dx=0.5), f(L)(y, dim=0)), (3, 5), gradgrad=True)
        check(lambda L, y, x: (f(L)(y, x), f(L)(y, x, dim=0)), (4, 4), (4,), noncontig=True)
        check(lambda L, y, x: f(L)(y, x), (2, 3, 4), (3, 4))
        check(lambda L, y, x: f(L)(y, x, dim=1), (2, 3, 4), (2, 3, 4))
    check(lambda L, y: (L.trapezoid(y), L.trapezoid(y, dx=2)), np.array([1, 2, 3]), grad=False)
    check(lambda L, y, x: L.trapezoid(y, x), np.array([1., 2, 3]), np.array([1, 2, 4]), grad=False)
    check(lambda L, y: (L.trapezoid(y), L.trapezoid(y, dim=0)), np.zeros((2, 0)), grad=False)
    check(lambda L, y, x: L.trapezoid(y, x), np.zeros((2, 0)), np.zeros(0), grad=False)
    check(lambda L, y: L.trapezoid(y, dim=0), np.ones((1, 3)))
    assert ember.trapezoid(ember.tensor([1., 2, 3]), dx=ember.tensor(2.)).item() == 8.
    check_error(lambda L: L.trapezoid(L.tensor([1., 2, 3]), L.tensor([1., 2])), RuntimeError, 'trapezoid')
    check_error(lambda L: L.trapezoid(L.tensor(1.)), IndexError, 'dimensions')
    check_error(lambda L: L.trapezoid(L.tensor([True, False])), RuntimeError, 'trapezoid')


def test_cumulative_trapezoid():
    f = lambda L: L.cumulative_trapezoid
    check(lambda L, y: (f(L)(y), f(L)(y, dx=0.5), f(L)(y, dim=0)), (3, 5), gradgrad=True)
    check(lambda L, y, x: (f(L)(y, x), f(L)(y, x, dim=0)), (4, 4), (4,), noncontig=True)
    check(lambda L, y, x: f(L)(y, x), (2, 3, 4), (3, 4))
    check(lambda L, y: (f(L)(y), f(L)(y, dx=2)), np.array([1, 2, 3]), grad=False)
    check(lambda L, y: (f(L)(y), f(L)(y, dim=0)), np.zeros((3, 0)), grad=False)
    check(lambda L, y: f(L)(y), np.zeros((3, 1)), grad=False)
    check_error(lambda L: L.cumulative_trapezoid(L.tensor([1., 2]), L.tensor([1.])), RuntimeError,
                'cumulative_trapezoid')
    check_error(lambda L: L.cumulative_trapezoid(L.tensor(1.)), IndexError, 'cumulative_trapezoid')


# --- a program that uses several of them, run unchanged with either library ------------------------------
def test_program():
    def program(L):
        L.manual_seed(0)
        x = L.tensor(np.random.default_rng(5).normal(size=(6, 8)), requires_grad=True)
        v, i = x.sort(dim=1, descending=True)
        top = x.topk(3).values
        med = x.kthvalue(4, dim=1).values
        q = L.quantile(x, L.tensor([0.25, 0.75], dtype=x.dtype), dim=1)
        d = L.cdist(x[:3], x[3:])
        loss = v[:, :2].sum() + top.pow(2).sum() + med.sum() + q.sum() + d.sum() + L.trapezoid(x, dim=0).sum()
        loss.backward()
        return loss, x.grad, i
    assert_same(program(torch), program(ember), atol=1e-10, rtol=1e-10)


def test_out_and_methods():
    def run(L):
        x = L.tensor([[3., 1., 2.], [0., 5., 4.]])
        v, i = L.empty(0), L.empty(0, dtype=L.int64)
        r = L.sort(x, 1, out=(v, i))
        tv, ti = L.empty(0), L.empty(0, dtype=L.int64)
        L.topk(x, 2, out=(tv, ti))
        o = L.empty(0, dtype=L.int64)
        L.searchsorted(L.tensor([1., 2., 3.]), L.tensor([2.5, 0.]), out=o)
        q = L.empty(0)
        L.quantile(x, 0.4, dim=1, out=q)
        return (tuple(r), v, i, tv, ti, o, q, x.sort(stable=True, descending=True).indices, x.argsort(0),
                x.kthvalue(2).values, x.msort(), x.unique(), x.diff(dim=0), x.quantile(0.5), x.nanquantile(0.5),
                x.histc(3), x.reshape(-1).long().bincount())
    assert_same(run(torch), run(ember))
    check_error(lambda L: L.searchsorted(L.tensor([1., 2, 3]), L.tensor([2.]), sorter=L.tensor([0, 1, 5])),
                RuntimeError, 'sorter')
