"""MultivariateNormal: the Gaussian over vectors, given by a covariance, a precision or a Cholesky factor.

Everything is computed from one lower-triangular factor L with covariance = L L^T, kept at the batch
shape the user gave (`_unbroadcasted_scale_tril`) so that batched solves do not copy it per sample.
"""
import math
import ember
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, _standard_normal
from ._ops import cholesky, solve_triangular

__all__ = ['MultivariateNormal']

_LOG_2PI = math.log(2 * math.pi)


def _half_log_det(L):
    """log sqrt(det(L L^T)) for a lower-triangular L with positive diagonal."""
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _squared_whitened_norm(L, x):
    """|L^{-1} x|^2 over the last dimension, for x of shape (..., n) and L of shape (B..., n, n) whose
    batch dimensions right-align with x's leading ones.

    x's dimensions to the left of L's batch (sample dimensions, typically) are folded into the columns of
    one right-hand side, so L is never copied per sample."""
    n = x.shape[-1]
    if L.shape[-1] != n:
        # torch reports this mismatch as a failed reshape of L into n x n blocks; same message here
        raise RuntimeError(f"shape '[-1, {n}, {n}]' is invalid for input of size {L.numel()}")
    k = L.dim() - 2
    while x.dim() - 1 < k:
        x = x.unsqueeze(0)
    outer = tuple(x.shape[:x.dim() - 1 - k])
    inner = tuple(ember.broadcast_shapes(tuple(x.shape[len(outer):-1]), tuple(L.shape[:-2])))
    x = x.expand(outer + inner + (n,)).reshape((-1,) + inner + (n,))   # (O, B..., n)
    rhs = x.movedim(0, -1)                                               # (B..., n, O)
    w = solve_triangular(L.expand(inner + (n, n)), rhs, upper=False)
    m = w.pow(2).sum(-2)                                                 # (B..., O)
    return m.movedim(-1, 0).reshape(outer + inner)


def _lower_inverse(L):
    """L^{-1} for a batch of lower-triangular matrices."""
    eye = ember.eye(L.shape[-1], dtype=L.dtype).expand(L.shape)
    return solve_triangular(L, eye, upper=False)


class MultivariateNormal(Distribution):
    """A multivariate normal (Gaussian) distribution parameterized by a mean vector `loc` and exactly
    one of: a positive-definite `covariance_matrix`, a positive-definite `precision_matrix` (the inverse
    covariance), or `scale_tril`, a lower-triangular matrix with positive diagonal such that
    covariance = scale_tril @ scale_tril.T (e.g. the Cholesky factor of the covariance).

    `scale_tril` is the cheapest to use; the other two are factorized once at construction.

    Args:
        loc (Tensor): mean, of shape (..., n).
        covariance_matrix (Tensor): positive-definite covariance, of shape (..., n, n).
        precision_matrix (Tensor): positive-definite precision, of shape (..., n, n).
        scale_tril (Tensor): lower-triangular factor of the covariance, of shape (..., n, n).
        validate_args (bool, optional): as for `Distribution`.

    Leading (batch) dimensions of `loc` and of the matrix broadcast against each other.
    """
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {name: m for name, m in (("covariance_matrix", covariance_matrix),
                                         ("precision_matrix", precision_matrix),
                                         ("scale_tril", scale_tril)) if m is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                             "specified.")
        (name, matrix), = given.items()
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional leading batch "
                             "dimensions")
        batch = tuple(ember.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        setattr(self, name, matrix.expand(batch + tuple(matrix.shape[-2:])))
        self.loc = loc.expand(batch + (loc.shape[-1],))
        super().__init__(Size(batch), Size(loc.shape[-1:]), validate_args=validate_args)

        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            # the factor of the covariance P^{-1}; cholesky reads only the lower triangle, so the
            # rounding asymmetry of the computed inverse does not matter
            self._unbroadcasted_scale_tril = cholesky(ember.linalg.inv(matrix))

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch = tuple(batch_shape)
        n = tuple(self.event_shape)
        new.loc = self.loc.expand(batch + n)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        # only the matrices already materialized on this instance are carried over; the others stay lazy
        for name in ("covariance_matrix", "precision_matrix", "scale_tril"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(batch + n + n))
        Distribution.__init__(new, Size(batch), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self, M):
        """M broadcast to batch_shape + (n, n)."""
        n = tuple(self._event_shape)
        return M.expand(tuple(self._batch_shape) + n + n)

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return self._full(L @ L.mT)

    @lazy_property
    def precision_matrix(self):
        Li = _lower_inverse(self._unbroadcasted_scale_tril)
        return self._full(Li.mT @ Li)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        var = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return var.expand(tuple(self._batch_shape) + tuple(self._event_shape))

    def rsample(self, sample_shape=Size()):
        eps = _standard_normal(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        # L eps as a batched matrix-vector product
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        L = self._unbroadcasted_scale_tril
        m = _squared_whitened_norm(L, value - self.loc)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + m) - _half_log_det(L)

    def entropy(self):
        H = 0.5 * self._event_shape[0] * (1.0 + _LOG_2PI) + _half_log_det(self._unbroadcasted_scale_tril)
        if len(self._batch_shape) == 0:
            return H
        return H.expand(tuple(self._batch_shape))
