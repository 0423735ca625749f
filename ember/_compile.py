"""torch.compile, as an eager no-op wrapper.

ember has no graph compiler: `compile` returns something that runs the original eagerly, with the
shape torch gives it, so programs written for torch.compile run unchanged. A module comes back as an
`OptimizedModule` holding the original as its child `_orig_mod` (so state_dict keys and parameter
names gain the `_orig_mod.` prefix, as in torch) and forwarding attribute reads to it; a function comes
back as a wrapper around it (`__wrapped__` is the original).
"""
import functools

from .nn.modules.module import Module
from .tensor import Tensor
from .autograd.graph import renamed

__all__ = ['compile', 'OptimizedModule']

_MODES = ('default', 'lite', 'reduce-overhead', 'max-autotune-no-cudagraphs', 'max-autotune')


class OptimizedModule(Module):
    """The module torch.compile returns for an nn.Module: it calls ``_orig_mod`` (here, eagerly) and reads
    attributes it does not have itself from it."""

    def __init__(self, mod, dynamo_ctx=None):
        super().__init__()
        self._orig_mod = mod
        self.dynamo_ctx = dynamo_ctx

    def forward(self, *args, **kwargs):
        return _as_compiled(self._orig_mod(*args, **kwargs), args, kwargs)

    @property
    def training(self):
        return self._orig_mod.training

    @training.setter
    def training(self, value):
        # Module.__init__ sets training before _orig_mod exists; train()/eval() reach _orig_mod as a child
        if '_orig_mod' in self.__dict__.get('_modules', {}):
            self._orig_mod.training = value

    def __getattr__(self, name):
        if name == '_orig_mod':
            return self._modules['_orig_mod']
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._orig_mod, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self._orig_mod)))


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """Optimizes given model/function using TorchDynamo and specified backend. In ember this runs the
    model eagerly: the returned object behaves as the original (a module comes back wrapped in an
    ``OptimizedModule`` whose state_dict keys carry the ``_orig_mod.`` prefix, as torch's).

    Can be used as a decorator, with or without arguments: ``@torch.compile`` or
    ``@torch.compile(mode="max-autotune")``.

    Args:
        model (Callable or None): Module/function to optimize
        fullgraph (bool): If False (default), torch.compile attempts to discover compilable regions.
        dynamic (bool or None): Use dynamic shape tracing.
        backend (str or Callable): backend to be used (accepted; ember has only eager execution)
        mode (str): Can be either "default", "reduce-overhead", "max-autotune" or "max-autotune-no-cudagraphs"
        options (dict): A dictionary of options to pass to the backend.
        disable (bool): Turn torch.compile() into a no-op for testing
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode, options=options,
                           disable=disable)
        return fn
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return _as_compiled(model(*args, **kwargs), args, kwargs)
    return compiled


def _as_compiled(out, args, kwargs):
    """torch runs a compiled graph's backward as one node: outputs computed by it (not its inputs, nor views of
    them) print grad_fn=<CompiledFunctionBackward>. Their ember nodes take that name; the math is unchanged."""
    inputs = {id(a) for a in args if isinstance(a, Tensor)} | {id(a) for a in kwargs.values() if isinstance(a, Tensor)}

    def mark(o):
        if isinstance(o, Tensor):
            if o.grad_fn is not None and id(o) not in inputs and not (o._view is not None and id(o._view[0]) in inputs):
                renamed(o, 'CompiledFunctionBackward')
        elif isinstance(o, (list, tuple)):
            for v in o:
                mark(v)
        elif isinstance(o, dict):
            for v in o.values():
                mark(v)
    mark(out)
    return out
