"""torch.autograd.backward and torch.autograd.grad, on top of the engine."""
from .engine import run_backward, accumulate_grad
from .graph import _wrap
from ..backend import xp_of
from . import graph as _graph


def _as_tuple(x):
    if x is None:
        return None
    return (x,) if isinstance(x, _graph.Tensor) else tuple(x)


def _root_grads(outputs, grad_outputs, create_graph):
    grads = []
    for i, t in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None else None
        if not t._req:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind == 'c':
                raise RuntimeError("grad can be implicitly created only for real scalar outputs")
            g = _wrap(_ones_like(t._data), None)
        elif not isinstance(g, _graph.Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        else:
            if tuple(g.shape) != tuple(t._data.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                                   f"has a shape of {t.shape}.")
            if not create_graph and g._req:
                g = g.detach()
        grads.append(g)
    return grads


def _ones_like(a):
    from ..backend import xp_of
    return xp_of(a).ones(a.shape, a.dtype)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward: accumulate gradients of `tensors` into the leaves' (or `inputs`') .grad."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(tensors, grad_tensors, create_graph)
    if inputs is None:
        run_backward(tensors, roots, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for t in inputs:
        if not t._req:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = run_backward(tensors, roots, retain_graph, create_graph, inputs=inputs)
    for t, g in zip(inputs, grads):
        if g is not None:
            accumulate_grad(t, g, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: the gradients of outputs with respect to inputs, returned (not accumulated)."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs "
                           f"and {len(outputs)} outputs")
    for t in inputs:
        if not isinstance(t, _graph.Tensor):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        if not t._req:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _root_grads(outputs, grad_outputs, create_graph)
    grads = run_backward(outputs, roots, retain_graph, create_graph, inputs=inputs)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                g = _wrap(xp_of(t._data).zeros_like(t._data), None)   # not t * 0: NaN/inf * 0 is NaN
        elif not isinstance(g, _graph.Tensor):
            # asarray: a formula on 0-d arrays can hand back a NumPy scalar, which is no tensor storage
            g = _wrap(xp_of(t._data).asarray(g, dtype=t._data.dtype), None)
        result.append(g)
    return tuple(result)
