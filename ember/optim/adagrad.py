"""torch.optim.Adagrad."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, full_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg, check_fused
from ..backend import xp_of

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    r"""Implements Adagrad algorithm (`Adaptive Subgradient Methods for Online Learning and Stochastic Optimization`_).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-2)
        lr_decay (float, optional): learning rate decay (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        initial_accumulator_value (float, optional): initial value of the
            sum of squares of gradients (default: 0)
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-10)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, fused: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg('lr_decay', lr_decay)
        check_nonneg('weight_decay', weight_decay)
        check_nonneg('initial_accumulator_value', initial_accumulator_value)
        check_nonneg('epsilon', eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        check_fused(fused, foreach, differentiable)
        # Adagrad, unlike the others, creates every parameter's state up front (as torch does).
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(p, group, self.state[p])

    def _init_state(self, p, group, state):
        v = group['initial_accumulator_value']
        state['step'] = state_scalar(0.0)
        state['sum'] = full_state(p, complex(v, v) if p.is_complex() else v)

    def _update(self, group, params, grads, states):
        lr, lr_decay, eps, wd = _scalar(group['lr']), group['lr_decay'], group['eps'], group['weight_decay']
        maximize = group['maximize']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, sum_t = state['step'], state['sum']
            step_t._data += 1
            clr = lr / (1 + (float(step_t._data) - 1) * lr_decay)

            def kernel(p, g, s, t0, t1):
                d = grad_block(xp, g, p, maximize, wd, t0)
                xp.multiply(d, d, out=t1)
                s += t1
                xp.sqrt(s, out=t1)
                t1 += eps
                xp.divide(d, t1, out=t1)
                t1 *= clr
                p -= t1
            blocks([real_view(a) for a in (p._data, g, sum_t._data)], self._scratch, 2, kernel)
            bump(p, step_t, sum_t)
