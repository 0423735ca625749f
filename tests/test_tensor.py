"""What a Tensor is, against torch: shape/size/stride/properties, Size, legacy constructor, conversions."""
import numpy as np
import pytest
import torch
import ember
from helpers import check_error, assert_same


def _plain(r):
    if isinstance(r, (list, tuple)) and not isinstance(r, (torch.Size, ember.Size)):
        return [_plain(x) for x in r]
    if isinstance(r, (torch.Size, ember.Size)):
        return ('Size', tuple(r), repr(r))
    return repr(r) if isinstance(r, (torch.dtype, ember.dtype, torch.device, ember.device)) else r


def both(fn):
    assert_same(_plain(fn(torch)), _plain(fn(ember)))


@pytest.mark.parametrize('shape', [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 1, 1)])
def test_properties(shape):
    def f(L):
        x = L.zeros(shape)
        return [x.shape, x.size(), x.dim(), x.ndim, x.ndimension(), x.numel(), x.nelement(), x.element_size(),
                x.stride(), x.is_contiguous(), x.dtype, x.is_floating_point(), x.is_complex(), x.is_leaf,
                x.requires_grad, x.itemsize, x.nbytes, x.is_cuda, x.get_device(), x.storage_offset(), x.is_signed(),
                x.device.type]
    both(f)
    if shape:
        both(lambda L: [L.zeros(shape).size(0), L.zeros(shape).size(-1), L.zeros(shape).stride(-1)])


def test_size_object():
    def f(L):
        s = L.zeros(2, 3, 4).shape
        return [s, s[1:], s + (5,), s.numel(), len(s), list(s), s == (2, 3, 4), isinstance(s, tuple), str(s)]
    both(f)
    check_error(lambda L: L.zeros(2).size(1), IndexError, 'Dimension out of range')


def test_noncontiguous_strides_and_offset():
    def f(L):
        x = L.from_numpy(np.arange(12.0).reshape(3, 4))
        t = L.from_numpy(np.arange(12.0).reshape(3, 4).T.copy().T)
        return [t.stride(), t.is_contiguous(), x.stride(), x.is_contiguous(), x[1:].storage_offset(),
                x[:, 1].stride(), x[:, 1].storage_offset()]
    both(f)


def test_legacy_constructor_and_type_names():
    both(lambda L: [L.Tensor([1, 2]), L.Tensor(2, 3).shape, L.Tensor((2,)).shape if False else L.Tensor([2]).dtype,
                    L.tensor([1]).type(), L.tensor([1.0]).type(), L.tensor([True]).type(),
                    L.tensor([1], dtype=L.uint8).type(), L.tensor([1.0], dtype=L.float64).type()])


def test_complex_and_bool_scalars():
    both(lambda L: [L.tensor(1 + 2j).item(), L.tensor(True).item(), L.tensor([1, 0]).bool().tolist(),
                    L.tensor(2.5, dtype=L.float16).item(), L.tensor(2.5, dtype=L.bfloat16).item(),
                    L.tensor([1.5], dtype=L.bfloat16).tolist()])


def test_array_protocol():
    for L in (torch, ember):
        x = L.tensor([1.0, 2.0])
        a = np.asarray(x)
        assert a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
        assert np.asarray(x, dtype=np.float64).dtype == np.float64
    r = np.float32(2.0) * ember.tensor([1.0, 2.0])
    assert isinstance(r, ember.Tensor) and r.tolist() == [2.0, 4.0]
    r = np.array([1.0, 2.0]) + ember.tensor([1.0, 2.0])
    assert isinstance(r, ember.Tensor)


def test_hash_and_identity():
    for L in (torch, ember):
        a, b = L.ones(2), L.ones(2)
        d = {a: 1, b: 2}
        assert len(d) == 2 and d[a] == 1
        assert a in {a} and b not in {a}
