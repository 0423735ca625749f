"""What runs inside a DataLoader worker process, and how its batches travel back.

A worker seeds itself (base_seed + worker id, as torch does), fetches batches for the indices it is sent,
and pickles each result once. Arrays of 32 KiB or more leave the pickle: each is written into a file in
/dev/shm and the main process maps that file (zero-copy) and unlinks it at once, so a batch costs one copy
in the worker and none in the main process. Smaller arrays ride inside the pickle."""
import io
import os
import pickle
import queue
import random
import sys
import traceback
import numpy as np

__all__ = ['WorkerInfo', 'get_worker_info']

_SHM_DIR = '/dev/shm'
_SHM_MIN_BYTES = 32 * 1024
_worker_info = None


class WorkerInfo:
    """Information about a DataLoader worker process: ``id``, ``num_workers``, ``seed`` and ``dataset``
    (the copy of the dataset object in this process)."""
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """Returns the information about the current DataLoader iterator worker process.

    When called in a worker, this returns an object guaranteed to have the following attributes: ``id``
    (the current worker id), ``num_workers`` (the total number of workers), ``seed`` (the random seed set
    for the current worker) and ``dataset`` (the copy of the dataset object in this process).
    When called in the main process, this returns ``None``."""
    return _worker_info


class ExceptionWrapper:
    """Wraps an exception plus traceback to communicate across threads or processes."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        exc_type = exc_info[0]
        try:
            pickle.loads(pickle.dumps(exc_type))
        except Exception:        # a class defined in a function cannot cross the process boundary
            exc_type = RuntimeError
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Reraises the wrapped exception in the current thread, with the original traceback in its message."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):      # KeyError repr()s its message: keep the traceback readable
        return self


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    def __init__(self, seed=None):
        self.seed = seed


def _generate_state(base_seed, worker_id):
    """The NumPy seed of a worker: four 32-bit words mixed from (worker_id, base_seed) with NumPy's
    SeedSequence hash, as torch seeds its workers' NumPy."""
    A, MULT_A, B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    MIX_L, MIX_R, MASK = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF
    entropy = [worker_id, base_seed & MASK, base_seed >> 32, 0]
    const = [A]

    def hashmix(value):
        value = (value ^ const[0]) & MASK
        const[0] = (const[0] * MULT_A) & MASK
        value = (value * const[0]) & MASK
        return (value ^ (value >> 16)) & MASK

    def mix(x, y):
        r = ((MIX_L * x) - (MIX_R * y)) & MASK
        return (r ^ (r >> 16)) & MASK

    pool = [hashmix(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    state, hb = [], B
    for v in pool:
        v = (v ^ hb) & MASK
        hb = (hb * MULT_B) & MASK
        v = (v * hb) & MASK
        state.append((v ^ (v >> 16)) & MASK)
    return state


# --- moving arrays between processes ----------------------------------------------------------------------
def _shm_available():
    return os.path.isdir(_SHM_DIR) and os.access(_SHM_DIR, os.W_OK)


def _from_shm(path, dtype, shape):
    """Main process: map a worker's array file, and unlink it (the mapping keeps the memory alive)."""
    import mmap
    fd = os.open(path, os.O_RDWR)
    try:
        mm = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
        os.unlink(path)
    return np.frombuffer(mm, dtype).reshape(shape)


class _BatchPickler(pickle.Pickler):
    def __init__(self, file, prefix, counter):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.prefix, self.counter = prefix, counter

    def reducer_override(self, obj):
        if type(obj) is np.ndarray and obj.nbytes >= _SHM_MIN_BYTES and obj.dtype.kind not in 'OV':
            a = np.ascontiguousarray(obj)
            self.counter[0] += 1
            path = f'{_SHM_DIR}/{self.prefix}{self.counter[0]}'
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                mv = memoryview(a.reshape(-1).view(np.uint8))
                while mv.nbytes:
                    mv = mv[os.write(fd, mv):]
            finally:
                os.close(fd)
            return (_from_shm, (path, a.dtype, a.shape))
        return NotImplemented


def _dumps(obj, prefix, counter):
    buf = io.BytesIO()
    if prefix is None:
        pickle.dump(obj, buf, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        _BatchPickler(buf, prefix, counter).dump(obj)
    return buf.getvalue()


def remove_shm_files(prefix):
    """Delete the array files a worker wrote that no one mapped (after an early stop or a crash)."""
    if prefix is None:
        return
    try:
        names = os.listdir(_SHM_DIR)
    except OSError:
        return
    for n in names:
        if n.startswith(prefix):
            try:
                os.unlink(os.path.join(_SHM_DIR, n))
            except OSError:
                pass


# --- the worker loop ------------------------------------------------------------------------------------
def _seed_worker(base_seed, worker_id):
    from .... import manual_seed
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers, persistent_workers, shm_prefix,
                 parent_pid, interval):
    global _worker_info
    import signal
    from .fetch import _DatasetKind
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the main process's to handle
    except ValueError:
        pass
    prefix = f'{shm_prefix}w{worker_id}_' if shm_prefix else None
    counter = [0]
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    init_exception = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
    iteration_end = False

    def put(idx, data):
        try:
            payload = _dumps((idx, data), prefix, counter)
        except Exception:
            payload = _dumps((idx, ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")),
                             None, counter)
        data_queue.put(payload)

    try:
        while True:
            try:
                r = index_queue.get(timeout=interval)
            except queue.Empty:
                # the main process is gone, or told us to stop (its None may be lost when it is
                # being garbage-collected): nobody to work for
                if os.getppid() != parent_pid or done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):
                put(r, None)
                iteration_end = False
                if fetcher is not None:
                    fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                          drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            put(idx, data)
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()     # nobody reads any more: do not wait to flush
        data_queue.close()
