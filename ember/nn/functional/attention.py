"""Attention: scaled_dot_product_attention as one fused op, and multi_head_attention_forward (torch's
nn.MultiheadAttention math) built on it.

The fused op keeps the softmax probabilities for backward instead of recording the half-dozen ops
(matmul, scale, mask, max, exp, sum, divide, matmul) a composition would. Under create_graph=True its
backward recomputes the probabilities from the saved inputs with graph_xp ops, so the gradient is
itself differentiable (the saved probabilities are not inputs and would be constants there).
"""
import math
import warnings
from ... import _dtype
from ...tensor import Tensor
from ...autograd.graph import Op, _wrap
from ...backend import xp_of
from .linear import linear as _flinear

__all__ = ['scaled_dot_product_attention', 'multi_head_attention_forward']


def _probs(xp, q, k, mask, scale, causal):
    """softmax(q k^T * scale + mask) over the last axis; rows with no allowed key give zeros (as torch)."""
    s = xp.matmul(q, xp.swapaxes(k, -1, -2)) * scale
    if mask is not None:
        s = s + mask
    if causal is not None:
        s = s + causal
    m = xp.amax(s, axis=-1, keepdims=True)
    guarded = mask is not None or causal is not None
    if guarded:   # a fully masked row has max -inf: subtract 0 there so exp gives 0, not NaN
        m = xp.where(xp.isfinite(m), m, 0.0)
    e = xp.exp(s - m)
    z = xp.sum(e, axis=-1, keepdims=True)
    if guarded:
        z = xp.where(z == 0, 1.0, z)
    return e / z


def _probs_inplace(xp, q, k, mask, scale, causal, shift=True):
    """_probs on raw arrays with the big (..., L, S) buffer reused in place (forward fast path).

    With `shift`, the scores are shifted by their overall max (a fast flat reduction) instead of each row's
    (a slow reduction along short rows), and the row sums run as a GEMV; when some row's sum is too small to
    trust (its scores far below the overall max, or all masked) the per-row path runs instead."""
    s = xp.matmul(q, xp.swapaxes(k, -1, -2))
    s *= scale
    if mask is not None:
        if mask.shape == s.shape:
            s += mask
        else:
            s = s + mask
    if causal is not None:
        s += causal
    if shift and s.size and type(s) is xp.ndarray and s.flags.c_contiguous:
        top = s.max()
        if xp.isfinite(top):
            e = s - top
            xp.exp(e, out=e)
            z = xp.matmul(e, _ones(xp, s.shape[-1], s.dtype))
            if z.min() >= 1e-20:
                e *= xp.divide(z.dtype.type(1), z, out=z)[..., None]
                return e
    m = s.max(axis=-1, keepdims=True)
    guarded = mask is not None or causal is not None
    if guarded:
        m[~xp.isfinite(m)] = 0
    s -= m
    xp.exp(s, out=s)
    z = s.sum(axis=-1, keepdims=True)
    if guarded:
        z[z == 0] = 1
    s /= z
    return s


class ScaledDotProductAttention(Op):
    """out = dropout(softmax(q k^T * scale + mask)) v; optionally also returns those weights."""
    __slots__ = ('scale', 'causal', 'keep', 'with_weights')

    def forward(self, xp, q, k, v, mask, scale, causal, keep, with_weights):
        self.scale, self.causal, self.keep, self.with_weights = scale, causal, keep, with_weights
        p = _probs_inplace(xp, q, k, mask, scale, causal)
        self.saved = (q, k, v, mask, p)
        pd = p if keep is None else p * keep
        out = xp.matmul(pd, v)
        if out.dtype != q.dtype:     # bfloat16 / float16 GEMMs come back as float32
            out, pd = out.astype(q.dtype), pd.astype(q.dtype)
        return (out, pd) if with_weights else out

    def backward(self, xp, g, gw=None):
        q, k, v, mask, p = self.saved
        if not hasattr(xp, 'ndarray'):   # create_graph: rebuild p as a function of the inputs
            p = _probs(xp, q, k, mask, self.scale, self.causal)
        keep = self.keep
        pd = p if keep is None else p * keep
        needs = self.needs
        dv = xp.matmul(xp.swapaxes(pd, -1, -2), g) if needs[2] else None
        dpd = xp.matmul(g, xp.swapaxes(v, -1, -2))
        if gw is not None:
            dpd = dpd + gw
        dp = dpd if keep is None else dpd * keep
        if hasattr(xp, 'ndarray'):
            # raw arrays: dp is a fresh product here, so the softmax backward runs in place (three passes,
            # not five)
            ds = dp
            ds -= xp.einsum('...i,...i->...', dp, p)[..., None]
            ds *= p
        else:
            ds = p * (dp - xp.sum(dp * p, axis=-1, keepdims=True))
        dq = xp.matmul(ds, k) * self.scale if needs[0] else None
        dk = xp.matmul(xp.swapaxes(ds, -1, -2), q) * self.scale if needs[1] else None
        return dq, dk, dv, (ds if len(needs) > 3 and needs[3] else None)

    @classmethod
    def name(cls):
        return 'ScaledDotProductFlashAttentionForCpuBackward0'


