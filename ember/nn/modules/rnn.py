"""Recurrent layers: RNN, LSTM, GRU and their cells, with torch's parameters, layouts and semantics.

How a layer runs. The input projection x @ W_ih^T + b for all time steps is one GEMM per layer and
direction (composed from ember ops). The recurrence over time is one fused op per layer and direction
(_LSTMScan, _GRUScan, _RNNScan): its forward runs the time loop on raw arrays and keeps each step's
activations; its backward runs backpropagation through time on raw arrays (one GEMM per step for
dh, then a single GEMM for the recurrent weight gradient over all steps). Under create_graph=True the
backward first recomputes the forward with graph_xp ops from its saved inputs, so the same BPTT
formula records a graph and higher-order gradients work.

Sigmoids are computed as 0.5 + 0.5 * tanh(z / 2): the callers halve the sigmoid gates' rows of the
weights and biases (a cheap op on the weights, differentiated by autograd), so one tanh call covers
all four LSTM gates per step.

Packed sequences run on a padded (T, B) layout with a per-step mask: a row whose sequence has ended
keeps its state, which gives torch's results for both directions (a reversed sequence starts from h0
at its own last step).
"""
import math
import warnings
import numpy as np   # index/mask bookkeeping for packed sequences; tensor data goes through xp

from ...autograd.graph import Op
from ...backend import xp_of
from .module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']


def _is_graph(xp):
    return not hasattr(xp, 'ndarray')


def _steps(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def _shift(xp, seq, first, reverse):
    """The state before each step: [first, seq[0], ..., seq[T-2]] (mirrored for a reversed scan)."""
    if reverse:
        return xp.concatenate([seq[1:], xp.expand_dims(first, 0)], axis=0)
    return xp.concatenate([xp.expand_dims(first, 0), seq[:-1]], axis=0)


def _blend(new, old, m):
    """Rows with m = 1 take the new state, the others keep the old one (ended packed sequences)."""
    return old + (new - old) * m


# --- LSTM ---------------------------------------------------------------------------------------------
def _lstm_scan(xp, xg, h0, c0, whh, whr, masks, reverse):
    """The LSTM recurrence over time on xg = x W_ih^T + b (sigmoid rows halved). Works on arrays and,
    for create_graph, on graph_xp Tensors. Returns out, hT, cT and the per-step activations."""
    T = xg.shape[0]
    H = c0.shape[-1]
    whhT = xp.swapaxes(whh, 0, 1)
    whrT = xp.swapaxes(whr, 0, 1) if whr is not None else None
    h, c = h0, c0
    A, C, TC, HP, OUT = [None] * T, [None] * T, [None] * T, [None] * T, [None] * T
    for t in _steps(T, reverse):
        a = xp.tanh(xg[t] + xp.matmul(h, whhT))
        s = a * 0.5 + 0.5
        cn = s[:, H:2 * H] * c + s[:, :H] * a[:, 2 * H:3 * H]
        tc = xp.tanh(cn)
        hn = s[:, 3 * H:] * tc
        if whrT is not None:
            HP[t] = hn
            hn = xp.matmul(hn, whrT)
        m = masks[t] if masks is not None else None
        if m is not None:
            hn, cn = _blend(hn, h, m), _blend(cn, c, m)
        A[t], C[t], TC[t], OUT[t] = a, cn, tc, hn
        h, c = hn, cn
    return (xp.stack(OUT), h, c, xp.stack(A), xp.stack(C), xp.stack(TC),
            xp.stack(HP) if whr is not None else None)


def _lstm_scan_fast(xp, xg, h0, c0, whh, whr, masks, reverse, h0_zero=False):
    """_lstm_scan on raw arrays, writing each step into preallocated buffers (the training hot path).
    Also keeps S = 0.5 + 0.5 * A (the sigmoid values) for backward. h0_zero: h0 is known to be zeros,
    so the first step skips its recurrent GEMM."""
    T, B, G = xg.shape
    H = G // 4
    dt = xg.dtype
    whhT = xp.ascontiguousarray(whh.T)   # a contiguous right operand makes the small GEMM ~1.5x faster
    whrT = xp.ascontiguousarray(whr.T) if whr is not None else None
    A = xp.empty((T, B, G), dt)
    S = xp.empty((T, B, G), dt)
    C = xp.empty((T, B, H), dt)
    TC = xp.empty((T, B, H), dt)
    OUT = xp.empty((T, B, h0.shape[-1]), dt)
    HP = xp.empty((T, B, H), dt) if whr is not None else None
    ig = xp.empty((B, H), dt)
    half = xp.asarray(0.5, dtype=dt)   # a 0-d constant of the data's dtype: no per-call scalar conversion
    matmul, multiply, add, tanh, copyto = xp.matmul, xp.multiply, xp.add, xp.tanh, xp.copyto
    h, c = h0, c0
    first = True
    for t in _steps(T, reverse):
        a = A[t]
        if first and h0_zero:
            copyto(a, xg[t])
        else:
            matmul(h, whhT, out=a)
            add(a, xg[t], out=a)
        first = False
        tanh(a, out=a)
        s = S[t]
        multiply(a, half, out=s)
        add(s, half, out=s)
        cn = C[t]
        multiply(s[:, H:2 * H], c, out=cn)
        multiply(s[:, :H], a[:, 2 * H:3 * H], out=ig)
        add(cn, ig, out=cn)
        tc = tanh(cn, out=TC[t])
        if whrT is not None:
            hp = HP[t]
            multiply(s[:, 3 * H:], tc, out=hp)
            matmul(hp, whrT, out=OUT[t])
        else:
            multiply(s[:, 3 * H:], tc, out=OUT[t])
        if masks is not None:
            m = masks[t]
            if m is not None:
                keep = m == 0
                copyto(OUT[t], h, where=keep)
                copyto(cn, c, where=keep)
        h, c = OUT[t], cn
    return OUT, h, c, A, S, C, TC, HP


_workspaces = {}


def _take(xp, shape, dt):
    """A scratch array of this shape reused across backward calls: fresh multi-MB temporaries cost
    more in page faults than the arithmetic done on them. Taken out of the cache while in use, so a
    reentrant or concurrent backward gets its own."""
    key = (xp.__name__, shape, dt)
    lst = _workspaces.get(key)
    if lst:
        return lst.pop()
    return xp.empty(shape, dt)


def _give(xp, *arrays):
    for a in arrays:
        lst = _workspaces.setdefault((xp.__name__, a.shape, a.dtype), [])
        if len(lst) < 2:
            lst.append(a)


_gate_factor_cache = {}


def _gate_factors(H, dt):
    """(col, q) for an LSTM of hidden size H: col = [0.5, 0.5, 1, 0.5] per gate block, the factor on the
    pre-activation fed to tanh (sigmoid(z) = 0.5 + 0.5 tanh(z / 2)); q = [0.25, 0.25, 1, 0.25], the
    factor that takes d(loss)/d(tanh value) to d(loss)/d(unscaled pre-activation) (0.5 from the sigmoid's
    affine map times 0.5 from the halved argument)."""
    key = (H, np.dtype(dt))
    v = _gate_factor_cache.get(key)
    if v is None:
        v = (np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=dt), H),
             np.repeat(np.array([0.25, 0.25, 1.0, 0.25], dtype=dt), H))
        _gate_factor_cache[key] = v
    return v


