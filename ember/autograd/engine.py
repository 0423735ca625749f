"""The backward walk: iterative, newest node first, freeing as it goes.

Nodes are numbered as they are created, and every node's inputs were made before it, so popping
the highest number from a heap visits each node only after everything that feeds it a gradient.
No recursion (deep graphs are fine) and no separate topological sort. A node whose gradient is
complete and whose successor is the only one pending skips the heap (the chain case).
"""
import heapq
import itertools
from .graph import _wrap
from .grad_mode import _enabled
from ..backend import xp_of, _BY_ARRAY_TYPE
from .graph import FREED, PostAccumulateHook, Op
from .anomaly_mode import _anomaly, check_node_outputs


def sum_to(xp, g, shape):
    """Sum a broadcast gradient back down to an input's shape (the one place that unbroadcasts)."""
    lead = len(g.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = xp.sum(g, axis=axes)
    if tuple(g.shape) != tuple(shape):
        g = xp.reshape(g, shape)
    return g


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None, raw_grads=False):
    """Propagate root_grads from roots through the graph.

    Without `inputs`, gradients are accumulated into the .grad of the leaves reached.
    With `inputs` (tensors, leaf or not), nothing is accumulated: the gradient reaching each
    input is returned instead (None where none arrives). raw_grads: root_grads are arrays, not Tensors."""
    graph_mode = bool(create_graph)
    gxp = None
    if graph_mode:
        from .graph_xp import xp as gxp
    token = _enabled.set(graph_mode)
    try:
        pending = {}      # node -> its gradient (one output) or [grad per output]
        heap = []
        leaf_grads = {}   # id(leaf) -> [leaf, grad]
        capture = results = None
        if inputs is not None:
            capture = {}
            for k, t in enumerate(inputs):
                capture.setdefault(id(t) if t.grad_fn is None else (t.grad_fn, t._nr), []).append(k)
            results = [None] * len(inputs)
        shared = set()    # ids of arrays that a .grad must not alias

        node = None
        for t, g in zip(roots, root_grads):
            if not graph_mode:
                if not raw_grads:
                    g = g._data
                shared.add(id(g))
            fn = t.grad_fn
            if fn is None:
                _add_leaf(leaf_grads, t, g)
            elif len(roots) == 1 and fn.out_meta is None:
                node = fn   # one root, one output (loss.backward()): the walk starts there, no heap needed
            else:
                _add_pending(pending, heap, fn, t._nr, g)

        heappop, pending_pop, leaf_get, xp_get = heapq.heappop, pending.pop, leaf_grads.get, _BY_ARRAY_TYPE.get
        anomaly = _anomaly   # the list itself: the flag is read per node
        g_type = bxp = None
        while node is not None or heap:
            if node is None:   # else: the chain fast path below handed us the next node directly
                node = heappop(heap)[2]
                g = pending_pop(node)
            # g: the gradient of a one-output node; multi-output nodes (out_meta set) pend a list
            grads = None
            if node.out_meta is not None or node.out_hooks or capture is not None:
                multi = node.out_meta is not None
                grads = g if multi else [g]
                if node.out_hooks:
                    grads = _run_output_hooks(node, grads, graph_mode, shared)
                if capture is not None:
                    for nr, go in enumerate(grads):
                        for k in capture.get((node, nr), ()):
                            results[k] = go
                if multi:
                    grads = [_zeros_for(node, nr, graph_mode) if go is None else go for nr, go in enumerate(grads)]
                g = grads[0]
            saved = node.saved
            if saved is FREED:
                node.check_saved()
            else:
                saved_from = node.saved_from
                if saved_from:
                    for src in saved_from:   # inline: every saved input still at the version it was saved at
                        if src is not None and src[1][0] != src[2]:
                            node.check_saved()
            if graph_mode:
                raw = node.saved
                node.saved = node.saved_as_tensors()
                try:
                    in_grads = node.backward(gxp, g) if grads is None else node.backward(gxp, *grads)
                finally:
                    node.saved = raw
            else:
                if type(g) is not g_type:   # the array module, looked up again only when the array type changes
                    g_type = type(g)
                    bxp = xp_get(g_type) or xp_of(g)
                in_grads = node.backward(bxp, g) if grads is None else node.backward(bxp, *grads)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if node.hooks:
                for h in node.hooks:
                    r = h(in_grads, tuple(grads or (g,)))
                    if r is not None:
                        in_grads = tuple(r)
            if anomaly[0]:
                check_node_outputs(node, in_grads)
            if saved and not retain_graph:
                if type(node).release is _op_release:
                    node.saved = FREED   # Op.release, inlined (a method call per node costs more)
                else:
                    node.release()
            nxt = None
            for parent, g, shape in zip(node.parents, in_grads, node.in_shapes or _NO_SHAPES):
                if parent is None or g is None:
                    continue
                if shape is not None and g.shape != shape:
                    g = sum_to(gxp if graph_mode else xp_of(g), g, shape)
                if type(parent) is tuple:
                    p, nr = parent
                    # Chain fast path: a parent not yet pending and newer than everything on the heap
                    # would be popped next anyway, and nothing else can still feed it.
                    if nxt is None:
                        if (nr == 0 and p.out_meta is None and p not in pending
                                and (not heap or p.seq > -heap[0][0])):
                            nxt = p
                            nxt_g = g
                        else:
                            _add_pending(pending, heap, p, nr, g)
                    elif nxt is p:
                        nxt_g = nxt_g + g
                    else:
                        _add_pending(pending, heap, p, nr, g)
                else:
                    e = leaf_get(id(parent))
                    if e is None:
                        leaf_grads[id(parent)] = [parent, g]
                    else:
                        e[1] = e[1] + g
            if nxt is not None:
                if heap and (nxt in pending or -heap[0][0] > nxt.seq):
                    # another parent of this node went onto the heap after nxt was chosen: queue nxt too
                    _add_pending(pending, heap, nxt, 0, nxt_g)
                    nxt = None
                else:
                    g = nxt_g
            node = nxt

        for t, g in leaf_grads.values():
            if t._hooks:
                g = _call_hooks(t._hooks, g, graph_mode)
            if capture is None:
                if (t._grad is None and not graph_mode and type(g) is type(t._data) and g.base is None
                        and g.dtype == t._data.dtype and id(g) not in shared):
                    t._grad = _wrap(g, None)   # the common first gradient: a fresh array of t's type
                    shared.add(id(g))          # (another leaf handed the same array copies it)
                else:
                    accumulate_grad(t, g, graph_mode, shared)
                if t._hooks:
                    _call_post_accumulate_hooks(t)
            else:
                for k in capture.get(id(t), ()):
                    results[k] = g
        return results
    finally:
        _enabled.reset(token)


