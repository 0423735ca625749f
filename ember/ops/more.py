"""The rest of torch's surface that real programs touch: storages (the memory under a tensor), the
legacy tensor methods that work on that memory (new, set_, resize_, apply_, map_), memory formats and
layouts, and a handful of torch.* functions (convolution, constant_pad_nd, the *_copy forms, cond,
histogramdd, the low-rank SVD/PCA, nonzero_static, empty_permuted, ...).

ember keeps a tensor's data in one array; several tensors share memory when their arrays are views of
one owning array. A storage here is that owning array seen as bytes, so `data_ptr()` agrees for every
tensor cut from the same memory, and writes through a storage show in its tensors.
Most functions compose existing differentiable ops, so they need no backward of their own.
"""
import math
import operator
import warnings
from .. import _dtype
from .._dtype import _FROM_NP
from ..tensor import Tensor, _TYPE_NAMES, _wrap_dim
from ..autograd.graph import _wrap
from ..autograd.grad_mode import is_grad_enabled
from ..backend import xp_of
from ._util import bind
from . import shape as _S, creation as _C, random as _Rnd
from .reduction import _return_type


# --- memory formats and layouts --------------------------------------------------------------------
class memory_format(str):
    """The memory format of a tensor (torch.contiguous_format, torch.channels_last, ...). ember compares
    them with the strings it used before, so each is also the string of its name."""
    __slots__ = ()

    def __repr__(self):
        return str.__str__(self)


class layout(str):
    """The memory layout of a tensor: ember has torch.strided (dense) tensors; the sparse layouts are
    named so that programs can compare against them."""
    __slots__ = ()

    def __repr__(self):
        return str.__str__(self)


contiguous_format = memory_format('torch.contiguous_format')
preserve_format = memory_format('torch.preserve_format')
channels_last = memory_format('torch.channels_last')
channels_last_3d = memory_format('torch.channels_last_3d')
strided = layout('torch.strided')
sparse_coo = layout('torch.sparse_coo')
sparse_csr = layout('torch.sparse_csr')
sparse_csc = layout('torch.sparse_csc')
sparse_bsr = layout('torch.sparse_bsr')
sparse_bsc = layout('torch.sparse_bsc')
jagged = layout('torch.jagged')
Tensor.layout = strided


# --- exceptions and build flags -----------------------------------------------------------------------
class OutOfMemoryError(RuntimeError):
    """Raised when a device runs out of memory."""


class AcceleratorError(RuntimeError):
    """Raised when an accelerator reports an error."""


has_lapack = True     # NumPy's linalg is LAPACK
has_spectral = True   # the FFTs exist
has_mkl = False       # the flags below say what ember.backends reports
has_openmp = False


def get_device_module(device=None):
    """Returns the module associated with a given device (e.g. torch.device('cuda'), 'cpu', 'cuda:0');
    with no device, the module of the current accelerator, or of the CPU when there is none."""
    from .. import cpu, cuda
    from .._device import device as _device
    if device is None:
        return cpu
    if isinstance(device, str):
        try:
            device = _device(device)
        except Exception:
            raise RuntimeError("Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                               "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                               f"of device string: {device}") from None
    kind = getattr(device, 'type', None)
    if kind == 'cpu':
        return cpu
    if kind == 'cuda':
        return cuda
    raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'.")


# --- storages ------------------------------------------------------------------------------------------
def _root(a):
    """The array that owns a's memory (a itself when it is not a view)."""
    r = a
    while True:
        b = getattr(r, 'base', None)
        if b is None or not hasattr(b, '__array_interface__'):
            break
        r = b
    if type(r) is not type(a):   # an as_strided helper object: the array it describes
        r = xp_of(a).asarray(r)
    return r


def _bytes(a):
    """The bytes of the memory that a lives in, as a 1-D uint8 array sharing that memory."""
    r = _root(a)
    if r.size == 0:
        return xp_of(a).zeros(0, 'uint8')
    if r.flags.c_contiguous or r.flags.f_contiguous:
        return r.reshape(-1, order='A').view('uint8')
    return r.reshape(-1, order='K').view('uint8')   # a foreign non-dense owner: its elements, copied


def _ptr(a):
    return a.__array_interface__['data'][0]


def _storage_repr(values, head):
    body = ''.join(f" {v}\n" for v in values)
    return f"{body}[{head}]"


class _HostMemory:
    """What both storage kinds answer about CPU memory: never pinned or shared specially, always resizable."""

    def is_shared(self):
        return False

    def share_memory_(self):
        """CPU memory is already visible to ember's worker processes through their own transfer."""
        return self

    def is_pinned(self, device='cuda'):
        return False

    def pin_memory(self, device='cuda'):
        return self

    def resizable(self):
        return True


