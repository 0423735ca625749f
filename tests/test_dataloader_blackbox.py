"""DataLoader against torch's as a black box: option checks, defaults, sampler choice, len(), iterable datasets,
collate_fn, generator use, and worker processes."""
import pickle
import warnings
import numpy as np
import pytest
import torch
import torch.utils.data as tdata
import ember
import ember.utils.data as edata


class TStream(tdata.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        info = tdata.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        if self.length is None:
            raise TypeError('no length')
        return self.length


class EStream(edata.IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        info = edata.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        if self.length is None:
            raise TypeError('no length')
        return self.length


def _plain(x):
    """Batches as nested Python values, whichever library made them."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ('T', str(x.dtype).split('.')[-1], x.tolist())
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _outcome(fn):
    try:
        fn()
    except Exception as e:
        return type(e).__name__, str(e)
    return 'ok'


BAD = [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True), dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True), dict(batch_size=None, drop_last=True), dict(batch_size=0),
    dict(batch_size=-2), dict(drop_last=1), dict(multiprocessing_context='spawn'),
    dict(num_workers=1, multiprocessing_context='nope'), dict(num_workers=1, multiprocessing_context=7),
    dict(num_workers=-1, timeout=-1), dict(persistent_workers=True, prefetch_factor=2),
    dict(sampler=[0], shuffle=True, batch_sampler=[[0]]), dict(batch_sampler=[[0]], batch_size=None),
    dict(sampler=[0], shuffle=False), dict(batch_sampler=[[0]], shuffle=False),
]


@pytest.mark.parametrize('kw', BAD)
def test_option_errors_match_torch(kw):
    t = _outcome(lambda: tdata.DataLoader(range(4), **kw))
    e = _outcome(lambda: edata.DataLoader(range(4), **kw))
    assert e == t


@pytest.mark.parametrize('kw', [dict(shuffle=True), dict(shuffle=False), dict(shuffle=0), dict(sampler=[0]),
                                dict(batch_sampler=[[0]]), dict(batch_size=None, drop_last=True),
                                dict(shuffle=True, sampler=[0])])
def test_iterable_dataset_option_errors_match_torch(kw):
    t = _outcome(lambda: tdata.DataLoader(TStream(4), **kw))
    e = _outcome(lambda: edata.DataLoader(EStream(4), **kw))
    assert e == t


def test_frozen_attributes_and_defaults():
    for lib, d in ((torch, tdata), (ember, edata)):
        dl = d.DataLoader(range(5))
        for name in ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset', 'persistent_workers'):
            with pytest.raises(ValueError, match=f'^{name} attribute should not be set after DataLoader is '
                                                 'initialized$'):
                setattr(dl, name, None)
        dl.num_workers = 2
        dl.collate_fn = None
        dl.multiprocessing_context = 'spawn'
        assert dl.multiprocessing_context is not None


@pytest.mark.parametrize('kw', [dict(), dict(batch_size=None), dict(shuffle=True), dict(sampler=[2, 0, 1]),
                                dict(batch_sampler=[[0, 1], [2]]), dict(num_workers=2),
                                dict(num_workers=1, prefetch_factor=5, batch_size=3, drop_last=True)])
def test_defaults_match_torch(kw):
    t, e = tdata.DataLoader(range(5), **kw), edata.DataLoader(range(5), **kw)
    for name in ('batch_size', 'drop_last', 'prefetch_factor', 'num_workers', 'timeout', 'pin_memory',
                 'pin_memory_device', 'in_order', 'persistent_workers', 'worker_init_fn', 'generator',
                 'multiprocessing_context'):
        assert getattr(e, name) == getattr(t, name), name
    assert e.collate_fn.__name__ == t.collate_fn.__name__
    assert type(e.sampler).__name__ == type(t.sampler).__name__ or isinstance(e.sampler, list)
    assert (e.batch_sampler is None) == (t.batch_sampler is None)
    assert len(e) == len(t)


@pytest.mark.parametrize('n,kw', [(10, dict(batch_size=3)), (10, dict(batch_size=3, drop_last=True)),
                                  (9, dict(batch_size=3, drop_last=True)), (10, dict(batch_size=None)),
                                  (7, dict(batch_size=1)), (0, dict(batch_size=2)),
                                  (10, dict(sampler=[5, 1, 1, 9], batch_size=3)),
                                  (10, dict(batch_sampler=[[3], [1, 2], [0, 0, 9]])),
                                  (6, dict(batch_size=4, collate_fn=lambda b: [v * 2 for v in b])),
                                  (4, dict(batch_size=None, collate_fn=lambda v: -v))])
def test_map_dataset_batches_and_len(n, kw):
    t, e = tdata.DataLoader(range(n), **kw), edata.DataLoader(range(n), **kw)
    assert len(e) == len(t)
    assert [_plain(b) for b in e] == [_plain(b) for b in t]
    assert len(iter(e)) == len(e)


@pytest.mark.parametrize('kw', [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                dict(batch_size=7), dict(batch_size=2, collate_fn=tuple)])
def test_iterable_dataset_batches(kw):
    t, e = tdata.DataLoader(TStream(7), **kw), edata.DataLoader(EStream(7), **kw)
    assert [_plain(b) for b in e] == [_plain(b) for b in t]
    assert type(e.sampler).__name__ != 'SequentialSampler'


@pytest.mark.parametrize('length', [0, 4, 7, 10])
@pytest.mark.parametrize('kw', [dict(batch_size=None), dict(batch_size=1), dict(batch_size=3),
                                dict(batch_size=3, drop_last=True)])
def test_iterable_len_and_overrun_warning(length, kw):
    results = []
    for d, ds in ((tdata, TStream(7, length)), (edata, EStream(7, length))):
        dl = d.DataLoader(ds, **kw)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter('always')
            before = list(dl)                 # len() not asked yet: no warning
            n = len(dl)
            after = list(dl)
        msgs = [str(w.message) for w in rec if 'Length of IterableDataset' in str(w.message)]
        msgs = [m.replace(repr(ds), 'DS') for m in msgs]
        results.append((n, len(before), len(after), msgs))
    assert results[1] == results[0]


def test_iterable_without_len():
    for d, ds in ((tdata, TStream(3)), (edata, EStream(3))):
        with pytest.raises(TypeError):
            len(d.DataLoader(ds))


def test_shuffle_generator_and_default_stream_use():
    g1, g2 = ember.Generator().manual_seed(11), ember.Generator().manual_seed(11)
    a = [b.tolist() for b in edata.DataLoader(range(20), batch_size=4, shuffle=True, generator=g1)]
    b = [b.tolist() for b in edata.DataLoader(range(20), batch_size=4, shuffle=True, generator=g2)]
    assert a == b and sorted(sum(a, [])) == list(range(20)) and sum(a, []) != list(range(20))
    dl = edata.DataLoader(range(20), batch_size=4, shuffle=True, generator=g1)
    assert [b.tolist() for b in dl] != [b.tolist() for b in dl]      # a new order each epoch
    # starting an iteration draws from the default stream, even without workers or shuffling (as torch)
    for lib, d in ((torch, tdata), (ember, edata)):
        lib.manual_seed(0)
        ref = lib.rand(1).item()
        lib.manual_seed(0)
        iter(d.DataLoader(range(3)))
        assert lib.rand(1).item() != ref
        lib.manual_seed(0)
        iter(d.DataLoader(range(3), generator=lib.Generator().manual_seed(1)))
        assert lib.rand(1).item() == ref


def test_iterator_protocol():
    for d in (tdata, edata):
        it = iter(d.DataLoader(range(4), batch_size=3))
        assert iter(it) is it and len(it) == 2
        with pytest.raises(NotImplementedError, match='cannot be pickled'):
            pickle.dumps(it)
        assert [b.tolist() for b in it] == [[0, 1, 2], [3]]
        with pytest.raises(StopIteration):
            next(it)


def test_workers_match_torch_for_several_layouts():
    cases = [(range(11), dict(batch_size=3)), (range(11), dict(batch_size=None)),
             (range(11), dict(batch_sampler=[[4, 2], [1], [0, 10, 3]])),
             (range(11), dict(batch_size=4, drop_last=True)),
             (range(11), dict(batch_size=2, collate_fn=list))]
    for i, (ds, kw) in enumerate(cases):
        ref = [_plain(b) for b in tdata.DataLoader(ds, **kw)]
        got = [_plain(b) for b in edata.DataLoader(ds, num_workers=2, prefetch_factor=1 + i % 3, **kw)]
        assert got == ref, kw


def test_workers_with_iterable_dataset():
    for kw in (dict(batch_size=2), dict(batch_size=None), dict(batch_size=2, drop_last=True)):
        ref = [_plain(b) for b in tdata.DataLoader(TStream(9), num_workers=2, **kw)]
        got = [_plain(b) for b in edata.DataLoader(EStream(9), num_workers=2, **kw)]
        assert got == ref, kw


def test_persistent_workers_with_iterable_dataset_and_out_of_order():
    dl = edata.DataLoader(EStream(9), batch_size=2, num_workers=2, persistent_workers=True)
    ref = [_plain(b) for b in tdata.DataLoader(TStream(9), batch_size=2, num_workers=2)]
    assert [_plain(b) for b in dl] == ref
    assert [_plain(b) for b in dl] == ref        # the same workers, reset for a second epoch
    got = list(edata.DataLoader(range(17), batch_size=2, num_workers=2, in_order=False))
    assert sorted(np.concatenate([b.numpy() for b in got]).tolist()) == list(range(17))


def _bad_collate(batch):
    if 6 in batch:
        raise KeyError('no six')
    return batch


def test_collate_error_in_worker_is_reraised():
    with pytest.raises(KeyError, match='Caught KeyError in DataLoader worker process') as err:
        list(edata.DataLoader(range(10), batch_size=3, num_workers=2, collate_fn=_bad_collate))
    assert 'no six' in str(err.value)
