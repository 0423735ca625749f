"""torch.nn.utils.parametrize: express a module's parameter or buffer as a function of hidden tensors.

How it works: registering a parametrization on ``module.<name>`` moves the tensor into
``module.parametrizations[<name>]`` (a ParametrizationList) under ``original`` (or ``original0``,
``original1``... when the first parametrization's right_inverse splits it into several tensors), and
swaps the module's class for a one-off subclass ``Parametrized<Class>`` whose property ``<name>``
evaluates the chain on every read and pushes assignments back through the right_inverse methods.
"""
import copy
from collections.abc import Sequence
from contextlib import contextmanager

from ...tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter
from ..modules.module import Module
from ..modules.container import ModuleDict, ModuleList

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized', 'remove_parametrizations',
           'type_before_parametrizations', 'transfer_parametrizations_and_params']

# Inside `cached()` each parametrized tensor is computed once per (module, name); nesting counts depth.
_cache_depth = 0
_cache = {}


@contextmanager
def cached():
    """Context manager in which every parametrized tensor is computed at most once.

    The first access to a parametrized attribute inside the block stores its value; later accesses
    return that same tensor until the outermost ``cached()`` block exits. Useful when a parametrized
    weight is read many times in one forward pass (e.g. in an RNN loop).
    """
    global _cache_depth
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if _cache_depth == 0:
            _cache.clear()


def _store(module, name, tensor):
    """Register tensor on module as a parameter when it is a Parameter, else as a buffer."""
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _overwrite(dest, src):
    """Make dest hold src's values (shape and dtype included) in place, like torch's ``set_``: the
    Tensor object stays the same, so references to it (optimizers, user code) keep working."""
    if src is not dest:
        dest.data = src
    dest._vc[0] += 1   # an in-place change: graphs that saved dest must notice


def _is_sequence(x):
    return isinstance(x, Sequence)


class ParametrizationList(ModuleList):
    """The ordered parametrizations of one tensor, together with the tensor(s) they act on.

    ``module.parametrizations[name]`` is one of these. It holds the unparametrized value as
    ``original`` (a single tensor) or ``original0``, ``original1``... when the first
    parametrization's ``right_inverse`` returns a sequence of tensors. Calling it applies the
    parametrizations in order. Not meant to be built by hand: use register_parametrization.

    Args:
        modules (sequence): the parametrizations, applied first to last
        original (Parameter or Tensor): the tensor being parametrized
        unsafe (bool): skip the dtype and shape consistency checks. Default: ``False``
    """

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        dtype, shape = original.dtype, original.shape

        # Map the current value back through the chain (last parametrization first) to find what to store.
        with no_grad():
            stored = original
            for p in reversed(self):
                if hasattr(p, 'right_inverse'):
                    try:
                        stored = p.right_inverse(stored)
                    except NotImplementedError:
                        pass   # an identity inverse at registration time

        if isinstance(stored, Tensor):
            parts = [stored]
            if not unsafe and stored.dtype != dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {dtype}\nright_inverse(original).dtype: {stored.dtype}")
        elif _is_sequence(stored):
            parts = list(stored)
            for i, t in enumerate(parts):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                                     f"Got element {i} of the sequence with type {type(t).__name__}.")
            if not parts:
                raise IndexError("ParametrizationList: 'right_inverse' returned an empty sequence")
        else:
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(stored).__name__}")

        if not unsafe:
            # checked before anything is stored, so a refused registration leaves `original` untouched
            with no_grad():
                out = self._apply_chain(parts)
            _check_parametrized_output(out, dtype, shape, 'unparametrized ', 'parametrized ', the_flag='`unsafe` flag')

        self.is_tensor = isinstance(stored, Tensor)
        self.ntensors = len(parts)
        if self.is_tensor:
            _overwrite(original, stored)
            _store(self, 'original', original)
        else:
            for i, t in enumerate(parts):
                t = t.detach()
                t = Parameter(t, original.requires_grad) if isinstance(original, Parameter) \
                    else t.requires_grad_(original.requires_grad)
                _store(self, f'original{i}', t)

    def _originals(self):
        if self.is_tensor:
            return [self.original]
        return [getattr(self, f'original{i}') for i in range(self.ntensors)]

    def _apply_chain(self, tensors):
        first, *rest = list(self)
        out = first(*tensors)
        for p in rest:
            out = p(out)
        return out

    def right_inverse(self, value):
        """Store the tensors that make the chain evaluate to ``value``.

        ``value`` is passed through each parametrization's ``right_inverse``, last to first, and the
        result overwrites ``original`` (or ``original0``, ``original1``...) in place.
        """
        with no_grad():
            for p in reversed(self):
                if not hasattr(p, 'right_inverse'):
                    raise RuntimeError(f"parametrization {type(p).__name__} does not implement right_inverse.")
                value = p.right_inverse(value)

            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:   # checked even when unsafe
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} while "
                                     f"`original` has dtype {self.original.dtype}")
                _overwrite(self.original, value)
                return

            if not _is_sequence(value):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError(f"'right_inverse' must return a sequence of tensors of length {self.ntensors}. "
                                 f"Got a sequence of length {len(value)}.")
            targets = self._originals()
            for i, (t, dest) in enumerate(zip(value, targets)):
                if not isinstance(t, Tensor):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors. "
                                     f"Got element {i} of type {type(t).__name__}.")
                if t.dtype != dest.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {t.dtype} while "
                                     f"`original{i}` has dtype {dest.dtype}")
            for t, dest in zip(value, targets):
                _overwrite(dest, t)

    def forward(self):
        """Evaluate the parametrized tensor from the stored original(s)."""
        return self._apply_chain(self._originals())


