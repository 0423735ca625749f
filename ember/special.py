"""torch.special: special mathematical functions, with torch's signatures, dtype rules and gradients.

The functions torch.special shares with the core (erf, expm1, digamma, softmax, ...) are the core's ops
under their special names. The others are `Op`s here, forward beside backward. SciPy computes the
functions that have no closed form over arrays (Bessel functions, ndtri, erfcx, zeta); it is reached
through the backend (`xp.i0e`, `xp.ndtri`, ...) and imported on first use. Every backward formula uses
only `xp` names that `graph_xp` knows (this module registers i0, i1, i0e, i1e, gammaln, xlogy, xlog1py and
zeta), so higher-order gradients work through all of them.
"""
import math
from . import _dtype
from .tensor import Tensor, cast
from .autograd.graph import Op, _wrap
from .autograd.graph_xp import register
from .ops import add_out_support
from .ops._util import bind, promote, to_float, const
from .ops.elementwise import (Unary, erf, erfc, erfinv, sigmoid, log1p, expm1, exp2, lgamma, digamma, polygamma,
                              round as _round_any, _inplace, _INT_NAMES)
from .ops.reduction import logsumexp
from .ops.shape import unsqueeze
from .nn.functional.activation import softmax as _softmax, log_softmax as _log_softmax

_SQRT_2PI = math.sqrt(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _input(x, op):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _float_input(x, op, kernel, half=True):
    """Integer and bool inputs compute in the default float dtype; complex ones are refused, as torch does, and
    so are float16 and bfloat16 ones where torch has no half-precision kernel (half=False)."""
    x = _input(x, op)
    k = x._data.dtype.kind
    if k == 'c' or (not half and x.dtype.is_floating_point and x.dtype.itemsize == 2):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_INT_NAMES[x.dtype.name]}'")
    return to_float(x) if k in 'biu' else x


def _safe_nonzero(xp, x):
    """(mask of |x| > eps, x with the tiny elements replaced by eps): formulas with a 1/x term use the safe x
    and pick their limit at 0 with the mask, so the unused branch cannot make a NaN gradient (torch's trick)."""
    dt = x.dtype if isinstance(x, Tensor) else _dtype._FROM_NP[x.dtype]
    eps = float(_dtype.finfo(dt).eps)
    big = ~(xp.abs(x) <= eps)   # NaN counts as big, so it propagates through the formula
    return big, xp.where(big, x, eps)


class _SpecialUnary(Unary):
    scipy = True   # computed by SciPy: half precision comes back as float32 and is cast back


class _UsesXY(_SpecialUnary):
    """A unary op whose backward needs both its input and its output."""
    def forward(self, xp, a):
        y = getattr(xp, self.fn)(a)
        if y.dtype != a.dtype:
            y = y.astype(a.dtype)
        self.saved = (a, y)
        return y


# --- Bessel functions ---------------------------------------------------------------------------
class I0(_SpecialUnary):
    fn = 'i0'
    def vjp(self, xp, g, x): return g * xp.i1(x)


class I0e(_UsesXY):
    fn = 'i0e'
    def vjp(self, xp, g, x, y): return g * (xp.i1e(x) - xp.sign(x) * y)


class I1(_UsesXY):
    fn = 'i1'
    def vjp(self, xp, g, x, y):
        big, sx = _safe_nonzero(xp, x)
        return g * xp.where(big, xp.i0(sx) - y / sx, 0.5)   # i1'(0) = 1/2


class I1e(_UsesXY):
    fn = 'i1e'
    def vjp(self, xp, g, x, y):
        big, sx = _safe_nonzero(xp, x)
        return g * xp.where(big, xp.i0e(sx) - y * (xp.sign(sx) + 1 / sx), 0.5)


# --- error function and normal distribution -----------------------------------------------------
class Erfcx(_UsesXY):
    fn = 'erfcx'
    def vjp(self, xp, g, x, y): return g * (x * y * 2 - _TWO_OVER_SQRT_PI)


