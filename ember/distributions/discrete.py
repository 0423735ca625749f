"""Distributions over countable sets: Bernoulli, Binomial, Categorical, OneHotCategorical and Poisson
(torch.distributions.bernoulli, .binomial, .categorical, .one_hot_categorical, .poisson).

Two-outcome and categorical distributions accept either `probs` or `logits`; the one given is stored and
the other is derived on first use (a lazy property), so argument validation only checks what the caller
passed. Draws come from ember's generators, so `ember.manual_seed` makes them repeat."""
import math
import numbers
import ember
from ..tensor import Size
from ..nn import functional as F
from . import constraints
from .distribution import Distribution, ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ['Bernoulli', 'Binomial', 'Categorical', 'OneHotCategorical', 'Poisson']


def _exactly_one(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _as_shape(shape):
    return shape if isinstance(shape, Size) else Size(shape)


def _enumeration(values, batch_shape, event_shape, expand):
    """Lays `values` (outcomes along dim 0, then `event_shape`) out as (n,) + batch_shape + event_shape,
    with size-1 batch dims unless `expand`."""
    n = values.shape[0]
    batch = tuple(batch_shape)
    values = values.reshape((n,) + (1,) * len(batch) + tuple(event_shape))
    return values.expand((n,) + batch + tuple(event_shape)) if expand else values


class _ProbsOrLogits:
    """Shared storage for a success probability given as `probs` or as log-odds `logits` (binary case)."""

    def _store(self, probs, logits, *others):
        """Keeps whichever of probs/logits was given, broadcast against `others`; returns them all, the
        parameter first."""
        _exactly_one(probs, logits)
        given = 'probs' if logits is None else 'logits'
        values = broadcast_all(probs if logits is None else logits, *others)
        setattr(self, given, values[0])
        return values

    @property
    def _param(self):
        return self.__dict__['probs'] if 'probs' in self.__dict__ else self.__dict__['logits']

    @property
    def param_shape(self):
        return self._param.size()

    @lazy_property
    def probs(self):
        """Probability of success (the event 1)."""
        return logits_to_probs(self.logits, is_binary=True)

    @lazy_property
    def logits(self):
        """Log-odds of success."""
        return probs_to_logits(self.probs, is_binary=True)

    def _expand_params_into(self, new, batch_shape):
        for name in ('probs', 'logits'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(batch_shape))


class Bernoulli(_ProbsOrLogits, ExponentialFamily):
    """Creates a Bernoulli distribution: each sample is 1 with probability `probs` and 0 otherwise.

    Exactly one of `probs` (in [0, 1]) and `logits` (log-odds) must be given.

    Args:
        probs (Number, Tensor): the probability of sampling `1`
        logits (Number, Tensor): the log-odds of sampling `1`
        validate_args (bool, optional): whether to validate arguments, None to use the default"""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        given = probs if logits is None else logits
        param = self._store(probs, logits)[0]
        batch_shape = Size() if isinstance(given, numbers.Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = _as_shape(batch_shape)
        self._expand_params_into(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs
        # at p = 1/2 both outcomes are modes: torch reports nan
        return ember.where(p == 0.5, math.nan, (p > 0.5).to(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction='none')

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction='none')

    def enumerate_support(self, expand=True):
        outcomes = ember.arange(2, dtype=self._param.dtype)
        return _enumeration(outcomes, self._batch_shape, (), expand)

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        return ember.log1p(ember.exp(x))


class Binomial(_ProbsOrLogits, Distribution):
    """Creates a Binomial distribution: the number of successes in `total_count` independent trials,
    each succeeding with probability `probs` (or log-odds `logits`). `total_count` broadcasts with the
    probability parameter.

    Args:
        total_count (int, Tensor): number of trials
        probs (Tensor): success probability of each trial
        logits (Tensor): log-odds of success of each trial
        validate_args (bool, optional): whether to validate arguments, None to use the default"""
    arg_constraints = {'total_count': constraints.nonnegative_integer, 'probs': constraints.unit_interval,
                       'logits': constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        param, total_count = self._store(probs, logits, total_count)
        self.total_count = total_count.type_as(param)
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Binomial, _instance)
        batch_shape = _as_shape(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        self._expand_params_into(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        n = self.total_count
        return ((n + 1) * self.probs).floor().clamp(max=n)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, l = self.total_count, self.logits
        # log C(n, k) + k*l - n*log(1 + e^l), with log(1 + e^l) as logaddexp(0, l): no overflow for large
        # |l|, and its gradient sigmoid(l) is exact everywhere (1/2 at l = 0, i.e. p = 1/2)
        log_choose = ember.lgamma(n + 1) - ember.lgamma(value + 1) - ember.lgamma(n - value + 1)
        return value * l - n * ember.logaddexp(ember.zeros_like(l), l) + log_choose

    def _common_count(self, what):
        n = int(self.total_count.max())
        if int(self.total_count.min()) != n:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return n

    def entropy(self):
        n = self._common_count('entropy')
        lp = self.log_prob(_enumeration(ember.arange(n + 1, dtype=self._param.dtype), self._batch_shape, (),
                                        False))
        return -(ember.exp(lp) * lp).sum(0)

    def enumerate_support(self, expand=True):
        n = self._common_count('enumerate_support')
        return _enumeration(ember.arange(n + 1, dtype=self._param.dtype), self._batch_shape, (), expand)


class Categorical(Distribution):
    """Creates a categorical distribution over the classes {0, ..., K-1}, K being the size of the last
    dimension of `probs` or `logits`; the leading dimensions index a batch of distributions.

    `probs` need only be non-negative with a finite, non-zero sum along the last dimension: it is
    normalised to sum to 1. `logits` are unnormalised log-probabilities: they are shifted to log-probabilities.
    Samples are integer class indices (int64).

    Args:
        probs (Tensor): event probabilities
        logits (Tensor): event log-probabilities (unnormalised)
        validate_args (bool, optional): whether to validate arguments, None to use the default"""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _exactly_one(probs, logits)
        name, given = ('probs', probs) if logits is None else ('logits', logits)
        if given.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == 'probs':
            self.probs = given / given.sum(-1, keepdim=True)
        else:
            self.logits = given - given.logsumexp(dim=-1, keepdim=True)
        self._param = getattr(self, name)
        self._num_events = given.shape[-1]
        super().__init__(Size(given.shape[:-1]), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = _as_shape(batch_shape)
        full = tuple(batch_shape) + (self._num_events,)
        for name in ('probs', 'logits'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(full))
                new._param = getattr(new, name)
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        """Normalised log-probabilities of the classes."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        """Probabilities of the classes (summing to 1 along the last dimension)."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    def _undefined(self):
        return ember.full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    @property
    def mean(self):
        # class labels are not numbers: the moments are undefined (nan, as torch reports)
        return self._undefined()

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self._undefined()

    def sample(self, sample_shape=Size()):
        sample_shape = _as_shape(sample_shape)
        rows = self.probs.reshape(-1, self._num_events)
        with ember.no_grad():
            # one row of draws per distribution in the batch, then sample dims moved to the front
            draws = ember.multinomial(rows, sample_shape.numel(), True)
            return draws.t().reshape(tuple(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        index = value.long()
        lead = tuple(ember.broadcast_shapes(tuple(index.shape), tuple(self.logits.shape[:-1])))
        table = self.logits.expand(lead + (self._num_events,))
        return table.gather(-1, index.expand(lead).unsqueeze(-1)).squeeze(-1)

    def entropy(self):
        # a class with probability 0 has logit -inf; capping it keeps 0 * logit at 0 instead of nan
        capped = self.logits.clamp(min=ember.finfo(self.logits.dtype).min)
        return -(capped * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        classes = ember.arange(self._num_events, dtype=ember.int64)
        return _enumeration(classes, self._batch_shape, (), expand)


class OneHotCategorical(Distribution):
    """Creates a one-hot categorical distribution: like `Categorical`, but each sample is a one-hot
    vector of length K (the size of the last dimension of `probs` or `logits`) instead of a class index.

    Args:
        probs (Tensor): event probabilities
        logits (Tensor): event log-probabilities (unnormalised)
        validate_args (bool, optional): whether to validate arguments, None to use the default"""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        k = self._categorical.param_shape[-1:]
        super().__init__(self._categorical.batch_shape, Size(k), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = _as_shape(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def probs(self):
        """Probabilities of the classes."""
        return self._categorical.probs

    @property
    def logits(self):
        """Normalised log-probabilities of the classes."""
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs
        return F.one_hot(p.argmax(-1), p.shape[-1]).to(p.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        labels = self._categorical.sample(_as_shape(sample_shape))
        return F.one_hot(labels, self._categorical._num_events).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        k = self._event_shape[0]
        return _enumeration(ember.eye(k, dtype=self._param.dtype), self._batch_shape, (k,), expand)


class Poisson(ExponentialFamily):
    """Creates a Poisson distribution with rate `rate`: P(k) = rate^k e^-rate / k! on k = 0, 1, 2, ...

    Args:
        rate (Number, Tensor): the rate parameter (mean number of events)
        validate_args (bool, optional): whether to validate arguments, None to use the default"""
    arg_constraints = {'rate': constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = _as_shape(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            return ember.poisson(self.rate.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return ember.xlogy(value, rate) - rate - ember.lgamma(value + 1)

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return ember.exp(x)
