"""ember.optim against torch.optim: the same model, data and options give the same parameters step by step."""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember

RTOL, ATOL = 2e-5, 2e-6


def make_model(lib, dtype='float32'):
    """A small MLP (two Linear layers and a bias-free one), weights from a fixed seed."""
    rng = np.random.default_rng(0)
    m = lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.Tanh(), lib.nn.Linear(5, 3), lib.nn.Linear(3, 2, bias=False))
    if dtype == 'float64':
        m = m.double()
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(dtype) * 0.5))
    return m


DATA = [(np.random.default_rng(i).standard_normal((8, 6)).astype(np.float32),
         np.random.default_rng(100 + i).standard_normal((8, 2)).astype(np.float32)) for i in range(20)]


def train(lib, name, kw, steps=20, groups=False, save_at=None, model=None, opt=None, start=0):
    """Run `steps` steps; return the parameters after each. save_at=k also returns (model, state_dict) at k."""
    model = model or make_model(lib)
    params = list(model.parameters())
    if opt is None:
        if groups:  # two groups, the second with its own lr
            opt = getattr(lib.optim, name)([{'params': params[:2]}, {'params': params[2:], 'lr': 0.003}], **kw)
        else:
            opt = getattr(lib.optim, name)(model.parameters(), **kw)
    sign = -1.0 if kw.get('maximize') else 1.0
    out, saved = [], None
    for i in range(start, start + steps):
        if save_at == i:
            saved = (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))
        x, y = DATA[i % len(DATA)]
        opt.zero_grad()
        loss = sign * ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in model.parameters()])
    return out, saved, opt


def assert_same_run(a, b):
    for step, (pa, pb) in enumerate(zip(a, b)):
        for x, y in zip(pa, pb):
            np.testing.assert_allclose(x, y, rtol=RTOL, atol=ATOL, err_msg=f"step {step}")


