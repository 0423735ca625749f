"""Matrix products against torch: values, dtypes, gradients (float64 gradcheck), errors."""
import warnings
import numpy as np
import pytest
import torch
import ember
from ember.backend import numpy_backend
from helpers import check, check_error


def ints(*shape, dtype='int64', seed=0):
    return np.random.default_rng(seed).integers(-4, 5, shape).astype(dtype)


# --- matmul --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('sa,sb', [
    ((3,), (3,)),              # dot: a 0-d result
    ((3,), (3, 4)),            # vector @ matrix
    ((2, 3), (3,)),            # matrix @ vector
    ((2, 3), (3, 4)),
    ((3,), (2, 3, 2)),         # vector @ batch
    ((2, 2, 3), (3,)),         # batch @ vector
    ((2, 2, 3), (3, 2)),       # batch @ matrix (nn.Linear on 3-D input)
    ((2, 3), (2, 3, 2)),       # matrix @ batch
    ((2, 1, 2, 2), (3, 2, 2)),  # batch dims broadcast both ways
    ((1, 2, 3), (2, 3, 2)),
])
def test_matmul_shapes(sa, sb):
    check(lambda L, a, b: L.matmul(a, b), sa, sb)
    check(lambda L, a, b: a @ b, sa, sb, gradcheck=False)


@pytest.mark.parametrize('sa,sb', [((2, 3), (3, 2)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)),
                                   ((2, 1, 3), (2, 3, 2))])
def test_matmul_gradgrad(sa, sb):
    check(lambda L, a, b: a @ b, sa, sb, gradgrad=True)


def test_matmul_one_input_needs_grad():
    b = np.random.default_rng(1).standard_normal((3, 2))
    check(lambda L, a: a @ L.tensor(b, dtype=a.dtype), (2, 3))
    check(lambda L, a: L.tensor(b.T.copy(), dtype=a.dtype) @ a, (3, 4))


def test_rmatmul():
    check(lambda L, a, b: b.__rmatmul__(a), (2, 3), (3, 2))


def test_matmul_noncontiguous():
    check(lambda L, a, b: a @ b, (3, 4), (4, 2), noncontig=True)
    check(lambda L, a, b: a @ b, (2, 3, 2), (2, 2, 3), noncontig=True)
    check(lambda L, a, b: L.mm(a, b), (3, 2), (2, 3), noncontig=True)


def test_matmul_empty():
    check(lambda L, a, b: a @ b, (0, 3), (3, 4))
    check(lambda L, a, b: a @ b, (2, 0), (0, 4))          # a zero-size inner dim gives zeros
    check(lambda L, a, b: a @ b, (0, 2, 3), (3, 2))


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'int16', 'uint8'])
def test_matmul_int(dtype):
    check(lambda L, a, b: a @ b, ints(2, 3, dtype=dtype), ints(3, 4, dtype=dtype, seed=1))
    check(lambda L, a, b: a @ b, ints(3, dtype=dtype), ints(3, dtype=dtype, seed=1))
    check(lambda L, a, b: L.bmm(a, b), ints(2, 2, 3, dtype=dtype), ints(2, 3, 2, dtype=dtype, seed=1))


@pytest.mark.parametrize('dt', ['half', 'bfloat16'])
def test_matmul_half(dt):
    """Half-precision products accumulate in float32 and round once, as torch's CPU kernels do."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 5)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32)
    outs, grads = [], []
    for L in (torch, ember):
        x = getattr(L.from_numpy(a.copy()), dt)().requires_grad_()
        y = getattr(L.from_numpy(b.copy()), dt)().requires_grad_()
        out = x @ y
        out.backward(L.ones(4, 3, dtype=out.dtype))
        outs.append(out)
        grads.append((x.grad, y.grad))
    assert repr(outs[1].dtype) == repr(outs[0].dtype)
    for t, e in [(outs[0], outs[1])] + list(zip(grads[0], grads[1])):
        assert repr(e.dtype) == repr(t.dtype)
        np.testing.assert_allclose(e.float().detach().numpy(), t.float().detach().numpy(), rtol=1e-2, atol=1e-2)


def test_matmul_out():
    check(lambda L, a, b: L.matmul(a, b, out=L.empty(2, 2)), (2, 3), (3, 2), grad=False)
    check(lambda L, a, b: L.mm(a, b, out=L.empty(0)), (2, 3), (3, 2), grad=False)


def test_matmul_backward_gemm_count(monkeypatch):
    """A square matmul's backward is one GEMM per input that needs a gradient, on transposed views."""
    calls = []
    real = numpy_backend.matmul

    def counting(a, b, *args, **kw):
        calls.append((a.flags.owndata or a.base is None, b.flags.owndata or b.base is None))
        return real(a, b, *args, **kw)
    monkeypatch.setattr(numpy_backend, 'matmul', counting)
    for ra, rb, n in ((True, True, 2), (True, False, 1), (False, True, 1)):
        a = ember.randn(64, 64, requires_grad=ra)
        b = ember.randn(64, 64, requires_grad=rb)
        y = a @ b
        calls.clear()
        y.backward(ember.ones(64, 64))
        assert len(calls) == n
        # The transposed operand is passed as a view of the saved input, not a contiguous copy.
        assert all(not (x and y) for x, y in calls)


