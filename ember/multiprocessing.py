"""torch.multiprocessing: Python's multiprocessing (ember tensors are pickled by value between processes),
plus torch's spawn helper."""
from multiprocessing import *  # noqa: F401,F403
import multiprocessing as _mp

__all__ = [n for n in dir(_mp) if not n.startswith('_')] + ['spawn', 'start_processes']


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Start nprocs processes running fn(i, *args); with join, wait for them and raise if one failed."""
    ctx = _mp.get_context(start_method)
    procs = [ctx.Process(target=fn, args=(i,) + tuple(args), daemon=daemon) for i in range(nprocs)]
    for p in procs:
        p.start()
    if not join:
        return procs
    for p in procs:
        p.join()
    for i, p in enumerate(procs):
        if p.exitcode:
            raise RuntimeError(f"process {i} terminated with exit code {p.exitcode}")
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Spawn nprocs processes that run fn(i, *args) (i: the process index)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