def _lstm_bptt_fast(xp, gout, ghT, gcT, h0, c0, whh, whr, out, A, S, C, TC, HP, masks, reverse, need_h0=True):
    """Backpropagation through time on raw arrays. whh is the unscaled recurrent weight; the returned
    dG (a workspace array: give it back with _give) is the gradient of the unscaled gate pre-activations
    z = x W_ih^T + b + h W_hh^T. Also returns dh0 (None unless need_h0), dc0 and dHP (projection).
        dG[t] = [dct * a_g, dct * c_prev, dct * s_i, dhp * tanh(c)] * (1 - a^2) * q
        dct = dc + dhp * s_o * (1 - tanh(c)^2)
    Everything is computed step by step on (B, 4H) arrays that stay in cache: whole-sequence passes
    over the (T, B, 4H) activations are memory-bound and measured ~1 ms slower in all."""
    T, B, G = A.shape
    H = G // 4
    dt = A.dtype
    q = xp.asarray(_gate_factors(H, dt)[1])
    one = xp.asarray(1, dtype=dt)
    dG = _take(xp, (T, B, G), dt)
    D = xp.empty((B, G), dt)
    E = xp.empty((B, 4, H), dt)
    e0, e1, e2, e3 = E[:, 0], E[:, 1], E[:, 2], E[:, 3]
    Ef = E.reshape(B, G)
    K = xp.empty((B, H), dt)
    dht = xp.empty(gout.shape[1:], dt)   # (B, Hout): the projected size with proj_size
    dct = xp.empty((B, H), dt)
    dHP = xp.empty((T, B, whr.shape[0]), dt) if whr is not None else None
    matmul, multiply, add, subtract = xp.matmul, xp.multiply, xp.add, xp.subtract
    dh, dc = ghT, gcT
    steps = _steps(T, not reverse)
    last = steps[-1]
    for t in steps:
        a, s, tc = A[t], S[t], TC[t]
        multiply(a, a, out=D)
        subtract(one, D, out=D)
        multiply(D, q, out=D)
        multiply(tc, tc, out=K)
        subtract(one, K, out=K)
        multiply(K, s[:, 3 * H:], out=K)
        add(gout[t], dh, out=dht)
        m = masks[t] if masks is not None else None
        if m is not None:
            dht_a, dc_a = dht * m, dc * m
        else:
            dht_a, dc_a = dht, dc
        if whr is not None:
            dHP[t] = dht_a
            dhp = matmul(dht_a, whr)
        else:
            dhp = dht_a
        multiply(dhp, K, out=dct)
        add(dct, dc_a, out=dct)
        cprev = c0 if t == last else C[t + 1 if reverse else t - 1]
        multiply(dct, a[:, 2 * H:3 * H], out=e0)
        multiply(dct, cprev, out=e1)
        multiply(dct, s[:, :H], out=e2)
        multiply(dhp, tc, out=e3)
        dg = dG[t]
        multiply(D, Ef, out=dg)
        dh_new = matmul(dg, whh) if (t != last or need_h0 or m is not None) else None
        dc_new = multiply(dct, s[:, H:2 * H])
        if m is not None:   # ended rows pass their state gradients straight through
            dh_new += dht - dht_a
            dc_new += dc - dc_a
        dh, dc = dh_new, dc_new
    if not need_h0:
        dh = None
    return dG, dh, dc, dHP


