"""torch.func transforms (vmap, grad, vjp, jvp, jacrev, jacfwd, hessian, functional_call) against torch.func."""
import numpy as np
import pytest
import torch
import torch.func as tf
import ember
import ember.func as ef
from helpers import assert_same


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return torch.tensor(a), ember.tensor(a)


def f_scalar(T):
    return lambda x: (x.sin() * x).sum()


def test_grad_and_nesting():
    tx, ex = _pair((4,))
    assert_same(tf.grad(f_scalar(torch))(tx), ef.grad(f_scalar(ember))(ex))
    g = ef.grad(f_scalar(ember))(ex)
    assert not g.requires_grad and g.grad_fn is None
    t0, e0 = torch.tensor(0.7), ember.tensor(0.7)
    assert_same(tf.grad(tf.grad(lambda x: x.sin() * x ** 3))(t0), ef.grad(ef.grad(lambda x: x.sin() * x ** 3))(e0))
    ty, ey = _pair((4,), 1)
    tg = tf.grad(lambda a, b: (a * b).exp().sum(), argnums=(0, 1))(tx, ty)
    eg = ef.grad(lambda a, b: (a * b).exp().sum(), argnums=(0, 1))(ex, ey)
    assert_same(tg, eg)
    tgv, (tv, taux) = tf.grad_and_value(lambda x: ((x ** 2).sum(), x.mean()), has_aux=True)(tx)
    egv, (ev, eaux) = ef.grad_and_value(lambda x: ((x ** 2).sum(), x.mean()), has_aux=True)(ex)
    assert_same((tgv, tv, taux), (egv, ev, eaux))
    for T, F, x in ((torch, tf, tx), (ember, ef, ex)):
        with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor, got tensor with 1"):
            F.grad(lambda x: x)(x)


def test_vmap_forms():
    tx, ex = _pair((3, 4))
    tw, ew = _pair((4,), 2)
    assert_same(tf.vmap(lambda x, w: x @ w, in_dims=(0, None))(tx, tw), ef.vmap(lambda x, w: x @ w, in_dims=(0, None))(ex, ew))
    assert_same(torch.vmap(lambda x: x.sum(), in_dims=1)(tx), ember.vmap(lambda x: x.sum(), in_dims=1)(ex))
    assert_same(tf.vmap(lambda x: (x, x * 2), out_dims=(0, 1))(tx), ef.vmap(lambda x: (x, x * 2), out_dims=(0, 1))(ex))
    assert_same(tf.vmap(tf.vmap(lambda a: a * a))(tx), ef.vmap(ef.vmap(lambda a: a * a))(ex))
    td = {'a': tx, 'b': tw}
    ed = {'a': ex, 'b': ew}
    assert_same(tf.vmap(lambda d: d['a'] + d['b'], in_dims=({'a': 0, 'b': None},))(td),
                ef.vmap(lambda d: d['a'] + d['b'], in_dims=({'a': 0, 'b': None},))(ed))
    for F, x in ((tf, tx), (ef, ex)):
        with pytest.raises(ValueError, match="Expected all tensors to have the same size in the mapped dimension"):
            F.vmap(lambda a, b: a)(x, x[:2])
        with pytest.raises(ValueError, match="We cannot vmap over non-Tensor arguments"):
            F.vmap(lambda a: a)(3)
        with pytest.raises(ValueError, match="expected in_dim to satisfy"):
            F.vmap(lambda a: a, in_dims=2)(x[0])


def test_per_sample_grads_with_functional_call():
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    em = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Tanh(), ember.nn.Linear(3, 1))
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tx, ex = _pair((5, 4))
    ty, ey = _pair((5, 1), 3)

    def loss(T, F, m):
        def f(params, x, y):
            out = F.functional_call(m, params, (x.unsqueeze(0),))
            return ((out - y.unsqueeze(0)) ** 2).mean()
        return f
    tp = {k: v.detach() for k, v in tm.named_parameters()}
    ep = {k: v.detach() for k, v in em.named_parameters()}
    tg = tf.vmap(tf.grad(loss(torch, tf, tm)), in_dims=(None, 0, 0))(tp, tx, ty)
    eg = ef.vmap(ef.grad(loss(ember, ef, em)), in_dims=(None, 0, 0))(ep, ex, ey)
    assert tg.keys() == eg.keys()
    for k in tg:
        assert_same(tg[k], eg[k], what=k)
    # the module keeps its own parameters afterwards
    assert em[0].weight is dict(em.named_parameters())['0.weight'] and isinstance(em[0].weight, ember.nn.Parameter)
    zeros_t = {k: torch.zeros_like(v) for k, v in tp.items()}
    zeros_e = {k: ember.zeros_like(v) for k, v in ep.items()}
    assert_same(tf.functional_call(tm, zeros_t, tx), ef.functional_call(em, zeros_e, ex))
    for F, m, z in ((tf, tm, zeros_t), (ef, em, zeros_e)):
        z = dict(z)
        z.pop('0.bias')
        with pytest.raises(RuntimeError, match="Missing key\\(s\\): '0.bias'"):
            F.functional_call(m, z, tx if F is tf else ex, strict=True)


def test_vjp_jvp_jacobians():
    tx, ex = _pair((3,))
    tv, ev = _pair((3,), 4)
    g = lambda x: x.sin() * x.cumsum(0)  # noqa: E731
    to, tfn = tf.vjp(g, tx)
    eo, efn = ef.vjp(g, ex)
    assert_same(to, eo)
    assert_same(tfn(tv), efn(ev))
    assert_same(tf.jvp(g, (tx,), (tv,)), ef.jvp(g, (ex,), (ev,)))
    assert_same(tf.jacrev(g)(tx), ef.jacrev(g)(ex))
    assert_same(tf.jacfwd(g)(tx), ef.jacfwd(g)(ex))
    h = lambda x, y: (x.exp() * y).sum() * x  # noqa: E731
    ty, ey = _pair((3,), 5)
    assert_same(tf.jacrev(h, argnums=(0, 1))(tx, ty), ef.jacrev(h, argnums=(0, 1))(ex, ey))
    k = lambda x: (x ** 3 * x.sin()).sum()  # noqa: E731
    assert_same(tf.hessian(k)(tx), ef.hessian(k)(ex), atol=1e-4)
    assert_same(tf.vmap(tf.jacrev(g))(tx.reshape(1, 3)), ef.vmap(ef.jacrev(g))(ex.reshape(1, 3)))


def test_grad_composes_with_outer_autograd():
    tx, ex = _pair((3,))
    tx.requires_grad_(), ex.requires_grad_()
    for F, x in ((tf, tx), (ef, ex)):
        F.grad(lambda a: (a ** 3).sum())(x).sum().backward()
    assert_same(tx.grad, ex.grad)


def test_stack_module_state():
    ms = [ember.nn.Linear(2, 3) for _ in range(3)]
    params, buffers = ef.stack_module_state(ms)
    assert tuple(params['weight'].shape) == (3, 3, 2) and buffers == {}
    np.testing.assert_array_equal(params['bias'][1].detach().numpy(), ms[1].bias.detach().numpy())
