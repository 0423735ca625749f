"""torch.distributions: parameterizable probability distributions and sampling functions, with torch's
classes, shapes (sample_shape + batch_shape + event_shape), argument validation and KL registry; transforms
and TransformedDistribution, and the biject_to / transform_to registries.

Sampling draws from ember's generators (seeded by ember.manual_seed). `rsample` is reparameterised where
torch's is: gradients flow from samples to parameters (for Gamma, Beta and Dirichlet through the implicit
reparameterisation gradient of standard gamma samples)."""
import sys as _sys
from . import constraints, utils, distribution, transforms, transformed_distribution, continuous, discrete, \
    multivariate_normal, independent, kl, extra, transformed_family, mixture_same_family, \
    lowrank_multivariate_normal, constraint_registry, kl_extra
from .distribution import Distribution, ExponentialFamily
from .continuous import Normal, LogNormal, Uniform, Laplace, Exponential, Gamma, Chi2, Beta, Dirichlet, StudentT
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .multivariate_normal import MultivariateNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .transforms import *  # noqa: F401,F403
from .transformed_distribution import TransformedDistribution
from .extra import Cauchy, Geometric, NegativeBinomial, Multinomial, ContinuousBernoulli, VonMises
from .transformed_family import (Gumbel, HalfNormal, HalfCauchy, LogisticNormal, Weibull, Pareto, Kumaraswamy,
                                 RelaxedBernoulli, RelaxedOneHotCategorical)
from .mixture_same_family import MixtureSameFamily
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .constraint_registry import biject_to, transform_to

# torch's one-module-per-distribution paths (`from torch.distributions.normal import Normal`) name the
# grouped modules here
exp_family = distribution
for _name, _mod in dict(normal=continuous, log_normal=continuous, uniform=continuous, laplace=continuous,
                        exponential=continuous, gamma=continuous, chi2=continuous, beta=continuous,
                        dirichlet=continuous, studentT=continuous, bernoulli=discrete, binomial=discrete,
                        categorical=discrete, one_hot_categorical=discrete, poisson=discrete,
                        exp_family=distribution, cauchy=extra, geometric=extra, negative_binomial=extra,
                        multinomial=extra, continuous_bernoulli=extra, von_mises=extra,
                        gumbel=transformed_family, half_normal=transformed_family, half_cauchy=transformed_family,
                        logistic_normal=transformed_family, weibull=transformed_family, pareto=transformed_family,
                        kumaraswamy=transformed_family, relaxed_bernoulli=transformed_family,
                        relaxed_categorical=transformed_family, lowrank_multivariate_normal=lowrank_multivariate_normal,
                        ).items():
    _sys.modules[f'{__name__}.{_name}'] = _mod
    globals()[_name] = _mod

__all__ = ['AbsTransform', 'AffineTransform', 'Bernoulli', 'Beta', 'Binomial', 'CatTransform', 'Categorical',
           'Cauchy', 'Chi2', 'ComposeTransform', 'ContinuousBernoulli', 'CumulativeDistributionTransform',
           'Dirichlet', 'Distribution', 'ExpTransform', 'Exponential', 'ExponentialFamily', 'Gamma', 'Geometric',
           'Gumbel', 'HalfCauchy', 'HalfNormal', 'Independent', 'IndependentTransform', 'Kumaraswamy',
           'Laplace', 'LogNormal', 'LogisticNormal', 'LowRankMultivariateNormal', 'LowerCholeskyTransform',
           'MixtureSameFamily', 'Multinomial', 'MultivariateNormal', 'NegativeBinomial', 'Normal',
           'OneHotCategorical', 'Pareto', 'Poisson', 'PositiveDefiniteTransform', 'PowerTransform',
           'RelaxedBernoulli', 'RelaxedOneHotCategorical', 'ReshapeTransform', 'SigmoidTransform',
           'SoftmaxTransform', 'SoftplusTransform', 'StackTransform', 'StickBreakingTransform', 'StudentT',
           'TanhTransform', 'Transform', 'TransformedDistribution', 'Uniform', 'VonMises', 'Weibull',
           'biject_to', 'identity_transform', 'kl_divergence', 'register_kl', 'transform_to']
