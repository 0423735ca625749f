"""torch.utils. Submodules (data, safetensors, ...) load on first use, so `import ember` stays fast."""
import importlib as _importlib

_LAZY = ('data', 'safetensors', 'dlpack', 'checkpoint', 'hooks')


def __getattr__(name):
    if name in _LAZY:
        return _importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
