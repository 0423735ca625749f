"""Graph nodes. Every differentiable op is an `Op` subclass with forward and backward side by side.

forward(self, xp, *arrays, **params) computes on raw arrays (xp is numpy or cupy) and saves
what backward needs with `self.save_for_backward(...)`.
backward(self, xp, *grads) returns one gradient per array input (None where there is none).
Gradients of multi-input ops may have the broadcast shape: the engine sums them back to each
input's shape. A one-input op returns its input's shape unless it sets `sums_to_input = True`
(expand, repeat), which hands that reduction to the engine too.
It is written once over `xp`: plain backward passes the array library and the formula runs on
raw arrays; backward with create_graph=True passes ember's differentiable stand-in (graph_xp)
and `self.saved` holds Tensors, so the same formula records a graph for higher-order grads.

A node holds no input Tensors (activations are freed as soon as nothing needs them): only
edges to the nodes that made its inputs, or to leaf tensors that accumulate grads.
"""
import itertools
import re
from ..backend import xp_of, _BY_ARRAY_TYPE
from .grad_mode import _enabled

_seq = itertools.count()
_NO = object()   # apply's marker for an absent second input (None is a real input: an optional one)
FREED = ('freed',)


class Op:
    __slots__ = ('parents', 'seq', 'saved', 'saved_from', 'in_shapes', 'out_meta', 'hooks', '_meta',
                 'out_hooks', '__weakref__')
    differentiable_outputs = None  # multi-output ops: tuple of flags, False for outputs like indices
    sums_to_input = False          # a one-input op whose backward leaves the unbroadcast to the engine

    # --- written by each op -------------------------------------------------------------
    def forward(self, xp, *args, **params):
        raise NotImplementedError

    def backward(self, xp, *grads):
        raise NotImplementedError

    def save_for_backward(self, *arrays):
        self.saved = arrays

    # --- the hot path -------------------------------------------------------------------
    @classmethod
    def apply(cls, a=None, b=_NO, *more, **params):
        """Run forward on the inputs' arrays, wrap the result, record a node if grads are needed."""
        node = _new_tensor(cls)
        node.saved = ()
        if more or type(a) is not Tensor or (b is not _NO and type(b) is not Tensor):
            inputs = (a,) if b is _NO else (a, b) + more
            return node._apply_general(cls, inputs, params)
        # The common calls, one or two plain Tensors: no general loop, direct calls, the record inlined
        ad = a._data
        xp = _BY_ARRAY_TYPE.get(type(ad)) or xp_of(ad)
        try:
            if b is _NO:
                b = None
                out = node.forward(xp, ad, **params) if params else node.forward(xp, ad)
                requires = a._req
            else:
                bd = b._data
                out = node.forward(xp, ad, bd, **params) if params else node.forward(xp, ad, bd)
                requires = a._req or b._req
        except ValueError as e:
            if 'broadcast' not in str(e):
                raise
            raise RuntimeError(_broadcast_message(cls, [a._data] if b is None else [a._data, b._data])) from None
        if not (requires and _enabled.get()):
            if type(out) is not type(ad):   # several outputs, or a NumPy scalar from a 0-d result
                if type(out) is tuple:
                    return tuple(_wrap(o, xp) for o in out)
                out = xp.asarray(out)
            res = _new_tensor(Tensor)
            res._data = out
            res._req = False
            res._grad = res.grad_fn = res._view = res._hooks = None
            res._nr = 0
            res._vc = [0]
            return res
        if type(out) is tuple:
            node._record((a,) if b is None else (a, b), (ad,) if b is None else (ad, bd))
            return node._wrap_outputs(cls, out, xp)

        node.seq = next(_seq)
        # the edges (see _edge), inlined: this is the hottest line of the library
        if a._req:
            if a._view is not None and a._view[2] != a._vc[0]:
                a._refresh_view()
            ea = a if a.grad_fn is None else (a.grad_fn, a._nr)
        else:
            ea = None
        if b is None:
            node.parents = [ea]
            node.in_shapes = [ad.shape] if cls.sums_to_input else None
        else:
            if b._req:
                if b._view is not None and b._view[2] != b._vc[0]:
                    b._refresh_view()
                eb = b if b.grad_fn is None else (b.grad_fn, b._nr)
            else:
                eb = None
            node.parents = [ea, eb]
            sa = ad.shape
            sb = bd.shape
            # same shapes in and out: nothing was broadcast, the engine need not compare shapes
            node.in_shapes = None if sa == sb and out.shape == sa else [sa, sb]
        node.hooks = node.out_hooks = node.out_meta = None
        saved = node.saved
        if type(out) is not xp.ndarray:   # a NumPy scalar: the saved copy must be the output array too
            raw, out = out, xp.asarray(out)
            if saved:
                saved = node.saved = tuple(out if s is raw else s for s in saved)
        res = _new_tensor(Tensor)
        res._data = out
        res._req = True
        res._grad = res._view = res._hooks = None
        res.grad_fn = node
        res._nr = 0
        vc = res._vc = [0]
        if saved:
            # identity, not equality: a saved input (or the output) is its array
            src = []
            for s in saved:
                if s is out:
                    src.append((-1, vc, 0))
                elif s is ad:
                    src.append((0, a._vc, a._vc[0]))
                elif b is not None and s is bd:
                    src.append((1, b._vc, b._vc[0]))
                else:
                    src.append(None)
            node.saved_from = src
        else:
            node.saved_from = None
        return res

    def _apply_general(self, cls, inputs, params):
        node = self
        try:
            arrays = []
            requires = False
            for t in inputs:
                if type(t) is Tensor or isinstance(t, Tensor):
                    arrays.append(t._data)
                    if t._req:
                        requires = True
                else:
                    arrays.append(t)
            xp = _BY_ARRAY_TYPE.get(type(arrays[0])) or xp_of(arrays[0])
            out = node.forward(xp, *arrays, **params)
        except ValueError as e:
            if 'broadcast' not in str(e):
                raise
            raise RuntimeError(_broadcast_message(cls, [getattr(t, '_data', t) for t in inputs])) from None
        if not (requires and _enabled.get()):
            if type(out) is tuple:
                return tuple(_wrap(o, xp) for o in out)
            return _wrap(out, xp)
        node._record(inputs, arrays)
        if type(out) is tuple:
            return node._wrap_outputs(cls, out, xp)
        if type(out) is not xp.ndarray:   # a NumPy scalar: the saved copy must be the output array too
            raw, out = out, xp.asarray(out)
            node.saved = tuple(out if s is raw else s for s in node.saved)
        res = _wrap_out(out, xp, node, 0, True)
        saved = node.saved
        if saved:
            k = 0
            for s in saved:
                if s is out:
                    node.saved_from[k] = (-1, res._vc, 0)
                k += 1
        return res

    def _wrap_outputs(self, cls, out, xp):
        node = self
        node.out_meta = tuple((o.shape, o.dtype, xp) for o in out)
        flags = cls.differentiable_outputs or (True,) * len(out)
        outs = tuple(_wrap_out(o, xp, node, i, f) for i, (o, f) in enumerate(zip(out, flags)))
        if node.saved:
            node._note_saved_outputs(out, outs)
        return outs

    @property
    def needs(self):
        """Which inputs need a gradient (backward formulas skip the others)."""
        return [p is not None for p in self.parents]

    def _record(self, inputs, arrays):
        """Edges to whatever made each input (a leaf Tensor, or (node, output number)), and for each
        saved array that is an input, the input's version now (checked again before backward)."""
        self.seq = next(_seq)
        parents = []
        saved = self.saved
        src = [None] * len(saved) if saved else None
        i = 0
        for t in inputs:
            if type(t) is Tensor or isinstance(t, Tensor):
                parents.append(_edge(t))
                if saved:
                    a = t._data
                    k = 0
                    for s in saved:   # identity, not equality: a saved input is its array
                        if s is a:
                            src[k] = (i, t._vc, t._vc[0])
                        k += 1
            else:
                parents.append(None)
            i += 1
        self.parents = parents
        self.saved_from = src
        # the engine reduces a broadcast gradient to its input's shape; one input cannot broadcast
        self.in_shapes = [a.shape if hasattr(a, 'shape') else () for a in arrays] \
            if len(arrays) > 1 or self.sums_to_input else None
        self.hooks = self.out_hooks = self.out_meta = None

    def _note_saved_outputs(self, out_arrays, out_tensors):
        src = self.saved_from
        if src is None:
            src = self.saved_from = [None] * len(self.saved)
        for k, s in enumerate(self.saved):
            if src[k] is None:
                for j, o in enumerate(out_arrays):
                    if o is s:
                        src[k] = (-1 - j, out_tensors[j]._vc, 0)

    # --- used by the engine ----------------------------------------------------------------
    def check_saved(self):
        if self.saved is FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after "
                "they have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        saved_from = self.saved_from
        if saved_from:
            for src in saved_from:
                if src is not None and src[1][0] != src[2]:
                    break
            else:
                return
            for k, src in enumerate(saved_from):
                if src is not None and src[1][0] != src[2]:
                    a = self.saved[k]
                    # named by the node that made the saved tensor, as torch names it
                    maker = (self, -1 - src[0]) if src[0] < 0 else self.parents[src[0]]
                    # torch names the forward op: "output 0 of Sigmoid" for a SigmoidBackward0 node
                    op = re.sub(r'Backward\d*$', '', maker[0].name()) if type(maker) is tuple else ''
                    which = f", which is output {maker[1]} of {op}," if op else ""
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified by an inplace "
                        f"operation: [{_type_name(a)} {list(a.shape)}]{which} is at version {src[1][0]}; "
                        f"expected version {src[2]} instead. Hint: enable anomaly detection to find the operation "
                        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
                        "check_nan=False).")

    def saved_as_tensors(self):
        """The saved arrays as Tensors wired into the graph (for create_graph=True)."""
        out = []
        for k, a in enumerate(self.saved):
            src = self.saved_from[k] if self.saved_from else None
            if src is None:
                out.append(_wrap(a, xp_of(a)) if hasattr(a, 'shape') else a)
            elif src[0] < 0:
                out.append(_wrap_out(a, xp_of(a), self, -1 - src[0], True, share_version=src[1]))
            else:
                p = self.parents[src[0]]
                if p is None:
                    out.append(_wrap(a, xp_of(a)))
                elif isinstance(p, Tensor):
                    out.append(p)
                else:
                    out.append(_wrap_out(a, xp_of(a), p[0], p[1], True))
        return tuple(out)

    def release(self):
        if self.saved:
            self.saved = FREED

    @classmethod
    def name(cls):
        return cls.__name__ + 'Backward0'

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return tuple((None, 0) if p is None else ((AccumulateGrad(p), 0) if isinstance(p, Tensor) else p)
                     for p in self.parents)

    def register_hook(self, fn):
        """Hook called as fn(grad_inputs, grad_outputs) after this node's backward."""
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)
        return _RemovableHandle(self.hooks, fn)

    def register_prehook(self, fn):
        """Hook called as fn(grad_outputs) before this node's backward; it may return replacements."""
        return self.add_output_hook('pre', fn)

    @property
    def metadata(self):
        """A dict for the user's own notes on this node (torch's Node.metadata)."""
        try:
            return self._meta
        except AttributeError:
            self._meta = {}
            return self._meta

    requires_grad = True   # a node exists only for outputs that require grad

    def _sequence_nr(self):
        return self.seq

    def add_output_hook(self, nr, fn=None, retain=None):
        """Hooks of a non-leaf tensor live on the node that made it, by output number."""
        if self.out_hooks is None:
            self.out_hooks = {}
        hooks, old_retain = self.out_hooks.get(nr, ([], None))
        if fn is not None:
            hooks.append(fn)
        self.out_hooks[nr] = (hooks, retain or old_retain)
        return _RemovableHandle(hooks, fn)


