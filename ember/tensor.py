"""The Tensor: an array (NumPy's, or CuPy's on a GPU) plus what autograd needs to know about it.

This file holds what a tensor *is* (properties, conversions, autograd entry points, in-place
machinery). What a tensor *does* lives in ember/ops: each op is defined once there and bound
here as a function, a method and, where torch has one, an operator.
"""
import copy as _copy
import weakref
from . import _dtype
from ._dtype import _FROM_NP, to_dtype, can_cast
from ._device import CPU, check_device, device as _device_cls
from .backend import numpy_backend
from .autograd import graph as _graph
from .autograd.graph import Op, _wrap
from .autograd.grad_mode import is_grad_enabled
from .autograd.engine import run_backward as _engine_run_backward
from .autograd.api import _ones_like

_ONES = {}   # (dtype, shape) -> the read-only ones that loss.backward() starts from

__all__ = ['Tensor', 'Size']


class Size(tuple):
    """torch.Size: a tuple of ints that prints as torch.Size([...])."""
    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


_TYPE_NAMES = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
               'bfloat16': 'BFloat16Tensor', 'int64': 'LongTensor', 'int32': 'IntTensor', 'int16': 'ShortTensor',
               'int8': 'CharTensor', 'uint8': 'ByteTensor', 'bool': 'BoolTensor', 'complex64': 'ComplexFloatTensor',
               'complex128': 'ComplexDoubleTensor', 'uint16': 'UInt16Tensor', 'uint32': 'UInt32Tensor',
               'uint64': 'UInt64Tensor'}
_SHORT_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'half', 'int64': 'long', 'int32': 'int',
                'int16': 'short', 'int8': 'char', 'uint8': 'unsigned char', 'bool': 'bool', 'bfloat16': 'bfloat16',
                'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>', 'uint16': 'unsigned short',
                'uint32': 'unsigned int', 'uint64': 'unsigned long'}
_TYPE_BY_NAME = {'torch.' + v: k for k, v in _TYPE_NAMES.items()}


