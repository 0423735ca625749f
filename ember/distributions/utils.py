"""Helpers shared by the distributions (torch.distributions.utils)."""
import numbers
from .. import _dtype
from ..tensor import Tensor
from ..autograd.grad_mode import enable_grad

euler_constant = 0.57721566490153286060   # Euler-Mascheroni constant

__all__ = ['broadcast_all', 'logits_to_probs', 'clamp_probs', 'probs_to_logits', 'lazy_property',
           'tril_matrix_to_vec', 'vec_to_tril_matrix']


def broadcast_all(*values):
    """Given a list of values (possibly containing numbers), returns a list where each value is broadcasted
    based on the following rules: torch.Tensor instances are broadcasted as per broadcasting semantics;
    numbers.Number instances (scalars) are upcast to tensors having the same dtype and device as the first
    tensor passed to values. If all the values are scalars, then they are upcasted to scalar Tensors."""
    import ember
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dt = next((v.dtype for v in values if isinstance(v, Tensor)), _dtype._default[0])
        values = [v if isinstance(v, Tensor) else ember.tensor(v, dtype=dt) for v in values]
    return ember.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device=None):
    import ember
    return ember.randn(tuple(shape), dtype=dtype)


def _sum_rightmost(value, dim):
    """Sum out ``dim`` many rightmost dimensions of a given tensor."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Converts a tensor of logits into probabilities. For the binary case, each value denotes log odds,
    whereas for the multi-dimensional case, the values along the last dimension denote the log
    probabilities (possibly unnormalized) of the events."""
    import ember
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamps the probabilities to be in the open interval (0, 1)."""
    import ember
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Converts a tensor of probabilities into logits. For the binary case, this denotes the probability of
    occurrence of the event indexed by `1`. For the multi-dimensional case, the values along the last
    dimension denote the probabilities of occurrence of each of the events."""
    import ember
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(ps_clamped) - ember.log1p(-ps_clamped)
    return ember.log(ps_clamped)


class lazy_property:
    """Used as a decorator for lazy loading of class attributes. This uses a non-data descriptor that calls
    the wrapped method to compute the property on first call; thereafter replacing the wrapped method into
    an instance attribute."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """We want lazy properties to look like multiple things: property when Sphinx autodoc looks, and
    lazy_property when Distribution validate_args looks."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag):
    import ember
    arange = ember.arange(n)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """Convert a `D x D` matrix or a batch of matrices into a (batched) vector which comprises of lower
    triangular elements from the matrix in row order."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag=0):
    """Convert a vector or a batch of vectors into a batched `D x D` lower triangular matrix containing
    elements from the vector in row order."""
    import ember
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = ember.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat


