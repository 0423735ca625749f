"""torch.autograd.Function: user-defined ops with static forward(ctx, ...) and backward(ctx, ...).

The node in the graph is the ctx itself (as in torch): an Op whose backward calls the user's
static backward with Tensors. Saved tensors are kept as Tensors (so a backward written with ember
ops is differentiable again under create_graph) and their versions are checked on access.
"""
from .graph import Op, FREED, _wrap, _wrap_out
from . import graph as _graph
from .grad_mode import no_grad, is_grad_enabled

__all__ = ['Function', 'FunctionCtx', 'once_differentiable']


class FunctionCtx:
    """What forward and backward receive as ctx; extra attributes may be set freely (ctx.scale = 2)."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, _graph.Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {tensors.index(t)} "
                                f"is of type {type(t).__name__}")
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self._materialize = bool(value)

    @property
    def saved_tensors(self):
        saved = getattr(self, '_saved', ())
        if saved is FREED:
            raise RuntimeError("Trying to backward through the graph a second time (or directly access saved "
                               "tensors after they have already been freed). Saved intermediate values of the graph "
                               "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True "
                               "if you need to backward through the graph a second time or if you need to access "
                               "saved tensors after calling backward.")
        for t, v in zip(saved, getattr(self, '_saved_versions', ())):
            if t is not None and t._vc[0] != v:
                raise RuntimeError("one of the variables needed for gradient computation has been modified by an "
                                   f"inplace operation: [torch.Tensor {list(t.shape)}] is at version "
                                   f"{t._vc[0]}; expected version {v} instead.")
        return saved

    saved_variables = saved_tensors


class _FunctionNode(FunctionCtx, Op):
    """A custom Function's node. It has a __dict__ (unlike built-in ops) so ctx attributes work."""
    fn_cls = None

    def backward(self, xp, *grads):
        cls = self.fn_cls
        graph_mode = xp.name == 'graph'
        gs = []
        for g, meta in zip(grads, self.out_meta):
            if g is None:
                gs.append(_wrap(meta[2].zeros(meta[0], meta[1]), None) if self._materialize else None)
            elif graph_mode:
                gs.append(g)
            else:
                if not getattr(g.flags, 'writeable', True):   # a user's backward may write into its grad_output
                    g = g.copy()
                gs.append(_wrap(g, xp))
        result = cls.backward(self, *gs)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.parents)
        if len(result) < n or any(r is not None for r in result[n:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(result)})")
        out = []
        for i, r in enumerate(result[:n]):
            if r is None or not self.needs[i]:
                out.append(None)
                continue
            if not isinstance(r, _graph.Tensor):
                raise TypeError(f"function {self.name()} returned a gradient of type {type(r).__name__} for input "
                                f"{i}; expected a Tensor or None")
            out.append(r if graph_mode else r._data)
        return tuple(out)

    def check_saved(self):
        self.saved_tensors   # raises if freed or modified

    def saved_as_tensors(self):
        return self.saved

    def release(self):
        self._saved = FREED

    def name(self):
        return self.fn_cls.__name__ + 'Backward'

    def __repr__(self):
        return f"<torch.autograd.function.{self.name()} object at {hex(id(self))}>"


class Function:
    """Subclass with static forward(ctx, *args) and backward(ctx, *grad_outputs); call with .apply."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward
    setup_context = None

    @classmethod
    def apply(cls, *args, **kwargs):
        node_cls = cls.__dict__.get('_node_cls')
        if node_cls is None:
            node_cls = type(cls.__name__ + 'Backward', (_FunctionNode,), {'fn_cls': cls})
            cls._node_cls = node_cls
        ctx = node_cls.__new__(node_cls)
        ctx.saved = ()
        ctx._materialize = True
        ctx._non_diff = ()
        ctx._to_save = ()
        ctx.needs_input_grad = tuple(isinstance(a, _graph.Tensor) and a._req for a in args)
        ctx.hooks = ctx.out_hooks = None
        with no_grad():
            if cls.setup_context is not None:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not (is_grad_enabled() and any(ctx.needs_input_grad)):
            return out
        is_tuple = isinstance(out, tuple)
        outs = out if is_tuple else (out,)
        arrays = [a._data if isinstance(a, _graph.Tensor) else a for a in args]
        ctx._record(args, arrays)
        ctx.in_shapes = [getattr(a, 'shape', ()) for a in arrays]   # a user's backward may return broadcast grads
        ctx.saved_from = None
        ctx.out_meta = tuple((o._data.shape, o._data.dtype, _xp(o)) if isinstance(o, _graph.Tensor)
                             else ((), None, None) for o in outs)
        new_outs = []
        for i, o in enumerate(outs):
            if not isinstance(o, _graph.Tensor):
                new_outs.append(o)
                continue
            diff = id(o) not in ctx._non_diff and o._data.dtype.kind in 'fcV'
            if any(o is a for a in args) or o.grad_fn is not None:
                # an input returned as is: torch returns a new tensor (an alias) with this node as history
                o = _wrap_out(o._data, None, ctx, i, diff, share_version=o._vc)
            elif diff:
                o._req, o.grad_fn, o._nr = True, ctx, i
            new_outs.append(o)
        # saved tensors that are outputs must be the returned (history-carrying) objects
        by_id = {id(a): b for a, b in zip(outs, new_outs)}
        ctx._saved = tuple(by_id.get(id(t), t) for t in ctx._to_save)
        ctx._saved_versions = tuple(t._vc[0] if t is not None else None for t in ctx._saved)
        del ctx._to_save
        # what the engine looks at: saved things to release after use, and a reason to check them first
        ctx.saved = ctx._saved
        ctx.saved_from = [None] if ctx._saved else None
        return tuple(new_outs) if is_tuple else new_outs[0]


def _xp(t):
    from ..backend import xp_of
    return xp_of(t._data)


def once_differentiable(fn):
    """Marks a backward as not differentiable again (ember runs it as is; higher order is not recorded)."""
    def wrapper(ctx, *grads):
        with no_grad():
            return fn(ctx, *grads)
    wrapper.__name__ = fn.__name__
    return wrapper
