"""torch.nn.functional activations: each a fused pointwise op (forward beside its backward), plus the
softmax family as fused, numerically stable ops.

Every backward formula uses only `xp.<numpy name>` and operators, so under create_graph=True the same
formula records a graph (gelu, softmax and log_softmax are checked with gradgradcheck in the tests).
"""
import math
import warnings
from ... import _dtype
from ...tensor import Tensor, cast
from ...autograd.graph import Op, _wrap
from ...autograd.graph_xp import GraphXP
from ...ops import elementwise as _ew
from ...ops.shape import chunk as _chunk, reshape as _reshape
from ...ops.random import _u53, _exponential, default_generator
from ...ops._util import bind
from ...backend import xp_of, _ERF_TANH_P
from ...tensor import _wrap_dim

_KERNEL_TYPE = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int',
                'int64': 'Long', 'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float', 'float64': 'Double'}


def _input(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _float_only(x, op, kernel):
    """torch's floating-point-only activations refuse integer and bool inputs with their kernel's name."""
    x = _input(x, op)
    if x.dtype.kind not in 'fc':
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_TYPE.get(x.dtype.name, x.dtype.name)}'")
    return x


def _same_dtype(y, x):
    # SciPy's special functions compute half precision in float32
    return y.astype(x.dtype) if y.dtype != x.dtype else y


def _apply(cls, input, inplace, name, **params):
    """Run a pointwise op out of place, or write it into input (torch's inplace=True / fn_ forms)."""
    if inplace:
        return input._inplace(lambda s: cls.apply(s, **params), name=name)
    return cls.apply(input, **params)


# --- fused pointwise ops ----------------------------------------------------------------------------
class _Pointwise(Op):
    """y = f(x; params); backward dx = df(g, x; params). Saves x only."""
    __slots__ = ('p',)

    def forward(self, xp, x, **p):
        self.p = p
        self.saved = (x,)
        return _same_dtype(self.f(xp, x, **p), x)

    def backward(self, xp, g):
        return self.df(xp, g, self.saved[0], **self.p)


class Relu(Op):
    __slots__ = ()

    def forward(self, xp, x):
        y = xp.maximum(x, 0)
        self.saved = (y,)
        return y

    def backward(self, xp, g):
        # y != 0 rather than y > 0: torch passes the gradient through at NaN (y = NaN); 8x faster than where
        return g * (self.saved[0] != 0)


class Hardtanh(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, lo, hi):
        return xp.minimum(xp.maximum(x, lo), hi)

    def df(self, xp, g, x, lo, hi):
        return xp.where((x > lo) & (x < hi), g, 0)


class LeakyRelu(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, slope):
        return xp.where(x > 0, x, x * slope)

    def df(self, xp, g, x, slope):
        return xp.where(x > 0, g, g * slope)


class RreluWithNoise(Op):
    """Leaky ReLU whose negative slopes are drawn per element (the noise array is a constant)."""
    __slots__ = ()

    def forward(self, xp, x, noise):
        self.saved = (noise,)
        return x * noise

    def backward(self, xp, g):
        return g * self.saved[0], None


