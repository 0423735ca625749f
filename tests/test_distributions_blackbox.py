"""Black-box parity of ember.distributions.constraints and ember.distributions.kl with torch: reprs, flags,
check() results on many inputs, KL values, infinities, shapes, gradients, dispatch and errors."""
import math
import warnings
import numpy as np
import pytest
import torch
import ember
from ember.autograd import gradcheck, gradgradcheck

TC, EC = torch.distributions.constraints, ember.distributions.constraints
TD, ED = torch.distributions, ember.distributions
rng = np.random.default_rng(7)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._data)


def _pair(build):
    """build(lib, C) -> constraint, for both libraries."""
    return build(torch, TC), build(ember, EC)


# --- constraints -----------------------------------------------------------------------------------------
BUILDERS = {
    'real': lambda L, C: C.real, 'boolean': lambda L, C: C.boolean, 'one_hot': lambda L, C: C.one_hot,
    'positive': lambda L, C: C.positive, 'nonnegative': lambda L, C: C.nonnegative,
    'nonnegative_integer': lambda L, C: C.nonnegative_integer, 'positive_integer': lambda L, C: C.positive_integer,
    'unit_interval': lambda L, C: C.unit_interval, 'simplex': lambda L, C: C.simplex,
    'real_vector': lambda L, C: C.real_vector, 'lower_triangular': lambda L, C: C.lower_triangular,
    'lower_cholesky': lambda L, C: C.lower_cholesky, 'corr_cholesky': lambda L, C: C.corr_cholesky,
    'square': lambda L, C: C.square, 'symmetric': lambda L, C: C.symmetric,
    'positive_definite': lambda L, C: C.positive_definite,
    'positive_semidefinite': lambda L, C: C.positive_semidefinite,
    'interval': lambda L, C: C.interval(-1, 2.5), 'half_open': lambda L, C: C.half_open_interval(0, 1),
    'greater_than': lambda L, C: C.greater_than(1.5), 'greater_than_eq': lambda L, C: C.greater_than_eq(2),
    'less_than': lambda L, C: C.less_than(0.25), 'integer_interval': lambda L, C: C.integer_interval(-1, 3),
    'multinomial': lambda L, C: C.multinomial(4), 'independent2': lambda L, C: C.independent(C.positive, 2),
    'independent_vec': lambda L, C: C.independent(C.simplex, 1),
    'cat': lambda L, C: C.cat([C.positive, C.real, C.unit_interval], dim=-1, lengths=[2, 1, 1]),
    'cat_default': lambda L, C: C.cat([C.real, C.positive]),
    'stack0': lambda L, C: C.stack([C.positive, C.real]),
    'stack_neg': lambda L, C: C.stack([C.real_vector, C.positive_definite], dim=-2),
}


@pytest.mark.parametrize('name', list(BUILDERS))
def test_constraint_repr_and_flags(name):
    t, e = _pair(BUILDERS[name])
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e.is_discrete == t.is_discrete and e.event_dim == t.event_dim
    assert not EC.is_dependent(e)


