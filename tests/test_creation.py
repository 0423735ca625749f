"""Creation ops against torch: dtype inference, memory sharing, ranges (bit for bit), *_like and new_*."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same


def _plain(r):
    """dtypes by their repr (torch.float32 and ember.float32 are different objects that print alike)."""
    if isinstance(r, (list, tuple)) and not isinstance(r, (torch.Size, ember.Size)):
        return [_plain(x) for x in r]
    return repr(r) if isinstance(r, (torch.dtype, ember.dtype)) else r


def both(fn, atol=0, rtol=0):
    assert_same(_plain(fn(torch)), _plain(fn(ember)), atol, rtol)


@pytest.mark.parametrize('data', [
    [[1, 2], [3, 4]], [1, 2.5], [True, 2], [True, False], [1, 2j], 3.5, 7, True, [], [[], []], (1, 2),
    [np.float64(2.5), np.float64(1)], [np.int32(2), np.int32(1)], np.float64(2.5), np.array([1.5, 2.5]),
    np.array([1, 2], dtype=np.int32), np.array([1.5], dtype=np.float16), [np.array([1., 2.]), np.array([3., 4.])],
    np.array([[1, 2], [3, 4]], dtype=np.uint8).T, [-1, 2 ** 62], np.array(True)])
def test_tensor_dtype_inference(data):
    both(lambda L: L.tensor(data))
    both(lambda L: L.as_tensor(data))


def test_tensor_dtype_argument_and_nested_tensors():
    both(lambda L: L.tensor([1, 2], dtype=L.float64))
    both(lambda L: L.tensor([1.7, -2.7], dtype=L.int64))
    both(lambda L: L.tensor([L.tensor(1.5), L.tensor(2.5)]))
    both(lambda L: L.tensor([1.5], requires_grad=True).requires_grad)
    both(lambda L: L.tensor(L.tensor([1, 2]), dtype=L.float32))
    both(lambda L: L.as_tensor([1, 2], dtype=L.float32))
    both(lambda L: L.asarray([1, 2.5]))
    both(lambda L: L.scalar_tensor(3))
    both(lambda L: L.Tensor([1, 2]))
    both(lambda L: L.Tensor(2, 3).shape)


def test_tensor_errors():
    check_error(lambda L: L.tensor([[1, 2], [3]]), ValueError, 'expected sequence of length 2 at dim 1')
    check_error(lambda L: L.tensor(['a']), ValueError, 'str')
    check_error(lambda L: L.tensor(None), RuntimeError, 'Could not infer dtype of NoneType')
    check_error(lambda L: L.tensor([2 ** 63]), ValueError, 'Overflow')
    check_error(lambda L: L.tensor([1], requires_grad=True), RuntimeError,
                'Only Tensors of floating point and complex dtype can require gradients')
    check_error(lambda L: L.from_numpy([1]), TypeError, 'expected np.ndarray')
    check_error(lambda L: L.from_numpy(np.array(['a'])), TypeError, "can't convert np.ndarray")


def test_memory_sharing():
    a = np.array([1.0, 2.0])
    for L in (torch, ember):
        a = np.array([1.0, 2.0])
        f, t, s = L.from_numpy(a), L.tensor(a), L.as_tensor(a)
        a[0] = 9.0
        assert f.tolist() == [9.0, 2.0] and s.tolist() == [9.0, 2.0] and t.tolist() == [1.0, 2.0]
        assert L.as_tensor(a, dtype=L.float32).tolist() == [9.0, 2.0]
        x = L.tensor([1.0, 2.0])
        assert L.as_tensor(x) is x
        y = L.tensor(x)
        y[0] = 5.0
        assert x.tolist() == [1.0, 2.0]
        nc = L.from_numpy(np.arange(6.0).reshape(2, 3).T)
        assert tuple(nc.shape) == (3, 2) and nc.tolist()[1] == [1.0, 4.0]


def test_filled_constructors():
    for fn in (lambda L: L.zeros(2, 3), lambda L: L.zeros((2, 3)), lambda L: L.zeros([2, 3]),
               lambda L: L.zeros(L.Size([2, 1])), lambda L: L.zeros(0), lambda L: L.zeros(()), lambda L: L.zeros([]),
               lambda L: L.zeros(2, dtype=L.int32), lambda L: L.ones(2, dtype=L.bool), lambda L: L.ones(2, 1),
               lambda L: L.full((2,), 3), lambda L: L.full((2,), 3.5), lambda L: L.full((2,), True),
               lambda L: L.full((2,), 1j), lambda L: L.full((2,), 3.7, dtype=L.int32), lambda L: L.full([2, 1], 2.),
               lambda L: L.full((2,), L.tensor(2.5)), lambda L: L.empty(2, 3).shape, lambda L: L.empty(0).dtype,
               lambda L: L.eye(3), lambda L: L.eye(2, 3), lambda L: L.eye(2, dtype=L.int64), lambda L: L.eye(0),
               lambda L: L.ones(2, requires_grad=True).requires_grad, lambda L: L.ones(2, requires_grad=True).is_leaf):
        both(fn)
    check_error(lambda L: L.zeros(-1), RuntimeError, 'non-negative')
    check_error(lambda L: L.ones(-1), RuntimeError, 'negative dimension')
    check_error(lambda L: L.zeros(2.5), TypeError, 'tuple of ints')
    check_error(lambda L: L.full(2, 2.0), TypeError, 'tuple of ints')
    check_error(lambda L: L.eye(-1), RuntimeError, 'n must be greater or equal to 0')


def test_like_and_new():
    for fn in (lambda L: L.zeros_like(L.tensor([1, 2])), lambda L: L.ones_like(L.tensor([1, 2]), dtype=L.float16),
               lambda L: L.full_like(L.tensor([1, 2]), 2.7), lambda L: L.full_like(L.tensor([1., 2]), 2.7),
               lambda L: L.empty_like(L.ones(2, 3)).shape, lambda L: L.empty_like(L.ones(2, dtype=L.int8)).dtype,
               lambda L: L.zeros_like(L.ones(2, requires_grad=True)).requires_grad,
               lambda L: L.zeros_like(L.ones(2), requires_grad=True).requires_grad,
               lambda L: L.tensor([1, 2]).new_zeros(2, 3), lambda L: L.tensor([1., 2], dtype=L.float64).new_ones((2,)),
               lambda L: L.tensor([1, 2]).new_full((2,), 3.5), lambda L: L.tensor([1., 2], dtype=L.float64).new_tensor([1, 2]),
               lambda L: L.tensor([1.], dtype=L.float64).new_tensor([1.5, 2]), lambda L: L.tensor([1, 2]).new_empty(3).shape,
               lambda L: L.tensor([1, 2]).new_empty(3).dtype, lambda L: L.ones(2).new_zeros(2, dtype=L.int8)):
        both(fn)


ARANGE = [(5,), (0, 1, 0.1), (1.0, 2.5, 0.3), (5, 0, -1.5), (0, 10, 3), (5.0,), (-3, 3, 0.07), (-1, 1, 0.01),
          (0, 100, 0.37), (-7.3, 11.9, 0.013), (3, 3), (0, 5, 1.5), (0.5, 5, 1), (-2.5, 2.5, 0.5)]


@pytest.mark.parametrize('args', ARANGE)
@pytest.mark.parametrize('dtype', [None, 'float32', 'float64', 'int64', 'int32', 'uint8'])
def test_arange_bit_for_bit(args, dtype):
    if dtype == 'uint8' and min(args) < 0:
        return
    kw = {} if dtype is None else {'dtype': dtype}
    f = lambda L: L.arange(*args, **{k: getattr(L, v) for k, v in kw.items()})
    try:
        f(torch)
    except Exception as e:   # an integer dtype truncates a step below 1 to 0: both refuse it alike
        check_error(f, type(e), 'step must be nonzero')
        return
    both(f)


def test_arange_more():
    both(lambda L: L.arange(L.tensor(3)))
    both(lambda L: L.arange(np.int64(3)))
    both(lambda L: L.arange(3.0, requires_grad=True).requires_grad)
    both(lambda L: L.arange(0, 2.5, 1.5, dtype=L.int64))
    rng = np.random.default_rng(0)
    for _ in range(30):
        s, st = float(rng.uniform(-10, 10)), float(rng.uniform(0.001, 1) * rng.choice([-1, 1]))
        e = s + st * int(rng.integers(1, 3000))
        both(lambda L: L.arange(s, e, st))
        both(lambda L: L.arange(s, e, st, dtype=L.float64))
    check_error(lambda L: L.arange(0, 5, -1), RuntimeError, 'upper bound and lower bound inconsistent with step sign')
    check_error(lambda L: L.arange(0, 5, 0), RuntimeError, 'step must be nonzero')


@pytest.mark.parametrize('dtype', [None, 'float64', 'float16', 'bfloat16', 'int64', 'int32'])
def test_linspace_bit_for_bit(dtype):
    rng = np.random.default_rng(1)
    cases = [(0, 1, 7), (-3.3, 7.1, 13), (0, 10, 4), (-10, 10, 7), (5, -2, 6), (2, 5, 1), (2, 5, 0), (0, 1000, 101)]
    cases += [(float(rng.uniform(-10, 10)), float(rng.uniform(-10, 10)), int(rng.integers(2, 3000))) for _ in range(20)]
    for s, e, n in cases:
        both(lambda L: L.linspace(s, e, n, **({} if dtype is None else {'dtype': getattr(L, dtype)})))
    both(lambda L: L.linspace(L.tensor(0.), L.tensor(1.), 5))
    check_error(lambda L: L.linspace(5, -2, -1), RuntimeError, 'number of steps must be non-negative')


def test_logspace():
    both(lambda L: L.logspace(0, 2, 5), atol=0, rtol=1e-6)
    both(lambda L: L.logspace(0, 3, 4, base=2), rtol=1e-6)
    both(lambda L: L.logspace(-2, 2, 9, dtype=L.float64), rtol=1e-12)
    both(lambda L: L.logspace(0, 3, 4, dtype=L.int64))


def test_default_dtype_effects():
    def f(L):
        L.set_default_dtype(L.float64)
        try:
            return [L.tensor([1.5]), L.tensor(np.array([1.5], np.float32)), L.arange(0, 1, 0.25), L.arange(3),
                    L.zeros(2), L.full((1,), 2.5), L.linspace(0, 1, 3), L.tensor([1j]), L.tensor([1]) / 2, L.eye(1),
                    L.ones(1) + 1, L.tensor([1]) * 0.5, L.empty(1).dtype, L.Tensor([1]).dtype]
        finally:
            L.set_default_dtype(L.float32)
    both(f)
