"""DataLoader, as torch.utils.data.DataLoader: walks a dataset in (optionally shuffled) batches, in this process
or in worker processes.

The loader itself only decides *which* indices make up each step (a sampler, optionally grouped by a batch
sampler). Turning indices into collated data is a fetcher's job (`_utils.fetch`); with ``num_workers > 0`` the
fetchers live in worker processes (`_utils.worker`) and batches come back through one result queue, large
arrays through /dev/shm files."""
import itertools
import multiprocessing
import os
import pickle
import queue
import time
import warnings
from .dataset import IterableDataset
from .sampler import SequentialSampler, RandomSampler, BatchSampler, Sampler
from ._utils import collate as _collate, worker as _worker, MP_STATUS_CHECK_INTERVAL
from ._utils.fetch import _DatasetKind
from ._utils.worker import ExceptionWrapper

__all__ = ['DataLoader', 'default_collate', 'default_convert', 'get_worker_info']

default_collate = _collate.default_collate
default_convert = _collate.default_convert
get_worker_info = _worker.get_worker_info

_JOIN_TIMEOUT = 2.0       # seconds a worker gets to exit after being told to, before it is terminated
_WORKER_POLL = 0.2        # how often an idle worker checks that it is still wanted

# set once in __init__; changing them later would desynchronise the samplers from each other
_FROZEN = ('dataset', 'batch_size', 'drop_last', 'sampler', 'batch_sampler', 'persistent_workers')


class _EndlessNone(Sampler):
    """Index source for an iterable dataset: the dataset ignores indices, so hand out None forever
    (BatchSampler groups them, which fixes how many items one step pulls)."""

    def __iter__(self):
        return itertools.repeat(None)


def _check_options(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout,
                   prefetch_factor, persistent_workers):
    """Reject option combinations torch rejects, with torch's messages."""
    if num_workers < 0:
        raise ValueError('num_workers option should be non-negative; use num_workers=0 to disable '
                         'multiprocessing.')
    if timeout < 0:
        raise ValueError('timeout option should be non-negative')
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError('prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 '
                         'to enable multiprocessing, otherwise set prefetch_factor to None.')
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError('prefetch_factor option should be non-negative')
    if persistent_workers and num_workers == 0:
        raise ValueError('persistent_workers option needs num_workers > 0')
    if isinstance(dataset, IterableDataset):
        # an iterable dataset decides its own order: no index options apply
        given = [(n, v) for n, v, unset in (('shuffle', shuffle, shuffle in (False, None)),
                                            ('sampler', sampler, sampler is None),
                                            ('batch_sampler', batch_sampler, batch_sampler is None)) if not unset]
        if given:
            name, value = given[0]
            raise ValueError(f'DataLoader with IterableDataset: expected unspecified {name} option, '
                             f'but got {name}={value}')
        return
    if sampler is not None and shuffle:
        raise ValueError('sampler option is mutually exclusive with shuffle')
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, '
                         'and drop_last')