class PackedSelfAttention(Op):
    """Multi-head self-attention on the packed in-projection (L, N, 3E) (q, k, v side by side, as
    MultiheadAttention's single GEMM makes them); returns (L, N, E) with the heads merged. The heads are strided
    views of the packed array (BLAS takes their row stride as is), the output is written in the input's memory
    order (batch-major for batch_first models) so the out-projection GEMM reads it without a copy, and the
    gradient is written straight into one packed (L, N, 3E) array: no head-splitting copies, no slice
    gradients padded with zeros and summed.

    The probabilities are kept transposed, (N, H, S, L): softmax then reduces over the second-to-last axis,
    which NumPy vectorises across the contiguous last one (the row max of (16, 4, 64, 64): 380 us along the
    last axis, 115 us along this one; the row sums run as a GEMV), and every matmul takes the transposed
    operand for free. Backward uses rowsum(dP * P) = rowsum(dO * O), a dot over head_dim instead of keys."""
    __slots__ = ('heads', 'scale', 'causal', 'keep', 'batch_major', 'zinv')

    def forward(self, xp, qkv, heads, scale, causal, keep):
        self.heads, self.scale, self.causal, self.keep = heads, scale, causal, keep
        L, N, E3 = qkv.shape
        hd = E3 // 3 // heads
        q, k, v = _split_heads(xp, qkv, heads)
        pt = _shifted_exp_scores(xp, q, k, scale, causal)
        self.zinv = None
        if pt is not None:
            # exp(s - global max): unnormalised; 1/rowsum scales the (8x smaller) output instead of pt
            z = xp.matmul(_ones(xp, pt.shape[-2], pt.dtype), pt)
            if z.min() >= 1e-20:
                self.zinv = xp.divide(z.dtype.type(1), z, out=z)
            else:
                pt = None
        if pt is None:
            pt = xp.matmul(k, xp.swapaxes(q, -1, -2))      # scores, transposed: (N, H, S, L)
            pt *= scale
            if causal is not None:
                pt += causal.T
            pt -= xp.max(pt, axis=-2, keepdims=True)
            xp.exp(pt, out=pt)
            pt /= xp.matmul(_ones(xp, pt.shape[-2], pt.dtype), pt)[..., None, :]
        pd = pt if keep is None else pt * xp.swapaxes(keep, -1, -2)
        # batch-major memory when the input is (a batch_first view), sequence-major otherwise
        self.batch_major = bm = qkv.strides[1] > qkv.strides[0]
        buf = xp.empty((N, L, heads, hd) if bm else (L, N, heads, hd), qkv.dtype)
        oh = buf.transpose(0, 2, 1, 3) if bm else buf.transpose(1, 2, 0, 3)
        xp.matmul(xp.swapaxes(pd, -1, -2), v, out=oh)
        if self.zinv is not None:
            oh *= self.zinv[..., None]
        out = buf.reshape(buf.shape[:2] + (heads * hd,))
        out = out.transpose(1, 0, 2) if bm else out
        self.saved = (qkv, pt, out)
        return out

    def backward(self, xp, g):
        qkv, pt, out = self.saved
        heads, scale, keep = self.heads, self.scale, self.keep
        q, k, v = _split_heads(xp, qkv, heads)
        L, N, E3 = qkv.shape
        hd = E3 // 3 // heads
        gh = xp.transpose(xp.reshape(g, (L, N, heads, hd)), (1, 2, 0, 3))
        if not hasattr(xp, 'ndarray'):   # create_graph: the same math as differentiable ops, p rebuilt from qkv
            p = _probs(xp, q, k, None, scale, self.causal)
            pd = p if keep is None else p * keep
            dv = xp.matmul(xp.swapaxes(pd, -1, -2), gh)
            dp = xp.matmul(gh, xp.swapaxes(v, -1, -2))
            if keep is not None:
                dp = dp * keep
            ds = p * (dp - xp.sum(dp * p, axis=-1, keepdims=True))
            dq = xp.matmul(ds, k) * scale
            dk = xp.matmul(xp.swapaxes(ds, -1, -2), q) * scale
            packed = xp.stack([xp.transpose(d, (2, 0, 1, 3)) for d in (dq, dk, dv)], axis=2)
            return xp.reshape(packed, (L, N, E3))
        bm = self.batch_major
        buf = xp.empty((N, L, 3, heads, hd) if bm else (L, N, 3, heads, hd), qkv.dtype)
        d = buf.transpose(0, 2, 3, 1, 4) if bm else buf.transpose(1, 2, 3, 0, 4)   # (N, 3, H, L, hd)
        keep_t = None if keep is None else xp.swapaxes(keep, -1, -2)
        folded = self.zinv is not None
        if folded:
            # pt holds exp(s - c) unnormalised, P = pt / z: scale the (8x smaller) g by 1/z instead, and by the
            # softmax scale too, which dS and so dq and dk carry (one pass over dv undoes it there)
            gh = gh * (self.zinv * self.zinv.dtype.type(scale))[..., None]
        xp.matmul(pt if keep is None else pt * keep_t, gh, out=d[:, 2])
        if folded:
            d[:, 2] *= d.dtype.type(1 / scale)
        oh = xp.transpose(xp.reshape(out, (L, N, heads, hd)), (1, 2, 0, 3))
        rowdot = xp.matmul(gh * oh, _ones(xp, hd, g.dtype))       # rowsum(dP * P) per query: (N, H, L)
        dst = xp.matmul(v, xp.swapaxes(gh, -1, -2))               # dP, transposed
        if keep_t is not None:
            dst *= keep_t
        dst -= rowdot[..., None, :]
        dst *= pt
        dq, dk = d[:, 0], d[:, 1]
        xp.matmul(xp.swapaxes(dst, -1, -2), k, out=dq)
        xp.matmul(dst, q, out=dk)
        if not folded:
            dq *= scale
            dk *= scale
        res = buf.reshape(buf.shape[:2] + (E3,))
        return res.transpose(1, 0, 2) if bm else res

    @classmethod
    def name(cls):
        return 'ScaledDotProductFlashAttentionForCpuBackward0'


