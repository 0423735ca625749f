"""Random sampling: torch.Generator, seeding, the sampling functions and the in-place samplers
(uniform_, normal_, ...), drawing the same numbers as torch's CPU generator.

torch's CPU generator is a 32-bit Mersenne Twister (MT19937) seeded with the low 32 bits of the seed; ember
runs the same engine (NumPy's MT19937 bit generator, loaded with the same key) and turns its 32-bit words
into samples the way torch's kernels do, found by comparing with torch:
  - a float uniform is (word & 0xFFFFFF) * 2**-24 (one word; half and bfloat16 round it), a double one is
    (w64 & (2**53 - 1)) * 2**-53 of a 64-bit draw w64 = word1 << 32 | word2; uniform_(a, b) is the fused
    u * (b - a) + a (one rounding) in double for double tensors, in float with float bounds otherwise, and a
    value that rounds up to b becomes a;
  - normal_ of a contiguous float tensor with 16 or more elements takes blocks of 16 uniforms: Box-Muller on
    (u[j], u[j + 8]) gives elements j and j + 8; an incomplete last block is redone on the last 16 elements
    with 16 fresh uniforms. Smaller or strided tensors draw each element as a double normal (Box-Muller on
    two double uniforms, the sine half kept in the generator for the next such draw). normal_(mean, std) is
    the fused z * std + mean; normal(tensor, float) is normal_(0, std) + mean, normal(float, tensor) and
    normal(tensor, tensor) scale a randn-like sample; a complex tensor is its real view with std / sqrt(2);
  - torch's double kernels call the C library's log, log1p, exp and tan, which round differently from NumPy's
    vectorised ones in a few percent of cases, so double samples go through `_libm` (math's functions);
  - integers in [a, a + n) are a + word % n (a 64-bit draw when n >= 2**32); randperm is a forward
    Fisher-Yates shuffle with one word per position; bernoulli_(p) compares double uniforms with p;
    bernoulli(probs) compares uniforms of the probabilities' dtype; exponential, geometric, Cauchy and
    log-normal transform double uniforms (or double normals); multinomial draws one sample (with replacement
    or not) by the exponential race;
  - poisson is Knuth's product of uniforms below rate 10 and Hormann's PTRS from 10 up; binomial inverts
    geometric waiting times when n * min(p, 1 - p) < 10 and uses Hormann's BTRS otherwise; gamma is
    Marsaglia-Tsang; all element by element on double uniforms, as torch's samplers draw them.
So a seeded program draws the same weights, data, dropout masks and shuffles as under torch. What still
differs: float32 normal blocks agree to rounding only (torch evaluates that Box-Muller with its vectorised
float log/cos/sin; ~10% of the samples differ by an ulp), and float32 gamma samples by an ulp.

torch treats sampling as differentiable with a zero gradient (normal(mean, std) has grad_fn
NormalBackward1 and gives mean a zero grad); the `_Sampled` nodes below do the same.
"""
import contextlib
import math
import os
import struct
import warnings
from .. import _dtype
from .._dtype import to_dtype
from .._device import check_device
from ..backend import numpy_backend
from ..tensor import Tensor, cast
from ..autograd.graph import Op, _wrap
from ..autograd.grad_mode import is_grad_enabled
from .creation import _size
from ._util import bind, public_names

_DEFAULT_SEED = 67280421310721     # what a fresh torch.Generator() reports as its initial_seed
_U64 = 1 << 64
_MT_N = 624                        # MT19937's state words

# C++ type names torch puts in its dtype errors ('"normal_kernel_cpu" not implemented for 'Long'')
_KERNEL_NAMES = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int',
                 'int64': 'Long', 'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float',
                 'float64': 'Double', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble',
                 'uint16': 'UInt16', 'uint32': 'UInt32', 'uint64': 'UInt64'}
_C_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short', 'int32': 'int',
            'int64': 'long int', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float',
            'float64': 'double', 'uint16': 'unsigned short', 'uint32': 'unsigned int', 'uint64': 'unsigned long'}
# significand bits: the grid a uniform float sample lives on, and the largest exactly representable integer
_DIGITS = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}


