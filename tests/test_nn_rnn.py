"""Recurrent layers and nn.utils.rnn against torch: outputs, states, input and parameter gradients."""
import numpy as np
import pytest
import torch
import ember
from ember.nn.utils import rnn as eru
from torch.nn.utils import rnn as tru
from tests.helpers import assert_same


def _copy(tm, em):
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def _pair(cls, dtype=torch.float64, **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls)(**kw).to(dtype)
    em = getattr(ember.nn, cls)(**kw).to(getattr(ember, str(dtype).split('.')[1]))
    _copy(tm, em)
    return tm, em


def _leaf(a, lib):
    return (torch.tensor if lib is torch else ember.tensor)(a.copy(), requires_grad=True)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flat(o)]
    if isinstance(out, (tru.PackedSequence, eru.PackedSequence)):
        return [out.data]
    return [out]


def _compare(tm, em, targs, eargs, tol=1e-9):
    tout, eout = tm(*targs), em(*eargs)
    touts, eouts = _flat(tout), _flat(eout)
    assert len(touts) == len(eouts)
    rng = np.random.default_rng(1)
    cots = [rng.standard_normal(tuple(o.shape)) for o in touts]
    for t, e in zip(touts, eouts):
        assert_same(t, e, tol, tol)
    torch.autograd.backward(touts, [torch.tensor(c, dtype=t.dtype) for c, t in zip(cots, touts)])
    ember.autograd.backward(eouts, [ember.tensor(c, dtype=e.dtype) for c, e in zip(cots, eouts)])
    eparams = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, eparams[n].grad, tol * 10, tol * 10, n)
    for t, e in zip(_flat(targs), _flat(eargs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert_same(t.grad, e.grad, tol * 10, tol * 10, 'input grad')
    return tout, eout


CONFIGS = [
    ('RNN', dict(input_size=3, hidden_size=5)),
    ('RNN', dict(input_size=3, hidden_size=5, nonlinearity='relu', num_layers=2, bidirectional=True)),
    ('RNN', dict(input_size=3, hidden_size=5, bias=False, batch_first=True)),
    ('LSTM', dict(input_size=3, hidden_size=5)),
    ('LSTM', dict(input_size=3, hidden_size=5, num_layers=3, bidirectional=True)),
    ('LSTM', dict(input_size=3, hidden_size=5, proj_size=2, num_layers=2, batch_first=True)),
    ('LSTM', dict(input_size=3, hidden_size=5, proj_size=3, bidirectional=True, bias=False)),
    ('GRU', dict(input_size=3, hidden_size=5)),
    ('GRU', dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True, batch_first=True)),
    ('GRU', dict(input_size=3, hidden_size=5, bias=False)),
]


@pytest.mark.parametrize('cls,kw', CONFIGS)
@pytest.mark.parametrize('with_state', [False, True])
def test_layers_match_torch(cls, kw, with_state):
    tm, em = _pair(cls, **kw)
    rng = np.random.default_rng(0)
    T, B = 6, 4
    x = rng.standard_normal((B, T, 3) if kw.get('batch_first') else (T, B, 3))
    targs, eargs = [_leaf(x, torch)], [_leaf(x, ember)]
    if with_state:
        D = (2 if kw.get('bidirectional') else 1) * kw.get('num_layers', 1)
        hout = kw.get('proj_size') or kw['hidden_size']
        h0 = rng.standard_normal((D, B, hout))
        if cls == 'LSTM':
            c0 = rng.standard_normal((D, B, kw['hidden_size']))
            targs.append((_leaf(h0, torch), _leaf(c0, torch)))
            eargs.append((_leaf(h0, ember), _leaf(c0, ember)))
        else:
            targs.append(_leaf(h0, torch))
            eargs.append(_leaf(h0, ember))
    _compare(tm, em, targs, eargs)


@pytest.mark.parametrize('cls', ['RNN', 'LSTM', 'GRU'])
def test_unbatched_and_float32(cls):
    tm, em = _pair(cls, dtype=torch.float32, input_size=4, hidden_size=6, num_layers=2, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((7, 4)).astype(np.float32)
    _compare(tm, em, [_leaf(x, torch)], [_leaf(x, ember)], tol=1e-5)


@pytest.mark.parametrize('cls,kw', [('LSTM', dict(num_layers=2, bidirectional=True)), ('GRU', dict(bidirectional=True)),
                                    ('RNN', dict(num_layers=2)), ('LSTM', dict(proj_size=2, bidirectional=True))])
@pytest.mark.parametrize('enforce_sorted', [True, False])
def test_packed_sequences(cls, kw, enforce_sorted):
    tm, em = _pair(cls, input_size=3, hidden_size=4, **kw)
    rng = np.random.default_rng(3)
    lengths = [6, 4, 4, 1] if enforce_sorted else [3, 6, 1, 4]
    x = rng.standard_normal((6, 4, 3))
    tx, ex = _leaf(x, torch), _leaf(x, ember)
    tp = tru.pack_padded_sequence(tx, lengths, enforce_sorted=enforce_sorted)
    ep = eru.pack_padded_sequence(ex, lengths, enforce_sorted=enforce_sorted)
    assert_same(tp.batch_sizes, ep.batch_sizes)
    D = (2 if kw.get('bidirectional') else 1) * kw.get('num_layers', 1)
    h0 = rng.standard_normal((D, 4, kw.get('proj_size') or 4))
    if cls == 'LSTM':
        c0 = rng.standard_normal((D, 4, 4))
        targs = [tp, (_leaf(h0, torch), _leaf(c0, torch))]
        eargs = [ep, (_leaf(h0, ember), _leaf(c0, ember))]
    else:
        targs, eargs = [tp, _leaf(h0, torch)], [ep, _leaf(h0, ember)]
    tout, eout = tm(*targs), em(*eargs)
    assert isinstance(eout[0], eru.PackedSequence)
    tpad, tl = tru.pad_packed_sequence(tout[0], batch_first=True, padding_value=-1.0)
    epad, el = eru.pad_packed_sequence(eout[0], batch_first=True, padding_value=-1.0)
    assert_same(tl, el)
    touts, eouts = [tpad] + _flat(tout[1]), [epad] + _flat(eout[1])
    for t, e in zip(touts, eouts):
        assert_same(t, e, 1e-9, 1e-9)
    cots = [np.random.default_rng(4).standard_normal(tuple(t.shape)) for t in touts]
    torch.autograd.backward(touts, [torch.tensor(c) for c in cots])
    ember.autograd.backward(eouts, [ember.tensor(c) for c in cots])
    assert_same(tx.grad, ex.grad, 1e-8, 1e-8)
    ep_ = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, ep_[n].grad, 1e-8, 1e-8, n)


@pytest.mark.parametrize('cls,kw', [('RNNCell', {}), ('RNNCell', dict(nonlinearity='relu', bias=False)),
                                    ('LSTMCell', {}), ('GRUCell', {}), ('GRUCell', dict(bias=False))])
@pytest.mark.parametrize('batched', [True, False])
def test_cells(cls, kw, batched):
    tm, em = _pair(cls, input_size=3, hidden_size=4, **kw)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3) if batched else (3,))
    hs = (2, 4) if batched else (4,)
    targs, eargs = [_leaf(x, torch)], [_leaf(x, ember)]
    if cls == 'LSTMCell':
        h, c = rng.standard_normal(hs), rng.standard_normal(hs)
        targs.append((_leaf(h, torch), _leaf(c, torch)))
        eargs.append((_leaf(h, ember), _leaf(c, ember)))
    else:
        h = rng.standard_normal(hs)
        targs.append(_leaf(h, torch))
        eargs.append(_leaf(h, ember))
    _compare(tm, em, targs, eargs)
    _compare(tm, em, targs[:1], eargs[:1])   # zero initial state


