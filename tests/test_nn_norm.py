"""Normalisation (batch, instance, layer, group, RMS, local response, normalize) and distances against torch."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same, to_np


def _copy_state(tmod, emod):
    """Load a torch module's state_dict into the ember module (through NumPy)."""
    emod.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tmod.state_dict().items()})


# --- functionals -----------------------------------------------------------------------------------
@pytest.mark.parametrize('shape,ns', [((3, 4), (4,)), ((2, 3, 4), (3, 4)), ((2, 3, 5), [5]), ((6,), (6,))])
@pytest.mark.parametrize('affine', [True, False])
def test_layer_norm(shape, ns, affine):
    pshape = tuple(ns)
    if affine:
        check(lambda L, x, w, b: L.nn.functional.layer_norm(x, ns, w, b), shape, pshape, pshape)
    else:
        check(lambda L, x: L.nn.functional.layer_norm(x, ns, eps=1e-3), shape)


def test_layer_norm_weight_only_and_gradgrad():
    check(lambda L, x, w: L.nn.functional.layer_norm(x, (4,), w), (3, 4), (4,), gradgrad=True)
    check(lambda L, x, w, b: L.nn.functional.layer_norm(x, (2, 3), w, b), (2, 2, 3), (2, 3), (2, 3), gradgrad=True)
    check(lambda L, x: L.nn.functional.layer_norm(x, (5,)), (2, 5), gradgrad=True)


@pytest.mark.parametrize('shape', [(4, 3), (3, 2, 5), (2, 3, 2, 2), (2, 2, 2, 1, 3)])
def test_batch_norm_training(shape):
    C = shape[1]
    check(lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True), shape, (C,), (C,))
    check(lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True, eps=1e-3), shape)


def test_batch_norm_gradgrad():
    check(lambda L, x, w, b: L.nn.functional.batch_norm(x, None, None, w, b, training=True), (3, 2, 4), (2,), (2,),
          gradgrad=True)
    check(lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True), (4, 3), gradgrad=True)


def test_batch_norm_running_stats_functional():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 4)).astype(np.float32)
    rm, rv = rng.standard_normal(3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    out = {}
    for L in (torch, ember):
        m, v = L.from_numpy(rm.copy()), L.from_numpy(rv.copy())
        y = L.nn.functional.batch_norm(L.from_numpy(x), m, v, training=True, momentum=0.3)
        out[L.__name__] = (y, m, v)
    for a, b in zip(out['torch'], out['ember']):
        assert_same(a, b)


def test_batch_norm_eval():
    rng = np.random.default_rng(1)
    rm = rng.standard_normal(3).astype(np.float32)
    rv = rng.uniform(0.5, 2, 3).astype(np.float32)
    check(lambda L, x, w, b: L.nn.functional.batch_norm(x, L.from_numpy(rm), L.from_numpy(rv), w, b), (4, 3, 2),
          (3,), (3,))
    check(lambda L, x: L.nn.functional.batch_norm(x, L.from_numpy(rm), L.from_numpy(rv), training=False),
          (4, 3))


@pytest.mark.parametrize('shape,G', [((2, 6, 4), 3), ((3, 4, 2, 3), 2), ((2, 4), 4), ((2, 4, 5), 1)])
def test_group_norm(shape, G):
    C = shape[1]
    check(lambda L, x, w, b: L.nn.functional.group_norm(x, G, w, b), shape, (C,), (C,), gradgrad=shape == (2, 6, 4))
    check(lambda L, x: L.nn.functional.group_norm(x, G, eps=1e-3), shape)


@pytest.mark.parametrize('shape', [(2, 3, 5), (2, 3, 2, 3)])
def test_instance_norm(shape):
    C = shape[1]
    check(lambda L, x, w, b: L.nn.functional.instance_norm(x, weight=w, bias=b), shape, (C,), (C,))
    check(lambda L, x: L.nn.functional.instance_norm(x), shape)


def test_instance_norm_running_stats():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 5)).astype(np.float32)
    res = {}
    for L in (torch, ember):
        m, v = L.zeros(3), L.ones(3)
        y = L.nn.functional.instance_norm(L.from_numpy(x), m, v, momentum=0.2)
        y2 = L.nn.functional.instance_norm(L.from_numpy(x), m, v, use_input_stats=False)
        res[L.__name__] = (y, m, v, y2)
    assert_same(res['torch'], res['ember'])