def test_matmul_errors():
    check_error(lambda L: L.matmul(L.ones(2, 3), L.ones(3, 2, dtype=L.float64)), RuntimeError,
                r"expected m1 and m2 to have the same dtype, but got: float != double")
    check_error(lambda L: L.ones(2, 3, dtype=L.int64) @ L.ones(3, 2), RuntimeError,
                r"expected m1 and m2 to have the same dtype, but got: long int != float")
    check_error(lambda L: L.matmul(L.tensor(1.), L.ones(3, 2)), RuntimeError,
                r"both arguments to matmul need to be at least 1D, but they are 0D and 2D")
    check_error(lambda L: L.matmul(L.ones(64, 128), L.ones(256, 10)), RuntimeError,
                r"matmul: mat1 and mat2 shapes cannot be multiplied \(64x128 and 256x10\)")
    check_error(lambda L: L.matmul(L.ones(3), L.ones(4)), RuntimeError, r"matmul: inconsistent tensor size, expected tensor \[3\]")
    check_error(lambda L: L.matmul(L.ones(5, 2, 3), L.ones(4, 3, 2)), RuntimeError,
                r"matmul: The size of tensor a \(5\) must match the size of tensor b \(4\)")
    check_error(lambda L: L.matmul(L.ones(2, 2, dtype=L.bool), L.ones(2, 2, dtype=L.bool)), NotImplementedError,
                "not implemented for 'Bool'")
    check_error(lambda L: L.matmul(L.ones(2, 2), 3), TypeError, "matmul")


# --- mm, bmm, mv, dot, vdot ---------------------------------------------------------------------------
def test_mm_bmm_mv_dot():
    check(lambda L, a, b: L.mm(a, b), (2, 3), (3, 4))
    check(lambda L, a, b: a.mm(b), (1, 3), (3, 1))
    check(lambda L, a, b: L.bmm(a, b), (2, 2, 3), (2, 3, 2), gradgrad=True)
    check(lambda L, a, b: a.bmm(b), (2, 3, 1), (2, 1, 3))
    check(lambda L, a, b: L.mv(a, b), (2, 3), (3,))
    check(lambda L, a, b: a.mv(b), (4, 2), (2,), noncontig=True)
    check(lambda L, a, b: L.dot(a, b), (4,), (4,))
    check(lambda L, a, b: a.dot(b), (0,), (0,))
    check(lambda L, a, b: L.dot(a, b), ints(4), ints(4, seed=2))
    check(lambda L, a, b: L.vdot(a, b), (4,), (4,))


