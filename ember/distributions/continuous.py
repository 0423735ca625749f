"""Continuous distributions with torch's API: Normal, LogNormal, Uniform, Laplace, Exponential, Gamma, Beta,
Dirichlet and StudentT.

Densities, moments and reparameterised samples are compositions of differentiable ember ops, so gradients
reach the parameters (and second derivatives work wherever the underlying ops have them). Draws come from
ember's default generator, so `ember.manual_seed` makes them repeat."""
import math
import numbers
import ember
from ..tensor import Size
from . import constraints
from .distribution import Distribution, ExponentialFamily
from .utils import broadcast_all
from ._ops import _standard_gamma, xlogy, gammainc
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform

__all__ = ['Normal', 'LogNormal', 'Uniform', 'Laplace', 'Exponential', 'Gamma', 'Chi2', 'Beta', 'Dirichlet',
           'StudentT']

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _store(dist, names, values):
    """Broadcast the parameters to a common shape, set them as attributes and return the batch shape
    (empty when every parameter was a Python number)."""
    tensors = broadcast_all(*values)
    for name, t in zip(names, tensors):
        setattr(dist, name, t)
    if all(isinstance(v, numbers.Number) for v in values):
        return Size()
    return tensors[0].size()


def _expanded_copy(dist, cls, batch_shape, _instance, names, event_shape=Size()):
    """A new `cls` whose parameters `names` are `dist`'s, expanded to `batch_shape` (+ `event_shape`).
    Shapes were checked when `dist` was built, so the copy skips validation but keeps `dist`'s setting."""
    new = dist._get_checked_instance(cls, _instance)
    batch_shape = Size(batch_shape)
    full = tuple(batch_shape) + tuple(event_shape)
    for name in names:
        setattr(new, name, getattr(dist, name).expand(full))
    Distribution.__init__(new, batch_shape, event_shape, validate_args=False)
    new._validate_args = dist._validate_args
    return new


def _tiny_floor_(x):
    """Keeps positive draws strictly positive after underflow, without touching the autograd graph."""
    x.detach().clamp_(min=ember.finfo(x.dtype).tiny)
    return x


def _gamma_draws(concentration, shape):
    """Reparameterised Gamma(concentration, 1) draws of `shape` (left unclamped: the gradient reads them)."""
    return _standard_gamma(concentration.expand(shape))


class Normal(ExponentialFamily):
    """The normal (Gaussian) distribution with mean `loc` and standard deviation `scale`.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the standard deviation, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, loc, scale, validate_args=None):
        batch_shape = _store(self, ('loc', 'scale'), (loc, scale))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Normal, batch_shape, _instance, ('loc', 'scale'))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=Size()):
        noise = ember.randn(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype)
        return self.loc + noise * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # float32 results match torch's to the last bit only with this order of operations
        return -((value - self.loc) ** 2) / (2 * self.scale.pow(2)) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ember.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * ember.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()

    @property
    def _natural_params(self):
        var = self.scale.pow(2)
        return self.loc / var, -0.5 * var.reciprocal()

    def _log_normalizer(self, eta1, eta2):
        return -0.25 * eta1.pow(2) / eta2 + 0.5 * ember.log(-math.pi / eta2)


class LogNormal(TransformedDistribution):
    """The distribution of exp(X) for X ~ Normal(loc, scale): a TransformedDistribution of a Normal
    through ExpTransform, with closed forms for its moments, density and cdf.

    Args:
        loc (float or Tensor): mean of the underlying normal (log of the distribution).
        scale (float or Tensor): standard deviation of the underlying normal, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, self._get_checked_instance(LogNormal, _instance))

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + 0.5 * self.scale.pow(2)).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self):
        s2 = self.scale.pow(2)
        return s2.expm1() * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape=Size()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_value = value.log()
        # change of variables: the density of log(value), divided by d value / d log(value) = value
        return self.base_dist.log_prob(log_value) - log_value

    def cdf(self, value):
        return self.base_dist.cdf(value.log())

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class Uniform(Distribution):
    """The continuous uniform distribution on the half-open interval [low, high).

    Args:
        low (float or Tensor): lower bound (inclusive).
        high (float or Tensor): upper bound (exclusive).
        validate_args (bool, optional): check parameters and values against their constraints."""
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        batch_shape = _store(self, ('low', 'high'), (low, high))
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def arg_constraints(self):
        # each bound is only meaningful relative to the other
        return {'low': constraints.less_than(self.high), 'high': constraints.greater_than(self.low)}

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.interval(self.low, self.high)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Uniform, batch_shape, _instance, ('low', 'high'))

    @property
    def _width(self):
        return self.high - self.low

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def mode(self):
        return self.high * math.nan   # every point of the interval is a mode

    @property
    def stddev(self):
        return self._width / math.sqrt(12)

    @property
    def variance(self):
        return self._width.pow(2) / 12

    def rsample(self, sample_shape=Size()):
        u = ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.low.dtype)
        return self.low + u * self._width

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = ((value >= self.low) & (value < self.high)).to(self.low.dtype)
        return inside.log() - self._width.log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / self._width).clamp(0, 1)

    def icdf(self, value):
        return self.low + value * self._width

    def entropy(self):
        return self._width.log()


