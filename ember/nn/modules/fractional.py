"""Fractional max pooling layers and the legacy cross-channel LRN layer (math in F.fractional)."""
from .. import functional as F
from ..functional import fractional as _frac
from .module import Module

__all__ = ['FractionalMaxPool2d', 'FractionalMaxPool3d', 'CrossMapLRN2d']


class _FractionalMaxPoolNd(Module):
    _fn = None
    _d = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.return_indices = return_indices
        self.register_buffer('_random_samples', _random_samples)
        self.output_size = output_size
        self.output_ratio = output_ratio
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if output_ratio is not None:
            ratios = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * self._d
            if not all(0 < r < 1 for r in ratios):
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.output_size, self.output_ratio,
                              return_indices=self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Applies a 2D fractional max pooling over an input signal composed of several input planes: a
    kernel_size window at pseudo-random steps chosen so that the output has output_size (or
    output_ratio of the input size), drawn anew on each call from ember's generator."""
    _fn = staticmethod(F.fractional_max_pool2d)
    _d = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Applies a 3D fractional max pooling over an input signal composed of several input planes."""
    _fn = staticmethod(F.fractional_max_pool3d)
    _d = 3


class CrossMapLRN2d(Module):
    """Local response normalization across channels of a 4D input, as torch's legacy CrossMapLRN2d
    computes it."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _frac._cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