def test_vdot_complex():
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex128)
    b = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex128)
    check(lambda L, x, y: L.vdot(x, y), a, b)
    check(lambda L, x, y: L.dot(x, y), a, b)
    # d/dx of |vdot(x, y)|^2 through the complex ops, compared with torch
    ta, tb = torch.from_numpy(a).requires_grad_(), torch.from_numpy(b).requires_grad_()
    ea, eb = ember.from_numpy(a.copy()).requires_grad_(), ember.from_numpy(b.copy()).requires_grad_()
    g = np.array(0.3 - 0.7j)
    torch.vdot(ta, tb).backward(torch.from_numpy(g))
    ember.vdot(ea, eb).backward(ember.from_numpy(g.copy()))
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize('fn,sa,sb', [
    (lambda L, a, b: a @ b, (2, 3), (3, 2)),
    (lambda L, a, b: a @ b, (3,), (2, 3, 2)),
    (lambda L, a, b: L.einsum('ij,kj->ik', a, b), (2, 3), (2, 3)),
    (lambda L, a, b: L.kron(a, b), (2,), (2, 2)),
    (lambda L, a, b: L.cross(a, b, dim=1), (2, 3), (2, 3)),
])
def test_complex_grads(fn, sa, sb):
    """Complex products follow torch's convention: the gradient of a @ b for a is g @ b^H."""
    rng = np.random.default_rng(0)
    cplx = lambda s: rng.standard_normal(s) + 1j * rng.standard_normal(s)
    A, B = cplx(sa), cplx(sb)
    results, g = [], None
    for L in (torch, ember):
        a, b = L.from_numpy(A.copy()).requires_grad_(), L.from_numpy(B.copy()).requires_grad_()
        out = fn(L, a, b)
        g = cplx(tuple(out.shape)) if g is None else g
        out.backward(L.from_numpy(g.copy()))
        results.append([out.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for t, e in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_mm_family_errors():
    check_error(lambda L: L.mm(L.ones(3), L.ones(3, 2)), RuntimeError, "mm: self must be a matrix")
    check_error(lambda L: L.mm(L.ones(2, 3), L.ones(3)), RuntimeError, "mm: mat2 must be a matrix")
    check_error(lambda L: L.mm(L.ones(2, 3), L.ones(4, 2)), RuntimeError,
                r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)")
    check_error(lambda L: L.mm(L.ones(2, 3), L.ones(3, 2, dtype=L.float64)), RuntimeError, "same dtype")
    check_error(lambda L: L.bmm(L.ones(2, 3), L.ones(3, 2)), RuntimeError, "bmm: batch1 must be a 3D tensor")
    check_error(lambda L: L.bmm(L.ones(1, 2, 3), L.ones(2, 3, 2)), RuntimeError,
                r"bmm: expected size for first two dimensions of batch2 tensor to be: \[1, 3\] but got: \[2, 3\]")
    check_error(lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 3, 2, dtype=L.float64)), RuntimeError,
                "bmm: expected scalar type Float but found Double")
    check_error(lambda L: L.mv(L.ones(2, 3), L.ones(4)), RuntimeError, r"mv: size mismatch, got input \(2\), "
                r"mat \(2x3\), vec \(4\)")
    check_error(lambda L: L.mv(L.ones(2, 3), L.ones(3, 1)), RuntimeError, "mv: vector \\+ matrix @ vector expected")
    check_error(lambda L: L.mv(L.ones(2, 3), L.ones(3, dtype=L.float64)), RuntimeError, "mv: .*same dtype")
    check_error(lambda L: L.dot(L.ones(3), L.ones(4)), RuntimeError, r"dot: inconsistent tensor size")
    check_error(lambda L: L.dot(L.ones(3, 1), L.ones(3)), RuntimeError, "dot: 1D tensors expected, but got 2D and 1D")
    check_error(lambda L: L.dot(L.ones(3), L.ones(3, dtype=L.float64)), RuntimeError,
                "dot : expected both vectors to have same dtype, but found Float and Double")
    check_error(lambda L: L.dot(L.ones(3, dtype=L.bool), L.ones(3, dtype=L.bool)), NotImplementedError,
                "\"dot\" not implemented for 'Bool'")
    check_error(lambda L: L.vdot(L.ones(3, 2), L.ones(3, 2)), RuntimeError, "vdot: 1D tensors expected")


