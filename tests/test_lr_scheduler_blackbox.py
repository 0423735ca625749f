"""ember.optim.lr_scheduler against torch as a black box: whole state_dicts, warnings, resumed and
rewound schedules, closed forms, error messages."""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember


def opt(lib, groups=2, name='SGD', **kw):
    kw = kw or dict(lr=0.1, momentum=0.9)
    ps = [{'params': [lib.zeros(2, requires_grad=True)], 'lr': 0.1 * (i + 1)} for i in range(groups)]
    return getattr(lib.optim, name)(ps, **kw)


def run(lib, scenario):
    """Run scenario(lib) recording warnings; returns (result or exception text, warning texts)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            out = scenario(lib)
        except Exception as e:  # the same exception class and text are expected from both
            out = (type(e).__name__, str(e))
    return out, [(x.category.__name__, str(x.message)) for x in w]


def same(a, b, path='out'):
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (path, sorted(a), sorted(b))
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-12) or a == b, (path, a, b)
    else:
        assert a == b, (path, a, b)


def compare(scenario):
    e, t = run(ember, scenario), run(torch, scenario)
    same(e, t)
    return e


def S(lib):
    return lib.optim.lr_scheduler


class Scale:
    """A callable object: its attributes travel in state_dict."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return self.k ** x


MAKERS = {
    'StepLR': lambda lib, o: S(lib).StepLR(o, 4, 0.5),
    'MultiStepLR': lambda lib, o: S(lib).MultiStepLR(o, [3, 3, 8], 0.5),
    'ConstantLR': lambda lib, o: S(lib).ConstantLR(o, 0.4, total_iters=6),
    'LinearLR': lambda lib, o: S(lib).LinearLR(o, 0.2, 0.7, total_iters=9),
    'ExponentialLR': lambda lib, o: S(lib).ExponentialLR(o, 0.9),
    'PolynomialLR': lambda lib, o: S(lib).PolynomialLR(o, 12, 1.5),
    'CosineAnnealingLR': lambda lib, o: S(lib).CosineAnnealingLR(o, 5, 0.01),
    'LambdaLR': lambda lib, o: S(lib).LambdaLR(o, [Scale(0.9), lambda e: 1 / (1 + e)]),
    'MultiplicativeLR': lambda lib, o: S(lib).MultiplicativeLR(o, Scale(0.95)),
    'CAWR': lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
    'CyclicLR': lambda lib, o: S(lib).CyclicLR(o, [0.01, 0.02], 0.1, 3, 2, mode='triangular2'),
    'CyclicLR-fn': lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, 4, scale_fn=Scale(0.8), scale_mode='iterations'),
    'OneCycleLR': lambda lib, o: S(lib).OneCycleLR(o, [0.3, 0.4], total_steps=40, pct_start=0.25),
    'OneCycleLR-3': lambda lib, o: S(lib).OneCycleLR(o, 0.3, epochs=4, steps_per_epoch=9, three_phase=True,
                                                     anneal_strategy='linear', div_factor=10.0),
    'SequentialLR': lambda lib, o: S(lib).SequentialLR(o, [S(lib).ConstantLR(o, 0.5, total_iters=3),
                                                          S(lib).MultiplicativeLR(o, lambda e: 0.9),
                                                          S(lib).PolynomialLR(o, 8)], [4, 9]),
    'ChainedScheduler': lambda lib, o: S(lib).ChainedScheduler([S(lib).LinearLR(o, 0.5, total_iters=5),
                                                                S(lib).CosineAnnealingLR(o, 7)]),
}


@pytest.mark.parametrize('key', list(MAKERS))
def test_state_dict_and_warnings_follow_torch(key):
    def scenario(lib):
        o = opt(lib)
        s = MAKERS[key](lib, o)
        log = [copy.deepcopy(s.state_dict())]
        for i in range(35):
            o.step()
            s.step()
            log.append((s.get_last_lr(), copy.deepcopy(s.state_dict()),
                        [{k: v for k, v in g.items() if k != 'params'} for g in o.param_groups]))
        return log
    compare(scenario)


@pytest.mark.parametrize('key', list(MAKERS))
def test_step_before_optimizer_and_get_lr_warn_like_torch(key):
    def scenario(lib):
        o = opt(lib)
        s = MAKERS[key](lib, o)
        s.step()
        o.step()
        s.step()
        if hasattr(s, 'get_lr') and key not in ('SequentialLR', 'ChainedScheduler'):
            return s.get_lr()
        return s.get_last_lr()
    out, warned = compare(scenario)
    if key not in ('CAWR', 'SequentialLR', 'ChainedScheduler'):
        assert any('before `optimizer.step()`' in m for _, m in warned)


