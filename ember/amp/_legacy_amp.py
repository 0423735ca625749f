"""torch.cuda.amp and torch.cpu.amp: the deprecated device-specific spellings of torch.amp.

Each constructor warns (FutureWarning, torch's text) and builds the torch.amp object for its device.
"""
import functools
import types
import warnings

from .. import _dtype
from .autocast_mode import autocast as _autocast, custom_fwd as _custom_fwd, custom_bwd as _custom_bwd
from .grad_scaler import GradScaler as _GradScaler


def _deprecated(name, dev):
    warnings.warn(f"`torch.{dev}.amp.{name}(args...)` is deprecated. Please use `torch.amp.{name}('{dev}', "
                  f"args...)` instead.", FutureWarning, stacklevel=3)


class _CudaAutocast(_autocast):
    """See :class:`torch.autocast`. ``torch.cuda.amp.autocast(args...)`` is deprecated; it is
    ``torch.amp.autocast("cuda", args...)``."""

    def __init__(self, enabled=True, dtype=_dtype.float16, cache_enabled=True):
        _deprecated('autocast', 'cuda')
        super().__init__('cuda', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class _CpuAutocast(_autocast):
    """See :class:`torch.autocast`. ``torch.cpu.amp.autocast(args...)`` is deprecated; it is
    ``torch.amp.autocast("cpu", args...)``."""

    def __init__(self, enabled=True, dtype=_dtype.bfloat16, cache_enabled=True):
        _deprecated('autocast', 'cpu')
        super().__init__('cpu', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class _CudaGradScaler(_GradScaler):
    """See :class:`torch.amp.GradScaler`. ``torch.cuda.amp.GradScaler(args...)`` is deprecated; it is
    ``torch.amp.GradScaler("cuda", args...)``."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        _deprecated('GradScaler', 'cuda')
        super().__init__('cuda', init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)


class _CpuGradScaler(_GradScaler):
    """See :class:`torch.amp.GradScaler`. ``torch.cpu.amp.GradScaler(args...)`` is deprecated; it is
    ``torch.amp.GradScaler("cpu", args...)``."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        _deprecated('GradScaler', 'cpu')
        super().__init__('cpu', init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)


def _named(cls, name):
    cls.__name__ = cls.__qualname__ = name
    return cls


def _legacy_custom(dev):
    def custom_fwd(fwd=None, *, cast_inputs=None):
        """``torch.{dev}.amp.custom_fwd(args...)`` is deprecated: ``torch.amp.custom_fwd(args..., device_type=dev)``."""
        _deprecated('custom_fwd', dev)
        if fwd is None:
            return functools.partial(_custom_fwd, device_type=dev, cast_inputs=cast_inputs)
        return _custom_fwd(fwd, device_type=dev, cast_inputs=cast_inputs)

    def custom_bwd(bwd):
        """``torch.{dev}.amp.custom_bwd(args...)`` is deprecated: ``torch.amp.custom_bwd(args..., device_type=dev)``."""
        _deprecated('custom_bwd', dev)
        return _custom_bwd(bwd, device_type=dev)
    return custom_fwd, custom_bwd


def _module(name, dev, autocast, scaler):
    m = types.ModuleType(name, f"torch.{dev}.amp (deprecated spellings of torch.amp for {dev})")
    m.autocast = _named(autocast, 'autocast')
    m.GradScaler = _named(scaler, 'GradScaler')
    m.custom_fwd, m.custom_bwd = _legacy_custom(dev)
    m.__all__ = ['autocast', 'GradScaler', 'custom_fwd', 'custom_bwd']
    return m


cuda_amp = _module('ember.cuda.amp', 'cuda', _CudaAutocast, _CudaGradScaler)
cpu_amp = _module('ember.cpu.amp', 'cpu', _CpuAutocast, _CpuGradScaler)