# --- inner, outer ---------------------------------------------------------------------------------------
def test_inner_outer():
    check(lambda L, a, b: L.inner(a, b), (2, 3), (2, 2, 3))
    check(lambda L, a, b: L.inner(a, b), (3,), (3,))
    check(lambda L, a, b: a.inner(b), (), (2, 3))                       # a 0-d argument multiplies
    check(lambda L, a, b: L.inner(a, b), ints(2, 3), ints(4, 3, seed=1))
    check(lambda L, a, b: L.outer(a, b), (2,), (3,), gradgrad=True)
    check(lambda L, a, b: a.outer(b), (0,), (3,))
    check(lambda L, a, b: L.ger(a, b), (2,), (3,))
    check(lambda L, a, b: L.outer(a, b), ints(2), (3,))                # promotes, as torch's outer does
    check(lambda L, a, b: L.outer(a, b), (2,), (3,), dtype='float64')
    check(lambda L, a, b: L.outer(a, b), ints(2, dtype='bool'), ints(3, dtype='bool', seed=3))
    check_error(lambda L: L.inner(L.ones(2, 3), L.ones(4, 5)), RuntimeError,
                r"inner\(\) the last dimension must match on both input tensors but got shapes \[2, 3\] and \[4, 5\]")
    check_error(lambda L: L.inner(L.ones(2, 3), L.ones(4, 3, dtype=L.float64)), RuntimeError, "inner.*same dtype")
    check_error(lambda L: L.outer(L.ones(2, 3), L.ones(4)), RuntimeError,
                "outer: Expected 1-D argument self, but got 2-D")
    check_error(lambda L: L.outer(L.ones(2), L.tensor(1.)), RuntimeError, "outer: Expected 1-D argument vec2")


# --- the add* forms -------------------------------------------------------------------------------------
@pytest.mark.parametrize('beta,alpha', [(1, 1), (0.5, 2.0), (0, 1.5), (2, 0)])
def test_add_forms(beta, alpha):
    kw = dict(beta=beta, alpha=alpha)
    check(lambda L, i, a, b: L.addmm(i, a, b, **kw), (2, 2), (2, 3), (3, 2))
    check(lambda L, i, a, b: L.addmm(i, a, b, **kw), (2,), (2, 3), (3, 2))       # input broadcasts
    check(lambda L, i, a, b: i.addmv(a, b, **kw), (2,), (2, 3), (3,))
    check(lambda L, i, a, b: L.addmv(i, a, b, **kw), (1,), (2, 3), (3,))
    check(lambda L, i, a, b: L.addr(i, a, b, **kw), (2, 3), (2,), (3,))
    check(lambda L, i, a, b: L.baddbmm(i, a, b, **kw), (2, 2, 2), (2, 2, 3), (2, 3, 2))
    check(lambda L, i, a, b: i.baddbmm(a, b, **kw), (2,), (2, 2, 3), (2, 3, 2))
    check(lambda L, i, a, b: L.addbmm(i, a, b, **kw), (2, 2), (2, 2, 3), (2, 3, 2))


def test_add_forms_gradgrad():
    check(lambda L, i, a, b: L.addmm(i, a, b, beta=0.5, alpha=2), (2,), (2, 3), (3, 2), gradgrad=True)
    check(lambda L, i, a, b: L.addbmm(i, a, b, alpha=2), (2, 2), (2, 2, 3), (2, 3, 2), gradgrad=True)


def test_add_forms_beta_zero_ignores_nan():
    nan = np.full((2, 2), np.nan, np.float32)
    check(lambda L, i, a, b: L.addmm(i, a, b, beta=0), nan, (2, 3), (3, 2), gradcheck=False)
    check(lambda L, i, a, b: L.addr(i, a, b, beta=0), nan, (2,), (2,), gradcheck=False)


def test_add_forms_int_and_bool():
    m = ints(2, 2)
    # torch truncates float scales for integer addmm/addmv/baddbmm/addbmm ...
    check(lambda L, i, a, b: L.addmm(i, a, b, beta=1.7, alpha=2.6), m, m, m.copy())
    check(lambda L, i, a, b: L.addmm(i, a, b, alpha=0.5), m, m, m.copy())
    check(lambda L, i, a, b: L.addmv(i, a, b, alpha=3), m[0], m, m[1].copy())
    check(lambda L, i, a, b: L.baddbmm(i, a, b, beta=2), m[None], m[None], m[None].copy())
    # ... and refuses them for addr, which promotes its three tensors instead
    check(lambda L, i, a, b: L.addr(i, a, b, alpha=2), m, m[0], m[1].copy())
    check(lambda L, i, a, b: L.addr(i, a, b, alpha=2), m, (2,), (2,))
    b = ints(2, 2, dtype='bool', seed=5)
    check(lambda L, i, x, y: L.addr(i, x, y), b, b[0], b[1].copy())
    check(lambda L, i, x, y: L.addr(i, x, y, beta=False), b, b[0], b[1].copy())
    check_error(lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64),
                                 beta=0.5), RuntimeError, "addr: for integral input tensors, argument beta")


