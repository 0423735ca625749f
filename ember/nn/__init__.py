"""ember.nn: modules, layers, losses, init and functional, as torch.nn. Builds on the tensor core only."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
