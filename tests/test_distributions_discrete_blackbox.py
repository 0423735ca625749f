"""Black-box comparisons of ember's discrete distributions (Bernoulli, Binomial, Categorical,
OneHotCategorical, Poisson) with torch's: every property and method on the same float64 parameters,
including edge parameters (probabilities 0, 1/2 and 1, infinite logits, zero rates), their gradients,
shapes after expand, enumerate_support, reprs, sampling shapes/dtypes/statistics and the errors raised."""
import math
import numpy as np
import pytest
import torch
import ember
from ember.autograd import gradcheck

rng = np.random.default_rng(7)
INF = math.inf


def to_np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


def make(lib, name, params, grad=False):
    """Builds lib.distributions.<name>(**params) from numpy arrays / numbers; returns (dist, leaf tensors)."""
    leaves, kw = [], {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            t = lib.tensor(v)
            if grad and t.dtype.is_floating_point:
                t.requires_grad_(True)
                leaves.append(t)
            kw[k] = t
        else:
            kw[k] = v
    return getattr(lib.distributions, name)(**kw), leaves


def close(e, t, **kw):
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype).split('.')[-1] == str(t.dtype).split('.')[-1], (e.dtype, t.dtype)
    single = t.dtype == torch.float32
    np.testing.assert_allclose(to_np(e), to_np(t), rtol=kw.get('rtol', 1e-6 if single else 1e-10),
                               atol=kw.get('atol', 1e-7 if single else 1e-12), equal_nan=True)


def simplex(*shape):
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


# name, parameters, a value in the support
CASES = {
    'bern-probs-edge': ('Bernoulli', dict(probs=np.array([0.0, 0.5, 1.0, 0.3, 0.7])),
                        np.array([0.0, 1.0, 1.0, 0.0, 1.0])),
    'bern-logits': ('Bernoulli', dict(logits=rng.normal(size=(2, 3))), np.array([[1.0, 0.0, 1.0]])),
    'bern-number': ('Bernoulli', dict(probs=0.25), np.array([1.0, 0.0], dtype=np.float32)),
    'binom-probs': ('Binomial', dict(total_count=np.array([4.0, 4.0, 4.0]), probs=np.array([0.5, 0.2, 0.9])),
                    np.array([[0.0, 2.0, 4.0], [1.0, 3.0, 4.0]])),
    'binom-logits-int': ('Binomial', dict(total_count=6, logits=np.array([[-30.0, 0.0, 2.5], [800.0, -1.0, 0.3]])),
                         np.array([0.0, 3.0, 6.0])),
    'binom-mixed-n': ('Binomial', dict(total_count=np.array([0.0, 3.0, 10.0]), probs=np.array([0.4, 0.6, 0.1])),
                      np.array([0.0, 2.0, 7.0])),
    'cat-probs-zero': ('Categorical', dict(probs=np.array([[0.0, 0.2, 0.8], [0.5, 0.5, 0.0]])),
                       np.array([[1, 0], [2, 1]])),
    'cat-unnormalised': ('Categorical', dict(probs=np.array([2.0, 1.0, 1.0, 4.0])), np.array([3, 0, 1])),
    'cat-logits': ('Categorical', dict(logits=np.array([[[-INF, 0.3, 1.0], [2.0, -1.0, 0.5]]])),
                   np.array([2, 0])),
    'onehot-probs': ('OneHotCategorical', dict(probs=simplex(2, 4)), np.eye(4)[[1, 3]]),
    'onehot-logits': ('OneHotCategorical', dict(logits=rng.normal(size=(3,))), np.eye(3)[[[0], [2]]]),
    'poisson': ('Poisson', dict(rate=np.array([0.0, 0.5, 3.0, 12.0])), np.array([0.0, 1.0, 2.0, 20.0])),
    'poisson-number': ('Poisson', dict(rate=2.0), np.array([0.0, 3.0])),
}


