"""ember.save / ember.load in PyTorch's own checkpoint format, without PyTorch.

A checkpoint is a zip archive (stored, not compressed): `<prefix>/data.pkl` pickles the object (protocol 2),
each tensor storage is a raw little-endian record `<prefix>/data/<key>` aligned to 64 bytes, and
`version`, `byteorder`, `.format_version`, `.storage_alignment` describe the file, as torch writes them.
Tensors pickle as `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`
where the storage is a persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)`: ember writes
those torch names (it never imports torch), so `torch.load` reads ember's files and ember reads torch's.
Tensors whose arrays share one NumPy buffer share one storage record, so views stay views.

`weights_only=True` (the default, as in torch) unpickles with an allowlist of globals: tensors, dtypes,
devices, sizes, OrderedDict, Python containers and scalars, and what `add_safe_globals` adds.
"""
import collections
import contextlib
import io
import os
import pickle
import struct
import sys
import numpy as np
from . import _dtype
from ._device import device
from .tensor import Tensor, Size, _rebuild

__all__ = ['save', 'load', 'add_safe_globals', 'safe_globals', 'get_safe_globals', 'clear_safe_globals',
           'get_unsafe_globals_in_checkpoint', 'DEFAULT_PROTOCOL']

DEFAULT_PROTOCOL = 2
_ALIGN = 64
_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL = 1001
_STORAGE_NAMES = {'bool': 'BoolStorage', 'uint8': 'ByteStorage', 'int8': 'CharStorage', 'int16': 'ShortStorage',
                  'int32': 'IntStorage', 'int64': 'LongStorage', 'float16': 'HalfStorage',
                  'bfloat16': 'BFloat16Storage', 'float32': 'FloatStorage', 'float64': 'DoubleStorage',
                  'complex64': 'ComplexFloatStorage', 'complex128': 'ComplexDoubleStorage'}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}
_UNTYPED_ONLY = ('uint16', 'uint32', 'uint64')
# torch storages and dtypes ember has no NumPy array for: named in the error when a file holds one
_FOREIGN_STORAGES = {'QInt8Storage': 'qint8', 'QUInt8Storage': 'quint8', 'QInt32Storage': 'qint32',
                     'QUInt4x2Storage': 'quint4x2', 'QUInt2x4Storage': 'quint2x4', 'ComplexHalfStorage': 'complex32'}
_FOREIGN_DTYPES = {'complex32', 'chalf', 'float8_e4m3fn', 'float8_e5m2',
                   'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'qint8', 'quint8',
                   'qint32', 'quint4x2', 'quint2x4', 'bits8', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2',
                   'uint1', 'uint2', 'uint3', 'uint4', 'uint5', 'uint6', 'uint7', 'int1', 'int2', 'int3', 'int4',
                   'int5', 'int6', 'int7'}


# --- writing -------------------------------------------------------------------------------------
class _Global:
    """A global named by module and name, written into the pickle as is (torch's names, without torch)."""
    __slots__ = ('module', 'name')
    _cache = {}

    def __new__(cls, module, name):
        g = cls._cache.get((module, name))
        if g is None:
            g = cls._cache[module, name] = object.__new__(cls)
            g.module, g.name = module, name
        return g

    def __call__(self, *args):    # pickle insists that a reduce function be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into a checkpoint, not a function")


class _StorageRecord:
    """One storage: the contiguous NumPy array behind one or more tensors, saved as data/<key>."""
    __slots__ = ('key', 'dtype', 'numel', 'array')

    def __init__(self, key, dtype, array, itemsize):
        self.key, self.dtype, self.array = key, dtype, array
        self.numel = array.nbytes // itemsize


