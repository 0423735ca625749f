"""torch.nn.modules.utils: the int-or-tuple argument helpers custom layers import (_pair, _triple, ...)."""
import collections.abc
from itertools import repeat

__all__ = []


def _ntuple(n, name='parse'):
    """A function making an n-tuple of its argument: an iterable becomes a tuple as it is, a single value
    is repeated n times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))
    parse.__name__ = name
    return parse


_single = _ntuple(1, '_single')
_pair = _ntuple(2, '_pair')
_triple = _ntuple(3, '_triple')
_quadruple = _ntuple(4, '_quadruple')


def _reverse_repeat_tuple(t, n):
    """Each element of t repeated n times, in reverse order (F.pad's layout of per-dim padding)."""
    return tuple(x for x in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults):
    """out_size with its None entries taken from the trailing dims of defaults (adaptive pooling sizes)."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]
