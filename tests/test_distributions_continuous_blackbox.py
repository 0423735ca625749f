"""ember.distributions' continuous distributions against torch run as a black box: edge-case moments,
Gamma's cdf, parameter reprs and attribute dtypes, expand on every class, validation errors, behaviour with
validation off, float32 results, sample shapes, seeding, exponential-family hooks and gradchecks."""
import numpy as np
import pytest
import torch
import ember
from ember.autograd import gradcheck, gradgradcheck

TD, ED = torch.distributions, ember.distributions
rng = np.random.default_rng(42)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


def _both(build):
    return build(torch), build(ember)


def _close(e, t, rtol=1e-10, atol=1e-12):
    assert tuple(e.shape) == tuple(t.shape)
    assert repr(e.dtype) == repr(t.dtype)
    np.testing.assert_allclose(_np(e), _np(t), rtol=rtol, atol=atol, equal_nan=True)


def _err(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value), str(info.value)


# --- moments at the edges -----------------------------------------------------------------------------
def test_studentt_mean_variance_edges_and_gradients():
    df = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 7.0])
    outs = []
    for lib in (torch, ember):
        d_, s_ = lib.tensor(df, requires_grad=True), lib.tensor(np.full(6, 1.7), requires_grad=True)
        loc = lib.tensor(rng.normal(size=6) if lib is torch else outs[0][3], requires_grad=True)
        d = lib.distributions.StudentT(d_, loc, s_)
        m, v = d.mean, d.variance
        (m.nan_to_num(posinf=0.0) * 2 + v.nan_to_num(posinf=0.0)).sum().backward()
        outs.append((m, v, [d_.grad, s_.grad, loc.grad], loc.detach().numpy() if lib is torch else None))
    (mt, vt, gt, _), (me, ve, ge, _) = outs
    _close(me, mt)
    _close(ve, vt)
    for a, b in zip(ge, gt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('conc', [[[0.5, 0.7, 2.0], [2.0, 3.0, 4.0]], [[0.3, 0.9, 0.2]], [[1.0, 1.0, 0.5]]])
def test_dirichlet_and_beta_modes(conc):
    t, e = _both(lambda L: L.distributions.Dirichlet(L.tensor(conc, dtype=L.float64)))
    _close(e.mode, t.mode)
    for c1, c0 in [(0.5, 0.5), (0.5, 2.0), (3.0, 0.4), (2.0, 5.0)]:
        t, e = _both(lambda L: L.distributions.Beta(L.tensor([c1]), L.tensor([c0])))
        _close(e.mode, t.mode)


def test_uniform_mode_and_lognormal_moments():
    t, e = _both(lambda L: L.distributions.Uniform(L.tensor([0.5, 2.0]), 3.0))
    _close(e.mode, t.mode)
    _close(e.stddev, t.stddev)
    loc, scale = rng.normal(size=4), rng.uniform(0.2, 1.0, 4)
    t, e = _both(lambda L: L.distributions.LogNormal(L.tensor(loc), L.tensor(scale)))
    for name in ('mean', 'mode', 'variance', 'stddev'):
        _close(getattr(e, name), getattr(t, name))
    _close(e.entropy(), t.entropy())


# --- cdf / icdf ---------------------------------------------------------------------------------------
def test_gamma_cdf_values_and_gradient():
    a, b, x = rng.uniform(0.3, 4, 5), rng.uniform(0.5, 2, 5), rng.uniform(0.01, 5, 5)
    res = []
    for lib in (torch, ember):
        rate, v = lib.tensor(b, requires_grad=True), lib.tensor(x, requires_grad=True)
        c = lib.distributions.Gamma(lib.tensor(a), rate).cdf(v)
        c.sum().backward()
        res.append((c, rate.grad, v.grad))
    for e, t in zip(res[1], res[0]):
        _close(e, t, rtol=1e-9)
    for lib in (torch, ember):
        with pytest.raises(NotImplementedError):
            lib.distributions.Gamma(lib.tensor([1.0]), 1.0).icdf(lib.tensor([0.5]))


def test_lognormal_cdf_icdf_and_uniform_outside_support():
    loc, scale = rng.normal(size=3), rng.uniform(0.2, 1.0, 3)
    t, e = _both(lambda L: L.distributions.LogNormal(L.tensor(loc), L.tensor(scale)))
    x, u = rng.uniform(0.1, 4, 3), rng.uniform(0.05, 0.95, 3)
    _close(e.cdf(ember.tensor(x)), t.cdf(torch.tensor(x)))
    _close(e.icdf(ember.tensor(u)), t.icdf(torch.tensor(u)))
    t, e = _both(lambda L: L.distributions.Uniform(L.tensor([0.0, 0.0, 0.0]), 1.0, validate_args=False))
    v = np.array([-0.5, 0.0, 1.0])
    _close(e.log_prob(ember.tensor(v)), t.log_prob(torch.tensor(v)))
    _close(e.cdf(ember.tensor(v)), t.cdf(torch.tensor(v)))
    t, e = _both(lambda L: L.distributions.Exponential(L.tensor([2.0, 0.5]), validate_args=False))
    _close(e.log_prob(ember.tensor([-1.0, 3.0])), t.log_prob(torch.tensor([-1.0, 3.0])))


def test_float32_results_match():
    specs = [('Normal', (0.3, 1.7)), ('Laplace', (0.3, 1.7)), ('Exponential', (1.3,)), ('Gamma', (2.2, 1.3)),
             ('Uniform', (-1.0, 2.5)), ('LogNormal', (0.2, 0.6)), ('StudentT', (3.5, 0.1, 1.2))]
    x = np.array([0.25, 0.75, 1.5], dtype=np.float32)
    for name, args in specs:
        t = getattr(TD, name)(*[torch.tensor([a] * 3) for a in args])
        e = getattr(ED, name)(*[ember.tensor([a] * 3) for a in args])
        _close(e.log_prob(ember.tensor(x)), t.log_prob(torch.tensor(x)), rtol=2e-6, atol=1e-6)
        _close(e.entropy(), t.entropy(), rtol=2e-6, atol=1e-6)
        if name not in ('StudentT', 'Gamma'):
            _close(e.cdf(ember.tensor(x)), t.cdf(torch.tensor(x)), rtol=2e-6, atol=1e-6)
            _close(e.icdf(ember.tensor(x / 2)), t.icdf(torch.tensor(x / 2)), rtol=2e-6, atol=1e-6)


# --- construction, reprs, attributes --------------------------------------------------------------------
@pytest.mark.parametrize('build', [
    lambda L: L.distributions.LogNormal(L.zeros(2), 1.0),
    lambda L: L.distributions.LogNormal(0.0, 1.0),
    lambda L: L.distributions.Beta(L.ones(2), 1.0),
    lambda L: L.distributions.Beta(1.0, 2.0),
    lambda L: L.distributions.StudentT(L.ones(2)),
    lambda L: L.distributions.StudentT(3.0, 1.0, 2.0),
    lambda L: L.distributions.Uniform(L.zeros(2), 2.0),
    lambda L: L.distributions.Uniform(0.0, 2.0),
    lambda L: L.distributions.Dirichlet(L.ones(2, 3)),
    lambda L: L.distributions.Gamma(2.0, L.ones(3, dtype=L.float64)),
    lambda L: L.distributions.Exponential(3.0),
    lambda L: L.distributions.Laplace(L.zeros(1), 2.0),
])
def test_repr_shapes_and_parameters(build):
    t, e = _both(build)
    assert repr(e) == repr(t)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
    assert {k: repr(v) for k, v in e.arg_constraints.items()} == {k: repr(v) for k, v in t.arg_constraints.items()}
    assert repr(e.support) == repr(t.support)
    for name in t.arg_constraints:
        _close(getattr(e, name), getattr(t, name))


@pytest.mark.parametrize('build', [
    lambda L: L.distributions.LogNormal(L.tensor([0.1, 0.2]), 1.0),
    lambda L: L.distributions.Beta(L.tensor([1.5, 2.0]), 3.0),
    lambda L: L.distributions.StudentT(L.tensor([3.0, 4.0]), 0.5, 2.0),
    lambda L: L.distributions.Uniform(L.tensor([0.0, -1.0]), 2.0),
    lambda L: L.distributions.Laplace(L.tensor([0.0, -1.0]), 2.0),
    lambda L: L.distributions.Exponential(L.tensor([1.0, 3.0])),
    lambda L: L.distributions.Dirichlet(L.tensor([[1.0, 2.0, 3.0]])),
])
def test_expand(build):
    t, e = _both(build)
    et, ee = t.expand((3,) + tuple(t.batch_shape)), e.expand((3,) + tuple(e.batch_shape))
    assert type(ee) is type(e) and repr(ee) == repr(et)
    assert tuple(ee.batch_shape) == tuple(et.batch_shape) and tuple(ee.event_shape) == tuple(et.event_shape)
    assert ee._validate_args == et._validate_args
    v = et.sample((2,))
    _close(ee.log_prob(ember.tensor(v.numpy())), et.log_prob(v), rtol=1e-5, atol=1e-6)   # float32
    _close(ee.entropy(), et.entropy(), rtol=1e-5, atol=1e-6)
    assert tuple(ee.rsample((2,)).shape) == tuple(et.rsample((2,)).shape)


@pytest.mark.parametrize('fn', [
    lambda L: L.distributions.LogNormal(L.zeros(2), -1.0),
    lambda L: L.distributions.LogNormal(L.zeros(2), 1.0).log_prob(L.tensor([-1.0, 1.0])),
    lambda L: L.distributions.LogNormal(L.zeros(2), 1.0).log_prob(0.5),
    lambda L: L.distributions.Beta(L.ones(2), -1.0),
    lambda L: L.distributions.Beta(L.ones(2), 2.0).log_prob(L.tensor([0.5, 1.5])),
    lambda L: L.distributions.Uniform(L.tensor([1.0, float('nan')]), 2.0),
    lambda L: L.distributions.Uniform(1.0, 1.0),
    lambda L: L.distributions.Uniform(L.tensor([2.0, 1.0]), L.tensor([1.0, 3.0])),
    lambda L: L.distributions.Uniform(0.0, 1.0).log_prob(L.tensor(2.0)),
    lambda L: L.distributions.Uniform(0.0, 1.0).cdf(L.tensor(-2.0)),
    lambda L: L.distributions.Dirichlet(L.tensor([1.0, -1.0])),
    lambda L: L.distributions.Dirichlet(1.0),
    lambda L: L.distributions.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.6, 0.1])),
    lambda L: L.distributions.StudentT(L.tensor([1.0, 2.0]), 0.0, -1.0),
    lambda L: L.distributions.StudentT(L.tensor([-1.0, 2.0])),
    lambda L: L.distributions.Gamma(L.tensor([1.0]), 1.0).log_prob(L.tensor([-1.0])),
    lambda L: L.distributions.Gamma(L.tensor([1.0]), 1.0).cdf(L.tensor([-1.0])),
    lambda L: L.distributions.Exponential(L.tensor([-1.0])),
    lambda L: L.distributions.Exponential(L.tensor([1.0])).cdf(L.tensor([-1.0])),
    lambda L: L.distributions.Laplace(0.0, L.tensor([0.0])),
    lambda L: L.distributions.Laplace(0.0, 1.0).cdf(L.tensor([float('nan')])),
    lambda L: L.distributions.Normal(L.zeros(2, 3), 1.0).cdf(L.zeros(4)),
])
def test_errors_match_torch(fn):
    te, tm = _err(fn, torch)
    ee, em = _err(fn, ember)
    assert ee is te, (ee, te)
    assert em == tm