_op_release = Op.release
_NO_SHAPES = itertools.repeat(None)   # in_shapes of a node that records none (endless: zip stops at parents)


def _add_pending(pending, heap, node, nr, g):
    """Add g to what node's output nr has pending: the gradient itself for one-output nodes, a list of
    one per output for the others."""
    if node.out_meta is None:
        old = pending.get(node)
        if old is None:
            pending[node] = g
            heapq.heappush(heap, (-node.seq, id(node), node))
        else:
            pending[node] = old + g
        return
    lst = pending.get(node)
    if lst is None:
        lst = pending[node] = [None] * len(node.out_meta)
        heapq.heappush(heap, (-node.seq, id(node), node))
    old = lst[nr]
    lst[nr] = g if old is None else old + g


def _add_leaf(leaf_grads, t, g):
    e = leaf_grads.get(id(t))
    if e is None:
        leaf_grads[id(t)] = [t, g]
    else:
        e[1] = e[1] + g


def _zeros_for(node, nr, graph_mode):
    shape, dtype, xp = node.out_meta[nr]
    z = xp.zeros(shape, dtype)
    return _wrap(z, xp) if graph_mode else z


def _call_post_accumulate_hooks(t):
    for h in list(t._hooks):
        if type(h) is PostAccumulateHook and h.fn(t) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _call_hooks(hooks, g, graph_mode):
    """Tensor hooks: each sees the gradient as a Tensor and may return a replacement."""
    hooks = [h for h in hooks if type(h) is not PostAccumulateHook]
    if not hooks:
        return g
    if not graph_mode and not getattr(g.flags, 'writeable', True):   # e.g. the shared ones of loss.backward()
        g = g.copy()
    for h in list(hooks):
        r = h(g if graph_mode else _wrap(g, xp_of(g)))
        if r is not None:
            g = r if graph_mode else r._data
    return g


def _run_output_hooks(node, grads, graph_mode, shared):
    grads = list(grads)
    for nr, (hooks, retain) in node.out_hooks.items():
        if nr == 'pre':   # the node's own pre-hooks (register_prehook): after the tensors' hooks, below
            continue
        g = grads[nr]
        if g is None:
            continue
        if hooks:
            g = grads[nr] = _call_hooks(hooks, g, graph_mode)
        t = retain() if retain is not None else None
        if t is not None:
            accumulate_grad(t, g, graph_mode, shared)
    pre = node.out_hooks.get('pre')
    if pre is not None:
        wrap = (lambda g: g) if graph_mode else (lambda g: None if g is None else _wrap(g, xp_of(g)))
        for h in list(pre[0]):
            r = h(tuple(wrap(g) for g in grads))
            if r is not None:
                grads = [g if graph_mode or g is None else g._data for g in r]
    return grads


def accumulate_grad(t, g, graph_mode, shared=None):
    """t.grad += g, as torch does: the first gradient is stored, later ones are added."""
    if graph_mode:
        t._grad = g if t._grad is None else t._grad + g
        return
    xp = _BY_ARRAY_TYPE.get(type(g)) or xp_of(g)
    if type(g) is not xp.ndarray:
        g = xp.asarray(g)
    if t._grad is None:
        # A formula may hand one array to two inputs (add), or a view of the caller's gradient:
        # copy those, so that in-place work on one .grad never changes another tensor.
        if shared is None or id(g) in shared or g.base is not None:
            g = g.copy()
        if shared is not None:
            shared.add(id(g))
        if g.dtype != t._data.dtype:
            g = g.astype(t._data.dtype)
        t._grad = _wrap(g, xp)
    else:
        # torch adds in place when not building a graph, so a .grad with history keeps it; a new array
        # (not +=) so that no alias of the old gradient changes
        old = t._grad
        # asarray: the sum of two 0-d arrays is a NumPy scalar
        old._data = xp.asarray(old._data + g, dtype=old._data.dtype)