class Elu(_Pointwise):
    """elu, selu and celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""
    __slots__ = ()

    def f(self, xp, x, alpha, scale, input_scale):
        neg = xp.expm1(xp.minimum(x, 0) * input_scale) * (alpha * scale)
        return xp.where(x > 0, x * scale, neg)

    def df(self, xp, g, x, alpha, scale, input_scale):
        # exp of min(x, 0): the unused branch never overflows, so no inf * 0 under double backward
        # x <= 0 picks the negative branch, as torch's kernel does: NaN takes the positive one (gradient g * scale)
        return xp.where(x <= 0, g * xp.exp(xp.where(x > 0, 0, x) * input_scale) * (alpha * scale * input_scale), g * scale)


_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_PI = math.sqrt(2 / math.pi)
# Phi(x) = (1 + erf(x / sqrt(2))) / 2 with backend's erf(u) ~ tanh(u P(u^2)): the 1/sqrt(2) folded into P
_PHI_P = tuple(c * _SQRT1_2 / 2 ** k for k, c in enumerate(_ERF_TANH_P))
_CHUNK = 32768   # elements per chunk of the fused float32 kernels: their temporaries stay in L2


def _gelu_f32(xp, x):
    """(gelu(x), Phi(x)) for a float32 array in one sweep of cache-sized chunks: 18 passes over a chunk in
    cache instead of ~20 over the whole array in memory (1024x512: 2.7 ms -> 1.4 ms)."""
    f32 = xp.float32
    flat = xp.ascontiguousarray(x).reshape(-1)
    n = flat.size
    y, cdf = xp.empty(n, f32), xp.empty(n, f32)
    c = max(1, min(_CHUNK, n))
    x2, p = xp.empty(c, f32), xp.empty(c, f32)
    coef = [f32(a) for a in _PHI_P]
    top, mid, c0, half = coef[-1], coef[-2:0:-1], coef[0], f32(0.5)
    mul = xp.multiply
    for i in range(0, n, c):
        m = min(c, n - i)
        if m != c:
            x2, p = x2[:m], p[:m]
        xs = flat[i:i + m]
        mul(xs, xs, out=x2)
        mul(x2, top, out=p)
        for a in mid:
            p += a
            p *= x2
        p += c0
        p *= xs
        xp.tanh(p, out=p)
        ci = cdf[i:i + m]
        mul(p, half, out=ci)
        ci += half
        mul(xs, ci, out=y[i:i + m])
    return y.reshape(x.shape), cdf.reshape(x.shape)


def _gelu_grad_f32(xp, g, x, cdf):
    """g * (Phi(x) + x phi(x)) for float32 arrays, chunk by chunk."""
    f32 = xp.float32
    fx = xp.ascontiguousarray(x).reshape(-1)
    fg = xp.ascontiguousarray(g).reshape(-1)
    fc = cdf.reshape(-1)
    n = fx.size
    out = xp.empty(n, f32)
    c = max(1, min(_CHUNK, n))
    mhalf, k = f32(-0.5), f32(_INV_SQRT_2PI)
    for i in range(0, n, c):
        j = min(i + c, n)
        d, xs = out[i:j], fx[i:j]
        xp.multiply(xs, xs, out=d)
        d *= mhalf
        xp.exp(d, out=d)
        d *= xs
        d *= k
        d += fc[i:j]
        d *= fg[i:j]
    return out.reshape(x.shape)


class Gelu(_Pointwise):
    __slots__ = ('cdf',)

    def f(self, xp, x, approximate):
        if approximate == 'tanh':
            return x * (xp.tanh((x + x * x * x * 0.044715) * _SQRT_2_PI) + 1) * 0.5
        if x.dtype == xp.float32 and type(x) is xp.ndarray:
            y, self.cdf = _gelu_f32(xp, x)
            return y
        # SciPy's erf costs ~6x an exp: keep Phi(x) for a plain backward (create_graph recomputes it from x)
        cdf = xp.erf(x * _SQRT1_2)
        cdf += 1    # in place: these are fresh arrays, and each pass over a big activation costs ~0.1 ms
        cdf *= 0.5
        self.cdf = cdf = _same_dtype(cdf, x)
        return x * cdf

    def df(self, xp, g, x, approximate):
        if approximate == 'none' and not isinstance(xp, GraphXP):
            if x.dtype == xp.float32 and type(x) is xp.ndarray and g.dtype == x.dtype and g.shape == x.shape:
                return _gelu_grad_f32(xp, g, x, self.cdf)
            d = xp.asarray(x * x)   # a 0-d product is a NumPy scalar, which the in-place steps cannot write
            d *= -0.5
            xp.exp(d, out=d)
            d *= x
            d *= _INV_SQRT_2PI
            d += self.cdf
            d *= g
            return d
        if approximate == 'tanh':
            x2 = x * x
            t = xp.tanh((x + x2 * x * 0.044715) * _SQRT_2_PI)
            dinner = (x2 * (3 * 0.044715) + 1) * _SQRT_2_PI
            return g * ((t + 1) * 0.5 + x * (1 - t * t) * dinner * 0.5)
        cdf = (xp.erf(x * _SQRT1_2) + 1) * 0.5
        pdf = xp.exp(x * x * -0.5) * _INV_SQRT_2PI
        return g * (cdf + x * pdf)


def _sigmoid(xp, x):
    return 1 / (1 + xp.exp(-x))


class Silu(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return x / (1 + xp.exp(-x))

    def df(self, xp, g, x):
        s = _sigmoid(xp, x)
        return g * s * (1 + x * (1 - s))


def _softplus(xp, x):
    # log(1 + exp(x)) without overflow, in the vocabulary backward formulas may use
    return xp.where(x > 0, x, 0) + xp.log(1 + xp.exp(-xp.abs(x)))


class Mish(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return x * xp.tanh(xp.logaddexp(x, 0))

    def df(self, xp, g, x):
        t = xp.tanh(_softplus(xp, x))
        return g * (t + x * _sigmoid(xp, x) * (1 - t * t))


class Softplus(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, beta, threshold):
        bx = x * beta
        return xp.where(bx > threshold, x, xp.log1p(xp.exp(bx)) / beta)

    def df(self, xp, g, x, beta, threshold):
        bx = x * beta
        return xp.where(bx > threshold, g, g * _sigmoid(xp, bx))


class Softsign(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return x / (xp.abs(x) + 1)

    def df(self, xp, g, x):
        d = xp.abs(x) + 1
        return g / (d * d)


class Hardswish(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return x * xp.minimum(xp.maximum(x + 3, 0), 6) / 6

    def df(self, xp, g, x):
        # torch's kernel: 0 up to -3, the slope x / 3 + 1/2 strictly between, g from 3 on (and at NaN)
        return xp.where(x <= -3, 0, xp.where(x < 3, g * (x / 3 + 0.5), g))


class Hardsigmoid(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return xp.minimum(xp.maximum(x + 3, 0), 6) / 6

    def df(self, xp, g, x):
        return xp.where((x > -3) & (x < 3), g / 6, 0)


class Threshold(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, threshold, value):
        return xp.where(x > threshold, x, xp.asarray(value, dtype=x.dtype))

    def df(self, xp, g, x, threshold, value):
        return xp.where(x > threshold, g, 0)


class LogSigmoid(_Pointwise):
    __slots__ = ()

    def f(self, xp, x):
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def df(self, xp, g, x):
        return g * _sigmoid(xp, -x)


class Softshrink(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, lambd):
        return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, 0 * x))

    def df(self, xp, g, x, lambd):
        return xp.where((x > lambd) | (x < -lambd), g, 0)


class Hardshrink(_Pointwise):
    __slots__ = ()

    def f(self, xp, x, lambd):
        return xp.where((x >= -lambd) & (x <= lambd), 0 * x, x)

    def df(self, xp, g, x, lambd):
        return xp.where((x >= -lambd) & (x <= lambd), 0, g)


class Prelu(Op):
    """max(0, x) + weight * min(0, x), weight broadcast over the channel dim (the engine sums its grad)."""
    __slots__ = ()

    def forward(self, xp, x, w):
        self.saved = (x, w)
        return xp.where(x > 0, x, x * w)

    def backward(self, xp, g):
        x, w = self.saved
        pos = x > 0
        nx, nw = self.needs
        return (xp.where(pos, g, g * w) if nx else None), (xp.where(pos, 0, g * x) if nw else None)

    @classmethod
    def name(cls): return '_PreluKernelBackward0'


# --- public pointwise functions ------------------------------------------------------------------------
def relu(input, inplace=False):
    """Applies the rectified linear unit function element-wise: ReLU(x) = max(0, x)."""
    input = _input(input, 'relu')
    if input._data.dtype.kind == 'b':
        raise RuntimeError("Boolean inputs not supported for relu")
    return _apply(Relu, input, inplace, 'relu_')


def relu_(input):
    """In-place version of relu."""
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Applies the HardTanh function element-wise: min_val below min_val, max_val above max_val."""
    input = _input(input, 'hardtanh')
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == 'b':
        raise NotImplementedError("\"hardtanh_cpu\" not implemented for 'Bool'")
    return _apply(Hardtanh, input, inplace, 'hardtanh_', lo=min_val, hi=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place version of hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """Applies the element-wise function ReLU6(x) = min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Applies element-wise LeakyReLU(x) = max(0, x) + negative_slope * min(0, x)."""
    input = _float_only(input, 'leaky_relu', 'leaky_relu_cpu')
    return _apply(LeakyRelu, input, inplace, 'leaky_relu_', slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place version of leaky_relu."""
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """prelu(input, weight) -> Tensor. Applies element-wise PReLU(x) = max(0, x) + weight * min(0, x),
    where weight is a learnable parameter (one per channel, dim 1 of input, or a single one)."""
    input = _float_only(input, 'prelu', 'prelu_cpu')
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{n} and channel size = {channels}.")
        weight = _reshape(weight, (1, n) + (1,) * (input.ndim - 2))
    elif weight.ndim and input.ndim == 0:
        weight = _reshape(weight, ())
    if weight.dtype != input.dtype:
        weight = cast(weight, input.dtype)
    return Prelu.apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: in training, each negative element is scaled by a slope drawn uniformly from
    [lower, upper]; in evaluation, by (lower + upper) / 2."""
    input = _float_only(input, 'rrelu', 'leaky_relu_cpu')
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    a = input._data
    xp = xp_of(a)
    if a.dtype == xp.float16:   # torch's training kernel has no half version
        raise NotImplementedError("\"rrelu_with_noise_out_cpu\" not implemented for 'Half'")
    # torch draws a double uniform slope for each element <= 0, in order, and none for the others
    neg = a <= 0
    noise = xp.ones(a.shape, a.dtype)
    # the slope u * (upper - lower) + lower is computed in double from the bounds as floats (doubles for a
    # double input)
    bound = a.dtype.type if a.dtype == xp.float64 else xp.float32
    lo, hi = float(bound(lower)), float(bound(upper))
    noise[neg] = (_u53(default_generator, int(neg.sum())) * (hi - lo) + lo).astype(a.dtype)
    if inplace:
        return input._inplace(lambda s: RreluWithNoise.apply(s, noise), name='rrelu_')
    return RreluWithNoise.apply(input, noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place version of rrelu."""
    return rrelu(input, lower, upper, training, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """Applies the Exponential Linear Unit element-wise: x if x > 0 else alpha * (exp(x) - 1)."""
    input = _float_only(input, 'elu', 'elu_cpu')
    return _apply(Elu, input, inplace, 'elu_', alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):
    """In-place version of elu."""
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """Applies element-wise SELU(x) = scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), with
    alpha = 1.6732632423543772848170429916717 and scale = 1.0507009873554804934193349852946."""
    input = _float_only(input, 'selu', 'elu_cpu')
    return _apply(Elu, input, inplace, 'selu_', alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input):
    """In-place version of selu."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """Applies element-wise CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    input = _float_only(input, 'celu', 'elu_cpu')
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _apply(Elu, input, inplace, 'celu_', alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha=1.0):
    """In-place version of celu."""
    return celu(input, alpha, inplace=True)


def gelu(input, approximate='none'):
    """gelu(input, approximate='none') -> Tensor. x * Phi(x), Phi the standard normal CDF; with
    approximate='tanh', 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    input = _float_only(input, 'gelu', 'GeluKernelImpl')
    return Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """Applies the Sigmoid Linear Unit (SiLU) function element-wise: x * sigmoid(x)."""
    input = _float_only(input, 'silu', 'silu_cpu')
    return _apply(Silu, input, inplace, 'silu_')


def mish(input, inplace=False):
    """Applies the Mish function element-wise: x * tanh(softplus(x))."""
    input = _float_only(input, 'mish', 'mish_cpu')
    return _apply(Mish, input, inplace, 'mish_')


def softplus(input, beta=1.0, threshold=20.0):
    """softplus(input, beta=1, threshold=20) -> Tensor. 1/beta * log(1 + exp(beta * x)), reverting to the
    linear function where beta * x > threshold."""
    input = _float_only(input, 'softplus', 'softplus_cpu')
    return Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input):
    """Applies element-wise the function x / (1 + |x|)."""
    input = _input(input, 'softsign')
    if input._data.dtype.kind in 'biu':
        input = cast(input, _dtype._default[0])
    return Softsign.apply(input)


def hardswish(input, inplace=False):
    """Applies hardswish element-wise: x * relu6(x + 3) / 6."""
    input = _float_only(input, 'hardswish', 'hardswish_cpu')
    return _apply(Hardswish, input, inplace, 'hardswish_')


def hardsigmoid(input, inplace=False):
    """Applies the Hardsigmoid function element-wise: relu6(x + 3) / 6."""
    input = _float_only(input, 'hardsigmoid', 'hardsigmoid_cpu')
    return _apply(Hardsigmoid, input, inplace, 'hardsigmoid_')


def threshold(input, threshold, value, inplace=False):
    """Applies a threshold to each element: x if x > threshold else value."""
    input = _input(input, 'threshold')
    return _apply(Threshold, input, inplace, 'threshold_', threshold=threshold, value=value)


def threshold_(input, threshold, value):
    """In-place version of threshold."""
    return globals()['threshold'](input, threshold, value, inplace=True)


def sigmoid(input):
    """Applies the element-wise function 1 / (1 + exp(-x))."""
    return _ew.sigmoid(input)


def tanh(input):
    """Applies element-wise tanh(x)."""
    return _ew.tanh(input)


def tanhshrink(input):
    """Applies element-wise x - tanh(x)."""
    return input - _ew.tanh(input)


def logsigmoid(input):
    """logsigmoid(input) -> Tensor. Applies element-wise log(1 / (1 + exp(-x)))."""
    input = _float_only(input, 'logsigmoid', 'log_sigmoid_cpu')
    return LogSigmoid.apply(input)


def softshrink(input, lambd=0.5):
    """softshrink(input, lambd=0.5) -> Tensor. x - lambd above lambd, x + lambd below -lambd, 0 between."""
    input = _float_only(input, 'softshrink', 'softshrink_check')
    if lambd < 0:
        big = '3.40282e+38' if input._data.dtype.itemsize == 4 else \
            ('65504' if input._data.dtype.itemsize == 2 else '1.79769e+308')
        raise RuntimeError(f"lambda must be in range [0, {big}] for input dtype "
                           f"{_KERNEL_TYPE.get(input.dtype.name)}, but found {lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    """hardshrink(input, lambd=0.5) -> Tensor. x where |x| > lambd, else 0."""
    input = _float_only(input, 'hardshrink', 'hardshrink_cpu')
    return Hardshrink.apply(input, lambd=lambd)


def glu(input, dim=-1):
    """The gated linear unit: a * sigmoid(b), where input is split in half along dim into a and b."""
    input = _input(input, 'glu')
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim, 'glu')
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    a, b = _chunk(input, 2, d)
    return a * _ew.sigmoid(b)


# --- softmax family -----------------------------------------------------------------------------------
class Softmax(Op):
    """exp(x - max) / sum(exp(x - max)) along axis; backward y * (g - sum(g * y))."""
    __slots__ = ('axis',)

    def forward(self, xp, x, axis):
        self.axis = axis
        if x.size == 0:
            y = xp.exp(x)
        else:
            if not x.flags.c_contiguous:   # torch's result is contiguous (a later dropout draws in that order)
                x = xp.ascontiguousarray(x)
            y = xp.asarray(x - x.max(axis=axis, keepdims=True))   # 0-d inputs give NumPy scalars
            xp.exp(y, out=y)
            y /= y.sum(axis=axis, keepdims=True)
        self.saved = (y,)
        return y

    def backward(self, xp, g):
        y, = self.saved
        gy = g * y
        return gy - y * xp.sum(gy, axis=self.axis, keepdims=True)


class LogSoftmax(Op):
    """x - max - log(sum(exp(x - max))) along axis; backward g - exp(y) * sum(g)."""
    __slots__ = ('axis',)

    def forward(self, xp, x, axis):
        self.axis = axis
        if x.size == 0:
            y = x.copy()
        else:
            if not x.flags.c_contiguous:   # torch's result is contiguous
                x = xp.ascontiguousarray(x)
            y = xp.asarray(x - x.max(axis=axis, keepdims=True))
            y -= xp.log(xp.exp(y).sum(axis=axis, keepdims=True))
        self.saved = (y,)
        return y

    def backward(self, xp, g):
        y, = self.saved
        return g - xp.exp(y) * xp.sum(g, axis=self.axis, keepdims=True)


def _log_softmax_array(xp, x, axis):
    """log_softmax on raw arrays, or recorded under create_graph (x a Tensor), for loss backward formulas."""
    if isinstance(xp, GraphXP):
        return LogSoftmax.apply(x, axis=axis)
    return LogSoftmax.__new__(LogSoftmax).forward(xp, x, axis)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_args(name, input, dim, stacklevel, dtype):
    input = _input(input, name)
    if dim is None:
        dim = _get_softmax_dim(name, input.ndim, stacklevel + 1)
    if dtype is not None:
        input = cast(input, _dtype.to_dtype(dtype))
    if input._data.dtype.kind not in 'fcV':   # 'V': ml_dtypes' bfloat16
        kernel = 'log_softmax_lastdim_kernel_impl' if name == 'log_softmax' else 'softmax_lastdim_kernel_impl'
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_TYPE.get(input.dtype.name)}'")
    axis = _wrap_dim(dim, input.ndim, name)
    return input, (axis if input.ndim else None)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmax function: exp(x_i) / sum_j exp(x_j) along dim, so that the slices along dim lie in
    [0, 1] and sum to 1. If dtype is given, the input is cast to it first (useful to avoid overflow)."""
    input, axis = _softmax_args('softmax', input, dim, _stacklevel, dtype)
    return Softmax.apply(input, axis=axis)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmax followed by a logarithm, computed together: faster and numerically more stable than
    the two operations separately."""
    input, axis = _softmax_args('log_softmax', input, dim, _stacklevel, dtype)
    return LogSoftmax.apply(input, axis=axis)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Apply a softmin function: softmax(-x) along dim."""
    input, axis = _softmax_args('softmin', input, dim, _stacklevel, dtype)
    return Softmax.apply(-input, axis=axis)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-Softmax distribution and optionally discretize.

    Returns samples of the same shape as logits; with hard=True they are one-hot vectors, whose gradient is
    the soft sample's (the straight-through trick)."""
    logits = _input(logits, 'gumbel_softmax')
    a = logits._data
    xp = xp_of(a)
    # -log(Exp(1)) is a Gumbel(0, 1) sample, drawn as torch draws it
    gumbels = -xp.log(xp.asarray(_exponential(default_generator, a.size, 1.0, a.dtype == xp.float64)
                                 .reshape(a.shape).astype(a.dtype)))
    y_soft = softmax((logits + _wrap(gumbels, xp)) / tau, dim)
    if not hard:
        return y_soft
    axis = _wrap_dim(dim, logits.ndim, 'gumbel_softmax')
    idx = xp.expand_dims(xp.argmax(y_soft._data, axis=axis), axis)
    hot = xp.zeros_like(y_soft._data)
    xp.put_along_axis(hot, idx, 1, axis)
    return _wrap(hot, xp) - y_soft.detach() + y_soft


# torch.softmax / torch.relu ... and their Tensor methods live here, beside the ops they call.
def _tensor_softmax(self, dim, dtype=None):
    return softmax(self, dim, dtype=dtype)


def _tensor_log_softmax(self, dim, dtype=None):
    return log_softmax(self, dim, dtype=dtype)


bind(softmax=_tensor_softmax, log_softmax=_tensor_log_softmax, relu=lambda self: relu(self),
     relu_=lambda self: relu_(self), hardshrink=lambda self, lambd=0.5: hardshrink(self, lambd),
     prelu=lambda self, weight: prelu(self, weight))
# torch.softmax, torch.relu, ... are exported at the top level by ember/__init__.py (TOPLEVEL).
TOPLEVEL = dict(softmax=_tensor_softmax, log_softmax=_tensor_log_softmax, relu=relu, relu_=relu_, selu=selu,
                selu_=selu_, celu=celu, celu_=celu_, prelu=prelu, rrelu=rrelu, rrelu_=rrelu_, hardshrink=hardshrink,
                threshold=threshold, threshold_=threshold_)

__all__ = ['relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'prelu', 'rrelu', 'rrelu_', 'elu', 'elu_',
           'selu', 'selu_', 'celu', 'celu_', 'gelu', 'silu', 'mish', 'softplus', 'softsign', 'hardtanh',
           'hardtanh_', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'tanhshrink', 'threshold', 'threshold_',
           'logsigmoid', 'softshrink', 'hardshrink', 'glu', 'softmax', 'log_softmax', 'softmin', 'gumbel_softmax']
