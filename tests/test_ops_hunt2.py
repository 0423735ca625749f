"""Regression tests for differences from torch found by the second op sweep: keyword forms of reductions
and scans, the indexing/scatter family and creation ops."""
import numpy as np
import pytest
import torch
import ember
from helpers import assert_same


def both(fn, grad=False):
    """fn(lib) in torch and ember: the same exception class, or the same outputs (and, with grad, the
    gradient of sum(out * r) for every float leaf fn registered in its `leaves` list)."""
    res = []
    for lib in (torch, ember):
        leaves = []
        try:
            out = fn(lib, leaves)
        except Exception as e:   # noqa: BLE001 - the class is what is compared
            res.append(e)
            continue
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if grad and any(o.dtype.is_floating_point and o.requires_grad for o in outs):
            tot = sum((o * lib.tensor(np.random.default_rng(k).uniform(-1, 1, tuple(o.shape)), dtype=o.dtype)).sum()
                      for k, o in enumerate(outs) if o.dtype.is_floating_point and o.requires_grad)
            g = lib.autograd.grad(tot, leaves, allow_unused=True)
            out = (out, tuple(lib.zeros_like(x) if gx is None else gx for gx, x in zip(g, leaves)))
        res.append(out)
    t, e = res
    if isinstance(t, Exception) or isinstance(e, Exception):
        assert isinstance(t, Exception) and isinstance(e, type(t)), f"torch: {t!r}\nember: {e!r}"
        return
    assert_same(t, e)


def leaf(lib, leaves, values, dtype='float32'):
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=dtype.startswith('float'))
    if x.requires_grad:
        leaves.append(x)
    return x


M = [[1, 0, 3, 2], [0, 5, 1, 1], [2, 2, 0, 4]]


# --- reductions: dtype= was ignored for integer and bool inputs (always int64) ------------------------
@pytest.mark.parametrize('op', ['sum', 'prod', 'nansum', 'cumsum', 'cumprod'])
@pytest.mark.parametrize('dt', ['int32', 'int8', 'bool', 'int16'])
@pytest.mark.parametrize('src', ['int64', 'bool', 'uint8'])
@pytest.mark.parametrize('empty', [False, True])
def test_integer_reduction_dtype(op, dt, src, empty):
    def fn(lib, leaves):
        x = lib.tensor(np.array(M) * 60, dtype=getattr(lib, src))
        x = x[:0] if empty else x
        f = getattr(lib, op)
        if op.startswith('cum'):
            return f(x, 1, dtype=getattr(lib, dt)), getattr(x, op)(dim=0, dtype=getattr(lib, dt))
        return f(x, dtype=getattr(lib, dt)), f(x, 0, dtype=getattr(lib, dt)), getattr(x, op)(1, True, dtype=getattr(lib, dt))
    both(fn)


# --- all/any: keepdim without dim, and dim=() (which reduces nothing) ----------------------------------
@pytest.mark.parametrize('op', ['all', 'any'])
@pytest.mark.parametrize('shape', [(0,), (3, 4), (0, 3), (2, 3, 4)])
@pytest.mark.parametrize('kw', [{'keepdim': True}, {'dim': ()}, {'dim': (), 'keepdim': True}, {'dim': [0, -1]}])
def test_all_any_keepdim(op, shape, kw):
    both(lambda lib, leaves: getattr(lib, op)(lib.tensor(np.arange(np.prod(shape)).reshape(shape) % 3), **kw))


# --- one-int-dim ops refuse tuples/lists; bool inputs refused where torch has no kernel ----------------
@pytest.mark.parametrize('op', ['max', 'min', 'median', 'nanmedian', 'mode', 'argmax', 'cumsum', 'cummax',
                                'logcumsumexp'])
@pytest.mark.parametrize('dim', [[0], (1,), (0, 1)])
def test_single_dim_ops_refuse_sequences(op, dim):
    both(lambda lib, leaves: getattr(lib, op)(lib.tensor([[1., 2.], [3., 0.]]), dim))


@pytest.mark.parametrize('op', ['argmax', 'argmin', 'median', 'nanmedian'])
@pytest.mark.parametrize('shape', [(3, 4), (0, 3), (0,), ()])
@pytest.mark.parametrize('kw', [{}, {'dim': -1}, {'dim': 0, 'keepdim': True}, {'dim': 5}])
def test_bool_picking_reductions(op, shape, kw):
    both(lambda lib, leaves: getattr(lib, op)(lib.tensor(np.arange(np.prod(shape)).reshape(shape) % 2 == 0), **kw))


@pytest.mark.parametrize('op', ['cumsum', 'cumprod'])
@pytest.mark.parametrize('shape', [(3, 4), (0, 3)])
def test_cumulative_bool_dtype(op, shape):
    both(lambda lib, leaves: getattr(lib, op)(lib.ones(shape), 1, dtype=lib.bool))