class Ndtr(_SpecialUnary):
    fn = 'ndtr'
    def vjp(self, xp, g, x): return g * xp.exp(x * x * -0.5) * (1 / _SQRT_2PI)


class LogNdtr(_UsesXY):
    fn = 'log_ndtr'
    def vjp(self, xp, g, x, y): return g * xp.exp(-(y + x * x * 0.5)) * (1 / _SQRT_2PI)


class Ndtri(_SpecialUnary):
    fn, uses = 'ndtri', 'y'
    def vjp(self, xp, g, y): return g * xp.exp(y * y * 0.5) * _SQRT_2PI


# --- entropy, logit, sinc ---------------------------------------------------------------------
class Entr(_SpecialUnary):
    fn = 'entr'
    def vjp(self, xp, g, x): return g * -(xp.log(x) + 1)


class Logit(_SpecialUnary):
    __slots__ = ('eps',)

    def forward(self, xp, a, eps):
        self.eps = eps
        self.saved = (a,)
        # torch tests the lower bound first: with eps > 0.5 an input below eps becomes eps, not 1 - eps
        x = a if eps is None else xp.where(a < eps, eps, xp.where(a > 1 - eps, 1 - eps, a)).astype(a.dtype)
        return xp.log(x / (1 - x))

    def vjp(self, xp, g, x):
        d = g / (x * (1 - x))
        if self.eps is None:   # torch: NaN outside [0, 1]
            return xp.where(xp.logical_or(x < 0, x > 1), math.nan, d)
        return xp.where(xp.logical_or(x < self.eps, x > 1 - self.eps), 0.0, d)


class Sinc(_SpecialUnary):
    fn = 'sinc'
    def vjp(self, xp, g, x):
        big, sx = _safe_nonzero(xp, x)
        px = sx * math.pi
        d = xp.where(big, (px * xp.cos(px) - xp.sin(px)) / (px * sx), 0.0)
        return g * d   # (Unary conjugates the derivative of complex input)


# --- two-argument functions ---------------------------------------------------------------------
class _Binary(Op):
    __slots__ = ()
    fn = ''

    def forward(self, xp, a, b):
        self.saved = (a, b)
        y = getattr(xp, self.fn)(a, b)
        return y.astype(a.dtype) if y.dtype != a.dtype else y


class Xlogy(_Binary):
    fn = 'xlogy'
    def backward(self, xp, g):
        x, y = self.saved
        nx, ny = self.needs
        # d/dx is log(y) except where x == 0 (there x*log(y) is 0 whatever y is), unless y is NaN
        return (g * xp.xlogy(xp.astype(x != 0, y.dtype), y) if nx else None), (g * x / y if ny else None)


class Xlog1py(_Binary):
    fn = 'xlog1py'
    def backward(self, xp, g):
        x, y = self.saved
        nx, ny = self.needs
        return (g * xp.xlog1py(xp.astype(x != 0, y.dtype), y) if nx else None), (g * x / (y + 1) if ny else None)


class Zeta(_Binary):
    fn = 'zeta'
    def backward(self, xp, g):
        x, q = self.saved
        nx, nq = self.needs
        if nx:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, (g * -x * xp.zeta(x + 1, q) if nq else None)


class Gammainc(_Binary):
    fn = 'gammainc'
    sign = 1.0

    def forward(self, xp, a, x):
        y = _Binary.forward(self, xp, a, x)
        # torch: at x = 0 the integral is empty even for a NaN a
        return xp.where(xp.isnan(a) & (x == 0), 0.0 if self.sign > 0 else 1.0, y).astype(y.dtype)

    def backward(self, xp, g):
        a, x = self.saved
        na, nx = self.needs
        if na:
            raise NotImplementedError(f"the derivative for '{self.fn}: input' is not implemented.")
        # d/dx P(a, x) = x^(a-1) e^(-x) / Gamma(a)
        return None, g * xp.exp((a - 1) * xp.log(x) - x - xp.gammaln(a)) * self.sign if nx else None


