"""Black-box parity with torch for ember.distributions' transforms, TransformedDistribution, the
distributions built on it and the further distributions (Cauchy, Geometric, NegativeBinomial, Multinomial,
Chi2, ContinuousBernoulli, VonMises, MixtureSameFamily, LowRankMultivariateNormal) and their KL pairs:
values on the same inputs, shapes, reprs, validation errors, sample statistics and float64 gradients."""
import math
import warnings
import numpy as np
import pytest
import torch
import ember
from ember.autograd import gradcheck

TD, ED = torch.distributions, ember.distributions
TT, ET = torch.distributions.transforms, ember.distributions.transforms
rng = np.random.default_rng(3)


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, ember.Tensor):
        return np.asarray(t.detach()._data)
    return np.asarray(t)


def _close(e, t, rtol=1e-5, atol=1e-6):
    a, b = _np(e), _np(t)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _pair(arr, dtype=None):
    arr = np.asarray(arr, dtype=dtype or np.float32)
    return torch.tensor(arr), ember.tensor(arr)


def _both(fn):
    """fn(lib, D, T, P) builds the same object in both libraries; P(array) makes a tensor of that lib."""
    tP = lambda a, dt=None: torch.tensor(np.asarray(a, dtype=dt or np.float32))  # noqa: E731
    eP = lambda a, dt=None: ember.tensor(np.asarray(a, dtype=dt or np.float32))  # noqa: E731
    return fn(torch, TD, TT, tP), fn(ember, ED, ET, eP)


# --- transforms ------------------------------------------------------------------------------------------
TRANSFORMS = {
    'exp': lambda L, D, T, P: T.ExpTransform(),
    'affine': lambda L, D, T, P: T.AffineTransform(P([0.5, -1.0, 2.0]), P([2.0, -0.5, 3.0])),
    'affine_scalar': lambda L, D, T, P: T.AffineTransform(1.0, -2.0),
    'affine_event': lambda L, D, T, P: T.AffineTransform(P([0.5, -1.0, 2.0]), P([2.0, -0.5, 3.0]), event_dim=1),
    'sigmoid': lambda L, D, T, P: T.SigmoidTransform(),
    'tanh': lambda L, D, T, P: T.TanhTransform(),
    'softplus': lambda L, D, T, P: T.SoftplusTransform(),
    'power': lambda L, D, T, P: T.PowerTransform(P(2.5)),
    'stick': lambda L, D, T, P: T.StickBreakingTransform(),
    'compose': lambda L, D, T, P: T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)]),
    'compose_event': lambda L, D, T, P: T.ComposeTransform([T.ExpTransform(), T.StickBreakingTransform()]),
    'independent': lambda L, D, T, P: T.IndependentTransform(T.SigmoidTransform(), 1),
    'reshape': lambda L, D, T, P: T.ReshapeTransform((3,), (3, 1)),
    'cat': lambda L, D, T, P: T.CatTransform([T.ExpTransform(), T.AffineTransform(0.0, 2.0)], -1, [2, 1]),
    'stack': lambda L, D, T, P: T.StackTransform([T.ExpTransform(), T.TanhTransform(), T.SoftplusTransform()], -1),
    'cdf': lambda L, D, T, P: T.CumulativeDistributionTransform(D.Normal(P(0.5), P(2.0))),
}
X = np.array([[0.3, -1.2, 2.0], [0.1, 0.7, -3.0]], dtype=np.float32)


@pytest.mark.parametrize('name', list(TRANSFORMS))
def test_transform_values(name):
    t, e = _both(TRANSFORMS[name])
    x = np.abs(X) + 0.1 if name == 'power' else X
    tx, ex = _pair(x)
    ty, ey = t(tx), e(ex)
    _close(ey, ty)
    _close(e.inv(ey), t.inv(ty), rtol=1e-4, atol=1e-5)
    _close(e.log_abs_det_jacobian(ex, ey), t.log_abs_det_jacobian(tx, ty), rtol=1e-5, atol=1e-5)
    assert repr(e) == repr(t) and repr(e.inv) == repr(t.inv)
    assert repr(e.domain) == repr(t.domain) and repr(e.codomain) == repr(t.codomain)
    assert e.bijective == t.bijective
    assert e.inv.inv is e
    assert tuple(e.forward_shape((2, 3))) == tuple(t.forward_shape((2, 3)))
    assert tuple(e.inverse_shape(tuple(ey.shape))) == tuple(t.inverse_shape(tuple(ty.shape)))
    try:
        want = t.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            e.sign
    else:
        got = e.sign
        assert np.all(_np(got) == _np(want)) and type(got) is type(want) or isinstance(got, ember.Tensor)


