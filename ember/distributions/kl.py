"""KL divergences (torch.distributions.kl): a registry of closed forms KL(p || q) keyed by the pair of
distribution types, and `kl_divergence`, which picks the most specific registered pair for two instances.

Each closed form below is E_p[log p(x) - log q(x)] worked out for the pair. Where p can put mass outside q's
support the divergence is infinite; the cross-family forms are written as -H(p) - E_p[log q(x)] with the
moments of p that E_p[log q] needs.
"""
import math
import warnings
import ember
from .distribution import ExponentialFamily
from .continuous import Normal, LogNormal, Uniform, Laplace, Exponential, Gamma, Beta, Dirichlet
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .multivariate_normal import MultivariateNormal
from .independent import Independent
from .utils import _sum_rightmost, euler_constant
from ._ops import xlogy, solve_triangular

__all__ = ['register_kl', 'kl_divergence']

_registry = {}     # (type_p, type_q) -> function, as registered
_resolved = {}     # (type(p), type(q)) of actual calls -> chosen function (or None); reset on registration

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def register_kl(type_p, type_q):
    """Decorator that registers `fn(p, q)` as the KL divergence between instances of `type_p` and `type_q`
    (both Distribution subclasses)::

        @register_kl(Normal, Normal)
        def kl_normal_normal(p, q):
            ...

    `kl_divergence` uses the registered pair closest to the instances' own types (by subclassing). When two
    registered pairs fit equally well, say (BaseP, DerivedQ) and (DerivedP, BaseQ), the one with the more
    specific p wins and a RuntimeWarning is issued; register the exact pair to settle it."""
    for t in (type_p, type_q):
        if not isinstance(t, type):
            raise TypeError("issubclass() arg 1 must be a class")

    def decorator(fn):
        _registry[type_p, type_q] = fn
        _resolved.clear()
        return fn
    return decorator


def _depth(cls, base):
    """Position of `base` in cls's method resolution order: 0 for cls itself, larger for more general."""
    return cls.__mro__.index(base)


def _lookup(type_p, type_q):
    """The registered function for the closest registered pair of ancestors, or None."""
    fits = [(_depth(type_p, a), _depth(type_q, b), a, b) for a, b in _registry
            if issubclass(type_p, a) and issubclass(type_q, b)]
    if not fits:
        return None
    p_first = min(fits, key=lambda f: (f[0], f[1]))
    q_first = min(fits, key=lambda f: (f[1], f[0]))
    if p_first[2:] != q_first[2:]:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({p_first[2].__name__}, {q_first[3].__name__})", RuntimeWarning)
    return _registry[p_first[2:]]


def kl_divergence(p, q):
    r"""The Kullback-Leibler divergence KL(p || q) = \int p(x) (\log p(x) - \log q(x)) dx between two
    distributions, batched over their broadcast batch shape.

    Args:
        p (Distribution): the first distribution.
        q (Distribution): the second distribution.

    Returns:
        Tensor: one divergence per batch element.

    Raises:
        NotImplementedError: when no KL is registered for the pair of types (see `register_kl`).
    """
    key = (type(p), type(q))
    if key not in _resolved:
        _resolved[key] = _lookup(*key)
    fn = _resolved[key]
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} and "
                                  f"q type {type(q).__name__}")
    return fn(p, q)


# --- small helpers -------------------------------------------------------------------------------------
def _inf_like(t):
    return ember.full_like(t, math.inf)


def _softplus(x):
    return ember.nn.functional.softplus(x)


def _normal_cross_entropy(mean, var, q):
    """-E[log q(x)] for q = Normal(loc, scale) and any p with the given mean and variance."""
    return q.scale.log() + _HALF_LOG_2PI + (var + (mean - q.loc) ** 2) / (2 * q.scale ** 2)


def _gamma_cross_entropy(mean, mean_log, q):
    """-E[log q(x)] for q = Gamma(concentration, rate) and any p on x > 0 with E[x] and E[log x] given."""
    a, b = q.concentration, q.rate
    return ember.lgamma(a) - a * b.log() - (a - 1) * mean_log + b * mean


