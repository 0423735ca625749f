"""The one parity helper: run the same program in torch and ember on the same inputs and compare."""
import numpy as np
import torch
import ember


def to_np(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        return x.float().numpy() if x.dtype == torch.bfloat16 else x.numpy()
    if isinstance(x, ember.Tensor):
        return np.asarray(x.detach()._data.astype(np.float32) if x.dtype == ember.bfloat16 else x.detach()._data)
    return np.asarray(x)


def same_dtype(t, e):
    assert repr(e.dtype) == repr(t.dtype), f"dtype: ember {e.dtype} vs torch {t.dtype}"


def assert_same(t, e, atol=1e-5, rtol=1e-4, what='value'):
    """Compare a torch result with an ember result: structure, shapes, dtypes and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: ember gave {type(e).__name__}, torch a sequence"
        assert len(t) == len(e), f"{what}: {len(e)} results vs torch's {len(t)}"
        for i, (a, b) in enumerate(zip(t, e)):
            assert_same(a, b, atol, rtol, f"{what}[{i}]")
        return
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: ember gave {type(e).__name__}, torch a Tensor"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs torch {tuple(t.shape)}"
        same_dtype(t, e)
        np.testing.assert_allclose(to_np(e), to_np(t), atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
        return
    if isinstance(t, float):
        assert abs(t - e) <= atol + rtol * abs(t) or (t != t and e != e), f"{what}: {e} vs torch {t}"
        return
    assert t == e, f"{what}: {e!r} vs torch {t!r}"


def make_inputs(args, dtype, seed, low, high, noncontig, requires_grad):
    """Shapes become random arrays; arrays and other values pass through. Returns (torch args, ember args)."""
    rng = np.random.default_rng(seed)
    targs, eargs = [], []
    for a in args:
        if isinstance(a, tuple) and all(isinstance(s, int) for s in a):
            a = rng.uniform(low, high, a).astype(dtype)
        if isinstance(a, np.ndarray):
            if noncontig and a.ndim >= 2:
                a = np.asfortranarray(a)
            t = torch.from_numpy(a.copy(order='K'))
            e = ember.from_numpy(a.copy(order='K'))
            if requires_grad and a.dtype.kind == 'f':
                t.requires_grad_(True)
                e.requires_grad_(True)
            targs.append(t)
            eargs.append(e)
        else:
            targs.append(a)
            eargs.append(a)
    return targs, eargs


def _float_tensors(out, lib):
    out = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in out if isinstance(o, lib.Tensor) and o.dtype.is_floating_point and o.requires_grad]


def check(fn, *args, dtype='float32', grad=True, atol=1e-5, rtol=1e-4, gradcheck=True, gradgrad=False,
          seed=0, low=-2.0, high=2.0, noncontig=False):
    """fn(lib, *tensors) with lib = torch and lib = ember on the same inputs.

    args: a tuple of ints is a shape (random values in [low, high)); a NumPy array is used as is; anything
    else is passed through. Compares outputs (values, dtypes, shapes); with grad, the gradients of every
    float input for the same random cotangent; with gradcheck, finite differences in float64 via
    ember.autograd.gradcheck (and gradgradcheck when gradgrad)."""
    targs, eargs = make_inputs(args, dtype, seed, low, high, noncontig, grad)
    tout = fn(torch, *targs)
    eout = fn(ember, *eargs)
    assert_same(tout, eout, atol, rtol, 'forward')
    if not grad:
        return
    touts, eouts = _float_tensors(tout, torch), _float_tensors(eout, ember)
    assert len(touts) == len(eouts), "ember and torch differ in which outputs require grad"
    if not touts:
        return
    rng = np.random.default_rng(seed + 1)
    cots = [rng.standard_normal(tuple(o.shape)).astype(to_np(o).dtype) for o in touts]
    torch.autograd.backward(touts, [torch.from_numpy(c) for c in cots])
    ember.autograd.backward(eouts, [ember.from_numpy(c.copy()) for c in cots])
    for i, (t, e) in enumerate(zip(targs, eargs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert e.grad is None or not to_np(e.grad).any(), f"grad of input {i}: torch has none"
                continue
            assert e.grad is not None, f"grad of input {i}: ember has none, torch has one"
            assert_same(t.grad, e.grad, atol * 10, rtol * 10, f"grad of input {i}")
    if gradcheck:
        _, e64 = make_inputs(args, 'float64', seed, low, high, noncontig, True)
        f = lambda *xs: fn(ember, *xs)
        assert ember.autograd.gradcheck(f, e64, eps=1e-6, atol=1e-5, rtol=1e-3)
        if gradgrad:
            assert ember.autograd.gradgradcheck(f, e64, eps=1e-6, atol=1e-5, rtol=1e-3)


def check_error(fn, exc, match=None):
    """fn(lib) raises exc in torch and in ember; ember's message names the op (match)."""
    import pytest
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc, match=match):
        fn(ember)