# --- the Generator ------------------------------------------------------------------------------
class Generator:
    """torch.Generator: creates and manages the state of a pseudo-random number generator.

    A Mersenne Twister like torch's CPU generator, giving the same numbers for the same seed. `get_state()`
    returns a uint8 tensor in torch's layout (5056 bytes: the seed, the engine's position and 624 words,
    and the cached normal sample), so states move between ember and torch."""
    __slots__ = ('device', '_seed', '_mt', '_gen', '_normal', '__weakref__')
    _STATE_BYTES = 5056

    def __init__(self, device='cpu'):
        try:
            self.device = check_device(device)
        except AssertionError:   # torch raises RuntimeError for a CUDA generator on a CPU build
            raise RuntimeError("Cannot get CUDA generator: ember has no CUDA backend on this machine") from None
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, seed):
        self._seed = seed
        self._normal = None   # the sine half of the last double Box-Muller pair, until a draw uses it
        self._mt = self._gen = None   # made on first use: importing numpy.random costs ~9 ms of `import ember`

    @property
    def _bits(self):
        """The MT19937 engine, keyed from the seed as torch keys it (the standard 32-bit seeding)."""
        if self._mt is None:
            rnd = numpy_backend.random   # NumPy's random module: the bit generator, not data
            key, pos = rnd.RandomState(self._seed & 0xFFFFFFFF).get_state()[1:3]
            self._mt = rnd.MT19937()
            self._mt.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': pos}}
        return self._mt

    @property
    def _np(self):
        """A NumPy Generator on the same engine, for the samplers torch has no simple transform for."""
        if self._gen is None:
            self._gen = numpy_backend.random.Generator(self._bits)
        return self._gen

    def manual_seed(self, seed):
        """Sets the seed for generating random numbers. Returns the Generator object."""
        self._reseed(_check_seed(seed))
        return self

    def seed(self):
        """Gets a non-deterministic random number from the OS and uses it to seed the generator."""
        s = int.from_bytes(os.urandom(8), 'little')
        self._reseed(s)
        return s

    def initial_seed(self):
        """Returns the initial seed for generating random numbers."""
        return self._seed

    def get_state(self):
        """Returns the Generator state as a torch.ByteTensor."""
        st = self._bits.state['state']
        pos = int(st['pos'])
        normal = self._normal
        raw = (struct.pack('<QiiQ', self._seed, _MT_N + 1 - pos, 1, pos)
               + st['key'].astype('<u8').tobytes()
               + struct.pack('<dddi', 0.0, normal or 0.0, 0.0, normal is not None)
               + bytes(self._STATE_BYTES - 5044))
        return _wrap(numpy_backend.frombuffer(raw, dtype='uint8').copy(), None)

    def set_state(self, new_state):
        """Sets the Generator state from a torch.ByteTensor made by get_state(). Returns the Generator."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != self._STATE_BYTES:
            raise RuntimeError(f"Expected either a THGeneratorState of size 5048 or a CPUGeneratorImplState of size "
                               f"{self._STATE_BYTES} but found the input RNG state size to be {new_state.numel()}")
        raw = new_state._data.reshape(-1).tobytes()
        seed, left, seeded, _ = struct.unpack('<QiiQ', raw[:24])
        if not 1 <= left <= _MT_N + 1 or seeded != 1:
            raise RuntimeError("Invalid mt19937 state")
        key = numpy_backend.frombuffer(raw[24:24 + 8 * _MT_N], dtype='<u8').astype('uint32')
        _, normal, _, valid = struct.unpack('<dddi', raw[5016:5044])
        self._reseed(seed)
        self._mt = numpy_backend.random.MT19937()
        self._mt.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': _MT_N + 1 - left}}
        self._normal = normal if valid else None
        return self

    def __reduce__(self):
        return _generator_from_state, (self.get_state()._data.tobytes(),)


def _generator_from_state(raw):
    g = Generator()
    return g.set_state(_wrap(numpy_backend.frombuffer(raw, dtype='uint8').copy(), None))


def _check_seed(seed):
    seed = int(seed)
    if not -(1 << 63) <= seed < _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _U64   # torch keeps a negative seed as its two's-complement uint64


default_generator = Generator()
default_generator.seed()   # torch's default CPU generator starts from a non-deterministic seed too


def manual_seed(seed):
    """Sets the seed for generating random numbers on all devices. Returns a torch.Generator object."""
    return default_generator.manual_seed(seed)


def seed():
    """Sets the seed for generating random numbers to a non-deterministic random number on all devices.
    Returns a 64 bit number used to seed the RNG."""
    return default_generator.seed()


def initial_seed():
    """Returns the initial seed for generating random numbers as a Python `long`."""
    return default_generator.initial_seed()


def get_rng_state():
    """Returns the random number generator state as a `torch.ByteTensor`."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Sets the random number generator state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type=None):
    """Forks the RNG, so that when you return, the RNG is reset to the state that it was previously in.

    ember has only the CPU generator, so `devices` has nothing to fork besides it."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _gen(generator, op):
    """The ember Generator behind a `generator=` argument (the default generator for None)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    return generator


def _rng(generator, op):
    """The NumPy Generator on a `generator=` argument's engine (for ember's own samplers)."""
    return _gen(generator, op)._np


# --- torch's transforms of the engine's words ------------------------------------------------------
def _words(g, n):
    """n 32-bit draws (uint64 array)."""
    return g._bits.random_raw(n) if n else numpy_backend.zeros(0, 'uint64')


def _words64(g, n):
    """n 64-bit draws, each two 32-bit words (first word high)."""
    w = _words(g, 2 * n).reshape(n, 2)
    return (w[:, 0] << numpy_backend.uint64(32)) | w[:, 1]


def _u24(g, n):
    """n float uniforms on [0, 1) (as float64: they are exact), one word each."""
    return (_words(g, n) & numpy_backend.uint64(0xFFFFFF)).astype('float64') * 2.0 ** -24


def _u53(g, n):
    """n double uniforms on [0, 1), one 64-bit draw each."""
    return (_words64(g, n) & numpy_backend.uint64((1 << 53) - 1)).astype('float64') * 2.0 ** -53


def _uniform(g, n, dt):
    """n uniforms on [0, 1) for dtype dt as float64: double draws for float64, float draws otherwise."""
    return _u53(g, n) if dt is _dtype.float64 else _u24(g, n)


def _libm(name, x):
    """The C library's math function name applied to each double of x, as torch's scalar kernels call it: NumPy's
    vectorised log, log1p, exp and tan round differently in a few percent of cases (its cos and sin agree)."""
    x = numpy_backend.asarray(x, dtype='float64')
    return numpy_backend.fromiter(map(getattr(math, name), x.ravel().tolist()), 'float64', x.size).reshape(x.shape)


def _box_muller(u1, u2):
    """(r cos t, r sin t) with r = sqrt(-2 log(1 - u1)), t = 2 pi u2, in the uniforms' dtype."""
    xp = numpy_backend
    t = u1.dtype.type
    r = xp.sqrt(t(-2.0) * xp.log1p(-u1))
    a = t(2.0 * math.pi) * u2
    return r * xp.cos(a), r * xp.sin(a)


def _normal_doubles(g, n):
    """n standard normal doubles drawn one by one as torch's per-element path draws them: each Box-Muller pair
    on two double uniforms (u1 the angle's, u2 the radius's) gives its cosine half; the sine half waits in the
    generator for the next draw."""
    xp = numpy_backend
    out = xp.empty(n)
    i = 0
    if n and g._normal is not None:
        out[0], g._normal, i = g._normal, None, 1
    m = n - i
    pairs = (m + 1) // 2
    if pairs:
        u = _u53(g, 2 * pairs).reshape(pairs, 2)
        # libm's log1p as torch's scalar code calls it, so the doubles agree to the bit
        r = xp.sqrt(-2.0 * _libm('log1p', -u[:, 1]))
        a = 2.0 * math.pi * u[:, 0]
        both = xp.stack([r * xp.cos(a), r * xp.sin(a)], axis=1).reshape(-1)
        out[i:] = both[:m]
        if m % 2:
            g._normal = float(both[m])
    return out


