"""Pooling: max, average, adaptive, Lp, and max-unpooling over 1-3 spatial dims.

Windows are strided slices of a padded input, one per kernel offset: a max pool is a running
maximum over the kH*kW slices (each a vectorised pass over the whole output), remembering which
offset won; its gradient adds the output gradient back into those slices where that offset won.
Average pooling is the same walk with a sum. Each forward and its gradient are a pair of Ops, each
the other's backward (both are linear in what they move), so higher-order gradients stay exact.
Adaptive average pooling is separable: one small averaging matrix per spatial dim.
"""
import operator
from ...tensor import Tensor
from ...autograd.graph import Op, _wrap

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
           'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'adaptive_avg_pool1d',
           'adaptive_avg_pool2d', 'adaptive_avg_pool3d', 'adaptive_max_pool1d', 'adaptive_max_pool2d',
           'adaptive_max_pool3d', 'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d_with_indices',
           'adaptive_max_pool3d_with_indices', 'max_unpool1d', 'max_unpool2d', 'max_unpool3d', 'lp_pool1d',
           'lp_pool2d', 'lp_pool3d']


def _graph(xp):
    return xp.name == 'graph'


def _ndindex(K):
    out = [()]
    for k in K:
        out = [t + (i,) for t in out for i in range(k)]
    return out


# --- window geometry -----------------------------------------------------------------------------------
class _Geo:
    """A pooling's geometry over the trailing spatial dims: sizes S, kernel K, stride, padding,
    dilation, output size O, and the padded extent E the windows reach."""
    __slots__ = ('S', 'K', 'st', 'pad', 'dil', 'O', 'E')

    def __init__(self, S, K, st, pad, dil, O):
        self.S, self.K, self.st, self.pad, self.dil, self.O = S, K, st, pad, dil, O
        self.E = tuple(max((o - 1) * s + (k - 1) * d + 1, n + p) for o, s, k, d, n, p in zip(O, st, K, dil, S, pad))

    def slices(self, k):
        """Where kernel offset k reads, for every output position, in the padded input."""
        return (slice(None),) + tuple(slice(k[i] * self.dil[i], k[i] * self.dil[i] + self.st[i] * (self.O[i] - 1) + 1,
                                            self.st[i]) for i in range(len(self.K)))

    def interior(self):
        return (slice(None),) + tuple(slice(p, p + n) for p, n in zip(self.pad, self.S))

    def padded(self, xp, x, fill):
        """x (B, *S) inside a (B, *E) array filled with fill."""
        if all(p == 0 for p in self.pad) and tuple(x.shape[1:]) == self.E:
            return x
        buf = xp.full((x.shape[0],) + self.E, fill, x.dtype)
        buf[self.interior()] = x
        return buf


def _out_size(n, k, s, p, d, ceil_mode):
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:   # the last window must start inside the input or left padding
        o -= 1
    return o


def _lowest(xp, dt):
    return -xp.inf if dt.kind == 'f' else xp.iinfo(dt).min


# --- max pooling -----------------------------------------------------------------------------------------
def _max_forward(xp, x, geo):
    """Running maximum over the kernel offsets; returns (max, winning offset number).

    Plain ufuncs (maximum, greater, integer arithmetic) rather than masked writes: ~8x faster."""
    xpad = geo.padded(xp, x, _lowest(xp, x.dtype))
    offsets = _ndindex(geo.K)
    best = xpad[geo.slices(offsets[0])].copy()
    idx = xp.zeros(best.shape, xp.int8 if len(offsets) <= 127 else xp.int16)
    for n in range(1, len(offsets)):
        v = xpad[geo.slices(offsets[n])]
        m = xp.greater(v, best)
        xp.maximum(best, v, out=best)
        idx -= m * (idx - idx.dtype.type(n))     # idx = n where v won
    if x.dtype.kind == 'f' and xp.isnan(best).any():
        best, idx = _max_forward_nan(xp, xpad, geo, offsets, idx.dtype)
    return best, idx


