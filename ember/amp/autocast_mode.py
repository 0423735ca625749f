"""torch.autocast: regions where matmul, linear and convolution run in lower precision.

On the CPU (the only device here) the lower precision is bfloat16 by default, as in torch: inside
`with torch.autocast('cpu'):` the floating inputs of linear, matmul/mm/bmm/addmm/baddbmm/addbmm,
einsum, conv{1,2,3}d and conv_transpose{1,2,3}d are cast to that dtype (float64 stays float64), so
their outputs are bfloat16; every other op runs in its inputs' dtype. The casts are recorded ops,
so float32 parameters still get float32 gradients. CUDA autocast is accepted and, as torch does on a
machine without CUDA, warns and disables itself.
"""
import functools
import warnings

from .. import _dtype
from . import _state

__all__ = ['autocast', 'is_autocast_available', 'custom_fwd', 'custom_bwd']

# torch's list, in its order, for its "Expected one of ..." message.
_DEVICE_TYPES = ('cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga', 'maia',
                 'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone')


def _check_device_type(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    base = device_type.split(':')[0]
    if base not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    return base


def is_autocast_available(device_type):
    """Return a bool indicating if autocast is available on ``device_type``."""
    return _check_device_type(device_type) in ('cpu', 'cuda')


class autocast:
    r"""Instances of :class:`autocast` serve as context managers or decorators that allow regions of your
    script to run in mixed precision.

    In these regions, ops run in an op-specific dtype chosen by autocast to improve performance while
    maintaining accuracy.

    Args:
        device_type(str, required): Device type to use. Possible values are: 'cuda', 'cpu', ...
        dtype(torch_dtype, optional): Data type for ops run in autocast. It uses the default value
            (``torch.float16`` for CUDA and ``torch.bfloat16`` for CPU) if :attr:`dtype` is ``None``.
        enabled(bool, optional): Whether autocasting should be enabled in the region. Default: ``True``
        cache_enabled(bool, optional): Whether the weight cache inside autocast should be enabled.
            Default: ``True`` (accepted; ember casts on every call).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        self.device = _check_device_type(device_type)
        self.fast_dtype = _state._dtypes.get(self.device, _dtype.bfloat16) if dtype is None else dtype
        self._cache_enabled = _state._cache[0] if cache_enabled is None else cache_enabled
        enabled = bool(enabled)
        if self.device == 'cuda':
            if enabled:
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        elif self.device == 'cpu':
            if enabled and self.fast_dtype not in (_dtype.bfloat16, _dtype.float16):
                warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                              "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                              stacklevel=2)
                enabled = False
        else:
            enabled = False   # no such device on this build: the region runs as written
        self._enabled = enabled
        self._saved = []

    def __enter__(self):
        dev = self.device
        self._saved.append((_state._enabled.get(dev, False), _state._dtypes.get(dev), _state._cache[0]))
        if dev in _state._enabled:
            _state.set_enabled(dev, self._enabled)
            _state._dtypes[dev] = self.fast_dtype
        _state._cache[0] = self._cache_enabled
        _state._nesting[0] += 1
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        enabled, dt, cache = self._saved.pop()
        dev = self.device
        if dev in _state._enabled:
            _state.set_enabled(dev, enabled)
            _state._dtypes[dev] = dt
        _state._cache[0] = cache
        _state._nesting[0] -= 1
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Create a helper decorator for ``forward`` methods of custom autograd functions. With
    ``cast_inputs`` set, floating inputs are cast to it and forward runs with autocast disabled."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    dev = _check_device_type(device_type)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        if cast_inputs is None or not _state._enabled.get(dev, False):
            return fwd(*args, **kwargs)
        args = tuple(_state._to(a, cast_inputs) for a in args)
        kwargs = {k: _state._to(v, cast_inputs) for k, v in kwargs.items()}
        with autocast(device_type=dev, enabled=False):
            return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Create a helper decorator for backward methods of custom autograd functions (backward runs with
    the autocast state forward ran with; ember's backward does not autocast, so this calls bwd)."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    _check_device_type(device_type)
    return functools.wraps(bwd)(lambda *args, **kwargs: bwd(*args, **kwargs))


# --- torch's module-level autocast state functions ------------------------------------------------------
def is_autocast_enabled(device_type=None):
    """Whether autocast is enabled for ``device_type`` (with no argument: CUDA, as torch)."""
    dev = 'cuda' if device_type is None else _check_device_type(device_type)
    return _state._enabled.get(dev, False)


def set_autocast_enabled(device_type, enabled=None):
    """set_autocast_enabled(device_type, enabled), or the older set_autocast_enabled(enabled) for CUDA."""
    if enabled is None:
        device_type, enabled = 'cuda', device_type
    dev = _check_device_type(device_type)
    if dev in _state._enabled:
        _state.set_enabled(dev, enabled)


def get_autocast_dtype(device_type):
    """The dtype autocast uses on ``device_type``."""
    dev = _check_device_type(device_type)
    return _state._dtypes.get(dev, _dtype.float16)


def set_autocast_dtype(device_type, dtype):
    _state._dtypes[_check_device_type(device_type)] = dtype


def is_autocast_cpu_enabled():
    return _state._enabled['cpu']


def set_autocast_cpu_enabled(enabled):
    _state.set_enabled('cpu', enabled)


def get_autocast_cpu_dtype():
    return _state._dtypes['cpu']


def set_autocast_cpu_dtype(dtype):
    _state._dtypes['cpu'] = dtype


def get_autocast_gpu_dtype():
    return _state._dtypes['cuda']


def set_autocast_gpu_dtype(dtype):
    _state._dtypes['cuda'] = dtype


def is_autocast_cache_enabled():
    return _state._cache[0]


def set_autocast_cache_enabled(enabled):
    _state._cache[0] = bool(enabled)


def clear_autocast_cache():
    """ember keeps no cast cache; nothing to clear."""


def autocast_increment_nesting():
    _state._nesting[0] += 1
    return _state._nesting[0]


def autocast_decrement_nesting():
    _state._nesting[0] -= 1
    return _state._nesting[0]


TOPLEVEL = {f.__name__: f for f in (
    is_autocast_enabled, set_autocast_enabled, get_autocast_dtype, set_autocast_dtype, is_autocast_cpu_enabled,
    set_autocast_cpu_enabled, get_autocast_cpu_dtype, set_autocast_cpu_dtype, get_autocast_gpu_dtype,
    set_autocast_gpu_dtype, is_autocast_cache_enabled, set_autocast_cache_enabled, clear_autocast_cache,
    autocast_increment_nesting, autocast_decrement_nesting)}
TOPLEVEL['autocast'] = autocast
