"""Recurrent layers: RNN, LSTM, GRU and their cells, with torch's parameters, layouts and semantics.

How a layer runs. Each layer and direction is one fused op (_LSTMLayer, _GRULayer, _RNNLayer): forward
projects the whole input with one GEMM, then runs the time loop on raw arrays into preallocated buffers;
when a backward can follow it also stores each step's local derivatives, computed while that step's
values are in cache, so backward's per-step work is a few ufunc calls and one GEMM; the weight gradients
are then one GEMM over all steps. The gated layers work gate-major: the recurrent product is a batched
GEMM into a (gates, B, H) array, so every gate is a contiguous block (NumPy ufuncs on strided column
slices of a (B, gates*H) array cost ~3x more). Under create_graph=True the backward recomputes the
forward with graph_xp ops from its saved inputs, so the same BPTT formula records a graph and
higher-order gradients work.

Sigmoids are computed as 0.5 + 0.5 * tanh(z / 2): the ops halve the sigmoid gates' rows of raw weight
copies, so one tanh call covers all the gates of a step.

Packed sequences run on a padded (T, B) layout with a per-step mask: a row whose sequence has ended
keeps its state, which gives torch's results for both directions (a reversed sequence starts from h0
at its own last step).
"""
import math
import warnings
import numpy as np   # index/mask bookkeeping for packed sequences; tensor data goes through xp

from ...autograd.graph import Op
from ...autograd.grad_mode import is_grad_enabled
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


_workspaces = {}


def _take(xp, shape, dt):
    """A scratch array of this shape reused across calls: fresh multi-MB temporaries cost more in page
    faults than the arithmetic done on them. Taken out of the cache while in use, so a reentrant or
    concurrent call gets its own."""
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


_FWD_ORDER = [0, 1, 3, 2]   # torch's gate rows are (i, f, g, o); forward runs them as (i, f, o, g)


