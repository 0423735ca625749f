"""Seeded programs give torch's numbers: no weights are copied, both libraries start from manual_seed and
default initialisation, so every draw (init, data, dropout masks) must land on the same elements. The cases
are the bugs found by running tutorial-style programs under both: where a mask is drawn depends on the
memory layout of the tensor it masks, so ember's results must have torch's layouts too."""
import math

import numpy as np
import pytest
import torch

import ember


def _np(t):
    return t.detach().numpy()


def _close(a, b, tol=2e-5):
    np.testing.assert_allclose(_np(b), _np(a), rtol=tol, atol=tol)


# --- dropout draws its mask in the input's memory order ------------------------------------------------------
LAYOUTS = {
    'contiguous': lambda L: L.ones(3, 4),
    'transposed': lambda L: L.ones(4, 3).t(),
    'permuted 3-d': lambda L: L.ones(2, 3, 4).transpose(0, 2),
    'permuted result': lambda L: L.ones(2, 3, 4).permute(1, 2, 0) + 1,
    'sliced transposed': lambda L: L.ones(4, 6)[:, ::2].t(),
    'size-1 axis': lambda L: L.ones(5, 1, 3).transpose(0, 2),
    'broadcast rows': lambda L: L.ones(1, 4).expand(3, 4),
    'broadcast cols': lambda L: L.ones(3, 1).expand(3, 4),
    'float64 transposed': lambda L: L.ones(4, 3, dtype=L.float64).t(),
}


@pytest.mark.parametrize('make', LAYOUTS.values(), ids=LAYOUTS.keys())
def test_dropout_mask_follows_memory_layout(make):
    out = []
    for L in (torch, ember):
        L.manual_seed(0)
        out.append((L.nn.functional.dropout(make(L), 0.5), L.rand(2)))
    _close(out[0][0], out[1][0], 0)
    _close(out[0][1], out[1][1], 0)