@pytest.mark.parametrize('eps', [None, 1e-3])
def test_rms_norm(eps):
    check(lambda L, x, w: L.nn.functional.rms_norm(x, (4,), w, eps), (3, 4), (4,))
    check(lambda L, x: L.nn.functional.rms_norm(x, (2, 4), eps=eps), (3, 2, 4))
    check(lambda L, x: L.nn.functional.rms_norm(x, [4], eps=eps), (3, 4), dtype='float64', gradcheck=False)


@pytest.mark.parametrize('shape,size', [((2, 5, 4), 3), ((2, 6, 3, 2), 2), ((1, 4, 2, 2, 2), 5), ((2, 3, 4), 1)])
def test_local_response_norm(shape, size):
    check(lambda L, x: L.nn.functional.local_response_norm(x, size, alpha=0.1, beta=0.75, k=2.0), shape)
    check(lambda L, x: L.nn.functional.local_response_norm(x, size), shape, gradcheck=False)


@pytest.mark.parametrize('p,dim', [(2.0, 1), (1, 0), (3, -1), (float('inf'), 1)])
def test_normalize(p, dim):
    check(lambda L, x: L.nn.functional.normalize(x, p=p, dim=dim), (3, 4))


def test_normalize_zero_vector_and_out():
    x = np.zeros((2, 3), np.float32)
    x[1] = [1, 2, 3]
    check(lambda L, a: L.nn.functional.normalize(a), x, gradcheck=False)
    out = ember.empty(2, 3)
    r = ember.nn.functional.normalize(ember.from_numpy(x), out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), torch.nn.functional.normalize(torch.from_numpy(x)).numpy(), rtol=1e-6)


def test_norm_functional_errors():
    check_error(lambda L: L.nn.functional.batch_norm(L.randn(1, 4), L.zeros(4), L.ones(4), training=True),
                ValueError, 'more than 1 value per channel')
    check_error(lambda L: L.nn.functional.batch_norm(L.randn(2, 3, 4), L.zeros(4), L.ones(4), training=True),
                RuntimeError, 'running_mean should contain 3 elements not 4')
    check_error(lambda L: L.nn.functional.batch_norm(L.randn(2, 3, 4), None, None), RuntimeError,
                'running_mean must be defined')
    check_error(lambda L: L.nn.functional.layer_norm(L.randn(2, 3), [4]), RuntimeError,
                r'Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[2, 3\]')
    check_error(lambda L: L.nn.functional.layer_norm(L.randn(2, 3), [3], L.ones(4)), RuntimeError,
                'Expected weight to be of same shape as normalized_shape')
    check_error(lambda L: L.nn.functional.group_norm(L.randn(2, 6, 4), 4), RuntimeError,
                'divisible by num_groups')
    check_error(lambda L: L.nn.functional.group_norm(L.randn(2, 6, 4), 3, L.ones(5)), RuntimeError,
                'Expected weight to be a vector of size equal to the number of channels')
    check_error(lambda L: L.nn.functional.instance_norm(L.randn(2, 6, 1)), ValueError,
                'more than 1 spatial element')
    check_error(lambda L: L.nn.functional.rms_norm(L.randn(2, 3), [4]), RuntimeError,
                r'expected input with shape \[\*4\]')
    check_error(lambda L: L.nn.functional.local_response_norm(L.randn(2, 3), 2), ValueError,
                'Expected 3D or higher dimensionality')
    check_error(lambda L: L.nn.functional.normalize(L.randn(2, 3), dim=3), IndexError, 'Dimension out of range')