def test_transform_event_dims_and_errors():
    for name in TRANSFORMS:
        t, e = _both(TRANSFORMS[name])
        try:
            want = t.event_dim
        except ValueError as err:
            with pytest.raises(ValueError, match=str(err)):
                e.event_dim
        else:
            assert e.event_dim == want
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        ET.ExpTransform(cache_size=2)
    with pytest.raises(ValueError, match="different numbers of elements"):
        ET.ReshapeTransform((2, 3), (5,))
    for fn in ('forward_shape', 'inverse_shape'):
        with pytest.raises(ValueError, match="Too few dimensions on input"):
            getattr(ET.StickBreakingTransform(), fn)(())
    with pytest.raises(ValueError, match=r"Shape mismatch: expected \(4, 3\)"):
        ET.ReshapeTransform((2, 3), (6,)).forward_shape((4, 3))
    with pytest.raises(NotImplementedError):
        ET.SoftmaxTransform().log_abs_det_jacobian(ember.zeros(3), ember.zeros(3))
    with pytest.raises(ValueError, match="Too few dimensions on input"):
        ET.IndependentTransform(ET.ExpTransform(), 1)(ember.tensor(-1.0))
    # the non-injective ones: a preimage, not the input
    assert _np(ET.AbsTransform().inv(ember.tensor([1.0, -2.0]))).tolist() == [1.0, -2.0]
    m = np.array([[1.0, 2, 3], [-4, 5, 6], [7, 8, -9]], dtype=np.float32) / 10
    for name in ('LowerCholeskyTransform', 'PositiveDefiniteTransform', 'SoftmaxTransform'):
        tt, et = getattr(TT, name)(), getattr(ET, name)()
        tm, em = _pair(m)
        _close(et(em), tt(tm), rtol=1e-5, atol=1e-4)
        _close(et.inv(et(em)), tt.inv(tt(tm)), rtol=1e-4, atol=1e-4)
        assert repr(et.domain) == repr(tt.domain) and repr(et.codomain) == repr(tt.codomain)


def test_transform_equality_cache_and_edges():
    assert ET.ExpTransform() == ET.ExpTransform() and ET.ExpTransform() != ET.SigmoidTransform()
    assert ET.ExpTransform().inv == ET.ExpTransform().inv
    assert ET.AffineTransform(1, 2) == ET.AffineTransform(1, 2) and ET.AffineTransform(1, 2) != ET.AffineTransform(1, 3)
    assert ET.AffineTransform(ember.tensor([1.0, 2]), 2.0) == ET.AffineTransform(ember.tensor([1.0, 2]), 2.0)
    assert ET.AffineTransform(ember.tensor([1.0, 2]), 2.0) != ET.AffineTransform(1.0, 2.0)
    assert ET.PowerTransform(2.0) != ET.PowerTransform(3.0)
    assert ET.ComposeTransform([ET.ExpTransform()]) == ET.ComposeTransform([ET.ExpTransform()])
    assert ET.AffineTransform(1.0, -2.0).sign == -1 and ET.ExpTransform().sign == 1
    t = ET.TanhTransform(cache_size=1)
    x = ember.tensor([0.3, 25.0])
    y = t(x)
    assert t(x) is y and t.inv(y) is x            # cached: exact inverse even where tanh saturated
    assert ET.TanhTransform().inv(y)[1].item() == math.inf
    assert t.inv._cache_size == 1 and ET.ExpTransform().with_cache(1)._cache_size == 1
    assert ET.ComposeTransform([ET.ExpTransform()], cache_size=1).parts[0]._cache_size == 1
    # clamps at the ends of (0, 1), as torch
    tx, ex = _pair([-100.0, 100.0])
    _close(ET.SigmoidTransform()(ex), TT.SigmoidTransform()(tx), rtol=0, atol=0)
    _close(ET.SigmoidTransform().inv(ember.tensor([0.0, 1.0])), TT.SigmoidTransform().inv(torch.tensor([0.0, 1.0])))
    assert repr(ET.identity_transform) == repr(TT.identity_transform)


def test_transform_gradients():
    x = ember.tensor(rng.normal(size=(2, 4)), dtype=ember.float64, requires_grad=True)
    for t in (ET.TanhTransform(), ET.SigmoidTransform(), ET.SoftplusTransform(), ET.StickBreakingTransform(),
              ET.ComposeTransform([ET.AffineTransform(0.5, 2.0), ET.TanhTransform()])):
        assert gradcheck(lambda v: t.log_abs_det_jacobian(v, t(v)), (x,))
        assert gradcheck(lambda v: t(v), (x,))
    assert gradcheck(lambda v: ET.StickBreakingTransform().inv(ET.StickBreakingTransform()(v)), (x,))


@pytest.mark.parametrize('key', ['real', 'positive', 'gt', 'gte', 'lt', 'unit', 'interval', 'half_open', 'simplex',
                                 'real_vector', 'indep', 'lower_cholesky', 'pd', 'cat', 'stack', 'boolean'])
