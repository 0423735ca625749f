"""Dropout layers: Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout. Each applies its
functional form while the module is training and is the identity in eval mode."""
from .module import Module
from .. import functional as F

__all__ = ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout']


class _DropoutNd(Module):
    __constants__ = ['p', 'inplace']

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, randomly zeroes some of the elements of the input tensor with probability p;
    the outputs are scaled by 1 / (1 - p). In evaluation mode the module computes an identity function."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Randomly zero out entire channels of (N, C, L) or (C, L) inputs with probability p."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Randomly zero out entire channels of (N, C, H, W) inputs with probability p."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Randomly zero out entire channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability p."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Applies Alpha Dropout over the input: keeps zero mean and unit variance of self-normalizing
    (SELU) activations; dropped units take SELU's negative saturation value."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Randomly masks out entire channels with alpha dropout's values (see AlphaDropout)."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
