"""torch.optim.lr_scheduler: learning-rate schedules that rewrite `lr` (and momentum) in an optimizer's groups.

Every schedule keeps `last_epoch` (how many times it has stepped) and computes the next learning rates
from the current ones ("chainable" form), so several schedules can act on the same optimizer. A call
`step(epoch)` jumps to an epoch instead, using the schedule's direct formula of the epoch where it has
one. Both forms are evaluated in the same arithmetic order as torch so the sequences agree to rounding.
"""
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter

from .optimizer import Optimizer
from ..tensor import Tensor

__all__ = ['LambdaLR', 'MultiplicativeLR', 'StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR',
           'SequentialLR', 'CosineAnnealingLR', 'ChainedScheduler', 'ReduceLROnPlateau', 'CyclicLR',
           'CosineAnnealingWarmRestarts', 'OneCycleLR', 'PolynomialLR', 'LRScheduler']

_DOCS_LINK = "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
_MSG_EPOCH_ARG = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available. Please open an issue "
    "if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.")
_MSG_ORDER = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should "
    "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. " + _DOCS_LINK)
_MSG_REPLACED_STEP = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, "
    "make sure to call `optimizer.step()` before `lr_scheduler.step()`. " + _DOCS_LINK)
_MSG_USE_LAST_LR = "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
_MSG_NO_PLATEAU = ("{} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be "
                   "specified when calling `step`, but got one at index {} in the given schedulers sequence.")


def _format_param(name, optimizer, param):
    """One value per param group: a scalar is repeated, a list/tuple must have one entry per group."""
    n = len(optimizer.param_groups)
    if isinstance(param, (list, tuple)):
        if len(param) != n:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(param)} values, param_groups has {n}.")
        return list(param)
    return [param] * n


def _write_lr(group, value):
    # a Tensor lr is updated in place so that code holding it sees the new value
    if isinstance(group['lr'], Tensor):
        group['lr'].fill_(value)
    else:
        group['lr'] = value


def _read_lrs(optimizer):
    return [g['lr'] for g in optimizer.param_groups]


def _track_optimizer_steps(optimizer):
    """Make `optimizer.step` record that it ran, so the first scheduler step can warn when it came first."""
    current = optimizer.step
    if getattr(current, '_wrapped_by_lr_sched', False):
        return
    inner = getattr(current, '__func__', None)
    if inner is None:      # a plain function was assigned to the instance: leave it, step() will warn
        return

    def step(*args, **kwargs):
        optimizer._opt_called = True
        return inner(optimizer, *args, **kwargs)

    step._wrapped_by_lr_sched = True
    step.__wrapped__ = inner
    optimizer._opt_called = False
    optimizer.step = step


def _callables_state(fns):
    """How torch saves lambdas: None for plain functions, the attribute dict of callable objects."""
    return [None if isinstance(f, types.FunctionType) else f.__dict__.copy() for f in fns]


def _restore_callables(fns, saved):
    for f, attrs in zip(fns, saved):
        if attrs is not None:
            f.__dict__.update(attrs)


