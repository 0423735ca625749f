"""Lazy batch and instance norm: num_features is inferred from the first input's dimension 1.

Until the first forward the affine parameters are UninitializedParameters and the running statistics
UninitializedBuffers; the first call materializes them with num_features = input.shape[1] and the
module becomes the plain class (LazyBatchNorm2d becomes BatchNorm2d), as in torch."""
from .module import LazyModuleMixin
from .normalization import (_NormBase, _BatchNorm, _InstanceNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d,
                            InstanceNorm1d, InstanceNorm2d, InstanceNorm3d)
from ..parameter import UninitializedParameter, UninitializedBuffer
from ...ops.creation import tensor
from ... import _dtype

__all__ = ['LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d', 'LazyInstanceNorm1d', 'LazyInstanceNorm2d',
           'LazyInstanceNorm3d']


class _LazyNormBase(LazyModuleMixin, _NormBase):

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *,
                 bias=True):
        factory_kwargs = {'device': device, 'dtype': dtype}
        # affine and track_running_stats are False here so that no tensors are made only to be replaced
        super().__init__(0, eps, momentum, False, False, **factory_kwargs, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = UninitializedParameter(**factory_kwargs)
            if bias:
                self.bias = UninitializedParameter(**factory_kwargs)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(**factory_kwargs)
            self.running_var = UninitializedBuffer(**factory_kwargs)
            self.num_batches_tracked = tensor(0, dtype=_dtype.int64, device=device)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        """Infers ``num_features`` from ``input.shape[1]`` and materializes parameters and buffers."""
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            if self.affine:
                self.weight.materialize((self.num_features,))
                if self.bias is not None:
                    self.bias.materialize((self.num_features,))
            if self.track_running_stats:
                self.running_mean.materialize((self.num_features,))
                self.running_var.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    r"""A :class:`torch.nn.BatchNorm1d` module with lazy initialization of the ``num_features`` argument,
    inferred from ``input.size(1)``. The attributes that will be lazily initialized are `weight`, `bias`,
    `running_mean` and `running_var`.

    Args:
        eps: a value added to the denominator for numerical stability. Default: 1e-5
        momentum: the value used for the running_mean and running_var computation. Can be set to ``None`` for
            cumulative moving average (i.e. simple average). Default: 0.1
        affine: a boolean value that when set to ``True``, this module has learnable affine parameters.
            Default: ``True``
        track_running_stats: a boolean value that when set to ``True``, this module tracks the running mean
            and variance. Default: ``True``
    """
    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    r"""A :class:`torch.nn.BatchNorm2d` module with lazy initialization of ``num_features`` (``input.size(1)``);
    see LazyBatchNorm1d."""
    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    r"""A :class:`torch.nn.BatchNorm3d` module with lazy initialization of ``num_features`` (``input.size(1)``);
    see LazyBatchNorm1d."""
    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    r"""A :class:`torch.nn.InstanceNorm1d` module with lazy initialization of the ``num_features`` argument,
    inferred from ``input.size(1)``. The attributes that will be lazily initialized are `weight`, `bias`,
    `running_mean` and `running_var`. As in torch, affine and track_running_stats default to ``True`` here
    (unlike InstanceNorm1d)."""
    cls_to_become = InstanceNorm1d
    _get_no_batch_dim = InstanceNorm1d._get_no_batch_dim
    _check_input_dim = InstanceNorm1d._check_input_dim


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    r"""A :class:`torch.nn.InstanceNorm2d` module with lazy initialization of ``num_features``
    (``input.size(1)``); see LazyInstanceNorm1d."""
    cls_to_become = InstanceNorm2d
    _get_no_batch_dim = InstanceNorm2d._get_no_batch_dim
    _check_input_dim = InstanceNorm2d._check_input_dim


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    r"""A :class:`torch.nn.InstanceNorm3d` module with lazy initialization of ``num_features``
    (``input.size(1)``); see LazyInstanceNorm1d."""
    cls_to_become = InstanceNorm3d
    _get_no_batch_dim = InstanceNorm3d._get_no_batch_dim
    _check_input_dim = InstanceNorm3d._check_input_dim
