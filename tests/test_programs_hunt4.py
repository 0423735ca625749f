"""Regressions from the fourth program hunt (the user-facing API around models: module system, optimizers,
schedulers, data, printing and common mistakes), each checked against torch itself."""
import io
import warnings
import numpy as np
import pytest
import torch
import ember


def _error(fn):
    """(exception class name, message) that fn(lib) raises."""
    try:
        fn()
    except Exception as e:   # noqa: BLE001 - the class is what is compared
        return type(e).__name__, str(e)
    return None, None


def _both(fn):
    return _error(lambda: fn(torch)), _error(lambda: fn(ember))


# --- optimizer repr: a blank line between parameter groups -------------------------------------------------
def test_optimizer_repr_groups():
    out = []
    for L in (torch, ember):
        p, q = L.nn.Parameter(L.zeros(2)), L.nn.Parameter(L.zeros(1))
        o = L.optim.Adam([p], lr=0.1)
        o.add_param_group({'params': [q], 'lr': 0.01})
        out.append(repr(o))
        out.append(repr(L.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 3}], lr=0.1, momentum=0.9)))
    assert out[2:] == out[:2]


# --- LBFGS state: al/ro/H_diag as 0-d tensors, t a tensor after the first iteration; no float() warning -----
@pytest.mark.parametrize('max_iter', [1, 2, 4])
def test_lbfgs_state_layout(max_iter):
    def run(L):
        L.manual_seed(0)
        w = L.nn.Parameter(L.tensor([0.5, -1.0, 2.0]))
        opt = L.optim.LBFGS([w], lr=1, max_iter=max_iter, history_size=3)

        def closure():
            opt.zero_grad()
            loss = ((w - L.arange(3.)) ** 4).sum()
            loss.backward()
            return loss
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            for _ in range(3):
                opt.step(closure)
                st = opt.state[w]
                rows.append({k: (type(v).__name__, len(v), [type(a).__name__ for a in v]) if isinstance(v, list)
                             else type(v).__name__ for k, v in st.items()})
        sd = opt.state_dict()
        buf = io.BytesIO()
        L.save(sd, buf)
        buf.seek(0)
        opt2 = L.optim.LBFGS([L.nn.Parameter(w.detach().clone())], lr=1, max_iter=max_iter, history_size=3)
        opt2.load_state_dict(L.load(buf))
        return rows, sorted(sd['state'][0]), w.detach().numpy().copy()
    (rt, kt, wt), (re, ke, we) = run(torch), run(ember)
    assert re == rt and ke == kt
    np.testing.assert_allclose(we, wt, rtol=1e-4, atol=1e-5)


# --- matmul's shape errors: torch's text for the kernel each operand layout goes to -----------------------
@pytest.mark.parametrize('sa, sb', [((2, 3), (2, 3)), ((3,), (4,)), ((3,), (4, 5)), ((2, 3), (4,)), ((5, 2, 3), (2, 3)),
                                    ((2, 3), (5, 2, 3)), ((6, 5, 2, 3), (6, 5, 4, 3)), ((5, 2, 3), (4, 4, 2)),
                                    ((2, 5, 2, 3), (3, 4, 3)), ((5, 2, 3), (4,))])
def test_matmul_shape_mismatch_message(sa, sb):
    (ct, mt), (ce, me) = _both(lambda L: L.ones(sa) @ L.ones(sb))
    assert ce == ct == 'RuntimeError'
    assert me == 'matmul: ' + mt


# --- where: a non-bool condition named as torch names its dtype; uint8 still accepted (with a warning) -----
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'float16', 'int32', 'complex64'])
def test_where_condition_dtype(dtype):
    (ct, mt), (ce, me) = _both(lambda L: L.where(L.ones(2, dtype=getattr(L, dtype)), 1., 0.))
    assert (ce, me) == (ct, mt)


