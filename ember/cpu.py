"""torch.cpu: the CPU device module (ember's only device), with the deprecated torch.cpu.amp spellings."""
import sys as _sys
from .amp._legacy_amp import cpu_amp as amp

_sys.modules[__name__ + '.amp'] = amp   # `from torch.cpu.amp import autocast` imports it by name

__all__ = ['is_available', 'device_count', 'current_device', 'synchronize', 'amp']


def is_available():
    """Returns a bool indicating if CPU is currently available (always True)."""
    return True


def device_count():
    """Returns number of CPU devices (not cores). Always 1."""
    return 1


def current_device():
    """Returns the current device for CPU. Always 'cpu'."""
    return 'cpu'


def synchronize(device=None):
    """Waits for all kernels in all streams on the CPU device to complete (a no-op: ember runs synchronously)."""