def _lstm_forward_fast(xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks, reverse, h0_zero, train):
    """The LSTM layer on raw arrays (the training hot path). Returns out, h_T, c_T and, when train, Q
    (T, 6, B, H): per step the local derivatives backward needs, gate-major and contiguous,
        [s_i (1 - s_i) g, s_f (1 - s_f) c_prev, s_i (1 - g^2), s_o (1 - s_o) tanh(c), s_o (1 - tanh(c)^2), s_f]
    so that backward's step is dct = dhp Q4 + dc, dz = [dct, dct, dct, dhp] * Q[:4], dc = dct Q5.
    Each step works gate-major: the recurrent product is a batched GEMM into a (4, B, H) array, so every
    gate is a contiguous block (ufuncs on strided column slices of a (B, 4H) array cost ~3x more).
    Q is computed while each step's values are in cache, from products the forward already has
    (s_i g, s_f c_prev, s_o tanh(c)), two calls per entry."""
    T, B, I = x.shape
    G = w_hh.shape[0]
    H = G // 4
    Hout = h0.shape[-1]
    dt = x.dtype
    col = xp.asarray(_gate_col(3, 4, dt))   # forward order: three sigmoid gates, then g
    order = _FWD_ORDER
    # gate-major weights (4, in, H), in forward order, sigmoid rows halved; C-contiguous: the per-step
    # batched GEMM runs ~1.6x slower on transposed operands
    wih4 = xp.multiply(w_ih.reshape(4, H, I)[order].transpose(0, 2, 1), col, out=xp.empty((4, I, H), dt))
    whh4 = xp.multiply(w_hh.reshape(4, H, Hout)[order].transpose(0, 2, 1), col, out=xp.empty((4, Hout, H), dt))
    U = xp.matmul(x.reshape(T * B, I), wih4)   # (4, T*B, H)
    # the bias joins each step's sum while it is in cache (one pass over U costs twice as much), as a full
    # (4, B, H) array (adding a broadcast (4, 1, H) one costs twice as much)
    bias = None
    if b_ih is not None:
        bias = xp.empty((4, B, H), dt)
        bias[...] = xp.multiply((b_ih + b_hh).reshape(4, 1, H)[order], col)
    whrT = xp.ascontiguousarray(w_hr.T) if w_hr is not None else None
    OUT = xp.empty((T, B, Hout), dt)
    HP = xp.empty((T, B, H), dt) if w_hr is not None else None
    Q = xp.empty((T, 6, B, H), dt) if train else None
    Z = xp.empty((4, B, H), dt)
    Z3 = Z[:3]
    s_i, s_f, s_o, g = Z
    Y = xp.empty((2, B, H), dt)   # [s_i g, s_f c_prev]
    ig, fc = Y
    TC = xp.empty((B, H), dt)
    Cs = (xp.empty((B, H), dt), xp.empty((B, H), dt))
    half = xp.asarray(0.5, dtype=dt)   # a 0-d constant of the data's dtype: no per-call scalar conversion
    matmul, multiply, add, subtract, tanh = xp.matmul, xp.multiply, xp.add, xp.subtract, xp.tanh
    h, c = h0, c0
    k = 0
    for t in _steps(T, reverse):
        u = U[:, t * B:(t + 1) * B]
        if k or not h0_zero:
            matmul(h, whh4, out=Z)
            add(Z, u, out=Z)
            if bias is not None:
                add(Z, bias, out=Z)
        elif bias is not None:
            add(u, bias, out=Z)
        else:
            xp.copyto(Z, u)
        tanh(Z, out=Z)
        multiply(Z3, half, out=Z3)
        add(Z3, half, out=Z3)
        cn = Cs[k & 1]
        multiply(s_i, g, out=ig)
        multiply(s_f, c, out=fc)
        add(ig, fc, out=cn)
        tanh(cn, out=TC)
        hp = OUT[t] if whrT is None else HP[t]
        multiply(s_o, TC, out=hp)
        if train:
            q = Q[t]
            q01, q2, q3, q4 = q[:2], q[2], q[3], q[4]
            multiply(Y, Z[:2], out=q01)
            subtract(Y, q01, out=q01)
            multiply(ig, g, out=q2)
            subtract(s_i, q2, out=q2)
            multiply(hp, s_o, out=q3)
            subtract(hp, q3, out=q3)
            multiply(hp, TC, out=q4)
            subtract(s_o, q4, out=q4)
            xp.copyto(q[5], s_f)
        if whrT is not None:
            matmul(hp, whrT, out=OUT[t])
        if masks is not None and masks[t] is not None:
            keep = masks[t] == 0   # ended packed rows keep their state
            xp.copyto(OUT[t], h, where=keep)
            xp.copyto(cn, c, where=keep)
        h, c = OUT[t], cn
        k += 1
    return OUT, h.copy(), c.copy(), Q, HP


def _lstm_backward_fast(xp, gout, ghT, gcT, w_hh, w_hr, Q, masks, reverse, need_h0):
    """Backpropagation through time on raw arrays with forward's Q (see _lstm_forward_fast).
    Returns dG (T, B, 4H), the gradient of the unscaled gate pre-activations z = x W_ih^T + b + h W_hh^T
    in torch's row order (a workspace array: give it back with _give), dh0 (None unless need_h0), dc0
    and, with a projection, dHP (the gradient of the pre-projection outputs)."""
    T, _, B, H = Q.shape
    G = 4 * H
    dt = Q.dtype
    dG = _take(xp, (T, B, G), dt)
    dG4 = dG.reshape(T, B, 4, H)
    dht = xp.empty(gout.shape[1:], dt)   # (B, Hout): the projected size with proj_size
    dct = xp.empty((B, H), dt)
    dhbuf = xp.empty(gout.shape[1:], dt)
    dcbuf = xp.empty((B, H), dt)
    dHP = xp.empty((T, B, w_hr.shape[0]), dt) if w_hr is not None else None
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    dh, dc = ghT, gcT
    steps = _steps(T, not reverse)
    last = steps[-1]
    for t in steps:
        add(gout[t], dh, out=dht)
        m = masks[t] if masks is not None else None
        if m is not None:
            dht_a, dc_a = dht * m, dc * m
        else:
            dht_a, dc_a = dht, dc
        if w_hr is not None:
            dHP[t] = dht_a
            dhp = matmul(dht_a, w_hr)
        else:
            dhp = dht_a
        q = Q[t]
        multiply(dhp, q[4], out=dct)
        add(dct, dc_a, out=dct)
        dg = dG4[t].transpose(1, 0, 2)   # (4, B, H) view of this step's (B, 4H) rows
        multiply(dct, q[:3], out=dg[:3])
        multiply(dhp, q[3], out=dg[3])
        if m is not None:   # ended rows pass their state gradients straight through
            dh = matmul(dG[t], w_hh) + (dht - dht_a)
            dc = dct * q[5] + (dc - dc_a)
            continue
        if t != last or need_h0:
            dh = matmul(dG[t], w_hh, out=dhbuf)
        dc = multiply(dct, q[5], out=dcbuf)
    return dG, (dh if need_h0 else None), dc, dHP