def _check_parametrized_output(out, dtype, shape, before, after, the_flag):
    # before/after label the old and new values in the message (they end with their separator)
    if not isinstance(out, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(out).__name__}.")
    for what, old, new in (('dtype', dtype, out.dtype), ('shape', shape, out.shape)):
        if old != new:
            raise ValueError(f"Registering a parametrization may not change the {what} of the tensor, unless "
                             f"{the_flag} is enabled.\n{before}{what}: {old}\n{after}{what}: {new}")


def _check_appended(module, name, parametrization):
    """Consistency checks for a parametrization added on top of existing ones (safe mode)."""
    with no_grad():
        current = getattr(module, name)
        out = parametrization(current)
        _check_parametrized_output(out, current.dtype, current.shape, f'module.{name}.',
                                   f'parametrization(module.{name}).', the_flag='the `unsafe` flag')
        if not hasattr(parametrization, 'right_inverse'):
            return
        back = parametrization.right_inverse(current)
        if not isinstance(back, Tensor):
            raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(back).__name__}")
        for what, old, new in (('dtype', current.dtype, back.dtype), ('shape', current.shape, back.shape)):
            if old != new:
                raise ValueError(f"The tensor returned by parametrization.right_inverse must have the same {what} "
                                 f"as module.{name}, unless the `unsafe` flag is enabled.\n"
                                 f"module.{name}.{what}: {old}\nreturned {what}: {new}")


class _ParametrizedMethods:
    """Methods mixed into every Parametrized<Class>."""

    def __getstate__(self):
        raise RuntimeError(
            "Serialization of parametrized modules is only supported through state_dict(). See:\n"
            "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
            "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")

    def __deepcopy__(self, memo):
        # the default deepcopy goes through __getstate__, which refuses; copy the instance dict directly
        if id(self) in memo:
            return memo[id(self)]
        twin = object.__new__(type(self))
        memo[id(self)] = twin
        twin.__dict__ = copy.deepcopy(self.__dict__, memo)
        return twin


def _make_parametrized_class(module):
    """Give module a private subclass of its class, so properties can be added without touching the original."""
    base = type(module)
    attrs = {'__getstate__': _ParametrizedMethods.__getstate__}
    if not hasattr(base, '__deepcopy__'):
        attrs['__deepcopy__'] = _ParametrizedMethods.__deepcopy__
    module.__class__ = type(f'Parametrized{base.__name__}', (base,), attrs)


