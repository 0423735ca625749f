"""torch.func: function transforms (vmap, grad, vjp, jvp, jacrev, jacfwd, hessian) and functional_call.

ember has no batching interpreter or forward-mode autodiff, so the transforms are built on what it has:
`vmap` runs the function once per slice of the mapped dimension and stacks the results (correct, not
fast), `grad`/`vjp`/`jacrev` use reverse-mode autograd, and `jvp`/`jacfwd` use the double-vjp trick
(a vjp of a vjp is a jvp). The transforms compose: an input that already requires grad (because an
outer transform is differentiating) is taken through a differentiable alias and the inner gradients
are built with create_graph, so vmap(grad(f)) gives per-sample gradients and grad(grad(f)) works.
"""
import functools

from .tensor import Tensor
from .autograd.api import grad as _autograd_grad
from .autograd.grad_mode import enable_grad

__all__ = ['vmap', 'grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian', 'functional_call',
           'stack_module_state']


# --- pytrees: tensors nested in tuples, lists and dicts ---------------------------------------------------
def _flatten(tree):
    """(leaves, spec): the non-container leaves in order, and what unflatten needs to rebuild the tree."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for t in tree:
            l, s = _flatten(t)
            leaves += l
            specs.append(s)
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for k, v in tree.items():
            l, s = _flatten(v)
            leaves += l
            specs.append(s)
        return leaves, (dict, (list(tree.keys()), specs))
    return [tree], None


def _unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        kind, sub = s
        if kind is dict:
            keys, specs = sub
            return {k: build(x) for k, x in zip(keys, specs)}
        items = [build(x) for x in sub]
        return kind(*items) if hasattr(kind, '_fields') else kind(items)
    return build(spec)


def _broadcast_dims(dims, tree, fn_name, dims_name):
    """One dim per leaf of tree: dims is an int/None for the whole tree or a tree of the same structure."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_flatten(tree)[0])
    if isinstance(tree, (tuple, list)) and isinstance(dims, (tuple, list)) and len(dims) == len(tree):
        return [d for dd, t in zip(dims, tree) for d in _broadcast_dims(dd, t, fn_name, dims_name)]
    if isinstance(tree, dict) and isinstance(dims, dict) and set(dims) == set(tree):
        return [d for k, t in tree.items() for d in _broadcast_dims(dims[k], t, fn_name, dims_name)]
    raise ValueError(f"{fn_name}: {dims_name} is not compatible with the structure of `inputs`.")


# --- vmap ------------------------------------------------------------------------------------------------
def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    """vmap is the vectorizing map; ``vmap(func)`` returns a new function that maps ``func`` over some
    dimension of the inputs. Semantically, vmap pushes the map into PyTorch operations called by ``func``.

    In ember this is a loop: ``func`` runs once per index of the mapped dimension and the outputs are
    stacked along ``out_dims``. Correct, not fast.

    Args:
        func (function): A Python function that takes one or more arguments (tensors, or tuples, lists
            and dicts of them) and returns one or more Tensors.
        in_dims (int or nested structure): Which dimension of the inputs is mapped over: an int for all
            inputs, or a tuple with one entry per argument (None: not mapped). Default: 0.
        out_dims (int or Tuple[int]): Where the mapped dimension appears in the outputs. Default: 0.
        randomness (str): 'error' (default; ember does not detect random ops), 'different' (each
            sample draws its own numbers) or 'same' (every sample sees the same random numbers).
        chunk_size (None or int): accepted; the loop runs one sample at a time.
    """
    if randomness not in ('error', 'different', 'same'):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if not isinstance(in_dims, (int, tuple)) and in_dims is not None:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                         f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        where = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
        leaves, spec = _flatten(args)
        if isinstance(in_dims, tuple):
            if len(in_dims) != len(args):
                raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
                                 f"{len(in_dims)} entries but inputs has {len(args)}.")
            dims = _broadcast_dims(in_dims, args, where, 'in_dims')
        else:
            dims = [in_dims] * len(leaves)
        size = None
        sizes = []
        for x, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We cannot "
                                 "vmap over non-Tensor arguments, please use None as the respective in_dim")
            if not -x.ndim <= d < max(x.ndim, 1) or x.ndim == 0:
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                                 f"dimensionality {x.ndim} so expected in_dim to satisfy -{x.ndim} <= in_dim < "
                                 f"{x.ndim}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError(f"{where}: at least one input must be mapped over (got in_dims={in_dims}); "
                             "vmap needs a Tensor input with an int in_dim")
        if len(set(sizes)) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        size = sizes[0]
        state = None
        if randomness == 'same':
            from .random import get_rng_state
            state = get_rng_state()
        outs = []
        for i in range(size):
            if state is not None:
                from .random import set_rng_state
                set_rng_state(state)
            sliced = [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)]
            outs.append(func(*_unflatten(sliced, spec), **kwargs))
        out_leaves0, out_spec = _flatten(outs[0])
        per_leaf = list(zip(*[_flatten(o)[0] for o in outs]))
        odims = ([out_dims] * len(out_leaves0) if isinstance(out_dims, int) or out_dims is None
                 else _broadcast_dims(out_dims, outs[0], where, 'out_dims'))
        stacked = []
        for vals, od in zip(per_leaf, odims):
            if not isinstance(vals[0], Tensor):
                raise ValueError(f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                                 f"{type(vals[0])}. Did you mean to set out_dims= to None for output?")
            if od is None:
                stacked.append(vals[0])
            else:
                from .ops.shape import stack
                stacked.append(stack(list(vals), dim=od))
        return _unflatten(stacked, out_spec)
    return wrapped