def test_dropout_between_layers_is_seeded_and_off_in_eval():
    em = ember.nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ember.randn(5, 2, 3)
    ember.manual_seed(1)
    a = em(x)[0]
    ember.manual_seed(1)
    b = em(x)[0]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    em.eval()
    tm = torch.nn.LSTM(3, 4, num_layers=2, dropout=0.5).eval()
    em.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in tm.state_dict().items()})
    assert_same(tm(torch.from_numpy(x.numpy()))[0], em(x)[0])


def _scan_fn(cls, **kw):
    """A float64 functional view of one layer for gradcheck: (x, h0, params...) -> outputs."""
    torch.manual_seed(0)
    em = getattr(ember.nn, cls)(**kw).double()
    names = [n for n, _ in em.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in em.parameters()]

    def f(x, h, *ps):
        for n, p in zip(names, ps):
            em._parameters[n] = p
        c = (h * 0.5).expand(*h.shape[:-1], kw['hidden_size'])   # the cell state is hidden_size wide
        out = em(x, (h, c) if cls in ('LSTM', 'LSTMCell') else h)
        return _flat(out)
    return f, params


@pytest.mark.parametrize('cls,kw,xs,hs', [
    ('LSTMCell', {}, (2, 2), (2, 2)), ('GRUCell', {}, (2, 2), (2, 2)), ('RNNCell', {}, (2, 2), (2, 2)),
    ('LSTM', dict(bidirectional=True), (3, 2, 2), (2, 2, 2)), ('GRU', {}, (3, 2, 2), (1, 2, 2)),
    ('LSTM', dict(proj_size=1), (3, 1, 2), (1, 1, 1))])
