"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader (main process and
worker processes: results, errors, shutdown, seeding)."""
import collections
import gc
import multiprocessing
import os
import time
import numpy as np
import pytest
import torch
import torch.utils.data as tdata
import ember
import ember.utils.data as edata
from tests.helpers import assert_same

Point = collections.namedtuple('Point', ['x', 'y'])


def _both(fn):
    return fn(torch, tdata), fn(ember, edata)


def _same_structure(t, e, what='batch'):
    if isinstance(t, torch.Tensor):
        assert_same(t, e, what=what)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t), what
        for k in t:
            _same_structure(t[k], e[k], f'{what}[{k!r}]')
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), f"{what}: {type(e)} vs {type(t)}"
        for i, (a, b) in enumerate(zip(t, e)):
            _same_structure(a, b, f'{what}[{i}]')
    else:
        assert t == e, what


SAMPLES = [
    [0, 1, 2, 3],
    [0.5, 1.5],
    [True, False],
    ['a', 'b'],
    [b'a', b'b'],
    [{'A': 0, 'B': 1.5}, {'A': 100, 'B': 2.5}],
    [Point(0, 0.5), Point(1, 1.5)],
    [(0, 1), (2, 3)],
    [[0, 1], [2, 3]],
    [np.float32(1.5), np.float32(2.5)],
    [np.int32(3), np.int32(4)],
]


@pytest.mark.parametrize('batch', SAMPLES, ids=[repr(b)[:20] for b in SAMPLES])
def test_default_collate_matches_torch(batch):
    _same_structure(tdata.default_collate(batch), edata.default_collate(batch))


def test_default_collate_tensors_and_arrays():
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    for make in (lambda lib: [lib.from_numpy(a) for a in arrs], lambda lib: arrs,
                 lambda lib: [{'img': lib.from_numpy(a), 'label': i, 'name': str(i)} for i, a in enumerate(arrs)],
                 lambda lib: [(lib.from_numpy(a), [i, float(i)]) for i, a in enumerate(arrs)]):
        t, e = tdata.default_collate(make(torch)), edata.default_collate(make(ember))
        _same_structure(t, e)
    _same_structure(tdata.default_convert([np.ones(2), (np.zeros(1), 'x')]),
                    edata.default_convert([np.ones(2), (np.zeros(1), 'x')]))


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match='each element in list of batch should be of equal size'):
        edata.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match='default_collate: batch must contain tensors'):
        edata.default_collate([object(), object()])
    with pytest.raises(TypeError, match='default_collate: batch must contain'):
        edata.default_collate([np.array(['a']), np.array(['b'])])
    with pytest.raises(RuntimeError, match='stack expects each tensor to be equal size'):
        edata.default_collate([ember.ones(2), ember.ones(3)])


def _xy(lib, n=50):
    x = lib.from_numpy(np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3))
    y = lib.from_numpy(np.arange(n) % 7)
    return x, y


@pytest.mark.parametrize('kw', [dict(batch_size=8), dict(batch_size=8, drop_last=True), dict(batch_size=None),
                                dict(batch_size=50), dict(batch_size=7)])
def test_loader_matches_torch_in_order(kw):
    tl, el = _both(lambda lib, d: d.DataLoader(d.TensorDataset(*_xy(lib)), **kw))
    assert len(el) == len(tl)
    tb, eb = list(tl), list(el)
    assert len(eb) == len(tb)
    for a, b in zip(tb, eb):
        _same_structure(a, b)


def test_loader_with_dict_dataset_and_custom_collate():
    class DS:
        def __init__(self, lib):
            self.lib = lib

        def __len__(self):
            return 10

        def __getitem__(self, i):
            return {'x': self.lib.full((2,), float(i)), 'i': i, 'name': f's{i}', 'np': np.arange(3) * i}
    tl, el = _both(lambda lib, d: d.DataLoader(DS(lib), batch_size=4))
    for a, b in zip(tl, el):
        _same_structure(a, b)
    el = edata.DataLoader(DS(ember), batch_size=3, collate_fn=lambda b: [s['i'] for s in b])
    assert list(el) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_samplers_semantics():
    assert list(edata.SequentialSampler(range(4))) == [0, 1, 2, 3]
    bs = edata.BatchSampler(edata.SequentialSampler(range(10)), batch_size=3, drop_last=False)
    assert list(bs) == list(tdata.BatchSampler(range(10), 3, False)) and len(bs) == 4
    assert len(edata.BatchSampler(range(10), 3, True)) == 3
    g = ember.Generator().manual_seed(3)
    r = list(edata.RandomSampler(range(20), generator=g))
    assert sorted(r) == list(range(20)) and r != list(range(20))
    assert r == list(edata.RandomSampler(range(20), generator=ember.Generator().manual_seed(3)))
    rr = list(edata.RandomSampler(range(5), replacement=True, num_samples=70, generator=g))
    assert len(rr) == 70 and set(rr) <= set(range(5))
    many = list(edata.RandomSampler(range(5), num_samples=12, generator=g))
    assert len(many) == 12 and sorted(many[:10]) == sorted(list(range(5)) * 2)
    sub = list(edata.SubsetRandomSampler([10, 20, 30], generator=g))
    assert sorted(sub) == [10, 20, 30]
    w = list(edata.WeightedRandomSampler([0, 0, 1.0, 0], 6, generator=g))
    assert w == [2] * 6
    w2 = list(edata.WeightedRandomSampler([1.0, 1, 1, 1], 4, replacement=False, generator=g))
    assert sorted(w2) == [0, 1, 2, 3]
    ember.manual_seed(5)
    a = list(edata.DataLoader(range(30), batch_size=5, shuffle=True))
    ember.manual_seed(5)
    b = list(edata.DataLoader(range(30), batch_size=5, shuffle=True))
    assert all(ember.equal(x, y) for x, y in zip(a, b))
    assert sorted(ember.cat(a).tolist()) == list(range(30))


def test_sampler_and_loader_errors():
    with pytest.raises(ValueError, match='batch_size should be a positive integer value'):
        edata.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match='drop_last should be a boolean value'):
        edata.BatchSampler(range(3), 2, 1)
    with pytest.raises(TypeError, match='replacement should be a boolean value'):
        edata.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match='num_samples should be a positive integer value'):
        edata.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match='weights should be a 1d sequence'):
        edata.WeightedRandomSampler([[1.0]], 2)
    with pytest.raises(ValueError, match='sampler option is mutually exclusive with shuffle'):
        edata.DataLoader(range(3), sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match='batch_sampler option is mutually exclusive'):
        edata.DataLoader(range(3), batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match='prefetch_factor option could only be specified'):
        edata.DataLoader(range(3), prefetch_factor=2)
    with pytest.raises(ValueError, match='persistent_workers option needs num_workers > 0'):
        edata.DataLoader(range(3), persistent_workers=True)
    with pytest.raises(ValueError, match='num_workers option should be non-negative'):
        edata.DataLoader(range(3), num_workers=-1)
    with pytest.raises(ValueError, match='expected unspecified shuffle option'):
        edata.DataLoader(Stream(3), shuffle=True)
    dl = edata.DataLoader(range(3))
    with pytest.raises(ValueError, match='batch_size attribute should not be set'):
        dl.batch_size = 4


def test_datasets():
    x, y = _xy(ember, 10)
    ds = edata.TensorDataset(x, y)
    with pytest.raises(AssertionError, match='Size mismatch between tensors'):
        edata.TensorDataset(x, y[:3])
    cat = ds + edata.TensorDataset(x[:4], y[:4])
    assert len(cat) == 14 and cat[12][1].item() == y[2].item() and cat[-1][1].item() == y[3].item()
    with pytest.raises(ValueError, match='absolute value of index should not exceed dataset length'):
        cat[-15]
    sub = edata.Subset(ds, [9, 0])
    assert len(sub) == 2 and sub[0][1].item() == y[9].item()
    st = edata.StackDataset(a=range(3), b=['p', 'q', 'r'])
    assert st[1] == {'a': 1, 'b': 'q'} and st.__getitems__([0, 2]) == [{'a': 0, 'b': 'p'}, {'a': 2, 'b': 'r'}]
    assert edata.StackDataset(range(2), range(2))[1] == (1, 1)
    with pytest.raises(ValueError, match='Size mismatch between datasets'):
        edata.StackDataset(range(2), range(3))
    parts = edata.random_split(range(10), [0.3, 0.7], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7] and sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    assert [len(p) for p in edata.random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match='Sum of input lengths does not equal'):
        edata.random_split(range(10), [3, 3])
    chain = edata.ChainDataset([Stream(2), Stream(3)])
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5


class Stream(edata.IterableDataset):
    """0..n-1, split between workers by get_worker_info as torch's docs show."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        return iter(range(self.n))


