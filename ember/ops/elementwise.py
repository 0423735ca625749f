"""Elementwise ops: arithmetic, math functions, comparisons, logic. Forward and backward side by side.

Unary ops name their NumPy function and what their backward uses (the input x or the output y);
binary ops promote their arguments to torch's result dtype first (`promote`), so the op itself sees
two arrays of one dtype and the engine unbroadcasts its gradients.
"""
import builtins
import math
from .. import _dtype
from .._dtype import _FROM_NP, result_type
from ..tensor import Tensor, cast
from ..autograd.graph import Op, _wrap, renamed
from ..autograd.graph_xp import register
from ..backend import xp_of, numpy_backend
from ._util import promote, to_float, bind, const, as_tensor_arg, public_names


def _tensor(x, op):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


# 0-d ones by NumPy dtype, for backward formulas (1 - y * y): a Python int operand costs NumPy a scalar
# conversion per call. Graph-mode Tensors' dtypes are not keys: they get the int.
_ONE = {numpy_backend.dtype(n): numpy_backend.ones((), n) for n in ('float16', 'float32', 'float64', 'complex64',
                                                                    'complex128')}

# --- unary ops ---------------------------------------------------------------------------------
class Unary(Op):
    __slots__ = ()
    fn = ''       # the xp function computing it
    uses = 'x'    # what vjp needs: 'x' (the input), 'y' (the output) or '' (nothing)

    scipy = False  # computed by SciPy, which returns float32 for half precision inputs

    def forward(self, xp, a):
        y = getattr(xp, self.fn)(a)
        if self.scipy and y.dtype != a.dtype:
            y = y.astype(a.dtype)
        uses = self.uses
        if uses:
            self.saved = (a,) if uses == 'x' else (y,)
        return y

    def backward(self, xp, g):
        if g.dtype.kind == 'c':
            # torch's convention for complex inputs: grad * conj(f'(x)) == conj(vjp(conj(grad)))
            return xp.conj(self.vjp(xp, xp.conj(g), *self.saved))
        saved = self.saved
        return self.vjp(xp, g, saved[0]) if len(saved) == 1 else self.vjp(xp, g, *saved)


class Neg(Unary):
    fn, uses = 'negative', ''
    def vjp(self, xp, g): return -g


class Abs(Unary):
    fn = 'abs'
    def forward(self, xp, a):
        self.saved = (a,)
        return xp.abs(a)   # real for complex input

    def backward(self, xp, g):
        x, = self.saved
        if x.dtype.kind == 'c':
            # torch's sgn(z) = z/|z| (0 at 0), from differentiable ops: unlike real sign it has a derivative
            return g * xp.where(x == 0, 0, x / xp.abs(x))
        s = xp.sign(x)
        return g * xp.where(s == s, s, 0)   # torch's sign(nan) is 0: no gradient at nan


class Exp(Unary):
    fn, uses = 'exp', 'y'
    def vjp(self, xp, g, y): return g * y


class Exp2(Unary):
    fn, uses = 'exp2', 'y'
    def vjp(self, xp, g, y): return g * y * math.log(2.0)


class Expm1(Unary):
    fn, uses = 'expm1', 'y'
    def vjp(self, xp, g, y): return g * (y + 1)


class Log(Unary):
    fn = 'log'
    def vjp(self, xp, g, x): return g / x


class Log2(Unary):
    fn = 'log2'
    def vjp(self, xp, g, x): return g / (x * math.log(2.0))


class Log10(Unary):
    fn = 'log10'
    def vjp(self, xp, g, x): return g / (x * math.log(10.0))


class Log1p(Unary):
    fn = 'log1p'
    def vjp(self, xp, g, x): return g / (x + 1)


class Sqrt(Unary):
    fn, uses = 'sqrt', 'y'
    def vjp(self, xp, g, y): return g / (y * 2)


class Rsqrt(Unary):
    uses = 'y'
    def forward(self, xp, a):
        y = 1 / xp.sqrt(a)
        self.saved = (y,)
        return y
    def vjp(self, xp, g, y): return g * y * y * y * -0.5


class Square(Unary):
    fn = 'square'
    def vjp(self, xp, g, x): return g * x * 2

    @classmethod
    def name(cls): return 'PowBackward0'


class Reciprocal(Unary):
    fn, uses = 'reciprocal', 'y'
    def vjp(self, xp, g, y): return -g * y * y


class Sin(Unary):
    fn = 'sin'
    def vjp(self, xp, g, x): return g * xp.cos(x)


class Cos(Unary):
    fn = 'cos'
    def vjp(self, xp, g, x): return -g * xp.sin(x)


class Tan(Unary):
    fn, uses = 'tan', 'y'
    def vjp(self, xp, g, y): return g * (y * y + 1)


class Asin(Unary):
    fn = 'arcsin'
    def vjp(self, xp, g, x): return g / xp.sqrt(1 - x * x)


class Acos(Unary):
    fn = 'arccos'
    def vjp(self, xp, g, x): return -g / xp.sqrt(1 - x * x)


class Atan(Unary):
    fn = 'arctan'
    def vjp(self, xp, g, x): return g / (x * x + 1)


class Sinh(Unary):
    fn = 'sinh'
    def vjp(self, xp, g, x): return g * xp.cosh(x)


class Cosh(Unary):
    fn = 'cosh'
    def vjp(self, xp, g, x): return g * xp.sinh(x)


class Tanh(Unary):
    fn, uses = 'tanh', 'y'
    def vjp(self, xp, g, y): return g * (_ONE.get(y.dtype, 1) - y * y)


class Asinh(Unary):
    fn = 'arcsinh'
    def vjp(self, xp, g, x): return g / xp.sqrt(x * x + 1)


class Acosh(Unary):
    fn = 'arccosh'
    def vjp(self, xp, g, x): return g / xp.sqrt(x * x - 1)


class Atanh(Unary):
    fn = 'arctanh'
    def vjp(self, xp, g, x): return g / (1 - x * x)


class Sigmoid(Unary):
    uses = 'y'
    def forward(self, xp, a):
        y = 1 / (1 + xp.exp(-a))
        self.saved = (y,)
        return y
    def vjp(self, xp, g, y): return g * y * (_ONE.get(y.dtype, 1) - y)


class Erf(Unary):
    fn = 'erf'
    scipy = True
    def vjp(self, xp, g, x): return g * xp.exp(-x * x) * (2 / math.sqrt(math.pi))


class Erfc(Unary):
    fn = 'erfc'
    scipy = True
    def vjp(self, xp, g, x): return g * xp.exp(-x * x) * (-2 / math.sqrt(math.pi))


class Erfinv(Unary):
    fn, uses = 'erfinv', 'y'
    scipy = True
    def vjp(self, xp, g, y): return g * xp.exp(y * y) * (math.sqrt(math.pi) / 2)


class Lgamma(Unary):
    fn = 'gammaln'
    scipy = True
    def forward(self, xp, a):
        y = Unary.forward(self, xp, a)
        # SciPy: -inf, torch: inf. (A 0-d inf of y's dtype: a Python float would lift bfloat16 ('V') to float64)
        return xp.where(a == -math.inf, xp.asarray(math.inf, y.dtype), y) if a.dtype.kind in 'fV' else y   # SciPy: -inf; torch: inf
    def vjp(self, xp, g, x): return g * xp.digamma(x)


class Digamma(Unary):
    fn = 'digamma'
    scipy = True
    def vjp(self, xp, g, x): return g * xp.polygamma(1, x)


class Polygamma(Op):
    __slots__ = ('n',)

    def forward(self, xp, x, n):
        self.n = n
        self.saved = (x,)
        y = xp.polygamma(n, x)
        return y.astype(x.dtype) if y.dtype != x.dtype else y

    def backward(self, xp, g):
        return g * xp.polygamma(self.n + 1, self.saved[0])


class Detached(Unary):
    """Piecewise-constant ops (floor, ceil, round, trunc, sign): zero gradient, as torch gives."""
    uses = ''
    def vjp(self, xp, g): return xp.zeros_like(g)


