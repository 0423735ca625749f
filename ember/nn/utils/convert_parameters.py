"""parameters_to_vector and vector_to_parameters (torch.nn.utils.convert_parameters)."""
from ...tensor import Tensor
from ...ops.shape import cat

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def parameters_to_vector(parameters):
    """Flatten an iterable of parameters into a single vector (differentiable, as torch's).

    Args:
        parameters (Iterable[Tensor]): an iterable of Tensors that are the parameters of a model.

    Returns:
        The parameters represented by a single vector
    """
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy slices of a vector into an iterable of parameters: each parameter's data becomes the next
    numel() elements of vec, viewed in the parameter's shape.

    Args:
        vec (Tensor): a single vector representing the parameters of a model.
        parameters (Iterable[Tensor]): an iterable of Tensors that are the parameters of a model.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