def test_add_forms_inplace():
    def f(L, i, a, b):
        i = i * 1
        i.addmm_(a, b, beta=0.5, alpha=2)
        return i
    check(f, (2, 2), (2, 3), (3, 2))

    def g(L, i, a, v):
        i = i * 1
        return i.addmv_(a, v, alpha=2)
    check(g, (2,), (2, 3), (3,))

    def h(L, i, x, y, b1, b2):
        i = i * 1
        i.addr_(x, y, alpha=2)
        i.addbmm_(b1, b2)
        return i
    check(h, (2, 2), (2,), (2,), (2, 2, 3), (2, 3, 2))

    def k(L, i, b1, b2):
        i = i * 1
        return i.baddbmm_(b1, b2, beta=0.5)
    check(k, (2, 2, 2), (2, 2, 3), (2, 3, 2))


def test_add_forms_errors():
    check_error(lambda L: L.addmm(L.ones(2, 2, dtype=L.float64), L.ones(2, 3), L.ones(3, 2)), RuntimeError,
                "addmm: self and mat2 must have the same dtype, but got Double and Float")
    check_error(lambda L: L.addmm(L.ones(3), L.ones(2, 3), L.ones(3, 2)), RuntimeError,
                r"addmm: the expanded size of the tensor \(2\) must match the existing size \(3\)")
    check_error(lambda L: L.addmm(L.ones(2, 2, 2), L.ones(2, 3), L.ones(3, 2)), RuntimeError, "addmm: expand")
    check_error(lambda L: L.addmm(L.ones(2, 2), L.ones(2, 3), L.ones(4, 2)), RuntimeError,
                r"addmm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)")
    check_error(lambda L: L.addmv(L.ones(2, 2), L.ones(2, 3), L.ones(3)), RuntimeError, "addmv: vector")
    check_error(lambda L: L.addmv(L.ones(2), L.ones(2, 3), L.ones(3, dtype=L.float64)), RuntimeError,
                "addmv input tensors must have the same dtype")
    check_error(lambda L: L.addr(L.ones(2, 3), L.ones(2, 1), L.ones(3)), RuntimeError,
                "addr: Expected 1-D argument vec1, but got 2-D")
    check_error(lambda L: L.addr(L.ones(2, 3), L.ones(2), L.ones(4)), RuntimeError, "addr: the expanded size")
    check_error(lambda L: L.addbmm(L.ones(2, 2), L.ones(4, 2, 3), L.ones(5, 3, 2)), RuntimeError,
                "addbmm: batch1 and batch2 must have same number of batches, got 4 and 5")
    check_error(lambda L: L.baddbmm(L.ones(2), L.ones(2, 3), L.ones(1, 3, 2)), RuntimeError,
                "baddbmm: batch1 must be a 3D tensor")
    check_error(lambda L: L.baddbmm(L.ones(2, dtype=L.float64), L.ones(1, 2, 3), L.ones(1, 3, 2)), RuntimeError,
                "baddbmm: input dtypes must be the same")


