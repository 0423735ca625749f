import itertools
import numpy as np
import pytest
import torch
import ember

NAMES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64',
         'complex64', 'complex128']


@pytest.mark.parametrize('a,b', list(itertools.product(NAMES, NAMES)))
def test_promote_types_matches_torch(a, b):
    want = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert repr(ember.promote_types(getattr(ember, a), getattr(ember, b))) == repr(want)


def test_default_dtype_roundtrip():
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.get_default_dtype() is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)


# --- torch's shell unsigned dtypes (uint16/32/64) -------------------------------------------------------
WIDE_UNSIGNED = ['a', 'a.dtype', 'a * 2', 'a.float()', 'a.to(L.int64)', 'a.sum()', 'a / 2', 'a[1:]', 'a == 2',
                 "L.tensor([1, 2], dtype=L.uint32)", 'L.zeros(2, dtype=L.uint64)', 'a & 3', 'L.cat([a, a])',
                 'a.sort().values', 'a.float() / 65535', 'L.iinfo(L.uint16)', 'a.dtype.is_signed', 'a + 1.5',
                 'L.promote_types(L.uint32, L.float16)', 'a.view(L.int16)', 'a.unique()', 'a.cumsum(0)',
                 'L.ones(2, dtype=L.uint64).tolist()', 'a.type()', 'a.to(L.float64).mean()']


@pytest.mark.parametrize('expr', WIDE_UNSIGNED)
def test_wide_unsigned_like_torch(expr):
    out = []
    for L in (torch, ember):
        a = L.from_numpy(np.array([1, 2, 60000], dtype=np.uint16))
        out.append(repr(eval(expr)))
    assert out[1] == out[0]


@pytest.mark.parametrize('other', ['bool_', 'uint8', 'int32', 'int64', 'uint32', 'complex64'])
def test_wide_unsigned_promotion_is_refused(other):
    for L in (torch, ember):
        with pytest.raises(RuntimeError, match='Promotion for uint16, uint32, uint64 types is not supported'):
            L.promote_types(L.uint16, getattr(L, other.rstrip('_')))
