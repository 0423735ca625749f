import itertools
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