def _values():
    """A mix of scalars, vectors and matrices with values on and around every boundary used above."""
    edges = np.array([-2.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, np.nan, np.inf, -np.inf])
    vecs = np.array([[0.2, 0.3, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [2.0, 1.0, 1.0, 0.0],
                     [1.0, 1.0, 1.0, 2.0], [-0.1, 0.6, 0.5, 0.0], [0.25, 0.25, 0.25, 0.25 + 1e-7],
                     [0.25, 0.25, 0.25, 0.25 + 1e-5], [1.5, -2.0, 0.5, 1.0]])
    c = np.array([[1.0, 0.0], [0.6, 0.8]])
    mats = np.array([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [3.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]],
                     [[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]], [[-1.0, 0.0], [0.0, 1.0]],
                     c, c + [[0, 0], [0, 2e-6]], c + [[0, 0], [0, 4e-6]], [[1.0, 1e-7], [0.0, 1.0]],
                     [[1.0, 1e-5], [0.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]])
    return [edges, edges.reshape(3, 5), vecs, vecs.reshape(3, 3, 4), mats, mats[:4].reshape(2, 2, 2, 2)]


def _check_both(t, e, arr, dtype=np.float32):
    try:
        want = t.check(torch.tensor(arr.astype(dtype)))
    except Exception as err:   # the same exception class must come out of ember
        with pytest.raises(type(err)):
            e.check(ember.tensor(arr.astype(dtype)))
        return
    got = e.check(ember.tensor(arr.astype(dtype)))
    assert got.dtype == ember.bool
    np.testing.assert_array_equal(_np(got), want.numpy())


@pytest.mark.parametrize('name', list(BUILDERS))
def test_constraint_check_matches_torch(name):
    t, e = _pair(BUILDERS[name])
    for arr in _values():
        if arr.shape[-1:] != (4,) and name == 'cat':
            continue   # torch asserts on the split lengths; the shapes below exercise it
        if name.startswith('stack') and (arr.ndim < 2 or arr.shape[0 if name == 'stack0' else -2] != 2):
            continue
        for dtype in (np.float32, np.float64):
            _check_both(t, e, arr, dtype)


def test_matrix_checks_one_by_one_and_tolerances():
    """Matrix constraints per matrix (no batch mixing), around the float32/float64 tolerances."""
    for dtype in (np.float32, np.float64):
        for n in (2, 3, 5):
            for k in (5, 9, 11, 20, 40):
                m = np.eye(n)
                m[1, 1] += k * np.finfo(dtype).eps * n / 2
                for name in ('corr_cholesky', 'lower_cholesky'):
                    _check_both(getattr(TC, name), getattr(EC, name), m, dtype)
        for a in rng.normal(size=(6, 3, 3)):
            for m in (a, a + a.T, a @ a.T, np.tril(a), -a @ a.T):
                for name in ('symmetric', 'positive_definite', 'positive_semidefinite', 'lower_triangular',
                             'lower_cholesky', 'square'):
                    _check_both(getattr(TC, name), getattr(EC, name), m, dtype)
    _check_both(TC.square, EC.square, np.ones((2, 3)))
    _check_both(TC.symmetric, EC.symmetric, np.ones((4, 2, 3)))


def test_integer_and_python_number_checks():
    v = np.array([0.0, 1.0, 1.5, -1.0, 2.0, 3.0, 7.0])
    for name in ('nonnegative_integer', 'positive_integer', 'boolean'):
        _check_both(getattr(TC, name), getattr(EC, name), v)
    for lo, hi in ((0, 2), (-3, 0), (1, 1)):
        _check_both(TC.integer_interval(lo, hi), EC.integer_interval(lo, hi), v)
    # plain numbers work as values and bounds (the answer is then a Python bool)
    assert EC.interval(0, 1).check(0.5) is True and EC.interval(0, 1).check(2.0) is False
    assert repr(EC.interval(ember.tensor([0.0, 1.0]), 2)) == repr(TC.interval(torch.tensor([0.0, 1.0]), 2))
    assert bool(EC.greater_than(ember.tensor(1.0)).check(ember.tensor(2.0)))


def test_independent_errors_and_attributes():
    for C in (TC, EC):
        c = C.independent(C.positive, 2)
        assert c.reinterpreted_batch_ndims == 2 and repr(c.base_constraint) == 'GreaterThan(lower_bound=0.0)'
        with pytest.raises(AssertionError, match='must be an int'):
            C.independent(C.real, 1.5)
        with pytest.raises(AssertionError, match='must be a Constraint'):
            C.independent(3, 1)
    msgs = []
    for lib, C in ((torch, TC), (ember, EC)):
        with pytest.raises(ValueError) as info:
            C.independent(C.positive, 2).check(lib.ones(3))
        msgs.append(str(info.value))
        with pytest.raises(ValueError) as info:
            C.independent(C.simplex, 1).check(lib.ones(3))
        msgs.append(str(info.value))
    assert msgs[:2] == msgs[2:]


def test_cat_stack_attributes_and_errors():
    for C in (TC, EC):
        c = C.cat((C.real, C.positive), 1, [2, 3])
        assert c.cseq == [C.real, C.positive] and c.dim == 1 and c.lengths == [2, 3]
        assert C.cat([C.real, C.positive]).lengths == [1, 1]
        s = C.stack((C.real,), dim=-1)
        assert s.cseq == [C.real] and s.dim == -1
        with pytest.raises(AssertionError, match=r'lengths \(1\) must match cseq \(2\)'):
            C.cat([C.real, C.real], 0, [1])
        with pytest.raises(AssertionError, match='must be Constraint instances'):
            C.stack([C.real, 3])
        assert C.cat([C.boolean, C.real]).is_discrete and not C.stack([C.real, C.real]).is_discrete
    for d in (-3, -2, -1, 0, 1, 2):
        for parts in (('real', 'real'), ('real_vector', 'real'), ('positive_definite', 'real')):
            t = TC.stack([getattr(TC, p) for p in parts], d)
            e = EC.stack([getattr(EC, p) for p in parts], d)
            assert e.event_dim == t.event_dim, (d, parts)
            assert EC.cat([getattr(EC, p) for p in parts], d).event_dim == TC.cat(
                [getattr(TC, p) for p in parts], d).event_dim


def test_dependent_constraints():
    for C in (TC, EC):
        assert repr(C.dependent) == 'Dependent()' and C.is_dependent(C.dependent)
        assert not C.is_dependent(C.real)
        with pytest.raises(NotImplementedError, match=r'\.is_discrete cannot be determined statically'):
            C.dependent.is_discrete
        with pytest.raises(NotImplementedError, match=r'\.event_dim cannot be determined statically'):
            C.dependent.event_dim
        with pytest.raises(ValueError, match='Cannot determine validity of dependent constraint'):
            C.dependent.check(1.0)
        d = C.dependent(event_dim=3)
        assert d.event_dim == 3
        with pytest.raises(NotImplementedError):
            d.is_discrete
        d2 = d(is_discrete=True)   # keeps the event_dim it was given
        assert d2.is_discrete is True and d2.event_dim == 3 and C.dependent(is_discrete=False).is_discrete is False

        class Holder:
            @C.dependent_property
            def plain(self):
                return C.real

            @C.dependent_property(is_discrete=True, event_dim=1)
            def flagged(self):
                return C.simplex

        assert repr(Holder.plain) == 'DependentProperty()' and C.is_dependent(Holder.plain)
        assert Holder().plain is C.real and Holder().flagged is C.simplex
        assert Holder.flagged.is_discrete is True and Holder.flagged.event_dim == 1
        with pytest.raises(NotImplementedError):
            Holder.plain.event_dim
        assert C.dependent_property(lambda s: 1, is_discrete=True).is_discrete


def test_constraint_base_class():
    for C in (TC, EC):
        class Foo(C.Constraint):
            pass

        class _Bar(C.Constraint):
            event_dim = 1

        assert repr(Foo()) == 'oo()' and repr(_Bar()) == 'Bar()'
        assert Foo().is_discrete is False and Foo().event_dim == 0
        with pytest.raises(NotImplementedError):
            Foo().check(1.0)


def test_distribution_supports_and_arg_constraints():
    """The constraints distributions expose: same reprs, same validation verdicts."""
    cases = [('Normal', (0.0, 1.0)), ('Uniform', (0.0, 2.0)), ('Gamma', (2.0, 3.0)), ('Beta', (2.0, 3.0)),
             ('Exponential', (2.0,)), ('Poisson', (2.0,)), ('Bernoulli', (0.3,)), ('Laplace', (0.0, 1.0))]
    for name, args in cases:
        t = getattr(TD, name)(*[torch.tensor(a) for a in args])
        e = getattr(ED, name)(*[ember.tensor(a) for a in args])
        assert repr(e.support) == repr(t.support), name
        assert {k: repr(v) for k, v in e.arg_constraints.items()} == \
            {k: repr(v) for k, v in t.arg_constraints.items()}, name
        assert EC.is_dependent(type(e).support) == TC.is_dependent(type(t).support), name
        for x in (-1.0, 0.0, 0.5, 1.0, 3.0):
            assert bool(e.support.check(ember.tensor(x))) == bool(t.support.check(torch.tensor(x))), (name, x)


# --- KL divergence ---------------------------------------------------------------------------------------
def _mk(lib, name, kw, grad=True):
    """The distribution and the leaf tensors it was built from."""
    D = lib.distributions
    args = {k: (lib.tensor(v, requires_grad=grad and k != 'total_count') if isinstance(v, np.ndarray) else v)
            for k, v in kw.items()}
    leaves = [v for v in args.values() if isinstance(v, lib.Tensor) and v.requires_grad]
    if name == 'Independent':
        return D.Independent(D.Normal(args['loc'], args['scale']), kw['n']), leaves
    return getattr(D, name)(**args), leaves


def _pos(*shape):
    return rng.uniform(0.5, 3.0, shape)


P3 = dict(loc=rng.normal(size=3), scale=_pos(3))
KL_CASES = [
    ('Bernoulli', dict(probs=rng.uniform(0.1, 0.9, 3)), 'Poisson', dict(rate=_pos(3))),
    ('Beta', dict(concentration1=_pos(3), concentration0=_pos(3)), 'Exponential', dict(rate=_pos(3))),
    ('Beta', dict(concentration1=_pos(3), concentration0=_pos(3)), 'Normal', dict(loc=rng.normal(size=3),
                                                                                   scale=_pos(3))),
    ('Beta', dict(concentration1=_pos(4), concentration0=_pos(4)), 'Uniform',
     dict(low=np.array([0.0, -1.0, 0.1, -0.5]), high=np.array([1.0, 1.0, 1.0, 0.9]))),
    ('Exponential', dict(rate=_pos(3)), 'Normal', dict(loc=rng.normal(size=3), scale=_pos(3))),
    ('Gamma', dict(concentration=_pos(3), rate=_pos(3)), 'Exponential', dict(rate=_pos(2, 3))),
    ('Laplace', P3, 'Normal', dict(loc=rng.normal(size=3), scale=_pos(3))),
    ('Laplace', P3, 'Laplace', dict(loc=rng.normal(size=(2, 3)), scale=_pos(2, 3))),
    ('Normal', P3, 'Laplace', dict(loc=rng.normal(size=3), scale=_pos(3))),
    ('Uniform', dict(low=np.array([0.0, -1.0, 0.5]), high=np.array([1.0, 1.0, 0.9])), 'Exponential',
     dict(rate=_pos(3))),
    ('Uniform', dict(low=np.array([0.0, -1.0, 0.5]), high=np.array([1.0, 1.0, 0.9])), 'Gamma',
     dict(concentration=_pos(3), rate=_pos(3))),
    ('Uniform', dict(low=np.array([0.0, 0.2, 0.5]), high=np.array([1.0, 1.0, 0.9])), 'Beta',
     dict(concentration1=_pos(3), concentration0=_pos(3))),
    ('Uniform', dict(low=np.array([0.0, 0.0, 0.5]), high=np.array([1.0, 2.0, 0.9])), 'Uniform',
     dict(low=np.array([0.0, 0.1, 0.0]), high=np.array([1.0, 2.0, 1.0]))),
    ('LogNormal', P3, 'LogNormal', dict(loc=rng.normal(size=3), scale=_pos(3))),
    ('Independent', dict(P3, n=1), 'Independent', dict(loc=rng.normal(size=3), scale=_pos(3), n=1)),
    ('Exponential', dict(rate=_pos(3)), 'Exponential', dict(rate=_pos(2, 1))),
    ('Dirichlet', dict(concentration=_pos(3, 4)), 'Dirichlet', dict(concentration=_pos(4))),
    ('Normal', P3, 'Normal', dict(loc=rng.normal(size=(2, 1)), scale=_pos(2, 3))),
    ('Gamma', dict(concentration=_pos(3), rate=_pos(3)), 'Gamma', dict(concentration=_pos(3), rate=_pos(3))),
    ('MultivariateNormal', dict(loc=rng.normal(size=(3, 2)), scale_tril=np.linalg.cholesky(
        np.eye(2) * 2 + 0.5)), 'MultivariateNormal', dict(loc=rng.normal(size=(4, 1, 2)),
                                                          covariance_matrix=np.eye(2) * 1.5)),
]
INF_CASES = [('Exponential', dict(rate=_pos(3)), q) for q in ('Beta', 'Uniform')] + \
    [('Gamma', dict(concentration=_pos(3), rate=_pos(3)), q) for q in ('Beta', 'Uniform')] + \
    [(p, P3, q) for p in ('Laplace', 'Normal') for q in ('Beta', 'Exponential', 'Gamma', 'Uniform')] + \
    [('Poisson', dict(rate=_pos(3)), q) for q in ('Bernoulli', 'Binomial')]
Q_FOR_INF = {'Beta': dict(concentration1=_pos(2, 3), concentration0=_pos(2, 3)),
             'Uniform': dict(low=np.zeros((2, 3)), high=np.ones((2, 3))), 'Exponential': dict(rate=_pos(2, 3)),
             'Gamma': dict(concentration=_pos(2, 3), rate=_pos(2, 3)), 'Bernoulli': dict(probs=np.full((2, 3), .3)),
             'Binomial': dict(total_count=5, probs=np.full((2, 3), .3))}


def _kl_both(pc, pk, qc, qk, grad=True):
    out = []
    for lib in (torch, ember):
        (p, lp), (q, lq) = _mk(lib, pc, pk, grad), _mk(lib, qc, qk, grad)
        kl = lib.distributions.kl_divergence(p, q)
        leaves = lp + lq
        if kl.requires_grad:
            kl.nan_to_num(posinf=0.0).sum().backward()
        out.append((kl, [None if v.grad is None else _np(v.grad) for v in leaves]))
    return out


@pytest.mark.parametrize('case', range(len(KL_CASES)))
def test_kl_values_and_gradients(case):
    (tk, tg), (ek, eg) = _kl_both(*KL_CASES[case])
    assert tuple(ek.shape) == tuple(tk.shape) and ek.requires_grad == tk.requires_grad
    np.testing.assert_allclose(_np(ek), _np(tk), rtol=1e-5, atol=1e-6)
    assert len(eg) == len(tg)
    for a, b in zip(eg, tg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('case', range(len(INF_CASES)))
def test_kl_infinite_pairs(case):
    pc, pk, qc = INF_CASES[case]
    (tk, _), (ek, _) = _kl_both(pc, pk, qc, Q_FOR_INF[qc])
    assert tuple(ek.shape) == tuple(tk.shape) and ek.requires_grad == tk.requires_grad
    assert repr(ek.dtype) == repr(tk.dtype) and np.all(np.isposinf(_np(ek)))


def test_kl_edge_probabilities():
    t = np.array
    cases = [('Bernoulli', dict(probs=t([0.0, 1.0, 0.0, 1.0, 0.5, 0.5])), 'Bernoulli',
              dict(probs=t([0.0, 1.0, 1.0, 0.0, 0.0, 1.0]))),
             ('Bernoulli', dict(logits=t([-np.inf, np.inf, 0.0])), 'Bernoulli', dict(logits=t([0.0, 1.0, -np.inf]))),
             ('Categorical', dict(probs=t([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])), 'Categorical',
              dict(probs=t([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]))),
             ('Poisson', dict(rate=t([0.0, 1.0, 2.0, 0.5])), 'Poisson', dict(rate=t([1.0, 0.0, 2.0, 3.0]))),
             ('Bernoulli', dict(probs=t([0.0, 1.0, 0.3])), 'Poisson', dict(rate=t([1.0, 0.0, 2.0]))),
             ('Uniform', dict(low=t([0.0, 0.0]), high=t([1.0, 3.0])), 'Uniform',
              dict(low=t([-1.0, 0.0]), high=t([2.0, 2.0])))]
    for pc, pk, qc, qk in cases:
        (tk, _), (ek, _) = _kl_both(pc, pk, qc, qk, grad=False)
        np.testing.assert_allclose(_np(ek), _np(tk), rtol=1e-5, equal_nan=True)


def test_kl_binomial_counts():
    res = []
    for lib in (torch, ember):
        B = lib.distributions.Binomial
        kl = lib.distributions.kl_divergence(B(lib.tensor([5.0, 5.0, 6.0, 5.0]), lib.tensor([0.3, 0.0, 0.4, 1.0])),
                                             B(lib.tensor([5.0, 5.0, 5.0, 5.0]), lib.tensor([0.4, 0.4, 0.3, 0.4])))
        res.append(_np(kl))
        with pytest.raises(NotImplementedError, match=r'q\.total_count > p\.total_count'):
            lib.distributions.kl_divergence(B(lib.tensor([3.0, 5.0]), 0.3), B(lib.tensor([5.0, 5.0]), 0.4))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-5)


def _message(fn, lib):
    try:
        fn(lib)
    except Exception as e:
        return type(e), str(e)
    raise AssertionError('no error')


@pytest.mark.parametrize('fn', [
    lambda L: L.distributions.kl_divergence(L.distributions.Poisson(L.tensor(1.0)), L.distributions.Normal(0.0, 1.0)),
    lambda L: L.distributions.kl_divergence(L.distributions.StudentT(L.tensor(3.0)), L.distributions.Normal(0.0, 1.0)),
    lambda L: L.distributions.kl_divergence(
        L.distributions.Independent(L.distributions.Normal(L.zeros(2, 3), 1.0), 1),
        L.distributions.Independent(L.distributions.Normal(L.zeros(2, 3), 1.0), 2)),
    lambda L: L.distributions.kl_divergence(L.distributions.MultivariateNormal(L.zeros(2), L.eye(2)),
                                            L.distributions.MultivariateNormal(L.zeros(3), L.eye(3))),
    lambda L: L.distributions.register_kl(3, L.distributions.Normal),
    lambda L: L.distributions.register_kl(L.distributions.Normal, 'Normal'),
])
def test_kl_errors_match_torch(fn):
    assert _message(fn, ember) == _message(fn, torch)


def test_kl_dispatch_specificity_and_ambiguity():
    got = []
    for lib in (torch, ember):
        D = lib.distributions

        class A(D.Normal):
            pass

        class B(D.Normal):
            pass

        class A2(A):
            pass

        @D.register_kl(A, D.Normal)
        def _zero(p, q):
            return lib.zeros(())

        @D.register_kl(D.Normal, B)
        def _one(p, q):
            return lib.ones(())

        assert _zero.__name__ == '_zero'   # the decorator hands the function back
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            v1 = float(D.kl_divergence(A(0.0, 1.0), B(0.0, 1.0)))
            v2 = float(D.kl_divergence(A2(0.0, 1.0), D.Normal(1.0, 1.0)))   # inherits A's entry
            v3 = float(D.kl_divergence(D.Normal(0.0, 1.0), B(1.0, 1.0)))
            v4 = float(D.kl_divergence(B(0.0, 1.0), A(0.0, 2.0)))            # the general Normal formula
        got.append((v1, v2, v3, round(v4, 6), [(x.category, str(x.message)) for x in w]))

        @D.register_kl(A, B)   # registering the exact pair settles it, and resets the cached choice
        def _two(p, q):
            return lib.full((), 2.0)

        got.append(float(D.kl_divergence(A(0.0, 1.0), B(0.0, 1.0))))
    assert got[2] == got[0] and got[3] == got[1] == 2.0
    assert got[0][4] == [(RuntimeWarning, 'Ambiguous kl_divergence(A, B). Please register_kl(A, B)')]


def _my_poisson(lib):
    class MyPoisson(lib.distributions.ExponentialFamily):
        """A Poisson written only through its natural parameter, to reach the Bregman-divergence KL."""
        arg_constraints = {}

        def __init__(self, rate):
            self.rate = rate
            super().__init__(batch_shape=rate.shape, validate_args=False)

        @property
        def _natural_params(self):
            return (self.rate.log(),)

        def _log_normalizer(self, x):
            return x.exp()

    return MyPoisson


def test_kl_exponential_family_bregman():
    rp, rq = _pos(4), _pos(4)
    res = []
    for lib in (torch, ember):
        P = _my_poisson(lib)
        a, b = lib.tensor(rp, requires_grad=True), lib.tensor(rq, requires_grad=True)
        kl = lib.distributions.kl_divergence(P(a), P(b))
        kl.sum().backward()
        res.append((_np(kl), None if a.grad is None else _np(a.grad), _np(b.grad)))
        with pytest.raises(NotImplementedError, match='different exponential families'):
            lib.distributions.kl_divergence(P(a), lib.distributions.Poisson(b))
    for x, y in zip(res[1], res[0]):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-10)
    # and it agrees with the closed form
    np.testing.assert_allclose(res[1][0], rp * np.log(rp / rq) - rp + rq, rtol=1e-10)


