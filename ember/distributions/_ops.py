"""The few primitives torch.distributions needs that ember's core does not have: gamma sampling with its
pathwise gradient (torch._standard_gamma), xlogy and the regularized incomplete gamma function (for
Gamma.cdf); and the two ember.linalg routines MultivariateNormal uses.

Each is an `Op` whose backward is written over `xp`, as in ember/ops.
"""
from .. import _dtype
from ..autograd.graph import Op
from ..autograd.graph_xp import register, GraphXP as _GraphXP
from ..backend import _special
from ..ops.random import _gen

_gammainc = _special('gammainc')

if 'gammaln' not in vars(_GraphXP):   # Gammainc's backward under create_graph=True
    def _graph_gammaln(x):
        from ..ops.elementwise import lgamma
        return lgamma(x)
    register('gammaln')(_graph_gammaln)


# --- gamma samples and their derivative w.r.t. the concentration ---------------------------------
def _iterate(xp, state, step, converged, out):
    """Run `step` on the still-unconverged elements only: every 8 steps, elements whose `converged` test
    holds are written to `out` (by position) and dropped, so the cost follows the slowest elements' count
    rather than the whole array's size times the slowest's iterations."""
    idx = xp.arange(out.shape[0])
    n = 0
    while idx.size and n < 20000:
        for _ in range(8):
            n += 1
            state = step(n, state)
        done = converged(state)
        if done.any():
            out[idx[done]] = state[-1][done]
            keep = ~done
            idx = idx[keep]
            state = tuple(s[keep] if getattr(s, 'ndim', 0) else s for s in state)
    if idx.size:
        out[idx] = state[-1]
    return out


def _series_ratio(xp, a, x):
    """S(a, x) = sum_n x**n / ((a+1)...(a+n)), where P(a, x) = x**a e**-x S / Gamma(a+1). Evaluated for
    complex a (a complex step), so its derivative in a comes out exactly in the imaginary part."""
    def step(n, st):
        a, x, term, total = st
        term = term * (x / (a + n))
        return a, x, term, total + term

    def converged(st):
        return abs(st[2].real) <= 1e-17 * abs(st[3].real)

    one = xp.ones_like(a)
    return _iterate(xp, (a, x, one, one), step, converged, xp.empty_like(a))


def _continued_fraction(xp, a, x):
    """h(a, x) with Q(a, x) = e**-x x**a h / Gamma(a): Legendre's continued fraction (modified Lentz),
    for complex a, valid for x > a + 1 where it converges fast."""
    def step(i, st):
        a, b, c, d, delta, h = st
        an = -i * (i - a)
        b = b + 2
        d = 1 / (an * d + b)
        c = b + an / c
        delta = d * c
        return a, b, c, d, delta, h * delta

    def converged(st):
        return abs(st[4].real - 1) <= 4e-16

    b = x + 1 - a
    d = 1 / b
    return _iterate(xp, (a, b, xp.full_like(a, 1e300), d, d, d), step, converged, xp.empty_like(a))


def _rice_saddle_point(xp, a, x):
    """dx/da for large a, from the Rice saddle point expansion of the gamma CDF (as torch uses)."""
    near = (0.9 * a <= x) & (x <= 1.1 * a)
    numer_1 = 1 + 24 * a * (1 + 12 * a)
    numer_2 = 1440 * a * a + 6 * x * (53 - 120 * x) - 65 * x * x / a + a * (107 + 3600 * x)
    close = numer_1 * numer_2 / (1244160 * a * a * a * a)
    denom = xp.sqrt(8 * a)
    term2 = denom / (a - x)
    term3 = (x - a - a * xp.log(x / a)) ** -1.5
    term23 = xp.where(x < a, term2 - term3, term2 + term3)
    term1 = xp.log(x / a) * term23 - xp.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
    stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
    far = -stirling * x * term1 / denom
    return xp.where(near, close, far)


_STEP = 1e-30   # complex step: f'(a) = Im f(a + i h) / h, free of cancellation


def standard_gamma_grad(xp, alpha, x):
    """d x / d alpha for x ~ Gamma(alpha, 1) held at fixed CDF value (implicit reparameterisation):
    -(dP(alpha, x)/d alpha) / pdf(x), computed to near machine precision in float64."""
    dt = x.dtype
    a = xp.broadcast_to(alpha, x.shape).astype('float64').ravel()
    v = x.astype('float64').ravel()
    out = xp.zeros(a.shape)
    big = a > 1000
    series = ~big & (v <= a + 1)
    cf = ~big & ~series
    if series.any():
        aa, xx = a[series], v[series]
        s = _series_ratio(xp, aa + _STEP * 1j, xx.astype('complex128'))
        out[series] = -(xx / aa) * (s.real * (xp.log(xx) - xp.digamma(aa + 1)) + s.imag / _STEP)
    if cf.any():
        aa, xx = a[cf], v[cf]
        h = _continued_fraction(xp, aa + _STEP * 1j, xx.astype('complex128'))
        out[cf] = xx * (h.real * (xp.log(xx) - xp.digamma(aa)) + h.imag / _STEP)
    if big.any():
        out[big] = _rice_saddle_point(xp, a[big], v[big])
    out[~xp.isfinite(out)] = 0   # x underflowed to 0: no usable derivative, torch gives 0 too
    return out.reshape(x.shape).astype(dt)