def _normal_blocks(g, n, dt):
    """n standard normals as torch fills a contiguous tensor of 16 or more elements: blocks of 16 uniforms,
    Box-Muller on (u[j], u[j + 8]) for elements j and j + 8; a partial last block is redone on the last 16
    elements from 16 fresh uniforms."""
    xp = numpy_backend
    full = n // 16 * 16
    # float arithmetic below double (torch's float kernel is float arithmetic: ~90% of the samples agree to
    # the bit, the rest by an ulp); float and double tensors draw a uniform for every element first, half
    # precision ones (torch's scalar kernel) only for the whole blocks
    work = 'float64' if dt is _dtype.float64 else 'float32'
    u = _uniform(g, full if dt.itemsize == 2 else n, dt)[:full].astype(work).reshape(-1, 2, 8)
    out = xp.empty(n, work)
    pair = _box_muller if work == 'float32' else _box_muller_libm
    c, s = pair(u[:, 0], u[:, 1])
    blocks = out[:full].reshape(-1, 2, 8)
    blocks[:, 0], blocks[:, 1] = c, s
    if n != full:
        u = _uniform(g, 16, dt).astype(work)
        c, s = pair(u[:8], u[8:])
        out[n - 16:n - 8], out[n - 8:] = c, s
    return out


def _box_muller_libm(u1, u2):
    """Box-Muller on doubles as torch's double kernel computes it: r = sqrt(-2 log(1 - u1)) with libm's log."""
    xp = numpy_backend
    r = xp.sqrt(-2.0 * _libm('log', 1.0 - u1))
    a = 2.0 * math.pi * u2
    return r * xp.cos(a), r * xp.sin(a)


def _memory_order(shape, strides):
    """The axis order in which torch's element-wise kernels walk a tensor: outer to inner by stride (C order
    for a contiguous tensor), so a transposed tensor is filled in memory order."""
    return sorted(range(len(shape)), key=lambda d: (-abs(strides[d]), d))


def _in_order(values, shape, strides):
    """Lay a flat sequence of per-element samples onto shape in the order torch's kernels visit elements."""
    order = _memory_order(shape, strides)
    if order == list(range(len(shape))):
        return values.reshape(shape)
    inv = [order.index(d) for d in range(len(shape))]
    return values.reshape([shape[d] for d in order]).transpose(inv)


def _standard_normal_arr(g, shape, dt, contiguous=True, strides=None):
    """Standard normals (float64) for a tensor of shape and dtype dt, in torch's order and method."""
    n = math.prod(shape)
    if n >= 16 and contiguous:
        return _normal_blocks(g, n, dt).reshape(shape)
    z = _normal_doubles(g, n)
    return z.reshape(shape) if contiguous else _in_order(z, shape, strides)


# --- drawing arrays in a dtype -------------------------------------------------------------------
def _uniform01(g, shape, dt):
    """Uniform [0, 1) samples of dtype dt, as torch.rand draws them (g: an ember Generator)."""
    if dt.is_complex:
        r = dt.to_real()
        u = _uniform01(g, tuple(shape) + (2,), r)
        return (u[..., 0] + 1j * u[..., 1]).astype(dt.np)
    return _round_below(_uniform(g, math.prod(shape), dt).reshape(shape), dt, 0.0, 1.0)


def _round_below(value, dt, lo, hi):
    """value (float64, in [lo, hi)) as dtype dt; a value that rounds up to hi becomes lo, as torch's kernel
    has it (half precision rounds uniforms near 1 up to 1)."""
    v = value.astype(dt.np)
    top = v >= dt.np.type(hi)
    if top.any():
        v[top] = lo
    return v


def _fma(a, b, c):
    """a * b + c rounded once (float64 arrays), as torch's kernels compute their affine transforms (a fused
    multiply-add): Dekker's exact product and Knuth's exact sum, then one rounding of their total."""
    p = a * b
    split = 134217729.0   # 2**27 + 1: halves a double's significand
    ta, tb = split * a, split * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    v = s - p
    return s + (((p - (s - v)) + (c - v)) + err)


def _affine_uniform(u, dt, low, high):
    """Uniforms u on [0, 1) mapped to [low, high) as uniform_ maps them, in dtype dt: a fused u * (high - low) + low
    in double for double tensors, in float (with float bounds) for the others; a value that rounds up to high
    becomes low."""
    xp = numpy_backend
    if dt is _dtype.float64:
        return _round_below(_fma(u, xp.float64(high - low), xp.float64(low)), dt, low, high)
    lo, hi = xp.float32(low), xp.float32(high)
    # u has 24 bits and the float range 24: the product is exact in double, so one addition rounds like the fma
    value = (u * float(xp.float32(hi - lo)) + float(lo)).astype('float32')
    return _round_below(value, dt, low, high)