# --- modules ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('cls,shape', [('BatchNorm1d', (6, 3)), ('BatchNorm1d', (4, 3, 5)), ('BatchNorm2d', (4, 3, 2, 3)),
                                       ('BatchNorm3d', (2, 3, 2, 2, 2))])
@pytest.mark.parametrize('momentum', [0.1, None])
def test_batchnorm_module_training_and_eval(cls, shape, momentum):
    tm = getattr(torch.nn, cls)(3, momentum=momentum)
    em = getattr(ember.nn, cls)(3, momentum=momentum)
    with torch.no_grad():
        tm.weight.uniform_(0.5, 1.5)
        tm.bias.uniform_(-0.5, 0.5)
    _copy_state(tm, em)
    rng = np.random.default_rng(3)
    for step in range(3):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        tx, ex = torch.from_numpy(x).requires_grad_(), ember.from_numpy(x.copy()).requires_grad_()
        ty, ey = tm(tx), em(ex)
        assert_same(ty, ey, atol=1e-5)
        g = rng.standard_normal(shape).astype(np.float32)
        ty.backward(torch.from_numpy(g))
        ey.backward(ember.from_numpy(g))
        assert_same(tx.grad, ex.grad, atol=1e-4, what='input grad')
    assert_same(tm.weight.grad, em.weight.grad, atol=1e-4, what='weight grad')
    assert_same(tm.bias.grad, em.bias.grad, atol=1e-4, what='bias grad')
    for k in ('running_mean', 'running_var', 'num_batches_tracked'):
        assert_same(getattr(tm, k), getattr(em, k), atol=1e-5, what=k)
    tm.eval()
    em.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    tx, ex = torch.from_numpy(x).requires_grad_(), ember.from_numpy(x.copy()).requires_grad_()
    ty, ey = tm(tx), em(ex)
    assert_same(ty, ey)
    ty.sum().backward()
    ey.sum().backward()
    assert_same(tx.grad, ex.grad, atol=1e-5)
    assert int(em.num_batches_tracked) == 3


def test_batchnorm_module_options():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    for kw in (dict(affine=False), dict(track_running_stats=False), dict(bias=False), dict(eps=1e-2)):
        tm, em = torch.nn.BatchNorm1d(4, **kw), ember.nn.BatchNorm1d(4, **kw)
        assert list(tm.state_dict()) == list(em.state_dict())
        assert repr(tm) == repr(em)
        for train in (True, False):
            tm.train(train)
            em.train(train)
            assert_same(tm(torch.from_numpy(x)), em(ember.from_numpy(x)), what=str(kw))


def test_batchnorm_state_dict_and_params():
    tm, em = torch.nn.BatchNorm2d(5), ember.nn.BatchNorm2d(5)
    assert list(tm.state_dict()) == list(em.state_dict()) == ['weight', 'bias', 'running_mean', 'running_var',
                                                             'num_batches_tracked']
    assert [n for n, _ in em.named_parameters()] == ['weight', 'bias']
    assert [n for n, _ in em.named_buffers()] == ['running_mean', 'running_var', 'num_batches_tracked']
    assert em.num_batches_tracked.dtype == ember.int64
    np.testing.assert_array_equal(em.weight.detach().numpy(), np.ones(5, np.float32))
    np.testing.assert_array_equal(em.running_var.numpy(), np.ones(5, np.float32))
    em.running_mean.fill_(3)
    em.reset_running_stats()
    assert not em.running_mean.numpy().any()
    assert ember.nn.BatchNorm1d(3, dtype=ember.float64).weight.dtype == ember.float64


