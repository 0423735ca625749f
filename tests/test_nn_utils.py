"""nn.utils: gradient clipping, parameter vectors, parametrizations (weight_norm, spectral_norm) vs torch."""
import math
import numpy as np
import pytest
import torch

import ember
from ember import nn as enn
from helpers import assert_same, to_np


def _grads(lib, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    ps = []
    for shape in [(3, 4), (5,), (2, 2, 2)]:
        p = lib.nn.Parameter(lib.zeros(shape))
        p.grad = lib.tensor(rng.standard_normal(shape).astype(np.float32) * scale)
        ps.append(p)
    ps.append(lib.nn.Parameter(lib.zeros(2)))   # no grad: skipped
    return ps


@pytest.mark.parametrize('norm_type', [2.0, 1, 3.5, math.inf, 'inf', 0.5])
@pytest.mark.parametrize('max_norm', [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    tp, ep = _grads(torch), _grads(ember)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=norm_type)
    en = enn.utils.clip_grad_norm_(ep, max_norm, norm_type=norm_type, foreach=True)
    assert_same(tn, en, atol=1e-5)
    for t, e in zip(tp[:3], ep[:3]):
        assert_same(t.grad, e.grad, atol=1e-6)
    assert ep[3].grad is None


def test_clip_grad_norm_edge_cases():
    p = enn.Parameter(ember.zeros(3))
    assert enn.utils.clip_grad_norm_(p, 1.0).item() == 0.0 and p.grad is None
    p.grad = ember.tensor([3.0, 4.0, 0.0])
    assert enn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)   # a single tensor is accepted
    assert np.allclose(to_np(p.grad), [0.6, 0.8, 0.0], atol=1e-6)
    for lib in (torch, ember):
        q = lib.nn.Parameter(lib.zeros(2))
        q.grad = lib.tensor([float('nan'), 1.0])
        with pytest.raises(RuntimeError, match='The total norm of order 2.0 for gradients from `parameters` is '
                                               'non-finite'):
            lib.nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
        n = lib.nn.utils.clip_grad_norm_([q], 1.0)
        assert math.isnan(n.item())
    tp, ep = _grads(torch, 2), _grads(ember, 2)
    assert_same(torch.nn.utils.get_total_norm([p.grad for p in tp[:3]], 3.0),
                enn.utils.get_total_norm([p.grad for p in ep[:3]], 3.0))


def test_clip_grad_value_matches_torch():
    tp, ep = _grads(torch, 1, 3.0), _grads(ember, 1, 3.0)
    assert torch.nn.utils.clip_grad_value_(tp, 1.5) is None
    assert enn.utils.clip_grad_value_(ep, 1.5) is None
    for t, e in zip(tp[:3], ep[:3]):
        assert_same(t.grad, e.grad)


def test_parameters_to_vector_and_back():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    em = enn.Sequential(enn.Linear(3, 4), enn.Linear(4, 2))
    em.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in tm.state_dict().items()})
    tv, ev = torch.nn.utils.parameters_to_vector(tm.parameters()), enn.utils.parameters_to_vector(em.parameters())
    assert_same(tv, ev)
    (ev * ember.arange(ev.numel(), dtype=ember.float32)).sum().backward()   # differentiable
    assert em[0].weight.grad is not None
    new = np.arange(ev.numel(), dtype=np.float32)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), tm.parameters())
    enn.utils.vector_to_parameters(ember.from_numpy(new), em.parameters())
    for (k, t), (_, e) in zip(tm.state_dict().items(), em.state_dict().items()):
        assert_same(t, e, what=k)
    assert isinstance(em[0].weight, enn.Parameter)
    for lib in (torch, ember):
        with pytest.raises(TypeError, match='expected torch.Tensor, but got'):
            lib.nn.utils.vector_to_parameters([1.0], lib.nn.Linear(1, 1).parameters())