# --- sampling ---------------------------------------------------------------------------------------------
SAMPLERS = [
    lambda L: L.distributions.Normal(L.zeros(2, dtype=L.float64), 1.0),
    lambda L: L.distributions.LogNormal(L.zeros(2), 0.5),
    lambda L: L.distributions.Uniform(L.zeros(2), 3.0),
    lambda L: L.distributions.Laplace(L.zeros(2), 1.0),
    lambda L: L.distributions.Exponential(L.ones(2, dtype=L.float64)),
    lambda L: L.distributions.Gamma(L.tensor([0.2, 3.0]), 2.0),
    lambda L: L.distributions.Beta(L.tensor([0.2, 3.0]), 0.5),
    lambda L: L.distributions.Dirichlet(L.tensor([[0.2, 3.0, 1.0]])),
    lambda L: L.distributions.StudentT(L.tensor([1.5, 30.0])),
    lambda L: L.distributions.Beta(2.0, 3.0),
]


@pytest.mark.parametrize('build', SAMPLERS)
def test_sample_shape_dtype_support_and_seeding(build):
    t, e = _both(build)
    for shape in [(), (4,), (2, 3)]:
        st, se, rt = t.sample(shape), e.sample(shape), t.rsample(shape)
        re_ = e.rsample(shape)
        for a, b in ((se, st), (re_, rt)):
            assert tuple(a.shape) == tuple(b.shape) and repr(a.dtype) == repr(b.dtype)
        assert se.grad_fn is None
    ember.manual_seed(3)
    a = e.sample((500,))
    ember.manual_seed(3)
    b = e.sample((500,))
    assert np.array_equal(a._data, b._data)
    assert bool(e.support.check(a).all())