def _name(func):
    return getattr(func, '__name__', repr(func))


# --- reverse mode --------------------------------------------------------------------------------------
def _track(x):
    """x as a tensor autograd differentiates with respect to: a differentiable alias when an outer
    transform is already tracking x (so the result stays in its graph), a fresh leaf otherwise."""
    if not isinstance(x, Tensor):
        return x
    return x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)


def _argnums_tuple(argnums, nargs, fn):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{fn}: argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"{fn}: argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnums={a}, but only {nargs} positional inputs")
    return tuple(a % nargs for a in nums)


def _grads(outputs, inputs, grad_outputs, create_graph):
    """Gradients of outputs w.r.t. inputs; zeros for inputs the outputs do not depend on."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    diff = [i for i, x in enumerate(inputs) if x.requires_grad]
    res = [None] * len(inputs)
    if pairs and diff:
        got = _autograd_grad([o for o, _ in pairs], [inputs[i] for i in diff], [g for _, g in pairs],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
        for i, g in zip(diff, got):
            res[i] = g
    from .ops.creation import zeros_like
    return [zeros_like(x) if g is None else g for x, g in zip(inputs, res)]


def _prepare(args, argnums, fn):
    nums = _argnums_tuple(argnums, len(args), fn)
    args = list(args)
    tracked, specs, nested = [], [], False
    for a in nums:
        leaves, spec = _flatten(args[a])
        nested = nested or any(isinstance(x, Tensor) and x.requires_grad for x in leaves)
        leaves = [_track(x) for x in leaves]
        args[a] = _unflatten(leaves, spec)
        tracked.append(leaves)
        specs.append(spec)
    return args, nums, tracked, specs, nested


def _pack(per_arg, specs, argnums):
    trees = [_unflatten(g, s) for g, s in zip(per_arg, specs)]
    return trees[0] if isinstance(argnums, int) else tuple(trees)


def grad_and_value(func, argnums=0, has_aux=False):
    """Returns a function to compute a tuple of the gradient and primal, or forward, computation.

    Args:
        func (Callable): A Python function that takes one or more arguments. Must return a single-element
            Tensor. If specified ``has_aux`` equals ``True``, function can return a tuple of single-element
            Tensor and other auxiliary objects: ``(output, aux)``.
        argnums (int or Tuple[int]): Specifies arguments to compute gradients with respect to.
        has_aux (bool): Flag indicating that ``func`` returns a tensor and other auxiliary objects.

    Returns:
        ``(grad, value)`` (``(grad, (value, aux))`` with has_aux), where grad has the structure of the
        arguments selected by argnums.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with enable_grad():
            args, nums, tracked, specs, nested = _prepare(args, argnums, 'grad_and_value(f)(*args)')
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.ndim != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            flat = [x for leaves in tracked for x in leaves]
            from .ops.creation import ones_like
            gs = _grads([out], flat, [ones_like(out)], nested)
        per_arg, k = [], 0
        for leaves in tracked:
            per_arg.append(gs[k:k + len(leaves)])
            k += len(leaves)
        g = _pack(per_arg, specs, argnums)
        value = out if nested else out.detach()
        return (g, (value, aux)) if has_aux else (g, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``grad`` operator helps computing gradients of ``func`` with respect to the input(s) specified by
    ``argnums``. This operator can be nested to compute higher-order gradients.

    Args:
        func (Callable): A Python function that takes one or more arguments. Must return a single-element
            Tensor. If specified ``has_aux`` equals ``True``, function can return a tuple of single-element
            Tensor and other auxiliary objects: ``(output, aux)``.
        argnums (int or Tuple[int]): Specifies arguments to compute gradients with respect to. Default: 0.
        has_aux (bool): Flag indicating that ``func`` returns a tensor and other auxiliary objects.

    Returns:
        Function to compute gradients with respect to its inputs (and the aux objects with has_aux).
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        res = gv(*args, **kwargs)
        if has_aux:
            g, (_, aux) = res
            return g, aux
        return res[0]
    return wrapper


def vjp(func, *primals, has_aux=False):
    """Standing for the vector-Jacobian product, returns a tuple containing the results of ``func`` applied
    to ``primals`` and a function that, when given ``cotangents``, computes the reverse-mode Jacobian of
    ``func`` with respect to ``primals`` times ``cotangents``.

    Returns:
        ``(output, vjp_fn)`` (``(output, vjp_fn, aux)`` with has_aux); ``vjp_fn(cotangents)`` returns a
        tuple with one gradient per primal, each with that primal's structure.
    """
    with enable_grad():
        args, nums, tracked, specs, nested = _prepare(primals, tuple(range(len(primals))), 'vjp')
        out = func(*args)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) if "
                                   "has_aux is True")
            out, aux = out
    out_leaves, out_spec = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has only Tensors as outputs; "
                               f"got an output of type {type(o)}")
    flat = [x for leaves in tracked for x in leaves]

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct_leaves, _ = _flatten(cotangents)
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               "outputs to the function")
        with enable_grad():
            gs = _grads(out_leaves, flat, ct_leaves,
                        nested or any(isinstance(c, Tensor) and c.requires_grad for c in ct_leaves))
        per_arg, k = [], 0
        for leaves in tracked:
            per_arg.append(gs[k:k + len(leaves)])
            k += len(leaves)
        return tuple(_unflatten(g, s) for g, s in zip(per_arg, specs))

    shown = out if nested else _unflatten([o.detach() for o in out_leaves], out_spec)
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Standing for the Jacobian-vector product, returns a tuple containing the output of ``func(*primals)``
    and the "Jacobian of ``func`` evaluated at ``primals``" times ``tangents``. Computed with the double-vjp
    trick (ember has no forward-mode autodiff).

    Args:
        primals (Tensors): Positional arguments to ``func`` that must all be Tensors (a tuple).
        tangents (Tensors): The "vector" for which Jacobian-vector-product is computed; the same structure
            and sizes as primals.
    """
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    p_leaves, _ = _flatten(primals)
    t_leaves, _ = _flatten(tangents)
    if len(p_leaves) != len(t_leaves):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           "structure.")
    for p, t in zip(p_leaves, t_leaves):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same shape. "
                               f"Got primal of shape {tuple(p.shape)} and tangent of shape {tuple(t.shape)}")
    with enable_grad():
        args, nums, tracked, specs, nested = _prepare(primals, tuple(range(len(primals))), 'jvp')
        out = func(*args)
        aux = None
        if has_aux:
            out, aux = out
        out_leaves, out_spec = _flatten(out)
        flat = [x for leaves in tracked for x in leaves]
        from .ops.creation import zeros_like
        # u is a dummy cotangent: g(u) = J^T u is linear in u, so d<g(u), t>/du = J t.
        us = [zeros_like(o).requires_grad_(True) for o in out_leaves]
        g = _grads(out_leaves, flat, us, True)
        pairs = [(gi, ti) for gi, ti in zip(g, t_leaves) if gi.requires_grad]
        need = nested or any(t.requires_grad for t in t_leaves)
        if pairs:
            jv = _autograd_grad([a for a, _ in pairs], us, [b for _, b in pairs], retain_graph=True,
                                create_graph=need, allow_unused=True)
        else:
            jv = [None] * len(us)
        jv = [zeros_like(o) if j is None else j for o, j in zip(out_leaves, jv)]
    if not need:
        out_leaves = [o.detach() for o in out_leaves]
        jv = [j.detach() for j in jv]
    res = (_unflatten(out_leaves, out_spec), _unflatten(jv, out_spec))
    return res + (aux,) if has_aux else res


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Computes the Jacobian of ``func`` with respect to the arg(s) at index ``argnum`` using reverse-mode
    autodiff (one vector-Jacobian product per output element).

    Returns:
        A function with the same inputs as ``func`` returning the Jacobian: for each output (its structure
        kept), output.shape + input.shape; a tuple over argnums when argnums is a tuple.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with enable_grad():
            args, nums, tracked, specs, nested = _prepare(args, argnums, 'jacrev')
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            out_leaves, out_spec = _flatten(out)
            flat = [x for leaves in tracked for x in leaves]
            from .ops.creation import zeros_like
            from .ops.shape import stack
            per_out = []
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"jacrev(f, ...)(*args): Expected f to be a function that has only Tensors "
                                       f"as outputs; got an output of type {type(o)}")
                rows = []
                for k in range(o.numel()):
                    e = zeros_like(o)
                    e.view(-1)[k] = 1
                    rows.append(_grads([o], flat, [e], nested))
                jac = []
                for j, x in enumerate(flat):
                    if rows:
                        jj = stack([r[j] for r in rows]).reshape(tuple(o.shape) + tuple(x.shape))
                    else:
                        from .ops.creation import zeros
                        jj = zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
                    jac.append(jj if nested else jj.detach())
                per_arg, k = [], 0
                for leaves in tracked:
                    per_arg.append(jac[k:k + len(leaves)])
                    k += len(leaves)
                per_out.append(_pack(per_arg, specs, argnums))
        res = _unflatten(per_out, out_spec)
        return (res, aux) if has_aux else res
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness='error'):
    """Computes the Jacobian of ``func`` with respect to the arg(s) at index ``argnum``. torch uses
    forward-mode autodiff; ember computes the same Jacobian in reverse mode (see :func:`jacrev`)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """Computes the Hessian of ``func`` with respect to the arg(s) at index ``argnum``: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)


# --- modules as functions ----------------------------------------------------------------------------
def _swap(module, name, value):
    """Puts value at the dotted name in module; returns a function that puts the old entry back."""
    *path, leaf = name.split('.')
    mod = module
    for p in path:
        mod = getattr(mod, p)
    for table in ('_parameters', '_buffers'):
        d = mod.__dict__.get(table)
        if d is not None and leaf in d:
            old = d[leaf]
            d[leaf] = value

            def restore(d=d, old=old):
                d[leaf] = old
            return restore
    had = leaf in mod.__dict__
    old = mod.__dict__.get(leaf)
    object.__setattr__(mod, leaf, value)

    def restore_attr():
        if had:
            object.__setattr__(mod, leaf, old)
        else:
            object.__delattr__(mod, leaf)
    return restore_attr


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Performs a functional call on the module by replacing the module parameters and buffers with the
    provided ones.

    Args:
        module (torch.nn.Module): the module to call
        parameter_and_buffer_dicts (Dict[str, Tensor] or tuple of Dict[str, Tensor]): the parameters that
            will be used in the module call (by dotted name, as in named_parameters()).
        args (Any or tuple): arguments to be passed to the module call. If not a tuple, considered a single
            argument.
        kwargs (dict): keyword arguments to be passed to the module call
        tie_weights (bool, optional): If True, then parameters and buffers tied in the original model will
            be treated as tied in the reparametrized version. Default: True.
        strict (bool, optional): If True, then the parameters and buffers passed in must match the
            parameters and buffers in the original module. Default: False.

    Returns:
        Any: the result of calling ``module``. The module's own parameters are restored afterwards.
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = dict(parameter_and_buffer_dicts)
    else:
        values = {}
        for d in parameter_and_buffer_dicts:
            dup = set(values) & set(d)
            if dup:
                raise ValueError(f"{sorted(dup)} appeared in multiple dictionaries; behavior of functional call "
                                 "is ambiguous")
            values.update(d)
    own = dict(module.named_parameters(remove_duplicate=False))
    own.update(dict(module.named_buffers(remove_duplicate=False)))
    if strict:
        missing = [k for k in own if k not in values]
        unexpected = [k for k in values if k not in own]
        if missing or unexpected:
            msg = []
            if unexpected:
                msg.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
            if missing:
                msg.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(msg))
    if tie_weights:
        by_id = {}
        for k, t in own.items():
            by_id.setdefault(id(t), []).append(k)
        for k in list(values):
            if k in own:
                for other in by_id[id(own[k])]:
                    values.setdefault(other, values[k])
    restores = []
    try:
        for k, v in values.items():
            restores.append(_swap(module, k, v))
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for r in reversed(restores):
            r()


def stack_module_state(models):
    """Prepares a list of torch.nn.Modules for ensembling with :func:`vmap`: returns two dictionaries
    (params, buffers) mapping each name to the models' tensors stacked along a new leading dimension."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    from .ops.shape import stack
    names = [n for n, _ in models[0].named_parameters()]
    params = {n: stack([dict(m.named_parameters())[n].detach() for m in models]).requires_grad_(
        dict(models[0].named_parameters())[n].requires_grad) for n in names}
    buffers = {n: stack([dict(m.named_buffers())[n] for m in models]) for n, _ in models[0].named_buffers()}
    return params, buffers
