"""nn.Fold/Unfold, lazy batch/instance norm, NLLLoss2d, AdaptiveLogSoftmaxWithLoss and SparseAdam, against torch."""
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same, to_np


def _copy_state(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _both(shape, seed=0, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)


# ---------------------------------------------------------------- Fold / Unfold
@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=(1, 2), padding=1, dilation=1),
                                dict(kernel_size=3, dilation=2, padding=2, stride=2)])
def test_unfold_fold_modules(kw):
    tu, eu = torch.nn.Unfold(**kw), ember.nn.Unfold(**kw)
    assert repr(eu) == repr(tu)
    tx, ex = _both((2, 3, 7, 8))
    ty, ey = tu(tx), eu(ex)
    assert_same(ty, ey)
    g = np.random.default_rng(1).standard_normal(tuple(ty.shape)).astype(np.float32)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    assert_same(tx.grad, ex.grad)
    tf, ef = torch.nn.Fold(output_size=(7, 8), **kw), ember.nn.Fold(output_size=(7, 8), **kw)
    assert repr(ef) == repr(tf)
    tc, ec = _both(tuple(ty.shape), seed=2)
    tz, ez = tf(tc), ef(ec)
    assert_same(tz, ez)
    tz.sum().backward()
    ez.sum().backward()
    assert_same(tc.grad, ec.grad)


def test_fold_unbatched_and_errors():
    tc, ec = _both((12, 6))
    assert_same(torch.nn.Fold((3, 4), 2)(tc), ember.nn.Fold((3, 4), 2)(ec))
    with pytest.raises(RuntimeError):
        torch.nn.Fold((3, 4), 2)(torch.zeros(2, 12, 5))
    with pytest.raises(RuntimeError, match='sliding blocks'):
        ember.nn.Fold((3, 4), 2)(ember.zeros(2, 12, 5))
    with pytest.raises(RuntimeError):
        torch.nn.Unfold(2)(torch.zeros(1, 2, 3, 4, 5))
    with pytest.raises(RuntimeError, match='3D or 4D'):
        ember.nn.Unfold(2)(ember.zeros(1, 2, 3, 4, 5))


# ---------------------------------------------------------------- lazy norms
LAZY = [('LazyBatchNorm1d', (4, 3, 5)), ('LazyBatchNorm1d', (4, 3)), ('LazyBatchNorm2d', (4, 3, 5, 5)),
        ('LazyBatchNorm3d', (2, 3, 3, 4, 4)), ('LazyInstanceNorm1d', (4, 3, 6)), ('LazyInstanceNorm2d', (2, 3, 5, 5)),
        ('LazyInstanceNorm3d', (2, 3, 3, 4, 4))]