class DataLoader:
    """Combines a dataset and a sampler, and iterates over the dataset in batches.

    Map-style datasets (``__getitem__``/``__len__``) and iterable datasets (:class:`IterableDataset`) are both
    supported, loaded in this process or, with ``num_workers > 0``, in worker processes.

    Args:
        dataset (Dataset): where the samples come from.
        batch_size (int, optional): samples per batch (default ``1``); ``None`` turns batching off and yields
            single samples passed through ``collate_fn``.
        shuffle (bool, optional): visit the samples in a new random order each epoch (default ``False``).
        sampler (Sampler or Iterable, optional): the order of sample indices; excludes ``shuffle``.
        batch_sampler (Sampler or Iterable, optional): yields whole lists of indices; excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int, optional): worker processes to load with; ``0`` loads in this process (default).
        collate_fn (Callable, optional): merges a list of samples into a batch (default: ``default_collate``,
            or ``default_convert`` when batching is off).
        pin_memory (bool, optional): accepted for compatibility; there is no accelerator to pin for.
        drop_last (bool, optional): leave out the last batch when it would be short (default ``False``).
        timeout (numeric, optional): seconds to wait for a batch from the workers; ``0`` waits forever.
        worker_init_fn (Callable, optional): called in each worker with its id, after seeding.
        multiprocessing_context (str or context, optional): start method (``'fork'``, ``'spawn'``,
            ``'forkserver'``) or a multiprocessing context for the workers.
        generator (Generator, optional): source of the shuffling order and of the workers' base seed.
        prefetch_factor (int, optional, keyword-only): batches each worker loads ahead (default ``2`` with
            workers).
        persistent_workers (bool, optional): keep the workers alive between epochs (default ``False``).
        pin_memory_device (str, optional): accepted for compatibility.
        in_order (bool, optional): yield batches in sampler order (default ``True``); ``False`` yields each
            worker batch as soon as it arrives."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device='', in_order=True):
        _check_options(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout,
                       prefetch_factor, persistent_workers)
        iterable = isinstance(dataset, IterableDataset)
        if batch_sampler is not None:
            batch_size, drop_last = None, False      # the batch sampler alone decides the batches
        elif batch_size is None and drop_last:
            raise ValueError('batch_size=None option disables auto-batching and is mutually exclusive with '
                             'drop_last')
        if sampler is None:
            if iterable:
                sampler = _EndlessNone()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers else None
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.in_order = in_order
        self._dataset_kind = _DatasetKind.Iterable if iterable else _DatasetKind.Map
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.multiprocessing_context = multiprocessing_context
        self._reported_len = None     # an iterable dataset's len(), once len(loader) has asked for it
        self._iterator = None         # the live iterator, kept only with persistent workers
        self._ready = True

    def __setattr__(self, name, value):
        if name in _FROZEN and self.__dict__.get('_ready'):
            raise ValueError(f'{name} attribute should not be set after {type(self).__name__} is initialized')
        object.__setattr__(self, name, value)

    @property
    def multiprocessing_context(self):
        """The multiprocessing context the workers are started from (None: the platform default)."""
        return self._mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx):
        if ctx is not None:
            if self.num_workers == 0:
                raise ValueError('multiprocessing_context can only be used with multi-process loading '
                                 f'(num_workers > 0), but got num_workers={self.num_workers}')
            if isinstance(ctx, str):
                methods = multiprocessing.get_all_start_methods()
                if ctx not in methods:
                    raise ValueError('multiprocessing_context option should specify a valid start method in '
                                     f'{methods!r}, but got multiprocessing_context={ctx!r}')
                ctx = multiprocessing.get_context(ctx)
            elif not isinstance(ctx, multiprocessing.context.BaseContext):
                raise TypeError('multiprocessing_context option should be a valid context object or a string '
                                f'specifying the start method, but got multiprocessing_context={ctx}')
        self._mp_context = ctx

    @property
    def _steps(self):
        """What the loader draws per step: lists of indices when batching, single indices otherwise."""
        return self.sampler if self.batch_sampler is None else self.batch_sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _InProcessIter(self)
        if not self.persistent_workers:
            return _WorkerPoolIter(self)
        if self._iterator is None:
            self._iterator = _WorkerPoolIter(self)
        else:
            self._iterator._new_epoch()
        return self._iterator

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Map:
            return len(self._steps)
        n = len(self.dataset)        # TypeError when the iterable dataset has no length, as in torch
        self._reported_len = n
        if self.batch_size is not None:
            n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return n

    def check_worker_number_rationality(self):
        """Warn when more workers are asked for than this process may run on CPUs."""
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count()
        if cpus is None or self.num_workers <= cpus:
            return
        warnings.warn(f'This DataLoader will create {self.num_workers} worker processes in total. Our suggested '
                      f'max number of worker in current system is {cpus}, which is smaller than what this '
                      'DataLoader is going to create. Please be aware that excessive worker creation might get '
                      'DataLoader running slow or even freeze, lower the worker number to avoid potential '
                      'slowness/freeze if necessary.')


class _LoaderIter:
    """One pass over a DataLoader: draws the step indices, counts what it yields. Subclasses say how a step's
    indices become data (`_produce`)."""

    def __init__(self, loader):
        from ...ops.random import _int64_seed
        self._loader = loader
        self._iterable = loader._dataset_kind == _DatasetKind.Iterable
        self._batching = loader.batch_sampler is not None
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.")
        # one int64 draw per new iterator, as torch's random_() on an int64 scalar: keeps seeded programs'
        # random streams where torch's are, and seeds the workers
        self._base_seed = _int64_seed(loader.generator)
        self._start_epoch()

    def _start_epoch(self):
        self._indices = iter(self._loader._steps)
        self._yielded = 0
        # the length len(loader) reported before this pass began is the one the pass is held to
        self._expected = self._loader._reported_len

    def _next_indices(self):
        return next(self._indices)

    def __iter__(self):
        return self

    def __next__(self):
        data = self._produce()
        self._yielded += 1
        expected = self._expected
        if self._iterable and expected is not None and self._yielded > expected:
            note = ('For multiprocessing data-loading, this could be caused by not properly configuring the '
                    'IterableDataset replica at each worker. Please see '
                    'https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.'
                    if self._loader.num_workers > 0 else '')
            warnings.warn(f'Length of IterableDataset {self._loader.dataset} was reported to be {expected}'
                          f'(when accessing len(dataloader)), but {self._yielded} samples have been fetched. '
                          + note, stacklevel=2)
        return data

    def __len__(self):
        return len(self._loader._steps)

    def __getstate__(self):
        raise NotImplementedError(f'{type(self).__name__} cannot be pickled')


class _InProcessIter(_LoaderIter):
    """num_workers=0: the fetcher runs right here."""

    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = _DatasetKind.create_fetcher(loader._dataset_kind, loader.dataset, self._batching,
                                                    loader.collate_fn, loader.drop_last)

    def _produce(self):
        return self._fetcher.fetch(self._next_indices())


class _WorkerPoolIter(_LoaderIter):
    """num_workers>0: each worker has its own task queue, fed round-robin; every result comes back through
    one queue as a pickle (see `_utils.worker`). Tasks are numbered as sent; with ``in_order`` a result that
    arrives early waits in `_early` until its turn. At most prefetch_factor * num_workers tasks are out.

    An iterable dataset's worker answers `_IterableDatasetStopIteration` when its replica runs dry; it then
    gets no more tasks this epoch, and tasks already queued to it are written off."""

    def __init__(self, loader):
        self._closed = True           # until the workers exist, there is nothing to shut down
        super().__init__(loader)
        loader.check_worker_number_rationality()
        ctx = loader.multiprocessing_context or multiprocessing
        n = self._n = loader.num_workers
        self._persistent = loader.persistent_workers
        self._timeout = loader.timeout
        self._shm_prefix = (f'ember_dl_{os.getpid()}_{id(self):x}_{os.urandom(3).hex()}_'
                            if _worker._shm_available() else None)
        self._results = ctx.Queue()
        self._done = ctx.Event()
        self._task_queues, self._workers = [], []
        self._closed = False
        try:
            for wid in range(n):
                tq = ctx.Queue()
                tq.cancel_join_thread()    # never block interpreter exit on tasks nobody will read
                proc = ctx.Process(target=_worker._worker_loop, daemon=True,
                                   args=(loader._dataset_kind, loader.dataset, tq, self._results, self._done,
                                         self._batching, loader.collate_fn, loader.drop_last, self._base_seed,
                                         loader.worker_init_fn, wid, n, self._persistent, self._shm_prefix,
                                         os.getpid(), _WORKER_POLL))
                proc.start()
                self._task_queues.append(tq)
                self._workers.append(proc)
        except BaseException:
            self._shutdown()
            raise
        self._begin_tasks()

    def _begin_tasks(self):
        self._sent = 0              # number given to the next task
        self._turn = 0              # number of the task whose result is due next (in order)
        self._owner = {}            # outstanding task number -> worker
        self._early = {}            # task number -> result that arrived before its turn
        self._live = [True] * self._n
        self._rr = itertools.cycle(range(self._n))
        for _ in range(self._loader.prefetch_factor * self._n):
            self._send_task()

    def _new_epoch(self):
        """Persistent workers: start over, discarding whatever the last epoch left in flight."""
        self._start_epoch()
        for tq in self._task_queues:
            tq.put(_worker._ResumeIteration())
        acks = 0
        while acks < self._n:
            tag, _ = self._receive()
            acks += isinstance(tag, _worker._ResumeIteration)
        self._begin_tasks()

    def _send_task(self):
        try:
            indices = self._next_indices()
        except StopIteration:
            return
        for _ in range(self._n):
            wid = next(self._rr)
            if self._live[wid]:
                break
        else:
            return                  # every replica has run dry
        self._task_queues[wid].put((self._sent, indices))
        self._owner[self._sent] = wid
        self._sent += 1

    def _receive(self):
        """The next (task number, data) any worker sends; raises if a worker died or the timeout passed."""
        from multiprocessing.connection import wait
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        reader = self._results._reader
        while True:
            try:
                return pickle.loads(self._results.get(block=False))
            except queue.Empty:
                pass
            dead = [w for wid, w in enumerate(self._workers) if self._live[wid] and not w.is_alive()]
            if dead and not reader.poll():
                self._shutdown()
                raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(str(w.pid) for w in dead)}) exited "
                                   'unexpectedly')
            wait_s = MP_STATUS_CHECK_INTERVAL
            if deadline is not None:
                wait_s = deadline - time.monotonic()
                if wait_s <= 0:
                    raise RuntimeError(f'DataLoader timed out after {self._timeout} seconds')
            wait([reader] + [w.sentinel for w in self._workers], timeout=wait_s)

    def _skip_written_off(self):
        """Advance `_turn` past tasks that will never be answered (already yielded out of order, or queued to
        a worker whose replica ran dry)."""
        while self._turn < self._sent and self._turn not in self._early:
            wid = self._owner.get(self._turn)
            if wid is not None and self._live[wid]:
                return
            self._owner.pop(self._turn, None)
            self._turn += 1

    def _produce(self):
        while True:
            if self._closed:
                raise StopIteration
            self._skip_written_off()
            if self._turn == self._sent:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            if self._turn in self._early:
                data = self._early.pop(self._turn)
                self._turn += 1
                return self._deliver(data)
            tag, data = self._receive()
            wid = self._owner.pop(tag, None)
            if isinstance(data, _worker._IterableDatasetStopIteration):
                self._live[data.worker_id] = False
                if not self._persistent:
                    self._task_queues[data.worker_id].put(None)   # it will never be asked again
                self._send_task()
                continue
            if wid is None:
                continue                # a stale answer (not ours to deliver)
            if tag == self._turn:
                self._turn += 1
            elif self._loader.in_order:
                self._early[tag] = data
                continue
            return self._deliver(data)

    def _deliver(self, data):
        self._send_task()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown(self):
        if self._closed:
            return
        self._closed = True
        try:
            self._done.set()
            for tq in self._task_queues:
                try:
                    tq.put(None)
                except (OSError, ValueError):
                    pass
            deadline = time.monotonic() + _JOIN_TIMEOUT
            for w in self._workers:
                w.join(timeout=max(0.0, deadline - time.monotonic()))
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join()
            for tq in self._task_queues:
                tq.cancel_join_thread()
                tq.close()
        finally:
            self._results.cancel_join_thread()
            self._results.close()
            _worker.remove_shm_files(self._shm_prefix)

    def __del__(self):
        if hasattr(self, '_closed'):
            self._shutdown()
