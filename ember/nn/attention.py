"""torch.nn.attention: choosing scaled_dot_product_attention's backend. ember has one (its own fused CPU
kernel), so the choice is recorded by the context manager and changes nothing."""
import contextlib
import enum

__all__ = ['SDPBackend', 'sdpa_kernel']


class SDPBackend(enum.IntEnum):
    """The backends of scaled_dot_product_attention."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __repr__(self):
        return f"<SDPBackend.{self.name}: {self.value}>"

    __str__ = lambda self: f"SDPBackend.{self.name}"   # noqa: E731


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Context manager selecting scaled_dot_product_attention backends (all run ember's kernel)."""
    if isinstance(backends, SDPBackend):
        backends = [backends]
    if not all(isinstance(b, SDPBackend) for b in backends):
        raise AssertionError("Backend must be an instance of SDPBackend")
    yield {}
