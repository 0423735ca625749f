"""Regression tests for differences from torch found by differential fuzzing of the core ops
(elementwise, reductions, sorting, shape and indexing ops, type promotion)."""
import math
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same

NAN, INF = math.nan, math.inf


def run(fn, *args, grad=False):
    """fn(lib, *tensors) in both libraries on the same arrays; compares results (and d sum(out * r)/d inputs)."""
    outs = []
    for lib in (torch, ember):
        ts = [lib.tensor(a, requires_grad=grad and np.asarray(a).dtype.kind == 'f') if isinstance(a, np.ndarray) else a
              for a in args]
        out = fn(lib, *ts)
        if grad:
            r = np.random.default_rng(0).uniform(-1, 1, tuple(out.shape))
            leaves = [t for t in ts if isinstance(t, lib.Tensor) and t.requires_grad]
            out = (out, lib.autograd.grad((out * lib.tensor(r, dtype=out.dtype)).sum(), leaves))
        outs.append(out)
    assert_same(outs[0], outs[1], atol=1e-6, rtol=1e-5)


def raises_same(fn, *args):
    """torch raises; ember raises the same exception class."""
    with pytest.raises(Exception) as te:
        fn(torch, *[torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    with pytest.raises(type(te.value)):
        fn(ember, *[ember.tensor(a) if isinstance(a, np.ndarray) else a for a in args])


C = np.array([1 + 2j, -0.5 + 0.25j, 0j], dtype=np.complex64)


# --- elementwise ------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['floor', 'ceil', 'trunc', 'fix', 'round', 'frac', 'erf', 'erfc', 'erfinv',
                                  'lgamma', 'digamma', 'sign', 'signbit', 'isposinf', 'isneginf'])
def test_unary_refuses_complex(name):
    raises_same(lambda lib, x: getattr(lib, name)(x), C)


@pytest.mark.parametrize('name', ['atan2', 'hypot', 'floor_divide', 'fmod', 'remainder', 'maximum', 'minimum',
                                  'fmax', 'fmin'])
def test_binary_refuses_complex(name):
    raises_same(lambda lib, x: getattr(lib, name)(x, x), C)


def test_sign_of_0d_nan_with_grad():
    run(lambda lib, x: lib.sign(x) + lib.sgn(x), np.array(NAN, dtype=np.float32), grad=True)


@pytest.mark.parametrize('name', ['eq', 'lt', 'ge', 'logical_and', 'logical_xor', 'bitwise_and', 'isclose'])
def test_no_grad_binary_broadcast_error_is_runtime_error(name):
    raises_same(lambda lib, a, b: getattr(lib, name)(a, b), np.ones((2, 3), np.int64), np.ones((3, 2), np.int64))


