"""Sorting and selection: sort, argsort, topk, kthvalue, msort, unique, searchsorted/bucketize, histograms,
bincount, quantiles, cdist, diff and the trapezoid rule.

The picking ops (sort, topk, kthvalue) work out their indices on raw arrays and take their values with
reduction's `PickDim` op, whose backward scatters the gradient to the picked positions (a scatter whose own
backward is a gather, so every order of derivative exists). Quantiles, diff and the trapezoid rule are
compositions of differentiable ops; cdist is one fused op whose backward is written in the xp vocabulary.
Counting ops (unique, searchsorted, histc, bincount) have no gradient, as in torch.
"""
import builtins
import math
from .._dtype import _FROM_NP
from ..tensor import Tensor, _wrap_dim
from ..autograd.graph import Op, _wrap
from ..backend import xp_of
from ._util import bind, numpy_aliases, public_names
from .reduction import PickDim, _TakeAlong, _return_type, _empty_check, _type_word

_RT = {n: _return_type(n) for n in ('sort', 'topk', 'kthvalue')}
_RT['histogram'] = _return_type('histogram', ('hist', 'bin_edges'))


def _tensor(x, op, arg='input', pos=1):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _no_complex(t, op):
    if t._data.dtype.kind == 'c':
        raise RuntimeError(f"{op}: {op.capitalize()} does not support complex dtypes on CPU")


# --- sort, argsort, msort ----------------------------------------------------------------------------
class Sort(PickDim):
    """sort's values: taken at the sorting indices; the gradient is scattered back to them."""
    __slots__ = ()


class Topk(PickDim):
    __slots__ = ()


class Kthvalue(PickDim):
    __slots__ = ()


def _sort_key(a):
    """What to sort a by: ml_dtypes' bfloat16 sorts NaN first, its (exact) float32 image sorts it last as torch."""
    return a.astype('float32') if a.dtype.kind == 'V' else a


def _sort_index(xp, a, axis, descending):
    """Stable sorting indices along axis. NaN counts as the largest value (last ascending, first descending).
    Descending sorts the reversed array ascending and reverses back, which keeps equal elements in their
    original order and works for unsigned and bool dtypes (no negation)."""
    a = _sort_key(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind='stable')
    n = a.shape[axis]
    rev = xp.argsort(xp.flip(a, axis), axis=axis, kind='stable')
    return (n - 1) - xp.flip(rev, axis)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """torch.sort: the named tuple (values, indices) of input sorted along dim, ascending unless descending.
    Equal elements keep their order (the sort is always stable); NaN sorts as the largest value. The
    values are differentiable; the indices are int64."""
    input = _tensor(input, 'sort')
    _no_complex(input, 'sort')
    a = input._data
    xp = xp_of(a)
    axis = _wrap_dim(dim, a.ndim, 'sort')
    if a.ndim == 0:
        v, i = sort(input.reshape(1), 0, descending)
        return _RT['sort'](v.reshape(()), i.reshape(()))
    ik = _sort_index(xp, a, axis, bool(descending))
    v, i = Sort.apply(input, ik, axis=axis, keepdims=True)
    return _RT['sort'](v, i)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """torch.argsort: the int64 indices that sort input along dim (equal elements keep their order)."""
    input = _tensor(input, 'argsort')
    _no_complex(input, 'argsort')
    a = input._data
    xp = xp_of(a)
    axis = _wrap_dim(dim, a.ndim, 'argsort')
    if a.ndim == 0:
        return _wrap(xp.zeros((), 'int64'), xp)
    return _wrap(_sort_index(xp, a, axis, bool(descending)).astype('int64', copy=False), xp)


def msort(input, *, out=None):
    """torch.msort: input sorted along its first dimension (the values of sort(input, dim=0))."""
    return sort(_tensor(input, 'msort'), 0).values