class Laplace(Distribution):
    """The Laplace (double exponential) distribution with location `loc` and scale `scale`.

    Args:
        loc (float or Tensor): the location (mean).
        scale (float or Tensor): the scale, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        batch_shape = _store(self, ('loc', 'scale'), (loc, scale))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Laplace, batch_shape, _instance, ('loc', 'scale'))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    def rsample(self, sample_shape=Size()):
        # inverse cdf of a symmetric uniform draw; the open end at -1 keeps log1p finite
        eps = ember.finfo(self.loc.dtype).eps
        u = ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(value - self.loc).abs() / self.scale - (2 * self.scale).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * ember.expm1(-d.abs() / self.scale)

    def icdf(self, value):
        t = value - 0.5
        return self.loc - self.scale * t.sign() * ember.log1p(-2 * t.abs())

    def entropy(self):
        return 1 + (2 * self.scale).log()


class Exponential(ExponentialFamily):
    """The exponential distribution with rate `rate` (density rate * exp(-rate * x) on x >= 0).

    Args:
        rate (float or Tensor): the rate (1 / mean), positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args=None):
        batch_shape = _store(self, ('rate',), (rate,))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Exponential, batch_shape, _instance, ('rate',))

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return ember.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()):
        unit = ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.rate.dtype).exponential_()
        return unit / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ember.exp(-self.rate * value)

    def icdf(self, value):
        return -ember.log1p(-value) / self.rate

    def entropy(self):
        return 1 - self.rate.log()

    @property
    def _natural_params(self):
        return (-self.rate,)

    def _log_normalizer(self, eta):
        return -ember.log(-eta)


