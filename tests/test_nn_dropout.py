"""Dropout variants: statistics (keep rate, scaling), channel-wise masks, alpha dropout's moments,
seeding through ember's generators, eval mode, edge values of p and errors, against torch where
the result does not depend on the random stream."""
import math
import numpy as np
import pytest
import torch
import ember
import ember.nn.functional as F
from helpers import check_error

ALPHA = 1.7580993408473766


def _ones(shape, dtype=ember.float32):
    return ember.ones(shape, dtype=dtype).requires_grad_()


@pytest.mark.parametrize('p', [0.1, 0.3, 0.5, 0.9])
@pytest.mark.parametrize('dtype', [ember.float32, ember.float64])
def test_dropout_keep_rate_and_scale(p, dtype):
    ember.manual_seed(0)
    x = _ones((400, 500), dtype)
    y = F.dropout(x, p)
    assert y.dtype == dtype and y.shape == x.shape
    a = y.detach().numpy()
    kept = a != 0
    n = a.size
    assert abs(kept.mean() - (1 - p)) < 4 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(a[kept], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a, rtol=1e-6)   # the gradient is the same mask times scale


def test_dropout_seeded_and_generator_state():
    ember.manual_seed(123)
    a = F.dropout(ember.ones(1000)).numpy()
    b = F.dropout(ember.ones(1000)).numpy()
    ember.manual_seed(123)
    assert np.array_equal(F.dropout(ember.ones(1000)).numpy(), a)
    assert not np.array_equal(a, b)


def test_dropout_eval_and_p0_identity():
    x = ember.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.alpha_dropout(x, 0.5) is x      # alpha dropout's training defaults to False, as torch's
    for cls in ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'):
        m = getattr(ember.nn, cls)(0.4).eval()
        xi = x.reshape({'Dropout1d': (1, 3, 4), 'Dropout3d': (1, 3, 4, 1, 1)}.get(cls, (1, 3, 4, 1)))
        assert m(xi) is xi


@pytest.mark.parametrize('fn', ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
                                'feature_alpha_dropout'])
def test_p1_gives_zeros(fn):
    shape = {'dropout1d': (2, 3, 4), 'dropout3d': (2, 3, 2, 2, 2)}.get(fn, (2, 3, 4, 5))
    kw = {'training': True}
    for L in (torch, ember):
        x = L.ones(shape, requires_grad=True)
        y = getattr(L.nn.functional, fn)(x, 1.0, **kw)
        assert not y.detach().numpy().any()
        y.sum().backward()
        assert not x.grad.numpy().any()


def test_dropout_inplace():
    ember.manual_seed(1)
    x = ember.ones(2000)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    assert set(np.unique(x.numpy()).tolist()) == {0.0, 2.0}
    x = ember.ones(4, 6, 3)
    v0 = x._version
    F.dropout1d(x, 0.5, inplace=True)
    assert x._version > v0 and x.shape == (4, 6, 3)
    # in place on a non-leaf: the gradient is still the mask times the scale
    w = ember.ones(500, requires_grad=True)
    h = w * 1
    F.dropout(h, 0.25, inplace=True)
    h.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), h.detach().numpy())


@pytest.mark.parametrize('fn,shape', [('dropout1d', (50, 40, 7)), ('dropout1d', (40, 7)), ('dropout2d', (50, 40, 3, 3)),
                                      ('dropout3d', (20, 40, 2, 2, 2)), ('dropout3d', (40, 2, 2, 3)),
                                      ('dropout2d', (50, 40, 7))])