@pytest.mark.parametrize('key', ['StepLR', 'LinearLR', 'OneCycleLR', 'CyclicLR-fn', 'LambdaLR', 'SequentialLR'])
def test_resume_from_state_dicts(key):
    def scenario(lib):
        o = opt(lib)
        s = MAKERS[key](lib, o)
        for _ in range(11):
            o.step()
            s.step()
        osd, ssd = copy.deepcopy(o.state_dict()), copy.deepcopy(s.state_dict())
        o2 = opt(lib)
        s2 = MAKERS[key](lib, o2)
        o2.load_state_dict(osd)
        s2.load_state_dict(ssd)
        out = []
        for _ in range(15):
            o2.step()
            s2.step()
            out.append(s2.get_last_lr())
        return out, s2.state_dict()
    compare(scenario)


@pytest.mark.parametrize('key', ['StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR', 'PolynomialLR',
                                 'CosineAnnealingLR', 'MultiplicativeLR', 'LambdaLR'])
def test_construct_with_last_epoch_and_rewind(key):
    def scenario(lib):
        o = opt(lib)
        for g in o.param_groups:
            g['initial_lr'] = g['lr'] * 3
        kw = dict(last_epoch=5)
        make = {'StepLR': lambda: S(lib).StepLR(o, 3, **kw), 'MultiStepLR': lambda: S(lib).MultiStepLR(o, [6], **kw),
                'ConstantLR': lambda: S(lib).ConstantLR(o, 0.5, total_iters=6, **kw),
                'LinearLR': lambda: S(lib).LinearLR(o, 0.5, total_iters=8, **kw),
                'ExponentialLR': lambda: S(lib).ExponentialLR(o, 0.5, **kw),
                'PolynomialLR': lambda: S(lib).PolynomialLR(o, 10, **kw),
                'CosineAnnealingLR': lambda: S(lib).CosineAnnealingLR(o, 10, **kw),
                'MultiplicativeLR': lambda: S(lib).MultiplicativeLR(o, lambda e: 0.5, **kw),
                'LambdaLR': lambda: S(lib).LambdaLR(o, lambda e: 0.5 ** e, **kw)}
        s = make[key]()
        out = [s.get_last_lr()]
        for _ in range(6):
            o.step()
            s.step()
            out.append(s.get_last_lr())
        s.last_epoch = -1      # a rewound schedule takes its epoch-0 step without being "initial"
        s.step()
        out.append(s.get_last_lr())
        return out
    compare(scenario)


def test_closed_forms_and_restarts():
    def scenario(lib):
        out = []
        for key in ['StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR', 'PolynomialLR',
                    'CosineAnnealingLR', 'CAWR', 'LambdaLR', 'MultiplicativeLR', 'CyclicLR']:
            o = opt(lib)
            s = MAKERS[key](lib, o)
            for ep in [2, 7, 0, 5, 30, 11, 3]:
                o.step()
                s.step(ep + (0.25 if key == 'CAWR' else 0))
                out.append(s.get_last_lr())
        return out
    compare(scenario)


def test_reduce_lr_on_plateau_groups_and_epoch():
    def scenario(lib):
        o = opt(lib)
        s = S(lib).ReduceLROnPlateau(o, patience=1, cooldown=1, factor=0.5)
        out = []
        o.add_param_group({'params': [lib.zeros(1, requires_grad=True)], 'lr': 0.3})
        for i, m in enumerate([3, 3, 3, 2, 2, 2, 2, 5, 5, 5]):
            s.step(lib.tensor(float(m)) if i % 2 else m, epoch=(i + 10 if i == 4 else None))
            out.append((s.get_last_lr(), s.last_epoch, s.in_cooldown, copy.deepcopy(s.state_dict())))
        return out
    compare(scenario)

    def fixed_floors(lib):
        o = opt(lib, groups=1)
        s = S(lib).ReduceLROnPlateau(o, patience=0, min_lr=[0.01])
        o.add_param_group({'params': [lib.zeros(1, requires_grad=True)]})
        for m in [1, 2, 3]:
            s.step(m)
        return s.get_last_lr()
    assert compare(fixed_floors)[0][0] == 'RuntimeError'


def test_momentum_with_adam_betas():
    def scenario(lib):
        out = []
        for key in ['CyclicLR', 'OneCycleLR']:
            o = opt(lib, name='Adam', lr=0.1, betas=(0.9, 0.99))
            s = MAKERS[key](lib, o)
            for _ in range(12):
                o.step()
                s.step()
                out.append([g['betas'] for g in o.param_groups])
        return out
    compare(scenario)


def test_overridden_optimizer_step_and_tensor_like_metrics():
    def scenario(lib):
        o = opt(lib)
        s = S(lib).StepLR(o, 2)
        o.step = lambda *a, **k: None
        s.step()
        return s.get_last_lr()
    _, warned = compare(scenario)
    assert any('overridden' in m for _, m in warned)


