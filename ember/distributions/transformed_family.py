"""Distributions torch builds as transformed ones: Gumbel, HalfNormal, HalfCauchy, LogisticNormal, Weibull,
Pareto, Kumaraswamy, RelaxedBernoulli (over LogitRelaxedBernoulli) and RelaxedOneHotCategorical (over
ExpRelaxedCategorical). Each is a TransformedDistribution (`isinstance` holds, as in torch), with closed
forms for the moments and, where one is cheaper or steadier, for the density."""
import math
import numbers
import ember
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .continuous import Normal, Uniform, Exponential
from .extra import Cauchy
from .transformed_distribution import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ExpTransform, PowerTransform, SigmoidTransform,
                         StickBreakingTransform)
from .utils import broadcast_all, clamp_probs, euler_constant, lazy_property, logits_to_probs, probs_to_logits

__all__ = ['Gumbel', 'HalfNormal', 'HalfCauchy', 'LogisticNormal', 'Weibull', 'Pareto', 'Kumaraswamy',
           'LogitRelaxedBernoulli', 'RelaxedBernoulli', 'ExpRelaxedCategorical', 'RelaxedOneHotCategorical']

_LOG_2 = math.log(2.0)


def _expanded(dist, cls, batch_shape, _instance, names):
    """TransformedDistribution.expand for a subclass with its own __init__, also expanding the named
    parameters the subclass stores itself."""
    new = dist._get_checked_instance(cls, _instance)
    full = tuple(batch_shape)
    for name in names:
        setattr(new, name, getattr(dist, name).expand(full))
    return TransformedDistribution.expand(dist, batch_shape, _instance=new)