def _max_forward_nan(xp, xpad, geo, offsets, idx_dtype):
    """The same, letting the last NaN of a window win (torch's rule), for inputs holding NaN."""
    best = xpad[geo.slices(offsets[0])].copy()
    idx = xp.zeros(best.shape, idx_dtype)
    for n in range(1, len(offsets)):
        v = xpad[geo.slices(offsets[n])]
        m = (v > best) | (v != v)
        xp.copyto(best, v, where=m)
        idx[m] = n
    return best, idx


def _overlapping(geo):
    return any(s < (k - 1) * d + 1 for s, k, d in zip(geo.st, geo.K, geo.dil))


def _max_scatter(xp, g, idx, geo):
    """Gradient of a max pool's input: g added where each window's winning offset reads."""
    buf = xp.zeros((g.shape[0],) + geo.E, g.dtype)
    overlap = _overlapping(geo)
    for n, k in enumerate(_ndindex(geo.K)):
        if overlap:
            buf[geo.slices(k)] += g * (idx == n)
        else:   # windows are disjoint: each input position is written once
            xp.multiply(g, idx == n, out=buf[geo.slices(k)])
    return xp.ascontiguousarray(buf[geo.interior()])


def _max_gather(xp, gx, idx, geo):
    """The adjoint of _max_scatter: each window's value at its winning offset."""
    buf = geo.padded(xp, gx, 0)
    out = xp.zeros(idx.shape, gx.dtype)
    for n, k in enumerate(_ndindex(geo.K)):
        out += buf[geo.slices(k)] * (idx == n)
    return out


def _flat_indices(xp, idx, geo):
    """torch's indices: each winner's flat position in its (unpadded) input plane."""
    d = len(geo.K)
    flat = 0
    rem = idx.astype(xp.int64)
    ks = []
    for i in reversed(range(d)):
        ks.append(rem % geo.K[i])
        rem = rem // geo.K[i]
    ks.reverse()
    for i in range(d):
        o = xp.arange(geo.O[i], dtype=xp.int64).reshape((-1,) + (1,) * (d - 1 - i))
        pos = o * geo.st[i] - geo.pad[i] + ks[i] * geo.dil[i]
        flat = flat * geo.S[i] + pos
    return flat


class MaxPoolScatter(Op):
    __slots__ = ('idx', 'geo')

    def forward(self, xp, g, idx, geo):
        self.idx, self.geo = idx, geo
        return _max_scatter(xp, g, idx, geo)

    def backward(self, xp, gg):
        if _graph(xp):
            return MaxPoolGather.apply(gg, idx=self.idx, geo=self.geo)
        return _max_gather(xp, gg, self.idx, self.geo)

    @classmethod
    def name(cls):
        return 'MaxPoolWithIndicesBackwardBackward0'


class MaxPoolGather(Op):
    __slots__ = ('idx', 'geo')

    def forward(self, xp, gx, idx, geo):
        self.idx, self.geo = idx, geo
        return _max_gather(xp, gx, idx, geo)

    def backward(self, xp, g):
        if _graph(xp):
            return MaxPoolScatter.apply(g, idx=self.idx, geo=self.geo)
        return _max_scatter(xp, g, self.idx, self.geo)


class MaxPool(Op):
    """Max pooling of (B, *S) over windows: the maximum, gradient to the (first) winner."""
    __slots__ = ('idx', 'geo')

    def forward(self, xp, x, geo):
        out, self.idx = _max_forward(xp, x, geo)
        self.geo = geo
        return out

    def backward(self, xp, g):
        if _graph(xp):
            return MaxPoolScatter.apply(g, idx=self.idx, geo=self.geo)
        return _max_scatter(xp, g, self.idx, self.geo)

    @classmethod
    def name(cls):
        return 'MaxPool2DWithIndicesBackward0'


