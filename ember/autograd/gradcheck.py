"""gradcheck and gradgradcheck: compare autograd's Jacobian with central finite differences (float64)."""
import numpy as np   # the checker's own bookkeeping, not tensor data paths
from .graph import _wrap
from . import graph as _graph
from .api import grad as _grad


class GradcheckError(RuntimeError):
    pass


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_outputs(outs):
    return [o for o in outs if isinstance(o, _graph.Tensor) and o._req and o._data.dtype.kind in 'fc']


def _numerical(func, inputs, x, eps, n_out_list):
    """d(all outputs)/d(x), one column per element of x, by central differences in place on x's array."""
    a = x._data
    cols = []
    for idx in np.ndindex(*a.shape):
        old = a[idx].copy()
        a[idx] = old + eps
        plus = [o._data.astype(np.float64).ravel() for o in _float_outputs(func(*inputs))]
        a[idx] = old - eps
        minus = [o._data.astype(np.float64).ravel() for o in _float_outputs(func(*inputs))]
        a[idx] = old
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]) if plus else np.zeros(0))
    total = sum(n_out_list)
    return np.stack(cols, axis=1) if cols else np.zeros((total, 0))


def _float_outputs(outs):
    return [o for o in _tuple(outs) if isinstance(o, _graph.Tensor) and o._data.dtype.kind in 'fc']


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """torch.autograd.gradcheck: True if the analytical Jacobian of func matches finite differences."""
    inputs = _tuple(inputs)
    diff_in = [x for x in inputs if isinstance(x, _graph.Tensor) and x._req]
    if not diff_in:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the "
                         "them have requires_grad=True.")
    for x in diff_in:
        if x._data.dtype != np.float64 and raise_exception:
            import warnings
            warnings.warn("Input #0 requires gradient and is not a double precision floating point. This check "
                          "will likely fail if all the inputs are not of double precision floating point. ")
    outs = _float_outputs(func(*inputs))
    n_out = [o._data.size for o in outs]
    analytical = [np.zeros((sum(n_out), x._data.size)) for x in diff_in]
    row = 0
    for o in outs:
        if not o._req:
            row += o._data.size
            continue
        for k in range(o._data.size):
            seed = np.zeros(o._data.shape, o._data.dtype)
            seed.reshape(-1)[k] = 1
            gs = _grad(o, diff_in, _wrap(seed, None), retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    analytical[j][row] = g._data.astype(np.float64).ravel()
            row += 1
    for j, x in enumerate(diff_in):
        num = _numerical(func, inputs, x, eps, n_out)
        if not np.allclose(analytical[j], num, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            i = next((k for k, y in enumerate(inputs) if y is x), j)   # `is`: == on Tensors is elementwise
            raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {i},\n"
                                 f"numerical:{num}\nanalytical:{analytical[j]}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """torch.autograd.gradgradcheck: gradcheck of the gradient itself (second derivatives)."""
    inputs = _tuple(inputs)
    outs = _diff_outputs(_tuple(func(*inputs)))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype), None)
                             .requires_grad_() for o in outs)
    grad_outputs = _tuple(grad_outputs)
    n = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, _graph.Tensor) and x._req]

    def first_grads(*args):
        ins, gos = args[:n], args[n:]
        o = _diff_outputs(_tuple(func(*ins)))
        gs = _grad(o, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
