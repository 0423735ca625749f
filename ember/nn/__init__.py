"""ember.nn: modules, layers, losses, init and functional, as torch.nn. Builds on the tensor core only."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils, parallel, common_types  # noqa: F401
from .parallel import DataParallel  # noqa: F401
import importlib as _importlib
# `from .modules import *` binds `attention` and `utils` to the layers' submodules of those names: these are
# torch.nn.attention (sdpa backends) and torch.nn.utils
attention = _importlib.import_module(f'{__name__}.attention')
utils = _importlib.import_module(f'{__name__}.utils')