GRID = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ('SGD', dict(lr=0.05, momentum=0.8, dampening=0.3, maximize=True, foreach=True)),
    ('SGD', dict(lr=0.05, weight_decay=0.1, foreach=False)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True, foreach=True)),
    ('Adam', dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ('Adamax', dict(lr=0.01)),
    ('Adamax', dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ('NAdam', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('RAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01, weight_decay=0.1)),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.9, 0.9))),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, centered=True)),
    ('RMSprop', dict(lr=0.01, momentum=0.9, weight_decay=0.1, maximize=True)),
    ('RMSprop', dict(lr=0.005, centered=True, momentum=0.5, alpha=0.9)),
    ('Adagrad', dict(lr=0.05)),
    ('Adagrad', dict(lr=0.05, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ('Adagrad', dict(lr=0.05, maximize=True, eps=1e-6)),
    ('Adadelta', dict()),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ('Rprop', dict(lr=0.01)),
    ('Rprop', dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.02), maximize=True)),
    ('ASGD', dict(lr=0.05)),
    ('ASGD', dict(lr=0.05, t0=5, lambd=0.01, alpha=0.5, weight_decay=0.1)),
]


@pytest.mark.parametrize('name,kw', GRID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRID)])
def test_matches_torch_every_step(name, kw):
    a, _, oe = train(ember, name, kw)
    b, _, ot = train(torch, name, kw)
    assert_same_run(a, b)
    # same state layout and values
    se, st = oe.state_dict(), ot.state_dict()
    assert se['param_groups'] == st['param_groups']
    assert set(se['state']) == set(st['state'])
    for k in st['state']:
        assert set(se['state'][k]) == set(st['state'][k])
        for key, v in st['state'][k].items():
            e = se['state'][k][key]
            assert isinstance(e, ember.Tensor) and str(e.dtype) == str(v.dtype) and tuple(e.shape) == tuple(v.shape)
            np.testing.assert_allclose(e.numpy(), v.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize('name,kw', [('SGD', dict(lr=0.1, momentum=0.9)), ('Adam', dict(lr=0.01, amsgrad=True)),
                                     ('RMSprop', dict(lr=0.01, centered=True)), ('Adagrad', dict(lr=0.05))])
def test_param_groups_match_torch(name, kw):
    a, _, _ = train(ember, name, kw, groups=True)
    b, _, _ = train(torch, name, kw, groups=True)
    assert_same_run(a, b)


@pytest.mark.parametrize('name,kw', [('SGD', dict(lr=0.1, momentum=0.9, nesterov=True)), ('Adam', dict(lr=0.01)),
                                     ('AdamW', dict(lr=0.01, amsgrad=True)), ('NAdam', dict(lr=0.01)),
                                     ('RAdam', dict(lr=0.01)), ('RMSprop', dict(lr=0.01, momentum=0.5)),
                                     ('Adagrad', dict(lr=0.05)), ('Adadelta', dict()), ('Rprop', dict()),
                                     ('ASGD', dict(t0=3)), ('Adamax', dict())])
def test_resume_from_state_dict(name, kw):
    """Save model and optimizer at step 8, load both into fresh objects: the continued run equals the original."""
    full, (msd, osd), _ = train(ember, name, kw, steps=16, save_at=8)
    model = make_model(ember)
    model.load_state_dict(msd)
    opt = getattr(ember.optim, name)(model.parameters(), **kw)
    opt.load_state_dict(copy.deepcopy(osd))   # loading shares the tensors (as torch does): keep osd intact
    resumed, _, _ = train(ember, name, kw, steps=8, model=model, opt=opt, start=8)
    for x, y in zip(full[8:], resumed):
        for u, v in zip(x, y):
            np.testing.assert_array_equal(u, v)
    # and an ember state_dict can be loaded into torch (same layout), continuing torch's run identically
    tmodel = make_model(torch)
    tmodel.load_state_dict({k: torch.tensor(v.numpy()) for k, v in msd.items()})
    topt = getattr(torch.optim, name)(tmodel.parameters(), **kw)
    tstate = {'state': {k: {n: torch.tensor(v.numpy()) if isinstance(v, ember.Tensor) else v for n, v in s.items()}
                        for k, s in osd['state'].items()}, 'param_groups': osd['param_groups']}
    topt.load_state_dict(tstate)
    tres, _, _ = train(torch, name, kw, steps=8, model=tmodel, opt=topt, start=8)
    assert_same_run(resumed, tres)


def test_state_dict_layout():
    p0, p1 = ember.zeros(2, requires_grad=True), ember.zeros(3, requires_grad=True)
    opt = ember.optim.Adam([{'params': [p0]}, {'params': [p1], 'lr': 0.1}])
    p0.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert list(sd['state']) == [0]
    st = sd['state'][0]
    assert st['step'].dtype == ember.float32 and st['step'].shape == () and st['step'].item() == 1.0
    assert st['exp_avg'] is opt.state[p0]['exp_avg']     # torch returns the live tensors
    assert [g['params'] for g in sd['param_groups']] == [[0], [1]]
    assert sd['param_groups'][1]['lr'] == 0.1 and sd['param_groups'][0]['lr'] == 1e-3
    opt2 = ember.optim.Adam([{'params': [p0]}, {'params': [p1], 'lr': 0.1}])
    opt2.load_state_dict(sd)
    assert opt2.state[p0]['step'].item() == 1.0 and opt2.param_groups[0]['params'][0] is p0
    with pytest.raises(ValueError, match="different number of parameter groups"):
        ember.optim.Adam([p0, p1]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        ember.optim.Adam([{'params': [p0, p1]}, {'params': []}]).load_state_dict(sd)


def test_version_counter_and_no_grad():
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    (p * p).sum().backward()
    v = p._version
    opt.step()
    assert p._version > v
    assert p.grad_fn is None and p.requires_grad     # stepped under no_grad: no history


def test_zero_grad():
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and (p.grad.numpy() == 0).all()
    opt.zero_grad()
    assert p.grad is None
    opt.step()   # parameters without gradients are skipped
    assert (p.detach().numpy() == 1).all()


def test_errors_match_torch():
    p = ember.ones(2, requires_grad=True)
    tp = torch.ones(2, requires_grad=True)
    cases = [
        lambda lib, q: lib.optim.SGD([q], lr=-1),
        lambda lib, q: lib.optim.SGD([q], lr=0.1, momentum=-1),
        lambda lib, q: lib.optim.SGD([q], lr=0.1, nesterov=True),
        lambda lib, q: lib.optim.Adam([q], betas=(1.0, 0.9)),
        lambda lib, q: lib.optim.Adam([q], eps=-1),
        lambda lib, q: lib.optim.Adam([q], weight_decay=-1),
        lambda lib, q: lib.optim.Rprop([q], etas=(1.5, 1.2)),
        lambda lib, q: lib.optim.Adadelta([q], rho=2),
        lambda lib, q: lib.optim.SGD([], lr=0.1),
        lambda lib, q: lib.optim.SGD(q, lr=0.1),
        lambda lib, q: lib.optim.SGD([{'params': [q]}, {'params': [q]}], lr=0.1),
        lambda lib, q: lib.optim.SGD([q * 2], lr=0.1),
        lambda lib, q: lib.optim.SGD([q], lr=0.1, fused=True, foreach=True),
        lambda lib, q: lib.optim.LBFGS([{'params': [q]}, {'params': [q * 1]}]),
    ]
    for make in cases:
        with pytest.raises(Exception) as te:
            make(torch, tp)
        with pytest.raises(type(te.value)) as ee:
            make(ember, p)
        assert str(ee.value) == str(te.value)


def test_hooks_and_add_param_group():
    p, q = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append('pre'))
    opt.register_step_post_hook(lambda o, a, k: calls.append('post'))
    opt.register_state_dict_post_hook(lambda o, sd: calls.append('sd'))
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append('load'))
    p.grad = ember.ones(2)
    opt.step()
    h1.remove()
    opt.step()
    opt.load_state_dict(opt.state_dict())
    assert calls == ['pre', 'post', 'post', 'sd', 'load']
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 0.8], rtol=1e-6)
    opt.add_param_group({'params': q, 'lr': 0.5})
    assert opt.param_groups[1]['momentum'] == 0 and opt.param_groups[1]['lr'] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({'params': [p]})
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with pytest.raises(UserWarning, match="duplicate parameters"):
            ember.optim.SGD([q, q], lr=0.1)


