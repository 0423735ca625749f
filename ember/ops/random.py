"""Random sampling: torch.Generator on NumPy's PCG64, seeding, the sampling functions, and the in-place
samplers (uniform_, normal_, ...).

The streams are not torch's (its Mersenne Twister and its transforms are not reproduced), but they are
ember's own and stable: the same seed gives the same numbers on every run, and get_state/set_state
restore a stream exactly. Samples are drawn directly in the requested dtype's resolution (rand in
float16 is k * 2**-11), so a value that must stay below 1 never rounds up to it.

torch treats sampling as differentiable with a zero gradient (normal(mean, std) has grad_fn
NormalBackward1 and gives mean a zero grad); the `_Sampled` nodes below do the same.
"""
import contextlib
import os
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

# C++ type names torch puts in its dtype errors ('"normal_kernel_cpu" not implemented for 'Long'')
_KERNEL_NAMES = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int',
                 'int64': 'Long', 'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float',
                 'float64': 'Double', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}
_C_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short', 'int32': 'int',
            'int64': 'long int', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float',
            'float64': 'double'}
# significand bits: the grid a uniform float sample lives on, and the largest exactly representable integer
_DIGITS = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}


# --- the Generator ------------------------------------------------------------------------------
class Generator:
    """torch.Generator: creates and manages the state of a pseudo-random number generator.

    ember's generator is NumPy's PCG64. `get_state()` returns its full state as a uint8 tensor
    (the initial seed, PCG64's 128-bit state and increment, and the buffered half of a 64-bit draw)."""
    __slots__ = ('device', '_seed', '_pcg', '__weakref__')
    _STATE_BYTES = 8 + 16 + 16 + 1 + 4

    def __init__(self, device='cpu'):
        try:
            self.device = check_device(device)
        except AssertionError:   # torch raises RuntimeError for a CUDA generator on a CPU build
            raise RuntimeError("Cannot get CUDA generator: ember has no CUDA backend on this machine") from None
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, seed):
        self._seed = seed
        self._pcg = None   # made on first use: importing numpy.random costs ~9 ms of `import ember`

    @property
    def _np(self):
        """The NumPy Generator drawing this generator's numbers."""
        if self._pcg is None:
            rnd = numpy_backend.random   # NumPy's random module: the bit generator, not data
            self._pcg = rnd.Generator(rnd.PCG64(self._seed))
        return self._pcg

    @property
    def _bits(self):
        return self._np.bit_generator

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
        st = self._bits.state
        raw = (self._seed.to_bytes(8, 'little') + st['state']['state'].to_bytes(16, 'little')
               + st['state']['inc'].to_bytes(16, 'little') + bytes([st['has_uint32']])
               + st['uinteger'].to_bytes(4, 'little'))
        return _wrap(numpy_backend.frombuffer(raw, dtype='uint8').copy(), None)

    def set_state(self, new_state):
        """Sets the Generator state from a torch.ByteTensor made by get_state(). Returns the Generator."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != self._STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {self._STATE_BYTES} but found the input "
                               f"RNG state size to be {new_state.numel()}")
        raw = new_state._data.reshape(-1).tobytes()
        inc, has_uint32 = int.from_bytes(raw[24:40], 'little'), raw[40]
        if inc % 2 == 0 or has_uint32 > 1:   # PCG64's increment is always odd
            raise RuntimeError("set_state: the RNG state is corrupt (not made by Generator.get_state)")
        self._reseed(int.from_bytes(raw[:8], 'little'))
        self._bits.state = {'bit_generator': 'PCG64',
                            'state': {'state': int.from_bytes(raw[8:24], 'little'), 'inc': inc},
                            'has_uint32': has_uint32, 'uinteger': int.from_bytes(raw[41:45], 'little')}
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


def _rng(generator, op):
    """The NumPy generator behind a `generator=` argument (the default generator for None)."""
    if generator is None:
        return default_generator._np
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}(): argument 'generator' must be torch.Generator, not {type(generator).__name__}")
    return generator._np


# --- drawing arrays in a dtype -------------------------------------------------------------------
def _uniform01(g, shape, dt):
    """Uniform [0, 1) samples of dtype dt on dt's own grid (k * 2**-digits), so none rounds up to 1."""
    if dt.is_complex:
        r = dt.to_real()
        return (_uniform01(g, shape, r) + 1j * _uniform01(g, shape, r)).astype(dt.np)
    if dt is _dtype.float64 or dt is _dtype.float32:
        return g.random(shape, dtype=dt.np)
    bits = _DIGITS[dt.name]
    return (g.integers(0, 1 << bits, shape) * (2.0 ** -bits)).astype(dt.np)


