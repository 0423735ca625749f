"""Parity with torch of the GPT-step fast paths: the tanh-polynomial float32 erf, the chunked float32 GELU,
Linear on permuted-layout inputs, layer norm's row-GEMV op, cross-entropy's global-shift rows path, and
MultiheadAttention's packed self-attention op with its unnormalised-probabilities path (values, input and
parameter gradients, fallbacks, gradcheck and gradgradcheck)."""
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


def _ln_pair(x, ns, w, b, g, eps=1e-5):
    """ember and torch layer norm on the same arrays: outputs and the gradients of every given input."""
    res = []
    for lib, wrap in ((ember, ember.tensor), (torch, torch.tensor)):
        ins = [wrap(a, requires_grad=True) if a is not None else None for a in (x, w, b)]
        y = lib.nn.functional.layer_norm(ins[0], ns, ins[1], ins[2], eps=eps)
        y.backward(wrap(g))
        res.append([_np(y)] + [t.grad.numpy() if t is not None else None for t in ins])
    return res


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('affine', ['wb', 'w', 'b', ''])
@pytest.mark.parametrize('shape,ns', [((4, 9, 16), (16,)), ((3, 5, 4, 6), (4, 6)), ((7,), (7,))])
def test_layer_norm_fast_path_matches_torch(dtype, affine, shape, ns):
    rng = np.random.default_rng(20)
    x = (rng.standard_normal(shape) * 3 + 1.5).astype(dtype)
    w = rng.standard_normal(ns).astype(dtype) if 'w' in affine else None
    b = rng.standard_normal(ns).astype(dtype) if 'b' in affine else None
    g = rng.standard_normal(shape).astype(dtype)
    e, t = _ln_pair(x, ns, w, b, g)
    tol = dict(atol=2e-5, rtol=1e-5) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-10)
    for a, c in zip(e, t):
        assert (a is None) == (c is None)
        if a is not None:
            assert a.dtype == c.dtype and a.shape == c.shape
            np.testing.assert_allclose(a, c, **tol)


def test_layer_norm_offset_rows_and_eps():
    # a large common offset: float32 cannot hold x's spread exactly, so compare with the float64 result; a
    # one-pass E[x^2] - E[x]^2 variance would be off by far more than this tolerance
    rng = np.random.default_rng(21)
    x = (rng.standard_normal((6, 32)) * 0.01 + 300).astype(np.float32)
    w, b = rng.standard_normal(32).astype(np.float32), rng.standard_normal(32).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    e32, t32 = _ln_pair(x, (32,), w, b, g, eps=1e-3)
    e64, t64 = _ln_pair(*(a.astype(np.float64) for a in (x,)), (32,), w.astype(np.float64), b.astype(np.float64),
                        g.astype(np.float64), eps=1e-3)
    for a, c, want in zip(e32, t32, e64):
        err, torch_err = np.abs(a - want).max(), np.abs(c - want).max()
        assert err <= max(2 * torch_err, 1e-4), (err, torch_err)
    for a, c in zip(e64, t64):
        np.testing.assert_allclose(a, c, rtol=1e-9, atol=1e-9)


def test_layer_norm_noncontiguous_zero_size_and_constant_rows():
    rng = np.random.default_rng(22)
    base = rng.standard_normal((8, 5)).astype(np.float32)
    w = rng.standard_normal(8).astype(np.float32)
    xe, xt = ember.tensor(base, requires_grad=True), torch.tensor(base, requires_grad=True)
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ye, yt = F.layer_norm(xe.t(), (8,), we), torch.nn.functional.layer_norm(xt.t(), (8,), wt)
    np.testing.assert_allclose(_np(ye), _np(yt), atol=1e-5)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=2e-5)
    np.testing.assert_allclose(we.grad.numpy(), wt.grad.numpy(), atol=2e-5)
    z = F.layer_norm(ember.zeros(0, 4, requires_grad=True), (4,))
    assert tuple(z.shape) == (0, 4)
    z.sum().backward()
    c = ember.full((3, 4), 2.5, requires_grad=True)
    yc = F.layer_norm(c, (4,))
    np.testing.assert_array_equal(_np(yc), np.zeros((3, 4), np.float32))
    yc.sum().backward()
    assert np.isfinite(c.grad.numpy()).all()


