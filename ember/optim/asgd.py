"""torch.optim.ASGD: averaged stochastic gradient descent."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg
from ..backend import xp_of

__all__ = ['ASGD']


class ASGD(Optimizer):
    r"""Implements Averaged Stochastic Gradient Descent (`Acceleration of stochastic approximation by averaging`_).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lambd (float, optional): decay term (default: 1e-4)
        alpha (float, optional): power for eta update (default: 0.75)
        t0 (float, optional): point at which to start averaging (default: 1e6)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, capturable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg('weight_decay', weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['eta'] = state_scalar(_scalar(group['lr']))
        state['mu'] = state_scalar(1.0)
        state['ax'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, lambd, alpha, t0_ = _scalar(group['lr']), group['lambd'], group['alpha'], group['t0']
        wd, maximize = group['weight_decay'], group['maximize']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, eta_t, mu_t, ax_t = state['step'], state['eta'], state['mu'], state['ax']
            step_t._data += 1
            eta, mu = float(eta_t._data), float(mu_t._data)

            def kernel(p, g, ax, t0, t1):
                d = grad_block(xp, g, p, maximize, wd, t0)
                p *= 1 - lambd * eta
                xp.multiply(d, eta, out=t1)
                p -= t1
                if mu != 1:
                    xp.subtract(p, ax, out=t1)
                    t1 *= mu
                    ax += t1
                else:
                    ax[...] = p
            blocks([real_view(a) for a in (p._data, g, ax_t._data)], self._scratch, 2, kernel)
            step = float(step_t._data)
            eta_t._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
            mu_t._data[...] = 1 / max(1, step - t0_)
            bump(p, step_t, eta_t, mu_t, ax_t)