def _value(lib, v):
    return lib.tensor(v)


@pytest.mark.parametrize('case', list(CASES))
def test_values_shapes_and_repr(case):
    name, params, value = CASES[case]
    e, _ = make(ember, name, params)
    t, _ = make(torch, name, params)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
    assert repr(e) == repr(t)
    for attr in ('mean', 'mode', 'variance', 'stddev', 'probs', 'logits', 'rate', 'total_count', 'param_shape'):
        if hasattr(t, attr):
            tv, ev = getattr(t, attr), getattr(e, attr)
            if isinstance(tv, torch.Size):
                assert tuple(ev) == tuple(tv)
            else:
                close(ev, tv)
    close(e.log_prob(_value(ember, value)), t.log_prob(_value(torch, value)))
    if name != 'Poisson' and case != 'binom-mixed-n':
        close(e.entropy(), t.entropy())
        close(e.perplexity(), t.perplexity())
        for expand in (True, False):
            close(e.enumerate_support(expand), t.enumerate_support(expand))
    for shape in ((), (3,), (2, 1)):
        es, ts = e.sample(shape), t.sample(shape)
        assert tuple(es.shape) == tuple(ts.shape) and str(es.dtype) == str(ts.dtype)
    assert e.has_enumerate_support == t.has_enumerate_support and e.has_rsample == t.has_rsample