class _LSTMLayer(Op):
    """One LSTM layer in one direction, input projection included.
    Inputs: x (T, B, I), h0 (B, Hout), c0 (B, H), w_ih (4H, I), w_hh (4H, Hout), b_ih, b_hh (4H,) or
    None, w_hr (Hout, H) or None. Outputs: out (T, B, Hout), h_T, c_T.
    The weights enter unscaled: the gate reordering and the sigmoid gates' halving are applied to raw
    copies inside forward, and backward's gate gradients are taken with respect to the unscaled
    pre-activations in the original order, so no extra graph nodes run on the parameters.
    train: a backward may follow (grad mode on and an input requires grad), so forward also computes
    backward's local derivatives; a backward after a forward without them recomputes them."""
    __slots__ = ('masks', 'reverse', 'h0_zero')

    def forward(self, xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks, reverse, h0_zero, train=True):
        self.masks, self.reverse, self.h0_zero = masks, reverse, h0_zero
        out, h, c, Q, HP = _lstm_forward_fast(xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks, reverse,
                                              h0_zero, train)
        self.saved = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, out, Q, HP)
        return out, h, c

    def backward(self, xp, gout, ghT, gcT):
        if _is_graph(xp):
            return self._graph_backward(xp, gout, ghT, gcT)
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, out, Q, HP = self.saved
        if Q is None:
            out, _, _, Q, HP = _lstm_forward_fast(xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, self.masks,
                                                  self.reverse, self.h0_zero, True)
        needs = self.needs
        T, _, B, H = Q.shape
        G = 4 * H
        I = x.shape[2]
        dG, dh0, dc0, dHP = _lstm_backward_fast(xp, gout, ghT, gcT, w_hh, w_hr, Q, self.masks, self.reverse,
                                                needs[1])
        dG2 = dG.reshape(T * B, G)
        dx = dwih = dwhh = dbih = dbhh = dwhr = None
        if needs[0]:
            dx = xp.matmul(dG2, w_ih).reshape(T, B, I)
        dwih, dwhh = _weight_grads(xp, dG2, x, out, h0, self.reverse, needs[3], needs[4], self.h0_zero)
        if b_ih is not None and (needs[5] or needs[6]):
            db = _col_sums(xp, dG2)
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


_col_cache = {}


def _gate_col(n_sig, n, dt):
    """A (n, 1, 1) factor, 0.5 on the first n_sig (sigmoid) gates and 1 on the rest: it halves the sigmoid
    gates' pre-activations (sigmoid(z) = 0.5 + 0.5 tanh(z / 2))."""
    key = (n_sig, n, np.dtype(dt))
    v = _col_cache.get(key)
    if v is None:
        v = _col_cache[key] = np.array([0.5] * n_sig + [1.0] * (n - n_sig), dtype=dt).reshape(n, 1, 1)
    return v