class StandardGammaGrad(Op):
    """torch._standard_gamma_grad(alpha, x): not differentiable itself, as in torch."""
    __slots__ = ()

    def forward(self, xp, alpha, x):
        return standard_gamma_grad(xp, alpha, x)

    def backward(self, xp, g):
        raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


class StandardGamma(Op):
    """Gamma(alpha, 1) samples whose gradient w.r.t. alpha is the implicit reparameterisation one."""
    __slots__ = ()

    def forward(self, xp, alpha, gen):
        from ..ops.random import _standard_gamma_draws
        x = _standard_gamma_draws(gen, alpha)
        # as torch: a draw that underflowed is raised to the smallest normal number, so logs stay finite
        x = xp.asarray(xp.maximum(x, xp.finfo(alpha.dtype).tiny)).astype(alpha.dtype)
        self.saved = (alpha, x)
        return x

    def backward(self, xp, g):
        alpha, x = self.saved
        if getattr(xp, 'name', '') == 'graph':
            return g * StandardGammaGrad.apply(alpha, x)
        return g * standard_gamma_grad(xp, alpha, x)

    @classmethod
    def name(cls):
        return 'StandardGammaBackward0'


def _standard_gamma(concentration, generator=None):
    """torch._standard_gamma: one Gamma(concentration, 1) sample per element, reparameterised."""
    if not concentration.dtype.is_floating_point:
        raise RuntimeError(f"\"gamma_cpu\" not implemented for '{_dtype_word(concentration.dtype)}'")
    return StandardGamma.apply(concentration, gen=_gen(generator, '_standard_gamma'))


def _standard_gamma_grad(self, output):
    """torch._standard_gamma_grad(alpha, x): d x / d alpha of standard gamma samples."""
    return StandardGammaGrad.apply(self, output)


def _dtype_word(dt):
    from ..ops.random import _KERNEL_NAMES
    return _KERNEL_NAMES.get(dt.name, dt.name)


# --- xlogy and the regularized lower incomplete gamma function -----------------------------------
class Xlogy(Op):
    __slots__ = ()

    def forward(self, xp, x, y):
        self.saved = (x, y)
        return xp.asarray(xp.xlogy(x, y)).astype(x.dtype)

    def backward(self, xp, g):
        x, y = self.saved
        gx = gy = None
        if self.needs[0]:
            # torch: grad * xlogy(x != 0, y), so x == 0 gets no gradient from log(0)
            gx = g * xp.where(x != 0, xp.log(y), xp.zeros_like(y))
        if self.needs[1]:
            gy = g * x / y
        return gx, gy


def xlogy(x, y):
    """x * log(y), 0 where x == 0 (torch.special.xlogy), with torch's gradients."""
    from ..ops._util import promote
    from ..ops.creation import as_tensor
    x, y, dt = promote(x, y, 'xlogy')   # numbers come back as 0-d arrays of the common dtype
    if not dt.is_floating_point:
        dt = _dtype._default[0]
    return Xlogy.apply(as_tensor(x).to(dt), as_tensor(y).to(dt))


class Gammainc(Op):
    """P(a, x); differentiable in x only (torch has no derivative w.r.t. a either)."""
    __slots__ = ()

    def forward(self, xp, a, x):
        self.saved = (a, x)
        return xp.asarray(_gammainc(a, x)).astype(x.dtype)

    def backward(self, xp, g):
        a, x = self.saved
        if self.needs[0]:
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        # the gamma density in log space: x**(a-1) e**-x / Gamma(a)
        return None, g * xp.exp((a - 1) * xp.log(x) - x - xp.gammaln(a))


def gammainc(input, other):
    """The regularized lower incomplete gamma function (torch.special.gammainc)."""
    from ..ops._util import promote
    a, x, dt = promote(input, other, 'gammainc')
    return Gammainc.apply(a, x)


# --- Cholesky and triangular solves ---------------------------------------------------------------
def cholesky(A):
    """The lower Cholesky factor (ember.linalg.cholesky, differentiable)."""
    from .. import linalg
    return linalg.cholesky(A)


def solve_triangular(A, B, *, upper, left=True):
    """ember.linalg.solve_triangular (differentiable in A and B)."""
    from .. import linalg
    return linalg.solve_triangular(A, B, upper=upper, left=left)
