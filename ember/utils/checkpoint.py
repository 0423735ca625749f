"""torch.utils.checkpoint: activation checkpointing.

ember runs the checkpointed function once and keeps its graph: the gradients are the ones recomputation
would give (a replay under the saved random state draws the same numbers), without torch's memory saving."""
import warnings

__all__ = ['checkpoint', 'checkpoint_sequential']


def _check_reentrant(use_reentrant):
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch "
            "2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is "
            "recommended, but if you need to preserve the current default behavior, you can pass use_reentrant=True. "
            "Refer to docs for more details on the differences between the two variants.", stacklevel=3)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check='default', debug=False,
               early_stop=True, preserve_rng_state=True, **kwargs):
    """Checkpoint a model or part of the model: returns function(*args, **kwargs), with the same gradients."""
    _check_reentrant(use_reentrant)
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if context_fn is not None and use_reentrant:
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    if context_fn is not None:
        forward_ctx, _ = context_fn()
        with forward_ctx:
            return function(*args, **kwargs)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoint a sequential model in `segments` chunks; runs the functions (or the Sequential's children)
    in order on `input`."""
    _check_reentrant(use_reentrant)
    if hasattr(functions, 'children') and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    for fn in functions:
        input = fn(input)
    return input
