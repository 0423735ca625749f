"""torch.optim.Adamax: Adam with the infinity norm."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg, check_betas
from .adam import lerp_
from ..backend import xp_of

__all__ = ['Adamax']


class Adamax(Optimizer):
    r"""Implements Adamax algorithm (a variant of Adam based on infinity norm).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 2e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, capturable: accepted for compatibility.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg('epsilon', eps)
        check_betas(betas)
        check_nonneg('weight_decay', weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['exp_avg'] = zeros_state(p)
        state['exp_inf'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, eps, wd, maximize = _scalar(group['lr']), group['eps'], group['weight_decay'], group['maximize']
        beta1, beta2 = group['betas']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, m_t, u_t = state['step'], state['exp_avg'], state['exp_inf']
            step_t._data += 1
            clr = lr / (1 - beta1 ** float(step_t._data))

            def kernel(p, g, m, u, t0, t1):
                d = grad_block(xp, g, p, maximize, wd, t0)
                lerp_(xp, m, d, 1 - beta1, t1)
                u *= beta2
                xp.abs(d, out=t1)
                t1 += eps
                xp.maximum(u, t1, out=u)
                xp.divide(m, u, out=t1)
                t1 *= clr
                p -= t1
            blocks([real_view(a) for a in (p._data, g, m_t._data, u_t._data)], self._scratch, 2, kernel)
            bump(p, step_t, m_t, u_t)
