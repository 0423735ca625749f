"""torch.nn.utils.stateless: calling a module with substituted parameters and buffers."""
from ...func import functional_call

__all__ = ['functional_call']