class AccumulateGrad:
    """What torch shows in next_functions for a leaf tensor."""
    __slots__ = ('variable',)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)


class PostAccumulateHook:
    """A leaf's post-accumulate-grad hook, kept in the leaf's hook list beside its gradient hooks."""
    __slots__ = ('fn',)

    def __init__(self, fn):
        self.fn = fn


class _RemovableHandle:
    __slots__ = ('lst', 'fn')

    def __init__(self, lst, fn):
        self.lst, self.fn = lst, fn

    def remove(self):
        if self.fn in self.lst:
            self.lst.remove(self.fn)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.remove()


_RENAMED = {}


def renamed(t, name):
    """Show t's node under torch's name for a composite op (`grad_fn` and repr only: the node's math is its
    own). The node becomes an instance of a slot-less subclass that only overrides name(); returns t."""
    fn = t.grad_fn if isinstance(t, Tensor) else None
    if fn is not None and fn.name() != name:
        cls = type(fn)
        sub = _RENAMED.get((cls, name))
        if sub is None:
            sub = _RENAMED[(cls, name)] = type(cls.__name__, (cls,), {
                '__slots__': (), '__module__': cls.__module__, 'name': classmethod(lambda c: name)})
        fn.__class__ = sub
    return t


def _edge(t):
    """What a node holds for its input t: None (no gradient needed), the leaf itself, or (node, output nr).
    A view whose storage changed in place since its history was taken gets that history anew first."""
    if not t._req:
        return None
    if t._view is not None and t._view[2] != t._vc[0]:
        t._refresh_view()
    fn = t.grad_fn
    return t if fn is None else (fn, t._nr)