class _LSTMLayer(Op):
    """One LSTM layer in one direction, input projection included.
    Inputs: x (T, B, I), h0 (B, Hout), c0 (B, H), w_ih (4H, I), w_hh (4H, Hout), b_ih, b_hh (4H,) or
    None, w_hr (Hout, H) or None. Outputs: out (T, B, Hout), h_T, c_T.
    The weights enter unscaled: the sigmoid gates' halving is applied to raw copies inside forward, and
    backward's gate gradients are taken with respect to the unscaled pre-activations, so no extra graph
    nodes run on the parameters."""
    __slots__ = ('masks', 'reverse', 'h0_zero')

    def forward(self, xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks, reverse, h0_zero):
        self.masks, self.reverse, self.h0_zero = masks, reverse, h0_zero
        T, B, I = x.shape
        G = w_hh.shape[0]
        col = xp.asarray(_gate_factors(G // 4, x.dtype)[0])
        xg = xp.matmul(x.reshape(T * B, I), (w_ih * col[:, None]).T)
        if b_ih is not None:
            xg += (b_ih + b_hh) * col
        out, h, c, A, S, C, TC, HP = _lstm_scan_fast(xp, xg.reshape(T, B, G), h0, c0, w_hh * col[:, None],
                                                     w_hr, masks, reverse, h0_zero)
        self.saved = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, out, A, S, C, TC, HP)
        return out, h.copy(), c.copy()

    def backward(self, xp, gout, ghT, gcT):
        if _is_graph(xp):
            return self._graph_backward(xp, gout, ghT, gcT)
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, out, A, S, C, TC, HP = self.saved
        needs = self.needs
        T, B, G = A.shape
        H = G // 4
        I = x.shape[2]
        Hout = h0.shape[-1]
        dG, dh0, dc0, dHP = _lstm_bptt_fast(xp, gout, ghT, gcT, h0, c0, w_hh, w_hr, out, A, S, C, TC, HP,
                                            self.masks, self.reverse, needs[1])
        dG2 = dG.reshape(T * B, G)
        dx = dwih = dwhh = dbih = dbhh = dwhr = None
        if needs[0]:
            dx = xp.matmul(dG2, w_ih).reshape(T, B, I)
        if needs[3] or needs[4]:
            # the input and recurrent weight gradients share one GEMM over [x | h_prev]
            XH = _take(xp, (T, B, I + Hout), x.dtype)
            XH[:, :, :I] = x
            if self.reverse:
                XH[:-1, :, I:] = out[1:]
                XH[-1, :, I:] = h0
            else:
                XH[1:, :, I:] = out[:-1]
                XH[0, :, I:] = h0
            XH2 = XH.reshape(T * B, I + Hout)
            if needs[3] and needs[4]:
                dW = xp.matmul(dG2.T, XH2)
                dwih = xp.ascontiguousarray(dW[:, :I])
                dwhh = xp.ascontiguousarray(dW[:, I:])
            elif needs[3]:
                dwih = xp.matmul(dG2.T, XH2[:, :I])
            else:
                dwhh = xp.matmul(dG2.T, XH2[:, I:])
            _give(xp, XH)
        if b_ih is not None and (needs[5] or needs[6]):
            db = xp.matmul(xp.ones(T * B, dtype=dG.dtype), dG2)   # a GEMV sums columns faster than sum(0)
            dbih = db if needs[5] else None
            dbhh = (db.copy() if needs[5] else db) if needs[6] else None
        if w_hr is not None and needs[7]:
            dwhr = dHP.reshape(T * B, -1).T @ HP.reshape(T * B, H)
        _give(xp, dG)
        return dx, dh0, dc0, dwih, dwhh, dbih, dbhh, dwhr

    def _graph_backward(self, xp, gout, ghT, gcT):
        """The same BPTT with graph_xp ops on a recomputed forward (create_graph=True)."""
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = self.saved[:8]
        T, B, I = x.shape
        G = w_hh.shape[0]
        H = G // 4
        col, row = _row_scale('LSTM', H, x._data.dtype)
        x2 = xp.reshape(x, (T * B, I))
        xg = xp.matmul(x2, xp.swapaxes(w_ih * col, 0, 1))
        if b_ih is not None:
            xg = xg + (b_ih + b_hh) * row
        whh_s = w_hh * col
        out, _, _, A, C, TC, HP = _lstm_scan(xp, xp.reshape(xg, (T, B, G)), h0, c0, whh_s, w_hr, self.masks,
                                             self.reverse)
        D = (1 - A * A) * _gate_scale(G, A)
        S = A * 0.5 + 0.5
        DT = 1 - TC * TC
        Cprev = _shift(xp, C, c0, self.reverse)
        masks = self.masks
        dh, dc = ghT, gcT
        dG, dHP = [None] * T, [None] * T
        for t in _steps(T, not self.reverse):
            dht = gout[t] + dh
            m = masks[t] if masks is not None else None
            dht_a, dc_a = (dht * m, dc * m) if m is not None else (dht, dc)
            if w_hr is not None:
                dHP[t] = dht_a
                dhp = xp.matmul(dht_a, w_hr)
            else:
                dhp = dht_a
            s, a = S[t], A[t]
            dct = dc_a + dhp * s[:, 3 * H:] * DT[t]
            dg = xp.concatenate([dct * a[:, 2 * H:3 * H], dct * Cprev[t], dct * s[:, :H], dhp * TC[t]],
                                axis=1) * D[t]
            dG[t] = dg
            dh_new = xp.matmul(dg, whh_s)
            dc_new = dct * s[:, H:2 * H]
            if m is not None:
                dh, dc = dh_new + (dht - dht_a), dc_new + (dc - dc_a)
            else:
                dh, dc = dh_new, dc_new
        # dG: gradient of the scaled pre-activations; the unscaled parameters' gradients carry the scale
        dG2 = xp.reshape(xp.stack(dG), (T * B, G))
        dG2T = xp.swapaxes(dG2, 0, 1)
        needs = self.needs
        dx = dwih = dwhh = dbih = dbhh = dwhr = None
        if needs[0]:
            dx = xp.reshape(xp.matmul(dG2, w_ih * col), (T, B, I))
        if needs[3]:
            dwih = xp.matmul(dG2T, x2) * col
        if needs[4]:
            Hprev = _shift(xp, out, h0, self.reverse)
            dwhh = xp.matmul(dG2T, xp.reshape(Hprev, (T * B, Hprev.shape[-1]))) * col
        if b_ih is not None and (needs[5] or needs[6]):
            db = xp.sum(dG2, axis=0) * row
            dbih, dbhh = (db if needs[5] else None), (db if needs[6] else None)
        if w_hr is not None and needs[7]:
            dwhr = xp.matmul(xp.swapaxes(xp.reshape(xp.stack(dHP), (T * B, -1)), 0, 1),
                             xp.reshape(HP, (T * B, H)))
        return dx, dh, dc, dwih, dwhh, dbih, dbhh, dwhr

    @classmethod
    def name(cls):
        return 'MkldnnRnnLayerBackward0'


def _gate_scale(G, like):
    """[0.5, 0.5, 1, 0.5] per LSTM gate block as a constant of like's dtype (graph mode)."""
    from ...autograd.graph import _wrap
    H = G // 4
    return _wrap(np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=like._data.dtype), H), None)