def test_channel_dropout(fn, shape):
    ember.manual_seed(2)
    p = 0.4
    x = _ones(shape)
    with pytest.warns(UserWarning) if (fn, len(shape)) == ('dropout2d', 3) else _nothing():
        y = getattr(F, fn)(x, p)
    a = y.detach().numpy()
    assert a.shape == shape
    unbatched = (fn == 'dropout1d' and len(shape) == 2) or (fn == 'dropout3d' and len(shape) == 4)
    ch = a.reshape((1 if unbatched else shape[0]) * shape[1 - unbatched], -1)
    # each channel is dropped whole or kept whole, and kept ones are scaled by 1 / (1 - p)
    assert np.all((ch == 0).all(1) | np.isclose(ch, 1 / (1 - p)).all(1))
    rate = (ch[:, 0] != 0).mean()
    assert abs(rate - (1 - p)) < 5 * math.sqrt(p * (1 - p) / ch.shape[0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a, rtol=1e-6)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_dropout2d_deprecation_warnings():
    with pytest.warns(UserWarning, match='Received a 5-D input to dropout2d'):
        F.dropout2d(ember.ones(2, 3, 2, 2, 2), 0.5)
    with pytest.warns(UserWarning, match='Received a 3-D input to dropout3d'):
        F.dropout3d(ember.ones(2, 3, 2), 0.5)


@pytest.mark.parametrize('p', [0.2, 0.5])
def test_alpha_dropout_moments_and_values(p):
    ember.manual_seed(3)
    x = ember.randn(400, 500, requires_grad=True)
    y = F.alpha_dropout(x, p, training=True)
    a = 1 / math.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    b = ALPHA * a * p
    xa, ya = x.detach().numpy(), y.detach().numpy()
    dropped = np.isclose(ya, -ALPHA * a + b, atol=1e-6) & ~np.isclose(xa * a + b, -ALPHA * a + b, atol=1e-4)
    assert abs(dropped.mean() - p) < 0.01
    # self-normalising: zero mean, unit variance in, about the same out
    assert abs(ya.mean()) < 0.02 and abs(ya.std() - 1) < 0.02
    y.sum().backward()
    # the same draws as torch's: the same values and the same gradient (a where kept, 0 where dropped)
    torch.manual_seed(3)
    tx = torch.randn(400, 500, requires_grad=True)
    ty = torch.nn.functional.alpha_dropout(tx, p, training=True)
    ty.sum().backward()
    np.testing.assert_allclose(ya, ty.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-6)
    # torch's alpha dropout maps a constant input onto the same two values
    t = torch.nn.functional.alpha_dropout(torch.full((4000,), 0.7), p, training=True)
    e = F.alpha_dropout(ember.full((4000,), 0.7), p, training=True)
    np.testing.assert_allclose(np.unique(e.numpy()), np.unique(t.numpy()), rtol=1e-6)


def test_feature_alpha_dropout_channelwise():
    ember.manual_seed(4)
    p = 0.3
    x = ember.ones(100, 30, 2, 2)
    y = F.feature_alpha_dropout(x, p, training=True).numpy().reshape(3000, 4)
    assert np.all((y == y[:, :1]).all(1))
    t = torch.nn.functional.feature_alpha_dropout(torch.ones(100, 30, 2, 2), p, training=True)
    np.testing.assert_allclose(np.unique(y), np.unique(t.numpy()), rtol=1e-6)
    m = ember.nn.FeatureAlphaDropout(p)
    assert m(x).shape == x.shape


def test_modules_repr_and_training():
    for cls in ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'):
        tm, em = getattr(torch.nn, cls)(0.2, True), getattr(ember.nn, cls)(0.2, True)
        assert repr(tm) == repr(em)
        assert list(em.state_dict()) == []
    ember.manual_seed(5)
    m = ember.nn.Dropout(0.5)
    out = m(ember.ones(10000)).numpy()
    assert set(np.unique(out).tolist()) == {0.0, 2.0}
    m.eval()
    assert (m(ember.ones(10)).numpy() == 1).all()


def test_dropout_errors():
    for fn in ('dropout', 'alpha_dropout', 'feature_alpha_dropout', 'dropout1d', 'dropout2d', 'dropout3d'):
        for p in (1.5, -0.1):
            check_error(lambda L: getattr(L.nn.functional, fn)(L.ones(2, 3, 4), p), ValueError,
                        'dropout probability has to be between 0 and 1, but got')
    for cls in ('Dropout', 'Dropout2d', 'AlphaDropout'):
        check_error(lambda L: getattr(L.nn, cls)(1.5), ValueError, 'dropout probability has to be between 0 and 1')
    check_error(lambda L: L.nn.functional.dropout1d(L.ones(2, 3, 4, 5), 0.5), RuntimeError,
                'dropout1d: Expected 2D or 3D input, but received a 4D input')
    check_error(lambda L: L.nn.functional.feature_alpha_dropout(L.ones(3), 0.5, training=True), RuntimeError,
                'Feature dropout requires at least 2 dimensions')
    check_error(lambda L: L.nn.functional.dropout([1.0], 0.5), TypeError, 'dropout')
