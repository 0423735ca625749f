"""nn.utils.parametrize compared with torch as a black box: the same program runs on both libraries and
the state_dict keys, values, gradients, class names, reprs and error messages must agree."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, to_np

LIBS = {'torch': torch, 'ember': ember}


def _zoo(lib):
    """Parametrizations written once against a library's API."""
    nn = lib.nn

    class Id(nn.Module):
        def forward(self, x):
            return x

    class Double(nn.Module):
        def forward(self, x):
            return x * 2

        def right_inverse(self, x):
            return x / 2

    class Split(nn.Module):   # the tensor is stored as two halves
        def forward(self, a, b):
            return a + b * 3

        def right_inverse(self, x):
            return x * 0.25, x * 0.25

    class Scale(nn.Module):   # a parametrization with its own parameter
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(lib.tensor(1.5))

        def forward(self, x):
            return x * self.s

    class Returns(nn.Module):   # forward and right_inverse from callables, to provoke every check
        def __init__(self, fwd=None, inv=None):
            super().__init__()
            self.fwd, self.inv = fwd, inv

        def forward(self, *x):
            return self.fwd(x[0]) if self.fwd else x[0]

        def right_inverse(self, x):
            return self.inv(x)

    class NoInverse(nn.Module):
        def forward(self, x):
            return x

        def right_inverse(self, x):
            raise NotImplementedError

    return dict(Id=Id, Double=Double, Split=Split, Scale=Scale, Returns=Returns, NoInverse=NoInverse)


def _pair(make):
    """Build the same module with both libraries, with equal weights."""
    torch.manual_seed(0)
    tm = make(torch)
    em = make(ember)
    em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})
    return tm, em


def _outcome(lib, program):
    try:
        return 'ok', program(lib, _zoo(lib), lib.nn.utils.parametrize)
    except Exception as e:  # noqa: BLE001 - the exception is the observed behaviour
        return type(e).__name__, str(e)


def _same_outcome(program):
    t, e = _outcome(torch, program), _outcome(ember, program)
    assert t[0] == e[0], (t, e)
    if t[0] != 'ok':
        assert t[1] == e[1]
    return t, e


ERRORS = {
    'first_dtype': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](lambda x: x.double(), lambda x: x)),
    'first_shape': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](lambda x: x[:1], lambda x: x)),
    'first_not_tensor': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](lambda x: 3, lambda x: x)),
    'inverse_int': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: 3)),
    'inverse_int_unsafe': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: 3), unsafe=True),
    'inverse_dtype': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: x.double())),
    'inverse_shape': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: x[:1])),
    'inverse_bad_element': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: [x, 3])),
    'inverse_str': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](None, lambda x: 'ab')),
    'missing_name': lambda L, Z, P: P.register_parametrization(L.nn.Linear(3, 2), 'nope', Z['Id']()),
    'empty_list': lambda L, Z, P: P.ParametrizationList([], L.nn.Parameter(L.zeros(2))),
    'remove_plain': lambda L, Z, P: P.remove_parametrizations(L.nn.Linear(2, 2), 'bias'),
    'remove_split_unparametrized': lambda L, Z, P: P.remove_parametrizations(
        P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Split']()), 'weight', leave_parametrized=False),
    'pickle': lambda L, Z, P: pickle.dumps(P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Id']())),
    'no_inverse_at_registration': lambda L, Z, P: type(P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['NoInverse']())).__name__,
}


def _second(fwd=None, inv=None, unsafe=False):
    def program(L, Z, P):
        m = P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Id']())
        extra = Z['Returns'](fwd, inv or (lambda x: x))
        P.register_parametrization(m, 'weight', extra, unsafe=unsafe)
        return len(m.parametrizations.weight), tuple(m.weight.shape)
    return program


ERRORS.update({
    'second_dtype': _second(lambda x: x.double()),
    'second_shape': _second(lambda x: x[:1]),
    'second_not_tensor': _second(lambda x: 3),
    'second_inverse_int': _second(None, lambda x: 3),
    'second_inverse_dtype': _second(None, lambda x: x.double()),
    'second_inverse_shape': _second(None, lambda x: x[:1]),
    'second_shape_unsafe': _second(lambda x: x[:1], unsafe=True),
})


def _assign(value_fn, inv, chain='Returns'):
    def program(L, Z, P):
        m = L.nn.Linear(3, 2)
        P.register_parametrization(m, 'weight', Z[chain]() if chain != 'Returns' else Z['Returns'](None, lambda x: x))
        m.parametrizations.weight[0].inv = inv
        m.weight = value_fn(L)
        return tuple(m.weight.shape), str(m.weight.dtype)
    return program


