"""Flatten and Unflatten: reshapes as modules (views of the input, as torch's)."""
from .module import Module

__all__ = ['Flatten', 'Unflatten']


class Flatten(Module):
    """Flattens a contiguous range of dims into a tensor. For use with Sequential.

    Shape:
        - Input: (*, S_start, ..., S_i, ..., S_end, *), where S_i is the size at dimension i and * means
          any number of dimensions including none.
        - Output: (*, prod S_i, *).

    Args:
        start_dim: first dim to flatten (default = 1).
        end_dim: last dim to flatten (default = -1).
    """
    __constants__ = ['start_dim', 'end_dim']

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Unflattens a tensor dim expanding it to a desired shape. For use with Sequential.

    * dim specifies the dimension of the input tensor to be unflattened.
    * unflattened_size is the new shape of the unflattened dimension of the tensor: a tuple of ints or
      a list of ints (or a torch.Size).

    Shape:
        - Input: (*, S_dim, *), where S_dim is the size at dimension dim.
        - Output: (*, U_1, ..., U_n, *), where U = unflattened_size and prod U_i = S_dim.
    """
    __constants__ = ['dim', 'unflattened_size']

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(dim, int):
            self._require_tuple_int(unflattened_size)
        else:
            raise TypeError("invalid argument type for dim parameter")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def _require_tuple_int(self, input_size):
        if isinstance(input_size, (tuple, list)):
            for idx, elem in enumerate(input_size):
                if not isinstance(elem, int):
                    raise TypeError("unflattened_size must be tuple of ints, "
                                    + f"but found element of type {type(elem).__name__} at pos {idx}")
            return
        raise TypeError(f"unflattened_size must be a tuple of ints, but found type {type(input_size).__name__}")

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
