"""ember.testing against torch.testing: same verdicts, same exception classes, same messages."""
import math
import numpy as np
import pytest
import torch
import ember

INF, NAN = math.inf, math.nan


def outcome(fn, lib):
    try:
        fn(lib)
    except Exception as e:   # noqa: BLE001 - the class and text are what is compared
        text = str(e).replace("<class 'ember.tensor.Tensor'>", "<class 'torch.Tensor'>")
        text = text.replace("<class 'ember.nn.parameter.Parameter'>", "<class 'torch.nn.parameter.Parameter'>")
        return type(e), text
    return None


def same_outcome(fn):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert e == t, f"ember: {e}\ntorch: {t}"
    return t


def resolve(x, lib):
    """Build the inputs for one library: callables (tensor makers) are called, structures rebuilt."""
    if callable(x):
        return x(lib)
    if isinstance(x, (list, tuple)):
        return type(x)(resolve(v, lib) for v in x)
    if isinstance(x, dict):
        return {k: resolve(v, lib) for k, v in x.items()}
    return x


def close(*args, **kwargs):
    return lambda lib: lib.testing.assert_close(*(resolve(a, lib) for a in args), **kwargs)


def T(data, dtype=None):
    """A tensor of data in whichever library is being tested."""
    return lambda lib: lib.tensor(data, dtype=None if dtype is None else getattr(lib, dtype))


MISMATCHES = [
    close(T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0])),
    close(T([[1.0, 2.0], [3.0, 4.0]]), T([[1.0, 2.0], [3.0, 4.01]])),
    close(T([1.0, 2.0, 3.0], 'float64'), T([1.0, 2.0 + 1e-6, 3.5], 'float64')),
    close(T([1.0, 2.0, 3.0], 'float16'), T([1.0, 2.01, 3.0], 'float16')),
    close(T([1.0, 2.0, 3.0], 'bfloat16'), T([1.0, 2.5, 3.0], 'bfloat16')),
    close(T([1 + 1j, 2 + 0j]), T([1 + 1j, 2 + 0.5j])),
    close(T([1, 2, 3]), T([1, 5, 4])),
    close(T([1, 2, 0]), T([1, 2, 3], 'int32'), check_dtype=False),
    close(T([True, False]), T([True, True])),
    close(T([1.0, NAN, 3.0]), T([1.0, NAN, 3.0])),
    close(T([1.0, 2.0, 3.0]), T([1.0, NAN, 3.0])),
    close(T([1.0, INF, 3.0]), T([1.0, -INF, 3.0])),
    close(T([0.0, 1.0]), T([1e-3, 1.0])),
    close(T(1.0), T(1.5)),
    close(T(NAN), T(NAN)),
    close(T([1.0, 2.0]), T([1.0, 2.1]), rtol=0, atol=0),
    close(T([1.0, 2.0]), T([1.0, 2.5]), rtol=0.1, atol=0.1),
    close(T([1.0, 2.0]), T([1.0, 2.0], 'float64')),
    close(T([1.0, 2.0]), T([1.0, 2.0, 3.0])),
    close(T([1.0, 2.0]), T([1.0, 2.5], 'float64'), check_dtype=False),
    close(lambda lib: lib.ones(2, 3), lambda lib: lib.ones(3, 2).t(), check_stride=True),
    close(lambda lib: lib.ones(2, 3), lambda lib: lib.ones(3, 2).t()),
    close(T([1.0, 2.0]), T([1.0, 2.5]), rtol=1e-3),
    close(T([1.0, 2.0]), T([1.0, 2.5]), atol=1e-3),
    close(T([1.0, 2.0]), T([1.0, 2.5]), msg="Custom message"),
    close(T([1.0, 2.0]), T([1.0, 2.5]), msg=lambda m: "Header\n\n" + m + "\n\nFooter"),
    close(1.0, 1.5),
    close(1, 2),
    close(1.0, 1),
    close(1.0, 1, check_dtype=False),
    close(1 + 1j, 1 + 2j),
    close(NAN, NAN),
    close(NAN, NAN, equal_nan=True),
    close(np.float32(1.0), np.float32(1.0 + 1e-6)),
    close(True, False),
    close(None, 1),
    close(None, None),
    close(np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    close(np.array([1.0, 2.0], np.float32), T([1.0, 2.0])),
    close(T([1.0]), 1.0),
    close('a', 'a'),
    close([T([1.0]), 2.0, (3.0, T([4.0]))], [T([1.0]), 2.0, (3.0, T([4.5]))]),
    close([1.0, 2.0], [1.0]),
    close({'a': T([1.0]), 'b': {'c': 2.0}}, {'a': T([1.0]), 'b': {'c': 2.5}}),
    close({'a': 1.0, 'b': 2.0}, {'a': 1.0, 'c': 2.0}),
    close({'a': 1.0}, {'a': 1.0, 'b': 2.0}, msg='ignored for structure errors'),
    close(lambda lib: lib.nn.Parameter(lib.ones(2)), lambda lib: lib.ones(2)),
    close(lambda lib: lib.nn.Parameter(lib.ones(2)), lambda lib: lib.ones(2), allow_subclasses=False),
    close(lambda lib: lib.arange(24.0).reshape(2, 3, 4), lambda lib: lib.arange(24.0).reshape(2, 3, 4) * 1.001),
    close(lambda lib: lib.ones(2, requires_grad=True), T([1.0, 1.0])),
]


