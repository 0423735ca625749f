"""F.linear and F.bilinear.

linear is one fused op: y = x @ W^T + b over any number of leading dims, computed as one GEMM on the
flattened batch; its backward runs only the GEMMs whose inputs need a gradient (x: g @ W; W: one GEMM
g^T @ x over the flattened batch; b: a column sum). bilinear composes einsum, whose backward is
already one einsum per operand.
"""
from ... import _dtype
from ...tensor import Tensor
from ...autograd.graph import Op, renamed
from ...ops.blas import _CPP, _SCALAR, matmul, einsum
from ...amp import _state as _amp   # autocast: one flag test per call while it is off

__all__ = ['linear', 'bilinear']

_F32 = _dtype.float32.np
_LOW = (_dtype.float16.np, _dtype.bfloat16.np)


def _mm(xp, a, b, low):
    # half precision: NumPy has no fast float16/bfloat16 GEMM; compute in float32 and round once, as torch's CPU
    if low is not None:
        return xp.astype(xp.matmul(xp.astype(a, _F32), xp.astype(b, _F32)), low)
    return xp.matmul(a, b)


def _row_order(x):
    """The order of x's leading dims that lays its rows out contiguously in memory (x's last dim contiguous),
    or None. A seq-first view of batch-first data (MultiheadAttention's transpose) is such a permutation: its
    GEMM runs on the memory as it lies, where reshape(-1, n) would copy it."""
    nd = x.ndim
    if nd < 3 or x.flags.c_contiguous:
        return None
    order = tuple(sorted(range(nd - 1), key=lambda i: -x.strides[i]))
    return order if x.transpose(order + (nd - 1,)).flags.c_contiguous else None


class Linear(Op):
    __slots__ = ('low', 'has_bias', 'order', 'nd')
    keep_layout = False

    def forward(self, xp, x, w, b=None):
        self.saved = (x, w)
        self.has_bias, self.nd = b is not None, x.ndim
        self.low = x.dtype if x.dtype in _LOW else None
        n_in = x.shape[-1]
        self.order = order = _row_order(x)
        if order is not None:   # the GEMM runs on the rows in memory order
            x = x.transpose(order + (x.ndim - 1,))
        x2 = x.reshape(-1, n_in) if x.ndim != 2 else x
        y = _mm(xp, x2, w.T, self.low)
        if b is not None:
            y += b
        if x.ndim != 2:
            y = y.reshape(x.shape[:-1] + (w.shape[0],))
        if order is not None:
            y = y.transpose(_inverse(order) + (x.ndim - 1,))
            # torch's result is contiguous whatever the input's layout; the layout decides the order in which
            # a later dropout (or any *_like sampler) draws, so seeded programs need the same one
            if not self.keep_layout:
                y = xp.ascontiguousarray(y)
        return y

    def backward(self, xp, g):
        x, w = self.saved
        needs = self.needs
        n_out, n_in = w.shape
        order = self.order
        if order is not None:   # both in x's memory order: x's rows are free, g's are free when it shares the layout
            full = order + (x.ndim - 1,)
            x, g = xp.transpose(x, full), xp.transpose(g, full)
        g2 = xp.reshape(g, (-1, n_out)) if g.ndim != 2 else g
        gx = gw = gb = None
        if needs[0]:
            gx = _mm(xp, g2, w, self.low)
            if x.ndim != 2:
                gx = xp.reshape(gx, x.shape)
            if order is not None:
                gx = xp.transpose(gx, _inverse(order) + (x.ndim - 1,))
        if needs[1]:
            x2 = xp.reshape(x, (-1, n_in)) if x.ndim != 2 else x
            gw = _mm(xp, xp.swapaxes(g2, 0, 1), x2, self.low)
        if self.has_bias and needs[2]:
            gb = _column_sum(xp, g2)
        return (gx, gw, gb) if self.has_bias else (gx, gw)

    def name(self):   # torch: addmm/mm on 2-D input, a view of the 2-D result on more dims
        if self.nd == 2:
            return 'AddmmBackward0' if self.has_bias else 'MmBackward0'
        return 'ViewBackward0' if self.has_bias else 'UnsafeViewBackward0'


class _LinearKeepLayout(Linear):
    """Linear whose result keeps a permuted input's layout (no copy): for results only ember's own ops read,
    such as attention's in-projection, where the layout is invisible."""
    __slots__ = ()
    keep_layout = True


_ones = {}


def _column_sum(xp, a):
    """a.sum(axis=0) of a 2-D array; for float32/64 arrays as a GEMV with a ones vector (BLAS: 3-4x faster
    than NumPy's reduction down the columns of a (1024, 384) float32 array)."""
    if not hasattr(xp, 'ndarray') or a.dtype.kind != 'f' or a.dtype.itemsize < 4:
        return xp.sum(a, axis=0)
    key = (a.shape[0], a.dtype, id(xp))
    ones = _ones.get(key)
    if ones is None:
        if len(_ones) > 64:
            _ones.clear()
        ones = _ones[key] = xp.ones(a.shape[0], a.dtype)
    return xp.matmul(ones, a)


