"""Complex tensors from real ones and back: view_as_real, view_as_complex, polar, complex.

view_as_real and view_as_complex share memory with their input, as torch's do: the array is
reinterpreted (NumPy's `view` with the other dtype) and registered as a view, so in-place changes
through either show in both and autograd sees them. Gradients follow torch's convention for complex
numbers: the gradient of a real loss L with respect to z = x + iy is dL/dx + i dL/dy.
"""
from ..tensor import Tensor, _make_view
from ..autograd.graph import Op
from ._util import bind, public_names
from .elementwise import conj


def _tensor(x, op, arg='input', pos=1):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


# --- view_as_real -----------------------------------------------------------------------------------
def _real_array(xp, a):
    """A complex array's memory read as (re, im) pairs: a trailing axis of 2 real numbers."""
    return a[..., None].view(a.real.dtype)


class ViewAsReal(Op):
    __slots__ = ()

    def forward(self, xp, a):
        return _real_array(xp, a)

    def backward(self, xp, g):
        # the gradient's (re, im) pairs read as complex numbers: no arithmetic, at most one copy
        if xp.name == 'graph':
            return view_as_complex(g.contiguous())
        return _complex_array(xp, g)


def _as_real_view(xp, a):
    """view_as_real again, on whatever the view machinery hands over: a Tensor (re-creating the view's
    history), a complex array (CopySlices' mask for a complex base is one too), or the 2-byte pair mask
    of a real base seen through view_as_complex."""
    if isinstance(a, Tensor):
        return view_as_real(a)
    if a.dtype.kind == 'c':
        return _real_array(xp, a)
    if a.dtype.itemsize == 2:   # the pair mask _as_complex_view made from a real base: one byte a part
        return a[..., None].view(xp.bool_)
    return xp.lib.stride_tricks.as_strided(a[..., None], a.shape + (2,), a.strides + (0,))


def view_as_real(input):
    """torch.view_as_real: a view of a complex tensor as a real tensor with a trailing dimension of size 2
    holding the real and imaginary parts."""
    input = _tensor(input, 'view_as_real')
    if input._data.dtype.kind != 'c':
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _make_view(input, _as_real_view, op_result=ViewAsReal.apply(input))


# --- view_as_complex --------------------------------------------------------------------------------
_COMPLEX_OF = {'float32': 'complex64', 'float64': 'complex128'}


def _complex_array(xp, a):
    """Pairs along a real array's last axis read as complex numbers (copied first unless that axis is
    contiguous and the other strides are whole complex numbers)."""
    if a.strides[-1] != a.itemsize or any(st % (2 * a.itemsize) for st, n in zip(a.strides[:-1], a.shape)
                                          if n > 1):
        a = xp.ascontiguousarray(a)
    return a.view(_COMPLEX_OF[a.dtype.name])[..., 0]


class ViewAsComplex(Op):
    __slots__ = ()

    def forward(self, xp, a):
        return _complex_array(xp, a)

    def backward(self, xp, g):
        if xp.name == 'graph':
            return view_as_real(g)
        return _real_array(xp, g)


def _as_complex_view(xp, a):
    """view_as_complex again (see _as_real_view); on the boolean mask, a 2-byte integer view covers both
    bytes of each pair, so clearing it marks the real and the imaginary part."""
    if isinstance(a, Tensor):
        return view_as_complex(a)
    if a.dtype.kind == 'b':
        return a.view(xp.uint16)[..., 0]
    return _complex_array(xp, a)


_SCALAR_NAMES = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int',
                 'int64': 'Long', 'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float',
                 'float64': 'Double', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}


def _scalar_name(t):
    return _SCALAR_NAMES.get(t.dtype.name if hasattr(t.dtype, 'name') else str(t.dtype), str(t.dtype))


def _no_complex32(op):
    # torch makes complex32 (ComplexHalf) from half tensors; ember has no such dtype
    return RuntimeError(f"{op}: half-precision inputs would give a complex32 (ComplexHalf) tensor, "
                        "which ember does not support; convert to float32 first")


def view_as_complex(input):
    """torch.view_as_complex: a view of a real tensor whose last dimension has size 2 as a complex tensor
    (the last dimension holds the real and imaginary parts)."""
    input = _tensor(input, 'view_as_complex')
    a = input._data
    if a.dtype.name == 'float16':
        raise _no_complex32('view_as_complex')
    if a.dtype.name not in _COMPLEX_OF:
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a "
                           f"tensor of scalar type: {_scalar_name(input)}")
    if a.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s, n in zip(strides[:-1], a.shape[:-1]) if n > 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _make_view(input, _as_complex_view, op_result=ViewAsComplex.apply(input))


# --- complex and polar ------------------------------------------------------------------------------
def _check_parts(op, a, b, first, second):
    a = _tensor(a, op, first, 1)
    b = _tensor(b, op, second, 2)
    da, db = a._data.dtype, b._data.dtype
    if da.name not in ('float16', 'float32', 'float64') or db.name not in ('float16', 'float32', 'float64'):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_scalar_name(a)} and {_scalar_name(b)}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {_scalar_name(a)} but got scalar type "
                           f"{_scalar_name(b)} for second argument")
    if da.name == 'float16':
        raise _no_complex32(op)
    return a, b


class Complex(Op):
    __slots__ = ()

    def forward(self, xp, re, im):
        out = xp.empty(xp.broadcast_shapes(re.shape, im.shape), _COMPLEX_OF[re.dtype.name])
        out.real = re
        out.imag = im
        return out

    def backward(self, xp, g):
        n_re, n_im = self.needs
        return (xp.real(g) if n_re else None), (xp.imag(g) if n_im else None)


def complex(real, imag, *, out=None):
    """torch.complex: a complex tensor whose real part is `real` and imaginary part is `imag` (both float or
    both double; they broadcast)."""
    real, imag = _check_parts('complex', real, imag, 'real', 'imag')
    return Complex.apply(real, imag)


class Polar(Op):
    __slots__ = ()

    def forward(self, xp, r, theta):
        self.saved = (r, theta)
        out = xp.empty(xp.broadcast_shapes(r.shape, theta.shape), _COMPLEX_OF[r.dtype.name])
        out.real = r * xp.cos(theta)
        out.imag = r * xp.sin(theta)
        return out

    def backward(self, xp, g):
        r, theta = self.saved
        n_r, n_theta = self.needs
        c, s = xp.cos(theta), xp.sin(theta)
        gr, gi = xp.real(g), xp.imag(g)
        # dz/dtheta = i r e^{i theta}, a real input getting Re(grad * conj(dz/dinput)); for r torch takes
        # Re(conj(grad) * sgn(z)), sgn(z) = sign(r) e^{i theta}: the gradient flips sign where r < 0
        return ((gr * c + gi * s) * xp.sign(r) if n_r else None), ((gi * c - gr * s) * r if n_theta else None)


def polar(abs, angle, *, out=None):
    """torch.polar: the complex tensor abs * (cos(angle) + i sin(angle)) from absolute values and angles."""
    abs, angle = _check_parts('polar', abs, angle, 'abs', 'angle')
    return Polar.apply(abs, angle)


def _conj_physical_(self):
    """In-place complex conjugate (a real tensor stays as it is)."""
    if self._data.dtype.kind != 'c':
        return self
    return self._inplace(conj, name='conj_physical_')


bind(conj_physical_=_conj_physical_)

__all__ = public_names(globals(), __name__)
