"""ember's tensor ops, by family. Each module defines its ops once (forward beside backward), binds
them as Tensor methods, and lists its public functions in __all__ (re-exported as ember.<name>)."""
from . import elementwise, creation, reduction, shape, indexing, blas, random, info, sorting, complex  # noqa: F401
from . import more  # noqa: F401,E402  (storages, legacy tensor methods, torch.* odds and ends)


def _write_out(name, result, out):
    """torch's out= contract: the result is written into `out` (resized if its shape differs, cast if the
    result's dtype can be cast to out's), and `out` is returned; no autograd through out=."""
    from ..tensor import Tensor
    from ..autograd.grad_mode import is_grad_enabled
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        for r, o in zip(result, out):
            _write_out(name, r, o)
        return type(result)(*out) if hasattr(result, '_fields') else tuple(out)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (result._req or out._req):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if out.shape != result.shape:
        if out.numel():
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}. This behavior "
                          "is deprecated, and in a future PyTorch release outputs will not be resized unless "
                          "they have zero elements.")
        out._data = result._data.astype(out._data.dtype, copy=True)
        out._vc[0] += 1
        return out
    out._write(result, name)
    return out


def with_out(fn):
    """Give fn torch's out= keyword (fn computes the result; it is then written into out)."""
    import functools

    @functools.wraps(fn)
    def f(*args, out=None, **kwargs):
        r = fn(*args, **kwargs)
        return r if out is None else _write_out(fn.__name__, r, out)
    return f


# torch functions with out= whose ember definitions do not spell it (reductions and scans)
_ALSO_OUT = ('sum', 'prod', 'nansum', 'mean', 'nanmean', 'std', 'var', 'max', 'min', 'amax', 'amin', 'aminmax',
             'argmax', 'argmin', 'all', 'any', 'logsumexp', 'mode', 'median', 'nanmedian', 'cumsum', 'cumprod',
             'cummax', 'cummin', 'logcumsumexp', 'diff', 'float_power', 'masked_select', 'nan_to_num',
             'polygamma', 'take_along_dim', 'norm', 'kthvalue')


def add_out_support(namespace):
    """Wrap every public function in namespace that takes torch's out= keyword."""
    for k, v in list(namespace.items()):
        code = getattr(getattr(v, '__wrapped__', v), '__code__', None)   # through numpy_aliases' wrapper
        if code is None or k.startswith('_'):
            continue
        has_out = 'out' in code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
        if has_out or k in _ALSO_OUT:
            namespace[k] = with_out(v)