class Floor(Detached): fn = 'floor'
class Ceil(Detached): fn = 'ceil'
class Trunc(Detached): fn = 'trunc'
class Sign(Detached):
    fn = 'sign'
    def forward(self, xp, a):
        y = xp.sign(a)
        if y.dtype.kind in 'fV':
            nan = y != y
            if nan.any():   # torch: sign(nan) is 0 (xp.where: y may be a 0-d NumPy scalar, not writable)
                y = xp.where(nan, xp.zeros((), y.dtype), y)
        return xp.asarray(y)


class Round(Detached):
    def forward(self, xp, a, decimals=0):
        return xp.round(a, decimals)


class Frac(Unary):
    uses = ''
    def forward(self, xp, a): return a - xp.trunc(a)
    def vjp(self, xp, g): return g


class NanToNum(Unary):
    def forward(self, xp, a, nan=0.0, posinf=None, neginf=None):
        self.saved = (a,)
        if a.dtype.kind == 'V':
            # NumPy's nan_to_num passes ml_dtypes' bfloat16 through untouched: replace in float32, with
            # bfloat16's own largest values for the infinities
            big = float(_dtype.finfo(_dtype.bfloat16).max)
            return xp.nan_to_num(a.astype('float32'), nan=nan, posinf=big if posinf is None else posinf,
                                 neginf=-big if neginf is None else neginf).astype(a.dtype)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)
    def vjp(self, xp, g, x): return g * xp.isfinite(x)


# torch's scalar type names, as its error messages spell them
_INT_NAMES = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int', 'int64': 'Long',
              'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
              'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _not_for(name, t):
    return NotImplementedError(f"\"{name}_cpu\" not implemented for '{_INT_NAMES[t.dtype.name]}'")


def _unary(cls, name, ints='float', complex_error=None):
    """The public function for a unary op. ints says what integer and bool inputs do, as in torch:
    'float' (computed in the default float dtype), 'keep' (ints keep their dtype, bools are refused)
    or 'refuse' (floating point only). complex_error, where given, builds the exception torch raises for
    complex inputs (NumPy would compute or fail with its own TypeError)."""
    def fn(input, *, out=None):
        if type(input) is not Tensor:
            input = _tensor(input, name)
        k = input._data.dtype.kind
        if k in 'biu':
            if ints == 'float':
                input = to_float(input)
            elif ints == 'refuse' or k == 'b':
                raise _not_for(name, input)
        elif k == 'c' and complex_error is not None:
            raise complex_error(input)
        return cls.apply(input)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: elementwise {name} of input."
    return fn


exp, exp2, expm1 = _unary(Exp, 'exp'), _unary(Exp2, 'exp2'), _unary(Expm1, 'expm1')
log, log2, log10, log1p = _unary(Log, 'log'), _unary(Log2, 'log2'), _unary(Log10, 'log10'), _unary(Log1p, 'log1p')
sqrt, rsqrt = _unary(Sqrt, 'sqrt'), _unary(Rsqrt, 'rsqrt')
reciprocal = _unary(Reciprocal, 'reciprocal')
sin, cos, tan = _unary(Sin, 'sin'), _unary(Cos, 'cos'), _unary(Tan, 'tan')
asin, acos, atan = _unary(Asin, 'asin'), _unary(Acos, 'acos'), _unary(Atan, 'atan')
sinh, cosh, tanh = _unary(Sinh, 'sinh'), _unary(Cosh, 'cosh'), _unary(Tanh, 'tanh')
asinh, acosh, atanh = _unary(Asinh, 'asinh'), _unary(Acosh, 'acosh'), _unary(Atanh, 'atanh')
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
sigmoid = _unary(Sigmoid, 'sigmoid')
def _vml_complex(name):
    return lambda t: NotImplementedError(f"\"{name}_vml_cpu\" not implemented for '{_INT_NAMES[t.dtype.name]}'")


def _unsupported_complex(name):
    return lambda t: NotImplementedError(f"{name} is not supported for complex inputs")


erf, erfc, erfinv = (_unary(c, n, complex_error=_vml_complex(n)) for c, n in ((Erf, 'erf'), (Erfc, 'erfc'),
                                                                              (Erfinv, 'erfinv')))
lgamma = _unary(Lgamma, 'lgamma', complex_error=_vml_complex('lgamma'))
digamma = _unary(Digamma, 'digamma', complex_error=lambda t: NotImplementedError(
    f"\"digamma\" not implemented for '{_INT_NAMES[t.dtype.name]}'"))
abs = absolute = _unary(Abs, 'abs', ints='keep')
floor, ceil, trunc = (_unary(c, n, ints='keep', complex_error=_unsupported_complex(n))
                      for c, n in ((Floor, 'floor'), (Ceil, 'ceil'), (Trunc, 'trunc')))
fix = trunc
frac = _unary(Frac, 'frac', ints='refuse', complex_error=lambda t: _not_for('frac', t))
_neg, _square = _unary(Neg, 'neg', ints='keep'), _unary(Square, 'square', ints='keep')
_sign = _unary(Sign, 'sign', ints='keep', complex_error=lambda t: NotImplementedError(
    "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn instead."))


def neg(input, *, out=None):
    """torch.neg: -input."""
    if type(input) is Tensor and input._data.dtype.kind == 'b':
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return _neg(input)


negative = neg


def sign(input, *, out=None):
    """torch.sign: -1, 0 or 1 by the sign of each element (a bool is its own sign)."""
    if type(input) is Tensor and input._data.dtype.kind == 'b':
        return _wrap(input._data.copy(), None)
    return _sign(input)


def square(input, *, out=None):
    """torch.square: input * input (bools give int64, as torch.pow(bool, 2) does)."""
    if type(input) is Tensor and input._data.dtype.kind == 'b':
        input = cast(input, _dtype.int64)
    return _square(input)


def polygamma(n, input):
    return Polygamma.apply(to_float(_tensor(input, 'polygamma')), n=int(n))


def round(input, *, decimals=0, out=None):
    """torch.round: round half to even, to `decimals` decimal places (integer inputs only without decimals)."""
    input = _tensor(input, 'round')
    k = input._data.dtype.kind
    if k == 'c':
        raise NotImplementedError(f"\"round_vml_cpu\" not implemented for '{_INT_NAMES[input.dtype.name]}'")
    if k in 'biu':
        if k == 'b' or decimals != 0:
            raise _not_for('round', input)
        return _wrap(input._data.copy(), None)
    return Round.apply(input, decimals=decimals)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    input = _tensor(input, 'nan_to_num')
    if input._data.dtype.kind in 'biu':
        return _wrap(input._data.copy(), None)
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


# --- binary ops ----------------------------------------------------------------------------------
class Add(Op):
    __slots__ = ()
    def forward(self, xp, a, b): return a + b
    def backward(self, xp, g): return g, g


class Sub(Op):
    __slots__ = ()
    def forward(self, xp, a, b): return a - b
    def backward(self, xp, g): return g, -g


def _conj_saved(xp, g, saved):
    """Complex gradients follow torch's convention (grad * conj(derivative)): conjugate the saved factors.
    The gradient is complex exactly when the (promoted) inputs are."""
    if g.dtype.kind == 'c':
        return tuple(xp.conj(s) for s in saved)
    return saved


def _conj_const(c):
    if c.dtype.kind != 'c':
        return c
    c = c.copy()   # an array, not the NumPy scalar conjugate() gives for 0-d (graph mode needs an array)
    c.imag = -c.imag
    return c


class Mul(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, xp, g):
        a, b = self.saved if g.dtype.kind != 'c' else _conj_saved(xp, g, self.saved)
        pa, pb = self.parents
        return (g * b if pa is not None else None), (g * a if pb is not None else None)


class AddConst(Op):
    """tensor + number: nothing saved, the gradient passes through."""
    __slots__ = ()
    def forward(self, xp, a, c): return a + c
    def backward(self, xp, g): return g

    @classmethod
    def name(cls): return 'AddBackward0'


