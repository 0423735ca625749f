"""More distributions with torch's API: Cauchy, Geometric, NegativeBinomial, Multinomial, ContinuousBernoulli
and VonMises (torch.distributions.cauchy, .geometric, .negative_binomial, .multinomial,
.continuous_bernoulli, .von_mises).

Densities and moments are compositions of differentiable ember ops; draws come from ember's generators."""
import math
import numbers
import ember
from ..tensor import Size
from ..nn import functional as F
from ..ops.random import _gen, _u53
from ..backend import xp_of
from . import constraints
from .distribution import Distribution, ExponentialFamily
from .discrete import _ProbsOrLogits, Categorical, Binomial
from .continuous import Gamma
from .utils import broadcast_all, clamp_probs

__all__ = ['Cauchy', 'Geometric', 'NegativeBinomial', 'Multinomial', 'ContinuousBernoulli', 'VonMises']


def _batch_of(values, tensors):
    return Size() if all(isinstance(v, numbers.Number) for v in values) else tensors[0].size()


def _expand_into(dist, cls, batch_shape, _instance, names):
    new = dist._get_checked_instance(cls, _instance)
    batch_shape = Size(batch_shape)
    for name in names:
        if name in dist.__dict__:
            setattr(new, name, dist.__dict__[name].expand(batch_shape))
    Distribution.__init__(new, batch_shape, validate_args=False)
    new._validate_args = dist._validate_args
    return new


class Cauchy(Distribution):
    """The Cauchy (Lorentz) distribution: the ratio of two independent standard normals, shifted by `loc`
    and scaled by `scale`. Its mean and variance are undefined (nan and inf).

    Args:
        loc (float or Tensor): the mode or median.
        scale (float or Tensor): half width at half maximum, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch_of((loc, scale), (self.loc,)), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_into(self, Cauchy, batch_shape, _instance, ('loc', 'scale'))

    @property
    def mean(self):
        return ember.full(tuple(self._extended_shape()), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return ember.full(tuple(self._extended_shape()), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=Size()):
        # Cauchy noise from cauchy_, as torch draws it
        eps = ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - ((value - self.loc) / self.scale).pow(2).log1p()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return ember.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()


def _resolve_validate(validate_args):
    return Distribution._validate_args if validate_args is None else validate_args


class Geometric(_ProbsOrLogits, Distribution):
    """The number of failures before the first success in Bernoulli(probs) trials (support 0, 1, 2, ...).

    Args:
        probs (Number, Tensor): success probability of each trial, in (0, 1].
        logits (Number, Tensor): log-odds of success.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        given = probs if logits is None else logits
        value = self._store(probs, logits)[0]
        batch_shape = Size() if isinstance(given, numbers.Number) else value.size()
        if probs is not None and _resolve_validate(validate_args):
            # probability 0 is inside unit_interval but no success ever happens
            if not bool((value > 0).all()):
                raise ValueError(
                    f"Expected parameter probs ({type(value).__name__} of shape {tuple(value.shape)}) of "
                    f"distribution {self!r} to be positive but found invalid values:\n{value[value <= 0]}")
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_into(self, Geometric, batch_shape, _instance, ('probs', 'logits'))

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with ember.no_grad():
            info = ember.finfo(self.probs.dtype)
            u = ember.rand(shape, dtype=self.probs.dtype).clamp(min=info.tiny)
            # inverse cdf of the failure count: floor(log u / log(1 - p))
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # p = 1 and no failures: 0 * log(0) counts as 0
        failures = ember.where((probs == 1) & (value == 0), ember.zeros_like(value), value * (-probs).log1p())
        return failures + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction='none') / self.probs


