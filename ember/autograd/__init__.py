"""Define-by-run autograd: graph nodes, the backward engine, grad modes, custom Functions, gradcheck."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .api import backward, grad
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from .function import Function, FunctionCtx, once_differentiable
from . import graph, function  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: F401
from .variable import Variable, variable  # noqa: F401
from . import functional  # noqa: F401
