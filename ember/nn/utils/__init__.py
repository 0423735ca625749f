"""torch.nn.utils: gradient clipping, parameter vectors, RNN packing, parametrizations."""
from . import rnn  # noqa: F401
from . import parametrize, parametrizations  # noqa: F401
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_  # noqa: F401
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401


def __getattr__(name):
    if name == 'stateless':   # loads ember.func, which builds on nn: on first use only
        import importlib
        return importlib.import_module(f'{__name__}.stateless')
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
