"""nn.init: statistics against the expected distributions, in-place/no_grad behaviour, errors vs torch."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import init
from helpers import to_np


def _param(*shape):
    return ember.nn.Parameter(ember.empty(*shape))


def test_calculate_gain_matches_torch():
    for nl in ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
               'sigmoid', 'tanh', 'relu', 'selu']:
        assert init.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    for p in (None, 0.2, 1, 0):
        assert init.calculate_gain('leaky_relu', p) == torch.nn.init.calculate_gain('leaky_relu', p)
    for args in (('swish',), ('leaky_relu', 'a'), ('leaky_relu', True)):
        with pytest.raises(ValueError) as te:
            torch.nn.init.calculate_gain(*args)
        with pytest.raises(ValueError) as ee:
            init.calculate_gain(*args)
        assert str(ee.value) == str(te.value)


def test_fan_in_fan_out():
    for shape in [(3, 4), (8, 4, 3), (16, 3, 5, 5), (2, 3, 2, 2, 2)]:
        assert init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match='fewer than 2 dimensions'):
        init._calculate_fan_in_and_fan_out(ember.empty(3))


def _stats(t):
    a = to_np(t).astype(np.float64).ravel()
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant_in_place_on_parameters():
    ember.manual_seed(0)
    p = _param(200, 300)
    out = init.uniform_(p, -2.0, 3.0)
    assert out is p and p.requires_grad and p.grad_fn is None
    mean, std, lo, hi = _stats(p)
    assert lo >= -2 and hi < 3 and abs(mean - 0.5) < 0.02 and abs(std - 5 / math.sqrt(12)) < 0.02
    init.normal_(p, 1.5, 0.5)
    mean, std, _, _ = _stats(p)
    assert abs(mean - 1.5) < 0.01 and abs(std - 0.5) < 0.01
    assert init.constant_(p, 0.25) is p and np.all(to_np(p) == 0.25)
    assert np.all(to_np(init.ones_(p)) == 1) and np.all(to_np(init.zeros_(p)) == 0)
    assert p._version > 0 and p.grad_fn is None


def test_generator_and_seed_repeat():
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    a, b = init.kaiming_normal_(ember.empty(10, 10), generator=g1), init.kaiming_normal_(ember.empty(10, 10), generator=g2)
    assert ember.equal(a, b)
    ember.manual_seed(3)
    x = init.xavier_uniform_(ember.empty(5, 6))
    ember.manual_seed(3)
    assert ember.equal(x, init.xavier_uniform_(ember.empty(5, 6)))


@pytest.mark.parametrize('shape', [(300, 200), (64, 32, 3, 3)])
def test_xavier(shape):
    ember.manual_seed(0)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(ember.empty(shape))
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    t = init.xavier_uniform_(ember.empty(shape), gain=2.0)
    mean, s, lo, hi = _stats(t)
    bound = math.sqrt(3) * std
    assert -bound <= lo and hi <= bound and abs(s - std) < 0.03 * std and abs(mean) < 0.05 * std
    t = init.xavier_normal_(ember.empty(shape), gain=2.0)
    _, s, _, _ = _stats(t)
    assert abs(s - std) < 0.03 * std


@pytest.mark.parametrize('mode', ['fan_in', 'fan_out'])
@pytest.mark.parametrize('nonlinearity,a', [('relu', 0), ('leaky_relu', math.sqrt(5)), ('leaky_relu', 0.1),
                                            ('tanh', 0)])
def test_kaiming(mode, nonlinearity, a):
    ember.manual_seed(1)
    shape = (128, 64, 3, 3)
    fan = 64 * 9 if mode == 'fan_in' else 128 * 9
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    t = init.kaiming_uniform_(ember.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    _, s, lo, hi = _stats(t)
    assert -math.sqrt(3) * std <= lo and hi <= math.sqrt(3) * std and abs(s - std) < 0.02 * std
    t = init.kaiming_normal_(ember.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    mean, s, _, _ = _stats(t)
    assert abs(s - std) < 0.02 * std and abs(mean) < 0.02 * std


def test_kaiming_errors_and_empty():
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(ember.empty(3, 4), mode='fan_avg')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        t = ember.empty(0, 3)
        assert init.kaiming_uniform_(t) is t
    assert any('zero-element' in str(x.message) for x in w)


def test_trunc_normal():
    ember.manual_seed(2)
    t = init.trunc_normal_(ember.empty(400, 400), mean=0.5, std=1.0, a=-1.0, b=1.5)
    a = to_np(t).astype(np.float64).ravel()
    assert a.min() >= -1.0 and a.max() <= 1.5
    from scipy import stats
    ref = stats.truncnorm(-1.5, 1.0, loc=0.5, scale=1.0)
    assert abs(a.mean() - ref.mean()) < 0.01 and abs(a.std() - ref.std()) < 0.01
    assert stats.kstest(a[:5000], ref.cdf).pvalue > 1e-3
    b = to_np(init.trunc_normal_(ember.empty(10000), std=0.02, a=-0.04, b=0.04))
    assert abs(b).max() <= 0.04 and abs(b.std() - stats.truncnorm(-2, 2, scale=0.02).std()) < 5e-4


def test_eye_dirac_match_torch():
    for shape in [(3, 5), (5, 3), (4, 4)]:
        assert np.array_equal(to_np(init.eye_(ember.empty(shape))), torch.nn.init.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 3, 3), 1), ((6, 2, 3, 3), 2), ((4, 4, 1, 3, 3), 1), ((2, 5, 3, 3), 1)]:
        e = init.dirac_(ember.empty(shape), groups)
        t = torch.nn.init.dirac_(torch.empty(shape), groups)
        assert np.array_equal(to_np(e), t.numpy())
    for fn, arg in ((init.eye_, (2, 2, 2)), (init.dirac_, (2, 2))):
        with pytest.raises(ValueError, match='Only tensors with'):
            fn(ember.empty(arg))
    with pytest.raises(ValueError, match='dim 0 must be divisible by groups'):
        init.dirac_(ember.empty(3, 2, 3), groups=2)
    # dirac keeps the identity of a convolution's input: the weight's center tap is the identity
    w = init.dirac_(ember.empty(3, 3, 3))
    assert np.array_equal(to_np(w)[:, :, 1], np.eye(3))


@pytest.mark.parametrize('shape', [(6, 10), (10, 6), (4, 3, 2, 2)])
def test_orthogonal(shape):
    ember.manual_seed(0)
    t = init.orthogonal_(ember.empty(shape), gain=2.0)
    m = to_np(t).reshape(shape[0], -1).astype(np.float64)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match='Only tensors with 2 or more dimensions are supported'):
        init.orthogonal_(ember.empty(3))


def test_sparse():
    ember.manual_seed(0)
    t = init.sparse_(ember.empty(10, 400), sparsity=0.3, std=0.5)
    a = to_np(t)
    zeros_per_col = (a == 0).sum(0)
    assert np.all(zeros_per_col == 3)
    nz = a[a != 0]
    assert abs(nz.std() - 0.5) < 0.03
    with pytest.raises(ValueError, match='Only tensors with 2 dimensions are supported'):
        init.sparse_(ember.empty(2, 2, 2), 0.1)


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match='nn.init.normal_'):
        init.normal(ember.empty(2, 2))


def test_init_errors_are_torch_classes():
    for lib in (torch, ember):
        with pytest.raises(ValueError):
            lib.nn.init.xavier_uniform_(lib.empty(3))
