"""Autograd against torch: leaves, accumulation, retain/create_graph, higher derivatives, autograd.grad,
hooks, grad modes, grad_fn names, deep graphs, and the Tensor conversions autograd users touch."""
import copy
import pickle
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same


def both(fn, atol=1e-5, rtol=1e-4):
    """Run fn(lib) in torch and in ember and compare what they return."""
    assert_same(fn(torch), fn(ember), atol, rtol)


def _x(L, values=(0.5, -1.0, 2.0), dtype=None):
    return L.tensor(list(values), dtype=dtype or L.float32, requires_grad=True)


def test_requires_grad_and_leaves():
    def f(L):
        x = _x(L)
        c = L.ones(3)
        y = x * 2
        z = c * 2
        return [x.requires_grad, x.is_leaf, y.requires_grad, y.is_leaf, c.is_leaf, z.requires_grad, z.is_leaf,
                x.grad_fn is None, y.grad_fn is not None, z.grad_fn is None]
    both(f)
    check_error(lambda L: L.tensor([1, 2], requires_grad=True), RuntimeError, 'floating point')
    check_error(lambda L: L.tensor([1, 2]).requires_grad_(), RuntimeError, 'floating point')
    check_error(lambda L: (_x(L) * 2).requires_grad_(False), RuntimeError, 'leaf')

    def toggle(L):
        x = L.ones(2)
        r = x.requires_grad_()
        x.requires_grad = False
        return [r is x, x.requires_grad]
    both(toggle)


def test_grad_accumulates_over_two_backwards():
    def f(L):
        x = _x(L)
        (x * x).sum().backward()
        g1 = x.grad.clone()
        (x * 3).sum().backward()
        return [g1, x.grad]
    both(f)

    def zeroed(L):
        x = _x(L)
        (x * x).sum().backward()
        x.grad.zero_()
        (x * 3).sum().backward()
        return x.grad
    both(zeroed)

    def set_none(L):
        x = _x(L)
        (x * x).sum().backward()
        x.grad = None
        x.exp().sum().backward()
        return x.grad
    both(set_none)


def test_backward_gradient_argument():
    def f(L):
        x = _x(L)
        y = x * x
        y.backward(gradient=L.tensor([1.0, 2.0, 3.0]))
        return x.grad
    both(f)
    check_error(lambda L: (_x(L) * 2).backward(), RuntimeError, 'grad can be implicitly created only for scalar outputs')
    check_error(lambda L: (_x(L) * 2).backward(L.ones(2)), RuntimeError, 'Mismatch in shape')
    check_error(lambda L: L.ones(2).sum().backward(), RuntimeError, 'does not require grad')


def test_retain_graph_and_freed_graph_error():
    def twice(L):
        x = _x(L)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    both(twice)

    def freed(L):
        x = _x(L)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()
    check_error(freed, RuntimeError, 'Trying to backward through the graph a second time')


def test_higher_order_derivatives():
    def d3(L, f, x):
        y = f(L, x).sum()
        g1, = L.autograd.grad(y, x, create_graph=True)
        g2, = L.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = L.autograd.grad(g2.sum(), x)
        return [g1, g2, g3]
    for f in (lambda L, x: x ** 4, lambda L, x: L.tanh(x), lambda L, x: L.sigmoid(x) * L.exp(x),
              lambda L, x: L.sin(x) * x, lambda L, x: L.log(x * x + 1), lambda L, x: L.sqrt(x * x + 1) / (x + 3)):
        both(lambda L: d3(L, f, _x(L, dtype=L.float64)), atol=1e-8, rtol=1e-7)

    def backward_create_graph(L):
        x = _x(L, dtype=L.float64)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        g = x.grad
        gg, = L.autograd.grad(g.sum(), x)
        return [g, gg, g.requires_grad]
    both(backward_create_graph)


