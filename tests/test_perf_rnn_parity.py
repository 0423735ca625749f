"""The fused recurrent layer ops (_LSTMLayer, _GRULayer, _RNNLayer: input projection, recurrence and BPTT in
one node) against torch:
outputs, states and every gradient on each path the op takes (zero or given initial state, projection,
both directions, packed sequences with ended rows, float32 training shapes), plus float64 gradcheck and
double backward through the op, and the backward scratch buffers reused across overlapping graphs."""
import numpy as np
import pytest
import torch
import ember
from ember.nn.modules.rnn import _LSTMLayer
from ember.nn.utils import rnn as eru
from torch.nn.utils import rnn as tru
from tests.helpers import assert_same


def _pair(dtype=torch.float64, **kw):
    torch.manual_seed(0)
    tm = torch.nn.LSTM(**kw).to(dtype)
    em = ember.nn.LSTM(**kw).to(getattr(ember, str(dtype).split('.')[1]))
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})
    return tm, em


def _leaf(a, lib):
    return (torch.tensor if lib is torch else ember.tensor)(a.copy(), requires_grad=True)


def _run_both(tm, em, x, hx, tol):
    """Forward both, a loss on out, h_n and c_n, backward; compare values and all gradients."""
    tx, ex = _leaf(x, torch), _leaf(x, ember)
    th = eh = None
    if hx is not None:
        th = tuple(_leaf(a, torch) for a in hx)
        eh = tuple(_leaf(a, ember) for a in hx)
    tout, (thn, tcn) = tm(tx, th)
    eout, (ehn, ecn) = em(ex, eh)
    for t, e in ((tout, eout), (thn, ehn), (tcn, ecn)):
        assert_same(t, e, tol, tol)
    # a loss on all three outputs, so the final-state gradients enter BPTT too
    (tout.pow(2).mean() + thn.sum() * 0.3 - tcn.sum() * 0.7).backward()
    (eout.pow(2).mean() + ehn.sum() * 0.3 - ecn.sum() * 0.7).backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, ep[n].grad, tol * 10, tol * 10, n)
    assert_same(tx.grad, ex.grad, tol * 10, tol * 10, 'input grad')
    if hx is not None:
        for t, e in zip(th, eh):
            assert_same(t.grad, e.grad, tol * 10, tol * 10, 'state grad')


@pytest.mark.parametrize('kw,given_state', [
    (dict(input_size=3, hidden_size=5), False),
    (dict(input_size=3, hidden_size=5), True),
    (dict(input_size=3, hidden_size=5, bias=False), True),
    (dict(input_size=3, hidden_size=5, proj_size=2), True),
    (dict(input_size=3, hidden_size=5, proj_size=3, num_layers=2, bidirectional=True), False),
    (dict(input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True), True),
])
def test_lstm_float64_matches_torch(kw, given_state):
    tm, em = _pair(**kw)
    rng = np.random.default_rng(0)
    T, B = 5, 3
    x = rng.standard_normal((B, T, kw['input_size']) if kw.get('batch_first') else (T, B, kw['input_size']))
    D = 2 if kw.get('bidirectional') else 1
    L = kw.get('num_layers', 1)
    hx = None
    if given_state:
        hx = (rng.standard_normal((L * D, B, kw.get('proj_size') or kw['hidden_size'])),
              rng.standard_normal((L * D, B, kw['hidden_size'])))
    _run_both(tm, em, x, hx, 1e-9)


def test_lstm_float32_training_shape_matches_torch():
    """The benchmark's path (float32, zero initial state, no masks) at a size where blocks are 128 wide."""
    tm, em = _pair(torch.float32, input_size=16, hidden_size=128)
    x = np.random.default_rng(0).standard_normal((6, 8, 16)).astype(np.float32)
    _run_both(tm, em, x, None, 2e-5)


@pytest.mark.parametrize('kw', [dict(input_size=3, hidden_size=4),
                                dict(input_size=3, hidden_size=4, proj_size=2, bidirectional=True)])
