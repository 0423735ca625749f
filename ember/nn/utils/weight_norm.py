"""torch.nn.utils.weight_norm (the hook-based API, deprecated in torch in favour of
parametrizations.weight_norm but still common): w = g * v / ||v||, with g and v the parameters."""
import warnings

from ...autograd.grad_mode import no_grad
from ..parameter import Parameter
from .spectral_norm import _refuse_second, _remove_hook

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm']


def _norm_except(v, dim):
    """The 2-norm of v over every dim but `dim` (kept, as size 1 elsewhere); over all of v for dim -1."""
    if dim == -1:
        return v.norm()
    others = tuple(d for d in range(v.dim()) if d != dim)
    return v.norm(2, dim=others, keepdim=True) if others else v.abs()


class WeightNorm:
    """The forward pre-hook that recomputes `name` from `name_g` and `name_v` before each call."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + '_g')
        v = getattr(module, self.name + '_v')
        return v * (g / _norm_except(v, self.dim))

    @staticmethod
    def apply(module, name, dim):
        _refuse_second(module, WeightNorm, name, 'weight_norm')
        fn = WeightNorm(name, dim)
        weight = module._parameters[name]
        if fn.dim < -1:
            fn.dim += weight.dim()
        with no_grad():
            g = _norm_except(weight, fn.dim).clone()
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(g))
        module.register_parameter(name + '_v', Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    """Apply weight normalization to a parameter in the given module: `name` is replaced by `name_g` (its
    magnitude, over every dim but `dim`; over the whole tensor for dim=None) and `name_v` (its direction),
    and recomputed from them before every forward call."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of `torch.nn.utils.parametrizations."
                  "weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Remove the weight normalization reparameterization from a module."""
    return _remove_hook(module, WeightNorm, name, 'weight_norm')