def _weight_grads(xp, dG2, x, out, h0, reverse, need_ih, need_hh, h0_zero=False):
    """dW_ih = dG^T x and dW_hh = dG^T h_prev for dG (T*B, G): h_prev is out shifted by one step, so the
    recurrent one is a GEMM on out itself plus h0's rows (none when h0 is known to be zero); two GEMMs on
    the arrays as they are measured faster than one over a [x | h_prev] copy."""
    T, B, I = x.shape
    dwih = dwhh = None
    if need_ih:
        dwih = xp.matmul(dG2.T, x.reshape(T * B, I))
    if need_hh:
        H = out.shape[-1]
        if reverse:   # step t follows step t + 1
            dwhh = xp.matmul(dG2[:-B].T, out[1:].reshape(-1, H))
            first = dG2[-B:]
        else:
            dwhh = xp.matmul(dG2[B:].T, out[:-1].reshape(-1, H))
            first = dG2[:B]
        if not h0_zero:
            dwhh += xp.matmul(first.T, h0)
    return dwih, dwhh


def _col_sums(xp, a2):
    return xp.matmul(xp.ones(a2.shape[0], dtype=a2.dtype), a2)   # a GEMV sums columns faster than sum(0)


# --- GRU ----------------------------------------------------------------------------------------------
def _gru_scan(xp, xg, h0, whh, bhh, masks, reverse):
    """The GRU recurrence on xg = x W_ih^T + b_ih (r, z rows halved), with graph_xp ops: r, z = sigmoid,
    n = tanh(x_n + r * (h W_hn + b_hn)), h' = (1 - z) n + z h. Returns out, hT and the per-step values
    backward needs."""
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


def _gru_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, masks, reverse, h0_zero, train):
    """The GRU layer on raw arrays, gate-major like _lstm_forward_fast. Returns out, h_T and, when train,
    Q (T, 5, B, H) = [(1 - z)(1 - n^2), (h - n) z (1 - z), (W_hn h + b_hn) r (1 - r), r, z] per step, so
    that backward's step is dn = dh Q0, dz = dh Q1, dr = dn Q2, d(W_hn h) = dn Q3, dh_prev = ... + dh Q4."""
    T, B, I = x.shape
    H = w_hh.shape[0] // 3
    dt = x.dtype
    col = xp.asarray(_gate_col(2, 3, dt))
    wih3 = xp.multiply(w_ih.reshape(3, H, I).transpose(0, 2, 1), col, out=xp.empty((3, I, H), dt))
    whh3 = xp.multiply(w_hh.reshape(3, H, H).transpose(0, 2, 1), col, out=xp.empty((3, H, H), dt))
    U = xp.matmul(x.reshape(T * B, I), wih3)   # (3, T*B, H)
    bh = bn = None
    if b_ih is not None:   # full arrays: adding broadcast ones costs twice as much
        bh = xp.empty((3, B, H), dt)
        bh[:2] = ((b_ih[:2 * H] + b_hh[:2 * H]) * 0.5).reshape(2, 1, H)
        bh[2] = b_hh[2 * H:]
        bn = xp.empty((B, H), dt)
        bn[...] = b_ih[2 * H:]
    OUT = xp.empty((T, B, H), dt)
    Q = xp.empty((T, 5, B, H), dt) if train else None
    Zh = xp.empty((3, B, H), dt)
    RZ = xp.empty((2, B, H), dt)
    N = xp.empty((B, H), dt)
    Dd = xp.empty((B, H), dt)
    Yb = xp.empty((2, B, H), dt)
    Z1 = xp.empty((B, H), dt)
    half = xp.asarray(0.5, dtype=dt)
    one = xp.asarray(1, dtype=dt)
    ghn = Zh[2]
    matmul, multiply, add, subtract, tanh = xp.matmul, xp.multiply, xp.add, xp.subtract, xp.tanh
    h = h0
    k = 0
    for t in _steps(T, reverse):
        u = U[:, t * B:(t + 1) * B]
        rz = Q[t, 3:5] if train else RZ
        if k or not h0_zero:
            matmul(h, whh3, out=Zh)
            if bh is not None:
                add(Zh, bh, out=Zh)
        elif bh is not None:
            xp.copyto(Zh, bh)
        else:
            Zh.fill(0)
        add(Zh[:2], u[:2], out=rz)
        tanh(rz, out=rz)
        multiply(rz, half, out=rz)
        add(rz, half, out=rz)
        r, z = rz
        multiply(r, ghn, out=N)
        add(N, u[2], out=N)
        if bn is not None:
            add(N, bn, out=N)
        tanh(N, out=N)
        subtract(h, N, out=Dd)
        hn = OUT[t]
        multiply(Dd, z, out=hn)
        add(hn, N, out=hn)
        if train:
            q = Q[t]
            multiply(rz, rz, out=Yb)
            subtract(rz, Yb, out=Yb)   # [r (1 - r), z (1 - z)]
            multiply(ghn, Yb[0], out=q[2])
            multiply(Dd, Yb[1], out=q[1])
            subtract(one, z, out=Z1)
            multiply(N, N, out=q[0])
            subtract(one, q[0], out=q[0])
            multiply(q[0], Z1, out=q[0])
        if masks is not None and masks[t] is not None:
            xp.copyto(hn, h, where=masks[t] == 0)   # ended packed rows keep their state
        h = hn
        k += 1
    return OUT, h.copy(), Q


