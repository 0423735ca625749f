"""Parity with torch of the GPT-step fast paths: the tanh-polynomial float32 erf, the chunked float32 GELU,
Linear on permuted-layout inputs, layer norm's GEMV reductions, and MultiheadAttention's packed self-attention
op (values, input and parameter gradients, gradcheck and gradgradcheck)."""
import math

import numpy as np
import pytest
import torch

import ember
from ember.backend import _erf_float32

F = ember.nn.functional


def _np(t):
    return t.detach().numpy()


# --- erf ------------------------------------------------------------------------------------------------
def test_erf_float32_accuracy():
    from scipy.special import erf
    x = np.linspace(-7, 7, 400001).astype(np.float32)
    err = np.abs(_erf_float32(x).astype(np.float64) - erf(x.astype(np.float64)))
    assert err.max() <= 5e-7
    small = np.float32([1e-30, 1e-8, 1e-4, -3e-3, 0.25])
    rel = np.abs(_erf_float32(small) / erf(small.astype(np.float64)) - 1)
    assert rel.max() < 5e-7


def test_erf_float32_special_values():
    x = np.float32([0.0, -0.0, np.inf, -np.inf, np.nan, 1e20, -1e38, 30.0, -5.0])
    got = _erf_float32(x)
    want = torch.erf(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, atol=1e-7)
    assert np.signbit(got[1]) and np.isnan(got[4])
    assert _erf_float32(np.zeros((0, 3), np.float32)).shape == (0, 3)


def test_erf_matches_torch_with_grad():
    x = np.random.default_rng(0).standard_normal((7, 9)).astype(np.float32) * 2
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = ember.erf(xe), torch.erf(xt)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=5e-7)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-6)


# --- gelu -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 5), (70001,), (2, 3, 4097)])
def test_gelu_float32_matches_torch(shape):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x.reshape(-1)[:4] = [0.0, -40.0, 12.0, -1e-6]
    g = rng.standard_normal(shape).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = F.gelu(xe), torch.nn.functional.gelu(xt)
    assert ye.dtype == ember.float32 and ye.shape == yt.shape
    np.testing.assert_allclose(_np(ye), _np(yt), atol=3e-6, rtol=1e-5)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=3e-6, rtol=1e-5)


def test_gelu_noncontiguous_input_and_grad():
    x = np.random.default_rng(2).standard_normal((6, 8)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = F.gelu(xe.t()), torch.nn.functional.gelu(xt.t())
    np.testing.assert_allclose(_np(ye), _np(yt), atol=2e-6)
    (ye * ember.arange(6.0)).sum().backward()
    (yt * torch.arange(6.0)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=2e-6)


def test_gelu_gradcheck_and_gradgradcheck():
    x = ember.tensor(np.random.default_rng(3).standard_normal((3, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(F.gelu, (x,))
    assert ember.autograd.gradgradcheck(F.gelu, (x,))


def test_gelu_float32_double_backward_matches_torch():
    x = np.random.default_rng(4).standard_normal((5, 6)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ge,) = ember.autograd.grad(F.gelu(xe).sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad(torch.nn.functional.gelu(xt).sum(), xt, create_graph=True)
    np.testing.assert_allclose(_np(ge), _np(gt), atol=2e-6)
    (ge * ge).sum().backward()
    (gt * gt).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=5e-6)


# --- linear on permuted layouts -------------------------------------------------------------------------
@pytest.mark.parametrize('perm', [(1, 0, 2), (2, 0, 1, 3), (0, 1, 2)])
def test_linear_on_permuted_view(perm):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((3, 4, 5, 6)[:len(perm) - 1] + (6,)).astype(np.float32)
    w = rng.standard_normal((7, 6)).astype(np.float32)
    b = rng.standard_normal(7).astype(np.float32)
    be, bt = ember.tensor(base, requires_grad=True), torch.tensor(base, requires_grad=True)
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    bie, bit = ember.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    ye, yt = F.linear(be.permute(*perm), we, bie), torch.nn.functional.linear(bt.permute(*perm), wt, bit)
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-5)
    g = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for e, t in ((be, bt), (we, wt), (bie, bit)):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=2e-5, rtol=1e-5)


def test_linear_permuted_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(6)
    x = ember.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(5), requires_grad=True)
    fn = lambda x, w, b: F.linear(x.transpose(0, 1), w, b)   # noqa: E731
    assert ember.autograd.gradcheck(fn, (x, w, b))
    assert ember.autograd.gradgradcheck(fn, (x, w, b))


# --- layer norm -----------------------------------------------------------------------------------------
def test_layer_norm_param_grads_match_torch():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 9, 16)).astype(np.float32)
    w, b = rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)
    ins_e = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
    ins_t = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ye = F.layer_norm(ins_e[0], (16,), ins_e[1], ins_e[2])
    yt = torch.nn.functional.layer_norm(ins_t[0], (16,), ins_t[1], ins_t[2])
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-5)
    g = rng.standard_normal(x.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for e, t in zip(ins_e, ins_t):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=2e-5, rtol=1e-5)