def _shifted_exp_scores(xp, q, k, scale, causal):
    """exp(scale * k q^T + causal^T - c), transposed (N, H, S, L), with c the largest unmasked score overall:
    one flat max, and the mask and shift added in one pass, instead of a max along each query's keys and a
    broadcast subtract. None when the scores are not all finite (the caller takes the per-row path)."""
    pt = xp.matmul(k, xp.swapaxes(q * q.dtype.type(scale), -1, -2))
    top = pt.max()
    if not xp.isfinite(top):
        return None
    if causal is None:
        pt -= top
    else:
        S, L = pt.shape[-2:]
        flat = pt.reshape(-1, S * L)
        flat += (causal.T - top).reshape(-1)
    return xp.exp(pt, out=pt)


_ones_cache = {}


def _ones(xp, n, dtype):
    key = (n, dtype, id(xp))
    a = _ones_cache.get(key)
    if a is None:
        if len(_ones_cache) > 64:
            _ones_cache.clear()
        a = _ones_cache[key] = xp.ones(n, dtype)
    return a


def _split_heads(xp, qkv, heads):
    """(L, N, 3E) -> q, k, v as (N, H, L, head_dim) views."""
    L, N, E3 = qkv.shape
    parts = xp.unstack(xp.reshape(qkv, (L, N, 3, heads, E3 // 3 // heads)), axis=2)
    return tuple(xp.transpose(t, (1, 2, 0, 3)) for t in parts)


_causal_cache = {}


def _causal_mask(L, S, np_dtype, xp):
    """Additive mask with -inf above the diagonal (top-left aligned, as torch's is_causal)."""
    key = (L, S, np_dtype, id(xp))
    m = _causal_cache.get(key)
    if m is None:
        if len(_causal_cache) > 64:
            _causal_cache.clear()
        m = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), 0, -xp.inf).astype(np_dtype)
        _causal_cache[key] = m
    return m


def _dropout_keep(shape, p, np_dtype, xp, op):
    """The scaled keep-mask of dropout: 0 with probability p, 1/(1-p) otherwise."""
    from ...ops.random import _bernoulli_mask, default_generator
    if p >= 1:
        return xp.zeros(shape, np_dtype)
    keep = xp.asarray(_bernoulli_mask(default_generator, shape, 1 - p))   # torch's bernoulli_(1 - p) draws
    return (keep * (1.0 / (1.0 - p))).astype(np_dtype)


def _type_name(dt):
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
            'int64': 'long int', 'int32': 'int', 'bool': 'bool'}.get(dt.name, dt.name)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    r"""Computes scaled dot product attention on query, key and value tensors, using an optional attention
    mask if passed, and applying dropout if a probability greater than 0.0 is specified.

    attn_weight = softmax(query @ key.transpose(-2, -1) * scale + attn_bias); output = attn_weight @ value,
    where a boolean attn_mask marks with True the positions that take part in attention and a float mask
    is added to the scores. is_causal applies a top-left aligned lower-triangular mask."""
    for name, t in (('query', query), ('key', key), ('value', value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_type_name(query.dtype)} key.dtype: {_type_name(key.dtype)} and value.dtype: "
                           f"{_type_name(value.dtype)} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"scaled_dot_product_attention: expected a floating point query, got {query.dtype}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    L, E = query.shape[-2], query.shape[-1]
    S = key.shape[-2]
    if key.shape[-1] != E:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{math.prod(query.shape[:-2]) if query.dim() > 2 else 1}, {E}] but got: "
                           f"[{math.prod(key.shape[:-2]) if key.dim() > 2 else 1}, {key.shape[-1]}].")
    if value.shape[-2] != S:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{math.prod(query.shape[:-2]) if query.dim() > 2 else 1}, {S}] but got: "
                           f"[{math.prod(value.shape[:-2]) if value.dim() > 2 else 1}, {value.shape[-2]}].")
    if enable_gqa and query.dim() >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        if hk != hq:
            key = key.repeat_interleave(hq // hk, dim=-3)
        if hv != hq:
            value = value.repeat_interleave(hq // hv, dim=-3)
    xp = xp_of(query._data)
    np_dt = query._data.dtype
    mask = None
    if attn_mask is not None:
        if not isinstance(attn_mask, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, not "
                            f"{type(attn_mask).__name__}")
        if attn_mask.dtype == _dtype.bool_:
            mask = xp.where(attn_mask._data, 0, -xp.inf).astype(np_dt)
        elif attn_mask.dtype == query.dtype or attn_mask.dtype == _dtype.float32:   # torch's accepted mask dtypes
            mask = attn_mask if attn_mask.dtype == query.dtype else attn_mask.to(query.dtype)
        else:
            raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {_type_name(attn_mask.dtype)} and  query.dtype: "
                               f"{_type_name(query.dtype)} instead.")
        ms = tuple(attn_mask.shape)
        full = tuple(query.shape[:-2]) + (L, S)
        n = max(len(ms), len(full))
        a, b = (1,) * (n - len(ms)) + ms, (1,) * (n - len(full)) + full
        for i in range(n):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({b[i]}) must match the size of tensor b ({a[i]}) at "
                                   f"non-singleton dimension {i}")
    causal = _causal_mask(L, S, np_dt, xp) if is_causal else None
    scale = 1.0 / math.sqrt(E) if scale is None else float(scale)
    keep = None
    if dropout_p > 0:
        batch = _broadcast_shape(query.shape[:-2], key.shape[:-2], value.shape[:-2])
        keep = _dropout_keep(tuple(batch) + (L, S), dropout_p, np_dt, xp, 'scaled_dot_product_attention')
    return ScaledDotProductAttention.apply(query, key, value, mask, scale=scale, causal=causal, keep=keep,
                                           with_weights=False)


