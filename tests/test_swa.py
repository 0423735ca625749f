"""ember.optim.swa_utils (AveragedModel, SWALR, update_bn and the averaging functions) against torch."""
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same, to_np


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.ReLU(), lib.nn.Linear(6, 2))


def _pair():
    torch.manual_seed(0)
    tm, em = _net(torch), _net(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((8, 2)).astype(np.float32))
            for _ in range(n)]


def _train_step(lib, model, opt, x, y):
    opt.zero_grad()
    loss = ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
    loss.backward()
    opt.step()


def _states_equal(ts, es, atol=1e-6):
    assert list(ts) == list(es)
    for k in ts:
        assert_same(ts[k], es[k], atol=atol, rtol=1e-5, what=k)


AVG = [
    ('default', lambda lib: {}),
    ('ema_multi', lambda lib: dict(multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.9))),
    ('ema_multi_low_decay', lambda lib: dict(multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.3))),
    ('swa_multi', lambda lib: dict(multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn())),
    ('ema', lambda lib: dict(avg_fn=lib.optim.swa_utils.get_ema_avg_fn(0.95))),
    ('swa', lambda lib: dict(avg_fn=lib.optim.swa_utils.get_swa_avg_fn())),
    ('custom', lambda lib: dict(avg_fn=lambda a, m, n: 0.5 * a + 0.5 * m)),
]


@pytest.mark.parametrize('name,kw', AVG, ids=[a[0] for a in AVG])
@pytest.mark.parametrize('use_buffers', [False, True])
def test_averaged_model_trajectory(name, kw, use_buffers):
    tm, em = _pair()
    ta = torch.optim.swa_utils.AveragedModel(tm, use_buffers=use_buffers, **kw(torch))
    ea = ember.optim.swa_utils.AveragedModel(em, use_buffers=use_buffers, **kw(ember))
    assert repr(ea) == repr(ta)
    assert list(ea.state_dict()) == list(ta.state_dict())
    topt, eopt = torch.optim.SGD(tm.parameters(), lr=0.1), ember.optim.SGD(em.parameters(), lr=0.1)
    if name == 'swa_multi' and use_buffers:
        # torch's SWA multi-average refuses integer buffers (num_batches_tracked): addcdiv on integers
        for lib, a, m in ((torch, ta, tm), (ember, ea, em)):
            a.update_parameters(m)
            with pytest.raises(RuntimeError, match='Integer division with addcdiv is no longer supported'):
                a.update_parameters(m)
        return
    for x, y in _batches(6):
        _train_step(torch, tm, topt, x, y)
        _train_step(ember, em, eopt, x, y)
        ta.update_parameters(tm)
        ea.update_parameters(em)
        _states_equal(ta.state_dict(), ea.state_dict())
    assert int(ea.n_averaged) == int(ta.n_averaged) == 6
    x = _batches(1, seed=9)[0][0]
    ta.eval(), ea.eval()
    with torch.no_grad(), ember.no_grad():
        assert_same(ta(torch.tensor(x)), ea(ember.tensor(x)), atol=1e-5)
    # the averaged copy is independent of the live model
    assert ea.module[0].weight is not em[0].weight


def test_averaged_model_exact_swa_mean():
    """The default average is the plain mean of the models it saw."""
    p = ember.nn.Linear(3, 2)
    avg = ember.optim.swa_utils.AveragedModel(p)
    snapshots = []
    for k in range(4):
        with ember.no_grad():
            p.weight.add_(float(k + 1))
        snapshots.append(p.weight.detach().clone().numpy())
        avg.update_parameters(p)
    np.testing.assert_allclose(to_np(avg.module.weight), np.mean(snapshots, 0), rtol=1e-6)


def test_avg_fn_errors():
    for lib in (torch, ember):
        su = lib.optim.swa_utils
        for fn in (su.get_ema_multi_avg_fn, su.get_ema_avg_fn):
            with pytest.raises(ValueError, match=r'Invalid decay value 1.5 provided. Please provide a value in'):
                fn(1.5)
        with pytest.raises(AssertionError, match='Only one of avg_fn and multi_avg_fn'):
            su.AveragedModel(lib.nn.Linear(2, 2), avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())


