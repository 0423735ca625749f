"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations (torch's modern API)."""
from ...tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...backend import xp_of
from ..modules.module import Module
from . import parametrize

__all__ = ['weight_norm', 'spectral_norm']


def _norm_except_dim(v, dim):
    """The 2-norm of v over every dim but dim (kept with size 1), or of all of v (0-d) for dim=-1."""
    if dim == -1:
        return (v * v).sum().sqrt()
    others = tuple(d for d in range(v.dim()) if d != dim)
    if not others:
        return v.abs()
    return (v * v).sum(dim=others, keepdim=True).sqrt()


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name='weight', dim=0):
    """Apply weight normalization to a parameter in the given module: w = g v / ||v||.

    Weight normalization is a reparameterization that decouples the magnitude of a weight tensor from
    its direction. This replaces the parameter specified by name with two parameters: one specifying
    the magnitude (``parametrizations.<name>.original0``) and one specifying the direction
    (``original1``). By default, with ``dim=0``, the norm is computed independently per output
    channel/plane; ``dim=None`` computes a norm over the entire weight tensor.

    Args:
        module (Module): containing module
        name (str, optional): name of weight parameter
        dim (int, optional): dimension over which to compute the norm

    Returns:
        The original module with the weight norm parametrization
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        # checkpoints from the legacy nn.utils.weight_norm name the two tensors <name>_g and <name>_v
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def _normalized(a, eps, xp):
    return a / xp.maximum(xp.sqrt(xp.vdot(a, a).real), eps).astype(a.dtype)


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            with no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
            xp = xp_of(u._data)
            u._data = _normalized(u._data, eps, xp)
            v._data = _normalized(v._data, eps, xp)
            self.register_buffer('_u', u)
            self.register_buffer('_v', v)
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if weight.ndim <= 1:
            raise AssertionError(f"Expected weight to have more than 1 dimension, got {weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u and v are updated in place (they are buffers), without a graph, as torch does
        w = weight_mat._data
        xp = xp_of(w)
        u, v = self._u, self._v
        for _ in range(n_power_iterations):
            u._data[...] = _normalized(w @ v._data, self.eps, xp)
            v._data[...] = _normalized(xp.conj(w).T @ u._data, self.eps, xp)
        u._vc[0] += 1
        v._vc[0] += 1

    def forward(self, weight):
        if weight.ndim == 1:
            norm = (weight * weight).sum().sqrt().clamp_min(self.eps)
            return weight / norm
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u * (weight_mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Apply spectral normalization to a parameter in the given module: W_SN = W / sigma(W).

    sigma is approximated performing one iteration of the power method every time the weight is accessed
    in training mode (u and v are buffers ``parametrizations.<name>.0._u`` / ``_v``). If the dimension of
    the weight tensor is greater than 2, it is reshaped to 2D in the power iteration method.

    Args:
        module (nn.Module): containing module
        name (str, optional): name of weight parameter. Default: ``"weight"``.
        n_power_iterations (int, optional): number of power iterations to calculate spectral norm. Default: ``1``.
        eps (float, optional): epsilon for numerical stability in calculating norms. Default: ``1e-12``.
        dim (int, optional): dimension corresponding to number of outputs. Default: ``0``, except for
            modules that are instances of ConvTranspose{1,2,3}d, when it is ``1``

    Returns:
        The original module with a new parametrization registered to the specified weight
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__ in ('ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d') else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