# --- same family ---------------------------------------------------------------------------------------
@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    # log sigmoid(l) = -softplus(-l), log(1 - sigmoid(l)) = -softplus(l): stable in the logits
    one = p.probs * (_softplus(-q.logits) - _softplus(-p.logits))
    zero = (1 - p.probs) * (_softplus(q.logits) - _softplus(p.logits))
    # an outcome p never takes contributes nothing; one q never takes (but p does) makes KL infinite
    one = ember.where(p.probs == 0, 0.0, ember.where(q.probs == 0, math.inf, one))
    zero = ember.where(p.probs == 1, 0.0, ember.where(q.probs == 1, math.inf, zero))
    return one + zero


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    # n * KL(Bernoulli(p) || Bernoulli(q)), using p log p + (1-p) log(1-p) = p logit(p) + log(1-p)
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError('KL between Binomials where q.total_count > p.total_count is not implemented')
    per_trial = p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p()
    kl = p.total_count * per_trial
    return ember.where(p.total_count > q.total_count, math.inf, kl)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    terms = p.probs * (p.logits - q.logits)
    terms = ember.where(q.probs == 0, math.inf, terms)
    terms = ember.where(p.probs == 0, 0.0, terms)
    return terms.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    lp, lq = p.rate, q.rate
    return lp * (lp.log() - lq.log()) - (lp - lq)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    # log(s_q / s_p) + (s_p^2 + (m_p - m_q)^2) / (2 s_q^2) - 1/2, written with r = (s_p / s_q)^2
    r = (p.scale / q.scale) ** 2
    shift = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (r + shift - 1 - r.log())


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p, q):
    # exp is a bijection applied to both, and KL is invariant under it
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    ratio = p.scale / q.scale
    dist = (p.loc - q.loc).abs()
    return -ratio.log() + dist / q.scale + ratio * (-dist / p.scale).exp() - 1


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    kl = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return ember.where(outside, math.inf, kl)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    r = q.rate / p.rate
    return r - r.log() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    ap, bp, aq, bq = p.concentration, p.rate, q.concentration, q.rate
    return ((ap - aq) * ember.digamma(ap) - ember.lgamma(ap) + ember.lgamma(aq)
            + aq * (bp.log() - bq.log()) + ap * (bq / bp - 1))


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    a1, b1, a2, b2 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    log_beta = lambda a, b: ember.lgamma(a) + ember.lgamma(b) - ember.lgamma(a + b)  # noqa: E731
    return (log_beta(a2, b2) - log_beta(a1, b1) + (a1 - a2) * ember.digamma(a1) + (b1 - b2) * ember.digamma(b1)
            + (a2 - a1 + b2 - b1) * ember.digamma(a1 + b1))


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    a, b = p.concentration, q.concentration
    a0 = a.sum(-1)
    return (ember.lgamma(a0) - ember.lgamma(b.sum(-1)) - (ember.lgamma(a) - ember.lgamma(b)).sum(-1)
            + ((a - b) * (ember.digamma(a) - ember.digamma(a0).unsqueeze(-1))).sum(-1))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariatenormal_multivariatenormal(p, q):
    if p.event_shape != q.event_shape:
        # torch's message carries a run of spaces from a line continuation; kept so messages compare equal
        raise ValueError("KL-divergence between two Multivariate Normals with" + " " * 26
                         + "different event shapes cannot be computed")
    # with covariances Lp Lp^T and Lq Lq^T: KL = 1/2 (|Lq^-1 Lp|_F^2 + |Lq^-1 (m_q - m_p)|^2 - k)
    #                                             + sum log diag Lq - sum log diag Lp
    Lp, Lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    k = p.event_shape[0]
    batch = tuple(ember.broadcast_shapes(p.batch_shape, q.batch_shape))
    rhs = ember.cat([Lp.expand(batch + (k, k)), (q.loc - p.loc).expand(batch + (k,)).unsqueeze(-1)], -1)
    w = solve_triangular(Lq.expand(batch + (k, k)), rhs, upper=False)
    half_logdet = lambda L: L.diagonal(dim1=-2, dim2=-1).log().sum(-1)  # noqa: E731
    return 0.5 * ((w ** 2).sum((-2, -1)) - k) + half_logdet(Lq) - half_logdet(Lp)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """Any two members of one exponential family: the Bregman divergence of the log normalizer A,
    A(theta_q) - A(theta_p) - <theta_q - theta_p, grad A(theta_p)>."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential families cannot"
                                  + " " * 29 + "be computed using Bregman divergences")
    theta_p = [t.detach().requires_grad_() for t in p._natural_params]
    theta_q = q._natural_params
    a_p = p._log_normalizer(*theta_p)
    grads = ember.autograd.grad(a_p.sum(), theta_p, create_graph=True)
    kl = q._log_normalizer(*theta_q) - a_p
    for tp, tq, g in zip(theta_p, theta_q, grads):
        kl = kl - _sum_rightmost((tq - tp) * g, len(q.event_shape))
    return kl


# --- across families -----------------------------------------------------------------------------------
@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    # log q(0) = -rate, log q(1) = log rate - rate
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    mean_log = ember.digamma(p.concentration1) - ember.digamma(p.concentration1 + p.concentration0)
    return -p.entropy() + _gamma_cross_entropy(p.mean, mean_log, q)


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    kl = -p.entropy() + (q.high - q.low).log()
    return ember.where((q.low > 0) | (q.high < 1), math.inf, kl)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    # E[log x] = -euler_gamma - log rate for x ~ Exponential(rate)
    mean_log = -euler_constant - p.rate.log()
    return -p.entropy() + _gamma_cross_entropy(p.rate.reciprocal(), mean_log, q)


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.rate.reciprocal(), p.rate.pow(-2), q)


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.loc, 2 * p.scale ** 2, q)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    # E|x - m| for x ~ Normal(mu, s), d = mu - m: s sqrt(2/pi) exp(-d^2 / 2s^2) + d erf(d / (s sqrt 2))
    d = p.loc - q.loc
    mean_abs = (p.scale * math.sqrt(2 / math.pi) * (-(d / p.scale) ** 2 / 2).exp()
                + d * ember.erf(d / (p.scale * math.sqrt(2))))
    return -p.entropy() + (2 * q.scale).log() + mean_abs / q.scale


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    lo, hi, a, b = p.low, p.high, q.concentration1, q.concentration0
    width = hi - lo
    # antiderivatives of log x and log(1 - x): x log x - x and -((1 - x) log(1 - x) - (1 - x))
    mean_log = ((xlogy(hi, hi) - hi) - (xlogy(lo, lo) - lo)) / width
    mean_log1m = ((xlogy(1 - lo, 1 - lo) - (1 - lo)) - (xlogy(1 - hi, 1 - hi) - (1 - hi))) / width
    log_beta = ember.lgamma(a) + ember.lgamma(b) - ember.lgamma(a + b)
    kl = -width.log() + log_beta - (a - 1) * mean_log - (b - 1) * mean_log1m
    return ember.where((lo < 0) | (hi > 1), math.inf, kl)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    kl = -p.entropy() - q.rate.log() + q.rate * p.mean
    return ember.where(p.low < 0, math.inf, kl)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    lo, hi = p.low, p.high
    mean_log = ((xlogy(hi, hi) - hi) - (xlogy(lo, lo) - lo)) / (hi - lo)
    kl = -p.entropy() + _gamma_cross_entropy(p.mean, mean_log, q)
    return ember.where(lo < 0, math.inf, kl)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


# --- p reaches where q has no mass: infinite everywhere (shaped like p's parameter) ------------------
def _register_infinite(type_p, param, *types_q):
    def infinite(p, q):
        return _inf_like(getattr(p, param))
    infinite.__name__ = f'_kl_{type_p.__name__.lower()}_infinity'
    for type_q in types_q:
        register_kl(type_p, type_q)(infinite)


_register_infinite(Exponential, 'rate', Beta, Uniform)
_register_infinite(Gamma, 'concentration', Beta, Uniform)
_register_infinite(Laplace, 'loc', Beta, Exponential, Gamma, Uniform)
_register_infinite(Normal, 'loc', Beta, Exponential, Gamma, Uniform)
_register_infinite(Poisson, 'rate', Bernoulli, Binomial)
