"""ember: PyTorch's API on NumPy, in code you can read in an afternoon."""
from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, result_type, can_cast,
                     finfo, iinfo, bool_ as bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                     float32, float64, complex64, complex128, uint16, uint32, uint64)
from ._device import device
from .tensor import Tensor, Size
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled
from .ops.elementwise import *  # noqa: F401,F403
from .ops.creation import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.blas import *  # noqa: F401,F403
from .ops.random import *  # noqa: F401,F403
from .ops.info import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.complex import *  # noqa: F401,F403
from .ops.extra import *  # noqa: F401,F403
from .ops.more import *  # noqa: F401,F403  (storages, memory formats, layouts, convolution, ...)
from . import autograd, cuda, backends, nn, optim, utils, linalg, fft, special, testing, distributions  # noqa: E402
from ._legacy import *  # noqa: F401,F403,E402  (pi, inf, FloatTensor, set_default_device, typename, ...)
from .ops import add_out_support as _add_out_support  # noqa: E402
from .nn.functional.activation import TOPLEVEL as _nn_toplevel  # noqa: E402
from . import random  # noqa: E402  (torch.random: seeding namespace; the samplers are ops.random's)
from . import serialization; from .serialization import save, load  # noqa: E402,E702
from ._tensor_str import set_printoptions  # noqa: E402
from .utils.dlpack import from_dlpack  # noqa: E402
from . import amp, cpu, func  # noqa: E402  (torch.amp, torch.cpu, torch.func)
from . import jit, distributed  # noqa: E402  (eager TorchScript stand-ins; no process groups yet)
from .amp.autocast_mode import TOPLEVEL as _amp_toplevel  # noqa: E402  (torch.autocast, is_autocast_enabled, ...)
from ._compile import compile  # noqa: E402
from .func import vmap  # noqa: E402
from .backends import set_float32_matmul_precision, get_float32_matmul_precision  # noqa: E402
from ._config import (use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                      is_deterministic_algorithms_warn_only_enabled, set_num_threads, get_num_threads,
                      set_num_interop_threads, get_num_interop_threads)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

__version__ = '0.1.0'

globals().update(_amp_toplevel)   # torch.autocast, torch.is_autocast_enabled, ...
globals().update(_nn_toplevel)   # torch.softmax, torch.relu, ... (defined with their nn forms)
globals().update(special.TOPLEVEL)   # torch.i0, torch.sinc, torch.logit, torch.xlogy, ...
globals().update(linalg.TOPLEVEL)    # torch.det, torch.inverse, torch.svd, torch.trace, ...
globals().update({k: getattr(nn.functional, k) for k in (   # torch.conv2d, torch.dropout, ... (nn's functional forms)
    'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'dropout',
    'alpha_dropout', 'feature_alpha_dropout', 'layer_norm', 'batch_norm', 'group_norm', 'instance_norm',
    'embedding', 'embedding_bag', 'max_pool1d', 'max_pool2d', 'max_pool3d', 'avg_pool1d', 'adaptive_avg_pool1d',
    'adaptive_max_pool1d', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle', 'cosine_similarity',
    'pairwise_distance', 'pdist', 'bilinear', 'hardshrink', 'rrelu', 'ctc_loss', 'kl_div', 'binary_cross_entropy_with_logits',
    'cosine_embedding_loss', 'hinge_embedding_loss', 'margin_ranking_loss', 'poisson_nll_loss', 'triplet_margin_loss')
    if hasattr(nn.functional, k)})
detach = Tensor.detach
_add_out_support(globals())   # torch.add(a, b, out=c) and friends


def __getattr__(name):
    if name == 'multiprocessing':   # Python's multiprocessing behind it: loaded when a program asks
        import importlib
        return importlib.import_module(f'{__name__}.multiprocessing')
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
