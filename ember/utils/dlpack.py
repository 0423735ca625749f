"""DLPack interop: tensors shared, without a copy, with any library that speaks DLPack (PyTorch, NumPy, JAX...).

NumPy's own DLPack support does the work for every dtype it knows. bfloat16, which NumPy stores through
ml_dtypes and cannot export or import, goes through the small ctypes implementation of the DLPack
(0.8, "dltensor") capsule protocol below, so torch.bfloat16 tensors cross without a copy too.
"""
import functools
import types
from ..tensor import Tensor
from ..autograd.graph import _wrap
from ..backend import numpy_backend
from .. import _dtype

__all__ = ['from_dlpack', 'to_dlpack']

_CPU, _CUDA, _ROCM = 1, 2, 10
_BFLOAT, _BOOL = 4, 6
# DLDataTypeCode -> NumPy typestr kind (bfloat16 is read as uint16, then viewed as ml_dtypes' bfloat16)
_TYPESTR_KINDS = {0: 'i', 1: 'u', 2: 'f', _BFLOAT: 'u', 5: 'c', _BOOL: 'b'}


_NAME, _USED_NAME = b'dltensor', b'used_dltensor'   # module constants: the capsule keeps a pointer to its name
# exported bfloat16 tensors: address of the DLManagedTensor -> what must live until the consumer is done
_exported = {}


@functools.cache
def _c():
    """The DLPack structs and the CPython capsule API through ctypes, set up on first use (ctypes costs ~15 ms
    to import, which `import ember` need not pay)."""
    import ctypes

    class DLDevice(ctypes.Structure):
        _fields_ = [('device_type', ctypes.c_int32), ('device_id', ctypes.c_int32)]

    class DLDataType(ctypes.Structure):
        _fields_ = [('code', ctypes.c_uint8), ('bits', ctypes.c_uint8), ('lanes', ctypes.c_uint16)]

    class DLTensor(ctypes.Structure):
        _fields_ = [('data', ctypes.c_void_p), ('device', DLDevice), ('ndim', ctypes.c_int32),
                    ('dtype', DLDataType), ('shape', ctypes.POINTER(ctypes.c_int64)),
                    ('strides', ctypes.POINTER(ctypes.c_int64)), ('byte_offset', ctypes.c_uint64)]

    deleter_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

    class DLManagedTensor(ctypes.Structure):
        _fields_ = [('dl_tensor', DLTensor), ('manager_ctx', ctypes.c_void_p), ('deleter', deleter_type)]

    api = ctypes.pythonapi
    destructor_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    for name, res, args in (('PyCapsule_New', ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p, destructor_type]),
                            ('PyCapsule_IsValid', ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
                            ('PyCapsule_GetPointer', ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]),
                            ('PyCapsule_SetName', ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p])):
        getattr(api, name).restype, getattr(api, name).argtypes = res, args

    @deleter_type
    def delete_exported(address):
        _exported.pop(address, None)

    @destructor_type
    def capsule_destructor(capsule):
        # a capsule nobody consumed still owns its tensor; a consumer renames it and calls the deleter itself
        if api.PyCapsule_IsValid(capsule, _NAME):
            delete_exported(api.PyCapsule_GetPointer(capsule, _NAME))

    return types.SimpleNamespace(ctypes=ctypes, DLDevice=DLDevice, DLDataType=DLDataType, DLTensor=DLTensor,
                                 DLManagedTensor=DLManagedTensor, api=api, delete_exported=delete_exported,
                                 capsule_destructor=capsule_destructor)