def test_rsample_gradients_of_studentt_and_lognormal():
    ember.manual_seed(0)
    loc = ember.tensor([0.3, -0.2], dtype=ember.float64, requires_grad=True)
    scale = ember.tensor([1.5, 0.5], dtype=ember.float64, requires_grad=True)
    y = ED.LogNormal(loc, scale).rsample((50,))
    y.sum().backward()
    z = (np.log(y._data) - loc._data) / scale._data
    np.testing.assert_allclose(loc.grad._data, y._data.sum(0), rtol=1e-10)
    np.testing.assert_allclose(scale.grad._data, (y._data * z).sum(0), rtol=1e-10)
    loc.grad = scale.grad = None
    df = ember.tensor([4.0, 9.0], dtype=ember.float64)
    x = ED.StudentT(df, loc, scale).rsample((50,))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad._data, [50.0, 50.0])
    np.testing.assert_allclose(scale.grad._data, ((x._data - loc._data) / scale._data).sum(0), rtol=1e-10)
    # df's gradient flows through the chi-square draw's implicit gradient
    df2 = ember.tensor([4.0], dtype=ember.float64, requires_grad=True)
    ED.StudentT(df2).rsample((20,)).pow(2).sum().backward()
    assert df2.grad is not None and np.isfinite(df2.grad._data).all()


