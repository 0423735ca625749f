"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d and their lazy forms. The math is
F.conv*d / F.conv_transpose*d; weights are laid out as torch's, (out, in/groups, *kernel) and
(in, out/groups, *kernel) for the transposed ones, so state_dicts move between the two libraries."""
import math
from ...ops.creation import empty
from ..parameter import Parameter, UninitializedParameter
from .. import init
from .. import functional as F
from .module import Module, LazyModuleMixin

__all__ = ['Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d',
           'LazyConv1d', 'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d',
           'LazyConvTranspose3d']


def _ntuple(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * n


class _ConvNd(Module):
    __constants__ = ['stride', 'padding', 'dilation', 'groups', 'padding_mode', 'output_padding', 'in_channels',
                     'out_channels', 'kernel_size']
    _n = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid = {'same', 'valid'}
        if isinstance(padding, str):
            if padding not in valid:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid}")
            if padding == 'same' and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        modes = {'zeros', 'reflect', 'replicate', 'circular'}
        if padding_mode not in modes:
            raise ValueError(f"padding_mode must be one of {modes}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's order: last dim first, each side repeated
        if isinstance(padding, str):
            pads = [0, 0] * len(kernel_size)
            if padding == 'same':
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    pads[2 * i] = left
                    pads[2 * i + 1] = total - left
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in range(2)]
        if transposed:
            shape = (in_channels, out_channels // groups) + tuple(kernel_size)
        else:
            shape = (out_channels, in_channels // groups) + tuple(kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Resets parameters based on their initialization used in ``__init__``."""
        # kaiming_uniform_ with a=sqrt(5): uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch initialises
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != 'zeros':
            s += f", padding_mode={self.padding_mode}"
        return s

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'padding_mode'):
            self.padding_mode = 'zeros'


def _conv_init(self, n, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
               padding_mode, device, dtype):
    kernel_size = _ntuple(kernel_size, n)
    stride = _ntuple(stride, n)
    padding = padding if isinstance(padding, str) else _ntuple(padding, n)
    dilation = _ntuple(dilation, n)
    _ConvNd.__init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, False, _ntuple(0, n),
                     groups, bias, padding_mode, device, dtype)


class _Conv(_ConvNd):
    _fn = None

    def _conv_forward(self, input, weight, bias):
        fn = type(self)._fn
        if self.padding_mode != 'zeros':
            return fn(F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), weight, bias,
                      self.stride, _ntuple(0, self._n), self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """Applies a 1D convolution over an input signal composed of several input planes.

    Args:
        in_channels, out_channels: channels of the input and of the output
        kernel_size, stride (default 1), padding (int, tuple, 'valid' or 'same'; default 0), dilation
        (default 1), groups (default 1), bias (default True), padding_mode ('zeros', 'reflect',
        'replicate' or 'circular')

    weight has shape (out_channels, in_channels/groups, kernel_size), initialised from U(-sqrt(k), sqrt(k))
    with k = groups / (in_channels * kernel_size); so is bias (out_channels).
    """
    _n = 1
    _fn = staticmethod(F.conv1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode='zeros', device=None, dtype=None):
        _conv_init(self, 1, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode, device, dtype)


class Conv2d(_Conv):
    """Applies a 2D convolution over an input signal composed of several input planes.

    Args:
        in_channels, out_channels: channels of the input and of the output
        kernel_size, stride (default 1), padding (int, tuple, 'valid' or 'same'; default 0), dilation
        (default 1), groups (default 1), bias (default True), padding_mode ('zeros', 'reflect',
        'replicate' or 'circular')

    weight has shape (out_channels, in_channels/groups, kH, kW), initialised from U(-sqrt(k), sqrt(k))
    with k = groups / (in_channels * kH * kW); so is bias (out_channels).
    """
    _n = 2
    _fn = staticmethod(F.conv2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode='zeros', device=None, dtype=None):
        _conv_init(self, 2, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode, device, dtype)


class Conv3d(_Conv):
    """Applies a 3D convolution over an input signal composed of several input planes.

    weight has shape (out_channels, in_channels/groups, kD, kH, kW)."""
    _n = 3
    _fn = staticmethod(F.conv3d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode='zeros', device=None, dtype=None):
        _conv_init(self, 3, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode, device, dtype)


