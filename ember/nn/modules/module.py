"""torch.nn.Module: the base class of every layer and model.

A Module keeps its parameters, buffers and child modules in three dicts (`_parameters`, `_buffers`,
`_modules`, as torch names them) filled by attribute assignment; everything else (state_dict, to(),
train/eval, hooks, repr) walks those dicts. Calling a module goes straight to `forward` unless a
hook is registered (on the module or globally).
"""
import itertools
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ...tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...autograd.function import Function
from ... import _dtype
from ..._device import check_device
from ..parameter import Parameter, Buffer, _take_buffer_mark, is_lazy
from ...utils.hooks import RemovableHandle

__all__ = ['Module', 'register_module_forward_pre_hook', 'register_module_forward_hook',
           'register_module_full_backward_pre_hook', 'register_module_full_backward_hook',
           'register_module_buffer_registration_hook', 'register_module_module_registration_hook',
           'register_module_parameter_registration_hook']

_EXTRA_STATE_KEY_SUFFIX = '_extra_state'


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def _addindent(s_, num_spaces):
    s = s_.split('\n')
    if len(s) == 1:
        return s_
    first = s.pop(0)
    s = '\n'.join((num_spaces * ' ') + line if line.strip() else '' for line in s)
    return first + '\n' + s


def _typename(o):
    if isinstance(o, Tensor):
        return o.type()
    if hasattr(o, '__qualname__') and getattr(o, '__module__', None):   # a function or class names itself
        return o.__qualname__ if o.__module__ in ('builtins', '__builtin__') else o.__module__ + '.' + o.__qualname__
    module = type(o).__module__
    if module in ('builtins', '__builtin__', None):
        return type(o).__qualname__
    return module + '.' + type(o).__qualname__


# hooks every module runs (torch.nn.modules.module.register_module_*_hook)
_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_is_full_backward_hook = None


