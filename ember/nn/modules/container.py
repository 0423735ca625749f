"""Modules that hold other modules or parameters: Sequential, ModuleList, ModuleDict, ParameterList,
ParameterDict (and the deprecated Container).

Children live in the ordinary ``Module`` registries (``_modules`` / ``_parameters``) under string keys, so
``state_dict``, ``named_parameters``, ``.to()`` and hooks see them with no special casing here. The list-like
classes key their entries ``'0'``, ``'1'``, ... and renumber after a deletion, as torch does.
"""
import operator
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import chain

from ...tensor import Tensor
from ..parameter import Parameter
from .module import Module, _addindent

__all__ = ['Container', 'Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict']


def _position(idx, size):
    """Turn an integer-like list index into a non-negative position, raising torch's IndexError."""
    idx = operator.index(idx)
    if idx < -size or idx >= size:
        raise IndexError(f'index {idx} is out of range')
    return idx + size if idx < 0 else idx


def _renumber(registry):
    """Re-key a dict in place as '0', '1', ... keeping the order of its values."""
    values = list(registry.values())
    registry.clear()
    registry.update((str(i), v) for i, v in enumerate(values))


def _hide_indices(names):
    # positional keys are reached by indexing, so dir() leaves them out
    return [n for n in names if not n.isdigit()]


_CONTAINER_DEPRECATION = ('`nn.Container` is deprecated. All of its functionality is now implemented in '
                          '`nn.Module`. Subclass that instead.')


class Container(Module):
    """Deprecated: a Module whose keyword arguments become named children. Subclass ``Module`` instead."""

    __deprecated__ = _CONTAINER_DEPRECATION

    def __init_subclass__(cls, **kwargs):
        warnings.warn(_CONTAINER_DEPRECATION, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)

    def __new__(cls, *args, **kwargs):
        # warn on creation itself (before argument checking), and only for Container, not its subclasses
        if cls is Container:
            warnings.warn(_CONTAINER_DEPRECATION, FutureWarning, stacklevel=2)
        return super().__new__(cls)

    def __init__(self, **kwargs):
        super().__init__()
        for name, child in kwargs.items():
            self.add_module(name, child)


class Sequential(Module):
    """A chain of modules applied one after another: ``forward`` feeds each module's output to the next.

    Built from positional modules (keyed ``'0'``, ``'1'``, ...) or from a single ``OrderedDict`` of named
    modules. Indexing by position returns a module, a slice returns a new Sequential of the same class that
    keeps the original names.

    Example::

        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> model(torch.ones(3, 4)).shape
        torch.Size([3, 2])
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            named = args[0].items()
        else:
            named = ((str(i), m) for i, m in enumerate(args))
        for name, child in named:
            self.add_module(name, child)

    def _key_at(self, idx):
        keys = list(self._modules)
        return keys[_position(idx, len(keys))]

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key_at(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._key_at(idx), module)

    def __delitem__(self, idx):
        doomed = list(self._modules)[idx] if isinstance(idx, slice) else [self._key_at(idx)]
        for key in doomed:
            delattr(self, key)
        _renumber(self._modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __dir__(self):
        return _hide_indices(super().__dir__())

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError('add operator supports only objects of Sequential class, but '
                             f'{type(other)} is given.')
        joined = Sequential()
        for i, child in enumerate(chain(self, other)):
            joined.add_module(str(i), child)
        return joined

    def __iadd__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError('add operator supports only objects of Sequential class, but '
                             f'{type(other)} is given.')
        start = len(self)
        for i, child in enumerate(other):
            self.add_module(str(start + i), child)
        return self

    def _check_factor(self, times):
        if not isinstance(times, int):
            raise TypeError(f'unsupported operand type(s) for *: {type(self)} and {type(times)}')
        if times <= 0:
            raise ValueError(f'Non-positive multiplication factor {times} for {type(self)}')

    def __mul__(self, times):
        """Repeat the chain ``times`` times; the repeats share the same module objects."""
        self._check_factor(times)
        repeated = Sequential()
        children = list(self)
        for i, child in enumerate(children * times):
            repeated.add_module(str(i), child)
        return repeated

    __rmul__ = __mul__

    def __imul__(self, times):
        self._check_factor(times)
        # repeats are read back by positional key, so named (non '0'...) entries raise KeyError as in torch
        size = len(self)
        for r in range(1, times):
            for i in range(size):
                self.add_module(str(r * size + i), self._modules[str(i)])
        return self

    def forward(self, input):
        for module in self:
            input = module(input)
        return input

    def append(self, module):
        """Add ``module`` at the end and return ``self``."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index`` (negative counts from the end) and return ``self``."""
        if not isinstance(module, Module):
            raise AssertionError(f'module should be of type: {Module}')
        n = len(self._modules)
        if index < -n or index > n:
            raise IndexError(f'Index out of range: {index}')
        if index < 0:
            index += n
        _shift_insert(self._modules, index, module)
        return self

    def extend(self, sequential):
        """Append every module of an iterable and return ``self``."""
        for child in sequential:
            self.append(child)
        return self

    def pop(self, key):
        """Remove the module (or slice of modules, as a Sequential) at ``key`` and return it."""
        taken = self[key]
        del self[key]
        return taken