def test_biject_to_transform_to(key):
    C = {'real': lambda C: C.real, 'positive': lambda C: C.positive, 'gt': lambda C: C.greater_than(2.0),
         'gte': lambda C: C.greater_than_eq(-1.0), 'lt': lambda C: C.less_than(1.0),
         'unit': lambda C: C.unit_interval, 'interval': lambda C: C.interval(-1.0, 3.0),
         'half_open': lambda C: C.half_open_interval(0.0, 1.0), 'simplex': lambda C: C.simplex,
         'real_vector': lambda C: C.real_vector, 'indep': lambda C: C.independent(C.positive, 1),
         'lower_cholesky': lambda C: C.lower_cholesky, 'pd': lambda C: C.positive_definite,
         'cat': lambda C: C.cat([C.real, C.positive], -1, [1, 2]), 'stack': lambda C: C.stack([C.real, C.positive, C.unit_interval], -1),
         'boolean': lambda C: C.boolean}[key]
    tc, ec = C(TD.constraints), C(ED.constraints)
    x = rng.normal(size=(2, 3, 3)).astype(np.float32)
    tx, ex = _pair(x)
    for tf, ef in ((TD.biject_to, ED.biject_to), (TD.transform_to, ED.transform_to)):
        try:
            tt = tf(tc)
        except NotImplementedError as err:
            with pytest.raises(NotImplementedError, match=str(err)):
                ef(ec)
            continue
        et = ef(ec)
        assert repr(et) == repr(tt)
        ty, ey = tt(tx), et(ex)
        _close(ey, ty, rtol=1e-5, atol=1e-5)
        assert bool(ec.check(ey).all())
        try:
            want = tt.log_abs_det_jacobian(tx, ty)
        except NotImplementedError:
            continue
        _close(et.log_abs_det_jacobian(ex, ey), want, rtol=1e-4, atol=1e-4)


# --- TransformedDistribution -----------------------------------------------------------------------------
def test_transformed_distribution_shapes_and_values():
    builds = [
        lambda D, T, P: D.TransformedDistribution(D.Normal(P(np.zeros((2, 3))), P(np.ones((2, 3)))),
                                                  [T.TanhTransform(cache_size=1)]),
        lambda D, T, P: D.TransformedDistribution(D.Normal(P(np.zeros((2, 3))), P(np.ones((2, 3)))),
                                                  T.StickBreakingTransform()),
        lambda D, T, P: D.TransformedDistribution(D.Normal(P(np.zeros((2, 3))), 1.0), [T.ReshapeTransform((2, 3), (6,))]),
        lambda D, T, P: D.TransformedDistribution(D.Normal(P(0.3), P(1.5)), [T.AffineTransform(P([0.0, 1.0]), -2.0), T.ExpTransform()]),
    ]
    for b in builds:
        t, e = _both(lambda L, D, T, P: b(D, T, P))
        assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape
        assert repr(e.support) == repr(t.support) and repr(e) == repr(t)
        assert e.has_rsample == t.has_rsample
        s = e.rsample((4,))
        assert tuple(s.shape) == tuple(t.rsample((4,)).shape)
        v = t.sample((3,))
        _close(e.log_prob(ember.tensor(v.numpy())), t.log_prob(v), rtol=1e-4, atol=1e-4)
        ex, tx = e.expand((5,) + tuple(e.batch_shape)), t.expand((5,) + tuple(t.batch_shape))
        assert ex.batch_shape == tx.batch_shape and type(ex) is ED.TransformedDistribution
        for attr in ('mean', 'variance', 'mode'):
            with pytest.raises(NotImplementedError):
                getattr(e, attr)
    # cdf / icdf through a decreasing chain
    t, e = _both(lambda L, D, T, P: D.TransformedDistribution(D.Normal(P(0.2), P(1.3)), [T.AffineTransform(0.0, -1.0), T.ExpTransform()]))
    tv, ev = _pair([0.3, 1.0, 4.0])
    _close(e.cdf(ev), t.cdf(tv))
    tq, eq = _pair([0.1, 0.5, 0.9])
    _close(e.icdf(eq), t.icdf(tq), rtol=1e-4)


def test_transformed_distribution_errors():
    n = ED.Normal(ember.zeros(3), ember.ones(3))
    with pytest.raises(ValueError, match="transforms must be a Transform or a list of Transforms"):
        ED.TransformedDistribution(n, [1])
    with pytest.raises(ValueError, match="transforms must be a Transform or list, but was 3"):
        ED.TransformedDistribution(n, 3)
    with pytest.raises(ValueError, match=r"base_distribution needs to have shape with size at least 1"):
        ED.TransformedDistribution(ED.Normal(0.0, 1.0), [ET.StickBreakingTransform()])
    d = ED.TransformedDistribution(n, [ET.ExpTransform()])
    with pytest.raises(ValueError, match="to be within the support"):
        d.log_prob(ember.tensor(-1.0))
    with pytest.raises(ValueError, match="not broadcastable"):
        d.log_prob(ember.ones(2, 2))
    with pytest.raises(NotImplementedError):
        ED.TransformedDistribution(ED.Normal(0.0, 1.0), [ET.AbsTransform()]).log_prob(ember.tensor(0.3))
    assert isinstance(ED.LogNormal(0.0, 1.0), ED.TransformedDistribution)