def test_gradcheck(cls, kw, xs, hs):
    f, params = _scan_fn(cls, input_size=2, hidden_size=2, **kw)
    rng = np.random.default_rng(6)
    x = ember.tensor(rng.standard_normal(xs), requires_grad=True)
    h = ember.tensor(rng.standard_normal(hs), requires_grad=True)
    assert ember.autograd.gradcheck(f, (x, h, *params), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize('cls,xs,hs', [('LSTMCell', (2, 2), (2, 2)), ('GRU', (3, 1, 2), (1, 1, 2)),
                                       ('RNN', (3, 1, 2), (1, 1, 2))])
def test_gradgradcheck(cls, xs, hs):
    f, params = _scan_fn(cls, input_size=2, hidden_size=2)
    rng = np.random.default_rng(7)
    x = ember.tensor(rng.standard_normal(xs), requires_grad=True)
    h = ember.tensor(rng.standard_normal(hs), requires_grad=True)
    assert ember.autograd.gradgradcheck(f, (x, h, *params), eps=1e-6, atol=1e-4, rtol=1e-3)


def test_parameter_names_shapes_and_init():
    for cls, kw in [('LSTM', dict(proj_size=2, num_layers=2, bidirectional=True)), ('GRU', dict(num_layers=2)),
                    ('RNN', dict(bias=False)), ('LSTMCell', {}), ('GRUCell', {}), ('RNNCell', {})]:
        tm = getattr(torch.nn, cls)(3, 5, **kw)
        em = getattr(ember.nn, cls)(3, 5, **kw)
        assert [(n, tuple(p.shape)) for n, p in tm.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in em.named_parameters()]
        assert repr(tm) == repr(em)
        for p in em.parameters():
            assert np.abs(p.detach().numpy()).max() <= 1 / np.sqrt(5) + 1e-7
    assert len(ember.nn.LSTM(3, 5, num_layers=2).all_weights) == 2


def _both(fn, exc, match=None):
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc, match=match):
        fn(ember)


def test_errors():
    _both(lambda L: L.nn.LSTM(3, 4)(L.zeros(2, 3, 4, 5)), ValueError, 'Expected input to be 2D or 3D')
    _both(lambda L: L.nn.LSTM(3, 4)(L.zeros(2, 3, 5)), RuntimeError, 'input.size\\(-1\\) must be equal')
    _both(lambda L: L.nn.GRU(3, 4)(L.zeros(2, 3, 3, dtype=L.float64)), ValueError, 'does not match weight dtype')
    _both(lambda L: L.nn.LSTM(3, 4)(L.zeros(2, 3, 3), (L.zeros(1, 3, 4), L.zeros(1, 2, 4))), RuntimeError,
          r'Expected hidden\[1\] size')
    _both(lambda L: L.nn.GRU(3, 4)(L.zeros(2, 3, 3), L.zeros(1, 2, 4)), RuntimeError, 'Expected hidden size')
    _both(lambda L: L.nn.GRU(3, 4)(L.zeros(2, 3, 3), L.zeros(2, 4)), RuntimeError, 'should also be 3-D')
    _both(lambda L: L.nn.RNN(3, 4)(L.zeros(2, 3), L.zeros(1, 1, 4)), RuntimeError, 'should also be 2-D')
    _both(lambda L: L.nn.LSTMCell(3, 4)(L.zeros(2, 5)), RuntimeError, 'inconsistent input_size')
    _both(lambda L: L.nn.LSTMCell(3, 4)(L.zeros(2, 3), (L.zeros(3, 4), L.zeros(2, 4))), RuntimeError,
          "doesn't match hidden0 batch size")
    _both(lambda L: L.nn.RNNCell(3, 4)(L.zeros(2, 3, 3)), ValueError, 'Expected input to be 1D or 2D')
    _both(lambda L: L.nn.GRU(3, 4, proj_size=2), ValueError, 'proj_size argument is only supported for LSTM')
    _both(lambda L: L.nn.LSTM(3, 4, proj_size=4), ValueError, 'proj_size has to be smaller')
    _both(lambda L: L.nn.LSTM(3, 4, dropout=1.5), ValueError, 'dropout should be a number')
    _both(lambda L: L.nn.RNN(3, 4, nonlinearity='sigmoid'), ValueError, 'Unknown nonlinearity')
    _both(lambda L: L.nn.LSTM(3, 0), ValueError, 'hidden_size must be greater than zero')


