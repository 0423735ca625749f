"""Black-box comparisons with torch for Distribution's base behaviour, Independent and MultivariateNormal."""
import warnings
import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck


def _run(fn, L):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            out = fn(L)
            err = None
        except Exception as e:   # noqa: BLE001 - the exception itself is what is compared
            out, err = None, (type(e).__name__, str(e).replace('torch.', '').replace('ember.', ''))
    msgs = [str(x.message).replace('torch.', '').replace('ember.', '') for x in w]
    return out, err, msgs


def _bare(L):
    return L.distributions.Distribution(L.Size([2]), L.Size([3]), validate_args=False)


class _NoConstraints:
    @staticmethod
    def make(L):
        class Custom(L.distributions.Distribution):
            def __init__(self):
                super().__init__(L.Size([2]))
        return Custom


BASE_CASES = [
    lambda L: _bare(L).mean,
    lambda L: _bare(L).mode,
    lambda L: _bare(L).variance,
    lambda L: _bare(L).stddev,
    lambda L: _bare(L).support,
    lambda L: _bare(L).arg_constraints,
    lambda L: _bare(L).rsample(),
    lambda L: _bare(L).sample((2,)),
    lambda L: _bare(L).log_prob(L.zeros(3)),
    lambda L: _bare(L).cdf(L.zeros(3)),
    lambda L: _bare(L).icdf(L.zeros(3)),
    lambda L: _bare(L).entropy(),
    lambda L: _bare(L).perplexity(),
    lambda L: _bare(L).enumerate_support(),
    lambda L: _bare(L).expand((4, 2)),
    lambda L: L.distributions.Distribution.set_default_validate_args('yes'),
    lambda L: _NoConstraints.make(L)(),
    lambda L: _NoConstraints.make(L)()._validate_sample(L.zeros(2)),
    lambda L: _NoConstraints.make(L)().expand((3, 2)),
    lambda L: L.distributions.Normal(0.0, 1.0)._get_checked_instance(_NoConstraints.make(L)),
    lambda L: L.distributions.Normal(L.zeros(2), 1.0).log_prob([0.0, 0.0]),
    lambda L: L.distributions.Normal(L.zeros(2), 1.0).log_prob(L.zeros(3)),
    lambda L: L.distributions.Normal(L.zeros(2, 3), 1.0).log_prob(L.zeros(5, 1, 3)),
    lambda L: L.distributions.Normal(L.zeros(2), 1.0).log_prob(L.tensor(float('nan'))),
    lambda L: L.distributions.Normal(L.tensor(0.0), L.tensor(-2.0)),
    lambda L: L.distributions.Poisson(L.ones(2)).log_prob(L.tensor([0.5, 1.0])),
    lambda L: L.distributions.Normal(0.0, 1.0).sample_n(3),
    lambda L: L.distributions.Independent(L.distributions.Normal(L.zeros(3), 1.0), 2),
    lambda L: L.distributions.Independent(L.distributions.Normal(L.zeros(3), 1.0), 1).enumerate_support(),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2)),
    lambda L: L.distributions.MultivariateNormal(L.tensor(0.0), L.eye(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), precision_matrix=L.ones(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), -L.eye(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(2), precision_matrix=-L.eye(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(3), L.eye(3)).log_prob(L.zeros(2)),
    lambda L: L.distributions.MultivariateNormal(L.zeros(3), L.eye(3)).log_prob(L.zeros(2, 3).fill_(float('inf'))),
]


@pytest.mark.parametrize('case', range(len(BASE_CASES)))
def test_errors_and_warnings_match_torch(case):
    fn = BASE_CASES[case]
    _, terr, tw = _run(fn, torch)
    _, eerr, ew = _run(fn, ember)
    assert eerr == terr
    assert ew == tw


def test_shapes_and_defaults():
    for L in (torch, ember):
        d = _bare(L)
        assert tuple(d.batch_shape) == (2,) and tuple(d.event_shape) == (3,)
        assert tuple(d._extended_shape((4, 1))) == (4, 1, 2, 3)
        assert isinstance(d._extended_shape(), L.Size)
        assert d._validate_args is False
    assert ember.distributions.Distribution._validate_args is torch.distributions.Distribution._validate_args
    ember.distributions.Distribution.set_default_validate_args(False)
    try:
        ember.distributions.Normal(0.0, -1.0)   # no check when the default is off
        assert ember.distributions.Normal(0.0, 1.0)._validate_args is False
    finally:
        ember.distributions.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ember.distributions.Normal(0.0, -1.0)


def test_stddev_perplexity_and_reprs():
    p = np.array([0.3, 0.6])
    t = torch.distributions.Bernoulli(torch.tensor(p))
    e = ember.distributions.Bernoulli(ember.tensor(p))
    np.testing.assert_allclose(e.stddev.numpy(), t.stddev.numpy(), rtol=1e-12)
    np.testing.assert_allclose(e.perplexity().numpy(), t.perplexity().numpy(), rtol=1e-12)
    for fn in [lambda L: L.distributions.Normal(L.tensor(0.5), 2.0),
               lambda L: L.distributions.Normal(L.zeros(2), 1.0),
               lambda L: L.distributions.Independent(L.distributions.Normal(L.zeros(3, 2), 1.0), 1),
               lambda L: L.distributions.MultivariateNormal(L.zeros(2), L.eye(2)),
               lambda L: L.distributions.MultivariateNormal(L.zeros(2), scale_tril=L.eye(2))]:
        assert repr(fn(ember)) == repr(fn(torch))
    # computing a derived matrix stores it, and the repr then lists it
    t = torch.distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
    e = ember.distributions.MultivariateNormal(ember.zeros(2), ember.eye(2))
    t.scale_tril, e.scale_tril
    assert repr(e) == repr(t)
    td = torch.distributions.Independent(torch.distributions.Normal(torch.zeros(3, 2), 1.0), 1)
    ed = ember.distributions.Independent(ember.distributions.Normal(ember.zeros(3, 2), 1.0), 1)
    assert repr(ed.support) == repr(td.support)


def _normal_pair(shape, seed=0):
    r = np.random.default_rng(seed)
    loc, scale = r.normal(size=shape), r.uniform(0.5, 2.0, size=shape)
    return (torch.distributions.Normal(torch.tensor(loc), torch.tensor(scale)),
            ember.distributions.Normal(ember.tensor(loc), ember.tensor(scale)))


@pytest.mark.parametrize('ndims', [0, 1, 2])
def test_independent_matches_torch(ndims):
    tb, eb = _normal_pair((4, 3, 2))
    t = torch.distributions.Independent(tb, ndims)
    e = ember.distributions.Independent(eb, ndims)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
    x = np.random.default_rng(1).normal(size=(5, 4, 3, 2))
    np.testing.assert_allclose(e.log_prob(ember.tensor(x)).numpy(), t.log_prob(torch.tensor(x)).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(e.entropy().numpy(), t.entropy().numpy(), rtol=1e-12)
    for attr in ('mean', 'mode', 'variance', 'stddev'):
        np.testing.assert_allclose(getattr(e, attr).numpy(), getattr(t, attr).numpy(), rtol=1e-12)
    assert e.has_rsample == t.has_rsample and e.has_enumerate_support == t.has_enumerate_support
    assert e.arg_constraints == {} and repr(e.support) == repr(t.support)
    assert tuple(e.rsample((6,)).shape) == tuple(t.rsample((6,)).shape)
    assert tuple(e.sample().shape) == tuple(t.sample().shape)
    new_batch = (7,) + tuple(t.batch_shape)
    te, ee = t.expand(new_batch), e.expand(new_batch)
    assert type(ee) is ember.distributions.Independent
    assert tuple(ee.batch_shape) == tuple(te.batch_shape) and tuple(ee.event_shape) == tuple(te.event_shape)
    assert tuple(ee.base_dist.batch_shape) == tuple(te.base_dist.batch_shape)
    np.testing.assert_allclose(ee.log_prob(ember.tensor(x[:1])).numpy(),
                               te.log_prob(torch.tensor(x[:1])).numpy(), rtol=1e-12)


def test_independent_enumerate_and_kl():
    p = np.array([[0.2, 0.7, 0.5]])
    t = torch.distributions.Independent(torch.distributions.Bernoulli(torch.tensor(p)), 0)
    e = ember.distributions.Independent(ember.distributions.Bernoulli(ember.tensor(p)), 0)
    assert e.has_enumerate_support and t.has_enumerate_support
    for expand in (True, False):
        np.testing.assert_array_equal(e.enumerate_support(expand).numpy(), t.enumerate_support(expand).numpy())
    t1 = torch.distributions.Independent(torch.distributions.Bernoulli(torch.tensor(p)), 1)
    assert not ember.distributions.Independent(ember.distributions.Bernoulli(ember.tensor(p)), 1) \
        .has_enumerate_support and not t1.has_enumerate_support


def test_independent_gradients():
    loc = ember.tensor(np.random.default_rng(2).normal(size=(3, 2)), requires_grad=True)
    scale = ember.tensor(np.random.default_rng(3).uniform(0.5, 1.5, size=(3, 2)), requires_grad=True)
    x = ember.tensor(np.random.default_rng(4).normal(size=(3, 2)))
    assert gradcheck(lambda m, s: ember.distributions.Independent(
        ember.distributions.Normal(m, s), 2).log_prob(x), (loc, scale))


def _spd(r, batch, n):
    A = r.normal(size=batch + (n, n))
    return A @ np.swapaxes(A, -1, -2) + n * np.eye(n)


def _mvn_pair(form, loc, M):
    tkw = {form: torch.tensor(M)}
    ekw = {form: ember.tensor(M)}
    return (torch.distributions.MultivariateNormal(torch.tensor(loc), **tkw),
            ember.distributions.MultivariateNormal(ember.tensor(loc), **ekw))


@pytest.mark.parametrize('form', ['covariance_matrix', 'precision_matrix', 'scale_tril'])
@pytest.mark.parametrize('loc_batch,mat_batch,value_shape', [
    ((), (), (3,)),
    ((2,), (), (5, 2, 3)),
    ((), (2,), (5, 1, 3)),
    ((4, 1), (2,), (6, 4, 2, 3)),
    ((2,), (4, 1), (3,)),
])
def test_mvn_matches_torch(form, loc_batch, mat_batch, value_shape):
    r = np.random.default_rng(5)
    n = 3
    loc = r.normal(size=loc_batch + (n,))
    M = _spd(r, mat_batch, n)
    if form == 'scale_tril':
        M = np.linalg.cholesky(M)
    t, e = _mvn_pair(form, loc, M)
    assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
    x = r.normal(size=value_shape)
    np.testing.assert_allclose(e.log_prob(ember.tensor(x)).numpy(), t.log_prob(torch.tensor(x)).numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(e.entropy().numpy(), t.entropy().numpy(), rtol=1e-10)
    for attr in ('mean', 'mode', 'variance', 'stddev', 'covariance_matrix', 'precision_matrix', 'scale_tril'):
        a, b = getattr(e, attr), getattr(t, attr)
        assert tuple(a.shape) == tuple(b.shape), attr
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12, err_msg=attr)
    assert tuple(e.rsample((4,)).shape) == tuple(t.rsample((4,)).shape)
    assert e.has_rsample and repr(e.support) == repr(t.support)
    new_batch = (3,) + tuple(t.batch_shape)
    te, ee = t.expand(new_batch), e.expand(new_batch)
    assert sorted(k for k in vars(ee) if k in ee.arg_constraints) == \
        sorted(k for k in vars(te) if k in te.arg_constraints)
    x1 = x.reshape(-1, n)[:1]
    np.testing.assert_allclose(ee.log_prob(ember.tensor(x1)).numpy(), te.log_prob(torch.tensor(x1)).numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(ee.covariance_matrix.numpy(), te.covariance_matrix.numpy(), rtol=1e-9)


def test_mvn_float32_dtypes():
    r = np.random.default_rng(6)
    loc, M = r.normal(size=(2, 3)).astype(np.float32), _spd(r, (), 3).astype(np.float32)
    t, e = _mvn_pair('covariance_matrix', loc, M)
    x = r.normal(size=(4, 2, 3)).astype(np.float32)
    ev, tv = e.log_prob(ember.tensor(x)), t.log_prob(torch.tensor(x))
    assert str(ev.dtype).split('.')[-1] == str(tv.dtype).split('.')[-1] == 'float32'
    np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-5)
    assert e.rsample((2,)).dtype == ember.float32 and e.entropy().dtype == ember.float32


def test_mvn_rsample_statistics_and_seeding():
    r = np.random.default_rng(7)
    loc, M = r.normal(size=3), _spd(r, (), 3)
    e = ember.distributions.MultivariateNormal(ember.tensor(loc), ember.tensor(M))
    ember.manual_seed(0)
    s = e.sample((40000,)).numpy()
    ember.manual_seed(0)
    np.testing.assert_array_equal(e.sample((40000,)).numpy(), s)
    np.testing.assert_allclose(s.mean(0), loc, atol=0.1)
    np.testing.assert_allclose(np.cov(s.T), M, rtol=0.05, atol=0.1)
    assert not e.sample().requires_grad


@pytest.mark.parametrize('form', ['covariance_matrix', 'precision_matrix', 'scale_tril'])
def test_mvn_gradients(form):
    r = np.random.default_rng(8)
    M = _spd(r, (2,), 2)
    if form == 'scale_tril':
        M = np.linalg.cholesky(M)
    loc = ember.tensor(r.normal(size=(2, 2)), requires_grad=True)
    mat = ember.tensor(M, requires_grad=True)
    x = ember.tensor(r.normal(size=(3, 2, 2)))

    def f(m, A):
        if form != 'scale_tril':
            A = (A + A.mT) / 2   # keep perturbations symmetric, as the constraint demands
        d = ember.distributions.MultivariateNormal(m, **{form: A}, validate_args=False)
        return d.log_prob(x).sum() + d.entropy().sum()
    assert gradcheck(f, (loc, mat))

    # rsample is reparameterized: same noise through torch's formula gives the same values and gradients
    ember.manual_seed(3)
    eps = ember.randn(4, 2, 2, dtype=ember.float64).numpy()
    ember.manual_seed(3)
    e = ember.distributions.MultivariateNormal(loc, **{form: mat})
    samp = e.rsample((4,))
    samp.pow(2).sum().backward()
    tloc, tmat = torch.tensor(loc.detach().numpy(), requires_grad=True), torch.tensor(M, requires_grad=True)
    t = torch.distributions.MultivariateNormal(tloc, **{form: tmat})
    tsamp = t.loc + (t._unbroadcasted_scale_tril @ torch.tensor(eps).unsqueeze(-1)).squeeze(-1)
    tsamp.pow(2).sum().backward()
    np.testing.assert_allclose(samp.detach().numpy(), tsamp.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(loc.grad.numpy(), tloc.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(mat.grad.numpy(), tmat.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_mvn_kl_through_unbroadcasted_factor():
    r = np.random.default_rng(9)
    tp, ep = _mvn_pair('precision_matrix', r.normal(size=(2, 3)), _spd(r, (), 3))
    tq, eq = _mvn_pair('scale_tril', r.normal(size=3), np.linalg.cholesky(_spd(r, (2,), 3)))
    np.testing.assert_allclose(ember.distributions.kl_divergence(ep, eq).numpy(),
                               torch.distributions.kl_divergence(tp, tq).numpy(), rtol=1e-9)
