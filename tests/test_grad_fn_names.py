"""grad_fn names as torch prints them (`print(loss)` shows `grad_fn=<NllLossBackward0>`): ember names each node,
or renames a composite's last node, after torch's overload."""
import numpy as np
import pytest
import torch

import ember

CASES = {
 'mse': lambda L,F,x,y,p,t: F.mse_loss(x, y),
 'l1': lambda L,F,x,y,p,t: F.l1_loss(x, y),
 'smooth_l1': lambda L,F,x,y,p,t: F.smooth_l1_loss(x, y),
 'huber': lambda L,F,x,y,p,t: F.huber_loss(x, y),
 'bce': lambda L,F,x,y,p,t: F.binary_cross_entropy(L.sigmoid(x), t),
 'bce_logits': lambda L,F,x,y,p,t: F.binary_cross_entropy_with_logits(x, t),
 'nll': lambda L,F,x,y,p,t: F.nll_loss(F.log_softmax(x, 1), L.tensor([0,1,2,0])),
 'kl_div': lambda L,F,x,y,p,t: F.kl_div(F.log_softmax(x,1), F.softmax(y,1), reduction='batchmean'),
 'ce_sum': lambda L,F,x,y,p,t: F.cross_entropy(x, L.tensor([0,1,2,0]), reduction='sum'),
 'ce_none': lambda L,F,x,y,p,t: F.cross_entropy(x, L.tensor([0,1,2,0]), reduction='none'),
 'relu': lambda L,F,x,y,p,t: F.relu(x),
 'relu_m': lambda L,F,x,y,p,t: x.relu(),
 'sigmoid': lambda L,F,x,y,p,t: L.sigmoid(x),
 'tanh': lambda L,F,x,y,p,t: L.tanh(x),
 'softmax': lambda L,F,x,y,p,t: F.softmax(x, dim=1),
 'log_softmax': lambda L,F,x,y,p,t: F.log_softmax(x, dim=1),
 'gelu': lambda L,F,x,y,p,t: F.gelu(x),
 'silu': lambda L,F,x,y,p,t: F.silu(x),
 'leaky': lambda L,F,x,y,p,t: F.leaky_relu(x),
 'elu': lambda L,F,x,y,p,t: F.elu(x),
 'mm2d': lambda L,F,x,y,p,t: x @ y.T,
 'mm3d': lambda L,F,x,y,p,t: x.reshape(2,2,3) @ y.reshape(2,3,2),
 'bmm': lambda L,F,x,y,p,t: L.bmm(x.reshape(2,2,3), y.reshape(2,3,2)),
 'mv': lambda L,F,x,y,p,t: L.mv(x, y[0]),
 'dot': lambda L,F,x,y,p,t: L.dot(x[0], y[0]),
 'rsub': lambda L,F,x,y,p,t: 1 - x,
 'rdiv': lambda L,F,x,y,p,t: 1 / p,
 'pow2': lambda L,F,x,y,p,t: x ** 2,
 'rpow': lambda L,F,x,y,p,t: 2 ** x,
 'sqrt': lambda L,F,x,y,p,t: p.sqrt(),
 'clamp': lambda L,F,x,y,p,t: x.clamp(-1, 1),
 'clamp_min': lambda L,F,x,y,p,t: x.clamp(min=0),
 'clamp_min_fn': lambda L,F,x,y,p,t: L.clamp_min(x, 0),
 'masked_fill': lambda L,F,x,y,p,t: x.masked_fill(x > 0, 0.0),
 'where': lambda L,F,x,y,p,t: L.where(x > 0, x, y),
 'mean_dim': lambda L,F,x,y,p,t: x.mean(dim=1),
 'sum_all': lambda L,F,x,y,p,t: x.sum(),
 'prod_dim': lambda L,F,x,y,p,t: x.prod(dim=1),
 'norm': lambda L,F,x,y,p,t: x.norm(),
 'norm_dim': lambda L,F,x,y,p,t: x.norm(dim=1),
 'std': lambda L,F,x,y,p,t: x.std(),
 'var': lambda L,F,x,y,p,t: x.var(),
 'abs': lambda L,F,x,y,p,t: x.abs(),
 'exp': lambda L,F,x,y,p,t: x.exp(),
 'log': lambda L,F,x,y,p,t: p.log(),
 'view': lambda L,F,x,y,p,t: x.view(-1),
 'reshape': lambda L,F,x,y,p,t: x.reshape(3, 4),
 'flatten': lambda L,F,x,y,p,t: x.flatten(),
 'T': lambda L,F,x,y,p,t: x.T,
 'transpose': lambda L,F,x,y,p,t: x.transpose(0, 1),
 'permute': lambda L,F,x,y,p,t: x.permute(1, 0),
 'unsqueeze': lambda L,F,x,y,p,t: x.unsqueeze(0),
 'squeeze': lambda L,F,x,y,p,t: x.unsqueeze(0).squeeze(0),
 'cat': lambda L,F,x,y,p,t: L.cat([x, y]),
 'stack': lambda L,F,x,y,p,t: L.stack([x, y]),
 'expand': lambda L,F,x,y,p,t: x[:1].expand(3, 3),
 'index_int': lambda L,F,x,y,p,t: x[L.tensor([0, 1])],
 'gather': lambda L,F,x,y,p,t: x.gather(1, L.tensor([[0],[1],[2],[0]])),
 'contig': lambda L,F,x,y,p,t: x.T.contiguous(),
 'clone': lambda L,F,x,y,p,t: x.clone(),
 'to64': lambda L,F,x,y,p,t: x.double(),
 'max_all': lambda L,F,x,y,p,t: x.max(),
 'max_dim': lambda L,F,x,y,p,t: x.max(dim=1)[0],
 'topk': lambda L,F,x,y,p,t: x.topk(2)[0],
 'sort': lambda L,F,x,y,p,t: x.sort()[0],
 'cumsum': lambda L,F,x,y,p,t: x.cumsum(0),
 'linear1d': lambda L,F,x,y,p,t: F.linear(x[0], y),
 'linear3d': lambda L,F,x,y,p,t: F.linear(x.reshape(2,2,3), y[:2]),
 'embedding': lambda L,F,x,y,p,t: F.embedding(L.tensor([0, 2]), x),
 'layer_norm': lambda L,F,x,y,p,t: F.layer_norm(x, (3,)),
 'normalize': lambda L,F,x,y,p,t: F.normalize(x, dim=1),
 'cos_sim': lambda L,F,x,y,p,t: F.cosine_similarity(x, y),
 'pad': lambda L,F,x,y,p,t: F.pad(x, (1, 1)),
 'neg': lambda L,F,x,y,p,t: -x,
 'add_scalar': lambda L,F,x,y,p,t: x + 1,
 'mul_scalar': lambda L,F,x,y,p,t: x * 2,
 'div_scalar': lambda L,F,x,y,p,t: x / 2,
 'sub': lambda L,F,x,y,p,t: x - y,
 'add': lambda L,F,x,y,p,t: x + y,
 'maximum': lambda L,F,x,y,p,t: L.maximum(x, y),
 'logsumexp': lambda L,F,x,y,p,t: x.logsumexp(1),
 'chunk': lambda L,F,x,y,p,t: x.chunk(2, dim=1)[0],
 'split': lambda L,F,x,y,p,t: x.split(1, dim=0)[1],
 'select': lambda L,F,x,y,p,t: x[:, 0],
 'unbind': lambda L,F,x,y,p,t: x.unbind(0)[0],
 'repeat': lambda L,F,x,y,p,t: x.repeat(2, 1),
 'flip': lambda L,F,x,y,p,t: x.flip(0),
 'tril': lambda L,F,x,y,p,t: x.tril(),
}