def test_closure_and_named_params():
    model = make_model(ember)
    opt = ember.optim.Adam(model.named_parameters(), lr=0.01)
    assert opt.param_groups[0]['param_names'][0] == '0.weight'
    x, y = (ember.tensor(a) for a in DATA[0])

    def closure():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        return loss
    l0 = opt.step(closure)
    assert l0.item() > opt.step(closure).item() - 1   # returns the closure's loss
    assert 'param_names' in opt.state_dict()['param_groups'][0]


def test_complex_params_match_torch():
    rng = np.random.default_rng(3)
    w = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)
    for name, kw in [('Adam', dict(lr=0.05)), ('SGD', dict(lr=0.05, momentum=0.9)), ('RMSprop', dict(lr=0.01))]:
        res = []
        for lib in (ember, torch):
            p = lib.tensor(w.copy(), requires_grad=True)
            opt = getattr(lib.optim, name)([p], **kw)
            for _ in range(5):
                p.grad = p.detach() * 2 + 1j   # explicit gradients: this tests the update only
                opt.step()
            res.append(p.detach().numpy())
        np.testing.assert_allclose(res[0], res[1], rtol=1e-5, atol=1e-6)


def test_float64_params():
    for name, kw in [('Adam', dict(lr=0.01)), ('SGD', dict(lr=0.1, momentum=0.9))]:
        res = []
        for lib in (ember, torch):
            model = make_model(lib, 'float64')
            opt = getattr(lib.optim, name)(model.parameters(), **kw)
            for x, y in DATA[:5]:
                opt.zero_grad()
                ((model(lib.tensor(x).double()) - lib.tensor(y).double()) ** 2).mean().backward()
                opt.step()
            res.append([p.detach().numpy() for p in model.parameters()])
            assert res[-1][0].dtype == np.float64
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_large_tensor_blocks_match_torch():
    """Tensors bigger than one block, and a strided parameter view, take the other code paths."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((300, 500)).astype(np.float32)
    g = rng.standard_normal((300, 500)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        p = lib.tensor(w.copy(), requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.01, amsgrad=True)
        for k in range(3):
            p.grad = lib.tensor(g * (k + 1))
            opt.step()
        res.append(p.detach().numpy().copy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-5, atol=1e-6)
    base = ember.zeros(4, 6)
    view = base.t()            # a non-contiguous leaf-like view is updated in place
    view.requires_grad_(True)
    opt = ember.optim.SGD([view], lr=1.0)
    view.grad = ember.ones(6, 4)
    opt.step()
    assert (base.numpy() == -1).all()


@pytest.mark.parametrize('kw', [dict(lr=0.5), dict(lr=1, line_search_fn='strong_wolfe'),
                                dict(lr=0.8, history_size=3, max_iter=7, line_search_fn='strong_wolfe'),
                                dict(lr=0.3, history_size=2, max_iter=10, tolerance_change=1e-5)])
def test_lbfgs_matches_torch(kw):
    res = []
    for lib in (ember, torch):
        model = make_model(lib, 'float64')
        opt = lib.optim.LBFGS(model.parameters(), **kw)
        x, y = (lib.tensor(a).double() for a in DATA[0])
        out = []

        def closure():
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            return loss
        for _ in range(4):
            loss = opt.step(closure)
            st = opt.state[next(iter(model.parameters()))]
            out.append((loss.item(), st['func_evals'], st['n_iter'], [p.detach().numpy().copy()
                                                                       for p in model.parameters()]))
        res.append(out)
    for e, t in zip(*res):
        assert e[1:3] == t[1:3]
        np.testing.assert_allclose(e[0], t[0], rtol=1e-9)
        for a, b in zip(e[3], t[3]):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_lbfgs_state_dict_resume():
    model = make_model(ember, 'float64')
    opt = ember.optim.LBFGS(model.parameters(), lr=0.5, max_iter=5)
    x, y = (ember.tensor(a).double() for a in DATA[0])

    def closure_for(m, o):
        def closure():
            o.zero_grad()
            loss = ((m(x) - y) ** 2).mean()
            loss.backward()
            return loss
        return closure
    opt.step(closure_for(model, opt))
    msd, osd = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    opt.step(closure_for(model, opt))
    m2 = make_model(ember, 'float64')
    m2.load_state_dict(msd)
    o2 = ember.optim.LBFGS(m2.parameters(), lr=0.5, max_iter=5)
    o2.load_state_dict(osd)
    o2.step(closure_for(m2, o2))
    for a, b in zip(model.parameters(), m2.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