def test_lstm_packed_matches_torch(kw):
    tm, em = _pair(**kw)
    rng = np.random.default_rng(2)
    lengths = [2, 5, 3]
    x = rng.standard_normal((5, 3, 3))
    tx, ex = _leaf(x, torch), _leaf(x, ember)
    tout, (thn, tcn) = tm(tru.pack_padded_sequence(tx, lengths, enforce_sorted=False))
    eout, (ehn, ecn) = em(eru.pack_padded_sequence(ex, lengths, enforce_sorted=False))
    for t, e in ((tout.data, eout.data), (thn, ehn), (tcn, ecn)):
        assert_same(t, e, 1e-9, 1e-9)
    (tout.data.sin().sum() + thn.sum() + 2 * tcn.sum()).backward()
    (eout.data.sin().sum() + ehn.sum() + 2 * ecn.sum()).backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, ep[n].grad, 1e-8, 1e-8, n)
    assert_same(tx.grad, ex.grad, 1e-8, 1e-8, 'input grad')


def test_lstm_cell_matches_torch():
    torch.manual_seed(0)
    tc = torch.nn.LSTMCell(3, 4).double()
    ec = ember.nn.LSTMCell(3, 4).double()
    ec.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tc.state_dict().items()})
    rng = np.random.default_rng(3)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    th1, tc1 = tc(_leaf(x, torch), (_leaf(h, torch), _leaf(c, torch)))
    eh1, ec1 = ec(_leaf(x, ember), (_leaf(h, ember), _leaf(c, ember)))
    assert_same(th1, eh1, 1e-10, 1e-10)
    assert_same(tc1, ec1, 1e-10, 1e-10)
    (th1 * tc1).sum().backward()
    (eh1 * ec1).sum().backward()
    ep = dict(ec.named_parameters())
    for n, p in tc.named_parameters():
        assert_same(p.grad, ep[n].grad, 1e-9, 1e-9, n)


def _layer_inputs(proj, bias, seed=0):
    rng = np.random.default_rng(seed)
    T, B, I, H = 3, 2, 2, 3
    Hout = 2 if proj else H
    arrays = [rng.standard_normal((T, B, I)), rng.standard_normal((B, Hout)), rng.standard_normal((B, H)),
              rng.standard_normal((4 * H, I)) * 0.5, rng.standard_normal((4 * H, Hout)) * 0.5]
    arrays += [rng.standard_normal(4 * H) * 0.5, rng.standard_normal(4 * H) * 0.5] if bias else [None, None]
    arrays.append(rng.standard_normal((Hout, H)) * 0.5 if proj else None)
    return [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize('proj,bias,reverse,masked', [(False, True, False, False), (True, False, True, False),
                                                      (False, True, True, True)])
def test_lstm_layer_op_gradcheck_and_gradgradcheck(proj, bias, reverse, masked):
    inputs = _layer_inputs(proj, bias)
    masks = [None, None, ember.tensor([[1.0], [0.0]])._data] if masked else None
    present = [i for i, a in enumerate(inputs) if a is not None]

    def fn(*ts):
        args = list(inputs)
        for i, t in zip(present, ts):
            args[i] = t
        out, h, c = _LSTMLayer.apply(*args, masks=masks, reverse=reverse, h0_zero=False)
        return out, h, c
    ts = [inputs[i] for i in present]
    assert ember.autograd.gradcheck(fn, ts)
    assert ember.autograd.gradgradcheck(fn, ts)


def test_lstm_zero_state_skip_matches_given_zero_state():
    """hx=None skips the first recurrent GEMM and the dh0 GEMM: same values and grads as explicit zeros."""
    torch.manual_seed(0)
    em = ember.nn.LSTM(3, 4).double()
    x = np.random.default_rng(4).standard_normal((4, 2, 3))
    a, b = _leaf(x, ember), _leaf(x, ember)
    o1, _ = em(a)
    o2, _ = em(b, (ember.zeros(1, 2, 4, dtype=ember.float64), ember.zeros(1, 2, 4, dtype=ember.float64)))
    np.testing.assert_array_equal(o1.detach().numpy(), o2.detach().numpy())
    g1 = ember.autograd.grad(o1.sum(), [a] + list(em.parameters()))
    g2 = ember.autograd.grad(o2.sum(), [b] + list(em.parameters()))
    for u, v in zip(g1, g2):
        np.testing.assert_allclose(u.numpy(), v.numpy(), rtol=1e-12, atol=1e-12)


def test_lstm_overlapping_graphs_keep_their_gradients():
    """Two forwards before their backwards (the scratch buffers are shared between backward calls)."""
    tm, em = _pair(torch.float32, input_size=5, hidden_size=8, num_layers=2)
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((4, 3, 5)).astype(np.float32) for _ in range(2)]
    touts = [tm(torch.tensor(x))[0] for x in xs]
    eouts = [em(ember.tensor(x))[0] for x in xs]
    for k in (1, 0):
        tg = torch.autograd.grad(touts[k].pow(2).sum(), list(tm.parameters()))
        eg = ember.autograd.grad(eouts[k].pow(2).sum(), list(em.parameters()))
        for t, e in zip(tg, eg):
            assert_same(t, e, 1e-4, 1e-4)