def _gru_backward_fast(xp, gout, ghT, w_hh, Q, masks, reverse, need_h0):
    """BPTT on raw arrays with forward's Q. Returns dGh (T, B, 3H), the gradient of h W_hh^T + b_hh (r, z, n
    blocks), DN (T, B, H), the gradient of the n gate's input part x W_in^T + b_in (the r, z blocks of the
    input part's gradient are dGh's), both workspaces (give them back), and dh0 (None unless need_h0)."""
    T, _, B, H = Q.shape
    dt = Q.dtype
    dGh = _take(xp, (T, B, 3 * H), dt)
    DN = _take(xp, (T, B, H), dt)
    dGh3 = dGh.reshape(T, B, 3, H)
    dht = xp.empty((B, H), dt)
    dhbuf = xp.empty((B, H), dt)
    tmp = xp.empty((B, H), dt)
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    dh = ghT
    steps = _steps(T, not reverse)
    last = steps[-1]
    for t in steps:
        add(gout[t], dh, out=dht)
        m = masks[t] if masks is not None else None
        dht_a = dht * m if m is not None else dht
        q = Q[t]
        dn = DN[t]
        multiply(dht_a, q[0], out=dn)
        g = dGh3[t].transpose(1, 0, 2)   # (3, B, H) view of this step's (B, 3H) rows
        multiply(dn, q[2], out=g[0])
        multiply(dht_a, q[1], out=g[1])
        multiply(dn, q[3], out=g[2])
        if m is not None:   # ended rows pass their state gradient straight through
            dh = matmul(dGh[t], w_hh) + dht_a * q[4] + (dht - dht_a)
            continue
        if t != last or need_h0:
            matmul(dGh[t], w_hh, out=dhbuf)
            multiply(dht, q[4], out=tmp)
            dh = add(dhbuf, tmp, out=dhbuf)
    return dGh, DN, (dh if need_h0 else None)


def _gru_bptt_graph(xp, gout, ghT, xg, h0, whh, bhh, masks, reverse):
    """The GRU's BPTT with graph_xp ops (create_graph=True), on the scaled xg, whh, bhh of _gru_scan.
    Returns the gradients of xg, h0, whh and bhh (None without bias)."""
    out, _, ARZ, N, GHN = _gru_scan(xp, xg, h0, whh, bhh, masks, reverse)
    T, B, H = N.shape
    RZ = ARZ * 0.5 + 0.5
    DRZ = (1 - ARZ * ARZ) * 0.5
    DN = 1 - N * N
    Hprev = _shift(xp, out, h0, reverse)
    dh = ghT
    dGI, dGH = [None] * T, [None] * T
    for t in _steps(T, not reverse):
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
    dgh_all = xp.reshape(xp.stack(dGH), (T * B, 3 * H))
    dwhh = xp.matmul(xp.swapaxes(dgh_all, 0, 1), xp.reshape(Hprev, (T * B, H)))
    dbhh = xp.sum(dgh_all, axis=0) if bhh is not None else None
    return xp.stack(dGI), dh, dwhh, dbhh


