"""nn.functional activations and the activation modules, against torch."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

# (name, extra args, kwargs): each is run as F.name(x, *args, **kwargs) in both libraries
POINTWISE = [
    ('relu', (), {}), ('relu6', (), {}), ('leaky_relu', (), {}), ('leaky_relu', (0.2,), {}),
    ('elu', (), {}), ('elu', (0.5,), {}), ('selu', (), {}), ('celu', (), {}), ('celu', (2.0,), {}),
    ('gelu', (), {}), ('gelu', (), {'approximate': 'tanh'}), ('silu', (), {}), ('mish', (), {}),
    ('softplus', (), {}), ('softplus', (2.0, 1.0), {}), ('softsign', (), {}), ('hardtanh', (), {}),
    ('hardtanh', (-0.5, 1.5), {}), ('hardswish', (), {}), ('hardsigmoid', (), {}), ('sigmoid', (), {}),
    ('tanh', (), {}), ('tanhshrink', (), {}), ('threshold', (0.3, -2.0), {}), ('logsigmoid', (), {}),
    ('softshrink', (), {}), ('softshrink', (1.0,), {}), ('hardshrink', (), {}), ('hardshrink', (1.2,), {}),
]
GRADGRAD = {'gelu', 'elu', 'silu', 'mish', 'softplus', 'logsigmoid', 'leaky_relu'}


@pytest.mark.parametrize('name,args,kwargs', POINTWISE, ids=[f"{p[0]}{i}" for i, p in enumerate(POINTWISE)])
def test_pointwise_matches_torch(name, args, kwargs):
    # values away from the kinks (+-3, 0, thresholds) so finite differences are well defined
    rng = np.random.default_rng(1)
    x = rng.uniform(-4, 4, (3, 7))
    x = np.where(np.abs(np.abs(x) - 3) < 0.05, x + 0.2, x)
    x = np.where(np.abs(x) < 0.05, x + 0.1, x)
    for k in (0.3, 0.5, 1.0, 1.2, 1.5):
        x = np.where(np.abs(np.abs(x) - k) < 0.02, x + 0.05, x)
    fn = lambda lib, t: getattr(lib.nn.functional, name)(t, *args, **kwargs)
    check(fn, x, gradgrad=name in GRADGRAD)   # float64 arrays: gradcheck needs them


@pytest.mark.parametrize('dtype', ['float32', 'float16'])
def test_pointwise_dtypes(dtype):
    x = np.linspace(-5, 5, 21).astype(dtype)
    for name, args, kwargs in POINTWISE:
        t = getattr(torch.nn.functional, name)(torch.from_numpy(x), *args, **kwargs)
        e = getattr(ember.nn.functional, name)(ember.from_numpy(x), *args, **kwargs)
        tol = 2e-3 if dtype == 'float16' else 1e-6
        assert_same(t, e, atol=tol, rtol=tol, what=name)


def test_extreme_values_stable():
    x = np.array([-1000., -50., -20., 0., 20., 50., 1000.], np.float32)
    for name in ('softplus', 'logsigmoid', 'silu', 'mish', 'elu', 'selu', 'celu', 'gelu', 'sigmoid'):
        check(lambda lib, t: getattr(lib.nn.functional, name)(t), x, gradcheck=False)


def test_integer_inputs():
    i = np.arange(-3, 4)
    for name in ('relu', 'relu6', 'hardtanh', 'softsign', 'tanhshrink', 'sigmoid'):
        check(lambda lib, t: getattr(lib.nn.functional, name)(t), i, grad=False)
    check(lambda lib, t: lib.nn.functional.threshold(t, 1, 5), i, grad=False)
    for name in ('leaky_relu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'softplus', 'hardswish',
                 'hardsigmoid', 'logsigmoid', 'softshrink', 'hardshrink', 'rrelu'):
        check_error(lambda lib: getattr(lib.nn.functional, name)(lib.arange(-3, 3)), NotImplementedError,
                    'not implemented for')
    check_error(lambda lib: lib.nn.functional.relu(lib.tensor([True])), RuntimeError, 'Boolean')


def test_inplace_forms():
    x = np.random.default_rng(0).standard_normal((4, 5))
    for name, args in (('relu_', ()), ('leaky_relu_', (0.1,)), ('elu_', ()), ('selu_', ()), ('celu_', ()),
                       ('hardtanh_', ()), ('threshold_', (0.1, 2.0)), ('rrelu_', ())):
        def fn(lib, t):
            y = t * 1
            out = getattr(lib.nn.functional, name)(y, *args)
            assert out is y
            return y
        check(fn, x)
    for name in ('relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'celu', 'silu', 'mish', 'hardtanh', 'hardswish',
                 'hardsigmoid'):
        def fn(lib, t):
            y = t * 1
            out = getattr(lib.nn.functional, name)(y, inplace=True)
            assert out is y
            return y
        check(fn, x, gradcheck=False)


def test_tensor_methods_and_torch_names():
    x = np.random.default_rng(0).standard_normal((3, 4))
    check(lambda lib, t: t.relu() + t.softmax(1) + t.log_softmax(0) + t.softmax(-1, dtype=lib.float64), x)
    check(lambda lib, t: lib.softmax(t, 1) * lib.log_softmax(t, dim=0) + lib.relu(t) + lib.selu(t), x)
    check(lambda lib, t: t.hardshrink(0.3) + lib.celu(t, 0.5), x, gradcheck=False)


def test_prelu():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 4)), rng.uniform(0.1, 0.5, 3)
    check(lambda lib, a, b: lib.nn.functional.prelu(a, b), x, w)
    check(lambda lib, a, b: lib.nn.functional.prelu(a, b), x, np.array([0.25]))
    check(lambda lib, a, b: lib.nn.functional.prelu(a, b), np.array(0.7), np.array([0.25]))
    check_error(lambda lib: lib.nn.functional.prelu(lib.randn(2, 4), lib.randn(3)), RuntimeError,
                'Found parameter numbers = 3 and channel size = 4')
    check_error(lambda lib: lib.nn.functional.prelu(lib.randn(4), lib.randn(4)), RuntimeError, 'channel size = 1')
    check_error(lambda lib: lib.nn.functional.prelu(lib.randn(3, 4), lib.randn(1, 4)), RuntimeError, 'ndim = 2')


def test_rrelu():
    x = np.linspace(-3, 3, 40).reshape(5, 8)
    check(lambda lib, t: lib.nn.functional.rrelu(t), x)     # eval: the mean slope
    e = ember.from_numpy(x).requires_grad_(True)
    ember.manual_seed(3)
    y = ember.nn.functional.rrelu(e, 0.1, 0.3, training=True)
    ember.manual_seed(3)
    y2 = ember.nn.functional.rrelu(e, 0.1, 0.3, training=True)
    assert np.array_equal(y.detach().numpy(), y2.detach().numpy())   # seeded: repeats
    slope = y.detach().numpy()[x < 0] / x[x < 0]
    assert (slope >= 0.1).all() and (slope <= 0.3).all() and slope.std() > 0.01
    assert np.array_equal(y.detach().numpy()[x >= 0], x[x >= 0])
    y.sum().backward()   # the gradient is the slope drawn for each element
    np.testing.assert_allclose(e.grad.numpy(), np.where(x >= 0, 1, y.detach().numpy() / np.where(x == 0, 1, x)))


def test_glu():
    check(lambda lib, t: lib.nn.functional.glu(t), (3, 4))
    check(lambda lib, t: lib.nn.functional.glu(t, 0), (4, 3))
    check_error(lambda lib: lib.nn.functional.glu(lib.randn(3, 3), 1), RuntimeError,
                'Halving dimension must be even, but dimension 1 is size 3')
    check_error(lambda lib: lib.nn.functional.glu(lib.tensor(1.0), 0), RuntimeError, 'scalars')


def test_argument_errors():
    check_error(lambda lib: lib.nn.functional.hardtanh(lib.randn(3), 2.0, 1.0), ValueError, 'min_val')
    check_error(lambda lib: lib.nn.functional.gelu(lib.randn(3), approximate='foo'), RuntimeError, 'approximate')
    check_error(lambda lib: lib.nn.functional.softshrink(lib.randn(3), -1.0), RuntimeError, 'lambda must be')
    check_error(lambda lib: lib.nn.functional.softmax(lib.randn(2, 3), 2), IndexError, 'Dimension out of range')
    check_error(lambda lib: lib.nn.functional.softmax(lib.arange(3), 0), NotImplementedError, 'not implemented')


@pytest.mark.parametrize('fn', ['softmax', 'log_softmax', 'softmin'])
def test_softmax_family(fn):
    for shape, dim in (((4, 5), 1), ((4, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), -1), ((6,), 0)):
        check(lambda lib, t: getattr(lib.nn.functional, fn)(t, dim), shape, gradgrad=fn != 'softmin', low=-3, high=3)
    check(lambda lib, t: getattr(lib.nn.functional, fn)(t, 0), np.array(1.5))
    check(lambda lib, t: getattr(lib.nn.functional, fn)(t, 1, dtype=lib.float64), (3, 4))
    check(lambda lib, t: getattr(lib.nn.functional, fn)(t, 0, dtype=lib.float32), np.arange(4), grad=False)


def test_softmax_stable_and_implicit_dim_warning():
    x = np.array([[1000., 1001., 999.], [-1000., -1001., -1e4]], np.float32)
    check(lambda lib, t: lib.nn.functional.softmax(t, 1), x, gradcheck=False)
    check(lambda lib, t: lib.nn.functional.log_softmax(t, 1), x, gradcheck=False)
    for ndim, name in ((2, 'softmax'), (3, 'log_softmax'), (4, 'softmin')):
        x = np.random.default_rng(0).standard_normal((2,) * ndim).astype(np.float32)
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}") as wt:
            t = getattr(torch.nn.functional, name)(torch.from_numpy(x))
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}") as we:
            e = getattr(ember.nn.functional, name)(ember.from_numpy(x))
        assert_same(t, e)
        assert we[0].filename == __file__ and wt[0].filename == __file__


def test_gumbel_softmax():
    ember.manual_seed(0)
    logits = ember.tensor([[0.0, 3.0, -1.0]] * 2000, requires_grad=True)
    y = ember.nn.functional.gumbel_softmax(logits, tau=0.5)
    assert y.shape == (2000, 3)
    np.testing.assert_allclose(y.sum(1).detach().numpy(), 1, atol=1e-5)
    h = ember.nn.functional.gumbel_softmax(logits, hard=True)
    hv = h.detach().numpy()
    assert set(np.unique(hv)) <= {0.0, 1.0} and (hv.sum(1) == 1).all()
    # argmax of logits + Gumbel noise is a sample of softmax(logits)
    p = torch.softmax(torch.tensor([0.0, 3.0, -1.0]), 0).numpy()
    np.testing.assert_allclose(hv.mean(0), p, atol=0.03)
    (h * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    ember.manual_seed(5)
    a = ember.nn.functional.gumbel_softmax(logits)
    ember.manual_seed(5)
    b = ember.nn.functional.gumbel_softmax(logits)
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())


# --- modules ------------------------------------------------------------------------------------------
MODULES = [
    ('ReLU', (), {}), ('ReLU6', (), {}), ('LeakyReLU', (0.2,), {}), ('RReLU', (0.1, 0.3), {}), ('ELU', (0.7,), {}),
    ('SELU', (), {}), ('CELU', (1.5,), {}), ('GELU', (), {'approximate': 'tanh'}), ('GELU', (), {}), ('SiLU', (), {}),
    ('Mish', (), {}), ('Softplus', (2, 10), {}), ('Softsign', (), {}), ('Hardtanh', (-2.0, 2.0), {}),
    ('Hardswish', (), {}), ('Hardsigmoid', (), {}), ('Sigmoid', (), {}), ('Tanh', (), {}), ('Tanhshrink', (), {}),
    ('Threshold', (0.1, 20.0), {}), ('LogSigmoid', (), {}), ('Softshrink', (0.3,), {}), ('Hardshrink', (0.3,), {}),
    ('Softmax', (1,), {}), ('LogSoftmax', (1,), {}), ('Softmin', (1,), {}), ('Softmax2d', (), {}), ('GLU', (1,), {}),
    ('Softmax', (), {'dim': -1}), ('ReLU', (True,), {}), ('ELU', (), {'inplace': True}),
]


@pytest.mark.parametrize('name,args,kwargs', MODULES, ids=[f"{m[0]}{i}" for i, m in enumerate(MODULES)])
def test_modules_match_torch(name, args, kwargs):
    tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(ember.nn, name)(*args, **kwargs)
    assert repr(em) == repr(tm)
    tm.eval()
    em.eval()
    x = np.random.default_rng(2).standard_normal((2, 4, 3, 3)).astype(np.float32)
    check(lambda lib, t: (tm if lib is torch else em)(t * 1), x, gradcheck=False)


def test_prelu_module():
    tm, em = torch.nn.PReLU(3, init=0.1), ember.nn.PReLU(3, init=0.1)
    assert repr(em) == repr(tm) == 'PReLU(num_parameters=3)'
    assert [n for n, _ in em.named_parameters()] == ['weight']
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32)
    tx, ex = torch.from_numpy(x), ember.from_numpy(x)
    t, e = tm(tx), em(ex)
    assert_same(t, e)
    g = np.random.default_rng(1).standard_normal(t.shape).astype(np.float32)
    t.backward(torch.from_numpy(g))
    e.backward(ember.from_numpy(g))
    assert_same(tm.weight.grad, em.weight.grad, atol=1e-4)
    assert_same(torch.nn.PReLU()(tx), ember.nn.PReLU()(ex))


def test_module_train_eval_rrelu():
    m = ember.nn.RReLU()
    x = ember.full((100,), -1.0)
    y = m(x)
    assert y.detach().numpy().std() > 0   # training: random slopes
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -(1 / 8 + 1 / 3) / 2, rtol=1e-6)


def test_module_reprs():
    pairs = [('Softmax', ()), ('Softmin', (0,)), ('LogSoftmax', (2,)), ('Threshold', (0.5, 1.0, True)),
             ('Hardtanh', (0.0, 6.0)), ('ReLU6', (True,)), ('LeakyReLU', (0.01, True)), ('Softplus', ()),
             ('CELU', (1.0, True)), ('GLU', ()), ('Softshrink', ()), ('Hardshrink', ()), ('SiLU', (True,)),
             ('Mish', (True,)), ('Hardswish', (True,)), ('Hardsigmoid', (True,)), ('RReLU', (0.1, 0.2, True)),
             ('SELU', (True,)), ('ELU', (2.0,)), ('GELU', ())]
    for name, args in pairs:
        assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args)), name


def test_softmax_module_without_dim_warns_like_torch():
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        t = torch.nn.Softmax()(torch.from_numpy(x))
        e = ember.nn.Softmax()(ember.from_numpy(x))
    assert_same(t, e)
    assert len(w) == 2 and all('Implicit dimension' in str(m.message) for m in w)
