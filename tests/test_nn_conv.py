"""Convolutions, transposed convolutions, unfold/fold and the Conv modules, against torch."""
import numpy as np
import pytest
import torch
import ember
from tests.helpers import check, check_error

rng = np.random.default_rng(0)


def _compare(tf, ef, arrays, atol=1e-9):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    ty, ey = tf(*ts), ef(*es)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=atol)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    for t, e in zip(ts, es):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=atol)


CONV = [
    (2, 2, 3, (7, 8), 4, (3, 3), dict()),
    (2, 1, 1, (9, 9), 5, (5, 5), dict(stride=2, padding=2)),
    (2, 2, 4, (7, 8), 6, (3, 2), dict(groups=2, stride=(2, 1), padding=(1, 2), dilation=(2, 1))),
    (2, 2, 4, (6, 6), 4, (4, 4), dict(padding='same')),
    (2, 2, 6, (6, 7), 6, (3, 3), dict(groups=6, padding='valid')),       # depthwise
    (2, 2, 8, (5, 5), 4, (1, 1), dict()),
    (1, 2, 4, (9,), 4, (3,), dict(groups=4, stride=2)),
    (1, 3, 2, (10,), 3, (4,), dict(padding='same', dilation=2)),
    (3, 2, 2, (5, 4, 6), 3, (2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
    (3, 1, 4, (4, 6, 4), 4, (3, 3, 3), dict(groups=2, dilation=(1, 2, 1))),
]


@pytest.mark.parametrize('d,N,C,S,O,K,kw', CONV)
def test_conv_vs_torch(d, N, C, S, O, K, kw):
    g = kw.get('groups', 1)
    x, w, b = rng.standard_normal((N, C) + S), rng.standard_normal((O, C // g) + K), rng.standard_normal(O)
    name = f'conv{d}d'
    _compare(lambda x, w, b: getattr(torch.nn.functional, name)(x, w, b, **kw),
             lambda x, w, b: getattr(ember.nn.functional, name)(x, w, b, **kw), [x, w, b])


def test_conv_float32_unbatched_no_bias():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), (3, 6, 5), (4, 3, 3, 3), gradcheck=False)


TRANSPOSED = [
    (2, (5, 6), (3, 3), 6, dict(stride=2, padding=1, output_padding=1)),
    (2, (4, 5), (2, 3), 6, dict(groups=2, dilation=2, padding=(1, 0))),
    (2, (4, 4), (3, 3), 2, dict()),
    (1, (5,), (3,), 6, dict(stride=3, padding=1, output_padding=2)),
    (3, (3, 3, 2), (2, 2, 2), 6, dict(stride=2)),
]


@pytest.mark.parametrize('d,S,K,Co,kw', TRANSPOSED)
def test_conv_transpose_vs_torch(d, S, K, Co, kw):
    g = kw.get('groups', 1)
    for C in (4, 2):
        x, w, b = rng.standard_normal((2, C) + S), rng.standard_normal((C, Co // g) + K), rng.standard_normal(Co)
        name = f'conv_transpose{d}d'
        _compare(lambda x, w, b: getattr(torch.nn.functional, name)(x, w, b, **kw),
                 lambda x, w, b: getattr(ember.nn.functional, name)(x, w, b, **kw), [x, w, b])


def test_unfold_fold():
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    x = rng.standard_normal((2, 3, 6, 7))
    _compare(lambda x: torch.nn.functional.unfold(x, **kw), lambda x: ember.nn.functional.unfold(x, **kw), [x])
    cols = torch.nn.functional.unfold(torch.tensor(x), **kw).numpy()
    _compare(lambda c: torch.nn.functional.fold(c, (6, 7), **kw), lambda c: ember.nn.functional.fold(c, (6, 7), **kw),
             [cols])


def test_gradcheck_and_double_backward():
    F = ember.nn.functional
    x = ember.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(3), requires_grad=True)
    wt = ember.tensor(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    x4 = ember.tensor(rng.standard_normal((1, 4, 4, 4)), requires_grad=True)
    wg = ember.tensor(rng.standard_normal((4, 2, 2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (x, w, b))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1), (x, w))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, groups=2, padding=1), (x4, wg))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1), (x, wt))
    assert ember.autograd.gradgradcheck(lambda x: F.unfold(x, 2, padding=1, stride=2), (x,))
    x1 = ember.tensor(rng.standard_normal((1, 2, 5)), requires_grad=True)
    w1 = ember.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x, w: F.conv1d(x, w, padding=1), (x1, w1))