def _inputs(L):
    rs = np.random.default_rng(1)
    x = L.tensor(rs.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    y = L.tensor(rs.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    p = L.tensor(np.abs(rs.standard_normal((4, 3))).astype(np.float32) + 0.1, requires_grad=True)
    t = L.tensor((rs.random((4, 3)) > 0.5).astype(np.float32))
    return x, y, p, t


@pytest.mark.parametrize('case', sorted(CASES))
def test_op_node_names(case):
    f = CASES[case]
    names = [type(f(L, L.nn.functional, *_inputs(L)).grad_fn).__name__ for L in (torch, ember)]
    names[1] = f(ember, ember.nn.functional, *_inputs(ember)).grad_fn.name()
    assert names[0] == names[1]


def _loss_cases(L):
    F = L.nn.functional
    rs = np.random.default_rng(0)
    X = rs.standard_normal((4, 3)).astype(np.float32)
    Y = rs.standard_normal((4, 3)).astype(np.float32)
    T = (rs.random((4, 3)) > 0.5).astype(np.float32)
    C = np.array([0, 1, 2, 0])
    S = np.sign(rs.standard_normal(4)).astype(np.float32)
    x = L.tensor(X, requires_grad=True); y = L.tensor(Y); t = L.tensor(T); c = L.tensor(C); s = L.tensor(S)  # noqa: E702
    p = L.sigmoid(L.tensor(X)).requires_grad_()
    return {
     'smooth_l1': lambda r: F.smooth_l1_loss(x, y, reduction=r),
     'huber': lambda r: F.huber_loss(x, y, reduction=r),
     'bce_logits': lambda r: F.binary_cross_entropy_with_logits(x, t, reduction=r),
     'bce': lambda r: F.binary_cross_entropy(p, t, reduction=r),
     'mse': lambda r: F.mse_loss(x, y, reduction=r),
     'l1': lambda r: F.l1_loss(x, y, reduction=r),
     'nll': lambda r: F.nll_loss(x, c, reduction=r),
     'ce': lambda r: F.cross_entropy(x, c, reduction=r),
     'soft_margin': lambda r: F.soft_margin_loss(x, t*2-1, reduction=r),
     'multilabel_soft_margin': lambda r: F.multilabel_soft_margin_loss(x, t, reduction=r),
     'multi_margin': lambda r: F.multi_margin_loss(x, c, reduction=r),
     'multilabel_margin': lambda r: F.multilabel_margin_loss(x, L.tensor(np.array([[0,1,-1],[2,-1,0],[1,-1,0],[0,2,-1]])), reduction=r),
     'hinge': lambda r: F.hinge_embedding_loss(x, t*2-1, reduction=r),
     'margin_ranking': lambda r: F.margin_ranking_loss(x[:,0], y[:,0], s, reduction=r),
     'cosine_emb': lambda r: F.cosine_embedding_loss(x, y, s, reduction=r),
     'triplet': lambda r: F.triplet_margin_loss(x, y, y*2, reduction=r),
     'poisson': lambda r: F.poisson_nll_loss(x, y.abs(), reduction=r),
     'gaussian': lambda r: F.gaussian_nll_loss(x, y, y.abs()+0.1, reduction=r),
    }


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_loss_node_names(reduction):
    tc, ec = _loss_cases(torch), _loss_cases(ember)
    for k in tc:
        assert ec[k](reduction).grad_fn.name() == type(tc[k](reduction).grad_fn).__name__, k