# --- einsum ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('eq,shapes', [
    ('ij,jk->ik', [(2, 3), (3, 2)]),
    ('ij,jk', [(2, 3), (3, 2)]),
    ('ij,kj->ik', [(2, 3), (4, 3)]),
    ('i,i->', [(4,), (4,)]),
    ('i,j->ij', [(2,), (3,)]),
    ('ij->', [(2, 3)]),
    ('ij->j', [(2, 3)]),
    ('ij->ji', [(2, 3)]),
    ('ba', [(2, 3)]),
    ('bA', [(2, 3)]),                         # implicit output: uppercase sorts first
    ('ii->i', [(3, 3)]),                      # diagonal: its gradient lands on the diagonal
    ('ii', [(3, 3)]),                         # trace
    ('iij->j', [(2, 2, 3)]),
    ('ii,i->i', [(3, 3), (3,)]),
    ('bij,bjk->bik', [(2, 2, 3), (2, 3, 2)]),
    ('ij,jk,kl->il', [(2, 3), (3, 2), (2, 2)]),
    ('ij,jk', [(2, 1), (3, 2)]),              # a labelled size-1 dim broadcasts
    ('ij,ij->ij', [(2, 1), (1, 3)]),
    ('...ij,...jk', [(2, 1, 2, 3), (2, 3, 2)]),
    ('...ij,...jk->ik', [(2, 1, 2, 3), (2, 3, 2)]),   # ellipsis dims missing from the output are summed
    ('i...i', [(3, 2, 3)]),
    ('...i->i...', [(2, 2, 3)]),
    ('...,...->...', [(3, 2), (2,)]),
    ('i j , j k -> i k', [(2, 3), (3, 2)]),
    (',i->i', [(), (3,)]),
])
def test_einsum(eq, shapes):
    check(lambda L, *xs: L.einsum(eq, *xs), *shapes)


@pytest.mark.parametrize('eq,shapes', [('ij,jk->ik', [(2, 3), (3, 2)]), ('ii->i', [(3, 3)]), ('ii', [(2, 2)]),
                                       ('ij,jk,kl->il', [(2, 2), (2, 3), (3, 2)]), ('ij,jk', [(2, 1), (3, 2)]),
                                       ('...ij,...jk->ik', [(2, 1, 2, 2), (2, 2, 2)]), ('ij->j', [(2, 3)])])
def test_einsum_gradgrad(eq, shapes):
    check(lambda L, *xs: L.einsum(eq, *xs), *shapes, gradgrad=True)


def test_einsum_call_forms():
    check(lambda L, a, b: L.einsum('ij,jk', [a, b]), (2, 3), (3, 2))
    check(lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]), (2, 3), (3, 2))
    check(lambda L, a, b: L.einsum(a, [0, Ellipsis], b, [Ellipsis, 1]), (2, 3), (3, 2))
    check(lambda L, a, b: L.einsum('ij,jk', a, b), (2, 3), (3, 2), noncontig=True)
    check(lambda L, a, b: L.einsum('ij,jk', a, b), (2, 0), (0, 3))


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'uint8', 'bool'])
@pytest.mark.parametrize('eq,shapes', [('ij->i', [(2, 3)]), ('ii->', [(3, 3)]), ('ii->i', [(3, 3)]),
                                       ('ij->ji', [(2, 3)]), ('ij,ij->ij', [(2, 3), (2, 3)]),
                                       ('ij,jk', [(2, 3), (3, 2)]), ('i,j', [(2,), (3,)])])
def test_einsum_int_dtypes(dtype, eq, shapes):
    """A single integer operand is reduced in int64 (torch sums it); products keep the dtype."""
    arrays = [ints(*s, dtype=dtype, seed=k) for k, s in enumerate(shapes)]
    if dtype == 'bool' and eq == 'ij,jk':
        check_error(lambda L: L.einsum(eq, *[L.from_numpy(a.copy()) for a in arrays]), NotImplementedError, "Bool")
    else:
        check(lambda L, *xs: L.einsum(eq, *xs), *arrays)


def test_half_grads():
    a = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    for fn in (lambda L, x: L.einsum('ij,kj->ik', x, x), lambda L, x: L.kron(x, x), lambda L, x: x @ x.mT):
        for dt in ('half', 'bfloat16'):
            grads = []
            for L in (torch, ember):
                x = getattr(L.from_numpy(a.copy()), dt)().requires_grad_()
                out = fn(L, x)
                out.backward(L.ones(*out.shape, dtype=out.dtype))
                grads.append(x.grad)
            assert repr(grads[1].dtype) == repr(grads[0].dtype)
            np.testing.assert_allclose(grads[1].float().numpy(), grads[0].float().numpy(), rtol=2e-2, atol=2e-2)


def test_einsum_half():
    check(lambda L, a, b: L.einsum('ij,kj', a, b), (2, 3), (4, 3), dtype='float16', atol=1e-2, rtol=1e-2,
          gradcheck=False)
    a = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = torch.einsum('ij,kj', torch.from_numpy(a).bfloat16(), torch.from_numpy(a).bfloat16())
    e = ember.einsum('ij,kj', ember.from_numpy(a).bfloat16(), ember.from_numpy(a).bfloat16())
    assert e.dtype == ember.bfloat16
    np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=1e-2, atol=1e-2)


