"""torch.optim.swa_utils: Stochastic Weight Averaging and exponential moving averages of a model.

AveragedModel keeps a running average of another model's parameters (SWA by default, EMA with
get_ema_multi_avg_fn / get_ema_avg_fn), SWALR anneals each group's learning rate to a constant swa_lr,
and update_bn recomputes BatchNorm running statistics for the averaged weights with one pass over data.
"""
import itertools
import math
import warnings
from copy import deepcopy

from ..tensor import Tensor
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor
from .. import _dtype
from .lr_scheduler import LRScheduler, _format_param
from .adam import lerp_
from .optimizer import bump
from ..backend import xp_of

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn',
           'get_ema_avg_fn', 'get_swa_avg_fn']


def _is_float_or_complex(t):
    return t._data.dtype.kind in 'fc'


def _lerp_all_(starts, ends, weight):
    """torch._foreach_lerp_(starts, ends, weight): each start moves towards its end, in place, with
    torch's lerp formula (exact at both ends)."""
    for a, b in zip(starts, ends):
        xp = xp_of(a._data)
        # torch turns the weight into the tensors' (real) precision before computing 1 - w
        w = float(xp.asarray(float(weight), dtype=a._data.real.dtype))
        lerp_(xp, a._data, b._data.astype(a._data.dtype, copy=False), w, xp.empty_like(a._data))
        bump(a)


def get_ema_multi_avg_fn(decay=0.999):
    """Get the function applying exponential moving average (EMA) across multiple params."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            if _is_float_or_complex(ema_param_list[0]):
                _lerp_all_(ema_param_list, current_param_list, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """Get the function applying stochastic weight average (SWA) across multiple params."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            if _is_float_or_complex(averaged_param_list[0]):
                # 1 / (n + 1) is a float32 0-d tensor when n is a tensor, as in torch
                _lerp_all_(averaged_param_list, current_param_list, 1 / (num_averaged + 1))
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    diff = p_model - p_avg
                    if isinstance(num_averaged, Tensor):
                        p_avg.addcdiv_(diff, num_averaged + 1)
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """Get the function applying exponential moving average (EMA) across a single param."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """Get the function applying stochastic weight average (SWA) across a single param."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def _group_by_dtype(self_params, model_params):
    groups = {}
    for a, b in zip(self_params, model_params):
        lists = groups.setdefault(a.dtype, ([], []))
        lists[0].append(a)
        lists[1].append(b)
    return groups.values()


class AveragedModel(Module):
    r"""Implements averaged model for Stochastic Weight Averaging (SWA) and Exponential Moving Average (EMA).

    AveragedModel class creates a copy of the provided module :attr:`model` on the :attr:`device` and allows
    computing running averages of the parameters of the :attr:`model`.

    Args:
        model (torch.nn.Module): model to use with SWA/EMA
        device (torch.device, optional): if provided, the averaged model will be stored on the :attr:`device`
        avg_fn (function, optional): the averaging function used to update parameters; the function must take
            in the current value of the :class:`AveragedModel` parameter, the current value of :attr:`model`
            parameter, and the number of models already averaged; if None, an equally weighted average is used
            (default: None)
        multi_avg_fn (function, optional): the averaging function used to update parameters inplace; the
            function must take in the current values of the :class:`AveragedModel` parameters as a list, the
            current values of :attr:`model` parameters as a list, and the number of models already averaged; if
            None, an equally weighted average is used (default: None)
        use_buffers (bool): if ``True``, it will compute running averages for both the parameters and the
            buffers of the model. (default: ``False``)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer('n_averaged', tensor(0, dtype=_dtype.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Forward pass."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Update model parameters."""
        self_param = (itertools.chain(self.module.parameters(), self.module.buffers()) if self.use_buffers
                      else self.parameters())
        model_param = (itertools.chain(model.parameters(), model.buffers()) if self.use_buffers
                       else model.parameters())
        self_param_detached, model_param_detached = [], []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach().to(p_averaged.device)
            self_param_detached.append(p_averaged.detach())
            model_param_detached.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)

        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                for self_params, model_params in _group_by_dtype(self_param_detached, model_param_detached):
                    if self.multi_avg_fn:
                        self.multi_avg_fn(self_params, model_params, self.n_averaged)
                    else:
                        # torch's CPU path: the per-tensor SWA formula (its foreach kernels are GPU-only)
                        avg_fn = get_swa_avg_fn()
                        for p_averaged, p_model in zip(self_params, model_params):
                            p_averaged.copy_(avg_fn(p_averaged, p_model, self.n_averaged))
            else:
                for p_averaged, p_model in zip(self_param_detached, model_param_detached):
                    p_averaged.detach().copy_(self.avg_fn(p_averaged.detach(), p_model, self.n_averaged))

        if not self.use_buffers:
            # not averaged: the buffers follow the current model, so that BatchNorm statistics can be
            # recomputed by update_bn at the end of training
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1


def update_bn(loader, model, device=None):
    r"""Update BatchNorm running_mean, running_var buffers in the model.

    It performs one pass over data in `loader` to estimate the activation statistics for BatchNorm layers in
    the model.

    Args:
        loader (torch.utils.data.DataLoader): dataset loader to compute the activation statistics on. Each data
            batch should be either a tensor, or a list/tuple whose first element is a tensor containing data.
        model (torch.nn.Module): model for which we seek to update BatchNorm statistics.
        device (torch.device, optional): If set, data will be transferred to :attr:`device` before being passed
            into :attr:`model`.
    """
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None   # a cumulative average over the whole pass
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
        for bn_module in momenta:
            bn_module.momentum = momenta[bn_module]
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneals the learning rate in each parameter group to a fixed value.

    This learning rate scheduler is meant to be used with Stochastic Weight Averaging (SWA) method (see
    `torch.optim.swa_utils.AveragedModel`).

    Args:
        optimizer (torch.optim.Optimizer): wrapped optimizer
        swa_lrs (float or list): the learning rate value for all param groups together or separately for each
            group.
        annealing_epochs (int): number of epochs in the annealing phase (default: 10)
        annealing_strategy (str): "cos" or "linear"; specifies the annealing strategy: "cos" for cosine
            annealing, "linear" for linear annealing (default: "cos")
        last_epoch (int): the index of the last epoch (default: -1)

    The :class:`SWALR` scheduler can be used together with other schedulers to switch to a constant learning
    rate late in the training.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1):
        swa_lrs = _format_param('swa_lr', optimizer, swa_lr)
        for swa_lr, group in zip(swa_lrs, optimizer.param_groups):
            group['swa_lr'] = swa_lr
        if anneal_strategy not in ['cos', 'linear']:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """Get learning rate."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # the current lr may have been set by another scheduler: recover the lr the annealing started from
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group['lr'], group['swa_lr'], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group['swa_lr'] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == 'cos' else self._linear_anneal

    def state_dict(self):
        """Return the state of the scheduler as a :class:`dict` (everything but the optimizer and the
        annealing function, which load_state_dict restores from the strategy's name)."""
        return {key: value for key, value in self.__dict__.items() if key not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        """Load the scheduler's state."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