def _export_bfloat16(array):
    """A DLPack capsule over a bfloat16 NumPy array's memory (the array stays alive until the consumer lets go)."""
    C = _c()
    ctypes = C.ctypes
    itemsize = array.itemsize
    if any(s % itemsize for s in array.strides):
        array = array.copy()
    shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
    strides = (ctypes.c_int64 * max(array.ndim, 1))(*(s // itemsize for s in array.strides))
    managed = C.DLManagedTensor()
    managed.dl_tensor = C.DLTensor(array.__array_interface__['data'][0], C.DLDevice(_CPU, 0), array.ndim,
                                   C.DLDataType(_BFLOAT, 16, 1), shape, strides, 0)
    managed.deleter = C.delete_exported
    address = ctypes.addressof(managed)
    _exported[address] = (managed, shape, strides, array)
    return C.api.PyCapsule_New(address, _NAME, C.capsule_destructor)


class _ImportedMemory:
    """Owns a consumed DLPack tensor: its memory, seen by NumPy through __array_interface__, is given back to
    the producer (its deleter) when the last array over it goes."""

    def __init__(self, managed_address, interface):
        self.address = managed_address
        self.__array_interface__ = interface

    def __del__(self):
        managed = _c().DLManagedTensor.from_address(self.address)
        if managed.deleter:
            managed.deleter(self.address)


def _import_capsule(capsule):
    """A NumPy array over a legacy DLPack capsule's memory: the path for the dtypes NumPy cannot import."""
    C = _c()
    if not C.api.PyCapsule_IsValid(id(capsule), _NAME):
        raise BufferError("from_dlpack: expected an unconsumed DLPack capsule named 'dltensor'")
    address = C.api.PyCapsule_GetPointer(id(capsule), _NAME)
    t = C.DLManagedTensor.from_address(address).dl_tensor
    if t.device.device_type != _CPU:
        raise BufferError(f"from_dlpack: ember can import DLPack tensors from the CPU only, got device type "
                          f"{t.device.device_type}")
    code, bits, lanes = t.dtype.code, t.dtype.bits, t.dtype.lanes
    kind = _TYPESTR_KINDS.get(code)
    if kind is None or lanes != 1 or (code, bits) in ((_BOOL, 16), (_BOOL, 32), (_BOOL, 64)):
        raise BufferError(f"from_dlpack: unsupported DLPack dtype (code {code}, {bits} bits, {lanes} lanes)")
    C.api.PyCapsule_SetName(id(capsule), _USED_NAME)   # ours now: the capsule no longer frees it
    ndim = t.ndim
    shape = tuple(t.shape[i] for i in range(ndim))
    itemsize = bits // 8
    strides = tuple(t.strides[i] * itemsize for i in range(ndim)) if t.strides else None
    typestr = f"{'|' if itemsize == 1 else '<'}{kind}{itemsize}"
    owner = _ImportedMemory(address, {'data': ((t.data or 0) + t.byte_offset, False), 'shape': shape,
                                      'strides': strides, 'typestr': typestr, 'version': 3})
    if 0 in shape:
        del owner
        array = numpy_backend.empty(shape, dtype=typestr)
    else:
        array = numpy_backend.asarray(owner)
    return array.view(_dtype.bfloat16.np) if code == _BFLOAT else array


def _export(tensor, *, stream=None, max_version=None, dl_device=None, copy=None):
    """Tensor.__dlpack__: a DLPack capsule sharing the tensor's memory (refused for tensors that require
    grad, as torch refuses them)."""
    if tensor.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    a = tensor._data
    if dl_device is not None and tuple(dl_device) != tuple(a.__dlpack_device__()):
        raise BufferError(f"__dlpack__: cannot export to device {tuple(dl_device)} from "
                          f"{tuple(a.__dlpack_device__())}")
    if a.dtype == _dtype.bfloat16.np:
        return _export_bfloat16(a.copy() if copy else a)
    kwargs = {} if max_version is None else {'max_version': max_version}
    if copy is not None:
        kwargs['copy'] = copy
    return a.__dlpack__(stream=stream, **kwargs)


def to_dlpack(tensor):
    """Returns an opaque object (a "DLPack capsule") representing the tensor, sharing its memory.

    The capsule can be consumed once, by any library that imports DLPack capsules (e.g. torch.from_dlpack)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack(): argument 'data' (position 1) must be Tensor, not {type(tensor).__name__}")
    return _export(tensor)


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """Converts a tensor from an external library into an ember Tensor.

    The returned tensor shares memory with the tensor from the external library: modifications in one appear
    in the other. ext_tensor is an object with a __dlpack__ method (a torch tensor, a NumPy array, an ember
    Tensor...) or a DLPack capsule (from to_dlpack), which is consumed. copy=True copies instead."""
    if device is not None and str(device) != 'cpu':
        raise RuntimeError(f"from_dlpack: ember tensors live on the CPU, cannot import to device {device}")
    if not hasattr(ext_tensor, '__dlpack__'):
        if type(ext_tensor).__name__ != 'PyCapsule':
            raise TypeError(f"from_dlpack(): expected an object with __dlpack__ or a DLPack capsule, got "
                            f"{type(ext_tensor).__name__}")
        # NumPy would import a bare legacy capsule read-only; the producer's memory is writable
        array = _import_capsule(ext_tensor)
    else:
        dev = tuple(ext_tensor.__dlpack_device__())
        if dev[0] != _CPU:
            raise RuntimeError(f"from_dlpack: ember tensors live on the CPU; this tensor is on DLPack device "
                               f"{dev}. Move it to the CPU first.")
        try:
            array = numpy_backend.from_dlpack(ext_tensor)
        except (BufferError, RuntimeError, TypeError) as numpy_refused:
            # NumPy knows no bfloat16: take the capsule ourselves (legacy protocol, which every producer speaks)
            try:
                array = _import_capsule(ext_tensor.__dlpack__())
            except BufferError:
                raise numpy_refused from None
    if copy:
        array = array.copy()
    _dtype.from_numpy_dtype(array.dtype)
    return _wrap(array, None)
