"""torch.optim.Optimizer: parameter groups, per-parameter state, hooks, and torch's state_dict layout.

Each optimizer is two small pieces, as in MLX: `_init_state(p, group)` makes one parameter's state,
and `_update(group, params, grads, states)` applies one step to a whole group. Updates run on raw
arrays, in place, under no_grad. Large tensors are walked in cache-sized blocks (`blocks`), so the
few temporaries an update needs stay in cache and each step reads and writes the parameter, its
gradient and its state about once: that is what lets NumPy match torch's fused CPU kernels.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from ..tensor import Tensor
from ..autograd.graph import _wrap
from ..autograd.grad_mode import no_grad
from ..backend import xp_of
from .. import _dtype

__all__ = ['Optimizer', 'required']


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

# Elements per block: 64 Ki floats = 256 KiB per array, so an update's handful of block-sized
# arrays and temporaries fit in L2.
BLOCK = 1 << 16


class _Handle:
    """What register_*_hook returns: `.remove()` takes the hook out again."""

    def __init__(self, hooks, key):
        self._hooks, self.id = hooks, key

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_hook_ids = iter(range(1 << 62))


def _scalar(v):
    """A Python number from a float or a 1-element Tensor (torch accepts Tensor lr/betas)."""
    return v.item() if isinstance(v, Tensor) else v


def state_scalar(value, dtype=None):
    """A 0-d Tensor holding value: the form torch keeps `step` and other scalar state in."""
    dt = dtype or _dtype.float32
    return _wrap(xp_of_default().asarray(value, dtype=dt.np), None)


def xp_of_default():
    from ..backend import numpy_backend
    return numpy_backend


def zeros_state(p):
    """A zero Tensor shaped like parameter p (torch.zeros_like(p, memory_format=preserve_format))."""
    return _wrap(xp_of(p._data).zeros_like(p._data), None)


def full_state(p, value):
    return _wrap(xp_of(p._data).full_like(p._data, value), None)


def real_view(a):
    """A complex array as interleaved (re, im) floats: torch.view_as_real, so elementwise updates treat
    real and imaginary parts as separate coordinates, as torch's optimizers do."""
    if a.dtype.kind == 'c':
        return a.reshape(a.shape + (1,)).view(a.real.dtype)
    return a


class Scratch:
    """Reusable temporary buffers: `get(k, n, dtype)` is the k-th flat buffer of n elements. Fresh
    allocations of large temporaries each step cost page faults; these are allocated once."""

    def __init__(self):
        self._bufs = {}

    def get(self, k, n, dtype, xp):
        key = (k, dtype)
        b = self._bufs.get(key)
        if b is None or b.size < n:
            b = self._bufs[key] = xp.empty(max(n, 1), dtype)
        return b[:n]


def blocks(arrays, scratch, ntmp, fn):
    """Call fn(*block_views, *temporaries) over aligned blocks of same-shaped arrays, in place.

    Contiguous arrays are flattened and walked BLOCK elements at a time; anything else (a strided
    parameter view) is handled whole. Temporaries are scratch buffers shaped like the blocks.
    """
    a0 = arrays[0]
    xp = xp_of(a0)
    n = a0.size
    if all(a.flags.c_contiguous for a in arrays):
        flat = [a.reshape(-1) for a in arrays]
        if n <= BLOCK:
            fn(*flat, *[scratch.get(k, n, a0.dtype, xp) for k in range(ntmp)])
            return
        tmps = [scratch.get(k, BLOCK, a0.dtype, xp) for k in range(ntmp)]
        for s in range(0, n, BLOCK):
            if s + BLOCK > n:
                tmps = [t[:n - s] for t in tmps]
            fn(*[f[s:s + BLOCK] for f in flat], *tmps)
    else:
        fn(*arrays, *[xp.empty(a0.shape, a0.dtype) for _ in range(ntmp)])


def grad_block(xp, g, p, maximize, weight_decay, tmp):
    """The gradient an update follows: -g when maximizing, plus weight_decay * p (L2 penalty)."""
    if weight_decay != 0:
        xp.multiply(p, weight_decay, out=tmp)
        if maximize:
            xp.subtract(tmp, g, out=tmp)
        else:
            xp.add(tmp, g, out=tmp)
        return tmp
    if maximize:
        return xp.negative(g, out=tmp)
    return g


def bump(*tensors):
    """In-place changes bump the version counter, as torch's in-place ops do."""
    for t in tensors:
        t._vc[0] += 1


def _step_wrapper(step):
    """Runs the step pre/post hooks (global and per-optimizer) around a subclass's step."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{hook} must return None or a tuple of (new_args, new_kwargs), but got "
                                       f"{result}.")
        out = step(self, *args, **kwargs)
        for hook in chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    wrapper._hooked = True
    return wrapper


_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register a pre hook common to all optimizers: hook(optimizer, args, kwargs) -> None or (args, kwargs)."""
    key = next(_hook_ids)
    _global_step_pre_hooks[key] = hook
    return _Handle(_global_step_pre_hooks, key)


def register_optimizer_step_post_hook(hook):
    """Register a post hook common to all optimizers: hook(optimizer, args, kwargs) -> None."""
    key = next(_hook_ids)
    _global_step_post_hooks[key] = hook
    return _Handle(_global_step_post_hooks, key)