# --- GRU and Elman RNN: the fused layer ops (_GRULayer, _RNNLayer) --------------------------------------
from ember.nn.modules.rnn import _GRULayer, _RNNLayer   # noqa: E402


def _pair_mod(name, dtype=torch.float64, **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(**kw).to(dtype)
    em = getattr(ember.nn, name)(**kw).to(getattr(ember, str(dtype).split('.')[1]))
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})
    return tm, em


def _run_both_h(tm, em, x, h, tol):
    """Forward both (out, h_n), a loss on both outputs, backward; compare values and every gradient."""
    tx, ex = _leaf(x, torch), _leaf(x, ember)
    th = eh = None
    if h is not None:
        th, eh = _leaf(h, torch), _leaf(h, ember)
    tout, thn = tm(tx, th)
    eout, ehn = em(ex, eh)
    assert_same(tout, eout, tol, tol)
    assert_same(thn, ehn, tol, tol)
    (tout.pow(2).mean() - thn.sum() * 0.4).backward()
    (eout.pow(2).mean() - ehn.sum() * 0.4).backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, ep[n].grad, tol * 10, tol * 10, n)
    assert_same(tx.grad, ex.grad, tol * 10, tol * 10, 'input grad')
    if h is not None:
        assert_same(th.grad, eh.grad, tol * 10, tol * 10, 'state grad')


_GRU_RNN_CONFIGS = [
    (dict(input_size=3, hidden_size=5), False),
    (dict(input_size=3, hidden_size=5), True),
    (dict(input_size=3, hidden_size=5, bias=False), True),
    (dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), False),
    (dict(input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True), True),
]


@pytest.mark.parametrize('name,kw,given_state',
                         [(n, kw, g) for n in ('GRU', 'RNN') for kw, g in _GRU_RNN_CONFIGS]
                         + [('RNN', dict(input_size=3, hidden_size=4, nonlinearity='relu', num_layers=2), True)])
def test_gru_rnn_float64_matches_torch(name, kw, given_state):
    tm, em = _pair_mod(name, **kw)
    rng = np.random.default_rng(1)
    T, B = 5, 3
    x = rng.standard_normal((B, T, kw['input_size']) if kw.get('batch_first') else (T, B, kw['input_size']))
    D = 2 if kw.get('bidirectional') else 1
    h = rng.standard_normal((kw.get('num_layers', 1) * D, B, kw['hidden_size'])) if given_state else None
    _run_both_h(tm, em, x, h, 1e-9)