class Tensor:
    # _data: the array. _req: requires grad. grad_fn/_nr: the node that made it and which output.
    # _vc: the version counter, a one-item list shared by all views of one storage. _view: (base, view_fn,
    # version when its history was taken) for views,
    # so that an in-place change of a view can rewrite its base's history. _hooks: leaf grad hooks.
    __slots__ = ('_data', '_req', '_grad', 'grad_fn', '_nr', '_vc', '_view', '_hooks', '__weakref__')
    __array_priority__ = 1000   # numpy_array + tensor -> Tensor.__radd__
    __array_ufunc__ = None

    def __init__(self, *args, dtype=None, device=None):
        # The legacy constructor: Tensor(2, 3) is uninitialised storage, Tensor([1, 2]) copies data.
        check_device(device)
        dt = to_dtype(dtype) or _dtype.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], int):
            a = _as_array(args[0], dt)
        else:
            a = numpy_backend.zeros(tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list))
                                    else args, dt.np)
        _init(self, a)

    # --- what it is ----------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def is_cuda(self):
        return False

    is_cpu = True
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = 'torch.strided'

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, 'size')]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        a = self._data
        st = tuple(s // a.itemsize for s in a.strides) if a.size else _contiguous_strides(a.shape)
        return st if dim is None else st[_wrap_dim(dim, a.ndim, 'stride')]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__['data'][0]

    def storage_offset(self):
        a, base = self._data, self._data
        while base.base is not None and hasattr(base.base, '__array_interface__'):
            base = base.base
        return (a.__array_interface__['data'][0] - base.__array_interface__['data'][0]) // a.itemsize

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1

    def is_inference(self):
        return False

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    # --- autograd state ------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._req

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in 'fcV' and self._data.dtype != _dtype.bfloat16.np:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self._req = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, g):
        if g is not None:
            if not isinstance(g, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(g).__name__}")
            if g.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(g.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the "
                                   "same size")
            if g.dtype != self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{_SHORT_NAMES[g.dtype.name]}' to a "
                                   f"tensor with grad_dtype '{_TYPE_NAMES[self.dtype.name][:-6]}'. The gradient must "
                                   "match the tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = g

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def output_nr(self):
        return self._nr

    @property
    def _version(self):
        """How many times this storage was changed in place (shared by all views of it)."""
        return self._vc[0]

    @property
    def _base(self):
        return self._view[0] if self._view is not None else None

    @property
    def data(self):
        """The same storage, detached from autograd (changes through it are not tracked)."""
        t = _wrap(self._data, None)
        t._view = self._view
        return t

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(other).__name__}")
        self._data = other._data

    def detach(self):
        t = _wrap(self._data, None)
        t._vc = self._vc
        return t

    def detach_(self):
        if self._view is not None and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._req = False
        self._nr = 0
        return self

    def retain_grad(self):
        if not self._req:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.add_output_hook(self._nr, retain=weakref.ref(self))

    @property
    def retains_grad(self):
        fn = self.grad_fn
        if fn is None or not fn.out_hooks or self._nr not in fn.out_hooks:
            return False
        r = fn.out_hooks[self._nr][1]
        return r is not None and r() is self

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called when the gradient for this tensor is computed."""
        if not self._req:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.add_output_hook(self._nr, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _graph._RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) -> None, called on a leaf after its .grad has been accumulated in a backward pass."""
        if not self._req:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._hooks is None:
            self._hooks = []
        entry = _graph.PostAccumulateHook(hook)
        self._hooks.append(entry)
        return _graph._RemovableHandle(self._hooks, entry)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into each leaf's .grad (or into `inputs`' .grad only)."""
        if gradient is None and inputs is None and not create_graph and not retain_graph \
                and self.grad_fn is not None:
            # loss.backward() on a real scalar, the common call: straight to the engine
            a = self._data
            if a.size == 1 and a.dtype.kind != 'c':
                if type(a) is numpy_backend.ndarray:
                    one = _ONES.get((a.dtype, a.shape))
                    if one is None:
                        one = _ONES[(a.dtype, a.shape)] = numpy_backend.ones(a.shape, a.dtype)
                        one.flags.writeable = False   # shared by every call: nothing may write into it
                else:
                    one = _ones_like(a)
                _engine_run_backward((self,), (one,), False, raw_grads=True)
                return
        from .autograd.api import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- conversions ---------------------------------------------------------------------
    def numpy(self, *, force=False):
        if self._req and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def item(self):
        a = self._data
        if a.size != 1:
            raise RuntimeError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
        if a.dtype == _dtype.bfloat16.np:
            return float(a.reshape(()))
        return a.reshape(()).item()

    def tolist(self):
        a = self._data
        if a.dtype == _dtype.bfloat16.np:
            a = a.astype('float32')
        return a.tolist()

    def __array__(self, dtype=None, copy=None):
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        from .utils.dlpack import _export   # refuses tensors that require grad; exports bfloat16 too
        return _export(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self, what):
        if self._data.size != 1:
            if what == 'Boolean value':
                raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __bool__(self):
        return bool(self._scalar('Boolean value'))

    def __float__(self):
        if self._req:
            _warn_scalar_of_grad_tensor()
        return float(self._scalar('float'))

    def __int__(self):
        return int(self._scalar('int'))

    def __complex__(self):
        if self._req:
            _warn_scalar_of_grad_tensor()
        return complex(self._scalar('complex'))

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)   # as torch: str(self), and a TypeError for a non-empty spec

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    __hash__ = object.__hash__

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._req))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        t = type(self).__new__(type(self))
        _init(t, self._data.copy())
        t._req = self._req
        if self._grad is not None:
            t._grad = _copy.deepcopy(self._grad, memo)
        for k, v in getattr(self, '__dict__', {}).items():
            setattr(t, k, _copy.deepcopy(v, memo))
        memo[id(self)] = t
        return t

    # --- dtype and device moves ----------------------------------------------------------
    def to(self, *args, **kwargs):
        """to(dtype), to(device), to(device, dtype), to(other_tensor); returns self when nothing changes."""
        dt = kwargs.pop('dtype', None)
        dev = kwargs.pop('device', None)
        copy = kwargs.pop('copy', False)
        kwargs.pop('non_blocking', None)
        kwargs.pop('memory_format', None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dt, dev = a.dtype, a.device
            elif isinstance(a, (_dtype.dtype, type)) or (a is not None and not isinstance(a, (str, int, _device_cls))
                                                          and hasattr(a, 'kind')):
                dt = a
            elif isinstance(a, (str, int, _device_cls)):
                dev = a
            elif isinstance(a, bool):
                continue
            elif a is not None:
                raise TypeError(f"to() received an invalid combination of arguments: got {type(a).__name__}")
        check_device(dev)
        dt = to_dtype(dt)
        if dt is None or dt.np == self._data.dtype:
            return self.clone() if copy else self
        return cast(self, dt)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return 'torch.' + _TYPE_NAMES[self.dtype.name]
        if isinstance(dtype, str) and dtype in _TYPE_BY_NAME:
            dtype = _TYPE_BY_NAME[dtype]
        return self.to(to_dtype(dtype))

    def type_as(self, other):
        return self.to(other.dtype)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        check_device('cuda' if device is None else device)

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dtype.bfloat16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool_)

    def cfloat(self, memory_format=None):
        return self.to(_dtype.complex64)

    def cdouble(self, memory_format=None):
        return self.to(_dtype.complex128)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    # --- in-place machinery --------------------------------------------------------------
    def _inplace(self, fn, *args, name='', **kwargs):
        """self.op_(...): compute fn(self, ...) as the out-of-place op would, write it into self's storage.

        With autograd on, fn runs on a private copy of self's data so that whatever the new node saves
        is not overwritten by the write; self then takes the new node as its history (through its
        base's history, for a view). The version bump makes any older node that saved this storage
        refuse to run backward, as torch does."""
        graph = is_grad_enabled() and (self._req or any(isinstance(a, Tensor) and a._req for a in args))
        if self._req and is_grad_enabled():
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            if self._view is not None and self._view[0]._req and self._view[0].grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
        if graph:
            src = _wrap(self._data.copy(), None)
            src._req, src.grad_fn, src._nr = self._req, self.grad_fn, self._nr
        else:
            src = self
        r = fn(src, *args, **kwargs)
        self._write(r, name)
        if graph and r.grad_fn is not None and r.grad_fn.saved_from:
            # A node that saved its output (exp_ saves the result) saved what now lives in self: a later
            # in-place change of self must make its backward refuse to run, as torch's does.
            rv, node = r._vc, r.grad_fn
            node.saved_from = [(s[0], self._vc, self._vc[0]) if s is not None and s[1] is rv else s
                               for s in node.saved_from]
        if graph:
            if r.dtype.np != self._data.dtype:
                r = cast(r, self.dtype)
            self._rebase(r)
        return self

    def _write(self, r, name):
        a = self._data
        rd = r._data if isinstance(r, Tensor) else r
        if rd.shape != a.shape:
            raise RuntimeError(f"{name}: output with shape {list(a.shape)} doesn't match the broadcast shape "
                               f"{list(rd.shape)}")
        if rd.dtype != a.dtype and not can_cast(_FROM_NP[rd.dtype], _FROM_NP[a.dtype]):
            raise RuntimeError(f"{name}: result type {_TYPE_NAMES[_FROM_NP[rd.dtype].name][:-6]} can't be cast "
                               f"to the desired output type {_TYPE_NAMES[_FROM_NP[a.dtype].name][:-6]}")
        try:
            a[...] = rd
        except ValueError:
            raise RuntimeError(f"{name}: unsupported operation: more than one element of the written-to tensor "
                               "refers to a single memory location. Please clone() the tensor before performing "
                               "the operation.") from None
        self._vc[0] += 1

    def _rebase(self, r):
        """Give self the history of r (a tensor with self's value); for a view, rewrite its base's history."""
        if self._view is None:
            self.grad_fn, self._nr, self._req = r.grad_fn, r._nr, r._req
            return
        base, view_fn, _ = self._view
        new_base = CopySlices.apply(base, r, view_fn=view_fn)
        base.grad_fn, base._nr, base._req = new_base.grad_fn, 0, True
        v = _make_view(base, view_fn)
        self.grad_fn, self._nr, self._req = v.grad_fn, v._nr, True
        self._view = (base, view_fn, self._vc[0])

    def _refresh_view(self):
        """A view whose storage changed in place since its history was taken (through its base or another
        view) takes its history anew from its base, as torch regenerates a stale view's grad_fn."""
        base, view_fn, _ = self._view
        if base._req:
            v = view_fn(_graph_xp(), base)
            self.grad_fn, self._nr, self._req = v.grad_fn, v._nr, True
        self._view = (base, view_fn, self._vc[0])


_scalar_warned = []


def _warn_scalar_of_grad_tensor():
    """torch's once-per-process warning for float()/complex() of a tensor that requires grad."""
    if not _scalar_warned:
        _scalar_warned.append(True)
        import warnings
        warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                      "Consider using tensor.detach() first.", UserWarning, stacklevel=3)


def _init(t, a):
    t._data = a
    t._req = False
    t._grad = None
    t.grad_fn = None
    t._nr = 0
    t._vc = [0]
    t._view = None
    t._hooks = None


def _rebuild(a, req):
    t = _wrap(a, None)
    t._req = req
    return t


def _contiguous_strides(shape):
    st, n = [], 1
    for s in reversed(shape):
        st.append(n)
        n *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim, ndim, name=''):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{name}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _as_array(data, dt=None, xp=numpy_backend):
    """An array from Python data, NumPy arrays or Tensors, with torch's dtype inference."""
    if isinstance(data, Tensor):
        a = data._data
    elif isinstance(data, (list, tuple)) and _has_tensor(data):
        a = xp.array(_unwrap_nested(data))
        if dt is None:   # tensors keep their dtype, Python numbers count as in torch (2.5 is the default float)
            dt = _infer_dtype(data)
    else:
        a = data
    if dt is None:
        if isinstance(a, xp.ndarray) or hasattr(a, 'dtype'):
            a = xp.asarray(a)
            if a.dtype not in _FROM_NP:
                _dtype.from_numpy_dtype(a.dtype)  # raises the TypeError torch raises
            return a
        dt = _infer_dtype(data)
    try:
        return xp.array(a, dtype=dt.np) if not isinstance(a, xp.ndarray) else a.astype(dt.np, copy=False)
    except OverflowError:
        if dt.kind in 'fc':
            raise
        b = xp.array(a)
        if b.dtype.kind != 'i':   # beyond int64: torch refuses rather than wrapping
            raise ValueError("Overflow when unpacking long long") from None
        return b.astype(dt.np)
    except (ValueError, TypeError) as e:
        _check_ragged(data)
        raise TypeError(f"could not convert {type(data).__name__} to a tensor: {e}") from None