def test_einsum_aliases_operand_like_torch():
    # a pure relabelling is a view of the operand in torch; a diagonal ('ii->i') is a copy in ember only
    for L in (torch, ember):
        x = L.ones(2, 3)
        L.einsum('ij->ji', x).zero_()
        assert x.sum().item() == 0
    x = ember.ones(3, 3)
    ember.einsum('ii->i', x).zero_()
    assert x.numpy().sum() == 9


def test_einsum_errors():
    check_error(lambda L: L.einsum('ij,jk', L.ones(2, 3), L.ones(3, 4, dtype=L.float64)), RuntimeError,
                "einsum\\(\\): expected scalar type Float but found Double")
    check_error(lambda L: L.einsum('ij,jk', L.ones(2, 3), L.ones(4, 4)), RuntimeError,
                "einsum\\(\\): subscript j has size 4 for operand 1 which does not broadcast with previously seen "
                "size 3")
    check_error(lambda L: L.einsum('ij', L.ones(3, 3, 3)), RuntimeError,
                r"einsum\(\): the number of subscripts in the equation \(2\) does not match the number of dimensions "
                r"\(3\) for operand 0 and no ellipsis was given")
    check_error(lambda L: L.einsum('ij...', L.ones(3)), RuntimeError, "einsum\\(\\): the number of subscripts")
    check_error(lambda L: L.einsum('ij->ii', L.ones(3, 3)), RuntimeError,
                "einsum\\(\\): output subscript i appears more than once in the output")
    check_error(lambda L: L.einsum('ij->k', L.ones(3, 3)), RuntimeError,
                "einsum\\(\\): output subscript k does not appear in the equation for any input operand")
    check_error(lambda L: L.einsum('ij,jk', L.ones(2, 3)), RuntimeError,
                "einsum\\(\\): fewer operands were provided than specified in the equation")
    check_error(lambda L: L.einsum('ij', L.ones(2, 3), L.ones(3)), RuntimeError,
                "einsum\\(\\): more operands were provided than specified in the equation")
    check_error(lambda L: L.einsum('i1,jk->ik', L.ones(3, 2), L.ones(2, 5)), RuntimeError,
                "einsum\\(\\): invalid subscript given at index 1")
    check_error(lambda L: L.einsum('ij->j->k', L.ones(3, 2)), RuntimeError, "einsum\\(\\): invalid subscript")
    check_error(lambda L: L.einsum('ij.,jk->ik', L.ones(3, 2), L.ones(2, 5)), RuntimeError,
                "einsum\\(\\): found '.' for operand 0 that is not part of any ellipsis")
    check_error(lambda L: L.einsum('ii->i', L.ones(3, 2)), RuntimeError,
                "einsum\\(\\): subscript i is repeated for operand 0 but the sizes don't match")
    check_error(lambda L: L.einsum('...,...->...', L.ones(3, 2), L.ones(3)), RuntimeError,
                "einsum\\(\\): dimension 0 covered by ellipsis in operand 1")
    check_error(lambda L: L.einsum('ij,jk->ik', L.ones(3, 2), 3), TypeError, "einsum\\(\\): expected Tensor")