class _GRULayer(Op):
    """One GRU layer in one direction, input projection included.
    Inputs: x (T, B, I), h0 (B, H), w_ih (3H, I), w_hh (3H, H), b_ih, b_hh (3H,) or None.
    Outputs: out (T, B, H), h_T. The weights enter unscaled (see _LSTMLayer)."""
    __slots__ = ('masks', 'reverse', 'h0_zero')

    def forward(self, xp, x, h0, w_ih, w_hh, b_ih, b_hh, masks, reverse, h0_zero, train=True):
        self.masks, self.reverse, self.h0_zero = masks, reverse, h0_zero
        out, h, Q = _gru_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, masks, reverse, h0_zero, train)
        self.saved = (x, h0, w_ih, w_hh, b_ih, b_hh, out, Q)
        return out, h

    def backward(self, xp, gout, ghT):
        if _is_graph(xp):
            return self._graph_backward(xp, gout, ghT)
        x, h0, w_ih, w_hh, b_ih, b_hh, out, Q = self.saved
        if Q is None:
            out, _, Q = _gru_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, self.masks, self.reverse,
                                          self.h0_zero, True)
        needs = self.needs
        T, B, I = x.shape
        H = Q.shape[-1]
        dGh, DN, dh0 = _gru_backward_fast(xp, gout, ghT, w_hh, Q, self.masks, self.reverse, needs[1])
        dGh2, DN2 = dGh.reshape(T * B, 3 * H), DN.reshape(T * B, H)
        dGrz = dGh2[:, :2 * H]   # the r, z blocks: the same for the input and the recurrent part
        dx = dwih = dwhh = dbih = dbhh = None
        if needs[0]:
            dx = (xp.matmul(dGrz, w_ih[:2 * H]) + xp.matmul(DN2, w_ih[2 * H:])).reshape(T, B, I)
        x2 = x.reshape(T * B, I)
        if needs[2]:
            dwih = xp.empty(w_ih.shape, x.dtype)
            xp.matmul(dGrz.T, x2, out=dwih[:2 * H])
            xp.matmul(DN2.T, x2, out=dwih[2 * H:])
        if needs[3]:
            _, dwhh = _weight_grads(xp, dGh2, x, out, h0, self.reverse, False, True, self.h0_zero)
        if b_ih is not None and (needs[4] or needs[5]):
            dbhh = _col_sums(xp, dGh2)
            if needs[4]:
                dbih = xp.concatenate([dbhh[:2 * H], _col_sums(xp, DN2)])
            if not needs[5]:
                dbhh = None
        _give(xp, dGh, DN)
        return dx, dh0, dwih, dwhh, dbih, dbhh

    def _graph_backward(self, xp, gout, ghT):
        """The same BPTT with graph_xp ops on a recomputed forward (create_graph=True)."""
        x, h0, w_ih, w_hh, b_ih, b_hh = self.saved[:6]
        T, B, I = x.shape
        H = w_hh.shape[0] // 3
        col, row = _row_scale('GRU', H, x._data.dtype)
        x2 = xp.reshape(x, (T * B, I))
        wih_s = w_ih * col
        xg = xp.reshape(xp.matmul(x2, xp.swapaxes(wih_s, 0, 1)), (T, B, 3 * H))
        if b_ih is not None:
            xg = xg + b_ih * row
        dxg, dh0, dwhh_s, dbhh_s = _gru_bptt_graph(xp, gout, ghT, xg, h0, w_hh * col,
                                                   None if b_hh is None else b_hh * row, self.masks, self.reverse)
        dxg2 = xp.reshape(dxg, (T * B, 3 * H))
        dx = xp.reshape(xp.matmul(dxg2, wih_s), (T, B, I))
        dwih = xp.matmul(xp.swapaxes(dxg2, 0, 1), x2) * col
        dbih = dbhh = None
        if b_ih is not None:
            dbih, dbhh = xp.sum(dxg2, axis=0) * row, dbhh_s * row
        return dx, dh0, dwih, dwhh_s * col, dbih, dbhh

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


