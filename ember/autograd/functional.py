"""torch.autograd.functional: whole-function derivatives (vjp, jvp, jacobian, hessian, vhp, hvp).

Everything is built on reverse mode (`ember.autograd.grad`). Forward-mode products (jvp, hvp) use the
"double backward" identity: the vector-Jacobian product g(u) = J^T u is linear in a dummy cotangent u, so
differentiating g with respect to u against v gives J v.
"""
from .api import grad as _reverse
from .grad_mode import enable_grad

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']

_STRATEGIES = ('forward-mode', 'reverse-mode')

# Strict-mode complaints, one per place a gradient can turn out to be missing.
_MISSING = {
    'output': "The output of the user-provided function is independent of input {i}. This is not allowed in "
              "strict mode.",
    'trick': "The gradient with respect to the input is independent of entry {i} in the grad_outputs when using "
             "the double backward trick to compute forward mode gradients. This is not allowed in strict mode.",
    'second': "While computing the hessian, found that the jacobian of the user-provided function with respect "
              "to input {i} is independent of the input. This is not allowed in strict mode. You should ensure "
              "that your function is twice differentiable and that the jacobian depends on the inputs (this would "
              "be violated by a linear function for example).",
}


def _pack(value, what, fn):
    """Returns (was_tuple, tuple_of_tensors); anything but a Tensor or a tuple of Tensors is a TypeError."""
    from ..tensor import Tensor  # late: ember.tensor imports this package
    items = value if isinstance(value, tuple) else (value,)
    for k, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"value at index {k}" if isinstance(value, tuple) else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                            f"{where} has type {type(t)}.")
    return isinstance(value, tuple), items


def _unpack(items, was_tuple):
    return items if was_tuple else items[0]