class Gumbel(TransformedDistribution):
    """The Gumbel (type-I extreme value) distribution: loc - scale * log(-log U) for U ~ Uniform(0, 1).

    Args:
        loc (float or Tensor): location.
        scale (float or Tensor): scale, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        info = ember.finfo(self.loc.dtype)
        if isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number):
            base = Uniform(info.tiny, 1 - info.eps, validate_args=validate_args)
        else:
            base = Uniform(ember.full_like(self.loc, info.tiny), ember.full_like(self.loc, 1 - info.eps),
                           validate_args=validate_args)
        transforms = [ExpTransform().inv, AffineTransform(loc=0, scale=-ember.ones_like(self.scale)),
                      ExpTransform().inv, AffineTransform(loc=self.loc, scale=-self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded(self, Gumbel, batch_shape, _instance, ('loc', 'scale'))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (self.loc - value) / self.scale
        return (z - z.exp()) - self.scale.log()

    @property
    def mean(self):
        return self.loc + self.scale * euler_constant

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def entropy(self):
        return self.scale.log() + (1 + euler_constant)


class HalfNormal(TransformedDistribution):
    """|X| for X ~ Normal(0, scale).

    Args:
        scale (float or Tensor): scale of the full normal, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'scale': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape, self._get_checked_instance(HalfNormal, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        lp = self.base_dist.log_prob(value) + _LOG_2
        return ember.where(value >= 0, lp, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - _LOG_2


class HalfCauchy(TransformedDistribution):
    """|X| for X ~ Cauchy(0, scale).

    Args:
        scale (float or Tensor): scale of the full Cauchy distribution, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'scale': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape, self._get_checked_instance(HalfCauchy, _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return ember.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.base_dist.variance

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = ember.as_tensor(value, dtype=self.base_dist.scale.dtype)
        lp = self.base_dist.log_prob(value) + _LOG_2
        return ember.where(value >= 0, lp, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - _LOG_2


class LogisticNormal(TransformedDistribution):
    """The stick-breaking image of Normal(loc, scale): a distribution on the simplex whose event has one more
    entry than `loc`'s last dimension (a scalar `loc` gives a 2-simplex).

    Args:
        loc (float or Tensor): mean of the base normal.
        scale (float or Tensor): standard deviation of the base normal, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand([1])
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape,
                                              self._get_checked_instance(LogisticNormal, _instance))

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale


class Weibull(TransformedDistribution):
    """The two-parameter Weibull distribution: scale * E^(1 / concentration) for E ~ Exponential(1).

    Args:
        scale (float or Tensor): scale (lambda), positive.
        concentration (float or Tensor): shape (k), positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'scale': constraints.positive, 'concentration': constraints.positive}
    support = constraints.positive

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(ember.ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration_reciprocal),
                      AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _expanded(self, Weibull, batch_shape, _instance, ('scale', 'concentration'))
        new.concentration_reciprocal = new.concentration.reciprocal()
        new.transforms = [PowerTransform(exponent=new.concentration_reciprocal),
                          AffineTransform(loc=0, scale=new.scale)]
        return new

    @property
    def mean(self):
        return self.scale * ember.lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k).pow(k.reciprocal())

    @property
    def variance(self):
        g1 = ember.lgamma(1 + self.concentration_reciprocal).exp()
        g2 = ember.lgamma(1 + 2 * self.concentration_reciprocal).exp()
        return self.scale.pow(2) * (g2 - g1.pow(2))

    def entropy(self):
        return (euler_constant * (1 - self.concentration_reciprocal)
                + (self.scale * self.concentration_reciprocal).log() + 1)


class Pareto(TransformedDistribution):
    """The Pareto type-I distribution: scale * exp(E) for E ~ Exponential(alpha); support [scale, inf).

    Args:
        scale (float or Tensor): the minimum value, positive.
        alpha (float or Tensor): the shape (tail index), positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'alpha': constraints.positive, 'scale': constraints.positive}

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(base, [ExpTransform(), AffineTransform(loc=0, scale=self.scale)],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _expanded(self, Pareto, batch_shape, _instance, ('scale', 'alpha'))
        new.transforms = [ExpTransform(), AffineTransform(loc=0, scale=new.scale)]
        return new

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        # infinite for alpha <= 1
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        # infinite for alpha <= 2
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on (0, 1): (1 - U^(1/b))^(1/a) for U ~ Uniform(0, 1), a Beta-like law
    with a closed-form cdf.

    Args:
        concentration1 (float or Tensor): a, positive.
        concentration0 (float or Tensor): b, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'concentration1': constraints.positive, 'concentration0': constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(ember.zeros_like(self.concentration0), ember.ones_like(self.concentration0),
                       validate_args=validate_args)
        super().__init__(base, self._chain(), validate_args=validate_args)

    def _chain(self):
        return [PowerTransform(exponent=self.concentration0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
                PowerTransform(exponent=self.concentration1.reciprocal())]

    def expand(self, batch_shape, _instance=None):
        new = _expanded(self, Kumaraswamy, batch_shape, _instance, ('concentration1', 'concentration0'))
        new.transforms = new._chain()
        return new

    def _moment(self, n):
        """E[X^n] = b B(1 + n/a, b)."""
        a, b = self.concentration1, self.concentration0
        return b * (ember.lgamma(1 + n / a) + ember.lgamma(b) - ember.lgamma(1 + n / a + b)).exp()

    @property
    def mean(self):
        return self._moment(1)

    @property
    def mode(self):
        # ((a - 1) / (a b - 1))^(1/a) where a, b >= 1 (not both 1); undefined (nan) elsewhere
        a, b = self.concentration1, self.concentration0
        defined = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        safe_a = ember.where(defined, a, ember.full_like(a, 2.0))
        safe_b = ember.where(defined, b, ember.full_like(b, 2.0))
        value = ((safe_a - 1) / (safe_a * safe_b - 1)).pow(safe_a.reciprocal())
        return ember.where(defined, value, math.nan)

    @property
    def variance(self):
        return self._moment(2) - self._moment(1).pow(2)

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        harmonic_b = ember.digamma(b + 1) + euler_constant
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic_b - a.log() - b.log()


def _as_param_tensor(temperature, like):
    if isinstance(temperature, numbers.Number):
        return ember.tensor(float(temperature), dtype=like.dtype)
    return temperature


class LogitRelaxedBernoulli(Distribution):
    """The logit of a RelaxedBernoulli sample: a logistic variable with location logits / temperature and
    scale 1 / temperature (Maddison et al., 2017).

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Number, Tensor): probability of sampling 1.
        logits (Number, Tensor): log-odds of sampling 1.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if logits is None else logits
        (param,) = broadcast_all(given)
        setattr(self, 'probs' if logits is None else 'logits', param)
        self._param = param
        batch_shape = Size() if isinstance(given, numbers.Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogitRelaxedBernoulli, _instance)
        batch_shape = Size(batch_shape)
        new.temperature = self.temperature
        for name in ('probs', 'logits'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(batch_shape))
        new._param = new.__dict__.get('probs', new.__dict__.get('logits'))
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ember.rand(shape, dtype=probs.dtype))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        t = _as_param_tensor(self.temperature, logits)
        diff = logits - value * t
        return t.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """A continuous relaxation of Bernoulli on (0, 1), reparameterisable: sigmoid of a
    LogitRelaxedBernoulli sample. Low temperatures approach the discrete distribution.

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Number, Tensor): probability of sampling 1.
        logits (Number, Tensor): log-odds of sampling 1.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape,
                                              self._get_checked_instance(RelaxedBernoulli, _instance))

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical sample (the ExpConcrete distribution of Maddison et al.,
    2017): log-softmax of (logits + Gumbel noise) / temperature.

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Tensor): event probabilities.
        logits (Tensor): unnormalised log probability of each event.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        from .discrete import Categorical
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, Size(event_shape), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        batch_shape = Size(batch_shape)
        new.temperature = self.temperature
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        u = clamp_probs(ember.rand(shape, dtype=self.logits.dtype))
        gumbels = -((-(u.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(-1, keepdim=True)

    def log_prob(self, value):
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        t = _as_param_tensor(self.temperature, logits)
        # log (K-1)! + (K-1) log t + sum_k (s_k - logsumexp(s)), s = logits - t * value
        log_scale = ember.full_like(t, float(k)).lgamma() + (k - 1) * t.log()
        score = logits - value * t
        score = (score - score.logsumexp(-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """A continuous relaxation of OneHotCategorical on the simplex (the Concrete / Gumbel-softmax
    distribution), reparameterisable: exp of an ExpRelaxedCategorical sample.

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Tensor): event probabilities.
        logits (Tensor): unnormalised log probability of each event.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape,
                                              self._get_checked_instance(RelaxedOneHotCategorical, _instance))

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
