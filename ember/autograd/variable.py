"""torch.autograd.Variable: the pre-0.4 wrapper, now only a deprecated way to make a tensor.

`Variable(t, requires_grad=...)` returns a new Tensor sharing t's data, detached from t's history
(torch's behaviour), and every Tensor counts as a Variable in isinstance checks."""
import warnings

__all__ = ['VariableMeta', 'Variable', 'variable']


class VariableMeta(type):
    def __instancecheck__(cls, other):
        from ..tensor import Tensor   # autograd is imported by tensor.py: look the class up when asked
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """Deprecated: ``Variable(tensor, requires_grad=False)`` returns a Tensor sharing ``tensor``'s data, with
    no history and the given ``requires_grad``. ``volatile`` has no effect (use ``torch.no_grad()``)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None):
        from ..tensor import Tensor
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          stacklevel=2)
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if _grad_fn is not None:   # a history cannot be attached to a tensor after the fact
            raise TypeError(f"_grad_fn has to be a Function object or None, but got {type(_grad_fn).__name__}")
        return data.detach().requires_grad_(requires_grad)


def variable(*args, **kwargs):
    """Deprecated; raises (use torch.tensor)."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) instead")
