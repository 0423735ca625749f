"""torch.distributions: parameterizable probability distributions and sampling functions, with torch's
classes, shapes (sample_shape + batch_shape + event_shape), argument validation and KL registry.

Sampling draws from ember's generators (seeded by ember.manual_seed). `rsample` is reparameterised where
torch's is: gradients flow from samples to parameters (for Gamma, Beta and Dirichlet through the implicit
reparameterisation gradient of standard gamma samples)."""
import sys as _sys
from . import constraints, utils, distribution, continuous, discrete, multivariate_normal, independent, kl
from .distribution import Distribution, ExponentialFamily
from .continuous import Normal, LogNormal, Uniform, Laplace, Exponential, Gamma, Beta, Dirichlet, StudentT
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .multivariate_normal import MultivariateNormal
from .independent import Independent
from .kl import kl_divergence, register_kl

# torch's one-module-per-distribution paths (`from torch.distributions.normal import Normal`) name the
# grouped modules here
exp_family = distribution
for _name, _mod in dict(normal=continuous, log_normal=continuous, uniform=continuous, laplace=continuous,
                        exponential=continuous, gamma=continuous, beta=continuous, dirichlet=continuous,
                        studentT=continuous, bernoulli=discrete, binomial=discrete, categorical=discrete,
                        one_hot_categorical=discrete, poisson=discrete, exp_family=distribution).items():
    _sys.modules[f'{__name__}.{_name}'] = _mod
    globals()[_name] = _mod

__all__ = ['Bernoulli', 'Beta', 'Binomial', 'Categorical', 'Dirichlet', 'Distribution', 'Exponential',
           'ExponentialFamily', 'Gamma', 'Independent', 'Laplace', 'LogNormal', 'MultivariateNormal', 'Normal',
           'OneHotCategorical', 'Poisson', 'StudentT', 'Uniform', 'kl_divergence', 'register_kl']
