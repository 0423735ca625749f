"""ember.special against torch.special: values, dtypes, gradients, float64 gradcheck, edge values."""
import math
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same
from ember.special import TOPLEVEL

INF, NAN = math.inf, math.nan


def top(lib, name):
    """torch.<name>; for ember, the function ember.special.TOPLEVEL hands to ember/__init__.py."""
    return getattr(torch, name) if lib is torch else getattr(ember, name, TOPLEVEL[name])

# name -> (low, high) of the random inputs: each function on the part of its domain where it is smooth
UNARY = {
    'erf': (-2, 2), 'erfc': (-2, 2), 'erfcx': (-2, 2), 'erfinv': (-0.9, 0.9), 'expit': (-3, 3),
    'gammaln': (0.3, 4), 'digamma': (0.3, 4), 'psi': (0.3, 4), 'i0': (-3, 3), 'i0e': (-3, 3), 'i1': (-3, 3),
    'i1e': (-3, 3), 'entr': (0.1, 2), 'log_ndtr': (-4, 3), 'ndtr': (-3, 3), 'ndtri': (0.05, 0.95),
    'sinc': (-2, 2), 'log1p': (-0.5, 2), 'expm1': (-2, 2), 'exp2': (-2, 2), 'logit': (0.05, 0.95),
}


