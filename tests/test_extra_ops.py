"""torch's less common tensor functions (issues 2 and 3): values, dtypes, gradients and errors against torch."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

F32 = 'float32'


# --- elementwise ----------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['deg2rad', 'rad2deg', 'positive'])
def test_unary_float(name):
    check(lambda L, x: getattr(L, name)(x), (3, 4))
    check(lambda L, x: getattr(x, name)(), (3, 4), grad=False)


def test_sgn_real_and_complex():
    check(lambda L, x: L.sgn(x), np.array([-2., 0., 3.], F32), grad=False)
    x = ember.tensor([-2., 0., 3.], requires_grad=True)
    ember.sgn(x).sum().backward()
    assert x.grad._data.tolist() == [0., 0., 0.]   # torch: a zero gradient for real inputs
    z = (np.array([3, 0, -1, 2], 'float64') + 1j * np.array([4, 0, 1, -0.5])).astype('complex128')
    check(lambda L, x: L.sgn(x), z, gradcheck=False)
    # complex gradient against torch (0 at 0)
    tz, ez = torch.tensor(z, requires_grad=True), ember.tensor(z, requires_grad=True)
    g = np.array([1 + 2j, 3 - 1j, -1j, 0.5 + 0.5j])
    torch.sgn(tz).backward(torch.tensor(g))
    ember.sgn(ez).backward(ember.tensor(g))
    assert_same(tz.grad, ez.grad)
    for dt in ('int64', 'bool'):
        check(lambda L, x: L.sgn(x), np.array([1, 0, 1], dt), grad=False)
    e = ember.tensor([1., -2.])
    assert_same(torch.tensor([1., -2.]).sgn_(), e.sgn_())


def test_positive_bool_and_int():
    check(lambda L, x: L.positive(x), np.array([1, -2], 'int64'), grad=False)
    x = ember.tensor([1.])
    assert ember.positive(x) is x
    check_error(lambda L: L.positive(L.tensor([True])), RuntimeError, 'bool')


def test_angles_dtypes_and_errors():
    for dt in ('int64', 'bool', 'float16', 'float64'):
        check(lambda L, x: (L.deg2rad(x), L.rad2deg(x)), np.array([0, 1, 1], dt), grad=False, atol=1e-3)
    check_error(lambda L: L.deg2rad(L.tensor([1j])), RuntimeError, 'deg2rad')
    check_error(lambda L: L.rad2deg(L.tensor([1j])), RuntimeError, 'rad2deg')
    check(lambda L, x: x.clone().deg2rad_(), (3,), grad=False)


def test_copysign():
    a = np.array([0., 1., -2., 3., -0.5])
    b = np.array([-1., 1., 1., -0.3, 2.])
    check(lambda L, x, y: L.copysign(x, y), a, b)
    b[3] = -0.
    check(lambda L, x, y: L.copysign(x, y), a, b, gradcheck=False)   # -0 gives its sign too
    a, b = a.astype(F32), b.astype(F32)
    check(lambda L, x, y: L.copysign(x, y), (2, 3), (3,), gradgrad=True, low=0.2)
    check(lambda L, x: L.copysign(x, -1.0), a, gradcheck=False)
    check(lambda L, x, y: L.copysign(x, y), np.array([1, -2], 'int64'), np.array([-1, 1], 'int64'), grad=False)
    check(lambda L, x, y: L.copysign(x, y), np.array([True, False]), np.array([True, True]), grad=False)
    check(lambda L, x: L.copysign(x, -1.0), np.array([1, 2], 'float16'), grad=False)
    check(lambda L, x, y: x.copysign(y), a, b, grad=False)
    check(lambda L, x, y: x.clone().copysign_(y), a, b, grad=False)
    check_error(lambda L: L.copysign(L.tensor([1j]), L.tensor([1.])), NotImplementedError, 'copysign')


def test_heaviside():
    x = np.array([-1., 0., 2., 0.], F32)
    check(lambda L, a, v: L.heaviside(a, v), x, np.array([0.5, 0.25, 3., 7.], F32), grad=False)
    check(lambda L, a, v: L.heaviside(a, v), x, np.array(0.5, F32), grad=False)
    check(lambda L, a, v: L.heaviside(a, v), np.array([-3, 0, 2]), np.array([5, 6, 7]), grad=False)
    check(lambda L, a, v: L.heaviside(a, v), np.array([True, False]), np.array([True, True]), grad=False)
    check(lambda L, a, v: a.clone().heaviside_(v), x, np.array(0.5, F32), grad=False)
    e = ember.heaviside(ember.tensor([1.], requires_grad=True), ember.tensor([0.]))
    assert not e.requires_grad
    check_error(lambda L: L.heaviside(L.tensor([1.]), L.tensor([1.], dtype=L.float64)), RuntimeError, 'dtypes')
    check_error(lambda L: L.heaviside(L.tensor([1j]), L.tensor([1j])), RuntimeError, 'complex')
    check_error(lambda L: L.heaviside(L.tensor([1.]), 0.5), TypeError, 'values')


@pytest.mark.parametrize('name', ['logaddexp', 'logaddexp2'])
def test_logaddexp(name):
    check(lambda L, x, y: getattr(L, name)(x, y), (3, 4), (4,), gradgrad=True)
    check(lambda L, x, y: getattr(x, name)(y), (2, 3), (2, 3))
    big = np.array([1000., -1000., 0., -np.inf, np.inf, 5.], F32)
    other = np.array([999., -1001., 0., -np.inf, np.inf, -np.inf], F32)
    check(lambda L, x, y: getattr(L, name)(x, y), big, other, gradcheck=False)
    check(lambda L, x, y: getattr(L, name)(x, y), np.array([1., 2.], F32), np.array([1, 2], 'int64'), grad=False)
    check(lambda L, x, y: getattr(L, name)(x, y), np.array([1., 2.], F32), np.array([1., 0.], 'float64'),
          gradcheck=False)
    check_error(lambda L: getattr(L, name)(L.tensor([1, 2]), L.tensor([1, 2])), NotImplementedError, name)
    check_error(lambda L: getattr(L, name)(L.tensor([1.]), 1.0), TypeError, 'other')


def test_logaddexp_complex():
    a = np.array([1 + 1j, -2 + 0.5j, 3 - 2j])
    b = np.array([0.5 - 1j, 1 + 2j, -1 + 0j])
    check(lambda L, x, y: L.logaddexp(x, y), a, b, gradcheck=False)
    check_error(lambda L: L.logaddexp2(L.tensor([1j]), L.tensor([1j])), NotImplementedError, 'logaddexp2')


@pytest.mark.parametrize('name', ['gcd', 'lcm'])
def test_gcd_lcm(name):
    a = np.array([-4, 0, 6, 15, 7], 'int64')
    b = np.array([6, 0, -9, 10, 0], 'int64')
    check(lambda L, x, y: getattr(L, name)(x, y), a, b, grad=False)
    check(lambda L, x, y: getattr(L, name)(x, y), a.astype('int8'), b.astype('int32'), grad=False)
    check(lambda L, x, y: getattr(L, name)(x, y), a.reshape(5, 1), b, grad=False)
    check(lambda L, x, y: getattr(x.clone(), name + '_')(y), a, b, grad=False)
    check_error(lambda L: getattr(L, name)(L.tensor([1.]), L.tensor([2.])), NotImplementedError, name)
    check_error(lambda L: getattr(L, name)(L.tensor([True]), L.tensor([True])), NotImplementedError, name)
    check_error(lambda L: getattr(L, name)(L.tensor([1]), 3), TypeError, 'other')


def test_ldexp():
    check(lambda L, x, e: L.ldexp(x, e), (3,), np.array([1, 2, 3], 'int64'))
    # torch's own gradient is 0 for a negative integer exponent (it takes 2 ** other in integers);
    # ember's is the true one, grad * 2 ** other
    check(lambda L, x, e: L.ldexp(x, e), (3,), np.array([1, 2, -3], 'int64'), grad=False)
    x = ember.ones(3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.ldexp(t, ember.tensor([1, 2, -3])), (x,))
    check(lambda L, x, e: L.ldexp(x, e), (2, 3), (3,), gradgrad=True)
    check(lambda L, x, e: L.ldexp(x, e), np.array([1, 2, 3]), np.array([1, 2, -3]), grad=False)
    check(lambda L, x, e: L.ldexp(x, e), np.array([1, 2, 3], 'float16'), np.array([1, 2, -3]), grad=False)
    check(lambda L, x, e: L.ldexp(x, e), np.array([1, 2], 'float64'), np.array([1, 2], 'int32'), grad=False)
    check(lambda L, x, e: L.ldexp(x, e), np.array([True, False]), np.array([True, True]), grad=False)
    check(lambda L, x, e: x.ldexp(e), (3,), np.array([1, 2, 3]), grad=False)
    check(lambda L, x, e: x.clone().ldexp_(e), (3,), np.array([1, 2, 3]), grad=False)
    check_error(lambda L: L.ldexp(L.tensor([1.]), 2), TypeError, 'other')


def test_frexp():
    x = np.array([0., 3., -6., 0.1, np.inf, -np.inf, np.nan, -0., 1e-40], F32)
    for dt in ('float32', 'float64', 'float16'):
        tm, te = torch.frexp(torch.tensor(x.astype(dt)))
        m, e = ember.frexp(ember.tensor(x.astype(dt)))
        assert_same(tm, m)
        assert_same(te, e)
    r = ember.frexp(ember.tensor([4.]))
    assert r.exponent.dtype == ember.int32 and type(r).__name__ == 'frexp'
    check(lambda L, x: L.frexp(x * 3), (4,))
    check(lambda L, x: x.frexp(), (4,))
    e = ember.frexp(ember.tensor([2.], requires_grad=True))
    assert e.mantissa.requires_grad and not e.exponent.requires_grad
    check_error(lambda L: L.frexp(L.tensor([1, 2])), RuntimeError, 'floating')


def test_nextafter():
    a = np.array([0., 1., -2., 1e30], F32)
    b = np.array([1., 0., -2., np.inf], F32)
    check(lambda L, x, y: L.nextafter(x, y), a, b, gradcheck=False, atol=0, rtol=0)
    check(lambda L, x, y: L.nextafter(x, y), (3,), (3,), gradcheck=False)
    check(lambda L, x, y: L.nextafter(x, y), a.astype('float64'), b.astype('float64'), grad=False, atol=0, rtol=0)
    check(lambda L, x, y: L.nextafter(x, y), a, b.astype('float64'), grad=False, atol=0, rtol=0)
    check(lambda L, x, y: x.clone().nextafter_(y), a, b, grad=False, atol=0, rtol=0)
    check_error(lambda L: L.nextafter(L.tensor([1]), L.tensor([2])), NotImplementedError, 'nextafter')


def test_isin():
    e = np.array([[1, 2, 3], [4, 5, 6]])
    t = np.array([2, 6, 9])
    for kw in ({}, {'invert': True}, {'assume_unique': True}):
        check(lambda L, x, y: L.isin(x, y, **kw), e, t, grad=False)
    check(lambda L, x: L.isin(x, 2), e, grad=False)
    check(lambda L, y: L.isin(2, y), t, grad=False)
    check(lambda L, y: L.isin(4, y), t, grad=False)
    check(lambda L, x, y: L.isin(x, y), e, np.array([1., 2.5]), grad=False)
    check(lambda L, x, y: L.isin(x, y), np.array([1.5, np.nan]), np.array([1.5, np.nan]), grad=False)
    check_error(lambda L: L.isin(L.tensor([True]), L.tensor([True])), RuntimeError, 'Bool')
    check_error(lambda L: L.isin(L.tensor([1j]), L.tensor([1.])), RuntimeError, 'isin')


def test_method_aliases():
    x = np.array([0.2, 0.5, -0.3], F32)
    for name in ('arcsinh', 'arctanh'):
        check(lambda L, a: getattr(a, name)(), x, grad=False)
        check(lambda L, a: getattr(a.clone(), name + '_')(), x, grad=False)
    check(lambda L, a: a.arccosh(), x + 2, grad=False)
    check(lambda L, a: a.clone().arccosh_(), x + 2, grad=False)
    check(lambda L, a, b: a.clone().arctan2_(b), x, x[::-1].copy(), grad=False)
    for name in ('greater_', 'greater_equal_', 'less_', 'less_equal_', 'not_equal_'):
        check(lambda L, a, b: getattr(a.clone(), name)(b), x, np.array([0.2, 0., 0.], F32), grad=False)
    check(lambda L, a: a.clone().float_power_(2), x.astype('float64'), grad=False)
    check_error(lambda L: L.tensor([1., 2.]).float_power_(2), RuntimeError, 'float_power_')
    check(lambda L, a: a.clone().cumsum_(0), x, grad=False)
    check(lambda L, a: a.clone().cumprod_(0), x, grad=False)
    check(lambda L, a: a.isreal(), np.array([1 + 0j, 1j]), grad=False)
    # in-place forms record gradients through the out-of-place op
    check(lambda L, a: (a * 1).cumsum_(0), x, gradcheck=False)


def test_toplevel_inplace_functions():
    x = np.array([0.3, 0.6, 0.9], F32)
    for name in ('abs_', 'exp_', 'sigmoid_', 'neg_', 'sin_', 'cos_', 'tanh_', 'sqrt_', 'log_', 'floor_',
                 'round_', 'trunc_', 'frac_', 'erf_', 'expm1_', 'rsqrt_', 'reciprocal_', 'square_', 'deg2rad_',
                 'rad2deg_', 'arcsinh_', 'arctanh_', 'fix_', 'nan_to_num_'):
        t, e = torch.tensor(x), ember.tensor(x)
        rt, re = getattr(torch, name)(t), getattr(ember, name)(e)
        assert re is e, name
        assert_same(rt, re, what=name)
        assert getattr(ember, name).__name__ == name
    t, e = torch.tensor(x), ember.tensor(x)
    assert_same(torch.clamp_(t, min=0.5), ember.clamp_(e, min=0.5))
    assert_same(torch.clamp_max_(t, 0.7), ember.clamp_max_(e, 0.7))
    a, b = torch.tensor([4, 6]), ember.tensor([4, 6])
    assert_same(torch.gcd_(a, torch.tensor([6, 4])), ember.gcd_(b, ember.tensor([6, 4])))
    assert_same(torch.ldexp_(torch.tensor(x), torch.tensor([1, 2, 3])), ember.ldexp_(ember.tensor(x), ember.tensor([1, 2, 3])))
    names = [n for n in dir(torch) if n.endswith('_') and not n.startswith('_') and hasattr(torch.Tensor, n)
             and hasattr(ember.Tensor, n)]
    assert [n for n in names if not hasattr(ember, n)] == []
    assert 'exp_' in ember.ops.elementwise.__all__


# --- shape --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('fn,shape,arg', [('hsplit', (6,), 3), ('hsplit', (2, 6), [1, 4]), ('hsplit', (2, 6, 2), 2),
                                          ('vsplit', (4, 3), 2), ('vsplit', (5, 3), [2]),
                                          ('dsplit', (2, 2, 6), 3), ('dsplit', (2, 2, 6), (1, 3))])
def test_directional_splits(fn, shape, arg):
    check(lambda L, x: getattr(L, fn)(x, arg), shape)
    check(lambda L, x: getattr(x, fn)(arg), shape, grad=False)


def test_directional_split_errors():
    check_error(lambda L: L.hsplit(L.zeros(2, 5), 2), RuntimeError, 'divisible')
    check_error(lambda L: L.vsplit(L.zeros(5), 2), RuntimeError, 'at least 2')
    check_error(lambda L: L.dsplit(L.zeros(2, 2), 2), RuntimeError, 'at least 3')
    check_error(lambda L: L.hsplit(L.tensor(1.), 1), RuntimeError, 'at least 1')


def test_split_with_sizes_and_sum_to_size():
    check(lambda L, x: L.split_with_sizes(x, [1, 3], 1), (2, 4))
    check(lambda L, x: x.split_with_sizes([2, 2]), (4, 3))
    check_error(lambda L: L.zeros(4).split_with_sizes([1, 2]), RuntimeError, 'split_with_sizes')
    check(lambda L, x: x.sum_to_size(3, 1), (2, 3, 4))
    check(lambda L, x: x.sum_to_size((1, 4)), (2, 3, 4))
    check(lambda L, x: x.sum_to_size(2, 3, 4), (2, 3, 4))
    check_error(lambda L: L.zeros(2, 3).sum_to_size(4), RuntimeError, 'expandable')


def test_block_diag():
    check(lambda L, a, b, c: L.block_diag(a, b, c), (2, 3), (3,), ())
    check(lambda L, a, b: L.block_diag(a, b), np.array([[1, 2]]), np.array([[3.], [4.]], F32), grad=False)
    check(lambda L, a: L.block_diag(a), (2, 2))
    assert_same(torch.block_diag(), ember.block_diag())
    check_error(lambda L: L.block_diag(L.zeros(1, 1, 1)), RuntimeError, 'dimensions')


def test_cartesian_prod_and_combinations():
    check(lambda L, a, b: L.cartesian_prod(a, b), (3,), (2,))
    check(lambda L, a, b, c: L.cartesian_prod(a, b, c), np.array([1, 2]), np.array([3, 4]), np.array([5]),
          grad=False)
    check(lambda L, a: L.cartesian_prod(a), (3,))
    for r in (0, 1, 2, 3, 5):
        for wr in (False, True):
            check(lambda L, a: L.combinations(a, r, wr), (4,), grad=r > 0)
    check(lambda L, a: L.combinations(a), np.array([1, 2, 3]), grad=False)
    check_error(lambda L: L.combinations(L.zeros(2, 2)), RuntimeError, '1D')
    check_error(lambda L: L.cartesian_prod(L.zeros(2, 2), L.zeros(2)), RuntimeError, '1D')


def test_fill_diagonal_():
    for shape in ((3, 3), (5, 3), (3, 5), (7, 3), (3, 3, 3)):
        for wrap in (False, True):
            check(lambda L, x: x.clone().fill_diagonal_(2.5, wrap=wrap), shape, grad=False)
    check(lambda L, x: x.clone().fill_diagonal_(7), np.zeros((3, 4), 'int64'), grad=False)
    check(lambda L, x: (x * 1).fill_diagonal_(0.), (4, 3))
    x = ember.zeros(3, 3)
    v = x.view(9)
    x.fill_diagonal_(1.)
    assert v._data.tolist() == [1, 0, 0, 0, 1, 0, 0, 0, 1]
    check_error(lambda L: L.zeros(3).fill_diagonal_(1.), RuntimeError, 'larger than 1')
    check_error(lambda L: L.zeros(2, 3, 2).fill_diagonal_(1.), RuntimeError, 'equal length')


def test_scatter_views():
    check(lambda L, x, s: L.select_scatter(x, s, 1, 2), (3, 4), (3,), gradgrad=True)
    check(lambda L, x, s: L.select_scatter(x, s, 0, -1), (3, 4), (4,))
    check(lambda L, x, s: L.slice_scatter(x, s, 1, 1, 3), (3, 4), (3, 2), gradgrad=True)
    check(lambda L, x, s: L.slice_scatter(x, s, 0, None, None, 2), (5, 2), (3, 2))
    check(lambda L, x, s: L.slice_scatter(x, s), (2, 3), (2, 3))
    check(lambda L, x, s: L.diagonal_scatter(x, s), (3, 4), (3,), gradgrad=True)
    check(lambda L, x, s: L.diagonal_scatter(x, s, 1), (3, 4), (3,))
    check(lambda L, x, s: L.diagonal_scatter(x, s, -1, 2, 0), (3, 2, 4), (2, 3))
    check(lambda L, x, s: x.slice_scatter(s, 0, 1), (3, 2), (2, 2), grad=False)
    check(lambda L, x, s: x.select_scatter(s, 0, 1), (3, 2), (2,), grad=False)
    check(lambda L, x, s: x.diagonal_scatter(s), (3, 2), (2,), grad=False)
    check_error(lambda L: L.select_scatter(L.zeros(3, 4), L.zeros(4), 1, 0), RuntimeError, 'src')
    check_error(lambda L: L.slice_scatter(L.zeros(3, 4), L.zeros(2, 4), 0, 0, 1), RuntimeError, 'src')
    check_error(lambda L: L.select_scatter(L.zeros(3, 4), L.zeros(3), 1, 4), IndexError, 'out of range')


def test_as_strided():
    check(lambda L, x: L.as_strided(x, (2, 2), (1, 2), 1), (3, 4), gradgrad=True)
    check(lambda L, x: L.as_strided(x, (3, 3), (1, 1)), (6,))   # overlapping windows accumulate
    check(lambda L, x: x.as_strided((2, 3), (3, 1)), (2, 3))
    check(lambda L, x: L.as_strided(x, (4,), (3,)), (3, 4))
    x, t = ember.arange(6.), torch.arange(6.)
    v, tv = x.as_strided((2, 2), (2, 1), 1), t.as_strided((2, 2), (2, 1), 1)
    assert_same(tv, v)
    assert v.stride() == tv.stride() and v.storage_offset() == tv.storage_offset()
    v.mul_(10)
    tv.mul_(10)
    assert_same(t, x)   # a view: the write reaches the base
    check_error(lambda L: L.zeros(4).as_strided((3,), (2,)), RuntimeError, 'out of bounds')
    check_error(lambda L: L.zeros(4).as_strided((2, 2), (1,)), RuntimeError, 'strides')


def test_renorm_dist():
    check(lambda L, x: L.renorm(x, 2, 0, 1.5), (3, 4))
    check(lambda L, x: L.renorm(x, 1, 1, 2.0), (3, 4, 2))
    check(lambda L, x: x.renorm(3, -1, 0.5), (2, 3))
    check(lambda L, x: (x * 1).renorm_(2, 0, 1.0), (3, 4))
    check_error(lambda L: L.renorm(L.zeros(3), 2, 0, 1.), RuntimeError, 'renorm')
    check_error(lambda L: L.renorm(L.zeros(2, 3), -1, 0, 1.), RuntimeError, 'renorm')
    for p in (2, 1, 3.5, float('inf'), 0):
        # torch's backward of the 0-"norm" fails; its gradient is zero
        check(lambda L, x, y: L.dist(x, y, p), (3, 4), (4,), grad=p != 0)
    check(lambda L, x, y: x.dist(y), (3,), (3,))


def test_cov_corrcoef():
    check(lambda L, x: L.cov(x), (3, 6), gradgrad=True)
    check(lambda L, x: L.cov(x, correction=0), (6,))
    check(lambda L, x: x.cov(correction=2), (2, 5))
    fw = np.array([1, 2, 0, 3, 1])
    aw = np.array([0.5, 1., 2., 0.1, 1.], F32)
    check(lambda L, x, f: L.cov(x, fweights=f), (3, 5), fw)
    check(lambda L, x, a: L.cov(x, aweights=a), (3, 5), aw, gradcheck=False)
    check(lambda L, x, f, a: L.cov(x, fweights=f, aweights=a), (2, 5), fw, aw, gradcheck=False)
    check(lambda L, x, f, a: L.cov(x, correction=0, fweights=f, aweights=a), (2, 5), fw, aw, gradcheck=False)
    check(lambda L, x: L.cov(x), np.array([[1, 2, 4], [3, 1, 0]]), grad=False)
    check(lambda L, x: L.cov(x), np.array([[1 + 1j, 2, 4j], [3, 1 - 1j, 0]]), grad=False)
    check(lambda L, x: L.corrcoef(x), (3, 6), gradgrad=True)
    check(lambda L, x: x.corrcoef(), (6,), grad=False)
    check(lambda L, x: L.corrcoef(x), np.array([[1 + 1j, 2, 4j], [3, 1 - 1j, 0]]), grad=False)
    check_error(lambda L: L.cov(L.zeros(2, 2, 2)), RuntimeError, 'dimensions')
    check_error(lambda L: L.cov(L.zeros(2, 3), fweights=L.ones(3)), RuntimeError, 'fweights .* integral')
    check_error(lambda L: L.cov(L.zeros(2, 3), aweights=L.ones(2)), RuntimeError, 'aweights .* numel')
    check_error(lambda L: L.cov(L.zeros(2, 3), aweights=L.tensor([1, 2, 3])), RuntimeError, 'floating point')
    check_error(lambda L: L.cov(L.zeros(2, 3), fweights=L.ones(2, 3).long()), RuntimeError, 'one or fewer')
    check_error(lambda L: L.cov(L.zeros(2, 3), fweights=L.tensor([1, -1, 1])), RuntimeError, 'negative')


# --- creation -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['hann_window', 'hamming_window', 'blackman_window', 'bartlett_window',
                                  'kaiser_window'])
def test_windows(name):
    for n in (0, 1, 2, 5, 8):
        for periodic in (True, False):
            for dt in (None, 'float64'):
                kw = {} if dt is None else {'dtype': getattr(torch, dt)}
                ekw = {} if dt is None else {'dtype': getattr(ember, dt)}
                assert_same(getattr(torch, name)(n, periodic, **kw), getattr(ember, name)(n, periodic, **ekw),
                            atol=1e-6)
    extra = {'hamming_window': (0.5, 0.3), 'kaiser_window': (5.0,)}.get(name, ())
    assert_same(getattr(torch, name)(7, False, *extra), getattr(ember, name)(7, False, *extra), atol=1e-6)
    e = getattr(ember, name)(4, requires_grad=True)
    assert e.requires_grad
    check_error(lambda L: getattr(L, name)(4, dtype=L.int64), RuntimeError, 'floating point')
    check_error(lambda L: getattr(L, name)(-1), RuntimeError, 'non-negative')


def test_empty_strided():
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((0, 2), (2, 1)), ((3,), (4,))):
        t, e = torch.empty_strided(size, stride), ember.empty_strided(size, stride)
        assert tuple(e.shape) == tuple(t.shape) and e.dtype == ember.float32
        if t.numel():
            assert e.stride() == t.stride()
    assert ember.empty_strided((2,), (1,), dtype=ember.int64).dtype == ember.int64
    check_error(lambda L: L.empty_strided((2, 3), (1,)), RuntimeError, 'dimensionality')


def test_frombuffer():
    buf = bytearray(np.arange(6, dtype='float32').tobytes())
    t = torch.frombuffer(bytearray(buf), dtype=torch.float32, count=3, offset=4)
    e = ember.frombuffer(buf, dtype=ember.float32, count=3, offset=4)
    assert_same(t, e)
    e[0] = 100.
    assert np.frombuffer(buf, 'float32')[1] == 100.   # shares memory
    assert_same(torch.frombuffer(bytearray(buf), dtype=torch.int16), ember.frombuffer(buf, dtype=ember.int16))
    import array
    a = array.array('d', [1., 2.])
    assert_same(torch.frombuffer(array.array('d', [1., 2.]), dtype=torch.float64),
                ember.frombuffer(a, dtype=ember.float64))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert_same(torch.frombuffer(b'\x01\x02', dtype=torch.uint8), ember.frombuffer(b'\x01\x02', dtype=ember.uint8))
    check_error(lambda L: L.frombuffer(bytearray(), dtype=L.float32), ValueError, 'must not be 0')
    check_error(lambda L: L.frombuffer(bytearray(8), dtype=L.float32, offset=9), ValueError, 'offset')
    check_error(lambda L: L.frombuffer(bytearray(8), dtype=L.float32, count=3), ValueError, 'requested')
    check_error(lambda L: L.frombuffer(bytearray(7), dtype=L.float32), ValueError, 'multiple')


def test_tri_indices():
    for args in ((3, 3), (3, 4, 1), (4, 3, -1), (0, 3), (3, 0), (2, 5, -3), (5, 2, 4)):
        assert_same(torch.tril_indices(*args), ember.tril_indices(*args))
        assert_same(torch.triu_indices(*args), ember.triu_indices(*args))
    assert_same(torch.tril_indices(3, 3, dtype=torch.int32), ember.tril_indices(3, 3, dtype=ember.int32))
    check_error(lambda L: L.tril_indices(3, 3, dtype=L.float32), NotImplementedError, 'Float')
    check_error(lambda L: L.triu_indices(-1, 3), RuntimeError, 'non-negative')


# --- deprecated norm forms ---------------------------------------------------------------------------------------
def test_deprecated_norms():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(lambda L, x: L.frobenius_norm(x, (0, 1)), (3, 4))
        check(lambda L, x: L.frobenius_norm(x, 1, True), (3, 4))
        check(lambda L, x: L.nuclear_norm(x), (3, 4), gradcheck=False, atol=1e-4)
        check(lambda L, x: L.nuclear_norm(x, (1, 2)), (2, 3, 4), gradcheck=False, atol=1e-4)
        check(lambda L, x: L.nuclear_norm(x, True), (3, 4), gradcheck=False, atol=1e-4)
    with pytest.warns(UserWarning, match='deprecated'):
        ember.frobenius_norm(ember.ones(2, 2), (0, 1))
