"""torch.compile, autocast/GradScaler, process switches, DistributedSampler and Adafactor against torch."""
import copy
import warnings

import numpy as np
import pytest
import torch
import ember
from helpers import assert_same


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return torch.tensor(a), ember.tensor(a)


# --- compile ------------------------------------------------------------------------------------------
def test_compile_module_state_dict_and_attributes():
    tm, em = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tc, ec = torch.compile(tm), ember.compile(em)
    assert type(ec).__name__ == type(tc).__name__ == 'OptimizedModule'
    assert list(ec.state_dict()) == list(tc.state_dict())
    assert [n for n, _ in ec.named_parameters()] == [n for n, _ in tc.named_parameters()]
    assert ec._orig_mod is em and ec.weight is em.weight and ec.in_features == tc.in_features
    assert [n for n, _ in ec.named_modules()] == [n for n, _ in tc.named_modules()]
    tx, ex = _pair((4, 3))
    assert_same(tc(tx), ec(ex))
    ec.eval()
    assert em.training is False and ec.training is False
    with pytest.raises(RuntimeError, match="Missing key"):
        ec.load_state_dict(em.state_dict())
    ec.load_state_dict({'_orig_mod.weight': ember.zeros(2, 3), '_orig_mod.bias': ember.zeros(2)})
    assert float(em.weight.abs().sum()) == 0
    assert type(copy.deepcopy(ec)).__name__ == 'OptimizedModule'


def test_compile_function_decorators_and_errors():
    def f(x):
        return x * 2
    cf = ember.compile(f)
    assert cf.__wrapped__ is f and cf.__name__ == 'f'
    assert float(cf(ember.tensor(3.0))) == 6.0

    @ember.compile
    def g(x):
        return x + 1

    @ember.compile(mode='max-autotune', fullgraph=True)
    def h(x):
        return x - 1
    assert float(g(ember.tensor(1.0))) == 2.0 and float(h(ember.tensor(1.0))) == 0.0
    assert ember.compile(f, disable=True) is f
    for bad, kw in ((f, dict(mode='bogus')), (f, dict(mode='default', options={'a': 1}))):
        with pytest.raises(RuntimeError) as te:
            torch.compile(bad, **kw)
        with pytest.raises(RuntimeError) as ee:
            ember.compile(bad, **kw)
        assert str(ee.value) == str(te.value)
    with pytest.raises(AssertionError, match="A callable function is expected"):
        ember.compile(1)


# --- autocast -------------------------------------------------------------------------------------------
def _dtype_cases(T):
    F = T.nn.functional
    g = np.random.default_rng(1)
    mk = lambda *s: T.tensor(g.standard_normal(s).astype(np.float32))  # noqa: E731
    x, w = mk(3, 4), mk(5, 4)
    img, k = mk(1, 2, 5, 5), mk(3, 2, 3, 3)
    out = {}
    with T.autocast('cpu'):
        out['enabled'] = (T.is_autocast_enabled(), T.is_autocast_enabled('cpu'), T.get_autocast_dtype('cpu'))
        out['linear'] = F.linear(x, w, mk(5))
        out['matmul'] = x @ w.t()
        out['mm'] = T.mm(x, w.t())
        out['matmul1d'] = T.matmul(mk(4), mk(4))
        out['bmm'] = T.bmm(mk(2, 3, 4), mk(2, 4, 5))
        out['baddbmm'] = T.baddbmm(mk(2, 3, 5), mk(2, 3, 4), mk(2, 4, 5))
        out['addbmm'] = T.addbmm(mk(3, 5), mk(2, 3, 4), mk(2, 4, 5))
        out['addmm'] = T.addmm(mk(3, 5), x, w.t())
        out['einsum'] = T.einsum('ij,kj->ik', x, w)
        out['conv2d'] = F.conv2d(img, k, mk(3), padding=1)
        out['conv1d'] = F.conv1d(mk(1, 2, 5), mk(3, 2, 3))
        out['convT'] = F.conv_transpose2d(img, mk(2, 3, 3, 3))
        out['mv'] = T.mv(x, mk(4))
        out['add'] = x + x
        out['softmax_f32'] = T.softmax(x, -1)
        out['softmax_low'] = T.softmax(F.linear(x, w), -1)
        out['double'] = T.mm(x.double(), w.t().double())
        out['int'] = T.mm(T.ones(2, 2, dtype=T.long), T.ones(2, 2, dtype=T.long))
        out['half_in'] = T.mm(x.half(), w.t().half())
        with T.autocast('cpu', enabled=False):
            out['nested_off'] = (T.mm(x, w.t()), T.is_autocast_enabled('cpu'))
        with T.autocast('cpu', dtype=T.float16):
            out['f16'] = T.mm(x, w.t())
        out['module'] = T.nn.Linear(4, 2)(x)
    out['after'] = (T.is_autocast_enabled('cpu'), T.mm(x, w.t()).dtype)

    @T.autocast('cpu')
    def f(a):
        return a @ a.t()
    out['decorator'] = f(x)
    return out


