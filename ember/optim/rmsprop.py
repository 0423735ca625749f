"""torch.optim.RMSprop."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg
from .adam import lerp_, ema_sq_
from ..backend import xp_of

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    r"""Implements RMSprop algorithm.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        alpha (float, optional): smoothing constant (default: 0.99)
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        momentum (float, optional): momentum factor (default: 0)
        centered (bool, optional) : if ``True``, compute the centered RMSProp,
            the gradient is normalized by an estimation of its variance
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        capturable, foreach, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonneg('epsilon', eps)
        check_nonneg('momentum', momentum)
        check_nonneg('weight_decay', weight_decay)
        check_nonneg('alpha', alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['square_avg'] = zeros_state(p)
        if group['momentum'] > 0:
            state['momentum_buffer'] = zeros_state(p)
        if group['centered']:
            state['grad_avg'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, alpha, eps, wd = _scalar(group['lr']), group['alpha'], group['eps'], group['weight_decay']
        momentum, centered, maximize = group['momentum'], group['centered'], group['maximize']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, sq_t = state['step'], state['square_avg']
            step_t._data += 1
            extra = ([state['momentum_buffer']] if momentum > 0 else []) + ([state['grad_avg']] if centered else [])
            arrays = [real_view(a) for a in (p._data, g, sq_t._data, *(t._data for t in extra))]

            def kernel(p, g, sq, *rest):
                rest = list(rest)
                buf = rest.pop(0) if momentum > 0 else None
                ga = rest.pop(0) if centered else None
                t0, t1 = rest
                d = grad_block(xp, g, p, maximize, wd, t0)
                ema_sq_(xp, sq, d, alpha, t1)
                if centered:
                    lerp_(xp, ga, d, 1 - alpha, t1)
                    xp.multiply(ga, ga, out=t1)
                    xp.subtract(sq, t1, out=t1)
                    xp.sqrt(t1, out=t1)
                else:
                    xp.sqrt(sq, out=t1)
                t1 += eps
                xp.divide(d, t1, out=t1)
                if momentum > 0:
                    buf *= momentum
                    buf += t1
                    xp.multiply(buf, lr, out=t1)
                else:
                    t1 *= lr
                p -= t1
            blocks(arrays, self._scratch, 2, kernel)
            bump(p, step_t, sq_t, *extra)
