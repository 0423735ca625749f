"""Complex tensors from real ones and back (view_as_real, view_as_complex, complex, polar) against torch:
values, dtypes, shared memory, in-place changes through the views, gradients (torch's convention: the
gradient with respect to z = x + iy is dL/dx + i dL/dy), double backward, errors."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same


def complex_pair(seed=0, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def check_complex_leaf(fn, z, atol=1e-10):
    """fn(lib, complex leaf) -> real scalar, in torch and ember: same value, same gradient of the leaf."""
    out = []
    for L in (torch, ember):
        t = L.tensor(z.copy(), requires_grad=True)
        y = fn(L, t)
        y.backward()
        out.append((y.detach(), t.grad.resolve_conj()))
    assert_same(out[0][0], out[1][0], atol=atol, rtol=1e-7)
    assert_same(out[0][1], out[1][1], atol=atol, rtol=1e-7, what='grad')
    return out[1][1]


# --- complex and polar -------------------------------------------------------------------------------
@pytest.mark.parametrize('shapes', [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2,))])
def test_complex(shapes):
    check(lambda L, a, b: L.view_as_real(L.complex(a, b)), *shapes, gradgrad=shapes[0] == (3, 1))
    check(lambda L, a, b: L.complex(a, b), *shapes, grad=False)
    check(lambda L, a, b: L.complex(a, b).abs(), *shapes, gradgrad=shapes[0] == (3, 4))


@pytest.mark.parametrize('shapes', [((3, 4), (3, 4)), ((2, 1, 3), (4, 1)), ((), ())])
def test_polar(shapes):
    check(lambda L, r, t: L.view_as_real(L.polar(r, t)), *shapes, low=0.1, gradgrad=shapes[0] == (3, 4))
    check(lambda L, r, t: L.polar(r, t).angle(), *shapes, low=0.1, high=1.5)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_complex_polar_dtypes(dtype):
    check(lambda L, a, b: L.complex(a, b), (2, 3), (2, 3), dtype=dtype, grad=False)
    check(lambda L, a, b: L.polar(a, b), (2, 3), (2, 3), dtype=dtype, grad=False)


def test_polar_agrees_with_abs_and_angle():
    z = ember.tensor(complex_pair(1))
    np.testing.assert_allclose(ember.polar(z.abs(), z.angle()).numpy(), z.numpy(), atol=1e-12)


# --- view_as_real / view_as_complex: values and memory --------------------------------------------
@pytest.mark.parametrize('shape', [(3, 4), (), (0, 2), (5,)])
def test_view_as_real_values(shape):
    rng = np.random.default_rng(0)
    for dt in (np.complex64, np.complex128):
        z = np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape), dtype=dt)
        assert_same(torch.view_as_real(torch.from_numpy(z)), ember.view_as_real(ember.from_numpy(z)))


def test_view_as_real_shares_memory():
    z = ember.tensor([1 + 2j, 3 - 4j])
    r = ember.view_as_real(z)
    assert r._base is z and r.data_ptr() == z.data_ptr()
    r[0, 1] = 7.0
    assert z[0].item() == 1 + 7j
    z.mul_(2)
    assert r.tolist() == [[2.0, 14.0], [6.0, -8.0]]
    t = ember.tensor(complex_pair(2)).t()   # non-contiguous complex tensors have real views too
    want = torch.view_as_real(torch.tensor(complex_pair(2)).t())
    got = ember.view_as_real(t)
    assert_same(want, got)
    assert got.stride() == want.stride()


def test_view_as_complex_values_and_memory():
    x = ember.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 2, 2))
    c = ember.view_as_complex(x)
    assert_same(torch.view_as_complex(torch.arange(12.0).reshape(3, 2, 2)), c)
    assert c._base is x and c.data_ptr() == x.data_ptr()
    c[1, 0] = 100 + 200j
    assert x[1, 0].tolist() == [100.0, 200.0]
    # round trip is the same memory
    assert ember.view_as_real(c).data_ptr() == x.data_ptr()
    # strided but allowed layouts
    for make in (lambda L: L.arange(16.0).reshape(4, 4)[:, :2], lambda L: L.arange(8.0).reshape(4, 2)[::3],
                 lambda L: L.arange(2.0, dtype=L.float64)):
        assert_same(torch.view_as_complex(make(torch)), ember.view_as_complex(make(ember)))


# --- gradients -------------------------------------------------------------------------------------
def test_view_grads():
    check(lambda L, x: L.view_as_complex(x).abs(), (3, 2), gradgrad=True)
    check(lambda L, x: L.view_as_real(L.view_as_complex(x) * (1 - 2j)) ** 2, (4, 2), gradgrad=True)
    check(lambda L, x: L.view_as_real(L.view_as_complex(x.transpose(0, 1).contiguous()) ** 2), (2, 3))


def test_complex_leaf_gradients_follow_torch():
    z = complex_pair(3)
    g = check_complex_leaf(lambda L, t: (t.abs() ** 2).sum(), z)
    np.testing.assert_allclose(g.numpy(), 2 * z)   # d|z|^2: torch's convention gives 2z
    check_complex_leaf(lambda L, t: (L.view_as_real(t) ** 3).sum(), z)
    check_complex_leaf(lambda L, t: (L.view_as_real(t * t)[..., 1] * L.arange(4.0, dtype=L.float64)).sum(), z)
    check_complex_leaf(lambda L, t: L.view_as_complex(L.view_as_real(t) * 2).angle().sum(), z)
    check_complex_leaf(lambda L, t: L.polar(t.abs(), t.angle() * 2).real.sum(), z)
    check_complex_leaf(lambda L, t: L.complex(t.real ** 2, t.imag * t.real).imag.sum(), z)


# --- in-place changes through the views ----------------------------------------------------------------
def _inplace_program(L):
    a = L.tensor([[1., 2.], [3., 4.], [5., 6.]], dtype=L.float64, requires_grad=True)
    b = L.tensor([[.5, -1.], [2., 1.], [0., 3.]], dtype=L.float64, requires_grad=True)
    z = L.complex(a, b)
    w = L.view_as_real(z)
    w[..., 1].mul_(3)   # only the imaginary parts change: the real parts keep their gradient path
    w[0].add_(a[0, :1])
    loss = (z * z).real.sum() + (w ** 3).sum()
    return loss, (a, b), z


def test_inplace_through_view_as_real():
    lt, (at, bt), zt = _inplace_program(torch)
    le, (ae, be), ze = _inplace_program(ember)
    assert_same(zt.detach(), ze.detach())
    assert ze.grad_fn.name() == zt.grad_fn.name()
    lt.backward()
    le.backward()
    assert_same(at.grad, ae.grad, atol=1e-10)
    assert_same(bt.grad, be.grad, atol=1e-10)


def test_inplace_through_view_as_complex():
    def prog(L):
        x = L.tensor([[1., 2.], [3., 4.], [5., 6.]], dtype=L.float64, requires_grad=True)
        y = x * 1
        c = L.view_as_complex(y)
        c.mul_(1 + 2j)
        c[1:].mul_(2j)
        r = L.view_as_real(c)
        r[:, 0].mul_(5)   # a real-part-only write through view_as_real of view_as_complex
        (y ** 2 * L.arange(6.0, dtype=L.float64).reshape(3, 2)).sum().backward()
        return y.detach(), x.grad
    assert_same(prog(torch), prog(ember), atol=1e-10)


def test_inplace_view_double_backward():
    def prog(L):
        a = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        z = L.complex(a, a * 2)
        L.view_as_real(z)[:, 0].mul_(a)
        g, = L.autograd.grad((z.abs() ** 2).sum(), a, create_graph=True)
        return g.detach(), L.autograd.grad(g.sum(), a)[0]
    assert_same(prog(torch), prog(ember), atol=1e-10)


def test_conj_physical_():
    for L in (torch, ember):
        z = L.tensor([1 + 1j, 2 - 3j])
        assert z.conj_physical_() is z
        assert z.tolist() == [1 - 1j, 2 + 3j]
        x = L.tensor([1.0, -2.0])
        assert x.conj_physical_().tolist() == [1.0, -2.0]
    check_complex_leaf(lambda L, t: (L.view_as_real((t * 1).conj_physical_()) * L.tensor([1.0, 3.0],
                                                                                        dtype=L.float64)).sum(),
                       complex_pair(4))


# --- errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('call,exc,match', [
    (lambda L: L.view_as_real(L.zeros(3)), RuntimeError, 'view_as_real is only supported for complex tensors'),
    (lambda L: L.view_as_real([1j]), TypeError, 'must be Tensor'),
    (lambda L: L.view_as_complex(L.zeros(4, 3)), RuntimeError, 'last dimension of size 2'),
    (lambda L: L.view_as_complex(L.zeros(2, 3).t()), RuntimeError, 'last dimension with stride 1'),
    (lambda L: L.view_as_complex(L.zeros(3, 4)[:, 1:3]), RuntimeError, 'storage_offset divisible by 2'),
    (lambda L: L.view_as_complex(L.zeros(5)[1:3]), RuntimeError, 'storage_offset divisible by 2'),
    (lambda L: L.view_as_complex(L.zeros(3, 3)[:, :2]), RuntimeError, 'stride divisible by 2'),
    (lambda L: L.view_as_complex(L.zeros(2, 2, dtype=L.int64)), RuntimeError, 'scalar type: Long'),
    (lambda L: L.view_as_complex(L.tensor(1.0)), RuntimeError, 'one or more dimensions'),
    (lambda L: L.complex(L.zeros(3, dtype=L.float64), L.zeros(3)), RuntimeError, 'Expected object of scalar type'),
    (lambda L: L.complex(L.zeros(3, dtype=L.int64), L.zeros(3, dtype=L.int64)), RuntimeError,
     'Half, Float or Double'),
    (lambda L: L.complex(L.zeros(3), 1.0), TypeError, "argument 'imag'"),
    (lambda L: L.complex(L.zeros(3), L.zeros(2)), RuntimeError, 'must match the size'),
    (lambda L: L.polar(L.zeros(3), L.zeros(3, dtype=L.float64)), RuntimeError, 'Expected object of scalar type'),
    (lambda L: L.polar(L.arange(3), L.arange(3)), RuntimeError, 'Half, Float or Double'),
    (lambda L: L.polar(L.zeros(3), L.zeros(2)), RuntimeError, 'must match the size'),
])
def test_errors(call, exc, match):
    check_error(call, exc, match)


def test_half_inputs_need_complex32():
    # torch makes complex32 here; ember has no complex32 and says so
    with pytest.raises(RuntimeError, match='complex32'):
        ember.view_as_complex(ember.zeros(3, 2).half())
    with pytest.raises(RuntimeError, match='complex32'):
        ember.complex(ember.zeros(3).half(), ember.zeros(3).half())