def test_autocast_dtypes_match_torch():
    t, e = _dtype_cases(torch), _dtype_cases(ember)
    assert t.keys() == e.keys()
    for k in t:
        tv, ev = t[k], e[k]
        tv, ev = (tv if isinstance(tv, tuple) else (tv,)), (ev if isinstance(ev, tuple) else (ev,))
        for a, b in zip(tv, ev):
            if isinstance(a, torch.Tensor):
                assert repr(b.dtype) == repr(a.dtype), k
                if k != 'module':
                    # bfloat16 keeps 8 bits: one rounding step apart at most
                    assert_same(a.float(), b.float(), atol=3e-2, rtol=2e-2, what=k)
            else:
                assert repr(b) == repr(a), k


def test_autocast_backward_gives_float32_grads():
    tx, ex = _pair((3, 4))
    tw, ew = _pair((5, 4), 1)
    tw.requires_grad_(), ew.requires_grad_()
    for T, x, w in ((torch, tx, tw), (ember, ex, ew)):
        with T.autocast('cpu'):
            y = T.nn.functional.linear(x, w)
        y.float().pow(2).sum().backward()
    assert ew.grad.dtype == ember.float32
    assert_same(tw.grad, ew.grad, atol=0.15, rtol=3e-2)


def test_autocast_warnings_and_errors():
    for T in (torch, ember):
        with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. Disabling autocast."):
            with T.autocast('cuda'):
                assert not T.is_autocast_enabled('cuda')
        with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported"):
            with T.autocast('cpu', dtype=T.float64):
                assert not T.is_autocast_enabled('cpu')
        with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
            with T.cuda.amp.autocast():
                pass
        with pytest.warns(FutureWarning, match=r"torch.cpu.amp.autocast\(args...\)` is deprecated"):
            with T.cpu.amp.autocast():
                assert T.is_autocast_enabled('cpu')
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            with T.amp.autocast('cpu'):
                assert T.is_autocast_enabled('cpu')
        with pytest.raises(RuntimeError, match="device type at start of device string: xyz"):
            T.autocast('xyz')
        assert T.get_autocast_dtype('cuda') == T.float16
        T.set_autocast_enabled('cpu', True)
        assert T.mm(T.ones(2, 2), T.ones(2, 2)).dtype == T.bfloat16
        T.set_autocast_enabled('cpu', False)
        assert not T.is_autocast_enabled('cpu')
    from ember.cuda.amp import GradScaler, autocast  # noqa: F401  (the import programs write)
    from ember.cpu.amp import autocast as _  # noqa: F401,F811


# --- GradScaler ---------------------------------------------------------------------------------------
def test_cuda_grad_scaler_disables_itself():
    for T in (torch, ember):
        with pytest.warns(UserWarning, match="CUDA is not available.  Disabling."):
            s = T.amp.GradScaler('cuda')
        with pytest.warns(FutureWarning, match="torch.cuda.amp.GradScaler"):
            with pytest.warns(UserWarning):
                T.cuda.amp.GradScaler()
        x = T.ones(2, requires_grad=True)
        opt = T.optim.SGD([x], lr=0.1)
        loss = (x * 3).sum()
        assert s.scale(loss) is loss and not s.is_enabled() and s.get_scale() == 1.0
        loss.backward()
        s.step(opt)
        s.update()
        assert s.state_dict() == {}
        np.testing.assert_allclose(np.asarray(x.detach().tolist()), [0.7, 0.7], rtol=1e-6)