# --- GRU ----------------------------------------------------------------------------------------------
def _gru_scan(xp, xg, h0, whh, bhh, masks, reverse):
    """The GRU recurrence on xg = x W_ih^T + b_ih (r, z rows halved): r, z = sigmoid, n = tanh(x_n + r * (h W_hn + b_hn)),
    h' = (1 - z) n + z h. Returns out, hT and the per-step values backward needs."""
    T = xg.shape[0]
    H = h0.shape[-1]
    whhT = xp.swapaxes(whh, 0, 1)
    h = h0
    ARZ, N, GHN, OUT = [None] * T, [None] * T, [None] * T, [None] * T
    for t in _steps(T, reverse):
        gh = xp.matmul(h, whhT)
        if bhh is not None:
            gh = gh + bhh
        x = xg[t]
        arz = xp.tanh(x[:, :2 * H] + gh[:, :2 * H])
        rz = arz * 0.5 + 0.5
        ghn = gh[:, 2 * H:]
        n = xp.tanh(x[:, 2 * H:] + rz[:, :H] * ghn)
        hn = n + rz[:, H:] * (h - n)
        m = masks[t] if masks is not None else None
        if m is not None:
            hn = _blend(hn, h, m)
        ARZ[t], N[t], GHN[t], OUT[t] = arz, n, ghn, hn
        h = hn
    return xp.stack(OUT), h, xp.stack(ARZ), xp.stack(N), xp.stack(GHN)