def _strides(t):
    return t.stride() if isinstance(t, torch.Tensor) else tuple(s // t._data.itemsize for s in t._data.strides)


# ops whose torch result is contiguous whatever the input's layout (a later dropout then draws in C order)
CONTIGUOUS_RESULTS = {
    'linear': lambda L, x: L.nn.functional.linear(x, L.ones(6, 8) / 7, L.ones(6)),
    'linear no bias': lambda L, x: L.nn.functional.linear(x, L.ones(6, 8) / 7),
    'layer_norm': lambda L, x: L.nn.functional.layer_norm(x, (8,), L.ones(8) * 2, L.ones(8)),
    'layer_norm no affine': lambda L, x: L.nn.functional.layer_norm(x, (8,)),
    'rms_norm': lambda L, x: L.nn.functional.rms_norm(x, (8,)),
    'softmax': lambda L, x: L.nn.functional.softmax(x, -1),
    'softmax dim 0': lambda L, x: L.nn.functional.softmax(x, 0),
    'log_softmax': lambda L, x: L.nn.functional.log_softmax(x, -1),
}


@pytest.mark.parametrize('op', CONTIGUOUS_RESULTS.values(), ids=CONTIGUOUS_RESULTS.keys())
def test_layout_of_results_then_dropout(op):
    out = []
    for L in (torch, ember):
        L.manual_seed(0)
        x = L.randn(3, 5, 8).transpose(0, 1).requires_grad_()
        y = op(L, x)
        d = L.nn.functional.dropout(y, 0.5)
        (d * L.arange(d.numel()).reshape(d.shape)).sum().backward()
        out.append((y, d, x.grad, _strides(y)))
    assert out[1][3] == out[0][3]
    for a, b in zip(out[0][:3], out[1][:3]):
        _close(a, b)


def test_softmax_of_0d_keeps_shape():
    assert ember.softmax(ember.tensor(2.0), 0).shape == ()
    assert ember.log_softmax(ember.tensor(2.0), 0).shape == ()


# --- transformer layers in training mode ---------------------------------------------------------------------
def _transformer_layer(L, decoder, batch_first, causal, transposed, norm_first):
    L.manual_seed(0)
    cls = L.nn.TransformerDecoderLayer if decoder else L.nn.TransformerEncoderLayer
    layer = cls(8, 2, 16, dropout=0.3, batch_first=batch_first, norm_first=norm_first)
    x = L.randn(3, 5, 8)
    if not batch_first:
        x = x.transpose(0, 1) if transposed else x.reshape(5, 3, 8)
    mask = L.nn.Transformer.generate_square_subsequent_mask(5)
    if decoder:
        y = layer(x, x * 2, tgt_mask=mask, tgt_is_causal=causal)
    else:
        y = layer(x, mask, is_causal=causal)
    y.sum().backward()
    return y, layer.linear1.weight.grad, layer.self_attn.in_proj_weight.grad, L.rand(2)


@pytest.mark.parametrize('decoder', [False, True], ids=['encoder', 'decoder'])
@pytest.mark.parametrize('batch_first,transposed', [(True, False), (False, False), (False, True)],
                         ids=['batch_first', 'seq_first', 'seq_first_transposed_view'])
@pytest.mark.parametrize('causal', [False, True], ids=['mask', 'causal'])
@pytest.mark.parametrize('norm_first', [False, True], ids=['post_norm', 'pre_norm'])
def test_transformer_layer_training_matches(decoder, batch_first, transposed, causal, norm_first):
    a = _transformer_layer(torch, decoder, batch_first, causal, transposed, norm_first)
    b = _transformer_layer(ember, decoder, batch_first, causal, transposed, norm_first)
    for x, y in zip(a, b):
        _close(x, y, 5e-5)


def test_multihead_attention_output_layout():
    for batch_first in (False, True):
        for need_weights in (False, True):
            res = []
            for L in (torch, ember):
                L.manual_seed(0)
                mha = L.nn.MultiheadAttention(8, 2, batch_first=batch_first)
                x = L.randn(5, 3, 8).transpose(0, 1)
                mask = L.nn.Transformer.generate_square_subsequent_mask(5 if batch_first else 3)
                o, _ = mha(x, x, x, attn_mask=mask, is_causal=True, need_weights=need_weights)
                res.append((o, _strides(o)))
            assert res[1][1] == res[0][1]
            _close(res[0][0], res[1][0])


# --- recurrent dropout on packed sequences --------------------------------------------------------------------
@pytest.mark.parametrize('mode', ['LSTM', 'GRU'])
@pytest.mark.parametrize('enforce_sorted', [True, False])
def test_rnn_dropout_on_packed_sequence(mode, enforce_sorted):
    lengths = [7, 6, 5, 3] if enforce_sorted else [3, 6, 7, 5]
    res = []
    for L in (torch, ember):
        L.manual_seed(0)
        rnn = getattr(L.nn, mode)(4, 3, num_layers=3, dropout=0.5, batch_first=True, bidirectional=mode == 'GRU')
        x = L.randn(4, 7, 4, requires_grad=True)
        packed = L.nn.utils.rnn.pack_padded_sequence(x, L.tensor(lengths), batch_first=True,
                                                     enforce_sorted=enforce_sorted)
        out, h = rnn(packed)
        h = h[0] if mode == 'LSTM' else h
        padded, _ = L.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        (padded.sum() + h.sum()).backward()
        res.append((padded, h, x.grad, rnn.weight_ih_l0.grad, L.rand(2)))
    for a, b in zip(*res):
        _close(a, b)


# --- torch.compile's outputs ----------------------------------------------------------------------------------
def test_compiled_outputs_print_compiled_function_backward():
    model = ember.compile(ember.nn.Linear(3, 2))
    x = ember.randn(4, 3)
    out = model(x)
    assert out.grad_fn.name() == 'CompiledFunctionBackward'
    assert repr(out).endswith('grad_fn=<CompiledFunctionBackward>)')
    out.sum().backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)), rtol=1e-6)
    a = ember.randn(3, requires_grad=True)
    f = ember.compile(lambda a, b: (a * b, a.sum(), b + 1, a, a.view(3, 1)))
    outs = f(a, ember.ones(3))
    assert [o.grad_fn.name() if o.grad_fn is not None else None for o in outs] == [
        'CompiledFunctionBackward', 'CompiledFunctionBackward', None, None, 'ViewBackward0']
    with ember.no_grad():
        assert model(x).grad_fn is None