def test_sac_tanh_normal_gradients():
    # the SAC policy head: log-probability of a squashed reparameterised action, differentiated
    mu = ember.tensor(rng.normal(size=(3, 2)), dtype=ember.float64, requires_grad=True)
    log_std = ember.tensor(rng.normal(size=(3, 2)) * 0.3, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(0)

    def f(m, s):
        ember.manual_seed(0)
        d = ED.TransformedDistribution(ED.Normal(m, s.exp()), [ET.TanhTransform(cache_size=1)])
        a = d.rsample()
        return d.log_prob(a).sum(-1) + a.sum(-1)
    assert gradcheck(f, (mu, log_std))
    # same numbers as torch on the same action
    tm, ts = torch.tensor(_np(mu)), torch.tensor(_np(log_std))
    a = np.tanh(rng.normal(size=(3, 2)))
    td = TD.TransformedDistribution(TD.Normal(tm, ts.exp()), [TT.TanhTransform()])
    ed = ED.TransformedDistribution(ED.Normal(mu, log_std.exp()), [ET.TanhTransform()])
    tl, el = td.log_prob(torch.tensor(a)), ed.log_prob(ember.tensor(a))
    _close(el, tl, rtol=1e-10)
    tm.requires_grad_()
    tl = TD.TransformedDistribution(TD.Normal(tm, ts.exp()), [TT.TanhTransform()]).log_prob(torch.tensor(a))
    tl.sum().backward()
    el.sum().backward()
    _close(mu.grad, tm.grad, rtol=1e-8)


# --- distributions --------------------------------------------------------------------------------------
A = lambda *v: np.asarray(v, dtype=np.float32)  # noqa: E731
_LOCS = rng.normal(size=(2, 3, 2))
DISTS = {
    'Gumbel': (lambda D, P: D.Gumbel(P(A(0.5, -1.0)), P(A(1.5, 2.0))), A(0.3, -2.0)),
    'HalfNormal': (lambda D, P: D.HalfNormal(P(A(0.5, 2.0))), A(0.3, 2.5)),
    'HalfCauchy': (lambda D, P: D.HalfCauchy(P(A(0.5, 2.0))), A(0.3, 2.5)),
    'LogisticNormal': (lambda D, P: D.LogisticNormal(P(A(0.5, -1.0)), P(A(1.5, 2.0))), A(0.2, 0.3, 0.5)),
    'Weibull': (lambda D, P: D.Weibull(P(A(0.5, 2.0)), P(A(1.5, 0.7))), A(0.3, 2.5)),
    'Pareto': (lambda D, P: D.Pareto(P(A(0.5, 2.0)), P(A(1.5, 3.0))), A(0.7, 2.5)),
    'Kumaraswamy': (lambda D, P: D.Kumaraswamy(P(A(0.5, 2.0)), P(A(1.5, 3.0))), A(0.3, 0.8)),
    'RelaxedBernoulli': (lambda D, P: D.RelaxedBernoulli(P(0.7), probs=P(A(0.2, 0.6))), A(0.3, 0.8)),
    'LogitRelaxedBernoulli': (lambda D, P: D.relaxed_bernoulli.LogitRelaxedBernoulli(P(0.7), logits=P(A(0.2, 0.6))), A(0.3, -1.8)),
    'RelaxedOneHotCategorical': (lambda D, P: D.RelaxedOneHotCategorical(P(0.7), probs=P(A(0.2, 0.3, 0.5))), A(0.1, 0.6, 0.3)),
    'Cauchy': (lambda D, P: D.Cauchy(P(A(0.5, -1.0)), P(A(1.5, 2.0))), A(0.3, -4.0)),
    'Geometric': (lambda D, P: D.Geometric(P(A(0.5, 0.2))), A(0.0, 3.0)),
    'GeometricLogits': (lambda D, P: D.Geometric(logits=P(A(0.5, -2.0))), A(2.0, 3.0)),
    'NegativeBinomial': (lambda D, P: D.NegativeBinomial(P(A(3.0, 2.5)), P(A(0.3, 0.6))), A(0.0, 4.0)),
    'Multinomial': (lambda D, P: D.Multinomial(5, P(A(0.2, 0.3, 0.5))), A(1.0, 1.0, 3.0)),
    'Chi2': (lambda D, P: D.Chi2(P(A(3.0, 2.5))), A(0.3, 4.0)),
    'ContinuousBernoulli': (lambda D, P: D.ContinuousBernoulli(P(A(0.3, 0.5, 0.8))), A(0.1, 0.4, 0.9)),
    'ContinuousBernoulliLogits': (lambda D, P: D.ContinuousBernoulli(logits=P(A(-1.0, 0.001, 2.0))), A(0.1, 0.4, 0.9)),
    'VonMises': (lambda D, P: D.VonMises(P(A(0.3, -1.0)), P(A(0.5, 4.0))), A(0.1, 2.5)),
    'LowRankMultivariateNormal': (lambda D, P: D.LowRankMultivariateNormal(
        P(np.zeros((2, 3))), P(np.arange(6).reshape(3, 2) / 5), P(A(1.0, 0.5, 2.0))), A(0.3, -1.0, 0.5)),
    'MixtureSameFamily': (lambda D, P: D.MixtureSameFamily(D.Categorical(P(A(0.3, 0.7))),
                                                            D.Normal(P(A(-1.0, 2.0)), P(A(0.5, 1.5)))), A(0.3, -1.0, 4.0)),
    'MixtureSameFamilyMVN': (lambda D, P: D.MixtureSameFamily(D.Categorical(P(np.ones((2, 3)))),
                                                               D.Independent(D.Normal(P(_LOCS), P(np.ones((2, 3, 2)))), 1)),
                             A(0.3, -1.0)),
}


def _try(fn):
    try:
        return fn(), None
    except (NotImplementedError, TypeError) as err:
        return None, err


@pytest.mark.parametrize('name', list(DISTS))
def test_distribution_parity(name):
    build, value = DISTS[name]
    t, e = _both(lambda L, D, T, P: build(D, P))
    assert type(e).__name__ == type(t).__name__ and repr(e) == repr(t)
    assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape
    assert e.has_rsample == t.has_rsample
    assert repr(e.support) == repr(t.support)
    assert {k: repr(v) for k, v in e.arg_constraints.items()} == {k: repr(v) for k, v in t.arg_constraints.items()}
    assert isinstance(e, ED.TransformedDistribution) == isinstance(t, TD.TransformedDistribution)
    tv, ev = _pair(value)
    _close(e.log_prob(ev), t.log_prob(tv), rtol=2e-5, atol=2e-5)
    for attr in ('mean', 'mode', 'variance', 'stddev'):
        want, err = _try(lambda: getattr(t, attr))
        if err is not None:
            with pytest.raises(type(err)):
                getattr(e, attr)
        elif not (name == 'Kumaraswamy' and attr == 'mode'):   # torch reports nan for every mode
            _close(getattr(e, attr), want, rtol=1e-5, atol=1e-6)
    for method, arg in (('entropy', ()), ('cdf', (tv,)), ('icdf', (torch.full(tuple(t.batch_shape), 0.3),))):
        want, err = _try(lambda: getattr(t, method)(*arg))
        earg = tuple(ember.tensor(a.numpy()) for a in arg)
        if err is not None:
            with pytest.raises(NotImplementedError):
                getattr(e, method)(*earg)
        else:
            _close(getattr(e, method)(*earg), want, rtol=1e-4, atol=1e-5)
    # shapes and dtypes of draws, and expand
    for fn in ('sample', 'rsample') if e.has_rsample else ('sample',):
        s, ts = getattr(e, fn)((4, 2)), getattr(t, fn)((4, 2))
        assert tuple(s.shape) == tuple(ts.shape) and str(s.dtype) == str(ts.dtype)
        assert bool(e.support.check(s).all())
    big = (3,) + tuple(e.batch_shape)
    ex, tx = e.expand(big), t.expand(big)
    assert ex.batch_shape == tx.batch_shape and type(ex) is type(e)
    _close(ex.log_prob(ev), tx.log_prob(tv), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize('name,stat', [('Gumbel', 'mean'), ('HalfNormal', 'mean'), ('Weibull', 'mean'),
                                       ('Kumaraswamy', 'mean'), ('Geometric', 'mean'), ('NegativeBinomial', 'mean'),
                                       ('Multinomial', 'mean'), ('Chi2', 'mean'), ('ContinuousBernoulli', 'mean'),
                                       ('LowRankMultivariateNormal', 'variance'), ('MixtureSameFamily', 'mean'),
                                       ('MixtureSameFamily', 'variance'), ('Pareto', 'mode')])
def test_sample_statistics(name, stat):
    build, _ = DISTS[name]
    e = build(ED, lambda a, dt=None: ember.tensor(np.asarray(a, dtype=np.float64)))
    ember.manual_seed(1)
    s = _np(e.sample((20000,)))
    got = {'mean': s.mean(0), 'variance': s.var(0), 'mode': s.min(0)}[stat]
    want = _np(getattr(e, stat))
    np.testing.assert_allclose(got, want, rtol=0.06, atol=0.03)
    ember.manual_seed(1)
    assert np.array_equal(_np(e.sample((20000,))), s)     # seeded draws repeat


def test_von_mises_and_relaxed_samples():
    ember.manual_seed(2)
    d = ED.VonMises(ember.tensor([0.3, -2.5], dtype=ember.float64), ember.tensor([4.0, 0.5], dtype=ember.float64))
    s = _np(d.sample((40000,)))
    assert s.min() >= -math.pi and s.max() < math.pi
    # circular mean direction and mean resultant length I1(k)/I0(k) = 1 - variance
    c, sn = np.cos(s).mean(0), np.sin(s).mean(0)
    np.testing.assert_allclose(np.arctan2(sn, c), [0.3, -2.5], atol=0.05)
    np.testing.assert_allclose(np.hypot(c, sn), 1 - _np(d.variance), atol=0.02)
    r = ED.RelaxedOneHotCategorical(ember.tensor(0.1), probs=ember.tensor([0.2, 0.8]))
    s = _np(r.sample((20000,)))
    np.testing.assert_allclose((s.argmax(-1) == 1).mean(), 0.8, atol=0.02)


GRADS = {
    'Gumbel': (lambda D, a, b: D.Gumbel(a, b.exp()), 0.4),
    'HalfNormal': (lambda D, a, b: D.HalfNormal((a + b).exp()), 0.4),
    'Weibull': (lambda D, a, b: D.Weibull(a.exp(), b.exp()), 0.6),
    'Pareto': (lambda D, a, b: D.Pareto(a.exp() * 0.1, b.exp()), 2.0),
    'Kumaraswamy': (lambda D, a, b: D.Kumaraswamy(a.exp(), b.exp()), 0.4),
    'Cauchy': (lambda D, a, b: D.Cauchy(a, b.exp()), 0.4),
    'LogisticNormal': (lambda D, a, b: D.LogisticNormal(ember.stack([a, b]) if D is ED else torch.stack([a, b]), b.exp()), None),
    'RelaxedBernoulli': (lambda D, a, b: D.RelaxedBernoulli(b.exp(), logits=a), 0.4),
    'ContinuousBernoulli': (lambda D, a, b: D.ContinuousBernoulli(logits=a - 2 * b), 0.4),
    'VonMises': (lambda D, a, b: D.VonMises(a, b.exp()), 0.4),
    'NegativeBinomial': (lambda D, a, b: D.NegativeBinomial(b.exp(), logits=a), 3.0),
    'Geometric': (lambda D, a, b: D.Geometric(logits=a * b), 3.0),
}


@pytest.mark.parametrize('name', list(GRADS))
def test_log_prob_gradients(name):
    build, v = GRADS[name]
    a0, b0 = np.array(0.3), np.array(-0.2)
    value = np.array([0.2, 0.5, 0.3]) if v is None else np.array(v)
    ea = ember.tensor(a0, requires_grad=True, dtype=ember.float64)
    eb = ember.tensor(b0, requires_grad=True, dtype=ember.float64)
    ev = ember.tensor(value, dtype=ember.float64)
    assert gradcheck(lambda a, b: build(ED, a, b).log_prob(ev), (ea, eb))
    ta = torch.tensor(a0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    build(TD, ta, tb).log_prob(torch.tensor(value)).sum().backward()
    build(ED, ea, eb).log_prob(ev).sum().backward()
    _close(ea.grad, ta.grad, rtol=1e-7, atol=1e-10)
    _close(eb.grad, tb.grad, rtol=1e-7, atol=1e-10)
    d = build(ED, ea, eb)
    if d.has_rsample:
        def f(a, b):
            ember.manual_seed(5)
            return build(ED, a, b).rsample((3,))
        assert gradcheck(f, (ea, eb), atol=1e-5)


def test_lowrank_gradients_and_dense_parity():
    loc = rng.normal(size=(2, 3))
    W = rng.normal(size=(2, 3, 2))
    D = rng.uniform(0.5, 1.5, size=(3,))
    el = [ember.tensor(x, requires_grad=True) for x in (loc, W, D)]
    tl = [torch.tensor(x, requires_grad=True) for x in (loc, W, D)]
    value = rng.normal(size=(4, 1, 3))
    e = ED.LowRankMultivariateNormal(*el)
    t = TD.LowRankMultivariateNormal(*tl)
    for attr in ('covariance_matrix', 'precision_matrix', 'scale_tril', 'variance'):
        _close(getattr(e, attr), getattr(t, attr), rtol=1e-8, atol=1e-10)
    (e.log_prob(ember.tensor(value)).sum() + e.entropy().sum()).backward()
    (t.log_prob(torch.tensor(value)).sum() + t.entropy().sum()).backward()
    for a, b in zip(el, tl):
        _close(a.grad, b.grad, rtol=1e-7, atol=1e-10)
    assert gradcheck(lambda l, w, d: ED.LowRankMultivariateNormal(l, w, d).log_prob(ember.tensor(value)),
                     tuple(ember.tensor(x, requires_grad=True) for x in (loc, W, D)))

    def sampled(l, w, d):
        ember.manual_seed(3)
        return ED.LowRankMultivariateNormal(l, w, d).rsample((2,))
    assert gradcheck(sampled, tuple(ember.tensor(x, requires_grad=True) for x in (loc, W, D)))


# --- validation errors ------------------------------------------------------------------------------------
BAD = [
    lambda D, P: D.Gumbel(P(0.0), P(-1.0)), lambda D, P: D.HalfNormal(P(-1.0)), lambda D, P: D.Cauchy(P(0.0), P(-1.0)),
    lambda D, P: D.Weibull(P(1.0), P(0.0)), lambda D, P: D.Pareto(P(-1.0), P(1.0)),
    lambda D, P: D.Kumaraswamy(P(1.0), P(-1.0)), lambda D, P: D.Geometric(P(0.0)), lambda D, P: D.Geometric(P(1.5)),
    lambda D, P: D.NegativeBinomial(P(3.0), P(1.0)), lambda D, P: D.NegativeBinomial(P(-1.0), P(0.3)),
    lambda D, P: D.Multinomial(3, P(A(0.5, -0.1))), lambda D, P: D.Chi2(P(0.0)), lambda D, P: D.VonMises(P(0.0), P(0.0)),
    lambda D, P: D.LogisticNormal(P(0.0), P(-1.0)),
    lambda D, P: D.RelaxedOneHotCategorical(P(0.5), probs=P(A(0.5, -0.5))),
]


@pytest.mark.parametrize('i', range(len(BAD)))
def test_invalid_parameters(i):
    with pytest.raises(ValueError) as terr:
        _both(lambda L, D, T, P: BAD[i](TD, P) if L is torch else None)
    with pytest.raises(ValueError) as eerr:
        BAD[i](ED, lambda a, dt=None: ember.tensor(np.asarray(a, dtype=np.float32)))
    assert str(eerr.value) == str(terr.value)


def test_structural_errors():
    t = {}
    for lib, D in ((torch, TD), (ember, ED)):
        msgs = []
        for fn in (lambda: D.MixtureSameFamily(D.Normal(lib.tensor(0.0), lib.tensor(1.0)), D.Normal(lib.zeros(2), lib.ones(2))),
                   lambda: D.MixtureSameFamily(D.Categorical(lib.ones(3)), 5),
                   lambda: D.MixtureSameFamily(D.Categorical(lib.ones(3)), D.Normal(lib.zeros(2), lib.ones(2))),
                   lambda: D.MixtureSameFamily(D.Categorical(lib.ones(4, 2)), D.Normal(lib.zeros(3, 2), lib.ones(3, 2))),
                   lambda: D.LowRankMultivariateNormal(lib.tensor(0.0), lib.ones(3, 1), lib.ones(3)),
                   lambda: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3), lib.ones(3)),
                   lambda: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(2, 1), lib.ones(3)),
                   lambda: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(2)),
                   lambda: D.LowRankMultivariateNormal(lib.zeros(2, 3), lib.ones(4, 3, 1), lib.ones(3)),
                   lambda: D.Multinomial(5, lib.tensor([0.2, 0.8])).log_prob(lib.tensor([1.0, 5.0])),
                   lambda: D.HalfNormal(lib.tensor(1.0)).log_prob(lib.tensor([-1.0, 1.0])),
                   lambda: D.Pareto(lib.tensor(1.0), lib.tensor(2.0)).log_prob(lib.tensor(0.5))):
            with pytest.raises(ValueError) as err:
                fn()
            msgs.append(str(err.value))
        t[lib.__name__] = msgs
    assert t['ember'] == t['torch']
    # probabilities are clamped into (0, 1) before validation, as torch does
    assert ED.ContinuousBernoulli(ember.tensor([1.5])).probs.item() == TD.ContinuousBernoulli(torch.tensor([1.5])).probs.item()
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        ED.Multinomial(ember.tensor(5), ember.tensor([0.2, 0.8]))


