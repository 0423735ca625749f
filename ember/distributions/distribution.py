"""The abstract `Distribution` every ember distribution derives from, and `ExponentialFamily`.

Shapes follow torch: a draw has shape ``sample_shape + batch_shape + event_shape``; `batch_shape` indexes
independent (not necessarily identical) distributions, `event_shape` is the shape of one outcome.
"""
import warnings
import ember
from ..tensor import Tensor, Size
from . import constraints
from .utils import lazy_property

__all__ = ['Distribution', 'ExponentialFamily']


def _unimplemented(what=None):
    """The error raised by the base class for things a concrete distribution must provide. torch raises
    a bare NotImplementedError for most of them and a named one for a few (`mode`)."""
    return NotImplementedError() if what is None else NotImplementedError(what)


class Distribution:
    """Base class for probability distributions.

    Subclasses declare `arg_constraints` (parameter name -> constraint) and `support`; when validation
    is on, parameters are checked at construction and values at `log_prob` and friends.

    Args:
        batch_shape (torch.Size): shape over which the parameters are batched.
        event_shape (torch.Size): shape of a single sample, without batching.
        validate_args (bool, optional): whether to check arguments; None uses the class-wide default
            (on unless Python runs with -O; see `set_default_validate_args`).
    """
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turns argument validation on (True) or off (False) for every distribution constructed
        afterwards without an explicit `validate_args`."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        try:
            declared = self.arg_constraints
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                          "`arg_constraints = {}` or initialize the distribution with `validate_args=False` "
                          "to turn off validation.")
            declared = {}
        cls = type(self)
        for name, constraint in declared.items():
            if constraints.is_dependent(constraint):
                continue
            # a parameter derived lazily from another (e.g. probs from logits) was not given: it is
            # checked through the one that was
            if name not in self.__dict__ and isinstance(getattr(cls, name, None), lazy_property):
                continue
            value = getattr(self, name)
            if not bool(constraint.check(value).all()):
                raise ValueError(
                    f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) of "
                    f"distribution {self!r} to satisfy the constraint {constraint!r}, but found invalid "
                    f"values:\n{value}")

    # --- shapes -----------------------------------------------------------------------------------------
    @property
    def batch_shape(self):
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """The shape of a single sample (without batching)."""
        return self._event_shape

    def _extended_shape(self, sample_shape=Size()):
        """``sample_shape + batch_shape + event_shape``: the shape `sample(sample_shape)` returns."""
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def expand(self, batch_shape, _instance=None):
        """Returns a new distribution of the same kind whose batch dimensions are expanded to
        `batch_shape` (parameters are expanded views, not copies). Concrete classes implement it."""
        raise _unimplemented()

    def _get_checked_instance(self, cls, _instance=None):
        """The blank object `expand` fills in: `_instance` if a subclass passed one, else a new object of
        this type made without running `__init__`. A subclass whose `__init__` differs from `cls`'s
        cannot inherit `cls.expand`, since it would not know how to fill the extra state."""
        if _instance is not None:
            return _instance
        if type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom __init__ method must "
                "also define a custom .expand() method.")
        return type(self).__new__(type(self))

    # --- what subclasses declare ------------------------------------------------------------------------
    @property
    def arg_constraints(self):
        """Maps each parameter name to the constraint it must satisfy."""
        raise _unimplemented()

    @property
    def support(self):
        """The constraint describing the values this distribution can take."""
        raise _unimplemented()

    @property
    def mean(self):
        """The mean of the distribution."""
        raise _unimplemented()

    @property
    def mode(self):
        """The mode of the distribution."""
        raise _unimplemented(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        """The variance of the distribution."""
        raise _unimplemented()

    @property
    def stddev(self):
        """The standard deviation: the square root of `variance`."""
        return self.variance.sqrt()

    # --- sampling ---------------------------------------------------------------------------------------
    def sample(self, sample_shape=Size()):
        """Draws a sample (or a `sample_shape`-shaped batch of them) without tracking gradients."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        """Draws a reparameterized sample (gradients flow to the parameters) of shape
        ``sample_shape + batch_shape + event_shape``."""
        raise _unimplemented()

    def sample_n(self, n):
        """Deprecated spelling of ``sample((n,))``."""
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", UserWarning)
        return self.sample(Size((n,)))

    # --- densities and related --------------------------------------------------------------------------
    def log_prob(self, value):
        """The log of the probability density (or mass) at `value`."""
        raise _unimplemented()

    def cdf(self, value):
        """The cumulative distribution function at `value`."""
        raise _unimplemented()

    def icdf(self, value):
        """The inverse of the cumulative distribution function at `value`."""
        raise _unimplemented()

    def enumerate_support(self, expand=True):
        """All values of a discrete distribution's support, stacked along a new leading dimension (of
        shape ``(cardinality,) + batch_shape + event_shape``, or with size-1 batch dimensions when
        `expand` is False)."""
        raise _unimplemented()

    def entropy(self):
        """The entropy, one value per batch element."""
        raise _unimplemented()

    def perplexity(self):
        """exp(entropy), one value per batch element."""
        return ember.exp(self.entropy())

    def _validate_sample(self, value):
        """Raises ValueError unless `value` is a tensor whose trailing dimensions equal event_shape, that
        broadcasts against batch_shape + event_shape, and that lies inside `support`."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        have = value.size()
        event = Size(tuple(self._event_shape))
        n_event = len(event)
        if have[len(have) - n_event:] != event:
            raise ValueError(f"The right-most size of value must match event_shape: {have} vs {event}.")
        want = Size(tuple(self._batch_shape) + tuple(event))
        if any(a != b and 1 not in (a, b) for a, b in zip(reversed(have), reversed(want))):
            raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {have} vs {want}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample validation. Please "
                          "initialize the distribution with `validate_args=False` to turn off validation.")
            return
        if not bool(support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be within "
                f"the support ({support!r}) of the distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self):
        # parameters actually stored on the instance (not lazily derived ones), shown by value when they
        # hold one element and by size otherwise
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                v = self.__dict__[name]
                shown.append(f"{name}: {v if v.numel() == 1 else v.size()}")
        return f"{type(self).__name__}({', '.join(shown)})"


class ExponentialFamily(Distribution):
    """Base class for exponential-family distributions, whose density has the form
    p(x; theta) = exp(<t(x), theta> - F(theta) + k(x)), with sufficient statistic t, natural parameters
    theta, log normalizer F and carrier measure k.

    Subclasses provide `_natural_params`, `_log_normalizer` and `_mean_carrier_measure` (E[k(x)]); this
    class then derives the entropy (and kl_divergence between two members of one family) from them.
    """

    @property
    def _natural_params(self):
        """The natural parameters theta, as a tuple of tensors."""
        raise _unimplemented()

    def _log_normalizer(self, *natural_params):
        """F(theta), the log normalizer as a function of the natural parameters."""
        raise _unimplemented()

    @property
    def _mean_carrier_measure(self):
        """E[k(x)], the expected carrier measure."""
        raise _unimplemented()

    def entropy(self):
        """H = F(theta) - <theta, grad F(theta)> - E[k(x)], with grad F taken by autograd (kept in the
        graph so the entropy stays differentiable in the parameters)."""
        theta = [p.detach().requires_grad_() for p in self._natural_params]
        F = self._log_normalizer(*theta)
        dF = ember.autograd.grad(F.sum(), theta, create_graph=True)
        H = F - self._mean_carrier_measure
        flat = tuple(self._batch_shape) + (-1,)
        for t, g in zip(theta, dF):
            H = H - (t * g).reshape(flat).sum(-1)
        return H
