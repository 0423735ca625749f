"""pad, interpolate, grid_sample, affine_grid, pixel/channel shuffles and their modules, against torch."""
import numpy as np
import pytest
import torch
import ember
from tests.helpers import check_error

rng = np.random.default_rng(0)


def _compare(name, shape, *a, extra=None, **kw):
    x = rng.standard_normal(shape)
    arrays = [x] + ([extra] if extra is not None else [])
    ts = [torch.tensor(v, requires_grad=True) for v in arrays]
    es = [ember.tensor(v, requires_grad=True) for v in arrays]
    ty, ey = getattr(torch.nn.functional, name)(*ts, *a, **kw), getattr(ember.nn.functional, name)(*es, *a, **kw)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-9)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    for t, e in zip(ts, es):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-9)


PADS = [((2, 3, 4, 5), (1, 2, 3, 0), {}), ((2, 3, 4, 5), (1, -2, 3, 0, 1, 1), dict(value=2.5))]
for _m in ('reflect', 'replicate', 'circular'):
    PADS += [((2, 3, 4, 5), (1, 2, 3, 0), dict(mode=_m)), ((2, 3, 5), (2, 3), dict(mode=_m)),
             ((2, 3, 4, 4, 5), (1, 2, 3, 0, 1, 1), dict(mode=_m)), ((3, 4, 5), (1, 2, 3, 1), dict(mode=_m))]


@pytest.mark.parametrize('shape,p,kw', PADS)
def test_pad(shape, p, kw):
    _compare('pad', shape, p, **kw)


INTERP = []
for _m in ('nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area'):
    INTERP += [((2, 3, 5, 7), dict(size=(8, 4), mode=_m)), ((2, 3, 5, 7), dict(scale_factor=(1.7, 0.6), mode=_m)),
               ((2, 3, 5, 7), dict(scale_factor=2, mode=_m))]
    if _m in ('bilinear', 'bicubic'):
        INTERP += [((2, 3, 5, 7), dict(size=(8, 4), mode=_m, align_corners=True)),
                   ((2, 3, 5, 7), dict(scale_factor=1.5, mode=_m, recompute_scale_factor=True))]
INTERP += [((2, 3, 6), dict(scale_factor=2.5, mode='linear')), ((2, 3, 6), dict(size=4, mode='linear', align_corners=True)),
           ((2, 3, 3, 4, 5), dict(size=(5, 2, 7), mode='trilinear')), ((2, 3, 3, 4, 5), dict(scale_factor=2)),
           ((2, 3, 6), dict(size=9))]


@pytest.mark.parametrize('shape,kw', INTERP)
def test_interpolate(shape, kw):
    _compare('interpolate', shape, **kw)


@pytest.mark.parametrize('mode', ['bilinear', 'nearest'])
@pytest.mark.parametrize('padding_mode', ['zeros', 'border', 'reflection'])
@pytest.mark.parametrize('align_corners', [False, True])
def test_grid_sample(mode, padding_mode, align_corners):
    grid = rng.uniform(-1.3, 1.3, (2, 4, 3, 2))
    _compare('grid_sample', (2, 3, 5, 6), extra=grid, mode=mode, padding_mode=padding_mode,
             align_corners=align_corners)


@pytest.mark.parametrize('align_corners', [False, True])
def test_affine_grid(align_corners):
    for th, size in ((rng.standard_normal((2, 2, 3)), (2, 3, 4, 5)), (rng.standard_normal((2, 3, 4)), (2, 3, 2, 4, 5))):
        tt, et = torch.tensor(th, requires_grad=True), ember.tensor(th, requires_grad=True)
        tg = torch.nn.functional.affine_grid(tt, size, align_corners=align_corners)
        eg = ember.nn.functional.affine_grid(et, size, align_corners=align_corners)
        np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), atol=1e-12)
        tg.sum().backward()
        eg.sum().backward()
        np.testing.assert_allclose(et.grad.numpy(), tt.grad.numpy(), atol=1e-10)


def test_shuffles():
    _compare('pixel_shuffle', (2, 8, 3, 4), 2)
    _compare('pixel_shuffle', (8, 3, 4), 2)
    _compare('pixel_unshuffle', (2, 2, 4, 6), 2)
    _compare('channel_shuffle', (2, 6, 3, 4), 3)


def test_gradcheck():
    F = ember.nn.functional
    x = ember.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    grid = ember.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.pad(x, (1, 2, -1, 1), value=1.5), (x,))
    assert ember.autograd.gradgradcheck(lambda x: F.pad(x, (1, 2, 2, 1), mode='reflect'), (x,))
    assert ember.autograd.gradgradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode='bicubic'), (x,))
    assert ember.autograd.gradcheck(lambda x, g: F.grid_sample(x, g, align_corners=False), (x, grid))


def test_errors():
    x = lambda lib: lib.zeros(1, 2, 4, 4)
    check_error(lambda lib: lib.nn.functional.interpolate(x(lib), size=3, scale_factor=2), ValueError, 'only one')
    check_error(lambda lib: lib.nn.functional.interpolate(x(lib), size=3, mode='nearest', align_corners=True),
                ValueError, 'align_corners')
    check_error(lambda lib: lib.nn.functional.interpolate(x(lib), size=3, mode='linear'), NotImplementedError,
                'linear mode needs 3D')
    check_error(lambda lib: lib.nn.functional.pad(lib.zeros(1, 2, 4), (5, 5), mode='reflect'), RuntimeError,
                'Padding size')
    check_error(lambda lib: lib.nn.functional.pad(x(lib), (1, 2, 3)), RuntimeError, 'divisible by 2')
    check_error(lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(1, 5, 2, 2), 2), RuntimeError, 'divisible')
    check_error(lambda lib: lib.nn.functional.channel_shuffle(lib.zeros(1, 5, 2, 2), 2), RuntimeError, 'divisible')


MODULES = [
    (lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), 2), (lambda nn: nn.ZeroPad1d(2), 1), (lambda nn: nn.ZeroPad3d(1), 3),
    (lambda nn: nn.ConstantPad1d((1, 2), 3.0), 1), (lambda nn: nn.ConstantPad2d(1, -1.0), 2),
    (lambda nn: nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 2.0), 3),
    (lambda nn: nn.ReflectionPad1d(2), 1), (lambda nn: nn.ReflectionPad2d((1, 2, 2, 1)), 2),
    (lambda nn: nn.ReflectionPad3d(1), 3), (lambda nn: nn.ReplicationPad1d(3), 1),
    (lambda nn: nn.ReplicationPad2d(2), 2), (lambda nn: nn.ReplicationPad3d(1), 3),
    (lambda nn: nn.CircularPad1d(2), 1), (lambda nn: nn.CircularPad2d((1, 2, 2, 1)), 2),
    (lambda nn: nn.CircularPad3d(1), 3),
    (lambda nn: nn.PixelShuffle(2), 2), (lambda nn: nn.PixelUnshuffle(2), 2), (lambda nn: nn.ChannelShuffle(2), 2),
    (lambda nn: nn.Upsample(scale_factor=2, mode='bilinear'), 2), (lambda nn: nn.Upsample(size=(3, 5)), 2),
    (lambda nn: nn.UpsamplingNearest2d(scale_factor=2), 2), (lambda nn: nn.UpsamplingBilinear2d(size=7), 2),
]


@pytest.mark.parametrize('make,d', MODULES)
def test_modules(make, d):
    tm, em = make(torch.nn), make(ember.nn)
    assert repr(tm) == repr(em)
    x = rng.standard_normal((2, 4) + (4,) * d)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-10)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-10)