def _leaves(inputs, create_graph):
    """Fresh differentiable stand-ins for the inputs; under create_graph they stay linked to the originals."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _release(tensors, create_graph):
    return tuple(t if create_graph else t.detach() for t in tensors)


def _call(func, inputs, fn):
    return _pack(func(*inputs), 'outputs of the user-provided function', fn)


def _require_graph(outputs, strict):
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                                   "outputs must be computed in a differentiable manner from the input when "
                                   "running in strict mode.")


def _match_v(v, refs, refs_tuple):
    """v must mirror refs: same count and each the same size."""
    if len(v) != len(refs):
        if refs_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for vi, ri in zip(v, refs):
        if vi.shape != ri.shape:
            raise RuntimeError(f"v has invalid size: should be {ri.shape} but got {vi.shape}.")


def _default_v(refs, refs_tuple, whose):
    if refs_tuple or refs[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if the {whose} is a single Tensor with a single "
                           "element.")
    return (refs[0].new_ones(refs[0].shape),)


def _backprop(outputs, wrt, cotangents, create_graph, retain_graph=None):
    """grad of outputs w.r.t. wrt, skipping outputs with no graph; None where a gradient does not exist."""
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if not live:
        return (None,) * len(wrt)
    outs, cots = zip(*live)
    return _reverse(outs, wrt, cots, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _zeros_for_missing(grads, refs, strict, create_graph, kind):
    """Replaces missing gradients by zeros, or complains in strict mode."""
    done = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_MISSING[kind].format(i=i))
            g = ref.new_zeros(ref.shape)
        done.append(g)
    return tuple(done)


def _forward_product(outputs, wrt, v, create_graph, strict, kind):
    """J v through double backward: J^T u with a dummy u, then the derivative of that w.r.t. u against v."""
    dummies = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outputs)
    pulled = _backprop(outputs, wrt, dummies, create_graph=True)
    pulled = _zeros_for_missing(pulled, wrt, strict, create_graph, kind)
    pushed = _backprop(pulled, dummies, v, create_graph=create_graph)
    return _zeros_for_missing(pushed, outputs, strict, create_graph, 'trick')


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Dot product of a vector v with the Jacobian of ``func`` at ``inputs``.

    Returns ``(func(*inputs), vjp)`` where ``vjp`` has the structure of ``inputs``. ``v`` may be left out
    when ``func`` returns a single one-element Tensor. ``create_graph`` keeps both results differentiable;
    ``strict`` raises instead of returning zeros for an input the outputs do not depend on.
    """
    with enable_grad():
        in_tuple, inputs = _pack(inputs, 'inputs', 'vjp')
        inputs = _leaves(inputs, create_graph)
        out_tuple, outputs = _call(func, inputs, 'vjp')
        _require_graph(outputs, strict)
        if v is None:
            v = _default_v(outputs, out_tuple, 'user-provided function returns')
        else:
            _, v = _pack(v, 'v', 'vjp')
            _match_v(v, outputs, out_tuple)
        grads = _backprop(outputs, inputs, v, create_graph)
        grads = _zeros_for_missing(grads, inputs, strict, create_graph, 'output')
    return (_unpack(_release(outputs, create_graph), out_tuple),
            _unpack(_release(grads, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Dot product of the Jacobian of ``func`` at ``inputs`` with a vector v.

    Returns ``(func(*inputs), jvp)`` where ``jvp`` has the structure of the outputs. ``v`` may be left out
    when ``inputs`` is a single one-element Tensor. Computed with the double-backward trick, so it costs
    two reverse passes.
    """
    with enable_grad():
        in_tuple, inputs = _pack(inputs, 'inputs', 'jvp')
        inputs = _leaves(inputs, create_graph)
        if v is None:
            v = _default_v(inputs, in_tuple, 'input to the user-provided function')
        else:
            _, v = _pack(v, 'v', 'jvp')
            _match_v(v, inputs, in_tuple)
        out_tuple, outputs = _call(func, inputs, 'jvp')
        _require_graph(outputs, strict)
        products = _forward_product(outputs, inputs, v, create_graph, strict, 'output')
    return (_unpack(_release(outputs, create_graph), out_tuple),
            _unpack(_release(products, create_graph), out_tuple))


def _check_jacobian_options(strict, vectorize, strategy, create_graph):
    if strict and vectorize:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")
    assert strategy in _STRATEGIES, (
        'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more '
        'outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use '
        '"reverse-mode".')
    if strategy == 'forward-mode':
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
        raise NotImplementedError('jacobian: strategy="forward-mode" needs forward-mode AD, which ember does not '
                                  'have; use strategy="reverse-mode"')
    if vectorize:
        raise NotImplementedError('jacobian: vectorize=True needs batched gradients (vmap), which ember does not '
                                  'have; use vectorize=False')


def _rows(out, inputs, create_graph, strict, out_index):
    """Jacobian blocks d out / d inputs[j], one reverse pass per element of out."""
    from ..ops.shape import stack  # late: the ops import the autograd package
    flat = out.reshape(-1)
    n = flat.shape[0]
    if n == 0:
        raise RuntimeError("stack expects a non-empty TensorList")
    per_input = [[] for _ in inputs]
    for k in range(n):
        if flat.requires_grad:
            grads = _reverse((flat[k],), inputs, retain_graph=True, create_graph=create_graph,
                             allow_unused=True)
        else:
            grads = (None,) * len(inputs)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {out_index} of the user-provided function is independent of "
                                       f"input {j}. This is not allowed in strict mode.")
                g = inp.new_zeros(inp.shape)
            per_input[j].append(g)
    return tuple(stack(blocks).reshape(tuple(out.shape) + tuple(inp.shape))
                 for blocks, inp in zip(per_input, inputs))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'):
    """Jacobian of ``func`` at ``inputs``.

    For a single input and output the result is one Tensor of shape ``output.shape + input.shape``; with a
    tuple of inputs and/or outputs it is a tuple (of tuples) indexed ``[output][input]``. Only
    ``vectorize=False`` with ``strategy="reverse-mode"`` is available in ember.
    """
    with enable_grad():
        in_tuple, inputs = _pack(inputs, 'inputs', 'jacobian')
        _check_jacobian_options(strict, vectorize, strategy, create_graph)
        inputs = _leaves(inputs, create_graph)
        out_tuple, outputs = _call(func, inputs, 'jacobian')
        _require_graph(outputs, strict)
        table = [_rows(out, inputs, create_graph, strict, i) for i, out in enumerate(outputs)]
    table = [_unpack(_release(row, create_graph), in_tuple) for row in table]
    return _unpack(tuple(table), out_tuple)


def _single_scalar(outputs, out_tuple, fn):
    if out_tuple or len(outputs) != 1:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy='reverse-mode'):
    """Hessian of the scalar function ``func`` at ``inputs``.

    A single input gives one Tensor of shape ``input.shape + input.shape``; a tuple of inputs gives a tuple
    of tuples where ``[i][j]`` holds the second derivatives with respect to inputs i and j.
    """
    in_tuple, inputs = _pack(inputs, 'inputs', 'hessian')
    assert outer_jacobian_strategy in _STRATEGIES, \
        'Expected strategy to be either "forward-mode" or "reverse-mode".'

    def gradient(*xs):
        out_tuple, outputs = _call(func, xs, 'hessian')
        _single_scalar(outputs, out_tuple, 'hessian')
        grads = _backprop(outputs, xs, (None,), create_graph=True)
        for i, g in enumerate(grads):
            if strict and (g is None or not g.requires_grad):
                raise RuntimeError(_MISSING['second'].format(i=i))
        return tuple(x.new_zeros(x.shape) if g is None else g for g, x in zip(grads, xs))

    blocks = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(tuple(_unpack(row, in_tuple) for row in blocks), in_tuple)


def _gradient_and_v(func, inputs, v, create_graph, strict, fn):
    """Shared front half of vhp/hvp: the scalar output, its gradient (with graph) and the checked v."""
    in_tuple, inputs = _pack(inputs, 'inputs', fn)
    inputs = _leaves(inputs, create_graph)
    if v is None:
        v = _default_v(inputs, in_tuple, 'input to the user-provided function')
    else:
        _, v = _pack(v, 'v', fn)
        _match_v(v, inputs, in_tuple)
    out_tuple, outputs = _call(func, inputs, fn)
    _single_scalar(outputs, out_tuple, fn)
    _require_graph(outputs, strict)
    grads = _backprop(outputs, inputs, (None,), create_graph=True)
    grads = _zeros_for_missing(grads, inputs, strict, create_graph, 'output')
    return in_tuple, inputs, v, outputs[0], grads


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Dot product of a vector v with the Hessian of the scalar function ``func`` at ``inputs``.

    Returns ``(func(*inputs), vhp)`` where ``vhp`` has the structure of ``inputs``.
    """
    with enable_grad():
        in_tuple, inputs, v, out, grads = _gradient_and_v(func, inputs, v, create_graph, strict, 'vhp')
        product = _backprop(grads, inputs, v, create_graph)
        product = _zeros_for_missing(product, inputs, strict, create_graph, 'second')
    return _release((out,), create_graph)[0], _unpack(_release(product, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Dot product of the Hessian of the scalar function ``func`` at ``inputs`` with a vector v.

    Returns ``(func(*inputs), hvp)`` where ``hvp`` has the structure of ``inputs``. Equal to ``vhp`` for
    twice-differentiable functions; computed with the double-backward trick (one more reverse pass).
    """
    with enable_grad():
        in_tuple, inputs, v, out, grads = _gradient_and_v(func, inputs, v, create_graph, strict, 'hvp')
        product = _forward_product(grads, inputs, v, create_graph, strict, 'second')
    return _release((out,), create_graph)[0], _unpack(_release(product, create_graph), in_tuple)