def _broadcast_shape(*shapes):
    n = max(len(s) for s in shapes)
    out = []
    for i in range(n):
        d = 1
        for s in shapes:
            j = i - (n - len(s))
            if j >= 0 and s[j] != 1:
                d = s[j]
        out.append(d)
    return out


def _attention_with_weights(q, k, v, mask, dropout_p):
    """Attention that also returns its (dropped-out) weights: the need_weights path of MultiheadAttention."""
    xp = xp_of(q._data)
    np_dt = q._data.dtype
    keep = None
    if dropout_p > 0:
        keep = _dropout_keep(tuple(_broadcast_shape(q.shape[:-2], k.shape[:-2])) + (q.shape[-2], k.shape[-2]),
                             dropout_p, np_dt, xp, 'multi_head_attention_forward')
    out, w = ScaledDotProductAttention.apply(q, k, v, mask, scale=1.0 / math.sqrt(q.shape[-1]), causal=None,
                                             keep=keep, with_weights=True)
    if mask is not None:
        # torch's explicit softmax here gives a row with every key masked (all -inf) NaN weights and output,
        # where the fused attention gives zeros
        m = mask._data if isinstance(mask, Tensor) else mask
        dead = xp.all(xp.isneginf(m), axis=-1)
        if dead.any():
            from ...ops.elementwise import where
            nan = xp.asarray(xp.nan, np_dt)
            dead = xp.broadcast_to(dead[..., None], tuple(_broadcast_shape(w.shape, dead.shape + (1,))))
            w = where(_wrap(dead, xp), _wrap(nan, xp), w)
            out = where(_wrap(dead[..., :1], xp), _wrap(nan, xp), out)
    return out, w