class UntypedStorage(_HostMemory):
    """The bytes under a tensor: `t.untyped_storage()`. Tensors cut from the same memory (views,
    from_numpy) give storages with the same data_ptr(); indexing reads and writes single bytes."""
    __slots__ = ('_bytes',)
    is_cuda = False
    is_sparse = False
    is_sparse_csr = False
    is_hpu = False
    filename = None

    def __init__(self, *args, device=None):
        from .._device import check_device
        check_device(device)
        xp = xp_of(_C.zeros(0)._data)
        if not args:
            self._bytes = xp.zeros(0, 'uint8')
        elif len(args) == 1 and isinstance(args[0], int):
            if args[0] < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {args[0]}: [{args[0]}]")
            self._bytes = xp.zeros(args[0], 'uint8')
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            self._bytes = xp.asarray(args[0], dtype='int64').astype('uint8')
        else:
            raise TypeError(f"UntypedStorage(): invalid arguments {tuple(type(a).__name__ for a in args)}")

    @classmethod
    def _of(cls, byte_array):
        s = object.__new__(cls)
        s._bytes = byte_array
        return s

    @property
    def device(self):
        from .._device import CPU
        return CPU

    def data_ptr(self):
        return _ptr(self._bytes) if self._bytes.size else 0

    def nbytes(self):
        return int(self._bytes.size)

    def size(self):
        return int(self._bytes.size)

    def __len__(self):
        return int(self._bytes.size)

    def element_size(self):
        return 1

    def get_device(self):
        return -1

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage._of(self._bytes[idx])
        return int(self._bytes[operator.index(idx)])

    def __setitem__(self, idx, value):
        self._bytes[idx] = value

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        return self._bytes.tolist()

    def fill_(self, value):
        """Fills every byte with value."""
        self._bytes[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        """Copies the bytes of source (a storage of the same size) into this one."""
        src = source._untyped()._bytes if isinstance(source, TypedStorage) else source._bytes
        if src.size != self._bytes.size:
            raise RuntimeError(f"size mismatch, got {self._bytes.size}, {src.size}")
        self._bytes[...] = src
        return self

    def _untyped(self):
        return self

    def untyped(self):
        return self

    def clone(self):
        """A copy of this storage in new memory."""
        return UntypedStorage._of(self._bytes.copy())

    def cpu(self):
        return self

    def to(self, *, device=None, non_blocking=False):
        from .._device import check_device
        check_device(device)
        return self

    def type(self, dtype=None, non_blocking=False):
        return 'torch.storage.UntypedStorage' if dtype is None else self

    def __repr__(self):
        return _storage_repr(self.tolist(), f"torch.storage.UntypedStorage(device=cpu) of size {len(self)}")

    __str__ = __repr__


_STORAGE_NAMES = {'float32': 'FloatStorage', 'float64': 'DoubleStorage', 'float16': 'HalfStorage',
                  'bfloat16': 'BFloat16Storage', 'int64': 'LongStorage', 'int32': 'IntStorage',
                  'int16': 'ShortStorage', 'int8': 'CharStorage', 'uint8': 'ByteStorage', 'bool': 'BoolStorage',
                  'complex64': 'ComplexFloatStorage', 'complex128': 'ComplexDoubleStorage'}


class TypedStorage(_HostMemory):
    """A storage seen as elements of one dtype (`t.storage()`; deprecated in torch in favour of
    UntypedStorage, which it wraps)."""
    __slots__ = ('_storage', 'dtype')
    is_cuda = False
    is_sparse = False
    is_hpu = False
    filename = None

    def __init__(self, *args, device=None, dtype=None, wrap_storage=None):
        from .._device import check_device
        check_device(device)
        dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
        self.dtype = dt
        if wrap_storage is not None:
            if args:
                raise RuntimeError("No positional arguments should be given when using `wrap_storage`")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(f"expected a UntypedStorage for argument 'wrap_storage', got "
                                f"{type(wrap_storage).__name__}")
            self._storage = wrap_storage
            return
        xp = xp_of(_C.zeros(0)._data)
        if not args:
            data = xp.zeros(0, dt.np)
        elif len(args) == 1 and isinstance(args[0], int):
            if args[0] < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {args[0]}: [{args[0]}]")
            data = xp.zeros(args[0], dt.np)
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            data = xp.asarray(args[0]).astype(dt.np).reshape(-1)
        else:
            raise TypeError(f"TypedStorage(): invalid arguments {tuple(type(a).__name__ for a in args)}")
        self._storage = UntypedStorage._of(data.view('uint8') if data.size else xp.zeros(0, 'uint8'))

    def _elements(self):
        b = self._storage._bytes
        n = b.size // self.dtype.itemsize
        return b[:n * self.dtype.itemsize].view(self.dtype.np)

    def _untyped(self):
        return self._storage

    def untyped(self):
        """The UntypedStorage this one wraps."""
        return self._storage

    @property
    def device(self):
        return self._storage.device

    def data_ptr(self):
        return self._storage.data_ptr()

    def nbytes(self):
        return self._storage.nbytes()

    def size(self):
        return self._storage.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def element_size(self):
        return self.dtype.itemsize

    def get_device(self):
        return -1

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        i = operator.index(idx)
        n = self.size()
        if not -n <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return self._elements()[i].item()

    def __setitem__(self, idx, value):
        if isinstance(value, Tensor):
            value = value._data
        self._elements()[idx] = value

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        return self._elements().tolist()

    def fill_(self, value):
        """Fills every element with value."""
        self._elements()[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        """Copies source's elements (converted to this dtype) into this storage."""
        src = source._elements() if isinstance(source, TypedStorage) else source._bytes
        dst = self._elements()
        if src.size != dst.size:
            raise RuntimeError(f"size mismatch, got {dst.size}, {src.size}")
        dst[...] = src
        return self

    def clone(self):
        return TypedStorage(wrap_storage=self._storage.clone(), dtype=self.dtype)

    def cpu(self):
        return TypedStorage(wrap_storage=self._storage, dtype=self.dtype)

    def to(self, *, device=None, non_blocking=False):
        from .._device import check_device
        check_device(device)
        return self

    def type(self, dtype=None, non_blocking=False):
        """'torch.FloatStorage'-style name, or with a dtype (or storage type) a converted copy."""
        if dtype is None:
            return 'torch.' + _STORAGE_NAMES[self.dtype.name]
        if isinstance(dtype, str):
            name = dtype.rpartition('.')[2]
            dtype = next(_FROM_NP[k] for k, v in _STORAGE_NAMES.items() if v == name)
        elif isinstance(dtype, type):
            dtype = dtype.dtype
        return self._to(dtype)

    def pickle_storage_type(self):
        return _STORAGE_NAMES[self.dtype.name]

    def _to(self, dt):
        dt = _dtype.to_dtype(dt)
        if dt == self.dtype:
            return self
        data = self._elements().astype(dt.np)
        return TypedStorage(wrap_storage=UntypedStorage._of(data.view('uint8').reshape(-1)), dtype=dt)

    def double(self): return self._to(_dtype.float64)   # noqa: E704
    def float(self): return self._to(_dtype.float32)   # noqa: E704
    def half(self): return self._to(_dtype.float16)   # noqa: E704
    def bfloat16(self): return self._to(_dtype.bfloat16)   # noqa: E704
    def long(self): return self._to(_dtype.int64)   # noqa: E704
    def int(self): return self._to(_dtype.int32)   # noqa: E704
    def short(self): return self._to(_dtype.int16)   # noqa: E704
    def char(self): return self._to(_dtype.int8)   # noqa: E704
    def byte(self): return self._to(_dtype.uint8)   # noqa: E704
    def bool(self): return self._to(_dtype.bool_)   # noqa: E704
    def complex_float(self): return self._to(_dtype.complex64)   # noqa: E704
    def complex_double(self): return self._to(_dtype.complex128)   # noqa: E704

    def __repr__(self):
        head = f"torch.storage.TypedStorage(dtype={self.dtype}, device=cpu) of size {len(self)}"
        return _storage_repr(self.tolist(), head)

    __str__ = __repr__


class _LegacyStorageMeta(type):
    """isinstance(t.storage(), torch.FloatStorage) holds for any TypedStorage of float32, as in torch."""
    dtype = None

    def __instancecheck__(cls, instance):
        if cls.dtype is None:
            return isinstance(instance, TypedStorage)
        return type(instance) is TypedStorage and instance.dtype == cls.dtype


def _legacy_storage(name, dt):
    def __new__(cls, *args, **kwargs):
        return TypedStorage(*args, dtype=dt, **kwargs)
    doc = f"Legacy typed storage of {dt}: {name}(n) makes n elements, {name}(sequence) copies them."
    return _LegacyStorageMeta(name, (TypedStorage,), {'__new__': __new__, '__slots__': (), 'dtype': dt,
                                                      '__doc__': doc, '__module__': 'torch'})


FloatStorage = _legacy_storage('FloatStorage', _dtype.float32)
DoubleStorage = _legacy_storage('DoubleStorage', _dtype.float64)
HalfStorage = _legacy_storage('HalfStorage', _dtype.float16)
BFloat16Storage = _legacy_storage('BFloat16Storage', _dtype.bfloat16)
LongStorage = _legacy_storage('LongStorage', _dtype.int64)
IntStorage = _legacy_storage('IntStorage', _dtype.int32)
ShortStorage = _legacy_storage('ShortStorage', _dtype.int16)
CharStorage = _legacy_storage('CharStorage', _dtype.int8)
ByteStorage = _legacy_storage('ByteStorage', _dtype.uint8)
BoolStorage = _legacy_storage('BoolStorage', _dtype.bool_)
ComplexFloatStorage = _legacy_storage('ComplexFloatStorage', _dtype.complex64)
ComplexDoubleStorage = _legacy_storage('ComplexDoubleStorage', _dtype.complex128)
_LEGACY = {v.dtype.name: v for v in (FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, LongStorage,
                                     IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage,
                                     ComplexFloatStorage, ComplexDoubleStorage)}

_typed_warned = [False]


def _warn_typed_storage():
    if not _typed_warned[0]:
        _typed_warned[0] = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                      "only storage class. This should only matter to you if you are using storages directly.  To "
                      "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)


def _untyped_storage(self):
    """Returns the underlying UntypedStorage (the bytes of the memory this tensor lives in)."""
    return UntypedStorage._of(_bytes(self._data))


def _storage(self):
    """Returns the underlying TypedStorage (deprecated: use untyped_storage())."""
    _warn_typed_storage()
    return TypedStorage(wrap_storage=_untyped_storage(self), dtype=self.dtype)


def _storage_type(self):
    """The legacy storage class of this tensor's dtype (torch.FloatStorage for float32)."""
    _warn_typed_storage()
    return _LEGACY[self.dtype.name]


def _offset_bytes(a):
    return _ptr(a) - _ptr(_root(a)) if a.size else 0


def _is_set_to(self, tensor):
    """True if both tensors point to the same memory with the same offset, sizes and strides."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not {type(tensor).__name__}")
    a, b = self._data, tensor._data
    return (_ptr(_root(a)) == _ptr(_root(b)) and _ptr(a) == _ptr(b) and a.shape == b.shape
            and self.stride() == tensor.stride() and a.dtype == b.dtype)


_CPP_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
              'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
              'uint8': 'unsigned char', 'bool': 'bool', 'complex64': 'c10::complex<float>',
              'complex128': 'c10::complex<double>'}


def _check_mutable(self, op):
    if self._req and is_grad_enabled():
        if self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def _view_of_bytes(xp, b, dt, offset, size, stride):
    """Elements of dtype dt at element offset, with size and stride (in elements), over a byte array."""
    item = dt.itemsize
    size, stride = tuple(size), tuple(stride)
    extent = (1 + sum((s - 1) * st for s, st in zip(size, stride))) if all(size) else 0
    if (offset + extent) * item > b.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {(offset + extent) * item} are out of "
                           f"bounds for storage of size {b.size}")
    if not all(size):
        return xp.zeros(size, dt.np)
    flat = b[offset * item:(offset + extent) * item].view(dt.np)
    return xp.lib.stride_tricks.as_strided(flat, size, tuple(s * item for s in stride))


def _set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Sets the underlying storage, size, and strides. If source is a tensor, self shares its memory and
    has its size and strides; changes to elements of one show in the other. With a storage, the
    optional storage_offset, size and stride pick the elements; with no source, self becomes empty."""
    _check_mutable(self, 'set_')
    xp = xp_of(self._data)
    dt = self.dtype
    if source is None:
        self._data = xp.zeros(0, dt.np)
        self._vc = [self._vc[0] + 1]
        return self
    if isinstance(source, Tensor):
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"Could not set tensor of type {_CPP_NAMES[source.dtype.name]} to a tensor of type "
                               f"{_CPP_NAMES[dt.name]}")
        self._data = source._data
        self._vc = source._vc
        self._vc[0] += 1
        return self
    if isinstance(source, TypedStorage):
        if source.dtype != dt:
            raise RuntimeError(f"Expected a Storage of type {dt} or an UntypedStorage, but got type "
                               f"{source.dtype} for argument 1 'storage'")
        source = source._untyped()
    if not isinstance(source, UntypedStorage):
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not {type(source).__name__}")
    if size is None:
        size = (source.nbytes() // dt.itemsize - storage_offset,)
    size = tuple(size)
    if stride is None:
        from ..tensor import _contiguous_strides
        stride = _contiguous_strides(size)
    self._data = _view_of_bytes(xp, source._bytes, dt, storage_offset, size, stride)
    self._vc = [self._vc[0] + 1]
    return self


# --- legacy constructors and resizing --------------------------------------------------------------------
def _new(self, *args, device=None):
    """Legacy constructor in self's dtype: t.new(2, 3) (uninitialised), t.new(torch.Size), t.new(sequence)
    (a copy of the data), t.new(tensor) (the same memory), t.new(storage), t.new() (empty)."""
    from .._device import check_device
    check_device(device)
    xp = xp_of(self._data)
    dt = self.dtype
    if not args:
        return _wrap(xp.zeros(0, dt.np), xp)
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Tensor):
            if a._data.dtype != self._data.dtype:
                raise TypeError(_options_error(dt, a.dtype))
            t = _wrap(a._data, xp)
            t._vc = a._vc
            return t
        if isinstance(a, (UntypedStorage, TypedStorage)):
            return _set_(_wrap(xp.zeros(0, dt.np), xp), a)
        from ..tensor import Size
        if isinstance(a, Size):
            return _wrap(xp.zeros(tuple(a), dt.np), xp)
        if isinstance(a, (list, tuple)) or hasattr(a, '__array_interface__'):
            return _C.tensor(a, dtype=dt)
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
    for a in args:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"new(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(a).__name__}")
        if a < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {a}: {list(args)}")
    return _wrap(xp.zeros(args, dt.np), xp)