def _shift_insert(registry, index, value):
    # entries at positions >= index move up one numeric key; a non-numeric key in the way raises KeyError
    for i in range(len(registry), index, -1):
        registry[str(i)] = registry[str(i - 1)]
    registry[str(index)] = value


class ModuleList(Module):
    """Holds submodules in a list. Its modules are registered children (visible to ``parameters()``,
    ``state_dict``, ``.to()``...), which a plain Python list would not give.

    Supports indexing, slicing (a new list of the same class), assignment, deletion (later entries are
    renumbered), ``append``, ``extend``, ``insert``, ``pop``, ``+`` and ``+=``.

    Example::

        >>> layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        >>> for layer in layers:
        ...     x = layer(x)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self += modules

    def _key_at(self, idx):
        return str(_position(idx, len(self)))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[self._key_at(idx)]

    def __setitem__(self, idx, module):
        setattr(self, self._key_at(idx), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for i in range(len(self))[idx]:
                delattr(self, str(i))
        else:
            delattr(self, self._key_at(idx))
        _renumber(self._modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        joined = ModuleList()
        for i, child in enumerate(chain(self, other)):
            joined.add_module(str(i), child)
        return joined

    def __dir__(self):
        return _hide_indices(super().__dir__())

    def __repr__(self):
        """Like Module's repr, but runs of children with identical reprs print once as ``(i-j): n x ...``."""
        texts = [repr(m) for m in self]
        if not texts:
            return self._get_name() + '()'
        lines, start = [], 0
        while start < len(texts):
            stop = start
            while stop + 1 < len(texts) and texts[stop + 1] == texts[start]:
                stop += 1
            body = _addindent(texts[start], 2)
            if stop == start:
                lines.append(f'({start}): {body}')
            else:
                lines.append(f'({start}-{stop}): {stop - start + 1} x {body}')
            start = stop + 1
        return self._get_name() + '(\n  ' + '\n  '.join(lines) + '\n)'

    def insert(self, index, module):
        """Insert ``module`` before position ``index``."""
        _shift_insert(self._modules, index, module)

    def append(self, module):
        """Add ``module`` at the end and return ``self``."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key):
        """Remove the module (or slice of modules, as a ModuleList) at ``key`` and return it."""
        taken = self[key]
        del self[key]
        return taken

    def extend(self, modules):
        """Append every module of an iterable and return ``self``."""
        if not isinstance(modules, Iterable):
            raise TypeError('ModuleList.extend should be called with an iterable, but got '
                            + type(modules).__name__)
        start = len(self)
        for i, child in enumerate(modules):
            self.add_module(str(start + i), child)
        return self


def _pairs(items, update_name, element_name):
    """Yield (key, value) from a mapping or an iterable of pairs, with torch's errors for malformed input.
    ``update_name`` / ``element_name`` are how torch's two messages name the class."""
    if not isinstance(items, Iterable):
        raise TypeError(f'{update_name}.update should be called with an iterable of key/value pairs, but got '
                        + type(items).__name__)
    if isinstance(items, (Mapping, ModuleDict, ParameterDict)):
        yield from items.items()
        return
    for j, pair in enumerate(items):
        if not isinstance(pair, Iterable):
            raise TypeError(f'{element_name} update sequence element #{j} should be Iterable; is'
                            + type(pair).__name__)
        if len(pair) != 2:
            raise ValueError(f'{element_name} update sequence element #{j} has length {len(pair)}; 2 is required')
        yield pair[0], pair[1]


