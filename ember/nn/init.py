"""torch.nn.init: fill parameters in place, under no_grad, from torch's distributions.

Every random fill draws from ember's generators (the default one, seeded by ember.manual_seed, or
the generator= argument), so a seeded program repeats.
"""
import math
import warnings
from ..tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..autograd.graph import _wrap
from ..backend import xp_of
from ..ops.random import _gen, _randperm

__all__ = ['calculate_gain', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_',
           'dirac_', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'orthogonal_',
           'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform', 'xavier_normal',
           'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse']


def calculate_gain(nonlinearity, param=None):
    """Return the recommended gain value for the given nonlinearity function.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity 1
    Conv{1,2,3}D      1
    Sigmoid           1
    Tanh              5/3
    ReLU              sqrt(2)
    Leaky Relu        sqrt(2 / (1 + negative_slope^2))
    SELU              3/4
    ================= ====================================================

    Args:
        nonlinearity: the non-linear function (`nn.functional` name)
        param: optional parameter for the non-linear function (the negative slope of leaky_relu)
    """
    linear_fns = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
                  'conv_transpose3d']
    if nonlinearity in linear_fns or nonlinearity == 'sigmoid':
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param   # True/False are instances of int, hence the bool check
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _check(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill the input Tensor with values drawn from the uniform distribution U(a, b).

    Args:
        tensor: an n-dimensional `torch.Tensor`
        a: the lower bound of the uniform distribution
        b: the upper bound of the uniform distribution
        generator: the torch Generator to sample from (default: None)
    """
    _check(tensor, 'uniform_')
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill the input Tensor with values drawn from the normal distribution N(mean, std^2).

    Args:
        tensor: an n-dimensional `torch.Tensor`
        mean: the mean of the normal distribution
        std: the standard deviation of the normal distribution
        generator: the torch Generator to sample from (default: None)
    """
    _check(tensor, 'normal_')
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill the input Tensor with values drawn from a truncated normal distribution.

    The values are effectively drawn from the normal distribution N(mean, std^2) with values outside
    [a, b] redrawn until they are within the bounds. The method used for generating the random values
    works best when a <= mean <= b.
    """
    _check(tensor, 'trunc_normal_')
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may "
                      "be incorrect.", stacklevel=2)
    with no_grad():
        # P(a <= X <= b) decides the method, as torch's does: from 0.3 up, normal samples with the ones outside
        # [a, b] redrawn; below, uniform proposals on [a, b] accepted by the density relative to its peak
        mass = _normal_cdf((b - mean) / std) - _normal_cdf((a - mean) / std)
        if mass < 0.3:
            _write(tensor, _trunc_normal_by_uniforms(tensor, mean, std, a, b, generator))
            return tensor
        # a normal sample, then whole fresh samples of the tensor's shape whose elements replace the ones
        # still outside [a, b], until none is
        tensor.normal_(mean, std, generator=generator)
        x = tensor._data
        xp = xp_of(x)
        out = (x < a) | (x > b)
        rounds = 0
        while out.any() and rounds < 10000:
            fresh = _like(tensor).normal_(mean, std, generator=generator)._data
            x = xp.where(out, fresh, x)
            out = (x < a) | (x > b)
            rounds += 1
        _write(tensor, xp.clip(x, a, b).astype(x.dtype))
        return tensor


def _like(tensor):
    """A scratch tensor laid out as tensor (torch's empty_like keeps the strides), so samples drawn into it land
    in the same order as in tensor."""
    return tensor.clone()


def _normal_cdf(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _trunc_normal_by_uniforms(tensor, mean, std, a, b, generator):
    """Rejection from uniform proposals on [a, b], in rounds over the whole shape: a proposal x (uniform_(a, b)),
    then a uniform u; x is kept where u < exp(-((x - mean)**2 - (peak - mean)**2) / (2 std**2)), peak the point of
    [a, b] nearest the mean; elements already kept keep their first accepted proposal."""
    peak = min(max(mean, a), b)
    xp = xp_of(tensor._data)
    x = xp.zeros(tensor.shape, tensor._data.dtype)
    done = xp.zeros(tensor.shape, bool)
    while not done.all():
        prop = _like(tensor).uniform_(a, b, generator=generator)
        u = _like(tensor).uniform_(generator=generator)
        ok = (u < ((prop - mean) ** 2 - (peak - mean) ** 2).div(-2 * std * std).exp())._data
        x = xp.where(ok & ~done, prop._data, x)
        done = done | ok
    return x


def constant_(tensor, val):
    """Fill the input Tensor with the value val."""
    _check(tensor, 'constant_')
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill the input Tensor with the scalar value `1`."""
    _check(tensor, 'ones_')
    with no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    """Fill the input Tensor with the scalar value `0`."""
    _check(tensor, 'zeros_')
    with no_grad():
        return tensor.zero_()


def _write(tensor, array):
    with no_grad():
        tensor.copy_(_wrap(array, None))
    return tensor


def eye_(tensor):
    """Fill the 2-dimensional input Tensor with the identity matrix.

    Preserves the identity of the inputs in `Linear` layers, where as many inputs are preserved as possible.
    """
    _check(tensor, 'eye_')
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    xp = xp_of(tensor._data)
    return _write(tensor, xp.eye(*tensor._data.shape, dtype=tensor._data.dtype))


def dirac_(tensor, groups=1):
    """Fill the {3, 4, 5}-dimensional input Tensor with the Dirac delta function.

    Preserves the identity of the inputs in `Convolutional` layers, where as many input channels are
    preserved as possible. In case of groups>1, each group of channels preserves identity.
    """
    _check(tensor, 'dirac_')
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor._data.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    xp = xp_of(tensor._data)
    a = xp.zeros(sizes, tensor._data.dtype)
    d = xp.arange(min_dim)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        a[(g * out_per_group + d, d) + centre] = 1
    return _write(tensor, a)


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    shape = tensor.shape
    receptive_field_size = 1
    for s in shape[2:]:
        receptive_field_size *= s
    return shape[1] * receptive_field_size, shape[0] * receptive_field_size


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Fill the input Tensor with values using a Xavier uniform distribution: U(-a, a) with
    a = gain * sqrt(6 / (fan_in + fan_out)). Also known as Glorot initialization."""
    _check(tensor, 'xavier_uniform_')
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Fill the input Tensor with values using a Xavier normal distribution: N(0, std^2) with
    std = gain * sqrt(2 / (fan_in + fan_out)). Also known as Glorot initialization."""
    _check(tensor, 'xavier_normal_')
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ['fan_in', 'fan_out']
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """Fill the input Tensor with values using a Kaiming uniform distribution: U(-bound, bound) with
    bound = gain * sqrt(3 / fan_mode). Also known as He initialization.

    Args:
        tensor: an n-dimensional `torch.Tensor`
        a: the negative slope of the rectifier used after this layer (only used with 'leaky_relu')
        mode: either 'fan_in' (default) or 'fan_out'. 'fan_in' preserves the magnitude of the variance of
            the weights in the forward pass; 'fan_out' in the backward pass.
        nonlinearity: the non-linear function (`nn.functional` name), recommended only with 'relu' or
            'leaky_relu' (default).
        generator: the torch Generator to sample from (default: None)
    """
    _check(tensor, 'kaiming_uniform_')
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    with no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """Fill the input Tensor with values using a Kaiming normal distribution: N(0, std^2) with
    std = gain / sqrt(fan_mode). Also known as He initialization."""
    _check(tensor, 'kaiming_normal_')
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    with no_grad():
        return tensor.normal_(0, std, generator=generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill the input Tensor with a (semi) orthogonal matrix, as described in Saxe, A. et al. (2013).
    The input tensor must have at least 2 dimensions; for tensors with more than 2 dimensions the
    trailing dimensions are flattened."""
    _check(tensor, 'orthogonal_')
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flattened = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
    a = flattened._data.astype('float64')
    xp = xp_of(a)
    if rows < cols:
        a = a.T
    q, r = xp.linalg.qr(a)
    q = q * xp.sign(xp.diagonal(r))   # makes the decomposition unique, so Q is uniform over orthogonal matrices
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(tensor._data.shape).astype(tensor._data.dtype))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill the 2D input Tensor as a sparse matrix: each column has ceil(sparsity * rows) zeros at
    random rows, the other elements drawn from N(0, std^2), as described in Martens, J. (2010)."""
    _check(tensor, 'sparse_')
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        tensor.normal_(0, std, generator=generator)
    if num_zeros:
        g = _gen(generator, 'sparse_')
        xp = xp_of(tensor._data)
        a = tensor._data.copy()
        for col in range(cols):   # torch's order of draws: one randperm of the rows per column
            a[xp.asarray(_randperm(g, rows)[:num_zeros]), col] = 0
        _write(tensor, a)
    return tensor


def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return meth(*args, **kwargs)
    deprecated_init.__doc__ = f"{old_name}(...) is deprecated: see nn.init.{new_name}."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
