"""Black-box comparison of ember.autograd.functional with torch.autograd.functional: result structures,
values, create_graph, strict-mode and argument errors (exception class and full message)."""
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same

LIBS = (torch, ember)


def _pair(*shapes, seed=0, grad=False):
    rng = np.random.default_rng(seed)
    arrs = [rng.standard_normal(s) for s in shapes]
    return [tuple(lib.tensor(a, requires_grad=grad) for a in arrs) for lib in LIBS]


def _both(call):
    """Runs call(lib) for torch and ember; returns the two results or the two (class, message) pairs."""
    out = []
    for lib in LIBS:
        try:
            out.append(call(lib))
        except Exception as e:  # compared below, class and message
            out.append((type(e).__name__, str(e)))
    return out


def _same_error(call):
    t, e = _both(call)
    assert isinstance(t, tuple) and isinstance(t[0], str), t
    assert t == e


def _structure(r):
    if isinstance(r, tuple):
        return tuple(_structure(x) for x in r)
    return tuple(r.shape)


FUNCS = {
    'one_one': (lambda x: x.sin() * x.sum(), ((3,),)),
    'one_two': (lambda x: (x.exp(), (x ** 2).sum()), ((2, 2),)),
    'two_one': (lambda x, y: (x @ y).tanh(), ((2, 3), (3,))),
    'two_two': (lambda x, y: (x * y.sum(), (x.cos() * y[:2]).sum()), ((2,), (3,))),
}


@pytest.mark.parametrize('name', sorted(FUNCS))
def test_jacobian_structures_and_values(name):
    f, shapes = FUNCS[name]
    ti, ei = _pair(*shapes, seed=1)
    for args in ((ti, ei), (ti[0], ei[0])) if len(shapes) == 1 else ((ti, ei),):
        tj = torch.autograd.functional.jacobian(f, args[0])
        ej = ember.autograd.functional.jacobian(f, args[1])
        assert _structure(tj) == _structure(ej)
        assert_same(tj, ej)


@pytest.mark.parametrize('name', sorted(FUNCS))
def test_vjp_jvp_structures(name):
    f, shapes = FUNCS[name]
    ti, ei = _pair(*shapes, seed=2)
    touts = f(*ti)
    tv = tuple(torch.ones_like(o) * 0.5 for o in (touts if isinstance(touts, tuple) else (touts,)))
    ev = tuple(ember.tensor(v.numpy()) for v in tv)
    if not isinstance(touts, tuple):
        tv, ev = tv[0], ev[0]
    assert_same(torch.autograd.functional.vjp(f, ti, tv), ember.autograd.functional.vjp(f, ei, ev))
    tu, eu = _pair(*shapes, seed=3)
    assert_same(torch.autograd.functional.jvp(f, ti, tu), ember.autograd.functional.jvp(f, ei, eu))


def test_hessian_vhp_hvp_tuple_inputs():
    f = lambda x, y: (x.exp() * y[:2]).sum() + (y ** 3).sum() * x[0]
    ti, ei = _pair((2,), (3,), seed=4)
    th, eh = torch.autograd.functional.hessian(f, ti), ember.autograd.functional.hessian(f, ei)
    assert _structure(th) == _structure(eh) == (((2, 2), (2, 3)), ((3, 2), (3, 3)))
    assert_same(th, eh)
    assert_same(torch.autograd.functional.hessian(lambda x: (x ** 4).sum(), (ti[1],)),
                ember.autograd.functional.hessian(lambda x: (x ** 4).sum(), (ei[1],)))
    tv, ev = _pair((2,), (3,), seed=5)
    for name in ('vhp', 'hvp'):
        assert_same(getattr(torch.autograd.functional, name)(f, ti, tv),
                    getattr(ember.autograd.functional, name)(f, ei, ev))
    # a scalar kept in a (1, 1) tensor is accepted and returned as is
    g = lambda x: (x ** 2).sum().reshape(1, 1)
    assert_same(torch.autograd.functional.vhp(g, ti[0], ti[0]), ember.autograd.functional.vhp(g, ei[0], ei[0]))
    assert_same(torch.autograd.functional.hessian(g, ti[0]), ember.autograd.functional.hessian(g, ei[0]))


def test_create_graph_second_order():
    grads = []
    for lib in LIBS:
        x = lib.tensor([0.3, -0.7, 1.1], dtype=lib.float64, requires_grad=True)
        F = lib.autograd.functional
        h = F.hessian(lambda a: (a ** 3).sum() * a[0], x, create_graph=True)
        _, hv = F.hvp(lambda a: (a.sin() * a).sum(), x, x.detach(), create_graph=True)
        out, vj = F.vjp(lambda a: a.exp(), x, x.detach(), create_graph=True)
        assert h.requires_grad and hv.requires_grad and vj.requires_grad and out.requires_grad
        (h.sum() + hv.sum() + vj.sum()).backward()
        plain = F.hessian(lambda a: (a ** 3).sum(), x)
        assert not plain.requires_grad
        grads.append(x.grad)
    assert_same(*grads)


