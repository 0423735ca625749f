"""Process-wide switches torch programs set: determinism and thread counts."""
import os

_deterministic = [False, False]   # (enabled, warn_only)
_threads = [None]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded; ember's CPU ops are deterministic (no atomics, fixed reduction order)."""
    _deterministic[:] = [bool(mode), bool(warn_only)]


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic[1]


def set_num_threads(n):
    """Limit the threads BLAS uses (through threadpoolctl when it is installed)."""
    if int(n) < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads[0] = int(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(int(n))


def get_num_threads():
    if _threads[0]:
        return _threads[0]
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()


def set_num_interop_threads(n):
    _threads.append(int(n))


def get_num_interop_threads():
    return 1