def test_sequential_with_restarting_and_nested_children():
    def restarts(lib):
        o = opt(lib)
        s = E(lib).SequentialLR(o, [E(lib).ExponentialLR(o, 0.5), E(lib).CosineAnnealingWarmRestarts(o, 3)], [2])
        return [s.step() or (s.get_last_lr(), s.state_dict()) for _ in range(8)]
    compare(restarts)

    def nested(lib):
        o = opt(lib)
        inner = E(lib).ChainedScheduler([E(lib).StepLR(o, 2), E(lib).ExponentialLR(o, 0.9)])
        s = E(lib).SequentialLR(o, [E(lib).ExponentialLR(o, 0.5), inner], [2])
        out = [inner.state_dict()]
        for _ in range(3):
            s.step()
            out.append(s.get_last_lr())
        return out
    assert compare(nested)[0][0] == 'NotImplementedError'


def test_one_cycle_past_the_end_and_sequential_switch_warnings():
    def past(lib):
        o = opt(lib)
        s = S(lib).OneCycleLR(o, 0.2, total_steps=4)
        for _ in range(6):
            o.step()
            s.step()
    assert compare(past)[0][0] == 'ValueError'

    def seq(lib):
        o = opt(lib)
        s = MAKERS['SequentialLR'](lib, o)
        return [s.step() or s.get_last_lr() for _ in range(12)]
    compare(seq)


E = lambda lib: S(lib)  # noqa: E731
ERRORS = [
    lambda lib: E(lib).StepLR(opt(lib), 2, last_epoch=3),
    lambda lib: E(lib).LRScheduler(opt(lib)),
    lambda lib: E(lib).ConstantLR(opt(lib), factor=-0.1),
    lambda lib: E(lib).LinearLR(opt(lib), end_factor=1.5),
    lambda lib: E(lib).LambdaLR(opt(lib), [lambda e: 1.0] * 3),
    lambda lib: E(lib).SequentialLR(opt(lib), [], []),
    lambda lib: E(lib).SequentialLR(opt(lib), [object()], []),
    lambda lib: (lambda o: E(lib).SequentialLR(o, [E(lib).ReduceLROnPlateau(o)], []))(opt(lib)),
    lambda lib: (lambda o: E(lib).SequentialLR(o, [E(lib).StepLR(o, 2)] * 2, [1, 2]))(opt(lib)),
    lambda lib: E(lib).ChainedScheduler([]),
    lambda lib: (lambda o: E(lib).ChainedScheduler([E(lib).ReduceLROnPlateau(o)]))(opt(lib)),
    lambda lib: E(lib).CyclicLR(opt(lib, name='Adagrad', lr=0.1), 0.1, 1.0),
    lambda lib: E(lib).CyclicLR(opt(lib), 0.1, [1.0, 2.0, 3.0]),
    lambda lib: E(lib).CyclicLR(opt(lib), 0.1, 1.0, mode='x'),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, total_steps=0),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, epochs=0, steps_per_epoch=2),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, epochs=2, steps_per_epoch=1.5),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, total_steps=5, pct_start=1.5),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, total_steps=5, pct_start=1),
    lambda lib: E(lib).OneCycleLR(opt(lib), 0.1, total_steps=5, anneal_strategy='x'),
    lambda lib: E(lib).OneCycleLR(opt(lib, name='Adagrad', lr=0.1), 0.1, total_steps=5),
    lambda lib: E(lib).CosineAnnealingWarmRestarts(opt(lib), 2.0),
    lambda lib: E(lib).CosineAnnealingWarmRestarts(opt(lib), 2, T_mult=0),
    lambda lib: E(lib).CosineAnnealingWarmRestarts(opt(lib), 2, eta_min='a'),
    lambda lib: E(lib).CosineAnnealingWarmRestarts(opt(lib), 2).step(-1),
    lambda lib: E(lib).ReduceLROnPlateau(opt(lib), threshold_mode='x'),
    lambda lib: E(lib).ReduceLROnPlateau(opt(lib), min_lr=[1, 2, 3]),
    lambda lib: E(lib).ReduceLROnPlateau(object()),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_errors_match_torch(i):
    (out, _) = compare(ERRORS[i])
    assert isinstance(out, tuple) and out[0].endswith('Error'), out


def test_sequential_optimizer_mismatch_message_names_both():
    def scenario(lib):
        a, b = opt(lib), opt(lib)
        try:
            E(lib).ChainedScheduler([E(lib).StepLR(a, 2), E(lib).StepLR(b, 2)])
        except ValueError as e:
            return str(e).split(' has ')[0], str(e).endswith('which is different from SGD.')
    compare(scenario)
    np.testing.assert_equal(run(ember, scenario)[0][1], True)