def _scaler_run(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    opt = T.optim.SGD([x], lr=0.1)
    s = T.amp.GradScaler('cpu', init_scale=4.0, growth_interval=2)
    log = [s.state_dict()]
    for mult in (3.0, 3.0, 3.0, float('inf'), 3.0, float('nan'), 2.0):
        opt.zero_grad()
        s.scale((x * mult).sum()).backward()
        log.append(x.grad.tolist())
        if mult == 2.0:
            s.unscale_(opt)
            log.append(x.grad.tolist())
            with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
                s.unscale_(opt)
        log.append(s.step(opt))
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last update"):
            s.step(opt)
        s.update()
        log += [x.tolist(), s.get_scale(), s.state_dict()]
    s.update(new_scale=3.0)
    log.append(s.get_scale())
    log.append([s.scale(T.tensor(2.0)).item(), [v.item() for v in s.scale([T.tensor(1.0), T.tensor(2.0)])]])
    s2 = T.amp.GradScaler('cpu')
    s2.load_state_dict(s.state_dict())
    log.append((s2.get_scale(), s2.state_dict(), s2.get_growth_interval(), s2.get_backoff_factor()))
    with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
        T.amp.GradScaler('cpu').step(opt)
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        s.scale(3.0)
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        s2.load_state_dict({})
    log.append(T.amp.GradScaler('cpu', enabled=False).state_dict())
    return log


def test_cpu_grad_scaler_matches_torch():
    t, e = _scaler_run(torch), _scaler_run(ember)
    assert len(t) == len(e)
    def close(a, b):
        if isinstance(a, (list, tuple)):
            return type(a) is type(b) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
        if isinstance(a, float):
            return a == b or (a != a and b != b) or abs(a - b) <= 1e-6 * max(1.0, abs(a))
        return a == b
    for a, b in zip(t, e):
        assert close(a, b), (a, b)


# --- process switches ---------------------------------------------------------------------------------
def test_matmul_precision_and_flags():
    for T in (torch, ember):
        T.set_float32_matmul_precision('highest')
        assert T.get_float32_matmul_precision() == 'highest' and not T.backends.cuda.matmul.allow_tf32
        T.set_float32_matmul_precision('high')
        assert T.get_float32_matmul_precision() == 'high' and T.backends.cuda.matmul.allow_tf32
        with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
            T.set_float32_matmul_precision('foo')
        assert T.get_float32_matmul_precision() == 'high'
        T.set_float32_matmul_precision('highest')
        assert not T.backends.cuda.matmul.allow_tf32
        assert T.backends.cudnn.allow_tf32 is True
        assert not T.is_warn_always_enabled()
        T.set_warn_always(True)
        assert T.is_warn_always_enabled()
        T.set_warn_always(False)
        x = T.ones(2)
        assert T.get_device(x) == x.get_device() == -1
        assert T.is_inference(x) is False and x.is_inference() is False
        with pytest.raises(TypeError, match=r"get_device\(\): argument 'input' \(position 1\) must be Tensor"):
            T.get_device(3)
        with pytest.raises(RuntimeError, match="flush_denormal expects a bool"):
            T.set_flush_denormal(1)
        assert isinstance(T.set_flush_denormal(False), bool)


def test_allow_tf32_sets_precision():
    # torch 2.13 refuses to read the precision back after this legacy setter; ember answers it
    ember.backends.cuda.matmul.allow_tf32 = True
    assert ember.get_float32_matmul_precision() == 'high'
    ember.backends.cuda.matmul.allow_tf32 = False
    assert ember.get_float32_matmul_precision() == 'highest'


def test_set_default_tensor_type():
    for T in (torch, ember):
        try:
            with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
                T.set_default_tensor_type(T.DoubleTensor)
            assert T.get_default_dtype() == T.float64 and T.ones(1).dtype == T.float64
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                T.set_default_tensor_type('torch.FloatTensor')
                assert T.get_default_dtype() == T.float32
                with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
                    T.set_default_tensor_type('torch.LongTensor')
                with pytest.raises(TypeError, match="Torch not compiled with CUDA enabled"):
                    T.set_default_tensor_type('torch.cuda.FloatTensor')
        finally:
            T.set_default_dtype(T.float32)


# --- DistributedSampler -------------------------------------------------------------------------------
@pytest.mark.parametrize("n,replicas,shuffle,drop_last,seed", [
    (10, 3, True, False, 0), (10, 3, True, True, 7), (11, 4, False, False, 0), (5, 8, True, False, 3),
    (1000, 2, True, False, 42), (12, 4, False, True, 0)])
def test_distributed_sampler_matches_torch(n, replicas, shuffle, drop_last, seed):
    for rank in range(replicas):
        ts = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed,
                                                 drop_last=drop_last)
        es = ember.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=seed,
                                                 drop_last=drop_last)
        for epoch in (0, 1, 5):
            ts.set_epoch(epoch)
            es.set_epoch(epoch)
            assert list(es) == list(ts) and len(es) == len(ts)


