"""Gradient clipping: clip_grad_norm_ and clip_grad_value_ (torch.nn.utils.clip_grad).

Norms are computed on the raw gradient arrays (one reduction per gradient, no graph), in each
gradient's dtype; the total norm is a 0-d tensor like torch's.
"""
import math
from ...tensor import Tensor
from ...autograd.graph import _wrap
from ...autograd.grad_mode import no_grad
from ...backend import xp_of

__all__ = ['clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_', 'get_total_norm', 'clip_grads_with_norm_']


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _array_norm(xp, a, p):
    """The p-norm of a flattened array, as a 0-d array of a's dtype."""
    a = a.reshape(-1)
    if p == 2.0:
        if a.dtype.kind == 'c':
            r = xp.sqrt(xp.vdot(a, a).real)
        else:
            r = xp.sqrt(xp.dot(a, a)) if a.dtype.itemsize >= 4 else xp.sqrt(xp.sum(xp.square(a.astype('float32'))))
    elif p == math.inf:
        r = xp.max(xp.abs(a)) if a.size else xp.zeros((), a.dtype)
    elif p == -math.inf:
        r = xp.min(xp.abs(a))
    elif p == 0:
        r = xp.count_nonzero(a)
    elif p == 1:
        r = xp.sum(xp.abs(a))
    else:
        r = xp.sum(xp.abs(a) ** p) ** (1.0 / p)
    real = a.dtype if a.dtype.kind != 'c' else xp.zeros((), a.dtype).real.dtype
    return xp.asarray(r).astype(real)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Compute the norm of an iterable of tensors: the norm of the vector of their individual norms.

    Args:
        tensors (Iterable[Tensor] or Tensor): an iterable of Tensors or a single Tensor
        norm_type (float): type of the used p-norm. Can be ``'inf'`` for infinity norm.
        error_if_nonfinite (bool): if True, an error is thrown if the total norm is nan, inf, or -inf.
        foreach (bool): accepted for torch compatibility (ember has one vectorised path)

    Returns:
        Total norm of the tensors (viewed as a single vector).
    """
    tensors = [t for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not tensors:
        return _zero()
    xp = xp_of(tensors[0]._data)
    norms = [_array_norm(xp, t._data, norm_type) for t in tensors]
    dt = norms[0].dtype
    for n in norms[1:]:
        dt = xp.promote_types(dt, n.dtype)
    total = _array_norm(xp, xp.stack([n.astype(dt) for n in norms]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return _wrap(total, xp)


def _zero():
    from ...ops.creation import tensor
    return tensor(0.0)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of an iterable of parameters given a pre-calculated total norm and desired max
    norm: each gradient is multiplied by clamp(max_norm / (total_norm + 1e-6), max=1)."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    tn = total_norm._data
    xp = xp_of(tn)
    coef = xp.asarray(max_norm, tn.dtype) / (tn + xp.asarray(1e-6, tn.dtype))
    coef = xp.minimum(coef, xp.asarray(1.0, tn.dtype))
    with no_grad():
        for g in grads:
            g._data *= coef.astype(g._data.dtype)
            g._vc[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradient norm of an iterable of parameters.

    The norm is computed over the norms of the individual gradients of all parameters, as if the norms of
    the individual gradients were concatenated into a single vector. Gradients are modified in-place.

    Args:
        parameters (Iterable[Tensor] or Tensor): an iterable of Tensors or a single Tensor that will have
            gradients normalized
        max_norm (float): max norm of the gradients
        norm_type (float): type of the used p-norm. Can be ``'inf'`` for infinity norm.
        error_if_nonfinite (bool): if True, an error is thrown if the total norm of the gradients from
            parameters is nan, inf, or -inf. Default: False
        foreach (bool): accepted for torch compatibility

    Returns:
        Total norm of the parameter gradients (viewed as a single vector).
    """
    params = _as_list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: use clip_grad_norm_."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clip the gradients of an iterable of parameters at specified value: into [-clip_value, clip_value].
    Gradients are modified in-place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            g = p.grad
            if g is not None:
                g.clamp_(min=-clip_value, max=clip_value)