# --- nn.utils.rnn ------------------------------------------------------------------------------------
def _util(lib):
    return tru if lib is torch else eru


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('side', ['right', 'left'])
def test_pad_sequence(batch_first, side):
    rng = np.random.default_rng(8)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    ts, es = [_leaf(s, torch) for s in seqs], [_leaf(s, ember) for s in seqs]
    t = tru.pad_sequence(ts, batch_first=batch_first, padding_value=-2.0, padding_side=side)
    e = eru.pad_sequence(es, batch_first=batch_first, padding_value=-2.0, padding_side=side)
    assert_same(t, e)
    g = rng.standard_normal(tuple(t.shape))
    t.backward(torch.tensor(g))
    e.backward(ember.tensor(g))
    for a, b in zip(ts, es):
        assert_same(a.grad, b.grad)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('enforce_sorted', [False, True])
def test_pack_pad_roundtrip(batch_first, enforce_sorted):
    rng = np.random.default_rng(9)
    lengths = [5, 3, 3, 2] if enforce_sorted else [2, 5, 3, 3]
    x = rng.standard_normal((4, 5, 2) if batch_first else (5, 4, 2))
    tx, ex = _leaf(x, torch), _leaf(x, ember)
    tp = tru.pack_padded_sequence(tx, torch.tensor(lengths), batch_first, enforce_sorted)
    ep = eru.pack_padded_sequence(ex, ember.tensor(lengths), batch_first, enforce_sorted)
    for a, b in zip(tp, ep):
        if a is None:
            assert b is None
        else:
            assert_same(a, b)
    tpad, tl = tru.pad_packed_sequence(tp, batch_first, 0.5, total_length=7)
    epad, el = eru.pad_packed_sequence(ep, batch_first, 0.5, total_length=7)
    assert_same(tpad, epad)
    assert_same(tl, el)
    g = rng.standard_normal(tuple(tpad.shape))
    tpad.backward(torch.tensor(g))
    epad.backward(ember.tensor(g))
    assert_same(tx.grad, ex.grad)


def test_pack_and_unpack_sequence():
    rng = np.random.default_rng(10)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 4, 3)]
    tp = tru.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    ep = eru.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    assert_same(tp.data, ep.data)
    assert_same(tp.sorted_indices, ep.sorted_indices)
    assert_same(tp.unsorted_indices, ep.unsorted_indices)
    assert_same(tru.unpack_sequence(tp), eru.unpack_sequence(ep))
    assert isinstance(ep, tuple) and ep._fields == ('data', 'batch_sizes', 'sorted_indices', 'unsorted_indices')
    assert ep.double().data.dtype == ember.float64


def test_utils_errors():
    x = np.zeros((4, 3, 2))
    _both(lambda L: _util(L).pack_padded_sequence(L.tensor(x), [2, 3, 1]), RuntimeError, 'sorted in decreasing')
    _both(lambda L: _util(L).pack_padded_sequence(L.tensor(x), [3, 2, 0]), RuntimeError, 'greater than 0')
    _both(lambda L: _util(L).pack_padded_sequence(L.tensor(x), [3, 2]), RuntimeError, 'equal to batch_size')
    _both(lambda L: _util(L).pad_packed_sequence(_util(L).pack_padded_sequence(L.tensor(x), [3, 2, 1]),
                                                 total_length=2), ValueError, 'total_length')
    _both(lambda L: _util(L).pad_sequence([L.ones(2), L.ones(3)], padding_side='mid'), RuntimeError,
          'padding_side')
    _both(lambda L: _util(L).pad_sequence([]), RuntimeError, 'empty list')
