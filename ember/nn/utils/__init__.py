"""torch.nn.utils: gradient clipping, parameter vectors, RNN packing, parametrizations."""
from . import rnn  # noqa: F401