class NegativeBinomial(_ProbsOrLogits, Distribution):
    """The number of successes in Bernoulli(probs) trials before `total_count` failures occur.

    Args:
        total_count (float or Tensor): number of failures to stop at, non-negative (need not be an integer).
        probs (Tensor): success probability of each trial, in [0, 1).
        logits (Tensor): log-odds of success.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'total_count': constraints.greater_than_eq(0),
                       'probs': constraints.half_open_interval(0.0, 1.0), 'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        param, self.total_count = self._store(probs, logits, total_count)
        self.total_count = self.total_count.type_as(param)
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_into(self, NegativeBinomial, batch_shape, _instance, ('total_count', 'probs', 'logits'))

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ember.sigmoid(-self.logits)

    def sample(self, sample_shape=Size()):
        # a Poisson whose rate is Gamma(total_count, odds of failure) distributed
        with ember.no_grad():
            rate = Gamma(self.total_count, (-self.logits).exp(), validate_args=False).sample(sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        r = self.total_count
        unnormalized = r * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        normalization = -ember.lgamma(r + value) + ember.lgamma(1.0 + value) + ember.lgamma(r)
        # r = 0 with value 0 is a point mass at zero: log 1 = 0
        normalization = ember.where(r + value == 0, ember.zeros_like(normalization), normalization)
        return unnormalized - normalization


class Multinomial(Distribution):
    """Counts of each category in `total_count` independent Categorical(probs) draws; the event is the
    vector of counts (length K, the last dimension of `probs` or `logits`).

    Args:
        total_count (int): number of trials.
        probs (Tensor): event probabilities (normalised along the last dimension).
        logits (Tensor): event log-probabilities (unnormalised).
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, numbers.Number):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=probs, logits=logits)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, Size(event_shape), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        sample_shape = Size(sample_shape)
        n = self.total_count
        with ember.no_grad():
            # n class draws per outcome, counted with one scatter-add along the class dimension
            draws = self._categorical.sample(Size((n,)) + sample_shape)
            draws = draws.movedim(0, -1)
            counts = ember.zeros(tuple(self._extended_shape(sample_shape)), dtype=self.probs.dtype)
            return counts.scatter_add_(-1, draws, ember.ones_like(draws, dtype=self.probs.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        # a class of probability 0 that was never drawn contributes 0, not 0 * -inf
        logits = ember.where((value == 0) & (logits == -math.inf), ember.zeros_like(logits), logits)
        log_factorial_n = ember.lgamma(value.sum(-1) + 1)
        log_factorial_xs = ember.lgamma(value + 1).sum(-1)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)

    def entropy(self):
        # H = n H(categorical) - log n! + sum_k E[log x_k!], each x_k ~ Binomial(n, p_k)
        n = self.total_count
        probs = self.probs
        counts = ember.arange(n + 1, dtype=probs.dtype).reshape((n + 1,) + (1,) * probs.dim())
        binom = Binomial(n, probs=probs, validate_args=False)
        weights = binom.log_prob(counts).exp()
        expected_log_fact = (ember.lgamma(counts + 1) * weights).sum(0).sum(-1)
        return n * self._categorical.entropy() - math.lgamma(n + 1) + expected_log_fact


class ContinuousBernoulli(_ProbsOrLogits, ExponentialFamily):
    """The continuous Bernoulli distribution on [0, 1] (Loaiza-Ganem and Cunningham, 2019): density
    C(lambda) lambda^x (1 - lambda)^(1 - x), with the normaliser C. Near lambda = 1/2, where the closed
    forms cancel, Taylor expansions are used (inside `lims`).

    Args:
        probs (Number, Tensor): lambda, in (0, 1) (clamped to the open interval).
        logits (Number, Tensor): log-odds of lambda.
        lims (tuple): the interval around 1/2 handled by Taylor expansions.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        given = probs if logits is None else logits
        value = self._store(probs, logits)[0]
        batch_shape = Size() if isinstance(given, numbers.Number) else value.size()
        self._lims = lims
        if probs is not None:
            # kept strictly inside (0, 1), where the log terms are finite (before validation, as torch)
            self.probs = clamp_probs(self.probs)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _expand_into(self, ContinuousBernoulli, batch_shape, _instance, ('probs', 'logits'))
        new._lims = self._lims
        return new

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs >= self._lims[1])

    def _cut_probs(self):
        return ember.where(self._outside_unstable_region(), self.probs,
                           self._lims[0] * ember.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        """log C(lambda) = log |log(1 - lambda) - log(lambda)| - log |1 - 2 lambda|."""
        cut = self._cut_probs()
        below = ember.where(cut <= 0.5, cut, ember.zeros_like(cut))
        above = ember.where(cut >= 0.5, cut, ember.ones_like(cut))
        log_norm = ((ember.log1p(-cut) - cut.log()).abs().log()
                    - ember.where(cut <= 0.5, ember.log1p(-2.0 * below), (2.0 * above - 1.0).log()))
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return ember.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (ember.log1p(-cut) - cut.log())
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return ember.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return self.variance.sqrt()

    @property
    def variance(self):
        cut = self._cut_probs()
        vars_ = cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2) + 1.0 / (ember.log1p(-cut) - cut.log()).pow(2)
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return ember.where(self._outside_unstable_region(), vars_, taylor)

    def rsample(self, sample_shape=Size()):
        u = ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        bce = F.binary_cross_entropy_with_logits(logits, value, reduction='none')
        return -bce + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = ember.where(self._outside_unstable_region(), cdfs, value)
        return ember.where(value <= 0.0, ember.zeros_like(value),
                           ember.where(value >= 1.0, ember.ones_like(value), unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inv = ((ember.log1p(-cut + value * (2.0 * cut - 1.0)) - ember.log1p(-cut))
               / (cut.log() - ember.log1p(-cut)))
        return ember.where(self._outside_unstable_region(), inv, value)

    def entropy(self):
        log_p0 = ember.log1p(-self.probs)
        log_p1 = self.probs.log()
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log of the normaliser as a function of the natural parameter (the logits)."""
        outside = (x <= self._lims[0] - 0.5) | (x >= self._lims[1] - 0.5)
        cut = ember.where(outside, x, (self._lims[0] - 0.5) * ember.ones_like(x))
        log_norm = (cut.exp() - 1.0).abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return ember.where(outside, log_norm, taylor)


def _log_i0(k):
    """log I_0(k), from the exponentially scaled Bessel function (no overflow for large k)."""
    return ember.special.i0e(k).log() + k


class VonMises(Distribution):
    """The von Mises distribution on the circle: density exp(k cos(x - loc)) / (2 pi I_0(k)), for angles
    reported in [-pi, pi). Sampling uses Best and Fisher's rejection scheme (no rsample).

    Args:
        loc (float or Tensor): the mean angle (radians).
        concentration (float or Tensor): k, positive.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real, 'concentration': constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(_batch_of((loc, concentration), (self.loc,)), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_into(self, VonMises, batch_shape, _instance, ('loc', 'concentration'))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * ember.cos(value - self.loc) - math.log(2 * math.pi) - _log_i0(k)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        # circular variance 1 - I_1(k) / I_0(k)
        k = self.concentration
        return 1 - ember.special.i1e(k) / ember.special.i0e(k)

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with ember.no_grad():
            k = self.concentration.detach().expand(shape)._data
            xp = xp_of(k)
            g = _gen(None, 'von_mises')
            kk = xp.asarray(k, dtype='float64').ravel()
            # Best & Fisher (1979): a wrapped Cauchy envelope with rejection, in double, in rounds over the
            # whole shape as torch draws them (three double uniforms per element and round; a later acceptance
            # replaces an earlier one); for tiny k the envelope's parameter comes from its series (0 / 0 else)
            tau = 1 + xp.sqrt(1 + 4 * kk * kk)
            safe = xp.maximum(kk, 1e-5)
            rho = xp.where(kk < 1e-5, kk / 2 - 0.375 * kk ** 3, (tau - xp.sqrt(2 * tau)) / (2 * safe))
            r = (1 + rho * rho) / (2 * rho)
            out = xp.zeros_like(kk)
            done = xp.zeros(kk.shape, bool)
            while not done.all():
                u1, u2, u3 = (_u53(g, kk.size) for _ in range(3))
                z = xp.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kk * (r - f)
                ok = (c * (2 - c) - u2 > 0) | (xp.log(c / u2) + 1 - c >= 0)
                theta = xp.sign(u3 - 0.5) * xp.arccos(f)
                out = xp.where(ok, theta, out)
                done |= ok
            angle = (out.reshape(shape) + math.pi) + xp.asarray(self.loc.detach().expand(shape)._data, dtype='float64')
            wrapped = ember.as_tensor(angle).remainder(2 * math.pi) - math.pi
            return wrapped.to(self.loc.dtype)
