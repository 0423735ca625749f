"""ember.utils.data: datasets, samplers and the DataLoader, as torch.utils.data."""
from .dataset import *  # noqa: F401,F403
from .sampler import *  # noqa: F401,F403
from .dataloader import *  # noqa: F401,F403
from .distributed import *  # noqa: F401,F403
from ._utils.worker import WorkerInfo  # noqa: F401
from . import _utils  # noqa: F401

__all__ = (dataset.__all__ + sampler.__all__ + dataloader.__all__ + distributed.__all__  # noqa: F405
           + ['WorkerInfo'])