@pytest.mark.parametrize('name', ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or'])
def test_comparison_with_number_first_is_type_error(name):
    raises_same(lambda lib, a: getattr(lib, name)(2, a), np.arange(3))


def test_logical_ops_take_no_numbers_but_bitwise_ops_do():
    raises_same(lambda lib, a: lib.logical_or(a, 1), np.arange(3))
    run(lambda lib, a: (lib.bitwise_and(6, a), lib.bitwise_xor(a, 3), 2 == a, 2 < a), np.arange(5))


def test_floor_divide_is_pythons_floor_division():
    a = np.array([-5., 5., 1., 1., 0.7, INF, -7.5, 3.], np.float32)
    b = np.array([INF, INF, 0.1, -0.0, 0.1, 2., 0.5, 0.], np.float32)
    run(lambda lib, a, b: (lib.floor_divide(a, b), a // b, lib.div(a, b, rounding_mode='floor')), a, b)
    run(lambda lib, a, b: lib.floor_divide(a, b), a.astype(np.float64), b.astype(np.float64))


def test_remainder_gradient_of_divisor_uses_floor_division():
    run(lambda lib, a, b: lib.remainder(a, b), np.array([-1., 3., 7., -7.]), np.array([INF, INF, 2.5, 2.5]), grad=True)


def test_negative_zero_constants_stay_apart_from_zero():
    # a cache of 0-d constants keyed by value (where -0.0 == 0.0) handed -0.0 to later uses of 0.0
    run(lambda lib, t: (t * -0.0, t * 0.0, lib.float_power(0, lib.tensor([-3])), t + (-0.0),
                        lib.float_power(-0.0, lib.tensor([-3]))), np.array([1., 2.], np.float32))


def test_clamp_refuses_complex():
    raises_same(lambda lib, x: lib.clamp(x, min=0), C)
    raises_same(lambda lib, x: lib.clamp_max(x, 1), C)


# --- reductions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('correction', [3, 4, 5])
@pytest.mark.parametrize('name', ['var', 'std'])
def test_var_gradient_divides_by_unclamped_degrees_of_freedom(name, correction):
    # the value divides by max(N - correction, 0); the gradient by N - correction itself
    x = np.random.default_rng(1).uniform(-1, 1, (3, 4))
    with pytest.warns(UserWarning):
        run(lambda lib, x: getattr(lib, name)(x, 0, correction=correction), x, grad=True)


@pytest.mark.parametrize('fn', [lambda lib, x: lib.amax(x, 1), lambda lib, x: lib.all(x, 1), lambda lib, x: lib.any(x, -2),
                                lambda lib, x: lib.count_nonzero(x, 1), lambda lib, x: lib.logsumexp(x, 1),
                                lambda lib, x: lib.prod(x, 1), lambda lib, x: lib.var(x, 1), lambda lib, x: lib.std(x, -2),
                                lambda lib, x: lib.nansum(x, 1), lambda lib, x: lib.aminmax(x, dim=1),
                                lambda lib, x: lib.amin(x, (0, 0)), lambda lib, x: lib.all(x, (0, -1)),
                                lambda lib, x: lib.var(x, (0, 0)), lambda lib, x: lib.flatten(x, 1)])
def test_zero_dim_input_still_checks_dim(fn):
    raises_same(fn, np.array(2.5))


def test_zero_dim_reductions_accept_dims_0_and_minus_1():
    run(lambda lib, x: (lib.amax(x, 0), lib.all(x, -1), lib.prod(x, 0, keepdim=True), lib.var(x, (0,), correction=0),
                        lib.count_nonzero(x, -1), lib.logsumexp(x, 0), lib.flatten(x, 0), lib.flip(x, (0,)),
                        x.flip(-1)), np.array(2.5))


def test_flip_function_takes_a_sequence_of_dims():
    raises_same(lambda lib, x: lib.flip(x, -1), np.ones((2, 3)))
    run(lambda lib, x: (lib.flip(x, [1]), x.flip(0, 1), x.flip((0,))), np.arange(6.).reshape(2, 3))


@pytest.mark.parametrize('fn', [lambda lib, x: lib.max(x), lambda lib, x: lib.max(x, 0), lambda lib, x: lib.amin(x),
                                lambda lib, x: lib.argmax(x), lambda lib, x: lib.argmin(x, 0),
                                lambda lib, x: lib.aminmax(x), lambda lib, x: lib.median(x),
                                lambda lib, x: lib.nanmedian(x, 0), lambda lib, x: lib.mode(x),
                                lambda lib, x: lib.cummax(x, 0), lambda lib, x: lib.cummin(x, 0),
                                lambda lib, x: lib.nansum(x), lambda lib, x: lib.nanmean(x, 0)])
def test_ordering_reductions_refuse_complex(fn):
    raises_same(fn, C)


@pytest.mark.parametrize('fn', [lambda lib, x: lib.argmax(x, 1), lambda lib, x: lib.max(x, 2),   # argmax: complex first
                                lambda lib, x: lib.amax(x, 1), lambda lib, x: lib.median(x, (0,)),
                                lambda lib, x: lib.cummax(x, 1), lambda lib, x: lib.nansum(x, 3),
                                lambda lib, x: lib.aminmax(x, dim=(0,))])
def test_dim_errors_and_the_complex_refusal_in_torchs_order(fn):
    raises_same(fn, C)


def test_topk_and_kthvalue_refuse_bool():
    raises_same(lambda lib, x: lib.topk(x, 1), np.array([True, False]))
    raises_same(lambda lib, x: lib.kthvalue(x, 1), np.array([True, False]))


# --- shape ops ----------------------------------------------------------------------------------------
def test_view_dtype_of_another_element_size():
    x = np.arange(12, dtype=np.float64).reshape(2, 6)
    run(lambda lib, x: (x.view(lib.int32), x.view(lib.float32), x.view(lib.int8)[:, :3], x.view(lib.complex128),
                        x[:, :2].view(lib.int16)), x)
    run(lambda lib, x: x.view(lib.int64), np.arange(16, dtype=np.int8).reshape(2, 8))
    for bad in (lambda lib, x: x.t().view(lib.int32), lambda lib, x: x[:, :3].view(lib.complex128),
                lambda lib, x: x[0, 0].view(lib.int32)):
        raises_same(bad, x)


def test_view_dtype_result_does_not_require_grad():
    for lib in (torch, ember):
        x = lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        assert not x.view(lib.int64).requires_grad and not x.view(lib.int32).requires_grad
        assert tuple(x.view(lib.int32).shape) == (2, 8)


# --- indexing -----------------------------------------------------------------------------------------
@pytest.mark.parametrize('index', [[[0, 1], [2, 3]], ([0, 5],), (0, slice(None), [0, 2]), [True, False, True, False],
                                   'int0d', 'bool0d', 'mask2d_after_int', 'mask1d', (0.5,)])
def test_setitem_with_a_value_tensor_of_another_dtype(index):
    # index_put_ refuses another dtype before it checks bounds; a bool mask (masked_fill) and a 0-d int tensor
    # (an int) cast the value
    def fn(lib):
        idx = {'int0d': lambda: lib.tensor(1), 'bool0d': lambda: lib.tensor(True),
               'mask2d_after_int': lambda: (1, lib.tensor(np.arange(15).reshape(3, 5) % 2 == 0)),
               'mask1d': lambda: lib.tensor([True, False, True, True])}.get(index, lambda: index)() \
            if isinstance(index, str) else index
        x = lib.zeros(4, 3, 5, dtype=lib.int64)
        x[idx] = lib.tensor(-3.0)
        return x
    try:
        expected = fn(torch)
    except Exception as e:
        with pytest.raises(type(e)):
            fn(ember)
        return
    assert_same(expected, fn(ember))


def test_comparison_operators_with_foreign_operands_defer_to_python():
    # torch's comparison operators give NotImplemented for None, str, lists and other objects: == is False,
    # != True, `in` works on mixed lists, and ordering raises Python's TypeError
    import numpy as np
    for lib in (torch, ember):
        t = lib.ones(2)
        assert (t == None) is False and (t != None) is True and (t == 'a') is False   # noqa: E711
        assert (t == [1, 2]) is False and t not in [None, 'a']
        with pytest.raises(TypeError, match="'<' not supported"):
            t < 'a'
        assert (t == np.ones(2)).all() and (t == np.float32(1)).all()
