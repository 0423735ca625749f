"""torch.jit, eagerly: ember has no TorchScript compiler, so `script` and `trace` return what they are given
(it runs as Python, with the same results), `is_scripting()`/`is_tracing()` are False, and the decorators
that only steer the compiler leave functions unchanged. Saving or loading a TorchScript archive raises."""
import typing

__all__ = ['script', 'trace', 'trace_module', 'is_scripting', 'is_tracing', 'ignore', 'unused', 'export',
           'annotate', 'Final', 'fork', 'wait', 'save', 'load', 'ScriptModule', 'ScriptFunction', 'Attribute',
           'interface', 'freeze', 'optimize_for_inference', 'script_if_tracing']

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Returns obj itself: it runs eagerly."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """Returns func itself: it runs eagerly (no trace is recorded)."""
    return func


def trace_module(mod, inputs, *args, **kwargs):
    return mod


def script_if_tracing(fn):
    return fn


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def is_scripting():
    """False: ember never compiles to TorchScript."""
    return False


def is_tracing():
    """False: ember never traces."""
    return False


def ignore(drop=False, **kwargs):
    """Decorator telling the compiler to leave a function as Python: a no-op here."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def annotate(the_type, the_value):
    """Gives the compiler a type for the_value; returns the_value."""
    return the_value


def Attribute(value, type=None):   # noqa: N802 (torch's name)
    return value


class _Future:
    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value

    def wait(self):
        return self.value


def fork(func, *args, **kwargs):
    """Runs func now (ember has no asynchronous interpreter); wait() returns its result."""
    return _Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


def save(m, f, _extra_files=None):
    raise RuntimeError("ember has no TorchScript: save the state_dict with ember.save instead")


def load(f, map_location=None, _extra_files=None):
    raise RuntimeError("ember has no TorchScript: TorchScript archives cannot be loaded")


def __getattr__(name):
    if name == 'ScriptModule':     # a plain Module: scripted modules run as the Python they are
        from .nn import Module
        return Module
    if name == 'ScriptFunction':
        import types
        return types.FunctionType
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
