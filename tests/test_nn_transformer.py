"""scaled_dot_product_attention, MultiheadAttention and the Transformer modules against torch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
import ember
import ember.nn.functional as EF
from tests.helpers import check, check_error, assert_same


def _F(lib):
    return TF if lib is torch else EF


def test_sdpa_plain_gradgrad():
    check(lambda L, q, k, v: _F(L).scaled_dot_product_attention(q, k, v), (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6),
          gradgrad=True)


def test_sdpa_causal_scale_and_unbatched():
    check(lambda L, q, k, v: _F(L).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
          (2, 4, 8), (2, 5, 8), (2, 5, 6))
    check(lambda L, q, k, v: _F(L).scaled_dot_product_attention(q, k, v), (4, 3), (5, 3), (5, 2))


def test_sdpa_bool_mask_with_fully_masked_row():
    m = np.zeros((4, 5), bool)
    m[:, 1] = True
    m[0] = False
    check(lambda L, q, k, v, m: _F(L).scaled_dot_product_attention(q, k, v, attn_mask=m),
          (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), m, gradcheck=False)


def test_sdpa_float_mask_broadcast_and_its_grad():
    check(lambda L, q, k, v, m: _F(L).scaled_dot_product_attention(q, k, v, attn_mask=m),
          (2, 3, 4, 8), (1, 3, 5, 8), (2, 1, 5, 6), (3, 4, 5), gradgrad=True)


def test_sdpa_gqa():
    check(lambda L, q, k, v: _F(L).scaled_dot_product_attention(q, k, v, enable_gqa=True),
          (2, 4, 4, 8), (2, 2, 5, 8), (2, 2, 5, 6))


def test_sdpa_dropout_seeded():
    q = ember.randn(2, 2, 4, 8)
    ember.manual_seed(3)
    a = EF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    ember.manual_seed(3)
    b = EF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    c = EF.scaled_dot_product_attention(q, q, q)
    assert np.array_equal(a.numpy(), b.numpy()) and not np.allclose(a.numpy(), c.numpy())
    x = ember.randn(2, 2, 4, 8, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(4)
    assert ember.autograd.gradcheck(lambda t: (ember.manual_seed(4), EF.scaled_dot_product_attention(
        t, t, t, dropout_p=0.3))[1], (x,))


def test_sdpa_errors():
    q, k, v = (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)
    mk = lambda L, s, dt=None: L.zeros(*s, dtype=dt)
    check_error(lambda L: _F(L).scaled_dot_product_attention(mk(L, q), mk(L, k), mk(L, v),
                attn_mask=mk(L, (4, 5), L.bool), is_causal=True), RuntimeError, 'is_causal')
    check_error(lambda L: _F(L).scaled_dot_product_attention(mk(L, q), mk(L, k, L.float64), mk(L, v)),
                RuntimeError, 'same dtype')
    check_error(lambda L: _F(L).scaled_dot_product_attention(mk(L, q), mk(L, (2, 3, 5, 7)), mk(L, v)),
                RuntimeError, 'batch2')
    check_error(lambda L: _F(L).scaled_dot_product_attention(mk(L, q), mk(L, k), mk(L, v),
                attn_mask=mk(L, (4, 5), L.int64)), RuntimeError, 'attn_mask dtype')
    check_error(lambda L: _F(L).scaled_dot_product_attention(mk(L, (8,)), mk(L, (8,)), mk(L, (8,))),
                RuntimeError, 'at least 2 dimensional')


# --- modules -----------------------------------------------------------------------------------------
def _copy(tm, em):
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def _pair(tcls, ecls, *args, **kw):
    torch.manual_seed(0)
    tm = tcls(*args, **kw).double()
    em = ecls(*args, **kw).double()
    assert list(tm.state_dict()) == list(em.state_dict())
    _copy(tm, em)
    return tm, em


def _run(tm, em, arrays, kwargs_fn=lambda L: {}, tol=1e-9, pick=lambda o: o):
    tins = [torch.tensor(a, requires_grad=True) for a in arrays]
    eins = [ember.tensor(a, requires_grad=True) for a in arrays]
    tout, eout = pick(tm(*tins, **kwargs_fn(torch))), pick(em(*eins, **kwargs_fn(ember)))
    touts = [o for o in (tout if isinstance(tout, tuple) else (tout,)) if o is not None]
    eouts = [o for o in (eout if isinstance(eout, tuple) else (eout,)) if o is not None]
    assert len(touts) == len(eouts)
    for t, e in zip(touts, eouts):
        assert_same(t, e, tol, tol)
    rng = np.random.default_rng(1)
    cots = [rng.standard_normal(tuple(t.shape)) for t in touts]
    torch.autograd.backward(touts, [torch.tensor(c) for c in cots])
    ember.autograd.backward(eouts, [ember.tensor(c) for c in cots])
    for t, e in zip(tins, eins):
        assert_same(t.grad, e.grad, tol * 10, tol * 10, 'input grad')
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        if p.grad is not None:
            assert_same(p.grad, ep[n].grad, tol * 10, tol * 10, n)


MHA_CASES = [
    dict(), dict(batch_first=True), dict(bias=False), dict(add_bias_kv=True), dict(add_zero_attn=True),
    dict(kdim=3, vdim=5), dict(add_bias_kv=True, add_zero_attn=True, batch_first=True),
]


@pytest.mark.parametrize('kw', MHA_CASES)
@pytest.mark.parametrize('need_weights,average', [(True, True), (True, False), (False, True)])
def test_mha(kw, need_weights, average):
    tm, em = _pair(torch.nn.MultiheadAttention, ember.nn.MultiheadAttention, 8, 2, **kw)
    rng = np.random.default_rng(2)
    L, S, N = 4, 5, 3
    bf = kw.get('batch_first')
    q = rng.standard_normal((N, L, 8) if bf else (L, N, 8))
    k = rng.standard_normal((N, S, kw.get('kdim', 8)) if bf else (S, N, kw.get('kdim', 8)))
    v = rng.standard_normal((N, S, kw.get('vdim', 8)) if bf else (S, N, kw.get('vdim', 8)))
    kpm = np.zeros((N, S), bool)
    kpm[1, -2:] = True
    am = rng.standard_normal((L, S))
    _run(tm, em, [q, k, v], lambda Lb: dict(need_weights=need_weights, average_attn_weights=average,
                                           key_padding_mask=Lb.tensor(kpm), attn_mask=Lb.tensor(am)))


def test_mha_self_attention_masks_and_unbatched():
    tm, em = _pair(torch.nn.MultiheadAttention, ember.nn.MultiheadAttention, 8, 4)
    x = np.random.default_rng(3).standard_normal((5, 8))
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    mask = np.triu(np.ones((5, 5), bool), 1)
    assert_same(tm(xt, xt, xt, attn_mask=torch.tensor(mask))[0], em(xe, xe, xe, attn_mask=ember.tensor(mask))[0])
    x3 = np.random.default_rng(4).standard_normal((5, 2, 8))
    xt3, xe3 = torch.tensor(x3), ember.tensor(x3)
    cm = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    t = tm(xt3, xt3, xt3, attn_mask=cm, is_causal=True, need_weights=False)[0]
    e = em(xe3, xe3, xe3, attn_mask=ember.nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64),
           is_causal=True, need_weights=False)[0]
    assert_same(t, e)
    with pytest.raises(RuntimeError, match='Need attn_mask'):
        em(xe3, xe3, xe3, is_causal=True)


def test_mha_errors():
    check_error(lambda L: L.nn.MultiheadAttention(0, 2), ValueError, 'greater than 0')
    check_error(lambda L: L.nn.MultiheadAttention(6, 4), AssertionError, 'divisible')
    check_error(lambda L: L.nn.MultiheadAttention(8, 2)(L.zeros(4, 2, 8), L.zeros(5, 2, 8), L.zeros(5, 2, 8),
                attn_mask=L.zeros(3, 3)), RuntimeError, '2D attn_mask')


@pytest.mark.parametrize('kw', [dict(), dict(norm_first=True, activation='gelu', batch_first=True),
                                dict(activation=TF.gelu, bias=False, layer_norm_eps=1e-3)])
def test_encoder_layer_and_encoder(kw):
    ekw = dict(kw)
    if kw.get('activation') is TF.gelu:
        ekw['activation'] = EF.gelu
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw).double()
    el = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **ekw).double()
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8).double(), enable_nested_tensor=False)
    em = ember.nn.TransformerEncoder(el, 2, norm=ember.nn.LayerNorm(8).double(), enable_nested_tensor=False)
    assert list(tm.state_dict()) == list(em.state_dict())
    _copy(tm, em)
    x = np.random.default_rng(5).standard_normal((3, 6, 8) if kw.get('batch_first') else (6, 3, 8))
    kpm = np.zeros((3, 6) if kw.get('batch_first') else (6, 3), bool)
    mask = lambda L: L.nn.Transformer.generate_square_subsequent_mask(6, dtype=L.float64)
    _run(tm, em, [x], lambda L: dict(mask=mask(L)))
    _run(tm, em, [x], lambda L: dict(mask=mask(L), is_causal=True))
    if kw.get('batch_first'):
        kpm[1, -2:] = True
        _run(tm, em, [x], lambda L: dict(src_key_padding_mask=L.tensor(kpm)))


@pytest.mark.parametrize('kw', [dict(), dict(norm_first=True, batch_first=True, activation='gelu')])
def test_transformer(kw):
    torch.manual_seed(0)
    tm = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, **kw).double()
    em = ember.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, **kw).double()
    assert list(tm.state_dict()) == list(em.state_dict())
    _copy(tm, em)
    rng = np.random.default_rng(6)
    bf = kw.get('batch_first')
    src = rng.standard_normal((2, 5, 8) if bf else (5, 2, 8))
    tgt = rng.standard_normal((2, 4, 8) if bf else (4, 2, 8))
    tmask = lambda L: L.nn.Transformer.generate_square_subsequent_mask(4, dtype=L.float64)
    mkpm = np.zeros((2, 5), bool)
    mkpm[0, -1] = True
    _run(tm, em, [src, tgt], lambda L: dict(tgt_mask=tmask(L), memory_key_padding_mask=L.tensor(mkpm)))


def test_transformer_misc():
    assert_same(torch.nn.Transformer.generate_square_subsequent_mask(4),
                ember.nn.Transformer.generate_square_subsequent_mask(4))
    check_error(lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.zeros(5, 2, 8), L.zeros(4, 3, 8)), RuntimeError,
                'batch number')
    check_error(lambda L: L.nn.Transformer(8, 2, 1, 1, 16)(L.zeros(5, 2, 6), L.zeros(4, 2, 6)), RuntimeError,
                'feature number')
    check_error(lambda L: L.nn.TransformerEncoderLayer(8, 2, activation='tanh'), RuntimeError, 'relu/gelu')
    em = ember.nn.Transformer(16, 4, 1, 1, 32)
    tm = torch.nn.Transformer(16, 4, 1, 1, 32)
    assert repr(em) == repr(tm)
    for p in em.parameters():
        if p.dim() > 1:
            a = np.sqrt(6 / sum(p.shape))
            assert np.abs(p.detach().numpy()).max() <= a + 1e-6