def test_errors():
    x = lambda lib: lib.zeros(2, 5, 8, 8)
    check_error(lambda lib: lib.nn.functional.conv2d(lib.zeros(2, 3), lib.zeros(4, 3, 3, 3)), RuntimeError,
                'Expected 3D')
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(4, 3, 3, 3)), RuntimeError, '5 channels')
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(4, 5, 9, 9)), RuntimeError,
                "Kernel size can't be greater")
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(3, 5, 3, 3), groups=2), RuntimeError,
                'divisible by 2')
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(4, 5, 3, 3), stride=2, padding='same'),
                RuntimeError, 'strided')
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(4, 5, 3, 3, dtype=lib.float64)),
                RuntimeError, 'scalar type')
    check_error(lambda lib: lib.nn.functional.conv2d(x(lib), lib.zeros(4, 5, 3, 3), lib.zeros(4, dtype=lib.float64)),
                RuntimeError, 'bias type')
    check_error(lambda lib: lib.nn.functional.conv_transpose2d(x(lib), lib.zeros(5, 2, 3, 3), stride=2,
                                                               output_padding=2), RuntimeError, 'output padding')
    check_error(lambda lib: lib.nn.Conv2d(4, 6, 3, groups=3), ValueError, 'divisible')
    check_error(lambda lib: lib.nn.Conv2d(4, 6, 3, padding_mode='foo'), ValueError, 'padding_mode')


def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize('make,shape', [
    (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 6)),
    (lambda nn: nn.Conv2d(4, 4, 3, padding='same', groups=2, padding_mode='reflect', bias=False), (2, 4, 6, 5)),
    (lambda nn: nn.Conv2d(2, 4, (2, 3), padding=(1, 2), padding_mode='circular'), (2, 2, 5, 6)),
    (lambda nn: nn.Conv1d(2, 4, 3, padding=2, padding_mode='replicate', dilation=2), (2, 2, 9)),
    (lambda nn: nn.Conv3d(2, 2, 2, padding=1), (1, 2, 3, 4, 3)),
    (lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), (2, 4, 3, 4)),
    (lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=2, groups=2), (2, 4, 5)),
    (lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 3, 2)),
])
def test_modules_vs_torch(make, shape):
    torch.manual_seed(0)
    tm, em = make(torch.nn), make(ember.nn)
    assert repr(tm) == repr(em)
    assert {k: tuple(v.shape) for k, v in tm.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in em.state_dict().items()}
    _copy(tm, em)
    x = rng.standard_normal(shape).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-5)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-4)
    for (n, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), atol=1e-4, err_msg=n)


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    tm, em = torch.nn.ConvTranspose2d(3, 2, 3, stride=2), ember.nn.ConvTranspose2d(3, 2, 3, stride=2)
    _copy(tm, em)
    x = rng.standard_normal((1, 3, 4, 4)).astype(np.float32)
    ty, ey = tm(torch.tensor(x), output_size=[10, 9]), em(ember.tensor(x), output_size=[10, 9])
    assert tuple(ey.shape) == tuple(ty.shape) == (1, 2, 10, 9)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-5)
    check_error(lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.zeros(1, 3, 4, 4), output_size=[12, 9]),
                ValueError, 'requested an output size')


def test_default_init_statistics():
    ember.manual_seed(0)
    m = ember.nn.Conv2d(16, 32, 3)
    bound = 1 / np.sqrt(16 * 9)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert np.abs(b).max() <= bound


def test_lazy_conv():
    m = ember.nn.LazyConv2d(8, 3)
    y = m(ember.randn(2, 5, 6, 6))
    assert type(m) is ember.nn.Conv2d and tuple(m.weight.shape) == (8, 5, 3, 3) and tuple(y.shape) == (2, 8, 4, 4)
