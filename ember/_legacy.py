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