# --- topk, kthvalue ------------------------------------------------------------------------------------
def _topk_index(xp, a, k, axis, largest):
    """Indices of the k largest (or smallest) along axis, in sorted order: a partition first (linear time),
    then a sort of just those k."""
    n = a.shape[axis]
    if 0 < k < n:
        part = xp.argpartition(a, n - k if largest else k - 1, axis=axis)
        sl = [slice(None)] * a.ndim
        sl[axis] = slice(n - k, n) if largest else slice(0, k)
        part = xp.sort(part[tuple(sl)], axis=axis)   # by position first: equal values keep their order
        order = _sort_index(xp, xp.take_along_axis(a, part, axis), axis, largest)
        return xp.take_along_axis(part, order, axis)
    idx = _sort_index(xp, a, axis, largest)
    sl = [slice(None)] * a.ndim
    sl[axis] = slice(0, k)
    return idx[tuple(sl)]


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """torch.topk: the named tuple (values, indices) of the k largest elements along dim (the k smallest
    with largest=False). NaN counts as larger than any number. The values come sorted (a valid order
    for sorted=False too)."""
    input = _tensor(input, 'topk')
    _no_complex(input, 'topk')
    if input._data.dtype.kind == 'b':
        raise RuntimeError("topk does not support bool dtypes on CPU")
    a = input._data
    xp = xp_of(a)
    dim = -1 if dim is None else dim
    axis = _wrap_dim(dim, a.ndim, 'topk')
    n = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k out of range (k={k}, dimension {axis} has size {n})")
    if a.ndim == 0:
        v, i = topk(input.reshape(1), 1, 0, largest)
        return _RT['topk'](v.reshape(()), i.reshape(()))
    ik = _topk_index(xp, a, k, axis, bool(largest)).astype('int64', copy=False)
    v, i = Topk.apply(input, ik, axis=axis, keepdims=True)
    return _RT['topk'](v, i)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """torch.kthvalue: the named tuple (values, indices) of the k-th smallest element along dim (k counts
    from 1; NaN counts as the largest value)."""
    input = _tensor(input, 'kthvalue')
    _no_complex(input, 'kthvalue')
    if input._data.dtype.kind == 'b':
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    a = input._data
    xp = xp_of(a)
    dim = -1 if dim is None else dim
    axis = _wrap_dim(dim, a.ndim, 'kthvalue')
    if a.ndim == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
        v, i = kthvalue(input.reshape(1), 1, 0, False)
        return _RT['kthvalue'](v, i)
    _empty_check(input, (axis,), 'kthvalue')
    if not 1 <= k <= a.shape[axis]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if a.size == 0:
        shape = tuple(1 if d == axis else s for d, s in enumerate(a.shape)) if keepdim else \
            tuple(s for d, s in enumerate(a.shape) if d != axis)
        return _RT['kthvalue'](_wrap(xp.zeros(shape, a.dtype), xp), _wrap(xp.zeros(shape, 'int64'), xp))
    part = xp.argpartition(a, k - 1, axis=axis)
    sl = [slice(None)] * a.ndim
    sl[axis] = slice(k - 1, k)
    ik = part[tuple(sl)].astype('int64', copy=False)
    v, i = Kthvalue.apply(input, ik, axis=axis, keepdims=bool(keepdim))
    return _RT['kthvalue'](v, i)


# --- unique, unique_consecutive ------------------------------------------------------------------------
def _group_starts(xp, s, rows):
    """True where a sorted (or consecutive) sequence starts a new group. NaN never equals NaN, so each
    NaN is its own group, as in torch. rows: compare whole slices (the first axis indexes them)."""
    new = xp.ones(s.shape[0], bool)
    if s.shape[0] > 1:
        ne = s[1:] != s[:-1]
        new[1:] = ne.any(axis=tuple(range(1, ne.ndim))) if rows and ne.ndim > 1 else ne
    return new


