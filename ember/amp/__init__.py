"""torch.amp: automatic mixed precision (autocast regions and gradient scaling)."""
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401
from . import autocast_mode, grad_scaler  # noqa: F401

__all__ = ['autocast', 'GradScaler', 'is_autocast_available', 'custom_fwd', 'custom_bwd']
