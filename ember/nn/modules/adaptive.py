"""nn.AdaptiveLogSoftmaxWithLoss (Grave et al.'s efficient softmax approximation) and nn.NLLLoss2d."""
import warnings
from collections import namedtuple
from .module import Module
from .container import Sequential, ModuleList
from .linear import Linear
from .loss import NLLLoss
from .. import functional as F
from ...ops.reduction import argmax
from ...ops.shape import cat
from ...ops.elementwise import where

__all__ = ['AdaptiveLogSoftmaxWithLoss', 'NLLLoss2d']

_ASMoutput = namedtuple('_ASMoutput', ['output', 'loss'])


class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss (which handles (N, C, H, W) inputs itself), kept as torch keeps it."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and "
                      "see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.", FutureWarning,
                      stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class AdaptiveLogSoftmaxWithLoss(Module):
    """Grave et al.'s adaptive softmax (2017): frequent classes are scored in a small head, rare ones in
    tail clusters reached through one head entry each, so the full softmax is never computed.

    ``cutoffs`` (increasing, in 1..n_classes-1) split the classes: the first cutoff classes plus one entry per
    cluster form the head (a Linear with optional bias, ``head_bias``); cluster i projects the input down to
    in_features // div_value**(i+1) features before scoring its classes. Calling the module with
    (input, target) returns a named tuple (output, loss): each example's log-probability of its target and
    their negated mean. ``log_prob`` gives all classes' log-probabilities, ``predict`` the most likely one.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        factory_kwargs = {'device': device, 'dtype': dtype}
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > (n_classes - 1)
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, **factory_kwargs)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(self.in_features // (self.div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(self.in_features, hsz, bias=False, **factory_kwargs),
                                        Linear(hsz, osz, bias=False, **factory_kwargs)))

    def reset_parameters(self):
        """Re-initialise the head and every tail cluster as at construction."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input, target):
        self._check_pair(input, target)
        batched = target.dim() > 0
        x = input if batched else input.unsqueeze(0)
        t = target if batched else target.unsqueeze(0)
        if t.numel() and (bool((t < 0).any()) or bool((t >= self.n_classes).any())):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{t.min().item()}, {t.max().item()}] were found. ")
        head_lp = F.log_softmax(self.head(x), dim=1)
        # which bucket each target is in: 0 for the shortlist, k for tail cluster k
        bucket = t.new_zeros(t.shape)
        for c in self.cutoffs[:-1]:
            bucket = bucket + (t >= c).long()
        head_col = where(bucket == 0, t, bucket + (self.shortlist_size - 1))
        within = x.new_zeros(t.shape)   # log p(class | cluster) for tail targets, 0 for shortlist ones
        for k, cluster in enumerate(self.tail):
            rows = (bucket == k + 1).nonzero().reshape(-1)
            if rows.numel():
                lp = F.log_softmax(cluster(x.index_select(0, rows)), dim=1)
                local = t.index_select(0, rows) - self.cutoffs[k]
                within = within.index_add(0, rows, lp.gather(1, local.unsqueeze(1)).reshape(-1))
        out = within + head_lp.gather(1, head_col.unsqueeze(1)).reshape(-1)
        return _ASMoutput(out if batched else out.squeeze(0), (-out).mean())

    @staticmethod
    def _check_pair(input, target):
        """torch's shape rules: a 1-D target with a 2-D input of as many rows, or a 0-D target with a 1-D input."""
        if target.dim() == 1:
            if input.size(0) != target.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input.size()}")
        elif target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")

    def _all_log_probs(self, x, head_out):
        """Log-probabilities of every class: the head's for the shortlist; for a tail class, its cluster's
        entry in the head plus its log-probability within the cluster."""
        head_lp = F.log_softmax(head_out, dim=1)
        n = self.shortlist_size
        pieces = [head_lp[:, :n]]
        for k, cluster in enumerate(self.tail):
            pieces.append(F.log_softmax(cluster(x), dim=1) + head_lp[:, n + k:n + k + 1])
        return cat(pieces, dim=1)

    def log_prob(self, input):
        """Log-probabilities of all n_classes classes: (N, in_features) -> (N, n_classes)."""
        return self._all_log_probs(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row (as log_prob(input).argmax(1)); rows whose best head entry is a
        shortlist class need no tail cluster at all."""
        head_out = self.head(input)
        best = argmax(head_out, dim=1)
        via_tail = (best >= self.shortlist_size).nonzero().reshape(-1)
        if via_tail.numel():
            full = self._all_log_probs(input.index_select(0, via_tail), head_out.index_select(0, via_tail))
            best[via_tail] = argmax(full, dim=1)
        return best
