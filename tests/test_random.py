"""Random sampling: generators and seeding, determinism, exact state restore, distributions (moments,
ranges), shapes and dtypes against torch, autograd behaviour, and torch's errors.

ember's streams are not torch's, so values are never compared with torch: shapes, dtypes, grad_fn names
and error classes are, and the distributions are checked statistically (about 5 standard errors)."""
import copy
import math
import pickle
import warnings
import numpy as np
import pytest
import torch
import ember
from helpers import check_error

N = 200_000


def arr(t):
    return np.asarray(t._data, dtype=np.float64) if t.dtype is not ember.bfloat16 else t._data.astype(np.float64)


def same_meta(fn):
    """fn(lib) gives a tensor of the same shape, dtype, requires_grad and grad_fn name in torch and ember."""
    t, e = fn(torch), fn(ember)
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert repr(e.dtype) == repr(t.dtype), (e.dtype, t.dtype)
    assert e.requires_grad == t.requires_grad
    tname = None if t.grad_fn is None else type(t.grad_fn).__name__
    ename = None if e.grad_fn is None else e.grad_fn.name()
    assert ename == tname, (ename, tname)
    return t, e


def version(t):
    # torch's Tensor._version is an int; ember keeps the shared counter in a list behind _version
    return t._version if isinstance(t, torch.Tensor) else t._version


def close_mean(x, mean, sd):
    assert abs(x.mean() - mean) < 5 * sd / math.sqrt(x.size) + 1e-12, (x.mean(), mean)


# --- seeding, generators, state ---------------------------------------------------------------------
SAMPLERS = [
    lambda g: ember.rand(3, 4, generator=g),
    lambda g: ember.rand(5, dtype=ember.float16, generator=g),
    lambda g: ember.randn(2, 3, dtype=ember.float64, generator=g),
    lambda g: ember.randn(7, dtype=ember.bfloat16, generator=g),
    lambda g: ember.randint(0, 10, (6,), generator=g),
    lambda g: ember.randperm(9, generator=g),
    lambda g: ember.normal(ember.zeros(4), ember.ones(4), generator=g),
    lambda g: ember.normal(1.0, 2.0, (3,), generator=g),
    lambda g: ember.bernoulli(ember.full((8,), 0.5), generator=g),
    lambda g: ember.multinomial(ember.tensor([[0.2, 0.3, 0.5], [1.0, 1.0, 0.0]]), 2, generator=g),
    lambda g: ember.multinomial(ember.tensor([0.2, 0.3, 0.5]), 6, replacement=True, generator=g),
    lambda g: ember.poisson(ember.tensor([1.0, 5.0, 50.0]), generator=g),
    lambda g: ember.empty(5).uniform_(-2, 3, generator=g),
    lambda g: ember.empty(5).normal_(1, 2, generator=g),
    lambda g: ember.empty(5).bernoulli_(0.3, generator=g),
    lambda g: ember.empty(5, dtype=ember.int32).random_(generator=g),
    lambda g: ember.empty(5).exponential_(2, generator=g),
    lambda g: ember.empty(5).geometric_(0.4, generator=g),
    lambda g: ember.empty(5).cauchy_(generator=g),
    lambda g: ember.empty(5).log_normal_(generator=g),
]


@pytest.mark.parametrize('k', range(len(SAMPLERS)))
def test_same_seed_same_numbers(k):
    f = SAMPLERS[k]
    ember.manual_seed(1234)
    a = f(None)
    ember.manual_seed(1234)
    b = f(None)
    assert ember.equal(a, b)
    c = f(ember.Generator().manual_seed(1234))
    assert ember.equal(a, c)   # a fresh Generator with the same seed: the same stream as the default one
    ember.manual_seed(99)
    d = f(None)
    assert a.numel() < 3 or not ember.equal(a, d)


