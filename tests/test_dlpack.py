"""DLPack interop: torch -> ember -> torch without a copy (same data pointer), NumPy both ways, capsules."""
import gc
import numpy as np
import pytest
import torch
import ember
from ember.utils import dlpack as edl
from helpers import assert_same

DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'complex64', 'complex128', 'int64', 'int32', 'int16', 'int8',
          'uint8', 'bool']


def _torch_tensor(dtype, shape=(3, 4)):
    g = torch.Generator().manual_seed(0)
    t = torch.randn(*shape, generator=g) * 5
    if dtype == 'bool':
        return t > 0
    if dtype.startswith('complex'):
        return torch.complex(t, -t).to(getattr(torch, dtype))
    return t.to(getattr(torch, dtype))


@pytest.mark.parametrize('dtype', DTYPES)
def test_torch_to_ember_to_torch_shares_memory(dtype):
    t = _torch_tensor(dtype)
    e = ember.from_dlpack(t)
    assert e.data_ptr() == t.data_ptr()
    assert_same(t, e, atol=0, rtol=0)
    back = torch.from_dlpack(e)
    assert back.data_ptr() == t.data_ptr()
    assert back.dtype == t.dtype and back.shape == t.shape and torch.equal(back, t)
    # one memory: a write through torch shows in ember and back again
    t[1, 2] = True if dtype == 'bool' else 7
    assert e[1, 2].item() == back[1, 2].item() == t[1, 2].item()


@pytest.mark.parametrize('dtype', ['float32', 'bfloat16'])
def test_strided_views_keep_their_strides(dtype):
    t = _torch_tensor(dtype, (4, 6)).t()[1:, ::2]
    e = ember.from_dlpack(t)
    assert e.stride() == t.stride() and e.data_ptr() == t.data_ptr()
    assert_same(t, e, atol=0, rtol=0)
    back = torch.from_dlpack(e)
    assert back.stride() == t.stride() and torch.equal(back, t)


def test_imported_memory_outlives_the_producer():
    t = _torch_tensor('bfloat16', (64,))
    expected = t.float().numpy().copy()
    e = ember.from_dlpack(t)
    del t
    gc.collect()
    np.testing.assert_array_equal(e.float().numpy(), expected)


def test_exported_bfloat16_is_released():
    before = len(edl._exported)
    e = ember.ones(5, dtype=ember.bfloat16)
    t = torch.from_dlpack(e)
    assert len(edl._exported) == before + 1
    del t
    gc.collect()
    assert len(edl._exported) == before
    edl.to_dlpack(e)   # a capsule nobody consumes frees its tensor when it goes
    gc.collect()
    assert len(edl._exported) == before


def test_numpy_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    e = ember.from_dlpack(a)
    assert e.data_ptr() == a.ctypes.data and e.dtype == ember.float32
    back = np.from_dlpack(e)
    assert back.ctypes.data == a.ctypes.data
    np.testing.assert_array_equal(back, a)


def test_capsules():
    t = _torch_tensor('float32')
    e = edl.from_dlpack(torch.utils.dlpack.to_dlpack(t))
    assert e.data_ptr() == t.data_ptr()
    back = torch.utils.dlpack.from_dlpack(edl.to_dlpack(e))
    assert back.data_ptr() == t.data_ptr() and torch.equal(back, t)
    e.add_(1)   # a consumed capsule's memory stays writable and shared
    assert torch.equal(t, back) and t[0, 0].item() == e[0, 0].item()
    for dt in ('bool', 'int8', 'complex128', 'float16'):
        x = _torch_tensor(dt)
        y = ember.from_dlpack(torch.utils.dlpack.to_dlpack(x))
        assert y.data_ptr() == x.data_ptr()
        assert_same(x, y, atol=0, rtol=0)
    tb = _torch_tensor('bfloat16')
    eb = ember.from_dlpack(torch.utils.dlpack.to_dlpack(tb))
    assert eb.data_ptr() == tb.data_ptr()
    assert_same(tb, eb, atol=0, rtol=0)


def test_ember_to_ember_and_copy():
    e = ember.arange(4.0)
    shared = ember.from_dlpack(e)
    assert shared.data_ptr() == e.data_ptr()
    copied = ember.from_dlpack(e, copy=True)
    assert copied.data_ptr() != e.data_ptr() and ember.equal(copied, e)


def test_requires_grad_is_refused_as_in_torch():
    for lib in (torch, ember):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(BufferError, match='require gradient'):
            x.__dlpack__()
        with pytest.raises(BufferError, match='require gradient'):
            torch.from_dlpack(x)
        assert torch.from_dlpack(x.detach()).shape == (2,)


def test_zero_size_and_scalar():
    for shape in ((0, 3), ()):
        for dt in ('float32', 'bfloat16'):
            t = torch.zeros(shape, dtype=getattr(torch, dt))
            e = ember.from_dlpack(t)
            assert tuple(e.shape) == shape and repr(e.dtype) == repr(t.dtype)
            assert tuple(torch.from_dlpack(e).shape) == shape


def test_dlpack_device_and_bad_input():
    assert ember.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()
    with pytest.raises(TypeError, match='from_dlpack'):
        ember.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError, match='to_dlpack'):
        edl.to_dlpack(np.ones(2))


def test_numpy_array_op_tensor_gives_tensor():
    a = np.arange(3, dtype=np.float32)
    e = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (a + e, a * e, a - e, a / (e + 1), a ** e, a @ e):
        assert isinstance(r, ember.Tensor)
    r = a * e
    assert_same(torch.from_numpy(a) * torch.tensor([1.0, 2.0, 3.0]), r.detach())
    r.sum().backward()
    np.testing.assert_array_equal(e.grad.numpy(), a)
    assert isinstance(np.float32(2) * ember.ones(2), ember.Tensor)
    np.testing.assert_array_equal(np.asarray(ember.arange(3)), np.arange(3))