class Gamma(ExponentialFamily):
    """The gamma distribution with shape `concentration` and inverse scale `rate`
    (density x^(concentration-1) exp(-rate x) rate^concentration / Gamma(concentration)).

    Args:
        concentration (float or Tensor): the shape parameter, positive.
        rate (float or Tensor): the rate (1 / scale), positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'concentration': constraints.positive, 'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        batch_shape = _store(self, ('concentration', 'rate'), (concentration, rate))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Gamma, batch_shape, _instance, ('concentration', 'rate'))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        return _tiny_floor_(_gamma_draws(self.concentration, shape) / self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return xlogy(a, b) + xlogy(a - 1, value) - b * value - ember.lgamma(a)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + ember.lgamma(a) + (1 - a) * ember.digamma(a)

    @property
    def _natural_params(self):
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, eta1, eta2):
        return ember.lgamma(eta1 + 1) + (eta1 + 1) * ember.log(-eta2.reciprocal())


class Chi2(Gamma):
    """The chi-square distribution with `df` degrees of freedom: Gamma(df / 2, rate=1/2). StudentT draws
    its denominators from it (and, like torch, validates `df` through it)."""
    arg_constraints = {'df': constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, self._get_checked_instance(Chi2, _instance))

    @property
    def df(self):
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the probability simplex, with concentration vector `concentration`
    (the last dimension is the event; earlier ones are batch).

    Args:
        concentration (Tensor): concentrations, positive, at least one-dimensional.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'concentration': constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(Size(shape[:-1]), Size(shape[-1:]), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expanded_copy(self, Dirichlet, batch_shape, _instance, ('concentration',), self.event_shape)

    @property
    def _total(self):
        return self.concentration.sum(-1, keepdim=True)

    @property
    def mean(self):
        return self.concentration / self._total

    @property
    def mode(self):
        a = self.concentration
        excess = (a - 1).clamp(min=0)
        interior = excess / excess.sum(-1, keepdim=True)
        # with every concentration below one the density peaks at a vertex: the first largest component
        k = a.shape[-1]
        vertex = (ember.arange(k) == excess.argmax(-1, keepdim=True)).to(a.dtype)
        at_vertex = (a < 1).all(-1, keepdim=True)
        return ember.where(at_vertex, vertex, interior)

    @property
    def variance(self):
        a, a0 = self.concentration, self._total
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def rsample(self, sample_shape=Size()):
        # normalised independent gammas; their implicit gradients make the draw reparameterised
        g = _gamma_draws(self.concentration, tuple(self._extended_shape(sample_shape)))
        return _tiny_floor_(g / g.sum(-1, keepdim=True))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return xlogy(a - 1, value).sum(-1) + ember.lgamma(a.sum(-1)) - ember.lgamma(a).sum(-1)

    def entropy(self):
        a = self.concentration
        a0 = a.sum(-1)
        k = a.shape[-1]
        log_beta = ember.lgamma(a).sum(-1) - ember.lgamma(a0)
        return log_beta + (a0 - k) * ember.digamma(a0) - ((a - 1) * ember.digamma(a)).sum(-1)

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, eta):
        return ember.lgamma(eta).sum(-1) - ember.lgamma(eta.sum(-1))


class Beta(ExponentialFamily):
    """The beta distribution on [0, 1] with shape parameters `concentration1` (alpha) and
    `concentration0` (beta); a two-component Dirichlet seen through its first component.

    Args:
        concentration1 (float or Tensor): alpha, positive.
        concentration0 (float or Tensor): beta, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'concentration1': constraints.positive, 'concentration0': constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            pair = ember.tensor([float(concentration1), float(concentration0)])
        else:
            pair = ember.stack(broadcast_all(concentration1, concentration0), -1)
        self._attach(Dirichlet(pair, validate_args=validate_args), validate_args)

    def _attach(self, pair_dist, validate_args):
        self._dirichlet = pair_dist
        super().__init__(pair_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        new._attach(self._dirichlet.expand(batch_shape), False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        n = a + b
        return a * b / (n.pow(2) * (n + 1))

    def rsample(self, sample_shape=Size()):
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(ember.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()

    @property
    def _natural_params(self):
        return self.concentration1, self.concentration0

    def _log_normalizer(self, eta1, eta0):
        return ember.lgamma(eta1) + ember.lgamma(eta0) - ember.lgamma(eta1 + eta0)


class StudentT(Distribution):
    """Student's t-distribution with `df` degrees of freedom, location `loc` and scale `scale`.

    Args:
        df (float or Tensor): degrees of freedom, positive.
        loc (float or Tensor): the location. Default: 0.
        scale (float or Tensor): the scale, positive. Default: 1."""
    arg_constraints = {'df': constraints.positive, 'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        _store(self, ('df', 'loc', 'scale'), (df, loc, scale))
        self._chi2 = Chi2(self.df, validate_args=validate_args)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _expanded_copy(self, StudentT, batch_shape, _instance, ('df', 'loc', 'scale'))
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return ember.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        finite = df > 2
        # a harmless df where the variance is infinite or undefined keeps the unused branch's gradient finite
        safe_df = ember.where(finite, df, ember.full_like(df, 3.0))
        value = self.scale.pow(2) * safe_df / (safe_df - 2)
        return ember.where(finite, value, ember.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape=Size()):
        # a normal draw divided by the root of an independent chi-square draw over df
        shape = tuple(self._extended_shape(sample_shape))
        normal = ember.randn(shape, dtype=self.df.dtype)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * normal * ember.rsqrt(chi2 / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        df = self.df
        z = (value - self.loc) / self.scale
        log_norm = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                    + ember.lgamma(0.5 * df) - ember.lgamma(0.5 * (df + 1)))
        return -0.5 * (df + 1) * ember.log1p(z.pow(2) / df) - log_norm

    def entropy(self):
        df = self.df
        half, half_next = 0.5 * df, 0.5 * (df + 1)
        log_beta = ember.lgamma(half) + math.lgamma(0.5) - ember.lgamma(half_next)
        return (self.scale.log() + half_next * (ember.digamma(half_next) - ember.digamma(half))
                + 0.5 * df.log() + log_beta)