def test_where_uint8_condition():
    res = []
    for L in (torch, ember):
        with pytest.warns(UserWarning, match='uint8 condition'):
            res.append(L.where(L.tensor([1, 0, 3], dtype=L.uint8), L.tensor([1., 2., 3.]), 0.).tolist())
    assert res[0] == res[1]


# --- autograd.grad: the unused input's index is named ------------------------------------------------------
def test_grad_unused_input_index():
    def fn(L):
        a, b = L.ones(2, requires_grad=True), L.ones(2, requires_grad=True)
        L.autograd.grad((a * 2).sum(), [a, b])
    assert _both(fn)[1] == _both(fn)[0]


# --- grad_fn names of norms in eval mode, group/instance norm and 1-D linear with a bias ---------------------
def test_norm_and_linear_node_names():
    def names(L):
        x = L.zeros(3, requires_grad=True)
        bn = L.nn.BatchNorm1d(3)
        return [bn.eval()(x[None]).grad_fn.name(),
                L.nn.functional.batch_norm(x[None], L.zeros(3), L.ones(3)).grad_fn.name(),
                L.nn.GroupNorm(1, 3)(x[None]).grad_fn.name(),
                L.nn.InstanceNorm1d(3)(x[None, :, None].repeat(1, 1, 2)).grad_fn.name(),
                L.nn.functional.instance_norm(x[None, :, None], L.zeros(3), L.ones(3), use_input_stats=False).grad_fn.name(),
                L.nn.functional.linear(x, L.ones(2, 3)).grad_fn.name(),
                L.nn.functional.linear(x, L.ones(2, 3), L.ones(2)).grad_fn.name()]
    assert names(ember) == names(torch)


# --- binary cross entropy dtype rules ------------------------------------------------------------------------
_DTS = ['float32', 'float64', 'float16', 'int64', 'bool']


@pytest.mark.parametrize('fn', ['binary_cross_entropy', 'binary_cross_entropy_with_logits'])
@pytest.mark.parametrize('di', _DTS[:3])
@pytest.mark.parametrize('dt', _DTS)
def test_bce_dtype_rules(fn, di, dt):
    def run(L):
        x = L.full((3,), 0.25, dtype=getattr(L, di), requires_grad=True)
        r = getattr(L.nn.functional, fn)(x, L.tensor([1, 0, 1]).to(getattr(L, dt)))
        r.backward()
        return str(r.dtype), r.item(), x.grad.tolist()
    try:
        want = run(torch)
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as info:
            run(ember)
        assert str(info.value) == str(e)
        return
    got = run(ember)
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1], rtol=2e-3)
    np.testing.assert_allclose(got[2], want[2], rtol=2e-3, atol=1e-4)


def test_bce_with_logits_weights_keep_target_dtype():
    for kw in ({'weight': 'float64'}, {'weight': 'int64'}, {'pos_weight': 'float64'}):
        out = []
        for L in (torch, ember):
            k = {n: L.ones(3, dtype=getattr(L, d)) for n, d in kw.items()}
            out.append(L.nn.functional.binary_cross_entropy_with_logits(L.zeros(3), L.tensor([1., 0., 1.]), **k))
        assert str(out[1].dtype) == str(out[0].dtype)
        np.testing.assert_allclose(out[1].item(), out[0].item(), rtol=1e-6)


def test_bce_integer_input_errors():
    for call in (lambda L: L.nn.functional.binary_cross_entropy(L.tensor([1, 0]), L.tensor([1, 0])),
                 lambda L: L.nn.functional.binary_cross_entropy(L.tensor([1, 0]), L.tensor([1., 0.])),
                 lambda L: L.nn.functional.binary_cross_entropy_with_logits(L.tensor([1, 0]), L.tensor([1., 0.]))):
        (ct, mt), (ce, me) = _both(call)
        assert (ce, me) == (ct, mt)