def test_layer_norm_module_bias_false_and_retain_graph():
    rng = np.random.default_rng(23)
    x = rng.standard_normal((2, 3, 10)).astype(np.float32)
    me, mt = ember.nn.LayerNorm(10, bias=False), torch.nn.LayerNorm(10, bias=False)
    with torch.no_grad():
        mt.weight.normal_()
    me.load_state_dict({k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = me(xe), mt(xt)
    g = rng.standard_normal(x.shape).astype(np.float32)
    for _ in range(2):   # a second backward through the retained graph gives the same again
        ye.backward(ember.tensor(g), retain_graph=True)
        yt.backward(torch.tensor(g), retain_graph=True)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=2e-5)
    np.testing.assert_allclose(me.weight.grad.numpy(), mt.weight.grad.numpy(), atol=2e-5)


@pytest.mark.parametrize('affine', [True, False])
def test_layer_norm_gradcheck_and_gradgradcheck(affine):
    rng = np.random.default_rng(24)
    x = ember.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    if affine:
        w = ember.tensor(rng.standard_normal((2, 4)), requires_grad=True)
        b = ember.tensor(rng.standard_normal((2, 4)), requires_grad=True)
        fn, ins = (lambda x, w, b: F.layer_norm(x, (2, 4), w, b)), (x, w, b)
    else:
        fn, ins = (lambda x: F.layer_norm(x, (4,))), (x,)
    assert ember.autograd.gradcheck(fn, ins)
    assert ember.autograd.gradgradcheck(fn, ins)


# --- cross-entropy ----------------------------------------------------------------------------------------
def _ce_pair(x, t, **kw):
    res = []
    for lib, wrap in ((ember, ember.tensor), (torch, torch.tensor)):
        xi = wrap(x, requires_grad=True)
        kw2 = {k: (wrap(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        loss = lib.nn.functional.cross_entropy(xi, wrap(t), **kw2)
        loss.backward(wrap(np.linspace(0.5, 1.5, loss.numel()).reshape(tuple(loss.shape)).astype(x.dtype)))
        res.append((_np(loss), xi.grad.numpy()))
    return res


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('ignore_index', [-100, 2])
def test_cross_entropy_rows_match_torch(dtype, reduction, ignore_index):
    rng = np.random.default_rng(30)
    x = (rng.standard_normal((40, 7)) * 4).astype(dtype)
    t = rng.integers(0, 7, 40)
    (le, ge), (lt, gt) = _ce_pair(x, t, reduction=reduction, ignore_index=ignore_index)
    node = F.cross_entropy(ember.tensor(x, requires_grad=True), ember.tensor(t), reduction=reduction).grad_fn
    assert node.zsum is not None   # the global-shift rows path
    tol = dict(atol=1e-5, rtol=1e-5) if dtype == np.float32 else dict(atol=1e-12, rtol=1e-12)
    assert le.dtype == lt.dtype and le.shape == lt.shape
    np.testing.assert_allclose(le, lt, **tol)
    np.testing.assert_allclose(ge, gt, **tol)


@pytest.mark.parametrize('kw', [dict(weight=np.float32([0.5, 2, 1, 0.1, 3])), dict(label_smoothing=0.2),
                                dict(weight=np.float32([0.5, 2, 1, 0.1, 3]), label_smoothing=0.1, ignore_index=1)])
def test_cross_entropy_weight_and_smoothing_match_torch(kw):
    rng = np.random.default_rng(31)
    x = rng.standard_normal((12, 5)).astype(np.float32)
    t = rng.integers(0, 5, 12)
    (le, ge), (lt, gt) = _ce_pair(x, t, **kw)
    np.testing.assert_allclose(le, lt, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(ge, gt, atol=1e-6, rtol=1e-5)


def test_cross_entropy_far_apart_rows_and_infinities():
    # rows whose logits sit far below the global max leave the global-shift path: the row-max path still agrees
    rng = np.random.default_rng(32)
    x = rng.standard_normal((6, 9)).astype(np.float32)
    x[0] += 500
    x[3] -= 200
    t = rng.integers(0, 9, 6)
    assert F.cross_entropy(ember.tensor(x, requires_grad=True), ember.tensor(t)).grad_fn.zsum is None
    (le, ge), (lt, gt) = _ce_pair(x, t)
    np.testing.assert_allclose(le, lt, rtol=1e-5)
    np.testing.assert_allclose(ge, gt, atol=1e-6)
    x[2, 4] = -np.inf
    x[5, 1] = np.inf
    (le, ge), (lt, gt) = _ce_pair(x, t, reduction='none')
    np.testing.assert_allclose(le, lt, rtol=1e-5)
    np.testing.assert_allclose(ge, gt, atol=1e-6)


def test_cross_entropy_all_ignored_noncontiguous_and_retain_graph():
    rng = np.random.default_rng(33)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    t = np.full(4, 3)
    (le, ge), (lt, gt) = _ce_pair(x, t, ignore_index=3)
    assert np.isnan(le) and np.isnan(lt)
    np.testing.assert_array_equal(ge, gt)
    xe, xt = ember.tensor(x.T.copy(), requires_grad=True), torch.tensor(x.T.copy(), requires_grad=True)
    tt = rng.integers(0, 4, 6)
    le = F.cross_entropy(xe.t(), ember.tensor(tt[:4]))
    lt = torch.nn.functional.cross_entropy(xt.t(), torch.tensor(tt[:4]))
    np.testing.assert_allclose(_np(le), _np(lt), rtol=1e-6)
    for _ in range(2):
        le.backward(retain_graph=True)
        lt.backward(retain_graph=True)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-7)


def test_cross_entropy_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(34)
    x = ember.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    t = ember.tensor(np.array([0, 3, 1, 1, 2]))
    for red in ('mean', 'none'):
        fn = lambda x: F.cross_entropy(x, t, reduction=red, ignore_index=1)   # noqa: E731
        assert ember.autograd.gradcheck(fn, (x,))
        assert ember.autograd.gradgradcheck(fn, (x,))


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


def test_packed_attention_fallback_and_dropout_agree():
    # ordinary scores take the unnormalised (global-shift) path, batches whose scores sit far below the global
    # max the per-row path; both agree with the per-row path forced, with and without a dropout mask, and a
    # second backward through the retained graph gives the same gradient again
    import ember.nn.functional.attention as A
    rng = np.random.default_rng(16)
    base = rng.standard_normal((6, 3, 24)).astype(np.float32)
    keep = A._dropout_keep((3, 2, 6, 6), 0.3, np.float32, np, 'test')
    causal = A._causal_mask(6, 6, np.float32, np)
    g = rng.standard_normal((6, 3, 8)).astype(np.float32)

    def run(qkv, k):
        a = ember.tensor(qkv, requires_grad=True)
        y = A.PackedSelfAttention.apply(a, heads=2, scale=0.5, causal=causal, keep=k)
        y.backward(ember.tensor(g), retain_graph=True)
        first = a.grad.numpy().copy()
        y.backward(ember.tensor(g))
        np.testing.assert_allclose(a.grad.numpy(), 2 * first, rtol=1e-6, atol=1e-6)
        return _np(y), first, y.grad_fn.zinv is not None

    qkv = base.copy()
    qkv[:, 0, :8] *= 40   # batch 0: huge scores
    for x, unnormalised in ((base, True), (qkv, False)):
        for k in (None, keep):
            fast = run(x, k)
            assert fast[2] == unnormalised
            saved, A._shifted_exp_scores = A._shifted_exp_scores, lambda *args: None
            try:
                slow = run(x, k)
            finally:
                A._shifted_exp_scores = saved
            assert not slow[2]
            np.testing.assert_allclose(fast[0], slow[0], atol=2e-5, rtol=1e-5)
            np.testing.assert_allclose(fast[1], slow[1], atol=5e-5, rtol=1e-4)
    # against torch's attention, on the scores that forced the per-row path
    q, k_, v = (torch.tensor(qkv).reshape(6, 3, 3, 2, 4)[:, :, i].permute(1, 2, 0, 3) for i in range(3))
    yt = torch.nn.functional.scaled_dot_product_attention(q, k_, v, is_causal=True, scale=0.5)
    ye = A.PackedSelfAttention.apply(ember.tensor(qkv), heads=2, scale=0.5, causal=causal, keep=None)
    np.testing.assert_allclose(_np(ye), yt.permute(2, 0, 1, 3).reshape(6, 3, 8).numpy(), atol=2e-5, rtol=1e-5)



def test_attention_probs_global_shift_matches_row_max():
    # the general attention op's probabilities: the overall-max shift agrees with the per-row max, including
    # rows far below the overall max and fully masked rows (which fall back to the per-row path: zeros)
    from ember.nn.functional.attention import _probs_inplace
    rng = np.random.default_rng(17)
    q, k = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3, 6, 4))
    mask = np.where(rng.random((5, 6)) < 0.3, -np.inf, 0.0)
    for m in (None, mask):
        np.testing.assert_allclose(_probs_inplace(np, q, k, m, 0.5, None), _probs_inplace(np, q, k, m, 0.5, None,
                                                                                        shift=False), atol=1e-15)
    q[0, 0] *= 200
    full = mask.copy()
    full[2] = -np.inf
    for m in (mask, full):
        a, b = _probs_inplace(np, q, k, m, 0.5, None), _probs_inplace(np, q, k, m, 0.5, None, shift=False)
        np.testing.assert_allclose(a, b, atol=1e-15)
    assert (a[:, :, 2] == 0).all()


@pytest.mark.parametrize('mask_kind', ['bool', 'float'])
def test_sdpa_with_mask_matches_torch(mask_kind):
    rng = np.random.default_rng(18)
    q, k, v = (rng.standard_normal((2, 3, 5, 4)).astype(np.float32) for _ in range(3))
    m = rng.random((5, 5)) < 0.7
    m[:, 0] = True
    noise = rng.standard_normal((5, 5)).astype(np.float32)
    mask = m if mask_kind == 'bool' else np.where(m, 0.0, -1e4).astype(np.float32) + noise
    ins_e = [ember.tensor(a, requires_grad=True) for a in (q, k, v)]
    ins_t = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    ye = F.scaled_dot_product_attention(*ins_e, attn_mask=ember.tensor(mask))
    yt = torch.nn.functional.scaled_dot_product_attention(*ins_t, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(_np(ye), _np(yt), atol=2e-6)
    g = rng.standard_normal(q.shape).astype(np.float32)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for e, t in zip(ins_e, ins_t):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-5)

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
