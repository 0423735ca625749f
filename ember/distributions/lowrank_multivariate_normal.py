"""LowRankMultivariateNormal: a multivariate normal whose covariance is W W^T + diag(D)."""
import math
import ember
from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import lazy_property
from ._ops import cholesky, solve_triangular

__all__ = ['LowRankMultivariateNormal']


class LowRankMultivariateNormal(Distribution):
    """A multivariate normal with covariance ``cov_factor @ cov_factor.mT + diag(cov_diag)``.

    Densities use the Woodbury identity and the matrix determinant lemma through the m x m capacitance
    matrix ``I + W^T D^-1 W`` (m the rank), so their cost grows with m, not with the event size.

    Args:
        loc (Tensor): mean, shape ``batch_shape + event_shape``.
        cov_factor (Tensor): W, shape ``batch_shape + event_shape + (rank,)``.
        cov_diag (Tensor): D, positive, shape ``batch_shape + event_shape``.
        validate_args (bool, optional): check parameters and values against their constraints."""
    arg_constraints = {'loc': constraints.real_vector, 'cov_factor': constraints.independent(constraints.real, 2),
                       'cov_diag': constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = Size(tuple(loc.shape[-1:]))
        if cov_factor.dim() < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != tuple(event_shape):
            raise ValueError(f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != tuple(event_shape):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            batch = ember.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                           tuple(cov_diag.shape[:-1]))
        except RuntimeError:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                             f"cov_diag {cov_diag.shape}") from None
        batch = tuple(batch)
        k, m = event_shape[0], cov_factor.shape[-1]
        self.loc = loc.expand(batch + (k,))
        self.cov_factor = cov_factor.expand(batch + (k, m))
        self.cov_diag = cov_diag.expand(batch + (k,))
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(Size(batch), event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        batch = tuple(batch_shape)
        k = self.event_shape[0]
        new.loc = self.loc.expand(batch + (k,))
        new.cov_diag = self.cov_diag.expand(batch + (k,))
        new.cov_factor = self.cov_factor.expand(batch + tuple(self.cov_factor.shape[-2:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, Size(batch), self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (W.pow(2).sum(-1) + D).expand(tuple(self._extended_shape()))

    @lazy_property
    def covariance_matrix(self):
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        cov = W @ W.mT + D.diag_embed()
        return cov.expand(tuple(self._batch_shape) + tuple(self._event_shape) * 2)

    @lazy_property
    def scale_tril(self):
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        cov = W @ W.mT + D.diag_embed()
        return cholesky(cov).expand(tuple(self._batch_shape) + (n, n))

    @lazy_property
    def precision_matrix(self):
        # Woodbury: D^-1 - D^-1 W C^-1 W^T D^-1 with C = L L^T the capacitance
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        Wt_Dinv = W.mT / D.unsqueeze(-2)
        A = solve_triangular(self._capacitance_tril, Wt_Dinv, upper=False)
        prec = D.reciprocal().diag_embed() - A.mT @ A
        return prec.expand(tuple(self._batch_shape) + tuple(self._event_shape) * 2)

    def rsample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        m = self._unbroadcasted_cov_factor.shape[-1]
        eps_w = ember.randn(shape[:-1] + (m,), dtype=self.loc.dtype)
        eps_d = ember.randn(shape, dtype=self.loc.dtype)
        W = self._unbroadcasted_cov_factor
        return (self.loc + (W @ eps_w.unsqueeze(-1)).squeeze(-1)
                + self._unbroadcasted_cov_diag.sqrt() * eps_d)

    def _log_det(self):
        """log det(W W^T + D) = log det(C) + sum log D (matrix determinant lemma)."""
        return (2 * self._capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                + self._unbroadcasted_cov_diag.log().sum(-1))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        # Woodbury: diff^T S^-1 diff = |diff|_D^2 - |L^-1 W^T D^-1 diff|^2
        lead = tuple(diff.shape[:-1])
        Wt_Dinv_diff = (W.mT @ (diff / D).unsqueeze(-1))
        C = self._capacitance_tril
        full = tuple(ember.broadcast_shapes(tuple(C.shape[:-2]), tuple(Wt_Dinv_diff.shape[:-2])))
        z = solve_triangular(C.expand(full + tuple(C.shape[-2:])),
                             Wt_Dinv_diff.expand(full + tuple(Wt_Dinv_diff.shape[-2:])), upper=False)
        maha = (diff.pow(2) / D).sum(-1) - z.squeeze(-1).pow(2).sum(-1)
        k = self._event_shape[0]
        out = -0.5 * (k * math.log(2 * math.pi) + self._log_det() + maha)
        return out.expand(lead) if out.dim() < len(lead) else out

    def entropy(self):
        k = self._event_shape[0]
        h = 0.5 * (k * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return h.expand(tuple(self._batch_shape)) if len(self._batch_shape) else h


def _capacitance_tril(W, D):
    """Cholesky factor of I + W^T D^-1 W."""
    m = W.shape[-1]
    Wt_Dinv = W.mT / D.unsqueeze(-2)
    K = Wt_Dinv @ W
    return cholesky(K + ember.eye(m, dtype=K.dtype))