class ModuleDict(Module):
    """Holds submodules in an ordered dictionary keyed by name; its modules are registered children.

    Insertion order is kept, both for ``OrderedDict``/``ModuleDict``/plain ``dict`` arguments and for
    iterables of ``(name, module)`` pairs given to the constructor or ``update``.

    Example::

        >>> acts = nn.ModuleDict({'relu': nn.ReLU(), 'tanh': nn.Tanh()})
        >>> acts['tanh'](x)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        """Remove every entry."""
        self._modules.clear()

    def pop(self, key):
        """Remove the module stored under ``key`` and return it."""
        taken = self[key]
        del self[key]
        return taken

    def keys(self):
        """The names, in order."""
        return self._modules.keys()

    def items(self):
        """The (name, module) pairs, in order."""
        return self._modules.items()

    def values(self):
        """The modules, in order."""
        return self._modules.values()

    def update(self, modules):
        """Add or overwrite entries from a mapping or an iterable of (name, module) pairs."""
        for key, child in _pairs(modules, 'ModuleDict', 'ModuleDict'):
            self[key] = child


def _describe(value, kind_of):
    """One extra_repr line body for a ParameterList/ParameterDict entry."""
    if isinstance(value, Tensor):
        label = 'Parameter' if isinstance(value, Parameter) else 'Tensor'
        size = 'x'.join(str(s) for s in value.shape)
        return f'{label} containing: [{kind_of(value)} of size {size}]'
    return 'Object of type: ' + type(value).__name__


def _as_parameter(value):
    # plain tensors (buffers included) are promoted; other objects are stored as they are
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """Holds parameters in a list. Tensors put in it become ``Parameter`` objects registered on the
    module; other values are stored as plain attributes (modules as children) and listed too.

    Example::

        >>> weights = nn.ParameterList([torch.randn(4, 4) for _ in range(3)])
        >>> y = x @ weights[0]
    """

    def __init__(self, values=None):
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(self[i] for i in range(len(self))[idx])
        return getattr(self, str(_position(idx, len(self))))

    def __setitem__(self, idx, value):
        setattr(self, str(_position(idx, len(self))), _as_parameter(value))

    def __len__(self):
        return self._size

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values):
        return self.extend(values)

    def __dir__(self):
        return _hide_indices(super().__dir__())

    def append(self, value):
        """Add ``value`` at the end (a tensor becomes a Parameter) and return ``self``."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values):
        """Append every value of an iterable and return ``self``."""
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError('ParameterList.extend should be called with an iterable, but got '
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return '\n'.join(f'  ({i}): ' + _describe(v, lambda t: t.dtype) for i, v in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError('ParameterList should not be called.')


class ParameterDict(Module):
    """Holds parameters in an ordered dictionary keyed by string. Tensors put in it become ``Parameter``
    objects registered under their key; other values are stored as plain attributes and listed too.

    Order follows insertion for ``OrderedDict``, ``ParameterDict`` and iterables of pairs; a plain
    ``dict`` (or other unordered mapping) is merged in sorted key order. ``|`` and ``|=`` merge like dicts.

    Example::

        >>> params = nn.ParameterDict({'scale': torch.ones(3), 'shift': torch.zeros(3)})
        >>> y = x * params['scale'] + params['shift']
    """

    def __init__(self, parameters=None):
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    def _key_to_attr(self, key):
        if not isinstance(key, str):
            raise TypeError('Index given to ParameterDict cannot be used as a key as it is not a string '
                            f"(type is '{type(key).__name__}'). Open an issue on github if you need non-string "
                            'keys.')
        return key

    def __getitem__(self, key):
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key, value):
        # the key is recorded first: a name Module refuses (e.g. 'forward') still shows up, as in torch
        self._keys[key] = None
        setattr(self, self._key_to_attr(key), _as_parameter(value))

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(list(self._keys))

    def __contains__(self, key):
        return key in self._keys

    def copy(self):
        """A new ParameterDict holding the same parameter objects."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key, default=None):
        """Return the entry for ``key``, first storing ``default`` there if the key is absent."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        """Remove every entry."""
        for key in list(self._keys):
            del self[key]

    def pop(self, key):
        """Remove the entry ``key`` and return its value."""
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        """Remove the most recently inserted entry and return it as ``(key, value)``."""
        if not self._keys:
            raise KeyError('popitem(): dictionary is empty')
        key = next(reversed(self._keys))
        value = self[key]
        del self[key]
        return key, value

    def get(self, key, default=None):
        """The value for ``key`` if present, else ``default``."""
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        """A new ParameterDict with each of ``keys`` set to ``default`` (each tensor wrapped separately)."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        """The keys, in order."""
        return self._keys.keys()

    def items(self):
        """The (key, value) pairs, in order."""
        return ((k, self[k]) for k in self._keys)

    def values(self):
        """The values, in order."""
        return (self[k] for k in self._keys)

    def update(self, parameters):
        """Add or overwrite entries from a mapping or an iterable of (key, value) pairs."""
        if isinstance(parameters, Mapping) and not isinstance(parameters, OrderedDict):
            parameters = sorted(parameters.items())   # an unordered mapping merges in key order
        for key, value in _pairs(parameters, 'ParametersDict', 'ParameterDict'):
            self[key] = value

    def extra_repr(self):
        return '\n'.join(f'  ({k}): ' + _describe(v, lambda t: t.type()) for k, v in self.items())

    def __call__(self, input):
        raise RuntimeError('ParameterDict should not be called.')

    def __or__(self, other):
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other):
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self
