"""MixtureSameFamily: a mixture whose components all come from one batched distribution."""
import ember
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .discrete import Categorical

__all__ = ['MixtureSameFamily']


class MixtureSameFamily(Distribution):
    """A mixture distribution whose K components are the last batch dimension of one distribution
    (`component_distribution`, batch shape ``B + (K,)``) and whose weights come from a Categorical over K
    (`mixture_distribution`, batch shape broadcastable to ``B``).

    Example: a batch of 3 Gaussian mixtures with 5 components each::

        mix = Categorical(torch.ones(3, 5))
        comp = Normal(torch.randn(3, 5), torch.rand(3, 5))
        gmm = MixtureSameFamily(mix, comp)

    Args:
        mixture_distribution (Categorical): the mixing weights.
        component_distribution (Distribution): the components, K along the rightmost batch dimension.
        validate_args (bool, optional): as for `Distribution`."""
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(" The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution needs to be an instance of torch.distributions.Distribution")
        mix_batch = mixture_distribution.batch_shape
        comp_batch = component_distribution.batch_shape[:-1]
        for a, b in zip(reversed(tuple(mix_batch)), reversed(tuple(comp_batch))):
            if a != 1 and b != 1 and a != b:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mix_batch}) is not compatible with "
                                 f"`component_distribution.batch_shape`({comp_batch})")
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km is not None and kc is not None and km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(Size(comp_batch), component_distribution.event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        new._component_distribution = self._component_distribution.expand(
            Size(tuple(batch_shape) + (self._num_component,)))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component = self._num_component
        new._event_ndims = self._event_ndims
        Distribution.__init__(new, batch_shape, new._component_distribution.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    def _weights(self):
        """Mixing probabilities laid out to broadcast against component statistics (..., K, *event)."""
        probs = self._mixture_distribution.probs
        return probs.reshape(tuple(probs.shape) + (1,) * self._event_ndims)

    @property
    def mean(self):
        return (self._weights() * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        # law of total variance: E[Var(X | k)] + Var(E[X | k])
        w = self._weights()
        dim = -1 - self._event_ndims
        comp_mean = self._component_distribution.mean
        within = (w * self._component_distribution.variance).sum(dim)
        between = (w * (comp_mean - self.mean.unsqueeze(dim)).pow(2)).sum(dim)
        return within + between

    def cdf(self, x):
        x = self._pad(x)
        return (self._component_distribution.cdf(x) * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        x = self._pad(x)
        log_prob_x = self._component_distribution.log_prob(x)
        log_mix = ember.log_softmax(self._mixture_distribution.logits, -1)
        return ember.logsumexp(log_prob_x + log_mix, -1)

    def sample(self, sample_shape=Size()):
        sample_shape = Size(sample_shape)
        with ember.no_grad():
            gather_dim = len(sample_shape) + len(self.batch_shape)
            event = tuple(self.event_shape)
            which = self._mixture_distribution.sample(sample_shape)
            draws = self._component_distribution.sample(sample_shape)
            index = which.reshape(tuple(which.shape) + (1,) * (len(event) + 1))
            index = index.expand(tuple(which.shape) + (1,) + event)
            return draws.gather(gather_dim, index).squeeze(gather_dim)

    def _pad(self, x):
        return x.unsqueeze(-1 - self._event_ndims)

    def __repr__(self):
        return (f"{type(self).__name__}(\n  {self._mixture_distribution},\n  {self._component_distribution})")