def test_autograd_grad():
    def basic(L):
        x, w = _x(L), _x(L, (1.0, 2.0, 3.0))
        y = (x * w).sum()
        gx, gw = L.autograd.grad(y, [x, w])
        return [gx, gw, x.grad is None, w.grad is None]
    both(basic)

    def unused(L):
        x, w = _x(L), _x(L)
        return list(L.autograd.grad((x * 2).sum(), [x, w], allow_unused=True))
    both(unused)

    def materialize(L):
        x, w = _x(L), _x(L)
        return list(L.autograd.grad((x * 2).sum(), [x, w], materialize_grads=True))
    both(materialize)
    check_error(lambda L: L.autograd.grad((_x(L) * 2).sum(), [_x(L)]), RuntimeError,
                'The differentiated Tensor at index 0 appears to not have been used in the graph')

    def grad_outputs(L):
        x = _x(L)
        y = x * x
        return L.autograd.grad(y, x, grad_outputs=L.tensor([1.0, -1.0, 0.5]))
    both(grad_outputs)

    def multiple_outputs(L):
        x = _x(L)
        return L.autograd.grad([x * 2, x.exp()], x, grad_outputs=[L.ones(3), L.ones(3)])
    both(multiple_outputs)

    def non_leaf_input(L):
        x = _x(L)
        h = x * 3
        y = (h * h).sum()
        return L.autograd.grad(y, h)
    both(non_leaf_input)
    check_error(lambda L: L.autograd.grad((_x(L) * 2).sum(), L.ones(2)), RuntimeError, 'does not require grad')


def test_backward_inputs():
    def f(L):
        x, w = _x(L), _x(L, (1.0, 2.0, 3.0))
        (x * w).sum().backward(inputs=[w])
        return [x.grad is None, w.grad]
    both(f)

    def nonleaf(L):
        x = _x(L)
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        return [h.grad, x.grad is None]
    both(nonleaf)
    check_error(lambda L: (_x(L) * 2).sum().backward(inputs=[]), RuntimeError, 'inputs')


def test_detach_and_detach_():
    def f(L):
        x = _x(L)
        y = x * 2
        d = y.detach()
        z = (y * d).sum()
        z.backward()
        return [d.requires_grad, d.grad_fn is None, x.grad]
    both(f)

    def shares(L):
        x = _x(L)
        d = x.detach()
        d.add_(1)
        return x.detach()
    both(shares)

    def inplace_detach(L):
        x = _x(L)
        y = x * 2
        y.detach_()
        return [y.requires_grad, y.is_leaf, y.grad_fn is None]
    both(inplace_detach)


def test_retain_grad():
    def f(L):
        x = _x(L)
        h = x * 2
        h.retain_grad()
        (h * h).sum().backward()
        return [h.grad, h.retains_grad, x.grad]
    both(f)

    def no_retain(L):
        x = _x(L)
        h = x * 2
        (h * h).sum().backward()
        return h.grad is None
    both(no_retain)


def test_hooks():
    def leaf_hook(L):
        x = _x(L)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        return [seen[0], x.grad]
    both(leaf_hook)

    def nonleaf_hook(L):
        x = _x(L)
        h = x * 3
        h.register_hook(lambda g: g + 1)
        (h * h).sum().backward()
        return x.grad
    both(nonleaf_hook)

    def removed(L):
        x = _x(L)
        handle = x.register_hook(lambda g: g * 0)
        handle.remove()
        (x * 2).sum().backward()
        return x.grad
    both(removed)
    check_error(lambda L: L.ones(2).register_hook(lambda g: g), RuntimeError, 'hook')