def test_non_strict_zeros():
    w = [lib.ones(2, requires_grad=True) for lib in LIBS]
    calls = [
        lambda lib: lib.autograd.functional.jvp(lambda a: (a * 2, w[lib is ember] * 2), lib.ones(2), lib.ones(2)),
        lambda lib: lib.autograd.functional.jvp(lambda a: lib.ones(2), lib.ones(2), lib.ones(2)),
        lambda lib: lib.autograd.functional.vjp(lambda a, b: a * 3, (lib.ones(2), lib.ones(3)), lib.ones(2)),
        lambda lib: lib.autograd.functional.jacobian(lambda a: lib.ones(2), lib.ones(2)),
        lambda lib: lib.autograd.functional.hessian(lambda a: a.sum(), lib.ones(2)),
        lambda lib: lib.autograd.functional.hvp(lambda a, b: (a ** 2).sum(), (lib.ones(2), lib.ones(2)),
                                                (lib.ones(2), lib.ones(2))),
    ]
    for call in calls:
        assert_same(*_both(call))


def test_strict_messages():
    w = [lib.ones(2, requires_grad=True) for lib in LIBS]
    F = lambda lib: lib.autograd.functional
    cases = [
        lambda lib: F(lib).jvp(lambda a: (a * 2, w[lib is ember] * 2), lib.ones(2), lib.ones(2), strict=True),
        lambda lib: F(lib).jvp(lambda a, b: a * 2, (lib.ones(2), lib.ones(2)), (lib.ones(2),) * 2, strict=True),
        lambda lib: F(lib).jvp(lambda a: (a * 2, a.detach()), lib.ones(2), lib.ones(2), strict=True),
        lambda lib: F(lib).vjp(lambda a, b: a * 2, (lib.ones(2), lib.ones(2)), lib.ones(2), strict=True),
        lambda lib: F(lib).jacobian(lambda a, b: (a * b, a), (lib.ones(2), lib.ones(2)), strict=True),
        lambda lib: F(lib).jacobian(lambda a: a.detach(), lib.ones(2), strict=True),
        lambda lib: F(lib).hessian(lambda a: a.sum(), lib.ones(2), strict=True),
        lambda lib: F(lib).hessian(lambda a, b: (a * b).sum(), (lib.ones(2), lib.ones(2)), strict=True),
        lambda lib: F(lib).hessian(lambda a: a.sum(), lib.ones(2), strict=True, create_graph=True),
        lambda lib: F(lib).vhp(lambda a, b: (a ** 2).sum() + b.sum(), (lib.ones(2),) * 2, (lib.ones(2),) * 2,
                               strict=True),
        lambda lib: F(lib).hvp(lambda a, b: (a ** 2).sum() + b.sum(), (lib.ones(2),) * 2, (lib.ones(2),) * 2,
                               strict=True),
        lambda lib: F(lib).hvp(lambda a, b: (a ** 2).sum(), (lib.ones(2),) * 2, (lib.ones(2),) * 2, strict=True),
        lambda lib: F(lib).hvp(lambda a: a.sum(), lib.ones(2), lib.ones(2), strict=True),
    ]
    for call in cases:
        _same_error(call)


def test_argument_errors():
    F = lambda lib: lib.autograd.functional
    cases = [
        lambda lib: F(lib).jacobian(lambda a, b: a, (lib.ones(2), 1.0)),
        lambda lib: F(lib).vjp(lambda a: a, [lib.ones(2)], lib.ones(2)),
        lambda lib: F(lib).vjp(lambda a: a, lib.ones(2), (lib.ones(2), [1])),
        lambda lib: F(lib).vjp(lambda a: a, lib.ones(2), 3),
        lambda lib: F(lib).vjp(lambda a: 1.0, lib.ones(2)),
        lambda lib: F(lib).jacobian(lambda a: 3, lib.ones(2)),
        lambda lib: F(lib).hessian(lambda a: 3, lib.ones(2)),
        lambda lib: F(lib).vjp(lambda a: a * 2, lib.ones(2), (lib.ones(2), lib.ones(2))),
        lambda lib: F(lib).jvp(lambda a, b: a * 2, (lib.ones(2),) * 2, (lib.ones(2),)),
        lambda lib: F(lib).jvp(lambda a: a * 2, lib.ones(2), lib.ones(3)),
        lambda lib: F(lib).hvp(lambda a: (a ** 2).sum(), lib.ones(2), lib.ones(2, 1)),
        lambda lib: F(lib).hvp(lambda a: (a ** 2).sum(), lib.ones(2), (lib.ones(2),) * 2),
        lambda lib: F(lib).vhp(lambda a: (a ** 2).sum(), lib.ones(2)),
        lambda lib: F(lib).vhp(lambda a: (a * 2,), lib.ones(2), lib.ones(2)),
        lambda lib: F(lib).hvp(lambda a: a * 2, lib.ones(2), lib.ones(2)),
        lambda lib: F(lib).jacobian(lambda a: a, lib.ones(2), strategy='bad'),
        lambda lib: F(lib).jacobian(lambda a: a, lib.ones(2), strategy='forward-mode'),
        lambda lib: F(lib).hessian(lambda a: a.sum(), lib.ones(2), outer_jacobian_strategy='bad'),
        lambda lib: F(lib).jacobian(lambda a: lib.ones(0), lib.ones(2)),
    ]
    for call in cases:
        _same_error(call)


def test_gradcheck_through_jacobian():
    x = ember.tensor([0.4, -0.3], dtype=ember.float64, requires_grad=True)
    f = lambda a: ember.autograd.functional.jacobian(lambda b: b.sin() * b.sum(), a, create_graph=True)
    assert ember.autograd.gradcheck(f, (x,))
