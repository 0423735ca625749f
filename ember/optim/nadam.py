"""torch.optim.NAdam: Adam with Nesterov momentum (and the decoupled weight decay variant)."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg, check_betas
from .adam import lerp_, ema_sq_
from ..backend import xp_of

__all__ = ['NAdam']


class NAdam(Optimizer):
    r"""Implements NAdam algorithm (`Incorporating Nesterov Momentum into Adam`_).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        momentum_decay (float, optional): momentum momentum_decay (default: 4e-3)
        decoupled_weight_decay (bool, optional): whether to decouple the weight
            decay as in AdamW to obtain NAdamW. (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg('epsilon', eps)
        check_betas(betas)
        check_nonneg('weight_decay', weight_decay)
        check_nonneg('momentum_decay', momentum_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['mu_product'] = state_scalar(1.0)
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, eps, wd, maximize = _scalar(group['lr']), group['eps'], group['weight_decay'], group['maximize']
        beta1, beta2 = group['betas']
        decay, decoupled = group['momentum_decay'], group['decoupled_weight_decay']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, mp_t, m_t, v_t = state['step'], state['mu_product'], state['exp_avg'], state['exp_avg_sq']
            step_t._data += 1
            step = float(step_t._data)
            bc2 = 1 - beta2 ** step
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
            mp_t._data *= mu          # a float32 running product, as torch keeps it
            mu_product = float(mp_t._data)
            c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
            c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)

            def kernel(p, g, m, v, t0, t1, t2):
                if wd != 0 and decoupled:
                    p *= 1 - lr * wd
                d = grad_block(xp, g, p, maximize, 0 if decoupled else wd, t0)
                lerp_(xp, m, d, 1 - beta1, t1)
                ema_sq_(xp, v, d, beta2, t1)
                xp.divide(v, bc2, out=t1)
                xp.sqrt(t1, out=t1)
                t1 += eps
                xp.divide(d, t1, out=t2)
                t2 *= c_grad
                p += t2
                xp.divide(m, t1, out=t2)
                t2 *= c_avg
                p += t2
            blocks([real_view(a) for a in (p._data, g, m_t._data, v_t._data)], self._scratch, 3, kernel)
            bump(p, step_t, mp_t, m_t, v_t)