@pytest.mark.parametrize('strategy', ['cos', 'linear'])
@pytest.mark.parametrize('anneal_epochs', [0, 1, 5])
def test_swalr_sequence(strategy, anneal_epochs):
    lrs = {}
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.zeros(2))
        q = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 0.3}], lr=1.0, momentum=0.9)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.05, 0.01], anneal_epochs=anneal_epochs,
                                          anneal_strategy=strategy)
        seq = [sched.get_last_lr()]
        for _ in range(12):
            opt.step()
            sched.step()
            seq.append(sched.get_last_lr())
        lrs[lib.__name__] = seq
        sd = sched.state_dict()
        assert 'optimizer' not in sd and 'anneal_func' not in sd
    np.testing.assert_allclose(np.array(lrs['ember']), np.array(lrs['torch']), rtol=0, atol=1e-12)


def test_swalr_after_other_scheduler_and_resume():
    """SWALR takes over from another schedule's current lr, and resumes from its state_dict."""
    seqs = {}
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.SGD([p], lr=0.5)
        cos = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        seq = []
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            for _ in range(4):
                opt.step()
                cos.step()
            swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=4)
            for i in range(8):
                opt.step()
                swa.step()
                seq.append(opt.param_groups[0]['lr'])
                if i == 3:
                    sd = swa.state_dict()
                    swa = lib.optim.swa_utils.SWALR(opt, swa_lr=0.9, anneal_epochs=1, anneal_strategy='linear')
                    swa.load_state_dict(sd)
        seqs[lib.__name__] = seq
    np.testing.assert_allclose(seqs['ember'], seqs['torch'], rtol=0, atol=1e-12)


def test_swalr_errors():
    for lib in (torch, ember):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
            lib.optim.swa_utils.SWALR(opt, 0.01, anneal_strategy='exp')
        with pytest.raises(ValueError, match='anneal_epochs must be equal or greater than 0, got -1'):
            lib.optim.swa_utils.SWALR(opt, 0.01, anneal_epochs=-1)
        with pytest.raises(ValueError, match='anneal_epochs must be equal or greater than 0, got 2.0'):
            lib.optim.swa_utils.SWALR(opt, 0.01, anneal_epochs=2.0)
        with pytest.raises(ValueError, match='swa_lr must have the same length'):
            lib.optim.swa_utils.SWALR(opt, [0.01, 0.02])


def test_update_bn():
    tm, em = _pair()
    ta, ea = torch.optim.swa_utils.AveragedModel(tm), ember.optim.swa_utils.AveragedModel(em)
    data = _batches(5, seed=3)
    # a loader of (input, target) pairs and one of bare tensors
    tloader = [(torch.tensor(x), torch.tensor(y)) for x, y in data]
    eloader = [(ember.tensor(x), ember.tensor(y)) for x, y in data]
    ta.eval(), ea.eval()
    torch.optim.swa_utils.update_bn(tloader, ta)
    ember.optim.swa_utils.update_bn(eloader, ea)
    assert not ea.training and not ta.training   # the mode is restored
    bn_t, bn_e = ta.module[1], ea.module[1]
    assert bn_e.momentum == bn_t.momentum == 0.1
    assert_same(bn_t.running_mean, bn_e.running_mean)
    assert_same(bn_t.running_var, bn_e.running_var)
    assert_same(bn_t.num_batches_tracked, bn_e.num_batches_tracked)
    torch.optim.swa_utils.update_bn([t[0] for t in tloader], tm)
    ember.optim.swa_utils.update_bn([e[0] for e in eloader], em)
    assert_same(tm[1].running_var, em[1].running_var)
    # a model without batch norm is left untouched
    lin = ember.nn.Linear(4, 2)
    before = to_np(lin.weight).copy()
    ember.optim.swa_utils.update_bn(eloader, lin)
    np.testing.assert_array_equal(to_np(lin.weight), before)
