"""Parity with torch for the fast convolution paths: one whole-batch GEMM forward (bias fused into the
transposing copy), the stride-1 input gradient as a convolution of the padded output gradient with the
flipped kernel (taken when C >= 16 and out_channels <= 2 * C), the col2im fallback (strided, few
channels, many output channels, padding past the kernel), the channels-first first layer, and the one
GEMM-row copy of the output gradient shared by both gradients."""
import numpy as np
import pytest
import torch
import ember

rng = np.random.default_rng(7)
F = ember.nn.functional


def _run(name, x, w, b, kw, gout=None, atol=1e-9, rtol=1e-7):
    """Same inputs through torch and ember: output, then gradients of input, weight and bias."""
    res, go = [], None
    for lib in (torch, ember):
        ts = [None if a is None else lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = getattr(lib.nn.functional, name)(*ts, **kw)
        if gout is None:
            y.sum().backward()          # a broadcast (zero-stride) output gradient
        else:
            go = gout(tuple(y.shape)) if go is None else go     # one array for both libraries
            y.backward(lib.tensor(go))
        res.append((y, ts))
    (ty, tin), (ey, ein) = res
    assert tuple(ey.shape) == tuple(ty.shape)
    assert ey.dtype == getattr(ember, str(ty.dtype).split('.')[1])
    assert ey.is_contiguous()
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=atol, rtol=rtol)
    for t, e, what in zip(tin, ein, ('input', 'weight', 'bias')):
        if t is not None:
            assert e.grad is not None, what
            assert e.grad.is_contiguous(), what
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=atol, rtol=rtol, err_msg=what)


def _gout(shape):
    return rng.standard_normal(shape)


# (d, N, C, S, O, K, kwargs, bias): C >= 16 with O <= 2C and stride 1 takes the flipped-kernel input gradient
CASES = [
    (2, 2, 16, (6, 5), 32, (3, 3), dict(padding=1), True),                     # full path, 'same'-size
    (2, 2, 16, (6, 6), 16, (4, 4), dict(padding='same'), True),                # asymmetric pads (1, 2)
    (2, 2, 16, (7, 6), 24, (3, 2), dict(padding=(2, 1), dilation=(2, 1)), False),
    (2, 2, 16, (5, 5), 16, (3, 3), dict(), True),                              # no padding: full pad K-1
    (2, 2, 16, (5, 5), 16, (1, 1), dict(padding=1), True),                     # pad past the kernel: col2im
    (2, 2, 16, (7, 7), 32, (3, 3), dict(stride=2, padding=1), True),           # strided: col2im
    (2, 2, 16, (6, 6), 48, (3, 3), dict(padding=1), True),                     # O > 2C: col2im
    (2, 2, 6, (8, 8), 16, (5, 5), dict(), True),                               # few channels: col2im
    (2, 2, 32, (5, 5), 32, (3, 3), dict(padding=1, groups=2), True),           # grouped: one GEMM per group
    (2, 2, 16, (6, 6), 32, (3, 3), dict(padding=1, groups=16), True),          # depthwise, multiplier 2
    (2, 3, 1, (7, 7), 8, (3, 3), dict(padding=1), True),                       # channels-first first layer
    (1, 2, 16, (9,), 32, (3,), dict(padding=1), True),
    (1, 2, 16, (9,), 16, (4,), dict(padding='same', dilation=2), False),
    (3, 1, 16, (4, 5, 3), 16, (3, 3, 2), dict(padding=1), True),
    (3, 1, 16, (5, 5, 5), 32, (3, 3, 3), dict(stride=(2, 1, 2), padding=1), True),
]


