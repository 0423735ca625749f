"""Questions about tensors, asked as torch functions (torch.is_tensor, torch.numel, ...)."""
from ..tensor import Tensor
from ._util import public_names


def is_tensor(obj):
    """True if obj is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_storage(obj):
    """ember has no separate storage objects; nothing is a storage."""
    return False


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    """True if the single-element tensor is nonzero (errors for more or fewer elements, as torch)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input, other):
    return input.shape == other.shape


Tensor.is_nonzero = is_nonzero
Tensor.is_same_size = is_same_size

__all__ = public_names(globals(), __name__)