def _register_global(hooks, hook):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_module_buffer_registration_hook(hook):
    """Register a buffer registration hook common to all modules: hook(module, name, buffer) -> None or new buffer."""
    return _register_global(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Register a module registration hook common to all modules: hook(module, name, submodule) -> None or new."""
    return _register_global(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Register a parameter registration hook common to all modules: hook(module, name, param) -> None or new."""
    return _register_global(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    """Register a forward pre-hook common to all modules: hook(module, input) -> None or modified input.
    It runs before the module's own forward pre-hooks."""
    return _register_global(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """Register a global forward hook for all the modules: hook(module, input, output) -> None or modified
    output. It runs before the module's own forward hooks."""
    handle = RemovableHandle(_global_forward_hooks, extra_dict=_global_forward_hooks_always_called)
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Register a backward pre-hook common to all the modules: hook(module, grad_output) -> None or new grad_output."""
    return _register_global(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """Register a backward hook common to all the modules: hook(module, grad_input, grad_output) -> None or
    new grad_input."""
    global _global_is_full_backward_hook
    _global_is_full_backward_hook = True
    return _register_global(_global_backward_hooks, hook)


# --- full backward hooks: identity Functions around a module's inputs and outputs --------------------
class _BackwardHookFunction(Function):
    """The identity on tensors; its backward hands the incoming gradients to a callback that may
    replace them. Wrapping a module's outputs captures grad_output; wrapping its inputs, grad_input."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        new = ctx.callback(grads)
        return (None,) + tuple(new if new is not None else grads)


class _BackwardHook:
    """One forward call's backward hooks: grad_output is captured at the outputs (where the backward
    pre-hooks run), and the full hooks run when the gradient reaches the inputs, with grad_input laid
    out like the positional arguments (None for non-tensors and inputs that need no gradient)."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = []
        self.output_index = []
        self.n_outputs = 0
        self.inputs_wired = False

    def _pack(self, index, values, size):
        res = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def _on_input_grads(self, grads):
        grad_input = self._pack(self.input_index, grads, self.n_inputs)
        changed = None
        for hook in self.user_hooks:
            out = hook(self.module, grad_input, self.grad_outputs)
            if out is None:
                continue
            if not isinstance(out, tuple):
                out = (out,)
            if len(out) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(out)}, but "
                                   f"expected {len(grad_input)}")
            grad_input = out
            changed = True
        self.grad_outputs = None
        if changed:
            return tuple(grad_input[i] for i in self.input_index)
        return None

    def _on_output_grads(self, grads):
        grad_output = self._pack(self.output_index, grads, self.n_outputs)
        changed = False
        for hook in self.user_pre_hooks:
            out = hook(self.module, grad_output)
            if out is None:
                continue
            if not isinstance(out, tuple):
                out = (out,)
            if len(out) != len(grad_output):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(out)}, "
                                   f"but expected {len(grad_output)}")
            grad_output = out
            changed = True
        self.grad_outputs = grad_output
        if not self.inputs_wired:
            # no input needs a gradient: the full hooks see grad_input of all None, now
            grad_input = (None,) * self.n_inputs
            for hook in self.user_hooks:
                if hook(self.module, grad_input, self.grad_outputs) is not None:
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        if changed:
            return tuple(grad_output[i] for i in self.output_index)
        return None

    def _wrap(self, values, callback):
        # every tensor goes through (as torch): those that need no gradient get zeros in grad_input
        # when another input needs one, and the hooks see all None when no input needs one
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not any(values[i].requires_grad for i in index):
            return values, []
        wrapped = _BackwardHookFunction.apply(callback, *(values[i] for i in index))
        out = list(values)
        for i, w in zip(index, wrapped):
            out[i] = w
        return tuple(out), index

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        if not self.user_hooks:
            return args
        args, self.input_index = self._wrap(args, self._on_input_grads)
        self.inputs_wired = bool(self.input_index)
        return args

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        values = (result,) if single else result
        if not isinstance(values, tuple):
            return result
        self.n_outputs = len(values)
        values, self.output_index = self._wrap(values, self._on_output_grads)
        return values[0] if single else values


def _forward_unimplemented(self, *input):
    """Define the computation performed at every call. Should be overridden by all subclasses."""
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class Module:
    """Base class for all neural network modules.

    Your models should also subclass this class. Modules can also contain other Modules, allowing them
    to be nested in a tree structure. You can assign the submodules as regular attributes::

        class Model(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv1 = nn.Conv2d(1, 20, 5)
                self.conv2 = nn.Conv2d(20, 20, 5)

            def forward(self, x):
                x = F.relu(self.conv1(x))
                return F.relu(self.conv2(x))

    Submodules assigned in this way will be registered, and will also have their parameters converted
    when you call to(), etc. As per the example above, an ``__init__()`` call to the parent class must
    be made before assignment on the child.
    """
    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were "
                            "given")
        d = self.__dict__
        d['training'] = True
        d['_parameters'] = {}
        d['_buffers'] = {}
        d['_non_persistent_buffers_set'] = set()
        d['_backward_pre_hooks'] = OrderedDict()
        d['_backward_hooks'] = OrderedDict()
        d['_is_full_backward_hook'] = None
        d['_forward_hooks'] = OrderedDict()
        d['_forward_hooks_with_kwargs'] = OrderedDict()
        d['_forward_hooks_always_called'] = OrderedDict()
        d['_forward_pre_hooks'] = OrderedDict()
        d['_forward_pre_hooks_with_kwargs'] = OrderedDict()
        d['_state_dict_hooks'] = OrderedDict()
        d['_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_post_hooks'] = OrderedDict()
        d['_modules'] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # --- registration ------------------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer to the module.

        This is typically used to register a buffer that should not be considered a model parameter.
        For example, BatchNorm's ``running_mean`` is not a parameter, but is part of the module's state.
        Buffers, by default, are persistent and will be saved alongside parameters. This behavior can be
        changed by setting persistent to ``False``: a non-persistent buffer is not part of the module's
        state_dict.
        """
        if '_buffers' not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if '.' in name:
            raise KeyError("buffer name can't contain \".\"")
        if name == '':
            raise KeyError("buffer name can't be empty string \"\"")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None "
                            "required)")
        if tensor is not None:
            _take_buffer_mark(tensor)
        for hook in _global_buffer_registration_hooks.values():
            output = hook(self, name, tensor)
            if output is not None:
                tensor = output
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter to the module. The parameter can be accessed as an attribute using given name;
        None registers a name that parameter conversions and state_dict skip."""
        if '_parameters' not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if '.' in name:
            raise KeyError("parameter name can't contain \".\"")
        if name == '':
            raise KeyError("parameter name can't be empty string \"\"")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' (torch.nn.Parameter "
                            "or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                             f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                             "the forward() method.")
        for hook in _global_parameter_registration_hooks.values():
            output = hook(self, name, param)
            if output is not None:
                param = output
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module to the current module. The module can be accessed as an attribute using the
        given name."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if '.' in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == '':
            raise KeyError("module name can't be empty string \"\"")
        for hook in _global_module_registration_hooks.values():
            output = hook(self, name, module)
            if output is not None:
                module = output
        self._modules[name] = module

    def register_module(self, name, module):
        """Alias for add_module."""
        self.add_module(name, module)

    def get_submodule(self, target):
        """Return the submodule given by ``target`` (a dotted path such as ``"net_b.linear"``) if it exists,
        otherwise throw an AttributeError."""
        if target == '':
            return self
        mod = self
        for item in target.split('.'):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + ' has no attribute `' + item + '`')
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError('`' + item + '` is not an nn.Module')
        return mod

    def set_submodule(self, target, module, strict=False):
        """Set the submodule given by ``target`` (a dotted path) if it exists, otherwise throw an error."""
        if target == '':
            raise ValueError('Cannot set the submodule without a target name!')
        atoms = target.split('.')
        if not isinstance(module, Module):
            raise ValueError('`module` is not an nn.Module, found ' + str(type(module)))
        parent = self.get_submodule('.'.join(atoms[:-1])) if len(atoms) > 1 else self
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + ' has no attribute `' + atoms[-1] + '`')
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
            raise AttributeError('`' + atoms[-1] + '` is not an nn.Module')
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        """Return the parameter given by ``target`` (a dotted path) if it exists, otherwise throw an error."""
        module_path, _, param_name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, param_name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + param_name + '`')
        param = getattr(mod, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError('`' + param_name + '` is not an nn.Parameter')
        return param

    def get_buffer(self, target):
        """Return the buffer given by ``target`` (a dotted path) if it exists, otherwise throw an error."""
        module_path, _, buffer_name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, buffer_name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + buffer_name + '`')
        buffer = getattr(mod, buffer_name)
        if buffer_name not in mod._buffers:
            raise AttributeError('`' + buffer_name + '` is not a buffer')
        return buffer

    def get_extra_state(self):
        """Return any extra state to include in the module's state_dict (implement with set_extra_state)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def set_extra_state(self, state):
        """Set extra state contained in the loaded state_dict (pairs with get_extra_state)."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    # --- conversions ------------------------------------------------------------------------------
    def _apply(self, fn, recurse=True):
        if recurse:
            for module in self.children():
                module._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with no_grad():
                param_applied = fn(param)
            # the Parameter object stays (an optimizer holding it sees the new values), as torch does
            # for conversions that keep the tensor type
            param.data = param_applied
            if param.grad is not None:
                with no_grad():
                    grad_applied = fn(param.grad)
                param._grad = grad_applied if isinstance(grad_applied, Tensor) else param._grad
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def apply(self, fn):
        """Apply ``fn`` recursively to every submodule (as returned by children()) as well as self.
        Typical use includes initializing the parameters of a model."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def cuda(self, device=None):
        """Move all model parameters and buffers to the GPU."""
        check_device('cuda' if device is None else device)
        return self._apply(lambda t: t.cuda(device))

    def cpu(self):
        """Move all model parameters and buffers to the CPU."""
        return self._apply(lambda t: t.cpu())

    def type(self, dst_type):
        """Casts all parameters and buffers to dst_type."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Casts all floating point parameters and buffers to ``float`` datatype."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Casts all floating point parameters and buffers to ``double`` datatype."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Casts all floating point parameters and buffers to ``half`` datatype."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Casts all floating point parameters and buffers to ``bfloat16`` datatype."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device=None, recurse=True):
        """Move the parameters and buffers to the specified device without copying storage."""
        check_device(device)
        return self._apply(lambda t: t, recurse=recurse)

    def to(self, *args, **kwargs):
        """Move and/or cast the parameters and buffers: to(device=None, dtype=None, non_blocking=False),
        to(dtype, non_blocking=False), to(tensor, non_blocking=False). Only floating point and complex
        tensors change dtype (integral ones keep theirs)."""
        dt = kwargs.pop('dtype', None)
        dev = kwargs.pop('device', None)
        kwargs.pop('non_blocking', None)
        kwargs.pop('memory_format', None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                            f"'{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dt, dev = a.dtype, a.device
            elif isinstance(a, _dtype.dtype):
                dt = a
            elif isinstance(a, bool):
                continue
            elif a is not None:
                dev = a
        check_device(dev)
        if dt is not None:
            dt = _dtype.to_dtype(dt)
            if not (dt.is_floating_point or dt.is_complex):
                raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                f"dtype={dt}")

        def convert(t):
            if dt is not None and (t.is_floating_point() or t.is_complex()):
                return t.to(dt)
            return t
        return self._apply(convert)

    # --- hooks -------------------------------------------------------------------------------------
    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Register a backward pre-hook: hook(module, grad_output) -> tuple[Tensor] or None, called every
        time the gradients for the module are computed; it may return a new gradient w.r.t. the output
        to be used in place of grad_output."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Register a backward hook: hook(module, grad_input, grad_output) -> tuple(Tensor) or None, called
        when the gradients with respect to the module's inputs are computed. grad_input and grad_output
        are tuples laid out like the positional inputs and outputs (None for non-Tensor arguments). The
        hook may return a new gradient w.r.t. the input to be used in place of grad_input."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Register a forward pre-hook: hook(module, args) -> None or modified input, or with_kwargs=True,
        hook(module, args, kwargs) -> None or a tuple (new_args, new_kwargs). Called before forward()."""
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Register a forward hook: hook(module, args, output) -> None or modified output, or with
        with_kwargs=True, hook(module, args, kwargs, output). Called after forward() has computed an
        output; with always_call=True it runs even if forward raised."""
        handle = RemovableHandle(self._forward_hooks, extra_dict=[self._forward_hooks_with_kwargs,
                                                                  self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def _get_backward_hooks(self):
        hooks = []
        if _global_backward_hooks:
            hooks += list(_global_backward_hooks.values())
        if self._is_full_backward_hook:
            hooks += list(self._backward_hooks.values())
        return hooks

    def _get_backward_pre_hooks(self):
        return list(_global_backward_pre_hooks.values()) + list(self._backward_pre_hooks.values())

    # --- calling -----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_forward_hooks or _global_forward_pre_hooks or _global_backward_hooks
                or _global_backward_pre_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    _call_impl = __call__

    def _call_with_hooks(self, args, kwargs):
        result = None
        called_always = set()
        try:
            for hook_id, hook in itertools.chain(_global_forward_pre_hooks.items(), self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if isinstance(res, tuple) and len(res) == 2:
                            args, kwargs = res
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {res}.")
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
            full_hooks = self._get_backward_hooks() if (self._backward_hooks or _global_backward_hooks) else []
            pre_hooks = self._get_backward_pre_hooks() if (self._backward_pre_hooks or _global_backward_pre_hooks) \
                else []
            bw_hook = None
            if full_hooks or pre_hooks:
                bw_hook = _BackwardHook(self, full_hooks, pre_hooks)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in itertools.chain(_global_forward_hooks.items(), self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
            if bw_hook is not None:
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            import warnings
            for hooks, always, with_kw in ((_global_forward_hooks, _global_forward_hooks_always_called,
                                            _global_forward_hooks_with_kwargs),
                                           (self._forward_hooks, self._forward_hooks_always_called,
                                            self._forward_hooks_with_kwargs)):
                for hook_id, hook in hooks.items():
                    if hook_id in always and hook_id not in called_always:
                        try:
                            res = hook(self, args, kwargs, result) if hook_id in with_kw else hook(self, args, result)
                            if res is not None:
                                result = res
                        except Exception as e:
                            warnings.warn("module forward hook with ``always_call=True`` raised an exception that "
                                          f"was silenced as another error was raised in forward: {e}", stacklevel=2)
            raise

    # --- attributes --------------------------------------------------------------------------------
    def __getstate__(self):
        return self.__dict__.copy()

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __getattr__(self, name):
        d = self.__dict__
        if '_parameters' in d:
            p = d['_parameters']
            if name in p:
                return p[name]
        if '_buffers' in d:
            b = d['_buffers']
            if name in b:
                return b[name]
        if '_modules' in d:
            m = d['_modules']
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__

        def remove_from(*dicts_or_sets):
            for c in dicts_or_sets:
                if name in c:
                    if isinstance(c, dict):
                        del c[name]
                    else:
                        c.discard(name)

        params = d.get('_parameters')
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or "
                                "None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get('_modules')
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                for hook in _global_module_registration_hooks.values():
                    output = hook(self, name, value)
                    if output is not None:
                        value = output
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module "
                                    "or None expected)")
                for hook in _global_module_registration_hooks.values():
                    output = hook(self, name, value)
                    if output is not None:
                        value = output
                modules[name] = value
            else:
                buffers = d.get('_buffers')
                is_buffer, persistent = _take_buffer_mark(value) if isinstance(value, Tensor) else (False, True)
                if is_buffer or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' (torch.nn.Buffer, "
                                        "torch.Tensor or None expected)")
                    if buffers is None:
                        raise AttributeError("cannot assign buffer before Module.__init__() call")
                    if not is_buffer:
                        persistent = name not in self._non_persistent_buffers_set
                    if is_buffer:
                        remove_from(d, self._parameters, self._modules)
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    # --- state dict ---------------------------------------------------------------------------------
    def _register_state_dict_hook(self, hook):
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """Register a post-hook for state_dict(): hook(module, state_dict, prefix, local_metadata) -> None,
        which may change state_dict in place."""
        hook._from_public_api = True
        return self._register_state_dict_hook(hook)

    def register_state_dict_pre_hook(self, hook):
        """Register a pre-hook for state_dict(): hook(module, prefix, keep_vars) -> None."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if getattr(self.__class__, 'get_extra_state', Module.get_extra_state) is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """Return a dictionary containing references to the whole state of the module.

        Both parameters and persistent buffers (e.g. running averages) are included. Keys are
        corresponding parameter and buffer names. Parameters and buffers set to ``None`` are not
        included. The tensors are detached from autograd unless keep_vars=True.
        """
        if args:
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == '':
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if not getattr(hook, '_from_public_api', False):
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = (hook, with_module)
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """Register a pre-hook for load_state_dict(): hook(module, state_dict, prefix, local_metadata,
        strict, missing_keys, unexpected_keys, error_msgs) -> None."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """Register a post-hook for load_state_dict(): hook(module, incompatible_keys) -> None."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Check this module's own parameters and persistent buffers (not its descendants') against
        state_dict and queue the copies; load_state_dict makes them only once every check has passed."""
        for hook, with_module in self._load_state_dict_pre_hooks.values():
            if with_module:
                hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
            else:
                hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = {k: v for k, v in itertools.chain(
            self._parameters.items(),
            ((k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set))
            if v is not None}
        assign = local_metadata.get('assign_to_params_buffers', False)
        pending = local_metadata.get('_pending_copies')
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                                  f"object from checkpoint but received {type(input_param)}")
                continue
            lazy = is_lazy(param)
            if not lazy and param.dim() == 0 and input_param.dim() == 1 and input_param.shape[0] == 1:
                input_param = input_param[0]
            if not lazy and input_param.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {input_param.shape} from "
                                  f"checkpoint, the shape in current model is {param.shape}.")
                continue
            if pending is not None:
                pending.append((self, name, param, input_param, key, assign))
            else:
                self._copy_loaded(name, param, input_param, key, assign, error_msgs)
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if getattr(self.__class__, 'set_extra_state', Module.set_extra_state) is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    input_name = key[len(prefix):].split('.', 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def _copy_loaded(self, name, param, input_param, key, assign, error_msgs):
        try:
            with no_grad():
                if assign:
                    if isinstance(param, Parameter):
                        if not isinstance(input_param, Parameter):
                            input_param = Parameter(input_param, requires_grad=param.requires_grad)
                        else:
                            input_param.requires_grad_(param.requires_grad)
                    setattr(self, name, input_param)
                elif is_lazy(param):
                    param.materialize(input_param.shape, dtype=input_param.dtype)
                    param.copy_(input_param)
                else:
                    param.copy_(input_param)
        except Exception as ex:
            error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                              f'{param.size()} and whose dimensions in the checkpoint are {input_param.size()}, an '
                              f'exception occurred : {ex.args}.')

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from state_dict into this module and its descendants.

        If strict is ``True``, then the keys of state_dict must exactly match the keys returned by this
        module's state_dict() function. Every key and shape is checked before anything is copied, so a
        failed load leaves the module unchanged. With assign=True the module takes the state dict's
        tensors instead of copying into its own (Parameters keep the module's requires_grad).

        Returns:
            ``NamedTuple`` with ``missing_keys`` and ``unexpected_keys`` fields.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        pending = []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state_dict, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata['assign_to_params_buffers'] = assign
            local_metadata['_pending_copies'] = pending
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + '.'
                    load(child, {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)},
                         child_prefix)

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing_keys)))
        if not error_msgs:
            for module, name, param, input_param, key, assign_ in pending:
                module._copy_loaded(name, param, input_param, key, assign_, error_msgs)
        if error_msgs:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                self.__class__.__name__, '\n\t'.join(error_msgs)))
        incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
        for module in self.modules():
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                         "expected to return new values, if incompatible_keys need to be modified, "
                                         "it should be done inplace.")
        return incompatible

    # --- iteration ---------------------------------------------------------------------------------
    def _named_members(self, get_members_fn, prefix='', recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + ('.' if module_prefix else '') + k, v)

    def parameters(self, recurse=True):
        """Return an iterator over module parameters (typically passed to an optimizer)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        """Return an iterator over module parameters, yielding both the name of the parameter as well as the
        parameter itself."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix, recurse=recurse,
                                       remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        """Return an iterator over module buffers."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """Return an iterator over module buffers, yielding both the name of the buffer as well as the buffer
        itself."""
        yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix, recurse=recurse,
                                       remove_duplicate=remove_duplicate)

    def children(self):
        """Return an iterator over immediate children modules."""
        for _, module in self.named_children():
            yield module

    def named_children(self):
        """Return an iterator over immediate children modules, yielding both the name of the module as well as
        the module itself."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def modules(self, remove_duplicate=True):
        """Return an iterator over all modules in the network (self first; each module once unless
        remove_duplicate=False)."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """Return an iterator over all modules in the network, yielding both the name of the module as well as
        the module itself."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            submodule_prefix = prefix + ('.' if prefix else '') + name
            yield from module.named_modules(memo, submodule_prefix, remove_duplicate)

    # --- modes and gradients ------------------------------------------------------------------------
    def train(self, mode=True):
        """Set the module in training mode (affects modules such as Dropout and BatchNorm)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Set the module in evaluation mode; equivalent to self.train(False)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Change if autograd should record operations on parameters in this module."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset gradients of all model parameters: to None (the default), or to zero in place."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def share_memory(self):
        """See Tensor.share_memory_ (a no-op for NumPy storage)."""
        return self._apply(lambda t: t.share_memory_())

    # --- printing ---------------------------------------------------------------------------------
    def _get_name(self):
        return self.__class__.__name__

    def extra_repr(self):
        """Return the extra representation of the module: one line (or several) shown inside its repr."""
        return ''

    def __repr__(self):
        extra_lines = []
        extra_repr = self.extra_repr()
        if extra_repr:
            extra_lines = extra_repr.split('\n')
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append('(' + key + '): ' + mod_str)
        lines = extra_lines + child_lines
        main_str = self._get_name() + '('
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += '\n  ' + '\n  '.join(lines) + '\n'
        return main_str + ')'

    def __dir__(self):
        module_attrs = dir(self.__class__)
        attrs = list(self.__dict__.keys())
        keys = module_attrs + attrs + list(self._parameters) + list(self._modules) + list(self._buffers)
        return sorted(k for k in keys if not k[0].isdigit())

    def _replicate_for_data_parallel(self):
        replica = self.__new__(type(self))
        replica.__dict__ = self.__dict__.copy()
        replica._parameters = dict()
        replica._buffers = replica._buffers.copy()
        replica._modules = replica._modules.copy()
        return replica

    def compile(self, *args, **kwargs):
        """torch.compile is the identity in ember: the module runs eagerly."""
        return None


class LazyModuleMixin:
    """A mixin for modules that lazily initialize parameters ("lazy modules"): they derive the shapes of
    their parameters from the first input(s) to their forward method. Until that first forward they
    contain UninitializedParameters; afterwards regular Parameters, and the module becomes
    ``cls_to_become`` (LazyLinear becomes Linear)."""
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if (is_lazy(param) or keep_vars) else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if (is_lazy(buf) or keep_vars) else buf.detach()

    def initialize_parameters(self, *args, **kwargs):
        """Initialize parameters according to the input batch properties."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        """Check if a module has parameters that are not initialized."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(), self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None):
        kwargs = kwargs if kwargs else {}
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        delattr(module, '_initialize_hook')
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with `DataParallel`. Run a dummy "
                           "forward pass to correctly initialize the modules")
