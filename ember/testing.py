"""torch.testing: `assert_close` with torch's default tolerances and mismatch report, and `make_tensor`.

assert_close pairs up the leaves of (possibly nested) sequences and mappings and compares each pair:
None with None, bools by identity, Python/NumPy numbers as scalars, and directly related tensor-likes
(ember Tensors, NumPy arrays) by their attributes, then their values. The first mismatch raises an
AssertionError whose text is torch's, word for word.
"""
import cmath
import collections.abc
import contextlib
import functools
import math
import warnings
from . import _dtype
from .tensor import Tensor
from .backend import xp_of

__all__ = ['assert_close', 'make_tensor']

# {dtype: (rtol, atol)}: torch's defaults; every other dtype (integers, bool) compares exactly
_DTYPE_PRECISIONS = {
    _dtype.float16: (0.001, 1e-5),
    _dtype.bfloat16: (0.016, 1e-5),
    _dtype.float32: (1.3e-6, 1e-5),
    _dtype.float64: (1e-7, 1e-7),
    _dtype.complex64: (1.3e-6, 1e-5),
    _dtype.complex128: (1e-7, 1e-7),
}
# the dtype a Python number stands for, when choosing its default tolerances
_NUMBER_DTYPES = {int: _dtype.int64, float: _dtype.float64, complex: _dtype.complex128}


class _Mismatch(Exception):
    """A failed comparison: the exception class to raise, its message, and where in the inputs it happened."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    """This kind of pair cannot hold these inputs: try the next kind."""


def _default_tolerances(*dtypes):
    rtols, atols = zip(*[_DTYPE_PRECISIONS.get(d, (0.0, 0.0)) for d in dtypes])
    return max(rtols), max(atols)


def _tolerances(*dtypes, rtol, atol, id):
    if (rtol is None) ^ (atol is None):
        # one tolerance alone misleads: atol=0 would still pass values within the default rtol
        raise _Mismatch(ValueError, f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                    f"{'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None:
        return rtol, atol
    return _default_tolerances(*dtypes)


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        msg = f"{kind.title()} difference: {diff}" if idx is None else \
            f"Greatest {kind} difference: {diff} at index {idx}"
        return msg + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg('absolute', abs_diff, abs_idx, atol)
    msg += diff_msg('relative', rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = math.inf if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg('Scalars', f"Expected {expected} but got {actual}.", abs_diff, None, atol, rel_diff, None,
                         rtol)


def _tensor_mismatch_msg(a, e, matches, rtol, atol):
    """torch's report: how many elements differ, and the greatest absolute and relative differences with their
    indices, computed in the tensors' dtype (integers in int64, their ratio in the default float dtype)."""
    xp = xp_of(a)
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    a, e, m = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if a.dtype.kind in 'biu':
        a, e = a.astype(xp.int64), e.astype(xp.int64)
    abs_diff = xp.abs(a - e)
    abs_diff[m] = 0
    if abs_diff.dtype.kind in 'iu':
        f = _dtype._default[0].np
        rel_diff = abs_diff.astype(f) / xp.abs(e).astype(f)
    else:
        rel_diff = abs_diff / xp.abs(e)
    rel_diff[m] = 0
    i, j = int(xp.argmax(abs_diff)), int(xp.argmax(rel_diff))   # NaN counts as the greatest, as in torch.max

    def index(flat):
        return tuple(int(k) for k in xp.unravel_index(flat, matches.shape))
    return _mismatch_msg('Tensor-likes', extra, abs_diff[i].item(), index(i), atol, rel_diff[j].item(), index(j),
                         rtol)


# --- pairs: one kind of leaf each --------------------------------------------------------------
class _NonePair:
    def __init__(self, actual, expected, id, **options):
        if not (actual is None or expected is None):
            raise _Unsupported
        self.actual, self.expected, self.id = actual, expected, id

    def compare(self):
        if not (self.actual is None and self.expected is None):
            raise _Mismatch(AssertionError, f"None mismatch: {self.actual} is not {self.expected}", self.id)


