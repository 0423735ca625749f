"""torch.optim.RAdam: rectified Adam."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg, check_betas
from .adam import lerp_, ema_sq_
from ..backend import xp_of

__all__ = ['RAdam']


class RAdam(Optimizer):
    r"""Implements RAdam algorithm (`On the variance of the adaptive learning rate and beyond`_).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        decoupled_weight_decay (bool, optional): whether to decouple the weight
            decay as in AdamW to obtain RAdamW (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonneg('epsilon', eps)
        check_betas(betas)
        check_nonneg('weight_decay', weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, eps, wd, maximize = _scalar(group['lr']), group['eps'], group['weight_decay'], group['maximize']
        beta1, beta2 = group['betas']
        decoupled = group['decoupled_weight_decay']
        rho_inf = 2 / (1 - beta2) - 1
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, m_t, v_t = state['step'], state['exp_avg'], state['exp_avg_sq']
            step_t._data += 1
            step = float(step_t._data)
            bc1, bc2 = 1 - beta1 ** step, 1 - beta2 ** step
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
            # The variance of the adaptive lr is tractable only once rho_t > 5; before, RAdam is SGD with momentum.
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5 \
                if rho_t > 5.0 else None

            def kernel(p, g, m, v, t0, t1, t2):
                if wd != 0 and decoupled:
                    p *= 1 - lr * wd
                d = grad_block(xp, g, p, maximize, 0 if decoupled else wd, t0)
                lerp_(xp, m, d, 1 - beta1, t1)
                ema_sq_(xp, v, d, beta2, t1)
                xp.divide(m, bc1, out=t1)
                t1 *= lr
                if rect is not None:
                    xp.sqrt(v, out=t2)
                    t2 += eps
                    xp.divide(bc2 ** 0.5, t2, out=t2)
                    t1 *= t2
                    t1 *= rect
                p -= t1
            blocks([real_view(a) for a in (p._data, g, m_t._data, v_t._data)], self._scratch, 3, kernel)
            bump(p, step_t, m_t, v_t)
