"""torch.nn.utils.spectral_norm and remove_spectral_norm: the hook-based spectral normalisation (the API before
parametrizations). The module keeps `<name>_orig` as the parameter and the power-iteration vectors as buffers
`<name>_u`, `<name>_v`; a forward pre-hook recomputes `<name>` = W / sigma(W) before each call."""
from ...autograd.grad_mode import no_grad
from ...backend import xp_of
from ..parameter import Parameter

__all__ = ['spectral_norm', 'remove_spectral_norm']


def _normalize_(t, eps):
    """t / max(||t||, eps), written into t's storage (the buffers keep their identity, as torch's out= does)."""
    a = t._data
    xp = xp_of(a)
    a[...] = a / xp.maximum(xp.sqrt(xp.vdot(a, a).real), eps).astype(a.dtype)
    t._vc[0] += 1
    return t


class SpectralNorm:
    """The forward pre-hook behind spectral_norm: one power iteration per call in training mode, then
    weight = weight_orig / (u . W v)."""

    def __init__(self, name='weight', n_power_iterations=1, dim=0, eps=1e-12):
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim, self.n_power_iterations, self.eps = name, dim, n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + '_orig')
        u = getattr(module, self.name + '_u')
        v = getattr(module, self.name + '_v')
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                w = weight_mat._data
                for _ in range(self.n_power_iterations):
                    v._data[...] = w.T @ u._data
                    _normalize_(v, self.eps)
                    u._data[...] = w @ v._data
                    _normalize_(u, self.eps)
                # later in-place updates must not touch the u, v this call's graph saved
                u, v = u.clone(), v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + '_u')
        delattr(module, self.name + '_v')
        delattr(module, self.name + '_orig')
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        _refuse_second(module, SpectralNorm, name, 'spectral_norm')
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).shape
            # u first, then v, each N(0, 1) then normalised: the draws torch makes
            u = _normalize_(weight.new_empty(h).normal_(0, 1), fn.eps)
            v = _normalize_(weight.new_empty(w).normal_(0, 1), fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + '_orig', weight)
        setattr(module, fn.name, weight.detach() * 1)
        module.register_buffer(fn.name + '_u', u)
        module.register_buffer(fn.name + '_v', v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Apply spectral normalization to a parameter in the given module: the weight is divided by its largest
    singular value sigma, estimated by power iteration (one step per forward call in training mode).

    Args:
        module: containing module
        name: name of weight parameter
        n_power_iterations: number of power iterations to calculate spectral norm
        eps: epsilon for numerical stability in calculating norms
        dim: dimension corresponding to number of outputs (0, except 1 for ConvTranspose{1,2,3}d)

    Returns:
        The original module with the spectral norm hook
    """
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name='weight'):
    """Remove the spectral normalization reparameterization from a module: `name` becomes a plain parameter
    holding the current normalised weight."""
    return _remove_hook(module, SpectralNorm, name, 'spectral_norm')


def _refuse_second(module, kind, name, what):
    """torch's error for a second reparametrisation hook of one kind on one parameter."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, kind) and hook.name == name:
            raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


def _remove_hook(module, kind, name, what):
    """Undo a reparametrisation hook of one kind on parameter `name` (its remove() restores the parameter)."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