class Gammaincc(Gammainc):
    fn, sign = 'gammaincc', -1.0


def _float_pair(input, other, op, half=True):
    """Promote two arguments (Tensors or Python numbers, at least one Tensor) to one floating dtype."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"special_{op}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
                        f" * (Tensor input, Tensor other, *, Tensor out = None)\n"
                        f" * (Number self, Tensor other, *, Tensor out = None)\n"
                        f" * (Tensor input, Number other, *, Tensor out = None)\n")
    a, b, dt = promote(input, other, op)
    if dt.is_complex or (not half and dt.is_floating_point and dt.itemsize == 2):
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    if not dt.is_floating_point:
        f = _dtype._default[0]
        # each original operand straight to float: through the common integer dtype a 0-d int64 -3 beside
        # a uint8 tensor would wrap to 253
        a = cast(input, f) if isinstance(input, Tensor) else const(input, f.np, _xp_of(a))
        b = cast(other, f) if isinstance(other, Tensor) else const(other, f.np, _xp_of(b))
    return a, b


def _xp_of(a):
    from .backend import xp_of
    return xp_of(a)


# --- public functions -----------------------------------------------------------------------------
def _unary_fn(cls, name, kernel, doc, half=True):
    def fn(input, *, out=None):
        return cls.apply(_float_input(input, name, kernel, half))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


i0 = _unary_fn(I0, 'i0', 'i0_vml_cpu',
               "Computes the zeroth order modified Bessel function of the first kind for each element of input.")
i0e = _unary_fn(I0e, 'i0e', 'i0e_cpu', "Computes the exponentially scaled zeroth order modified Bessel function of "
                                      "the first kind: exp(-|x|) * i0(x).")
i1 = _unary_fn(I1, 'i1', 'i1_cpu',
               "Computes the first order modified Bessel function of the first kind for each element of input.")
i1e = _unary_fn(I1e, 'i1e', 'i1e_cpu', "Computes the exponentially scaled first order modified Bessel function of "
                                      "the first kind: exp(-|x|) * i1(x).")
erfcx = _unary_fn(Erfcx, 'erfcx', 'erfcx_cpu',
                  "Computes the scaled complementary error function for each element of input: exp(x^2) * erfc(x).",
                  half=False)
ndtr = _unary_fn(Ndtr, 'ndtr', 'ndtr_cpu', "Computes the area under the standard Gaussian probability density "
                                          "function, integrated from minus infinity to input, elementwise.")
log_ndtr = _unary_fn(LogNdtr, 'log_ndtr', 'log_ndtr_cpu', "Computes the log of the area under the standard Gaussian "
                     "probability density function, integrated from minus infinity to input, elementwise.", half=False)
ndtri = _unary_fn(Ndtri, 'ndtri', 'ndtri_cpu', "Computes the argument, x, for which the area under the Gaussian "
                  "probability density function (integrated from minus infinity to x) is equal to input, elementwise.", half=False)
entr = _unary_fn(Entr, 'entr', 'entr_cpu', "Computes the entropy on input elementwise: -x * ln(x) for x > 0, 0 for "
                 "x = 0 and -inf for x < 0.")
def sinc(input, *, out=None):
    """Computes the normalized sinc of input: sin(pi * x) / (pi * x), and 1 where x is 0 (complex input
    included)."""
    x = _input(input, 'sinc')
    return Sinc.apply(x if x._data.dtype.kind == 'c' else _float_input(x, 'sinc', 'sinc_cpu'))


def logit(input, eps=None, *, out=None):
    """Returns a new tensor with the logit of the elements of input: log(z / (1 - z)). input is clamped to
    [eps, 1 - eps] when eps is not None."""
    x = _float_input(input, 'logit', 'logit_cpu')
    return Logit.apply(x, eps=None if eps is None else float(eps))


def xlogy(input, other, *, out=None):
    """Computes input * log(other), which is 0 where input is 0 (unless other is NaN)."""
    return Xlogy.apply(*_float_pair(input, other, 'xlogy'))


def xlog1py(input, other, *, out=None):
    """Computes input * log1p(other), which is 0 where input is 0 (unless other is NaN)."""
    return Xlog1py.apply(*_float_pair(input, other, 'xlog1py'))


def zeta(input, other, *, out=None):
    """Computes the Hurwitz zeta function, elementwise: sum over k >= 0 of 1 / (k + other)^input."""
    return Zeta.apply(*_float_pair(input, other, 'zeta', half=False))


def _tensors_only(input, other, op):
    """torch's incomplete gamma functions take no Python numbers."""
    for pos, (argname, x) in enumerate((('input', input), ('other', other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")
    if input._data.dtype.kind in 'biu' and other._data.dtype.kind in 'biu':   # no integer kernel in torch
        kernel = 'igamma_cpu' if op == 'special_gammainc' else 'igammac_cpu'
        word = _INT_NAMES[_dtype.promote_types(input.dtype, other.dtype).name]
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{word}'")
    return _float_pair(input, other, op)


def _round(input, *, decimals=0, out=None):
    """torch.special.round: torch.round, except that integer and bool input are refused."""
    x = _input(input, 'special_round')
    if x._data.dtype.kind in 'biu':
        raise NotImplementedError(f"\"round_vml_cpu\" not implemented for '{_INT_NAMES[x.dtype.name]}'")
    return _round_any(x, decimals=decimals, out=out)


def gammainc(input, other, *, out=None):
    """Computes the regularized lower incomplete gamma function P(input, other)."""
    return Gammainc.apply(*_tensors_only(input, other, 'special_gammainc'))


def gammaincc(input, other, *, out=None):
    """Computes the regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    return Gammaincc.apply(*_tensors_only(input, other, 'special_gammaincc'))


def multigammaln(input, p, *, out=None):
    """Computes the multivariate log-gamma function with dimension p, elementwise:
    log(pi) * p * (p - 1) / 4 + sum over j < p of lgamma(input - j / 2)."""
    x = _float_input(input, 'multigammaln', 'mvlgamma')
    p = int(p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    xp = _xp_of(x._data)
    offsets = _wrap(-xp.arange(p, dtype=x._data.dtype) * x._data.dtype.type(0.5), xp)
    return lgamma(unsqueeze(x, -1) + offsets).sum(-1) + p * (p - 1) * math.log(math.pi) / 4


def _no_grad_fn(xp_name, name, doc):
    """A function torch gives no gradient (its result never requires grad)."""
    def fn(input, *, out=None):
        x = _float_input(input, name, name + '_cpu', half=False)
        a = x._data
        y = getattr(_xp_of(a), xp_name)(a)
        return _wrap(y.astype(a.dtype) if y.dtype != a.dtype else y, None)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + " Not differentiable, as in torch."
    return fn


bessel_j0 = _no_grad_fn('j0', 'bessel_j0', "Bessel function of the first kind of order 0.")
bessel_j1 = _no_grad_fn('j1', 'bessel_j1', "Bessel function of the first kind of order 1.")
bessel_y0 = _no_grad_fn('y0', 'bessel_y0', "Bessel function of the second kind of order 0.")
bessel_y1 = _no_grad_fn('y1', 'bessel_y1', "Bessel function of the second kind of order 1.")
modified_bessel_i0 = _no_grad_fn('i0', 'modified_bessel_i0', "Modified Bessel function of the first kind of order 0.")
modified_bessel_i1 = _no_grad_fn('i1', 'modified_bessel_i1', "Modified Bessel function of the first kind of order 1.")
modified_bessel_k0 = _no_grad_fn('k0', 'modified_bessel_k0', "Modified Bessel function of the second kind of order 0.")
modified_bessel_k1 = _no_grad_fn('k1', 'modified_bessel_k1', "Modified Bessel function of the second kind of order 1.")
scaled_modified_bessel_k0 = _no_grad_fn('k0e', 'scaled_modified_bessel_k0',
                                        "Exponentially scaled modified Bessel function of the second kind of order 0.")
scaled_modified_bessel_k1 = _no_grad_fn('k1e', 'scaled_modified_bessel_k1',
                                        "Exponentially scaled modified Bessel function of the second kind of order 1.")


def expit(input, *, out=None):
    """Computes the expit (also known as the logistic sigmoid function) of the elements of input."""
    return sigmoid(input)


def gammaln(input, *, out=None):
    """Computes the natural logarithm of the absolute value of the gamma function on input."""
    return lgamma(input)


def psi(input, *, out=None):
    """Alias for torch.special.digamma: the logarithmic derivative of the gamma function."""
    return digamma(input)


def softmax(input, dim, *, dtype=None):
    """Computes the softmax function: exp(x_i) / sum_j exp(x_j) along dim."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """Computes softmax followed by a logarithm, along dim."""
    return _log_softmax(input, dim, dtype=dtype)


# --- orthogonal polynomials, spherical Bessel j0, Airy Ai (no gradients, as in torch) ----------------------
def _poly_operands(input, n, op):
    """x and n as arrays of their common float dtype (ints count as the default float) and as int64 degrees
    (a float degree is truncated toward zero, as torch does)."""
    from .ops.creation import tensor as _tensor
    if not isinstance(input, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    xt = input if isinstance(input, Tensor) else None
    nt = n if isinstance(n, Tensor) else None
    dt = _dtype.result_type(input, n)
    if not (dt.is_floating_point or dt.is_complex):
        dt = _dtype.get_default_dtype()
    if dt.is_complex or dt.itemsize == 2:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    like = (xt if xt is not None else nt)._data
    xp = _xp_of(like)
    x = xt._data.astype(dt.np) if xt is not None else xp.asarray(input, dtype=dt.np)
    nn = nt._data if nt is not None else xp.asarray(n)
    if nn.dtype.kind == 'f':
        nn = xp.where(xp.isfinite(nn), nn, 0)
    nn = nn.astype('int64')
    x, nn = xp.broadcast_arrays(x, nn)
    return xp, x, nn, dt


def _recurrence(xp, x, n, p1, step):
    """P_n(x) for each element's own degree n from P_0 = 1, P_1 = p1 and P_{k+1} = step(k, P_{k-1}, P_k)."""
    one = xp.ones_like(x)
    out = xp.where(n == 0, one, p1)
    top = int(n.max()) if n.size else 0
    p, q = one, p1
    for k in range(1, top):
        r = step(k, p, q)
        out = xp.where(n == k + 1, r, out)
        if k % 64 == 0 and bool(xp.isnan(xp.where(n > k + 1, r, xp.nan)).all()):
            out = xp.where(n > k + 1, r, out)   # every element still climbing is NaN: it stays NaN
            break
        p, q = q, r
    return xp.where(n < 0, xp.zeros_like(out), out)


# degree above which torch evaluates a Chebyshev polynomial inside (-1, 1) through its trigonometric form
_TRIG_FROM = {('t', False): 6, ('u', False): 8, ('v', False): 8, ('w', False): 8,
              ('t', True): 6, ('u', True): 6, ('v', True): 6, ('w', True): 4}


def _chebyshev(input, n, kind, shifted, op):
    xp, x, n, dt = _poly_operands(input, n, op)
    c = lambda v: xp.asarray(v, dt.np)   # noqa: E731
    y = x + x - c(1) if shifted else x
    two_y = y + y
    p1 = {'t': y, 'u': two_y, 'v': two_y - c(1), 'w': two_y + c(1)}[kind]
    out = _recurrence(xp, y, n, p1, lambda k, p, q: two_y * q - p)
    nf = n.astype(dt.np)
    inside = (xp.abs(y) < 1) & (n > _TRIG_FROM[kind, shifted])
    if inside.any():
        th = xp.arccos(xp.where(inside, y, 0))
        if kind == 't':
            trig = xp.cos(nf * th)
        elif kind == 'u':
            trig = xp.sin((nf + c(1)) * th) / xp.sin(th)
        elif kind == 'v':
            trig = xp.cos((nf + c(0.5)) * th) / xp.cos(th / c(2))
        else:
            trig = xp.sin((nf + c(0.5)) * th) / xp.sin(th / c(2))
        out = xp.where(inside, trig, out)
    # at x = +-1 the values are known exactly
    even, pos, one = n % 2 == 0, y > 0, xp.ones_like(out)
    n1, n2 = nf + c(1), nf + nf + c(1)
    edge = {'t': xp.where(pos | even, one, -one), 'u': xp.where(pos | even, n1, -n1),
            'v': xp.where(pos, one, xp.where(even, n2, -n2)), 'w': xp.where(pos, n2, xp.where(even, one, -one))}[kind]
    out = xp.where((xp.abs(y) == 1) & (n >= 0), edge, out)
    return _wrap(out.astype(dt.np, copy=False), xp)


def _chebyshev_fn(kind, shifted):
    name = ('shifted_' if shifted else '') + 'chebyshev_polynomial_' + kind
    first = {'t': 'first', 'u': 'second', 'v': 'third', 'w': 'fourth'}[kind]

    def fn(input, n, *, out=None):
        return _chebyshev(input, n, kind, shifted, name)
    fn.__name__ = fn.__qualname__ = name
    arg = '2x - 1' if shifted else 'x'
    fn.__doc__ = (f"{'Shifted ' if shifted else ''}Chebyshev polynomial of the {first} kind of degree n at {arg} "
                  f"(input x, n a tensor or number; a negative n gives 0). No gradient.")
    return fn


chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w = (
    _chebyshev_fn(k, False) for k in 'tuvw')
shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v, \
    shifted_chebyshev_polynomial_w = (_chebyshev_fn(k, True) for k in 'tuvw')


def hermite_polynomial_h(input, n, *, out=None):
    """Physicists' Hermite polynomial H_n(input): H_{k+1} = 2x H_k - 2k H_{k-1}. No gradient."""
    xp, x, n, dt = _poly_operands(input, n, 'hermite_polynomial_h')
    two_x = x + x
    r = _recurrence(xp, x, n, two_x, lambda k, p, q: two_x * q - xp.asarray(2 * k, dt.np) * p)
    return _wrap(r, xp)


def hermite_polynomial_he(input, n, *, out=None):
    """Probabilists' Hermite polynomial He_n(input): He_{k+1} = x He_k - k He_{k-1}. No gradient."""
    xp, x, n, dt = _poly_operands(input, n, 'hermite_polynomial_he')
    return _wrap(_recurrence(xp, x, n, x, lambda k, p, q: x * q - xp.asarray(k, dt.np) * p), xp)


def laguerre_polynomial_l(input, n, *, out=None):
    """Laguerre polynomial L_n(input): (k+1) L_{k+1} = (2k+1-x) L_k - k L_{k-1}; L_n(0) = 1. No gradient."""
    xp, x, n, dt = _poly_operands(input, n, 'laguerre_polynomial_l')
    c = lambda v: xp.asarray(v, dt.np)   # noqa: E731
    r = _recurrence(xp, x, n, c(1) - x, lambda k, p, q: ((c(2 * k + 1) - x) * q - c(k) * p) / c(k + 1))
    return _wrap(xp.where((x == 0) & (n >= 0), xp.ones_like(r), r), xp)


def legendre_polynomial_p(input, n, *, out=None):
    """Legendre polynomial P_n(input): (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}. No gradient."""
    xp, x, n, dt = _poly_operands(input, n, 'legendre_polynomial_p')
    c = lambda v: xp.asarray(v, dt.np)   # noqa: E731
    r = _recurrence(xp, x, n, x, lambda k, p, q: (c(2 * k + 1) * x * q - c(k) * p) / c(k + 1))
    one = xp.ones_like(r)
    edge = xp.where((x > 0) | (n % 2 == 0), one, -one)
    return _wrap(xp.where((xp.abs(x) == 1) & (n >= 0), edge, r), xp)


def _unary_float(input, op):
    x = _input(input, op)
    dt = x.dtype
    if not dt.is_floating_point:
        if dt.is_complex:
            raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
        dt = _dtype.get_default_dtype()
    if dt.itemsize == 2:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_INT_NAMES[dt.name]}'")
    a = x._data.astype(dt.np, copy=False)
    return _xp_of(a), a, dt


def spherical_bessel_j0(input, *, out=None):
    """Spherical Bessel function of the first kind of order 0: sin(x) / x (1 at 0). No gradient."""
    xp, a, dt = _unary_float(input, 'spherical_bessel_j0')
    small = xp.abs(a) < xp.asarray(0.5, dt.np)
    safe = xp.where(small, xp.ones_like(a), a)
    x2 = a * a
    # the Taylor series near 0, where sin(x)/x loses digits
    series = 1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110 * (1 - x2 / 156)))))
    r = xp.where(small, series, xp.sin(safe) / safe)
    r = xp.where(xp.isinf(a), xp.zeros_like(a), r)
    return _wrap(r.astype(dt.np, copy=False), xp)


