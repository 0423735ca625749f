"""Distances: cosine_similarity, pairwise_distance, pdist. Compositions of tensor ops (norms, products),
so their gradients, and higher ones, come from those ops."""
from ...tensor import Tensor
from ...autograd.graph import _wrap
from ...backend import xp_of

__all__ = ['cosine_similarity', 'pairwise_distance', 'pdist']


def _tensor(x, op, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _clamped_norm(x, dim, eps):
    """||x|| over dim, clamped below at eps as torch does it: the clamp changes the value but is not
    differentiated (torch clamps in place under no_grad), so the gradient is that of the plain norm."""
    n = x.norm(2, dim, keepdim=True)
    nd = n.detach()
    return n + (nd.clamp_min(eps) - nd)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Returns cosine similarity between x1 and x2, computed along dim:
    sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)). x1 and x2 must be broadcastable to a common shape."""
    from ...ops.shape import broadcast_tensors
    from ...ops._util import to_float
    x1, x2 = _tensor(x1, 'cosine_similarity', 'x1'), _tensor(x2, 'cosine_similarity', 'x2')
    x1, x2 = broadcast_tensors(to_float(x1), to_float(x2))
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """Computes the pairwise distance between input vectors, or between columns of input matrices:
    ||x1 - x2 + eps||_p over the last dimension."""
    from ...ops.shape import broadcast_tensors
    x1, x2 = _tensor(x1, 'pairwise_distance', 'x1'), _tensor(x2, 'pairwise_distance', 'x2')
    # torch reduces over the last dim of the higher-dimensional input; a 1-D pair is a single vector
    dim = max(x1.dim(), x2.dim(), 1) - 1
    x1, x2 = broadcast_tensors(x1, x2)   # and raises torch's error for shapes that do not broadcast
    return (x1 - x2 + eps).norm(p, dim, keepdim=keepdim)


def pdist(input, p=2):
    """Computes the p-norm distance between every pair of row vectors in the input (N, M): the upper
    triangle, without the diagonal, of the (N, N) distance matrix, row by row: N * (N - 1) / 2 values."""
    input = _tensor(input, 'pdist', 'input')
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    xp = xp_of(input._data)
    i, j = xp.triu_indices(n, 1)
    if i.size == 0:
        return input.sum(1)[:0]
    diff = input[_wrap(i, xp)] - input[_wrap(j, xp)]
    return diff.norm(p, 1)
