"""torch.utils.data.DistributedSampler: each replica's share of a dataset, shuffled identically on all
replicas by seed + epoch."""
import math

import numpy as np

from .sampler import Sampler

__all__ = ['DistributedSampler']


def _torch_randperm(n, seed):
    """torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist(), reproduced exactly:
    torch's CPU generator is the classic MT19937 (seeded by init_genrand with the low 32 bits of the seed)
    and its randperm is a Fisher-Yates pass swapping r[i] with r[i + random() % (n - i)]. Matching it lets
    a run resumed under ember see the same data order as under torch. (ember's own generator is PCG64,
    whose randperm stream differs from torch's.)"""
    bits = np.random.MT19937()
    bits._legacy_seeding(seed & 0xFFFFFFFF)
    raw = bits.random_raw(max(n - 1, 0)).tolist()
    r = list(range(n))
    for i in range(n - 1):
        z = i + raw[i] % (n - i)
        r[i], r[z] = r[z], r[i]
    return r


def _process_group_missing():
    return ValueError("Default process group has not been initialized, please make sure to call "
                      "init_process_group.")


class DistributedSampler(Sampler):
    r"""Sampler that restricts data loading to a subset of the dataset.

    It is especially useful in conjunction with :class:`torch.nn.parallel.DistributedDataParallel`. In such
    a case, each process can pass a :class:`~torch.utils.data.DistributedSampler` instance as a
    :class:`~torch.utils.data.DataLoader` sampler, and load a subset of the original dataset that is
    exclusive to it.

    .. note::
        Dataset is assumed to be of constant size and that any instance of it always
        returns the same elements in the same order.

    Args:
        dataset: Dataset used for sampling.
        num_replicas (int, optional): Number of processes participating in distributed training. By default,
            the world size is retrieved from the current distributed group (ember has none: pass it).
        rank (int, optional): Rank of the current process within :attr:`num_replicas`.
        shuffle (bool, optional): If ``True`` (default), sampler will shuffle the indices.
        seed (int, optional): random seed used to shuffle the sampler if :attr:`shuffle=True`. This number
            should be identical across all processes in the distributed group. Default: ``0``.
        drop_last (bool, optional): if ``True``, then the sampler will drop the tail of the data to make it
            evenly divisible across the number of replicas. If ``False``, the sampler will add extra indices
            to make the data evenly divisible across the replicas. Default: ``False``.

    .. warning::
        In distributed mode, calling the :meth:`set_epoch` method at the beginning of each epoch **before**
        creating the :class:`DataLoader` iterator is necessary to make shuffling work properly across
        multiple epochs. Otherwise, the same ordering will be always used.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        # ember has no process groups, so torch's "not initialized" error is what a missing value means
        if num_replicas is None or rank is None:
            raise _process_group_missing()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        indices = _torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match total_size ({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not match num_samples "
                                 f"({self.num_samples})")
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        r"""Set the epoch for this sampler.

        When :attr:`shuffle=True`, this ensures all replicas use a different random ordering for each epoch.
        Otherwise, the next iteration of this sampler will yield the same ordering.

        Args:
            epoch (int): Epoch number.
        """
        self.epoch = epoch