def _rnn_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, relu, masks, reverse, h0_zero, train):
    """The Elman RNN layer on raw arrays. Returns out, h_T and, when train, D (T, B, H), the activation's
    derivative at each step (1 - h^2, or the ReLU's 0/1)."""
    T, B, I = x.shape
    H = w_hh.shape[0]
    dt = x.dtype
    U = xp.matmul(x.reshape(T * B, I), w_ih.T).reshape(T, B, H)
    whhT = xp.ascontiguousarray(w_hh.T)
    bias = None
    if b_ih is not None:
        bias = xp.empty((B, H), dt)
        bias[...] = b_ih + b_hh
    OUT = xp.empty((T, B, H), dt)
    D = xp.empty((T, B, H), dt) if train else None
    zero = xp.asarray(0, dtype=dt)
    one = xp.asarray(1, dtype=dt)
    matmul, add = xp.matmul, xp.add
    h = h0
    k = 0
    for t in _steps(T, reverse):
        hn = OUT[t]
        if k or not h0_zero:
            matmul(h, whhT, out=hn)
            add(hn, U[t], out=hn)
            if bias is not None:
                add(hn, bias, out=hn)
        elif bias is not None:
            add(U[t], bias, out=hn)
        else:
            xp.copyto(hn, U[t])
        if relu:
            xp.maximum(hn, zero, out=hn)
            if train:
                xp.sign(hn, out=D[t])   # h >= 0, so its sign is the ReLU's derivative
        else:
            xp.tanh(hn, out=hn)
            if train:
                xp.multiply(hn, hn, out=D[t])
                xp.subtract(one, D[t], out=D[t])
        if masks is not None and masks[t] is not None:
            xp.copyto(hn, h, where=masks[t] == 0)   # ended packed rows keep their state
        h = hn
        k += 1
    return OUT, h.copy(), D


def _rnn_backward_fast(xp, gout, ghT, w_hh, D, masks, reverse, need_h0):
    """BPTT on raw arrays. Returns dA (T, B, H), the gradient of the pre-activations (a workspace: give it
    back), and dh0 (None unless need_h0)."""
    T, B, H = D.shape
    dA = _take(xp, (T, B, H), D.dtype)
    dht = xp.empty((B, H), D.dtype)
    dhbuf = xp.empty((B, H), D.dtype)
    matmul, multiply, add = xp.matmul, xp.multiply, xp.add
    dh = ghT
    steps = _steps(T, not reverse)
    last = steps[-1]
    for t in steps:
        add(gout[t], dh, out=dht)
        m = masks[t] if masks is not None else None
        if m is not None:   # ended rows pass their state gradient straight through
            dht_a = dht * m
            multiply(dht_a, D[t], out=dA[t])
            dh = matmul(dA[t], w_hh) + (dht - dht_a)
            continue
        multiply(dht, D[t], out=dA[t])
        if t != last or need_h0:
            dh = matmul(dA[t], w_hh, out=dhbuf)
    return dA, (dh if need_h0 else None)


