"""repr(tensor) must equal torch's, character for character."""
import math
import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
import ember

INF, NAN = math.inf, math.nan


def pair(data, dtype='float32'):
    """The same values as a torch tensor and an ember tensor (bfloat16 via float32, which holds it exactly)."""
    a = np.asarray(data)
    if dtype == 'bfloat16':
        a32 = a.astype(np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)
        return torch.from_numpy(a32.copy()).to(torch.bfloat16), ember.from_numpy(a32.astype(ml_dtypes.bfloat16))
    a = a.astype(dtype)
    return torch.from_numpy(a.copy()), ember.from_numpy(a.copy())


def same_repr(t, e):
    assert repr(e) == repr(t), f"\nember:\n{e!r}\ntorch:\n{t!r}"
    assert str(e) == str(t)


@pytest.fixture(autouse=True)
def default_print_options():
    yield
    torch.set_printoptions(profile='default')
    ember.set_printoptions(profile='default')
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


CASES = [
    ([1.0, 2.0, 3.0], 'float32'),
    (2.5, 'float32'),
    (-0.0, 'float32'),
    (3.0, 'float64'),
    (1e-5, 'float32'),
    (123456789.0, 'float32'),
    ([1.5, -2.25, 3.125], 'float32'),
    ([0.1, 1000.0], 'float32'),                  # ratio 10000 > 1000: scientific
    ([0.5, 400.0], 'float32'),                   # ratio 800: fixed
    ([1e8, 1.0], 'float64'),
    ([2e8, 3e8], 'float32'),                     # > 1e8: scientific even for integers
    ([1e-4, 2e-4], 'float32'),
    ([5e-5, 1.0], 'float32'),
    ([NAN, INF, -INF, 1.0], 'float32'),
    ([NAN, INF, -INF, 1.5], 'float32'),
    ([NAN, INF, -INF], 'float64'),
    ([0.0, -0.0, 0.0], 'float32'),
    ([-0.0, 1.0, -2.0], 'float32'),
    ([[1.0, -2.0], [3.0, 4.5]], 'float32'),
    ([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], 'float64'),
    ([[[[1.5]]]], 'float32'),
    ([1.0, 2.0, 3.5], 'float16'),
    ([1.0, 2.0, 3.5, 65504.0], 'float16'),
    ([1.1, 2.2, 3.3e-3], 'bfloat16'),
    (1.0, 'bfloat16'),
    ([1, 2, 3], 'int64'),
    ([-1, 200, 3], 'int32'),
    ([[-1, 2], [3, -400]], 'int16'),
    ([1, 2], 'int8'),
    ([1, 255], 'uint8'),
    (7, 'int64'),
    (-7, 'int32'),
    ([True, False], 'bool'),
    ([[True], [True]], 'bool'),
    (True, 'bool'),
    ([1 + 2j, -3j, 0.5], 'complex64'),
    ([1 + 2j, -3j, 0.5], 'complex128'),
    ([complex(NAN, 1), complex(1, INF), complex(-0.0, -0.0)], 'complex64'),
    ([1e-6 + 1e6j, 2 + 3j], 'complex64'),
    (1 - 1j, 'complex64'),
    ([[1 + 1j, 2], [3j, -4]], 'complex128'),
    (np.linspace(-1, 1, 50), 'float32'),         # wraps at 80 characters
    (np.linspace(-1e5, 1e5, 40), 'float64'),
    (np.arange(100), 'int64'),
    (np.arange(2000), 'int64'),                  # summarised
    (np.arange(2000) * 1.5, 'float32'),
    (np.arange(1500).reshape(30, 50), 'float32'),
    (np.arange(3000).reshape(10, 30, 10) / 7, 'float64'),
    (np.arange(1200).reshape(2, 600) % 2 == 0, 'bool'),
    (np.arange(1100).reshape(1100, 1), 'int32'),
    (np.arange(2000) * (1 + 1j), 'complex64'),
    (np.full(1001, 3.0), 'float16'),
]


@pytest.mark.parametrize('data,dtype', CASES, ids=[f'{i}-{d}' for i, (_, d) in enumerate(CASES)])
def test_repr_matches_torch(data, dtype):
    same_repr(*pair(data, dtype))


@pytest.mark.parametrize('shape', [(0,), (0, 3), (2, 0), (1, 0, 2), (0, 0)])
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'int32', 'bool', 'complex64'])
def test_empty(shape, dtype):
    same_repr(*pair(np.zeros(shape), dtype))