def test_iterable_dataset_in_main_process():
    tl = tdata.DataLoader(TStream(10), batch_size=3)
    el = edata.DataLoader(Stream(10), batch_size=3)
    assert len(el) == len(tl) == 4
    for a, b in zip(tl, el):
        assert_same(a, b)
    assert len(list(edata.DataLoader(Stream(10), batch_size=3, drop_last=True))) == 3


# --- workers ---------------------------------------------------------------------------------------------
def _children():
    return {p.pid for p in multiprocessing.active_children()}


def _shm_files():
    return {n for n in os.listdir('/dev/shm') if n.startswith(f'ember_dl_{os.getpid()}_')} \
        if os.path.isdir('/dev/shm') else set()


def test_workers_give_the_same_batches():
    x, y = _xy(ember, 200)
    big = edata.TensorDataset(ember.randn(200, 64, 64), y)       # 16 KiB rows: batches travel via shared memory
    for ds in (edata.TensorDataset(x, y), big):
        ref = list(edata.DataLoader(ds, batch_size=16))
        got = list(edata.DataLoader(ds, batch_size=16, num_workers=2))
        assert len(got) == len(ref)
        for a, b in zip(ref, got):
            for u, v in zip(a, b):
                np.testing.assert_array_equal(u._data, v._data)
            assert b[0].dtype == a[0].dtype and b[1].dtype == ember.int64
    assert not _shm_files()
    out = list(edata.DataLoader(range(20), batch_size=3, num_workers=2, in_order=False))
    assert sorted(ember.cat(out).tolist()) == list(range(20))