@pytest.mark.parametrize('pair', [
    (lambda a, b: ED.Beta(a, b), lambda a, b: ED.Gamma(b, a)),
    (lambda a, b: ED.Normal(a, b), lambda a, b: ED.Laplace(b, a)),
    (lambda a, b: ED.Uniform(a * 0.1, a * 0.1 + 0.5), lambda a, b: ED.Beta(a, b)),
    (lambda a, b: ED.Exponential(a), lambda a, b: ED.Gamma(a, b)),
    (lambda a, b: ED.Bernoulli(logits=a - 1), lambda a, b: ED.Bernoulli(logits=b - 2)),
    (lambda a, b: ED.Dirichlet(a.unsqueeze(0) * b.unsqueeze(1)), lambda a, b: ED.Dirichlet(b + 1)),
])
def test_kl_gradcheck(pair):
    mp, mq = pair
    a = ember.tensor(_pos(3), requires_grad=True)
    b = ember.tensor(_pos(3), requires_grad=True)
    f = lambda a, b: ED.kl_divergence(mp(a, b), mq(a + 0.5, b * 0.7))  # noqa: E731
    assert gradcheck(f, (a, b))


def test_kl_gradgradcheck():
    a = ember.tensor(_pos(3), requires_grad=True)
    b = ember.tensor(_pos(3), requires_grad=True)
    assert gradgradcheck(lambda a, b: ED.kl_divergence(ED.Gamma(a, b), ED.Gamma(b, a)), (a, b))
    L = ember.tensor(np.linalg.cholesky(np.eye(3) + 0.3), requires_grad=True)
    m = ember.tensor(rng.normal(size=3), requires_grad=True)
    assert gradgradcheck(lambda m, L: ED.kl_divergence(ED.MultivariateNormal(m, scale_tril=L.tril()),
                                                       ED.MultivariateNormal(m * 0.5, scale_tril=L.tril() * 1.5)), (m, L))


def test_kl_docstring_and_module_names():
    assert ED.kl.__all__ == ['register_kl', 'kl_divergence']
    assert 'KL' in ED.kl_divergence.__doc__ and ED.register_kl.__doc__
    assert math.isfinite(float(ED.kl_divergence(ED.Normal(0.0, 1.0), ED.Normal(0.5, 2.0))))