class LRScheduler:
    """Base class of the learning-rate schedulers.

    A subclass defines `get_lr()` (the next rates from the current ones, called inside `step()`) and
    optionally `_get_closed_form_lr()` (the rates as a function of `last_epoch`, used by `step(epoch)`).
    Construction stores each group's starting rate as `initial_lr` (required when `last_epoch` is not -1)
    and takes the first step, so `get_last_lr()` is valid right away.
    """

    _get_lr_called_within_step = False

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                start = group['lr']
                group.setdefault('initial_lr', start.clone() if isinstance(start, Tensor) else start)
            elif 'initial_lr' not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler with "
                    "last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume training from "
                    "a checkpoint but haven't properly loaded the optimizer state\n2. You're using last_epoch "
                    ">= 0 for a fresh training run (not recommended)")
        self.base_lrs = [g['initial_lr'] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self):
        """The scheduler's state as a dict: every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != 'optimizer'}

    def load_state_dict(self, state_dict):
        """Restore a state produced by :meth:`state_dict`."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates the last `step()` set, one per param group."""
        return self._last_lr

    def get_lr(self):
        """The learning rates for the current `last_epoch`; subclasses compute them."""
        raise NotImplementedError

    def _warn_if_outside_step(self):
        if not self._get_lr_called_within_step:
            warnings.warn(_MSG_USE_LAST_LR, UserWarning, stacklevel=3)

    def _check_call_order(self):
        if self._step_count == 1:
            opt_step = self.optimizer.step
            if not getattr(opt_step, '_wrapped_by_lr_sched', False):
                warnings.warn(_MSG_REPLACED_STEP, UserWarning, stacklevel=3)
            elif not getattr(self.optimizer, '_opt_called', False):
                warnings.warn(_MSG_ORDER, UserWarning, stacklevel=3)
        self._step_count += 1

    def _compute(self, fn):
        self._get_lr_called_within_step = True
        try:
            return fn()
        finally:
            self._get_lr_called_within_step = False

    def step(self, epoch=None):
        """Advance one epoch (or, deprecated, jump to `epoch`) and write the new rates to the optimizer."""
        self._check_call_order()
        if epoch is None:
            self.last_epoch += 1
            lrs = self._compute(self.get_lr)
            self._apply(lrs)
        else:
            warnings.warn(_MSG_EPOCH_ARG, UserWarning, stacklevel=2)
            self._jump_to(epoch)

    def _jump_to(self, epoch):
        # the direct formula of the epoch where the schedule has one, else the chainable step
        self.last_epoch = epoch
        self._apply(self._compute(getattr(self, '_get_closed_form_lr', self.get_lr)))

    def _apply(self, lrs):
        for group, lr in zip(self.optimizer.param_groups, lrs):
            _write_lr(group, lr)
        self._last_lr = _read_lrs(self.optimizer)


_LRScheduler = LRScheduler


class _FactorSchedule(LRScheduler):
    """Schedules whose chainable step multiplies the current rates by one factor per group.

    `_ratio()` gives that factor (None leaves the rate alone) and `_closed_factor()` the factor applied
    to the base rates when jumping to an epoch.
    """

    def get_lr(self):
        self._warn_if_outside_step()
        ratio = self._ratio()
        if ratio is None:
            return _read_lrs(self.optimizer)
        return [g['lr'] * ratio for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        f = self._closed_factor()
        return [b * f for b in self.base_lrs]


class _WithLambdas(LRScheduler):
    """Stores one callable per group; the callables are saved as torch saves them (see `_callables_state`)."""

    def __init__(self, optimizer, lr_lambda, last_epoch):
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """The scheduler's state; a lambda is saved as None, a callable object as its `__dict__`."""
        state = {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'lr_lambdas')}
        state['lr_lambdas'] = _callables_state(self.lr_lambdas)
        return state

    def load_state_dict(self, state_dict):
        """Restore the state; callable objects get their saved attributes back."""
        saved = state_dict['lr_lambdas']
        self.__dict__.update({k: v for k, v in state_dict.items() if k != 'lr_lambdas'})
        _restore_callables(self.lr_lambdas, saved)


class LambdaLR(_WithLambdas):
    """Set each group's learning rate to its initial rate times `lr_lambda(epoch)`.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        lr_lambda (callable or list): a function of the epoch, or one per param group.
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        """Initial rate times the group's lambda at `last_epoch`."""
        self._warn_if_outside_step()
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_WithLambdas):
    """Multiply each group's learning rate by `lr_lambda(epoch)` at every step after the first.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        lr_lambda (callable or list): a function of the epoch giving the factor, or one per param group.
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self):
        """Current rates times the factors at `last_epoch` (unchanged on the construction step)."""
        self._warn_if_outside_step()
        if self._is_initial:
            return _read_lrs(self.optimizer)
        return [g['lr'] * fn(self.last_epoch) for fn, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(_FactorSchedule):
    """Multiply the learning rate by `gamma` every `step_size` epochs.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        step_size (int): epochs between two decays.
        gamma (float): decay factor (default: 0.1).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        e = self.last_epoch
        return self.gamma if e != 0 and e % self.step_size == 0 else None

    def _closed_factor(self):
        return self.gamma ** (self.last_epoch // self.step_size)


class MultiStepLR(_FactorSchedule):
    """Multiply the learning rate by `gamma` at each milestone (twice for a milestone listed twice).

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        milestones (list): epoch indices.
        gamma (float): decay factor (default: 0.1).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        hits = self.milestones.get(self.last_epoch, 0)
        return self.gamma ** hits if hits else None

    def _closed_factor(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return self.gamma ** passed


class ConstantLR(_FactorSchedule):
    """Scale the learning rate by `factor` until epoch `total_iters`, then restore it.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        factor (float): the scale, between 0 and 1 (default: 1/3).
        total_iters (int): epochs the scale lasts (default: 5).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1.0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        if self.last_epoch == 0:
            return self.factor
        return 1.0 / self.factor if self.last_epoch == self.total_iters else None

    def _closed_factor(self):
        return self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)


