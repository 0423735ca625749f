"""torch.amp.GradScaler: loss scaling for mixed-precision training.

Low-precision gradients underflow to zero when the loss is small. The scaler multiplies the loss by a large
factor before backward, divides the gradients by it before the optimizer uses them, and skips any step whose
gradients came out inf/NaN. The factor shrinks after such a step and grows again after a run of clean ones.

The factor lives in float32 arithmetic, as torch keeps it in a float32 tensor: every value it takes is rounded
to float32 so that get_scale(), state_dict() and the scaled outputs carry the same numbers as torch's.
"""
import array
import enum
import math
import warnings

from ..tensor import Tensor
from .. import _dtype

__all__ = ['GradScaler', 'OptState']

_NO_SCALE_YET = ("Attempted {} but _scale is None.  This may indicate your script did not use "
                 "scaler.scale(loss or outputs) earlier in the iteration.")
_BAD_NEW_SCALE = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor "
                  "with requires_grad=False.")


class OptState(enum.Enum):
    """Where one optimizer is within the current iteration of a GradScaler."""
    READY = 0      # nothing done since the last update()
    UNSCALED = 1   # its gradients have been divided by the scale
    STEPPED = 2    # step() ran (or was skipped) for it


def _f32(value):
    """``value`` rounded to the nearest float32, returned as a Python float (overflow gives inf)."""
    return array.array('f', [value])[0]


class _IterationRecord:
    """What the scaler knows about one optimizer since the last update()."""
    __slots__ = ('stage', 'found_inf')

    def __init__(self):
        self.stage = OptState.READY
        # None until a gradient has been checked; then 1.0 if any checked gradient held inf/NaN, else 0.0
        self.found_inf = None