def _gru_scan_fast(xp, xg, h0, whh, bhh, masks, reverse):
    T, B, G = xg.shape
    H = G // 3
    dt = xg.dtype
    whhT = whh.T
    ARZ = xp.empty((T, B, 2 * H), dt)
    N = xp.empty((T, B, H), dt)
    GHN = xp.empty((T, B, H), dt)
    OUT = xp.empty((T, B, H), dt)
    gh = xp.empty((B, G), dt)
    rz = xp.empty((B, 2 * H), dt)
    h = h0
    for t in _steps(T, reverse):
        xp.matmul(h, whhT, out=gh)
        if bhh is not None:
            gh += bhh
        x = xg[t]
        arz = ARZ[t]
        xp.add(x[:, :2 * H], gh[:, :2 * H], out=arz)
        xp.tanh(arz, out=arz)
        xp.multiply(arz, 0.5, out=rz)
        rz += 0.5
        GHN[t] = gh[:, 2 * H:]
        n = N[t]
        xp.multiply(rz[:, :H], gh[:, 2 * H:], out=n)
        n += x[:, 2 * H:]
        xp.tanh(n, out=n)
        hn = OUT[t]
        xp.subtract(h, n, out=hn)
        hn *= rz[:, H:]
        hn += n
        m = masks[t] if masks is not None else None
        if m is not None:
            xp.copyto(hn, h, where=(m == 0))
        h = hn
    return OUT, h, ARZ, N, GHN


class _GRUScan(Op):
    """Inputs: xg (T, B, 3H), h0 (B, H), w_hh (3H, H), b_hh (3H,) or None. Outputs: out, h_T."""
    __slots__ = ('masks', 'reverse')

    def forward(self, xp, xg, h0, whh, bhh, masks, reverse):
        self.masks, self.reverse = masks, reverse
        out, h, ARZ, N, GHN = _gru_scan_fast(xp, xg, h0, whh, bhh, masks, reverse)
        self.saved = (xg, h0, whh, bhh, out, ARZ, N, GHN)
        return out, h.copy()

    def backward(self, xp, gout, ghT):
        xg, h0, whh, bhh, out, ARZ, N, GHN = self.saved
        if _is_graph(xp):
            out, _, ARZ, N, GHN = _gru_scan(xp, xg, h0, whh, bhh, self.masks, self.reverse)
        T, B, H = N.shape
        RZ = ARZ * 0.5 + 0.5
        DRZ = (1 - ARZ * ARZ) * 0.5
        DN = 1 - N * N
        Hprev = _shift(xp, out, h0, self.reverse)
        masks = self.masks
        dh = ghT
        dGI, dGH = [None] * T, [None] * T
        for t in _steps(T, not self.reverse):
            dht = gout[t] + dh
            m = masks[t] if masks is not None else None
            dht_a = dht * m if m is not None else dht
            rz, drz = RZ[t], DRZ[t]
            z = rz[:, H:]
            dan = dht_a * (1 - z) * DN[t]
            daz = dht_a * (Hprev[t] - N[t]) * drz[:, H:]
            dar = dan * GHN[t] * drz[:, :H]
            dGI[t] = xp.concatenate([dar, daz, dan], axis=1)
            dgh = xp.concatenate([dar, daz, dan * rz[:, :H]], axis=1)
            dGH[t] = dgh
            dh_new = xp.matmul(dgh, whh) + dht_a * z
            dh = dh_new + (dht - dht_a) if m is not None else dh_new
        dxg = xp.stack(dGI)
        needs = self.needs
        dwhh = dbhh = None
        if needs[2] or (bhh is not None and needs[3]):
            dgh_all = xp.reshape(xp.stack(dGH), (T * B, 3 * H))
            if needs[2]:
                dwhh = xp.matmul(xp.swapaxes(dgh_all, 0, 1), xp.reshape(Hprev, (T * B, H)))
            if bhh is not None and needs[3]:
                dbhh = xp.sum(dgh_all, axis=0)
        return dxg, dh, dwhh, dbhh

    @classmethod
    def name(cls):
        return 'MkldnnRnnLayerBackward0'


# --- Elman RNN ----------------------------------------------------------------------------------------
def _rnn_scan(xp, xg, h0, whh, relu, masks, reverse):
    T = xg.shape[0]
    whhT = xp.swapaxes(whh, 0, 1)
    h = h0
    OUT = [None] * T
    for t in _steps(T, reverse):
        pre = xg[t] + xp.matmul(h, whhT)
        hn = xp.maximum(pre, 0) if relu else xp.tanh(pre)
        m = masks[t] if masks is not None else None
        if m is not None:
            hn = _blend(hn, h, m)
        OUT[t] = hn
        h = hn
    return xp.stack(OUT), h


def _rnn_scan_fast(xp, xg, h0, whh, relu, masks, reverse):
    T, B, H = xg.shape
    whhT = whh.T
    OUT = xp.empty((T, B, H), xg.dtype)
    h = h0
    for t in _steps(T, reverse):
        hn = OUT[t]
        xp.matmul(h, whhT, out=hn)
        hn += xg[t]
        if relu:
            xp.maximum(hn, 0, out=hn)
        else:
            xp.tanh(hn, out=hn)
        m = masks[t] if masks is not None else None
        if m is not None:
            xp.copyto(hn, h, where=(m == 0))
        h = hn
    return OUT, h