@pytest.mark.parametrize('name,shape', LAZY)
@pytest.mark.parametrize('kw', [{}, dict(affine=False, momentum=None), dict(track_running_stats=False, bias=False)])
def test_lazy_norm(name, shape, kw):
    tm, em = getattr(torch.nn, name)(**kw), getattr(ember.nn, name)(**kw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.has_uninitialized_params() == tm.has_uninitialized_params()
    for step in range(2):
        tx, ex = _both(shape, seed=step)
        ty, ey = tm(tx), em(ex)
        assert type(em).__name__ == type(tm).__name__   # became BatchNorm2d etc.
        assert repr(em) == repr(tm)
        assert_same(ty, ey)
        (ty * ty).sum().backward()
        (ey * ey).sum().backward()
        assert_same(tx.grad, ex.grad, atol=1e-4)
    for k, v in tm.state_dict().items():
        assert_same(v, em.state_dict()[k], what=k)
    for (k, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert_same(tp.grad, ep.grad, atol=1e-4, what=k)
    tm.eval(), em.eval()
    tx, ex = _both(shape, seed=5)
    assert_same(tm(tx), em(ex))


def test_lazy_norm_state_dict_and_errors():
    em = ember.nn.LazyBatchNorm2d()
    assert isinstance(em.weight, ember.nn.UninitializedParameter)
    assert isinstance(em.running_mean, ember.nn.UninitializedBuffer)
    em(ember.randn(2, 4, 3, 3))
    assert em.num_features == 4 and tuple(em.running_var.shape) == (4,)
    assert type(em.weight) is ember.nn.Parameter
    # a loaded state from torch gives the same eval output
    tm = torch.nn.BatchNorm2d(4)
    tm(torch.randn(8, 4, 3, 3) * 3 + 1)
    _copy_state(tm, em)
    tm.eval(), em.eval()
    tx, ex = _both((2, 4, 3, 3))
    assert_same(tm(tx), em(ex))
    with pytest.raises(ValueError, match='expected 4D input'):
        ember.nn.LazyBatchNorm2d()(ember.randn(2, 3))
    with pytest.raises(ValueError):
        torch.nn.LazyBatchNorm2d()(torch.randn(2, 3))
    # torch infers num_features from dim 1 even for an unbatched instance-norm input, then rejects it
    with pytest.raises(ValueError):
        torch.nn.LazyInstanceNorm1d()(torch.randn(3, 5))
    with pytest.raises(ValueError, match='match num_features'):
        ember.nn.LazyInstanceNorm1d()(ember.randn(3, 5))


# ---------------------------------------------------------------- NLLLoss2d
def test_nll_loss_2d():
    with pytest.warns(FutureWarning, match='`NLLLoss2d` has been deprecated'):
        tl = torch.nn.NLLLoss2d(ignore_index=1)
    with pytest.warns(FutureWarning, match='`NLLLoss2d` has been deprecated. Please use `NLLLoss`'):
        el = ember.nn.NLLLoss2d(ignore_index=1)
    assert repr(el) == repr(tl) and isinstance(el, ember.nn.NLLLoss)
    tx, ex = _both((2, 4, 3, 5))
    t = np.random.default_rng(3).integers(0, 4, size=(2, 3, 5))
    tl_, el_ = tl(torch.log_softmax(tx, 1), torch.tensor(t)), el(ember.log_softmax(ex, 1), ember.tensor(t))
    assert_same(tl_, el_)
    tl_.backward(), el_.backward()
    assert_same(tx.grad, ex.grad)


# ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
@pytest.mark.parametrize('kw', [dict(cutoffs=[4, 10], div_value=2.0, head_bias=True), dict(cutoffs=[6]),
                                dict(cutoffs=[3, 8, 15], div_value=1.5)])
def test_adaptive_log_softmax(kw):
    torch.manual_seed(0)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, **kw)
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, **kw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [tuple(p.shape) for p in em.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    _copy_state(tm, em)
    tx, ex = _both((9, 16))
    target = np.array([0, 3, 5, 9, 12, 19, 1, 15, 7])
    to, eo = tm(tx, torch.tensor(target)), em(ex, ember.tensor(target))
    assert type(eo).__name__ == '_ASMoutput' and eo._fields == ('output', 'loss')
    assert_same(to.output, eo.output)
    assert_same(to.loss, eo.loss)
    to.loss.backward()
    eo.loss.backward()
    assert_same(tx.grad, ex.grad)
    for (k, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert_same(tp.grad, ep.grad, what=k)
    with torch.no_grad(), ember.no_grad():
        assert_same(tm.log_prob(tx), em.log_prob(ex))
        assert_same(tm.predict(tx), em.predict(ex))
        # rows predicted inside and outside the shortlist: scale the input so that both occur
        for scale in (0.1, 5.0, -5.0):
            assert_same(tm.predict(tx * scale), em.predict(ex * scale))
        # an unbatched sample and its 0-d target
        to1, eo1 = tm(tx[0], torch.tensor(target[3])), em(ex[0], ember.tensor(target[3]))
        assert_same(to1.output, eo1.output)
        assert_same(to1.loss, eo1.loss)


def test_adaptive_log_softmax_errors():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match='sequence of length larger than 0'):
            lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [])
        for bad in ([5, 3], [0, 4], [4, 10], [4, 4]):
            with pytest.raises(ValueError, match='unique, positive integers'):
                lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, bad)
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])
        with pytest.raises(RuntimeError, match=r'Target values should be in \[0, 9\]'):
            m(lib.zeros(2, 8), lib.tensor([1, 12]))
        with pytest.raises(RuntimeError, match='same size in the batch dimension'):
            m(lib.zeros(3, 8), lib.tensor([1, 2]))
        with pytest.raises(RuntimeError, match='0D or 1D target tensor expected'):
            m(lib.zeros(2, 8), lib.zeros(2, 2, dtype=lib.long))


# ---------------------------------------------------------------- SparseAdam
def _embedding_pair(W, **kw):
    te, ee = torch.nn.Embedding(*W.shape, sparse=True), ember.nn.Embedding(*W.shape, sparse=True)
    with torch.no_grad():
        te.weight.copy_(torch.tensor(W))
    ee.load_state_dict({'weight': ember.tensor(W)})
    return te, ee