def _root_array(a):
    """The array that owns a's memory (NumPy collapses view chains, except over foreign buffers)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _offset_in(a, root):
    """a's byte offset in root's memory, or None when a cannot be described as (offset, strides) there."""
    size = a.itemsize
    if a.size == 0 or not (root.flags.c_contiguous or root.flags.f_contiguous) or root.nbytes % size:
        return None
    if any(s < 0 or s % size for s in a.strides):
        return None
    off = a.__array_interface__['data'][0] - root.__array_interface__['data'][0]
    return off if off >= 0 and off % size == 0 else None


def _parameter_class():
    mod = sys.modules.get('ember.nn.parameter')
    return getattr(mod, 'Parameter', None) if mod is not None else None


class _Pickler(pickle._Pickler):
    # The pure-Python pickler: the C one refuses to write a global it cannot import (torch's names here).
    # Only the object graph goes through it; tensor data goes straight from the arrays into the archive.
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.records = {}      # id(root array) -> _StorageRecord; the record keeps its array alive

    def persistent_id(self, obj):
        if type(obj) is _StorageRecord:
            if obj.dtype in _UNTYPED_ONLY:   # torch keeps these in an untyped (byte-counted) storage
                return ('storage', _Global('torch.storage', 'UntypedStorage'), obj.key, 'cpu',
                        obj.numel * _dtype._BY_NAME[obj.dtype].itemsize)
            return ('storage', _Global('torch', _STORAGE_NAMES[obj.dtype]), obj.key, 'cpu', obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is Size:
            return (_Global('torch', 'Size'), (tuple(obj),))
        if type(obj) is device:
            return (_Global('torch', 'device'), (str(obj),))
        return NotImplemented

    def _record(self, a, dt):
        """The storage record holding a, and a's offset and strides in elements of it."""
        size = a.itemsize
        root = _root_array(a)
        off = _offset_in(a, root)
        if off is None:     # no shareable buffer: the tensor gets a record of its own
            root, off, strides = a.copy(order='C'), 0, _contiguous(a.shape)
        else:
            strides = tuple(s // size for s in a.strides)
        rec = self.records.get(id(root))
        if rec is None:
            rec = self.records[id(root)] = _StorageRecord(str(len(self.records)), dt, root, size)
        elif rec.dtype != dt:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        return rec, off // size, strides

    def _reduce_tensor(self, t):
        a = t._data
        param = _parameter_class()
        if param is not None and isinstance(t, param):
            return (_Global('torch._utils', '_rebuild_parameter'),
                    (_rebuild(a, False), bool(t.requires_grad), collections.OrderedDict()))
        dt = _dtype._FROM_NP[a.dtype].name
        rec, offset, strides = self._record(a, dt)
        if dt in _UNTYPED_ONLY:   # no typed storage class: torch's v3 record names the dtype itself
            return (_Global('torch._utils', '_rebuild_tensor_v3'),
                    (rec, offset, tuple(a.shape), strides, bool(t.requires_grad), collections.OrderedDict(),
                     _dtype._BY_NAME[dt]))
        return (_Global('torch._utils', '_rebuild_tensor_v2'),
                (rec, offset, tuple(a.shape), strides, bool(t.requires_grad), collections.OrderedDict()))


def _save_global(self, obj):
    self.write(pickle.GLOBAL + f'{obj.module}\n{obj.name}\n'.encode('utf-8'))
    self.memoize(obj)


def _save_dtype(self, obj):
    _save_global(self, _Global('torch', obj.name))


_Pickler.dispatch[_Global] = _save_global
_Pickler.dispatch[_dtype.dtype] = _save_dtype


def _contiguous(shape):
    st, n = [], 1
    for s in reversed(shape):
        st.append(n)
        n *= max(s, 1)
    return tuple(reversed(st))


def _archive_name(f):
    if isinstance(f, (str, os.PathLike)):
        return os.path.splitext(os.path.basename(os.fspath(f)))[0] or 'archive'
    return 'archive'


class _ZipWriter:
    """Stored (uncompressed) records, each one's data aligned to 64 bytes as torch aligns them, so a
    reader can map a record straight into an array."""

    def __init__(self, fileobj, prefix):
        import zipfile
        self.zipfile = zipfile
        self.zf = zipfile.ZipFile(fileobj, 'w', compression=zipfile.ZIP_STORED, allowZip64=True)
        self.prefix = prefix

    def write(self, name, data):
        zipfile = self.zipfile
        name = f'{self.prefix}/{name}'
        mv = memoryview(data)
        n = mv.nbytes
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = n
        # zipfile adds a 20-byte zip64 extra field for records it judges large (its own rule)
        zip64 = 20 if n * 1.05 > zipfile.ZIP64_LIMIT else 0
        start = self.zf.start_dir + 30 + len(name.encode('utf-8')) + zip64 + 4
        pad = -start % _ALIGN
        info.extra = b'FB' + struct.pack('<H', pad) + b'Z' * pad
        with self.zf.open(info, 'w', force_zip64=bool(zip64)) as dest:
            if n:
                dest.write(mv.cast('B') if mv.ndim != 1 or mv.format != 'B' else mv)

    def close(self):
        self.zf.close()


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """save(obj, f): saves an object to a disk file, in PyTorch's zip format (``torch.load`` reads it).

    Args:
        obj: saved object (tensors, state_dicts, nested containers, or any picklable object)
        f: a file-like object (has to implement write and flush) or a string or os.PathLike object
            containing a file name
        pickle_module: accepted for torch's signature; ember always uses its own pickler
        pickle_protocol: can be specified to override the default protocol (2)
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes the zip format only; "
                                  "_use_new_zipfile_serialization=False is not supported")
    buf = io.BytesIO()
    p = _Pickler(buf, pickle_protocol)
    p.dump(obj)
    own = isinstance(f, (str, os.PathLike))
    fileobj = open(f, 'wb') if own else f
    try:
        w = _ZipWriter(fileobj, _archive_name(f))
        w.write('data.pkl', buf.getbuffer())
        w.write('.format_version', b'1')
        w.write('.storage_alignment', b'64')
        if not _disable_byteorder_record:
            w.write('byteorder', sys.byteorder.encode())
        for rec in sorted(p.records.values(), key=lambda r: int(r.key)):
            a = rec.array
            flat = a.ravel(order='K') if a.size else a.reshape(0)
            if a.size and not flat.flags.c_contiguous:
                flat = flat.copy()
            w.write(f'data/{rec.key}', flat.view('uint8') if a.size else b'')
        w.write('version', b'3\n')
        w.write('.data/serialization_id', _serialization_id().encode())
        w.close()
    finally:
        if own:
            fileobj.close()


def _serialization_id():
    return ''.join(str(int.from_bytes(os.urandom(8), 'little') % 10 ** 10).zfill(10) for _ in range(4))


# --- the allowlist ---------------------------------------------------------------------------------
_user_globals = {}      # 'module.name' -> object


def _full_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Marks the given globals as safe for ``weights_only`` load. For example, functions added to this list
    can be called during unpickling, classes could be instantiated and have state set.

    Each item in the list can either be a function/class or a tuple of the form (function/class, string)
    where string is the full path of the function/class."""
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2 or not isinstance(g[1], str):
                raise ValueError(f"Expected tuple of (object, 'module.name'), got {g}")
            _user_globals[g[1]] = g[0]
        else:
            _user_globals[_full_name(g)] = g


def get_safe_globals():
    """Returns the list of user-added globals that are safe for ``weights_only`` load."""
    return [v if _full_name_or_none(v) == k else (v, k) for k, v in _user_globals.items()]


def _full_name_or_none(v):
    try:
        return _full_name(v)
    except AttributeError:
        return None


def clear_safe_globals():
    """Clears the list of globals that are safe for ``weights_only`` load."""
    _user_globals.clear()


class safe_globals(contextlib.ContextDecorator):
    """Context-manager that adds certain globals as safe for ``weights_only`` load."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = dict(_user_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_globals.clear()
        _user_globals.update(self._saved)
        return False


# --- reading -----------------------------------------------------------------------------------------
class _StorageType:
    """What a torch storage class name in a pickle (torch.FloatStorage) stands for: a dtype."""
    __slots__ = ('name', 'dtype')

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype


def _as_view(storage, offset, size, stride, what):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    n = 1
    for s in size:
        n *= s
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
        raise RuntimeError(f"{what}: invalid tensor geometry size={size} stride={stride} offset={offset}")
    if n == 0:
        return storage[:0].reshape(size)
    end = offset + sum((s - 1) * st for s, st in zip(size, stride))
    if end >= storage.shape[0]:
        raise RuntimeError(f"{what}: tensor of size {list(size)}, stride {list(stride)} and offset {offset} "
                           f"needs {end + 1} elements, but its storage holds {storage.shape[0]}")
    if stride == _contiguous(size):
        return storage[offset:offset + n].reshape(size)
    from numpy.lib.stride_tricks import as_strided
    item = storage.itemsize
    return as_strided(storage[offset:], size, tuple(s * item for s in stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    a = _as_view(storage, storage_offset, size, stride, 'load')
    return _rebuild(a, bool(requires_grad))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


class _ForeignDtype:
    """A torch dtype ember has no array type for: loading a tensor of it fails with its name."""
    def __init__(self, name):
        self.name = name


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    if isinstance(dtype, _ForeignDtype):
        raise RuntimeError(f"a tensor of shape {list(size)} has dtype torch.{dtype.name}, which ember does not "
                           "support")
    return _rebuild_tensor_v2(storage.view(dtype.np), storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    try:
        from .nn.parameter import Parameter
    except ImportError:
        Parameter = None
    if Parameter is None:
        data._req = bool(requires_grad)
        return data
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state and hasattr(p, '__dict__'):
        p.__dict__.update(state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    t = func(*args)
    if state and hasattr(t, '__dict__'):
        t.__dict__.update(state)
    return t


def _ember_parameter():
    from .nn.parameter import Parameter
    return Parameter


def _torch_globals():
    """'module.name' in a torch pickle -> what ember uses for it (everything allowed under weights_only)."""
    from collections import OrderedDict, Counter
    import _codecs
    g = {'collections.OrderedDict': OrderedDict, 'collections.Counter': Counter, '_codecs.encode': _codecs.encode,
         'builtins.bytearray': bytearray, 'builtins.set': set, 'builtins.frozenset': frozenset,
         'builtins.complex': complex, 'builtins.slice': slice, 'builtins.range': range,
         'torch.Size': Size, 'torch.device': device, 'torch.Tensor': Tensor,
         'torch._utils._rebuild_tensor_v2': _rebuild_tensor_v2, 'torch._utils._rebuild_tensor': _rebuild_tensor,
         'torch._utils._rebuild_tensor_v3': _rebuild_tensor_v3,
         'torch._utils._rebuild_parameter': _rebuild_parameter,
         'torch._utils._rebuild_parameter_with_state': _rebuild_parameter_with_state,
         'torch._tensor._rebuild_from_type_v2': _rebuild_from_type_v2}
    for d in _dtype.ALL:
        g['torch.' + d.name] = d
    for alias, d in _dtype._ALIASES.items():
        if alias != 'chalf':
            g['torch.' + alias] = d
    for name, dt in _STORAGE_NAMES.items():
        g['torch.' + dt] = _StorageType(dt, _dtype._BY_NAME[name])
    g['torch.UntypedStorage'] = g['torch.storage.UntypedStorage'] = _StorageType('UntypedStorage', _dtype.uint8)
    g['torch.storage.TypedStorage'] = _StorageType('TypedStorage', None)
    return g


_TORCH_GLOBALS = None


def _known_globals():
    global _TORCH_GLOBALS
    if _TORCH_GLOBALS is None:
        _TORCH_GLOBALS = _torch_globals()
    return _TORCH_GLOBALS


def _normalise(module, name):
    import _compat_pickle
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[module, name]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return module, name


def _weights_only_error(file, detail):
    return pickle.UnpicklingError(
        f"Weights only load failed for {file}. Re-running `ember.load` with `weights_only` set to `False` will "
        "likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
        f"trusted source.\n\n{detail}")


class _Unpickler(pickle.Unpickler):
    def __init__(self, fileobj, weights_only, persistent_load, what):
        super().__init__(fileobj, encoding='utf-8')
        self.weights_only, self._persistent, self.what = weights_only, persistent_load, what

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        module, name = _normalise(module, name)
        full = f'{module}.{name}'
        known = _known_globals()
        if full in known:
            obj = known[full]
            if full == 'torch.nn.parameter.Parameter':
                return _ember_parameter()
            return obj
        if full == 'torch.nn.parameter.Parameter':
            return _ember_parameter()
        if full in _user_globals:
            return _user_globals[full]
        if module == 'torch' and name in _FOREIGN_DTYPES:
            return _ForeignDtype(name)
        if self.weights_only:
            root = module.split('.')[0]
            if root in ('os', 'posix', 'nt', 'subprocess', 'sys', 'builtins', 'shutil', 'socket', 'importlib'):
                detail = f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked."
            else:
                detail = (f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please use "
                          f"`ember.serialization.add_safe_globals([{name}])` or the "
                          f"`ember.serialization.safe_globals([{name}])` context manager to allowlist this global "
                          "if you trust this class/function.")
            raise _weights_only_error(self.what, detail)
        if module == 'torch' or module.startswith('torch.'):
            # a torch class in a trusted pickle: ember's class of the same path, where ember has one
            import importlib
            try:
                return getattr(importlib.import_module('ember' + module[5:]), name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"{self.what}: the pickle names {full}, which ember does not have")
        return super().find_class(module, name)


def _storage_dtype(storage_type, key, what):
    if isinstance(storage_type, _StorageType):
        if storage_type.dtype is None:
            raise RuntimeError(f"{what}: storage {key} has no dtype")
        return storage_type.dtype
    if isinstance(storage_type, _dtype.dtype):
        return storage_type
    raise RuntimeError(f"{what}: storage {key} has type {storage_type!r}, which ember does not support")


def _open_source(f, buffering=-1):
    if isinstance(f, (str, os.PathLike)):
        return open(f, 'rb', buffering=buffering), True
    return f, False


def _describe(f):
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    return f"<{type(f).__name__}>"


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """load(f, map_location=None, *, weights_only=True, mmap=None): loads an object saved with
    ``ember.save`` or ``torch.save`` from a file (zip format, or torch's legacy format).

    Args:
        f: a file-like object (has to implement read, readline, tell, and seek), or a string or os.PathLike
            object containing a file name
        map_location: accepted as in torch; ember tensors live on the CPU
        weights_only: indicates whether unpickler should be restricted to loading only tensors, primitive
            types, dictionaries and any types added via ``ember.serialization.add_safe_globals``
            (default True, as in torch)
        mmap: indicates whether the file should be mapped rather than loading all the storages into memory
    """
    if weights_only is None:
        weights_only = os.environ.get('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '0') not in ('1', 'y', 'yes', 'true')
    if pickle_module is not None and weights_only:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    what = _describe(f)
    if mmap and not isinstance(f, (str, os.PathLike)):
        raise ValueError("f must be a file path in order to use the mmap argument")
    fileobj, own = _open_source(f, buffering=0)
    try:
        start = fileobj.tell()
        magic = fileobj.read(4)
        fileobj.seek(start)
        if magic == b'PK\x03\x04':
            return _load_zip(fileobj, f, what, weights_only, bool(mmap))
        if mmap:
            raise RuntimeError(f"{what}: mmap can only be used with files saved with the zip format "
                               "(ember.save, or torch.save after PyTorch 1.6)")
        return _load_legacy(fileobj, what, weights_only)
    except (EOFError, struct.error) as e:
        raise RuntimeError(f"{what}: the file is truncated or corrupted ({type(e).__name__}: {e})") from None
    finally:
        if own:
            fileobj.close()


def _load_zip(fileobj, f, what, weights_only, use_mmap):
    import zipfile
    import zlib
    try:
        zf = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"{what}: not a valid checkpoint archive, the file is truncated or corrupted ({e})") \
            from None
    names = zf.namelist()
    pkl = [n for n in names if n.endswith('data.pkl') and n.count('/') == 1]
    if not pkl:
        raise RuntimeError(f"{what}: the archive has no data.pkl record; it is not a checkpoint")
    prefix = pkl[0][:-len('data.pkl')]
    big = False
    if prefix + 'byteorder' in names:
        big = zf.read(prefix + 'byteorder') == b'big'
    checks = []
    mapped = None
    if use_mmap:
        mapped = np.memmap(os.fspath(f), dtype=np.uint8, mode='c')
    loaded = {}

    def read_record(key, nbytes):
        name = f'{prefix}data/{key}'
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise RuntimeError(f"{what}: the archive has no record {name}; the file is truncated or corrupted") \
                from None
        if info.file_size != nbytes:
            raise RuntimeError(f"{what}: record {name} holds {info.file_size} bytes, but its storage needs "
                               f"{nbytes}; the file is corrupted")
        if info.compress_type != zipfile.ZIP_STORED:
            return np.frombuffer(bytearray(zf.read(name)), np.uint8)
        fileobj.seek(info.header_offset)
        head = fileobj.read(30)
        if len(head) < 30 or head[:4] != b'PK\x03\x04':
            raise RuntimeError(f"{what}: bad local header for record {name}; the file is corrupted")
        n_name, n_extra = struct.unpack('<HH', head[26:30])
        offset = info.header_offset + 30 + n_name + n_extra
        if mapped is not None:
            if offset + nbytes > mapped.shape[0]:
                raise RuntimeError(f"{what}: record {name} is cut short; the file is truncated")
            return mapped[offset:offset + nbytes]
        buf = np.empty(nbytes, np.uint8)
        fileobj.seek(offset)
        got = fileobj.readinto(buf) if nbytes else 0
        if got != nbytes:
            raise RuntimeError(f"{what}: record {name} is cut short ({got} of {nbytes} bytes); "
                               "the file is truncated")
        if nbytes >= _CRC_THREAD_BYTES:
            # zlib releases the GIL: check this record while the next one is read (torch checks none)
            checks.append((name, info.CRC, _crc_pool().submit(zlib.crc32, buf)))
        elif zlib.crc32(buf) != info.CRC:
            raise RuntimeError(f"{what}: record {name} fails its CRC-32 check; the file is corrupted")
        return buf

    def persistent_load(pid):
        typename = pid[0].decode('ascii') if isinstance(pid[0], bytes) else pid[0]
        if typename != 'storage':
            raise pickle.UnpicklingError(f"{what}: unknown persistent id {typename!r}")
        storage_type, key, location, numel = pid[1:5]
        key = key.decode('ascii') if isinstance(key, bytes) else str(key)
        if key in loaded:
            return loaded[key]
        dt = _storage_dtype(storage_type, key, what)
        raw = read_record(key, numel * dt.itemsize)
        arr = raw.view(dt.np)
        if big:
            arr = arr.byteswap()
        loaded[key] = arr
        return arr

    try:
        data = zf.read(prefix + 'data.pkl')
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"{what}: the data.pkl record is corrupted ({e})") from None
    obj = _unpickle(data, weights_only, persistent_load, what)
    for name, crc, job in checks:
        if job.result() != crc:
            raise RuntimeError(f"{what}: record {name} fails its CRC-32 check; the file is corrupted")
    return obj


_CRC_THREAD_BYTES = 1 << 20
_POOL = []


def _crc_pool():
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor
        _POOL.append(ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1)), thread_name_prefix='ember-crc'))
    return _POOL[0]


def _unpickle(data, weights_only, persistent_load, what):
    up = _Unpickler(io.BytesIO(data), weights_only, persistent_load, what)
    try:
        return up.load()
    except pickle.UnpicklingError:
        raise
    except RuntimeError as e:
        if what in str(e):
            raise
        raise RuntimeError(f"{what}: {e}") from None
    except (EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
        if weights_only and isinstance(e, (TypeError, AttributeError)):
            raise _weights_only_error(what, f"{type(e).__name__}: {e}") from None
        raise RuntimeError(f"{what}: the pickle could not be read, the file is truncated or corrupted "
                           f"({type(e).__name__}: {e})") from None


def _load_legacy(fileobj, what, weights_only):
    """torch's format before 1.6: magic number, protocol, system info, the object pickle, the storage keys,
    then each storage as (int64 element count, raw data)."""

    def small_pickle():
        return _Unpickler(fileobj, True, lambda pid: None, what).load()

    try:
        magic = small_pickle()
    except pickle.UnpicklingError:
        raise RuntimeError(f"{what}: not a checkpoint (neither a zip archive nor torch's legacy format)") from None
    if magic != _LEGACY_MAGIC:
        raise RuntimeError(f"{what}: invalid magic number; the file is corrupted or not a checkpoint")
    if small_pickle() != _LEGACY_PROTOCOL:
        raise RuntimeError(f"{what}: unsupported legacy protocol version")
    info = small_pickle()
    if not info.get('little_endian', True):
        raise RuntimeError(f"{what}: big-endian legacy checkpoints are not supported")
    storages = {}
    views = []

    def persistent_load(pid):
        typename = pid[0]
        if typename != 'storage':
            raise pickle.UnpicklingError(f"{what}: legacy persistent id {typename!r} is not supported")
        storage_type, key, location, numel, view_metadata = pid[1:6]
        if key not in storages:
            dt = _storage_dtype(storage_type, key, what)
            storages[key] = [dt, numel, None]
        holder = _LegacyStorage(key)
        if view_metadata is not None:
            view_key, offset, view_size = view_metadata
            holder = _LegacyStorage(key, offset, view_size)
        views.append(holder)
        return holder

    obj = _LegacyUnpickler(fileobj, weights_only, persistent_load, what).load()
    keys = small_pickle()
    for key in keys:
        dt, numel, _ = storages[key]
        (n,) = struct.unpack('<q', fileobj.read(8))
        buf = np.empty(n * dt.itemsize, np.uint8)
        if fileobj.readinto(buf) != buf.nbytes:
            raise RuntimeError(f"{what}: storage {key} is cut short; the file is truncated")
        storages[key][2] = buf.view(dt.np)
    return _fill_legacy(obj, storages)


class _LegacyStorage:
    __slots__ = ('key', 'offset', 'size')

    def __init__(self, key, offset=0, size=None):
        self.key, self.offset, self.size = key, offset, size


class _PendingTensor:
    __slots__ = ('storage', 'args', 'param')

    def __init__(self, storage, args, param=None):
        self.storage, self.args, self.param = storage, args, param


class _LegacyUnpickler(_Unpickler):
    def find_class(self, module, name):
        obj = super().find_class(module, name)
        if obj is _rebuild_tensor_v2 or obj is _rebuild_tensor:
            # storages are read after the pickle: tensors are placeholders until then
            return lambda storage, *args: _PendingTensor(storage, args)
        if obj is _rebuild_parameter:
            return lambda data, requires_grad, hooks: _PendingTensor(data.storage, data.args, requires_grad)
        return obj


def _fill_legacy(obj, storages):
    memo = {}

    def fill(x):
        if isinstance(x, _PendingTensor):
            if id(x) not in memo:
                s = x.storage
                arr = storages[s.key][2]
                if s.size is not None:
                    arr = arr[s.offset:s.offset + s.size]
                t = _rebuild_tensor_v2(arr, *x.args)
                memo[id(x)] = t if x.param is None else _rebuild_parameter(t, x.param, None)
            return memo[id(x)]
        if type(x) is dict or type(x) is collections.OrderedDict:
            for k in x:
                x[k] = fill(x[k])
            return x
        if type(x) is list:
            x[:] = [fill(v) for v in x]
            return x
        if type(x) is tuple:
            return tuple(fill(v) for v in x)
        return x
    return fill(obj)


def get_unsafe_globals_in_checkpoint(f):
    """Returns a list of strings of functions/classes in a checkpoint that are unsafe for weights_only load."""
    import pickletools
    import zipfile
    fileobj, own = _open_source(f)
    try:
        zf = zipfile.ZipFile(fileobj)
        pkl = next(n for n in zf.namelist() if n.endswith('data.pkl'))
        data = zf.read(pkl)
    finally:
        if own:
            fileobj.close()
    out = set()
    known = _known_globals()
    for op, arg, _ in pickletools.genops(data):
        if op.name in ('GLOBAL', 'INST'):
            module, name = _normalise(*arg.split(' ', 1))
            full = f'{module}.{name}'
            if full not in known and full not in _user_globals and full != 'torch.nn.parameter.Parameter':
                out.add(full)
    return sorted(out)