class GradScaler:
    """Scales losses up and gradients back down so that float16/bfloat16 gradients do not underflow.

    Typical loop::

        scaler = torch.amp.GradScaler("cuda")
        for input, target in data:
            optimizer.zero_grad()
            with torch.autocast("cuda"):
                loss = loss_fn(model(input), target)
            scaler.scale(loss).backward()
            scaler.step(optimizer)   # unscales the gradients; skips the step if any is inf/NaN
            scaler.update()          # adjusts the scale for the next iteration

    Args:
        device (str): device type the scaler serves. ``"cuda"`` on a machine without CUDA warns and
            disables the scaler. Default: ``"cuda"``.
        init_scale (float): starting scale factor. Default: ``2.0**16``.
        growth_factor (float): multiplier applied to the scale after ``growth_interval`` consecutive
            iterations without inf/NaN gradients; must be > 1. Default: ``2.0``.
        backoff_factor (float): multiplier applied to the scale after an iteration with inf/NaN gradients;
            must be < 1. Default: ``0.5``.
        growth_interval (int): how many clean iterations in a row it takes to grow the scale. Default: ``2000``.
        enabled (bool): when ``False`` every method is a no-op (``step`` just calls ``optimizer.step``).
            Default: ``True``.
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda":
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                              UserWarning, stacklevel=2)
                self._enabled = False
        if not self._enabled:
            # torch keeps no tuning state at all on a disabled scaler (its getters then raise AttributeError)
            return
        assert growth_factor > 1.0, "The growth factor must be > 1.0."
        assert backoff_factor < 1.0, "The backoff factor must be < 1.0."
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        # The live scale and growth counter appear at the first scale() call; until then (and after
        # load_state_dict or unpickling) the values the scaler will start from are kept as given.
        self._init_scale = init_scale
        self._init_growth_tracker = 0
        self._scale = None
        self._growth_tracker = None
        self._records = {}

    # --- the training-loop calls --------------------------------------------------------------------------
    def scale(self, outputs):
        """Multiply ``outputs`` (a tensor, or a list/tuple/iterable of them, nested) by the scale factor.

        Lists and tuples come back as the same type; other iterables come back as a lazy ``map``. A disabled
        scaler returns ``outputs`` itself."""
        if not self._enabled:
            return outputs
        return self._scale_nested(outputs)

    def _scale_nested(self, value):
        if isinstance(value, Tensor):
            if self._scale is None:
                self._start()
            from ..ops.creation import tensor
            return value * tensor(self._scale, dtype=_dtype.float32)
        if isinstance(value, (list, tuple)):
            return type(value)(self._scale_nested(v) for v in value)
        if hasattr(value, '__iter__'):
            return map(self._scale_nested, value)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer):
        """Divide the gradients of ``optimizer``'s parameters by the scale factor, in place.

        Call it at most once per optimizer between updates, before ``step``; useful to clip or inspect the
        true gradients. ``step`` calls it itself when it has not been called."""
        if not self._enabled:
            return
        self._require_live_scale("unscale_")
        record = self._record_of(optimizer)
        if record.stage is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if record.stage is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        self._divide_grads(optimizer, record)

    def _divide_grads(self, optimizer, record):
        grads = [p.grad for group in optimizer.param_groups for p in group['params'] if p.grad is not None]
        # validate every gradient before touching any, so a refusal leaves them all as they were
        if any(g.dtype == _dtype.float16 for g in grads):
            raise ValueError("Attempting to unscale FP16 gradients.")
        inverse = _f32(1.0 / self._scale) if self._scale != 0 else math.inf
        from ..autograd.grad_mode import no_grad
        found = 0.0
        with no_grad():
            for g in grads:
                # the check looks at the gradient as it was scaled: an overflow caused by the division
                # itself (scale < 1) goes unnoticed, as in torch
                if found == 0.0 and not bool(g.isfinite().all()):
                    found = 1.0
                if inverse != 1.0:
                    g.mul_(inverse)
        if grads:
            record.found_inf = found
        record.stage = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale ``optimizer``'s gradients (unless ``unscale_`` did already) and run
        ``optimizer.step(*args, **kwargs)`` only if none of them holds inf/NaN.

        Returns what ``optimizer.step`` returned, or ``None`` when the step was skipped. Closures are not
        supported while the scaler is enabled."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._require_live_scale("step")
        record = self._record_of(optimizer)
        if record.stage is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if record.stage is OptState.READY:
            self._divide_grads(optimizer, record)
        assert record.found_inf is not None, "No inf checks were recorded for this optimizer."
        result = optimizer.step(*args, **kwargs) if record.found_inf == 0.0 else None
        record.stage = OptState.STEPPED
        return result

    def update(self, new_scale=None):
        """Set the scale factor for the next iteration and forget this iteration's per-optimizer state.

        Without ``new_scale``: multiply the scale by ``backoff_factor`` if any optimizer saw inf/NaN gradients
        this iteration, otherwise count a clean iteration and multiply by ``growth_factor`` every
        ``growth_interval`` of them. With ``new_scale`` (a float, or a one-element tensor that does not
        require grad): use that value as the scale."""
        if not self._enabled:
            return
        self._require_live_scale("update")
        if new_scale is not None:
            self._scale = _f32(self._new_scale_value(new_scale))
        else:
            checks = [r.found_inf for r in self._records.values() if r.found_inf is not None]
            assert checks, "No inf checks were recorded prior to update."
            if sum(checks) > 0:
                self._scale = _f32(self._scale * self._backoff_factor)
                self._growth_tracker = 0
            elif self._growth_tracker + 1 == self._growth_interval:
                grown = _f32(self._scale * self._growth_factor)
                if math.isfinite(grown):
                    self._scale = grown
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
        self._records = {}

    def _new_scale_value(self, new_scale):
        if isinstance(new_scale, float):
            return new_scale
        # anything else is taken for a tensor (a non-tensor fails on the attribute access, as in torch)
        assert new_scale.device.type == self._device, _BAD_NEW_SCALE
        assert new_scale.numel() == 1, _BAD_NEW_SCALE
        assert not new_scale.requires_grad, _BAD_NEW_SCALE
        if new_scale.dim() != 0:
            # torch copies the value into its 0-d scale tensor, which refuses a [1]-shaped source
            raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {list(new_scale.shape)}")
        return float(new_scale.item())

    # --- getters and setters ------------------------------------------------------------------------------
    def get_scale(self):
        """The current scale factor as a Python float (1.0 when the scaler is disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self):
        """The factor the scale grows by."""
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        """Use ``new_factor`` as the growth factor from now on."""
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        """The factor the scale shrinks by."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        """Use ``new_factor`` as the backoff factor from now on."""
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        """How many clean iterations in a row make the scale grow."""
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        """Use ``new_interval`` as the growth interval from now on."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self):
        """Whether the scaler is active."""
        return self._enabled

    # --- checkpointing ------------------------------------------------------------------------------------
    def state_dict(self):
        """The scaler's settings and progress as a dict (empty for a disabled scaler), with the keys
        ``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and ``_growth_tracker``."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        """Restore settings and progress saved by :meth:`state_dict`. A disabled scaler ignores the call."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = _f32(self._init_scale)
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = int(self._init_growth_tracker)

    def __getstate__(self):
        state = dict(self.__dict__)
        if self._enabled:
            assert not self._records, ("A GradScaler instance may only be pickled at the beginning of an "
                                       "iteration, or at the end after scaler.update().")
            # the copy starts from the current values and makes its live scale at its own first scale()
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # --- helpers ------------------------------------------------------------------------------------------
    def _start(self):
        self._scale = _f32(self._init_scale)
        self._growth_tracker = int(self._init_growth_tracker)

    def _require_live_scale(self, what):
        assert self._scale is not None, _NO_SCALE_YET.format(what)

    def _record_of(self, optimizer):
        return self._records.setdefault(id(optimizer), _IterationRecord())