def _unique_impl(input, sorted_, return_inverse, return_counts, dim, consecutive, op):
    input = _tensor(input, op)
    a = input._data
    xp = xp_of(a)
    if dim is None:
        flat = a.reshape(-1)
        order = None
        if consecutive:
            s = flat
        elif return_inverse or flat.dtype.kind == 'V':   # any order of equal elements gives the same groups
            order = xp.argsort(_sort_key(flat))
            s = flat[order]
        else:
            s = xp.sort(flat)
        new = _group_starts(xp, s, False)
        values = s[new]
        inv_shape = a.shape
    else:
        axis = _wrap_dim(dim, a.ndim, op)
        if a.ndim == 0:
            raise IndexError(f"{op}: Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
        if a.size == 0 and a.shape[axis] != 0:
            raise RuntimeError(f"{op}: There are 0 sized dimensions, and they aren't selected, so unique cannot "
                               "be applied")
        m = xp.moveaxis(a, axis, 0)
        rows = m.reshape(m.shape[0], int(math.prod(m.shape[1:])))
        if consecutive or rows.shape[0] == 0:
            order = None
        else:   # slices compared lexicographically, first element first (lexsort's last key leads)
            order = xp.lexsort(rows.T[::-1]) if rows.shape[1] else xp.arange(rows.shape[0])
        s = m if order is None else m[order]
        new = _group_starts(xp, s.reshape(s.shape[0], rows.shape[1]), True)
        values = xp.moveaxis(s[new], 0, axis)
        inv_shape = (a.shape[axis],)
    out = [_wrap(xp.ascontiguousarray(values), xp)]
    n = new.shape[0]
    if return_inverse:
        group = xp.cumsum(new) - 1
        inv = xp.empty(n, 'int64')
        if order is None:
            inv[:] = group
        else:
            inv[order] = group
        out.append(_wrap(inv.reshape(inv_shape), xp))
    if return_counts:
        starts = xp.flatnonzero(new)
        out.append(_wrap(xp.diff(xp.append(starts, n)).astype('int64'), xp))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """torch.unique: the unique elements of input (or unique slices along dim), sorted; with return_inverse
    also where each element went, with return_counts how often each occurs. NaNs are never equal to
    each other, so each one is kept. Not differentiable."""
    return _unique_impl(input, sorted, return_inverse, return_counts, dim, False, 'unique')


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """torch.unique_consecutive: eliminates all but the first element from every consecutive group of
    equivalent elements (slices along dim when given)."""
    return _unique_impl(input, False, return_inverse, return_counts, dim, True, 'unique_consecutive')


# --- searchsorted, bucketize ---------------------------------------------------------------------------
def _check_search_dtype(t, op):
    k = t._data.dtype.kind
    if k in 'cb':
        raise NotImplementedError(f"\"{op}\" not implemented for '{_type_word(t.dtype)}'")


def _binary_search(xp, seq, vals, right):
    """torch's binary search, every query at once: the first index i of each row of seq (..., m) with
    seq[i] >= v (seq[i] > v with right), or m. The comparisons are torch's, so a NaN query lands at the
    end. log2(m) vectorised steps over the queries: no loop over rows or queries."""
    m = seq.shape[-1]
    lo = xp.zeros(vals.shape, 'int64')
    hi = xp.full(vals.shape, m, 'int64')
    if seq.ndim == 1:
        flat, base = seq, 0
    else:
        rows = int(math.prod(seq.shape[:-1]))
        flat = xp.ascontiguousarray(seq).reshape(-1)
        base = (xp.arange(rows, dtype='int64') * m).reshape(seq.shape[:-1] + (1,))
    for _ in range(m.bit_length()):
        mid = (lo + hi) >> 1
        s = flat[base + xp.minimum(mid, m - 1)]
        go = ~(s > vals) if right else ~(s >= vals)
        go &= lo < hi
        lo = xp.where(go, mid + 1, lo)
        hi = xp.where(go, hi, mid)
    return lo


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """torch.searchsorted: for each value of input, the index in the innermost dimension of sorted_sequence
    where it would be inserted to keep it sorted (the first such index, or the last with right=True or
    side='right'). sorted_sequence is 1-D, or its leading dimensions match input's. sorter, if given,
    holds the indices that sort sorted_sequence. int64 result (int32 with out_int32)."""
    op = 'torch.searchsorted()'
    seq = _tensor(sorted_sequence, 'searchsorted', 'sorted_sequence')
    scalar = not isinstance(input, Tensor)
    if scalar:
        if not isinstance(input, (int, float, bool)):
            raise TypeError(f"searchsorted(): argument 'input' (position 2) must be Tensor or Number, not "
                            f"{type(input).__name__}")
        input = _wrap(xp_of(seq._data).asarray(input), None)
    _check_search_dtype(seq, 'searchsorted_out_cpu')
    _check_search_dtype(input, 'searchsorted_out_cpu')
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side}")
        if right and side == 'left':
            raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of left while right "
                               "was True")
        right = side == 'right'
    s, v = seq._data, input._data
    xp = xp_of(s)
    if s.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got 0 dimension")
    if s.ndim > 1 and (v.ndim != s.ndim or v.shape[:-1] != s.shape[:-1]):
        raise RuntimeError(f"{op}: boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                           f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(s.shape)} and input value tensor {list(v.shape)}")
    if sorter is not None:
        sorter = _tensor(sorter, 'searchsorted', 'sorter')
        if sorter._data.dtype != 'int64':
            raise RuntimeError(f"{op}: sorter must be a tensor of long dtype but got dtype "
                               f"{_type_word(sorter.dtype)}")
        if sorter._data.shape != s.shape:
            raise RuntimeError(f"{op}: boundary and sorter must have the same size, but got boundary tensor "
                               f"{list(s.shape)}and got sorter tensor {list(sorter._data.shape)}")
        idx = sorter._data
        if idx.size and (idx.min() < 0 or idx.max() >= s.shape[-1]):
            raise RuntimeError(f"{op}: sorter index out of range")
        s = xp.take_along_axis(s, idx, -1)
    if s.ndim == 1 and not (s.dtype.kind == 'f' and xp.isnan(s).any()):
        # NumPy's search agrees with torch's wherever the sequence has no NaN
        r = xp.searchsorted(s, v, side='right' if right else 'left')
    else:
        r = _binary_search(xp, s, v, bool(right))
    return _wrap(xp.asarray(r, dtype='int32' if out_int32 else 'int64'), xp)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """torch.bucketize: the index of the bucket (of the 1-D boundaries) each value of input falls in:
    boundaries[i-1] < x <= boundaries[i], or boundaries[i-1] <= x < boundaries[i] with right=True."""
    b = _tensor(boundaries, 'bucketize', 'boundaries', 2)
    if b._data.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({b._data.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right)


# --- histc, histogram, bincount ---------------------------------------------------------------------
def _float_only(t, kernel):
    if t.dtype.kind != 'f':
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(t.dtype)}'")