def _options_error(want, got):
    def opts(d):
        return (f"TensorOptions(dtype={_CPP_NAMES[d.name]}, device=cpu, layout=Strided, requires_grad=false "
                "(default), pinned_memory=false (default), memory_format=(nullopt))")
    return f"expected {opts(want)} (got {opts(got)})"


def _sizes(op, sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    out = []
    for s in sizes:
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}") from None
    if any(s < 0 for s in out):
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(out)


def _no_grad_resize(self):
    if self._req:
        raise RuntimeError("cannot resize variables that require grad")


def _resize_(self, *sizes, memory_format=None):
    """Resizes self to the specified size, keeping the memory from self's start: elements already there
    keep their values (in the new contiguous order), new ones are uninitialised (zero here). Shrinking
    keeps the memory; growing past it moves self to new memory holding a copy of the old."""
    sizes = _sizes('resize_', sizes)
    _no_grad_resize(self)
    a = self._data
    if sizes == a.shape:
        return self
    xp = xp_of(a)
    dt = self.dtype
    n = math.prod(sizes)
    b = _bytes(a)
    off = _offset_bytes(a)
    need = off + n * dt.itemsize
    if need > b.size:
        grown = xp.zeros(need, 'uint8')
        grown[:b.size] = b
        b = grown
        self._vc = [self._vc[0]]
    self._data = b[off:need].view(dt.np).reshape(sizes)
    if memory_format == channels_last and len(sizes) == 4:
        self._data = xp.ascontiguousarray(xp.moveaxis(self._data, 1, -1)).transpose(0, 3, 1, 2)
    return self


