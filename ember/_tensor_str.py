"""How a tensor prints: torch's repr, character for character, and torch.set_printoptions.

The layout rules are torch's (torch/_tensor_str.py): one formatter per tensor decides a common width,
whether every value is an integer (printed `1.`), and whether to switch to scientific notation
(largest / smallest nonzero magnitude > 1000, largest > 1e8, or smallest < 1e-4). Large tensors are
summarised with `...`. The values are read on the host as NumPy arrays; floats are formatted as the
Python floats `tolist()` gives, which is what torch formats too.
"""
import contextlib
import dataclasses
import math
import numpy as np
from . import _dtype

__all__ = ['set_printoptions', 'get_printoptions', 'printoptions']


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set options for printing. Items shamelessly taken from NumPy.

    precision: number of digits of precision for floating point output (default = 4).
    threshold: total number of array elements which trigger summarization rather than full repr (default = 1000).
    edgeitems: number of array items in summary at beginning and end of each dimension (default = 3).
    linewidth: the number of characters per line for the purpose of inserting line breaks (default = 80).
    profile: sane defaults for pretty printing: 'default', 'short' or 'full'.
    sci_mode: enable (True) or disable (False) scientific notation; None lets the formatter choose.

    >>> import ember as torch
    >>> torch.set_printoptions(precision=2)
    >>> torch.tensor([1.12345])
    tensor([1.12])
    >>> torch.set_printoptions(threshold=5)
    >>> torch.arange(10)
    tensor([0, 1, 2,  ..., 7, 8, 9])
    >>> torch.set_printoptions(profile='default')
    >>> torch.tensor([1.12345])
    tensor([1.1235])
    """
    if profile is not None:
        if profile == 'default':
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, 1000, 3, 80
        elif profile == 'short':
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 1000, 2, 80
        elif profile == 'full':
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = \
                4, math.inf, 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options, as a dict that can be passed as **kwargs to set_printoptions()."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """The common format of all values of one (real) array: width, integer mode, scientific mode."""

    def __init__(self, a):
        self.floating_dtype = a.dtype.kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating_dtype:
            if a.size:
                # the longest decimal string of an integer array is its minimum's or its maximum's
                self.max_width = max(len(str(a.min().item())), len(str(a.max().item())))
            return
        v = a.reshape(-1).astype(np.float64)
        v = v[np.isfinite(v) & (v != 0)]
        if v.size == 0:
            return
        mags = np.abs(v)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool((v == np.ceil(v)).all())
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if PRINT_OPTS.sci_mode is None \
            else PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        values = np.unique(v).tolist()   # each distinct value is formatted once, as torch formats each one
        if self.sci_mode:
            spec, extra = f'.{p}e', 0
        elif self.int_mode:
            spec, extra = '.0f', 1       # room for the '.' that marks a float
        else:
            spec, extra = f'.{p}f', 0
        self.max_width = max(len(format(x, spec)) + extra for x in values)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += '.'
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * ' ' + ret


def _complex_str(val, f1, f2):
    real_str = f1.format(val.real)
    imag_str = (f2.format(val.imag) + 'j').lstrip()
    if imag_str[0] == '+' or imag_str[0] == '-':   # negative numbers, +0.0, -0.0
        return real_str + imag_str
    return real_str + '+' + imag_str


def _vector_str(a, indent, summarize, f1, f2):
    element_length = f1.width() + 2   # includes the ', ' between elements
    if f2 is not None:
        element_length += f2.width() + 1   # the imaginary part and its 'j'
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    fmt = (lambda v: _complex_str(v, f1, f2)) if f2 is not None else f1.format
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ['...']
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt(v) for v in a[:e].tolist()] + [' ...'] + [fmt(v) for v in a[-e:].tolist()]
    else:
        data = [fmt(v) for v in a.tolist()]
    lines = [', '.join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return '[' + (',' + '\n' + ' ' * (indent + 1)).join(lines) + ']'


def _str_with_formatter(a, indent, summarize, f1, f2=None):
    if a.ndim == 0:
        v = a.item()
        return _complex_str(v, f1, f2) if f2 is not None else f1.format(v)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        rows = list(range(e)) + [None] + list(range(a.shape[0] - e, a.shape[0]))
    else:
        rows = range(a.shape[0])
    slices = ['...' if i is None else _str_with_formatter(a[i], indent + 1, summarize, f1, f2) for i in rows]
    return '[' + (',' + '\n' * (a.ndim - 1) + ' ' * (indent + 1)).join(slices) + ']'


def _summarized(a):
    """The values a summarised print shows: edgeitems from each end of every dimension."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    rows = list(range(e)) + list(range(a.shape[0] - e, a.shape[0])) if a.shape[0] > 2 * e else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _host_array(t):
    a = t._data
    if not isinstance(a, np.ndarray):
        a = a.get()   # a device array (CuPy): printing reads it on the host
    if a.dtype == _dtype.bfloat16.np:
        a = a.astype(np.float32)   # exact: every bfloat16 is a float32
    return a


def _tensor_str(a, indent):
    if a.size == 0:
        return '[]'
    summarize = a.size > PRINT_OPTS.threshold
    if a.dtype.kind == 'c':
        f1 = _Formatter(_summarized(a.real) if summarize else a.real)
        f2 = _Formatter(_summarized(a.imag) if summarize else a.imag)
        return _str_with_formatter(a, indent, summarize, f1, f2)
    return _str_with_formatter(a, indent, summarize, _Formatter(_summarized(a) if summarize else a))


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind('\n') + 1
    for suffix in suffixes:
        if force_newline or last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(',\n' + ' ' * indent + suffix)
            last_line_len = indent + len(suffix)
            force_newline = False
        else:
            parts.append(', ' + suffix)
            last_line_len += len(suffix) + 2
    parts.append(')')
    return ''.join(parts)


def tensor_repr(t, *, tensor_contents=None):
    """repr(tensor) as torch writes it: values, then dtype (when not inferable), grad_fn or requires_grad."""
    from .tensor import Tensor
    plain = type(t) is Tensor or type(t).__name__ == 'Parameter'
    prefix = 'tensor(' if plain else f'{type(t).__name__}('
    indent = len(prefix)
    suffixes = []
    dt = t.dtype
    default = _dtype.get_default_dtype()
    has_default_dtype = dt in (default, default.to_complex(), _dtype.int64, _dtype.bool_)
    if t._data.size == 0:
        if t._data.ndim != 1:   # the shape is shown unless it is (0,), as NumPy does
            suffixes.append('size=' + str(tuple(t._data.shape)))
        if dt is not default:   # no values to infer an integer dtype from: always shown
            suffixes.append('dtype=' + repr(dt))
        tensor_str = '[]'
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append('size=' + str(tuple(t._data.shape)))
        if not has_default_dtype:
            suffixes.append('dtype=' + repr(dt))
        tensor_str = _tensor_str(_host_array(t), indent) if tensor_contents is None else None
    if tensor_contents is not None:
        tensor_str = tensor_contents
    fn = t.grad_fn
    if fn is not None:
        name = fn.name() if hasattr(fn, 'name') else type(fn).__name__
        suffixes.append(f"grad_fn=<{name.rsplit('::', 1)[-1]}>")
    elif t.requires_grad:
        suffixes.append('requires_grad=True')
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