@pytest.mark.parametrize('name,kw', [('GRU', {}), ('RNN', {}), ('RNN', dict(nonlinearity='relu'))])
def test_gru_rnn_float32_training_shape_matches_torch(name, kw):
    """The benchmarks' path (float32, zero initial state, no masks) at a size where blocks are 128 wide."""
    tm, em = _pair_mod(name, torch.float32, input_size=16, hidden_size=128, **kw)
    x = np.random.default_rng(0).standard_normal((6, 8, 16)).astype(np.float32)
    _run_both_h(tm, em, x, None, 2e-5)


@pytest.mark.parametrize('name,kw', [('GRU', dict(input_size=3, hidden_size=4)),
                                     ('GRU', dict(input_size=3, hidden_size=4, bidirectional=True, bias=False)),
                                     ('RNN', dict(input_size=3, hidden_size=4, bidirectional=True)),
                                     ('RNN', dict(input_size=3, hidden_size=4, nonlinearity='relu'))])
def test_gru_rnn_packed_matches_torch(name, kw):
    tm, em = _pair_mod(name, **kw)
    rng = np.random.default_rng(2)
    lengths = [2, 5, 3]
    x = rng.standard_normal((5, 3, 3))
    h = rng.standard_normal((2 if kw.get('bidirectional') else 1, 3, 4))
    tx, ex, th, eh = _leaf(x, torch), _leaf(x, ember), _leaf(h, torch), _leaf(h, ember)
    tout, thn = tm(tru.pack_padded_sequence(tx, lengths, enforce_sorted=False), th)
    eout, ehn = em(eru.pack_padded_sequence(ex, lengths, enforce_sorted=False), eh)
    assert_same(tout.data, eout.data, 1e-9, 1e-9)
    assert_same(thn, ehn, 1e-9, 1e-9)
    (tout.data.sin().sum() + 2 * thn.sum()).backward()
    (eout.data.sin().sum() + 2 * ehn.sum()).backward()
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        assert_same(p.grad, ep[n].grad, 1e-8, 1e-8, n)
    assert_same(tx.grad, ex.grad, 1e-8, 1e-8, 'input grad')
    assert_same(th.grad, eh.grad, 1e-8, 1e-8, 'state grad')


@pytest.mark.parametrize('cls', ['GRUCell', 'RNNCell'])
def test_gru_rnn_cell_matches_torch(cls):
    torch.manual_seed(0)
    tc = getattr(torch.nn, cls)(3, 4).double()
    ec = getattr(ember.nn, cls)(3, 4).double()
    ec.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tc.state_dict().items()})
    rng = np.random.default_rng(3)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    th1 = tc(_leaf(x, torch), _leaf(h, torch))
    eh1 = ec(_leaf(x, ember), _leaf(h, ember))
    assert_same(th1, eh1, 1e-10, 1e-10)
    th1.pow(2).sum().backward()
    eh1.pow(2).sum().backward()
    ep = dict(ec.named_parameters())
    for n, p in tc.named_parameters():
        assert_same(p.grad, ep[n].grad, 1e-9, 1e-9, n)