class _RNNScan(Op):
    """Inputs: xg (T, B, H), h0 (B, H), w_hh (H, H). Outputs: out, h_T."""
    __slots__ = ('masks', 'reverse', 'relu')

    def forward(self, xp, xg, h0, whh, relu, masks, reverse):
        self.masks, self.reverse, self.relu = masks, reverse, relu
        out, h = _rnn_scan_fast(xp, xg, h0, whh, relu, masks, reverse)
        self.saved = (xg, h0, whh, out)
        return out, h.copy()

    def backward(self, xp, gout, ghT):
        xg, h0, whh, out = self.saved
        if _is_graph(xp):
            out, _ = _rnn_scan(xp, xg, h0, whh, self.relu, self.masks, self.reverse)
        T, B, H = out.shape
        if self.relu:
            D = xp.where(out > 0, 1.0, 0.0)
            D = D.astype(out.dtype) if not _is_graph(xp) else D
        else:
            D = 1 - out * out
        masks = self.masks
        dh = ghT
        dG = [None] * T
        for t in _steps(T, not self.reverse):
            dht = gout[t] + dh
            m = masks[t] if masks is not None else None
            dht_a = dht * m if m is not None else dht
            da = dht_a * D[t]
            dG[t] = da
            dh_new = xp.matmul(da, whh)
            dh = dh_new + (dht - dht_a) if m is not None else dh_new
        dxg = xp.stack(dG)
        dwhh = None
        if self.needs[2]:
            Hprev = _shift(xp, out, h0, self.reverse)
            dwhh = xp.matmul(xp.swapaxes(xp.reshape(dxg, (T * B, H)), 0, 1), xp.reshape(Hprev, (T * B, H)))
        return dxg, dh, dwhh

    @classmethod
    def name(cls):
        return 'MkldnnRnnLayerBackward0'


# --- shared plumbing ------------------------------------------------------------------------------------
_scale_cache = {}


def _row_scale(mode, H, np_dtype):
    """Per-row factors that halve the sigmoid gates' pre-activations (sigmoid(x) = 0.5 + 0.5 tanh(x/2))."""
    key = (mode, H, np_dtype)
    v = _scale_cache.get(key)
    if v is None:
        from ...autograd.graph import _wrap
        blocks = [0.5, 0.5, 1.0, 0.5] if mode == 'LSTM' else [0.5, 0.5, 1.0]
        v = (_wrap(np.repeat(np.array(blocks, dtype=np_dtype), H)[:, None], None),
             _wrap(np.repeat(np.array(blocks, dtype=np_dtype), H), None))
        _scale_cache[key] = v
    return v


def _project(x, w_ih, bias):
    """x (T, B, I) @ w_ih^T + bias as one GEMM over all time steps."""
    import ember
    T, B = x.shape[0], x.shape[1]
    x2 = x.reshape(T * B, x.shape[2])
    y = ember.matmul(x2, w_ih.t()) if bias is None else ember.addmm(bias, x2, w_ih.t())
    return y.reshape(T, B, w_ih.shape[0])


