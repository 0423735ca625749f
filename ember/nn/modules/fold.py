"""nn.Fold and nn.Unfold: module forms of F.fold / F.unfold (sliding local blocks <-> a batched image)."""
from .module import Module
from .. import functional as F

__all__ = ['Fold', 'Unfold']


class Fold(Module):
    r"""Combines an array of sliding local blocks into a large containing tensor.

    Consider a batched input of shape (N, C * prod(kernel_size), L) (or unbatched (C * prod(kernel_size), L)),
    L being the number of blocks: Fold sums each column back into its block of an (N, C, *output_size)
    output, adding where blocks overlap. Only 4-D (batched image-like) outputs are supported.

    Args:
        output_size (int or tuple): the shape of the spatial dimensions of the output
        kernel_size (int or tuple): the size of the sliding blocks
        dilation (int or tuple, optional): a parameter that controls the stride of elements within the
            neighborhood. Default: 1
        padding (int or tuple, optional): implicit zero padding to be added on both sides of input. Default: 0
        stride (int or tuple): the stride of the sliding blocks in the input spatial dimensions. Default: 1
    """
    __constants__ = ['output_size', 'kernel_size', 'dilation', 'padding', 'stride']

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    r"""Extracts sliding local blocks from a batched input tensor.

    Consider a batched input of shape (N, C, *), N the batch dimension and C the channels: Unfold flattens
    each sliding kernel_size-sized block within the spatial dimensions into a column of the
    (N, C * prod(kernel_size), L) output, L the number of blocks. Only 4-D inputs are supported.

    Args:
        kernel_size (int or tuple): the size of the sliding blocks
        dilation (int or tuple, optional): a parameter that controls the stride of elements within the
            neighborhood. Default: 1
        padding (int or tuple, optional): implicit zero padding to be added on both sides of input. Default: 0
        stride (int or tuple, optional): the stride of the sliding blocks in the input spatial dimensions.
            Default: 1
    """
    __constants__ = ['kernel_size', 'dilation', 'padding', 'stride']

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
