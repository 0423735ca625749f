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


_sdp = {'flash': True, 'mem_efficient': True, 'math': True, 'cudnn': True}


def _sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """The deprecated backend-choice context manager: records the flags for its block (ember has one kernel)."""
    import contextlib
    import warnings
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager will be "
                  "removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context manager, with updated "
                  "signature.", FutureWarning, stacklevel=2)

    @contextlib.contextmanager
    def ctx():
        old = dict(_sdp)
        _sdp.update(flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient, cudnn=enable_cudnn)
        try:
            yield {}
        finally:
            _sdp.update(old)
    return ctx()


cuda = types.SimpleNamespace(
    is_built=lambda: False, matmul=_CudaMatmul(), sdp_kernel=_sdp_kernel,
    flash_sdp_enabled=lambda: _sdp['flash'], enable_flash_sdp=lambda enabled: _sdp.__setitem__('flash', enabled),
    mem_efficient_sdp_enabled=lambda: _sdp['mem_efficient'],
    enable_mem_efficient_sdp=lambda enabled: _sdp.__setitem__('mem_efficient', enabled),
    math_sdp_enabled=lambda: _sdp['math'], enable_math_sdp=lambda enabled: _sdp.__setitem__('math', enabled),
    cudnn_sdp_enabled=lambda: _sdp['cudnn'], enable_cudnn_sdp=lambda enabled: _sdp.__setitem__('cudnn', enabled))
mkldnn = types.SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)