class MaxPoolWithIndices(MaxPool):
    __slots__ = ()
    differentiable_outputs = (True, False)

    def forward(self, xp, x, geo):
        out = MaxPool.forward(self, xp, x, geo)
        return out, _flat_indices(xp, self.idx, geo)

    def backward(self, xp, g, g_indices=None):
        return MaxPool.backward(self, xp, g)


# --- average pooling ---------------------------------------------------------------------------------------
def _window_sum(xp, x, geo, div):
    xpad = geo.padded(xp, x, 0)
    out = None
    for k in _ndindex(geo.K):
        v = xpad[geo.slices(k)]
        if out is None:
            out = v.copy()
        else:
            out += v
    if out.dtype.kind in 'iu':
        return (out / div).astype(out.dtype)   # truncated toward zero, as torch's integer division
    return out / div


def _window_spread(xp, g, geo, div):
    gd = g / div
    buf = xp.zeros((g.shape[0],) + geo.E, gd.dtype)
    for k in _ndindex(geo.K):
        buf[geo.slices(k)] += gd
    return xp.ascontiguousarray(buf[geo.interior()])


class AvgPool(Op):
    """Sum over each window divided by div (an array broadcasting against the output)."""
    __slots__ = ('geo', 'div')

    def forward(self, xp, x, geo, div):
        self.geo, self.div = geo, div
        return _window_sum(xp, x, geo, div)

    def backward(self, xp, g):
        if _graph(xp):
            return AvgPoolSpread.apply(g, geo=self.geo, div=self.div)
        return _window_spread(xp, g, self.geo, self.div)

    @classmethod
    def name(cls):
        return 'AvgPool2DBackward0'


class AvgPoolSpread(Op):
    __slots__ = ('geo', 'div')

    def forward(self, xp, g, geo, div):
        self.geo, self.div = geo, div
        return _window_spread(xp, g, geo, div)

    def backward(self, xp, gg):
        if _graph(xp):
            return AvgPool.apply(gg, geo=self.geo, div=self.div)
        return _window_sum(xp, gg, self.geo, self.div)

    @classmethod
    def name(cls):
        return 'AvgPool2DBackwardBackward0'


# --- argument handling --------------------------------------------------------------------------------------
def _ints(v, d, name, op):
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (tuple, list)):
        v = tuple(operator.index(i) for i in v)
        if len(v) == 1:
            v = v * d
        if len(v) != d:
            raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of {d} ints")
        return v
    return (operator.index(v),) * d


def _check_input(input, d, op, batched_only=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (d + 1, d + 2) or any(s == 0 for s in input.shape[1:]):
        if d == 1:
            raise RuntimeError(f"{op}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                               f"input, but got:{list(input.shape)}")
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")


def _flatten(input, d):
    """(*, *S) -> (B, *S) and the leading shape to restore."""
    lead = tuple(input.shape[:-d])
    return input.reshape((-1,) + tuple(input.shape[-d:])), lead


def _restore(t, lead, d):
    return t.reshape(lead + tuple(t.shape[-d:]))


def _geometry(op, d, input, kernel_size, stride, padding, dilation, ceil_mode, avg=False):
    K = _ints(kernel_size, d, 'kernel_size', op)
    st = K if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _ints(stride, d, 'stride', op)
    pad = _ints(padding, d, 'padding', op)
    dil = _ints(dilation, d, 'dilation', op)
    if any(s == 0 for s in st):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in K):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_size={list(K)}")
    if any(s < 0 for s in st):
        raise RuntimeError(f"stride should be greater than zero, but got stride={list(st)}")
    if any(x <= 0 for x in dil):
        names = ['T', 'H', 'W'][3 - d:] if d > 1 else ['W']
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{n}: {x}" for n, x in zip(names, dil)))
    for p, k, dl in zip(pad, K, dil):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * dl + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dl}")
    S = tuple(input.shape[-d:])
    O = tuple(_out_size(n, k, s, p, dl, ceil_mode) for n, k, s, p, dl in zip(S, K, st, pad, dil))
    if any(o <= 0 for o in O):
        C = input.shape[-d - 1] if input.ndim > d else 1
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (C,) + S))}). Calculated output size: "
                           f"({'x'.join(map(str, (C,) + O))}). Output size is too small")
    return _Geo(S, K, st, pad, dil, O)