def _layer(mode, x, h0, c0, w, masks, reverse, nonlinearity, h0_zero=False):
    """One layer, one direction. w = (w_ih, w_hh, b_ih, b_hh, w_hr) with None for the absent ones.
    h0_zero: h0 (and c0) were made here as zeros, so the LSTM's first step can skip its recurrent GEMM."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    if mode == 'LSTM':
        return _LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks=masks, reverse=reverse,
                                h0_zero=h0_zero)
    if mode == 'GRU':
        H = w_hh.shape[0] // 3
        col, row = _row_scale(mode, H, w_ih._data.dtype)
        xg = _project(x, w_ih * col, None if b_ih is None else b_ih * row)
        out, h = _GRUScan.apply(xg, h0, w_hh * col, None if b_hh is None else b_hh * row,
                                masks=masks, reverse=reverse)
        return out, h, None
    bias = None if b_ih is None else b_ih + b_hh
    xg = _project(x, w_ih, bias)
    out, h = _RNNScan.apply(xg, h0, w_hh, relu=(nonlinearity == 'relu'), masks=masks, reverse=reverse)
    return out, h, None


def _masks_for(batch_sizes, B, np_dtype, xp):
    """Per time step, a (B, 1) 0/1 array of the rows still running (None where all are)."""
    out = []
    for n in batch_sizes:
        n = int(n)
        if n == B:
            out.append(None)
        else:
            m = np.zeros((B, 1), dtype=np_dtype)
            m[:n] = 1
            out.append(xp.asarray(m))
    return out if any(m is not None for m in out) else None


def _dtype_str(dt):
    return f"torch.{dt.name}" if hasattr(dt, 'name') else str(dt)


class RNNBase(Module):
    r"""Base class for RNN modules (RNN, LSTM, GRU): parameters weight_ih_l{k}, weight_hh_l{k},
    bias_ih_l{k}, bias_hh_l{k} (and weight_hr_l{k} with proj_size), '_reverse' for the backward direction,
    initialised from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode == 'LSTM':
            gate_size = 4 * hidden_size
        elif mode == 'GRU':
            gate_size = 3 * hidden_size
        elif mode in ('RNN_TANH', 'RNN_RELU'):
            gate_size = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if proj_size and mode != 'LSTM':
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        import ember
        kw = dict(device=device, dtype=dtype)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden = proj_size if proj_size > 0 else hidden_size
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(ember.empty((gate_size, layer_input), **kw)),
                          Parameter(ember.empty((gate_size, real_hidden), **kw))]
                suffix = '_reverse' if direction == 1 else ''
                names = [f'weight_ih_l{layer}{suffix}', f'weight_hh_l{layer}{suffix}']
                if bias:
                    params += [Parameter(ember.empty(gate_size, **kw)), Parameter(ember.empty(gate_size, **kw))]
                    names += [f'bias_ih_l{layer}{suffix}', f'bias_hh_l{layer}{suffix}']
                if proj_size > 0:
                    params.append(Parameter(ember.empty((proj_size, hidden_size), **kw)))
                    names.append(f'weight_hr_l{layer}{suffix}')
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        import ember
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with ember.no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Resets parameter data pointers for cuDNN in torch; nothing to do here."""
        return None

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.proj_size != 0:
            s += f', proj_size={self.proj_size}'
        if self.num_layers != 1:
            s += f', num_layers={self.num_layers}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if self.batch_first is not False:
            s += f', batch_first={self.batch_first}'
        if self.dropout != 0:
            s += f', dropout={self.dropout}'
        if self.bidirectional is not False:
            s += f', bidirectional={self.bidirectional}'
        return s

    # --- checks, as torch words them ---
    def _name(self):
        return type(self).__name__

    def check_input(self, input, batch_sizes):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({_dtype_str(input.dtype)}) does not match weight dtype "
                             f"({_dtype_str(w.dtype)}). Convert input: input.to({_dtype_str(w.dtype)}), or convert "
                             f"model: model.to({_dtype_str(input.dtype)})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        num_directions = 2 if self.bidirectional else 1
        out = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, out)

    def check_hidden_size(self, hx, expected_hidden_size, msg='Expected hidden size {}, got {}'):
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.shape)))

    def _input_dim_check(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got {input.dim()}D instead")

    # --- the shared forward ---
    def _run(self, input, hx, cx):
        """Unpack / unbatch, run every layer and direction, repack. hx, cx: None or (L*D, B, H) tensors in
        the batch order the caller gave (packed inputs are permuted to sorted order and back)."""
        import ember
        orig = input
        packed = isinstance(orig, PackedSequence)
        num_directions = 2 if self.bidirectional else 1
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = orig
            bs = np.asarray(batch_sizes._data).astype(np.int64)
            T, B = bs.size, int(bs[0])
            self.check_input(data, batch_sizes)
            from ..utils.rnn import _packed_positions
            positions = _packed_positions(bs, B)
            n = data.shape[0]
            index = np.full(T * B, n, dtype=np.int64)
            index[positions] = np.arange(n)
            zero = ember.zeros(1, data.shape[1], dtype=data.dtype)
            x = ember.cat([data, zero]).index_select(0, ember.from_numpy(index)).reshape(T, B, data.shape[1])
            masks = _masks_for(bs, B, data._data.dtype, xp_of(data._data))
            if hx is not None and sorted_indices is not None:
                hx = hx.index_select(1, sorted_indices)
                cx = cx.index_select(1, sorted_indices) if cx is not None else None
            is_batched = True
        else:
            self._input_dim_check(orig)
            is_batched = orig.dim() == 3
            x = orig if is_batched else orig.unsqueeze(1)
            if self.batch_first and is_batched:
                x = x.transpose(0, 1)
            if not is_batched and hx is not None:
                if hx.dim() != 2 or (cx is not None and cx.dim() != 2):
                    if cx is not None:
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           f"({hx.dim()}-D, {cx.dim()}-D) tensors")
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
                cx = cx.unsqueeze(1) if cx is not None else None
            elif is_batched and hx is not None:
                if hx.dim() != 3 or (cx is not None and cx.dim() != 3):
                    if cx is not None:
                        raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                           f"({hx.dim()}-D, {cx.dim()}-D) tensors")
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            self.check_input(x, None)
            T, B = x.shape[0], x.shape[1]
            masks = None
            batch_sizes = None
        expected = (self.num_layers * num_directions, B, out_size)
        h0_zero = hx is None
        if hx is None:
            hx = ember.zeros(*expected, dtype=x.dtype)
            if self.mode == 'LSTM':
                cx = ember.zeros(self.num_layers * num_directions, B, self.hidden_size, dtype=x.dtype)
        elif self.mode == 'LSTM':
            self.check_hidden_size(hx, expected, 'Expected hidden[0] size {}, got {}')
            self.check_hidden_size(cx, (expected[0], B, self.hidden_size), 'Expected hidden[1] size {}, got {}')
        else:
            self.check_hidden_size(hx, expected)
        nonlin = 'relu' if self.mode == 'RNN_RELU' else 'tanh'
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_directions):
                k = layer * num_directions + d
                names = self._all_weights[k]
                p = dict(zip(('w_ih', 'w_hh'), (getattr(self, names[0]), getattr(self, names[1]))))
                b_ih = getattr(self, names[2]) if self.bias else None
                b_hh = getattr(self, names[3]) if self.bias else None
                w_hr = getattr(self, names[-1]) if self.proj_size > 0 else None
                out, h, c = _layer(self.mode, layer_in, hx[k], cx[k] if cx is not None else None,
                                   (p['w_ih'], p['w_hh'], b_ih, b_hh, w_hr), masks, d == 1, nonlin, h0_zero)
                outs.append(out)
                hs.append(h)
                if c is not None:
                    cs.append(c)
            layer_in = outs[0] if num_directions == 1 else ember.cat(outs, dim=2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = _dropout(layer_in, self.dropout)
        h_n = ember.stack(hs)
        c_n = ember.stack(cs) if cs else None
        if packed:
            flat = layer_in.reshape(T * B, layer_in.shape[2])
            output = PackedSequence(flat.index_select(0, ember.from_numpy(positions)), batch_sizes,
                                    sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                c_n = c_n.index_select(1, unsorted_indices) if c_n is not None else None
            return output, h_n, c_n
        output = layer_in
        if not is_batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n, c_n


def _dropout(x, p):
    from .. import functional as F
    f = getattr(F, 'dropout', None)
    if f is not None:
        return f(x, p, True)
    from ...ops.random import _rng
    xp = xp_of(x._data)
    keep = xp.asarray((_rng(None, 'dropout').random(tuple(x.shape)) >= p) / (1 - p)).astype(x._data.dtype)
    return x * keep


class RNN(RNNBase):
    r"""Apply a multi-layer Elman RNN with tanh or ReLU non-linearity to an input sequence:
    h_t = tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh}).

    Args: input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False. Returns (output, h_n)."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def extra_repr(self):
        s = super().extra_repr()
        return s + (f', nonlinearity={self.nonlinearity}' if self.nonlinearity != 'tanh' else '')

    def forward(self, input, hx=None):
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class LSTM(RNNBase):
    r"""Apply a multi-layer long short-term memory (LSTM) RNN to an input sequence.

    i, f, g, o gates: i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi), ..., c_t = f_t * c_{t-1} + i_t * g_t,
    h_t = o_t * tanh(c_t) (times W_hr with proj_size > 0). Returns (output, (h_n, c_n))."""

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        n = self.get_expected_hidden_size(input, batch_sizes)
        return (n[0], n[1], self.hidden_size)

    def forward(self, input, hx=None):
        if hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0)")
            h0, c0 = hx
        else:
            h0 = c0 = None
        output, h_n, c_n = self._run(input, h0, c0)
        return output, (h_n, c_n)


