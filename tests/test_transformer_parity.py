"""TransformerEncoder's inference path and the transformer warnings, against torch.

torch's encoder runs inference with a right-aligned padding mask on nested tensors, so padded positions come
out as zeros (before the final norm); its constructor says why it cannot when it cannot, and mismatched
padding/attention mask dtypes draw a deprecation warning."""
import warnings
import numpy as np
import pytest
import torch
import ember


def _messages(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn()
    return [str(m.message) for m in w]


@pytest.mark.parametrize('kw', [dict(nhead=1), dict(norm_first=True), dict(batch_first=False), dict(bias=False),
                                dict(norm_first=True, batch_first=False), dict(batch_first=False, bias=False),
                                dict(activation='gelu'), dict()])
def test_encoder_construction_warnings(kw):
    def make(lib):
        d = dict(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
        d.update(kw)
        return lambda: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(**d), 2)
    assert _messages(make(ember)) == _messages(make(torch))
    t, e = make(torch)(), make(ember)()
    assert e.use_nested_tensor == t.use_nested_tensor


def _pair(final_norm):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    t = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8) if final_norm else None)
    if final_norm:
        with torch.no_grad():
            t.norm.bias.fill_(0.5)
    e = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2,
                                    norm=ember.nn.LayerNorm(8) if final_norm else None)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t, e


@pytest.mark.parametrize('pad', [[[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], [[1, 1, 0, 0, 0], [0, 0, 0, 0, 0]],
                                 [[0, 1, 0, 1, 0], [0, 0, 0, 0, 1]], [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]])
@pytest.mark.parametrize('mode', ['eval_nograd', 'eval_grad', 'train', 'float_mask'])
@pytest.mark.parametrize('final_norm', [False, True])
def test_encoder_padded_outputs_match_torch(pad, mode, final_norm):
    t, e = _pair(final_norm)
    x = np.random.default_rng(0).standard_normal((2, 5, 8)).astype(np.float32)
    m = np.array(pad, dtype=bool)
    outs = []
    for lib, model in ((torch, t), (ember, e)):
        model.train(mode == 'train')
        mask = lib.tensor(m)
        if mode == 'float_mask':
            mask = lib.zeros(2, 5).masked_fill(mask, float('-inf'))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with lib.set_grad_enabled(mode == 'eval_grad'):
                outs.append(model(lib.tensor(x), src_key_padding_mask=mask).detach().numpy())
    valid = ~m   # fully padded rows are NaN on the padded path in both libraries outside the nested case
    np.testing.assert_allclose(outs[1][valid], outs[0][valid], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.isnan(outs[1]), np.isnan(outs[0]))
    both = ~np.isnan(outs[0])
    np.testing.assert_allclose(outs[1][both], outs[0][both], rtol=1e-5, atol=1e-5)


def test_mismatched_mask_warnings():
    def run(lib):
        x = lib.randn(2, 4, 8)
        kb = lib.tensor([[False] * 3 + [True], [False] * 4])
        af = lib.zeros(4, 4)
        mha = lib.nn.MultiheadAttention(8, 2, batch_first=True)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        enc = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
        return (_messages(lambda: mha(x, x, x, key_padding_mask=kb, attn_mask=af)),
                _messages(lambda: layer(x, src_mask=af, src_key_padding_mask=kb)),
                _messages(lambda: enc(x, mask=af, src_key_padding_mask=kb)),
                _messages(lambda: mha(x, x, x, key_padding_mask=kb, attn_mask=af.bool())))
    assert run(ember) == run(torch)

