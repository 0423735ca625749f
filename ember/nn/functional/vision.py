"""Vision functionals: pad, interpolate/upsample, grid_sample, affine_grid, pixel and channel shuffles.

Interpolation is separable: linear, bicubic and area resizing of one spatial dim is a small
(out, in) weight matrix built with torch's source-index formulas, applied with a matmul, so the
gradient is the transposed matrix (exact, and differentiable again); nearest modes select indices.
Non-constant padding modes are index selections; constant padding is an Op whose backward is a slice.
"""
import math
import operator
import warnings
from ...tensor import Tensor
from ...autograd.graph import Op, _wrap
from ...backend import xp_of

__all__ = ['pad', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear', 'grid_sample',
           'affine_grid', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle', 'native_channel_shuffle']


def _tensor(x, op, name='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _const(xp, a):
    return _wrap(xp.asarray(a), xp)


# --- padding -------------------------------------------------------------------------------------------------
class ConstantPad(Op):
    """x placed in an array of `value` (widths (lo, hi) per dim, negative ones cropping)."""
    __slots__ = ('src', 'dst', 'crop')

    def forward(self, xp, x, widths, value):
        src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, widths))
        dst = tuple(slice(max(lo, 0), max(lo, 0) + max(n + min(lo, 0) + min(hi, 0), 0))
                    for n, (lo, hi) in zip(x.shape, widths))
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, widths))
        out = xp.full(shape, value, x.dtype)
        out[dst] = x[src]
        self.src, self.dst = src, dst
        self.crop = tuple((s.start, n - s.stop) for s, n in zip(src, x.shape))
        return out

    def backward(self, xp, g):
        g = g[self.dst]
        if any(lo or hi for lo, hi in self.crop):
            g = xp.pad(g, self.crop)
        return g

    @classmethod
    def name(cls):
        return 'ConstantPadNdBackward0'


def _pad_index(xp, n, lo, hi, mode):
    j = xp.arange(-lo, n + hi)
    if mode == 'reflect':
        j = xp.abs(j)
        j = xp.where(j >= n, 2 * (n - 1) - j, j)
    elif mode == 'replicate':
        j = xp.clip(j, 0, n - 1)
    else:
        j = j % n
    return j


