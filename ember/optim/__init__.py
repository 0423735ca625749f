"""torch.optim: optimizers that update parameters from their gradients, and learning-rate schedulers."""
from .optimizer import Optimizer  # noqa: F401
from .sgd import *  # noqa: F401,F403
from .adam import *  # noqa: F401,F403
from .adamax import *  # noqa: F401,F403
from .nadam import *  # noqa: F401,F403
from .radam import *  # noqa: F401,F403
from .rmsprop import *  # noqa: F401,F403
from .adagrad import *  # noqa: F401,F403
from .adadelta import *  # noqa: F401,F403
from .rprop import *  # noqa: F401,F403
from .asgd import *  # noqa: F401,F403
from .lbfgs import *  # noqa: F401,F403
from .sparse_adam import *  # noqa: F401,F403
from .adafactor import *  # noqa: F401,F403
from . import lr_scheduler  # noqa: F401
from . import swa_utils  # noqa: F401
