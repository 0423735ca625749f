"""torch.nn.functional losses. Cross-entropy, NLL, MSE, BCE and CTC are fused ops (forward beside backward);
the rest are compositions of ember ops, so their gradients (of every order) come from those ops.

Every reduction is torch's: 'none', 'mean', 'sum' (and the legacy size_average/reduce pair)."""
import math
import warnings
from ... import _dtype
from ...tensor import Tensor, cast
from ...autograd.graph import Op, _wrap, renamed
from ...amp import _state as _amp   # autocast: losses are computed in float32
from ...autograd.graph_xp import GraphXP
from ...autograd.grad_mode import no_grad
from ...backend import xp_of
from ...ops import elementwise as _ew
from ...ops.reduction import norm as _norm
from ...ops.shape import unsqueeze as _unsqueeze, broadcast_tensors as _broadcast_tensors
from ...ops.indexing import gather as _gather
from .activation import LogSoftmax, _log_softmax_array, logsigmoid, log_softmax, _KERNEL_TYPE
from .normalization import _const

__all__ = ['cross_entropy', 'nll_loss', 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss',
           'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div', 'poisson_nll_loss',
           'gaussian_nll_loss', 'cosine_embedding_loss', 'margin_ranking_loss', 'triplet_margin_loss',
           'triplet_margin_with_distance_loss', 'hinge_embedding_loss', 'multilabel_soft_margin_loss',
           'multilabel_margin_loss', 'multi_margin_loss', 'soft_margin_loss', 'ctc_loss']


# --- reductions ------------------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, emit_warning=True):
    """torch's _Reduction.legacy_get_string: the reduction the deprecated size_average/reduce pair means."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = 'mean' if size_average and reduce else ('sum' if reduce else 'none')
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def _tensor(x, op, arg='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def _float_pair(input, target, op, kernel):
    """input and target in their common floating dtype (torch refuses integer losses with the kernel name)."""
    _tensor(input, op)
    _tensor(target, op, 'target')
    dt = _dtype.result_type(input, target)
    if dt.kind not in 'fc':
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_TYPE.get(dt.name, dt.name)}'")
    return cast(input, dt), cast(target, dt)


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _check_broadcast(input, target):
    try:
        _broadcast_tensors(input, target)
    except RuntimeError:
        for i, (a, b) in enumerate(zip(reversed(input.shape), reversed(target.shape))):
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {max(input.ndim, target.ndim) - 1 - i}") from None
        raise


def _weighted(loss, weight, input, reduction, mean_by_weight=True):
    """torch's manual weighting for mse/l1/huber: weight must match input; 'mean' divides by sum(weight)
    (mse, l1) or by the element count (huber)."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == 'mean':
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    return _reduce(loss, reduction)