# --- exponential-family hooks and gradchecks -------------------------------------------------------------
@pytest.mark.parametrize('build', [
    lambda L: L.distributions.Normal(L.tensor([0.3, -1.0]), L.tensor([0.7, 2.0])),
    lambda L: L.distributions.Exponential(L.tensor([0.3, 2.0])),
    lambda L: L.distributions.Gamma(L.tensor([0.3, 2.0]), L.tensor([1.5, 0.5])),
    lambda L: L.distributions.Beta(L.tensor([0.3, 2.0]), L.tensor([1.5, 0.5])),
    lambda L: L.distributions.Dirichlet(L.tensor([[0.3, 2.0, 1.1]])),
])
def test_exponential_family_hooks(build):
    t, e = _both(lambda L: build(L))
    for a, b in zip(e._natural_params, t._natural_params):
        _close(a, b)
    _close(e._log_normalizer(*e._natural_params), t._log_normalizer(*t._natural_params))
    has_t = hasattr(type(t), '_mean_carrier_measure') and not isinstance(
        getattr(type(t), '_mean_carrier_measure'), property)
    if has_t:
        assert e._mean_carrier_measure == t._mean_carrier_measure
        np.testing.assert_allclose(_np(ED.ExponentialFamily.entropy(e)), _np(e.entropy()), rtol=1e-12)


def _p(*shape, lo=0.5, hi=3.0):
    return ember.tensor(rng.uniform(lo, hi, shape), requires_grad=True)


@pytest.mark.parametrize('name,params,value', [
    ('Normal', lambda: (_p(3, lo=-1), _p(3)), lambda: rng.normal(size=3)),
    ('LogNormal', lambda: (_p(3, lo=-1), _p(3)), lambda: rng.uniform(0.2, 3, 3)),
    ('Uniform', lambda: (_p(3, lo=-2, hi=-0.5), _p(3, lo=1.0)), lambda: rng.uniform(-0.4, 0.9, 3)),
    ('Laplace', lambda: (_p(3, lo=-1), _p(3)), lambda: rng.normal(size=3)),
    ('Exponential', lambda: (_p(3),), lambda: rng.uniform(0.2, 3, 3)),
    ('Gamma', lambda: (_p(3), _p(3)), lambda: rng.uniform(0.2, 3, 3)),
    ('Beta', lambda: (_p(3), _p(3)), lambda: rng.uniform(0.1, 0.9, 3)),
    ('Dirichlet', lambda: (_p(2, 3),), lambda: np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
    ('StudentT', lambda: (_p(3, lo=2.5, hi=5), _p(3, lo=-1), _p(3)), lambda: rng.normal(size=3)),
])
def test_gradchecks(name, params, value):
    cls, args, v = getattr(ED, name), params(), ember.tensor(value())
    assert gradcheck(lambda *a: cls(*a).log_prob(v), args)
    assert gradcheck(lambda *a: cls(*a).entropy(), args)
    if name in ('Normal', 'Laplace', 'Exponential', 'LogNormal', 'Uniform'):
        assert gradcheck(lambda *a: cls(*a).cdf(v), args)
    if name in ('Normal', 'Gamma', 'StudentT', 'Beta'):
        assert gradgradcheck(lambda *a: cls(*a).log_prob(v), args)
