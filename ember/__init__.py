"""ember: PyTorch's API on NumPy, in code you can read in an afternoon."""
from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, result_type, can_cast,
                     finfo, iinfo, bool_ as bool, uint8, int8, int16, int32, int64, float16, bfloat16,
                     float32, float64, complex64, complex128)
from ._device import device
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

__version__ = '0.1.0'