class _BooleanPair:
    def __init__(self, actual, expected, id, **options):
        np_bool = _numpy().bool_
        if not all(isinstance(x, (bool, np_bool)) for x in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected, self.id = bool(actual), bool(expected), id

    def compare(self):
        if self.actual is not self.expected:
            raise _Mismatch(AssertionError, f"Booleans mismatch: {self.actual} is not {self.expected}", self.id)


class _NumberPair:
    def __init__(self, actual, expected, id, rtol=None, atol=None, equal_nan=False, check_dtype=False, **options):
        np_number = _numpy().number
        if not all(isinstance(x, (int, float, complex, np_number)) for x in (actual, expected)):
            raise _Unsupported
        self.actual, self.expected = (x.item() if isinstance(x, np_number) else x for x in (actual, expected))
        self.id = id
        self.rtol, self.atol = _tolerances(*(_NUMBER_DTYPES[type(x)] for x in (self.actual, self.expected)),
                                           rtol=rtol, atol=atol, id=id)
        self.equal_nan, self.check_dtype = equal_nan, check_dtype

    def compare(self):
        a, e = self.actual, self.expected
        if self.check_dtype and type(a) is not type(e):
            raise _Mismatch(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", self.id)
        if a == e:
            return
        if self.equal_nan and cmath.isnan(a) and cmath.isnan(e):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= self.atol + self.rtol * abs(e):
            return
        raise _Mismatch(AssertionError, _scalar_mismatch_msg(a, e, self.rtol, self.atol), self.id)


class _TensorLikePair:
    def __init__(self, actual, expected, id, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, **options):
        if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
            raise _Unsupported
        if not allow_subclasses and type(actual) is not type(expected):
            raise _Unsupported
        self.actual, self.expected = _to_tensor(actual), _to_tensor(expected)
        self.id = id
        self.rtol, self.atol = _tolerances(self.actual.dtype, self.expected.dtype, rtol=rtol, atol=atol, id=id)
        self.equal_nan, self.check_device, self.check_dtype = equal_nan, check_device, check_dtype
        self.check_stride = check_stride

    def _attribute_mismatch(self, name, a, e):
        raise _Mismatch(AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", self.id)

    def compare(self):
        a, e = self.actual, self.expected
        if a.shape != e.shape:
            self._attribute_mismatch('shape', a.shape, e.shape)
        if self.check_stride and a.stride() != e.stride():
            self._attribute_mismatch('stride()', a.stride(), e.stride())
        if self.check_device and a.device != e.device:
            self._attribute_mismatch('device', a.device, e.device)
        if self.check_dtype and a.dtype != e.dtype:
            self._attribute_mismatch('dtype', a.dtype, e.dtype)
        ad, ed = a.detach()._data, e.detach()._data
        if a.dtype != e.dtype:
            common = _dtype.promote_types(a.dtype, e.dtype).np
            ad, ed = ad.astype(common), ed.astype(common)
        self._compare_values(ad, ed)

    def _compare_values(self, a, e):
        from .ops.elementwise import isclose
        from .autograd.graph import _wrap
        xp = xp_of(a)
        matches = isclose(_wrap(a, xp), _wrap(e, xp), rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)._data
        if matches.all():
            return
        if a.ndim == 0:
            msg = _scalar_mismatch_msg(a.item(), e.item(), self.rtol, self.atol)
        else:
            msg = _tensor_mismatch_msg(a, e, matches, self.rtol, self.atol)
        raise _Mismatch(AssertionError, msg, self.id)


_PAIRS = (_NonePair, _BooleanPair, _NumberPair, _TensorLikePair)


def _numpy():
    import numpy   # what NumPy scalars are (type checks only; no data is computed with it)
    return numpy


def _to_tensor(x):
    if isinstance(x, Tensor):
        return x
    from .ops.creation import as_tensor
    try:
        return as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _originate_pairs(actual, expected, id, **options):
    """The leaf pairs of two nested structures, whose shapes (lengths, key sets) must match."""
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if isinstance(actual, seq) and not isinstance(actual, str) and isinstance(expected, seq) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError,
                            f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", id)
        pairs = []
        for i in range(len(actual)):
            pairs.extend(_originate_pairs(actual[i], expected[i], (*id, i), **options))
        return pairs
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _Mismatch(AssertionError,
                            f"The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                            f"Additional keys in the actual mapping: {sorted(ak - ek)}", id)
        keys = ak
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        pairs = []
        for k in keys:
            pairs.extend(_originate_pairs(actual[k], expected[k], (*id, k), **options))
        return pairs
    for pair_type in _PAIRS:
        try:
            return [pair_type(actual, expected, id, **options)]
        except _Unsupported:
            continue
    raise _Mismatch(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                               f"{type(expected)}.", id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    r"""Asserts that actual and expected are close.

    Tensors (and NumPy arrays) are close if |actual - expected| <= atol + rtol * |expected| elementwise;
    infinities are close only when equal, and NaNs only with equal_nan=True. They must also have the same
    shape, and (with the check_* flags) the same device, dtype and stride; with check_dtype=False, values of
    different dtypes are compared in their promoted dtype. Python scalars compare as numbers, and sequences
    and mappings compare element by element, recursing. Except for Python scalars, the two inputs must be of
    directly related types (with allow_subclasses=False, of the same type).

    Default tolerances by dtype: float16 (rtol 1e-3, atol 1e-5), bfloat16 (1.6e-2, 1e-5), float32 and
    complex64 (1.3e-6, 1e-5), float64 and complex128 (1e-7, 1e-7), others (0, 0); for mismatching dtypes the
    larger of the two. rtol and atol must be given together or not at all (ValueError).

    msg replaces the generated message; a callable gets the generated message and returns the new one.
    Raises AssertionError on mismatch, TypeError for inputs no comparison can handle.
    """
    __tracebackhide__ = True
    try:
        pairs = _originate_pairs(actual, expected, (), allow_subclasses=allow_subclasses, rtol=rtol, atol=atol,
                                 equal_nan=equal_nan, check_device=check_device, check_dtype=check_dtype,
                                 check_layout=check_layout, check_stride=check_stride)
    except _Mismatch as m:
        raise m.to_error() from None
    for pair in pairs:
        try:
            pair.compare()
        except _Mismatch as m:
            raise m.to_error(msg) from None


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    r"""Creates a tensor with the given shape, device, and dtype, and filled with values uniformly drawn from
    [low, high).

    If low or high are outside the range of the dtype's representable finite values they are clamped to the
    lowest or highest representable finite value. Defaults: bool [0, 2), unsigned integers [0, 10), signed
    integers [-9, 10), floating and complex types [-9, 9). noncontiguous=True returns a non-contiguous view
    (ignored for fewer than two elements); exclude_zero=True replaces zeros by 1 (bool and integers) or by the
    dtype's smallest positive normal number (finfo.tiny). Values come from ember's random generator.
    """
    from .ops.creation import empty
    from .ops.random import randint
    from .ops.complex import view_as_real
    from .autograd.grad_mode import no_grad
    dtype = _dtype.to_dtype(dtype)
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    integral = dtype.kind in 'biu'
    if requires_grad and integral:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    if dtype.kind not in 'biufc':
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor(). "
                        "To request support, file an issue at: https://github.com/pytorch/pytorch/issues")

    def modify_low_high(low, high, lowest, highest, default_low, default_high):
        low = default_low if low is None else low
        high = default_high if high is None else high
        if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
        if low == high and not integral:
            warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                          "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                          FutureWarning, stacklevel=3)
        elif low >= high:
            raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
        elif high < lowest or low >= highest:
            raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} "
                             f"only supports [{lowest}, {highest})")
        low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
        return (math.ceil(low), math.ceil(high)) if integral else (low, high)

    noncontiguous = noncontiguous and functools.reduce(lambda x, y: x * y, shape, 1) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])   # twice as wide, then every other column: distinct values
    with no_grad():
        if dtype is _dtype.bool_:
            low, high = modify_low_high(low, high, 0, 2, 0, 2)
            result = randint(low, high, shape, dtype=dtype, device=device)
        elif integral:
            info = _dtype.iinfo(dtype)
            low, high = modify_low_high(low, high, info.min, info.max + (1 if dtype is not _dtype.int64 else 0),
                                        -9, 10)
            result = randint(low, high, shape, dtype=dtype, device=device)
        else:
            info = _dtype.finfo(dtype)
            low, high = modify_low_high(low, high, info.min, info.max, -9, 9)
            result = empty(shape, dtype=dtype, device=device)
            target = view_as_real(result) if dtype.is_complex else result
            if high - low >= info.max:   # uniform_ needs high - low to be finite
                target.uniform_(low / 2, high / 2).mul_(2)
            else:
                target.uniform_(low, high)
        if noncontiguous:
            result = result[..., 1::2]
        if exclude_zero:
            result[result == 0] = 1 if integral else _dtype.finfo(dtype).tiny
    if not integral:
        result.requires_grad_(requires_grad)
    return result

