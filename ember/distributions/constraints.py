"""Constraints (torch.distributions.constraints): objects that describe the set of values a variable may take.

A constraint answers `check(value)` with a boolean tensor that has one entry per batch element: the trailing
`event_dim` dimensions of `value` are reduced, since a constraint on a vector or matrix holds or fails for
the whole event. `is_discrete` says whether the set is countable. Distributions use these for `support` and
`arg_constraints`.
"""
import ember

__all__ = ['Constraint', 'MixtureSameFamilyConstraint', 'boolean', 'cat', 'corr_cholesky', 'dependent', 'dependent_property', 'greater_than',
           'greater_than_eq', 'independent', 'integer_interval', 'interval', 'half_open_interval', 'is_dependent',
           'less_than', 'lower_cholesky', 'lower_triangular', 'multinomial', 'nonnegative', 'nonnegative_integer',
           'one_hot', 'positive', 'positive_semidefinite', 'positive_definite', 'positive_integer', 'real',
           'real_vector', 'simplex', 'square', 'stack', 'symmetric', 'unit_interval']


class Constraint:
    """Base class of constraints: a region of values inside which a variable is valid (for instance, where
    it may be optimized).

    Attributes:
        is_discrete (bool): whether the region is a discrete set. False unless a subclass says otherwise.
        event_dim (int): how many trailing dimensions of a value make up one event; `check` reduces them.
    """
    is_discrete = False
    event_dim = 0

    def check(self, value):
        """Returns a boolean tensor of shape ``sample_shape + batch_shape``: True where the event of
        `value` lies inside the region."""
        raise NotImplementedError

    def __repr__(self):
        # the concrete classes are private (`_Real`), and their repr drops that first character
        return type(self).__name__[1:] + '()'


def _reduce_event(ok, ndims):
    """Collapse the trailing `ndims` dimensions of a boolean tensor with logical and."""
    for _ in range(ndims):
        ok = ok.all(-1)
    return ok


class _Dependent(Constraint):
    """Placeholder for a constraint that depends on other parameters, so it cannot be checked on its own.
    `is_discrete` and `event_dim` may be fixed when known; reading one that was not fixed raises
    NotImplementedError. Calling the object returns a copy with some of them fixed."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        """A dependent constraint like this one, with `is_discrete` / `event_dim` replaced where given."""
        return _Dependent(is_discrete=self._is_discrete if is_discrete is NotImplemented else is_discrete,
                          event_dim=self._event_dim if event_dim is NotImplemented else event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint):
    """True when `constraint` is a dependent placeholder (`dependent` or a `dependent_property`)."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property whose value is a constraint built from the instance's parameters (for example the support
    of Uniform, which depends on `low` and `high`). Read on the class it is the descriptor itself, a
    dependent constraint, so code can see that the constraint is dependent without an instance.

    Use as ``@dependent_property`` or ``@dependent_property(is_discrete=..., event_dim=...)``."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """Treats `reinterpreted_batch_ndims` batch dimensions of `base_constraint` as event dimensions: a value
    passes only where every element along them passes."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        assert isinstance(base_constraint, Constraint), \
            f"base_constraint must be a Constraint, got {type(base_constraint).__name__}"
        assert isinstance(reinterpreted_batch_ndims, int), \
            f"reinterpreted_batch_ndims must be an int, got {type(reinterpreted_batch_ndims).__name__}"
        assert reinterpreted_batch_ndims >= 0, \
            f"reinterpreted_batch_ndims must be non-negative, got {reinterpreted_batch_ndims}"
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        ok = self.base_constraint.check(value)
        if ok.dim() < self.reinterpreted_batch_ndims:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {value.dim()}")
        return _reduce_event(ok, self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"{type(self).__name__[1:]}({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


# --- elementwise regions -------------------------------------------------------------------------------
class _Bounded(Constraint):
    """Shared repr of the constraints parameterised by bounds: `Name(lower_bound=.., upper_bound=..)`."""
    _bounds = ()

    def __repr__(self):
        args = ', '.join(f'{name}={getattr(self, name)}' for name in self._bounds)
        return f"{type(self).__name__[1:]}({args})"


class _Real(Constraint):
    """All real numbers; NaN is outside, the infinities inside."""

    def check(self, value):
        return value == value


class _Boolean(Constraint):
    """The set {0, 1}."""
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _GreaterThan(_Bounded):
    """The open half line (lower_bound, inf)."""
    _bounds = ('lower_bound',)

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return self.lower_bound < value


class _GreaterThanEq(_Bounded):
    """The closed half line [lower_bound, inf)."""
    _bounds = ('lower_bound',)

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return self.lower_bound <= value


class _LessThan(_Bounded):
    """The open half line (-inf, upper_bound)."""
    _bounds = ('upper_bound',)

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound


class _Interval(_Bounded):
    """The closed interval [lower_bound, upper_bound]."""
    _bounds = ('lower_bound', 'upper_bound')

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)


class _HalfOpenInterval(_Bounded):
    """The interval [lower_bound, upper_bound)."""
    _bounds = ('lower_bound', 'upper_bound')

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return (self.lower_bound <= value) & (value < self.upper_bound)


def _is_integer(value):
    return value % 1 == 0


class _IntegerInterval(_Bounded):
    """Integers in [lower_bound, upper_bound]."""
    is_discrete = True
    _bounds = ('lower_bound', 'upper_bound')

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return _is_integer(value) & (self.lower_bound <= value) & (value <= self.upper_bound)


