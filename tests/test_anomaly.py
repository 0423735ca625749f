"""Anomaly detection, autograd.Variable and autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) vs torch."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same

LIBS = (torch, ember)


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    torch.autograd.set_detect_anomaly(False)
    ember.autograd.set_detect_anomaly(False)


# ---------------------------------------------------------------- anomaly mode
def _nan_backward(lib):
    x = lib.tensor([0., 1.], requires_grad=True)
    return x, (x.sqrt() * 0).sum()   # d sqrt at 0 is inf, times 0: SqrtBackward0 returns nan


@pytest.mark.parametrize('lib', LIBS, ids=['torch', 'ember'])
def test_detect_anomaly_raises_on_nan(lib):
    x, y = _nan_backward(lib)
    with pytest.warns(UserWarning, match='Anomaly Detection has been enabled'):
        ctx = lib.autograd.detect_anomaly()
    with ctx:
        assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        with pytest.warns(UserWarning, match='Error detected in SqrtBackward0'):
            with pytest.raises(RuntimeError, match=r"^Function 'SqrtBackward0' returned nan values in its 0th "
                                                   r"output\.$"):
                y.backward()
    assert not lib.is_anomaly_enabled()


@pytest.mark.parametrize('lib', LIBS, ids=['torch', 'ember'])
def test_anomaly_output_index_and_grad(lib):
    """The index is the input's position: a NaN constant times b gives MulBackward0's 1th output."""
    a = lib.tensor([float('nan'), 1.])
    b = lib.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with lib.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="Function 'MulBackward0' returned nan values in its 1th output."):
                (a * b).sum().backward()
            with pytest.raises(RuntimeError, match="Function 'MulBackward0' returned nan values in its 1th output."):
                lib.autograd.grad((a * b).sum(), b, create_graph=True)
            c = lib.tensor([3., 4.], requires_grad=True)
            (b * c).sum().backward()   # finite gradients pass through untouched
    assert b.grad.tolist() == [3., 4.]


@pytest.mark.parametrize('lib', LIBS, ids=['torch', 'ember'])
def test_anomaly_check_nan_false_and_off(lib):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with lib.autograd.detect_anomaly(check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
            x, y = _nan_backward(lib)
            y.backward()
    assert np.isnan(x.grad.tolist()[0])
    x, y = _nan_backward(lib)
    y.backward()   # off: no check
    assert lib.is_anomaly_check_nan_enabled()


@pytest.mark.parametrize('lib', LIBS, ids=['torch', 'ember'])
def test_set_detect_anomaly(lib):
    lib.autograd.set_detect_anomaly(True)   # as a function
    assert lib.is_anomaly_enabled()
    x, y = _nan_backward(lib)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(RuntimeError, match='SqrtBackward0'):
            y.backward()
    with lib.autograd.set_detect_anomaly(False, check_nan=False):   # as a context manager: restores after
        assert not lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
    assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
    lib.autograd.set_detect_anomaly(False)
    assert not lib.is_anomaly_enabled()
    lib.set_anomaly_enabled(True, False)
    assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
    lib.set_anomaly_enabled(False)
    assert lib.is_anomaly_check_nan_enabled()


# ---------------------------------------------------------------- Variable
@pytest.mark.parametrize('lib', LIBS, ids=['torch', 'ember'])
def test_variable(lib):
    t = lib.ones(2)
    v = lib.autograd.Variable(t, requires_grad=True)
    assert type(v) is lib.Tensor and v is not t and v.requires_grad and not t.requires_grad
    with lib.no_grad():
        v.add_(1)
    assert t.tolist() == [2., 2.]   # shares t's data
    h = lib.ones(2, requires_grad=True) * 2
    w = lib.autograd.Variable(h)
    assert w.grad_fn is None and not w.requires_grad
    assert isinstance(t, lib.autograd.Variable) and not isinstance([1], lib.autograd.Variable)
    assert tuple(lib.autograd.Variable().shape) == (0,)
    with pytest.warns(UserWarning, match='volatile was removed'):
        lib.autograd.Variable(t, volatile=True)
    with pytest.raises(TypeError, match='Variable data has to be a tensor, but got list'):
        lib.autograd.Variable([1, 2])
    with pytest.raises(RuntimeError, match=r'torch.autograd.variable\(...\) is deprecated'):
        lib.autograd.variable(t)


# ---------------------------------------------------------------- autograd.functional
def _inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrs = [rng.standard_normal(s) for s in shapes]
    return tuple(torch.tensor(a) for a in arrs), tuple(ember.tensor(a) for a in arrs)


def f_single(lib):
    return lambda x: (x.exp() * x.sin()).sum(0)


def f_multi(lib):
    return lambda x, y: ((x @ y).tanh(), (x ** 2).sum() * y)


def f_scalar(lib):
    return lambda x, y: (x.exp() * y.sin()).sum() + (x[0] * y).prod()


def test_vjp_jvp():
    (tx,), (ex,) = _inputs((3, 4))
    (tv,), (ev,) = _inputs((4,), seed=1)
    (tu,), (eu,) = _inputs((3, 4), seed=2)
    assert_same(torch.autograd.functional.vjp(f_single(torch), tx, tv),
                ember.autograd.functional.vjp(f_single(ember), ex, ev))
    assert_same(torch.autograd.functional.jvp(f_single(torch), tx, tu),
                ember.autograd.functional.jvp(f_single(ember), ex, eu))
    tin, ein = _inputs((2, 3), (3, 2), seed=3)
    tvo, evo = _inputs((2, 2), (3, 2), seed=4)
    assert_same(torch.autograd.functional.vjp(f_multi(torch), tin, tvo),
                ember.autograd.functional.vjp(f_multi(ember), ein, evo))
    tvi, evi = _inputs((2, 3), (3, 2), seed=5)
    assert_same(torch.autograd.functional.jvp(f_multi(torch), tin, tvi),
                ember.autograd.functional.jvp(f_multi(ember), ein, evi))
    # v may be left out for a one-element output (vjp) or input (jvp)
    (ts,), (es,) = _inputs((1,), seed=6)
    assert_same(torch.autograd.functional.vjp(lambda x: x.exp().sum(), ts),
                ember.autograd.functional.vjp(lambda x: x.exp().sum(), es))
    assert_same(torch.autograd.functional.jvp(lambda x: x * x.exp(), ts),
                ember.autograd.functional.jvp(lambda x: x * x.exp(), es))


def test_jacobian_hessian():
    (tx,), (ex,) = _inputs((3, 4))
    assert_same(torch.autograd.functional.jacobian(f_single(torch), tx),
                ember.autograd.functional.jacobian(f_single(ember), ex))
    tin, ein = _inputs((2, 3), (3, 2), seed=3)
    tj, ej = torch.autograd.functional.jacobian(f_multi(torch), tin), ember.autograd.functional.jacobian(
        f_multi(ember), ein)
    assert_same(tj, ej)
    assert not ej[0][0].requires_grad
    tin, ein = _inputs((3,), (3,), seed=7)
    assert_same(torch.autograd.functional.hessian(f_scalar(torch), tin),
                ember.autograd.functional.hessian(f_scalar(ember), ein))
    assert_same(torch.autograd.functional.hessian(f_scalar(torch), tin[:1] + (torch.ones(3, dtype=torch.float64),)),
                ember.autograd.functional.hessian(f_scalar(ember), ein[:1] + (ember.ones(3, dtype=ember.float64),)))
    (tx,), (ex,) = _inputs((2, 2), seed=8)
    sq = lambda x: (x ** 3).sum()
    assert_same(torch.autograd.functional.hessian(sq, tx), ember.autograd.functional.hessian(sq, ex))


def test_vhp_hvp():
    tin, ein = _inputs((3,), (3,), seed=7)
    tv, ev = _inputs((3,), (3,), seed=9)
    for name in ('vhp', 'hvp'):
        assert_same(getattr(torch.autograd.functional, name)(f_scalar(torch), tin, tv),
                    getattr(ember.autograd.functional, name)(f_scalar(ember), ein, ev))


def test_create_graph_and_independent_inputs():
    """create_graph keeps the result differentiable with respect to the inputs; an input the output does not
    depend on gets zeros (or an error in strict mode)."""
    res = {}
    for lib in LIBS:
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        z = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        jac = lib.autograd.functional.jacobian(lambda a, b: a.sin() * 2, (x, z), create_graph=True)
        assert jac[1].abs().sum().item() == 0
        jac[0].sum().backward()
        _, jv = lib.autograd.functional.jvp(lambda a: a ** 3, x, lib.ones(3, dtype=lib.float64), create_graph=True)
        assert jv.requires_grad
        with pytest.raises(RuntimeError, match='independent of input 1'):
            lib.autograd.functional.jacobian(lambda a, b: a.sin(), (x, z), strict=True)
        with pytest.raises(RuntimeError, match='independent of input 1'):
            lib.autograd.functional.vjp(lambda a, b: a.sum(), (x, z), strict=True)
        res[lib.__name__] = x.grad
    assert_same(res['torch'], res['ember'])


def test_functional_errors():
    for lib in LIBS:
        F = lib.autograd.functional
        x = lib.ones(3)
        with pytest.raises(TypeError, match='must be either a Tensor or a tuple of Tensors'):
            F.jacobian(lambda a: a, [1.0])
        with pytest.raises(RuntimeError, match='The vector v can only be None if the user-provided function'):
            F.vjp(lambda a: a * 2, x)
        with pytest.raises(RuntimeError, match=r'v has invalid size: should be torch.Size\(\[3\]\)'):
            F.vjp(lambda a: a * 2, x, lib.ones(2))
        with pytest.raises(RuntimeError, match='The vector v can only be None if the input'):
            F.jvp(lambda a: a * 2, x)
        with pytest.raises(RuntimeError, match='should return a single Tensor'):
            F.hessian(lambda a: (a.sum(), a.sum()), x)
        with pytest.raises(RuntimeError, match='should contain a single element'):
            F.hessian(lambda a: a * 2, x)
        with pytest.raises(RuntimeError, match='does not require gradients'):
            F.vjp(lambda a: lib.ones(1), x, strict=True)
        with pytest.raises(RuntimeError, match='`strict=True` and `vectorized=True` are not supported together'):
            F.jacobian(lambda a: a, x, strict=True, vectorize=True)
    with pytest.raises(NotImplementedError, match='vectorize=False'):
        ember.autograd.functional.jacobian(lambda a: a, ember.ones(2), vectorize=True)
