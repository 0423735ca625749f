"""The Distribution base class (torch.distributions.distribution) and ExponentialFamily."""
import warnings
import ember
from ..tensor import Tensor, Size
from . import constraints
from .utils import lazy_property

__all__ = ['Distribution', 'ExponentialFamily']


def _all_true(valid):
    return bool(valid.all()) if isinstance(valid, Tensor) else bool(valid)


class Distribution:
    """Distribution is the abstract base class for probability distributions.

    Args:
        batch_shape (torch.Size): The shape over which parameters are batched.
        event_shape (torch.Size): The shape of a single sample (without batching).
        validate_args (bool, optional): Whether to validate arguments. Default: None."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Sets whether validation is enabled or disabled.

        The default behavior mimics Python's ``assert`` statement: validation is on by default, but is
        disabled if Python is run in optimized mode (via ``python -O``)."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f"{self.__class__} does not define `arg_constraints`. "
                              "Please set `arg_constraints = {}` or initialize the distribution "
                              "with `validate_args=False` to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue   # skip constraints that cannot be checked
                if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                    continue   # skip checking lazily-constructed args
                value = getattr(self, param)
                if not _all_true(constraint.check(value)):
                    raise ValueError(f"Expected parameter {param} "
                                     f"({type(value).__name__} of shape {tuple(value.shape)}) "
                                     f"of distribution {repr(self)} "
                                     f"to satisfy the constraint {repr(constraint)}, "
                                     f"but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """Returns a new distribution instance (or populates an existing instance provided by a derived
        class) with batch dimensions expanded to `batch_shape`. This method calls Tensor.expand on the
        distribution's parameters; it does not repeat argument checks or broadcasting."""
        raise NotImplementedError

    @property
    def batch_shape(self):
        """Returns the shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """Returns the shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self):
        """Returns a dictionary from argument names to Constraint objects that should be satisfied by each
        argument of this distribution. Args that are not tensors need not appear in this dict."""
        raise NotImplementedError

    @property
    def support(self):
        """Returns a Constraint object representing this distribution's support."""
        raise NotImplementedError

    @property
    def mean(self):
        """Returns the mean of the distribution."""
        raise NotImplementedError

    @property
    def mode(self):
        """Returns the mode of the distribution."""
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        """Returns the variance of the distribution."""
        raise NotImplementedError

    @property
    def stddev(self):
        """Returns the standard deviation of the distribution."""
        return self.variance.sqrt()

    def sample(self, sample_shape=Size()):
        """Generates a sample_shape shaped sample or sample_shape shaped batch of samples if the
        distribution parameters are batched."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        """Generates a sample_shape shaped reparameterized sample or sample_shape shaped batch of
        reparameterized samples if the distribution parameters are batched."""
        raise NotImplementedError

    def sample_n(self, n):
        """Generates n samples or n batches of samples if the distribution parameters are batched."""
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning,
                      stacklevel=2)
        return self.sample(Size((n,)))

    def log_prob(self, value):
        """Returns the log of the probability density/mass function evaluated at `value`."""
        raise NotImplementedError

    def cdf(self, value):
        """Returns the cumulative density/mass function evaluated at `value`."""
        raise NotImplementedError

    def icdf(self, value):
        """Returns the inverse cumulative density/mass function evaluated at `value`."""
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        """Returns tensor containing all values supported by a discrete distribution. The result will
        enumerate over dimension 0, so the shape of the result will be
        `(cardinality,) + batch_shape + event_shape`."""
        raise NotImplementedError

    def entropy(self):
        """Returns entropy of distribution, batched over batch_shape."""
        raise NotImplementedError

    def perplexity(self):
        """Returns perplexity of distribution, batched over batch_shape."""
        return ember.exp(self.entropy())

    def _extended_shape(self, sample_shape=Size()):
        """Returns the size of the sample returned by the distribution, given a `sample_shape`."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        """Argument validation for distribution methods such as `log_prob`, `cdf` and `icdf`. The rightmost
        dimensions of a value to be scored via these methods must agree with the distribution's batch and
        event shapes."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.size()) - len(self._event_shape)
        if tuple(value.size()[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: {value.size()} vs "
                             f"{self._event_shape}.")
        actual_shape = value.size()
        expected_shape = Size(tuple(self._batch_shape) + tuple(self._event_shape))
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {actual_shape} vs "
                                 f"{expected_shape}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample validation. Please "
                          "initialize the distribution with `validate_args=False` to turn off validation.",
                          stacklevel=2)
            return
        if not _all_true(support.check(value)):
            raise ValueError("Expected value argument "
                             f"({type(value).__name__} of shape {tuple(value.shape)}) "
                             f"to be within the support ({repr(support)}) "
                             f"of the distribution {repr(self)}, "
                             f"but found invalid values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        param_names = [k for k in self.arg_constraints if k in self.__dict__]
        args_string = ", ".join(
            f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
            for p in param_names)
        return self.__class__.__name__ + "(" + args_string + ")"


class ExponentialFamily(Distribution):
    """ExponentialFamily is the abstract base class for probability distributions belonging to an
    exponential family, whose probability mass/density function has the form
    p_F(x; theta) = exp(<t(x), theta> - F(theta) + k(x)). Its entropy and KL divergence use the Bregman
    divergence of the log normalizer (Frank Nielsen and Richard Nock, Entropies and Cross-entropies of
    Exponential Families)."""

    @property
    def _natural_params(self):
        """Abstract method for natural parameters. Returns a tuple of Tensors based on the distribution."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """Abstract method for log normalizer function. Returns a log normalizer based on the distribution
        and input."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """Abstract method for expected carrier measure, which is required for computing entropy."""
        raise NotImplementedError

    def entropy(self):
        """Method to compute the entropy using Bregman divergence of the log normalizer."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = ember.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for np_, g in zip(nparams, gradients):
            result = result - (np_ * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