# --- KL divergences ---------------------------------------------------------------------------------------
def _kl_dists(D, P):
    return dict(
        Normal=D.Normal(P(A(0.3, -0.5)), P(A(1.2, 0.7))), Uniform=D.Uniform(P(A(0.2, 1.5)), P(A(0.9, 2.5))),
        Laplace=D.Laplace(P(A(0.0, 1.0)), P(A(1.0, 0.5))), Exponential=D.Exponential(P(A(1.5, 0.5))),
        Gamma=D.Gamma(P(A(2.0, 0.7)), P(A(1.5, 2.0))), Beta=D.Beta(P(A(2.0, 0.5)), P(A(3.0, 1.5))),
        Gumbel=D.Gumbel(P(A(0.0, 1.0)), P(A(1.0, 2.0))), Gumbel2=D.Gumbel(P(A(0.5, -1.0)), P(A(2.0, 0.5))),
        HalfNormal=D.HalfNormal(P(A(1.0, 3.0))), HalfNormal2=D.HalfNormal(P(A(2.0, 0.5))),
        HalfCauchy=D.HalfCauchy(P(A(1.0, 3.0))), Cauchy=D.Cauchy(P(A(0.0, 1.0)), P(A(1.0, 2.0))),
        Cauchy2=D.Cauchy(P(A(2.0, -1.0)), P(A(0.5, 2.0))), Pareto=D.Pareto(P(A(1.0, 0.3)), P(A(2.0, 3.5))),
        Pareto2=D.Pareto(P(A(1.5, 0.2)), P(A(3.0, 0.8))), Weibull=D.Weibull(P(A(1.0, 2.0)), P(A(2.0, 1.5))),
        Kumaraswamy=D.Kumaraswamy(P(A(2.0, 0.5)), P(A(3.0, 1.5))), Geometric=D.Geometric(P(A(0.3, 0.8))),
        Geometric2=D.Geometric(P(A(0.6, 0.1))), Chi2=D.Chi2(P(A(3.0, 1.5))),
        ContinuousBernoulli=D.ContinuousBernoulli(P(A(0.3, 0.5))), ContinuousBernoulli2=D.ContinuousBernoulli(P(A(0.8, 0.1))),
        LogisticNormal=D.LogisticNormal(P(np.zeros((2, 2))), P(np.ones((2, 2)))),
        LogisticNormal2=D.LogisticNormal(P(np.ones((2, 2))), P(np.full((2, 2), 2.0))),
        LogNormal=D.LogNormal(P(A(0.3, 1.0)), P(A(1.0, 0.5))),
        VonMises=D.VonMises(P(A(0.0, 1.0)), P(A(1.0, 2.0))),
        NegativeBinomial=D.NegativeBinomial(P(A(3.0, 2.0)), P(A(0.4, 0.3))),
        MVN=D.MultivariateNormal(P(np.zeros((2, 3))), scale_tril=P(np.eye(3) * 1.5 + np.tril(np.ones((3, 3)), -1) * 0.2)),
        LowRank=D.LowRankMultivariateNormal(P(np.ones((2, 3))), P(np.arange(6).reshape(3, 2) / 5), P(A(1.0, 0.5, 2.0))),
        LowRank2=D.LowRankMultivariateNormal(P(np.zeros(3)), P(np.ones((3, 1))), P(A(1.0, 1.0, 1.0))),
        MixtureSameFamily=D.MixtureSameFamily(D.Categorical(P(A(0.3, 0.7))), D.Normal(P(A(-1.0, 2.0)), P(A(0.5, 1.5)))),
    )


