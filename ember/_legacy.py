"""Old spellings torch still accepts: typed tensor constructors, math constants, default device."""
import math
from . import _dtype
from ._device import check_device, CPU
from .tensor import Tensor, _TYPE_NAMES

pi, e, inf, nan = math.pi, math.e, math.inf, math.nan
newaxis = None


def _typed(name, dt):
    def make(*args, device=None):
        """Legacy typed constructor: FloatTensor(2, 3) is uninitialised, FloatTensor([1, 2]) copies data."""
        return Tensor(*args, dtype=dt, device=device)
    make.__name__ = make.__qualname__ = name
    return make


FloatTensor = _typed('FloatTensor', _dtype.float32)
DoubleTensor = _typed('DoubleTensor', _dtype.float64)
HalfTensor = _typed('HalfTensor', _dtype.float16)
BFloat16Tensor = _typed('BFloat16Tensor', _dtype.bfloat16)
LongTensor = _typed('LongTensor', _dtype.int64)
IntTensor = _typed('IntTensor', _dtype.int32)
ShortTensor = _typed('ShortTensor', _dtype.int16)
CharTensor = _typed('CharTensor', _dtype.int8)
ByteTensor = _typed('ByteTensor', _dtype.uint8)
BoolTensor = _typed('BoolTensor', _dtype.bool_)


def set_default_device(device):
    """Only the CPU exists on this build; None or 'cpu' are accepted."""
    if device is not None:
        check_device(device)


def get_default_device():
    return CPU


def is_signed(input):
    return input.dtype.is_signed


def typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return 'torch.' + _TYPE_NAMES[obj.dtype.name]
    t = type(obj)
    module = t.__module__ if t.__module__ not in ('builtins', '__builtin__', None) else ''
    return f"{module}.{t.__qualname__}" if module else t.__qualname__


# --- process switches and per-tensor queries torch programs call --------------------------------------
_warn_always = [False]


def set_flush_denormal(mode):
    """Disables denormal floating numbers on CPU. Returns True if the system supports flushing
    denormal numbers; NumPy offers no switch for it, so ember records nothing and answers False."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def set_warn_always(b):
    """When this flag is False (default) then some PyTorch warnings may only appear once per process."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    """Returns True if the global warn_always flag is turned on."""
    return _warn_always[0]


def _tensor_arg(op, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def is_inference(input):
    """Returns True if input is an inference tensor (ember's inference_mode makes no separate kind)."""
    return _tensor_arg('is_inference', input).is_inference()


def get_device(input):
    """The index of the device a tensor is on: -1 for CPU tensors."""
    return _tensor_arg('get_device', input).get_device()


_TENSOR_TYPES = {'FloatTensor': _dtype.float32, 'DoubleTensor': _dtype.float64, 'HalfTensor': _dtype.float16,
                 'BFloat16Tensor': _dtype.bfloat16, 'LongTensor': _dtype.int64, 'IntTensor': _dtype.int32,
                 'ShortTensor': _dtype.int16, 'CharTensor': _dtype.int8, 'ByteTensor': _dtype.uint8,
                 'BoolTensor': _dtype.bool_}


def set_default_tensor_type(t, /):
    """Sets the default ``torch.Tensor`` type to floating point tensor type ``t`` (a type such as
    torch.DoubleTensor or its name 'torch.DoubleTensor'). Deprecated as of PyTorch 2.1: use
    torch.set_default_dtype() and torch.set_default_device()."""
    import warnings
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", stacklevel=2)
    if isinstance(t, str):
        module, _, name = t.rpartition('.')
        if module not in ('torch', 'ember'):
            if module.split('.')[0] in ('torch', 'ember') and module.split('.')[-1] == 'cuda':
                raise TypeError(f"type {t} not available. Torch not compiled with CUDA enabled.")
            raise ModuleNotFoundError(f"No module named '{module or t}'")
        if name not in _TENSOR_TYPES:
            raise AttributeError(f"module 'torch' has no attribute '{name}'")
        dt = _TENSOR_TYPES[name]
    else:
        dt = _TENSOR_TYPES.get(getattr(t, '__name__', None)) if callable(t) else None
        if dt is None or globals().get(t.__name__) is not t:
            raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dt)
