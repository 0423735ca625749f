"""ember.autograd.Function against torch.autograd.Function: the same user code in both."""
import pytest
import torch
import ember
from helpers import assert_same


def make_fns(L):
    class MulAdd(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y + k * x

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            gx = g * (y + ctx.k) if ctx.needs_input_grad[0] else None
            gy = g * x if ctx.needs_input_grad[1] else None
            return gx, gy, None

    class SortVals(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i

        @staticmethod
        def backward(ctx, gv, gi):
            i, = ctx.saved_tensors
            out = L.zeros_like(gv)
            out[i] = gv
            return out

    class Exp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Split(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            out = 0
            if g1 is not None:
                out = out + g1 * 2
            if g2 is not None:
                out = out + g2 * 3
            return out

    return MulAdd, SortVals, Exp, Split


def run(L):
    MulAdd, SortVals, Exp, Split = make_fns(L)
    x = L.tensor([1.0, -2.0, 3.0], dtype=L.float64, requires_grad=True)
    y = L.tensor([0.5, 4.0, -1.0], dtype=L.float64, requires_grad=True)
    out = MulAdd.apply(x, y, 2.0)
    v, i = SortVals.apply(out)
    e = Exp.apply(v * 0.1)
    a, b = Split.apply(e)
    loss = (a.sum() + (b * b).sum())
    gx, gy = L.autograd.grad(loss, (x, y), create_graph=True)
    ggx, = L.autograd.grad(gx.sum(), x)
    return out, v, i, i.requires_grad, out.grad_fn is not None, gx, gy, ggx


def test_custom_function_matches_torch():
    t, e = run(torch), run(ember)
    assert_same(t, e, atol=1e-10, rtol=1e-10)


def test_custom_function_grad_fn_name_and_errors():
    MulAdd, _, Exp, _ = make_fns(ember)
    x = ember.ones(2, requires_grad=True)
    y = Exp.apply(x)
    assert type(y.grad_fn).__name__ == 'ExpBackward'
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()
    with pytest.raises(RuntimeError):
        MulAdd()   # legacy, non-static use is refused as in torch


def test_custom_function_without_grad_returns_plain_tensor():
    _, _, Exp, _ = make_fns(ember)
    with ember.no_grad():
        y = Exp.apply(ember.ones(2, requires_grad=True))
    assert y.grad_fn is None and not y.requires_grad


def test_backward_may_write_into_its_grad_output():
    """loss.backward() starts from a shared read-only one; a custom backward or a hook that writes into
    the gradient it is given must still work, as in torch."""
    import torch
    import ember

    def run(lib):
        class Neg(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return -x

            @staticmethod
            def backward(ctx, g):
                g.mul_(-1)
                return g
        x = lib.tensor(3.0, requires_grad=True)
        Neg.apply(x).backward()
        Neg.apply(x * 1).backward()
        w = lib.tensor(2.0, requires_grad=True)
        loss = w * 3
        loss.register_hook(lambda g: g.mul_(10))
        loss.backward()
        return x.grad.item(), w.grad.item()
    assert run(ember) == run(torch)
