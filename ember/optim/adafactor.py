"""torch.optim.Adafactor: Adam-like steps with a factored second moment (row and column means for
matrices), after torch 2.13's single-tensor implementation, operation for operation."""
import math

from .optimizer import Optimizer, bump, state_scalar, _scalar
from .adam import lerp_
from ..tensor import Tensor
from ..autograd.graph import _wrap
from ..backend import xp_of
from .. import _dtype

__all__ = ['Adafactor']


class Adafactor(Optimizer):
    """Adafactor (Shazeer and Stern, 2018) with torch's defaults and torch's reading of the paper.

    Matrices (and stacks of them) keep only running row and column means of the squared gradient, so the
    second moment costs O(rows + cols) per matrix; vectors keep a full running mean. Per step: beta2_t
    follows step ** beta2_decay, the relative step size is min(lr, 1/sqrt(step)) scaled by the parameter's
    RMS (at least eps[1]), the update is clipped by its RMS over d, and weight decay shrinks the
    parameter by lr * weight_decay. eps[0] (None: the dtype's machine epsilon) floors the second
    moment. foreach is accepted (ember has one code path); maximize ascends instead.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)

    def _init_state(self, p, group, state):
        if p.dtype.is_complex:
            raise RuntimeError("Adafactor does not support complex parameters")
        a = p._data
        xp = xp_of(a)
        state['step'] = state_scalar(0.0)
        if a.ndim > 1:
            state['row_var'] = _wrap(xp.zeros(a.shape[:-1] + (1,), a.dtype), None)
            state['col_var'] = _wrap(xp.zeros(a.shape[:-2] + (1, a.shape[-1]), a.dtype), None)
        else:
            state['variance'] = _wrap(xp.zeros_like(a), None)

    def _update(self, group, params, grads, states):
        lr, d, wd, maximize = _scalar(group['lr']), group['d'], group['weight_decay'], group['maximize']
        beta2_decay = group['beta2_decay']
        eps1, eps2 = group['eps']
        for p, g, state in zip(params, grads, states):
            a = p._data
            xp = xp_of(a)
            if maximize:
                g = -g
            e1 = eps1 if eps1 is not None else float(_dtype.finfo(p.dtype).eps)
            step_t = state['step']
            step_t._data += 1
            step = float(step_t._data)
            w = step ** beta2_decay            # 1 - beta2_t
            rho = min(lr, 1 / (step ** 0.5))
            alpha = max(eps2, float(xp.linalg.norm(a.reshape(-1))) / (a.size ** 0.5)) * rho
            if wd != 0:
                a *= 1 - lr * wd
            if g.ndim > 1:
                row_var, col_var = state['row_var']._data, state['col_var']._data
                row_mean = xp.square(xp.linalg.norm(g, axis=-1, keepdims=True)) / g.shape[-1]
                lerp_(xp, row_var, row_mean, w, xp.empty_like(row_var))
                col_mean = xp.square(xp.linalg.norm(g, axis=-2, keepdims=True)) / g.shape[-2]
                lerp_(xp, col_var, col_mean, w, xp.empty_like(col_var))
                var = xp.matmul(row_var, col_var)
                var /= xp.maximum(row_var.mean(axis=-2, keepdims=True), a.dtype.type(e1))
                bump(state['row_var'], state['col_var'])
            else:
                v = state['variance']._data
                lerp_(xp, v, g * g, w, xp.empty_like(v))
                var = v.copy()
                bump(state['variance'])
            xp.maximum(var, a.dtype.type(e1 * e1), out=var)
            update = 1 / xp.sqrt(var)
            update *= g
            denom = max(1.0, float(xp.linalg.norm(update.reshape(-1))) / ((update.size ** 0.5) * d))
            update *= a.dtype.type(-alpha / denom)
            a += update
            bump(p, step_t)