class Faulty(edata.Dataset):
    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i == 13:
            raise ValueError(f"bad sample {i}")
        return i


class Slow(edata.Dataset):
    def __len__(self):
        return 100

    def __getitem__(self, i):
        if i >= 4:
            time.sleep(30)
        return i


def test_worker_exception_reraised_with_traceback():
    before = _children()
    with pytest.raises(ValueError) as err:
        for _ in edata.DataLoader(Faulty(), batch_size=4, num_workers=2):
            pass
    msg = str(err.value)
    assert 'Caught ValueError in DataLoader worker process 1' in msg and 'bad sample 13' in msg
    assert 'Traceback' in msg and '__getitem__' in msg
    del err                 # the traceback holds the loader's frame; the iterator goes with it
    gc.collect()
    assert _children() <= before


def test_early_break_and_timeout_leave_no_process():
    before = _children()
    for i, b in enumerate(edata.DataLoader(edata.TensorDataset(ember.randn(400, 32, 32)), batch_size=8,
                                           num_workers=2)):
        if i == 2:
            break
    gc.collect()
    assert _children() <= before and not _shm_files()
    t0 = time.monotonic()
    it = iter(edata.DataLoader(Slow(), batch_size=2, num_workers=2, timeout=0.5))
    assert next(it).tolist() == [0, 1]
    pids = [w.pid for w in it._workers]
    with pytest.raises(RuntimeError, match=r'DataLoader timed out after 0\.5 seconds'):
        next(it)
        next(it)
    del it
    gc.collect()
    assert time.monotonic() - t0 < 8
    assert _children() <= before
    for pid in pids:
        with pytest.raises(OSError):
            os.kill(pid, 0)     # reaped, not just orphaned


class Killer(edata.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 5:
            os._exit(3)
        return i


def test_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited unexpectedly'):
        list(edata.DataLoader(Killer(), batch_size=2, num_workers=1))


class Noisy(edata.Dataset):
    """A random augmentation: ember, NumPy and Python random all drawn in the worker."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        import random
        info = edata.get_worker_info()
        return (ember.rand(1).item(), float(np.random.rand()), random.random(), info.id, info.seed,
                info.num_workers)


def _draws(seed, **kw):
    ember.manual_seed(seed)
    return [tuple(v) for b in edata.DataLoader(Noisy(), batch_size=2, num_workers=2, **kw)
            for v in zip(*[c.tolist() for c in b])]


def _reseed_numpy(worker_id):
    np.random.seed(100 + worker_id)


def test_worker_seeding_and_info():
    a, b, c = _draws(7), _draws(7), _draws(8)
    assert a == b and a != c
    by_worker = {w: [r[:3] for r in a if r[3] == w] for w in (0, 1)}
    assert set(by_worker[0]).isdisjoint(by_worker[1])           # workers draw different augmentations
    seeds = {r[3]: r[4] for r in a}
    assert seeds[1] == seeds[0] + 1 and all(r[5] == 2 for r in a)
    got = _draws(7, worker_init_fn=_reseed_numpy)
    assert [r[0] for r in got] == [r[0] for r in a] and [r[1] for r in got] != [r[1] for r in a]
    assert edata.get_worker_info() is None


def test_iterable_sharding_and_persistent_workers():
    dl = edata.DataLoader(Stream(10), batch_size=2, num_workers=2)
    got = sorted(ember.cat(list(dl)).tolist())
    assert got == list(range(10))
    pl = edata.DataLoader(edata.TensorDataset(ember.arange(20)), batch_size=5, num_workers=2,
                          persistent_workers=True)
    first = [b[0].tolist() for b in pl]
    pids = [w.pid for w in pl._iterator._workers]
    for i, _ in enumerate(pl):
        if i == 1:
            break
    second = [b[0].tolist() for b in pl]
    assert first == second == [list(range(i, i + 5)) for i in range(0, 20, 5)]
    assert [w.pid for w in pl._iterator._workers] == pids
    del pl
    gc.collect()


def test_spawn_context_and_pin_memory_warning():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true"):
        dl = edata.DataLoader(range(6), batch_size=3, num_workers=1, multiprocessing_context='spawn',
                              pin_memory=True)
        assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5]]


def test_lazy_import():
    import subprocess
    import sys
    code = ("import sys, ember; assert 'ember.utils.data' not in sys.modules; "
            "assert ember.utils.data.DataLoader is not None; from ember.utils.data import DataLoader")
    subprocess.run([sys.executable, '-c', code], check=True)