# --- multi-head self-attention --------------------------------------------------------------------------
def _mha_pair(E=16, H=4, batch_first=True, bias=True):
    te = ember.nn.MultiheadAttention(E, H, batch_first=batch_first, bias=bias)
    tt = torch.nn.MultiheadAttention(E, H, batch_first=batch_first, bias=bias)
    with torch.no_grad():
        for p in tt.parameters():
            p.normal_(0, 0.5)
    te.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tt.state_dict().items()})
    return te, tt


@pytest.mark.parametrize('batch_first', [True, False])
@pytest.mark.parametrize('causal', [True, False])
@pytest.mark.parametrize('bias', [True, False])
def test_self_attention_matches_torch(batch_first, causal, bias):
    te, tt = _mha_pair(batch_first=batch_first, bias=bias)
    x = np.random.default_rng(8).standard_normal((3, 5, 16)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kw_e = kw_t = {}
    if causal:
        kw_e = dict(attn_mask=ember.nn.Transformer.generate_square_subsequent_mask(5), is_causal=True)
        kw_t = dict(attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(5), is_causal=True)
    ye = te(xe, xe, xe, need_weights=False, **kw_e)[0]
    yt = tt(xt, xt, xt, need_weights=False, **kw_t)[0]
    np.testing.assert_allclose(_np(ye), _np(yt), atol=2e-5)
    g = np.random.default_rng(9).standard_normal(x.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=5e-5, rtol=1e-4)
    pe = dict(te.named_parameters())
    for name, p in tt.named_parameters():
        np.testing.assert_allclose(pe[name].grad.numpy(), p.grad.numpy(), atol=5e-5, rtol=1e-4, err_msg=name)


def test_self_attention_unbatched_and_eval_dropout():
    te, tt = _mha_pair(batch_first=False)
    te.dropout = tt.dropout = 0.5
    te.eval()
    tt.eval()
    x = np.random.default_rng(10).standard_normal((5, 16)).astype(np.float32)
    ye = te(ember.tensor(x), ember.tensor(x), ember.tensor(x), need_weights=False)[0]
    yt = tt(torch.tensor(x), torch.tensor(x), torch.tensor(x), need_weights=False)[0]
    assert tuple(ye.shape) == (5, 16)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=2e-5)


def test_self_attention_training_dropout_is_seeded():
    te, _ = _mha_pair()
    te.dropout = 0.3
    x = ember.tensor(np.random.default_rng(11).standard_normal((2, 6, 16)).astype(np.float32), requires_grad=True)
    ember.manual_seed(3)
    a = te(x, x, x, need_weights=False)[0]
    ember.manual_seed(3)
    b = te(x, x, x, need_weights=False)[0]
    c = te(x, x, x, need_weights=False)[0]
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.allclose(_np(a), _np(c))
    a.sum().backward()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_packed_attention_gradcheck_and_gradgradcheck():
    from ember.nn.functional.attention import PackedSelfAttention, _causal_mask
    rng = np.random.default_rng(12)
    qkv = ember.tensor(rng.standard_normal((4, 2, 12)), requires_grad=True)   # L=4, N=2, E=4, 2 heads
    causal = _causal_mask(4, 4, np.float64, np)
    for c in (None, causal):
        fn = lambda a: PackedSelfAttention.apply(a, heads=2, scale=0.7, causal=c, keep=None)   # noqa: E731
        assert ember.autograd.gradcheck(fn, (qkv,))
        assert ember.autograd.gradgradcheck(fn, (qkv,))
    # a batch-major view (as MultiheadAttention's batch_first transpose makes it)
    bm = ember.tensor(rng.standard_normal((2, 4, 12)), requires_grad=True)
    fn = lambda a: PackedSelfAttention.apply(a.transpose(0, 1), heads=2, scale=0.7, causal=causal, keep=None)  # noqa
    assert ember.autograd.gradcheck(fn, (bm,))


def test_mha_functional_gradcheck_float64():
    rng = np.random.default_rng(13)
    x = ember.tensor(rng.standard_normal((3, 2, 8)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((24, 8)) * 0.3, requires_grad=True)
    b = ember.tensor(rng.standard_normal(24) * 0.1, requires_grad=True)
    wo = ember.tensor(rng.standard_normal((8, 8)) * 0.3, requires_grad=True)

    def fn(x, w, b, wo):
        return F.multi_head_attention_forward(x, x, x, 8, 2, w, b, None, None, False, 0.0, wo, None,
                                              need_weights=False)[0]
    assert ember.autograd.gradcheck(fn, (x, w, b, wo))


# --- the whole model ------------------------------------------------------------------------------------
def test_gpt_encoder_matches_torch():
    def build(lib):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, activation='gelu', batch_first=True,
                                               norm_first=True)
        return lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    te, tt = build(ember), build(torch)
    te.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tt.state_dict().items()})
    x = np.random.default_rng(14).standard_normal((3, 7, 32)).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye = te(xe, mask=ember.nn.Transformer.generate_square_subsequent_mask(7), is_causal=True)
    yt = tt(xt, mask=torch.nn.Transformer.generate_square_subsequent_mask(7), is_causal=True)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-5)
    g = np.random.default_rng(15).standard_normal(x.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=2e-5, rtol=1e-4)
    pe = dict(te.named_parameters())
    for name, p in tt.named_parameters():
        np.testing.assert_allclose(pe[name].grad.numpy(), p.grad.numpy(), atol=3e-5, rtol=1e-4, err_msg=name)