def test_grad_modes():
    def ctx(L):
        x = _x(L)
        with L.no_grad():
            a = x * 2
            inner = L.is_grad_enabled()
            with L.enable_grad():
                b = x * 2
        with L.set_grad_enabled(False):
            c = x * 2
        with L.inference_mode():
            d = x * 2
            inf = L.is_inference_mode_enabled()
        return [a.requires_grad, inner, b.requires_grad, c.requires_grad, d.requires_grad, inf,
                L.is_grad_enabled(), L.is_inference_mode_enabled()]
    both(ctx)

    def deco(L):
        x = _x(L)

        @L.no_grad()
        def f1(t):
            return t * 2

        @L.no_grad
        def f2(t):
            return t * 2

        @L.enable_grad()
        def f3(t):
            return t * 2

        @L.inference_mode()
        def f4(t):
            return t * 2

        with L.no_grad():
            r3 = f3(x)
        return [f1(x).requires_grad, f2(x).requires_grad, r3.requires_grad, f4(x).requires_grad,
                f1.__name__, L.is_grad_enabled()]
    both(deco)

    def set_enabled_call(L):
        L.set_grad_enabled(False)
        off = L.is_grad_enabled()
        L.set_grad_enabled(True)
        return [off, L.is_grad_enabled()]
    both(set_enabled_call)

    def exception_restores(L):
        try:
            with L.no_grad():
                raise ValueError
        except ValueError:
            pass
        return L.is_grad_enabled()
    both(exception_restores)


def test_grad_fn_names_and_next_functions():
    def names(L):
        x, w = _x(L), _x(L)
        out = [(x * w).grad_fn.name(), (x + w).grad_fn.name(), x.exp().grad_fn.name(), (x - w).grad_fn.name(),
               (x / w).grad_fn.name(), (x * 2).grad_fn.name(), (x ** 2).grad_fn.name(), (x ** w).grad_fn.name(),
               x.tanh().grad_fn.name(), x.sigmoid().grad_fn.name(), (-x).grad_fn.name(), x.abs().grad_fn.name(),
               L.maximum(x, w).grad_fn.name(), L.where(x > 0, x, w).grad_fn.name(), x.double().grad_fn.name(),
               x.sum().grad_fn.name(), x.log().grad_fn.name(), x.sqrt().grad_fn.name(), (x + 1).grad_fn.name()]
        return out
    both(names)

    def nexts(L):
        x, w = _x(L), _x(L)
        h = x.exp()
        y = h * w
        nf = y.grad_fn.next_functions
        return [len(nf), nf[0][0].name(), nf[0][1], nf[1][0].name(), nf[1][0].variable is w,
                nf[0][0].next_functions[0][0].variable is x]
    both(nexts)

    def constant_input(L):
        x = _x(L)
        nf = (x * L.ones(3)).grad_fn.next_functions
        return [len(nf), nf[1]]
    both(constant_input)


def test_long_chain_no_recursion():
    for L in (torch, ember):
        x = L.tensor([1.0], requires_grad=True)
        y = x
        for _ in range(10000):
            y = y * 1.0001
        y.sum().backward()
        assert abs(x.grad.item() - 1.0001 ** 10000) < 1e-2


def test_broadcast_and_diamond_gradients():
    check(lambda L, x, b: x * b + b, (3, 4), (4,))
    check(lambda L, x, b: x * b, (2, 3, 4), (3, 1))
    check(lambda L, x, b: x + b, (3, 4), ())

    def diamond(L, x):
        a = x.exp()
        b = a * 2
        c = a.sin()
        return b * c + a
    check(diamond, (2, 3), gradgrad=True)

    def reuse(L, x):
        return x * x * x + x
    check(reuse, (3,), gradgrad=True)