def test_logcumsumexp_checks_dim_before_dtype():
    both(lambda lib, leaves: lib.logcumsumexp(lib.tensor([1, 2]), 3))


@pytest.mark.parametrize('dt', ['int64', 'bool', 'float64'])
def test_nanmean_dtype(dt):
    both(lambda lib, leaves: lib.nanmean(lib.tensor([1., float('nan'), 2.]), dtype=getattr(lib, dt)))


# --- picking reductions of empty float tensors stay on the graph ----------------------------------------
@pytest.mark.parametrize('fn', [lambda lib, x: lib.median(x), lambda lib, x: lib.nanmedian(x),
                                lambda lib, x: lib.median(x, -1).values, lambda lib, x: lib.mode(x, -1).values,
                                lambda lib, x: lib.nanmedian(x, 1, keepdim=True).values])
def test_empty_median_mode_gradient(fn):
    both(lambda lib, leaves: fn(lib, leaf(lib, leaves, np.zeros((0, 3)))), grad=True)


# --- norm: inf, -inf and negative p over empty dims are errors; valid dims on empty tensors are not -----
@pytest.mark.parametrize('p', [float('inf'), -float('inf'), -1, -2.5, 2, 0, 'fro'])
@pytest.mark.parametrize('shape,kw', [((0,), {}), ((0,), {'dim': 0}), ((0, 3), {'dim': -1, 'keepdim': True}),
                                      ((0, 3), {'dim': 0}), ((3, 0), {'dim': 0}), ((), {'dim': (0, 1)})])
def test_norm_empty(p, shape, kw):
    both(lambda lib, leaves: lib.norm(leaf(lib, leaves, np.ones(shape)), p, **kw), grad=True)


# --- indexing family ------------------------------------------------------------------------------------
@pytest.mark.parametrize('ind', [[2, 1], [1, 3, 2], [3, 0, 4], [-1, 1], [4, 2]])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('as_tensor', [False, True])
def test_tensor_split_falling_indices(ind, dim, as_tensor):
    def fn(lib, leaves):
        x = leaf(lib, leaves, np.arange(20.).reshape(4, 5))
        return lib.tensor_split(x, lib.tensor(ind) if as_tensor else ind, dim)
    both(fn, grad=True)


@pytest.mark.parametrize('index', ['True', 'False', 'np1', '(0, True)', '([0, 1],)', '(np1, slice(None))'])
@pytest.mark.parametrize('src,dst', [('float64', 'float32'), ('float32', 'int64'), ('int64', 'float32')])
def test_setitem_dtype_cast_for_scalar_like_indices(index, src, dst):
    def fn(lib, leaves):
        x = lib.zeros(3, 4, dtype=getattr(lib, dst))
        x[eval(index, {'np1': np.int64(1)})] = lib.arange(4, dtype=getattr(lib, src)) * 1.5 if src != 'int64' \
            else lib.arange(4)
        return x
    both(fn)


@pytest.mark.parametrize('shape,dim', [((4,), 0), ((4, 5), 0), ((4, 5), 1), ((2, 4, 5), 2), ((2, 4, 5), 1)])
@pytest.mark.parametrize('idx', [[-1], [0, 9], [1, 2]])
@pytest.mark.parametrize('op', ['index_select', 'index_add', 'index_add2', 'index_copy', 'index_fill'])
def test_index_ops_negative_and_out_of_range(shape, dim, idx, op):
    def fn(lib, leaves):
        x = leaf(lib, leaves, np.arange(np.prod(shape), dtype='float32').reshape(shape))
        i = lib.tensor(idx)
        src_shape = tuple(len(idx) if d == dim else s for d, s in enumerate(shape))
        src = leaf(lib, leaves, np.ones(src_shape))
        if op == 'index_select':
            return lib.index_select(x, dim, i)
        if op.startswith('index_add'):
            return lib.index_add(x, dim, i, src, alpha=2 if op == 'index_add2' else 1)
        if op == 'index_copy':
            return lib.index_copy(x, dim, i, src)
        return lib.index_fill(x, dim, i, -1.5)
    both(fn, grad=True)


