"""Layers: each a thin Module holding parameters; the math lives in ember.nn.functional."""
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .lazy_norm import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .fractional import *  # noqa: F401,F403

# torch's module paths for names ember keeps elsewhere (`from torch.nn.modules.batchnorm import _BatchNorm`)
import sys as _sys
from . import normalization as _normalization, module as _module, pixelshuffle as _pixelshuffle, utils  # noqa: E402
for _name, _mod in (('batchnorm', _normalization), ('instancenorm', _normalization), ('lazy', _module),
                    ('channelshuffle', _pixelshuffle)):
    _sys.modules[f'{__name__}.{_name}'] = _mod
    globals()[_name] = _mod