def test_scalar_conversions():
    def f(L):
        t = L.tensor([2.5])
        i = L.tensor(7)
        return [t.item(), float(t), int(t), bool(t), int(i), i.__index__(), [10, 20, 30, 40, 50, 60, 70, 80][i],
                f"{L.tensor(3.14159):.2f}", f"{L.tensor(5):4d}", bool(L.tensor([0.0])), complex(L.tensor(1.5)),
                L.tensor([[1, 2], [3, 4]]).tolist(), L.tensor(2.5).tolist(), len(L.zeros(4, 2)),
                L.tensor([1.5, 2.5]).numpy().tolist(), L.tensor([1], dtype=L.int32).item().__class__.__name__]
    both(f)
    check_error(lambda L: L.tensor([1.0, 2.0]).item(), RuntimeError, 'a Tensor with 2 elements cannot be converted')
    check_error(lambda L: bool(L.tensor([1.0, 2.0])), RuntimeError, 'Boolean value of Tensor with more than one')
    check_error(lambda L: float(L.tensor([1.0, 2.0])), ValueError, 'only one element tensors')
    check_error(lambda L: int(L.tensor([1, 2])), ValueError, 'only one element tensors')
    check_error(lambda L: f"{L.tensor([1.5, 2.0]):.2f}", TypeError, 'unsupported format string')
    check_error(lambda L: len(L.tensor(1.0)), TypeError, 'len\\(\\) of a 0-d tensor')
    check_error(lambda L: iter(L.tensor(1.0)), TypeError, 'iteration over a 0-d tensor')
    check_error(lambda L: [1, 2][L.tensor(1.0)], TypeError, 'only integer tensors')
    check_error(lambda L: [1, 2][L.tensor([0, 1])], TypeError, 'only integer tensors')
    check_error(lambda L: _x(L).numpy(), RuntimeError, 'requires grad')

    def iterate(L):
        return [r for r in L.tensor([[1, 2], [3, 4]])]
    both(iterate)


def test_numpy_shares_memory():
    x = ember.tensor([1.0, 2.0])
    a = x.numpy()
    a[0] = 5.0
    assert x.tolist() == [5.0, 2.0]
    assert _x(ember).numpy(force=True).tolist() == [0.5, -1.0, 2.0]


def test_dtype_conversions():
    def f(L):
        x = L.tensor([1.7, -2.2])
        same = x.to(L.float32)
        return [x.to(L.float64), x.to(L.int64), x.long(), x.int(), x.float(), x.double(), x.half(), x.bool(),
                x.type(L.int32), x.type(), x.type('torch.DoubleTensor'), x.type_as(L.tensor([1])), same is x,
                x.to(L.float32, copy=True) is x, x.to('cpu') is x, x.to(L.tensor([1.0], dtype=L.float64)),
                x.to('cpu', L.float64), x.to(dtype=L.int8), x.byte(), x.char(), x.short(), x.bfloat16()]
    both(f)

    def grad_through_cast(L):
        x = _x(L)
        y = x.double() * 2
        y.sum().backward()
        return [repr(y.dtype), x.grad, x.long().requires_grad]
    both(grad_through_cast)


def test_deepcopy_and_pickle():
    for L in (torch, ember):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        c = copy.deepcopy(x)
        assert c is not x and c.requires_grad and c.tolist() == [1.0, 2.0] and c.grad.tolist() == [2.0, 4.0]
        c.data.add_(1)
        assert x.tolist() == [1.0, 2.0]
        p = pickle.loads(pickle.dumps(x))
        assert p.requires_grad and p.tolist() == [1.0, 2.0] and p.dtype == x.dtype
        i = pickle.loads(pickle.dumps(L.tensor([1, 2], dtype=L.int16)))
        assert i.dtype == L.int16 and i.tolist() == [1, 2]
        d = copy.deepcopy({'a': x, 'b': x})
        assert d['a'] is d['b']
    check_error(lambda L: copy.deepcopy(_x(L) * 2), RuntimeError, 'graph leaves')


def test_data_attribute():
    def f(L):
        x = _x(L)
        d = x.data
        d.mul_(2)
        y = (x * 3).sum()
        y.backward()
        return [d.requires_grad, x, x.grad]
    both(f)