def _check_ragged(data, dim=0):
    """torch's error for nested lists of uneven lengths."""
    if isinstance(data, (list, tuple)) and data and all(isinstance(x, (list, tuple)) for x in data):
        n = len(data[0])
        for x in data:
            if len(x) != n:
                raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {len(x)})")
        for x in data:
            _check_ragged(x, dim + 1)


def _has_tensor(seq):
    for x in seq:
        if isinstance(x, Tensor) or (isinstance(x, (list, tuple)) and _has_tensor(x)):
            return True
    return False


def _unwrap_nested(seq):
    return [x._data if isinstance(x, Tensor) else _unwrap_nested(x) if isinstance(x, (list, tuple)) else x
            for x in seq]


def _infer_dtype(data):
    """torch.tensor's rule: bools -> bool, ints -> int64, floats -> default, complex -> default complex."""
    kinds = set()

    def walk(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, Tensor):
            kinds.add(x.dtype)
        elif hasattr(x, 'dtype'):   # NumPy arrays and scalars keep their dtype (np.float64 is a float too)
            kinds.add(_dtype.from_numpy_dtype(x.dtype))
        elif isinstance(x, bool):
            kinds.add('b')
        elif isinstance(x, int):
            kinds.add('i')
        elif isinstance(x, float):
            kinds.add('f')
        elif isinstance(x, complex):
            kinds.add('c')
        elif isinstance(x, str):
            raise ValueError(f"too many dimensions 'str'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
    if isinstance(data, str):   # a bare string is refused as a data type, a nested one as a dimension
        raise TypeError("new(): invalid data type 'str'")
    walk(data)
    dt = None
    for k in kinds:
        d = k if isinstance(k, _dtype.dtype) else {'b': _dtype.bool_, 'i': _dtype.int64, 'f': _dtype._default[0],
                                                    'c': _dtype._default[0].to_complex()}[k]
        dt = d if dt is None else _dtype.promote_types(dt, d)
    return dt or _dtype._default[0]


# --- dtype casts and views: the two ops a Tensor itself needs ------------------------------
class Cast(Op):
    __slots__ = ('src',)

    def forward(self, xp, a, dtype):
        self.src = a.dtype
        return a.astype(dtype)

    def backward(self, xp, g):
        if self.src.kind != 'c' and g.dtype.kind == 'c':
            g = xp.real(g)
        return xp.astype(g, self.src)

    @classmethod
    def name(cls):
        return 'ToCopyBackward0'


def cast(t, dt):
    """t as dtype dt (a differentiable copy), or t itself when it already is."""
    if t._data.dtype == dt.np:
        return t
    if t._req and not (dt.is_floating_point or dt.is_complex):
        return _wrap(t._data.astype(dt.np), None)  # casting to an integer type ends the history
    return Cast.apply(t, dtype=dt.np)


class CopySlices(Op):
    """The history of a base whose view was changed in place: base everywhere, the new value in the view."""
    __slots__ = ('mask', 'view_fn')

    def forward(self, xp, base, value, view_fn):
        self.view_fn = view_fn
        # the base's layout (order='K'), so view_fn re-creates the same view on the mask as on the data
        if base.dtype.kind == 'c':
            # a complex mask: a view_as_real view can overwrite the real or the imaginary part alone
            m = xp.ones_like(base)
            m[...] = 1 + 1j
            view_fn(xp, m)[...] = 0
            self.mask = m.real != 0
            keep_imag = m.imag != 0
            if not (keep_imag == self.mask).all():
                self.mask = (self.mask, keep_imag)
        else:
            self.mask = xp.ones_like(base, dtype=bool)
            view_fn(xp, self.mask)[...] = False
        return base   # the view's storage is the base's: the write has already happened

    def backward(self, xp, g):
        if type(self.mask) is tuple:
            keep_real, keep_imag = self.mask
            return xp.where(keep_real, xp.real(g), 0) + xp.where(keep_imag, xp.imag(g), 0) * 1j, self.view_fn(xp, g)
        return xp.where(self.mask, g, 0), self.view_fn(xp, g)

    @classmethod
    def name(cls):
        return 'torch::autograd::CopySlices'


def _make_view(t, view_fn, op_result=None):
    """Record that op_result (by default view_fn applied to t) is a view of t's storage."""
    v = op_result if op_result is not None else view_fn(_graph_xp(), t)
    if t._view is not None:
        base, f0, _ = t._view
        v._view = (base, lambda xp, a: view_fn(xp, f0(xp, a)), t._vc[0])
    else:
        v._view = (t, view_fn, t._vc[0])
    v._vc = t._vc
    return v


def _graph_xp():
    from .autograd.graph_xp import xp
    return xp


_graph._bind_tensor(Tensor)