def test_same_seed_same_numbers_across_processes():
    import subprocess
    import sys
    code = ("import ember; ember.manual_seed(7); print(ember.rand(4).tolist(), ember.randint(0, 1000, (4,)).tolist(),"
            " ember.randn(3, dtype=ember.float64).tolist())")
    outs = {subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(outs) == 1
    ember.manual_seed(7)
    here = f"{ember.rand(4).tolist()} {ember.randint(0, 1000, (4,)).tolist()} " \
           f"{ember.randn(3, dtype=ember.float64).tolist()}\n"
    assert outs == {here}


def test_generator_api():
    g = ember.Generator()
    assert g.device == ember.device('cpu') and repr(g.device) == repr(torch.Generator().device)
    assert g.initial_seed() == torch.Generator().initial_seed()
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64 and g.initial_seed() == s
    assert ember.manual_seed(5) is ember.default_generator and ember.initial_seed() == 5
    assert ember.random.initial_seed() == 5 and ember.random.default_generator is ember.default_generator
    s = ember.seed()
    assert ember.initial_seed() == s == ember.random.initial_seed()
    for seed in (-1, 2 ** 64 - 1, -(2 ** 63), 0, 3.0):
        assert ember.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    check_error(lambda L: L.manual_seed(2 ** 64), ValueError, 'Overflow')
    check_error(lambda L: L.manual_seed(-(2 ** 63) - 1), ValueError, 'Overflow')
    with pytest.raises(RuntimeError):
        ember.Generator(device='cuda')


def test_generator_does_not_touch_default_stream():
    ember.manual_seed(3)
    a = ember.rand(4)
    ember.manual_seed(3)
    ember.rand(10, generator=ember.Generator().manual_seed(1))
    assert ember.equal(ember.rand(4), a)


def test_state_restores_the_stream_exactly():
    g = ember.Generator().manual_seed(11)
    ember.rand(3, generator=g)   # float32 draws use half of a 64-bit word: the other half is state too
    st = g.get_state()
    assert st.dtype is ember.uint8 and st.ndim == 1
    a = [ember.rand(5, generator=g), ember.randn(3, generator=g), ember.randint(0, 9, (4,), generator=g),
         ember.rand(1, dtype=ember.float64, generator=g)]
    assert g.set_state(st) is g
    b = [ember.rand(5, generator=g), ember.randn(3, generator=g), ember.randint(0, 9, (4,), generator=g),
         ember.rand(1, dtype=ember.float64, generator=g)]
    assert all(ember.equal(x, y) for x, y in zip(a, b))
    assert g.initial_seed() == 11
    # the state of one generator carries over to another
    h = ember.Generator().set_state(st)
    assert ember.equal(ember.rand(5, generator=h), a[0])


def test_rng_state_functions():
    ember.manual_seed(0)
    st = ember.get_rng_state()
    a = ember.randn(6)
    st2 = ember.random.get_rng_state()
    st._data[:] = 0   # a copy: changing it changes nothing
    ember.manual_seed(0)
    assert ember.equal(ember.random.get_rng_state(), ember.get_rng_state())
    ember.set_rng_state(st2)
    b = ember.randn(6)
    ember.random.set_rng_state(ember.random.get_rng_state())
    ember.manual_seed(0)
    assert ember.equal(ember.randn(6), a) and not ember.equal(a, b)


def test_fork_rng():
    ember.manual_seed(8)
    with ember.random.fork_rng():
        inside = ember.rand(5)
    after = ember.rand(5)
    assert ember.equal(inside, after)
    with ember.random.fork_rng(enabled=False):
        ember.rand(5)
    assert not ember.equal(ember.rand(5), after)


def test_generator_pickle_and_deepcopy():
    g = ember.Generator().manual_seed(21)
    ember.rand(3, generator=g)
    for h in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
        assert h.initial_seed() == 21
        assert ember.equal(ember.rand(4, generator=h), ember.rand(4, generator=copy.deepcopy(g)))


def test_state_errors():
    check_error(lambda L: L.Generator().set_state([1, 2]), TypeError, 'ByteTensor')
    check_error(lambda L: L.Generator().set_state(L.zeros(3)), TypeError, 'ByteTensor')
    check_error(lambda L: L.Generator().set_state(L.zeros(3, dtype=L.uint8)), RuntimeError, 'size')
    check_error(lambda L: L.set_rng_state(L.zeros(3, dtype=L.uint8)), RuntimeError, 'size')
    for byte in (8, 12):   # the engine's position ('left') of 0, or the 'seeded' flag cleared
        check_error(lambda L: L.Generator().set_state(_corrupt(L.Generator().get_state(), byte)), RuntimeError,
                    'Invalid mt19937 state')


def _corrupt(state, byte):
    state[byte:byte + 4] = 0
    return state


# --- shapes, dtypes and autograd against torch --------------------------------------------------------
META = [
    lambda L: L.rand(2, 3), lambda L: L.rand((2, 3)), lambda L: L.rand([]), lambda L: L.rand(L.Size([4])),
    lambda L: L.rand(size=(2,)), lambda L: L.rand(0, 3), lambda L: L.rand(3, dtype=L.float64),
    lambda L: L.rand(3, dtype=L.float16), lambda L: L.rand(3, dtype=L.bfloat16),
    lambda L: L.rand(3, dtype=L.complex64), lambda L: L.rand(2, requires_grad=True),
    lambda L: L.randn(4, 1), lambda L: L.randn(3, dtype=L.float16), lambda L: L.randn(3, dtype=L.complex128),
    lambda L: L.randn(2, 2, requires_grad=True, dtype=L.float64),
    lambda L: L.randint(5, (3,)), lambda L: L.randint(2, 5, (2, 2)), lambda L: L.randint(0, 5, size=(3,)),
    lambda L: L.randint(low=1, high=5, size=(3,)), lambda L: L.randint(3, size=(3,)),
    lambda L: L.randint(0, 3, (3,), dtype=L.float32), lambda L: L.randint(0, 3, (3,), dtype=L.uint8),
    lambda L: L.randint(0, 3, (3,), dtype=L.int32),
    lambda L: L.randperm(5), lambda L: L.randperm(0), lambda L: L.randperm(5, dtype=L.float32),
    lambda L: L.randperm(5, dtype=L.int16),
    lambda L: L.rand_like(L.zeros(2, 3)), lambda L: L.rand_like(L.zeros(2, dtype=L.float64)),
    lambda L: L.rand_like(L.zeros(2), dtype=L.float16), lambda L: L.randn_like(L.zeros(3, 1)),
    lambda L: L.rand_like(L.zeros(2, requires_grad=True)), lambda L: L.randn_like(L.zeros(2), requires_grad=True),
    lambda L: L.randint_like(L.zeros(2), 5), lambda L: L.randint_like(L.zeros(2, dtype=L.int32), 2, 5),
    lambda L: L.randint_like(L.zeros(2), low=2, high=5), lambda L: L.randint_like(L.zeros(2, 2), high=3),
    lambda L: L.normal(L.zeros(3), L.ones(3)), lambda L: L.normal(L.zeros(2, 1), L.ones(3)),
    lambda L: L.normal(L.zeros(3), 2.0), lambda L: L.normal(L.zeros(3)), lambda L: L.normal(1.0, L.ones(2, 2)),
    lambda L: L.normal(0.0, 1.0, (2, 3)), lambda L: L.normal(0, 1, (2,)),
    lambda L: L.normal(0.0, 1.0, (3,), dtype=L.float64), lambda L: L.normal(0.0, 1.0, (3,), requires_grad=True),
    lambda L: L.normal(L.zeros(2, dtype=L.float64), L.ones(2)), lambda L: L.normal(2.0, L.ones(2, dtype=L.float64)),
    lambda L: L.normal(L.zeros(3, requires_grad=True), 1.0), lambda L: L.normal(1.0, L.ones(3, requires_grad=True)),
    lambda L: L.normal(L.zeros(3, requires_grad=True), L.ones(3)),
    lambda L: L.bernoulli(L.full((3,), 0.5)), lambda L: L.bernoulli(L.zeros(3, dtype=L.float16)),
    lambda L: L.bernoulli(L.zeros(3), p=0.3), lambda L: L.bernoulli(L.zeros(3, dtype=L.int64), 0.3),
    lambda L: L.bernoulli(L.full((3,), 0.5, requires_grad=True)), lambda L: L.full((3,), 0.5).bernoulli(),
    lambda L: L.multinomial(L.tensor([1.0, 2.0, 3.0]), 2), lambda L: L.multinomial(L.ones(4, 3), 5, True),
    lambda L: L.multinomial(L.ones(0, 3), 1), lambda L: L.ones(2, 3).multinomial(2),
    lambda L: L.multinomial(L.ones(3, dtype=L.float64), 1),
    lambda L: L.poisson(L.ones(3)), lambda L: L.poisson(L.ones(2, dtype=L.float64)),
    lambda L: L.poisson(L.ones(3, requires_grad=True)),
]


@pytest.mark.parametrize('k', range(len(META)))
def test_shapes_dtypes_grad_fn_match_torch(k):
    same_meta(META[k])


INPLACE = [
    ('uniform_', (), {}), ('uniform_', (-1, 1), {}), ('normal_', (), {}), ('normal_', (2.0, 3.0), {}),
    ('bernoulli_', (), {}), ('bernoulli_', (0.2,), {}), ('bernoulli_', None, {}), ('random_', (), {}),
    ('random_', (10,), {}), ('random_', (2, 10), {}), ('exponential_', (), {}), ('exponential_', (3.0,), {}),
    ('geometric_', (0.3,), {}), ('cauchy_', (), {}), ('cauchy_', (1.0, 2.0), {}), ('log_normal_', (), {}),
    ('log_normal_', (0.0, 0.5), {})]


@pytest.mark.parametrize('name,args,kw', INPLACE)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
def test_inplace_samplers(name, args, kw, dtype):
    def run(L):
        t = L.zeros(3, 4, dtype=getattr(L, dtype))
        a = (L.full((3, 4), 0.5),) if args is None else args
        v = version(t)
        r = getattr(t, name)(*a, **kw)
        assert r is t and version(t) == v + 1
        return t
    ember.manual_seed(0)
    same_meta(run)


@pytest.mark.parametrize('name,args,kw', INPLACE)
def test_inplace_samplers_autograd(name, args, kw):
    """In place on a leaf that requires grad is an error; under no_grad it is how weights are initialised;
    on a non-leaf it records a node (torch's name) that sends a zero gradient back."""
    a = (torch.full((3,), 0.5),) if args is None else args
    ea = (ember.full((3,), 0.5),) if args is None else args
    check_error(lambda L: getattr(L.zeros(3, requires_grad=True), name)(*(ea if L is ember else a)), RuntimeError,
                'leaf Variable')
    w = ember.zeros(3, requires_grad=True)
    with ember.no_grad():
        getattr(w, name)(*ea)
    assert w.requires_grad and w.grad_fn is None and version(w) == 1

    def nonleaf(L):
        x = L.ones(3, requires_grad=True)
        y = x * 2
        getattr(y, name)(*(ea if L is ember else a))
        y.sum().backward()
        assert x.grad is not None and not x.grad.numpy().any()
        return y
    same_meta(nonleaf)


def test_bernoulli_tensor_p_records_and_zero_grad():
    def run(L):
        p = L.full((3,), 0.5, requires_grad=True)
        y = L.zeros(3).bernoulli_(p)
        (y * 2).sum().backward()
        assert not p.grad.numpy().any()
        return y
    same_meta(run)


def test_normal_gradients_are_zero():
    m = ember.zeros(3, requires_grad=True)
    s = ember.ones(3, requires_grad=True)
    (ember.normal(m, s) * 3).sum().backward()
    assert m.grad is not None and not m.grad.numpy().any() and not s.grad.numpy().any()
    m64 = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    r = ember.normal(m64, ember.ones(2, requires_grad=True))
    assert r.dtype is ember.float64
    r.sum().backward()
    assert m64.grad.dtype is ember.float64


def test_out_argument():
    out = ember.empty(4)
    r = ember.rand(4, out=out)
    assert r is out and version(out) == 1
    r = ember.randn(2, 3, out=out)
    assert r is out and tuple(out.shape) == (2, 3)
    idx = ember.empty(3, dtype=ember.int64)
    assert ember.randint(0, 5, (3,), out=idx) is idx and int(idx.max()) < 5


# --- distributions ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def seeded():
    ember.manual_seed(2024)


@pytest.mark.parametrize('dtype,bits', [('float32', 24), ('float64', 53), ('float16', 11), ('bfloat16', 8)])
def test_rand_uniform(dtype, bits):
    x = ember.rand(N, dtype=getattr(ember, dtype))
    assert x.dtype is getattr(ember, dtype)
    a = arr(x)
    assert a.min() >= 0 and a.max() < 1
    close_mean(a, 0.5, math.sqrt(1 / 12))
    assert abs(a.var() - 1 / 12) < 0.002
    hist = np.histogram(a, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(hist - N / 10) < 5 * math.sqrt(N / 10))


def test_rand_complex_and_randn_complex():
    z = ember.rand(N, dtype=ember.complex64)._data
    for part in (z.real, z.imag):
        assert part.min() >= 0 and part.max() < 1
        close_mean(part, 0.5, 0.29)
    z = ember.randn(N, dtype=ember.complex128)._data
    close_mean(z.real, 0, math.sqrt(0.5))
    assert abs(z.real.var() - 0.5) < 0.01 and abs(z.imag.var() - 0.5) < 0.01
    assert abs(np.mean(np.abs(z) ** 2) - 1) < 0.02


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
def test_randn_moments(dtype):
    a = arr(ember.randn(N, dtype=getattr(ember, dtype)))
    tol = 0.02 if dtype == 'bfloat16' else 0.01
    close_mean(a, 0.0, 1.0)
    assert abs(a.var() - 1) < tol
    assert abs(np.mean(a ** 3)) < 0.05 and abs(np.mean(a ** 4) - 3) < 0.1   # symmetric, Gaussian tails
    assert abs(np.mean(np.abs(a) < 1) - 0.6827) < 0.005


def test_normal_overloads_moments():
    mean = ember.tensor([[-5.0], [0.0], [10.0]])
    std = ember.tensor([0.5, 2.0])
    big = ember.normal(ember.from_numpy(np.repeat(mean._data, N // 10, 1)), 1.5)
    assert abs(arr(big).mean(1) - [-5, 0, 10]).max() < 0.1 and abs(arr(big).std(1) - 1.5).max() < 0.05
    r = arr(ember.normal(ember.from_numpy(np.repeat(mean._data, N // 10, 1)[..., None]),
                         ember.from_numpy(std._data)))
    assert r.shape == (3, N // 10, 2)
    assert abs(r.mean(1) - [[-5], [0], [10]]).max() < 0.1
    assert abs(r.std(1) - [[0.5, 2.0]]).max() < 0.05
    r = arr(ember.normal(3.0, ember.full((N,), 2.0)))
    close_mean(r, 3.0, 2.0)
    assert abs(r.std() - 2) < 0.03
    r = arr(ember.normal(-1.0, 0.25, (N,)))
    close_mean(r, -1.0, 0.25)
    assert abs(r.std() - 0.25) < 0.004
    assert np.all(arr(ember.normal(ember.zeros(5), 0.0)) == 0)


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'uint8', 'int8', 'float32', 'float64', 'float16'])
def test_randint_range_and_uniformity(dtype):
    low, high = (-3, 9) if dtype not in ('uint8',) else (3, 15)
    x = ember.randint(low, high, (N,), dtype=getattr(ember, dtype))
    assert x.dtype is getattr(ember, dtype)
    a = arr(x)
    assert a.min() == low and a.max() == high - 1 and np.all(a == np.floor(a))
    counts = np.bincount((a - low).astype(int), minlength=high - low)
    expect = N / (high - low)
    assert np.all(np.abs(counts - expect) < 5 * math.sqrt(expect))


def test_randint_wide_ranges():
    a = ember.randint(-2 ** 62, 2 ** 62, (1000,))._data
    assert a.min() < -2 ** 60 and a.max() > 2 ** 60
    assert ember.randint(0, 2, (1000,), dtype=ember.bool)._data.dtype == np.bool_


def test_randperm_is_a_permutation():
    for n, dt in [(1, ember.int64), (10, ember.int64), (1000, ember.int32), (200, ember.float32),
                  (2049, ember.float16)]:
        p = ember.randperm(n, dtype=dt)
        assert p.dtype is dt
        assert sorted(arr(p).astype(int).tolist()) == list(range(n))
    first = np.array([int(ember.randperm(4)[0]) for _ in range(4000)])
    assert np.all(np.abs(np.bincount(first, minlength=4) - 1000) < 5 * math.sqrt(1000))


def test_bernoulli_frequencies():
    p = ember.from_numpy(np.tile(np.array([0.0, 0.1, 0.5, 0.9, 1.0], np.float32), N // 5).reshape(-1, 5))
    b = arr(ember.bernoulli(p))
    assert set(np.unique(b)) <= {0.0, 1.0}
    assert np.all(b[:, 0] == 0) and np.all(b[:, 4] == 1)
    n = N // 5
    for j, pj in [(1, 0.1), (2, 0.5), (3, 0.9)]:
        assert abs(b[:, j].mean() - pj) < 5 * math.sqrt(pj * (1 - pj) / n)
    for p in (0.0, 0.3, 1.0):
        x = ember.zeros(N, dtype=ember.int32).bernoulli_(p)
        assert x.dtype is ember.int32 and abs(arr(x).mean() - p) < 0.005
        x = ember.bernoulli(ember.zeros(N), p)
        assert abs(arr(x).mean() - p) < 0.005
    x = ember.zeros(N // 2, 2, dtype=ember.bool).bernoulli_(ember.tensor([0.25, 0.75]))
    assert abs(arr(x).mean(0) - [0.25, 0.75]).max() < 0.01


def test_multinomial_with_replacement():
    p = ember.tensor([[0.1, 0.0, 0.6, 0.3], [1.0, 1.0, 2.0, 0.0]])   # rows need not sum to one
    s = ember.multinomial(p, N // 4, replacement=True)
    assert s.dtype is ember.int64 and tuple(s.shape) == (2, N // 4)
    a = s._data
    for row, probs in zip(a, [[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.5, 0.0]]):
        freq = np.bincount(row, minlength=4) / row.size
        assert np.all(np.abs(freq - probs) < 5 * np.sqrt(np.array(probs) * (1 - np.array(probs)) / row.size) + 1e-9)
    s = ember.multinomial(ember.tensor([0.0, 0.0, 5.0]), 100, True)
    assert np.all(s._data == 2)


def test_multinomial_without_replacement():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    s = ember.multinomial(ember.from_numpy(np.tile(p, (20000, 1))), 3)._data
    assert s.shape == (20000, 3)
    assert all(len(set(r)) == 3 for r in s[:500])
    freq = np.bincount(s[:, 0], minlength=4) / len(s)   # the first pick follows p
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / len(s)))
    # second pick given first pick = 3 (p=0.4): the rest renormalised
    second = s[s[:, 0] == 3, 1]
    q = p[:3] / p[:3].sum()
    freq = np.bincount(second, minlength=4)[:3] / len(second)
    assert np.all(np.abs(freq - q) < 5 * np.sqrt(q * (1 - q) / len(second)))
    full = ember.multinomial(ember.tensor([1.0, 5.0, 2.0]), 3)._data
    assert sorted(full.tolist()) == [0, 1, 2]
    # torch returns zero-probability categories last rather than raising, when too few are nonzero
    s = ember.multinomial(ember.tensor([0.0, 1.0, 0.0, 2.0]), 4)._data
    assert set(s[:2].tolist()) == {1, 3} and set(s[2:].tolist()) == {0, 2}


def test_poisson_moments():
    lam = ember.from_numpy(np.repeat(np.array([[0.0, 0.5, 4.0, 100.0]], np.float32), N // 4, 0))
    x = ember.poisson(lam)
    assert x.dtype is ember.float32
    a = arr(x)
    assert np.all(a == np.floor(a)) and np.all(a[:, 0] == 0)
    for j, l in [(1, 0.5), (2, 4.0), (3, 100.0)]:
        close_mean(a[:, j], l, math.sqrt(l))
        assert abs(a[:, j].var() / l - 1) < 0.03
    huge = arr(ember.poisson(ember.full((1000,), 1e20, dtype=ember.float64)))
    assert abs(huge.mean() / 1e20 - 1) < 1e-8


def test_uniform_normal_inplace_moments():
    a = arr(ember.empty(N).uniform_(-2, 6))
    assert a.min() >= -2 and a.max() < 6
    close_mean(a, 2, 8 / math.sqrt(12))
    a = arr(ember.empty(N, dtype=ember.float64).normal_(3, 0.5))
    close_mean(a, 3, 0.5)
    assert abs(a.std() - 0.5) < 0.005
    z = ember.empty(N, dtype=ember.complex64).normal_()._data
    assert abs(z.real.var() - 0.5) < 0.01 and abs(z.imag.var() - 0.5) < 0.01
    z = ember.empty(N, dtype=ember.complex64).uniform_(1, 2)._data
    assert z.real.min() >= 1 and z.imag.max() < 2


def test_random_inplace_ranges():
    for dt, (lo, hi) in [(ember.uint8, (0, 255)), (ember.int8, (0, 127)), (ember.int16, (0, 2 ** 15 - 1)),
                         (ember.bool, (0, 1)), (ember.float16, (0, 2 ** 11)), (ember.bfloat16, (0, 2 ** 8))]:
        a = arr(ember.zeros(N, dtype=dt).random_())
        assert a.min() == lo and a.max() == hi, dt
    for dt in (ember.int32, ember.int64, ember.float32, ember.float64):
        a = arr(ember.zeros(N, dtype=dt).random_())
        top = {ember.int32: 2 ** 31 - 1, ember.int64: 2 ** 63 - 1, ember.float32: 2 ** 24, ember.float64: 2 ** 53}[dt]
        assert a.min() >= 0 and a.max() <= top and a.max() > top * 0.99
    a = arr(ember.zeros(N).random_(7))
    assert a.min() == 0 and a.max() == 6 and np.all(a == np.floor(a))
    a = arr(ember.zeros(N, dtype=ember.int64).random_(-3, 4))
    assert a.min() == -3 and a.max() == 3
    close_mean(a, 0, 2)
    a = arr(ember.zeros(N, dtype=ember.int8).random_(-100, None))
    assert a.min() == -100 and a.max() == 127


def test_exponential_geometric_cauchy_lognormal():
    a = arr(ember.empty(N).exponential_(4.0))
    assert a.min() >= 0
    close_mean(a, 0.25, 0.25)
    assert abs(a.std() - 0.25) < 0.005
    g = ember.empty(N, dtype=ember.int32).geometric_(0.25)
    assert g.dtype is ember.int32
    a = arr(g)
    assert a.min() == 1 and np.all(a == np.floor(a))
    close_mean(a, 4.0, math.sqrt(0.75) / 0.25)
    assert abs(np.mean(a == 1) - 0.25) < 0.005
    a = arr(ember.empty(N, dtype=ember.float64).cauchy_(2.0, 0.5))
    assert abs(np.median(a) - 2) < 0.02
    assert abs(np.mean(np.abs(a - 2) < 0.5) - 0.5) < 0.005   # half the mass within one scale of the median
    a = arr(ember.empty(N, dtype=ember.float64).log_normal_(1.0, 0.5))
    assert a.min() > 0
    close_mean(np.log(a), 1.0, 0.5)
    assert abs(np.log(a).std() - 0.5) < 0.005


# --- errors as torch raises them ----------------------------------------------------------------------
ERRORS = [
    (lambda L: L.randint(5, 5, (3,)), RuntimeError, 'from=5 >= to=5'),
    (lambda L: L.randint(5, 3, (3,)), RuntimeError, "expects 'from' to be less than 'to'"),
    (lambda L: L.randint(0, 300, (3,), dtype=L.uint8), RuntimeError, 'to - 1 is out of bounds'),
    (lambda L: L.randint(-1, 3, (3,), dtype=L.uint8), RuntimeError, 'from is out of bounds'),
    (lambda L: L.randint(0, 3, 3), TypeError, 'randint'),
    (lambda L: L.randint(3), TypeError, 'randint'),
    (lambda L: L.randint(0, 3, (3,), requires_grad=True), RuntimeError, 'floating point'),
    (lambda L: L.rand(), TypeError, 'rand'),
    (lambda L: L.rand(-1), RuntimeError, 'negative dimension'),
    (lambda L: L.rand(2, generator=5), TypeError, 'generator'),
    (lambda L: L.rand(2, dtype=L.int64), NotImplementedError, 'Long'),
    (lambda L: L.randn(2, dtype=L.int32), NotImplementedError, 'Int'),
    (lambda L: L.rand_like(L.zeros(2, dtype=L.int64)), NotImplementedError, 'Long'),
    (lambda L: L.randperm(-1), RuntimeError, 'negative dimension'),
    (lambda L: L.randperm(300, dtype=L.uint8), RuntimeError, 'overflow'),
    (lambda L: L.randperm(3000, dtype=L.float16), RuntimeError, 'greater than 2049'),
    (lambda L: L.multinomial(L.tensor([0.0, 1, 1]), 4), RuntimeError, 'without replacement'),
    (lambda L: L.multinomial(L.tensor([0.0, -1, 1]), 1), RuntimeError, 'element < 0'),
    (lambda L: L.multinomial(L.tensor([0.0, math.nan, 1]), 1, True), RuntimeError, 'nan'),
    (lambda L: L.multinomial(L.tensor([0.0, math.inf, 1]), 1), RuntimeError, 'inf'),
    (lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1), RuntimeError, r'sum of probabilities <= 0'),
    (lambda L: L.multinomial(L.tensor([[1.0, 2], [0, 0]]), 1, True), RuntimeError, r'sum of probabilities'),
    (lambda L: L.multinomial(L.tensor(1.0), 1), RuntimeError, '1 or 2 dim'),
    (lambda L: L.multinomial(L.ones(2, 2, 2), 1), RuntimeError, '1 or 2 dim'),
    (lambda L: L.multinomial(L.tensor([1, 2]), 1), RuntimeError, 'floating-point'),
    (lambda L: L.multinomial(L.tensor([1.0, 2]), 0), RuntimeError, 'n_sample <= 0'),
    (lambda L: L.bernoulli(L.tensor([0.5, 1.5])), RuntimeError, 'p_in >= 0'),
    (lambda L: L.bernoulli(L.tensor([0.5, -0.5])), RuntimeError, 'p_in >= 0'),
    (lambda L: L.bernoulli(L.tensor([0.5, math.nan])), RuntimeError, 'p_in >= 0'),
    (lambda L: L.bernoulli(L.zeros(3), 1.5), RuntimeError, r'\[0, 1\], but got p=1.5'),
    (lambda L: L.bernoulli(L.zeros(3, dtype=L.int64)), NotImplementedError, 'Long'),
    (lambda L: L.zeros(3).bernoulli_(1.3), RuntimeError, 'p=1.3'),
    (lambda L: L.zeros(3).bernoulli_(-0.1), RuntimeError, 'bernoulli_ expects p'),
    (lambda L: L.zeros(3).bernoulli_(L.tensor([0.1, 0.2])), RuntimeError, 'expanded size'),
    (lambda L: L.zeros(3).bernoulli_(L.tensor([0.0, 1, 2])), RuntimeError, 'p_in'),
    (lambda L: L.poisson(L.tensor([-1.0, 2])), RuntimeError, 'non-negative'),
    (lambda L: L.poisson(L.tensor([1, 2])), NotImplementedError, 'Long'),
    (lambda L: L.normal(L.zeros(3), L.tensor([1.0, -1, 1])), RuntimeError, 'all elements of std >= 0.0'),
    (lambda L: L.normal(0.0, -1.0, (3,)), RuntimeError, 'found std -1'),
    (lambda L: L.normal(L.zeros(3), -1.0), RuntimeError, 'std >= 0.0'),
    (lambda L: L.normal(0.0, 1.0), TypeError, 'normal'),
    (lambda L: L.normal(L.zeros(3), 1.0, size=(3,)), TypeError, 'normal'),
    (lambda L: L.normal(L.zeros(2), L.ones(3)), RuntimeError, 'must match the size'),
    (lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0), NotImplementedError, 'Long'),
    (lambda L: L.zeros(3).uniform_(2, 1), RuntimeError, 'from=2 > to=1'),
    (lambda L: L.zeros(3, dtype=L.int64).uniform_(), NotImplementedError, 'Long'),
    (lambda L: L.zeros(3).uniform_(-1e39, 1), RuntimeError, 'out of bounds'),
    (lambda L: L.zeros(3).uniform_(0, math.inf), RuntimeError, 'out of bounds'),
    (lambda L: L.zeros(3).normal_(0, -1), RuntimeError, 'found std -1'),
    (lambda L: L.zeros(3).normal_(0, math.nan), RuntimeError, 'found std nan'),
    (lambda L: L.zeros(3, dtype=L.int64).normal_(), NotImplementedError, 'Long'),
    (lambda L: L.zeros(3).exponential_(-1), RuntimeError, 'lambda=-1'),
    (lambda L: L.zeros(3).exponential_(0), RuntimeError, 'lambda > 0.0'),
    (lambda L: L.zeros(3, dtype=L.int32).exponential_(), RuntimeError, 'continuous'),
    (lambda L: L.zeros(3).geometric_(0), RuntimeError, r'\(0, 1\), but got p=0'),
    (lambda L: L.zeros(3).geometric_(1), RuntimeError, 'geometric_ expects p'),
    (lambda L: L.zeros(3, dtype=L.bool).geometric_(0.5), NotImplementedError, 'Bool'),
    (lambda L: L.zeros(3).cauchy_(0, -1), RuntimeError, 'sigma=-1'),
    (lambda L: L.zeros(3, dtype=L.int64).cauchy_(), RuntimeError, 'continuous'),
    (lambda L: L.zeros(3).log_normal_(0, 0), RuntimeError, 'std=0'),
    (lambda L: L.zeros(3, dtype=L.int64).log_normal_(), NotImplementedError, 'Long'),
    (lambda L: L.zeros(3, dtype=L.int32).random_(5, 2), RuntimeError, 'from=5 >= to=2'),
    (lambda L: L.zeros(3).random_(0), RuntimeError, 'from=0 >= to=0'),
    (lambda L: L.zeros(3, dtype=L.uint8).random_(-5, 2), RuntimeError, 'from is out of bounds'),
    (lambda L: L.zeros(3, dtype=L.uint8).random_(0, 500), RuntimeError, 'to - 1 is out of bounds'),
    (lambda L: L.zeros(3).random_(2.5), TypeError, 'random_'),
]


@pytest.mark.parametrize('k', range(len(ERRORS)))
def test_errors_match_torch(k):
    fn, exc, match = ERRORS[k]
    check_error(fn, exc, match)


def test_imprecise_float_range_warns():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match='out of bounds'):
            lib.zeros(3, dtype=lib.float16).random_(0, 2 ** 11 + 2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.zeros(3, dtype=ember.float16).random_(0, 2 ** 11 + 1)
