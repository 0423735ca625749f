"""Padding layers: constant (zero), reflection, replication and circular padding over 1-3 trailing
dims, thin Modules over F.pad."""
from .. import functional as F
from .module import Module

__all__ = ['ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
           'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
           'ReplicationPad3d', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d']


def _expand(padding, n):
    """An int pads every side; a tuple gives (left, right, top, bottom, front, back)."""
    if isinstance(padding, (tuple, list)):
        padding = tuple(padding)
        if len(padding) != 2 * n:
            raise ValueError(f"padding must be an int or a tuple of {2 * n} ints, got {padding}")
        return padding
    return (padding,) * (2 * n)


class _PadNd(Module):
    __constants__ = ['padding', 'mode']
    _n = 2
    mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ['padding', 'value']

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the input tensor boundaries with a constant value. padding: int or (left, right)."""
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the input tensor boundaries with a constant value. padding: int or (left, right, top, bottom)."""
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the input tensor boundaries with a constant value. padding: int or a 6-tuple."""
    _n = 3


class _ZeroPad(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad):
    """Pads the input tensor boundaries with zero. padding: int or (left, right)."""
    _n = 1


class ZeroPad2d(_ZeroPad):
    """Pads the input tensor boundaries with zero. padding: int or (left, right, top, bottom)."""
    _n = 2


class ZeroPad3d(_ZeroPad):
    """Pads the input tensor boundaries with zero. padding: int or a 6-tuple."""
    _n = 3


class ReflectionPad1d(_PadNd):
    """Pads the input tensor using the reflection of the input boundary (the edge not repeated)."""
    _n, mode = 1, 'reflect'


class ReflectionPad2d(_PadNd):
    """Pads the input tensor using the reflection of the input boundary (the edge not repeated)."""
    _n, mode = 2, 'reflect'


class ReflectionPad3d(_PadNd):
    """Pads the input tensor using the reflection of the input boundary (the edge not repeated)."""
    _n, mode = 3, 'reflect'


class ReplicationPad1d(_PadNd):
    """Pads the input tensor using replication of the input boundary."""
    _n, mode = 1, 'replicate'


class ReplicationPad2d(_PadNd):
    """Pads the input tensor using replication of the input boundary."""
    _n, mode = 2, 'replicate'


class ReplicationPad3d(_PadNd):
    """Pads the input tensor using replication of the input boundary."""
    _n, mode = 3, 'replicate'


class CircularPad1d(_PadNd):
    """Pads the input tensor using circular padding of the input boundary (wrapping around)."""
    _n, mode = 1, 'circular'


class CircularPad2d(_PadNd):
    """Pads the input tensor using circular padding of the input boundary (wrapping around)."""
    _n, mode = 2, 'circular'


class CircularPad3d(_PadNd):
    """Pads the input tensor using circular padding of the input boundary (wrapping around)."""
    _n, mode = 3, 'circular'
