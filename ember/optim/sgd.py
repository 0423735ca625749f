"""torch.optim.SGD."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, _scalar
from ._checks import check_lr, check_nonneg, check_fused
from ..autograd.graph import _wrap
from ..backend import xp_of

__all__ = ['SGD']


class SGD(Optimizer):
    r"""Implements stochastic gradient descent (optionally with momentum).

    Nesterov momentum is based on the formula from
    `On the importance of initialization and momentum in deep learning`__.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups.
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        momentum (float, optional): momentum factor (default: 0)
        dampening (float, optional): dampening for momentum (default: 0)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        nesterov (bool, optional): enables Nesterov momentum. Only applicable
            when momentum is non-zero. (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, differentiable, fused: accepted for compatibility; ember has one vectorised path.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg('momentum', momentum)
        check_nonneg('weight_decay', weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def _init_state(self, p, group, state):
        pass  # SGD keeps no state until momentum creates a buffer on the first step

    def _update(self, group, params, grads, states):
        lr, momentum, dampening = _scalar(group['lr']), group['momentum'], group['dampening']
        wd, nesterov, maximize = _scalar(group['weight_decay']), group['nesterov'], group['maximize']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            pa, ga = real_view(p._data), real_view(g)
            buf_t = state.get('momentum_buffer') if momentum != 0 else None
            first = momentum != 0 and buf_t is None
            if first:
                buf_t = state['momentum_buffer'] = _wrap(xp.empty_like(p._data), None)
            arrays = [pa, ga] + ([real_view(buf_t._data)] if momentum != 0 else [])

            def kernel(p, g, *rest):
                if momentum != 0:
                    buf, t0, t1 = rest
                else:
                    t0, t1 = rest
                d = grad_block(xp, g, p, maximize, wd, t0)
                if momentum != 0:
                    if first:
                        buf[...] = d
                    else:
                        buf *= momentum
                        if dampening != 0:
                            xp.multiply(d, 1 - dampening, out=t1)
                            buf += t1
                        else:
                            buf += d
                    if nesterov:
                        xp.multiply(buf, momentum, out=t1)
                        t1 += d
                        d = t1
                    else:
                        d = buf
                xp.multiply(d, lr, out=t1)
                p -= t1
            blocks(arrays, self._scratch, 2, kernel)
            bump(p)
            if buf_t is not None:
                bump(buf_t)
