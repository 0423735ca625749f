"""torch.utils.data.DistributedSampler: one process's share of a dataset in data-parallel training."""
import math

from ...ops.random import Generator, _randperm
from .sampler import Sampler

__all__ = ['DistributedSampler']


def _generator_seed(value):
    """``value`` as torch.Generator.manual_seed accepts it: an int in [-2**63, 2**64), negatives wrapping."""
    if not isinstance(value, int):
        raise RuntimeError(f"manual_seed expected a long, but got {type(value).__name__}")
    if not -2 ** 63 <= value < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return value % 2 ** 64


class DistributedSampler(Sampler):
    """Gives each of ``num_replicas`` processes its own, equally long slice of the dataset indices.

    Use it as the ``sampler`` of a :class:`DataLoader` in each process. Without ``drop_last`` the index list
    is padded by repeating its first indices until it divides evenly; with ``drop_last`` its tail is cut
    instead. Process ``rank`` then takes every ``num_replicas``-th index starting at ``rank``.

    With ``shuffle`` the indices are permuted first, the same way in every process: by a generator seeded with
    ``seed + epoch``. Call :meth:`set_epoch` at the start of each epoch to get a new order; without it every
    epoch repeats the same one.

    Args:
        dataset: the dataset to sample from (only its length is used).
        num_replicas (int, optional): how many processes share the data. Default: the world size of the
            default process group.
        rank (int, optional): this process's index in ``[0, num_replicas - 1]``. Default: its rank in the
            default process group.
        shuffle (bool, optional): permute the indices. Default: ``True``.
        seed (int, optional): base seed of the permutation; must be the same in every process. Default: ``0``.
        drop_last (bool, optional): cut the tail instead of padding. Default: ``False``.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            # ember runs a single process and has no process group to ask
            raise ValueError("Default process group has not been initialized, please make sure to call "
                             "init_process_group.")
        if rank < 0 or rank >= num_replicas:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        size = len(dataset)
        if drop_last and size % num_replicas:
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        size = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(_generator_seed(self.seed + self.epoch))
            indices = _randperm(g, size).tolist()
        else:
            indices = list(range(size))
        missing = self.total_size - len(indices)
        if missing > 0 and indices:
            # cycle through the list as many times as the padding needs
            indices += (indices * math.ceil(missing / len(indices)))[:missing]
        else:
            indices = indices[:self.total_size]
        assert len(indices) == self.total_size
        mine = indices[self.rank:self.total_size:self.num_replicas]
        assert len(mine) == self.num_samples
        return iter(mine)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which (added to ``seed``) picks the permutation when ``shuffle=True``."""
        self.epoch = epoch