def _standard_normal(g, shape, dt):
    """N(0, 1) samples of dtype dt; complex samples have independent N(0, 1/2) parts (variance 1)."""
    if dt.is_complex:
        r = dt.to_real()
        z = _standard_normal(g, shape, r) + 1j * _standard_normal(g, shape, r)
        return (z * 0.5 ** 0.5).astype(dt.np)
    if dt is _dtype.float64:
        return g.standard_normal(shape)
    z = g.standard_normal(shape, dtype='float32')
    return z if dt is _dtype.float32 else z.astype(dt.np)


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
    return _result(_uniform01(_rng(generator, 'rand'), shape, dt), requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kwargs):
    """Returns a tensor filled with random numbers from a normal distribution with mean 0 and variance 1."""
    shape = _shape('randn', size, kwargs)
    check_device(device)
    dt = to_dtype(dtype) or _dtype._default[0]
    _need_float(dt, 'normal_kernel_cpu')
    return _result(_standard_normal(_rng(generator, 'randn'), shape, dt), requires_grad, out)


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
    """Uniform integers in [low, high) as dtype dt (drawn as int64, or beyond it as uint64)."""
    if high > (1 << 63):
        a = g.integers(low, high, shape, dtype='uint64')
    else:
        a = g.integers(low, high, shape, dtype='int64')
    return a.astype(dt.np)


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
    return _result(_integers(_rng(generator, 'randint'), low, high, shape, dt), requires_grad, out)


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
    return _result(_rng(generator, 'randperm').permutation(n).astype(dt.np), requires_grad, out)