# --- mean squared error (fused: one pass forward and backward) -------------------------------------------
class MseLoss(Op):
    __slots__ = ('reduction', 'n')

    def forward(self, xp, x, y, reduction):
        d = x - y
        self.reduction, self.n = reduction, d.size
        self.saved = (x, y)
        sq = d * d
        if reduction == 'none':
            return sq
        s = sq.sum()
        return xp.asarray(s / d.size if reduction == 'mean' else s, dtype=d.dtype)

    def backward(self, xp, g):
        x, y = self.saved
        scale = 2.0 / self.n if self.reduction == 'mean' else 2.0
        gd = (x - y) * (g * scale)
        nx, ny = self.needs
        return (gd if nx else None), (-gd if ny else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Measures the element-wise mean squared error (squared L2 norm), with optional weighting."""
    _tensor(input, 'mse_loss')
    _tensor(target, 'mse_loss', 'target')
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast(input, target)
    input, target = _float_pair(input, target, 'mse_loss', 'mse_cpu')
    if weight is not None:
        d = input - target
        return _weighted(d * d, weight, input, reduction)
    return MseLoss.apply(input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """Function that takes the mean element-wise absolute value difference, with optional weighting."""
    _tensor(input, 'l1_loss')
    _tensor(target, 'l1_loss', 'target')
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast(input, target)
    input, target = _float_pair(input, target, 'l1_loss', 'abs_cpu')
    loss = _ew.abs(input - target)
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """Smooth L1 loss: 0.5 * x^2 / beta where |x| < beta, |x| - 0.5 * beta elsewhere."""
    _tensor(input, 'smooth_l1_loss')
    _tensor(target, 'smooth_l1_loss', 'target')
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_broadcast(input, target)
    input, target = _float_pair(input, target, 'smooth_l1_loss', 'smooth_l1_cpu')
    z = _ew.abs(input - target)
    if beta == 0:
        return _reduce(z, reduction)
    return _reduce(_ew.where(z < beta, z * z * (0.5 / beta), z - 0.5 * beta), reduction)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """Huber loss: 0.5 * x^2 where |x| < delta, delta * (|x| - 0.5 * delta) elsewhere."""
    _tensor(input, 'huber_loss')
    _tensor(target, 'huber_loss', 'target')
    _warn_size(input, target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_broadcast(input, target)
    input, target = _float_pair(input, target, 'huber_loss', 'huber_cpu')
    z = _ew.abs(input - target)
    loss = _ew.where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)
    if weight is not None:
        return _weighted(loss, weight, input, reduction, mean_by_weight=False)
    return _reduce(loss, reduction)


# --- negative log likelihood and cross entropy over classes -------------------------------------------------
def _class_axis(x):
    return 1 if x.ndim > 1 else 0


def _scatter_classes(xp, values, idx, shape, dtype, axis):
    """An array of `shape` that is zero except values[i] at class idx[i] along axis (values may be a graph
    Tensor under create_graph: then the one-hot layout is a constant and the product is recorded)."""
    hot = xp_of(idx).zeros(shape, dtype) if not isinstance(xp, GraphXP) else None
    if hot is not None:
        xp.put_along_axis(hot, idx, xp.expand_dims(values, axis), axis)
        return hot
    raw = xp_of(idx).zeros(shape, dtype)
    xp_of(idx).put_along_axis(raw, idx, 1, axis)
    return xp.expand_dims(values, axis) * raw


class _ClassTargets:
    """What NLL and cross-entropy share: per-sample class index, ignore mask, and weight of the target class."""
    __slots__ = ()

    def _safe_denom(self, xp):
        # every sample ignored: the mean is 0 / 0 = nan, but the gradient is 0, as torch's
        d = self.denom
        return d if d != 0 else xp_of(d).ones_like(d)

    def setup(self, xp, x, target, weight, ignore_index):
        axis = _class_axis(x)
        mask = target != ignore_index
        t = xp.where(mask, target, 0)
        idx = xp.expand_dims(t, axis)
        wt = weight[t] * mask if weight is not None else mask.astype(x.dtype)
        return axis, mask, idx, wt


class NllLoss(Op, _ClassTargets):
    """-weight[t] * input[t] per sample (ignore_index contributes nothing); 'mean' divides by the summed
    weights of the targets."""
    __slots__ = ('axis', 'idx', 'wt', 'shape', 'reduction', 'denom')

    def forward(self, xp, x, target, weight, ignore_index, reduction):
        axis, mask, idx, wt = self.setup(xp, x, target, weight, ignore_index)
        picked = xp.take_along_axis(x, idx, axis).squeeze(axis)
        loss = -(picked * wt)
        self.axis, self.idx, self.wt, self.shape, self.reduction = axis, idx, wt, x.shape, reduction
        if reduction == 'none':
            return xp.asarray(loss)
        if reduction == 'sum':
            return xp.asarray(loss.sum())
        self.denom = xp.asarray(wt.sum())
        return xp.asarray(loss.sum() / self.denom)

    def backward(self, xp, g):
        coef = g * -self.wt if self.reduction != 'mean' else (g / self._safe_denom(xp)) * -self.wt
        return _scatter_classes(xp, coef, self.idx, self.shape, self.wt.dtype, self.axis), None, None


class CrossEntropyLoss(Op, _ClassTargets):
    """log_softmax and NLL in one op, with label smoothing: per sample, -sum_c q_c log p_c where
    q = (1 - eps) * w[t] at the target class plus eps / C * w_c everywhere (zero for ignored samples).
    The input gradient is (p * sum_c q_c - q) times the output gradient (divided by the summed target
    weights for 'mean')."""
    __slots__ = ('axis', 'idx', 'wt', 'mask', 'wb', 'eps', 'reduction', 'denom', 'zsum')

    def forward(self, xp, x, target, weight, ignore_index, smoothing, reduction):
        axis, mask, idx, wt = self.setup(xp, x, target, weight, ignore_index)
        self.zsum = None
        if (x.ndim == 2 and weight is None and not smoothing and type(x) is xp.ndarray and x.dtype.itemsize >= 4
                and x.size and x.flags.c_contiguous):
            loss = self._forward_rows(xp, x, idx, wt)
            if loss is not None:
                self.axis, self.idx, self.wt, self.mask, self.wb = axis, idx, wt, mask, None
                self.eps, self.reduction = smoothing, reduction
                if reduction == 'none':
                    return loss
                if reduction == 'sum':
                    return xp.asarray(loss.sum())
                self.denom = xp.asarray(wt.sum())
                return xp.asarray(loss.sum() / self.denom)
        logp = LogSoftmax.__new__(LogSoftmax).forward(xp, x, axis)
        loss = -(xp.take_along_axis(logp, idx, axis).squeeze(axis) * wt)
        C = x.shape[axis]
        wb = None if weight is None else weight.reshape((C,) + (1,) * (x.ndim - axis - 1))
        if smoothing:
            smooth = -(logp.sum(axis) if wb is None else (logp * wb).sum(axis)) * mask
            loss = loss * (1 - smoothing) + smooth * (smoothing / C)
        self.axis, self.idx, self.wt, self.mask, self.wb = axis, idx, wt, mask, wb
        self.eps, self.reduction = smoothing, reduction
        self.saved = (x, logp)
        if reduction == 'none':
            return xp.asarray(loss)
        if reduction == 'sum':
            return xp.asarray(loss.sum())
        self.denom = xp.asarray(wt.sum())
        return xp.asarray(loss.sum() / self.denom)

    def name(self):   # torch composes log_softmax and nll_loss, adding the smoothing term when there is one
        return 'AddBackward0' if self.eps else 'NllLossBackward0'

    def _forward_rows(self, xp, x, idx, wt):
        """Per-row loss of (N, C) logits with one shift for the whole array (its max, a fast flat reduction)
        instead of each row's max (a slow reduction along short rows); saves exp(x - max) and its row sums
        (GEMVs) for backward, so no log-probabilities are materialised. None when some row's sum is so small
        that its terms may have lost precision to underflow (rows far below the global max): the caller
        then takes the row-max path."""
        top = x.max()
        if not xp.isfinite(top):
            return None
        e = x - top
        xp.exp(e, out=e)
        z = xp.matmul(e, _const(xp, x.shape[1], x.dtype))
        if not z.min() >= 1e-20:
            return None
        lse = xp.log(z)
        lse += top
        lse -= xp.take_along_axis(x, idx, 1)[:, 0]
        lse *= wt
        self.zsum = z
        self.saved = (x, e)
        return lse

    def _backward_rows(self, xp, G):
        x, e = self.saved
        coef = self.wt * G
        grad = e * (coef / self.zsum)[:, None]
        rows = xp.arange(x.shape[0])
        grad[rows, self.idx[:, 0]] -= coef
        return grad

    def backward(self, xp, g):
        x, logp = self.saved
        axis, eps, wt, mask, wb = self.axis, self.eps, self.wt, self.mask, self.wb
        if self.zsum is not None and not isinstance(xp, GraphXP):
            return self._backward_rows(xp, g if self.reduction != 'mean' else g / self._safe_denom(xp)), None, None
        C = x.shape[axis]
        G = g if self.reduction != 'mean' else g / self._safe_denom(xp)
        hit = wt * (1 - eps) if eps else wt                    # q at the target class
        wsum = C if wb is None else wb.sum()
        Q = hit + mask * (eps / C * wsum) if eps else hit     # sum_c q_c
        if isinstance(xp, GraphXP):
            # a differentiable graph: log p recomputed from x, q's layout a constant
            logp = _log_softmax_array(xp, x, axis)
            grad = xp.exp(logp) * xp.expand_dims(G * Q, axis) - _scatter_classes(xp, G * hit, self.idx, x.shape,
                                                                                 wt.dtype, axis)
            if eps:
                spread = xp.expand_dims(G * (mask * (eps / C)), axis)
                grad = grad - (spread if wb is None else spread * wb)
            return grad, None, None
        grad = xp.exp(logp)
        grad *= xp.expand_dims(Q * G, axis)
        at = xp.take_along_axis(grad, self.idx, axis)
        xp.put_along_axis(grad, self.idx, at - xp.expand_dims(hit * G, axis), axis)
        if eps:
            spread = xp.expand_dims(mask * (eps / C) * G, axis)
            grad -= spread if wb is None else spread * wb
        return grad, None, None


def _check_class_target(input, target, weight, op):
    """torch's shape, dtype and range checks for class-index targets."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if target._data.dtype.kind not in 'iu' or target._data.dtype.itemsize != 8 and target._data.dtype.name != 'uint8':
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_KERNEL_TYPE.get(target.dtype.name, target.dtype.name)}")
    if input.ndim == 1:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    elif input.ndim == 2:
        if target.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim >= 2 and target.ndim >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if input.ndim > 2:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    C = input.shape[_class_axis(input)]
    if weight is not None:
        if weight.numel() != C:
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                               f"weight tensor of shape: {list(weight.shape)}")


