"""Autocast state that ember's matmul, linear and conv entry points consult.

It lives apart from the `autocast` class so the core ops can import it without importing the rest
of `ember.amp`. `cpu_on` is the one flag those entry points test: while it is False, autocast costs
them a single attribute read.
"""
from .. import _dtype

# torch's defaults: CPU autocast computes in bfloat16, CUDA autocast in float16.
_enabled = {'cpu': False, 'cuda': False}
_dtypes = {'cpu': _dtype.bfloat16, 'cuda': _dtype.float16}
_cache = [True]
_nesting = [0]
cpu_on = False

# Floating dtypes autocast casts; float64 is left alone, as torch's `is_eligible` does.
_ELIGIBLE = (_dtype.float16.np, _dtype.bfloat16.np, _dtype.float32.np)


def set_enabled(device_type, enabled):
    global cpu_on
    _enabled[device_type] = bool(enabled)
    if device_type == 'cpu':
        cpu_on = bool(enabled)


def _to(t, dt):
    from ..tensor import Tensor, cast
    if isinstance(t, Tensor) and t._data.dtype in _ELIGIBLE and t._data.dtype != dt.np:
        return cast(t, dt)
    return t


def lower(*tensors):
    """The tensors in CPU autocast's lower-precision dtype (torch's `lower_precision_fp` policy)."""
    dt = _dtypes['cpu']
    return tuple(_to(t, dt) for t in tensors)


def upper(*tensors):
    """The tensors in float32 (torch's `fp32` policy for ops that lose too much in low precision)."""
    return tuple(_to(t, _dtype.float32) for t in tensors)