def _split_assign(inv, unsafe=False):
    def program(L, Z, P):
        m = P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Returns'](lambda x: x, lambda x: (x, x)),
                                       unsafe=unsafe)
        m.parametrizations.weight[0].inv = inv
        m.weight = L.ones(2, 3)
        return [tuple(getattr(m.parametrizations.weight, f'original{i}').shape) for i in range(2)]
    return program


ERRORS.update({
    'assign_no_inverse': _assign(lambda L: L.zeros(2, 3), None, chain='Double'),
    'assign_missing_inverse': lambda L, Z, P: setattr(
        P.register_parametrization(L.nn.Linear(3, 2), 'weight', Z['Scale']()), 'weight', L.zeros(2, 3)),
    'assign_dtype': _assign(lambda L: L.zeros(2, 3, dtype=L.float64), lambda x: x),
    'assign_shape_allowed': _assign(lambda L: L.zeros(4, 3), lambda x: x),
    'assign_int': _assign(lambda L: L.zeros(2, 3), lambda x: 3),
    'assign_list': _assign(lambda L: L.zeros(2, 3), lambda x: [x]),
    'split_assign_int': _split_assign(lambda x: 3),
    'split_assign_length': _split_assign(lambda x: (x,)),
    'split_assign_dtype': _split_assign(lambda x: (x, x.double())),
    'split_assign_shape_allowed': _split_assign(lambda x: (x, x[:1])),
    'split_assign_dtype_unsafe': _split_assign(lambda x: (x, x.double()), unsafe=True),
})


@pytest.mark.parametrize('case', sorted(ERRORS))
def test_outcomes_match_torch(case):
    t, e = _same_outcome(ERRORS[case])
    if t[0] == 'ok' and case != 'split_assign_shape_allowed':
        assert t[1] == e[1]


def test_reference_type_opaques_wording():
    # torch mentions "reference-type opaques", a torch-only notion; ember keeps the rest of the message
    program = _split_assign(lambda x: (x, 3))
    t, e = _outcome(torch, program), _outcome(ember, program)
    assert t[0] == e[0] == 'ValueError' and e[1] == "'right_inverse' must return a sequence of tensors. Got element 1 of type int."


def _chain(lib):
    Z, P = _zoo(lib), lib.nn.utils.parametrize
    m = lib.nn.Linear(3, 2)
    P.register_parametrization(m, 'weight', Z['Split']())
    P.register_parametrization(m, 'weight', Z['Scale']())
    P.register_parametrization(m, 'bias', Z['Double']())
    return m


def test_sequence_originals_values_and_grads():
    tm, em = _pair(_chain)
    assert list(tm.state_dict()) == list(em.state_dict()) == [
        'parametrizations.weight.original0', 'parametrizations.weight.original1', 'parametrizations.weight.1.s',
        'parametrizations.bias.original']
    assert repr(tm) == repr(em)
    assert [n for n, _ in tm.named_parameters()] == [n for n, _ in em.named_parameters()]
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    ty, ey = tm(torch.from_numpy(x)), em(ember.from_numpy(x))
    assert_same(ty, ey)
    (ty ** 2).sum().backward()
    (ey ** 2).sum().backward()
    for (n, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert_same(tp.grad, ep.grad, atol=1e-5, what=n)


def test_sequence_assignment_and_removal():
    outs = {}
    for name, lib in LIBS.items():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2)
        P.register_parametrization(m, 'weight', Z['Split']())
        m.weight = lib.full((2, 3), 4.0)
        vals = [to_np(m.parametrizations.weight.original0), to_np(m.weight)]
        m.weight.requires_grad  # noqa: B018 - reading the property must work
        P.remove_parametrizations(m, 'weight')
        outs[name] = vals + [type(m).__name__, type(m.weight).__name__, m.weight.requires_grad, list(m.state_dict()),
                             to_np(m.weight)]
        m2 = lib.nn.Linear(3, 2)
        m2.weight.requires_grad_(False)
        P.register_parametrization(m2, 'weight', Z['Split']())
        rg = [(n, p.requires_grad) for n, p in m2.named_parameters()]
        P.remove_parametrizations(m2, 'weight')
        outs[name] += [rg, type(m2.weight).__name__, [n for n, _ in m2.named_buffers()]]
    t, e = outs['torch'], outs['ember']
    for a, b in zip(t, e):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b)
        else:
            assert a == b


def test_scale_without_inverse_refuses_assignment():
    for lib in LIBS.values():
        m = _chain(lib)
        with pytest.raises(RuntimeError, match='parametrization Scale does not implement right_inverse.'):
            m.weight = lib.ones(2, 3)