@pytest.mark.parametrize('d,N,C,S,O,K,kw,bias', CASES)
def test_conv_paths_float64(d, N, C, S, O, K, kw, bias):
    g = kw.get('groups', 1)
    x, w = rng.standard_normal((N, C) + S), rng.standard_normal((O, C // g) + K)
    b = rng.standard_normal(O) if bias else None
    _run(f'conv{d}d', x, w, b, kw, _gout)
    _run(f'conv{d}d', x, w, b, kw)       # output gradient a zero-stride broadcast


@pytest.mark.parametrize('N,C,O,H,kw', [
    (32, 32, 32, 8, dict(padding=1)),      # digits CNN layer 2
    (32, 32, 64, 4, dict(padding=1)),      # digits CNN layer 3
    (32, 1, 32, 8, dict(padding=1)),       # digits CNN layer 1
    (8, 16, 32, 14, dict(padding=1)),
    (8, 6, 16, 12, dict()),                # LeNet layer 2 (5x5)
])
def test_conv2d_float32_benchmark_shapes(N, C, O, H, kw):
    K = 5 if H == 12 else 3
    x = rng.standard_normal((N, C, H, H)).astype(np.float32)
    w = (rng.standard_normal((O, C, K, K)) / np.sqrt(C * K * K)).astype(np.float32)
    b = rng.standard_normal(O).astype(np.float32)
    _run('conv2d', x, w, b, kw, lambda s: rng.standard_normal(s).astype(np.float32), atol=2e-4, rtol=2e-4)


def test_only_weight_or_only_input_grad():
    """One gradient wanted: the shared row copy is made once for it, the other is skipped."""
    x, w = rng.standard_normal((2, 16, 5, 5)), rng.standard_normal((16, 16, 3, 3))
    for need in ('x', 'w'):
        tx, tw = torch.tensor(x, requires_grad=need == 'x'), torch.tensor(w, requires_grad=need == 'w')
        ex, ew = ember.tensor(x, requires_grad=need == 'x'), ember.tensor(w, requires_grad=need == 'w')
        ty, ey = torch.nn.functional.conv2d(tx, tw, padding=1), F.conv2d(ex, ew, padding=1)
        go = rng.standard_normal(tuple(ty.shape))
        ty.backward(torch.tensor(go))
        ey.backward(ember.tensor(go))
        t, e = (tx, ex) if need == 'x' else (tw, ew)
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-9)
        assert (ew.grad if need == 'x' else ex.grad) is None


@pytest.mark.parametrize('kw,Co', [
    (dict(), 16),                                              # transposed conv forward = full path
    (dict(padding=1, dilation=2), 24),
    (dict(stride=2, padding=1, output_padding=1), 16),
    (dict(groups=2, padding=1), 32),
])
def test_conv_transpose2d(kw, Co):
    g = kw.get('groups', 1)
    x = rng.standard_normal((2, 16, 4, 5))
    w = rng.standard_normal((16, Co // g, 3, 3))
    _run('conv_transpose2d', x, w, rng.standard_normal(Co), kw, _gout)


def test_gradcheck_full_path():
    """float64 finite differences through the flipped-kernel input gradient (C = 16, O = 2)."""
    x = ember.tensor(rng.standard_normal((1, 16, 3, 3)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2, 16, 2, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), (x, w, b))
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding='same'), (x, w, b))
    wt = ember.tensor(rng.standard_normal((16, 2, 2, 2)), requires_grad=True)
    xt = ember.tensor(rng.standard_normal((1, 16, 2, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b), (xt, wt, b))


def test_gradgradcheck_full_path():
    x = ember.tensor(rng.standard_normal((1, 16, 3, 3)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2, 16, 2, 2)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1), (x, w))


def test_double_backward_vs_torch():
    """Gradient of a gradient norm (create_graph): values against torch on a full-path shape."""
    x, w = rng.standard_normal((2, 16, 4, 4)), rng.standard_normal((16, 16, 3, 3))
    out = []
    for lib in (torch, ember):
        tx, tw = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(tx, tw, padding=1)
        gx, = lib.autograd.grad((y * y).sum(), tx, create_graph=True)
        (gx * gx).sum().backward()
        out.append((gx.detach().numpy(), tx.grad.numpy(), tw.grad.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-7)


def test_float32_dtype_and_module():
    torch.manual_seed(0)
    tm = torch.nn.Conv2d(16, 32, 3, padding=1)
    em = ember.nn.Conv2d(16, 32, 3, padding=1)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = rng.standard_normal((4, 16, 6, 6)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    assert ey.dtype == ember.float32
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-4)
    ty.square().sum().backward()
    ey.square().sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-3)
    for (n, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=2e-3, err_msg=n)
