"""torch.cuda, as far as a CPU-only ember can answer it: no CUDA device is available yet.

Programs written for GPUs check `torch.cuda.is_available()` and fall back to the CPU; the seeding
calls are accepted (there is no CUDA generator to seed)."""

import sys as _sys
from .amp._legacy_amp import cuda_amp as amp

_sys.modules[__name__ + '.amp'] = amp   # `from torch.cuda.amp import GradScaler, autocast` imports it by name

__all__ = ['amp', 'is_available', 'device_count', 'manual_seed', 'manual_seed_all', 'synchronize', 'empty_cache',
           'current_device', 'is_bf16_supported', 'get_device_name', 'memory_allocated', 'max_memory_allocated',
           'memory_reserved', 'max_memory_reserved', 'memory_stats']


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Seeds the CUDA generators; there are none on this build, so this does nothing (as torch without CUDA)."""


def manual_seed_all(seed):
    """Seeds all CUDA generators; there are none on this build."""


def synchronize(device=None):
    _no_cuda()


def empty_cache():
    """Releases cached GPU memory; there is none without CUDA."""


def current_device():
    _no_cuda()


def get_device_name(device=None):
    _no_cuda()


def memory_allocated(device=None):
    """Bytes of GPU memory held by tensors: 0 without CUDA, as torch reports."""
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def memory_stats(device=None):
    import collections
    return collections.OrderedDict()


def is_bf16_supported(including_emulation=True):
    return False


def _no_cuda():
    raise RuntimeError("Torch not compiled with CUDA enabled: ember has no CUDA backend on this machine")
