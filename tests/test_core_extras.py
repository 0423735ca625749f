"""Views that go stale after an in-place change of their storage, and torch's out= contract."""
import pytest
import torch
import ember
from helpers import assert_same


def _both(fn):
    return fn(torch), fn(ember)


def test_view_refreshes_after_base_changes_in_place():
    def prog(L):
        x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        y = x * 1
        v = y.t()
        y.mul_(2)
        (v * v).sum().backward()
        return x.grad
    t, e = _both(prog)
    assert_same(t, e)


def test_view_refreshes_after_sibling_view_changes_in_place():
    def prog(L):
        x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        y = x * 1
        row, col = y[0], y[:, 1]
        row.mul_(3)
        (col * col).sum().backward()
        return x.grad, col
    t, e = _both(prog)
    assert_same(t, e)


def test_out_writes_into_given_tensor():
    def prog(L):
        a = L.tensor([1., 2.])
        o = L.empty(2)
        r = L.add(a, a, out=o)
        return r is o, o
    (ti, t), (ei, e) = _both(prog)
    assert ti and ei
    assert_same(t, e)


def test_out_resizes_and_casts():
    def prog(L):
        o = L.empty(0, dtype=L.float64)
        L.mul(L.tensor([1., 2.]), 3, out=o)
        return o
    assert_same(*_both(prog))


def test_out_refuses_autograd_and_bad_casts():
    for L in (torch, ember):
        a = L.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out="):
            L.mul(a, 2, out=L.empty(2))
        with pytest.raises(RuntimeError, match="can't be cast"):
            L.add(L.ones(2), 0.5, out=L.empty(2, dtype=L.long))


def test_complex_gradients_follow_torch_convention():
    def prog(L):
        p = L.tensor([1 + 2j, 0.5 - 1j], requires_grad=True)
        loss = ((p * p.conj()).real.sum() + (p.exp() / (p + 2) * 3).abs().sum() + (p ** 2).imag.sum()
                + (p * 2j).real.sum() + L.sin(p).angle().sum())
        loss.backward()
        return p.grad

    assert_same(*_both(prog))


def test_complex_second_derivative():
    def prog(L):
        z = L.tensor([1 + 2j, -3 + 0.5j], dtype=L.complex128, requires_grad=True)
        g, = L.autograd.grad((z * z).real.sum() + (z * z.conj()).imag.sum(), z, create_graph=True)
        g2, = L.autograd.grad((g * g).real.sum(), z)
        return g.detach(), g2

    assert_same(*_both(prog))