def _check_range(t, C, ignore_index):
    a = t._data
    bad = ((a < 0) | (a >= C)) & (a != ignore_index)
    if bad.any():
        raise IndexError(f"Target {int(a[bad].flat[0])} is out of bounds.")


def _weight_arg(weight, input):
    if weight is None:
        return None
    return cast(weight, input.dtype)._data.reshape(-1)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    """The negative log likelihood loss: -weight[target] * input[target] per sample, input holding
    log-probabilities (N, C) or (N, C, d1, d2, ...)."""
    _tensor(input, 'nll_loss')
    _tensor(target, 'nll_loss', 'target')
    reduction = _reduction(size_average, reduce, reduction)
    _check_class_target(input, target, weight, 'nll_loss')
    if input.dtype.kind not in 'f':
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_KERNEL_TYPE.get(input.dtype.name)}'")
    _check_range(target, input.shape[_class_axis(input)], ignore_index)
    if input.ndim == 1 and target.ndim == 1:   # torch reads a one-element target of one sample as its class
        target = target.reshape(())
    return NllLoss.apply(input, target._data.astype('int64'), _weight_arg(weight, input), ignore_index=ignore_index,
                         reduction=reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean',
                  label_smoothing=0.0):
    """The cross entropy loss between input logits and target: class indices (with ignore_index) or class
    probabilities, optionally weighted per class and with label smoothing. Input (C), (N, C) or
    (N, C, d1, ...)."""
    _tensor(input, 'cross_entropy')
    _tensor(target, 'cross_entropy', 'target')
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    if input.dtype.kind not in 'f':
        raise NotImplementedError(f"\"log_softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_KERNEL_TYPE.get(input.dtype.name)}'")
    if input.shape == target.shape:
        if target._data.dtype.kind != 'f':
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_KERNEL_TYPE.get(target.dtype.name)}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _check_class_target(input, target, weight, 'cross_entropy')
    C = input.shape[_class_axis(input)]
    _check_range(target, C, ignore_index)
    if input.ndim == 1 and target.ndim == 1:   # torch reads a one-element target of one sample as its class
        target = target.reshape(())
    return CrossEntropyLoss.apply(input, target._data.astype('int64'), _weight_arg(weight, input),
                                  ignore_index=ignore_index, smoothing=float(label_smoothing), reduction=reduction)


