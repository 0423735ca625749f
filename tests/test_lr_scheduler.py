"""ember.optim.lr_scheduler against torch's: the learning-rate sequences are equal (to 1e-12)."""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember


def make_opt(lib, name='SGD', groups=2, **kw):
    ps = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
    kw = kw or dict(lr=0.1, momentum=0.9)
    return getattr(lib.optim, name)([{'params': [p], 'lr': kw.get('lr', 0.1) * (i + 1)} for i, p in enumerate(ps)],
                                    **kw)


def S(lib):
    return lib.optim.lr_scheduler


SCHEDULERS = {
    'LambdaLR': lambda lib, o: S(lib).LambdaLR(o, lambda e: 0.95 ** e),
    'LambdaLR-list': lambda lib, o: S(lib).LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 / (e + 1)]),
    'MultiplicativeLR': lambda lib, o: S(lib).MultiplicativeLR(o, lambda e: 0.97),
    'StepLR': lambda lib, o: S(lib).StepLR(o, step_size=7, gamma=0.5),
    'MultiStepLR': lambda lib, o: S(lib).MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3),
    'ConstantLR': lambda lib, o: S(lib).ConstantLR(o, factor=0.25, total_iters=12),
    'LinearLR': lambda lib, o: S(lib).LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=40),
    'ExponentialLR': lambda lib, o: S(lib).ExponentialLR(o, gamma=0.97),
    'PolynomialLR': lambda lib, o: S(lib).PolynomialLR(o, total_iters=60, power=2.0),
    'CosineAnnealingLR': lambda lib, o: S(lib).CosineAnnealingLR(o, T_max=30, eta_min=1e-3),
    'CosineAnnealingWarmRestarts': lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, T_0=7, T_mult=2,
                                                                                      eta_min=1e-4),
    'CyclicLR': lambda lib, o: S(lib).CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=9,
                                               step_size_down=5),
    'CyclicLR-tri2': lambda lib, o: S(lib).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6,
                                                    mode='triangular2'),
    'CyclicLR-exp': lambda lib, o: S(lib).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6, mode='exp_range',
                                                   gamma=0.98, cycle_momentum=False),
    'OneCycleLR': lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.5, total_steps=101),
    'OneCycleLR-3': lambda lib, o: S(lib).OneCycleLR(o, max_lr=[0.5, 0.3], epochs=11, steps_per_epoch=10,
                                                     three_phase=True, anneal_strategy='linear'),
    'SequentialLR': lambda lib, o: S(lib).SequentialLR(o, [S(lib).LinearLR(o, 0.1, total_iters=10),
                                                           S(lib).ExponentialLR(o, 0.95),
                                                           S(lib).CosineAnnealingLR(o, 20)], milestones=[10, 50]),
    'ChainedScheduler': lambda lib, o: S(lib).ChainedScheduler([S(lib).ConstantLR(o, 0.5, total_iters=20),
                                                                S(lib).ExponentialLR(o, 0.98),
                                                                S(lib).StepLR(o, 15, 0.5)]),
}


def lr_sequence(lib, key, opt_name='SGD', steps=100, resume_at=None):
    opt = make_opt(lib, opt_name, **({} if opt_name == 'SGD' else dict(lr=0.1)))
    sched = SCHEDULERS[key](lib, opt)
    seq = [(sched.get_last_lr(), [g.get('momentum', g.get('betas')) for g in opt.param_groups])]
    for i in range(steps):
        if resume_at == i:  # rebuild optimizer and scheduler from their state_dicts
            osd, ssd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
            opt = make_opt(lib, opt_name, **({} if opt_name == 'SGD' else dict(lr=0.1)))
            sched = SCHEDULERS[key](lib, opt)
            opt.load_state_dict(osd)
            sched.load_state_dict(ssd)
        opt.step()
        sched.step()
        seq.append((sched.get_last_lr(), [g.get('momentum', g.get('betas')) for g in opt.param_groups]))
    return seq


def assert_same(a, b):
    for i, ((la, ma), (lb, mb)) in enumerate(zip(a, b)):
        np.testing.assert_allclose(la, lb, rtol=0, atol=1e-12, err_msg=f"lr at step {i}")
        np.testing.assert_allclose(np.array(ma, dtype=float), np.array(mb, dtype=float), rtol=0, atol=1e-12)


@pytest.mark.parametrize('key', list(SCHEDULERS))
def test_sequence_matches_torch(key):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        e, t = lr_sequence(ember, key), lr_sequence(torch, key)
        assert_same(e, t)
        assert_same(lr_sequence(ember, key, resume_at=37), t)


@pytest.mark.parametrize('key', ['CyclicLR', 'OneCycleLR'])
def test_momentum_cycling_with_betas(key):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert_same(lr_sequence(ember, key, 'Adam'), lr_sequence(torch, key, 'Adam'))


def test_scheduler_state_dict_matches_torch_keys():
    for key in ['StepLR', 'CosineAnnealingLR', 'SequentialLR', 'OneCycleLR', 'LambdaLR']:
        se = SCHEDULERS[key](ember, make_opt(ember)).state_dict()
        st = SCHEDULERS[key](torch, make_opt(torch)).state_dict()
        assert set(se) == set(st), key


def test_closed_form_epoch_argument():
    for key in ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'PolynomialLR', 'LinearLR',
                'ConstantLR', 'CosineAnnealingWarmRestarts']:
        res = []
        for lib in (ember, torch):
            opt = make_opt(lib)
            sched = SCHEDULERS[key](lib, opt)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                out = []
                for epoch in [3, 10, 4.5 if key == 'CosineAnnealingWarmRestarts' else 4, 25, 60]:
                    opt.step()
                    sched.step(epoch)
                    out.append(sched.get_last_lr())
            res.append((out, [str(x.message) for x in w]))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=0, atol=1e-12)
        assert res[0][1] == res[1][1]


def test_warnings_match_torch():
    for lib in (ember, torch):
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            sched.step()
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            opt.step()
            sched.step()      # the right order: no warning
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()


@pytest.mark.parametrize('kw', [dict(), dict(mode='max', threshold_mode='abs', threshold=0.1),
                                dict(mode='max', factor=0.5, patience=2, cooldown=3, min_lr=[0.01, 0.05]),
                                dict(threshold_mode='abs', patience=0, eps=1e-3)])
def test_reduce_lr_on_plateau(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.94, 0.96, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.9] * 8
    res = []
    for lib in (ember, torch):
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        out = []
        for i, m in enumerate(metrics):
            if i == 50:
                sd = copy.deepcopy(sched.state_dict())
                sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
                sched.load_state_dict(sd)
            opt.step()
            sched.step(m)
            out.append(sched.get_last_lr())
        res.append(out)
    np.testing.assert_allclose(res[0], res[1], rtol=0, atol=1e-12)


def test_errors_match_torch():
    cases = [
        lambda lib, o: lib.optim.lr_scheduler.StepLR(object(), 3),
        lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=2),
        lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0),
        lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.5),
        lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode='mid'),
        lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 3, last_epoch=5),
        lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1),
        lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
        lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.StepLR(o, 2)], [3]),
    ]
    for make in cases:
        with pytest.raises(Exception) as te:
            make(torch, make_opt(torch))
        with pytest.raises(type(te.value)) as ee:
            make(ember, make_opt(ember))
        assert str(ee.value) == str(te.value)