class GRU(RNNBase):
    r"""Apply a multi-layer gated recurrent unit (GRU) RNN to an input sequence.

    r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr), z_t likewise, n_t = tanh(W_in x_t + b_in +
    r_t * (W_hn h_{t-1} + b_hn)), h_t = (1 - z_t) * n_t + z_t * h_{t-1}. Returns (output, h_n)."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__('GRU', *args, **kwargs)

    def forward(self, input, hx=None):
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


# --- cells ----------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Base class of the cells: weight_ih (chunks*hidden, input), weight_hh, bias_ih, bias_hh."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        import ember
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = dict(device=device, dtype=dtype)
        self.weight_ih = Parameter(ember.empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(ember.empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(ember.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(ember.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if getattr(self, 'nonlinearity', 'tanh') != 'tanh':
            s += f', nonlinearity={self.nonlinearity}'
        return s

    def reset_parameters(self):
        import ember
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with ember.no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    def _prepare(self, input, hx, name, n_states=1):
        """Validate, add the batch dim to unbatched input, build zero states. Returns (x, states, batched)."""
        import ember
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = [] if hx is None else (list(hx) if n_states == 2 else [hx])
        for s in states:
            if s.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hx[0] to be 1D or 2D, got {s.dim()}D instead" if n_states == 2
                                 else f"{name}: Expected hidden to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        if not states:
            states = [ember.zeros(x.shape[0], self.hidden_size, dtype=x.dtype) for _ in range(n_states)]
        elif not batched:
            states = [s.unsqueeze(0) for s in states]
        for i, s in enumerate(states):
            if s.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{i} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size}")
        return x.unsqueeze(0), states, batched


class RNNCell(RNNCellBase):
    r"""An Elman RNN cell with tanh or ReLU non-linearity: h' = tanh(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ('tanh', 'relu'):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, (h,), batched = self._prepare(input, hx, 'RNNCell')
        _, h1, _ = _layer('RNN', x, h, None, (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None),
                          None, False, self.nonlinearity)
        return h1 if batched else h1.squeeze(0)


class LSTMCell(RNNCellBase):
    r"""A long short-term memory (LSTM) cell. Returns (h_1, c_1)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h, c), batched = self._prepare(input, hx, 'LSTMCell', 2)
        _, h1, c1 = _layer('LSTM', x, h, c, (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None),
                           None, False, None)
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    r"""A gated recurrent unit (GRU) cell."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, hx, 'GRUCell')
        _, h1, _ = _layer('GRU', x, h, None, (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None),
                          None, False, None)
        return h1 if batched else h1.squeeze(0)
