"""Normalisation: batch, instance, layer, group, RMS and local response norm, and normalize.

Batch, instance, layer and group norm are one fused op, `_Normalize`: statistics over some axes,
an optional per-feature affine transform, and the classic three-term gradient. Its backward is
written over `xp`, so under create_graph it records a graph (double backward of layer/batch norm).
RMS norm, local response norm and normalize are compositions of tensor ops (their gradients come free).
"""
import math
from ... import _dtype
from ...tensor import Tensor
from ...autograd.graph import Op, _wrap, renamed
from ...autograd.grad_mode import no_grad

__all__ = ['batch_norm', 'instance_norm', 'layer_norm', 'group_norm', 'rms_norm', 'local_response_norm',
           'normalize']


def _tensor(x, op, name='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _mean(xp, a, axes):
    """xp.mean(a, axes, keepdims=True); over the trailing axes of a contiguous float array (layer norm's
    rows) as one matrix-vector product, ~4x faster than NumPy's reduction over short float32 rows."""
    nd = a.ndim
    k = len(axes)
    if (hasattr(xp, 'ndarray') and k and axes == tuple(range(nd - k, nd)) and a.dtype.kind == 'f'
            and a.dtype.itemsize >= 4 and a.flags.c_contiguous and a.size):
        n = math.prod(a.shape[nd - k:])
        ones = xp.full((n,), 1 / n, a.dtype)
        return xp.matmul(a.reshape(-1, n), ones).reshape(a.shape[:nd - k] + (1,) * k)
    return xp.mean(a, axis=axes, keepdims=True)


def _lead_sum(xp, a, paxes):
    """xp.sum(a, paxes) for layer norm's parameter gradients (sums over the leading axes of a contiguous float
    array) as a GEMV with a ones vector: 3-4x faster than NumPy's column reduction."""
    nd = a.ndim
    if (paxes == tuple(range(len(paxes))) and paxes and a.dtype.kind == 'f' and a.dtype.itemsize >= 4
            and a.flags.c_contiguous and a.size):
        m = math.prod(a.shape[:len(paxes)])
        return xp.matmul(xp.ones(m, a.dtype), a.reshape(m, -1)).reshape(a.shape[len(paxes):])
    return xp.sum(a, axis=paxes)


class _Normalize(Op):
    """y = (x - mean) / sqrt(var + eps) * w + b.

    Statistics (biased variance) are taken over `axes`; w and b have shape `pshape` and broadcast
    against x as `wshape`; their gradients are sums over `paxes`. With `stats` (a list), the batch
    mean and biased variance are appended to it, for the caller's running statistics."""
    __slots__ = ('axes', 'paxes', 'wshape', 'pshape', 'eps', 'xhat', 'rstd')

    def forward(self, xp, x, w, b, axes, paxes, wshape, eps, stats=None):
        self.axes, self.paxes, self.wshape, self.eps = axes, paxes, wshape, eps
        self.pshape = w.shape if w is not None else (b.shape if b is not None else None)
        mean = _mean(xp, x, axes)
        xhat = x - mean
        var = _mean(xp, xp.square(xhat), axes)
        rstd = 1 / xp.sqrt(var + xp.asarray(eps, var.dtype))
        xhat *= rstd
        if stats is not None:
            stats += [mean, var]
        self.rstd = rstd
        if w is None and b is None:
            # the output is x-hat itself: saved as the output, so an in-place change of it is caught
            self.xhat = None
            self.saved = (x, w, xhat)
            return xhat
        y = xhat * xp.reshape(w, wshape) if w is not None else xhat.copy()
        if b is not None:
            y += xp.reshape(b, wshape)
        self.xhat = xhat
        self.saved = (x, w, None)
        return y

    def backward(self, xp, g):
        x, w, y = self.saved
        axes, paxes = self.axes, self.paxes
        if getattr(xp, 'name', '') == 'graph':
            # recompute the statistics from x so that second derivatives see their dependence on x
            d = x - xp.mean(x, axis=axes, keepdims=True)
            rstd = 1 / xp.sqrt(xp.mean(d * d, axis=axes, keepdims=True) + self.eps)
            xhat = d * rstd
        else:
            return self._backward_arrays(xp, g, w, self.xhat if self.xhat is not None else y)
        needs = self.needs
        gx = gw = gb = None
        if needs[1]:
            gw = xp.reshape(xp.sum(g * xhat, axis=paxes), self.pshape)
        if needs[2]:
            gb = xp.reshape(xp.sum(g, axis=paxes), self.pshape)
        if needs[0]:
            gh = g * xp.reshape(w, self.wshape) if w is not None else g
            gx = (gh - xp.mean(gh, axis=axes, keepdims=True)
                  - xhat * xp.mean(gh * xhat, axis=axes, keepdims=True)) * rstd
        return gx, gw, gb

    def _backward_arrays(self, xp, g, w, xhat):
        """The formula above on raw arrays, reusing two scratch buffers (about 1.6x faster than the
        expression form, which allocates a temporary per operator)."""
        axes, paxes, needs = self.axes, self.paxes, self.needs
        gx = gw = gb = None
        t = g * xhat
        if needs[1]:
            gw = xp.reshape(_lead_sum(xp, t, paxes), self.pshape)
        if needs[2]:
            gb = xp.reshape(_lead_sum(xp, g, paxes), self.pshape)
        if needs[0]:
            if w is not None:
                gh = g * xp.reshape(w, self.wshape)
                xp.multiply(gh, xhat, out=t)
            else:
                gh = g.copy()
            m2 = _mean(xp, t, axes)
            gh -= _mean(xp, gh, axes)
            xp.multiply(xhat, m2, out=t)
            gh -= t
            gh *= self.rstd
            gx = gh
        return gx, gw, gb

    @classmethod
    def name(cls):
        return 'NativeLayerNormBackward0'


class _LayerNormOp(_Normalize):
    """Layer norm: _Normalize over the trailing axes, with a raw-array fast path for contiguous float32/64
    input. Rows are (M, n) with n = prod(normalized_shape); the statistics (two-pass: mean, then the squared
    deviations' row dot), the parameter gradients and both means of the backward are GEMVs, and the backward's
    per-row terms are folded into four passes over (M, n) (measured on (1024, 128) float32, one thread:
    forward ~245 -> ~200 us, backward ~425 -> ~335 us)."""
    __slots__ = ()

    def forward(self, xp, x, w, b, axes, paxes, wshape, eps, stats=None):
        if not (hasattr(xp, 'ndarray') and x.dtype.kind == 'f' and x.dtype.itemsize >= 4 and x.size):
            return super().forward(xp, x, w, b, axes, paxes, wshape, eps, stats)
        # torch's result is contiguous for any input layout (a later dropout draws in that order)
        if not x.flags.c_contiguous:
            x = xp.ascontiguousarray(x)
        self.axes, self.paxes, self.wshape, self.eps = axes, paxes, wshape, eps
        self.pshape = w.shape if w is not None else (b.shape if b is not None else None)
        n = math.prod(wshape)
        x2 = x.reshape(-1, n)
        dt = x.dtype
        xhat = x2 - xp.matmul(x2, _const(xp, n, dt, 1 / n))[:, None]
        var = xp.vecdot(xhat, xhat)
        var *= dt.type(1 / n)
        var += dt.type(eps)
        rstd = xp.sqrt(var, out=var)
        xp.divide(dt.type(1), rstd, out=rstd)
        xhat *= rstd[:, None]
        self.rstd = rstd
        if w is None and b is None:
            self.xhat = None
            y = xhat.reshape(x.shape)
            self.saved = (x, w, y)
            return y
        self.xhat = xhat
        self.saved = (x, w, None)
        if w is not None:
            y = xhat * w.reshape(-1)
            if b is not None:
                y += b.reshape(-1)
        else:
            y = xhat + b.reshape(-1)
        return y.reshape(x.shape)

    def _backward_arrays(self, xp, g, w, xhat):
        rstd = self.rstd
        N = math.prod(self.wshape)
        M = xhat.size // N
        if rstd.shape != (M,) or g.dtype != xhat.dtype:   # the general forward ran: its general backward
            return super()._backward_arrays(xp, g, w, xhat)
        n = rstd.dtype.type(1 / N)
        xhat = xhat.reshape(M, N)
        g2 = xp.reshape(g, (M, N))
        needs = self.needs
        gx = gw = gb = None
        t = g2 * xhat
        if needs[1]:
            gw = xp.reshape(xp.matmul(_const(xp, M, t.dtype), t), self.pshape)
        if needs[2]:
            gb = xp.reshape(xp.matmul(_const(xp, M, g2.dtype), g2), self.pshape)
        if needs[0]:
            # dx = rstd * (g w - mean(g w) - xhat * mean(g w xhat)): both means are GEMVs against w
            wv = w.reshape(-1) if w is not None else _const(xp, N, t.dtype)
            m1 = xp.matmul(g2, wv)
            m2 = xp.matmul(t, wv)
            m1 *= n
            m1 *= rstd
            m2 *= n
            m2 *= rstd
            xp.multiply(xhat, m2[:, None], out=t)
            t += m1[:, None]
            gx = g2 * wv if w is not None else g2.copy()
            gx *= rstd[:, None]
            gx -= t
            gx = gx.reshape(g.shape)
        return gx, gw, gb


_consts = {}


def _const(xp, n, dtype, value=1.0):
    """A cached read-only vector full of `value` (the GEMV operand of row and column sums)."""
    key = (n, dtype, value, id(xp))
    a = _consts.get(key)
    if a is None:
        if len(_consts) > 64:
            _consts.clear()
        a = _consts[key] = xp.full(n, value, dtype)
        a.flags.writeable = False
    return a


class _BatchNormOp(_Normalize):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'NativeBatchNormBackward0'


class _GroupNormOp(_Normalize):
    __slots__ = ()

    @classmethod
    def name(cls):
        return 'NativeGroupNormBackward0'


def _channel_shape(nd, c):
    return (1, c) + (1,) * (nd - 2)


def _update_running(running, batch_value, momentum):
    """running = (1 - momentum) * running + momentum * batch_value, in place (a buffer, no history)."""
    with no_grad():
        running.mul_(1 - momentum).add_(_wrap(batch_value.astype(running._data.dtype, copy=False), None),
                                        alpha=momentum)


def _affine_with_running_stats(input, running_mean, running_var, weight, bias, eps):
    """Eval mode: a per-channel affine map x * scale + shift (its gradients flow to x, weight and bias)."""
    shape = _channel_shape(input.dim(), input.shape[1])
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def _check_channel_params(input, C, named):
    for name, t in named:
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Apply Batch Normalization for each channel across a batch of data.

    In training mode the batch statistics normalise the input and, when given, running_mean and
    running_var are updated in place: running = (1 - momentum) * running + momentum * batch_stat, with
    the unbiased batch variance. In eval mode the running statistics normalise the input."""
    input = _tensor(input, 'batch_norm')
    nd = input.dim()
    if nd < 2:
        raise ValueError(f"batch_norm: expected 2D or higher input (got {nd}D input)")
    C = input.shape[1]
    if training:
        size = input.shape
        n = size[0] * math.prod(size[2:])
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    _check_channel_params(input, C, (('running_mean', running_mean), ('running_var', running_var),
                                     ('weight', weight), ('bias', bias)))
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        return renamed(_affine_with_running_stats(input, running_mean, running_var, weight, bias, eps),
                       'NativeBatchNormBackward0')
    axes = (0,) + tuple(range(2, nd))
    stats = [] if running_mean is not None or running_var is not None else None
    y = _BatchNormOp.apply(input, weight, bias, axes=axes, paxes=axes, wshape=_channel_shape(nd, C), eps=eps,
                           stats=stats)
    if stats is not None:
        n = input.numel() // C
        if running_mean is not None:
            _update_running(running_mean, stats[0].reshape(C), momentum)
        if running_var is not None:
            _update_running(running_var, stats[1].reshape(C) * (n / max(n - 1, 1) if n > 1 else math.nan),
                            momentum)
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Apply Instance Normalization independently for each channel in every data sample within a batch.

    With use_input_stats each (sample, channel) slice is normalised by its own statistics, and running
    statistics, when given, are updated with their average over the batch; otherwise the running
    statistics normalise the input."""
    input = _tensor(input, 'instance_norm')
    nd = input.dim()
    if nd < 2:
        raise ValueError(f"instance_norm: expected 2D or higher input (got {nd}D input)")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    N, C = input.shape[:2]
    _check_channel_params(input, C, (('running_mean', running_mean), ('running_var', running_var),
                                     ('weight', weight), ('bias', bias)))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        # torch runs batch norm on a (1, N*C, ...) view and views the result back
        return renamed(_affine_with_running_stats(input, running_mean, running_var, weight, bias, eps),
                       'ViewBackward0')
    axes = tuple(range(2, nd))
    stats = [] if running_mean is not None or running_var is not None else None
    y = _BatchNormOp.apply(input, weight, bias, axes=axes, paxes=(0,) + axes, wshape=_channel_shape(nd, C),
                           eps=eps, stats=stats)
    if stats is not None:
        n = input.numel() // (N * C)
        if running_mean is not None:
            _update_running(running_mean, stats[0].reshape(N, C).mean(0), momentum)
        if running_var is not None:
            _update_running(running_var, (stats[1].reshape(N, C) * (n / (n - 1))).mean(0), momentum)
    return renamed(y, 'ViewBackward0')


def _normalized_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, ns, op, sep=', '):
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{sep}{', '.join(map(str, ns))}], but got input of size{list(input.shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Apply Layer Normalization over the last certain number of dimensions (normalized_shape)."""
    input = _tensor(input, 'layer_norm')
    ns = _normalized_shape(normalized_shape)
    _check_normalized(input, ns, 'layer_norm')
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(ns)}")
    nd, k = input.dim(), len(ns)
    return _LayerNormOp.apply(input, weight, bias, axes=tuple(range(nd - k, nd)), paxes=tuple(range(nd - k)),
                              wshape=ns, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Apply Group Normalization: channels are split into num_groups groups, each normalised by its own
    statistics per sample; weight and bias are per channel."""
    input = _tensor(input, 'group_norm')
    nd = input.dim()
    if nd < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {nd}")
    N, C = input.shape[:2]
    G = num_groups
    if G <= 0 or C % G:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={G}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    spatial = tuple(input.shape[2:])
    x = input.reshape((N, G, C // G) + spatial)
    axes = tuple(range(2, nd + 1))
    w = weight.reshape(G, C // G) if weight is not None else None
    b = bias.reshape(G, C // G) if bias is not None else None
    y = _GroupNormOp.apply(x, w, b, axes=axes, paxes=(0,) + axes[1:], wshape=(1, G, C // G) + (1,) * len(spatial),
                           eps=eps)
    return renamed(y.reshape(input.shape), 'NativeGroupNormBackward0')   # one fused node in torch


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Apply Root Mean Square Layer Normalization over the last dimensions: x / sqrt(mean(x^2) + eps) * weight.
    eps defaults to the machine epsilon of input's dtype (torch.finfo(input.dtype).eps)."""
    input = _tensor(input, 'rms_norm')
    ns = _normalized_shape(normalized_shape)
    _check_normalized(input, ns, 'rms_norm', sep='')
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(ns)}")
    if eps is None:
        eps = float(_dtype.finfo(input.dtype).eps) if input.dtype.is_floating_point else 1.1920928955078125e-07
    dims = tuple(range(-len(ns), 0))
    input = input.contiguous()   # torch's result is contiguous whatever the input's layout
    y = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Apply local response normalization over an input signal: each element is divided by
    (k + alpha * mean of squares over `size` neighbouring channels, zero-padded) ** beta."""
    input = _tensor(input, 'local_response_norm')
    nd = input.dim()
    if nd < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {nd} dimensions)")
    if input.numel() == 0:
        return input
    from ...ops.creation import zeros
    from ...ops.shape import cat
    sq = input * input
    C = input.shape[1]
    lo, hi = size // 2, (size - 1) // 2
    rest = tuple(input.shape[2:])
    parts = [zeros((input.shape[0], lo) + rest, dtype=input.dtype)] if lo else []
    parts.append(sq)
    if hi:
        parts.append(zeros((input.shape[0], hi) + rest, dtype=input.dtype))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    # a window of `size` channels: `size` shifted slices (size is small), never a loop over pixels
    window = padded.narrow(1, 0, C)
    for i in range(1, size):
        window = window + padded.narrow(1, i, C)
    div = (window * (alpha / size) + k) ** beta
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Perform L_p normalization of inputs over specified dimension: v / max(||v||_p, eps)."""
    input = _tensor(input, 'normalize')
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result