# --- convolution dtype mismatches: bias checked first (not for transposed), then weight vs input -----------
@pytest.mark.parametrize('fn, xs, ws', [('conv1d', (1, 1, 5), (1, 1, 3)), ('conv2d', (1, 1, 5, 5), (1, 1, 3, 3)),
                                        ('conv_transpose1d', (1, 1, 5), (1, 1, 3))])
@pytest.mark.parametrize('xd, wd, bd', [('float64', 'float32', None), ('float32', 'float64', None),
                                        ('float64', 'float32', 'float32'), ('float32', 'float64', 'float32'),
                                        ('float32', 'float32', 'float64'), ('float64', 'float64', 'float32')])
def test_conv_dtype_mismatch(fn, xs, ws, xd, wd, bd):
    def call(L):
        r = getattr(L.nn.functional, fn)(L.ones(xs, dtype=getattr(L, xd)), L.ones(ws, dtype=getattr(L, wd)),
                                         None if bd is None else L.ones(1, dtype=getattr(L, bd)))
        return str(r.dtype), r.sum().item()
    try:
        want = call(torch)
    except RuntimeError as e:
        assert _error(lambda: call(ember)) == ('RuntimeError', str(e))
        return
    got = call(ember)
    assert got[0] == want[0] and abs(got[1] - want[1]) < 1e-4


# --- cross_entropy / nll_loss: one sample of C logits with a one-element target -----------------------------
@pytest.mark.parametrize('fn', ['cross_entropy', 'nll_loss'])
@pytest.mark.parametrize('reduction', ['mean', 'none', 'sum'])
def test_class_loss_1d_input_one_element_target(fn, reduction):
    out = []
    for L in (torch, ember):
        x = L.tensor([0.3, -1.2, 0.5])
        out.append(getattr(L.nn.functional, fn)(x, L.tensor([1]), reduction=reduction))
    assert tuple(out[1].shape) == tuple(out[0].shape)
    np.testing.assert_allclose(out[1].numpy(), out[0].numpy(), rtol=1e-6)
    (ct, mt), (ce, me) = _both(lambda L: getattr(L.nn.functional, fn)(L.zeros(3), L.tensor([1, 2])))
    assert (ce, me) == (ct, mt) == ('ValueError', 'For 1D input, 1D target must have size 1, but got target size: 2')


# --- a non-Module in a container is named as torch.typename names it ----------------------------------------
def _plain_function(x):
    return x


class _NotAModule:
    pass


@pytest.mark.parametrize('obj', [3, 'a', _plain_function, _NotAModule(), _NotAModule, [1]])
def test_sequential_rejects_non_module(obj):
    (ct, mt), (ce, me) = _both(lambda L: L.nn.Sequential(obj))
    assert (ce, me) == (ct, mt)


# --- torch.tensor of a bare string ---------------------------------------------------------------------------
@pytest.mark.parametrize('data', ['abc', ['a']])
def test_tensor_of_string(data):
    (ct, mt), (ce, me) = _both(lambda L: L.tensor(data))
    assert (ce, me) == (ct, mt)


# --- finfo / iinfo: repr and the wrong-kind errors -----------------------------------------------------------
def test_finfo_iinfo():
    for name in ('float16', 'float32', 'float64', 'bfloat16', 'complex64'):
        assert repr(ember.finfo(getattr(ember, name))) == repr(torch.finfo(getattr(torch, name)))
        assert ember.finfo(getattr(ember, name)).resolution == torch.finfo(getattr(torch, name)).resolution
    for name in ('uint8', 'int8', 'int16', 'int32', 'int64'):
        assert repr(ember.iinfo(getattr(ember, name))) == repr(torch.iinfo(getattr(torch, name)))
    for call in (lambda L: L.iinfo(L.float32), lambda L: L.iinfo(L.bool), lambda L: L.finfo(L.int32),
                 lambda L: L.finfo(L.bool)):
        (ct, mt), (ce, me) = _both(call)
        assert (ce, me) == (ct, mt)
