"""torch.optim.SparseAdam: a lazy Adam that only touches the rows a gradient touches.

ember has no sparse tensors: every .grad is dense, nn.Embedding(sparse=True) included. torch's
SparseAdam refuses dense gradients ("SparseAdam does not support dense gradients"), which in ember would
make it unusable, so ember's SparseAdam instead reads a dense gradient as the sparse one torch would have
built: the rows (slices along dim 0) that hold a nonzero value are its indices, and only those rows
of the parameter and of both moment estimates are updated, with torch's arithmetic. For an embedding
this equals torch's sparse update except for a row that was looked up yet received an exactly-zero
gradient: torch decays that row's moments and moves it, ember leaves it alone.
"""
import math
from .optimizer import Optimizer, zeros_state, bump, _scalar
from ..tensor import Tensor
from ..backend import xp_of

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    r"""SparseAdam implements a masked version of the Adam algorithm suitable for sparse gradients.

    Currently, due to implementation constraints (explained below), SparseAdam is only intended for a
    narrow subset of use cases, specifically parameters of a dense layout with gradients of a sparse layout.
    This occurs in a special case where the module backwards produces grads already in a sparse layout. One
    example NN module that behaves as such is ``nn.Embedding(sparse=True)``.

    SparseAdam approximates the Adam algorithm by masking out the parameter and moment updates corresponding
    to the zero values in the gradients. Whereas the Adam algorithm will update the first moment, the second
    moment, and the parameters based on all values of the gradients, SparseAdam only updates the moments and
    parameters corresponding to the non-zero values of the gradients.

    In ember gradients are always dense: the rows (along dim 0) of a gradient that hold a nonzero value play
    the part of a torch sparse gradient's indices (see the module docstring for the one difference).

    Args:
        params (iterable): iterable of parameters or named_parameters to optimize or iterable of dicts
            defining parameter groups
        lr (float, Tensor, optional): learning rate (default: 1e-3)
        betas (tuple[float, float], optional): coefficients used for computing running averages of gradient
            and its square (default: (0.9, 0.999))
        eps (float, optional): term added to the denominator to improve numerical stability (default: 1e-8)
        maximize (bool, optional): maximize the objective with respect to the params, instead of minimizing
            (default: False)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group['params']) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def _init_state(self, p, group, state):
        state['step'] = 0   # a Python int, as torch's SparseAdam keeps it
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    def _update(self, group, params, grads, states):
        lr, eps, maximize = _scalar(group['lr']), group['eps'], group.get('maximize', False)
        beta1, beta2 = group['betas']
        for p, g, state in zip(params, grads, states):
            state['step'] += 1
            step = state['step']
            xp = xp_of(p._data)
            pa, m, v = p._data, state['exp_avg']._data, state['exp_avg_sq']._data
            if pa.ndim == 0:   # a 0-d parameter is one row
                pa, m, v, g = pa.reshape(1), m.reshape(1), v.reshape(1), g.reshape(1)
            rows = xp.flatnonzero(g.reshape(g.shape[0], -1).any(axis=1))
            if rows.size == 0:
                continue   # torch skips an empty gradient (its step still counts)
            values = g[rows]
            if maximize:
                values = -values
            old_m, old_v = m[rows], v[rows]
            m_update = (values - old_m) * (1 - beta1)
            m[rows] = old_m + m_update
            v_update = (values * values - old_v) * (1 - beta2)
            v[rows] = old_v + v_update
            numer = m_update + old_m
            denom = xp.sqrt(v_update + old_v) + eps
            step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            pa[rows] += -step_size * (numer / denom)
            bump(p, state['exp_avg'], state['exp_avg_sq'])