def airy_ai(input, *, out=None):
    """Airy function Ai(input). No gradient."""
    xp, a, dt = _unary_float(input, 'airy_ai')
    import scipy.special
    r = scipy.special.airy(a)[0]
    r = xp.where(xp.isinf(a), xp.nan, r)
    return _wrap(xp.asarray(r).astype(dt.np), xp)


# the core ops torch.special names again
erf, erfc, erfinv, digamma, polygamma, log1p, expm1, exp2, logsumexp = \
    erf, erfc, erfinv, digamma, polygamma, log1p, expm1, exp2, logsumexp
round = _round

__all__ = ['erf', 'erfc', 'erfcx', 'erfinv', 'expit', 'logit', 'xlogy', 'xlog1py', 'gammaln', 'digamma', 'psi',
           'polygamma', 'multigammaln', 'i0', 'i0e', 'i1', 'i1e', 'entr', 'log_ndtr', 'ndtr', 'ndtri', 'sinc',
           'round', 'log1p', 'expm1', 'exp2', 'softmax', 'log_softmax', 'logsumexp', 'zeta', 'gammainc',
           'gammaincc', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'modified_bessel_i0',
           'modified_bessel_i1', 'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1',
           'chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v', 'chebyshev_polynomial_w',
           'shifted_chebyshev_polynomial_t', 'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
           'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
           'laguerre_polynomial_l', 'legendre_polynomial_p', 'spherical_bessel_j0', 'airy_ai']

