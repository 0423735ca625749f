"""ember's tensor ops, by family. Each module defines its ops once (forward beside backward), binds
them as Tensor methods, and lists its public functions in __all__ (re-exported as ember.<name>)."""
from . import elementwise, creation, reduction, shape, indexing, blas, random, info  # noqa: F401
