"""KL divergences (registered into torch.distributions.kl's registry) for the distributions added beside
the original set: transformed distributions with equal transforms, Gumbel, Cauchy, Geometric, Pareto,
ContinuousBernoulli and the low-rank normal, and the cross-family pairs torch has among them.

Cross-family forms are -H(p) - E_p[log q(x)], with the moments of p that E_p[log q] needs; where p puts
mass outside q's support the divergence is infinite."""
import math
import ember
from .continuous import Normal, Uniform, Laplace, Exponential, Gamma, Beta
from .extra import Cauchy, Geometric, ContinuousBernoulli
from .transformed_family import Gumbel, Pareto
from .transformed_distribution import TransformedDistribution
from .multivariate_normal import MultivariateNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .kl import register_kl, kl_divergence, _normal_cross_entropy, _gamma_cross_entropy, \
    _kl_multivariatenormal_multivariatenormal, _register_infinite
from .utils import _sum_rightmost, euler_constant
from ._ops import xlogy

__all__ = []


def _where_inf(cond, value):
    return ember.where(cond, math.inf, value)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    # the same bijection applied to both leaves KL unchanged
    if p.transforms != q.transforms:
        raise NotImplementedError
    if p.event_shape != q.event_shape:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist),
                          len(p.event_shape) - len(p.base_dist.event_shape))


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    r = p.scale / q.scale
    shift = (q.loc - p.loc) / q.scale
    # E_p[exp(-(x - m_q)/s_q)] = exp(shift) Gamma(1 + r)
    return -r.log() - shift + r * euler_constant + (shift + ember.lgamma(1 + r)).exp() - (1 + euler_constant)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    return (((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log() - (4 * p.scale * q.scale).log())


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    a1, s1, a2, s2 = p.alpha, p.scale, q.alpha, q.scale
    kl = (a1 / a2).log() + a2 * (s1 / s2).log() + a2 / a1 - 1
    return _where_inf(s1 < s2, kl)


def _pareto_mean_log(p):
    return p.scale.log() + p.alpha.reciprocal()


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    kl = -p.entropy() - q.rate.log() + q.rate * p.mean
    return _where_inf(p.alpha <= 1, kl)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    kl = -p.entropy() + _gamma_cross_entropy(p.mean, _pareto_mean_log(p), q)
    return _where_inf(p.alpha <= 1, kl)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    kl = -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)
    return _where_inf(p.alpha <= 2, kl)


def _uniform_mean_log(lo, hi):
    """E[log x] for x ~ Uniform(lo, hi) with 0 <= lo < hi."""
    return ((xlogy(hi, hi) - hi) - (xlogy(lo, lo) - lo)) / (hi - lo)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    a, s = q.alpha, q.scale
    log_q = a.log() + a * s.log() - (a + 1) * _uniform_mean_log(p.low, p.high)
    kl = -p.entropy() - log_q
    return _where_inf(p.low < s, kl)


def _gumbel_log_q_terms(mean, mgf_at, q):
    """-E_p[log q(x)] for q = Gumbel(m, s): log s + E[z] + E[exp(-z)], z = (x - m)/s, with E[exp(-x/s)]
    given by p's moment generating function at -1/s."""
    return q.scale.log() + (mean - q.loc) / q.scale + (q.loc / q.scale).exp() * mgf_at(-1 / q.scale)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mgf = lambda t: (p.loc * t + 0.5 * p.scale.pow(2) * t.pow(2)).exp()  # noqa: E731
    return -p.entropy() + _gumbel_log_q_terms(p.loc, mgf, q)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    def mgf(t):
        return ((t * p.high).exp() - (t * p.low).exp()) / (t * (p.high - p.low))
    return -p.entropy() + _gumbel_log_q_terms(p.mean, mgf, q)


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    mgf = lambda t: p.rate / (p.rate - t)  # noqa: E731
    return -p.entropy() + _gumbel_log_q_terms(p.mean, mgf, q)


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    mgf = lambda t: (1 - t / p.rate).pow(-p.concentration)  # noqa: E731
    return -p.entropy() + _gumbel_log_q_terms(p.mean, mgf, q)


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


# --- ContinuousBernoulli -------------------------------------------------------------------------------
def _cb_log_q(mean, q):
    """E_p[log q(x)] for q continuous Bernoulli: log C + E[x] logit + log(1 - lambda)."""
    return q._cont_bern_log_norm() + mean * q.logits + (-q.probs).log1p()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_contbern_contbern(p, q):
    return (p.mean * (p.logits - q.logits) + p._cont_bern_log_norm() + (-p.probs).log1p()
            - q._cont_bern_log_norm() - (-q.probs).log1p())


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_contbern(p, q):
    return -p.entropy() - _cb_log_q(p.mean, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_contbern(p, q):
    kl = -p.entropy() - _cb_log_q(p.mean, q)
    return _where_inf((p.low < 0) | (p.high > 1), kl)


@register_kl(ContinuousBernoulli, Normal)
def _kl_contbern_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_contbern_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Uniform)
def _kl_contbern_uniform(p, q):
    kl = -p.entropy() + (q.high - q.low).log()
    return _where_inf((q.low > 0) | (q.high < 1), kl)


# --- the low-rank normal, through the dense Cholesky factors -----------------------------------------
def _as_dense(d):
    if isinstance(d, LowRankMultivariateNormal):
        return MultivariateNormal(d.loc, scale_tril=d.scale_tril, validate_args=False)
    return d


def _kl_lowrank(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with different event "
                         "shapes cannot be computed")
    return _kl_multivariatenormal_multivariatenormal(_as_dense(p), _as_dense(q))


for _pair in ((LowRankMultivariateNormal, LowRankMultivariateNormal), (LowRankMultivariateNormal,
              MultivariateNormal), (MultivariateNormal, LowRankMultivariateNormal)):
    register_kl(*_pair)(_kl_lowrank)


# --- p reaches where q has no mass --------------------------------------------------------------------
_register_infinite(Gumbel, 'loc', Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform)
_register_infinite(Pareto, 'scale', Beta, ContinuousBernoulli, Uniform)
_register_infinite(ContinuousBernoulli, 'probs', Pareto)
_register_infinite(Normal, 'loc', Pareto, ContinuousBernoulli)
_register_infinite(Laplace, 'loc', Pareto, ContinuousBernoulli)
_register_infinite(Exponential, 'rate', Pareto, ContinuousBernoulli)
_register_infinite(Gamma, 'concentration', Pareto, ContinuousBernoulli)
_register_infinite(Beta, 'concentration1', Pareto)