def _cross_entropy_probs(input, target, weight, reduction, eps):
    axis = _class_axis(input)
    C = input.shape[axis]
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    logp = log_softmax(input, axis)
    if target.dtype != input.dtype:
        target = cast(target, input.dtype)
    if eps > 0:
        target = target * (1 - eps) + eps / C
    terms = logp * target
    if weight is not None:
        terms = terms * cast(weight, input.dtype).reshape((C,) + (1,) * (input.ndim - axis - 1))
    if reduction == 'none':
        return -terms.sum(axis)
    if reduction == 'sum':
        return -terms.sum()
    return -terms.sum() / (input.numel() / C)


# --- binary cross entropy ---------------------------------------------------------------------------------
class BinaryCrossEntropy(Op):
    """-w * (y log x + (1 - y) log(1 - x)), each log clamped at -100 as torch does; torch's input gradient
    w * (x - y) / max(x (1 - x), 1e-12)."""
    __slots__ = ('reduction', 'n')

    def forward(self, xp, x, y, w, reduction):
        lx = xp.maximum(xp.log(x), -100)
        l1x = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * lx + (1 - y) * l1x)
        if w is not None:
            loss = loss * w
        self.reduction, self.n = reduction, loss.size
        self.saved = (x, y, w)
        if reduction == 'none':
            return loss
        s = loss.sum()
        return xp.asarray(s / loss.size if reduction == 'mean' else s, dtype=x.dtype)

    def backward(self, xp, g):
        x, y, w = self.saved
        if self.reduction == 'mean':
            g = g / self.n
        if w is not None:
            g = g * w
        nx, ny = self.needs[0], self.needs[1]
        gx = gy = None
        if nx:
            d = x * (1 - x)
            gx = g * (x - y) / xp.where(d > 1e-12, d, 1e-12)
        if ny:
            gy = g * (xp.log(1 - x) - xp.log(x))   # torch's target gradient: the logs unclamped
        return gx, gy, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    """Measure Binary Cross Entropy between the target and input probabilities (logs clamped at -100)."""
    _tensor(input, 'binary_cross_entropy')
    _tensor(target, 'binary_cross_entropy', 'target')
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:   # torch's kernel takes no mixed dtypes (no promotion)
        raise RuntimeError(f"Found dtype {_KERNEL_TYPE.get(target.dtype.name, target.dtype.name)} but expected "
                           f"{_KERNEL_TYPE.get(input.dtype.name, input.dtype.name)}")
    input, target = _float_pair(input, target, 'binary_cross_entropy', 'binary_cross_entropy')
    a = input._data
    if ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        weight = cast(weight, input.dtype)
        if weight.shape != input.shape:
            weight = weight.expand(input.shape)
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction='mean',
                                     pos_weight=None):
    """Binary cross entropy between target and sigmoid(input), computed stably from the logits:
    (1 - y) x + (1 + (pos_weight - 1) y) * softplus(-x)."""
    _tensor(input, 'binary_cross_entropy_with_logits')
    _tensor(target, 'binary_cross_entropy_with_logits', 'target')
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if input.dtype.kind != 'f':
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for "
                                  f"'{_KERNEL_TYPE.get(input.dtype.name, input.dtype.name)}'")
    # torch builds the loss in place on a tensor made from the target: the result has the target's
    # (floating) dtype, and an integer or bool target is refused as its in-place arithmetic refuses it
    if target.dtype.name == 'bool':
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if target.dtype.kind != 'f':
        raise RuntimeError(f"result type {_KERNEL_TYPE.get(input.dtype.name, input.dtype.name)} can't be cast to "
                           f"the desired output type {_KERNEL_TYPE.get(target.dtype.name, target.dtype.name)}")
    softplus_neg = -logsigmoid(input)
    if pos_weight is not None:
        loss = (1 - target) * input + ((pos_weight - 1) * target + 1) * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    if loss.dtype != target.dtype:
        loss = cast(loss, target.dtype)
    return _reduce(loss, reduction)