# --- tensordot, kron, cross, chain_matmul -------------------------------------------------------------
def test_tensordot():
    check(lambda L, a, b: L.tensordot(a, b), (2, 2, 3), (2, 3, 2))
    check(lambda L, a, b: L.tensordot(a, b, dims=1), (2, 3), (3, 2))
    check(lambda L, a, b: L.tensordot(a, b, dims=0), (2,), (3,))
    check(lambda L, a, b: L.tensordot(a, b, dims=([1, 2], [1, 0])), (2, 3, 2), (2, 3, 2))
    check(lambda L, a, b: L.tensordot(a, b, dims=([1, -1], [1, 0])), (2, 3, 2), (2, 3, 2))
    check(lambda L, a, b: L.tensordot(a, b, dims=[[0], [1]]), (3, 2), (2, 3))
    check(lambda L, a, b: L.tensordot(a, b, dims=L.tensor(1)), (2, 3), (3, 2))
    check(lambda L, a, b: L.tensordot(a, b, dims=([1], [0])), (2, 3), (1, 2))   # size 1 broadcasts
    check(lambda L, a, b: L.tensordot(a, b, dims=1), ints(2, 3), ints(3, 2, seed=1))
    check_error(lambda L: L.tensordot(L.ones(2, 3, 4), L.ones(3, 4, 5), dims=1), RuntimeError,
                "tensordot: contracted dimensions need to match, but first has size 4 in dim -1 and second has size 3 "
                "in dim 0")
    check_error(lambda L: L.tensordot(L.ones(2, 3, 4), L.ones(3, 4, 5), dims=-1), RuntimeError,
                "tensordot expects dims >= 0")
    check_error(lambda L: L.tensordot(L.ones(2, 3, 4), L.ones(3, 4, 5), dims=5), RuntimeError,
                "tensordot expects dims < ndim_a or ndim_b")
    check_error(lambda L: L.tensordot(L.ones(2, 3, 4), L.ones(3, 4, 5), dims=([1, 2], [0])), RuntimeError,
                "tensordot: both dimension lists should have same length")
    check_error(lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2, dtype=L.float64), dims=1), RuntimeError,
                "tensordot: both inputs should have same dtype")


def test_kron():
    check(lambda L, a, b: L.kron(a, b), (2, 3), (2, 2), gradgrad=True)
    check(lambda L, a, b: a.kron(b), (3,), (2, 2))
    check(lambda L, a, b: L.kron(a, b), (2, 1, 2), (3,))
    check(lambda L, a, b: L.kron(a, b), (), (2, 3))
    check(lambda L, a, b: L.kron(a, b), (2, 2), (2, 2), noncontig=True)
    check(lambda L, a, b: L.kron(a, b), ints(2, 3), (2,))                # promotes
    check(lambda L, a, b: L.kron(a, b), ints(2, dtype='bool'), ints(2, 2, dtype='bool', seed=1))


def test_cross():
    check(lambda L, a, b: L.cross(a, b, dim=1), (2, 3), (2, 3), gradgrad=True)
    check(lambda L, a, b: a.cross(b, dim=0), (3, 2), (3, 1))              # broadcast
    check(lambda L, a, b: L.cross(a, b, dim=-1), (1, 3), (4, 3))
    check(lambda L, a, b: L.cross(a, b, 0), ints(3), ints(3, seed=1))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(lambda L, a, b: L.cross(a, b), (2, 3), (2, 3))             # first dim of size 3
        check(lambda L, a, b: L.cross(a, b), (3, 3), (3, 3))
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
        ember.cross(ember.ones(3), ember.ones(3))
    check_error(lambda L: L.cross(L.ones(4, 3), L.ones(4, 3), dim=0), RuntimeError,
                "linalg.cross: inputs dimension 0 must have length 3. Got 4 and 4")
    check_error(lambda L: L.cross(L.ones(3, 3), L.ones(3, 3, dtype=L.float64), dim=0), RuntimeError,
                "cross: expected scalar type Float but found Double")
    check_error(lambda L: L.cross(L.ones(3, 3, 2), L.ones(3, 2), dim=1), RuntimeError,
                "linalg.cross: inputs must have the same number of dimensions")
    check_error(lambda L: L.cross(L.ones(2, 3), L.ones(3, 3), dim=1), RuntimeError, "cross: The size of tensor a")
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_error(lambda L: L.cross(L.ones(4, 2), L.ones(4, 2)), RuntimeError, "no dimension of size 3 in input")


def test_chain_matmul():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(lambda L, a, b, c: L.chain_matmul(a, b, c), (2, 3), (3, 4), (4, 1))
        check(lambda L, a, b, c, d: L.chain_matmul(a, b, c, d), (1, 3), (3, 3), (3, 2), (2, 2))
        check(lambda L, a: L.chain_matmul(a), (2, 3))
        check_error(lambda L: L.chain_matmul(L.ones(2, 3), L.ones(4, 3)), RuntimeError,
                    r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[4, 3\] cannot be multiplied")
        check_error(lambda L: L.chain_matmul(), RuntimeError, "chain_matmul")
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 2), ember.ones(2, 2))
