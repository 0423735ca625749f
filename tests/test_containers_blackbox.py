"""Black-box parity of nn containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict,
Container) with torch: keys after each mutation, reprs, errors, state_dict keys, forward values."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)


def outcome(fn):
    """(kind, detail) of running fn: the result's summary, or the exception class and message with library
    names normalised so torch and ember can be compared directly."""
    try:
        r = fn()
    except Exception as e:   # noqa: BLE001 - the exception itself is what is compared
        return type(e).__name__, str(e).replace('ember', 'torch')
    return 'ok', summarize(r)


def summarize(r):
    if isinstance(r, (list, tuple)):
        return type(r).__name__, [summarize(x) for x in r]
    if isinstance(r, (torch.nn.ParameterList, ember.nn.ParameterList)):
        return type(r).__name__, repr(r), list(r._parameters)
    if isinstance(r, (torch.nn.Module, ember.nn.Module)):
        return type(r).__name__, list(r._modules), repr(r)
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        return type(r).__name__, tuple(r.shape), str(r.dtype)
    return repr(r).replace('ember', 'torch')


def same(build):
    """Run build(lib) for torch and ember and require identical outcomes."""
    t, e = outcome(lambda: build(torch)), outcome(lambda: build(ember))
    assert t == e


def _abc(nn):
    # distinct reprs so positions are visible in repr comparisons
    return nn.Linear(1, 2), nn.Linear(2, 3), nn.ReLU()


def _named_seq(nn):
    a, b, c = _abc(nn)
    return nn.Sequential(OrderedDict([('x', a), ('y', b), ('z', c)]))


SEQ_CASES = {
    'slice_keeps_names': lambda nn: _named_seq(nn)[1:],
    'reverse_slice': lambda nn: _named_seq(nn)[::-1],
    'str_index': lambda nn: _named_seq(nn)['x'],
    'float_index': lambda nn: _named_seq(nn)[1.0],
    'neg_out_of_range': lambda nn: _named_seq(nn)[-4],
    'out_of_range': lambda nn: _named_seq(nn)[3],
    'numpy_index': lambda nn: _named_seq(nn)[np.int64(2)],
    'del_renumbers': lambda nn: _mutate(_named_seq(nn), lambda s: s.__delitem__(0)),
    'del_slice': lambda nn: _mutate(_named_seq(nn), lambda s: s.__delitem__(slice(0, 2))),
    'del_out_of_range': lambda nn: _mutate(_named_seq(nn), lambda s: s.__delitem__(5)),
    'set_keeps_name': lambda nn: _mutate(_named_seq(nn), lambda s: s.__setitem__(0, nn.Tanh())),
    'set_negative': lambda nn: _mutate(_named_seq(nn), lambda s: s.__setitem__(-1, nn.Tanh())),
    'set_non_module': lambda nn: _mutate(_named_seq(nn), lambda s: s.__setitem__(1, 3)),
    'set_slice': lambda nn: _mutate(_named_seq(nn), lambda s: s.__setitem__(slice(0, 1), nn.Tanh())),
    'append_after_names': lambda nn: _mutate(_named_seq(nn), lambda s: s.append(nn.Tanh())),
    'append_non_module': lambda nn: _mutate(nn.Sequential(), lambda s: s.append(3)),
    'insert_named_keyerror': lambda nn: _mutate(_named_seq(nn), lambda s: s.insert(1, nn.Tanh())),
    'insert_front': lambda nn: _mutate(nn.Sequential(*_abc(nn)), lambda s: s.insert(0, nn.Tanh())),
    'insert_negative': lambda nn: _mutate(nn.Sequential(*_abc(nn)), lambda s: s.insert(-1, nn.Tanh())),
    'insert_end': lambda nn: _mutate(nn.Sequential(*_abc(nn)), lambda s: s.insert(3, nn.Tanh())),
    'insert_too_far': lambda nn: _mutate(nn.Sequential(nn.ReLU()), lambda s: s.insert(5, nn.Tanh())),
    'insert_too_negative': lambda nn: _mutate(nn.Sequential(nn.ReLU()), lambda s: s.insert(-3, nn.Tanh())),
    'insert_non_module': lambda nn: _mutate(nn.Sequential(nn.ReLU()), lambda s: s.insert(0, 3)),
    'pop_middle': lambda nn: _pop(_named_seq(nn), 1),
    'pop_slice': lambda nn: _pop(_named_seq(nn), slice(0, 2)),
    'pop_out_of_range': lambda nn: _pop(_named_seq(nn), 7),
    'add': lambda nn: _named_seq(nn) + nn.Sequential(nn.Tanh()),
    'add_list': lambda nn: _named_seq(nn) + [nn.Tanh()],
    'iadd_named': lambda nn: _iadd(_named_seq(nn), nn.Sequential(OrderedDict([('q', nn.Tanh())]))),
    'iadd_list': lambda nn: _iadd(_named_seq(nn), [nn.Tanh()]),
    'iadd_self': lambda nn: _iadd_self(nn.Sequential(*_abc(nn))),
    'mul': lambda nn: _named_seq(nn) * 2,
    'rmul': lambda nn: 2 * _named_seq(nn),
    'mul_zero': lambda nn: _named_seq(nn) * 0,
    'mul_negative': lambda nn: _named_seq(nn) * -1,
    'mul_float': lambda nn: _named_seq(nn) * 2.0,
    'imul_numbered': lambda nn: _imul(nn.Sequential(*_abc(nn)), 3),
    'imul_named_keyerror': lambda nn: _imul(_named_seq(nn), 2),
    'imul_one_named': lambda nn: _imul(_named_seq(nn), 1),
    'imul_float': lambda nn: _imul(_named_seq(nn), 1.5),
    'imul_zero': lambda nn: _imul(_named_seq(nn), 0),
    'extend_sequential': lambda nn: _mutate(nn.Sequential(nn.ReLU()), lambda s: s.extend(_named_seq(nn))),
    'extend_int': lambda nn: _mutate(nn.Sequential(nn.ReLU()), lambda s: s.extend(3)),
    'init_non_module': lambda nn: nn.Sequential(nn.ReLU(), 3),
    'init_plain_dict': lambda nn: nn.Sequential({'a': nn.ReLU()}),
    'init_od_bad_value': lambda nn: nn.Sequential(OrderedDict([('a', 3)])),
    'init_od_plus_module': lambda nn: nn.Sequential(OrderedDict([('a', nn.ReLU())]), nn.Tanh()),
    'init_with_none': lambda nn: nn.Sequential(nn.ReLU(), None),
    'empty': lambda nn: nn.Sequential(),
    'forward_two_args': lambda nn: nn.Sequential(nn.Identity())(1, 2),
    'forward_empty_passthrough': lambda nn: nn.Sequential()(5),
    'len_iter': lambda nn: (len(_named_seq(nn)), [type(m).__name__ for m in _named_seq(nn)]),
    'dir_hides_indices': lambda nn: ([k for k in dir(nn.Sequential(*_abc(nn))) if k[0].isdigit()],
                                     'x' in dir(_named_seq(nn))),
}


def _mutate(obj, fn):
    fn(obj)
    return obj


def _pop(obj, key):
    taken = obj.pop(key)
    return taken, list(obj._modules)


def _iadd(s, other):
    s += other
    return s


def _iadd_self(s):
    s += s
    return s


def _imul(s, n):
    s *= n
    return s


@pytest.mark.parametrize('case', sorted(SEQ_CASES))
def test_sequential_blackbox(case):
    same(lambda lib: SEQ_CASES[case](lib.nn))


def test_sequential_return_values_and_types():
    for lib in LIBS:
        nn = lib.nn

        class MySeq(nn.Sequential):
            pass
        s = nn.Sequential(nn.ReLU())
        assert s.append(nn.Tanh()) is s and s.extend([nn.ReLU()]) is s and s.insert(0, nn.Tanh()) is s
        m = MySeq(nn.ReLU(), nn.Tanh())
        assert type(m[0:1]) is MySeq and type(m + m) is nn.Sequential and type(m * 2) is nn.Sequential
        r = nn.Sequential(nn.Tanh()) * 3
        assert r[0] is r[1] is r[2]


def test_sequential_forward_and_grads_vs_torch():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(OrderedDict([('inp', torch.nn.Linear(3, 5)), ('act', torch.nn.Tanh()),
                                          ('out', torch.nn.Linear(5, 2))]))
    em = ember.nn.Sequential(OrderedDict([('inp', ember.nn.Linear(3, 5)), ('act', ember.nn.Tanh()),
                                          ('out', ember.nn.Linear(5, 2))]))
    assert list(tm.state_dict()) == list(em.state_dict()) == ['inp.weight', 'inp.bias', 'out.weight', 'out.bias']
    em.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    ty, ey = tm(torch.from_numpy(x)), em(ember.from_numpy(x))
    np.testing.assert_allclose(ty.detach().numpy(), ey.detach().numpy(), rtol=1e-6, atol=1e-6)
    ty.sum().backward()
    ey.sum().backward()
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert tn == en
        np.testing.assert_allclose(tp.grad.numpy(), ep.grad.numpy(), rtol=1e-5, atol=1e-6)
    # slicing keeps the names, so the state_dict of a slice has the original keys
    assert list(tm[1:].state_dict()) == list(em[1:].state_dict()) == ['out.weight', 'out.bias']


def _ml(nn):
    return nn.ModuleList(list(_abc(nn)))


ML_CASES = {
    'slice': lambda nn: _ml(nn)[1:],
    'reverse_slice': lambda nn: _ml(nn)[::-1],
    'str_index': lambda nn: _ml(nn)['0'],
    'out_of_range': lambda nn: _ml(nn)[3],
    'neg_out_of_range': lambda nn: _ml(nn)[-4],
    'del_first': lambda nn: _mutate(_ml(nn), lambda m: m.__delitem__(0)),
    'del_step_slice': lambda nn: _mutate(_ml(nn), lambda m: m.__delitem__(slice(None, None, 2))),
    'del_out_of_range': lambda nn: _mutate(_ml(nn), lambda m: m.__delitem__(7)),
    'set_negative': lambda nn: _mutate(_ml(nn), lambda m: m.__setitem__(-1, nn.Tanh())),
    'set_out_of_range': lambda nn: _mutate(_ml(nn), lambda m: m.__setitem__(5, nn.Tanh())),
    'set_non_module': lambda nn: _mutate(_ml(nn), lambda m: m.__setitem__(0, 3)),
    'set_none': lambda nn: _mutate(_ml(nn), lambda m: m.__setitem__(0, None)),
    'insert_front': lambda nn: _mutate(_ml(nn), lambda m: m.insert(0, nn.Tanh())),
    'insert_negative_keyerror': lambda nn: _mutate(_ml(nn), lambda m: m.insert(-1, nn.Tanh())),
    'insert_past_end': lambda nn: _mutate(_ml(nn), lambda m: m.insert(10, nn.Tanh())),
    'pop_last': lambda nn: _pop(_ml(nn), -1),
    'pop_slice': lambda nn: _pop(_ml(nn), slice(0, 2)),
    'pop_out_of_range': lambda nn: _pop(_ml(nn), 9),
    'append_non_module': lambda nn: _mutate(_ml(nn), lambda m: m.append(3)),
    'extend_int': lambda nn: _mutate(_ml(nn), lambda m: m.extend(3)),
    'extend_bad_item': lambda nn: _mutate(_ml(nn), lambda m: m.extend([3])),
    'extend_self': lambda nn: _mutate(_ml(nn), lambda m: m.extend(m)),
    'iadd_tuple': lambda nn: _iadd(_ml(nn), (nn.Tanh(),)),
    'add_list': lambda nn: _ml(nn) + [nn.Tanh()],
    'add_sequential': lambda nn: _ml(nn) + nn.Sequential(OrderedDict([('k', nn.Tanh())])),
    'radd_list': lambda nn: [nn.Tanh()] + _ml(nn),
    'add_int': lambda nn: _ml(nn) + 3,
    'init_int': lambda nn: nn.ModuleList(3),
    'init_bad_item': lambda nn: nn.ModuleList([3]),
    'init_generator': lambda nn: nn.ModuleList(m for m in _abc(nn)),
    'call': lambda nn: _ml(nn)(1),
    'renumber_after_add_module': lambda nn: _pop(_mutate(nn.ModuleList([nn.ReLU()]),
                                                         lambda m: m.add_module('x', nn.Tanh())), 0),
    'index_after_add_module': lambda nn: _mutate(nn.ModuleList([nn.ReLU()]),
                                                 lambda m: m.add_module('x', nn.Tanh()))[1],
}


@pytest.mark.parametrize('case', sorted(ML_CASES))
def test_modulelist_blackbox(case):
    same(lambda lib: ML_CASES[case](lib.nn))


@pytest.mark.parametrize('build', [
    lambda nn: nn.ModuleList([nn.Linear(1, 1) for _ in range(3)]),
    lambda nn: nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1), nn.Linear(2, 1), nn.ReLU(), nn.ReLU(),
                              nn.Linear(1, 1)]),
    lambda nn: nn.ModuleList([nn.Sequential(nn.Linear(1, 1), nn.ReLU()) for _ in range(2)] + [nn.ReLU()]),
    lambda nn: nn.ModuleList([nn.ReLU()]),
    lambda nn: nn.ModuleList(),
    lambda nn: nn.ModuleList([nn.ReLU(), None, None]),
    lambda nn: _mutate(nn.ModuleList([nn.ReLU(), nn.Tanh()]), lambda m: m.insert(10, nn.Tanh())),
    lambda nn: nn.ModuleDict({'p': nn.ReLU(), 'q': nn.ReLU()}),
    lambda nn: nn.Sequential(nn.ReLU(), nn.ReLU()),
])
def test_container_repr_vs_torch(build):
    assert repr(build(ember.nn)) == repr(build(torch.nn))


def test_modulelist_repr_ignores_extra_repr_and_uses_class_name():
    for lib in LIBS:
        class Stack(lib.nn.ModuleList):
            def extra_repr(self):
                return 'hidden'
        assert repr(Stack([lib.nn.ReLU()])) == 'Stack(\n  (0): ReLU()\n)'
        assert repr(Stack()) == 'Stack()'


def _md(nn):
    return nn.ModuleDict({'x': nn.Linear(1, 2), 'y': nn.Linear(2, 3)})


def _update(d, arg):
    d.update(arg)
    return d


def _update_partial(d, arg):
    # what a failed update left behind
    try:
        d.update(arg)
    except (TypeError, ValueError):
        pass
    return list(d.keys())


MD_CASES = {
    'missing': lambda nn: _md(nn)['z'],
    'int_key_get': lambda nn: _md(nn)[0],
    'int_key_set': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__(1, nn.ReLU())),
    'non_module': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__('q', 3)),
    'dotted': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__('a.b', nn.ReLU())),
    'empty_name': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__('', nn.ReLU())),
    'attr_clash': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__('forward', nn.ReLU())),
    'del_missing': lambda nn: _mutate(_md(nn), lambda d: d.__delitem__('z')),
    'del': lambda nn: _mutate(_md(nn), lambda d: d.__delitem__('x')),
    'pop_missing': lambda nn: _md(nn).pop('z'),
    'pop_default_arg': lambda nn: _md(nn).pop('z', None),
    'views': lambda nn: (list(_md(nn).keys()), [type(v).__name__ for v in _md(nn).values()],
                         [k for k, _ in _md(nn).items()], type(_md(nn).keys()).__name__),
    'contains': lambda nn: ('x' in _md(nn), 0 in _md(nn)),
    'contains_unhashable': lambda nn: [] in _md(nn),
    'get_missing_attr': lambda nn: _md(nn).get('x'),
    'update_int': lambda nn: _update(_md(nn), 3),
    'update_bad_element': lambda nn: _update(_md(nn), [3]),
    'update_triple': lambda nn: _update(_md(nn), [(1, 2, 3)]),
    'update_two_char_str': lambda nn: _update(_md(nn), ['ab']),
    'update_none_value': lambda nn: _update(_md(nn), {'k': None}),
    'update_moduledict': lambda nn: _update(_md(nn), nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Tanh()})),
    'update_dict_keeps_order': lambda nn: _update(_md(nn), {'b': nn.ReLU(), 'a': nn.Tanh()}),
    'update_pairs': lambda nn: _update(_md(nn), [('b', nn.ReLU()), ('a', nn.Tanh())]),
    'update_self': lambda nn: _update(_md(nn), _md(nn)),
    'update_partial': lambda nn: _update_partial(_md(nn), [('b', nn.ReLU()), 3]),
    'update_partial_value': lambda nn: _update_partial(_md(nn), [('b', nn.ReLU()), ('a', 3)]),
    'init_pairs': lambda nn: nn.ModuleDict([('b', nn.ReLU()), ('a', nn.Tanh())]),
    'init_none': lambda nn: nn.ModuleDict(None),
    'call': lambda nn: _md(nn)(1),
    'clear': lambda nn: _mutate(_md(nn), lambda d: d.clear()),
    'training_key': lambda nn: _mutate(_md(nn), lambda d: d.__setitem__('training', nn.ReLU())),
}


@pytest.mark.parametrize('case', sorted(MD_CASES))
def test_moduledict_blackbox(case):
    same(lambda lib: MD_CASES[case](lib.nn))


def _pl(lib):
    return lib.nn.ParameterList([lib.zeros(2), lib.nn.Parameter(lib.ones(3))])


def _pl_mixed(lib):
    p = _pl(lib)
    p.append(3)
    p.append('s')
    p.append(lib.nn.ReLU())
    return p, len(p), [type(v).__name__ for v in p], list(p._parameters), list(p._modules), \
        [n for n, _ in p.named_parameters()], list(p.state_dict())


PL_CASES = {
    'get': lambda lib: _pl(lib)[0],
    'out_of_range': lambda lib: _pl(lib)[5],
    'str_index': lambda lib: _pl(lib)['0'],
    'reverse_slice': lambda lib: _pl(lib)[::-1],
    'set_tensor_promoted': lambda lib: _mutate(_pl(lib), lambda p: p.__setitem__(0, lib.ones(1))),
    'set_int_over_param': lambda lib: _mutate(_pl(lib), lambda p: p.__setitem__(0, 3)),
    'set_none': lambda lib: _mutate(_pl(lib), lambda p: p.__setitem__(0, None)),
    'set_out_of_range': lambda lib: _mutate(_pl(lib), lambda p: p.__setitem__(5, lib.ones(1))),
    'set_module_over_param': lambda lib: _mutate(_pl(lib), lambda p: p.__setitem__(0, lib.nn.ReLU())),
    'mixed_values': _pl_mixed,
    'extend_int': lambda lib: _mutate(_pl(lib), lambda p: p.extend(3)),
    'extend_tensor': lambda lib: _mutate(_pl(lib), lambda p: p.extend(lib.ones(2))),
    'iadd': lambda lib: _iadd(_pl(lib), [lib.ones(1)]),
    'iadd_self': lambda lib: _iadd(_pl(lib), _pl(lib)),
    'add': lambda lib: _pl(lib) + _pl(lib),
    'del': lambda lib: _mutate(_pl(lib), lambda p: p.__delitem__(0)),
    'pop': lambda lib: _pl(lib).pop(),
    'call': lambda lib: _pl(lib)(),
    'call_kwargs': lambda lib: _pl(lib)(1, x=2),
    'init_int': lambda lib: lib.nn.ParameterList(3),
    'init_none': lambda lib: lib.nn.ParameterList(None),
    'int_tensor': lambda lib: lib.nn.ParameterList([lib.zeros(2, dtype=lib.int32)]),
    'dtypes_repr': lambda lib: lib.nn.ParameterList([lib.zeros(2, 3).double(), lib.zeros(0), lib.tensor(1.),
                                                     lib.zeros(2, dtype=lib.float16), None]),
    'frozen_param': lambda lib: lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2), requires_grad=False)]),
    'buffer_promoted': lambda lib: lib.nn.ParameterList([lib.nn.Buffer(lib.zeros(2))])[0],
    'nested': lambda lib: lib.nn.ParameterList([lib.nn.ParameterList([lib.ones(1)])]),
    'dir_hides_indices': lambda lib: [k for k in dir(_pl(lib)) if k[0].isdigit()],
}


@pytest.mark.parametrize('case', sorted(PL_CASES))
def test_parameterlist_blackbox(case):
    same(PL_CASES[case])


def test_parameterlist_values_and_flags():
    for lib in LIBS:
        p = _pl(lib)
        assert p.append(lib.ones(1)) is p and p.extend([]) is p
        assert all(type(v) is lib.nn.Parameter for v in p)
        x = lib.ones(2) * lib.ones(2, requires_grad=True)
        p.append(x)
        assert p[-1].requires_grad and p[-1].grad_fn is None and p[-1] is not x
        assert p.state_dict()['0'].requires_grad is False
        p.double()
        assert p[0].dtype == lib.float64 and isinstance(p[0], lib.nn.Parameter)


def _pd(lib):
    return lib.nn.ParameterDict({'y': lib.zeros(1), 'x': lib.ones(2)})


def _pd_mixed(lib):
    p = _pd(lib)
    p['k'] = 3
    p['s'] = 'str'
    p['m'] = lib.nn.ReLU()
    p['n'] = None
    return p, list(p), list(p._parameters), list(p._modules), p['k'], list(p.state_dict())


def _pd_or(lib, left, right):
    r = left | right
    return type(r).__name__, list(r)


def _pd_ior(lib, other):
    p = _pd(lib)
    p |= other
    return list(p)


PD_CASES = {
    'plain_dict_sorted': lambda lib: list(_pd(lib)),
    'ordered_dict_kept': lambda lib: list(lib.nn.ParameterDict(OrderedDict([('y', lib.zeros(1)),
                                                                            ('x', lib.ones(2))]))),
    'pairs_kept': lambda lib: list(lib.nn.ParameterDict([('y', lib.zeros(1)), ('x', lib.ones(2))])),
    'missing_is_attributeerror': lambda lib: _pd(lib)['z'],
    'int_key_get': lambda lib: _pd(lib)[0],
    'int_key_set': lambda lib: _mutate(_pd(lib), lambda p: p.__setitem__(0, lib.ones(1))),
    'mixed_values': _pd_mixed,
    'dotted': lambda lib: _mutate(_pd(lib), lambda p: p.__setitem__('a.b', lib.ones(1))),
    'empty_name': lambda lib: _mutate(_pd(lib), lambda p: p.__setitem__('', lib.ones(1))),
    'training_key': lambda lib: _mutate(_pd(lib), lambda p: p.__setitem__('training', lib.ones(1))),
    'method_clash': lambda lib: _mutate(_pd(lib), lambda p: p.__setitem__('keys', lib.ones(1))),
    'method_clash_key_recorded': lambda lib: _update_partial(_pd(lib), [('forward', lib.ones(1))]),
    'del': lambda lib: _mutate(_pd(lib), lambda p: p.__delitem__('x')),
    'del_missing': lambda lib: _mutate(_pd(lib), lambda p: p.__delitem__('z')),
    'reversed': lambda lib: list(reversed(_pd(lib))),
    'contains': lambda lib: ('x' in _pd(lib), 0 in _pd(lib)),
    'setdefault': lambda lib: _setdefault(lib),
    'setdefault_none': lambda lib: _setdefault_none(lib),
    'clear': lambda lib: _mutate(_pd(lib), lambda p: p.clear()),
    'pop': lambda lib: _pop_pd(_pd(lib), 'y'),
    'pop_missing': lambda lib: _pd(lib).pop('q'),
    'popitem': lambda lib: _popitem(_pd(lib)),
    'popitem_empty': lambda lib: lib.nn.ParameterDict().popitem(),
    'get': lambda lib: (_pd(lib).get('x'), _pd(lib).get('z', 5)),
    'fromkeys': lambda lib: _pd(lib).fromkeys(['b', 'a'], lib.ones(2)),
    'fromkeys_unbound': lambda lib: lib.nn.ParameterDict.fromkeys(['b', 'a']),
    'fromkeys_distinct': lambda lib: _fromkeys_distinct(lib),
    'views': lambda lib: (list(_pd(lib).keys()), type(_pd(lib).keys()).__name__, [k for k, _ in _pd(lib).items()],
                          [tuple(v.shape) for v in _pd(lib).values()]),
    'update_int': lambda lib: _update(_pd(lib), 3),
    'update_bad_element': lambda lib: _update(_pd(lib), [3]),
    'update_triple': lambda lib: _update(_pd(lib), [(1, 2, 3)]),
    'update_two_char_str': lambda lib: _update(_pd(lib), ['ab']),
    'update_dict_sorted': lambda lib: list(_update(_pd(lib), {'b': lib.ones(1), 'a': lib.ones(1)})),
    'update_od': lambda lib: list(_update(_pd(lib), OrderedDict({'b': lib.ones(1), 'a': lib.ones(1)}))),
    'update_pd': lambda lib: list(_update(_pd(lib), lib.nn.ParameterDict(OrderedDict({'b': lib.ones(1),
                                                                                      'a': lib.ones(1)})))),
    'update_partial': lambda lib: _update_partial(_pd(lib), [('b', lib.ones(1)), 3]),
    'or_dict': lambda lib: _pd_or(lib, _pd(lib), {'a': lib.ones(1)}),
    'or_pd': lambda lib: _pd_or(lib, _pd(lib), lib.nn.ParameterDict({'b': lib.ones(1), 'a': lib.ones(1)})),
    'ror_dict': lambda lib: _pd_or(lib, {'a': lib.ones(1), 'z': lib.ones(1)}, _pd(lib)),
    'ror_ordered_dict': lambda lib: _pd_or(lib, OrderedDict({'z': lib.ones(1)}), _pd(lib)),
    'ior_pd': lambda lib: _pd_ior(lib, lib.nn.ParameterDict({'b': lib.ones(1)})),
    'ior_dict': lambda lib: _pd_ior(lib, {'c': lib.ones(1), 'b': lib.ones(1)}),
    'ior_pairs': lambda lib: _pd_ior(lib, [('c', lib.ones(1))]),
    'call_no_arg': lambda lib: _pd(lib)(),
    'call': lambda lib: _pd(lib)(1),
    'empty': lambda lib: lib.nn.ParameterDict(),
    'init_int': lambda lib: lib.nn.ParameterDict(3),
    'init_int_key': lambda lib: lib.nn.ParameterDict({1: lib.ones(1)}),
    'attr_tensor_assign': lambda lib: _mutate(_pd(lib), lambda p: setattr(p, 'x', lib.ones(3))),
    'attr_param_not_listed': lambda lib: _attr_param(lib),
    'copy': lambda lib: _copy(lib),
    'named_parameters': lambda lib: [n for n, _ in _mutate(_pd(lib), lambda p: p.__setitem__('w', lib.ones(1)))
                                     .named_parameters()],
}


def _setdefault(lib):
    p = _pd(lib)
    return tuple(p.setdefault('x', lib.ones(5)).shape), tuple(p.setdefault('w', lib.ones(5)).shape), list(p)


def _setdefault_none(lib):
    p = _pd(lib)
    return p.setdefault('w'), list(p), list(p._parameters)


def _pop_pd(p, key):
    return p.pop(key), list(p)


def _popitem(p):
    k, v = p.popitem()
    return k, tuple(v.shape), list(p)


def _fromkeys_distinct(lib):
    p = _pd(lib).fromkeys(['b', 'a'], lib.ones(2))
    return p['a'] is p['b'], type(p['a']).__name__


def _attr_param(lib):
    p = _pd(lib)
    p.z = lib.nn.Parameter(lib.ones(3))
    p.x = lib.nn.Parameter(lib.ones(4))
    return list(p), list(p._parameters), tuple(p['x'].shape)


def _copy(lib):
    p = _pd(lib)
    q = p.copy()
    return q, q['x'] is p['x'], type(q).__name__


@pytest.mark.parametrize('case', sorted(PD_CASES))
def test_parameterdict_blackbox(case):
    same(PD_CASES[case])


def test_parameterdict_or_keeps_operands():
    for lib in LIBS:
        p = _pd(lib)
        q = p | lib.nn.ParameterDict({'x': lib.zeros(7)})
        assert tuple(q['x'].shape) == (7,) and tuple(p['x'].shape) == (2,) and q['y'] is p['y']


def test_container_deprecated():
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            c = lib.nn.Container(a=lib.nn.ReLU(), b=lib.nn.Linear(1, 1))
        assert [x.category for x in w] == [FutureWarning]
        assert 'nn.Container` is deprecated' in str(w[0].message)
        assert list(c._modules) == ['a', 'b']
        assert 'deprecated' in lib.nn.Container.__deprecated__
    reprs = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            reprs.append(repr(lib.nn.Container(a=lib.nn.ReLU())))
    assert reprs[0] == reprs[1]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same(lambda lib: lib.nn.Container(a=3))
        same(lambda lib: lib.nn.Container(lib.nn.ReLU()))


def test_container_subclass_warns_at_definition_only():
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')

            class Sub(lib.nn.Container):
                pass
        assert [x.category for x in w] == [FutureWarning]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            Sub()
        assert w == []


def test_nested_containers_state_dict_and_load():
    def build(lib):
        nn = lib.nn
        torch_like = nn.ModuleDict({
            'enc': nn.Sequential(nn.Linear(3, 4), nn.ReLU()),
            'heads': nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 1)]),
        })
        torch_like.extra = nn.ParameterDict({'b': lib.zeros(2), 'a': lib.ones(1)})
        torch_like.scales = nn.ParameterList([lib.ones(2), lib.zeros(3)])
        return torch_like
    torch.manual_seed(1)
    t, e = build(torch), build(ember)
    assert list(t.state_dict()) == list(e.state_dict())
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    th = t['enc'](torch.from_numpy(x))
    eh = e['enc'](ember.from_numpy(x))
    ty = t['heads'][0](th) * t.scales[0] + t.extra['b']
    ey = e['heads'][0](eh) * e.scales[0] + e.extra['b']
    np.testing.assert_allclose(ty.detach().numpy(), ey.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert repr(t) == repr(e)
