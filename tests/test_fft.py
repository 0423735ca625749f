"""ember.fft against torch.fft: values, dtypes, gradients (real and complex inputs), norm modes, n/s and dim
handling, frequencies and shifts, errors.

Complex inputs are built inside the program from two real tensors (lib.complex), and complex outputs are
read through lib.view_as_real, so check() compares gradients and runs float64 gradcheck on real tensors
while the transforms themselves see complex data."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

NORMS = [None, 'backward', 'ortho', 'forward']


def as_real(L, y):
    """A complex result as (re, im) pairs (torch marks some results conjugated: resolve that first)."""
    return L.view_as_real(y.resolve_conj()) if y.is_complex() else y


def c2c(name, **kw):
    return lambda L, a, b: as_real(L, getattr(L.fft, name)(L.complex(a, b), **kw))


def real_in(name, **kw):
    return lambda L, x: as_real(L, getattr(L.fft, name)(x, **kw))


# --- one-dimensional transforms ---------------------------------------------------------------------
@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('name', ['fft', 'ifft'])
@pytest.mark.parametrize('n', [None, 3, 7])
def test_fft_ifft_complex(name, n, norm):
    check(c2c(name, n=n, norm=norm), (2, 5), (2, 5), atol=1e-4, gradgrad=n == 7 and norm == 'ortho')


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('name', ['fft', 'ifft'])
def test_fft_ifft_real_input(name, norm):
    check(real_in(name, n=6, dim=0, norm=norm), (4, 3), atol=1e-4, gradgrad=norm is None)


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('n', [None, 4, 5, 9, 2])
def test_rfft(n, norm):
    check(real_in('rfft', n=n, norm=norm), (3, 6), atol=1e-4, gradgrad=n == 5 and norm is None)


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('n', [None, 4, 5, 9, 2])
def test_irfft(n, norm):
    check(c2c('irfft', n=n, norm=norm), (3, 4), (3, 4), atol=1e-4, gradgrad=n == 5 and norm == 'forward')


@pytest.mark.parametrize('norm', NORMS)
@pytest.mark.parametrize('n', [None, 5, 8])
def test_hfft_ihfft(n, norm):
    check(c2c('hfft', n=n, norm=norm), (2, 4), (2, 4), atol=1e-4, gradgrad=n == 5 and norm is None)
    check(real_in('ihfft', n=n, norm=norm), (2, 6), atol=1e-4, gradgrad=n == 5 and norm is None)


def test_irfft_and_hfft_of_real_input():
    # a real input is a spectrum with zero imaginary parts
    check(real_in('irfft', n=6), (2, 4), atol=1e-4)
    check(real_in('hfft'), (2, 4), atol=1e-4)


@pytest.mark.parametrize('dim', [0, 1, -2])
def test_batched_dims(dim):
    check(c2c('fft', dim=dim), (3, 4, 2), (3, 4, 2), atol=1e-4, gradcheck=False)
    check(real_in('rfft', dim=dim), (3, 4, 2), atol=1e-4, gradcheck=False)
    check(c2c('irfft', dim=dim, n=5), (3, 4, 2), (3, 4, 2), atol=1e-4, gradcheck=False)


def test_noncontiguous_input():
    check(real_in('rfft', dim=0), (5, 3), noncontig=True, atol=1e-4)
    check(c2c('fft', dim=0), (5, 3), (5, 3), noncontig=True, atol=1e-4, gradcheck=False)


# --- two- and n-dimensional transforms --------------------------------------------------------------
ND_C2C = [('fft2', {}), ('ifft2', {'s': (3, 4)}), ('fftn', {}), ('fftn', {'s': (4, -1), 'dim': (0, 2)}),
          ('ifftn', {'dim': (-1, 0)}), ('fftn', {'s': (2,)}), ('fft2', {'dim': (0, 2), 's': (1, 6)})]


@pytest.mark.parametrize('norm', [None, 'ortho', 'forward'])
@pytest.mark.parametrize('name,kw', ND_C2C)
def test_nd_complex(name, kw, norm):
    check(c2c(name, norm=norm, **kw), (2, 3, 5), (2, 3, 5), atol=1e-4,
          gradgrad=name == 'fftn' and 's' in kw and len(kw['s']) == 2 and norm == 'ortho')


@pytest.mark.parametrize('norm', [None, 'ortho', 'forward'])
@pytest.mark.parametrize('name,kw', [('rfft2', {}), ('rfftn', {}), ('rfftn', {'s': (4, 5), 'dim': (2, 0)}),
                                     ('ihfft2', {}), ('ihfftn', {'s': (3, 3)}), ('fft2', {})])
def test_nd_real_input(name, kw, norm):
    check(real_in(name, norm=norm, **kw), (2, 3, 6), atol=1e-4,
          gradgrad=name == 'rfftn' and 's' in kw and norm == 'forward')


@pytest.mark.parametrize('norm', [None, 'ortho', 'forward'])
@pytest.mark.parametrize('name,kw', [('irfft2', {}), ('irfftn', {}), ('irfftn', {'s': (5, 3, 7)}),
                                     ('irfftn', {'s': (4, 6), 'dim': (2, 0)}), ('irfftn', {'s': (3, -1)}),
                                     ('hfft2', {}), ('hfftn', {'s': (3, 5)})])
def test_nd_complex_to_real(name, kw, norm):
    check(c2c(name, norm=norm, **kw), (2, 3, 4), (2, 3, 4), atol=1e-4,
          gradgrad=name == 'irfftn' and kw.get('s') == (5, 3, 7) and norm is None)


def test_zero_dims_and_dim_default_for_0d():
    check(real_in('fftn', dim=()), (2, 3))
    check(real_in('fftn'), ())
    check(c2c('fftn', dim=()), (2, 3), (2, 3))


def test_roundtrips():
    x = ember.randn(3, 8, dtype=ember.float64)
    assert_same(torch.from_numpy(x.numpy()), ember.fft.irfft(ember.fft.rfft(x), n=8), atol=1e-12)
    z = ember.complex(ember.randn(4, 6, dtype=ember.float64), ember.randn(4, 6, dtype=ember.float64))
    for norm in NORMS:
        back = ember.fft.ifftn(ember.fft.fftn(z, norm=norm), norm=norm)
        np.testing.assert_allclose(back.numpy(), z.numpy(), atol=1e-12)
    assert_same(torch.from_numpy(x.numpy()), ember.fft.hfft(ember.fft.ihfft(x), n=8), atol=1e-12)


# --- dtypes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'bool'])
def test_dtypes(dtype):
    a = np.random.default_rng(0).integers(0, 3, (3, 4)).astype(dtype)
    for name in ['fft', 'ifft', 'rfft', 'ihfft', 'fft2', 'rfftn', 'irfft', 'hfft', 'irfft2']:
        want = getattr(torch.fft, name)(torch.from_numpy(a)).resolve_conj()
        got = getattr(ember.fft, name)(ember.from_numpy(a))
        assert_same(want, got, atol=1e-5)
    for cdtype in ['complex64', 'complex128']:
        c = (a + 1j).astype(cdtype)
        for name in ['fft', 'irfft', 'hfft', 'ifftn']:
            assert_same(getattr(torch.fft, name)(torch.from_numpy(c)), getattr(ember.fft, name)(ember.from_numpy(c)),
                        atol=1e-5)


def test_complex_leaf_gradients():
    """Complex leaf tensors: torch's gradient is the conjugate Wirtinger derivative (for |fft(z)|^2 summed,
    2 * N * z with the unnormalized transform)."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    for fn in [lambda L, t: (L.fft.fft(t).abs() ** 2).sum(),
               lambda L, t: L.fft.irfft(t, n=7).pow(3).sum(),
               lambda L, t: (L.fft.ifft2(t, s=(4, 4), norm='ortho') * (1 + 2j)).real.sum(),
               lambda L, t: L.fft.hfft(t, n=8, norm='forward').sin().sum()]:
        grads = []
        for L in (torch, ember):
            t = L.tensor(z.copy(), requires_grad=True)
            fn(L, t).backward()
            grads.append(t.grad.resolve_conj())
        assert_same(grads[0], grads[1], atol=1e-9, rtol=1e-7)
    t = ember.tensor(z.copy(), requires_grad=True)
    (ember.fft.fft(t).abs() ** 2).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), 2 * 5 * z, rtol=1e-10)