def _inverse(order):
    inv = [0] * len(order)
    for i, o in enumerate(order):
        inv[o] = i
    return tuple(inv)


def _check_tensor(x, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"linear(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def linear(input, weight, bias=None, *, _keep_layout=False):
    """Applies a linear transformation to the incoming data: y = xA^T + b.

    Shape:
        - Input: (*, in_features) where * means any number of additional dimensions, including none
        - Weight: (out_features, in_features) or (in_features)
        - Bias: (out_features) or ()
        - Output: (*, out_features) or (*), based on the shape of the weight
    """
    _check_tensor(input, 'input', 1)
    _check_tensor(weight, 'weight', 2)
    if bias is not None:
        _check_tensor(bias, 'bias', 3)
    if _amp.cpu_on: input, weight, bias = _amp.lower(input, weight, bias)
    xs, ws = input._data.shape, weight._data.shape
    if not xs or not ws:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {len(xs)}D and "
                           f"{len(ws)}D")
    xd, wd = input._data.dtype, weight._data.dtype
    if xd != wd:
        if bias is not None:   # torch's addmm path words it differently from its mm path
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_SCALAR[xd.name]} and "
                               f"{_SCALAR[wd.name]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CPP[xd.name]} != "
                           f"{_CPP[wd.name]}")
    if len(ws) == 2:
        if xs[-1] != ws[1]:
            rows = 1
            for s in xs[:-1]:
                rows *= s
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xs[-1]} and "
                               f"{ws[1]}x{ws[0]})")
        if bias is not None:
            if bias._data.dtype != xd:
                raise RuntimeError(f"self and mat2 must have the same dtype, but got {_SCALAR[bias._data.dtype.name]} "
                                   f"and {_SCALAR[xd.name]}")
            bs = bias._data.shape
            if len(bs) > 1 or (bs and bs[0] not in (1, ws[0])):
                out_shape = list(xs[:-1]) + [ws[0]]
                raise RuntimeError(f"The expanded size of the tensor ({ws[0]}) must match the existing size "
                                   f"({bs[-1]}) at non-singleton dimension {len(out_shape) - 1}.  Target sizes: "
                                   f"{out_shape}.  Tensor sizes: {list(bs)}")
            if bs != (ws[0],):
                bias = bias.expand(ws[0])
        if len(xs) == 1:
            # torch's 1-D path: mv (then squeeze) without a bias, addmm (then view) with one
            return renamed(Linear.apply(input.unsqueeze(0), weight, *(() if bias is None else (bias,))).squeeze(0),
                           'SqueezeBackward4' if bias is None else 'ViewBackward0')
        if xd.kind not in 'fcV':
            raise RuntimeError(f'"addmm_impl_cpu_" not implemented for \'{_SCALAR[xd.name]}\'')
        op = _LinearKeepLayout if _keep_layout else Linear
        return op.apply(input, weight, bias) if bias is not None else op.apply(input, weight)
    # a 1-D weight (a dot product per row) or a batched weight: torch's matmul semantics
    out = matmul(input, weight.t() if len(ws) == 2 else weight)
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """Applies a bilinear transformation to the incoming data: y = x1^T A x2 + b.

    Shape:
        - input1: (N, *, H_in1) where H_in1 = in1_features and * means any number of additional dimensions.
        - input2: (N, *, H_in2) where H_in2 = in2_features
        - weight: (H_out, H_in1, H_in2) where H_out = out_features
        - bias: (H_out)
        - output: (N, *, H_out) where H_out = out_features
    """
    for t, name, pos in ((input1, 'input1', 1), (input2, 'input2', 2), (weight, 'weight', 3)):
        if not isinstance(t, Tensor):
            raise TypeError(f"bilinear(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    if s1[:-1] != s2[:-1]:
        for i in range(len(s1) - 1):
            if s1[i] != s2[i]:
                raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {s1[i]} and {s2[i]}")
    if len(sw) != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got {len(sw)}D")
    if s1[-1] != sw[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected {sw[1]}")
    if s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected {sw[2]}")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != sw[0]):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[-1] if bias.dim() else 0}"
                           f" but expected {sw[0]}")
    # (x1 W_o) first: one GEMM of the flattened batch against W reshaped (in1, out*in2), then a batched dot
    lead = s1[:-1]
    x1 = input1.reshape(-1, sw[1])
    x2 = input2.reshape(-1, sw[2])
    t = matmul(x1, weight.permute(1, 0, 2).reshape(sw[1], sw[0] * sw[2])).reshape(-1, sw[0], sw[2])
    y = einsum('noj,nj->no', t, x2)
    if bias is not None:
        y = y + bias
    return y.reshape(tuple(lead) + (sw[0],))
