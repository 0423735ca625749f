"""torch.optim.Adam and AdamW (Adam with decoupled weight decay)."""
from .optimizer import Optimizer, blocks, grad_block, bump, real_view, zeros_state, state_scalar, _scalar
from ._checks import check_lr, check_nonneg, check_betas, check_fused
from ..backend import xp_of

__all__ = ['Adam', 'AdamW']


def lerp_(xp, a, b, w, tmp):
    """a.lerp_(b, w) with torch's formula (exact at both ends): a + w*(b-a) for |w| < 0.5, else b - (b-a)*(1-w)."""
    xp.subtract(b, a, out=tmp)
    if abs(w) < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1 - w
        xp.subtract(b, tmp, out=a)


def ema_sq_(xp, v, d, beta, tmp):
    """v.mul_(beta).addcmul_(d, d, value=1 - beta)."""
    v *= beta
    xp.multiply(d, 1 - beta, out=tmp)
    tmp *= d
    v += tmp


class Adam(Optimizer):
    r"""Implements Adam algorithm.

    For further details regarding the algorithm we refer to `Adam: A Method for Stochastic Optimization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay (L2 penalty) (default: 0)
        decoupled_weight_decay (bool, optional): if True, this optimizer is
            equivalent to AdamW and the algorithm will not accumulate weight
            decay in the momentum nor variance. (default: False)
        amsgrad (bool, optional): whether to use the AMSGrad variant of this
            algorithm from the paper `On the Convergence of Adam and Beyond`_
            (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable, fused: accepted for compatibility; ember has one vectorised path.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr)
        check_nonneg('epsilon', eps)
        check_betas(betas)
        check_nonneg('weight_decay', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault('amsgrad', False)
            group.setdefault('maximize', False)
            group.setdefault('decoupled_weight_decay', False)

    def _init_state(self, p, group, state):
        state['step'] = state_scalar(0.0)
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)
        if group['amsgrad']:
            state['max_exp_avg_sq'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, eps, amsgrad, maximize = _scalar(group['lr']), group['eps'], group['amsgrad'], group['maximize']
        beta1, beta2 = (_scalar(b) for b in group['betas'])
        wd, decoupled = _scalar(group['weight_decay']), group['decoupled_weight_decay']
        for p, g, state in zip(params, grads, states):
            xp = xp_of(p._data)
            step_t = state['step']
            step_t._data += 1
            step = float(step_t._data)
            step_size = lr / (1 - beta1 ** step)
            bc2_sqrt = (1 - beta2 ** step) ** 0.5
            m_t, v_t = state['exp_avg'], state['exp_avg_sq']
            arrays = [real_view(p._data), real_view(g), real_view(m_t._data), real_view(v_t._data)]
            if amsgrad:
                arrays.append(real_view(state['max_exp_avg_sq']._data))

            def kernel(p, g, m, v, *rest):
                mx, t0, t1 = rest if amsgrad else (None, *rest)
                if wd != 0 and decoupled:
                    p *= 1 - lr * wd
                d = grad_block(xp, g, p, maximize, 0 if decoupled else wd, t0)
                lerp_(xp, m, d, 1 - beta1, t1)
                ema_sq_(xp, v, d, beta2, t1)
                if amsgrad:
                    xp.maximum(mx, v, out=mx)
                    v = mx
                xp.sqrt(v, out=t1)
                t1 /= bc2_sqrt
                t1 += eps
                xp.divide(m, t1, out=t1)
                t1 *= step_size
                p -= t1
            blocks(arrays, self._scratch, 2, kernel)
            bump(p, step_t, m_t, v_t)


class AdamW(Adam):
    r"""Implements AdamW algorithm, where weight decay does not accumulate in the momentum nor variance.

    For further details regarding the algorithm we refer to `Decoupled Weight Decay Regularization`_.

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize
            or iterable of dicts defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing
            running averages of gradient and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve
            numerical stability (default: 1e-8)
        weight_decay (float, optional): weight decay coefficient (default: 1e-2)
        amsgrad (bool, optional): whether to use the AMSGrad variant of this
            algorithm (default: False)
        maximize (bool, optional): maximize the objective with respect to the
            params, instead of minimizing (default: False)
        foreach, capturable, differentiable, fused: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group['decoupled_weight_decay'] = True