def _normal_fill(g, shape, dt, mean, std, contiguous=True, strides=None):
    """normal_(mean, std) of a tensor of shape and dtype dt (an array of dt): z * std + mean fused, in double for
    double tensors and for the per-element draws, in float (float mean and std) for the float blocks."""
    xp = numpy_backend
    if dt.is_complex:   # normal_ on the real view (interleaved re, im): both parts get mean and std / sqrt(2)
        real = None if strides is None else tuple(strides) + (dt.itemsize // 2,)
        z = _normal_fill(g, tuple(shape) + (2,), dt.to_real(), mean, std / math.sqrt(2), contiguous, real)
        return (z[..., 0] + 1j * z[..., 1]).astype(dt.np)
    z = _standard_normal_arr(g, tuple(shape), dt, contiguous, strides)
    if mean == 0 and std == 1:   # z * 1 + 0 is z
        return z.astype(dt.np, copy=False)
    if z.dtype == xp.float32:   # the block kernel of a float tensor: one float rounding of the fused product
        return (z.astype('float64') * float(xp.float32(std)) + float(xp.float32(mean))).astype('float32').astype(dt.np)
    return _fma(z, xp.float64(std), xp.float64(mean)).astype(dt.np, copy=False)


def _standard_normal(g, shape, dt):
    """N(0, 1) samples of dtype dt as torch.randn draws them (g: an ember Generator)."""
    return _normal_fill(g, shape, dt, 0.0, 1.0)


def _exponential(g, n, lambd, exact=False):
    """n exponential samples (float64) as exponential_ draws them: (-1 / lambd) * log1p(-u) on double uniforms;
    exact: with libm's log1p, as torch's kernel (matters where the result stays double)."""
    u = _u53(g, n)
    return (-1.0 / lambd) * (_libm('log1p', -u) if exact else numpy_backend.log1p(-u))


def _per_element(t, flat):
    """Per-element samples drawn in torch's visiting order, laid onto t's shape."""
    a = t._data
    return flat.reshape(a.shape) if a.flags.c_contiguous else _in_order(flat, a.shape, a.strides)


_THIRD_F32 = 0.3333333432674408     # 1/3 and the squeeze constant 0.0331 as float32 values: the precision
_SQUEEZE_F32 = 0.03310000151395798   # torch's sampler uses for them (float literals)


def _standard_gamma_draws(g, alpha):
    """Gamma(alpha, 1) samples (float64, alpha's shape) by Marsaglia and Tsang's squeeze-and-reject method
    (ACM TOMS 26(3), 2000), element by element on the generator's double uniforms and double normals, so the
    draws line up with torch's gamma sampler; alpha < 1 is boosted to alpha + 1 and scaled by u ** (1 / alpha)."""
    flat = alpha.astype('float64').ravel().tolist()
    out = numpy_backend.empty(len(flat))
    uniform = lambda: float(_u53(g, 1)[0])
    normal = lambda: float(_normal_doubles(g, 1)[0])
    for k, a in enumerate(flat):
        if not a > 0:
            out[k] = 0.0 if a == 0 else math.nan
            continue
        scale = 1.0
        if a < 1.0:
            scale = (1.0 - uniform()) ** (1.0 / a)
            a += 1.0
        d = a - _THIRD_F32
        c = 1.0 / math.sqrt(9.0 * d)
        while True:
            y = 0.0
            while y <= 0:
                x = normal()
                y = 1.0 + c * x
            v = y * y * y
            u = 1.0 - uniform()
            if u < 1.0 - _SQUEEZE_F32 * x ** 4 or math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
                out[k] = scale * d * v
                break
    return out.reshape(alpha.shape)


class _UniformStream:
    """Double uniforms handed out one at a time for the rejection samplers, drawn from the engine in chunks;
    close() puts the engine where torch's one-by-one draws would have left it."""
    __slots__ = ('g', 'start', 'buf', 'pos', 'used')

    def __init__(self, g):
        self.g, self.start, self.buf, self.pos, self.used = g, g._bits.state, [], 0, 0

    def __call__(self):
        if self.pos == len(self.buf):
            self.buf, self.pos = _u53(self.g, min(4096, max(16, 2 * len(self.buf)))).tolist(), 0
        self.pos += 1
        self.used += 1
        return self.buf[self.pos - 1]

    def close(self):
        if self.pos != len(self.buf):   # rewind, then skip the words actually used
            self.g._bits.state = self.start
            _words(self.g, 2 * self.used)


def _poisson_draws(g, lam):
    """Poisson(lam) samples (float64, lam's shape), element by element as torch's sampler draws them: for rates
    below 10 Knuth's method (count double uniforms until their product falls to exp(-lam)), from 10 up
    Hormann's transformed rejection with squeeze (PTRS; Insurance: Mathematics and Economics 12, 1993)."""
    flat = lam.astype('float64').ravel().tolist()
    out = numpy_backend.empty(len(flat))
    uniform = _UniformStream(g)
    for i, rate in enumerate(flat):
        if not rate > 0:   # no draw for a zero rate
            out[i] = 0.0 if rate == 0 else math.nan
        elif rate < 10:
            limit, k, prod = math.exp(-rate), 0, 1.0
            while True:
                prod *= uniform()
                if prod <= limit:
                    break
                k += 1
            out[i] = k
        else:
            out[i] = _ptrs(uniform, rate)
    uniform.close()
    return out.reshape(lam.shape)


def _ptrs(uniform, rate):
    sq, log_rate = math.sqrt(rate), math.log(rate)
    b = 0.931 + 2.53 * sq
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = uniform() - 0.5
        v = uniform()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + rate + 0.43)
        if us >= 0.07 and v <= v_r:
            break
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b) <= -rate + k * log_rate - math.lgamma(k + 1):
            break
    return float(k)   # (torch's int64 count wraps negative for rates beyond 2**63; ember keeps the sample)


# Stirling's series remainder log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2], tabulated for k < 10
_STIRLING_TAIL = (0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509,
                  0.01664469118982119, 0.01387612882307075, 0.01189670994589177, 0.01041126526197209,
                  0.009255462182712733, 0.008330563433362871)


def _stirling_tail(k):
    if k < 10:
        return _STIRLING_TAIL[int(k)]
    k1 = (k + 1) * (k + 1)
    return (1 / 12 - (1 / 360 - 1 / 1260 / k1) / k1) / (k + 1)


def _binomial_draws(g, count, prob):
    """Binomial(count, prob) samples (float64), element by element as torch's sampler draws them: with q the
    smaller of p and 1 - p, inversion by geometric waiting times when count * q < 10, otherwise Hormann's BTRS
    (J. Statist. Comput. Simul. 46, 1993); p > 1/2 samples failures. No draw for count <= 0 or p in {0, 1}."""
    out = numpy_backend.empty(count.size)
    uniform = _UniformStream(g)
    for i, (n, p) in enumerate(zip(count.ravel().tolist(), prob.ravel().tolist())):
        if not (n > 0 and p > 0):
            out[i] = math.nan if p != p else 0.0
            continue
        if p >= 1:
            out[i] = n
            continue
        q = 1.0 - p if p > 0.5 else p
        k = _binomial_inversion(uniform, n, q) if n * q < 10 else _btrs(uniform, n, q)
        out[i] = n - k if p > 0.5 else k
    uniform.close()
    return out.reshape(count.shape)


def _binomial_inversion(uniform, n, p):
    total, k, log_q = 0, 0, math.log1p(-p)
    while True:
        total += math.ceil(math.log(uniform()) / log_q)
        if total > n:
            return k
        k += 1


