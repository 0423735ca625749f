"""Convolutions (1-3 spatial dims, strided, padded, dilated, grouped), transposed convolutions,
unfold and fold.

One generic N-d kernel set does the work, in channels-last layout because gathering windows from
an (N, *S, C) array copies whole C-runs (about 10x cheaper than from NCHW, see GUIDE.md):

    forward        im2col (one strided-window copy), one whole-batch GEMM per group, one transposing
                   copy back to NCHW (the bias added in that same pass)
    input grad     stride 1 with C >= 16: im2col of the padded output gradient and one GEMM with the
                   flipped kernel (a copy instead of strided adds); otherwise one GEMM, then col2im:
                   a scatter-add of strided windows, one vectorised add per kernel offset (never a
                   loop over pixels)
    weight grad    one GEMM against the columns the forward kept; the output gradient's GEMM rows
                   (a transposing copy) are made once for both gradients

The three are Ops (`Convolution`, `ConvInputGrad`, `ConvWeightGrad`) whose backward formulas are
written with one another, so derivatives of any order stay inside the trio (double backward of a
convolution is a convolution again). A transposed convolution is `ConvInputGrad` run forward.
"""
import operator
from ...tensor import Tensor, cast
from ...autograd.graph import Op
from ...amp import _state as _amp   # autocast: one flag test per call while it is off

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
           'unfold', 'fold']


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


# --- raw kernels on arrays -------------------------------------------------------------------------
# geo = (stride, pads, dilation, groups): per spatial dim, pads a (low, high) pair.

def _out_size(S, K, geo):
    stride, pads, dil, _ = geo
    return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1 for s, k, st, (lo, hi), d in zip(S, K, stride, pads, dil))


def _pad_channels_last(xp, xc, pads):
    """xc (N, *S, C), any strides, as a contiguous (N, *S_padded, C) array with zeros around."""
    if not any(lo or hi for lo, hi in pads):
        return xp.ascontiguousarray(xc)
    S = xc.shape[1:-1]
    buf = xp.zeros((xc.shape[0],) + tuple(s + lo + hi for s, (lo, hi) in zip(S, pads)) + (xc.shape[-1],), xc.dtype)
    buf[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(S, pads))] = xc
    return buf


def _channels_last_padded(xp, x, pads):
    """x (N, C, *S) as a contiguous (N, *S_padded, C) array with zeros around."""
    return _pad_channels_last(xp, xp.moveaxis(x, 1, -1), pads)


