"""Fetchers: turn an index (or a batch of indices) from the sampler into collated data."""
import numpy as np
from ..dataset import TensorDataset, Subset
from . import collate as _collate
from ....tensor import Tensor
from ....autograd.graph import _wrap


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn, self.drop_last = (dataset, auto_collation,
                                                                              collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn, self.drop_last = (dataset, auto_collation,
                                                                              collate_fn, drop_last)
        # A plain TensorDataset collated by default_collate: one gather per tensor gives exactly what
        # stacking the per-sample rows gives, without a Python loop over the batch.
        # Plain Subsets (random_split's output) of such a dataset gather too, through their index maps.
        self.maps, base = [], dataset
        while type(base) is Subset:
            self.maps.append(np.asarray(base.indices))
            base = base.dataset
        self.base = base
        self.gather = (auto_collation and collate_fn is _collate.default_collate
                       and isinstance(base, TensorDataset)
                       and type(base).__getitem__ is TensorDataset.__getitem__
                       and not hasattr(base, '__getitems__')
                       and _collate.default_collate_fn_map.get(Tensor) is _collate.collate_tensor_fn
                       and all(type(t) is Tensor and not t.requires_grad for t in base.tensors)
                       and all(m.ndim == 1 and m.dtype.kind in 'iu' for m in self.maps))

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self.gather:
                out = self._gather(possibly_batched_index)
                if out is not None:
                    return out
            getitems = getattr(self.dataset, '__getitems__', None)
            if getitems:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[i] for i in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)

    def _gather(self, index):
        if not index:
            return None
        idx = np.asarray(index)
        if idx.ndim != 1 or idx.dtype.kind not in 'iu':
            return None
        for m in self.maps:   # outermost Subset first
            if idx.min() < -len(m) or idx.max() >= len(m):
                return None
            idx = m[idx]
        n = self.base.tensors[0]._data.shape[0]
        if idx.min() < -n or idx.max() >= n:
            return None          # the per-sample path raises the indexing error
        return [_wrap(t._data[idx], None) for t in self.base.tensors]


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return cls(dataset, auto_collation, collate_fn, drop_last)