# --- divergences and likelihoods ---------------------------------------------------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """The KL divergence loss, input holding log-probabilities: target * (log(target) - input) pointwise
    (exp(target) * (target - input) with log_target). 'batchmean' divides the sum by the batch size."""
    _tensor(input, 'kl_div')
    _tensor(target, 'kl_div', 'target')
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        if reduction == 'mean':
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction not in ('none', 'mean', 'sum', 'batchmean'):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    input, target = _float_pair(input, target, 'kl_div', 'kl_div')
    if log_target:
        loss = _ew.exp(target) * (target - input)
    else:
        # target * log(target) is 0 where target is 0 (xlogy), and its gradient there is taken as 0 too
        pos = target > 0
        loss = _ew.where(pos, target * _ew.log(_ew.where(pos, target, 1.0)), 0.0) - target * input
    if reduction == 'batchmean':
        s = loss.sum()
        return s / input.shape[0] if input.ndim else s
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction='mean'):
    """Poisson negative log likelihood loss: exp(input) - target * input (log_input), or
    input - target * log(input + eps); full adds Stirling's approximation of log(target!)."""
    _tensor(input, 'poisson_nll_loss')
    _tensor(target, 'poisson_nll_loss', 'target')
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _float_pair(input, target, 'poisson_nll_loss', 'poisson_nll_loss')
    if log_input:
        loss = _ew.exp(input) - target * input
    else:
        loss = input - target * _ew.log(input + eps)
    if full:
        big = target > 1
        safe = _ew.where(big, target, 2.0)
        stirling = safe * _ew.log(safe) - safe + _ew.log(safe * (2 * math.pi)) * 0.5
        loss = loss + _ew.where(big, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """Gaussian negative log likelihood loss: 0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)),
    var of input's shape, or one dimension short (homoscedastic), or broadcastable in one dimension."""
    _tensor(input, 'gaussian_nll_loss')
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _ew.mul(_wrap(xp_of(input._data).ones_like(input._data), None), float(var))
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = _unsqueeze(var, -1)
        elif input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():   # the clamp is not differentiated: the gradient passes as if var were unclamped
        var.clamp_(min=eps)
    d = input - target
    loss = (_ew.log(var) + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# --- margin and embedding losses ------------------------------------------------------------------------
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input1, 'cosine_embedding_loss', 'input1')
    _tensor(input2, 'cosine_embedding_loss', 'input2')
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2) or input1.shape != input2.shape:
        raise RuntimeError(f"cosine_embedding_loss: expected input1 and input2 of the same 1D or 2D shape, got "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    if target.ndim != input1.ndim - 1:
        raise RuntimeError(f"{input1.ndim - 1}D target tensor expects {input1.ndim}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    dim = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + eps
    m2 = (input2 * input2).sum(dim) + eps
    cos = prod / _ew.sqrt(m1 * m2)
    pos = _ew.where(target == 1, 1 - cos, 0.0)
    neg = _ew.where(target == -1, _ew.clamp_min(cos - margin, 0), 0.0)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    _check_broadcast(input1 - input2, target)
    return _reduce(_ew.clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def _pairwise_distance(x1, x2, p, eps):
    # torch.pairwise_distance: the p-norm of x1 - x2 + eps over the last dim
    return _norm(x1 - x2 + eps, p, dim=-1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    """max(d(a, p) - d(a, n) + margin, 0), d the pairwise p-norm distance (swap: d(a, n) becomes
    min(d(a, n), d(p, n)))."""
    reduction = _reduction(size_average, reduce, reduction)
    a, pdim, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pdim == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {pdim}D, and negative {n}D inputs")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = _ew.minimum(dist_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce(_ew.clamp_min(dist_pos - dist_neg + margin, 0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction='mean'):
    """The triplet margin loss with a custom distance function (pairwise_distance by default)."""
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pdim, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pdim == n):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {pdim}D, and negative {n}D inputs")
    if distance_function is None:
        distance_function = lambda x, y: _pairwise_distance(x, y, 2, 1e-6)  # noqa: E731
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = _ew.minimum(dist_neg, distance_function(positive, negative))
    return _reduce(_ew.clamp_min(dist_pos - dist_neg + margin, 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    """x where target is 1, max(0, margin - x) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    margin_part = _ew.where(target != 1, _ew.clamp_min(margin - input, 0), 0.0)
    self_part = _ew.where(target != -1, input, 0.0)
    return _reduce(margin_part + self_part, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """The two-class logistic loss log(1 + exp(-target * input))."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _float_pair(input, target, 'soft_margin_loss', 'soft_margin_loss')
    return _reduce(-logsigmoid(target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    """The multi-label one-versus-all loss from logits: the mean over classes of binary cross entropy."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    return _reduce(loss.sum(class_dim) / input.shape[class_dim], reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """The multi-class multi-classification hinge loss: for each target class j (the target's leading entries,
    up to the first -1) and each non-target class i, max(0, 1 - (x[j] - x[i])), summed and divided by C."""
    reduction = _reduction(size_average, reduce, reduction)
    if input.ndim > 2 or target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    x = input if input.ndim == 2 else _unsqueeze(input, 0)
    t = target._data.reshape(x.shape).astype('int64')
    xp = xp_of(t)
    C = x.shape[1]
    if ((t < -1) | (t >= C)).any():
        raise RuntimeError(f"multilabel_margin_loss: target values must be in [-1, {C - 1}]")
    valid = xp.cumprod(t != -1, axis=1).astype(bool)     # entries before the first -1
    safe = xp.where(valid, t, 0)
    is_target = ((safe[:, :, None] == xp.arange(C)) & valid[:, :, None]).any(1)
    x_t = _gather(x, 1, _wrap(safe, xp))                 # (N, C): x at the j-th target
    margins = _ew.clamp_min(1 - _unsqueeze(x_t, 2) + _unsqueeze(x, 1), 0)   # (N, j, i)
    keep = (valid[:, :, None] & ~is_target[:, None, :]).astype(x._data.dtype)
    loss = (margins * _wrap(keep, xp)).sum((1, 2)) / C
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'):
    """The multi-class classification hinge loss: sum over i != y of max(0, margin - x[y] + x[i])^p
    (times weight[y]), divided by C."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = target._data.reshape(-1).astype('int64')
    xp = xp_of(t)
    C = x.shape[1]
    if t.shape[0] != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got {list(target.shape)}")
    if ((t < 0) | (t >= C)).any():
        raise RuntimeError("target out of range")
    idx = _wrap(t[:, None], xp)
    z = _ew.clamp_min(margin - _gather(x, 1, idx) + x, 0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * _gather(cast(weight, x.dtype), 0, _wrap(t, xp)).reshape(-1, 1)
    not_target = xp.ones(x.shape, x._data.dtype)
    xp.put_along_axis(not_target, t[:, None], 0, 1)
    loss = (z * _wrap(not_target, xp)).sum(1) / C
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# --- connectionist temporal classification -----------------------------------------------------------------
class CtcLoss(Op):
    """-log p(target | log_probs) per sample, by the forward (alpha) recursion over time in log space,
    vectorised over batch and label positions; backward runs the beta recursion. As torch does, the input
    gradient is exp(log_probs) - posterior occupancy (the gradient through a log_softmax folded in)."""
    __slots__ = ('ext', 'in_len', 'S_len', 'alpha', 'skip', 'nll', 'zero_inf', 'blank')

    def forward(self, xp, lp, ext, skip, in_len, S_len, zero_infinity):
        T, N, _ = lp.shape
        S = ext.shape[1]
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T, N, S)), 2)      # (T, N, S)
        pos = xp.arange(S)
        valid = pos[None, :] < S_len[:, None]
        ninf = xp.asarray(-xp.inf, lp.dtype)
        alpha = xp.full((T, N, S), -xp.inf, lp.dtype)
        a = xp.where((pos[None, :] < 2) & valid, lpe[0], ninf)
        alpha[0] = a
        for t in range(1, T):
            prev1 = xp.concatenate([xp.full((N, 1), ninf), a[:, :-1]], 1)
            prev2 = xp.concatenate([xp.full((N, 2), ninf), a[:, :-2]], 1)
            s = xp.logaddexp(a, prev1)
            s = xp.where(skip, xp.logaddexp(s, prev2), s) + lpe[t]
            s = xp.where(valid, s, ninf)
            a = xp.where((t < in_len)[:, None], s, a)   # finished sequences keep their last column
            alpha[t] = a
        last = alpha[xp.maximum(in_len - 1, 0), xp.arange(N)]                     # (N, S)
        end1 = xp.take_along_axis(last, (S_len - 1)[:, None], 1)[:, 0]
        end2 = xp.take_along_axis(last, xp.maximum(S_len - 2, 0)[:, None], 1)[:, 0]
        end2 = xp.where(S_len > 1, end2, ninf)
        nll = -xp.logaddexp(end1, end2)
        self.saved = (lp,)
        self.ext, self.skip, self.in_len, self.S_len, self.alpha, self.nll = ext, skip, in_len, S_len, alpha, nll
        self.zero_inf = zero_infinity
        if zero_infinity:
            nll = xp.where(xp.isinf(nll), 0, nll)
        return nll

    def backward(self, xp, g):
        if isinstance(xp, GraphXP):
            raise RuntimeError("the derivative for '_ctc_loss_backward' is not implemented.")
        lp, = self.saved
        ext, skip, in_len, S_len, alpha, nll = self.ext, self.skip, self.in_len, self.S_len, self.alpha, self.nll
        T, N, C = lp.shape
        S = ext.shape[1]
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T, N, S)), 2)
        pos = xp.arange(S)
        valid = pos[None, :] < S_len[:, None]
        ninf = xp.asarray(-xp.inf, lp.dtype)
        # where the last label may be dropped: the skip of position s + 2 onto s
        skip_next = xp.concatenate([skip[:, 2:], xp.zeros((N, 2), bool)], 1)
        init = ((pos[None, :] == S_len[:, None] - 1) | (pos[None, :] == S_len[:, None] - 2)) & valid
        gamma = xp.full((T, N, S), -xp.inf, lp.dtype)
        b = xp.full((N, S), -xp.inf, lp.dtype)
        for t in range(T - 1, -1, -1):
            nxt1 = xp.concatenate([b[:, 1:], xp.full((N, 1), ninf)], 1)
            nxt2 = xp.concatenate([b[:, 2:], xp.full((N, 2), ninf)], 1)
            s = xp.logaddexp(b, nxt1)
            s = xp.where(skip_next, xp.logaddexp(s, nxt2), s) + lpe[t]
            start = (t == in_len - 1)[:, None]
            b = xp.where(start, xp.where(init, lpe[t], ninf),
                         xp.where((t < in_len - 1)[:, None] & valid, s, ninf))
            gamma[t] = alpha[t] + b
        # log of the summed occupancy of each class: exp relative to the per-(t, n) max, then one einsum
        m = gamma.max(axis=2, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        hot = xp.zeros((N, S, C), lp.dtype)
        xp.put_along_axis(hot, ext[:, :, None], 1, 2)
        occ = xp.einsum('tns,nsc->tnc', xp.exp(gamma - m), hot)
        lcab = xp.log(occ) + m
        gr = g * 1
        grad = (xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)) * gr[None, :, None]
        live = (xp.arange(T)[:, None] < in_len[None, :])[:, :, None]
        bad = xp.isinf(nll)[None, :, None] if self.zero_inf else False
        grad = xp.where(live & ~bad if self.zero_inf else live, grad, 0)
        return grad.astype(lp.dtype), None, None, None, None


def _lengths(x, name):
    if isinstance(x, Tensor):
        return x._data.reshape(-1).astype('int64')
    import numpy
    return numpy.asarray(list(x) if not isinstance(x, int) else [x], dtype='int64')


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False):
    """The Connectionist Temporal Classification loss: -log of the total probability of every alignment of
    targets to log_probs (T, N, C) (or (T, C) unbatched). targets are padded (N, S) or concatenated
    (sum(target_lengths)); 'mean' divides each loss by its target length, then averages over the batch."""
    _tensor(log_probs, 'ctc_loss', 'log_probs')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    lp = _unsqueeze(log_probs, 1) if unbatched else log_probs
    if lp.ndim != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2D or 3D, got {log_probs.ndim}D")
    if lp.dtype.kind != 'f':
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_KERNEL_TYPE.get(lp.dtype.name)}'")
    T, N, C = lp.shape
    in_len, tgt_len = _lengths(input_lengths, 'input_lengths'), _lengths(target_lengths, 'target_lengths')
    tg = _tensor(targets, 'ctc_loss', 'targets')._data.astype('int64')
    xp = xp_of(tg)
    if unbatched:
        tg = tg.reshape(1, -1) if tg.ndim <= 1 else tg
    if len(in_len) != N or len(tgt_len) != N:
        raise RuntimeError(f"ctc_loss: expected input_lengths and target_lengths of size {N} (batch size), got "
                           f"{len(in_len)} and {len(tgt_len)}")
    if (in_len > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {int(in_len.max())} "
                           f"(while checking arguments for ctc_loss_cpu)")
    L = int(tgt_len.max()) if N else 0
    if tg.ndim == 1 and not unbatched:   # concatenated targets: pad them to (N, L)
        offs = xp.concatenate([xp.zeros(1, 'int64'), xp.cumsum(tgt_len)[:-1]])
        j = xp.arange(max(L, 1))[None, :]
        tg = xp.where(j < tgt_len[:, None], tg[xp.minimum(offs[:, None] + j, max(tg.size - 1, 0))] if tg.size
                      else 0, blank)
    elif tg.shape[1] < L:
        raise RuntimeError(f"Expected tensor to have size at least {L} at dimension 1, but got size {tg.shape[1]} "
                           f"for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
    tg = tg[:, :L]
    S = 2 * L + 1
    ext = xp.full((N, S), blank, 'int64')
    ext[:, 1::2] = xp.where(xp.arange(L)[None, :] < tgt_len[:, None], tg, blank)
    prev2 = xp.concatenate([xp.full((N, 2), -1, 'int64'), ext[:, :-2]], 1)
    skip = (ext != blank) & (ext != prev2)
    nll = CtcLoss.apply(lp, ext, skip, in_len, 2 * tgt_len + 1, zero_infinity=zero_infinity)
    if reduction == 'mean':
        denom = _wrap(xp.maximum(tgt_len, 1).astype(lp._data.dtype), xp)
        return (nll / denom).mean()
    if reduction == 'sum':
        return nll.sum()
    return nll[0] if unbatched else nll



def _torch_loss(fn, node_name=None):
    """A loss as torch's kernel behaves: under CPU autocast its inputs are computed in float32 (torch's
    fp32 policy for losses), and, where torch has one kernel and ember composes ops, the last node takes
    the kernel's name (it shows in `print(loss)`)."""
    def loss(*args, **kwargs):
        if _amp.cpu_on:
            args = _amp.upper(*args)
            kwargs = {k: _amp.upper(v)[0] for k, v in kwargs.items()}
        out = fn(*args, **kwargs)
        return renamed(out, node_name) if node_name else out
    loss.__name__ = loss.__qualname__ = fn.__name__
    loss.__doc__, loss.__wrapped__ = fn.__doc__, fn
    return loss


for _fn, _node in (('smooth_l1_loss', 'SmoothL1LossBackward0'), ('huber_loss', 'HuberLossBackward0'),
                   ('binary_cross_entropy_with_logits', 'BinaryCrossEntropyWithLogitsBackward0'),
                   ('soft_margin_loss', 'SoftMarginLossBackward0'), ('multi_margin_loss', 'MultiMarginLossBackward0'),
                   ('multilabel_margin_loss', 'MultilabelMarginLossBackward0'), ('mse_loss', None), ('l1_loss', None),
                   ('cross_entropy', None), ('nll_loss', None), ('binary_cross_entropy', None), ('kl_div', None),
                   ('cosine_embedding_loss', None), ('hinge_embedding_loss', None), ('poisson_nll_loss', None),
                   ('margin_ranking_loss', None), ('triplet_margin_loss', None), ('ctc_loss', None)):
    globals()[_fn] = _torch_loss(globals()[_fn], _node)