def test_kl_divergence_pairs():
    td = _kl_dists(TD, lambda a, dt=None: torch.tensor(np.asarray(a, dtype=np.float64)))
    ed = _kl_dists(ED, lambda a, dt=None: ember.tensor(np.asarray(a, dtype=np.float64)))
    old = {'Normal', 'Uniform', 'Laplace', 'Exponential', 'Gamma', 'Beta', 'MVN', 'LogNormal'}
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for a in td:
            for b in td:
                if a in old and b in old:
                    continue
                try:
                    want = TD.kl_divergence(td[a], td[b])
                except NotImplementedError:
                    with pytest.raises(NotImplementedError):
                        ED.kl_divergence(ed[a], ed[b])
                    continue
                except ValueError:
                    with pytest.raises(ValueError):
                        ED.kl_divergence(ed[a], ed[b])
                    continue
                got = ED.kl_divergence(ed[a], ed[b])
                _close(got, want, rtol=1e-6, atol=1e-9)
                checked += 1
    assert checked > 60


def test_kl_gradients():
    for build in (lambda D, a, b: (D.Gumbel(a, b.exp()), D.Gumbel(b, a.exp())),
                  lambda D, a, b: (D.Pareto(a.exp() + 1, b.exp()), D.Pareto(a.exp(), a.exp() + 2)),
                  lambda D, a, b: (D.ContinuousBernoulli(logits=a), D.ContinuousBernoulli(logits=b)),
                  lambda D, a, b: (D.Normal(a, b.exp()), D.Gumbel(b, a.exp())),
                  lambda D, a, b: (D.Cauchy(a, b.exp()), D.Cauchy(b, a.exp()))):
        a = ember.tensor([0.3, -0.4], dtype=ember.float64, requires_grad=True)
        b = ember.tensor([-0.2, 0.6], dtype=ember.float64, requires_grad=True)
        assert gradcheck(lambda x, y: ED.kl_divergence(*build(ED, x, y)), (a, b))


def test_module_paths():
    import importlib
    for mod in ('transforms', 'transformed_distribution', 'constraint_registry', 'cauchy', 'gumbel', 'half_normal',
                'mixture_same_family', 'lowrank_multivariate_normal', 'relaxed_categorical', 'relaxed_bernoulli',
                'multinomial', 'negative_binomial', 'geometric', 'von_mises', 'continuous_bernoulli', 'chi2',
                'weibull', 'pareto', 'kumaraswamy', 'logistic_normal', 'half_cauchy'):
        m = importlib.import_module(f'ember.distributions.{mod}')
        tm = importlib.import_module(f'torch.distributions.{mod}')
        for name in getattr(tm, '__all__', []):
            # left out: the LKJ / Wishart machinery
            assert hasattr(m, name) or name == 'CorrCholeskyTransform', (mod, name)