@pytest.mark.parametrize('case', list(CASES))
def test_gradients(case):
    name, params, value = CASES[case]
    if not any(isinstance(v, np.ndarray) for v in params.values()):
        pytest.skip('no tensor parameters')
    e, el = make(ember, name, params, grad=True)
    t, tl = make(torch, name, params, grad=True)
    outs = [lambda d, lib: d.log_prob(_value(lib, value)).sum(), lambda d, lib: d.mean.sum(),
            lambda d, lib: d.variance.sum()]
    if name not in ('Poisson',) and case != 'binom-mixed-n':
        outs.append(lambda d, lib: d.entropy().sum())
    for f in outs:
        tout = f(t, torch)
        if not tout.requires_grad:   # Categorical's mean and variance are constant nan
            assert not f(e, ember).requires_grad
            continue
        eg = ember.autograd.grad(f(e, ember), el, allow_unused=True, retain_graph=True)
        tg = torch.autograd.grad(tout, tl, allow_unused=True, retain_graph=True)
        for a, b in zip(eg, tg):
            if b is None:
                assert a is None or not np.any(to_np(a))
            else:
                close(a, b, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize('name,params,value', [
    ('Bernoulli', dict(logits=rng.normal(size=3)), np.array([1.0, 0.0, 1.0])),
    ('Bernoulli', dict(probs=rng.uniform(0.2, 0.8, 3)), np.array([1.0, 0.0, 1.0])),
    ('Binomial', dict(total_count=np.full(3, 5.0), probs=rng.uniform(0.2, 0.8, 3)), np.array([1.0, 4.0, 5.0])),
    ('Categorical', dict(probs=simplex(2, 3)), np.array([0, 2])),
    ('Categorical', dict(logits=rng.normal(size=(2, 3))), np.array([1, 2])),
    ('OneHotCategorical', dict(logits=rng.normal(size=(2, 3))), np.eye(3)[[0, 2]]),
    ('Poisson', dict(rate=rng.uniform(0.5, 3, 3)), np.array([0.0, 2.0, 5.0])),
])
def test_gradcheck_log_prob_and_entropy(name, params, value):
    keys = [k for k, v in params.items() if isinstance(v, np.ndarray) and k != 'total_count']
    fixed = {k: (ember.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in params.items() if k not in keys}
    val = ember.tensor(value)

    def f(*args):
        d = getattr(ember.distributions, name)(**fixed, **dict(zip(keys, args)), validate_args=False)
        out = [d.log_prob(val)]
        if name != 'Poisson':
            out.append(d.entropy())
        return tuple(out)
    assert gradcheck(f, tuple(ember.tensor(params[k], requires_grad=True) for k in keys))


@pytest.mark.parametrize('case', ['bern-logits', 'binom-logits-int', 'cat-probs-zero', 'onehot-logits', 'poisson',
                                  'bern-number'])
def test_expand(case):
    name, params, value = CASES[case]
    e, _ = make(ember, name, params)
    t, _ = make(torch, name, params)
    shape = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(torch.Size(shape))
    assert type(ee) is type(e) and tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape) and ee._validate_args == te._validate_args
    close(ee.mean, te.mean)
    close(ee.log_prob(_value(ember, value)), te.log_prob(_value(torch, value)))
    assert tuple(ee.sample((2,)).shape) == tuple(te.sample((2,)).shape)
    if name != 'Poisson':
        close(ee.enumerate_support(), te.enumerate_support())


def test_lazy_parameters_and_validation_of_given_one_only():
    for lib in (ember, torch):
        d = lib.distributions.Bernoulli(logits=lib.tensor([0.0, 100.0]))
        assert 'probs' not in d.__dict__
        d.probs
        assert 'probs' in d.__dict__
    e = ember.distributions.Categorical(logits=ember.tensor([1.0, 2.0, 3.0]))
    t = torch.distributions.Categorical(logits=torch.tensor([1.0, 2.0, 3.0]))
    close(e.logits, t.logits, rtol=1e-6)
    close(e.probs, t.probs, rtol=1e-6)
    assert repr(e) == repr(t)   # now both parameters are set
    c = ember.distributions.Categorical(probs=ember.tensor([0.0, 1.0]))
    ct = torch.distributions.Categorical(probs=torch.tensor([0.0, 1.0]))
    close(c.logits, ct.logits)   # clamped log of 0, not -inf


def test_sampling_is_seeded_and_matches_moments():
    d = ember.distributions
    dists = [d.Bernoulli(probs=ember.tensor([0.2, 0.7])), d.Binomial(ember.tensor([10.0, 3.0]), ember.tensor([0.3, 0.9])),
             d.Poisson(ember.tensor([0.5, 4.0])), d.Categorical(probs=ember.tensor([0.1, 0.6, 0.3])),
             d.OneHotCategorical(probs=ember.tensor([0.1, 0.6, 0.3]))]
    for dist in dists:
        ember.manual_seed(3)
        a = dist.sample((4000,))
        ember.manual_seed(3)
        b = dist.sample((4000,))
        assert np.array_equal(to_np(a), to_np(b))
        x = to_np(a).astype(float)
        if isinstance(dist, d.Categorical):
            freq = np.bincount(x.astype(int), minlength=3) / len(x)
            np.testing.assert_allclose(freq, [0.1, 0.6, 0.3], atol=0.03)
            continue
        mean, var = to_np(dist.mean), to_np(dist.variance)
        assert np.all(np.abs(x.mean(0) - mean) < 5 * np.sqrt(var / len(x)) + 1e-12)
        assert np.all(np.abs(x.var(0) - var) < 0.15 * var + 1e-3)
        assert set(np.unique(to_np(dist.support.check(a)))) == {True}


def _raise(f):
    try:
        f()
    except Exception as exc:   # noqa: BLE001 - the exception itself is what is compared
        return type(exc), str(exc)
    return None, None


ERRORS = [
    lambda L: L.distributions.Bernoulli(),
    lambda L: L.distributions.Bernoulli(probs=L.tensor([0.5]), logits=L.tensor([0.0])),
    lambda L: L.distributions.Binomial(5),
    lambda L: L.distributions.Binomial(L.tensor([2.5]), probs=L.tensor([0.5])),
    lambda L: L.distributions.Binomial(L.tensor([-1.0]), probs=L.tensor([0.5])),
    lambda L: L.distributions.Binomial(3, probs=L.tensor([1.5])),
    lambda L: L.distributions.Binomial(L.tensor([2.0, 3.0]), L.tensor([0.5, 0.5])).enumerate_support(),
    lambda L: L.distributions.Binomial(L.tensor([2.0]), L.tensor([0.5])).log_prob(L.tensor([3.0])),
    lambda L: L.distributions.Categorical(logits=L.tensor(1.0)),
    lambda L: L.distributions.OneHotCategorical(probs=L.tensor(1.0)),
    lambda L: L.distributions.OneHotCategorical(),
    lambda L: L.distributions.Categorical(probs=L.tensor([0.5, -0.5, 1.0])),
    lambda L: L.distributions.Categorical(logits=L.tensor([0.0, float('nan')])),
    lambda L: L.distributions.Categorical(logits=L.zeros(3)).sample((0,)),
    lambda L: L.distributions.Categorical(logits=L.zeros(3), validate_args=False).log_prob(L.tensor([3])),
    lambda L: L.distributions.Categorical(logits=L.zeros(2, 3)).log_prob(L.tensor([0, 1, 2])),
    lambda L: L.distributions.OneHotCategorical(logits=L.zeros(3)).log_prob(L.tensor([1.0, 1.0, 0.0])),
    lambda L: L.distributions.OneHotCategorical(logits=L.zeros(3)).log_prob(L.tensor([1.0, 0.0])),
    lambda L: L.distributions.Bernoulli(probs=L.tensor([0.5])).log_prob(L.tensor([0.5])),
    lambda L: L.distributions.Poisson(L.tensor([-1.0])),
    lambda L: L.distributions.Poisson(L.tensor([1.0])).log_prob(L.tensor([-1.0])),
    lambda L: L.distributions.Poisson(L.tensor([1.0])).mode.__class__.__name__ and L.distributions.Poisson(
        L.tensor([1.0])).rsample(),
    lambda L: L.distributions.Categorical(logits=L.zeros(3)).cdf(L.tensor(1)),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_errors_match_torch(i):
    et, em = _raise(lambda: ERRORS[i](ember))
    tt, tm = _raise(lambda: ERRORS[i](torch))
    assert tt is not None and et is tt, (et, em, tt, tm)
    # messages embed reprs of tensors: compare up to the first tensor printout; ember's core ops may put
    # their name in front of torch's message
    assert tm.split('tensor(')[0] in em


def test_subclass_with_own_init_must_define_expand():
    for lib in (ember, torch):
        class Coin(lib.distributions.Bernoulli):
            def __init__(self):
                super().__init__(probs=lib.tensor([0.5]))
        with pytest.raises(NotImplementedError):
            Coin().expand((3,))

        class Loaded(lib.distributions.Bernoulli):
            pass
        assert type(Loaded(probs=lib.tensor([0.3])).expand((2,))) is Loaded


def test_dtypes_follow_parameters():
    for name, params in [('Bernoulli', dict(probs=np.array([0.3], dtype=np.float32))),
                         ('Binomial', dict(total_count=4, logits=np.array([0.3], dtype=np.float32))),
                         ('Categorical', dict(logits=np.zeros(3, dtype=np.float32))),
                         ('OneHotCategorical', dict(probs=np.full(3, 1 / 3, dtype=np.float32))),
                         ('Poisson', dict(rate=np.array([2.0], dtype=np.float32)))]:
        e, _ = make(ember, name, params)
        t, _ = make(torch, name, params)
        for attr in ('mean', 'mode', 'variance'):
            close(getattr(e, attr), getattr(t, attr), rtol=1e-6)
        assert str(e.sample().dtype) == str(t.sample().dtype)
        if name == 'Binomial':
            assert str(e.total_count.dtype) == str(t.total_count.dtype)
        if name != 'Poisson':
            close(e.enumerate_support(), t.enumerate_support())