def _windows(xp, xc, K, stride, dil, G):
    """Columns (G, N*P, KK*Cg) of a padded channels-last xc (N, *S, C): each row one output position's
    receptive field, ordered (kernel offset, channel); and the output spatial size."""
    d = len(K)
    O = tuple((s - dl * (k - 1) - 1) // st + 1 for s, k, st, dl in zip(xc.shape[1:-1], K, stride, dil))
    st = xc.strides
    Cg = xc.shape[-1] // G
    # windows viewed as (G, N, *O, *K, Cg): channel axis split into groups, nothing copied yet
    shape = (G, xc.shape[0]) + O + tuple(K) + (Cg,)
    strides = ((st[-1] * Cg, st[0]) + tuple(st[1 + i] * stride[i] for i in range(d))
               + tuple(st[1 + i] * dil[i] for i in range(d)) + (st[-1],))
    win = xp.lib.stride_tricks.as_strided(xc, shape, strides, writeable=False)
    return win.reshape(G, xc.shape[0] * _prod(O), _prod(K) * Cg), O


def _im2col(xp, x, K, geo):
    """Columns (G, N*P, KK*Cg) of x (N, C, *S), and the output spatial size."""
    stride, pads, dil, G = geo
    return _windows(xp, _channels_last_padded(xp, x, pads), K, stride, dil, G)


def _weight_matrix(xp, w, G):
    """w (O, Cg, *K) as (G, Og, KK*Cg), rows ordered like the im2col columns."""
    Oc, Cg = w.shape[:2]
    wm = xp.moveaxis(w.reshape((G, Oc // G, Cg) + tuple(w.shape[2:])), 2, -1)
    return wm.reshape(G, Oc // G, -1)


def _rows(xp, y, G):
    """(N, O, *P) -> (G, N*P, Og): a gradient of the output as GEMM rows."""
    N, Oc = y.shape[:2]
    P = _prod(y.shape[2:])
    return xp.ascontiguousarray(y.reshape(N, G, Oc // G, P).transpose(1, 0, 3, 2)).reshape(G, N * P, Oc // G)


def _unrows(xp, r, N, O, b=None):
    """(G, N*P, Og) -> (N, G*Og, *O), contiguous, plus the bias b (G*Og,) when given: one transposing pass."""
    G, _, Og = r.shape
    P = _prod(O)
    src = r.reshape(G, N, P, Og).transpose(1, 0, 3, 2)
    if b is None:
        out = xp.ascontiguousarray(src)
    else:
        out = xp.empty((N, G, Og, P), r.dtype)
        xp.add(src, b.reshape(G, Og, 1), out=out)
    return out.reshape((N, G * Og) + tuple(O))


def _channels_first(C, G):
    """Whether to gather windows channels-first (Caffe's (N, C*KK, P) columns): for the few-channel
    first layer of a net, where channels-last copies runs of only C values but channels-first
    copies whole output rows (0.23 vs 0.81 ms for 64x1x28x28, 5x5)."""
    return G == 1 and C <= 3


def _unfold_nd(xp, x, K, geo):
    """Channels-first columns (N, C*KK, P) of x (N, C, *S), rows ordered (channel, kernel offset)."""
    stride, pads, dil, _ = geo
    d = len(K)
    if any(lo or hi for lo, hi in pads):
        x = xp.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    O = _out_size(x.shape[2:], K, (stride, ((0, 0),) * d, dil, 1))
    st = x.strides
    win = xp.lib.stride_tricks.as_strided(
        x, tuple(x.shape[:2]) + tuple(K) + O,
        st[:2] + tuple(st[2 + i] * dil[i] for i in range(d)) + tuple(st[2 + i] * stride[i] for i in range(d)),
        writeable=False)
    return win.reshape(x.shape[0], x.shape[1] * _prod(K), _prod(O)), O


def _fold_nd(xp, cols, shape, K, geo):
    """The adjoint of _unfold_nd: columns (N, C*KK, P) summed back into an (N, C, *S) array."""
    stride, pads, dil, _ = geo
    d = len(K)
    N, C = shape[:2]
    S = tuple(shape[2:])
    O = _out_size(S, K, geo)
    c = cols.reshape((N, C) + tuple(K) + O)
    Sp = tuple(s + lo + hi for s, (lo, hi) in zip(S, pads))
    buf = xp.zeros((N, C) + Sp, cols.dtype)
    for k in _ndindex(K):
        dst = (slice(None), slice(None)) + tuple(
            slice(k[i] * dil[i], k[i] * dil[i] + stride[i] * (O[i] - 1) + 1, stride[i]) for i in range(d))
        buf[dst] += c[(slice(None), slice(None)) + k]
    if any(lo or hi for lo, hi in pads):
        buf = xp.ascontiguousarray(buf[(slice(None), slice(None)) + tuple(slice(lo, lo + s)
                                                                          for s, (lo, _) in zip(S, pads))])
    return buf


def _conv_forward(xp, x, w, b, geo, cols_out=None):
    N, C = x.shape[:2]
    Oc = w.shape[0]
    G = geo[3]
    if _channels_first(C, G):
        cols, O = _unfold_nd(xp, x, w.shape[2:], geo)
        if cols_out is not None:
            cols_out.append(cols)
        y = xp.matmul(w.reshape(Oc, -1), cols)            # (N, Oc, P): NCHW with no transposing copy
        if b is not None:
            y += b[:, None]
        return y.reshape((N, Oc) + O)
    cols, O = _im2col(xp, x, w.shape[2:], geo)
    if cols_out is not None:
        cols_out.append(cols)
    wm = _weight_matrix(xp, w, G)
    if G == 1 and Oc < 32:
        # few output channels: N per-image GEMMs writing NCHW directly beat a GEMM whose rows are only
        # Oc wide plus the transposing copy (0.26 vs 0.30 ms for LeNet's 64x6x12x12 -> 16, 5x5)
        y = xp.matmul(wm[0], cols[0].reshape(N, -1, cols.shape[2]).transpose(0, 2, 1))
        if b is not None:
            y += b[:, None]
        return y.reshape((N, Oc) + tuple(O))
    # one (N*P, KK*Cg) @ (KK*Cg, Og) GEMM per group, then one transposing copy to NCHW: faster than N
    # per-image GEMMs writing NCHW directly (1.3 vs 1.8 ms for 64x16x14x14 -> 32, 3x3)
    return _unrows(xp, xp.matmul(cols, wm.transpose(0, 2, 1)), N, O, b)


def _ndindex(K):
    out = [()]
    for k in K:
        out = [t + (i,) for t in out for i in range(k)]
    return out


def _full_conv_pads(S, K, geo):
    """Padding that turns the input gradient of a stride-1 convolution into a convolution of the output
    gradient with the flipped kernel; None where that does not apply (strided, or padded past the kernel)."""
    stride, pads, dil, _ = geo
    if any(st != 1 for st in stride):
        return None
    q = tuple((dl * (k - 1) - lo, dl * (k - 1) - hi) for k, (lo, hi), dl in zip(K, pads, dil))
    return None if any(lo < 0 or hi < 0 for lo, hi in q) else q


def _conv_input_grad(xp, g, w, b, shape, geo, rows=None):
    """The gradient of a convolution's input (shape) for output gradient g: a transposed convolution.
    rows: g already as GEMM rows (_rows), when the caller has them."""
    stride, pads, dil, G = geo
    N, C = shape[:2]
    S = tuple(shape[2:])
    Oc = w.shape[0]
    K = tuple(w.shape[2:])
    d = len(K)
    if _channels_first(C, G):
        gcols = xp.matmul(w.reshape(Oc, -1).T, g.reshape(N, Oc, _prod(g.shape[2:])))
        out = _fold_nd(xp, gcols, shape, K, geo)
        if b is not None:
            out += b.reshape((-1,) + (1,) * d)
        return out
    O = _out_size(S, K, geo)
    if rows is None:
        rows = _rows(xp, g, G)
    q = _full_conv_pads(S, K, geo) if G == 1 and C >= 16 and Oc <= 2 * C else None
    if q is not None:
        # stride 1: im2col of the padded output gradient and one GEMM with the flipped kernel, no col2im.
        # Its copy grows with Oc where col2im's adds grow with C (and strided adds cost ~2.5x a copy):
        # 2.7 vs 3.1 ms for 64x16x14x14 -> 32, 3x3; slower where C is a handful (GEMMs C wide)
        gcols, _ = _windows(xp, _pad_channels_last(xp, rows.reshape((N,) + O + (Oc,)), q), K, (1,) * d, dil, 1)
        wf = w[(slice(None), slice(None)) + (slice(None, None, -1),) * d]
        wf = xp.ascontiguousarray(xp.moveaxis(wf, (0, 1), (-2, -1))).reshape(-1, C)   # (KK*Oc, C)
        return _unrows(xp, xp.matmul(gcols, wf), N, S, b)
    # one batched GEMM gives the columns offset-major, (G, KK, N*P, Cg): every offset's block is then
    # contiguous, and col2im adds whole (N, *O, Cg) blocks (2x faster than reading strided columns)
    Og, Cg = Oc // G, C // G
    KK = _prod(K)
    wk = xp.ascontiguousarray(w.reshape(G, Og, Cg, KK).transpose(0, 3, 1, 2))   # BLAS wants contiguous
    gk = xp.matmul(rows[:, None], wk)          # (G, KK, N*P, Cg)
    Sp = tuple(s + lo + hi for s, (lo, hi) in zip(S, pads))
    buf = xp.zeros((N,) + Sp + (G, Cg), g.dtype)
    for n, k in enumerate(_ndindex(K)):
        dst = (slice(None),) + tuple(slice(k[i] * dil[i], k[i] * dil[i] + stride[i] * (O[i] - 1) + 1, stride[i])
                                     for i in range(d))
        src = gk[:, n].reshape((G, N) + O + (Cg,))
        buf[dst] += src[0, ..., None, :] if G == 1 else xp.moveaxis(src, 0, -2)
    buf = buf[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(S, pads))]
    out = xp.ascontiguousarray(xp.moveaxis(buf.reshape((N,) + S + (C,)), -1, 1))
    if b is not None:
        out += b.reshape((-1,) + (1,) * d)
    return out


def _conv_weight_grad(xp, x, g, shape, geo, cols=None, rows=None):
    """The gradient of a convolution's weight (shape) for input x and output gradient g."""
    G = geo[3]
    N = x.shape[0]
    if _channels_first(x.shape[1], G):
        if cols is None:
            cols, _ = _unfold_nd(xp, x, shape[2:], geo)
        gw = xp.matmul(g.reshape(N, shape[0], _prod(g.shape[2:])), cols.transpose(0, 2, 1)).sum(0)
        return gw.reshape(shape)
    if cols is None:
        cols, _ = _im2col(xp, x, shape[2:], geo)
    if rows is None:
        rows = _rows(xp, g, G)
    gw = xp.matmul(rows.transpose(0, 2, 1), cols)       # (G, Og, KK*Cg)
    K = tuple(shape[2:])
    gw = gw.reshape((shape[0],) + K + (shape[1],))
    return xp.ascontiguousarray(xp.moveaxis(gw, -1, 1))


# --- the Ops ---------------------------------------------------------------------------------------
def _graph(xp):
    return xp.name == 'graph'


def _bias_grad(xp, g):
    return xp.sum(g, axis=(0,) + tuple(range(2, g.ndim)))


class Convolution(Op):
    """y = conv(x, w) + b."""
    __slots__ = ('geo', 'cols')

    def forward(self, xp, x, w, b, geo):
        self.geo = geo
        keep = []
        y = _conv_forward(xp, x, w, b, geo, keep)
        self.cols = keep[0]           # reused by the weight gradient (im2col is not free)
        self.saved = (x, w)
        return y if y.dtype == x.dtype else y.astype(x.dtype)   # bfloat16 GEMMs come back as float32

    def backward(self, xp, g):
        x, w = self.saved
        nx, nw, nb = self.needs
        geo = self.geo
        gb = _bias_grad(xp, g) if nb else None
        if _graph(xp):
            gx = ConvInputGrad.apply(g, w, None, shape=tuple(x.shape), geo=geo) if nx else None
            gw = ConvWeightGrad.apply(x, g, shape=tuple(w.shape), geo=geo) if nw else None
            return gx, gw, gb
        # both gradients read g as GEMM rows: one transposing copy serves the two
        rows = _rows(xp, g, geo[3]) if (nx or nw) and not _channels_first(x.shape[1], geo[3]) else None
        gx = _conv_input_grad(xp, g, w, None, x.shape, geo, rows) if nx else None
        gw = _conv_weight_grad(xp, x, g, w.shape, geo, self.cols, rows) if nw else None
        return gx, gw, gb

    def release(self):
        self.cols = None
        Op.release(self)

    @classmethod
    def name(cls):
        return 'ConvolutionBackward0'


class ConvInputGrad(Op):
    """y = conv_transpose(g, w) + b: the adjoint of a convolution with weight w, mapping a gradient of
    its output to one of its input (of the given shape)."""
    __slots__ = ('geo',)

    def forward(self, xp, g, w, b, shape, geo):
        self.geo = geo
        self.saved = (g, w)
        y = _conv_input_grad(xp, g, w, b, shape, geo)
        return y if y.dtype == g.dtype else y.astype(g.dtype)   # bfloat16 GEMMs come back as float32

    def backward(self, xp, gg):
        g, w = self.saved
        ng, nw, nb = self.needs
        geo = self.geo
        gb = _bias_grad(xp, gg) if nb else None
        if _graph(xp):
            dg = Convolution.apply(gg, w, None, geo=geo) if ng else None
            dw = ConvWeightGrad.apply(gg, g, shape=tuple(w.shape), geo=geo) if nw else None
            return dg, dw, gb
        dg = _conv_forward(xp, gg, w, None, geo) if ng else None
        dw = _conv_weight_grad(xp, gg, g, w.shape, geo) if nw else None
        return dg, dw, gb

    @classmethod
    def name(cls):
        return 'ConvolutionBackward0'


class ConvWeightGrad(Op):
    """The gradient of a convolution's weight as a function of its input x and output gradient g."""
    __slots__ = ('geo',)

    def forward(self, xp, x, g, shape, geo):
        self.geo = geo
        self.saved = (x, g)
        return _conv_weight_grad(xp, x, g, shape, geo)

    def backward(self, xp, gw):
        x, g = self.saved
        nx, ng = self.needs
        geo = self.geo
        if _graph(xp):
            dx = ConvInputGrad.apply(g, gw, None, shape=tuple(x.shape), geo=geo) if nx else None
            dg = Convolution.apply(x, gw, None, geo=geo) if ng else None
            return dx, dg
        dx = _conv_input_grad(xp, g, gw, None, x.shape, geo) if nx else None
        dg = _conv_forward(xp, x, gw, None, geo) if ng else None
        return dx, dg

    @classmethod
    def name(cls):
        return 'ConvolutionBackwardBackward0'


# --- argument checking -------------------------------------------------------------------------------
_DT_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
             'int64': 'long', 'int32': 'int', 'int16': 'short', 'int8': 'signed char', 'uint8': 'unsigned char'}
_SCALAR_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
                 'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _tuple(v, d, name, op, allow_zero=True):
    if isinstance(v, (tuple, list)):
        v = tuple(operator.index(i) for i in v)
        if len(v) == 1:
            v = v * d
        if len(v) != d:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {d} values to match the "
                               f"convolution dimensions, but got {name}={list(v)}")
        return v
    return (operator.index(v),) * d


def _check_tensor(t, name, op):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _prepare(op, d, input, weight, bias, stride, padding, dilation, groups, transposed=False):
    """Check a convolution's arguments as torch does; returns (input batched, squeeze flag, geo)."""
    _check_tensor(input, 'input', op)
    _check_tensor(weight, 'weight', op)
    if bias is not None:
        _check_tensor(bias, 'bias', op)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, but got input of "
                           f"size: {list(input.shape)}")
    if weight.ndim != d + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.ndim < 3 else
                           f"Expected {d + 2}-dimensional weight for {d + 2}-dimensional input "
                           f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of size "
                           f"{list(weight.shape)} instead")
    unbatched = input.ndim == d + 1
    if unbatched:
        input = input.unsqueeze(0)
    xd, wd = input._data.dtype, weight._data.dtype
    # torch checks the bias first (not for a transposed conv, which casts it to the input's dtype), then
    # the weight, named as the type found against the input's expected one
    if bias is not None and bias._data.dtype != xd and not transposed:
        raise RuntimeError(f"Input type ({_DT_NAMES.get(xd.name, xd.name)}) and bias type "
                           f"({_DT_NAMES.get(bias._data.dtype.name, bias._data.dtype.name)}) should be the same")
    if xd != wd:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES.get(xd.name, xd.name)} but found "
                           f"{_SCALAR_NAMES.get(wd.name, wd.name)}")
    if xd.kind == 'b' or xd.kind == 'c':
        raise RuntimeError(f"\"{op}\" not implemented for '{_SCALAR_NAMES.get(xd.name, xd.name)}'")
    groups = operator.index(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    stride = _tuple(stride, d, 'stride', op)
    dilation = _tuple(dilation, d, 'dilation', op)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(s <= 0 for s in dilation):
        raise RuntimeError("dilation should be greater than zero")
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{op}() received an invalid combination of arguments - got padding={padding!r}")
        if padding == 'valid':
            pads = ((0, 0),) * d
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for k, dl in zip(K, dilation):
                total = dl * (k - 1)
                pads.append((total // 2, total - total // 2))
            pads = tuple(pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _tuple(padding, d, 'padding', op)
        if any(i < 0 for i in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((i, i) for i in p)
    C = input.shape[1]
    if not transposed:
        if weight.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{list(weight.shape)}] instead")
        if C != weight.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                               f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {C} "
                               f"channels instead")
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[0]):
            raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                               f"{weight.shape[0]} elements, but got bias of size {list(bias.shape)} instead")
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(input.shape[2:], pads))
        eff = tuple(dl * (k - 1) + 1 for k, dl in zip(K, dilation))
        if any(p < e for p, e in zip(padded, eff)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                               f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual "
                               f"input size")
    else:
        if C != weight.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                               f"{list(input.shape)} to have {weight.shape[0]} channels, but got {C} channels "
                               f"instead")
        if weight.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{list(weight.shape)}] instead")
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                               f"1-dimensional with {weight.shape[1] * groups} elements, but got bias of size "
                               f"{list(bias.shape)} instead")
    return input, unbatched, (stride, pads, dilation, groups)