def test_buffer_parametrization():
    outs = {}
    for name, lib in LIBS.items():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Module()
        m.register_buffer('buf', lib.arange(3.0))
        P.register_parametrization(m, 'buf', Z['Double']())
        keys, bufs = list(m.state_dict()), [n for n, _ in m.named_buffers()]
        params = list(m.parameters())
        val = to_np(m.buf)
        m.buf = lib.full((3,), 8.0)
        stored = to_np(m.parametrizations.buf.original)
        P.remove_parametrizations(m, 'buf')
        outs[name] = (keys, bufs, len(params), val.tolist(), stored.tolist(), type(m).__name__,
                      type(m.buf).__name__, list(m.state_dict()), to_np(m.buf).tolist())
    assert outs['torch'] == outs['ember']


def test_leave_parametrized_false_restores_original():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2)
        w = m.weight
        before = to_np(w).copy()
        P.register_parametrization(m, 'weight', Z['Double']())   # right_inverse halves the stored value
        P.remove_parametrizations(m, 'weight', leave_parametrized=False)
        assert m.weight is w and type(m) is lib.nn.Linear
        np.testing.assert_allclose(to_np(m.weight), before / 2)


def test_registration_keeps_parameter_object_and_bumps_version():
    vers = {}
    for name, lib in LIBS.items():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2)
        w = m.weight
        v0 = w._version
        P.register_parametrization(m, 'weight', Z['Double']())
        assert m.parametrizations.weight.original is w
        v1 = w._version
        m.weight = lib.ones(2, 3)
        vers[name] = (v1 - v0, w._version - v1)
        np.testing.assert_allclose(to_np(w), 0.5)
        assert m.weight.requires_grad and m.weight.grad_fn is not None
    assert vers['torch'] == vers['ember']


def test_unsafe_flag_is_sticky_and_shape_changes():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2)
        P.register_parametrization(m, 'weight', Z['Returns'](None, lambda x: x), unsafe=True)
        P.register_parametrization(m, 'weight', Z['Returns'](None, lambda x: x))
        assert m.parametrizations.weight.unsafe
        m.weight = lib.zeros(3, 3)   # assignments never check the shape
        assert tuple(m.weight.shape) == (3, 3)
        with pytest.raises(ValueError, match='has dtype torch.float64 while `original` has dtype torch.float32'):
            m.weight = lib.zeros(3, 3, dtype=lib.float64)   # but always the dtype, unsafe or not
        assert (m.parametrizations.weight.is_tensor, m.parametrizations.weight.ntensors) == (True, 1)


def test_unsafe_right_inverse_changes_shape():
    outs = {}
    for name, lib in LIBS.items():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2)
        P.register_parametrization(m, 'weight', Z['Returns'](lambda x: x.reshape(2, 3), lambda x: x.reshape(6)),
                                   unsafe=True)
        outs[name] = ([tuple(v.shape) for v in m.state_dict().values()], tuple(m.weight.shape))
    assert outs['torch'] == outs['ember']


def test_cached_nesting():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = P.register_parametrization(lib.nn.Linear(3, 2), 'weight', Z['Double']())
        other = P.register_parametrization(lib.nn.Linear(3, 2), 'weight', Z['Double']())
        with P.cached():
            a = m.weight
            assert m.weight is a and other.weight is other.weight and other.weight is not a
            with P.cached():
                assert m.weight is a
            assert m.weight is a   # the outer block still caches
        assert m.weight is not a and m.weight is not m.weight


def test_cached_value_has_graph():
    tm, em = _pair(lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(3, 2), 'weight', _zoo(lib)['Double']()))
    for lib, m in ((torch, tm), (ember, em)):
        with lib.nn.utils.parametrize.cached():
            y = m(lib.ones(2, 3)) + m(lib.ones(2, 3))
        y.sum().backward()
    assert_same(tm.parametrizations.weight.original.grad, em.parametrizations.weight.original.grad)


def test_train_mode_propagates_to_parametrization():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 2).eval()
        p = Z['Id']()
        P.register_parametrization(m, 'weight', p)
        assert not p.training
        m.train()
        assert p.training


def test_class_bookkeeping():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        a = P.register_parametrization(lib.nn.Linear(3, 2), 'weight', Z['Id']())
        b = P.register_parametrization(lib.nn.Linear(3, 2), 'weight', Z['Id']())
        assert type(a) is not type(b) and type(a).__name__ == 'ParametrizedLinear'
        assert isinstance(a, lib.nn.Linear) and type(a).__qualname__ == 'ParametrizedLinear'
        cls = type(a)
        P.register_parametrization(a, 'bias', Z['Id']())
        assert type(a) is cls and P.is_parametrized(a, 'bias')
        P.remove_parametrizations(a, 'weight')
        assert type(a) is cls and P.type_before_parametrizations(a) is lib.nn.Linear
        assert 'weight' not in vars(cls) and list(a.state_dict()) == ['weight', 'parametrizations.bias.original']
        P.remove_parametrizations(a, 'bias')
        assert type(a) is lib.nn.Linear and not P.is_parametrized(a) and not P.is_parametrized(a, 'weight')
        assert P.type_before_parametrizations(a) is lib.nn.Linear
        assert not hasattr(a, 'parametrizations')