def _resize_as_(self, the_template, *, memory_format=None):
    """Resizes self to the size of the_template (see resize_)."""
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{type(the_template).__name__}")
    return _resize_(self, *the_template.shape, memory_format=memory_format)


def _autograd_resize(self, sizes, op):
    sizes = _sizes(op, sizes)
    warnings.warn(f"non-inplace {op} is deprecated", UserWarning, stacklevel=3)
    n = math.prod(sizes)
    if n != self.numel():
        shape = 'x'.join(str(s) for s in sizes)
        old = 'x'.join(str(s) for s in self.shape)
        raise RuntimeError(f"requested resize to {shape} ({n} elements in total), but the given tensor has a size "
                           f"of {old} ({self.numel()} elements). autograd's resize can only change the shape of a "
                           "given tensor, while preserving the number of elements. ")
    return _S.reshape(self, sizes)


def _resize(self, *sizes):
    """Deprecated out-of-place resize: only a change of shape that keeps the number of elements."""
    return _autograd_resize(self, sizes, 'resize')


def _resize_as(self, tensor):
    """Deprecated out-of-place resize_as: only a change of shape that keeps the number of elements."""
    return _autograd_resize(self, tuple(tensor.shape), 'resize_as')


def resize_as_(input, the_template, *, memory_format=None):
    """torch.resize_as_: resizes input to the size of the_template, in place."""
    return _resize_as_(input, the_template, memory_format=memory_format)


