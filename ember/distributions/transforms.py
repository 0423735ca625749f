"""Transforms (torch.distributions.transforms): invertible (or at least computable) maps y = f(x) between
constrained spaces, with the log |det J| that a change of variables needs.

A transform knows its `domain` and `codomain` (constraints), whether it is `bijective`, the `sign` of its
derivative where it is monotone, and how many trailing dimensions form one event (`event_dim`).
`log_abs_det_jacobian(x, y)` has shape ``x.shape[:x.dim() - domain.event_dim]``. With ``cache_size=1`` a
transform remembers its latest (x, y) pair, so inverting a value it produced returns the exact input
(TanhTransform's inverse is ill-conditioned near +-1, which is why SAC-style code caches)."""
import math
import numbers
import operator
import weakref
from functools import reduce
import ember
from ..tensor import Tensor, Size
from . import constraints
from .utils import broadcast_all, _sum_rightmost

__all__ = ['AbsTransform', 'AffineTransform', 'CatTransform', 'ComposeTransform', 'CumulativeDistributionTransform',
           'ExpTransform', 'IndependentTransform', 'LowerCholeskyTransform', 'PositiveDefiniteTransform',
           'PowerTransform', 'ReshapeTransform', 'SigmoidTransform', 'SoftplusTransform', 'TanhTransform',
           'SoftmaxTransform', 'StackTransform', 'StickBreakingTransform', 'Transform', 'identity_transform']


def _softplus(x):
    return ember.nn.functional.softplus(x)


def _same_values(a, b):
    """Equality of two parameters that may be numbers or tensors (elementwise, all equal)."""
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return a == b
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape and bool((a == b).all())
    return False


class Transform:
    """Abstract base of transforms: invertible maps with computable log-det-Jacobians, used by
    TransformedDistribution and the `biject_to` / `transform_to` registries.

    Subclasses set `domain`, `codomain` and `bijective`, and implement `_call`, `_inverse` (where an
    inverse exists) and `log_abs_det_jacobian`.

    Args:
        cache_size (int): 0 for no caching, 1 to keep the most recent (x, y) pair."""
    bijective = False

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._inv = None
        self._cached_x_y = None, None

    def __getstate__(self):
        state = self.__dict__.copy()
        state['_inv'] = None
        return state

    @property
    def event_dim(self):
        """Number of trailing dimensions that form one event (when domain and codomain agree)."""
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform: ``t.inv(t(x)) == x``; ``t.inv.inv is t``."""
        inv = self._inv() if self._inv is not None else None
        if inv is None:
            inv = _InverseTransform(self)
            self._inv = weakref.ref(inv)
        return inv

    @property
    def sign(self):
        """+1 or -1 where the map is monotone increasing or decreasing (elementwise bijections only)."""
        raise NotImplementedError

    def with_cache(self, cache_size=1):
        """This transform with the given cache size (itself when it already has it)."""
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self)}.with_cache is not implemented")

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x):
        """y = f(x), from the cache when x is the input last seen."""
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached_x_y
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached_x_y = x, y
        return y

    def _inv_call(self, y):
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached_x_y
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached_x_y = x, y
        return x

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        """log |dy/dx| for an input x and its image y, summed over event dimensions."""
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__ + '()'

    def forward_shape(self, shape):
        """The shape of f(x) for an x of `shape`."""
        return shape

    def inverse_shape(self, shape):
        """The shape of f^-1(y) for a y of `shape`."""
        return shape


class _Parameterless(Transform):
    """A transform without parameters: equal to any other instance of its class."""

    def __eq__(self, other):
        return isinstance(other, type(self))

    __hash__ = object.__hash__


class _InverseTransform(Transform):
    """The inverse of a transform, sharing its cache."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return self._inv.codomain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def with_cache(self, cache_size=1):
        return self.inv.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{type(self).__name__}({self._inv!r})"

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)


