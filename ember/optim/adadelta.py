"""torch.optim.Adadelta."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg
from ..backend import xp_of

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    r"""Implements Adadelta algorithm (`ADADELTA: An Adaptive Learning Rate Method`_).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): coefficient that scale delta before it is applied
            to the parameters (default: 1.0)
        rho (float, optional): coefficient used for computing a running average
            of squared gradients (default: 0.9). A higher value of `rho` will
            result in a slower average, which can be helpful for preventing
            oscillations in the learning process.
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-6).
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg('epsilon', eps)
        check_nonneg('weight_decay', weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['square_avg'] = zeros_state(p)
        state['acc_delta'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, rho, eps, wd, maximize = (_scalar(group['lr']), group['rho'], group['eps'], group['weight_decay'],
                                      group['maximize'])
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, sq_t, acc_t = state['step'], state['square_avg'], state['acc_delta']
            step_t._data += 1

            def kernel(p, g, sq, acc, t0, t1, t2):
                d = grad_block(xp, g, p, maximize, wd, t0)
                sq *= rho
                xp.multiply(d, 1 - rho, out=t1)
                t1 *= d
                sq += t1
                xp.add(sq, eps, out=t1)
                xp.sqrt(t1, out=t1)           # std
                xp.add(acc, eps, out=t2)
                xp.sqrt(t2, out=t2)
                t2 /= t1
                t2 *= d                       # delta
                acc *= rho
                xp.multiply(t2, 1 - rho, out=t1)
                t1 *= t2
                acc += t1
                t2 *= lr
                p -= t2
            blocks([real_view(a) for a in (p._data, g, sq_t._data, acc_t._data)], self._scratch, 3, kernel)
            bump(p, step_t, sq_t, acc_t)