@pytest.mark.parametrize('kw', [dict(lr=0.1), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, maximize=True)])
def test_sparse_adam_embedding(kw):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((12, 4)).astype(np.float32)
    te, ee = _embedding_pair(W)
    to, eo = torch.optim.SparseAdam(te.parameters(), **kw), ember.optim.SparseAdam(ee.parameters(), **kw)
    for step in range(8):
        # distinct rows (so both libraries sum the same gradient), never all of them: untouched rows stay put
        idx = rng.permutation(12)[:5]
        t = rng.standard_normal((5, 4)).astype(np.float32)
        for mod, opt, lib in ((te, to, torch), (ee, eo, ember)):
            opt.zero_grad()
            (mod(lib.tensor(idx)) * lib.tensor(t)).sum().backward()
            opt.step()
        np.testing.assert_array_equal(to_np(ee.weight), to_np(te.weight))
    ts, es = to.state_dict(), eo.state_dict()
    assert ts['state'][0]['step'] == es['state'][0]['step'] == 8
    assert_same(ts['state'][0]['exp_avg'], es['state'][0]['exp_avg'], atol=0, rtol=0)
    assert_same(ts['state'][0]['exp_avg_sq'], es['state'][0]['exp_avg_sq'], atol=0, rtol=0)
    assert ts['param_groups'] == es['param_groups']


def test_sparse_adam_repeated_rows_and_resume():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((6, 3)).astype(np.float32)
    te, ee = _embedding_pair(W)
    to, eo = torch.optim.SparseAdam(te.parameters(), lr=0.1), ember.optim.SparseAdam(ee.parameters(), lr=0.1)
    idx = [np.array([0, 2, 2, 5, 0]), np.array([1, 1, 1, 3])]
    for step in range(6):
        i = idx[step % 2]
        for mod, opt, lib in ((te, to, torch), (ee, eo, ember)):
            opt.zero_grad()
            (mod(lib.tensor(i)) ** 2).sum().backward()
            opt.step()
        if step == 2:   # reload the state into a fresh optimizer mid-run
            sd = eo.state_dict()
            eo = ember.optim.SparseAdam(ee.parameters(), lr=0.1)
            eo.load_state_dict(sd)
    # repeated rows are summed in a different order by the two embedding backwards: last-bit differences
    assert_same(te.weight, ee.weight, atol=1e-6, rtol=1e-6)


def test_sparse_adam_errors():
    for lib in (torch, ember):
        p = [lib.nn.Parameter(lib.zeros(3))]
        for kw, msg in ((dict(lr=0.0), 'Invalid learning rate'), (dict(eps=0.0), 'Invalid epsilon value'),
                        (dict(betas=(1.0, 0.9)), 'index 0'), (dict(betas=(0.9, -0.1)), 'index 1')):
            with pytest.raises(ValueError, match=msg):
                lib.optim.SparseAdam(p, **kw)
        with pytest.raises(ValueError, match='does not support complex parameters'):
            lib.optim.SparseAdam([lib.nn.Parameter(lib.zeros(2, dtype=lib.complex64))])


def test_gradcheck_modules():
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(ember.nn.Unfold(2, stride=1, padding=1), (x,))
    c = ember.tensor(rng.standard_normal((1, 8, 25)), requires_grad=True)
    assert ember.autograd.gradcheck(ember.nn.Fold((4, 4), 2, stride=1, padding=1), (c,))
    assert ember.autograd.gradgradcheck(ember.nn.Fold((4, 4), 2, stride=1, padding=1), (c,))
    m = ember.nn.AdaptiveLogSoftmaxWithLoss(6, 8, [3, 5], div_value=2.0, dtype=ember.float64)
    h = ember.tensor(rng.standard_normal((5, 6)), requires_grad=True)
    target = ember.tensor([0, 4, 7, 2, 5])
    assert ember.autograd.gradcheck(lambda h: m(h, target).loss, (h,))
    assert ember.autograd.gradcheck(m.log_prob, (h,))


def test_adaptive_log_softmax_matches_torch_everywhere():
    """Outputs, loss, input and parameter gradients, log_prob, predict, unbatched calls and node names against
    torch with the same weights (ember's forward is its own: bucket ids, one head gather, index_add per cluster)."""
    import numpy as np
    import torch
    import ember

    def run(L, sd=None):
        L.manual_seed(0)
        m = L.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10, 15], div_value=2.0, head_bias=True)
        if sd is not None:
            m.load_state_dict({k: L.tensor(v) for k, v in sd.items()})
        rs = np.random.default_rng(0)
        x = L.tensor(rs.standard_normal((7, 8)).astype(np.float32), requires_grad=True)
        t = L.tensor(np.array([0, 3, 5, 12, 19, 9, 16]))
        o = m(x, t)
        o.loss.backward()
        name = (lambda v: type(v.grad_fn).__name__) if L is torch else (lambda v: v.grad_fn.name())
        res = [o.output.detach().numpy(), o.loss.item(), x.grad.numpy(), m.log_prob(x).detach().numpy(),
               m.predict(x).numpy(), m(x[0], t[3]).output.item(), (name(o.output), name(o.loss))]
        res += [p.grad.numpy() for _, p in m.named_parameters()]
        return res, {k: v.detach().numpy() for k, v in m.state_dict().items()}
    want, sd = run(torch)
    got, _ = run(ember, sd)
    for w, g in zip(want, got):
        if isinstance(w, tuple):
            assert w == g
        else:
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
