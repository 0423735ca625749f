"""torch.optim.Rprop: resilient backpropagation."""
from .optimizer import Optimizer, blocks, bump, real_view, zeros_state, full_state, state_scalar, _scalar
from ._checks import check_lr
from ..backend import xp_of

__all__ = ['Rprop']


class Rprop(Optimizer):
    r"""Implements the resilient backpropagation algorithm.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, optional): learning rate (default: 1e-2)
        etas (Tuple[float, float], optional): pair of (etaminus, etaplus), that
            are multiplicative increase and decrease factors
            (default: (0.5, 1.2))
        step_sizes (Tuple[float, float], optional): a pair of minimal and
            maximal allowed step sizes (default: (1e-6, 50))
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        capturable, foreach, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['prev'] = zeros_state(p)
        lr = _scalar(group['lr'])
        state['step_size'] = full_state(p, complex(lr, lr) if p.is_complex() else lr)

    def _update(self, group, params, grads, states):
        etaminus, etaplus = group['etas']
        lo, hi = group['step_sizes']
        maximize = group['maximize']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t, prev_t, size_t = state['step'], state['prev'], state['step_size']
            step_t._data += 1

            def kernel(p, g, prev, size, t0, t1):
                # t0: the factor each step size is scaled by, from the sign of grad * previous grad
                xp.multiply(g, prev, out=t1)
                if maximize:
                    xp.negative(t1, out=t1)
                t0.fill(1)
                xp.copyto(t0, etaplus, where=t1 > 0)
                xp.copyto(t0, etaminus, where=t1 < 0)
                size *= t0
                xp.clip(size, lo, hi, out=size)
                # After a sign change the step is skipped and the gradient forgotten.
                if maximize:
                    xp.negative(g, out=t1)
                else:
                    t1[...] = g
                xp.copyto(t1, 0, where=t0 == etaminus)
                prev[...] = t1
                xp.sign(t1, out=t1)
                t1 *= size
                p -= t1
            blocks([real_view(a) for a in (p._data, g, prev_t._data, size_t._data)], self._scratch, 2, kernel)
            bump(p, step_t, prev_t, size_t)