def test_norm_module_input_dim_errors():
    check_error(lambda L: L.nn.BatchNorm2d(3)(L.randn(2, 3, 4)), ValueError, r'expected 4D input \(got 3D input\)')
    check_error(lambda L: L.nn.BatchNorm1d(3)(L.randn(2, 3, 4, 5)), ValueError,
                r'expected 2D or 3D input \(got 4D input\)')
    check_error(lambda L: L.nn.BatchNorm3d(3)(L.randn(2, 3, 4, 5)), ValueError, r'expected 5D input \(got 4D input\)')
    check_error(lambda L: L.nn.InstanceNorm1d(3)(L.randn(2, 3, 4, 5)), ValueError,
                r'expected 2D or 3D input \(got 4D input\)')
    check_error(lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.randn(2, 4, 5)), ValueError,
                r"expected input's size at dim=1 to match num_features \(3\), but got: 4.")
    check_error(lambda L: L.nn.GroupNorm(4, 6), ValueError, r'num_channels \(6\) must be divisible by num_groups \(4\)')
    with pytest.warns(UserWarning, match='does not match num_features'):
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))


@pytest.mark.parametrize('cls,shape', [('InstanceNorm1d', (2, 3, 5)), ('InstanceNorm1d', (3, 5)),
                                       ('InstanceNorm2d', (2, 3, 2, 3)), ('InstanceNorm3d', (3, 2, 2, 3))])
def test_instancenorm_module(cls, shape):
    for kw in (dict(), dict(affine=True, track_running_stats=True)):
        tm, em = getattr(torch.nn, cls)(3, **kw), getattr(ember.nn, cls)(3, **kw)
        assert list(tm.state_dict()) == list(em.state_dict())
        assert repr(tm) == repr(em)
        if kw:
            with torch.no_grad():
                tm.weight.uniform_(0.5, 1.5)
                tm.bias.uniform_(-1, 1)
            _copy_state(tm, em)
        rng = np.random.default_rng(5)
        for _ in range(2):
            x = rng.standard_normal(shape).astype(np.float32) * 2 + 1
            tx, ex = torch.from_numpy(x).requires_grad_(), ember.from_numpy(x.copy()).requires_grad_()
            ty, ey = tm(tx), em(ex)
            assert_same(ty, ey)
            ty.pow(3).sum().backward()
            ey.pow(3).sum().backward()
            assert_same(tx.grad, ex.grad, atol=1e-4)
        if kw:
            assert_same(tm.weight.grad, em.weight.grad, atol=1e-4)
            assert_same(tm.running_mean, em.running_mean)
            assert_same(tm.running_var, em.running_var)
            tm.eval()
            em.eval()
            assert_same(tm(torch.from_numpy(x)), em(ember.from_numpy(x)))


@pytest.mark.parametrize('kw', [dict(), dict(elementwise_affine=False), dict(bias=False), dict(eps=1e-3)])
def test_layernorm_module(kw):
    tm, em = torch.nn.LayerNorm((3, 4), **kw), ember.nn.LayerNorm((3, 4), **kw)
    assert repr(tm) == repr(em) and list(tm.state_dict()) == list(em.state_dict())
    if tm.weight is not None:
        with torch.no_grad():
            tm.weight.normal_()
            if tm.bias is not None:
                tm.bias.normal_()
        _copy_state(tm, em)
    x = np.random.default_rng(6).standard_normal((2, 3, 4)).astype(np.float32)
    tx, ex = torch.from_numpy(x).requires_grad_(), ember.from_numpy(x.copy()).requires_grad_()
    ty, ey = tm(tx), em(ex)
    assert_same(ty, ey)
    ty.pow(2).sum().backward()
    ey.pow(2).sum().backward()
    assert_same(tx.grad, ex.grad, atol=1e-4)
    for name in ('weight', 'bias'):
        if getattr(tm, name) is not None:
            assert_same(getattr(tm, name).grad, getattr(em, name).grad, atol=1e-4)