def _convnd(op, d, input, weight, bias, stride, padding, dilation, groups):
    if _amp.cpu_on: input, weight, bias = _amp.lower(input, weight, bias)
    x, unbatched, geo = _prepare(op, d, input, weight, bias, stride, padding, dilation, groups)
    y = Convolution.apply(x, weight, bias, geo=geo)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 1D convolution over an input signal composed of several input planes.

    input (minibatch, in_channels, iW), weight (out_channels, in_channels/groups, kW), optional bias
    (out_channels). padding: an int, a 1-tuple, 'valid' (none) or 'same' (output as long as the input;
    stride 1 only)."""
    return _convnd('conv1d', 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 2D convolution over an input image composed of several input planes.

    input (minibatch, in_channels, iH, iW), weight (out_channels, in_channels/groups, kH, kW), optional
    bias (out_channels). stride, padding and dilation are ints or pairs; padding may also be 'valid' or
    'same'. groups splits the channels into groups convolved separately (groups == in_channels is a
    depthwise convolution)."""
    return _convnd('conv2d', 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 3D convolution over an input image composed of several input planes.

    input (minibatch, in_channels, iT, iH, iW), weight (out_channels, in_channels/groups, kT, kH, kW)."""
    return _convnd('conv3d', 3, input, weight, bias, stride, padding, dilation, groups)


def _transpose_out_size(Si, K, stride, pads, dil, output_padding):
    return tuple((s - 1) * st - lo - hi + dl * (k - 1) + op + 1
                 for s, k, st, (lo, hi), dl, op in zip(Si, K, stride, pads, dil, output_padding))


def _conv_transposend(op, d, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if _amp.cpu_on: input, weight, bias = _amp.lower(input, weight, bias)
    x, unbatched, geo = _prepare(op, d, input, weight, bias, stride, padding, dilation, groups, transposed=True)
    stride, pads, dil, G = geo
    outp = _tuple(output_padding, d, 'output_padding', op)
    if any(o >= s and o >= dl for o, s, dl in zip(outp, stride, dil)):
        names = ['depth', 'height', 'width'][3 - d:] if d > 1 else ['width']
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " +
                           " ".join(f"output_padding_{n}: {o}" for n, o in zip(names, outp)) + " " +
                           " ".join(f"stride_{n}: {s}" for n, s in zip(names, stride)) + " " +
                           " ".join(f"dilation_{n}: {s}" for n, s in zip(names, dil)))
    K = tuple(weight.shape[2:])
    So = _transpose_out_size(x.shape[2:], K, stride, pads, dil, outp)
    if any(s <= 0 for s in So):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, So))}). Output size is too small")
    shape = (x.shape[0], weight.shape[1] * G) + So
    if bias is not None and bias.dtype != x.dtype:
        bias = cast(bias, x.dtype)
    y = ConvInputGrad.apply(x, weight, bias, shape=shape, geo=geo)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 1D transposed convolution operator over an input signal composed of several input
    planes, sometimes also called "deconvolution". weight (in_channels, out_channels/groups, kW)."""
    return _conv_transposend('conv_transpose1d', 1, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 2D transposed convolution operator over an input image composed of several input
    planes, sometimes also called "deconvolution". weight (in_channels, out_channels/groups, kH, kW);
    output_padding adds to one side of each output dimension (to pick among the sizes a strided
    convolution maps to the same input size)."""
    return _conv_transposend('conv_transpose2d', 2, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Applies a 3D transposed convolution operator over an input image composed of several input
    planes, sometimes also called "deconvolution". weight (in_channels, out_channels/groups, kT, kH, kW)."""
    return _conv_transposend('conv_transpose3d', 3, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


# --- unfold / fold -------------------------------------------------------------------------------------
def _pair(v, name, op):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"{op}(): expected {name} to be a single integer or a list of 2 values")
        return tuple(operator.index(i) for i in v)
    return (operator.index(v),) * 2


def _unfold_raw(xp, x, K, dil, pad, stride):
    N, C, H, W = x.shape
    if pad[0] or pad[1]:
        x = xp.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    O = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, p, d, k, st in zip((H, W), pad, dil, K, stride))
    s = x.strides
    win = xp.lib.stride_tricks.as_strided(
        x, (N, C, K[0], K[1], O[0], O[1]),
        (s[0], s[1], s[2] * dil[0], s[3] * dil[1], s[2] * stride[0], s[3] * stride[1]), writeable=False)
    return win.reshape(N, C * K[0] * K[1], O[0] * O[1])


def _fold_raw(xp, cols, out, K, dil, pad, stride):
    N = cols.shape[0]
    C = cols.shape[1] // (K[0] * K[1])
    Hp, Wp = out[0] + 2 * pad[0], out[1] + 2 * pad[1]
    O = tuple((s - d * (k - 1) - 1) // st + 1 for s, d, k, st in zip((Hp, Wp), dil, K, stride))
    c = cols.reshape(N, C, K[0], K[1], O[0], O[1])
    buf = xp.zeros((N, C, Hp, Wp), cols.dtype)
    for i in range(K[0]):
        for j in range(K[1]):
            buf[:, :, i * dil[0]:i * dil[0] + stride[0] * (O[0] - 1) + 1:stride[0],
                j * dil[1]:j * dil[1] + stride[1] * (O[1] - 1) + 1:stride[1]] += c[:, :, i, j]
    return xp.ascontiguousarray(buf[:, :, pad[0]:pad[0] + out[0], pad[1]:pad[1] + out[1]])


class Unfold(Op):
    """Sliding local blocks of a batched (N, C, H, W) input as columns (N, C*kH*kW, L)."""
    __slots__ = ('args', 'size')

    def forward(self, xp, x, args):
        self.args, self.size = args, x.shape[2:]
        return _unfold_raw(xp, x, *args)

    def backward(self, xp, g):
        if _graph(xp):
            return Fold.apply(g, out=tuple(self.size), args=self.args)
        return _fold_raw(xp, g, self.size, *self.args)

    @classmethod
    def name(cls):
        return 'Im2ColBackward0'


class Fold(Op):
    """Sums columns (N, C*kH*kW, L) of sliding blocks back into a (N, C, *output_size) tensor."""
    __slots__ = ('args',)

    def forward(self, xp, cols, out, args):
        self.args = args
        return _fold_raw(xp, cols, out, *args)

    def backward(self, xp, g):
        if _graph(xp):
            return Unfold.apply(g, args=self.args)
        return _unfold_raw(xp, g, *self.args)

    @classmethod
    def name(cls):
        return 'Col2ImBackward0'


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extracts sliding local blocks from a batched input tensor.

    input (N, C, H, W) (or unbatched (C, H, W)) gives (N, C * prod(kernel_size), L), L the number of
    blocks; each column is one block, flattened channel-major."""
    _check_tensor(input, 'input', 'unfold')
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    K, dil, pad, st = (_pair(kernel_size, 'kernel_size', 'unfold'), _pair(dilation, 'dilation', 'unfold'),
                       _pair(padding, 'padding', 'unfold'), _pair(stride, 'stride', 'unfold'))
    if any(k <= 0 for k in K) or any(v <= 0 for v in dil + st) or any(p < 0 for p in pad):
        raise RuntimeError(f"im2col: kernel size, dilation and stride should be greater than zero and padding "
                           f"non-negative, but got kernel_size={list(K)} dilation={list(dil)} padding={list(pad)} "
                           f"stride={list(st)}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    H, W = x.shape[2:]
    O = [(s + 2 * p - d * (k - 1) - 1) // s_ + 1 for s, p, d, k, s_ in zip((H, W), pad, dil, K, st)]
    if O[0] < 1 or O[1] < 1:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({K[0]}, {K[1]}), "
                           f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated shape of the "
                           f"array of sliding blocks as ({O[0]}, {O[1]}), but its components must be at least one.")
    y = Unfold.apply(x, args=(K, dil, pad, st))
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combines an array of sliding local blocks into a large containing tensor (summing overlaps).

    input (N, C * prod(kernel_size), L) (or unbatched (C * prod(kernel_size), L)) gives
    (N, C, *output_size). The inverse of unfold only where blocks do not overlap."""
    _check_tensor(input, 'input', 'fold')
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
                           f"{input.ndim}D)")
    out, K, dil, pad, st = (_pair(output_size, 'output_size', 'fold'), _pair(kernel_size, 'kernel_size', 'fold'),
                            _pair(dilation, 'dilation', 'fold'), _pair(padding, 'padding', 'fold'),
                            _pair(stride, 'stride', 'fold'))
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    kk = K[0] * K[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size=({K[0]}, {K[1]})")
    O = [(s + 2 * p - d * (k - 1) - 1) // s_ + 1 for s, p, d, k, s_ in zip(out, pad, dil, K, st)]
    if O[0] * O[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size=({out[0]}, {out[1]}), kernel_size=({K[0]}, {K[1]}), "
                           f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, {st[1]}), "
                           f"expected size of input's dimension 2 to match the calculated number of sliding blocks "
                           f"{O[0]} * {O[1]} = {O[0] * O[1]}, but got input.size(2)={x.shape[2]}.")
    y = Fold.apply(x, out=out, args=(K, dil, pad, st))
    return y.squeeze(0) if unbatched else y