class _RNNLayer(Op):
    """One Elman RNN layer in one direction, input projection included.
    Inputs: x (T, B, I), h0 (B, H), w_ih (H, I), w_hh (H, H), b_ih, b_hh (H,) or None. Outputs: out, h_T."""
    __slots__ = ('masks', 'reverse', 'h0_zero', 'relu')

    def forward(self, xp, x, h0, w_ih, w_hh, b_ih, b_hh, relu, masks, reverse, h0_zero, train=True):
        self.masks, self.reverse, self.h0_zero, self.relu = masks, reverse, h0_zero, relu
        out, h, D = _rnn_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, relu, masks, reverse, h0_zero, train)
        self.saved = (x, h0, w_ih, w_hh, b_ih, b_hh, out, D)
        return out, h

    def backward(self, xp, gout, ghT):
        if _is_graph(xp):
            return self._graph_backward(xp, gout, ghT)
        x, h0, w_ih, w_hh, b_ih, b_hh, out, D = self.saved
        if D is None:
            out, _, D = _rnn_forward_fast(xp, x, h0, w_ih, w_hh, b_ih, b_hh, self.relu, self.masks, self.reverse,
                                          self.h0_zero, True)
        needs = self.needs
        T, B, I = x.shape
        H = w_hh.shape[0]
        dA, dh0 = _rnn_backward_fast(xp, gout, ghT, w_hh, D, self.masks, self.reverse, needs[1])
        dA2 = dA.reshape(T * B, H)
        dx = dbih = dbhh = None
        if needs[0]:
            dx = xp.matmul(dA2, w_ih).reshape(T, B, I)
        dwih, dwhh = _weight_grads(xp, dA2, x, out, h0, self.reverse, needs[2], needs[3], self.h0_zero)
        if b_ih is not None and (needs[4] or needs[5]):
            db = _col_sums(xp, dA2)
            dbih = db if needs[4] else None
            dbhh = (db.copy() if needs[4] else db) if needs[5] else None
        _give(xp, dA)
        return dx, dh0, dwih, dwhh, dbih, dbhh

    def _graph_backward(self, xp, gout, ghT):
        """BPTT with graph_xp ops on a recomputed forward (create_graph=True)."""
        x, h0, w_ih, w_hh, b_ih, b_hh = self.saved[:6]
        T, B, I = x.shape
        H = w_hh.shape[0]
        x2 = xp.reshape(x, (T * B, I))
        xg = xp.reshape(xp.matmul(x2, xp.swapaxes(w_ih, 0, 1)), (T, B, H))
        if b_ih is not None:
            xg = xg + (b_ih + b_hh)
        out, _ = _rnn_scan(xp, xg, h0, w_hh, self.relu, self.masks, self.reverse)
        D = xp.where(out > 0, 1.0, 0.0) if self.relu else 1 - out * out
        masks = self.masks
        dh = ghT
        dG = [None] * T
        for t in _steps(T, not self.reverse):
            dht = gout[t] + dh
            m = masks[t] if masks is not None else None
            dht_a = dht * m if m is not None else dht
            da = dht_a * D[t]
            dG[t] = da
            dh_new = xp.matmul(da, w_hh)
            dh = dh_new + (dht - dht_a) if m is not None else dh_new
        dA2 = xp.reshape(xp.stack(dG), (T * B, H))
        dA2T = xp.swapaxes(dA2, 0, 1)
        Hprev = _shift(xp, out, h0, self.reverse)
        dx = xp.reshape(xp.matmul(dA2, w_ih), (T, B, I))
        dwih = xp.matmul(dA2T, x2)
        dwhh = xp.matmul(dA2T, xp.reshape(Hprev, (T * B, H)))
        dbih = dbhh = None
        if b_ih is not None:
            dbih = dbhh = xp.sum(dA2, axis=0)
        return dx, dh, dwih, dwhh, dbih, dbhh

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


def _will_record(*tensors):
    """Whether an op on these inputs records a backward node (the test Op.apply makes), so the fused
    forward computes what backward needs only when a backward can follow."""
    return is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def _layer(mode, x, h0, c0, w, masks, reverse, nonlinearity, h0_zero=False):
    """One layer, one direction. w = (w_ih, w_hh, b_ih, b_hh, w_hr) with None for the absent ones.
    h0_zero: h0 (and c0) were made here as zeros, so the LSTM's first step can skip its recurrent GEMM."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    train = _will_record(x, h0, c0, *w)
    if mode == 'LSTM':
        return _LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, masks=masks, reverse=reverse,
                                h0_zero=h0_zero, train=train)
    if mode == 'GRU':
        out, h = _GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, masks=masks, reverse=reverse, h0_zero=h0_zero,
                                 train=train)
        return out, h, None
    out, h = _RNNLayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, relu=(nonlinearity == 'relu'), masks=masks,
                             reverse=reverse, h0_zero=h0_zero, train=train)
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
                if packed:
                    # torch drops out the packed rows, so the mask is drawn for (n, H), not for the padded grid
                    width = layer_in.shape[2]
                    rows = layer_in.reshape(T * B, width).index_select(0, ember.from_numpy(positions))
                    rows = ember.cat([_dropout(rows, self.dropout), ember.zeros(1, width, dtype=rows.dtype)])
                    layer_in = rows.index_select(0, ember.from_numpy(index)).reshape(T, B, width)
                else:
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
    from ...ops.random import _bernoulli_mask, default_generator
    xp = xp_of(x._data)
    keep = xp.asarray(_bernoulli_mask(default_generator, tuple(x.shape), 1 - p) / (1 - p)).astype(x._data.dtype)
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