class SubConst(AddConst):
    """tensor - number."""
    __slots__ = ()
    def forward(self, xp, a, c): return a - c

    @classmethod
    def name(cls): return 'SubBackward0'


class MulConst(Op):
    """tensor * number. Saves only the number, as torch does, so changing the tensor in place later is fine."""
    __slots__ = ('c',)
    def forward(self, xp, a, c):
        self.c = c
        return a * c

    def backward(self, xp, g): return g * _conj_const(self.c)

    @classmethod
    def name(cls): return 'MulBackward0'


class DivConst(MulConst):
    """tensor / number (saves only the number)."""
    __slots__ = ()
    def forward(self, xp, a, c):
        self.c = c
        return a / c

    def backward(self, xp, g): return g / _conj_const(self.c)

    @classmethod
    def name(cls): return 'DivBackward0'


class Div(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        self.saved = (a, b)
        return a / b

    def backward(self, xp, g):
        a, b = self.saved if g.dtype.kind != 'c' else _conj_saved(xp, g, self.saved)
        pa, pb = self.parents
        ga = g / b
        # d(a/b)/db = -a / b^2: reuse g / b (three array ops instead of four)
        return (ga if pa is not None else None), (-(ga * a) / b if pb is not None else None)


class DivRounded(Op):
    __slots__ = ()
    def forward(self, xp, a, b, mode):
        if mode == 'floor':
            # Python's floor division (as torch): floor(a / b) is off where a / b rounds up to an integer
            # (1 // 0.1 is 9) and for infinite operands (-5 // inf is -1, inf // 2 is nan)
            return xp.floor_divide(a, b)
        if a.dtype.kind in 'iub':
            q = xp.floor_divide(a, b)
            return q + ((q < 0) & (q * b != a))   # C-style truncation towards zero
        return xp.trunc(a / b)

    def backward(self, xp, g): return xp.zeros_like(g), xp.zeros_like(g)

    @classmethod
    def name(cls): return 'DivBackward1'


class Remainder(Op):
    """remainder (Python's sign rule, like NumPy's mod) and fmod (C's: the sign of the dividend)."""
    __slots__ = ()
    c = False

    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.fmod(a, b) if self.c else xp.mod(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        if not self.needs[1]:
            return g, None
        # floor_divide, not floor(a / b): a finite a over an infinite b floors to -1 where their signs differ
        q = xp.trunc(a / b) if self.c else xp.floor_divide(a, b)
        return g, -g * q


class Fmod(Remainder):
    __slots__ = ()
    c = True


class Pow(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        if a.dtype.kind == 'i' and (b < 0).any():
            # integer ** negative integer: 1 and -1 stay on the unit circle, everything else truncates to 0
            unit = xp.where(a == -1, 1 - 2 * (b & 1), (a == 1).astype(a.dtype))
            y = xp.where(b < 0, unit, xp.power(a, xp.maximum(b, 0))).astype(a.dtype)
        else:
            y = xp.power(a, b)
        self.saved = (a, b, y)
        return y

    def backward(self, xp, g):
        a, b, y = _conj_saved(xp, g, self.saved)
        na, nb = self.needs
        ga = xp.where(b == 0, 0, g * b * xp.power(a, b - 1)) if na else None
        if nb:   # torch: 0 where a == 0 and b >= 0; elsewhere y * log(a) (-inf * inf at a == 0, b < 0)
            zero = (a == 0) & (b >= 0)
            gb = xp.where(zero, 0, g * y * xp.log(xp.where(zero, 1, a)))
        else:
            gb = None
        return ga, gb

    @classmethod
    def name(cls): return 'PowBackward1'


class PowScalar(Op):
    __slots__ = ('e',)
    def forward(self, xp, a, e):
        self.e = e
        self.saved = (a,)
        y = xp.power(a, e)
        return y if y.dtype == a.dtype else y.astype(a.dtype)   # ml_dtypes' bfloat16 ** float gives float32

    def backward(self, xp, g):
        e = self.e
        if e == 0:
            return xp.zeros_like(g)
        return g * (e * xp.power(self.saved[0], e - 1))

    @classmethod
    def name(cls): return 'PowBackward0'


class Atan2(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.arctan2(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        d = g / (a * a + b * b)
        return d * b, -d * a


class Hypot(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        y = xp.hypot(a, b)
        self.saved = (a, b, y)
        return y

    def backward(self, xp, g):
        a, b, y = self.saved
        return g * a / y, g * b / y


class Maximum(Op):
    """maximum/minimum: the gradient goes to the larger (smaller) input, split evenly on ties."""
    __slots__ = ()
    lo = False

    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.minimum(a, b) if self.lo else xp.maximum(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        # torch's rule, NaNs included (no comparison holds, so both inputs get the gradient)
        lose_a, lose_b = ((a > b), (a < b)) if self.lo else ((a < b), (a > b))
        tie = (a == b)
        g_or_half = xp.where(tie, g * 0.5, g)
        return xp.where(lose_a, 0, g_or_half), xp.where(lose_b, 0, g_or_half)


class Minimum(Maximum):
    __slots__ = ()
    lo = True


class Fmax(Op):
    """fmax/fmin: like maximum/minimum, but a NaN loses to a number; a tie sends the gradient to input."""
    __slots__ = ()
    lo = False

    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.fmin(a, b) if self.lo else xp.fmax(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        first = ((a <= b) if self.lo else (a >= b)) | (b != b)
        return xp.where(first, g, 0), xp.where(first, 0, g)


class Fmin(Fmax):
    __slots__ = ()
    lo = True


class Lerp(Op):
    __slots__ = ()
    def forward(self, xp, a, b, w):
        self.saved = (a, b, w)
        return a + w * (b - a)

    def backward(self, xp, g):
        a, b, w = self.saved
        return g * (1 - w), g * w, g * (b - a)


class Where(Op):
    __slots__ = ()
    def forward(self, xp, cond, a, b):
        self.saved = (cond,)
        return xp.where(cond, a, b)

    def backward(self, xp, g):
        cond, = self.saved
        return None, xp.where(cond, g, 0), xp.where(cond, 0, g)


class Clamp(Op):
    __slots__ = ()
    def forward(self, xp, a, lo, hi):
        self.saved = (a, lo, hi)
        y = a
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        return y if y is not a else a.copy()

    def backward(self, xp, g):
        a, lo, hi = self.saved
        inside = True
        glo = ghi = None
        if lo is not None:
            above = a >= lo
            inside = above
            if self.needs[1]:   # torch: min takes the gradient where it bites (a < lo: never at a NaN) and is below max
                glo = xp.where(a < lo, g, 0) if hi is None else xp.where(xp.logical_and(a < lo, lo < hi), g, 0)
        if hi is not None:
            below = a <= hi
            inside = below if inside is True else xp.logical_and(inside, below)
            if self.needs[2]:   # and max where it bites or is below min
                ghi = xp.where(a > hi, g, 0) if lo is None else xp.where(xp.logical_or(a > hi, hi < lo), g, 0)
        return xp.where(inside, g, 0), glo, ghi


def _scaled(b, alpha, dt):
    """alpha * b in the result dtype dt, with torch's checks on alpha's type."""
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    if isinstance(alpha, bool):
        if dt.kind != 'b':
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, complex) and dt.kind != 'c':
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    elif isinstance(alpha, float) and dt.kind in 'bi':
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if dt.kind == 'b':   # bool + alpha * bool is input or other (alpha != 0), or input alone
        alpha = bool(alpha)
    c = const(alpha, dt.np, xp_of(b._data if isinstance(b, Tensor) else b))
    return MulConst.apply(b, c=c) if isinstance(b, Tensor) else b * c


def add(input, other, *, alpha=1, out=None):
    """torch.add: input + alpha * other, with torch's type promotion and broadcasting."""
    if type(input) is Tensor and alpha.__class__ is int and alpha == 1:
        if type(other) is Tensor:
            d = input._data.dtype
            if d == other._data.dtype and d.kind != 'b':   # the common call: nothing to promote
                return Add.apply(input, other)
        elif type(other) is float or type(other) is int:
            d = input._data
            c = _SAME_DTYPE.get((other, d.dtype.char, type(d)))
            if c is not None:   # float tensor + number
                return AddConst.apply(input, c=c)
    a, b, dt = promote(input, other, 'add')
    if type(alpha) is not int or alpha != 1:
        b = _scaled(b, alpha, dt)
    if dt.kind == 'b':
        return _wrap(a._data | b._data if isinstance(b, Tensor) else a._data | b, None) \
            if isinstance(a, Tensor) else _wrap(a | b._data, None)
    if not isinstance(b, Tensor):   # tensor + number: one input, nothing saved
        if alpha.__class__ is int and alpha == 1:
            _remember(input, other, a, b)
        return AddConst.apply(a, c=b)
    if not isinstance(a, Tensor):
        return AddConst.apply(b, c=a)
    return Add.apply(a, b)


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype.kind == 'b')


def sub(input, other, *, alpha=1, out=None):
    """torch.sub: input - alpha * other."""
    if type(input) is Tensor and type(other) is Tensor and alpha.__class__ is int and alpha == 1:
        d = input._data.dtype
        if d == other._data.dtype and d.kind != 'b':   # the common call: nothing to promote or refuse
            return Sub.apply(input, other)
    if _is_bool(input) or _is_bool(other):
        if _is_bool(input) and _is_bool(other):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    a, b, dt = promote(input, other, 'sub')
    if type(alpha) is not int or alpha != 1:
        b = _scaled(b, alpha, dt)
    if not isinstance(b, Tensor):   # tensor - number
        return SubConst.apply(a, c=b)
    return Sub.apply(a, b)


def rsub(input, other, *, alpha=1):
    """torch.rsub: other - alpha * input."""
    return renamed(sub(other, input, alpha=alpha), 'RsubBackward0' if isinstance(other, Tensor) else 'RsubBackward1')


subtract = sub


# (number, dtype char, array type) -> the number as a 0-d array of a float tensor's dtype: the operators'
# fast path for float tensor op Python number, whose result keeps the tensor's dtype. Filled by _promote_const.
_SAME_DTYPE = {}


def _remember(input, other, a, c):
    """Cache c for the fast path when promotion kept input as it was (a float or complex tensor) and other is
    an ordinary number (not NaN, which never compares equal, nor 0, whose -0.0 would compare equal)."""
    if a is input and (type(other) is float or type(other) is int) and other == other and other != 0:
        d = input._data
        if d.dtype.kind in 'fc':
            if len(_SAME_DTYPE) > 4096:
                _SAME_DTYPE.clear()
            _SAME_DTYPE[(other, d.dtype.char, type(d))] = c


def mul(input, other, *, out=None):
    """torch.mul: input * other, with torch's type promotion and broadcasting."""
    if type(input) is Tensor:
        if type(other) is Tensor:
            if input._data.dtype == other._data.dtype:
                return Mul.apply(input, other)
        elif type(other) is float or type(other) is int:
            d = input._data
            c = _SAME_DTYPE.get((other, d.dtype.char, type(d)))
            if c is not None:   # float tensor * number: a cached 0-d constant of its dtype
                return MulConst.apply(input, c=c)
    a, b, _ = promote(input, other, 'mul')
    if not isinstance(b, Tensor):
        _remember(input, other, a, b)
        return MulConst.apply(a, c=b)
    if not isinstance(a, Tensor):
        return MulConst.apply(b, c=a)
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """torch.div: true division (integers give floats) or rounding_mode 'trunc' / 'floor'."""
    if rounding_mode is None and type(input) is Tensor and type(other) is Tensor:
        d = input._data.dtype
        if d == other._data.dtype and d.kind in 'fc':   # the common call: nothing to promote
            return Div.apply(input, other)
    a, b, dt = promote(input, other, 'div')
    if rounding_mode is None:
        if dt.kind in 'bi':
            a, b = _float_pair(input, other)
        return Div.apply(a, b) if isinstance(b, Tensor) else DivConst.apply(a, c=b)
    if rounding_mode not in ('trunc', 'floor'):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    if dt.kind in 'bc':
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    if dt.kind in 'bi':
        _check_int_divisor(a, b, 'div')
    return DivRounded.apply(a, b, mode=rounding_mode)


divide = true_divide = div


def _float_pair(a, b):
    """The (original, unpromoted) integer or bool operands of a float-valued op, each cast straight to the
    default float as torch computes: through their common integer dtype a 0-d int64 -3 beside a uint8
    tensor would wrap to 253."""
    f = _dtype._default[0]
    xp = xp_of((a if isinstance(a, Tensor) else b)._data)
    return tuple(cast(x, f) if isinstance(x, Tensor) else const(x, f.np, xp) for x in (a, b))


def _check_int_divisor(a, b, op):
    d = b._data if isinstance(b, Tensor) else b
    if (d == 0).any() and (a._data if isinstance(a, Tensor) else a).size:   # an empty result divides nothing
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode='floor')


def remainder(input, other, *, out=None):
    """torch.remainder: the modulus with the sign of the divisor (Python's %)."""
    a, b, dt = promote(input, other, 'remainder')
    if dt.kind in 'bc':
        raise NotImplementedError(f"\"remainder_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    if dt.kind in 'bi':
        _check_int_divisor(a, b, 'remainder')
    return Remainder.apply(a, b)


def fmod(input, other, *, out=None):
    a, b, dt = promote(_tensor(input, 'fmod'), other, 'fmod')
    if dt.kind in 'bc':
        raise NotImplementedError(f"\"fmod_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    if dt.kind in 'bi':
        _check_int_divisor(a, b, 'fmod')
    return Fmod.apply(a, b)


def pow(input, exponent, *, out=None):
    """torch.pow: tensor ** tensor, tensor ** number, or number ** tensor."""
    if isinstance(input, Tensor) and isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        dt = input.dtype
        if dt.kind in 'bi' and isinstance(exponent, float):
            input = cast(input, _dtype._default[0])
        elif dt.kind in 'bi' and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        elif dt.kind == 'b':
            input = cast(input, _dtype.int64)
        if exponent == 2 and input.dtype.kind in 'fc':
            return Square.apply(input)
        return PowScalar.apply(input, e=exponent if dt.kind in 'bi' and isinstance(exponent, int)
                               else float(exponent) if isinstance(exponent, float) else exponent)
    a, b, dt = promote(input, exponent, 'pow')
    if dt.kind == 'b':
        if isinstance(exponent, bool):   # bool ** True is itself, bool ** False is all True
            return _wrap(a._data.copy() if exponent else xp_of(a._data).ones(a.shape, bool), None)
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if dt.kind == 'i' and not isinstance(b, Tensor) and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    out = Pow.apply(a, b)
    return out if isinstance(input, Tensor) else renamed(out, 'PowBackward2')   # number ** tensor


def float_power(input, exponent, *, out=None):
    """torch.float_power: input ** exponent in double precision (complex128 when either is complex)."""
    cplx = builtins.any(isinstance(x, complex) or (isinstance(x, Tensor) and x.dtype.kind == 'c')
                        for x in (input, exponent))
    dt = _dtype.complex128 if cplx else _dtype.float64
    up = lambda x: cast(x, dt) if isinstance(x, Tensor) else (complex(x) if cplx else float(x))
    return pow(up(input), up(exponent))


def atan2(input, other, *, out=None):
    """torch.atan2: the angle of the point (other, input), in radians."""
    a, b, dt = _tensor_pair(input, other, 'atan2')
    if dt.kind == 'c':
        raise _not_for('atan2', a)
    if dt.kind in 'bi':
        a, b = _float_pair(input, as_tensor_arg(other, 'atan2'))
    return Atan2.apply(a, b)


arctan2 = atan2


def hypot(input, other, *, out=None):
    """torch.hypot: sqrt(input ** 2 + other ** 2), floating point only."""
    a, b, dt = _tensor_pair(input, other, 'hypot')
    if dt.kind in 'bic':
        raise _not_for('hypot', a)
    return Hypot.apply(a, b)


def _tensor_pair(input, other, op):
    return promote(_tensor(input, op), as_tensor_arg(other, op), op)


def maximum(input, other, *, out=None):
    """torch.maximum: the elementwise maximum (NaN if either is NaN)."""
    a, b, dt = _tensor_pair(input, other, 'maximum')
    if dt.kind == 'c':
        raise RuntimeError("maximum not implemented for complex tensors.")
    return Maximum.apply(a, b)


def minimum(input, other, *, out=None):
    """torch.minimum: the elementwise minimum (NaN if either is NaN)."""
    a, b, dt = _tensor_pair(input, other, 'minimum')
    if dt.kind == 'c':
        raise RuntimeError("minimum not implemented for complex tensors.")
    return Minimum.apply(a, b)


def fmax(input, other, *, out=None):
    """torch.fmax: the elementwise maximum, ignoring a NaN when the other element is a number."""
    a, b, dt = _tensor_pair(input, other, 'fmax')
    if dt.kind == 'c':
        raise RuntimeError("fmax not implemented for complex tensors.")
    return Fmax.apply(a, b)


def fmin(input, other, *, out=None):
    """torch.fmin: the elementwise minimum, ignoring a NaN when the other element is a number."""
    a, b, dt = _tensor_pair(input, other, 'fmin')
    if dt.kind == 'c':
        raise RuntimeError("fmin not implemented for complex tensors.")
    return Fmin.apply(a, b)


def lerp(input, end, weight, *, out=None):
    """torch.lerp: input + weight * (end - input); end (and a tensor weight) must have input's dtype."""
    input = _tensor(input, 'lerp')
    end = as_tensor_arg(end, 'lerp', 'end')
    if input.dtype.kind not in 'fc':
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_INT_NAMES[input.dtype.name]}'")
    for what, t in (('end', end), ('weight', weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            raise RuntimeError(f"lerp: expected dtype {_TYPE_NAME.get(input.dtype.name, input.dtype.name).lower()} "
                               f"for `{what}` but got dtype {_TYPE_NAME.get(t.dtype.name, t.dtype.name).lower()}")
    if not isinstance(weight, Tensor):
        weight = const(weight, input._data.dtype, xp_of(input._data))
    return Lerp.apply(input, end, weight)


def where(condition, input=None, other=None, *, out=None):
    """torch.where(cond, x, y): x where cond else y. torch.where(cond) is nonzero(cond, as_tuple=True)."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    condition = as_tensor_arg(condition, 'where', 'condition')
    if condition._data.dtype != bool:
        if condition._data.dtype.name != 'uint8':
            words = {'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float', 'float64': 'Double',
                     **_dtype._KERNEL_WORDS}
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{words.get(condition.dtype.name, condition.dtype.name)}")
        # torch still accepts a uint8 mask (deprecated, with a warning)
        import warnings
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in "
                      "a future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=2)
        condition = condition != 0
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dt = result_type(input, other)
        xp = xp_of(condition._data)
        input, other = const(input, dt.np, xp), const(other, dt.np, xp)
        return Where.apply(condition, input, other)
    a, b, _ = promote(input, other, 'where')
    return Where.apply(condition, a, b)


def clamp(input, min=None, max=None, *, out=None):
    """torch.clamp: bounds may be numbers or tensors (broadcast); min > max gives max, as in torch."""
    input = _tensor(input, 'clamp')
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = result_type(*(x for x in (input, min, max) if x is not None))
    if dt.kind == 'c':
        raise NotImplementedError("clamp is not supported for complex types")
    xp = xp_of(input._data)
    lo = cast(min, dt) if isinstance(min, Tensor) else (None if min is None else const(min, dt.np, xp))
    hi = cast(max, dt) if isinstance(max, Tensor) else (None if max is None else const(max, dt.np, xp))
    out = Clamp.apply(cast(input, dt), lo, hi)
    # torch's overloads: number bounds are ClampBackward1, tensor bounds ClampBackward0
    return out if isinstance(min, Tensor) or isinstance(max, Tensor) else renamed(out, 'ClampBackward1')


clip = clamp


def clamp_min(input, min):
    return renamed(clamp(input, min=min), 'ClampMinBackward0' if not isinstance(min, Tensor) else 'ClampMinBackward1')


def clamp_max(input, max):
    return renamed(clamp(input, max=max), 'ClampMaxBackward0' if not isinstance(max, Tensor) else 'ClampMaxBackward1')


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcmul: input + value * tensor1 * tensor2."""
    return add(input, mul(mul(tensor1, tensor2), value) if value != 1 else mul(tensor1, tensor2))


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcdiv: input + value * tensor1 / tensor2 (integer division is refused, as in torch)."""
    if isinstance(tensor1, Tensor) and isinstance(tensor2, Tensor) and tensor1.dtype.kind in 'bi' \
            and tensor2.dtype.kind in 'bi':
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    return add(input, mul(div(tensor1, tensor2), value) if value != 1 else div(tensor1, tensor2))


# --- comparisons, logic, bits (no gradients) -------------------------------------------------------
def _shape_mismatch(op, sa, sb):
    """torch's error for shapes sa and sb that do not broadcast."""
    n = builtins.max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    d = builtins.max(i for i in range(n) if sa[i] != sb[i] and 1 not in (sa[i], sb[i]))
    return RuntimeError(f"{op}: The size of tensor a ({sa[d]}) must match the size of tensor b ({sb[d]}) at "
                        f"non-singleton dimension {d}")


def _no_grad_binary(npname, op, kinds=None, kernel=None, tensors=1):
    """tensors: how many leading operands must be tensors: torch's logical_* take no numbers (2), comparisons
    take one second (1), the bitwise ops one on either side (0)."""
    def fn(input, other, *, out=None):
        if (tensors and not isinstance(input, Tensor)) or (tensors == 2 and not isinstance(other, Tensor)):
            which, x = ('input', input) if not isinstance(input, Tensor) else ('other', other)
            raise TypeError(f"{op}(): argument '{which}' (position {1 if which == 'input' else 2}) must be Tensor, "
                            f"not {type(x).__name__}")
        a, b, dt = promote(input, other, op)
        if kinds is not None and dt.kind not in kinds:
            raise NotImplementedError(f"\"{kernel or op}_cpu\" not implemented for '{_TYPE_NAME[dt.name]}'")
        a = a._data if isinstance(a, Tensor) else a
        b = b._data if isinstance(b, Tensor) else b
        xp = xp_of(a)
        try:
            return _wrap(getattr(xp, npname)(a, b), xp)
        except ValueError as e:
            if 'broadcast' not in str(e):
                raise
            raise _shape_mismatch(op, xp.shape(a), xp.shape(b)) from None
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = f"torch.{op} (elementwise, no gradient)."
    return fn


_TYPE_NAME = _INT_NAMES

eq = _no_grad_binary('equal', 'eq')
ne = not_equal = _no_grad_binary('not_equal', 'ne')
lt = less = _no_grad_binary('less', 'lt', 'biuf')   # complex numbers have no order
le = less_equal = _no_grad_binary('less_equal', 'le', 'biuf')
gt = greater = _no_grad_binary('greater', 'gt', 'biuf')
ge = greater_equal = _no_grad_binary('greater_equal', 'ge', 'biuf')
logical_and = _no_grad_binary('logical_and', 'logical_and', tensors=2)
logical_or = _no_grad_binary('logical_or', 'logical_or', tensors=2)
logical_xor = _no_grad_binary('logical_xor', 'logical_xor', tensors=2)
bitwise_and = _no_grad_binary('bitwise_and', 'bitwise_and', 'bi', tensors=0)
bitwise_or = _no_grad_binary('bitwise_or', 'bitwise_or', 'bi', tensors=0)
bitwise_xor = _no_grad_binary('bitwise_xor', 'bitwise_xor', 'bi', tensors=0)
bitwise_left_shift = _no_grad_binary('left_shift', 'bitwise_left_shift', 'i', 'lshift', tensors=0)
bitwise_right_shift = _no_grad_binary('right_shift', 'bitwise_right_shift', 'i', 'rshift', tensors=0)


def _no_grad_unary(npname, op, kinds=None, complex_error=None):
    def fn(input, *, out=None):
        input = _tensor(input, op)
        a = input._data
        if complex_error is not None and a.dtype.kind == 'c':
            raise complex_error
        if kinds is not None and a.dtype.kind not in kinds:
            raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_TYPE_NAME[input.dtype.name]}'")
        xp = xp_of(a)
        return _wrap(getattr(xp, npname)(a), xp)
    fn.__name__ = fn.__qualname__ = op
    return fn


logical_not = _no_grad_unary('logical_not', 'logical_not')
bitwise_not = _no_grad_unary('invert', 'bitwise_not', 'biu')
isnan = _no_grad_unary('isnan', 'isnan')
isinf = _no_grad_unary('isinf', 'isinf')
isfinite = _no_grad_unary('isfinite', 'isfinite')
isposinf = _no_grad_unary('isposinf', 'isposinf',
                          complex_error=RuntimeError("isposinf does not support complex inputs."))
isneginf = _no_grad_unary('isneginf', 'isneginf',
                          complex_error=RuntimeError("isneginf does not support complex inputs."))
signbit = _no_grad_unary('signbit', 'signbit',
                         complex_error=NotImplementedError("signbit is not implemented for complex tensors."))


def isreal(input):
    xp = xp_of(input._data)
    return _wrap(xp.isreal(input._data), xp)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.isclose: |input - other| <= atol + rtol * |other|, elementwise; both of one dtype."""
    input, other = _tensor(input, 'isclose'), as_tensor_arg(other, 'isclose')
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"isclose: {_TYPE_NAME[input.dtype.name]} did not match {_TYPE_NAME[other.dtype.name]}")
    a, b = input._data, other._data
    xp = xp_of(a)
    try:
        return _wrap(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), xp)
    except ValueError as e:
        if 'broadcast' not in str(e):
            raise
        raise _shape_mismatch('isclose', a.shape, b.shape) from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.allclose: whether isclose holds for every element."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


# --- in-place forms and operators ---------------------------------------------------------------
def _inplace(fn, name):
    def method(self, *args, **kwargs):
        return self._inplace(fn, *args, name=name, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of {fn.__name__}."
    return method


class Fill(Op):
    __slots__ = ()
    def forward(self, xp, a, v):
        return xp.full(a.shape, v, a.dtype)

    def backward(self, xp, g):
        na, nv = self.needs
        return (xp.zeros_like(g) if na else None), (xp.sum(g) if nv else None)


def fill_(self, value):
    """Fill with a number (or a 0-d tensor); records a graph only when autograd needs one."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        if value._req or self._req:
            return self._inplace(lambda s, v: Fill.apply(s, cast(v, s.dtype)), value, name='fill_')
        value = value._data
    if self._req:
        return self._inplace(lambda s: Fill.apply(s, const(value, s._data.dtype, xp_of(s._data))), name='fill_')
    self._data[...] = value
    self._vc[0] += 1
    return self


def zero_(self):
    return fill_(self, 0)


class Copy(Op):
    __slots__ = ('src',)
    def forward(self, xp, a, src):
        self.src = src.dtype
        out = xp.empty(a.shape, a.dtype)
        out[...] = src
        return out

    def backward(self, xp, g):
        return None, (g if g.dtype == self.src else xp.astype(g, self.src))

    @classmethod
    def name(cls): return 'CopyBackwards'


def copy_(self, src, non_blocking=False):
    """Copy src (broadcast to self's shape, cast to self's dtype) into self."""
    src = as_tensor_arg(src, 'copy_', 'src')
    if not (self._req or src._req) or not src._req and self.grad_fn is None:
        if self._req:
            return self._inplace(lambda s, x: Copy.apply(s, x), src, name='copy_')
        try:
            self._data[...] = src._data
        except ValueError:
            raise RuntimeError(f"copy_: the size of tensor a ({list(self.shape)}) must match the size of "
                               f"tensor b ({list(src.shape)}) that it is broadcast into") from None
        self._vc[0] += 1
        return self
    return self._inplace(lambda s, x: Copy.apply(s, x), src, name='copy_')


def _invert(self):
    if self._data.dtype.kind not in 'biu':
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def _reversed(fn):
    def method(self, other):
        return fn(other, self)
    return method


def _rtruediv(self, other):
    """number / tensor: torch computes other * reciprocal(self), a MulBackward0 node."""
    out = div(other, self)
    return out if isinstance(other, Tensor) else renamed(out, 'MulBackward0')


def _pos(self):
    return self


_INPLACE = dict(addcmul=addcmul, addcdiv=addcdiv, add=add, sub=sub, mul=mul, div=div, true_divide=div, floor_divide=floor_divide,
                remainder=remainder, fmod=fmod, pow=pow, neg=neg, abs=abs, exp=exp, exp2=exp2, expm1=expm1,
                log=log, log2=log2, log10=log10, log1p=log1p, sqrt=sqrt, rsqrt=rsqrt, square=square,
                reciprocal=reciprocal, sin=sin, cos=cos, tan=tan, asin=asin, acos=acos, atan=atan, sinh=sinh,
                cosh=cosh, tanh=tanh, asinh=asinh, acosh=acosh, atanh=atanh, sigmoid=sigmoid, erf=erf, erfc=erfc,
                erfinv=erfinv, lgamma=lgamma, digamma=digamma, clamp=clamp, clip=clip, clamp_min=clamp_min,
                clamp_max=clamp_max, floor=floor, ceil=ceil, round=round, trunc=trunc, frac=frac, sign=sign,
                nan_to_num=nan_to_num, lerp=lerp, atan2=atan2, hypot=hypot, eq=eq, ne=ne, lt=lt, le=le, gt=gt,
                ge=ge, logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor,
                logical_not=logical_not, bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor,
                bitwise_not=bitwise_not, maximum=maximum, minimum=minimum, multiply=mul, subtract=sub,
                divide=div, negative=neg, absolute=abs, arcsin=asin, arccos=acos, arctan=atan, fix=trunc,
                polygamma=lambda self, n: polygamma(n, self))

bind(**_INPLACE, **{k + '_': _inplace(f, k + '_') for k, f in _INPLACE.items()})
bind(fill_=fill_, zero_=zero_, copy_=copy_, where=lambda self, condition, y: where(condition, self, y),
     isnan=isnan, isinf=isinf, isfinite=isfinite, isposinf=isposinf, isneginf=isneginf, signbit=signbit,
     isclose=isclose, allclose=allclose, equal=equal, float_power=float_power, arctan2=atan2,
     bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
     polygamma_=lambda self, n: self._inplace(lambda s: polygamma(n, s), name='polygamma_'),
     greater=gt, greater_equal=ge, less=lt, less_equal=le, not_equal=ne, fmax=fmax, fmin=fmin)
def _dunder(fn):
    """A comparison operator: operands torch cannot compare with (None, str, lists, other objects) give
    NotImplemented, so Python decides (t == None is False, t < 'a' raises its TypeError), as torch's do."""
    def op(self, other):
        if isinstance(other, (Tensor, bool, int, float, complex)) or hasattr(other, '__array_interface__'):
            return fn(self, other)
        return NotImplemented
    op.__name__ = f"__{fn.__name__}__"
    return op


bind(__add__=add, __radd__=_reversed(add), __iadd__=_inplace(add, 'add_'),
     __sub__=sub, __rsub__=rsub, __isub__=_inplace(sub, 'sub_'),
     __mul__=mul, __rmul__=_reversed(mul), __imul__=_inplace(mul, 'mul_'),
     __truediv__=div, __rtruediv__=_rtruediv, __itruediv__=_inplace(div, 'div_'),
     __floordiv__=floor_divide, __rfloordiv__=_reversed(floor_divide),
     __ifloordiv__=_inplace(floor_divide, 'floor_divide_'),
     __mod__=remainder, __rmod__=_reversed(remainder), __imod__=_inplace(remainder, 'remainder_'),
     __pow__=pow, __rpow__=_reversed(pow), __ipow__=_inplace(pow, 'pow_'),
     __neg__=neg, __pos__=_pos, __abs__=abs,
     __eq__=_dunder(eq), __ne__=_dunder(ne), __lt__=_dunder(lt), __le__=_dunder(le), __gt__=_dunder(gt),
     __ge__=_dunder(ge),
     __and__=bitwise_and, __rand__=_reversed(bitwise_and), __iand__=_inplace(bitwise_and, 'bitwise_and_'),
     __or__=bitwise_or, __ror__=_reversed(bitwise_or), __ior__=_inplace(bitwise_or, 'bitwise_or_'),
     __xor__=bitwise_xor, __rxor__=_reversed(bitwise_xor), __ixor__=_inplace(bitwise_xor, 'bitwise_xor_'),
     __invert__=_invert, __lshift__=bitwise_left_shift, __rshift__=bitwise_right_shift,
     __rlshift__=_reversed(bitwise_left_shift), __rrshift__=_reversed(bitwise_right_shift))

# The NumPy-named vocabulary that backward formulas use, differentiable under create_graph=True.
for _name, _fn in dict(exp=exp, log=log, sqrt=sqrt, sin=sin, cos=cos, sinh=sinh, cosh=cosh, tanh=tanh,
                       sign=sign, abs=abs, where=where, maximum=maximum, minimum=minimum, trunc=trunc,
                       floor=floor, digamma=digamma, polygamma=polygamma, power=pow, square=square,
                       isfinite=isfinite, logical_and=logical_and, logical_or=logical_or, logical_not=logical_not,
                       negative=neg, reciprocal=reciprocal, erf=erf, floor_divide=floor_divide).items():
    register(_name)(_fn)


@register()
def zeros_like(x):
    return _wrap(xp_of(x._data).zeros_like(x._data), None)


@register()
def astype(x, dt):
    return cast(x, _FROM_NP[dt] if not isinstance(dt, _dtype.dtype) else dt)


class Real(Op):
    """The real part of a complex tensor (its gradient is real, as torch's)."""
    __slots__ = ()
    def forward(self, xp, a): return xp.real(a).copy()
    def backward(self, xp, g): return g + 0j


class Imag(Op):
    __slots__ = ()
    def forward(self, xp, a): return xp.imag(a).copy()
    def backward(self, xp, g): return g * 1j


class Conj(Op):
    __slots__ = ()
    def forward(self, xp, a): return xp.conj(a)
    def backward(self, xp, g): return xp.conj(g)


@register()
def real(input):
    """torch.real: the real part (the tensor itself for real tensors)."""
    input = _tensor(input, 'real')
    return Real.apply(input) if input._data.dtype.kind == 'c' else input


@register()
def imag(input):
    """torch.imag: the imaginary part; only complex tensors have one."""
    input = _tensor(input, 'imag')
    if input._data.dtype.kind != 'c':
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


@register()
def conj(input):
    """torch.conj: complex conjugate (real tensors are returned as they are)."""
    input = _tensor(input, 'conj')
    return Conj.apply(input) if input._data.dtype.kind == 'c' else input


def conj_physical(input, *, out=None):
    return conj(input)


def resolve_conj(input):
    """ember conjugates eagerly, so there is never a lazy conjugate bit to resolve."""
    return input


resolve_neg = resolve_conj


def is_conj(input):
    return False


def is_neg(input):
    return False


def angle(input, *, out=None):
    """torch.angle: the argument of complex numbers; pi for negative and 0 for other real numbers."""
    input = _tensor(input, 'angle')
    return Angle.apply(input if input._data.dtype.kind == 'c' else to_float(input))


class Angle(Op):
    __slots__ = ('cplx',)
    def forward(self, xp, a):
        self.cplx = a.dtype.kind == 'c'
        self.saved = (a,)
        y = xp.angle(a)
        # torch: pi for negative numbers only, so 0 at -0.0 where NumPy's angle gives pi
        return y if self.cplx else xp.where(a == 0, 0, y).astype(a.dtype)

    def backward(self, xp, g):
        a, = self.saved
        if not self.cplx:
            return xp.zeros_like(g)
        # torch: the gradient is grad * (-imag + i*real) / |a|^2
        return g * (-xp.imag(a) + xp.real(a) * 1j) / (xp.real(a) * xp.real(a) + xp.imag(a) * xp.imag(a))


bind(real=property(real), imag=property(imag), conj=conj, conj_physical=conj_physical, resolve_conj=resolve_conj,
     resolve_neg=resolve_neg, is_conj=is_conj, is_neg=is_neg, angle=angle)



# --- torch's odds and ends: sgn, copysign, angles, heaviside, logaddexp, gcd/lcm, ldexp, frexp, ... ------
def _refuse_complex(name, t):
    if t._data.dtype.kind == 'c':
        raise RuntimeError(f"{name} is not supported for complex tensors.")


def _needs_tensor(x, op, arg='other', pos=2):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def sgn(input, *, out=None):
    """torch.sgn: z / |z| for complex numbers (0 at 0); the sign for real ones."""
    input = _tensor(input, 'sgn')
    if input._data.dtype.kind != 'c':
        return sign(input)
    # x / |x| is nan at 0 and so is its gradient: divide by a safe |x| and mask both ways
    zero = eq(input, 0)
    return where(zero, 0, div(input, where(zero, 1, abs(input))))


def positive(input):
    """torch.positive: returns input itself (refused for bool tensors, as unary + is)."""
    input = _tensor(input, 'positive')
    if input._data.dtype.kind == 'b':
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Copysign(Op):
    __slots__ = ()
    def forward(self, xp, a, b):
        y = xp.copysign(a, b)
        self.saved = (a, y)
        return y

    def backward(self, xp, g):
        a, y = self.saved
        na, nb = self.needs
        # torch: grad * result / self, 0 where self is 0; no dependence on the sign-giver
        ga = xp.where(a == 0, 0, g * y / xp.where(a == 0, 1, a)) if na else None
        return ga, (xp.zeros_like(g) if nb else None)


def copysign(input, other, *, out=None):
    """torch.copysign: the magnitude of input with the sign of other (a float result)."""
    a, b, dt = promote(_tensor(input, 'copysign'), other, 'copysign')
    if dt.kind == 'c':
        raise NotImplementedError(f"\"copysign_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    if dt.kind in 'biu':
        a, b = _float_pair(input, other)
    return Copysign.apply(a, b)


def deg2rad(input, *, out=None):
    """torch.deg2rad: angles in degrees to radians."""
    input = _tensor(input, 'deg2rad')
    _refuse_complex('deg2rad', input)
    return mul(to_float(input), math.pi / 180.0)


def rad2deg(input, *, out=None):
    """torch.rad2deg: angles in radians to degrees."""
    input = _tensor(input, 'rad2deg')
    _refuse_complex('rad2deg', input)
    return mul(to_float(input), 180.0 / math.pi)


def heaviside(input, values, *, out=None):
    """torch.heaviside: 0 where input < 0, values where input == 0, 1 where input > 0 (no gradient)."""
    input = _tensor(input, 'heaviside')
    values = _needs_tensor(values, 'heaviside', 'values')
    a, v = input._data, values._data
    if a.dtype.kind == 'c' or v.dtype.kind == 'c':
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if a.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    xp = xp_of(a)
    try:
        y = xp.where(a == 0, v, a > 0).astype(a.dtype)
    except ValueError:
        raise RuntimeError(f"heaviside: the shapes {list(a.shape)} and {list(v.shape)} do not broadcast") from None
    return _wrap(y, xp)


class LogAddExp(Op):
    """log(exp(a) + exp(b)) (base 2 with log2/exp2), without overflow: max + log1p(exp(-|a - b|))."""
    __slots__ = ()
    base2 = False

    def forward(self, xp, a, b):
        if a.dtype.kind == 'c':
            m = xp.where(a.real >= b.real, a, b)
            y = m + xp.log1p(xp.exp(a + b - 2 * m))   # a + b - m is the other one
        else:
            m = xp.maximum(a, b)
            d = -xp.abs(a - b)
            y = m + (xp.log1p(xp.exp2(d)) / math.log(2.0) if self.base2 else xp.log1p(xp.exp(d)))
            # equal infinities: a - b is nan, the answer is the infinity itself
            y = xp.where((a == b) & xp.isinf(a), a, y)
            if y.dtype != a.dtype:   # ml_dtypes' bfloat16 / Python float gives float32
                y = y.astype(a.dtype)
        self.saved = (a, b, y)
        return y

    def backward(self, xp, g):
        a, b, y = _conj_saved(xp, g, self.saved)
        na, nb = self.needs
        f = xp.exp2 if self.base2 else xp.exp
        # torch's g / (1 + exp(b - a)) rather than g * exp(a - y): finite where a or b is infinite
        return (g / (1 + f(b - a)) if na else None), (g / (1 + f(a - b)) if nb else None)


class LogAddExp2(LogAddExp):
    __slots__ = ()
    base2 = True


def _float_binary(name, input, other, complex_ok=False):
    """Both tensors, promoted; integers to the default float; complex refused unless complex_ok."""
    a, b, dt = promote(_tensor(input, name), _needs_tensor(other, name), name)
    if dt.kind in 'biu' or (dt.kind == 'c' and not complex_ok):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    return a, b


def logaddexp(input, other, *, out=None):
    """torch.logaddexp: log(exp(input) + exp(other)), computed stably."""
    return LogAddExp.apply(*_float_binary('logaddexp', input, other, complex_ok=True))


def logaddexp2(input, other, *, out=None):
    """torch.logaddexp2: log2(2**input + 2**other), computed stably."""
    return LogAddExp2.apply(*_float_binary('logaddexp2', input, other))


def _int_binary(npname, op):
    def fn(input, other, *, out=None):
        a, b, dt = promote(_tensor(input, op), _needs_tensor(other, op), op)
        if dt.kind not in 'iu':
            raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
        xp = xp_of(a._data)
        return _wrap(getattr(xp, npname)(a._data, b._data), xp)
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = f"torch.{op}: the elementwise {'greatest common divisor' if op == 'gcd' else 'least common multiple'}" \
                 " of integer tensors (never negative)."
    return fn


gcd = _int_binary('gcd', 'gcd')
lcm = _int_binary('lcm', 'lcm')


def ldexp(input, other, *, out=None):
    """torch.ldexp: input * 2 ** other (a floating point result)."""
    input, other = _tensor(input, 'ldexp'), _needs_tensor(other, 'ldexp')
    dt = result_type(input, other)
    if dt.kind in 'biu':
        dt = _dtype._default[0]
    # torch's kernel: mul(input, pow(2.0, other)) written into a tensor of the promoted dtype (2 ** other
    # is rounded in other's own dtype)
    y = mul(input, pow(2.0, other))
    return y if y.dtype == dt else cast(y, dt)


class Frexp(Op):
    __slots__ = ()
    differentiable_outputs = (True, False)

    def forward(self, xp, a):
        m, e = xp.frexp(a)
        e = e.astype('int32')
        self.saved = (e,)
        return m, e

    def backward(self, xp, g, ge=None):
        e, = self.saved
        return g / xp.exp2(xp.astype(e, g.dtype))


def frexp(input, *, out=None):
    """torch.frexp: input = mantissa * 2 ** exponent, mantissa in (-1, 1) and an int32 exponent."""
    input = _tensor(input, 'frexp')
    if input.dtype.kind != 'f':
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    global _FREXP
    if _FREXP is None:   # reduction.py (which defines torch's return types) imports this module
        from .reduction import _return_type
        _FREXP = _return_type('frexp', ('mantissa', 'exponent'))
    return _FREXP(*Frexp.apply(input))


_FREXP = None


class NextAfter(Op):
    """torch's gradient: grad for input where it moves (input != other), nothing for other."""
    __slots__ = ()
    def forward(self, xp, a, b):
        self.saved = (a, b)
        return xp.nextafter(a, b)

    def backward(self, xp, g):
        a, b = self.saved
        return xp.where(a == b, 0, g), xp.zeros_like(g)


def nextafter(input, other, *, out=None):
    """torch.nextafter: the next floating point value after input towards other."""
    return NextAfter.apply(*_float_binary('nextafter', input, other))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """torch.isin: whether each element of elements is in test_elements (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: elements and test_elements "
                        "cannot both be numbers")
    ref = elements if isinstance(elements, Tensor) else test_elements
    xp = xp_of(ref._data)
    arrs = []
    for x in (elements, test_elements):
        a = x._data if isinstance(x, Tensor) else xp.asarray(x)
        if a.dtype.kind in 'bc':
            raise RuntimeError(f"Unsupported input type encountered for isin(): "
                               f"{_INT_NAMES[_FROM_NP[a.dtype].name]}")
        arrs.append(a)
    e, t = arrs
    y = xp.isin(e, t, assume_unique=assume_unique, invert=invert)
    return _wrap(xp.asarray(y), xp)


def _float_power_(self, exponent):
    if self._data.dtype.name not in ('float64', 'complex128'):
        want = 'ComplexDouble' if self._data.dtype.kind == 'c' or (isinstance(exponent, Tensor) and
                                                                  exponent._data.dtype.kind == 'c') else 'Double'
        raise RuntimeError(f"the base given to float_power_ has dtype {_INT_NAMES[self._data.dtype.name]} but "
                           f"the operation's result requires dtype {want}")
    return self._inplace(float_power, exponent, name='float_power_')


_EXTRA = dict(sgn=sgn, copysign=copysign, deg2rad=deg2rad, rad2deg=rad2deg, heaviside=heaviside, gcd=gcd,
              lcm=lcm, ldexp=ldexp, nextafter=nextafter, arcsinh=asinh, arccosh=acosh, arctanh=atanh,
              arctan2=atan2, greater=gt, greater_equal=ge, less=lt, less_equal=le, not_equal=ne)
bind(**_EXTRA, **{k + '_': _inplace(f, k + '_') for k, f in _EXTRA.items()},
     positive=positive, logaddexp=logaddexp, logaddexp2=logaddexp2, frexp=frexp, isreal=isreal,
     float_power_=_float_power_)
register('logaddexp')(logaddexp)
register('exp2')(exp2)
register('copysign')(copysign)


def _inplace_function(name):
    fn = lambda t, *a, **k: getattr(t, name)(*a, **k)   # noqa: E731  (looked up per call: methods bound later)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): input.{name}(...), in place."
    return fn


# torch's top-level in-place forms (torch.exp_(t) is t.exp_()); relu_ comes with nn's functional forms
for _name in ('abs_', 'acos_', 'acosh_', 'addmv_', 'arccos_', 'arccosh_', 'arcsin_', 'arcsinh_', 'arctan_',
              'arctanh_', 'asin_', 'asinh_', 'atan_', 'atanh_', 'ceil_', 'clamp_', 'clamp_max_', 'clamp_min_',
              'clip_', 'conj_physical_', 'cos_', 'cosh_', 'deg2rad_', 'detach_', 'erf_', 'erfc_', 'exp2_', 'exp_',
              'expm1_', 'fix_', 'floor_', 'frac_', 'gcd_', 'index_put_', 'lcm_', 'ldexp_', 'log10_', 'log1p_',
              'log2_', 'log_', 'nan_to_num_', 'neg_', 'negative_', 'rad2deg_', 'reciprocal_', 'round_', 'rsqrt_',
              'sigmoid_', 'sin_', 'sinh_', 'sqrt_', 'square_', 'tan_', 'tanh_', 'trunc_'):
    globals()[_name] = _inplace_function(_name)


__all__ = public_names(globals(), __name__)