def _add_property(module, name):
    def read(self):
        plist = self.parametrizations[name]
        if _cache_depth == 0:
            return plist()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = plist()
        return _cache[key]

    def write(self, value):
        self.parametrizations[name].right_inverse(value)

    setattr(type(module), name, property(read, write))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Register a parametrization ``parametrization`` on the tensor ``module.<tensor_name>``.

    Afterwards reading ``module.<tensor_name>`` returns ``parametrization(original)``, where the
    unparametrized tensor now lives at ``module.parametrizations.<tensor_name>.original`` (the same
    Parameter object, so optimizers keep working). Registering again on the same name chains the new
    parametrization after the existing ones. If the parametrization defines ``right_inverse``, the
    stored tensor is initialised to ``right_inverse(current value)`` (which may return a sequence of
    tensors, stored as ``original0``, ``original1``...), and assigning to ``module.<tensor_name>``
    goes through it. The module's class becomes a subclass named ``Parametrized<Class>``.

    Args:
        module (nn.Module): module on which to register the parametrization
        tensor_name (str): name of the parameter or buffer to parametrize
        parametrization (nn.Module): the parametrization to register
        unsafe (bool): skip the checks that the parametrization keeps dtype and shape. Default: ``False``

    Returns:
        Module: module

    Raises:
        ValueError: if the module has no parameter or buffer ``tensor_name``, or a check fails
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            _check_appended(module, tensor_name, parametrization)
        plist.append(parametrization)
        plist.unsafe = plist.unsafe or unsafe
        return module

    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    original = getattr(module, tensor_name)
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _make_parametrized_class(module)
        module.parametrizations = ModuleDict()
    _add_property(module, tensor_name)
    module.parametrizations[tensor_name] = plist
    return module


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has a parametrization (on ``tensor_name``, when given).

    Args:
        module (nn.Module): module to query
        tensor_name (str, optional): name of a tensor of the module. Default: ``None`` (any tensor)

    Returns:
        bool
    """
    plists = getattr(module, 'parametrizations', None)
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Remove every parametrization of ``module.<tensor_name>`` and turn it back into a plain tensor.

    With ``leave_parametrized=True`` the tensor keeps its current parametrized value (written into the
    original Parameter object when there is a single ``original``); with ``False`` it goes back to the
    stored unparametrized tensor, which needs a single ``original``. When no parametrization is left,
    the module's class is restored.

    Args:
        module (nn.Module): module from which to remove the parametrizations
        tensor_name (str): name of the parametrized tensor
        leave_parametrized (bool, optional): keep the current parametrized value. Default: ``True``

    Returns:
        Module: module

    Raises:
        ValueError: if ``module.<tensor_name>`` is not parametrized, or ``leave_parametrized=False``
            on a tensor parametrized by several originals
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        restored = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _overwrite(restored, value)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                             "parametrized in terms of a sequence of tensors.")
        value = getattr(module, tensor_name)
        restored = Parameter(value.detach(), True) if value.requires_grad else value.detach()

    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _store(module, tensor_name, restored)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before any parametrization was registered (``type(module)`` otherwise)."""
    cls = type(module)
    return cls.__bases__[0] if is_parametrized(module) else cls


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Move the parametrizations of ``from_module`` (and the tensors they act on) onto ``to_module``.

    Only ``tensor_name`` is transferred when given, else every parametrized tensor. A tensor missing
    from ``to_module`` is created first. The parametrization modules are appended to those already on
    ``to_module`` and its originals are replaced by ``from_module``'s (shared, not copied). Does nothing
    when ``from_module`` is not parametrized.

    Args:
        from_module (nn.Module): module to transfer from
        to_module (nn.Module): module to transfer to
        tensor_name (str, optional): the parametrized tensor to transfer. Default: ``None`` (all)

    Returns:
        Module: to_module
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name).detach()))
        source = from_module.parametrizations[name]
        for p in source:
            register_parametrization(to_module, name, p)
        target = to_module.parametrizations[name]
        if source.is_tensor:
            target.original = source.original
        else:
            for i in range(source.ntensors):
                setattr(target, f'original{i}', getattr(source, f'original{i}'))
    return to_module
