"""torch.amp.GradScaler: dynamic loss scaling for mixed-precision training.

The CPU scaler really scales: `scale(loss)` multiplies by the current scale, `unscale_`/`step` divide
the gradients by it and skip the optimizer step when any gradient is inf or nan, and `update` backs
the scale off after such a step or grows it after `growth_interval` clean ones, as torch's
`_amp_update_scale_`. A CUDA scaler on this CUDA-less build warns and disables itself, as torch's
does: scale() returns its input and step() just calls optimizer.step().
"""
import warnings
from collections import defaultdict
from enum import Enum

from ..tensor import Tensor
from ..autograd.graph import _wrap
from ..backend import numpy_backend as _np
from .. import _dtype
from .autocast_mode import _check_device_type

__all__ = ['GradScaler', 'OptState']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _scalar_tensor(value, dt):
    return _wrap(_np.asarray(value, dtype=dt.np), None)


class GradScaler:
    r"""An instance ``scaler`` of :class:`GradScaler` helps perform the steps of gradient scaling conveniently.

    * ``scaler.scale(loss)`` multiplies a given loss by ``scaler``'s current scale factor.
    * ``scaler.step(optimizer)`` safely unscales gradients and calls ``optimizer.step()``.
    * ``scaler.update()`` updates ``scaler``'s scale factor.

    If inf or nan gradients are found, ``scaler.step`` skips ``optimizer.step()`` and ``update``
    multiplies the scale by ``backoff_factor``; after ``growth_interval`` unskipped iterations in a row
    it multiplies the scale by ``growth_factor``.

    Args:
        device (str, optional, default="cuda"): Device type to use. Possible values are: 'cuda' and 'cpu'.
        init_scale (float, optional, default=2.**16): Initial scale factor.
        growth_factor (float, optional, default=2.0): Factor by which the scale is multiplied during
            :meth:`update` if no inf/NaN gradients occur for ``growth_interval`` consecutive iterations.
        backoff_factor (float, optional, default=0.5): Factor by which the scale is multiplied during
            :meth:`update` if inf/NaN gradients occur in an iteration.
        growth_interval (int, optional, default=2000): Number of consecutive iterations without inf/NaN gradients
            that must occur for the scale to be multiplied by ``growth_factor``.
        enabled (bool, optional): If ``False``, disables gradient scaling. :meth:`step` simply
            invokes the underlying ``optimizer.step()``, and other methods become no-ops.
            Default: ``True``
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = _check_device_type(device)
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self):
        self._scale = _scalar_tensor(self._init_scale, _dtype.float32)
        self._growth_tracker = _scalar_tensor(self._init_growth_tracker, _dtype.int32)

    def scale(self, outputs):
        """Multiplies ('scales') a tensor or list of tensors by the scale factor.

        Returns scaled outputs. If this instance of :class:`GradScaler` is not enabled, outputs are returned
        unmodified.

        Args:
            outputs (Tensor or iterable of Tensors): Outputs to scale.
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker()
            return outputs * self._scale

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker()
                return val * self._scale
            if isinstance(val, (list, tuple)):
                return type(val)(apply_scale(v) for v in val)
            if hasattr(val, '__iter__'):
                return map(apply_scale, val)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        found = {}
        for group in optimizer.param_groups:
            for param in group["params"]:
                g = param.grad
                if g is None:
                    continue
                if not allow_fp16 and g.dtype == _dtype.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                a = g._data
                dev = g.device
                bad = not bool(_np.isfinite(a).all())
                # torch multiplies even when it finds an inf: the skipped step never reads them
                a *= _np.asarray(inv_scale, dtype=a.dtype)
                g._vc[0] += 1
                prev = found.get(dev)
                if prev is None:
                    prev = found[dev] = _scalar_tensor(0.0, _dtype.float32)
                if bad:
                    prev._data[...] = 1.0
        return found

    def unscale_(self, optimizer):
        """Divides ("unscales") the optimizer's gradient tensors by the scale factor.

        :meth:`unscale_` is optional, serving cases where you need to modify or inspect gradients between
        the backward pass(es) and :meth:`step` (gradient clipping, for example). If it is not called
        explicitly, gradients are unscaled automatically during :meth:`step`.
        """
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # torch: self._scale.double().reciprocal().float()
        inv_scale = _np.float32(1.0 / float(self._scale._data))
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Invoke ``unscale_(optimizer)`` followed by parameter update, if gradients are not infs/NaN.

        Returns the return value of ``optimizer.step(*args, **kwargs)``, or None when the step was skipped.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(float(v._data) for v in state["found_inf_per_device"].values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Update the scale factor.

        If any optimizer steps were skipped the scale is multiplied by ``backoff_factor`` to reduce it. If
        ``growth_interval`` unskipped iterations occurred consecutively, the scale is multiplied by
        ``growth_factor`` to increase it. Passing ``new_scale`` sets the new scale value manually.
        """
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                _scale._data[...] = new_scale
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if not isinstance(new_scale, Tensor) or new_scale.device.type != self._device:
                    raise AssertionError(reason)
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad:
                    raise AssertionError(reason)
                if new_scale.ndim:
                    raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                                       f"{list(new_scale.shape)}")
                _scale._data[...] = new_scale._data
        else:
            found_infs = [f for s in self._per_optimizer_states.values() for f in s["found_inf_per_device"].values()]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf = sum(float(f._data) for f in found_infs)
            # torch's _amp_update_scale_
            if found_inf:
                _scale._data[...] = _scale._data * _np.float32(self._backoff_factor)
                _growth_tracker._data[...] = 0
            else:
                successful = int(_growth_tracker._data) + 1
                if successful == self._growth_interval:
                    grown = _scale._data * _np.float32(self._growth_factor)
                    if _np.isfinite(grown):
                        _scale._data[...] = grown
                    _growth_tracker._data[...] = 0
                else:
                    _growth_tracker._data[...] = successful
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def get_scale(self):
        """Return a Python float containing the current scale, or 1.0 if scaling is disabled."""
        if self._enabled:
            return self._init_scale if self._scale is None else float(self._scale._data)
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker._data)
        return 0

    def is_enabled(self):
        """Return a bool indicating whether this instance is enabled."""
        return self._enabled

    def state_dict(self):
        """Return the state of the scaler as a :class:`dict` (empty when the scaler is disabled)."""
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        """Load the scaler state. If this instance is disabled, :meth:`load_state_dict` is a no-op."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale._data[...] = state_dict["scale"]
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker._data[...] = state_dict["_growth_tracker"]

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning of an iteration, "
                                     "or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