def _btrs(uniform, n, p):
    q = 1.0 - p
    sd = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * sd
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / q
    alpha = (2.83 + 5.1 / b) * sd
    m = math.floor((n + 1) * p)
    while True:
        u = uniform() - 0.5
        v = uniform()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1))) + (n + 1) * math.log((n - m + 1) / (n - k + 1))
                 + (k + 0.5) * math.log(r * (n - k + 1) / (k + 1)) + _stirling_tail(m) + _stirling_tail(n - m)
                 - _stirling_tail(k) - _stirling_tail(n - k))
        if v <= bound:
            return k


def _int64_seed(generator):
    """torch.empty((), dtype=torch.int64).random_(generator=generator).item(): how torch's data loading draws
    the seeds of its samplers and workers."""
    return int(_words64(_gen(generator, 'random_'), 1)[0] % (1 << 63))


def _bernoulli_mask(g, shape, p):
    """bernoulli_(p) with a number p: a double uniform per element below p (dropout's masks). The uniform is
    k * 2**-53 for the low 53 bits k of a 64-bit draw, so the test is k < ceil(p * 2**53), done on the two
    32-bit words (high 21 bits, then low 32) without forming doubles: 3-4x faster than converting."""
    xp = numpy_backend
    n = math.prod(shape)
    if not p > 0:
        _words(g, 2 * n)   # the draws still happen
        return xp.zeros(shape, bool)
    t = min(math.ceil(p * 2.0 ** 53), 1 << 53)
    # the same words as _words, as uint32 (NumPy hands a full 32-bit range straight from the engine)
    w = g._np.integers(0, 1 << 32, size=2 * n, dtype='uint32').reshape(n, 2)
    hi = w[:, 0] & xp.uint32(0x1FFFFF)
    t_hi = xp.uint32(t >> 32)
    return ((hi < t_hi) | ((hi == t_hi) & (w[:, 1] < xp.uint32(t & 0xFFFFFFFF)))).reshape(shape)


def _not_implemented(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_NAMES[dt.name]}'")


def _need_float(dt, kernel, complex_ok=True):
    if not (dt.is_floating_point or (complex_ok and dt.is_complex)):
        raise _not_implemented(kernel, dt)


def _shape(op, size, kwargs):
    """rand(2, 3), rand((2, 3)) and rand(size=(2, 3)) all mean shape (2, 3)."""
    if 'size' in kwargs:
        if size:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        size = (kwargs.pop('size'),)
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not size:
        raise TypeError(f"{op}() missing 1 required positional argument: 'size'")
    return _size(size, op)