# --- whole programs -------------------------------------------------------------------------------------------
def char_transformer(L, steps=6):
    """A char-level language model as tutorials write it: seq-first TransformerEncoder on a transposed embedding,
    sinusoidal positions, causal mask, dropout 0.1, label smoothing, AdamW, clip_grad_norm_, LambdaLR warmup."""
    nn, F = L.nn, L.nn.functional
    L.manual_seed(1337)
    text = "hello world, this is a tiny corpus for a tiny transformer. " * 3
    chars = sorted(set(text))
    V, block, d = len(chars), 12, 16
    data = L.tensor([chars.index(c) for c in text], dtype=L.long)

    class PositionalEncoding(nn.Module):
        def __init__(self):
            super().__init__()
            self.dropout = nn.Dropout(0.1)
            position = L.arange(32).unsqueeze(1)
            div = L.exp(L.arange(0, d, 2) * (-math.log(10000.0) / d))
            pe = L.zeros(32, 1, d)
            pe[:, 0, 0::2] = L.sin(position * div)
            pe[:, 0, 1::2] = L.cos(position * div)
            self.register_buffer('pe', pe)

        def forward(self, x):
            return self.dropout(x + self.pe[:x.size(0)])

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, d)
            self.pos = PositionalEncoding()
            layer = nn.TransformerEncoderLayer(d, 2, 32, dropout=0.1)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(d, V)

        def forward(self, idx):
            x = self.pos(self.emb(idx).transpose(0, 1) * math.sqrt(d))
            mask = nn.Transformer.generate_square_subsequent_mask(x.size(0))
            return self.head(self.encoder(x, mask=mask, is_causal=True)).transpose(0, 1)

    model = Model()
    opt = L.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = L.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 3))
    losses = []
    for _ in range(steps):
        ix = L.randint(len(data) - block, (6,))
        x = L.stack([data[i:i + block] for i in ix])
        y = L.stack([data[i + 1:i + block + 1] for i in ix])
        loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1), label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        sched.step()
        losses += [loss.item(), norm.item()]
    return losses