def _copy(tm, em):
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize('dim', [0, 1, None])
def test_weight_norm_matches_torch(dim):
    torch.manual_seed(0)
    tm = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(4, 3), dim=dim)
    em = enn.utils.parametrizations.weight_norm(enn.Linear(4, 3), dim=dim)
    assert list(tm.state_dict()) == list(em.state_dict())
    assert [tuple(v.shape) for v in tm.state_dict().values()] == [tuple(v.shape) for v in em.state_dict().values()]
    assert repr(tm) == repr(em)
    _copy(tm, em)
    assert_same(tm.weight, em.weight)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ty, ey = tm(torch.from_numpy(x)), em(ember.from_numpy(x))
    assert_same(ty, ey)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    for (n, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert_same(tp.grad, ep.grad, atol=1e-4, what=n)
    # the weight_norm of a module at registration leaves the weight unchanged
    lin = enn.Linear(4, 3)
    w = lin.weight.detach().clone()
    enn.utils.parametrizations.weight_norm(lin, dim=dim)
    assert_same(torch.from_numpy(to_np(w)), lin.weight.detach(), atol=1e-6)


def test_weight_norm_loads_legacy_keys():
    em = enn.utils.parametrizations.weight_norm(enn.Linear(2, 2))
    g, v, b = ember.ones(2, 1), ember.full((2, 2), 3.0), ember.zeros(2)
    em.load_state_dict({'weight_g': g, 'weight_v': v, 'bias': b})
    assert np.allclose(to_np(em.weight), 1 / math.sqrt(2))


def test_spectral_norm_matches_torch():
    torch.manual_seed(0)
    tm = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(5, 4))
    em = enn.utils.parametrizations.spectral_norm(enn.Linear(5, 4))
    assert list(tm.state_dict()) == list(em.state_dict())
    assert repr(tm) == repr(em)
    _copy(tm, em)
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    for _ in range(2):   # training mode: one power iteration per access, u and v updated in place
        ty, ey = tm(torch.from_numpy(x)), em(ember.from_numpy(x))
        assert_same(ty, ey, atol=1e-5)
    for k in ('parametrizations.weight.0._u', 'parametrizations.weight.0._v'):
        assert_same(tm.state_dict()[k], em.state_dict()[k], atol=1e-5, what=k)
    ty.sum().backward()
    ey.sum().backward()
    assert_same(tm.parametrizations.weight.original.grad, em.parametrizations.weight.original.grad, atol=1e-4)
    em.eval()
    sv = np.linalg.svd(to_np(em.weight).astype(np.float64), compute_uv=False)[0]
    assert abs(sv - 1) < 1e-3
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
        enn.utils.parametrizations.spectral_norm(enn.Linear(2, 2), name='w')


class _Symmetric(enn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class _TSymmetric(torch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


def test_register_and_remove_parametrization():
    P = enn.utils.parametrize
    torch.manual_seed(0)
    tm, em = torch.nn.Linear(3, 3), enn.Linear(3, 3)
    _copy(tm, em)
    original = em.weight
    torch.nn.utils.parametrize.register_parametrization(tm, 'weight', _TSymmetric())
    P.register_parametrization(em, 'weight', _Symmetric())
    assert P.is_parametrized(em) and P.is_parametrized(em, 'weight') and not P.is_parametrized(em, 'bias')
    assert type(em).__name__ == 'ParametrizedLinear' and P.type_before_parametrizations(em) is enn.Linear
    assert em.parametrizations.weight.original is original   # the Parameter object is kept
    assert list(tm.state_dict()) == list(em.state_dict()) and repr(tm).replace('_TSymmetric', '_Symmetric') == repr(em)
    assert_same(tm.weight, em.weight)
    assert np.allclose(to_np(em.weight), to_np(em.weight).T)
    x = ember.ones(2, 3)
    em(x).sum().backward()
    tm(torch.ones(2, 3)).sum().backward()
    assert_same(tm.parametrizations.weight.original.grad, em.parametrizations.weight.original.grad)
    # assignment goes through right_inverse
    sym = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    em.weight = sym
    assert ember.equal(em.weight, sym)
    with P.cached():
        assert em.weight is em.weight
    assert em.weight is not em.weight
    # a second parametrization on the same tensor chains
    class Double(enn.Module):
        def forward(self, X):
            return X * 2
    P.register_parametrization(em, 'weight', Double())
    assert ember.equal(em.weight, sym * 2)
    with pytest.raises(ValueError, match='may not change the shape'):
        class Shrink(enn.Module):
            def forward(self, X):
                return X[:2]
        P.register_parametrization(em, 'weight', Shrink())
    P.remove_parametrizations(em, 'weight', leave_parametrized=True)
    assert type(em) is enn.Linear and not hasattr(em, 'parametrizations')
    assert em.weight is original and isinstance(em.weight, enn.Parameter)
    assert ember.equal(em.weight, sym * 2)
    with pytest.raises(ValueError, match='does not have a parametrization on weight'):
        P.remove_parametrizations(em, 'weight')
    P.register_parametrization(em, 'bias', Double())
    P.remove_parametrizations(em, 'bias', leave_parametrized=False)
    assert type(em) is enn.Linear and list(em.state_dict()) == ['weight', 'bias']
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        P.register_parametrization(em, 'nope', Double())


def test_parametrized_module_copy_and_state_dict_load():
    import copy
    em = enn.utils.parametrizations.weight_norm(enn.Linear(3, 2))
    c = copy.deepcopy(em)
    assert type(c).__name__ == 'ParametrizedLinear' and ember.equal(c.weight, em.weight)
    fresh = enn.utils.parametrizations.weight_norm(enn.Linear(3, 2))
    fresh.load_state_dict(em.state_dict())
    assert ember.equal(fresh.weight, em.weight)
    import pickle
    with pytest.raises(RuntimeError, match='Serialization of parametrized modules is only supported through'):
        pickle.dumps(em)