class ComposeTransform(Transform):
    """Applies `parts` one after the other (the first is applied first).

    Args:
        parts (list of Transform): the transforms to chain.
        cache_size (int): cache size given to every part."""

    def __init__(self, parts, cache_size=0):
        if cache_size:
            parts = [part.with_cache(cache_size) for part in parts]
        super().__init__(cache_size=cache_size)
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    def _event_dims(self):
        """(input, output) event dims of the chain: walking forward, a part that needs more event dims than
        arrive widens what the chain's input must have had, and each part changes the count by its
        codomain's minus its domain's."""
        need = have = self.parts[0].domain.event_dim
        for part in self.parts:
            missing = part.domain.event_dim - have
            if missing > 0:
                need, have = need + missing, have + missing
            have += part.codomain.event_dim - part.domain.event_dim
        return need, have

    @staticmethod
    def _widened(constraint, event_dim):
        extra = event_dim - constraint.event_dim
        return constraints.independent(constraint, extra) if extra > 0 else constraint

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        if not self.parts:
            return constraints.real
        return self._widened(self.parts[0].domain, self._event_dims()[0])

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        if not self.parts:
            return constraints.real
        return self._widened(self.parts[-1].codomain, self._event_dims()[1])

    @property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @property
    def sign(self):
        return reduce(operator.mul, (p.sign for p in self.parts), 1)

    @property
    def inv(self):
        known = self._inv() if self._inv is not None else None
        if known is not None:
            return known
        backwards = ComposeTransform([part.inv for part in self.parts[::-1]])
        # each holds the other weakly, so a pair made once is found again while either lives
        self._inv, backwards._inv = weakref.ref(backwards), weakref.ref(self)
        return backwards

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __call__(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ember.zeros_like(x)
        # each part's term is taken at its own input and output (the last output is y itself) and summed
        # over the event dims the chain carries beyond that part's own
        total, dims, value = None, self._event_dims()[0], x
        for k, part in enumerate(self.parts):
            out = y if k == len(self.parts) - 1 else part(value)
            term = _sum_rightmost(part.log_abs_det_jacobian(value, out), dims - part.domain.event_dim)
            total = term if total is None else total + term
            dims += part.codomain.event_dim - part.domain.event_dim
            value = out
        return total

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        inner = ',\n    '.join(repr(p) for p in self.parts)
        return f"{type(self).__name__}(\n    {inner}\n)"


identity_transform = ComposeTransform([])


class IndependentTransform(Transform):
    """Wraps `base_transform` so that `reinterpreted_batch_ndims` more trailing dimensions count as event
    dimensions: values are mapped the same way, and log_abs_det_jacobian sums over those dimensions.

    Args:
        base_transform (Transform): the transform to wrap.
        reinterpreted_batch_ndims (int): how many batch dimensions to treat as event dimensions.
        cache_size (int): 0 or 1."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size)

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)


class ReshapeTransform(Transform):
    """Reshapes the rightmost part of a tensor from `in_shape` to `out_shape` (same number of elements);
    leading batch dimensions are kept. Its Jacobian is a permutation: log |det J| = 0.

    Args:
        in_shape (torch.Size): the input event shape.
        out_shape (torch.Size): the output event shape.
        cache_size (int): 0 or 1."""
    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape = Size(in_shape)
        self.out_shape = Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def _call(self, x):
        batch = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.reshape(batch + tuple(self.out_shape))

    def _inverse(self, y):
        batch = tuple(y.shape[:y.dim() - len(self.out_shape)])
        return y.reshape(batch + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        batch = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.new_zeros(batch)

    @staticmethod
    def _swap(shape, have, want):
        if len(shape) < len(have):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(have)
        if tuple(shape[cut:]) != tuple(have):
            raise ValueError(f"Shape mismatch: expected {shape[cut:]} but got {have}")
        return shape[:cut] + want

    def forward_shape(self, shape):
        return self._swap(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._swap(shape, self.out_shape, self.in_shape)


class ExpTransform(_Parameterless):
    """y = exp(x)."""
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class PowerTransform(Transform):
    """y = x ** exponent, on the positive reals.

    Args:
        exponent (float or Tensor): the power.
        cache_size (int): 0 or 1."""
    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and bool(self.exponent.eq(other.exponent).all())

    __hash__ = object.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        # d/dx x^p = p x^(p-1) = p y / x
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.exponent, 'shape', ()))

    def inverse_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.exponent, 'shape', ()))


def _clamp_open_unit(p):
    """Keeps probabilities strictly inside (0, 1): the smallest normal number to 1 - eps."""
    info = ember.finfo(p.dtype)
    return p.clamp(min=info.tiny, max=1.0 - info.eps)


class SigmoidTransform(_Parameterless):
    """y = 1 / (1 + exp(-x)), kept strictly inside (0, 1)."""
    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def _call(self, x):
        return _clamp_open_unit(ember.sigmoid(x))

    def _inverse(self, y):
        y = _clamp_open_unit(y)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        # log sigmoid(x) + log sigmoid(-x), each a stable -softplus
        return -_softplus(-x) - _softplus(x)


class SoftplusTransform(_Parameterless):
    """y = log(1 + exp(x)); the inverse is y + log(1 - exp(-y))."""
    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def _call(self, x):
        return _softplus(x)

    def _inverse(self, y):
        return (-(-y).expm1()).log() + y

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x)


class TanhTransform(_Parameterless):
    """y = tanh(x). Its inverse (atanh) loses precision near +-1; pass ``cache_size=1`` when inverting
    samples you produced."""
    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return ember.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        # log(1 - tanh(x)^2) = 2 (log 2 - x - softplus(-2x)), stable for large |x|
        return 2.0 * (math.log(2.0) - x - _softplus(-2.0 * x))


class AbsTransform(_Parameterless):
    """y = |x| (not injective: its inverse returns the non-negative preimage)."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """y = loc + scale * x.

    Args:
        loc (Tensor or float): the shift.
        scale (Tensor or float): the scale.
        event_dim (int): number of trailing dimensions forming one event (0 for elementwise); the
            log-det-Jacobian sums over them.
        cache_size (int): 0 or 1."""
    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real,
                                                                                      self.event_dim)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real,
                                                                                      self.event_dim)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self.event_dim, cache_size=cache_size)

    def __eq__(self, other):
        return (isinstance(other, AffineTransform) and _same_values(self.loc, other.loc)
                and _same_values(self.scale, other.scale))

    __hash__ = object.__hash__

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            scale = float(self.scale)
            return (scale > 0) - (scale < 0)
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        scale = self.scale
        if isinstance(scale, numbers.Real):
            result = ember.full_like(x, math.log(abs(scale)))
        else:
            result = scale.abs().log()
        if self.event_dim:
            result = result.reshape(tuple(result.shape[:result.dim() - self.event_dim]) + (-1,)).sum(-1)
            shape = shape[:len(shape) - self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.loc, 'shape', ()), getattr(self.scale, 'shape', ()))

    def inverse_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.loc, 'shape', ()), getattr(self.scale, 'shape', ()))


def _needs_a_dim(shape):
    if len(shape) < 1:
        raise ValueError("Too few dimensions on input")


class SoftmaxTransform(_Parameterless):
    """From unconstrained space to the simplex: y = exp(x) normalised over the last dimension. Not
    bijective (adding a constant to x changes nothing), so it has no log-det-Jacobian; the inverse
    returns log(y)."""
    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        e = (x - x.amax(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _needs_a_dim(shape)
        return shape

    def inverse_shape(self, shape):
        _needs_a_dim(shape)
        return shape


class StickBreakingTransform(_Parameterless):
    """A bijection from R^K to the (K+1)-simplex by stick breaking: the i-th coordinate takes the fraction
    sigmoid(x_i - log(K - i)) of what is left of a unit stick, and the last coordinate the remainder. The
    offsets make x = 0 map to the simplex's centre."""
    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    @staticmethod
    def _log_offsets(like, k):
        """log(k), log(k-1), ..., log(1) for k pieces broken off."""
        return (k + 1 - like.new_ones(k).cumsum(-1)).log()

    def _call(self, x):
        k = x.shape[-1]
        z = ember.sigmoid(x - self._log_offsets(x, k))
        left = (1 - z).cumprod(-1)
        pad = ember.nn.functional.pad
        return pad(z, (0, 1), value=1.0) * pad(left, (1, 0), value=1.0)

    def _inverse(self, y):
        head = y[..., :-1]
        k = head.shape[-1]
        rest = (1 - head.cumsum(-1)).clamp(min=ember.finfo(y.dtype).tiny)
        return head.log() - rest.log() + self._log_offsets(y, k)

    def log_abs_det_jacobian(self, x, y):
        # triangular Jacobian; its i-th diagonal entry is y_i (1 - z_i)
        t = x - self._log_offsets(x, x.shape[-1])
        return (-t + ember.nn.functional.logsigmoid(t) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _needs_a_dim(shape)
        return shape[:-1] + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        _needs_a_dim(shape)
        return shape[:-1] + (shape[-1] - 1,)


class LowerCholeskyTransform(_Parameterless):
    """From unconstrained matrices to lower-triangular ones with a positive diagonal: keeps the strictly
    lower part and exponentiates the diagonal (the upper part is dropped, so not bijective)."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(_Parameterless):
    """From unconstrained matrices to positive definite ones: L L^T with L = LowerCholeskyTransform(x)."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        low = LowerCholeskyTransform()(x)
        return low @ low.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ember.linalg.cholesky(y))


class CatTransform(Transform):
    """Applies `tseq[i]` to the i-th block of `lengths[i]` slices along `dim` and concatenates the
    results (as constraints.cat does for constraints).

    Args:
        tseq (list of Transform): one transform per block.
        dim (int): the dimension the blocks are laid along.
        lengths (list of int): block sizes (default all 1).
        cache_size (int): 0 or 1."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        assert all(isinstance(t, Transform) for t in tseq)
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        assert len(self.lengths) == len(self.transforms)
        self.dim = dim

    @property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        return sum(self.lengths)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _blocks(self, x):
        assert -x.dim() <= self.dim < x.dim()
        assert x.size(self.dim) == self.length
        start = 0
        for n in self.lengths:
            yield x.narrow(self.dim, start, n)
            start += n

    def _call(self, x):
        return ember.cat([t(v) for t, v in zip(self.transforms, self._blocks(x))], self.dim)

    def _inverse(self, y):
        return ember.cat([t.inv(v) for t, v in zip(self.transforms, self._blocks(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        event_dim = self.event_dim
        terms = []
        for t, a, b in zip(self.transforms, self._blocks(x), self._blocks(y)):
            terms.append(_sum_rightmost(t.log_abs_det_jacobian(a, b), event_dim - t.event_dim))
        dim = self.dim if self.dim < 0 else self.dim - x.dim()
        if -dim <= event_dim:
            # the blocks lie inside one event: their contributions add up
            return reduce(operator.add, terms)
        return ember.cat(terms, dim + event_dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(Transform):
    """Applies `tseq[i]` to the i-th slice along `dim` and stacks the results (as constraints.stack).

    Args:
        tseq (list of Transform): one transform per slice.
        dim (int): the dimension sliced along.
        cache_size (int): 0 or 1."""

    def __init__(self, tseq, dim=0, cache_size=0):
        assert all(isinstance(t, Transform) for t in tseq)
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    def _slices(self, x):
        assert -x.dim() <= self.dim < x.dim()
        assert x.size(self.dim) == len(self.transforms)
        return [x.select(self.dim, i) for i in range(x.size(self.dim))]

    def _call(self, x):
        return ember.stack([t(v) for t, v in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        return ember.stack([t.inv(v) for t, v in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = [t.log_abs_det_jacobian(a, b)
                 for t, a, b in zip(self.transforms, self._slices(x), self._slices(y))]
        return ember.stack(terms, self.dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class CumulativeDistributionTransform(Transform):
    """Maps a value to [0, 1] through the cumulative distribution function of `distribution` (its
    log-det-Jacobian is the log density). With a uniform base this turns inverse-cdf sampling into a
    TransformedDistribution.

    Args:
        distribution (Distribution): a univariate distribution with cdf, icdf and log_prob.
        cache_size (int): 0 or 1."""
    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)