def test_requires_grad_and_grad_fn():
    for lib in (torch, ember):
        lib.manual_seed(0)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    same_repr(t, e)
    same_repr(t * 2, e * 2)
    same_repr(t + t, e + e)
    same_repr(t.exp(), e.exp())
    same_repr((t * 2).detach(), (e * 2).detach())
    same_repr(torch.tensor(3.0, requires_grad=True) * 1, ember.tensor(3.0, requires_grad=True) * 1)
    t64 = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    e64 = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    same_repr(t64, e64)
    same_repr(t64 * 3, e64 * 3)
    # a long first line pushes the suffixes onto their own lines
    tl = torch.linspace(0, 1, 12, dtype=torch.float64, requires_grad=True)
    el = ember.linspace(0, 1, 12, dtype=ember.float64, requires_grad=True)
    same_repr(tl, el)
    same_repr(tl * 2, el * 2)
    same_repr(torch.zeros(0, 2, requires_grad=True), ember.zeros(0, 2, requires_grad=True))


@pytest.mark.parametrize('opts', [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(threshold=5), dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0), dict(edgeitems=0), dict(linewidth=30), dict(linewidth=200),
    dict(sci_mode=True), dict(sci_mode=False), dict(profile='short'), dict(profile='full'),
    dict(profile='short', precision=6)])
def test_print_options(opts):
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)
    for data, dtype in [(np.linspace(-3, 3, 11), 'float32'), (np.arange(24).reshape(2, 3, 4), 'int64'),
                        (np.arange(24).reshape(4, 6) * 1e-3, 'float64'), (np.arange(1500) / 3, 'float32'),
                        ([1e-6 + 2j, 3 - 4j], 'complex64'), ([1.0, 2.0], 'float32'), (2.5, 'float32'),
                        (np.arange(12).reshape(2, 6) % 3 == 0, 'bool'), (np.arange(2500).reshape(50, 50), 'int32')]:
        same_repr(*pair(data, dtype))


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    for data, dtype in [([1.5, 2.0], 'float64'), ([1.5, 2.0], 'float32'), ([1 + 1j], 'complex128'),
                        ([1 + 1j], 'complex64'), (np.zeros(0), 'float32'), (np.zeros(0), 'float64')]:
        same_repr(*pair(data, dtype))


def test_docstring_examples():
    import doctest
    import ember._tensor_str as mod
    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0
    ember.set_printoptions(threshold=5)
    torch.set_printoptions(threshold=5)
    assert repr(ember.arange(10)) == repr(torch.arange(10)) == 'tensor([0, 1, 2,  ..., 7, 8, 9])'


def test_str_and_format():
    t, e = pair([[1.0, 2.5], [3.0, 4.0]])
    assert str(e) == str(t)
    assert f"{e}" == f"{t}"
    assert f"{ember.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"


def test_non_contiguous_and_views():
    a = np.arange(24, dtype=np.float32).reshape(4, 6) / 4
    same_repr(torch.from_numpy(a.copy()).t(), ember.from_numpy(np.asfortranarray(a.T)))
    same_repr(torch.from_numpy(a.copy())[:, ::2], ember.from_numpy(a.copy()[:, ::2]))


_DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int8', 'uint8', 'bool', 'complex64',
           'complex128']


@st.composite
def tensors(draw):
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=3)))
    if draw(st.integers(0, 9)) == 0:   # sometimes big enough to summarise
        shape = tuple(draw(st.lists(st.integers(1, 30), min_size=1, max_size=3)))
    n = int(np.prod(shape))
    dtype = draw(st.sampled_from(_DTYPES))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    style = draw(st.sampled_from(['normal', 'magnitudes', 'integers', 'specials', 'decimals']))
    if style == 'normal':
        a = rng.standard_normal(n)
    elif style == 'magnitudes':
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n)
    elif style == 'integers':
        a = rng.integers(-10 ** draw(st.integers(1, 9)), 10 ** 6, n).astype(float)
    elif style == 'specials':
        a = rng.choice([0.0, -0.0, NAN, INF, -INF, 1.0, -2.5, 1e-5, 123456789.0, 0.1], n)
    else:
        a = np.round(rng.standard_normal(n) * 10.0 ** draw(st.integers(-3, 6)), draw(st.integers(0, 4)))
    if dtype in ('int64', 'int32', 'int8', 'uint8', 'bool'):
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
        a = np.clip(np.abs(a) if dtype == 'uint8' else a, -100 if dtype == 'int8' else -1e9, 100 if 'int8' in dtype
                    else 1e9)
    if dtype.startswith('complex'):
        a = a + 1j * rng.choice([0.0, -0.0, 1.0, -2.5, 1e-6, NAN, 3e9, -INF], n)
    return a.reshape(shape), dtype


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tensors(), st.sampled_from([None, dict(precision=2), dict(sci_mode=False), dict(linewidth=40),
                                   dict(threshold=10, edgeitems=2), dict(precision=6, sci_mode=True)]))
def test_repr_hypothesis(case, opts):
    data, dtype = case
    torch.set_printoptions(**(opts or dict(profile='default')))
    ember.set_printoptions(**(opts or dict(profile='default')))
    try:
        same_repr(*pair(data, dtype))
    finally:
        torch.set_printoptions(profile='default')
        ember.set_printoptions(profile='default')