# --- Python callables over elements -------------------------------------------------------------------
def _convert(r, kind):
    if kind == 'c':
        if isinstance(r, (int, float, complex)) or hasattr(r, 'dtype'):
            return r
        raise TypeError(f"must be real number, not {type(r).__name__}")
    if isinstance(r, (int, float)) or (hasattr(r, 'dtype') and getattr(r, 'ndim', 1) == 0):
        return r
    raise TypeError(f"must be real number, not {type(r).__name__}")


def _write_values(self, values, name):
    a = self._data
    xp = xp_of(a)
    kind = a.dtype.kind
    vals = [_convert(v, kind) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        arr = xp.asarray(vals).astype(a.dtype) if vals else xp.zeros(0, a.dtype)
    a[...] = arr.reshape(a.shape)
    self._vc[0] += 1
    return self


def _no_grad_apply(self, op):
    if self._req:
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use var.detach().{op}() instead.")


def _apply_(self, callable):
    """Applies callable to each element of self (in place), replacing it with the result. CPU only, and
    slow: use for small tensors or code that needs a Python function per element."""
    _no_grad_apply(self, 'apply_')
    return _write_values(self, [callable(v) for v in self._data.reshape(-1).tolist()], 'apply_')


def _others(self, tensors, op):
    out = []
    for name, t in zip(('other', 'other2'), tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t._data.dtype != self._data.dtype:
            raise TypeError(f"{op}: expected torch.{_TYPE_NAMES[self.dtype.name]} for '{name}' (got "
                            f"torch.{_TYPE_NAMES[t.dtype.name]})")
        out.append(_S.expand(t, *self.shape)._data.reshape(-1).tolist())
    return out


def _map_(self, tensor, callable):
    """Applies callable to each element of self and the matching element of tensor (broadcast to self's
    shape), storing the result in self. CPU only."""
    _no_grad_apply(self, 'map_')
    (o,) = _others(self, (tensor,), 'map_')
    vals = self._data.reshape(-1).tolist()
    return _write_values(self, [callable(a, b) for a, b in zip(vals, o)], 'map_')


def _map2_(self, x, y, callable):
    """Like map_, with two tensors: self[i] = callable(self[i], x[i], y[i]). CPU only."""
    _no_grad_apply(self, 'map2_')
    o1, o2 = _others(self, (x, y), 'map2_')
    vals = self._data.reshape(-1).tolist()
    return _write_values(self, [callable(a, b, c) for a, b, c in zip(vals, o1, o2)], 'map2_')


# --- torch.* functions -----------------------------------------------------------------------------------
def _tensor(x, op, name='input', pos=1):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _int_list(v, op, name, pos):
    if isinstance(v, (tuple, list)) and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
        return list(v)
    raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be tuple of ints, not {type(v).__name__}")


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution all of torch's conv functions reduce to: a (transposed, with transposed=True)
    convolution of input with weight over weight.dim() - 2 spatial dimensions, with per-dimension stride,
    padding, dilation and output_padding lists (one value is used for every dimension) and groups."""
    from ..nn.functional import conv as _conv
    _tensor(input, 'convolution')
    _tensor(weight, 'convolution', 'weight', 2)
    stride = _int_list(stride, 'convolution', 'stride', 4)
    padding = _int_list(padding, 'convolution', 'padding', 5)
    dilation = _int_list(dilation, 'convolution', 'dilation', 6)
    output_padding = _int_list(output_padding, 'convolution', 'output_padding', 8)
    d = weight.dim() - 2
    if d not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a weight of 3, 4 or 5 dimensions, but got {weight.dim()}")

    def per_dim(v):
        return tuple(v) if len(v) != 1 else tuple(v) * d
    if transposed:
        fn = getattr(_conv, f'conv_transpose{d}d')
        return fn(input, weight, bias, per_dim(stride), per_dim(padding), per_dim(output_padding), groups,
                  per_dim(dilation))
    return getattr(_conv, f'conv{d}d')(input, weight, bias, per_dim(stride), per_dim(padding), per_dim(dilation),
                                      groups)


def constant_pad_nd(input, pad, value=0):
    """Pads input with value: pad lists (before, after) amounts for the last dimension, then the one
    before it, and so on; negative amounts crop."""
    from ..nn.functional.vision import pad as _pad
    _tensor(input, 'constant_pad_nd')
    pad = _int_list(pad, 'constant_pad_nd', 'pad', 2)
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions of the input. Pad "
                           f"length is {len(pad)}while the input has {input.dim()}dimensions.")
    return _pad(input, pad, 'constant', value)


def view_copy(input, size):
    """Like input.view(size) (a shape, or a dtype to reinterpret the bits as), as a new tensor."""
    _tensor(input, 'view_copy')
    if isinstance(size, _dtype.dtype):
        return _S.view(input, size).clone()
    return _S.view(input, *size).clone() if isinstance(size, (tuple, list)) else _S.view(input, size).clone()


def expand_copy(input, size, *, implicit=False):
    """Like input.expand(size), as a new tensor."""
    return _S.expand(_tensor(input, 'expand_copy'), *size).clone()


def slice_copy(input, dim=0, start=None, end=None, step=1):
    """input sliced along dim from start to end by step (as input[..., start:end:step]), as a new tensor."""
    _tensor(input, 'slice_copy')
    d = _wrap_dim(dim, input.dim(), 'slice_copy')
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return input[(slice(None),) * d + (slice(start, end, step),)].clone()


def unfold_copy(input, dimension, size, step):
    """Like input.unfold(dimension, size, step), as a new tensor."""
    return _tensor(input, 'unfold_copy').unfold(dimension, size, step).clone()


def alias_copy(input):
    """A copy of input (the functional form of an alias)."""
    return _tensor(input, 'alias_copy').clone()


def cond(pred, true_fn, false_fn, operands=()):
    """Conditionally applies true_fn or false_fn to operands: pred is a bool or a one-element tensor.
    Eagerly this is `true_fn(*operands) if pred else false_fn(*operands)`."""
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
        pred = bool(pred.item())
    elif not isinstance(pred, (bool, int, float)):
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    if not callable(true_fn) or not callable(false_fn):
        raise RuntimeError("Expect both branches to be callable.")
    if not isinstance(operands, (tuple, list)):
        raise RuntimeError(f"Expect operands to be a tuple of possibly nested dict/list/tuple that only consists "
                           f"of tensor leaves, but got {operands}.")
    return true_fn(*operands) if pred else false_fn(*operands)


def _dropout_fn(name, feature, alpha, inplace):
    def fn(input, p, train):
        from ..nn.functional.dropout import _dropout
        return _dropout(input, p, train, inplace, feature, alpha, name)
    kind = ('feature ' if feature else '') + ('alpha ' if alpha else '') + 'dropout'
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"torch.{name}(input, p, train): {kind}" + (" of input in place" if inplace else "") +
                  " (the functional form behind the dropout layers; nothing happens unless train).")
    return fn


feature_dropout = _dropout_fn('feature_dropout', True, False, False)
feature_dropout_ = _dropout_fn('feature_dropout_', True, False, True)
dropout_ = _dropout_fn('dropout_', False, False, True)
alpha_dropout_ = _dropout_fn('alpha_dropout_', False, True, True)
feature_alpha_dropout_ = _dropout_fn('feature_alpha_dropout_', True, True, True)


def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over every dimension except dim, shaped to broadcast against v (dim=-1: the
    norm of all of v, a 0-d tensor)."""
    from . import reduction as _R
    _tensor(v, 'norm_except_dim', 'v')
    if dim == -1:
        return _R.norm(v, pow)
    d = _wrap_dim(dim, v.dim(), 'norm_except_dim')
    others = tuple(i for i in range(v.dim()) if i != d)
    if not others:   # a 1-D v: the norm of each element alone
        return _R.norm(v.unsqueeze(-1), pow, dim=-1)
    return _R.norm(v, pow, dim=others, keepdim=True)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialised tensor of the given size whose dimensions are laid out in memory in the order
    physical_layout (outermost first): empty_permuted((2, 3, 4), (0, 2, 1)) has strides (12, 1, 3)."""
    size, perm = tuple(size), tuple(physical_layout)
    if len(size) != len(perm):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(size)} is not equal to len(physical_layout) = {len(perm)}")
    if sorted(perm) != list(range(len(perm))):
        raise RuntimeError("Duplicate dim not allowed")
    phys = _C.empty([size[p] for p in perm], dtype=dtype, device=device)
    inverse = [perm.index(i) for i in range(len(perm))]
    out = _wrap(phys._data.transpose(inverse), xp_of(phys._data))
    return out.requires_grad_(requires_grad) if requires_grad else out


def nonzero_static(input, *, size, fill_value=-1):
    """Like torch.nonzero, with a fixed number of rows: the first size indices, padded with fill_value
    when there are fewer non-zero elements."""
    from .indexing import nonzero
    _tensor(input, 'nonzero_static')
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    nz = nonzero(input)._data
    xp = xp_of(nz)
    out = xp.full((size, nz.shape[1]), fill_value, 'int64')
    k = min(size, nz.shape[0])
    out[:k] = nz[:k]
    return _wrap(out, xp)


def histogramdd(input, bins=10, *, range=None, weight=None, density=False, out=None):
    """Computes a multi-dimensional histogram of the values in a tensor: the last dimension of input holds
    the coordinates of each point. bins is one count for every dimension, a count per dimension, or a
    sequence of 1-D tensors of increasing edges; range gives (min, max) per dimension; weight (one value
    per point) and density as in torch.histogram. Returns (hist, bin_edges)."""
    from .sorting import _np_name, _num
    _tensor(input, 'histogramdd')
    a = input._data
    xp = xp_of(a)
    dt = a.dtype
    if dt.kind not in 'f':
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_TYPE_NAMES[input.dtype.name][:-6]}'")
    D = a.shape[-1] if a.ndim else 1
    pts = a.reshape(-1, D)
    if isinstance(bins, int):
        bins = [bins] * D
    bins = list(bins)
    if len(bins) != D:
        raise RuntimeError(f"torch.histogramdd: expected {D} sequences of bin edges for each of the {D} dimensions "
                           f"of the input tensor, but got {len(bins)}")
    if range is not None and len(range) != 2 * D:
        raise RuntimeError(f"torch.histogramdd: for a {D}-dimensional histogram range should have {2 * D} "
                           f"elements, but got {len(range)}")
    w = None
    if weight is not None:
        w = _tensor(weight, 'histogramdd', 'weight')._data
        if w.shape != a.shape[:-1]:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as "
                               f"the input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(a.shape)} and weight with shape {list(w.shape)}")
        w = w.reshape(-1)
    from .creation import linspace
    edges, counts = [], []
    for i, b in enumerate(bins):
        col = pts[:, i]
        if isinstance(b, Tensor):
            e = b._data
            if e.dtype != dt:
                raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                                   f"but got input {_np_name(dt)} and bins {_np_name(e.dtype)}")
        else:
            nb = int(b)
            if nb <= 0:
                raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {nb} for dimension {i}")
            if range is not None:
                lo, hi = float(range[2 * i]), float(range[2 * i + 1])
                if lo > hi:
                    raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_num(lo)} max "
                                       f"{_num(hi)} for dimension {i}")
            elif col.size:
                lo, hi = float(col.min()), float(col.max())
            else:
                lo, hi = 0.0, 1.0
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            e = linspace(lo, hi, nb + 1, dtype=_FROM_NP[dt])._data
        edges.append(e)
        counts.append(e.shape[0] - 1)
    keep = xp.ones(pts.shape[0], bool)
    pos = []
    for i, e in enumerate(edges):
        col = pts[:, i]
        keep &= (col >= e[0]) & (col <= e[-1])
        pos.append(xp.minimum(xp.searchsorted(e, col, side='right') - 1, counts[i] - 1))
    total = math.prod(counts)
    if total == 0 or not keep.any():
        hist = xp.zeros(counts, dt)
    else:
        flat = xp.ravel_multi_index(tuple(p[keep] for p in pos), counts)
        hist = xp.bincount(flat, weights=None if w is None else w[keep], minlength=total).astype(dt).reshape(counts)
    if density and total:
        vol = xp.ones(counts, dt)
        for i, e in enumerate(edges):
            shape = [1] * D
            shape[i] = counts[i]
            vol = vol * (e[1:] - e[:-1]).reshape(shape)
        hist = hist / (hist.sum() * vol)
    res = _HISTOGRAMDD(_wrap(hist.astype(dt), xp), tuple(_wrap(xp.array(e), xp) for e in edges))
    if out is not None:
        from . import _write_out
        return _write_out('histogramdd', res, out)
    return res


_HISTOGRAMDD = _return_type('histogramdd', ('hist', 'bin_edges'))


def _approximate_basis(A, q, niter, M=None):
    """An orthonormal basis Q (n x q) whose span approximates A's range (Halko et al., algorithm 4.4)."""
    from .. import linalg
    X = _Rnd.randn(A.shape[-1], q, dtype=A.dtype)
    AH = A.mH
    MH = None if M is None else M.mH

    def mul(B, X, BM):
        return B @ X if BM is None else B @ X - BM @ X
    Q = linalg.qr(mul(A, X, M)).Q
    for _ in builtins_range(niter):
        Q = linalg.qr(mul(AH, Q, MH)).Q
        Q = linalg.qr(mul(A, Q, M)).Q
    return Q


builtins_range = range


def svd_lowrank(A, q=6, niter=2, M=None):
    """Return the singular value decomposition (U, S, V) of a matrix or batch of matrices A such that
    A ~ U diag(S) V^H (of A - M when M is given), computed by a randomized algorithm: q is a slight
    overestimate of A's rank, niter the number of subspace iterations. The random draws use ember's
    default generator (seed it with ember.manual_seed)."""
    from .. import linalg
    _tensor(A, 'svd_lowrank', 'A')
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:   # work on the tall transposed problem
        AH = A.mH
        MH = None if M is None else M.mH
        Q = _approximate_basis(AH, q, niter, MH)
        B = Q.mH @ AH if MH is None else Q.mH @ AH - Q.mH @ MH
        U, S, Vh = linalg.svd(B, full_matrices=False)
        return Vh.mH, S, Q @ U
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = linalg.svd(B, full_matrices=False)
    return Q @ U, S, Vh.mH


def pca_lowrank(A, q=None, center=True, niter=2):
    """Performs linear Principal Component Analysis on a low-rank matrix (or batch): returns (U, S, V),
    the nearly optimal approximation of a singular value decomposition of the centered A (columns minus
    their means when center), computed by svd_lowrank with q (default min(6, m, n)) and niter."""
    _tensor(A, 'pca_lowrank', 'A')
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter)
    return svd_lowrank(A, q, niter, A.mean(dim=-2, keepdim=True))


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """1-D max pooling that also returns the index of each maximum (torch.max_pool1d_with_indices)."""
    from ..nn.functional.pooling import max_pool1d_with_indices as f
    return f(input, kernel_size, stride, padding, dilation, ceil_mode)


bind(untyped_storage=_untyped_storage, storage=_storage, storage_type=_storage_type, is_set_to=_is_set_to,
     set_=_set_, new=_new, resize_=_resize_, resize_as_=_resize_as_, resize=_resize, resize_as=_resize_as,
     apply_=_apply_, map_=_map_, map2_=_map2_, nonzero_static=lambda self, *, size, fill_value=-1:
     nonzero_static(self, size=size, fill_value=fill_value))

__all__ = ['memory_format', 'layout', 'contiguous_format', 'preserve_format', 'channels_last', 'channels_last_3d',
           'strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', 'jagged',
           'OutOfMemoryError', 'AcceleratorError', 'has_lapack', 'has_spectral', 'has_mkl', 'has_openmp',
           'get_device_module', 'UntypedStorage', 'TypedStorage', 'resize_as_',
           'convolution', 'constant_pad_nd', 'view_copy', 'expand_copy', 'slice_copy', 'unfold_copy', 'alias_copy',
           'cond', 'feature_dropout', 'feature_dropout_', 'dropout_', 'alpha_dropout_', 'feature_alpha_dropout_',
           'norm_except_dim', 'empty_permuted', 'nonzero_static', 'histogramdd', 'svd_lowrank', 'pca_lowrank',
           'max_pool1d_with_indices'] + [c.__name__ for c in _LEGACY.values()]
