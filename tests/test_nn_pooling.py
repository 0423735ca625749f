"""Pooling functionals and modules against torch: values, indices, gradients, errors."""
import numpy as np
import pytest
import torch
import ember
from tests.helpers import check_error

rng = np.random.default_rng(0)


def _compare(name, shape, *a, **kw):
    x = rng.standard_normal(shape)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = getattr(torch.nn.functional, name)(tx, *a, **kw), getattr(ember.nn.functional, name)(ex, *a, **kw)
    if isinstance(ty, tuple):
        np.testing.assert_array_equal(ey[1].numpy(), ty[1].numpy())
        assert ey[1].dtype == ember.int64
        ty, ey = ty[0], ey[0]
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-10)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-10)


CASES = [
    ('max_pool2d', (2, 3, 8, 8), (2,), {}),
    ('max_pool2d', (2, 3, 9, 7), (3,), dict(stride=2, padding=1, ceil_mode=True, return_indices=True)),
    ('max_pool2d', (2, 3, 9, 7), ((3, 2),), dict(stride=(2, 1), padding=(1, 1), dilation=(2, 1), return_indices=True)),
    ('max_pool2d', (3, 9, 7), (3,), dict(stride=1)),
    ('max_pool1d', (2, 3, 9), (3,), dict(stride=2, padding=1, ceil_mode=True, return_indices=True)),
    ('max_pool3d', (2, 2, 5, 6, 4), (2,), dict(stride=(1, 2, 2), return_indices=True)),
    ('avg_pool2d', (2, 3, 9, 7), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ('avg_pool2d', (2, 3, 9, 7), (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ('avg_pool2d', (2, 3, 9, 7), ((3, 2),), dict(stride=2, padding=1, divisor_override=5)),
    ('avg_pool1d', (2, 3, 10), (4,), dict(stride=3, padding=2, ceil_mode=True)),
    ('avg_pool3d', (2, 2, 5, 6, 4), (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ('adaptive_avg_pool2d', (2, 3, 9, 7), ((4, 3),), {}),
    ('adaptive_avg_pool2d', (2, 3, 8, 6), ((4, 3),), {}),
    ('adaptive_avg_pool2d', (3, 8, 6), ((None, 4),), {}),
    ('adaptive_avg_pool1d', (2, 3, 10), (3,), {}),
    ('adaptive_avg_pool3d', (2, 2, 5, 6, 4), ((2, 3, 3),), {}),
    ('adaptive_max_pool2d', (2, 3, 9, 7), ((4, 3),), dict(return_indices=True)),
    ('adaptive_max_pool1d', (2, 3, 10), (3,), dict(return_indices=True)),
    ('adaptive_max_pool3d', (2, 2, 5, 6, 4), ((2, 3, 3),), dict(return_indices=True)),
    ('lp_pool2d', (2, 3, 9, 7), (2, 3), dict(stride=2)),
    ('lp_pool1d', (2, 3, 9), (3, 3), {}),
]


@pytest.mark.parametrize('name,shape,args,kw', CASES)
def test_pool_vs_torch(name, shape, args, kw):
    _compare(name, shape, *args, **kw)


def test_max_pool_ties_and_nan():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 3, 2] = np.nan
    x[0, 0, 3, 3] = np.nan
    for arr in (np.zeros((1, 1, 4, 4)), x):
        tx, ex = torch.tensor(arr, requires_grad=True), ember.tensor(arr, requires_grad=True)
        (to, ti), (eo, ei) = [lib.nn.functional.max_pool2d(t, 2, return_indices=True) for lib, t in
                              ((torch, tx), (ember, ex))]
        np.testing.assert_array_equal(ei.numpy(), ti.numpy())
        np.testing.assert_array_equal(eo.detach().numpy(), to.detach().numpy())
        to.sum().backward()
        eo.sum().backward()
        np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


def test_float32_and_int():
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    for fn in (lambda F, t: F.max_pool2d(t, 2), lambda F, t: F.avg_pool2d(t, 3, 1, 1)):
        np.testing.assert_allclose(fn(ember.nn.functional, ember.tensor(x)).numpy(),
                                   fn(torch.nn.functional, torch.tensor(x)).numpy(), atol=1e-6)
    xi = rng.integers(-9, 9, (1, 2, 5, 5))
    for fn in (lambda F, t: F.max_pool2d(t, 2), lambda F, t: F.avg_pool2d(t, 2)):
        t, e = fn(torch.nn.functional, torch.tensor(xi)), fn(ember.nn.functional, ember.tensor(xi))
        assert e.dtype == ember.int64
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_gradcheck_gradgradcheck():
    F = ember.nn.functional
    x = ember.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    for f in (lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: F.max_pool2d(x, 2, 1),
              lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), lambda x: F.adaptive_max_pool2d(x, 3),
              lambda x: F.adaptive_avg_pool2d(x, 3), lambda x: F.lp_pool2d(x.abs() + 1, 2, 2)):
        assert ember.autograd.gradcheck(f, (x,))
        assert ember.autograd.gradgradcheck(f, (x,))


def test_max_unpool():
    x = rng.standard_normal((2, 3, 8, 8))
    for kw in (dict(), dict(output_size=(9, 9))):
        to, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
        eo, ei = ember.nn.functional.max_pool2d(ember.tensor(x), 2, return_indices=True)
        to.requires_grad_()
        eo.requires_grad_()
        tu, eu = torch.nn.functional.max_unpool2d(to, ti, 2, **kw), ember.nn.functional.max_unpool2d(eo, ei, 2, **kw)
        np.testing.assert_allclose(eu.detach().numpy(), tu.detach().numpy())
        g = rng.standard_normal(tuple(tu.shape))
        tu.backward(torch.tensor(g))
        eu.backward(ember.tensor(g))
        np.testing.assert_allclose(eo.grad.numpy(), to.grad.numpy())
    to, ti = torch.nn.functional.max_pool1d(torch.tensor(x[0]), 2, return_indices=True)
    eo, ei = ember.nn.functional.max_pool1d(ember.tensor(x[0]), 2, return_indices=True)
    np.testing.assert_allclose(ember.nn.MaxUnpool1d(2)(eo, ei).numpy(), torch.nn.MaxUnpool1d(2)(to, ti).numpy())


def test_errors():
    x = lambda lib: lib.zeros(2, 3, 8, 8)
    check_error(lambda lib: lib.nn.functional.max_pool2d(x(lib), 3, padding=2), RuntimeError, 'at most half')
    check_error(lambda lib: lib.nn.functional.avg_pool2d(x(lib), 10), RuntimeError, 'too small')
    check_error(lambda lib: lib.nn.functional.max_pool2d(lib.zeros(8, 8), 2), RuntimeError, '3D or 4D')
    check_error(lambda lib: lib.nn.functional.max_pool2d(x(lib), 2, stride=0), RuntimeError, 'stride')
    check_error(lambda lib: lib.nn.functional.avg_pool2d(x(lib), 2, divisor_override=0), RuntimeError, 'divisor')
    check_error(lambda lib: lib.nn.functional.adaptive_avg_pool2d(lib.zeros(8), 2), RuntimeError, 'Expected 3D or 4D')
    check_error(lambda lib: lib.nn.functional.max_pool2d(x(lib), 2, dilation=0), RuntimeError, 'dilation')


MODULES = [
    lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True),
    lambda nn: nn.MaxPool1d(2),
    lambda nn: nn.MaxPool3d(2, 1),
    lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
    lambda nn: nn.AvgPool1d(3),
    lambda nn: nn.AvgPool3d(2),
    lambda nn: nn.AdaptiveAvgPool2d((3, None)),
    lambda nn: nn.AdaptiveAvgPool1d(3),
    lambda nn: nn.AdaptiveAvgPool3d(2),
    lambda nn: nn.AdaptiveMaxPool2d(3),
    lambda nn: nn.AdaptiveMaxPool1d(3),
    lambda nn: nn.LPPool2d(2, 2),
    lambda nn: nn.LPPool1d(3, 2),
]


@pytest.mark.parametrize('make', MODULES)
def test_modules(make):
    tm, em = make(torch.nn), make(ember.nn)
    assert repr(tm) == repr(em)
    d = 3 if '3d' in repr(tm).split('(')[0].lower() else 1 if '1d' in repr(tm).split('(')[0].lower() else 2
    x = rng.standard_normal((2, 3) + (6,) * d)
    if 'LP' in repr(tm):
        x = np.abs(x) + 0.5
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-10)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-10)
