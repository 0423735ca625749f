"""Regressions found by running realistic PyTorch programs with `import ember as torch`: each test is the
smallest program piece that differed from torch, checked against torch itself."""
import numpy as np
import pytest
import torch
import ember


def _same(e, t, tol=1e-6):
    assert isinstance(e, ember.Tensor), type(e)
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


# --- a 0-d leaf's gradient accumulated over two backward calls stays a tensor -----------------------------
def test_scalar_grad_accumulates_twice():
    grads = []
    for L in (torch, ember):
        a = L.tensor(2.0, requires_grad=True)
        c = a * a
        c.backward(retain_graph=True)
        c.backward()
        (a * 3).backward()
        grads.append(a.grad)
        assert repr(a.grad) == 'tensor(11.)'
    _same(grads[1], grads[0])


# --- NumPy scalars take part in promotion as Python numbers of their kind ---------------------------------
@pytest.mark.parametrize('scalar', [np.float64(3.5), np.float32(2.0), np.int64(3), np.bool_(True), np.float16(1.5)])
@pytest.mark.parametrize('dtype', ['float32', 'int64', 'float16', 'float64'])
def test_numpy_scalar_operands(scalar, dtype):
    data = np.array([1, 2, -3]).astype(dtype)
    t, e = torch.tensor(data), ember.tensor(data)
    _same(e * scalar, t * scalar)
    _same(scalar * e, scalar * t)
    _same(e - scalar, t - scalar)
    _same(e > scalar, t > scalar)


def test_numpy_float64_scalar_in_training_code():
    # a learning-rate or loss weight computed with NumPy (np.float64, a float subclass)
    w = np.float64(0.25)
    out = []
    for L in (torch, ember):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        loss = (x * w).pow(2).sum() + w * x.sum()
        loss.backward()
        out.append((loss, x.grad))
    _same(out[1][0], out[0][0])
    _same(out[1][1], out[0][1])


# --- linear's dtype-mismatch message follows torch's addmm (bias) and mm (no bias) paths ------------------
@pytest.mark.parametrize('shape', [(2, 3), (5, 2, 3)])
@pytest.mark.parametrize('bias', [False, True])
def test_linear_dtype_mismatch_message(shape, bias):
    msgs = []
    for L in (torch, ember):
        x = L.ones(shape)
        w = L.ones(4, 3, dtype=L.float64)
        b = L.ones(4, dtype=L.float64) if bias else None
        with pytest.raises(RuntimeError) as info:
            L.nn.functional.linear(x, w, b)
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0]


# --- grad_fn names shown by print(tensor) ------------------------------------------------------------------
def _names(L):
    F = L.nn.functional
    x = L.zeros(4, 5, 6, requires_grad=True)
    m = x[0, :, :3]
    t = L.tensor([0, 1, 2, 0, 1])
    idx = [0, (slice(1, 3),), (0, slice(1, 3)), (slice(1, 3), 0), (0, slice(None)), (slice(None),), (None,),
           (Ellipsis, 0), (0, None), (slice(None), slice(None), slice(0, 6)), (Ellipsis, slice(0, 2)),
           (slice(None, None, 2),)]
    fns = [x[i].grad_fn for i in idx]
    fns += [x.sum().grad_fn, x.sum(1).grad_fn, x.sum((0, 2)).grad_fn, x.mean().grad_fn, x.mean(-1).grad_fn,
            x.max().grad_fn, x.min().grad_fn, x.max(0)[0].grad_fn, x.min(dim=1).values.grad_fn,
            x.amax(0).grad_fn, x.amin().grad_fn, x.std().grad_fn, x.var(0).grad_fn, x.norm().grad_fn,
            L.norm(x, dim=1).grad_fn, x.logsumexp(1).grad_fn,
            F.cross_entropy(m[:, :3], t), F.cross_entropy(m[:, :3], t, reduction='none'),
            F.cross_entropy(m[:, :3], t, label_smoothing=0.1),
            F.linear(m, L.ones(2, 3), L.ones(2)), F.linear(m, L.ones(2, 3)),
            F.linear(x, L.ones(2, 6), L.ones(2)), F.linear(x, L.ones(2, 6))]
    return [f.grad_fn.name() if isinstance(f, L.Tensor) else f.name() for f in fns]


def test_grad_fn_names():
    assert _names(ember) == _names(torch)


def test_printed_loss_shows_torch_grad_fn():
    x = np.linspace(-1, 1, 12).reshape(4, 3).astype(np.float32)
    y = np.array([0, 2, 1, 1])
    reprs = []
    for L in (torch, ember):
        logits = L.tensor(x, requires_grad=True)
        reprs.append(repr(L.nn.CrossEntropyLoss()(logits, L.tensor(y))))
    assert reprs[1] == reprs[0]


# --- a whole program: custom autograd.Function, double backward, hooks, retain_graph ------------------------
def _custom_function_program(L):
    class ExpLinear(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):
            y = L.exp(x @ w.t()) + b
            ctx.save_for_backward(x, w, y - b)
            return y

        @staticmethod
        def backward(ctx, grad_out):
            x, w, e = ctx.saved_tensors
            g = grad_out * e
            return g @ w, g.t() @ x, grad_out.sum(0)

    x = L.linspace(-1, 1, 12, dtype=L.float64).reshape(4, 3).requires_grad_()
    w = L.arange(6, dtype=L.float64).reshape(2, 3).div(10).requires_grad_(True)
    b = L.tensor([0.1, -0.2], dtype=L.double, requires_grad=True)
    ok = L.autograd.gradcheck(ExpLinear.apply, (x, w, b), eps=1e-6, atol=1e-4)
    y = ExpLinear.apply(x, w, b)
    y.sum().backward()
    z = (x * 2).clamp(-0.5, 0.5)
    g, = L.autograd.grad(z.pow(2).sum(), x, create_graph=True)
    hv, = L.autograd.grad((g * g).sum(), x)
    v = L.ones(3, requires_grad=True)
    h = v.register_hook(lambda gr: gr * 2)
    (v * L.tensor([1., 2., 3.])).sum().backward()
    first = v.grad.clone()
    h.remove()
    (v * 3).sum().backward()
    return ok, [y, x.grad, w.grad, b.grad, g, hv, first, v.grad]


def test_custom_function_program_matches_torch():
    ok_t, outs_t = _custom_function_program(torch)
    ok_e, outs_e = _custom_function_program(ember)
    assert ok_t and ok_e
    for e, t in zip(outs_e, outs_t):
        _same(e, t, 1e-10)