def _as_sample_input(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    """Returns a tensor with the same size as input filled with random numbers from a uniform
    distribution on the interval [0, 1)."""
    input = _as_sample_input(input, 'rand_like')
    return rand(input._data.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    """Returns a tensor with the same size as input filled with random numbers from a normal distribution
    with mean 0 and variance 1."""
    input = _as_sample_input(input, 'randn_like')
    return randn(input._data.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint_like(input, low=0, high): a tensor with the same shape as input filled with random integers
    generated uniformly between low (inclusive) and high (exclusive), in input's dtype by default."""
    input = _as_sample_input(input, 'randint_like')
    if high is None:
        low, high = 0, low
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
    g = _rng(generator, 'normal')
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if (tm or ts) and size is not None:
        raise TypeError("normal() received an invalid combination of arguments: size= is only accepted with a "
                        "float mean and a float std")
    for t in (x for x in (mean, std) if isinstance(x, Tensor)):
        _need_float(t.dtype, 'normal_kernel_cpu', complex_ok=False)
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
    if tm:
        value = (_standard_normal(g, mean._data.shape, mean.dtype) * mean._data.dtype.type(std) + mean._data)
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
    value = _standard_normal(g, shape, dt) * std + mean
    return _result(value.astype(dt.np, copy=False), requires_grad, out)


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
    g = _rng(generator, 'bernoulli')
    if p is not None:
        if isinstance(p, Tensor):
            p = p.item()
        _check_p(p, 'bernoulli_')
        return _result((g.random(input._data.shape) < p).astype(input._data.dtype), out=out)
    _need_float(input.dtype, 'bernoulli_tensor_cpu_p_', complex_ok=False)
    _check_probs(input, 'bernoulli')
    value = (g.random(input._data.shape) < input._data).astype(input._data.dtype)
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
    g = _rng(generator, 'poisson')
    # NumPy refuses rates beyond ~9e18; there the normal approximation is exact to double precision
    huge = lam > 1e15
    small = numpy_backend.where(huge, 0.0, lam)
    value = numpy_backend.asarray(g.poisson(small), dtype='float64')   # a 0-d rate samples a Python int
    if huge.any():
        big = lam[huge]
        value[huge] = numpy_backend.round(big + numpy_backend.sqrt(big) * g.standard_normal(big.shape))
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
    g = _rng(generator, 'multinomial')
    if replacement:
        cdf = p.cumsum(-1)
        cdf /= cdf[:, -1:]
        u = g.random((rows, num_samples))
        # side='right' never picks a zero-probability category: its cdf step is empty
        idx = numpy_backend.stack([numpy_backend.searchsorted(c, r, side='right') for c, r in zip(cdf, u)]) \
            if rows else numpy_backend.zeros((0, num_samples), 'int64')
        idx = numpy_backend.minimum(idx, n - 1)
    else:
        # torch's trick: the num_samples largest p / Exp(1) are a weighted draw without replacement.
        # Zero-probability categories come last (torch returns them too when too few are nonzero).
        keys = p / g.standard_exponential((rows, n))
        idx = numpy_backend.argsort(-keys, axis=-1, kind='stable')[:, :num_samples]
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
    u = _uniform01(_rng(generator, 'uniform_'), self._data.shape, dt)
    if dt.is_complex:
        value = u * (to - from_) + complex(from_, from_)   # each part uniform on [from, to)
    else:
        value = u.astype('float64') * (to - from_) + from_
    return _fill(self, _UniformBackward0, value.astype(dt.np), 'uniform_')


def normal_(self, mean=0, std=1, *, generator=None):
    """Fills self tensor with elements samples from the normal distribution parameterized by mean and std."""
    dt = self.dtype
    _need_float(dt, 'normal_kernel_cpu')
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    z = _standard_normal(_rng(generator, 'normal_'), self._data.shape, dt)
    # a complex tensor is normal_ on its real view: both parts get the mean, each part std / sqrt(2)
    value = z * std + (complex(mean, mean) if dt.is_complex else mean)
    return _fill(self, _NormalBackward0, value.astype(dt.np), 'normal_')


def bernoulli_(self, p=0.5, *, generator=None):
    """Fills each location of self with an independent sample from Bernoulli(p): p a number, or a tensor of
    probabilities broadcastable to self's shape."""
    g = _rng(generator, 'bernoulli_')
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
        return _fill(self, _BernoulliBackward1, (g.random(shape) < probs).astype(self._data.dtype), 'bernoulli_', p)
    _check_p(p, 'bernoulli_')
    return _fill(self, _BernoulliBackward2, (g.random(shape) < p).astype(self._data.dtype), 'bernoulli_')


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
    value = _integers(_rng(generator, 'random_'), from_, high, self._data.shape, dt)
    return _fill(self, node, value, 'random_')


def exponential_(self, lambd=1, *, generator=None):
    """Fills self tensor with elements drawn from the exponential distribution f(x) = lambd * exp(-lambd * x)."""
    dt = self.dtype
    if not dt.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_KERNEL_NAMES[dt.name]}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    value = _rng(generator, 'exponential_').standard_exponential(self._data.shape) / lambd
    return _fill(self, _ExponentialBackward0, value.astype(dt.np), 'exponential_')


def geometric_(self, p, *, generator=None):
    """Fills self tensor with elements drawn from the geometric distribution P(X = k) = (1 - p)**(k - 1) * p,
    k = 1, 2, ..."""
    dt = self.dtype
    if dt is _dtype.bool_ or dt.is_complex:
        raise _not_implemented('geometric_cpu', dt)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    value = _rng(generator, 'geometric_').geometric(p, self._data.shape)
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
    value = median + sigma * _rng(generator, 'cauchy_').standard_cauchy(self._data.shape)
    return _fill(self, _CauchyBackward0, value.astype(dt.np), 'cauchy_')


def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fills self tensor with numbers samples from the log-normal distribution parameterized by the given
    mean and standard deviation of the underlying normal distribution."""
    dt = self.dtype
    _need_float(dt, 'log_normal_cpu', complex_ok=False)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    value = _rng(generator, 'log_normal_').lognormal(mean, std, self._data.shape)
    return _fill(self, _LogNormalBackward0, value.astype(dt.np), 'log_normal_')


bind(uniform_=uniform_, normal_=normal_, bernoulli_=bernoulli_, random_=random_, exponential_=exponential_,
     geometric_=geometric_, cauchy_=cauchy_, log_normal_=log_normal_, bernoulli=bernoulli, multinomial=multinomial)

__all__ = [n for n in public_names(globals(), __name__) if not n.endswith('_')] + ['Generator', 'default_generator']