def test_power_spectrum_double_backward():
    # |rfft(x)|^2: the complex abs and the transform, twice differentiated
    check(lambda L, x: L.fft.rfft(x, norm='ortho').abs() ** 2, (2, 6), gradgrad=True, atol=1e-4)


def test_out_argument():
    x = ember.randn(2, 4)
    out = ember.empty(2, 4, dtype=ember.complex64)
    r = ember.fft.fft(x, out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), np.fft.fft(x.numpy()), rtol=1e-5, atol=1e-5)


def test_grad_fn_and_no_grad():
    x = ember.randn(4, requires_grad=True)
    assert ember.fft.fft(x).grad_fn is not None
    with ember.no_grad():
        assert ember.fft.rfft(x).grad_fn is None


# --- frequencies and shifts --------------------------------------------------------------------------
@pytest.mark.parametrize('n', [0, 1, 4, 5])
def test_fftfreq(n):
    for d in (1.0, 0.3, 2):
        assert_same(torch.fft.fftfreq(n, d), ember.fft.fftfreq(n, d), atol=0, rtol=0)
        assert_same(torch.fft.rfftfreq(n, d), ember.fft.rfftfreq(n, d), atol=0, rtol=0)
    assert_same(torch.fft.fftfreq(n, dtype=torch.float64), ember.fft.fftfreq(n, dtype=ember.float64), atol=0,
                rtol=0)
    assert_same(torch.fft.rfftfreq(n, 0.5, dtype=torch.float64), ember.fft.rfftfreq(n, 0.5, dtype=ember.float64),
                atol=0, rtol=0)
    assert ember.fft.fftfreq(n, requires_grad=True).requires_grad
    assert_same(torch.fft.fftfreq(n, torch.tensor(2.0)), ember.fft.fftfreq(n, ember.tensor(2.0)), atol=0, rtol=0)