def histc(input, bins=100, min=0, max=0, *, out=None):
    """torch.histc: a histogram of input with bins equal-width bins between min and max (the data's
    minimum and maximum when both are 0). Elements outside [min, max] and NaN are ignored; the last bin
    includes max. Same dtype as input."""
    input = _tensor(input, 'histc')
    _float_only(input, 'histogram_cpu')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    a = input._data.reshape(-1)
    xp = xp_of(a)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not finite")
    dt = a.dtype
    l, h = xp.asarray(lo, dt), xp.asarray(hi, dt)
    x = a[(a >= l) & (a <= h)]
    # torch maps each element to its bin by one division in the input's dtype (no search), then puts
    # the right edge in the last bin
    pos = ((x - l) * xp.asarray(bins, dt) / (h - l)).astype('int64')
    pos = xp.minimum(pos, bins - 1)
    return _wrap(xp.bincount(pos, minlength=bins).astype(dt), xp)


def _num(v):
    return 'nan' if v != v else ('inf' if v == math.inf else ('-inf' if v == -math.inf else f"{v:g}"))


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """torch.histogram: the named tuple (hist, bin_edges). bins is a count of equal-width bins over range
    (the data's min and max by default) or a 1-D tensor of increasing edges. Each bin holds its left
    edge, the last one its right edge too; weight gives each element's contribution, and density
    normalises hist to integrate to 1."""
    input = _tensor(input, 'histogram')
    _float_only(input, 'histogramdd')
    a = input._data
    xp = xp_of(a)
    dt = a.dtype
    if weight is not None:
        weight = _tensor(weight, 'histogram', 'weight')
        if weight._data.shape != a.shape:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as "
                               f"the input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(a.reshape(-1, 1).shape)} and weight with shape {list(weight._data.shape)}")
        if weight._data.dtype != dt:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({_np_name(dt)}), "
                               f"and weight({_np_name(weight._data.dtype)})")
    flat = a.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data
        if edges.ndim != 1:
            raise RuntimeError(f"torch.histogram(): bins tensor should have one dimension, but got {edges.ndim} "
                               "dimensions")
        if edges.dtype != dt:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
                               f"got input {_np_name(dt)} and bins {_np_name(edges.dtype)}")
        nb = edges.shape[0] - 1
    else:
        nb = int(bins)
        if nb <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {nb} for dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_num(lo)} max "
                                   f"{_num(hi)} for dimension 0")
        elif flat.size:
            lo, hi = float(flat.min()), float(flat.max())
        else:
            lo, hi = 0.0, 1.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: range of [{_num(lo)}, {_num(hi)}] is not finite")
        from .creation import linspace
        edges = linspace(lo, hi, nb + 1, dtype=_FROM_NP[dt])._data
    w = None if weight is None else weight._data.reshape(-1)
    if nb <= 0 or flat.size == 0:
        hist = xp.zeros(builtins.max(nb, 0), dt)
    else:
        keep = (flat >= edges[0]) & (flat <= edges[-1])
        pos = xp.searchsorted(edges, flat[keep], side='right') - 1
        pos = xp.minimum(pos, nb - 1)
        hist = xp.bincount(pos, weights=None if w is None else w[keep], minlength=nb).astype(dt)
    if density and nb > 0:
        hist = hist / (hist.sum() * (edges[1:] - edges[:-1]))
    return _RT['histogram'](_wrap(hist.astype(dt), xp), _wrap(xp.array(edges), xp))