class LinearLR(_FactorSchedule):
    """Scale the learning rate by a factor that moves linearly from `start_factor` to `end_factor`
    over `total_iters` epochs.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        start_factor (float): scale at the first epoch, in (0, 1] (default: 1/3).
        end_factor (float): scale reached at `total_iters`, in [0, 1] (default: 1.0).
        total_iters (int): length of the ramp in epochs (default: 5).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        e = self.last_epoch
        if e == 0:
            return self.start_factor
        if self._is_initial or e > self.total_iters:
            return None
        span = self.end_factor - self.start_factor
        # factor(e) / factor(e - 1), with factor(e) = start + span * e / total_iters
        return 1.0 + span / (self.total_iters * self.start_factor + (e - 1) * span)

    def _closed_factor(self):
        done = min(self.total_iters, self.last_epoch)
        return self.start_factor + (self.end_factor - self.start_factor) * done / self.total_iters


class ExponentialLR(_FactorSchedule):
    """Multiply the learning rate by `gamma` every epoch.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        gamma (float): decay factor.
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        return None if self._is_initial else self.gamma

    def _closed_factor(self):
        return self.gamma ** self.last_epoch


class PolynomialLR(_FactorSchedule):
    """Decay the learning rate as `(1 - epoch / total_iters) ** power`, reaching 0 at `total_iters`.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        total_iters (int): epochs of decay (default: 5).
        power (float): exponent of the polynomial (default: 1.0).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _ratio(self):
        e, n = self.last_epoch, self.total_iters
        if self._is_initial or e > n:
            return None
        return ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** self.power

    def _closed_factor(self):
        return (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate along a cosine from the initial rate down to `eta_min` over `T_max` epochs
    (and back up over the next `T_max`, periodically).

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        T_max (int): half period in epochs.
        eta_min (float): lowest learning rate (default: 0).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Next rates from the current ones, following the cosine curve."""
        self._warn_if_outside_step()
        groups = self.optimizer.param_groups
        e, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _read_lrs(self.optimizer)
        if self._step_count == 1 and e > 0:
            return [lo + (b - lo) * (1 + math.cos(e * math.pi / T)) / 2 for b in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:
            # at the bottom of the curve the ratio form divides by zero: add the rise directly
            return [g['lr'] + (b - lo) * (1 - math.cos(math.pi / T)) / 2 for b, g in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
        return [ratio * (g['lr'] - lo) + lo for g in groups]

    def _get_closed_form_lr(self):
        lo = self.eta_min
        return [lo + (b - lo) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2 for b in self.base_lrs]


def _check_sub_schedulers(owner, optimizer, schedulers):
    for i, s in enumerate(schedulers):
        if not hasattr(s, 'optimizer'):
            raise TypeError(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(_MSG_NO_PLATEAU.format(owner, i))
        if s.optimizer != optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, but got scheduler "
                             f"{type(s).__name__} at index {i} has {s.optimizer}, which is different from "
                             f"{type(optimizer).__name__}.")


class _Group(LRScheduler):
    """Holds child schedulers; its state_dict nests theirs under `_schedulers`."""

    def state_dict(self):
        """Own attributes plus each child's state_dict."""
        state = {k: v for k, v in self.__dict__.items() if k not in ('optimizer', '_schedulers')}
        state['_schedulers'] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Restore own attributes and each child's state."""
        self.__dict__.update({k: v for k, v in state_dict.items() if k != '_schedulers'})
        for s, sub in zip(self._schedulers, state_dict['_schedulers']):
            s.load_state_dict(sub)


def _rewind(sched):
    # a nested group has no epoch of its own: rewind the schedulers inside it
    if isinstance(sched, _Group):
        for s in sched._schedulers:
            _rewind(s)
    else:
        sched.last_epoch -= 1


class SequentialLR(_Group):
    """Run the given schedulers one after another, switching to the next at each milestone.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        schedulers (list): schedulers of that optimizer, in order.
        milestones (list): epochs at which to switch (one fewer than schedulers).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
        _check_sub_schedulers(name, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be one more than the "
                             f"number of milestone points, but got number of schedulers {len(schedulers)} and the "
                             f"number of milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # each child stepped once when built: put the rates back and take that step again for the first only
        for g in optimizer.param_groups:
            _write_lr(g, g['initial_lr'])
        for s in schedulers:
            _rewind(s)
        schedulers[0]._initial_step()
        self._last_lr = schedulers[0].get_last_lr()

    def step(self):
        """Step the scheduler active at the new epoch; one starting now is set to its epoch 0 (silently)."""
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        active = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            active._jump_to(0)
        else:
            active.step()
        self._last_lr = active.get_last_lr()


class ChainedScheduler(_Group):
    """Step several schedulers of one optimizer together, so their effects multiply.

    Args:
        schedulers (sequence): the schedulers to chain.
        optimizer (Optimizer, optional): their optimizer (default: the first scheduler's).
    """

    def __init__(self, schedulers, optimizer=None):
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_sub_schedulers(name, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _read_lrs(schedulers[-1].optimizer)

    def step(self):
        """Step every chained scheduler in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = _read_lrs(self._schedulers[-1].optimizer)


class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rate when a metric stops improving.

    After `patience` epochs without improvement (beyond `threshold`) each group's rate is multiplied
    by `factor` (not below `min_lr`, and only if it changes by more than `eps`), followed by `cooldown`
    epochs during which bad epochs are not counted.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        mode (str): 'min' (lower metric is better) or 'max' (default: 'min').
        factor (float): reduction factor, < 1 (default: 0.1).
        patience (int): bad epochs tolerated before reducing (default: 10).
        threshold (float): least change that counts as improvement (default: 1e-4).
        threshold_mode (str): 'rel' (relative to the best) or 'abs' (default: 'rel').
        cooldown (int): epochs to wait after a reduction (default: 0).
        min_lr (float or list): lower bound on the rates, for all groups or per group (default: 0).
        eps (float): smallest reduction that is applied (default: 1e-8).
    """

    def __init__(self, optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel',
                 cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"expected {n} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _read_lrs(optimizer)
        self._set_comparison(mode, threshold, threshold_mode)
        self._reset()

    def _set_comparison(self, mode, threshold, threshold_mode):
        if mode not in ('min', 'max'):
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in ('rel', 'abs'):
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = math.inf if mode == 'min' else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        """Whether a reduction happened less than `cooldown` epochs ago."""
        return self.cooldown_counter > 0

    def is_better(self, a, best):
        """Whether metric `a` improves on `best` by more than the threshold."""
        t = self.threshold
        if self.mode == 'min':
            return a < best * (1.0 - t) if self.threshold_mode == 'rel' else a < best - t
        return a > best * (t + 1.0) if self.threshold_mode == 'rel' else a > best + t

    def step(self, metrics, epoch=None):
        """Record this epoch's metric and reduce the rates if it has stalled for too long."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_MSG_EPOCH_ARG, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _read_lrs(self.optimizer)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError("The number of param groups in the `optimizer` "
                                   f"({len(groups)}) differs from when `ReduceLROnPlateau` was "
                                   f"initialized ({len(self.min_lrs)}), usually due to a new param group "
                                   "being added to the optimizer. Please modify the `min_lrs` field to "
                                   "match the length of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, floor in zip(groups, self.min_lrs):
            old = float(group['lr'])
            new = max(old * self.factor, floor)
            if old - new > self.eps:
                _write_lr(group, new)

    def load_state_dict(self, state_dict):
        """Restore the state and rebuild the comparison from the saved mode and threshold."""
        self.__dict__.update(state_dict)
        self._set_comparison(self.mode, self.threshold, self.threshold_mode)


def _momentum_setup(sched, optimizer, base_momentum, max_momentum, last_epoch):
    """Validate momentum cycling and, for a fresh run, start every group at `max_momentum`."""
    if 'momentum' not in optimizer.defaults and 'betas' not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    sched.use_beta1 = 'betas' in optimizer.defaults
    lows = _format_param('base_momentum', optimizer, base_momentum)
    highs = _format_param('max_momentum', optimizer, max_momentum)
    if last_epoch == -1:
        for hi, lo, group in zip(highs, lows, optimizer.param_groups):
            _write_momentum(sched, group, hi)
            group['max_momentum'] = hi
            group['base_momentum'] = lo
    return lows, highs


def _write_momentum(sched, group, value):
    if sched.use_beta1:
        group['betas'] = (value, *group['betas'][1:])
    else:
        group['momentum'] = value


class CyclicLR(LRScheduler):
    """Cycle the learning rate between `base_lr` and `max_lr` (cyclical learning rates), stepping
    once per batch; momentum, when cycled, moves the opposite way between `max_momentum` and
    `base_momentum`.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        base_lr (float or list): lower rate of the cycle, per group or for all.
        max_lr (float or list): upper rate of the cycle, per group or for all.
        step_size_up (int): steps in the rising half (default: 2000).
        step_size_down (int): steps in the falling half (default: `step_size_up`).
        mode (str): 'triangular', 'triangular2' (amplitude halves every cycle) or 'exp_range'
            (amplitude scaled by `gamma ** iterations`) (default: 'triangular').
        gamma (float): base of 'exp_range' (default: 1.0).
        scale_fn (callable): custom amplitude scale, overriding `mode` (default: None).
        scale_mode (str): whether `scale_fn` takes the cycle number ('cycle') or the step ('iterations').
        cycle_momentum (bool): also cycle momentum / beta1 (default: True).
        base_momentum (float or list): lower momentum (default: 0.8).
        max_momentum (float or list): upper momentum (default: 0.9).
        last_epoch (int): index of the last batch (default: -1).
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode='triangular',
                 gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        base_lrs = _format_param('base_lr', optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                _write_lr(group, lr)
        self.max_lrs = _format_param('max_lr', optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ('triangular', 'triangular2', 'exp_range') and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_ref = None
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._pick_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_setup(self, optimizer, base_momentum,
                                                                      max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _pick_scale_fn(self):
        if self._scale_fn_custom is not None:
            return
        if self.mode == 'triangular':
            self._scale_fn_ref, self.scale_mode = (lambda x: 1.0), 'cycle'
        elif self.mode == 'triangular2':
            self._scale_fn_ref, self.scale_mode = (lambda x: 1 / (2.0 ** (x - 1))), 'cycle'
        elif self.mode == 'exp_range':
            gamma = self.gamma
            self._scale_fn_ref, self.scale_mode = (lambda x: gamma ** x), 'iterations'

    def scale_fn(self, x):
        """The amplitude scale at `x` (cycle number or step, per `scale_mode`)."""
        fn = self._scale_fn_custom if self._scale_fn_custom is not None else self._scale_fn_ref
        return fn(x)

    def get_lr(self):
        """Rates (and momenta, written to the groups) at the current step of the cycle."""
        self._warn_if_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            frac = x / self.step_ratio
        else:
            frac = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == 'cycle' else self.last_epoch)
        lrs = [lo + (hi - lo) * frac * scale for lo, hi in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, lo, hi in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _write_momentum(self, group, hi - (hi - lo) * frac * scale)
        return lrs

    def state_dict(self):
        """The state; the built-in scale function is dropped and a custom callable object saved as its
        `__dict__` (a plain function as None)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ('optimizer', '_scale_fn_ref')}
        fn = self._scale_fn_custom
        state['_scale_fn_custom'] = None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict):
        """Restore the state; a custom scale object gets its attributes back."""
        saved = state_dict['_scale_fn_custom']
        self.__dict__.update({k: v for k, v in state_dict.items() if k != '_scale_fn_custom'})
        if saved is not None:
            self._scale_fn_custom.__dict__.update(saved)
        self._pick_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from the initial rate to `eta_min` that restarts every `T_i` epochs, the period
    growing by `T_mult` after each restart (SGDR). Fractional epochs may be passed to `step`.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        T_0 (int): length of the first period.
        T_mult (int): period growth factor (default: 1).
        eta_min (float): lowest learning rate (default: 0).
        last_epoch (int): index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Rates at position `T_cur` of the current period."""
        self._warn_if_outside_step()
        lo = self.eta_min
        return [lo + (b - lo) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for b in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to (possibly fractional) `epoch`, restarting as periods end."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self._place(epoch)
        self.last_epoch = math.floor(epoch)
        self._apply(self._compute(self.get_lr))

    def _place(self, epoch):
        T_0, m = self.T_0, self.T_mult
        if epoch < T_0:
            self.T_i, self.T_cur = T_0, epoch
        elif m == 1:
            self.T_cur = epoch % T_0
        else:
            # periods T_0, T_0 m, T_0 m^2 ...: n full periods end at T_0 (m^n - 1) / (m - 1)
            n = int(math.log(epoch / T_0 * (m - 1) + 1, m))
            self.T_cur = epoch - T_0 * (m ** n - 1) / (m - 1)
            self.T_i = T_0 * m ** n


def _cos_ramp(start, end, pct):
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _linear_ramp(start, end, pct):
    return (end - start) * pct + start


class OneCycleLR(LRScheduler):
    """The 1cycle policy: the learning rate rises from `max_lr / div_factor` to `max_lr`, then falls to
    `initial_lr / final_div_factor` (with an optional third phase), stepping once per batch;
    momentum, when cycled, moves the opposite way.

    Args:
        optimizer (Optimizer): the optimizer whose rates are scheduled.
        max_lr (float or list): peak rate, per group or for all.
        total_steps (int): length of the cycle; or give `epochs` and `steps_per_epoch`.
        epochs (int): epochs to train for.
        steps_per_epoch (int): steps per epoch.
        pct_start (float): fraction of the cycle spent rising (default: 0.3).
        anneal_strategy (str): 'cos' or 'linear' (default: 'cos').
        cycle_momentum (bool): also cycle momentum / beta1 (default: True).
        base_momentum (float or list): lower momentum (default: 0.85).
        max_momentum (float or list): upper momentum (default: 0.95).
        div_factor (float): `initial_lr = max_lr / div_factor` (default: 25).
        final_div_factor (float): `min_lr = initial_lr / final_div_factor` (default: 1e4).
        three_phase (bool): fall back to `initial_lr` symmetrically before the final descent (default: False).
        last_epoch (int): index of the last batch (default: -1).
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            self._require_positive_int('total_steps', total_steps)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            self._require_positive_int('epochs', epochs)
            self._require_positive_int('steps_per_epoch', steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        rise_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                self._phase(rise_end, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'),
                self._phase(float(2 * pct_start * self.total_steps) - 2, 'max_lr', 'initial_lr',
                            'base_momentum', 'max_momentum'),
                self._phase(self.total_steps - 1, 'initial_lr', 'min_lr', 'max_momentum', 'max_momentum')]
        else:
            self._schedule_phases = [
                self._phase(rise_end, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'),
                self._phase(self.total_steps - 1, 'max_lr', 'min_lr', 'base_momentum', 'max_momentum')]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        peaks = _format_param('max_lr', optimizer, max_lr)
        if last_epoch == -1:
            for peak, group in zip(peaks, optimizer.param_groups):
                start = peak / div_factor
                group['initial_lr'] = start
                group['max_lr'] = peak
                group['min_lr'] = start / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_setup(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _require_positive_int(name, value):
        if value <= 0 or not isinstance(value, int):
            raise ValueError(f"Expected positive integer {name}, but got {value}")

    @staticmethod
    def _phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
        return {'end_step': end_step, 'start_lr': start_lr, 'end_lr': end_lr,
                'start_momentum': start_momentum, 'end_momentum': end_momentum}

    def get_lr(self):
        """Rates (and momenta, written to the groups) at the current step of the cycle."""
        self._warn_if_outside_step()
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"Tried to step {t} times. The specified number of total steps is {self.total_steps}")
        ramp = _cos_ramp if self._anneal_func_type == 'cos' else _linear_ramp
        # the phase holding step t: the first whose end is at or past t (the last one catches the rest)
        phases = self._schedule_phases
        k = next((i for i, p in enumerate(phases) if t <= p['end_step']), len(phases) - 1)
        begin = 0.0 if k == 0 else phases[k - 1]['end_step']
        phase = phases[k]
        pct = (t - begin) / (phase['end_step'] - begin)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(ramp(group[phase['start_lr']], group[phase['end_lr']], pct))
            if self.cycle_momentum:
                _write_momentum(self, group, ramp(group[phase['start_momentum']], group[phase['end_momentum']],
                                                  pct))
        return lrs