def test_distributed_sampler_errors_and_loader():
    for T in (torch, ember):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            T.utils.data.DistributedSampler(range(10))
        with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
            T.utils.data.DistributedSampler(range(10), num_replicas=2, rank=2)
    ds = ember.utils.data.TensorDataset(ember.arange(10))
    loader = ember.utils.data.DataLoader(ds, batch_size=2, sampler=ember.utils.data.DistributedSampler(ds, 2, 1))
    tds = torch.utils.data.TensorDataset(torch.arange(10))
    tl = torch.utils.data.DataLoader(tds, batch_size=2, sampler=torch.utils.data.DistributedSampler(tds, 2, 1))
    assert [b[0].tolist() for b in loader] == [b[0].tolist() for b in tl]


# --- Adafactor ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("opts", [{}, dict(lr=0.05, weight_decay=0.1, maximize=True),
                                  dict(eps=(1e-30, 1e-2), d=2.0, beta2_decay=-0.5)])
def test_adafactor_matches_torch(opts):
    rng = np.random.default_rng(0)
    shapes = [(5,), (4, 3), (2, 3, 4)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    tp = [torch.tensor(a, requires_grad=True) for a in init]
    ep = [ember.tensor(a, requires_grad=True) for a in init]
    to, eo = torch.optim.Adafactor(tp, **opts), ember.optim.Adafactor(ep, **opts)
    for _ in range(20):
        gs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        for p, g in zip(tp, gs):
            p.grad = torch.tensor(g)
        for p, g in zip(ep, gs):
            p.grad = ember.tensor(g)
        to.step()
        eo.step()
    for a, b in zip(tp, ep):
        assert_same(a, b, atol=2e-6, rtol=1e-5)
    for a, b in zip(tp, ep):
        ts, es = to.state[a], eo.state[b]
        assert sorted(ts) == sorted(es)
        for k in ts:
            assert_same(ts[k], es[k], atol=1e-6, rtol=1e-5, what=k)
    assert eo.state_dict()['param_groups'][0].keys() == to.state_dict()['param_groups'][0].keys()


def test_adafactor_errors():
    for T in (torch, ember):
        p = [T.zeros(2, requires_grad=True)]
        for kw, msg in ((dict(lr=-1.0), "Learning rate should be >= 0"), (dict(beta2_decay=0.5), "beta2_decay"),
                        (dict(eps=(-1.0, 1e-3)), "epsilon1"), (dict(d=0.5), "Clipping threshold d"),
                        (dict(weight_decay=-1.0), "weight_decay")):
            with pytest.raises(ValueError, match=msg):
                T.optim.Adafactor(p, **kw)
        c = T.zeros(2, dtype=T.complex64, requires_grad=True)
        c.grad = T.ones(2, dtype=T.complex64)
        with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
            T.optim.Adafactor([c]).step()


def test_cpu_autocast_computes_losses_in_float32():
    """torch's CPU autocast runs losses in float32 (its fp32 policy): bfloat16 logits give a float32 loss."""
    import numpy as np
    import torch
    import ember

    def run(L):
        F = L.nn.functional
        rs = np.random.default_rng(0)
        lin = L.nn.Linear(3, 4)
        x = L.tensor(rs.standard_normal((5, 3)).astype(np.float32))
        y = L.tensor([0, 1, 2, 3, 0])
        with L.autocast('cpu', dtype=L.bfloat16):
            out = lin(x)
            losses = [F.cross_entropy(out, y), F.mse_loss(out, out.detach() * 0), L.nn.CrossEntropyLoss()(out, y),
                      F.binary_cross_entropy_with_logits(out, L.ones(5, 4)), F.smooth_l1_loss(out, out.detach() * 0)]
        return [str(out.dtype)] + [str(v.dtype) for v in losses]
    assert run(ember) == run(torch) == ['torch.bfloat16'] + ['torch.float32'] * 5


# --- GradScaler and DistributedSampler: black-box comparisons of edge cases ---------------------------
def _outcome(f):
    """f()'s result, or its exception as (class name, message), so torch and ember runs compare as data."""
    try:
        return ('ok', f())
    except Exception as e:  # noqa: BLE001  (the class is part of what is compared)
        return (type(e).__name__, str(e))


def _scaler_edge_run(T):
    log = []
    x = T.tensor([1.0, 2.0], requires_grad=True)
    opt = T.optim.SGD([x], lr=1.0)
    s = T.amp.GradScaler('cpu', init_scale=0.1)
    log.append((s.get_scale(), s.state_dict()))     # before scale(): the init value as given
    log.append(_outcome(lambda: s.unscale_(opt)))
    log.append(_outcome(lambda: s.update()))
    log.append(_outcome(lambda: T.amp.GradScaler('cpu').step(opt, closure=None)))
    y = s.scale(x.sum())
    log.append((s.get_scale(), y.dtype == T.float32, y.item()))   # after: rounded to float32
    log.append(_outcome(lambda: s.update()))        # no inf checks recorded yet
    log.append(_outcome(lambda: s.step(opt)))       # no gradients at all
    for out in (T.tensor([1, 2]), T.tensor([1.0], dtype=T.float64), T.tensor([1.0], dtype=T.float16)):
        r = s.scale(out)
        log.append((str(r.dtype), r.tolist()))
    log.append([type(s.scale(v)).__name__ for v in ((t for t in [x]), {'a': x}, [], (x, [x]))])
    log.append(_outcome(lambda: s.scale([x, 3.0])))
    for ns in (2.5, T.tensor(4.0), T.tensor(5, dtype=T.int64), T.tensor([4.0]), T.tensor([4.0, 5.0]),
               T.tensor(4.0, requires_grad=True)):
        log.append(_outcome(lambda: (s.update(new_scale=ns), s.get_scale())[1]))
    for bad in (dict(growth_factor=1.0), dict(backoff_factor=1.0)):
        log.append(_outcome(lambda: T.amp.GradScaler('cpu', **bad)))
    log.append(_outcome(lambda: T.amp.GradScaler('cpu', enabled=False).get_growth_factor()))
    # fp16 gradients are refused and left untouched; float64 ones are unscaled
    for dt in (T.float16, T.float64):
        p = T.tensor([1.0, 2.0], dtype=dt, requires_grad=True)
        o = T.optim.SGD([p], lr=0.1)
        sc = T.amp.GradScaler('cpu', init_scale=3.0)
        sc.scale(p.sum() * 1.0).backward()
        log.append((_outcome(lambda: sc.step(o)), p.grad.tolist(), p.tolist()))
    # odd factors: every scale value goes through float32; growth that overflows keeps the old scale
    s = T.amp.GradScaler('cpu', init_scale=3.0, growth_factor=1.7, backoff_factor=0.3, growth_interval=1)
    for g in (1.0, float('inf'), 1.0, 1.0, float('nan'), 1.0, 1.0):
        s.scale(x.sum())
        x.grad = T.tensor([g, 1.0])
        s.step(opt)
        s.update()
        log.append(s.state_dict())
    s = T.amp.GradScaler('cpu', init_scale=3e38, growth_interval=1)
    s.scale(x.sum())
    x.grad = T.ones(2)
    s.step(opt)
    s.update()
    log.append(s.state_dict())
    # a scale below 1 can overflow a gradient while unscaling: torch checks the scaled values, so it steps
    s = T.amp.GradScaler('cpu', init_scale=1.0)
    s.scale(x.sum())
    s.update(new_scale=0.5)
    x.grad = T.tensor([2e38, 1.0])
    s.unscale_(opt)
    log.append((x.grad.tolist(), s.step(opt), x.tolist()))
    log.append(_outcome(lambda: s.unscale_(opt)))
    s.update()
    log.append(s.state_dict())
    # two optimizers: an inf in one skips only its step, but backs the shared scale off
    a, b = T.tensor([1.0], requires_grad=True), T.tensor([1.0], requires_grad=True)
    oa, ob = T.optim.SGD([a], lr=1.0), T.optim.SGD([b], lr=1.0)
    s = T.amp.GradScaler('cpu', init_scale=2.0, growth_interval=1)
    s.scale(a.sum())
    a.grad, b.grad = T.tensor([float('inf')]), T.tensor([4.0])
    s.step(oa)
    s.step(ob)
    s.update()
    log.append((a.tolist(), b.tolist(), s.state_dict()))
    # load_state_dict before the first scale() keeps values as given; after it, rounds the scale
    s = T.amp.GradScaler('cpu')
    sd = {'scale': 5, 'growth_factor': 3, 'backoff_factor': 0.1, 'growth_interval': 7, '_growth_tracker': 2}
    s.load_state_dict(sd)
    log.append(s.state_dict())
    s.scale(a.sum())
    s.load_state_dict(dict(sd, scale=0.1))
    log.append(s.state_dict())
    return log


def test_grad_scaler_edge_cases_match_torch():
    t, e = _scaler_edge_run(torch), _scaler_edge_run(ember)
    assert len(t) == len(e)
    for a, b in zip(t, e):
        assert repr(a) == repr(b), (a, b)


def test_grad_scaler_pickle_and_deepcopy():
    import pickle
    for T in (torch, ember):
        x = T.tensor([1.0], requires_grad=True)
        opt = T.optim.SGD([x], lr=1.0)
        s = T.amp.GradScaler('cpu', init_scale=8.0, growth_interval=3)
        s.scale(x.sum())
        x.grad = T.ones(1)
        s.step(opt)
        with pytest.raises(AssertionError, match="may only be pickled at the beginning of an iteration"):
            pickle.dumps(s)
        with pytest.raises(AssertionError, match="may only be pickled at the beginning of an iteration"):
            copy.deepcopy(s)
        s.update()
        r = pickle.loads(pickle.dumps(s))
        assert r.state_dict() == s.state_dict() == {'scale': 8.0, 'growth_factor': 2.0, 'backoff_factor': 0.5,
                                                    'growth_interval': 3, '_growth_tracker': 1}
        r.scale(x.sum())
        x.grad = T.ones(1)
        r.step(opt)
        r.update()
        r2 = copy.deepcopy(r)
        assert r2.state_dict()['_growth_tracker'] == 2 and r2.get_scale() == 8.0
        d = pickle.loads(pickle.dumps(T.amp.GradScaler('cpu', enabled=False)))
        assert not d.is_enabled() and d.state_dict() == {} and d.get_scale() == 1.0


def _sampler_edge_run(T):
    D = T.utils.data.DistributedSampler
    log = []
    for args, kw in [((range(3), 7, 6), dict(shuffle=False)), ((range(3), 7, 6), {}),
                     ((range(3), 7, 6), dict(drop_last=True)), (([], 2, 0), {}), ((range(10), 2, 0), dict(seed=-3)),
                     ((range(40), 3, 2), dict(seed=2 ** 32 + 7)), ((range(10), 2, 0), dict(seed=2 ** 64 + 1)),
                     ((range(10), 2, 0), dict(seed=2.5)), ((range(10), 2, -1), {}), ((range(10), 2, None), {}),
                     ((range(10), 0, 0), {}), ((range(10), 2, 1.0), {})]:
        log.append(_outcome(lambda: (lambda d: (list(d), len(d)))(D(*args, **kw))))
    s = D(range(7), 3, 1, shuffle=False, seed=4)
    log.append(sorted(vars(s).items(), key=lambda kv: kv[0]))
    s = D(range(10), 2, 0, seed=1)
    s.set_epoch(-2)
    log.append(list(s))
    s.set_epoch(2.5)
    log.append(_outcome(lambda: list(s)))
    return log


def test_distributed_sampler_edge_cases_match_torch():
    t, e = _sampler_edge_run(torch), _sampler_edge_run(ember)
    assert len(t) == len(e)
    for a, b in zip(t, e):
        assert repr(a) == repr(b), (a, b)