class Optimizer:
    r"""Base class for all optimizers.

    .. warning::
        Parameters need to be specified as collections that have a deterministic
        ordering that is consistent between runs. Examples of objects that don't
        satisfy those properties are sets and iterators over values of dictionaries.

    Args:
        params (iterable): an iterable of :class:`torch.Tensor` s or
            :class:`dict` s. Specifies what Tensors should be optimized.
        defaults: (dict): a dict containing default values of optimization
            options (used when a parameter group doesn't specify them).
    """

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if 'step' in cls.__dict__ and not getattr(cls.__dict__['step'], '_hooked', False):
            cls.step = _step_wrapper(cls.__dict__['step'])

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._scratch = Scratch()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks', '_optimizer_state_dict_pre_hooks',
                     '_optimizer_state_dict_post_hooks', '_optimizer_load_state_dict_pre_hooks',
                     '_optimizer_load_state_dict_post_hooks'):
            self.__dict__.setdefault(name, OrderedDict())
        self._scratch = Scratch()

    def __repr__(self):
        s = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            # torch separates groups by a blank line
            s += ('\n\n' if i else '\n') + f'Parameter Group {i}'
            for key in sorted(group.keys()):
                if key != 'params':
                    s += '\n' + f'    {key}: {group[key]}'
        return s + '\n)'

    # --- parameter groups ------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a param group to the :class:`Optimizer` s `param_groups`.

        This can be useful when fine tuning a pre-trained network as frozen layers can be made
        trainable and added to the :class:`Optimizer` as training progresses.

        Args:
            param_group (dict): Specifies what Tensors should be optimized along with group
                specific optimization options.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group['params']
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group['params'] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group['param_names'] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
            if not self.defaults.get('differentiable', None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                txt = "with names" if 'param_names' in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --- gradients -----------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        r"""Reset the gradients of all optimized :class:`torch.Tensor` s.

        Args:
            set_to_none (bool): instead of setting to zero, set the grads to None.
        """
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    bump(g)

    # --- the step --------------------------------------------------------------------------
    def step(self, closure=None):
        r"""Perform a single optimization step to update parameter.

        Args:
            closure (Callable): A closure that reevaluates the model and
                returns the loss. Optional for most optimizers.
        """
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                params, grads, states = [], [], []
                for p in group['params']:
                    if p._grad is None:
                        continue
                    g = p._grad._data
                    if not g.flags.c_contiguous:
                        g = xp_of(g).ascontiguousarray(g)
                    state = self.state.get(p)
                    if not state:
                        state = {}
                        self._init_state(p, group, state)
                    params.append(p)
                    grads.append(g)
                    states.append(state)
                if params:
                    self._update(group, params, grads, states)
                    # Only parameters that have state get an entry (SGD without momentum keeps none, as in torch).
                    for p, state in zip(params, states):
                        if state and p not in self.state:
                            self.state[p] = state
        return loss

    def _init_state(self, p, group, state):
        raise NotImplementedError(f"{type(self).__name__} does not define how to initialise its state")

    def _update(self, group, params, grads, states):
        raise NotImplementedError(f"{type(self).__name__} does not define its update")

    # --- hooks -----------------------------------------------------------------------------
    def _add_hook(self, table, hook, prepend=False):
        key = next(_hook_ids)
        table[key] = hook
        if prepend:
            table.move_to_end(key, last=False)
        return _Handle(table, key)

    def register_step_pre_hook(self, hook):
        """Register an optimizer step pre hook, called before optimizer step: hook(optimizer, args, kwargs) ->
        None or modified args and kwargs."""
        return self._add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Register an optimizer step post hook, called after optimizer step: hook(optimizer, args, kwargs) -> None."""
        return self._add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register a state dict pre-hook, called with the optimizer before ``state_dict`` runs."""
        return self._add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register a state dict post-hook: hook(optimizer, state_dict) -> state_dict or None."""
        return self._add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register a load_state_dict pre-hook: hook(optimizer, state_dict) -> state_dict or None."""
        return self._add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register a load_state_dict post-hook: hook(optimizer) -> None."""
        return self._add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state_dict --------------------------------------------------------------------------
    def state_dict(self):
        r"""Return the state of the optimizer as a :class:`dict`.

        It contains two entries:

        * ``state``: a Dict holding current optimization state. Its content
          differs between optimizer classes, but some common characteristics
          hold. For example, state is saved per parameter, and the parameter
          itself is NOT saved. ``state`` is a Dictionary mapping parameter ids
          to a Dict with state corresponding to each parameter.
        * ``param_groups``: a List containing all parameter groups where each
          parameter group is a Dict. Each parameter group contains metadata
          specific to the optimizer, such as learning rate and weight decay,
          as well as a List of parameter IDs of the parameters in the group.

        The state tensors are the optimizer's own (not copies), as in torch.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != 'params'}
            for i, p in enumerate(group['params'], start):
                index.setdefault(id(p), i)
            packed['params'] = [index[id(p)] for p in group['params']]
            start += len(packed['params'])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        sd = {'state': state, 'param_groups': groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, sd)
            if result is not None:
                sd = result
        return sd

    def load_state_dict(self, state_dict):
        r"""Load the optimizer state.

        Args:
            state_dict (dict): optimizer state. Should be an object returned
                from a call to :meth:`state_dict`.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                # Floating state follows the parameter's dtype; `step` keeps its own (torch issue 74424).
                if key != 'step' and param.is_floating_point() and value.dtype != param.dtype:
                    return value.to(param.dtype)
                return value
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            if isinstance(value, (list, tuple)) and not isinstance(value, str):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group

        self.state = state
        self.param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


Optimizer.step = _step_wrapper(Optimizer.step)


def _typename(obj):
    if isinstance(obj, Tensor):
        return 'torch.' + {'float32': 'FloatTensor', 'float64': 'DoubleTensor'}.get(str(obj._data.dtype), 'Tensor')
    t = type(obj)
    return t.__module__ + '.' + t.__qualname__ if t.__module__ != 'builtins' else t.__qualname__