@pytest.mark.parametrize('name', ['fftshift', 'ifftshift'])
@pytest.mark.parametrize('dim', [None, 0, -1, (0, 1), (1, 1)])
def test_shifts(name, dim):
    check(lambda L, x: getattr(L.fft, name)(x, dim=dim), (4, 5), gradgrad=dim is None)
    check(lambda L, x: getattr(L.fft, name)(x), (5,))
    ints = np.arange(12).reshape(3, 4)
    assert_same(getattr(torch.fft, name)(torch.from_numpy(ints), dim),
                getattr(ember.fft, name)(ember.from_numpy(ints), dim))


def test_shift_inverts_and_centres_frequencies():
    for n in (4, 5):
        f = ember.fft.fftfreq(n)
        assert_same(torch.fft.fftshift(torch.fft.fftfreq(n)), ember.fft.fftshift(f))
        np.testing.assert_array_equal(ember.fft.ifftshift(ember.fft.fftshift(f)).numpy(), f.numpy())


# --- errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('call,exc,match', [
    (lambda L: L.fft.fft(L.tensor(1.0)), IndexError, 'no dimensions'),
    (lambda L: L.fft.fft(L.zeros(0)), RuntimeError, r'Invalid number of data points \(0\)'),
    (lambda L: L.fft.fft(L.zeros(0, 3), dim=0), RuntimeError, 'Invalid number of data points'),
    (lambda L: L.fft.fft(L.zeros(0, 3)), RuntimeError, 'fft'),
    (lambda L: L.fft.rfft(L.zeros(0, 3)), RuntimeError, 'rfft'),
    (lambda L: L.fft.fft(L.zeros(4, 6), n=0), RuntimeError, r'Invalid number of data points \(0\)'),
    (lambda L: L.fft.fft(L.zeros(4, 6), n=-1), RuntimeError, r'Invalid number of data points \(-1\)'),
    (lambda L: L.fft.fft(L.zeros(4, 6), dim=2), IndexError, 'Dimension out of range'),
    (lambda L: L.fft.fft(L.zeros(4, 6), dim=-3), IndexError, 'Dimension out of range'),
    (lambda L: L.fft.fft(L.zeros(4, 6), norm='bad'), RuntimeError, 'Invalid normalization mode: "bad"'),
    (lambda L: L.fft.rfft(L.zeros(4, 6), norm='Ortho'), RuntimeError, 'Invalid normalization mode'),
    (lambda L: L.fft.rfft(L.zeros(4, 6, dtype=L.complex64)), RuntimeError, 'rfft expects a real input tensor'),
    (lambda L: L.fft.ihfft(L.zeros(4, 6, dtype=L.complex64)), RuntimeError, 'ihfft expects a real input'),
    (lambda L: L.fft.irfft(L.zeros(1, dtype=L.complex64)), RuntimeError, r'Invalid number of data points \(0\)'),
    (lambda L: L.fft.fft(L.zeros(4).half()), RuntimeError, 'Unsupported dtype Half'),
    (lambda L: L.fft.fft2(L.zeros(4)), IndexError, 'Dimension out of range'),
    (lambda L: L.fft.fftn(L.zeros(4, 6), s=(3,), dim=(0, 1)), RuntimeError, 'same length'),
    (lambda L: L.fft.fftn(L.zeros(4, 6), dim=(0, 0)), RuntimeError, 'FFT dims must be unique'),
    (lambda L: L.fft.fftn(L.zeros(4, 6), s=(3, 0)), RuntimeError, 'Invalid number of data points'),
    (lambda L: L.fft.fftn(L.zeros(4, 6), s=(2, 3, 4)), RuntimeError, 'Got shape with 3 values'),
    (lambda L: L.fft.rfftn(L.zeros(4, 6), dim=()), RuntimeError, 'rfftn must transform at least one axis'),
    (lambda L: L.fft.irfftn(L.tensor(1.0)), RuntimeError, 'irfftn must transform at least one axis'),
    (lambda L: L.fft.fft('a'), TypeError, "must be Tensor"),
    (lambda L: L.fft.fft(L.zeros(4), n=2.0), TypeError, "'n' must be int"),
    (lambda L: L.fft.fft(L.zeros(4), dim=(0,)), TypeError, "'dim' must be int"),
    (lambda L: L.fft.fftfreq(-1), RuntimeError, 'negative dimension'),
    (lambda L: L.fft.fftfreq(4.0), TypeError, 'must be int'),
    (lambda L: L.fft.fftfreq(4, dtype=L.int64), RuntimeError, 'floating point or complex dtype'),
    (lambda L: L.fft.fftshift(L.tensor(1.0)), RuntimeError, '`shifts` required'),
    (lambda L: L.fft.fftshift(L.zeros(4, 6), dim=5), IndexError, 'Dimension out of range'),
])
def test_errors(call, exc, match):
    check_error(call, exc, match)


def test_fft_of_empty_signal_with_n_pads():
    assert_same(torch.fft.fft(torch.zeros(0), n=4), ember.fft.fft(ember.zeros(0), n=4))
    assert_same(torch.fft.fft(torch.zeros(0, 3), n=2, dim=0), ember.fft.fft(ember.zeros(0, 3), n=2, dim=0))
    assert_same(torch.fft.fftn(torch.zeros(0, 3), dim=()), ember.fft.fftn(ember.zeros(0, 3), dim=()))
