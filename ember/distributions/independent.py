"""Independent: reads some batch dimensions of a distribution as event dimensions."""
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import _sum_rightmost

__all__ = ['Independent']


class Independent(Distribution):
    """Wraps `base_distribution` so that its rightmost `reinterpreted_batch_ndims` batch dimensions
    become event dimensions. Samples are unchanged; `log_prob` and `entropy` sum over those dimensions.

    For instance a Normal with batch_shape (3,) wrapped with `reinterpreted_batch_ndims=1` behaves like
    a diagonal multivariate normal: batch_shape () and event_shape (3,).

    Args:
        base_distribution (Distribution): the distribution to wrap.
        reinterpreted_batch_ndims (int): how many batch dimensions to move into the event.
        validate_args (bool, optional): as for `Distribution`.
    """
    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n_batch = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n_batch:
            raise ValueError("Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                             f"actual {reinterpreted_batch_ndims} vs {n_batch}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        batch, event = self._split(base_distribution)
        super().__init__(batch, event, validate_args=validate_args)

    def _split(self, base):
        """The wrapped batch and event shapes: the base's full shape cut `reinterpreted_batch_ndims`
        further to the left than the base cuts it."""
        full = tuple(base.batch_shape) + tuple(base.event_shape)
        cut = len(base.batch_shape) - self.reinterpreted_batch_ndims
        return Size(full[:cut]), Size(full[cut:])

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Independent, _instance)
        batch_shape = Size(batch_shape)
        moved = tuple(self.event_shape)[:self.reinterpreted_batch_ndims]
        new.base_dist = self.base_dist.expand(Size(tuple(batch_shape) + moved))
        new.reinterpreted_batch_ndims = self.reinterpreted_batch_ndims
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self):
        # enumerating a product over the moved dimensions is not supported
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @constraints.dependent_property
    def support(self):
        inner = self.base_dist.support
        if self.reinterpreted_batch_ndims:
            return constraints.independent(inner, self.reinterpreted_batch_ndims)
        return inner

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=Size()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=Size()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        if self.reinterpreted_batch_ndims:
            raise NotImplementedError("Enumeration over cartesian product is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_dist}, {self.reinterpreted_batch_ndims})"