@pytest.mark.parametrize('case', range(len(MISMATCHES)))
def test_assert_close_matches_torch(case):
    same_outcome(MISMATCHES[case])


def test_mismatch_report_text():
    kind, text = same_outcome(close(T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0])))
    assert kind is AssertionError
    assert text == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
                    "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
                    "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")


PASSING = [
    close(T([1.0, 2.0]), T([1.0, 2.0 + 1e-6])),
    close(T([1.0, NAN]), T([1.0, NAN]), equal_nan=True),
    close(T([INF, -INF]), T([INF, -INF])),
    close(np.array([1.0, 2.0]), np.array([1.0, 2.0])),
    close(2.0 / math.sqrt(2.0), math.sqrt(2.0)),
    close([T([1.0]), 2.0, np.array(3.0)], (T([1.0]), 2.0, np.array(3.0))),
    close({'x': T([1.0]), 'y': 2}, {'y': 2, 'x': T([1.0])}),
    close(T([1.0, 2.0]), T([1.0, 2.0], 'float64'), check_dtype=False),
    close(T([1, 2]), T([1.0, 2.0]), check_dtype=False),
    close(T([1.0, 2.0], 'bfloat16'), T([1.0, 2.01], 'bfloat16')),
    close(T([1.0, 2.0]), T([1.0, 2.4]), rtol=0.0, atol=0.5),
]


@pytest.mark.parametrize('case', range(len(PASSING)))
def test_assert_close_passes(case):
    assert same_outcome(PASSING[case]) is None


def test_default_tolerances_per_dtype():
    # just outside and just inside each dtype's default tolerance at 1.0 (atol + rtol * 1)
    for dt, (rtol, atol) in {'float16': (1e-3, 1e-5), 'float32': (1.3e-6, 1e-5), 'float64': (1e-7, 1e-7),
                             'complex64': (1.3e-6, 1e-5), 'complex128': (1e-7, 1e-7)}.items():
        tol = rtol + atol
        for delta in (tol * 0.5, tol * 3):
            same_outcome(close(T([1.0], dt), T([1.0 + delta], dt)))


def test_make_tensor():
    from ember.testing import make_tensor
    ember.manual_seed(0)
    for dt in (ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.complex64):
        t = make_tensor(3, 4, dtype=dt, device='cpu')
        assert t.shape == (3, 4) and t.dtype == dt
        re = ember.view_as_real(t) if dt.is_complex else t.float()
        assert bool(((re >= -9) & (re <= 9)).all())
    t = make_tensor((2, 5), dtype=ember.int64, device='cpu', low=3, high=6)
    assert t.dtype == ember.int64 and bool(((t >= 3) & (t < 6)).all())
    t = make_tensor([4], dtype=ember.uint8, device='cpu')
    assert bool(((t >= 0) & (t < 10)).all())
    t = make_tensor(6, dtype=ember.bool, device='cpu')
    assert t.dtype == ember.bool
    t = make_tensor(2, 3, dtype=ember.float32, device='cpu', noncontiguous=True)
    assert not t.is_contiguous() and t.shape == (2, 3)
    assert make_tensor(1, dtype=ember.float32, device='cpu', noncontiguous=True).is_contiguous()
    t = make_tensor(200, dtype=ember.int8, device='cpu', low=-1, high=1, exclude_zero=True)
    assert not bool((t == 0).any())
    t = make_tensor(3, dtype=ember.float32, device='cpu', requires_grad=True, low=-1, high=1)
    assert t.requires_grad and t.is_leaf
    t = make_tensor(3, dtype=ember.float32, device='cpu', low=-1e40, high=1e40)
    assert bool(ember.isfinite(t).all())
    ember.manual_seed(1)
    a = make_tensor(5, dtype=ember.float32, device='cpu')
    ember.manual_seed(1)
    assert ember.equal(a, make_tensor(5, dtype=ember.float32, device='cpu'))


@pytest.mark.parametrize('kwargs', [dict(dtype='int64', requires_grad=True), dict(dtype='float32', low=2, high=1),
                                    dict(dtype='float32', low=NAN), dict(dtype='uint8', low=300, high=400)])
def test_make_tensor_errors(kwargs):
    def fn(lib):
        kw = dict(kwargs, dtype=getattr(lib, kwargs['dtype']))
        lib.testing.make_tensor(3, device='cpu', **kw)
    same_outcome(fn)