class _IntegerGreaterThan(_Bounded):
    """Integers no smaller than lower_bound."""
    is_discrete = True
    _bounds = ('lower_bound',)

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return _is_integer(value) & (self.lower_bound <= value)


class _IntegerLessThan(_Bounded):
    """Integers no larger than upper_bound."""
    is_discrete = True
    _bounds = ('upper_bound',)

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return _is_integer(value) & (value <= self.upper_bound)


# --- vector regions (event_dim 1) ----------------------------------------------------------------------
class _Simplex(Constraint):
    """Vectors of non-negative entries summing to one (within 1e-6) along the last dimension."""
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _OneHot(Constraint):
    """Vectors of zeros with a single one."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        binary = ((value == 0) | (value == 1)).all(-1)
        return binary & (value.sum(-1) == 1)


class _Multinomial(Constraint):
    """Count vectors: non-negative entries whose total is at most `upper_bound`."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, x):
        return (x >= 0).all(-1) & (x.sum(-1) <= self.upper_bound)


# --- matrix regions (event_dim 2) ----------------------------------------------------------------------
class _LowerTriangular(Constraint):
    """Matrices whose entries above the diagonal are zero."""
    event_dim = 2

    def check(self, value):
        return _reduce_event(value.tril() == value, 2)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a strictly positive diagonal."""
    event_dim = 2

    def check(self, value):
        triangular = _LowerTriangular.check(self, value)
        return triangular & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower Cholesky with rows of unit Euclidean norm (to
    10 * n * eps of the dtype, n the row length)."""
    event_dim = 2

    def check(self, value):
        cholesky = _LowerCholesky.check(self, value)
        tol = 10 * value.shape[-1] * ember.finfo(value.dtype).eps
        return cholesky & ((ember.linalg.vector_norm(value.detach(), dim=-1) - 1).abs() <= tol).all(-1)


class _Square(Constraint):
    """Square matrices."""
    event_dim = 2

    def check(self, value):
        return ember.full(tuple(value.shape[:-2]), value.shape[-2] == value.shape[-1], dtype=ember.bool)


class _Symmetric(_Square):
    """Square matrices equal to their transpose (within atol 1e-6, rtol 1e-5)."""

    def check(self, value):
        square = super().check(value)
        if not bool(square.all()):
            return square
        return _reduce_event(ember.isclose(value, value.mT, atol=1e-6), 2)


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices with non-negative eigenvalues."""

    def check(self, value):
        symmetric = super().check(value)
        if not bool(symmetric.all()):
            # like torch, a batch holding a non-symmetric matrix answers with the symmetry test alone
            return symmetric
        return (ember.linalg.eigvalsh(value) >= 0).all(-1)


class _PositiveDefinite(_Symmetric):
    """Symmetric matrices with positive eigenvalues (those with a Cholesky factorization)."""

    def check(self, value):
        symmetric = super().check(value)
        if not bool(symmetric.all()):
            return symmetric
        return ember.linalg.cholesky_ex(value).info == 0


# --- combinations --------------------------------------------------------------------------------------
class _Cat(Constraint):
    """Applies `cseq[i]` to the i-th block of `lengths[i]` slices along `dim` (the blocks are laid end to
    end, as by ember.cat)."""

    def __init__(self, cseq, dim=0, lengths=None):
        assert all(isinstance(c, Constraint) for c in cseq), "All elements of cseq must be Constraint instances"
        self.cseq = list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        assert len(self.lengths) == len(self.cseq), \
            f"lengths ({len(self.lengths)}) must match cseq ({len(self.cseq)})"
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        assert -value.dim() <= self.dim < value.dim()
        parts, start = [], 0
        for c, n in zip(self.cseq, self.lengths):
            parts.append(c.check(value.narrow(self.dim, start, n)))
            start += n
        return ember.cat(parts, self.dim)


class _Stack(Constraint):
    """Applies `cseq[i]` to the i-th slice along `dim` (the slices as given by ember.unbind)."""

    def __init__(self, cseq, dim=0):
        assert all(isinstance(c, Constraint) for c in cseq), "All elements of cseq must be Constraint instances"
        self.cseq = list(cseq)
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self):
        inner = max(c.event_dim for c in self.cseq)
        # torch counts the stacking axis as an extra event dimension when a negative `dim` reaches past
        # the pieces' own event dimensions
        return inner + 1 if self.dim < 0 and -self.dim > inner else inner

    def check(self, value):
        assert -value.dim() <= self.dim < value.dim()
        slices = [value.select(self.dim, i) for i in range(value.size(self.dim))]
        return ember.stack([c.check(v) for c, v in zip(self.cseq, slices)], self.dim)


class _MixtureSameFamilyConstraint(Constraint):
    """The support of a MixtureSameFamily: a value is inside only where it lies in the support of every
    component (the components sit along the dimension just left of the event)."""

    def __init__(self, base_constraint):
        assert isinstance(base_constraint, Constraint)
        self.base_constraint = base_constraint

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim

    def check(self, value):
        ok = self.base_constraint.check(value.unsqueeze(-1 - self.event_dim))
        return ok.all(-1)

    def __repr__(self):
        return f"{type(self).__name__[1:]}({self.base_constraint!r})"


# --- the public objects (torch's names) ----------------------------------------------------------------
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
stack = _Stack
MixtureSameFamilyConstraint = _MixtureSameFamilyConstraint