def test_groupnorm_rmsnorm_lrn_modules():
    x = np.random.default_rng(7).standard_normal((2, 6, 3, 2)).astype(np.float32)
    for tm, em in ((torch.nn.GroupNorm(3, 6), ember.nn.GroupNorm(3, 6)),
                   (torch.nn.GroupNorm(2, 6, affine=False), ember.nn.GroupNorm(2, 6, affine=False)),
                   (torch.nn.RMSNorm([3, 2]), ember.nn.RMSNorm([3, 2])),
                   (torch.nn.RMSNorm(2, eps=1e-4, elementwise_affine=False),
                    ember.nn.RMSNorm(2, eps=1e-4, elementwise_affine=False)),
                   (torch.nn.LocalResponseNorm(3, alpha=0.1), ember.nn.LocalResponseNorm(3, alpha=0.1))):
        assert repr(tm) == repr(em) and list(tm.state_dict()) == list(em.state_dict())
        for p in tm.parameters():
            with torch.no_grad():
                p.normal_()
        _copy_state(tm, em)
        tx, ex = torch.from_numpy(x).requires_grad_(), ember.from_numpy(x.copy()).requires_grad_()
        ty, ey = tm(tx), em(ex)
        assert_same(ty, ey)
        ty.pow(2).sum().backward()
        ey.pow(2).sum().backward()
        assert_same(tx.grad, ex.grad, atol=1e-4)
        for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
            assert_same(tp.grad, ep.grad, atol=1e-4, what=n)


def test_load_torch_state_dict_into_batchnorm():
    tm = torch.nn.BatchNorm2d(4)
    tm(torch.randn(3, 4, 2, 2) * 3 + 1)
    em = ember.nn.BatchNorm2d(4)
    _copy_state(tm, em)
    tm.eval()
    em.eval()
    x = np.random.default_rng(8).standard_normal((2, 4, 2, 2)).astype(np.float32)
    assert_same(tm(torch.from_numpy(x)), em(ember.from_numpy(x)))
    assert int(em.num_batches_tracked) == 1


# --- distances -------------------------------------------------------------------------------------
@pytest.mark.parametrize('s1,s2,dim', [((3, 4), (3, 4), 1), ((3, 4), (1, 4), -1), ((2, 3, 4), (2, 3, 4), 0), ((5,), (5,), 0)])
def test_cosine_similarity(s1, s2, dim):
    check(lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim=dim), s1, s2, gradgrad=s1 == (3, 4))
    tm, em = torch.nn.CosineSimilarity(dim=dim, eps=1e-6), ember.nn.CosineSimilarity(dim=dim, eps=1e-6)
    check(lambda L, a, b: (tm if L is torch else em)(a, b), s1, s2, gradcheck=False)


def test_cosine_similarity_zero_vector():
    x = np.zeros((2, 3), np.float32)
    check(lambda L, a, b: L.nn.functional.cosine_similarity(a, b), x, (2, 3), gradcheck=False)


@pytest.mark.parametrize('p', [2.0, 1, 3, 0.5, float('inf')])
@pytest.mark.parametrize('keepdim', [False, True])
def test_pairwise_distance(p, keepdim):
    check(lambda L, a, b: L.nn.functional.pairwise_distance(a, b, p=p, keepdim=keepdim), (3, 4), (3, 4))
    check(lambda L, a, b: L.nn.functional.pairwise_distance(a, b, p=p, keepdim=keepdim), (4,), (4,),
          gradcheck=False)
    tm, em = torch.nn.PairwiseDistance(p, 1e-4, keepdim), ember.nn.PairwiseDistance(p, 1e-4, keepdim)
    check(lambda L, a, b: (tm if L is torch else em)(a, b), (2, 3, 4), (3, 4), gradcheck=False)


@pytest.mark.parametrize('p', [2, 1, 0, 1.5, float('inf')])
def test_pdist(p):
    check(lambda L, a: L.nn.functional.pdist(a, p), (5, 3), gradcheck=p != 0)
    check(lambda L, a: L.nn.functional.pdist(a, p), (1, 3), gradcheck=False)


def test_distance_errors():
    check_error(lambda L: L.nn.functional.pdist(L.randn(2, 3, 4)), RuntimeError, 'pdist only supports 2D tensors')
    check_error(lambda L: L.nn.functional.cosine_similarity(L.randn(2, 3), L.randn(2, 4)), RuntimeError,
                'must match')
    check_error(lambda L: L.nn.functional.pairwise_distance(L.randn(2, 3), L.randn(2, 4)), RuntimeError,
                'must match')