def _result(a, requires_grad=False, out=None):
    """Wrap a freshly sampled array; with out=, write it into out (resized as torch resizes it)."""
    if out is not None:
        if out.shape == a.shape:
            out._data[...] = a
        else:
            out._data = a.astype(out._data.dtype)
        out._vc[0] += 1
        return out
    t = _wrap(a, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _fmt(x):
    return f"{x:g}"   # torch prints the double as C++ streams do: -1, 1.5, nan


# --- sampling as a (zero-gradient) autograd node --------------------------------------------------
class _Sampled(Op):
    """A random sample recorded in the graph. Its value does not depend differentiably on its inputs
    (parameters or the tensor being overwritten), so torch gives each input a zero gradient."""
    __slots__ = ()

    def forward(self, xp, *inputs, value):
        return value

    def backward(self, xp, g):
        z = xp.zeros_like(g)
        return (z,) * len(self.needs)

    @classmethod
    def name(cls):
        return cls.__name__


def _node(name):
    return type(name, (_Sampled,), {'__slots__': ()})


_NormalBackward0, _NormalBackward1, _NormalBackward2, _NormalBackward3 = (
    _node(f'NormalBackward{i}') for i in range(4))
_BernoulliBackward0, _BernoulliBackward1, _BernoulliBackward2 = (_node(f'BernoulliBackward{i}') for i in range(3))
_RandomBackward0, _RandomBackward1, _RandomBackward2 = (_node(f'RandomBackward{i}') for i in range(3))
_UniformBackward0, _PoissonBackward0, _ExponentialBackward0, _GeometricBackward0, _CauchyBackward0, \
    _LogNormalBackward0 = (_node(n + 'Backward0') for n in
                           ('Uniform', 'Poisson', 'Exponential', 'Geometric', 'Cauchy', 'LogNormal'))


def _sampled(node, value, *params):
    """value as a tensor; recorded as node over the tensor parameters when one of them requires grad."""
    if is_grad_enabled() and any(isinstance(p, Tensor) and p._req for p in params):
        return node.apply(*params, value=value)
    return _wrap(value, None)


def _fill(self, node, value, name, *params):
    """Write a sample into self in place (a version bump; history as torch records it)."""
    return self._inplace(lambda s, *ps: node.apply(s, *ps, value=value), *params, name=name)


# --- sampling functions -------------------------------------------------------------------------
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kwargs):
    """Returns a tensor filled with random numbers from a uniform distribution on the interval [0, 1)."""
    shape = _shape('rand', size, kwargs)
    check_device(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    _need_float(dt, 'check_uniform_bounds')
    return _result(_uniform01(_gen(generator, 'rand'), shape, dt), requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kwargs):
    """Returns a tensor filled with random numbers from a normal distribution with mean 0 and variance 1."""
    shape = _shape('randn', size, kwargs)
    check_device(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    _need_float(dt, 'normal_kernel_cpu')
    return _result(_standard_normal(_gen(generator, 'randn'), shape, dt), requires_grad, out)


def _check_from_to(op, low, high, dt):
    """torch's checks on a discrete range [low, high) for dtype dt (high None: up to dt's maximum)."""
    if high is not None and low >= high:
        raise RuntimeError(f"{op} expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dt.is_floating_point:
        fi = _dtype.finfo(dt)
        if not fi.min <= low <= fi.max:
            raise RuntimeError(f"from is out of bounds for {_C_NAMES[dt.name]}")
        digits = _DIGITS[dt.name]
        if high is not None and not -(1 << digits) <= high - 1 <= (1 << digits):
            warnings.warn(f"to - 1 is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                          f"{_C_NAMES[dt.name]} can support discrete uniform distribution only within this range.")
        return
    lo, hi = (0, 1) if dt is _dtype.bool_ else (int(_dtype.iinfo(dt).min), int(_dtype.iinfo(dt).max))
    if not lo <= low <= hi:
        raise RuntimeError(f"from is out of bounds for {_C_NAMES[dt.name]}")
    if high is not None and not lo <= high - 1 <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dt.name]}")


def _integers(g, low, high, shape, dt):
    """Uniform integers in [low, high) as dtype dt, as torch draws them: low + word % (high - low), with
    64-bit draws for ranges of 2**32 or more."""
    xp = numpy_backend
    n, span = math.prod(shape), high - low
    w = _words64(g, n) if span >= 1 << 32 else _words(g, n)
    r = w % xp.uint64(span) if span < _U64 else w
    if low >= 0 and high > 1 << 63:   # beyond int64: stay unsigned
        return (r + xp.uint64(low)).reshape(shape).astype(dt.np)
    return (r.astype('int64') + low).reshape(shape).astype(dt.np)


def _int_arg(x, op, name):
    if isinstance(x, Tensor):
        x = x.item()
    try:
        return int(x.__index__())
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(x).__name__}") from None


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """randint(low=0, high, size, \\*, generator=None, ...): a tensor filled with random integers generated
    uniformly between low (inclusive) and high (exclusive). The dtype defaults to torch.int64."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if size is None or len(args) > 2 or (high is not None and args) or (len(args) == 2 and low is not None):
        raise TypeError(f"randint() received an invalid combination of arguments - got {len(args)} numbers and "
                        f"size={size!r}; expected (int high, tuple of ints size) or "
                        "(int low, int high, tuple of ints size)")
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    low = 0 if low is None else _int_arg(low, 'randint', 'low')
    high = _int_arg(high, 'randint', 'high')
    shape = _size((size,), 'randint')
    check_device(device)
    dt = to_dtype(dtype) or _dtype.int64
    _check_from_to('random_', low, high, dt)
    return _result(_integers(_gen(generator, 'randint'), low, high, shape, dt), requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """Returns a random permutation of integers from 0 to n - 1."""
    n = _int_arg(n, 'randperm', 'n')
    if n < 0:
        raise RuntimeError(f"randperm: Trying to create tensor with negative dimension {n}: [{n}]")
    check_device(device)
    dt = to_dtype(dtype) or _dtype.int64
    if dt.is_floating_point:
        limit = (1 << _DIGITS[dt.name]) + 1
        if n > limit:
            raise RuntimeError(f"randperm: n cannot be greater than {limit} for {_KERNEL_NAMES[dt.name]} type.")
    elif n > 0 and (dt.is_complex or n - 1 > (1 if dt is _dtype.bool_ else _dtype.iinfo(dt).max)):
        raise RuntimeError(f"randperm: value {n - 1} cannot be converted to type {dt.name} without overflow")
    return _result(_randperm(_gen(generator, 'randperm'), n).astype(dt.np), requires_grad, out)


def _randperm(g, n):
    """torch's CPU randperm: a forward Fisher-Yates shuffle, position i swapped with i + word % (n - i). The
    swaps depend on each other, so the loop is Python's; the words come from the engine in one call."""
    order = list(range(n))
    for i, w in enumerate(_words(g, max(n - 1, 0)).tolist()):
        j = i + w % (n - i)
        order[i], order[j] = order[j], order[i]
    return numpy_backend.array(order, dtype='int64')


def _as_sample_input(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _keeps_layout(input, memory_format):
    """Whether a *_like sampler's result takes a permuted input's layout (torch's preserve_format): then it
    is drawn, like any in-place sampler, in that memory order."""
    from .creation import _dense_order
    return (memory_format is None or str(memory_format) == 'torch.preserve_format') and \
        _dense_order(input._data) is not None


def _like_sample(input, dtype, requires_grad, fill):
    from .creation import empty_like
    from ..autograd.grad_mode import no_grad
    t = empty_like(input, dtype=dtype)
    with no_grad():
        fill(t)
    return t.requires_grad_(True) if requires_grad else t


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    """Returns a tensor with the same size as input filled with random numbers from a uniform
    distribution on the interval [0, 1)."""
    input = _as_sample_input(input, 'rand_like')
    if _keeps_layout(input, memory_format):
        return _like_sample(input, dtype, requires_grad, lambda t: t.uniform_(generator=generator))
    return rand(input._data.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    """Returns a tensor with the same size as input filled with random numbers from a normal distribution
    with mean 0 and variance 1."""
    input = _as_sample_input(input, 'randn_like')
    if _keeps_layout(input, memory_format):
        return _like_sample(input, dtype, requires_grad, lambda t: t.normal_(generator=generator))
    return randn(input._data.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint_like(input, low=0, high): a tensor with the same shape as input filled with random integers
    generated uniformly between low (inclusive) and high (exclusive), in input's dtype by default."""
    input = _as_sample_input(input, 'randint_like')
    if high is None:
        low, high = 0, low
    if _keeps_layout(input, memory_format):
        return _like_sample(input, dtype, requires_grad, lambda t: t.random_(low, high, generator=generator))
    return randint(low, high, input._data.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                   requires_grad=requires_grad)


def _broadcast_shape(a, b):
    try:
        return numpy_backend.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, max(len(a), len(b)) + 1):
            x, y = (a[-i] if i <= len(a) else 1), (b[-i] if i <= len(b) else 1)
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"normal: The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                   f"non-singleton dimension {max(len(a), len(b)) - i}") from None
        raise


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Returns a tensor of random numbers drawn from separate normal distributions whose mean and standard
    deviation are given (each a tensor or a number; with two numbers, `size` gives the shape)."""
    g = _gen(generator, 'normal')
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if (tm or ts) and size is not None:
        raise TypeError("normal() received an invalid combination of arguments: size= is only accepted with a "
                        "float mean and a float std")
    if ts and std.dtype.is_complex:
        raise RuntimeError("normal expects standard deviation to be non-complex")
    for t in (x for x in (mean, std) if isinstance(x, Tensor)):
        _need_float(t.dtype, 'normal_kernel_cpu')   # a complex mean samples its real and imaginary parts
    if ts:
        if bool((std._data < 0).any()) or bool(numpy_backend.isnan(std._data).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if tm and ts:
        dt = _dtype.promote_types(mean.dtype, std.dtype)
        mean, std = cast(mean, dt), cast(std, dt)
        shape = _broadcast_shape(mean._data.shape, std._data.shape)
        value = (_standard_normal(g, shape, dt) * std._data + mean._data).astype(dt.np, copy=False)
        r = _sampled(_NormalBackward3, value, mean, std)
        return r if out is None else _result(r._data, out=out)
    if tm:   # torch: normal_(0, std) of mean's shape and dtype, then + mean
        value = _normal_fill(g, mean._data.shape, mean.dtype, 0.0, std) + mean._data
        r = _sampled(_NormalBackward1, value.astype(mean._data.dtype, copy=False), mean)
        return r if out is None else _result(r._data, out=out)
    if ts:
        value = _standard_normal(g, std._data.shape, std.dtype) * std._data + std._data.dtype.type(mean)
        r = _sampled(_NormalBackward2, value.astype(std._data.dtype, copy=False), std)
        return r if out is None else _result(r._data, out=out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                        "expected a tensor mean or std, or (float mean, float std, tuple of ints size)")
    shape = _size((size,), 'normal')
    check_device(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    _need_float(dt, 'normal_kernel_cpu')
    return _result(_normal_fill(g, shape, dt, mean, std), requires_grad, out)


def _check_probs(p, op):
    a = p._data
    if not bool(((a >= 0) & (a <= 1)).all()):   # NaN fails both comparisons
        raise RuntimeError(f"{op}: Expected p_in >= 0 && p_in <= 1 to be true, but got false.")


def _check_p(p, op):
    if not 0 <= p <= 1:
        raise RuntimeError(f"{op} expects p to be in [0, 1], but got p={_fmt(p)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws binary random numbers (0 or 1) from a Bernoulli distribution: input holds the probabilities
    (or, with p given, only the shape and dtype). The result has input's dtype."""
    input = _as_sample_input(input, 'bernoulli')
    g = _gen(generator, 'bernoulli')
    if p is not None:
        if isinstance(p, Tensor):
            p = p.item()
        _check_p(p, 'bernoulli_')
        return _result(_bernoulli_mask(g, input._data.shape, p).astype(input._data.dtype), out=out)
    _need_float(input.dtype, 'bernoulli_tensor_cpu_p_', complex_ok=False)
    _check_probs(input, 'bernoulli')
    value = (_uniform01(g, input._data.shape, input.dtype) < input._data).astype(input._data.dtype)
    r = _sampled(_BernoulliBackward0, value, input)
    return r if out is None else _result(r._data, out=out)


def poisson(input, generator=None):
    """Returns a tensor of the same size as input with each element sampled from a Poisson distribution
    with rate parameter given by the corresponding element in input."""
    input = _as_sample_input(input, 'poisson')
    _need_float(input.dtype, 'poisson_cpu', complex_ok=False)
    lam = input._data.astype('float64')
    if bool((lam < 0).any()) or bool(numpy_backend.isnan(lam).any()):
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative")
    value = _poisson_draws(_gen(generator, 'poisson'), lam)
    return _sampled(_PoissonBackward0, value.astype(input._data.dtype), input)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Returns a tensor where each row contains num_samples indices sampled from the multinomial probability
    distribution located in the corresponding row of tensor input (rows need not sum to one)."""
    input = _as_sample_input(input, 'multinomial')
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {input.ndim} dims")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_KERNEL_NAMES[input.dtype.name]}")
    num_samples = _int_arg(num_samples, 'multinomial', 'num_samples')
    if num_samples <= 0:
        raise RuntimeError("multinomial: cannot sample n_sample <= 0 samples")
    p = input._data.astype('float64').reshape(-1, input._data.shape[-1])
    rows, n = p.shape
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {n})")
    if not bool(((p >= 0) & (p < float('inf'))).all()):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if rows and not bool((p.sum(-1) > 0).all()):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    g = _gen(generator, 'multinomial')
    xp = numpy_backend
    if replacement and num_samples > 1:   # one sample takes the path without replacement, as in torch
        # torch's kernel: per row, the normalised running sum in the input's dtype, then for each sample the
        # first category whose running sum reaches a double uniform
        cdf = input._data.reshape(rows, n).cumsum(-1, dtype=input._data.dtype)
        cdf = (cdf / cdf[:, -1:]).astype('float64')
        u = _u53(g, rows * num_samples).reshape(rows, num_samples)
        idx = xp.stack([xp.searchsorted(c, r, side='left') for c, r in zip(cdf, u)]) \
            if rows else xp.zeros((0, num_samples), 'int64')
        idx = xp.minimum(idx, n - 1)
    else:
        # torch's trick: the num_samples largest p / Exp(1) are a weighted draw without replacement
        # (the exponentials drawn as exponential_ draws them, in the input's dtype)
        q = _exponential(g, rows * n, 1.0, input.dtype is _dtype.float64).astype(input._data.dtype).reshape(rows, n)
        keys = input._data.reshape(rows, n) / q
        if num_samples * 8 < n:   # the few largest first, then only they are sorted
            top = xp.argpartition(-keys, num_samples - 1, axis=-1)[:, :num_samples]
            order = xp.argsort(-xp.take_along_axis(keys, top, -1), axis=-1, kind='stable')
            idx = xp.take_along_axis(top, order, -1)
        else:
            idx = xp.argsort(-keys, axis=-1, kind='stable')[:, :num_samples]
    idx = idx.astype('int64').reshape(input._data.shape[:-1] + (num_samples,))
    return _result(idx, out=out)


# --- in-place samplers (Tensor methods) ---------------------------------------------------------
def _finite_bounds(op, low, high, dt):
    fi = _dtype.finfo(dt.to_real())
    if not fi.min <= low <= fi.max:
        raise RuntimeError(f"{op}: from is out of bounds for {_C_NAMES[dt.to_real().name]}")
    if not fi.min <= high <= fi.max:
        raise RuntimeError(f"{op}: to is out of bounds for {_C_NAMES[dt.to_real().name]}")


def uniform_(self, from_=0, to=1, *, generator=None):
    """Fills self tensor with numbers sampled from the continuous uniform distribution [from, to)."""
    dt = self.dtype
    _need_float(dt, 'check_uniform_bounds')
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > "
                           f"to={_fmt(to)}")
    _finite_bounds('uniform_', from_, to, dt)
    g = _gen(generator, 'uniform_')
    if dt.is_complex:   # each part uniform on [from, to)
        value = _uniform01(g, self._data.shape, dt) * (to - from_) + complex(from_, from_)
    else:
        value = _affine_uniform(_per_element(self, _uniform(g, self._data.size, dt)), dt, from_, to)
    return _fill(self, _UniformBackward0, value.astype(dt.np), 'uniform_')


def normal_(self, mean=0, std=1, *, generator=None):
    """Fills self tensor with elements samples from the normal distribution parameterized by mean and std."""
    dt = self.dtype
    _need_float(dt, 'normal_kernel_cpu')
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    a = self._data
    value = _normal_fill(_gen(generator, 'normal_'), a.shape, dt, mean, std, a.flags.c_contiguous, a.strides)
    return _fill(self, _NormalBackward0, value, 'normal_')


def bernoulli_(self, p=0.5, *, generator=None):
    """Fills each location of self with an independent sample from Bernoulli(p): p a number, or a tensor of
    probabilities broadcastable to self's shape."""
    g = _gen(generator, 'bernoulli_')
    shape = self._data.shape
    if isinstance(p, Tensor):
        _need_float(p.dtype, 'bernoulli_tensor_cpu_p_', complex_ok=False)
        try:
            probs = numpy_backend.broadcast_to(p._data, shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: The expanded size of the tensor ({list(shape)}) must match the "
                               f"existing size ({list(p.shape)}) of p. Target sizes: {list(shape)}.  Tensor sizes: "
                               f"{list(p.shape)}") from None
        _check_probs(p, 'bernoulli_')
        u = _per_element(self, _uniform(g, self._data.size, p.dtype))   # uniforms of p's dtype
        return _fill(self, _BernoulliBackward1, (u < probs).astype(self._data.dtype), 'bernoulli_', p)
    _check_p(p, 'bernoulli_')
    u = _per_element(self, _u53(g, self._data.size))
    return _fill(self, _BernoulliBackward2, (u < p).astype(self._data.dtype), 'bernoulli_')


_UNSET = object()


def random_(self, from_=None, to=_UNSET, *, generator=None):
    """random_(from=0, to=None): fills self with numbers sampled from the discrete uniform distribution over
    [from, to - 1]. random_(to) samples [0, to - 1]; random_() the whole range of self's dtype ([0, 2**mantissa]
    for floating point, so that every value is representable)."""
    dt = self.dtype
    if dt.is_complex:
        raise _not_implemented('random_from_to', dt)
    if to is _UNSET:
        node = _RandomBackward2 if from_ is None else _RandomBackward1
        from_, to = 0, from_
    else:
        node = _RandomBackward0
        from_ = 0 if from_ is None else from_
    from_ = _int_arg(from_, 'random_', 'from')
    if to is None:
        top = (1 << _DIGITS[dt.name]) if dt.is_floating_point else 1 if dt is _dtype.bool_ else \
            int(_dtype.iinfo(dt).max)
        _check_from_to('random_', from_, top + 1, dt)
        high = top + 1
    else:
        high = _int_arg(to, 'random_', 'to')
        _check_from_to('random_', from_, high, dt)
    value = _per_element(self, _integers(_gen(generator, 'random_'), from_, high, (self._data.size,), dt))
    return _fill(self, node, value, 'random_')


def exponential_(self, lambd=1, *, generator=None):
    """Fills self tensor with elements drawn from the exponential distribution f(x) = lambd * exp(-lambd * x)."""
    dt = self.dtype
    if not dt.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_KERNEL_NAMES[dt.name]}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    value = _per_element(self, _exponential(_gen(generator, 'exponential_'), self._data.size, lambd,
                                            dt is _dtype.float64))
    return _fill(self, _ExponentialBackward0, value.astype(dt.np), 'exponential_')


def geometric_(self, p, *, generator=None):
    """Fills self tensor with elements drawn from the geometric distribution P(X = k) = (1 - p)**(k - 1) * p,
    k = 1, 2, ..."""
    dt = self.dtype
    if dt is _dtype.bool_ or dt.is_complex:
        raise _not_implemented('geometric_cpu', dt)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    u = _u53(_gen(generator, 'geometric_'), self._data.size)
    value = _per_element(self, numpy_backend.ceil(numpy_backend.log(u) / math.log1p(-p)))
    return _fill(self, _GeometricBackward0, value.astype(dt.np), 'geometric_')


def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fills the tensor with numbers drawn from the Cauchy distribution
    f(x) = sigma / (pi * ((x - median)**2 + sigma**2))."""
    dt = self.dtype
    if not dt.is_floating_point:
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_C_NAMES.get(dt.name, dt.name)}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    xp = numpy_backend
    u = _u53(_gen(generator, 'cauchy_'), self._data.size)
    a = math.pi * (u - 0.5)
    tan = _libm('tan', a) if dt is _dtype.float64 else xp.tan(a)
    value = _fma(_per_element(self, tan), xp.float64(sigma), xp.float64(median))
    return _fill(self, _CauchyBackward0, value.astype(dt.np), 'cauchy_')


def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fills self tensor with numbers samples from the log-normal distribution parameterized by the given
    mean and standard deviation of the underlying normal distribution."""
    dt = self.dtype
    _need_float(dt, 'log_normal_cpu', complex_ok=False)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    z = _fma(_normal_doubles(_gen(generator, 'log_normal_'), self._data.size), numpy_backend.float64(std),
             numpy_backend.float64(mean))
    value = _per_element(self, _libm('exp', z) if dt is _dtype.float64 else numpy_backend.exp(z))
    return _fill(self, _LogNormalBackward0, value.astype(dt.np), 'log_normal_')


bind(uniform_=uniform_, normal_=normal_, bernoulli_=bernoulli_, random_=random_, exponential_=exponential_,
     geometric_=geometric_, cauchy_=cauchy_, log_normal_=log_normal_, bernoulli=bernoulli, multinomial=multinomial)

__all__ = [n for n in public_names(globals(), __name__) if not n.endswith('_')] + ['Generator', 'default_generator']