def seq2seq_packed(L, epochs=2):
    """An encoder over packed padded batches: embedding, 2-layer LSTM with inter-layer dropout, unsorted lengths."""
    nn = L.nn
    L.manual_seed(0)
    emb, lstm, head = nn.Embedding(12, 8, padding_idx=0), nn.LSTM(8, 8, 2, dropout=0.2, batch_first=True), \
        nn.Linear(8, 12)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = L.optim.Adam(params, lr=0.01)
    lengths = L.tensor([3, 6, 7, 5, 2, 6])
    src = L.randint(1, 12, (6, 7)) * (L.arange(7)[None] < lengths[:, None])
    losses = []
    for _ in range(epochs * 3):
        packed = nn.utils.rnn.pack_padded_sequence(emb(src), lengths, batch_first=True, enforce_sorted=False)
        out, (h, c) = lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        loss = nn.functional.cross_entropy(head(out).reshape(-1, 12), src.reshape(-1), ignore_index=0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses += [loss.item(), h.sum().item()]
    return losses


@pytest.mark.parametrize('program', [char_transformer, seq2seq_packed])
def test_seeded_program_matches_torch(program):
    np.testing.assert_allclose(program(ember), program(torch), rtol=2e-4, atol=2e-5)


# --- round two: linalg result types, unfold as a strided view, einsum result layouts ---------------------------
LINALG_RESULTS = {
    'linalg.slogdet': lambda L, s: L.linalg.slogdet(s),
    'slogdet': lambda L, s: L.slogdet(s),
    'linalg.eigh': lambda L, s: L.linalg.eigh(s),
    'linalg.qr': lambda L, s: L.linalg.qr(s),
    'linalg.cholesky_ex': lambda L, s: L.linalg.cholesky_ex(s),
    'linalg.solve_ex': lambda L, s: L.linalg.solve_ex(s, s[0]),
    'linalg.lu_factor': lambda L, s: L.linalg.lu_factor(s),
}


@pytest.mark.parametrize('f', LINALG_RESULTS.values(), ids=LINALG_RESULTS.keys())
def test_linalg_result_types_print_like_torch(f):
    out = []
    for L in (torch, ember):
        s = L.tensor([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
        r = f(L, s)
        out.append((type(r).__name__, type(r).__module__, len(r), repr(r)))
    assert out[1][:3] == out[0][:3]
    if out[0][0] not in ('linalg_eigh', 'linalg_qr'):   # eigen/Householder vectors may differ in sign
        assert out[1][3] == out[0][3]


@pytest.mark.parametrize('shape,dim,size,step', [((20,), 0, 5, 1), ((20,), 0, 4, 3), ((4, 7), 1, 3, 2),
                                                 ((5, 4), 0, 2, 1), ((3, 6, 5), 1, 4, 2)])
def test_unfold_is_a_strided_view(shape, dim, size, step):
    res = []
    for L in (torch, ember):
        L.manual_seed(0)
        x = L.randn(shape, requires_grad=True)
        u = x.unfold(dim, size, step)
        w = L.nn.functional.dropout(u, 0.5)       # mask drawn in u's memory order
        (w * L.arange(w.numel()).reshape(w.shape)).sum().backward()
        base = L.zeros(shape)
        base.unfold(dim, size, step)[..., 0] = 7.0   # writes land in the base
        res.append((u, w, x.grad, base, _strides(u), u.grad_fn.name()))
    assert res[1][4:] == res[0][4:]
    for a, b in zip(res[0][:4], res[1][:4]):
        _close(a, b)


def test_unfold_gradients():
    x = ember.randn(3, 8, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: a.unfold(1, 3, 2).pow(2), (x,))
    assert ember.autograd.gradgradcheck(lambda a: a.unfold(0, 2, 1).pow(2), (x,))


EINSUMS = [('ij->ji', [(3, 4)]), ('ijk->kji', [(2, 3, 4)]), ('...k->k...', [(2, 3, 4)]), ('ijk->ijk', [(2, 3, 4)]),
           ('ij,jk->ik', [(3, 4), (4, 5)]), ('ij,jk->ki', [(3, 4), (4, 5)]), ('bij,bjk->bik', [(2, 3, 4), (2, 4, 5)]),
           ('bhd,chd->bhc', [(2, 3, 4), (5, 3, 4)]), ('ijk,jl->ilk', [(2, 3, 4), (3, 5)]),
           ('bhqd,bhkd->bhqk', [(2, 3, 4, 5), (2, 3, 6, 5)]), ('bqhd,bkhd->bhqk', [(2, 4, 3, 5), (2, 6, 3, 5)]),
           ('i,j->ji', [(3,), (4,)]), ('bi,bj->bij', [(3, 4), (3, 5)])]


@pytest.mark.parametrize('eq,shapes', EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_result_layout(eq, shapes):
    res = []
    for L in (torch, ember):
        L.manual_seed(0)
        ops = [L.randn(s, requires_grad=True) for s in shapes]
        r = L.einsum(eq, *ops)
        d = L.nn.functional.dropout(r, 0.5)
        (d * L.arange(d.numel()).reshape(d.shape)).sum().backward()
        res.append((r, d, *[o.grad for o in ops], _strides(r)))
    assert res[1][-1] == res[0][-1]
    for a, b in zip(res[0][:-1], res[1][:-1]):
        _close(a, b)


# --- round three: embedding_bag max mode gives each output's gradient to the first row reaching the max -------
def test_embedding_bag_max_ties_and_grad_fn():
    out = []
    for L in (torch, ember):
        w = L.tensor([[1., 5.], [1., 2.], [3., 5.], [0., 0.]], requires_grad=True)
        y = L.nn.functional.embedding_bag(L.tensor([0, 1, 2, 1, 1, 3, 0, 2]), w, L.tensor([0, 2, 4, 4, 5]),
                                          mode='max')
        (y * L.arange(1., 11.).view(5, 2)).sum().backward()
        p = L.nn.functional.embedding_bag(L.tensor([[0, 1], [2, 3]]), w, mode='max', padding_idx=3)
        out.append((y, w.grad, p, repr(y)))
    assert out[1][3] == out[0][3]
    for a, b in zip(out[0][:3], out[1][:3]):
        _close(a, b, 0)
    w = ember.randn(5, 3, dtype=ember.float64, requires_grad=True)
    f = lambda w: ember.nn.functional.embedding_bag(ember.tensor([0, 3, 4, 1, 2]), w, ember.tensor([0, 2, 5]),
                                                   mode='max')
    assert ember.autograd.gradcheck(f, (w,))
    assert ember.autograd.gradgradcheck(f, (w,))
