"""torch.distributed, as far as a program that checks for it needs: ember has no process-group backend yet
(data-parallel training over MPI is a later issue), so it reports itself unavailable and uninitialised,
and the collective calls raise torch's error for a missing default process group."""

__all__ = ['is_available', 'is_initialized', 'is_torchelastic_launched', 'get_rank', 'get_world_size',
           'init_process_group', 'destroy_process_group', 'barrier', 'all_reduce', 'broadcast', 'all_gather',
           'reduce', 'ReduceOp', 'get_backend']

_NO_GROUP = "Default process group has not been initialized, please make sure to call init_process_group."


def is_available():
    """Whether a distributed backend is available (False: ember has none yet)."""
    return False


def is_initialized():
    """Whether the default process group has been initialized (never, in ember)."""
    return False


def is_torchelastic_launched():
    """Whether this process was launched by torchrun (its environment variables are set)."""
    import os
    return os.getenv('TORCHELASTIC_RUN_ID') is not None


def init_process_group(*args, **kwargs):
    raise RuntimeError("ember.distributed has no process-group backend (distributed training is not available)")


def _no_group(*args, **kwargs):
    raise ValueError(_NO_GROUP)


get_rank = get_world_size = get_backend = destroy_process_group = barrier = _no_group
all_reduce = broadcast = all_gather = reduce = _no_group


class ReduceOp:
    """The reduction operations' names (SUM, PRODUCT, MIN, MAX, AVG, ...)."""
    SUM, PRODUCT, MIN, MAX, BAND, BOR, BXOR, AVG, PREMUL_SUM = (
        'SUM', 'PRODUCT', 'MIN', 'MAX', 'BAND', 'BOR', 'BXOR', 'AVG', 'PREMUL_SUM')