def test_more_backward_cases():
    def grad_self(L):
        x = _x(L)
        return L.autograd.grad(x, x, L.ones(3))
    both(grad_self)

    def leaf_backward(L):
        x = _x(L)
        x.backward(L.ones(3))
        return x.grad
    both(leaf_backward)

    def hook_and_retain(L):   # retain_grad sees the gradient after the tensor's hooks
        x = _x(L)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 100)
        (h * h).sum().backward()
        return [h.grad, x.grad]
    both(hook_and_retain)

    def create_graph_then_backward(L):
        x = _x(L)
        g, = L.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (g * g).sum().backward()
        return x.grad
    both(create_graph_then_backward)

    def double_backward_accumulates(L):
        x = _x(L)
        (x ** 2).sum().backward(create_graph=True)
        g = x.grad
        g.sum().backward()
        return [x.grad, x.grad.requires_grad]
    both(double_backward_accumulates)

    def constant_from_no_grad(L):
        x = _x(L)
        with L.no_grad():
            c = x * 2
        (x * c).sum().backward()
        return x.grad
    both(constant_from_no_grad)

    def grad_does_not_alias_gradient(L):
        x = _x(L)
        g = L.ones(3)
        (x * 1).backward(g)
        g.add_(1)
        return x.grad
    both(grad_does_not_alias_gradient)

    def hook_each_backward(L):
        x = _x(L)
        x.register_hook(lambda g: g * 2)
        (x * 1).sum().backward()
        (x * 1).sum().backward()
        return x.grad
    both(hook_each_backward)

    def scalar_broadcast(L):
        x = L.tensor(2.0, requires_grad=True)
        (x * L.ones(3)).sum().backward()
        return x.grad
    both(scalar_broadcast)
    check_error(lambda L: (_x(L) * 2).backward([1.0, 1.0, 1.0]), TypeError, 'Tensors or None')


def test_grad_assignment_errors():
    def ok(L):
        x = _x(L)
        x.grad = L.ones(3)
        r = x.grad
        del x.grad
        return [r, x.grad is None]
    both(ok)
    check_error(lambda L: setattr(_x(L), 'grad', L.ones(2)), RuntimeError, 'attempting to assign a gradient of size')
    check_error(lambda L: setattr(_x(L), 'grad', L.ones(3, dtype=L.float64)), RuntimeError,
                "attempting to assign a gradient with dtype 'double'")
    check_error(lambda L: setattr(_x(L), 'grad', 3), TypeError, 'assigned grad expected to be a Tensor or None')


def test_inplace_through_views():
    def view_inplace(L):
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 3.0, -2.0]], requires_grad=True)
        y = x * 1
        v = y[0]
        v.mul_(3)
        y.sum().backward()
        return [x.grad, y, y.grad_fn.name(), v.grad_fn is not None]
    both(view_inplace)

    def exp_of_column(L):
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 3.0, -2.0]], requires_grad=True)
        y = x * 1
        y[:, 1].exp_()
        (y * y).sum().backward()
        return x.grad
    both(exp_of_column)

    def setitem_from_grad(L):
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 3.0, -2.0]], requires_grad=True)
        y = L.zeros(2, 3)
        y[0] = x[1]
        (y * 2).sum().backward()
        return [x.grad, y.requires_grad]
    both(setitem_from_grad)
    check_error(lambda L: _x(L)[0].add_(1), RuntimeError, 'a view of a leaf Variable that requires grad')

    def setitem_saved(L):
        x = _x(L)
        y = x.exp()
        y[0] = 1.0
        y.sum().backward()
    check_error(setitem_saved, RuntimeError, 'modified by an inplace operation')


def test_node_prehook_metadata_and_hook_order():
    # grad_fn.register_prehook sees (and may replace) the node's output gradients after the tensor's own hooks
    def run(lib):
        x = lib.tensor([1., 2., 3.], requires_grad=True)
        y = x * 2
        z = (y * y).sum()
        log = []
        h = y.grad_fn.register_prehook(lambda go: (log.append(('pre', [g.tolist() for g in go])), (go[0] * 10,))[1])
        y.register_hook(lambda g: log.append(('tensor', g.tolist())))
        z.backward()
        first = x.grad.tolist()
        h.remove()
        x.grad = None
        (x * 2).pow(2).sum().backward()
        node = z.grad_fn
        node.metadata['k'] = 1
        return log, first, x.grad.tolist(), node.metadata, node.requires_grad
    assert run(ember) == run(torch)