def _np_name(np_dtype):
    return {'float32': 'float', 'float64': 'double', 'float16': 'half'}.get(str(np_dtype), str(np_dtype))


def bincount(input, weights=None, minlength=0):
    """torch.bincount: the count of each value in a 1-D tensor of non-negative integers (the sum of weights
    at each value with weights). Length max(input) + 1, at least minlength. int64 counts; with weights,
    float32 weights give float32 and other weights float64."""
    input = _tensor(input, 'bincount')
    a = input._data
    xp = xp_of(a)
    if a.dtype.kind not in 'iu':
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_type_word(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("bincount: minlength should be >= 0")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None
    if weights is not None:
        weights = _tensor(weights, 'bincount', 'weights', 2)
        w = weights._data
        if w.ndim != 1 or w.shape[0] != a.shape[0]:
            raise RuntimeError("bincount: weights should be 1-d and have the same length as input")
    r = xp.bincount(a, weights=None if w is None else w.astype('float64'), minlength=minlength)
    if w is None or a.size == 0:   # torch counts an empty input as int64 zeros, weights or not
        return _wrap(r.astype('int64', copy=False), xp)
    return _wrap(r.astype('float32' if w.dtype == 'float32' else 'float64'), xp)


# --- quantile, nanquantile ---------------------------------------------------------------------------
_MODES = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    from .elementwise import where
    input = _tensor(input, op)
    a = input._data
    xp = xp_of(a)
    if a.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if a.dtype not in ('float32', 'float64'):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != a.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qa = q._data
        if qa.size and not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qa = xp.asarray(q, a.dtype)
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    if dim is None:
        x = input.reshape(-1)
        kept = (1,) * a.ndim
    else:
        axis = _wrap_dim(dim, a.ndim, op)
        x = input.reshape(1) if a.ndim == 0 else input.movedim(axis, -1)
        kept = tuple(1 if d == axis else s for d, s in enumerate(a.shape))
    srt = sort(x, -1).values
    s = srt._data
    n = s.shape[-1]
    nan = xp.isnan(s)
    qk = qa.reshape(-1)          # (nq,): ranks are (rows..., nq), in the input's dtype as torch computes them
    if ignore_nan:
        scale = (n - nan.sum(-1, keepdims=True) - 1).astype(a.dtype)
        ranks = qk * scale
        fixed = ranks < 0
        ranks = xp.where(fixed, xp.asarray(0, a.dtype), ranks)
    else:
        scale = xp.asarray(n - 1, a.dtype)
        ranks = xp.broadcast_to(qk * scale, s.shape[:-1] + qk.shape)
        fixed = nan.any(-1, keepdims=True)
        ranks = xp.where(fixed, scale, ranks)
    if interpolation == 'lower':
        ranks = xp.floor(ranks)
    elif interpolation == 'higher':
        ranks = xp.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = xp.round(ranks)
    below = ranks.astype('int64')
    r = _TakeAlong.apply(srt, below, axis=-1)
    if interpolation in ('linear', 'midpoint'):
        w = xp.full(ranks.shape, 0.5, a.dtype) if interpolation == 'midpoint' else ranks - below.astype(a.dtype)
        above = _TakeAlong.apply(srt, xp.ceil(ranks).astype('int64'), axis=-1)
        d = above - r
        wt = _wrap(w, xp)
        if interpolation == 'linear' and isinstance(q, Tensor) and q._req:
            # the weight is q * (count - 1) - floor(...): differentiable in q, as in torch (not where the
            # rank was fixed for a NaN row)
            wt = where(_wrap(xp.broadcast_to(fixed, w.shape), xp), wt,
                       q.reshape(-1) * _wrap(scale, xp) - _wrap(below.astype(a.dtype), xp))
        # torch's lerp: from the nearer end, so that a weight of 1 gives exactly the upper value
        r = where(_wrap(w < 0.5, xp), r + d * wt, above - d * (1 - wt))
    # (rows..., nq) -> (nq, rows...), the q dim dropped for a scalar q
    r = r.reshape(s.shape[:-1]) if qa.ndim == 0 else r.movedim(-1, 0)
    out_rest = kept if keepdim else (() if dim is None else tuple(s for d, s in enumerate(a.shape) if d != axis))
    return r.reshape(tuple(qa.shape) + out_rest)


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """torch.quantile: the q-th quantiles of each row of input along dim (of all elements when dim is None).
    q is a float or a 1-D tensor (its values become the first dimension of the result). Between two data
    points the interpolation is linear, lower, higher, midpoint or nearest. Any NaN in a row makes its
    quantiles NaN. Differentiable."""
    return _quantile(input, q, dim, keepdim, interpolation, False, 'quantile')


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """torch.nanquantile: quantile ignoring NaN values (NaN only where a whole row is NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, 'nanquantile')


# --- cdist -----------------------------------------------------------------------------------------------
class Cdist(Op):
    """p-norm distances between the rows of x1 (..., P, M) and of x2 (..., R, M). p=2 may go through one
    matrix product (|a|^2 + |b|^2 - 2ab), as torch does for larger inputs; other p use the difference of
    every pair. Backward is torch's: g * d(dist)/d(diff) summed over the other set, zero where a distance
    is 0."""
    __slots__ = ('p', 'mm')

    def forward(self, xp, x1, x2, p, mm):
        self.p, self.mm = p, mm
        if x1.shape[-1] == 0:
            d = xp.zeros(xp.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]) + (x1.shape[-2], x2.shape[-2]), x1.dtype)
        elif mm:
            d = xp.matmul(x1, xp.swapaxes(x2, -1, -2))
            if not d.flags.writeable or d.base is not None:
                d = d.copy()
            # in place on the product: |a|^2 + |b|^2 - 2ab, clamped at 0, square root
            d *= -2
            d += (x1 * x1).sum(-1)[..., :, None]
            d += (x2 * x2).sum(-1)[..., None, :]
            xp.maximum(d, 0, out=d)
            xp.sqrt(d, out=d)
        else:
            diff = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
            if p == 0:
                d = (diff != 0).sum(-1).astype(x1.dtype)
            elif p == 1:
                d = diff.sum(-1)
            elif p == 2:
                d = xp.sqrt((diff * diff).sum(-1))
            elif p == math.inf:
                d = diff.max(-1)
            else:
                d = (diff ** p).sum(-1) ** (1 / p)
        self.saved = (x1, x2, d)
        return d

    def backward(self, xp, g):
        x1, x2, d = self.saved
        p = self.p
        if p == 0 or x1.shape[-1] == 0:
            return xp.zeros_like(x1), xp.zeros_like(x2)
        zero = d == 0
        safe = xp.where(zero, 1, d)
        if p == 2:
            # sum_j w_ij (x1_i - x2_j) with w = g / d, as two matrix products
            w = xp.where(zero, 0, g / safe)
            g1 = x1 * xp.sum(w, axis=-1, keepdims=True) - xp.matmul(w, x2)
            g2 = x2 * xp.expand_dims(xp.sum(w, axis=-2), -1) - xp.matmul(xp.swapaxes(w, -1, -2), x1)
            return g1, g2
        diff = xp.expand_dims(x1, -2) - xp.expand_dims(x2, -3)
        sgn = xp.sign(diff)
        if p == 1:
            t = sgn
        elif p == math.inf:
            t = xp.where(xp.abs(diff) == xp.expand_dims(d, -1), sgn, 0)
        else:
            ad = xp.abs(diff)
            # sign(diff) is 0 where diff is, which also covers |diff|^(p-1) = inf for p < 1
            t = sgn * xp.where(ad == 0, 1, ad) ** (p - 1) / xp.expand_dims(safe ** (p - 1), -1)
        gt = xp.expand_dims(xp.where(zero, 0, g), -1) * t
        return xp.sum(gt, axis=-2), -xp.sum(gt, axis=-3)


_CDIST_MODES = ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist')


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """torch.cdist: the p-norm distance between each pair of the two collections of row vectors x1
    (B x P x M) and x2 (B x R x M), a B x P x R tensor (batch dims broadcast). For p=2, compute_mode says
    when to use the faster matrix-product formula (by default when P or R exceeds 25)."""
    x1 = _tensor(x1, 'cdist', 'x1')
    x2 = _tensor(x2, 'cdist', 'x2', 2)
    if compute_mode is None:
        compute_mode = _CDIST_MODES[0]
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    a, b = x1._data, x2._data
    for name, t in (('X1', x1), ('X2', x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D")
    for name, t in (('X1', x1), ('X2', x2)):
        if t.dtype.kind != 'f':
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_type_word(t.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"cdist: expected scalar type {_type_word(x1.dtype)} but found {_type_word(x2.dtype)}")
    if a.dtype.itemsize < 4:
        raise NotImplementedError(f"\"cdist\" not implemented for '{_type_word(x1.dtype)}'")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: "
                           f"{b.shape[-1]}")
    p = float(p)
    if p < 0 or p != p:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        xp_of(a).broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: batch dimensions of X1 {list(a.shape[:-2])} and X2 {list(b.shape[:-2])} "
                           "cannot be broadcast") from None
    mm = p == 2 and (compute_mode == 'use_mm_for_euclid_dist' or
                     compute_mode == _CDIST_MODES[0] and (a.shape[-2] > 25 or b.shape[-2] > 25))
    return Cdist.apply(x1, x2, p=p, mm=mm)


# --- diff, trapezoid -------------------------------------------------------------------------------------
def _slice(t, axis, start, stop):
    idx = (slice(None),) * axis + (slice(start, stop),)
    return t[idx]


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """torch.diff: the n-th forward difference along dim (logical xor for bool tensors), after
    concatenating prepend and append along dim."""
    from .shape import cat
    input = _tensor(input, 'diff')
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    axis = _wrap_dim(dim, input._data.ndim, 'diff')
    for extra in (prepend, append):
        if extra is not None:
            extra = _tensor(extra, 'diff', 'prepend' if extra is prepend else 'append')
            if extra._data.ndim != input._data.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as input")
            for d in range(input._data.ndim):
                if d != axis and extra._data.shape[d] != input._data.shape[d]:
                    raise RuntimeError(
                        "diff expects the shape of tensor to prepend or append to match that of input except along "
                        f"the differencing dimension; input.size({d}) = {input._data.shape[d]}, but got "
                        f"tensor.size({d}) = {extra._data.shape[d]}")
    if n == 0:
        return input.clone()
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, input, append) if t is not None], axis)
    boolean = x._data.dtype == bool
    for _ in range(n):
        m = x.shape[axis]
        if m == 0:
            break
        hi, lo = _slice(x, axis, 1, m), _slice(x, axis, 0, m - 1)
        x = (hi ^ lo) if boolean else hi - lo
    return x


def _trapezoid_dx(y, x, axis, op):
    """x's spacing along axis, shaped to broadcast against y's neighbour sums (torch's rules: a 1-D x
    lies along dim, a lower-rank x gets leading ones)."""
    yd = y._data
    if x._data.ndim == 1:
        if x._data.shape[0] != yd.shape[axis]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        shape = [1] * yd.ndim
        shape[axis] = x._data.shape[0]
        x = x.reshape(tuple(shape))
    elif x._data.ndim < yd.ndim:
        x = x.reshape((1,) * (yd.ndim - x._data.ndim) + tuple(x._data.shape))
    m = x.shape[axis]
    return _slice(x, axis, 1, m) - _slice(x, axis, 0, builtins.max(m - 1, 0))


def _check_bool(y, x, op):
    if y._data.dtype == bool or (x is not None and x._data.dtype == bool):
        raise RuntimeError(f"{op}: received a bool input for `x` or `y`, but bool is not supported")


def _dx_number(dx, op):
    if isinstance(dx, Tensor):
        dx = dx.item()
    if isinstance(dx, (bool, complex)):
        raise RuntimeError(f"{op}: Currently, we only support dx as a real number.")
    return float(dx)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """torch.trapezoid: the trapezoidal rule along dim, with sample points x or uniform spacing dx (1 by
    default). Zero samples integrate to 0."""
    from .creation import zeros
    y = _tensor(y, 'trapezoid', 'y')
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: x and dx cannot both be given")
    axis = _wrap_dim(dim, y._data.ndim, 'trapezoid') if y._data.ndim else _no_dims(dim)
    if x is not None:
        x = _tensor(x, 'trapezoid', 'x', 2)
    if y.shape[axis] == 0:
        shape = tuple(s for d, s in enumerate(y.shape) if d != axis)
        return zeros(shape, dtype=y.dtype)
    _check_bool(y, x, 'trapezoid')
    if x is not None:
        step = _trapezoid_dx(y, x, axis, 'trapezoid')
        m = y.shape[axis]
        return ((_slice(y, axis, 0, m - 1) + _slice(y, axis, 1, m)) * step).sum(axis) / 2.
    step = 1.0 if dx is None else _dx_number(dx, 'trapezoid')
    n = y.shape[axis]
    if y.dtype.kind == 'f' and n > 1:
        # dx * (sum - (first + last) / 2) is one product with the weights dx * [1/2, 1, ..., 1, 1/2]: a BLAS
        # matrix-vector product runs several times faster than NumPy's sum along a row
        from .blas import matmul
        xp = xp_of(y._data)
        w = xp.full(n, step, y._data.dtype)
        w[0] = w[-1] = step * 0.5
        return matmul(y.movedim(axis, -1), _wrap(w, xp))
    r = y.sum(axis) - (y.select(axis, 0) + y.select(axis, -1)) * 0.5
    return r if step == 1.0 else r * step   # times 1.0 changes nothing


def _no_dims(dim):
    raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def trapz(y, x=None, *, dx=None, dim=-1):
    """torch.trapz: an alias of torch.trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """torch.cumulative_trapezoid: the running trapezoidal integral along dim (one element fewer than y
    along dim), with sample points x or uniform spacing dx (1 by default)."""
    y = _tensor(y, 'cumulative_trapezoid', 'y')
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid() received an invalid combination of arguments: x and dx cannot "
                        "both be given")
    if y._data.ndim == 0:
        raise IndexError("cumulative_trapezoid: slice() cannot be applied to a 0-dim tensor.")
    axis = _wrap_dim(dim, y._data.ndim, 'cumulative_trapezoid')
    if x is not None:
        x = _tensor(x, 'cumulative_trapezoid', 'x', 2)
    _check_bool(y, x, 'cumulative_trapezoid')
    m = y.shape[axis]
    pair = _slice(y, axis, 0, builtins.max(m - 1, 0)) + _slice(y, axis, 1, m)
    if x is not None:
        step = _trapezoid_dx(y, x, axis, 'cumulative_trapezoid')
        return ((step * pair) / 2.).cumsum(axis)
    step = 1.0 if dx is None else _dx_number(dx, 'cumulative_trapezoid')
    return (step / 2. * pair).cumsum(axis)


numpy_aliases(globals(), 'sort', 'argsort', 'topk', 'kthvalue', 'quantile', 'nanquantile', 'diff')
bind(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, unique=unique,
     unique_consecutive=unique_consecutive, histc=histc, histogram=histogram, bincount=bincount,
     quantile=quantile, nanquantile=nanquantile, diff=diff)

__all__ = public_names(globals(), __name__)