# differentiable versions of the xp names the backward formulas above use (create_graph=True)
for _name, _fn in dict(i0=i0, i1=i1, i0e=i0e, i1e=i1e, gammaln=lgamma, xlogy=xlogy, xlog1py=xlog1py,
                       zeta=zeta).items():
    register(_name)(_fn)


def _mvlgamma(input, p, *, out=None):
    return multigammaln(input, p)


_mvlgamma.__name__ = _mvlgamma.__qualname__ = 'mvlgamma'
_mvlgamma.__doc__ = "torch.mvlgamma: alias for torch.special.multigammaln."

_METHODS = dict(i0=i0, sinc=sinc, logit=logit, xlogy=xlogy, igamma=gammainc, igammac=gammaincc,
                mvlgamma=lambda self, p: multigammaln(self, p))
bind(**_METHODS, **{k + '_': _inplace(f, k + '_') for k, f in _METHODS.items()})

# torch's top-level forms of these functions (torch.i0, torch.sinc, ...), for ember/__init__.py to export
TOPLEVEL = dict(i0=i0, sinc=sinc, logit=logit, xlogy=xlogy, igamma=gammainc, igammac=gammaincc, mvlgamma=_mvlgamma,
                i0_=lambda input: input.i0_(), sinc_=lambda input: input.sinc_(),
                logit_=lambda input, eps=None: input.logit_(eps), xlogy_=lambda input, other: input.xlogy_(other))

add_out_support(globals())