class _ConvTransposeNd(_ConvNd):
    _fn = None

    def __init__(self, n, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                 dilation, padding_mode, device, dtype):
        if padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        _ConvNd.__init__(self, in_channels, out_channels, _ntuple(kernel_size, n), _ntuple(stride, n),
                         _ntuple(padding, n), _ntuple(dilation, n), True, _ntuple(output_padding, n), groups, bias,
                         padding_mode, device, dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        if output_size is None:
            return _ntuple(self.output_padding, num_spatial_dims)
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial = 2 if has_batch_dim else 1
        output_size = list(output_size)
        if len(output_size) == num_non_spatial + num_spatial_dims:
            output_size = output_size[num_non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must have "
                             f"{num_spatial_dims} or {num_non_spatial + num_spatial_dims} elements (got "
                             f"{len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dim_size = ((input.size(d + num_non_spatial) - 1) * stride[d] - 2 * padding[d] +
                        (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1)
            min_sizes.append(dim_size)
            max_sizes.append(min_sizes[d] + stride[d] - 1)
        for i in range(len(output_size)):
            if not min_sizes[i] <= output_size[i] <= max_sizes[i]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from "
                                 f"{min_sizes} to {max_sizes} (for an input of {list(input.size())[num_non_spatial:]})")
        return tuple(output_size[d] - min_sizes[d] for d in range(num_spatial_dims))

    def forward(self, input, output_size=None):
        if self.padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                              self._n, self.dilation)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                              self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Applies a 1D transposed convolution operator over an input image composed of several input planes
    (the gradient of Conv1d with respect to its input). weight: (in_channels, out_channels/groups, kernel_size).
    forward(input, output_size=None): output_size picks among the sizes a strided Conv1d maps to the input's."""
    _n = 1
    _fn = staticmethod(F.conv_transpose1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    """Applies a 2D transposed convolution operator over an input image composed of several input planes
    (the gradient of Conv2d with respect to its input). weight: (in_channels, out_channels/groups, kH, kW).
    forward(input, output_size=None): output_size picks among the sizes a strided Conv2d maps to the input's."""
    _n = 2
    _fn = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose3d(_ConvTransposeNd):
    """Applies a 3D transposed convolution operator over an input image composed of several input planes.
    weight: (in_channels, out_channels/groups, kD, kH, kW)."""
    _n = 3
    _fn = staticmethod(F.conv_transpose3d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        super().__init__(3, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class _LazyConvXdMixin(LazyModuleMixin):
    """in_channels inferred from the first input's channel dimension."""

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self.in_channels = input.shape[0] if input.dim() == self._n + 1 else input.shape[1]
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups)
            else:
                shape = (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(shape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy(name, base, n, doc):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, *rest, **kw):
        device, dtype = kw.pop('device', None), kw.pop('dtype', None)
        LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, *rest, **kw)   # registers the hook
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if self.bias is not None:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    return type(name, (_LazyConvXdMixin, base), {'__init__': __init__, 'cls_to_become': base, '__doc__': doc,
                                                 '__module__': __name__})


LazyConv1d = _lazy('LazyConv1d', Conv1d, 1, "A Conv1d whose in_channels is inferred from the first input.")
LazyConv2d = _lazy('LazyConv2d', Conv2d, 2, "A Conv2d whose in_channels is inferred from the first input.")
LazyConv3d = _lazy('LazyConv3d', Conv3d, 3, "A Conv3d whose in_channels is inferred from the first input.")
LazyConvTranspose1d = _lazy('LazyConvTranspose1d', ConvTranspose1d, 1,
                            "A ConvTranspose1d whose in_channels is inferred from the first input.")
LazyConvTranspose2d = _lazy('LazyConvTranspose2d', ConvTranspose2d, 2,
                            "A ConvTranspose2d whose in_channels is inferred from the first input.")
LazyConvTranspose3d = _lazy('LazyConvTranspose3d', ConvTranspose3d, 3,
                            "A ConvTranspose3d whose in_channels is inferred from the first input.")