def _gru_rnn_inputs(gates, bias, seed=0):
    rng = np.random.default_rng(seed)
    T, B, I, H = 3, 2, 2, 3
    arrays = [rng.standard_normal((T, B, I)), rng.standard_normal((B, H)),
              rng.standard_normal((gates * H, I)) * 0.5, rng.standard_normal((gates * H, H)) * 0.5]
    arrays += [rng.standard_normal(gates * H) * 0.5, rng.standard_normal(gates * H) * 0.5] if bias else [None, None]
    return [None if a is None else ember.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize('op,extra', [(_GRULayer, {}), (_RNNLayer, dict(relu=False)), (_RNNLayer, dict(relu=True))])
@pytest.mark.parametrize('bias,reverse,masked', [(True, False, False), (False, True, False), (True, True, True)])
def test_gru_rnn_layer_op_gradcheck_and_gradgradcheck(op, extra, bias, reverse, masked):
    inputs = _gru_rnn_inputs(3 if op is _GRULayer else 1, bias)
    masks = [None, None, ember.tensor([[1.0], [0.0]])._data] if masked else None
    present = [i for i, a in enumerate(inputs) if a is not None]

    def fn(*ts):
        args = list(inputs)
        for i, t in zip(present, ts):
            args[i] = t
        return op.apply(*args, masks=masks, reverse=reverse, h0_zero=False, **extra)
    ts = [inputs[i] for i in present]
    assert ember.autograd.gradcheck(fn, ts)
    if not extra.get('relu'):   # ReLU's second derivative is zero almost everywhere: nothing to check
        assert ember.autograd.gradgradcheck(fn, ts)


@pytest.mark.parametrize('name', ['LSTM', 'GRU', 'RNN'])
def test_backward_after_forward_without_derivatives(name):
    """train=False skips the local derivatives; a backward after such a forward recomputes them."""
    inputs = _layer_inputs(False, True) if name == 'LSTM' else _gru_rnn_inputs(3 if name == 'GRU' else 1, True)
    op = {'LSTM': _LSTMLayer, 'GRU': _GRULayer, 'RNN': _RNNLayer}[name]
    extra = dict(relu=False) if name == 'RNN' else {}
    grads = []
    for train in (True, False):
        outs = op.apply(*inputs, masks=None, reverse=False, h0_zero=False, train=train, **extra)
        loss = sum((o * o).sum() for o in outs)
        grads.append(ember.autograd.grad(loss, [t for t in inputs if t is not None]))
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize('name', ['GRU', 'RNN'])
def test_gru_rnn_zero_state_skip_matches_given_zero_state(name):
    """hx=None skips the first recurrent GEMM and the dh0 GEMM: same values and grads as explicit zeros."""
    torch.manual_seed(0)
    em = getattr(ember.nn, name)(3, 4).double()
    x = np.random.default_rng(4).standard_normal((4, 2, 3))
    a, b = _leaf(x, ember), _leaf(x, ember)
    o1, _ = em(a)
    o2, _ = em(b, ember.zeros(1, 2, 4, dtype=ember.float64))
    np.testing.assert_allclose(o1.detach().numpy(), o2.detach().numpy(), rtol=1e-14, atol=1e-14)
    g1 = ember.autograd.grad(o1.sum(), [a] + list(em.parameters()))
    g2 = ember.autograd.grad(o2.sum(), [b] + list(em.parameters()))
    for u, v in zip(g1, g2):
        np.testing.assert_allclose(u.numpy(), v.numpy(), rtol=1e-12, atol=1e-12)


def test_gru_no_grad_forward_matches_torch():
    """Under no_grad the layer skips backward's derivatives; the values are unchanged."""
    tm, em = _pair_mod('GRU', input_size=3, hidden_size=4, num_layers=2)
    x = np.random.default_rng(6).standard_normal((4, 2, 3))
    with torch.no_grad():
        tout, th = tm(torch.tensor(x))
    with ember.no_grad():
        eout, eh = em(ember.tensor(x))
    assert_same(tout, eout, 1e-10, 1e-10)
    assert_same(th, eh, 1e-10, 1e-10)
    assert eout.grad_fn is None


@pytest.mark.parametrize('name', ['GRU', 'RNN'])
def test_gru_rnn_overlapping_graphs_keep_their_gradients(name):
    """Two forwards before their backwards (the scratch buffers are shared between backward calls)."""
    tm, em = _pair_mod(name, torch.float32, input_size=5, hidden_size=8, num_layers=2)
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((4, 3, 5)).astype(np.float32) for _ in range(2)]
    touts = [tm(torch.tensor(x))[0] for x in xs]
    eouts = [em(ember.tensor(x))[0] for x in xs]
    for k in (1, 0):
        tg = torch.autograd.grad(touts[k].pow(2).sum(), list(tm.parameters()))
        eg = ember.autograd.grad(eouts[k].pow(2).sum(), list(em.parameters()))
        for t, e in zip(tg, eg):
            assert_same(t, e, 1e-4, 1e-4)