def test_deepcopy_is_independent():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        m = _chain(lib)
        c = copy.deepcopy(m)
        assert type(c) is type(m)
        assert c.parametrizations.weight.original0 is not m.parametrizations.weight.original0
        np.testing.assert_array_equal(to_np(c.weight), to_np(m.weight))
        with lib.no_grad():
            c.parametrizations.weight.original0.add_(1.0)
        assert not np.allclose(to_np(c.weight), to_np(m.weight))


def test_state_dict_round_trip_between_libraries():
    tm, em = _pair(_chain)
    x = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    assert_same(tm(torch.from_numpy(x)), em(ember.from_numpy(x)))
    back = {k: torch.from_numpy(to_np(v).copy()) for k, v in em.state_dict().items()}
    fresh = _chain(torch)
    fresh.load_state_dict(back)
    assert_same(fresh(torch.from_numpy(x)), em(ember.from_numpy(x)))


def test_optimizer_updates_original():
    tm, em = _pair(lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(3, 2), 'weight', _zoo(lib)['Double']()))
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)
    for lib, m in ((torch, tm), (ember, em)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (m(lib.from_numpy(x)) ** 2).mean().backward()
            opt.step()
    assert_same(tm.weight, em.weight, atol=1e-6)
    assert_same(tm.bias, em.bias, atol=1e-6)


def _transfer_program(L, Z, P):
    src = L.nn.Linear(3, 2)
    P.register_parametrization(src, 'weight', Z['Double']())
    P.register_parametrization(src, 'weight', Z['Id']())
    P.register_parametrization(src, 'bias', Z['Split']())
    dst = L.nn.Linear(3, 2)
    P.register_parametrization(dst, 'weight', Z['Id']())
    out = P.transfer_parametrizations_and_params(src, dst)
    empty = L.nn.Module()
    P.transfer_parametrizations_and_params(src, empty, 'bias')
    plain = L.nn.Linear(2, 2)
    same = P.transfer_parametrizations_and_params(L.nn.Linear(2, 2), plain)
    return (out is dst, repr(dst), list(dst.state_dict()), np.array_equal(to_np(dst.weight), to_np(src.weight)),
            dst.parametrizations.weight.original is src.parametrizations.weight.original,
            dst.parametrizations.bias.original1 is src.parametrizations.bias.original1,
            dst.parametrizations.weight[1] is src.parametrizations.weight[0],
            type(empty).__name__, list(empty.state_dict()), np.array_equal(to_np(empty.bias), to_np(src.bias)),
            same is plain, type(plain).__name__)


def test_transfer_parametrizations_and_params():
    t, e = _same_outcome(_transfer_program)
    assert t[1] == e[1]


@pytest.mark.parametrize('name,to', [('weight', 'linear'), ('nope', 'linear'), ('nope', 'has_nope'), ('buf', 'module')])
def test_transfer_errors(name, to):
    def program(L, Z, P):
        src = L.nn.Linear(3, 2)
        src.register_buffer('buf', L.ones(2))
        P.register_parametrization(src, 'bias', Z['Split']())
        P.register_parametrization(src, 'buf', Z['Id']())
        if to == 'has_nope':
            dst = L.nn.Module()
            dst.nope = L.nn.Parameter(L.ones(2))
        else:
            dst = L.nn.Linear(3, 2) if to == 'linear' else L.nn.Module()
        P.transfer_parametrizations_and_params(src, dst, name)
    t, e = _same_outcome(program)
    assert t[0] != 'ok'


def test_parametrization_list_direct():
    for lib in LIBS.values():
        Z, P = _zoo(lib), lib.nn.utils.parametrize
        orig = lib.nn.Parameter(lib.ones(2, 2))
        pl = P.ParametrizationList([Z['Double'](), Z['Double']()], orig)
        assert pl.original is orig and (pl.is_tensor, pl.ntensors, pl.unsafe) == (True, 1, False)
        np.testing.assert_allclose(to_np(orig), 0.25)   # stored as right_inverse of the current value
        np.testing.assert_allclose(to_np(pl()), 1.0)
        pl.right_inverse(lib.full((2, 2), 6.0))
        np.testing.assert_allclose(to_np(orig), 1.5)
        assert isinstance(pl, lib.nn.ModuleList) and len(pl) == 2
