"""torch.backends flags. They are recorded so programs that set them run unchanged; ember's CPU ops
are deterministic already, and there is no cuDNN or MPS backend to configure."""
import types

cudnn = types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                              is_available=lambda: False, version=lambda: None)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
_matmul_precision = ['highest']


def set_float32_matmul_precision(precision):
    """Sets the internal precision of float32 matrix multiplications ('highest', 'high' or 'medium').
    Recorded (and reflected in backends.cuda.matmul.allow_tf32); ember's CPU GEMMs are always full float32."""
    if precision in ('highest', 'high', 'medium'):
        _matmul_precision[0] = precision
    else:
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)


def get_float32_matmul_precision():
    """Returns the current value of float32 matrix multiplication precision."""
    return _matmul_precision[0]


class _CudaMatmul:
    """torch.backends.cuda.matmul: allow_tf32 is another view of the float32 matmul precision, as in torch."""
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        return _matmul_precision[0] != 'highest'

    @allow_tf32.setter
    def allow_tf32(self, value):
        _matmul_precision[0] = 'high' if value else 'highest'


cuda = types.SimpleNamespace(is_built=lambda: False, matmul=_CudaMatmul())
mkldnn = types.SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)