def _float_only(input, op):
    if input.dtype.kind not in 'f':
        dn = input.dtype
        raise RuntimeError(f"\"{op}\" not implemented for '{_dtype_name(dn)}'")


def _dtype_name(dt):
    return {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
            'bool': 'Bool'}.get(dt.np.name if hasattr(dt, 'np') else str(dt), str(dt))


def _max_pool(op, d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    _check_input(input, d, op)
    geo = _geometry(op, d, input, kernel_size, stride, padding, dilation, ceil_mode)
    if input._data.dtype.kind == 'b':
        raise RuntimeError(f"\"{op}\" not implemented for 'Bool'")
    x, lead = _flatten(input, d)
    if return_indices:
        out, idx = MaxPoolWithIndices.apply(x, geo=geo)
        return _restore(out, lead, d), _restore(idx, lead, d)
    return _restore(MaxPool.apply(x, geo=geo), lead, d)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 1D max pooling over an input signal composed of several input planes.

    stride defaults to kernel_size; padding (at most half the kernel) is implicit negative infinity;
    ceil_mode uses ceil instead of floor for the output size; return_indices also returns the flat
    position of each maximum (for max_unpool1d)."""
    return _max_pool('max_pool1d', 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 2D max pooling over an input signal composed of several input planes.

    stride defaults to kernel_size; padding (at most half the kernel) is implicit negative infinity;
    ceil_mode uses ceil instead of floor for the output size; return_indices also returns the flat
    position (h * W + w) of each maximum (for max_unpool2d)."""
    return _max_pool('max_pool2d', 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Applies a 3D max pooling over an input signal composed of several input planes."""
    return _max_pool('max_pool3d', 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool1d returning (output, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool2d returning (output, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool3d returning (output, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _divisor(xp, geo, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return xp.asarray(divisor_override, dtype=dtype)
    d = len(geo.K)
    div = 1
    for i in range(d):
        start = xp.arange(geo.O[i]) * geo.st[i] - geo.pad[i]
        end = xp.minimum(start + geo.K[i], geo.S[i] + geo.pad[i])
        if not count_include_pad:
            end = xp.minimum(end, geo.S[i])
            start = xp.maximum(start, 0)
        div = div * (end - start).reshape((-1,) + (1,) * (d - 1 - i))
    return xp.asarray(div, dtype=dtype)


def _avg_pool(op, d, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    _check_input(input, d, op)
    geo = _geometry(op, d, input, kernel_size, stride, padding, 1, ceil_mode, avg=True)
    if input._data.dtype.kind == 'b':
        raise RuntimeError(f"\"{op}\" not implemented for 'Bool'")
    x, lead = _flatten(input, d)
    dt = x._data.dtype if x._data.dtype.kind == 'f' else 'float64'
    from ...backend import xp_of
    div = _divisor(xp_of(x._data), geo, count_include_pad, divisor_override, dt)
    return _restore(AvgPool.apply(x, geo=geo, div=div), lead, d)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Applies a 1D average pooling over an input signal composed of several input planes.

    count_include_pad counts the zero padding in the averaging divisor."""
    return _avg_pool('avg_pool1d', 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Applies 2D average-pooling operation in kH x kW regions by step size sH x sW steps.

    count_include_pad counts the zero padding in the divisor; divisor_override, if given, is the
    divisor instead of the window size."""
    return _avg_pool('avg_pool2d', 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Applies 3D average-pooling operation in kT x kH x kW regions by step size sT x sH x sW steps."""
    return _avg_pool('avg_pool3d', 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# --- adaptive pooling ----------------------------------------------------------------------------------------
def _adaptive_size(output_size, input, d, op):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != d:
            raise RuntimeError(f"{op}: output_size must be {d}")
        out = tuple(input.shape[-d + i] if s is None else operator.index(s) for i, s in enumerate(output_size))
    else:
        out = (operator.index(output_size),) * d
    if any(s < 0 for s in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{', '.join(map(str, out))}}}")
    return out


def _check_adaptive(input, d, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}(): Expected {d + 1}D or {d + 2}D tensor, but got {list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {i} being empty")


def _bins(n, o):
    """torch's adaptive windows: [floor(i*n/o), ceil((i+1)*n/o)) for each output i."""
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def _averaging_matrix(xp, n, o, dtype):
    m = xp.zeros((o, n), dtype)
    for i, (a, b) in enumerate(_bins(n, o)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def _adaptive_avg(op, d, input, output_size):
    _check_adaptive(input, d, op)
    out = _adaptive_size(output_size, input, d, op)
    if input.dtype.kind != 'f':
        raise RuntimeError(f"\"{op}_cpu\" not implemented for '{_dtype_name(input.dtype)}'")
    from ...backend import xp_of
    xp = xp_of(input._data)
    S = tuple(input.shape[-d:])
    y = input
    if all(n % o == 0 for n, o in zip(S, out) if o) and all(out):
        # equal windows: an average pool (one op, no matrices)
        K = tuple(n // o for n, o in zip(S, out))
        if any(k != 1 for k in K):
            x, lead = _flatten(input, d)
            geo = _Geo(S, K, K, (0,) * d, (1,) * d, out)
            y = _restore(AvgPool.apply(x, geo=geo, div=xp.asarray(_prod(K), dtype=x._data.dtype)), lead, d)
        return y
    for i in range(d):
        ax = input.ndim - d + i
        m = _wrap(_averaging_matrix(xp, S[i], out[i], input._data.dtype), xp)
        y = (y.movedim(ax, -1) @ m.mT).movedim(-1, ax)
    return y.contiguous()


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def adaptive_avg_pool1d(input, output_size):
    """Applies a 1D adaptive average pooling over an input signal composed of several input planes:
    output i averages input [floor(i*L/out), ceil((i+1)*L/out))."""
    return _adaptive_avg('adaptive_avg_pool1d', 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Applies a 2D adaptive average pooling over an input signal composed of several input planes.
    output_size: an int or an (H, W) pair (None keeps that input size)."""
    return _adaptive_avg('adaptive_avg_pool2d', 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Applies a 3D adaptive average pooling over an input signal composed of several input planes."""
    return _adaptive_avg('adaptive_avg_pool3d', 3, input, output_size)


def _adaptive_max(op, d, input, output_size, return_indices):
    _check_adaptive(input, d, op)
    out = _adaptive_size(output_size, input, d, op)
    from ...backend import xp_of
    xp = xp_of(input._data)
    S = tuple(input.shape[-d:])
    x, lead = _flatten(input, d)
    a = x._data
    B = a.shape[0]
    # gather every window, padded to the widest by repeating its last element (harmless for a max)
    idxs = []
    for n, o in zip(S, out):
        bins = _bins(n, o)
        kmax = max((b - a_ for a_, b in bins), default=1)
        idxs.append(xp.asarray([[min(a_ + j, b - 1) for j in range(kmax)] for a_, b in bins],
                               dtype=xp.int64).reshape(o, kmax))
    flat = 0
    for i, ix in enumerate(idxs):
        shape = [1] * (2 * d)
        shape[i], shape[d + i] = ix.shape
        flat = flat * S[i] + ix.reshape(shape)           # (*O, *Kmax) flat positions in the plane
    P = _prod(out)
    flat = flat.reshape(P, -1)
    vals = a.reshape(B, -1)[:, flat] if P else xp.zeros((B, 0, 1), a.dtype)
    if vals.shape[-1] and P:
        w = xp.argmax(vals, axis=-1)
        if a.dtype.kind == 'f':       # torch lets the last NaN in a window win
            nan = vals != vals
            has = nan.any(-1)
            last = vals.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1)
            w = xp.where(has, last, w)
        winners = xp.take_along_axis(xp.broadcast_to(flat, (B,) + flat.shape), w[..., None], -1)[..., 0]
    else:
        winners = xp.zeros((B, P), xp.int64)
    idx = _wrap(winners, xp)
    y = x.reshape(B, -1).gather(1, idx).reshape((B,) + out)
    y = _restore(y, lead, d)
    if return_indices:
        return y, _restore(idx.reshape((B,) + out), lead, d)
    return y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Applies a 1D adaptive max pooling over an input signal composed of several input planes."""
    return _adaptive_max('adaptive_max_pool1d', 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Applies a 2D adaptive max pooling over an input signal composed of several input planes."""
    return _adaptive_max('adaptive_max_pool2d', 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Applies a 3D adaptive max pooling over an input signal composed of several input planes."""
    return _adaptive_max('adaptive_max_pool3d', 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool1d returning (output, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool2d returning (output, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d returning (output, indices)."""
    return adaptive_max_pool3d(input, output_size, True)


# --- unpooling -------------------------------------------------------------------------------------------
def _max_unpool(op, d, input, indices, kernel_size, stride, padding, output_size):
    if not isinstance(input, Tensor) or not isinstance(indices, Tensor):
        raise TypeError(f"{op}(): argument 'input' and 'indices' must be Tensors")
    K = _ints(kernel_size, d, 'kernel_size', op)
    st = K if stride is None else _ints(stride, d, 'stride', op)
    pad = _ints(padding, d, 'padding', op)
    S = tuple(input.shape[-d:])
    default = tuple((n - 1) * s + k - 2 * p for n, s, k, p in zip(S, st, K, pad))
    if output_size is None:
        out = default
    else:
        out = tuple(output_size)[-d:]
        if len(tuple(output_size)) not in (d, input.ndim):
            raise ValueError(f"output_size should be a sequence containing {d} or {d + 2} elements, but it has a "
                             f"length of '{len(tuple(output_size))}'")
        for o, df, s in zip(out, default, st):
            if not df - s < o < df + s:
                raise ValueError(f"invalid output_size \"{list(out)}\" (dim 0 must be between {df - s} and "
                                 f"{df + s})")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if indices._data.dtype.kind not in 'iu':
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Input to max_unpooling{d}d should be a {d + 1}d or {d + 2}d Tensor, but got a "
                           f"tensor with {input.ndim} dimensions.")
    P = _prod(out)
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= P):
        bad = int(idx.max()) if idx.max() >= P else int(idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))}")
    x, lead = _flatten(input, d)
    B = x.shape[0]
    from ...ops.creation import zeros
    base = zeros((B, P), dtype=input.dtype)
    y = base.scatter(1, _wrap(idx.reshape(B, -1).astype('int64'), None), x.reshape(B, -1))
    return _restore(y.reshape((B,) + out), lead, d)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of MaxPool1d: values placed at their indices, zeros elsewhere."""
    return _max_unpool('max_unpool1d', 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of MaxPool2d: values placed at their indices, zeros elsewhere."""
    return _max_unpool('max_unpool2d', 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of MaxPool3d: values placed at their indices, zeros elsewhere."""
    return _max_unpool('max_unpool3d', 3, input, indices, kernel_size, stride, padding, output_size)


# --- Lp pooling ---------------------------------------------------------------------------------------------
def _lp_pool(d, input, norm_type, kernel_size, stride, ceil_mode):
    K = _ints(kernel_size, d, 'kernel_size', f'lp_pool{d}d')
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[d - 1]
    if stride is not None:
        out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    # torch's formula: sign(out) * relu(|out|), relu(|out|) being |out| clamped at zero
    return (out.sign() * out.abs().clamp(min=0)).mul(_prod(K)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 1D power-average pooling over an input signal: (sum over the window of x^p)^(1/p)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 2D power-average pooling over an input signal: (sum over the window of x^p)^(1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies a 3D power-average pooling over an input signal: (sum over the window of x^p)^(1/p)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