def _broadcast_message(cls, arrays):
    """torch's words for shapes that do not broadcast, naming the op."""
    shapes = [tuple(a.shape) for a in arrays if hasattr(a, 'shape')]
    a, b = (shapes + [(), ()])[:2]
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            return (f"{cls.name()[:-9].lower() or cls.__name__}: The size of tensor a ({pa[d]}) must match the size "
                    f"of tensor b ({pb[d]}) at non-singleton dimension {d}")
    return f"{cls.__name__}: shapes {' and '.join(str(list(s)) for s in shapes)} cannot be broadcast together"


def _type_name(a):
    from .._dtype import from_numpy_dtype
    return {'float32': 'torch.FloatTensor', 'float64': 'torch.DoubleTensor', 'float16': 'torch.HalfTensor',
            'int64': 'torch.LongTensor', 'int32': 'torch.IntTensor'}.get(from_numpy_dtype(a.dtype).name, 'torch.Tensor')


def _wrap(a, xp):
    """A Tensor around an array, with no history (NumPy scalars become 0-d arrays)."""
    if xp is not None and type(a) is not xp.ndarray:
        a = xp.asarray(a)
    t = _new_tensor(Tensor)
    t._data = a
    t._req = False
    t._grad = None
    t.grad_fn = None
    t._nr = 0
    t._vc = [0]
    t._view = None
    t._hooks = None
    return t


def _wrap_out(a, xp, node, nr, differentiable, share_version=None):
    if xp is not None and type(a) is not xp.ndarray:
        a = xp.asarray(a)
    t = _new_tensor(Tensor)
    t._data = a
    t._grad = None
    t._view = None
    t._hooks = None
    t._vc = share_version if share_version is not None else [0]
    if differentiable:
        t._req = True
        t.grad_fn = node
        t._nr = nr
    else:
        t._req = False
        t.grad_fn = None
        t._nr = 0
    return t


_new_tensor = object.__new__
Tensor = None  # set by ember.tensor once the class exists (the tensor module imports this one)


def _bind_tensor(cls):
    global Tensor
    Tensor = cls