def pad(input, pad, mode='constant', value=None):
    """Pads tensor.

    pad lists (left, right) amounts for the last dim, then the second-to-last, and so on (negative
    amounts crop). mode: 'constant' (with value, default 0), 'reflect' (mirror without repeating the
    edge), 'replicate' (repeat the edge) or 'circular' (wrap around)."""
    _tensor(input, 'pad')
    pad = [operator.index(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    widths = [(0, 0)] * (input.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode == 'constant':
        v = 0 if value is None else value
        for n, (lo, hi) in zip(input.shape, widths):
            if n + lo + hi < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} resulted in a negative "
                                   f"output size, which is invalid. Check dimension of your input.")
        if all(lo == 0 and hi == 0 for lo, hi in widths):
            return input.clone()
        return ConstantPad.apply(input, widths=tuple(widths), value=v)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if not (k + 1 <= input.ndim <= k + 2) or k > 3:
        raise NotImplementedError(f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    xp = xp_of(input._data)
    out = input
    for ax in range(input.ndim - k, input.ndim):
        lo, hi = widths[ax]
        n = input.shape[ax]
        if not lo and not hi:
            continue
        if mode == 'reflect' and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {ax} of input {list(input.shape)}")
        if mode == 'circular' and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == 'replicate' and n == 0:
            raise RuntimeError(f"padding size should be less than the corresponding input dimension")
        if lo < 0 or hi < 0:
            out = out.narrow(ax, max(-lo, 0), n - max(-lo, 0) - max(-hi, 0))
            n = out.shape[ax]
            lo, hi = max(lo, 0), max(hi, 0)
        out = out.index_select(ax, _const(xp, _pad_index(xp, n, lo, hi, mode)))
    return out


# --- interpolation -------------------------------------------------------------------------------------
_MODES_DIMS = {'linear': 1, 'bilinear': 2, 'bicubic': 2, 'trilinear': 3}


def _source_scale(n_in, n_out, align_corners, scale):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _linear_matrix(xp, n_in, n_out, align_corners, scale):
    r = _source_scale(n_in, n_out, align_corners, scale)
    m = xp.zeros((n_out, n_in))
    for o in range(n_out):
        src = r * o if align_corners else max(r * (o + 0.5) - 0.5, 0.0)
        i0 = min(int(src), n_in - 1)
        i1 = i0 + (1 if i0 < n_in - 1 else 0)
        l1 = src - i0
        m[o, i0] += 1.0 - l1
        m[o, i1] += l1
    return m


def _cubic_weights(t, A=-0.75):
    def c1(x):   # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):   # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return c2(t + 1), c1(t), c1(1 - t), c2(2 - t)


def _cubic_matrix(xp, n_in, n_out, align_corners, scale):
    r = _source_scale(n_in, n_out, align_corners, scale)
    m = xp.zeros((n_out, n_in))
    for o in range(n_out):
        src = r * o if align_corners else r * (o + 0.5) - 0.5
        i = math.floor(src)
        t = src - i
        for off, w in zip((-1, 0, 1, 2), _cubic_weights(t)):
            m[o, min(max(i + off, 0), n_in - 1)] += w
    return m


def _nearest_index(xp, n_in, n_out, scale, exact):
    r = xp.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    o = xp.arange(n_out, dtype=xp.float32)
    src = xp.floor((o + xp.float32(0.5)) * r if exact else o * r).astype(xp.int64)
    return xp.minimum(src, n_in - 1)


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Down/up samples the input to the given size or by the given scale_factor.

    mode: 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear' and 'bicubic' (4-D),
    'trilinear' (5-D) or 'area' (adaptive average pooling). align_corners (interpolating modes only)
    aligns the centres of the corner pixels instead of their outer edges."""
    _tensor(input, 'interpolate')
    d = input.ndim - 2
    if d < 1 or d > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif mode in _MODES_DIMS:
        if align_corners is None:
            align_corners = False
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if antialias and not (mode in ('bilinear', 'bicubic') and d == 2):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor "
                         "as input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by ember")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    S = tuple(input.shape[2:])
    if size is not None:
        if isinstance(size, (tuple, list)):
            if len(size) != d:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(S)} and output size of {list(size)}. Please "
                                 f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                                 f"...,oK) format.")
            out = tuple(operator.index(s) for s in size)
        else:
            out = (operator.index(size),) * d
        scales = (None,) * d
    elif scale_factor is not None:
        if isinstance(scale_factor, (tuple, list)):
            if len(scale_factor) != d:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(S)} and scale_factor of shape "
                                 f"{list(scale_factor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                                 f"format and scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(s) for s in scale_factor)
        else:
            scales = (float(scale_factor),) * d
        out = tuple(int(math.floor(float(n) * s)) for n, s in zip(S, scales))
        if recompute_scale_factor:
            scales = (None,) * d
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({', '.join(map(str, S))}"
                           f") and output ({', '.join(map(str, out))})")
    if mode in _MODES_DIMS and _MODES_DIMS[mode] != d:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_MODES_DIMS[mode] + 2}D input")
    if mode == 'area':
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[d - 1](input, out)
    xp = xp_of(input._data)
    y = input
    for i in range(d):
        ax = 2 + i
        if mode in ('nearest', 'nearest-exact'):
            if out[i] != S[i] or scales[i] not in (None, 1.0):
                y = y.index_select(ax, _const(xp, _nearest_index(xp, S[i], out[i], scales[i],
                                                                 mode == 'nearest-exact')))
            continue
        if input.dtype.kind != 'f':
            raise NotImplementedError(f"\"upsample_{mode}{d}d_out_frame\" not implemented for integer tensors")
        build = _cubic_matrix if mode == 'bicubic' else _linear_matrix
        m = build(xp, S[i], out[i], align_corners, scales[i]).astype(input._data.dtype)
        y = (y.movedim(ax, -1) @ _wrap(xp.ascontiguousarray(m.T), xp)).movedim(-1, ax)
    return y.contiguous() if y is not input else input.clone()


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Upsamples the input (deprecated in favour of interpolate, which it calls)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Upsamples the input using nearest neighbours' pixel values (deprecated: interpolate)."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """Upsamples the input using bilinear upsampling with align_corners=True (deprecated: interpolate)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# --- sampling grids ------------------------------------------------------------------------------------
def _unnormalize(g, n, align_corners):
    if align_corners:
        return (g + 1) * ((n - 1) / 2)
    return ((g + 1) * n - 1) / 2


def _reflect(x, twice_low, twice_high):
    if twice_low == twice_high:
        return x * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = (x - lo).abs()
    extra = x.fmod(span)
    flips = (x / span).floor().detach()
    from ...ops.elementwise import where
    return where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _source_coords(g, n, padding_mode, align_corners):
    x = _unnormalize(g, n, align_corners)
    if padding_mode == 'border':
        x = x.clamp(0, n - 1)
    elif padding_mode == 'reflection':
        x = _reflect(x, 0, 2 * (n - 1)) if align_corners else _reflect(x, -1, 2 * n - 1)
        x = x.clamp(0, n - 1)
    return x


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Compute grid sample: output[n, :, h, w] samples input[n] at the location grid[n, h, w] = (x, y),
    normalised to [-1, 1] across the input's width and height.

    mode: 'bilinear' or 'nearest'; padding_mode for locations outside: 'zeros', 'border' or
    'reflection'; align_corners: -1 and 1 are the corner pixels' centres (True) or outer edges."""
    _tensor(input, 'grid_sample')
    _tensor(grid, 'grid_sample', 'grid')
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if mode == 'bicubic':
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported by ember")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if input.ndim != 4 or grid.ndim != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
                           f"{list(grid.shape)}")
    if input._data.dtype != grid._data.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    align_corners = bool(align_corners)
    N, C, H, W = input.shape
    Ho, Wo = grid.shape[1:3]
    xp = xp_of(input._data)
    ix = _source_coords(grid[..., 0], W, padding_mode, align_corners)
    iy = _source_coords(grid[..., 1], H, padding_mode, align_corners)
    flat = input.reshape(N, C, H * W)

    def tap(xi, yi, weight):
        """weight * input at integer (xi, yi) arrays, zero where outside."""
        inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
        idx = xp.where(inside, xp.clip(yi, 0, H - 1) * W + xp.clip(xi, 0, W - 1), 0).reshape(N, 1, -1)
        vals = flat.gather(2, _const(xp, xp.broadcast_to(idx, (N, C, idx.shape[2]))))
        w = weight * _const(xp, inside.astype(input._data.dtype))
        return vals * w.reshape(N, 1, -1)

    if mode == 'nearest':
        xi = xp.round(ix._data).astype(xp.int64)
        yi = xp.round(iy._data).astype(xp.int64)
        one = ix * 0 + 1          # connects the grid, whose gradient is zero here (as torch's)
        out = tap(xi, yi, one)
    else:
        x0 = xp.floor(ix._data)
        y0 = xp.floor(iy._data)
        fx = ix - _const(xp, x0)     # fractions carry the gradient with respect to the grid
        fy = iy - _const(xp, y0)
        x0, y0 = x0.astype(xp.int64), y0.astype(xp.int64)
        out = (tap(x0, y0, (1 - fx) * (1 - fy)) + tap(x0 + 1, y0, fx * (1 - fy)) +
               tap(x0, y0 + 1, (1 - fx) * fy) + tap(x0 + 1, y0 + 1, fx * fy))
    return out.reshape(N, C, Ho, Wo)


def _base_coords(xp, n, align_corners, dtype):
    if n <= 1:
        return xp.zeros(max(n, 0), dtype)
    c = xp.linspace(-1, 1, n, dtype=dtype)
    return c if align_corners else c * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """Generate 2D or 3D flow field (sampling grid), given a batch of affine matrices theta
    ((N, 2, 3) for size (N, C, H, W), (N, 3, 4) for size (N, C, D, H, W))."""
    _tensor(theta, 'affine_grid', 'theta')
    if theta.dtype.kind != 'f':
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    align_corners = bool(align_corners)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch size {theta.shape[0]} to match size[0] {size[0]}")
    xp = xp_of(theta._data)
    dt = theta._data.dtype
    axes = [_base_coords(xp, n, align_corners, dt) for n in spatial]     # (D,) H, W
    k = len(spatial)
    base = xp.ones(tuple(spatial) + (k + 1,), dt)
    for j in range(k):            # last coordinate x runs over W, then y over H, then z over D
        shape = [1] * k
        shape[k - 1 - j] = spatial[k - 1 - j]
        base[..., j] = axes[k - 1 - j].reshape(shape)
    P = 1
    for n in spatial:
        P *= n
    grid = _const(xp, base.reshape(1, P, k + 1)) @ theta.transpose(1, 2)
    return grid.reshape([size[0]] + list(spatial) + [k])


# --- shuffles ------------------------------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):
    """Rearranges elements in a tensor of shape (*, C * r^2, H, W) to a tensor of shape (*, C, H * r, W * r)."""
    _tensor(input, 'pixel_shuffle')
    r = operator.index(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={C} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, C // (r * r), r, r, H, W)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, C // (r * r), H * r, W * r)


def pixel_unshuffle(input, downscale_factor):
    """Reverses pixel_shuffle: (*, C, H * r, W * r) to (*, C * r^2, H, W)."""
    _tensor(input, 'pixel_unshuffle')
    r = operator.index(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if H % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{H} is not divisible by {r}")
    if W % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{W} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, C, H // r, r, W // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, C * r * r, H // r, W // r)


def channel_shuffle(input, groups):
    """Divide the channels in a tensor of shape (N, C, *) into g groups and rearrange them as
    (N, C/g, g, *), interleaving the groups."""
    _tensor(input, 'channel_shuffle')
    g = operator.index(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    N, C = input.shape[:2]
    if C % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {C} channels and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(N, g, C // g, *rest).transpose(1, 2).reshape(N, C, *rest)


native_channel_shuffle = channel_shuffle