# --- multi-head attention ---------------------------------------------------------------------------
def _linear(x, w, b, internal=False):
    """F.linear; internal: the result is only read by the attention below (its layout is invisible)."""
    return _flinear(x, w, b, _keep_layout=internal)


def _canonical_mask(mask, name, target_dtype):
    """A bool mask (True = masked out) becomes an additive float mask; float masks pass through."""
    if mask is None:
        return None
    if mask.dtype == _dtype.bool_:
        xp = xp_of(mask._data)
        return _as_tensor(xp.where(mask._data, -xp.inf, 0).astype(target_dtype.np))
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _as_tensor(a):
    from ...autograd.graph import _wrap
    return _wrap(a, None)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Forward method for MultiHeadAttention (sequence-first (L, N, E) or unbatched (L, E) inputs).

    Returns (attn_output, attn_output_weights); the weights are None unless need_weights, and averaged
    over heads when average_attn_weights."""
    import ember
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if key_padding_mask is not None and attn_mask is not None and key_padding_mask.dtype != attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for "
                      "both instead.")
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask', query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None   # the hint alone is enough for scaled_dot_product_attention
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', query.dtype)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")

    if (query is key and key is value and not use_separate_proj_weight and bias_k is None and bias_v is None
            and not add_zero_attn and static_k is None and static_v is None and key_padding_mask is None
            and attn_mask is None and not need_weights):
        # plain (or causal) self-attention: one packed op between the two projections
        if not training:
            dropout_p = 0.0
        qkv = _linear(query, in_proj_weight, in_proj_bias, True)
        keep = None
        if dropout_p > 0:
            keep = _dropout_keep((bsz, num_heads, tgt_len, src_len), dropout_p, query._data.dtype,
                                 xp_of(query._data), 'scaled_dot_product_attention')
        causal = _causal_mask(tgt_len, src_len, query._data.dtype, xp_of(query._data)) if is_causal else None
        out = PackedSelfAttention.apply(qkv, heads=num_heads, scale=1.0 / math.sqrt(head_dim), causal=causal,
                                        keep=keep)
        out = _linear(out, out_proj_weight, out_proj_bias)
        return (out if is_batched else out.squeeze(1)), None

    # in-projection: one GEMM when query, key and value are the same tensor
    if not use_separate_proj_weight:
        if key is value and query is key:
            qkv = _linear(query, in_proj_weight, in_proj_bias, True)
            q, k, v = qkv[..., :embed_dim], qkv[..., embed_dim:2 * embed_dim], qkv[..., 2 * embed_dim:]
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
            if key is value:
                kv = _linear(key, ember.cat([w_k, w_v]), None if b_k is None else ember.cat([b_k, b_v]), True)
                k, v = kv[..., :embed_dim], kv[..., embed_dim:]
            else:
                k, v = _linear(key, w_k, b_k, True), _linear(value, w_v, b_v, True)
            q = _linear(query, w_q, b_q, True)
    else:
        b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
        q = _linear(query, q_proj_weight, b_q, True)
        k = _linear(key, k_proj_weight, b_k, True)
        v = _linear(value, v_proj_weight, b_v, True)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {_size(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {_size(attn_mask.shape)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = ember.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ember.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v)
    if add_zero_attn:
        k = ember.cat([k, ember.zeros(k.shape[0], 1, head_dim, dtype=k.dtype)], dim=1)
        v = ember.cat([v, ember.zeros(v.shape[0], 1, head_dim, dtype=v.dtype)], dim=1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{_size(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
                              .reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        out, weights = _attention_with_weights(q, k, v, attn_mask, dropout_p)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _size(shape):
    return 'torch.Size([' + ', '.join(str(int(s)) for s in shape) + '])'


def _pad_last(mask):
    """One more (unmasked) key column: the bias_k / zero-attention slot."""
    if mask is None:
        return None
    import ember
    return ember.cat([mask, ember.zeros(*mask.shape[:-1], 1, dtype=mask.dtype)], dim=-1)