@pytest.mark.parametrize('name', sorted(UNARY))
def test_unary_matches_torch(name):
    low, high = UNARY[name]
    check(lambda lib, x: getattr(lib.special, name)(x), (3, 4), low=low, high=high, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('name', ['i0', 'i0e', 'i1', 'i1e', 'sinc', 'erfcx', 'log_ndtr', 'ndtri', 'logit', 'entr'])
def test_gradgradcheck(name):
    low, high = UNARY[name]
    check(lambda lib, x: getattr(lib.special, name)(x), (5,), low=low, high=high, gradgrad=True)


@pytest.mark.parametrize('dtype', ['float64', 'float16'])
@pytest.mark.parametrize('name', ['i0', 'i0e', 'i1', 'i1e', 'ndtr', 'sinc', 'entr'])
def test_unary_dtypes(name, dtype):
    low, high = UNARY[name]
    tol = 1e-2 if dtype == 'float16' else 1e-7
    check(lambda lib, x: getattr(lib.special, name)(x), (6,), dtype=dtype, low=low, high=high, atol=tol, rtol=tol,
          grad=dtype == 'float64', gradcheck=False)


def test_bfloat16():
    x = np.linspace(-2, 2, 7).astype(np.float32)
    for name in ('i0', 'i1e', 'ndtr', 'entr', 'sinc'):
        t = getattr(torch.special, name)(torch.from_numpy(x).bfloat16())
        e = getattr(ember.special, name)(ember.from_numpy(x).to(ember.bfloat16))
        assert_same(t, e, atol=2e-2, rtol=2e-2)


EDGES = np.array([0.0, -0.0, -1.0, 1.0, -3.5, 2.0, 40.0, -40.0, INF, -INF, NAN], dtype=np.float32)


@pytest.mark.parametrize('name', ['erfcx', 'i0', 'i0e', 'i1', 'i1e', 'entr', 'log_ndtr', 'ndtr', 'ndtri', 'sinc',
                                  'logit', 'expit', 'gammaln', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1',
                                  'modified_bessel_i0', 'modified_bessel_i1', 'modified_bessel_k0',
                                  'modified_bessel_k1', 'scaled_modified_bessel_k0', 'scaled_modified_bessel_k1'])
def test_edge_values(name):
    x = EDGES if name not in ('ndtri', 'logit') else np.array([0, 1, 0.5, -1, 2, INF, NAN], np.float32)
    check(lambda lib, t: getattr(lib.special, name)(t), x, grad=False, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('name', ['i0', 'i0e', 'i1', 'i1e', 'sinc', 'entr', 'ndtri', 'logit', 'erfcx', 'log_ndtr'])
def test_gradient_at_edges(name):
    x = np.array([0.0, 1.0, -1.0, 0.5], np.float64)
    if name in ('ndtri', 'logit'):
        x = np.array([0.0, 1.0, -1.0, 0.5, 2.0])
    t, e = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    getattr(torch.special, name)(t).sum().backward()
    getattr(ember.special, name)(e).sum().backward()
    assert_same(t.grad, e.grad)


@pytest.mark.parametrize('dtype', ['int64', 'bool'])
@pytest.mark.parametrize('name', ['i0', 'i1e', 'ndtr', 'ndtri', 'entr', 'logit', 'sinc', 'erfcx', 'expit', 'gammaln',
                                  'bessel_j0'])
def test_integer_inputs_become_float(name, dtype):
    x = np.array([0, 1, 2] if dtype == 'int64' else [True, False], dtype=dtype)
    check(lambda lib, t: getattr(lib.special, name)(t), x, grad=False)


def test_logit_eps():
    check(lambda lib, x: lib.special.logit(x, eps=0.2), (8,), low=-0.5, high=1.5)
    check(lambda lib, x: lib.special.logit(x, 1e-6), (8,), low=0.05, high=0.95, dtype='float64')


def test_non_differentiable_besselfunctions():
    e = ember.tensor([0.5, 1.0], requires_grad=True)
    for name in ('bessel_j0', 'bessel_j1', 'modified_bessel_k0'):
        t = torch.tensor([0.5, 1.0], requires_grad=True)
        assert getattr(torch.special, name)(t).requires_grad is False
        assert getattr(ember.special, name)(e).requires_grad is False


@pytest.mark.parametrize('name', ['xlogy', 'xlog1py'])
def test_xlogy_family(name):
    check(lambda lib, x, y: getattr(lib.special, name)(x, y), (3, 4), (4,), low=0.1, high=2.0, gradgrad=True)
    check(lambda lib, x: getattr(lib.special, name)(x, 3.0), (5,), low=-1, high=2)
    check(lambda lib, y: getattr(lib.special, name)(2, y), (5,), low=0.1, high=2, dtype='float64')
    x = np.array([0.0, 0.0, 1.0, 2.0, NAN, 0.0])
    y = np.array([0.0, NAN, 0.0, -1.0, 1.0, -2.0])
    check(lambda lib, a, b: getattr(lib.special, name)(a, b), x, y, gradcheck=False)
    # integer arguments give the default float dtype; a float64 tensor keeps float64
    check(lambda lib, a, b: getattr(lib.special, name)(a, b), np.array([0, 1, 2]), np.array([1, 2, 3]), grad=False)
    check(lambda lib, a: getattr(lib.special, name)(a, 2), np.array([1, 2]), grad=False)


def test_xlogy_errors():
    check_error(lambda lib: lib.special.xlogy(2, 3), TypeError, 'xlogy')
    check_error(lambda lib: lib.special.xlogy(lib.ones(2), lib.ones(3)), RuntimeError)
    check_error(lambda lib: lib.special.xlogy(lib.ones(2, dtype=lib.complex64), lib.ones(2)), NotImplementedError,
                'xlogy')
    check_error(lambda lib: lib.special.i0(lib.ones(2, dtype=lib.complex64)), NotImplementedError, 'i0')
    check_error(lambda lib: lib.special.i0([1.0]), TypeError, 'i0')


def test_zeta():
    x = np.array([2.0, 3.0, 1.0, 4.5, 0.5, 2.0])
    q = np.array([1.0, 2.0, 1.0, 0.5, 1.0, -1.5])
    check(lambda lib, a, b: lib.special.zeta(a, b), x, q, grad=False)
    check(lambda lib, b: lib.special.zeta(2.5, b), (5,), low=0.5, high=3, dtype='float64', gradgrad=True)
    check(lambda lib, a: lib.special.zeta(a, 2.0), (5,), low=1.5, high=3, grad=False)

    def backward_x(lib):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        lib.special.zeta(a, lib.tensor([1.0, 2.0])).sum().backward()
    check_error(backward_x, NotImplementedError, 'zeta')


def test_gammainc():
    for name in ('gammainc', 'gammaincc'):
        check(lambda lib, a, x: getattr(lib.special, name)(a, x), (4,), (4,), low=0.3, high=3, grad=False)
        check(lambda lib, x: getattr(lib.special, name)(lib.full((4,), 1.5, dtype=lib.float64), x), (4,), low=0.3,
              high=3, dtype='float64', gradgrad=True)
        check_error(lambda lib: getattr(lib.special, name)(lib.ones(2), 1.5), TypeError, 'other')
    check(lambda lib, a, x: top(lib, 'igamma')(a, x) + a.igammac(x), (3,), (3,), low=0.3, high=3, grad=False)

    def backward_a(lib):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        lib.special.gammainc(a, lib.tensor([1.0, 2.0])).sum().backward()
    check_error(backward_a, NotImplementedError, 'derivative')


def test_multigammaln():
    for p in (1, 2, 3):
        check(lambda lib, x: lib.special.multigammaln(x, p), (2, 3), low=1.5, high=4, gradgrad=p == 2)
    check(lambda lib, x: top(lib, 'mvlgamma')(x, p=2) + x.mvlgamma(3), (4,), low=1.5, high=4)
    check(lambda lib, x: lib.special.multigammaln(x, 2), np.array([0.3, -1.0, 0.5]), grad=False)
    check_error(lambda lib: lib.special.multigammaln(lib.ones(2), 0), RuntimeError, 'p has to be')


def test_polygamma_and_aliases():
    for n in (0, 1, 2):
        check(lambda lib, x: lib.special.polygamma(n, x), (4,), low=0.5, high=3)
    check(lambda lib, x: lib.special.round(x), (5,), low=-3, high=3)
    check(lambda lib, x: lib.special.psi(x) + lib.special.expit(x), (5,), low=0.5, high=3)


def test_softmax_family():
    check(lambda lib, x: lib.special.softmax(x, 1), (3, 4))
    check(lambda lib, x: lib.special.log_softmax(x, 0, dtype=lib.float64), (3, 4))
    check(lambda lib, x: lib.special.logsumexp(x, 1, keepdim=True), (3, 4))
    check(lambda lib, x: lib.special.logsumexp(x, (0, 1)), (3, 4))


def test_out_argument():
    for lib in (torch, ember):
        out = lib.empty(3)
        r = lib.special.i0e(lib.tensor([0.0, 1.0, 2.0]), out=out)
        assert r is out
    check(lambda lib, x: lib.special.ndtr(x, out=lib.empty(4)), (4,), grad=False)


def test_top_level_and_methods():
    for name, fn in TOPLEVEL.items():
        assert hasattr(torch, name), name
    check(lambda lib, x: x.i0() + x.sinc() + x.xlogy(x) + x.logit(), (4,), low=0.1, high=0.9)
    check(lambda lib, x: x.logit(0.2), (4,), low=0.0, high=1.0)
    mods = {torch: torch, ember: TOPLEVEL}
    for lib in (torch, ember):
        f = mods[lib].__getitem__ if lib is ember else (lambda n: getattr(torch, n))
        x = lib.tensor([0.2, 0.5, 0.7])
        y = lib.tensor([0.2, 0.5, 0.7])
        f('sinc_')(x)
        y.sinc_()
        assert lib.equal(x, y)
        assert lib.allclose(f('logit')(lib.tensor([0.25]), 0.5), lib.tensor([0.0]))
    e, t = ember.tensor([0.5, 2.0]), torch.tensor([0.5, 2.0])
    e.xlogy_(ember.tensor([3.0, 4.0]))
    t.xlogy_(torch.tensor([3.0, 4.0]))
    assert_same(t, e)
    e, t = ember.tensor([0.5, 2.0]), torch.tensor([0.5, 2.0])
    assert_same(t.i0_(), e.i0_())


def test_inplace_keeps_autograd():
    def f(lib, x):
        y = x * 1
        y.logit_(0.1)
        return y
    check(f, (5,), low=0.0, high=1.0)


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
@pytest.mark.parametrize('name', ['erfcx', 'log_ndtr', 'ndtri', 'bessel_j0', 'modified_bessel_k0'])
def test_no_half_precision_kernel(name, dtype):
    check_error(lambda lib: getattr(lib.special, name)(lib.ones(2, dtype=getattr(lib, dtype))), NotImplementedError,
                name)
    check_error(lambda lib: lib.special.zeta(lib.ones(2, dtype=getattr(lib, dtype)), 2.0), NotImplementedError, 'zeta')