# --- creation -------------------------------------------------------------------------------------------
@pytest.mark.parametrize('call', ['arange(end=5)', 'arange(start=1, end=4)', 'arange(start=1, end=2.5, step=0.5)',
                                  'arange(end=2.5, dtype=L.float64)', 'arange()', 'arange(5, dtype=L.bool)', 'arange(1, 5, 0, dtype=L.bool)',
                                  'range(5)', 'range(1, 5, 0)', 'range(1, 5, -1)', 'range(1, 4, dtype=L.bool)',
                                  'range(0, 1, 0.3)', 'range(5, 1, -1.5)', 'range(1, 4, dtype=L.int32)',
                                  'zeros()', 'ones()', 'empty().shape', 'zeros(())', 'zeros([])',
                                  'zeros(2).new_zeros()', 'rand().shape',
                                  'full((2,), 1e40)', 'full((2,), 1e40, dtype=L.float64)', 'full((2,), 300, dtype=L.int8)',
                                  'full((2,), -129, dtype=L.int8)', 'full((2,), 70000.0, dtype=L.float16)',
                                  'full((2,), float("inf"))', 'full((2,), float("nan"), dtype=L.float16)',
                                  'full((2,), 2**40, dtype=L.int32)', 'full((2,), 2**40)', 'full((2,), True, dtype=L.int8)',
                                  'full_like(L.zeros(2, dtype=L.int32), 1e10)', 'zeros(2, dtype=L.int8).new_full((2,), 200)',
                                  'logspace(-2.5, 2, 7, dtype=L.int64)', 'logspace(-2.5, 2, 7, 0.5, dtype=L.int64)',
                                  'logspace(-2.5, 2, 7, 2, dtype=L.int32)', 'logspace(0.9, 3.7, 5, dtype=L.int64)',
                                  'logspace(-2.5, 2, 7, 0.5)', 'logspace(1, 3, 1, dtype=L.int64)',
                                  'bincount(L.tensor([], dtype=L.int64), L.tensor([]), 3)',
                                  'bincount(L.tensor([], dtype=L.int64), L.tensor([], dtype=L.float64))',
                                  'bincount(L.tensor([1, 1]), L.tensor([0.5, 2.0]))'])
def test_creation_calls(call):
    def fn(lib, leaves):
        with __import__('warnings').catch_warnings():
            __import__('warnings').simplefilter('ignore')
            return eval('L.' + call, {'L': lib, 'float': float})
    both(fn)


# --- NumPy-style keyword names, which torch's argument parser accepts for native ops ------------------
@pytest.mark.parametrize('call', ['L.sum(x, axis=0)', 'x.sum(axis=1, keepdims=True)', 'x.mean(axis=(0, 1))',
                                  'L.max(x, axis=1)', 'x.amax(axis=0, keepdims=True)', 'x.argmax(axis=0)',
                                  'x.std(axis=0)', 'L.var_mean(x, axis=1)', 'x.cumsum(axis=0)',
                                  'L.logsumexp(x, axis=1)', 'L.median(x, axis=0)', 'L.any(x > 0, axis=1)',
                                  'L.sort(x, axis=0)', 'L.quantile(x, 0.5, axis=0, keepdims=True)',
                                  'L.diff(x, axis=0)', 'L.cat([x, x], axis=0)', 'L.concat([x, x], axis=1)',
                                  'L.stack([x, x], axis=1)', 'L.unsqueeze(x, axis=0)', 'x.squeeze(axis=0)',
                                  'L.topk(x, 2, axis=0)', 'L.sum(x, 0, axis=1)'])
def test_numpy_keyword_aliases(call):
    both(lambda lib, leaves: eval(call, {'L': lib, 'x': leaf(lib, leaves, np.arange(12.).reshape(3, 4) % 5)}),
         grad=True)


# --- dtype inference for lists holding tensors; values that do not fit a dtype -------------------------
@pytest.mark.parametrize('call', ['L.tensor([L.tensor(1), 2.5])', 'L.tensor([L.tensor(1), L.tensor(2)])',
                                  'L.tensor([L.tensor(1.5, dtype=L.float64), 2])', 'L.tensor([L.tensor(True), 0])',
                                  'L.tensor([[L.tensor(1, dtype=L.int32)], [2]])',
                                  'L.tensor([L.tensor(1.5, dtype=L.float16), 2])',
                                  'L.arange(0, nan)', 'L.arange(0, inf)', 'L.arange(-inf, 2, 0.5)',
                                  'L.masked_fill(i, i > 1, nan)', 'L.masked_fill(i, i > 1, 1e30)',
                                  'L.masked_fill(i, i > 1, 2.5)', 'L.index_fill(i, 0, L.tensor([0]), inf)',
                                  'L.scatter(i, 0, L.tensor([0]), nan)', 'L.masked_fill(i.float(), i > 1, nan)'])
def test_inferred_and_checked_values(call):
    both(lambda lib, leaves: eval(call, {'L': lib, 'i': lib.tensor([1, 2, 3]), 'nan': float('nan'),
                                         'inf': float('inf')}))


@pytest.mark.parametrize('dt', ['float32', 'bool', 'uint8', 'int16', 'int32', 'int64'])
def test_repeat_interleave_repeats_dtype(dt):
    both(lambda lib, leaves: lib.repeat_interleave(lib.arange(3.), lib.tensor([1, 2, 0], dtype=getattr(lib, dt)), 0))
