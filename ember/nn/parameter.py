"""torch.nn.Parameter and Buffer: tensors that a Module registers when they are assigned as attributes."""
import copy as _copy
import weakref
from ..tensor import Tensor, _init
from .. import _dtype

__all__ = ['Parameter', 'Buffer', 'UninitializedParameter', 'UninitializedBuffer', 'is_lazy']


def _empty_data():
    from ..backend import numpy_backend
    return numpy_backend.empty((0,), _dtype.get_default_dtype().np)


def _alias(cls, data):
    """A new cls object sharing data's storage and version counter, with no history."""
    t = Tensor.__new__(cls)
    if data is None:
        _init(t, _empty_data())
        return t
    if not isinstance(data, Tensor):
        raise TypeError(f"Creating a {cls.__name__} from an instance of type {type(data).__name__} requires that "
                        "detach() returns an instance of the same type, but return type Tensor was found instead. To "
                        f"use the type as a {cls.__name__}, please correct the detach() semantics defined by its "
                        "__torch_dispatch__() implementation.")
    _init(t, data._data)
    t._vc = data._vc
    return t


class Parameter(Tensor):
    """A kind of Tensor that is to be considered a module parameter.

    Parameters are Tensor subclasses that have a very special property when used with Modules: when
    they're assigned as Module attributes they are automatically added to the list of its parameters,
    and will appear e.g. in parameters() iterator.

    Args:
        data (Tensor): parameter tensor.
        requires_grad (bool, optional): if the parameter requires gradient. Default: `True`
    """

    def __new__(cls, data=None, requires_grad=True):
        t = _alias(cls, data)
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass   # everything happens in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(_plain(self._data.copy()), self._req)
        if self._grad is not None:
            result._grad = _copy.deepcopy(self._grad, memo)
        for k, v in self.__dict__.items():
            setattr(result, k, _copy.deepcopy(v, memo))
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._req, dict(self.__dict__)))

    __hash__ = Tensor.__hash__


def _plain(a):
    from ..autograd.graph import _wrap
    return _wrap(a, None)


def _rebuild_parameter(data, requires_grad, state):
    p = Parameter(_plain(data), requires_grad)
    p.__dict__.update(state)
    return p


class _BufferMeta(type):
    # Buffer(t) returns a plain Tensor marked as a buffer (as torch does); isinstance(x, Buffer) reads the mark
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and _buffer_mark(instance) is not None
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """A kind of Tensor that should not be considered a model parameter. For example, BatchNorm's
    ``running_mean`` is not a parameter, but is part of the module's state.

    Buffers are Tensor subclasses that have a very special property when used with Modules: when
    they're assigned as Module attributes they are automatically added to the list of its buffers,
    and will appear e.g. in buffers() iterator.

    Args:
        data (Tensor): buffer tensor.
        persistent (bool, optional): whether the buffer is part of the module's state_dict. Default: `True`
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            t = _plain(_empty_data())
        elif isinstance(data, Tensor):
            t = _plain(data._data)
            t._vc = data._vc
            t._req = data._req
        else:
            raise TypeError(f"Buffer(): data must be a Tensor, not {type(data).__name__}")
        _mark_buffer(t, persistent)
        return t


# Plain Tensors have __slots__, so the buffer mark cannot be an attribute: it lives here, keyed by id and
# dropped when the tensor dies.
_BUFFER_MARKS = {}


def _mark_buffer(t, persistent):
    key = id(t)
    _BUFFER_MARKS[key] = (weakref.ref(t, lambda _, key=key: _BUFFER_MARKS.pop(key, None)), persistent)


def _buffer_mark(t):
    entry = _BUFFER_MARKS.get(id(t))
    if entry is not None and entry[0]() is t:
        return entry
    return None


def _take_buffer_mark(t):
    """(is a Buffer, persistent) for a tensor being assigned to a Module attribute."""
    entry = _buffer_mark(t)
    if entry is None:
        return False, True
    return True, entry[1]


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (lazy modules); materialize(shape) makes it real."""
    __slots__ = ()   # so that an UninitializedBuffer has a plain Tensor's layout and can become one
    _allowed_methods = ('materialize', 'share_memory_', 'requires_grad_', 'requires_grad', 'data', 'shape')

    def materialize(self, shape, device=None, dtype=None):
        """Create a Parameter or Tensor with the same properties of the uninitialized one.
        Given a shape, it materializes a parameter in the same device and with the same dtype as the
        current one or the specified ones in the arguments."""
        from ..backend import numpy_backend
        if isinstance(shape, int):
            shape = (shape,)
        dt = _dtype.to_dtype(dtype) if dtype is not None else self.dtype
        self._data = numpy_backend.empty(tuple(shape), dt.np)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self._req,))


def is_lazy(param):
    """Returns whether param is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter that is not initialized: a special case of Parameter where the shape of the data is
    still unknown. It becomes a regular Parameter when materialize() is called."""
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        t = Parameter.__new__(cls, None, requires_grad)
        if dtype is not None:
            t._data = t._data.astype(_dtype.to_dtype(dtype).np)
        return t

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self._req, None, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer that is not initialized: its shape is unknown until materialize() is called, when it
    becomes a regular Tensor."""
    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = Tensor.__new__(cls)
        _init(t, _empty_data())
        if dtype is not None:
            t._data = t._data.astype(_dtype.to_dtype(dtype).np)
        t._req = requires_grad
        _mark_buffer(t, persistent)
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass
