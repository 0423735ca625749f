"""nn.Module system, containers, Parameter/Buffer, Linear/Bilinear/LazyLinear, Flatten, F.linear vs torch."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from ember import nn as enn
from helpers import check, check_error, assert_same, to_np


def _models(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 5)
            self.register_buffer('running', lib.zeros(5))
            self.register_buffer('scratch', lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.fc(x) * self.scale + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.seq = nn.Sequential(nn.Linear(5, 6), nn.Identity(), nn.Flatten(0, -1), nn.Unflatten(0, (3, 6)))
            self.heads = nn.ModuleList([nn.Linear(6, 2), nn.Linear(6, 2), nn.Linear(6, 3)])
            self.table = nn.ModuleDict({'a': nn.Bilinear(2, 2, 3), 'b': nn.Identity()})
            self.plist = nn.ParameterList([nn.Parameter(lib.zeros(2, 2)), nn.Parameter(lib.zeros(3))])
            self.pdict = nn.ParameterDict({'w': nn.Parameter(lib.zeros(4))})

        def forward(self, x):
            h = self.seq(self.block(x))
            a, b = self.heads[0](h), self.heads[1](h)
            return self.table['a'](a, b).sum() + self.heads[2](h).sum() + self.plist[1].sum()

    return Net


def _pair():
    torch.manual_seed(0)
    t = _models(torch)()
    e = _models(ember)()
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    return t, e


# --- Parameter and Buffer --------------------------------------------------------------------------------
def test_parameter_basics():
    p = enn.Parameter(ember.tensor([[1.0, 2.0], [3.0, 4.5]]))
    tp = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.5]]))
    assert repr(p) == repr(tp)
    assert p.requires_grad and isinstance(p, ember.Tensor) and p.is_leaf
    assert not enn.Parameter(ember.zeros(2), requires_grad=False).requires_grad
    assert type(p * 2) is ember.Tensor
    assert repr(enn.Parameter()) == repr(torch.nn.Parameter())
    q = copy.deepcopy(p)
    assert type(q) is enn.Parameter and q.requires_grad and q is not p
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    q.detach().numpy()[0, 0] = 9   # a deep copy owns its storage
    assert p[0, 0].item() == 1.0
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is enn.Parameter and r.requires_grad
    np.testing.assert_array_equal(r.detach().numpy(), p.detach().numpy())
    # shares storage with the tensor it wraps, as torch
    base = ember.zeros(3)
    pb = enn.Parameter(base)
    with ember.no_grad():
        pb.add_(1)
    assert base.tolist() == [1.0, 1.0, 1.0]


def test_parameter_in_inplace_op_records():
    # an in-place op on a plain tensor taking a Parameter argument must record a graph
    w = enn.Parameter(ember.tensor([2.0, 3.0]))
    x = ember.ones(2)
    x.mul_(w)
    x.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_buffer():
    for lib in (torch, ember):
        m = lib.nn.Module()
        m.b = lib.nn.Buffer(lib.ones(2))
        m.nb = lib.nn.Buffer(lib.zeros(1), persistent=False)
        assert list(m.state_dict()) == ['b']
        assert [n for n, _ in m.named_buffers()] == ['b', 'nb']
        assert isinstance(m.b, lib.nn.Buffer)
        assert not isinstance(lib.ones(1), lib.nn.Buffer)


def test_uninitialized_parameter():
    u = enn.UninitializedParameter()
    assert repr(u) == repr(torch.nn.UninitializedParameter())
    with pytest.raises(RuntimeError, match="uninitialized"):
        u.shape
    u.materialize((2, 3))
    assert type(u) is enn.Parameter and tuple(u.shape) == (2, 3)


# --- registration --------------------------------------------------------------------------------------
def test_registration_and_iteration_match_torch():
    t, e = _pair()
    assert list(t.state_dict()) == list(e.state_dict())
    assert [n for n, _ in t.named_parameters()] == [n for n, _ in e.named_parameters()]
    assert [n for n, _ in t.named_buffers()] == [n for n, _ in e.named_buffers()]
    assert [n for n, _ in t.named_modules()] == [n for n, _ in e.named_modules()]
    assert [n for n, _ in t.named_children()] == [n for n, _ in e.named_children()]
    assert [n for n, _ in t.named_parameters(prefix='m', recurse=False)] == \
        [n for n, _ in e.named_parameters(prefix='m', recurse=False)]
    assert [n for n, _ in t.block.named_parameters(prefix='x')] == [n for n, _ in e.block.named_parameters(prefix='x')]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))
    assert e.get_submodule('seq.0') is e.seq[0]
    assert e.get_parameter('block.fc.weight') is e.block.fc.weight
    assert e.get_buffer('block.running') is e.block.running
    for lib, m in ((torch, t), (ember, e)):
        with pytest.raises(AttributeError, match='has no attribute `nope`'):
            m.get_submodule('block.nope')
        with pytest.raises(AttributeError, match='is not an nn.Parameter'):
            m.get_parameter('block.running')
    assert set(dir(t)) - set(dir(e)) <= {n for n in dir(t) if n.startswith('_') or not hasattr(e, n)} | set(dir(t))
    assert 'fc' in dir(e.block) and 'running' in dir(e.block) and 'scale' in dir(e.block)


def test_shared_and_duplicate_members():
    for lib in (torch, ember):
        lin = lib.nn.Linear(2, 2)
        s = lib.nn.Sequential(lin, lin)
        assert len(list(s.parameters())) == 2
        assert [n for n, _ in s.named_parameters(remove_duplicate=False)] == ['0.weight', '0.bias', '1.weight',
                                                                            '1.bias']
        assert len(list(s.modules())) == 2
        assert len(list(s.named_modules(remove_duplicate=False))) == 3
        assert list(s.state_dict()) == ['0.weight', '0.bias', '1.weight', '1.bias']


def test_setattr_getattr_delattr_and_errors():
    for lib in (torch, ember):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.zeros(2))
        m.register_buffer('b', lib.zeros(1))
        m.sub = lib.nn.Linear(1, 1)
        assert 'w' in m._parameters and 'b' in m._buffers and 'sub' in m._modules
        m.w = None
        assert m.w is None and 'w' in m._parameters and list(m.state_dict()) == ['b', 'sub.weight', 'sub.bias']
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'w'"):
            m.w = lib.zeros(2)
        with pytest.raises(TypeError, match="cannot assign 'int' as child module 'sub'"):
            m.sub = 3
        m.b = lib.ones(3)   # a tensor assigned to a buffer name stays a buffer
        assert 'b' in m._buffers and m.b.shape == (3,)
        with pytest.raises(KeyError, match="attribute 'sub' already exists"):
            m.register_buffer('sub', lib.zeros(1))
        with pytest.raises(KeyError, match="contain"):
            m.register_parameter('a.b', None)
        with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'c'"):
            m.register_buffer('c', 3)
        with pytest.raises(TypeError, match="is not a Module subclass"):
            m.add_module('c', 3)
        del m.sub
        assert 'sub' not in m._modules
        with pytest.raises(AttributeError, match="'Module' object has no attribute 'sub'"):
            m.sub
        m.plain = 3
        assert m.plain == 3 and 'plain' in m.__dict__
        del m.plain

    class Early(enn.Module):
        def __init__(self):
            self.w = enn.Parameter(ember.zeros(1))
    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()


# --- state_dict -------------------------------------------------------------------------------------------
def test_state_dict_round_trip_and_outputs_match_torch():
    t, e = _pair()
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    tx, ex = torch.from_numpy(x), ember.from_numpy(x)
    ty, ey = t(tx), e(ex)
    assert_same(ty, ey, atol=1e-5)
    ty.backward()
    ey.backward()
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None, n
        else:
            assert_same(tp.grad, ep.grad, atol=1e-4, what=n)
    sd = e.state_dict()
    assert isinstance(sd, OrderedDict) and hasattr(sd, '_metadata')
    assert all(not v.requires_grad for v in sd.values())
    assert all(v.requires_grad for k, v in e.state_dict(keep_vars=True).items() if 'running' not in k)
    assert list(e.state_dict(prefix='p.')) == ['p.' + k for k in sd]
    # round trip into a fresh model
    e2 = _models(ember)()
    r = e2.load_state_dict(sd)
    assert repr(r) == '<All keys matched successfully>' and r.missing_keys == [] and r.unexpected_keys == []
    assert_same(ty, e2(ex), atol=1e-5)
    # copies happen in place: the Parameter objects stay
    w = e2.block.fc.weight
    e2.load_state_dict(sd)
    assert e2.block.fc.weight is w
    assert e2.block.fc.weight.requires_grad


def test_load_state_dict_errors_match_torch():
    msgs = {}
    for lib in (torch, ember):
        m = lib.nn.Linear(3, 2)
        bad = {'weight': lib.zeros(2, 4), 'bias': lib.zeros(2), 'extra': lib.zeros(1)}
        with pytest.raises(RuntimeError) as ei:
            m.load_state_dict(bad)
        msgs[lib] = str(ei.value)
        with pytest.raises(RuntimeError) as ei2:
            m.load_state_dict({'weight': lib.zeros(2, 3)})
        msgs[(lib, 'missing')] = str(ei2.value)
        r = m.load_state_dict({'weight': lib.ones(2, 3), 'zz': lib.ones(1)}, strict=False)
        msgs[(lib, 'r')] = (r.missing_keys, r.unexpected_keys, repr(r))
        assert m.weight.sum().item() == 6
        with pytest.raises(TypeError, match='Expected state_dict to be dict-like'):
            m.load_state_dict([1, 2])
    assert msgs[ember] == msgs[torch]
    assert msgs[ember].startswith('Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: '
                                  '"extra". \n\tsize mismatch for weight: copying a param with shape '
                                  'torch.Size([2, 4]) from checkpoint, the shape in current model is '
                                  'torch.Size([2, 3]).')
    assert msgs[(ember, 'missing')] == msgs[(torch, 'missing')]
    assert msgs[(ember, 'r')] == msgs[(torch, 'r')]


def test_load_state_dict_checks_everything_before_assigning():
    m = enn.Sequential(enn.Linear(2, 2), enn.Linear(2, 3))
    before = {k: v.clone() for k, v in m.state_dict().items()}
    bad = {'0.weight': ember.ones(2, 2), '0.bias': ember.ones(2), '1.weight': ember.ones(3, 5), '1.bias': ember.ones(3)}
    with pytest.raises(RuntimeError, match='size mismatch for 1.weight'):
        m.load_state_dict(bad)
    for k, v in m.state_dict().items():
        assert ember.equal(v, before[k]), k


def test_load_state_dict_assign_and_scalar_compat():
    m = enn.Linear(2, 2)
    w = ember.full((2, 2), 3.0)
    m.load_state_dict({'weight': w, 'bias': ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, enn.Parameter) and m.weight.requires_grad
    assert m.weight._data is w._data   # assign takes the state dict's storage
    m.weight.requires_grad_(False)
    m.load_state_dict({'weight': ember.ones(2, 2), 'bias': ember.zeros(2)}, assign=True)
    assert not m.weight.requires_grad   # the module's requires_grad is kept
    # a 0-d parameter accepts a 1-element vector (torch's backward compatibility rule)
    s = enn.Module()
    s.p = enn.Parameter(ember.tensor(1.0))
    s.load_state_dict({'p': ember.tensor([5.0])})
    assert s.p.item() == 5.0


def test_state_dict_hooks_and_extra_state():
    class WithExtra(enn.Module):
        def __init__(self):
            super().__init__()
            self.l = enn.Linear(1, 1)
            self.token = 'a'

        def get_extra_state(self):
            return {'token': self.token}

        def set_extra_state(self, state):
            self.token = state['token']

    m = WithExtra()
    m.token = 'zz'
    sd = m.state_dict()
    assert list(sd) == ['_extra_state', 'l.weight', 'l.bias']   # own state first, as torch
    m2 = WithExtra()
    m2.load_state_dict(sd)
    assert m2.token == 'zz'
    seen = []
    m2.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: seen.append(('pre', prefix)))
    m2.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append(('post', list(sd))))
    m2.register_load_state_dict_post_hook(lambda mod, keys: seen.append(('load', list(keys.missing_keys))))
    m2.state_dict()
    m2.load_state_dict(sd)
    assert seen == [('pre', ''), ('post', ['_extra_state', 'l.weight', 'l.bias']), ('load', [])]


# --- repr -------------------------------------------------------------------------------------------------
def test_repr_matches_torch():
    t, e = _pair()
    assert repr(e) == repr(t)
    assert repr(enn.Sequential()) == repr(torch.nn.Sequential())
    assert repr(enn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(enn.Linear(3, 4, bias=False)) == repr(torch.nn.Linear(3, 4, bias=False))
    assert repr(enn.LazyLinear(3)) == repr(torch.nn.LazyLinear(3))
    pd_t = torch.nn.ParameterDict({'a': torch.nn.Parameter(torch.zeros(2, 3).double()), 'b': torch.zeros(1)})
    pd_e = enn.ParameterDict({'a': enn.Parameter(ember.zeros(2, 3).double()), 'b': ember.zeros(1)})
    assert repr(pd_e) == repr(pd_t)

    class Multi(enn.Module):
        def extra_repr(self):
            return 'a=1\nb=2'
    m = enn.Sequential(Multi(), enn.Linear(1, 1))
    assert repr(m) == 'Sequential(\n  (0): Multi(\n    a=1\n    b=2\n  )\n  (1): Linear(in_features=1, out_features=1, ' \
                      'bias=True)\n)'


# --- modes, grads, conversions --------------------------------------------------------------------------
def test_train_eval_requires_grad_zero_grad_apply():
    t, e = _pair()
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    with pytest.raises(ValueError, match='training mode is expected to be boolean'):
        e.train('yes')
    e(ember.ones(3, 4)).backward()
    assert e.block.fc.weight.grad is not None
    e.zero_grad(set_to_none=False)
    assert e.block.fc.weight.grad is not None and not e.block.fc.weight.grad.any().item()
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    names = []
    e.apply(lambda m: names.append(type(m).__name__))
    tnames = []
    t.apply(lambda m: tnames.append(type(m).__name__))
    assert names == tnames


def test_to_dtype_and_conversions():
    m = enn.Linear(2, 3)
    m.register_buffer('steps', ember.zeros(1, dtype=ember.int64))
    w = m.weight
    m.double()
    assert m.weight is w and m.weight.dtype == ember.float64 and m.steps.dtype == ember.int64
    assert isinstance(m.weight, enn.Parameter) and m.weight.requires_grad
    m.to(ember.float16)
    assert m.bias.dtype == ember.float16
    m.float()
    m.to(ember.zeros(1, dtype=ember.float64))
    assert m.weight.dtype == ember.float64
    m.to('cpu').cpu().half().bfloat16()
    assert m.weight.dtype == ember.bfloat16
    m.to(dtype=ember.float32)
    assert m(ember.ones(1, 2)).dtype == ember.float32
    for lib in (torch, ember):
        with pytest.raises(TypeError, match='nn.Module.to only accepts floating point or complex dtypes'):
            lib.nn.Linear(1, 1).to(lib.int32)
    assert m.share_memory() is m


def test_pickle_and_deepcopy_module():
    t, e = _pair()
    x = ember.ones(3, 4)
    y = e(x)
    c = copy.deepcopy(e)
    assert repr(c) == repr(e)
    assert_same(torch.tensor(to_np(y)), c(x))
    assert c.block.fc.weight is not e.block.fc.weight and isinstance(c.block.fc.weight, enn.Parameter)
    assert list(c.state_dict()) == list(e.state_dict())
    s = enn.Sequential(enn.Linear(4, 3), enn.Flatten(), enn.Sequential(enn.Identity()))
    s.register_buffer('count', ember.zeros(1), persistent=False)
    p = pickle.loads(pickle.dumps(s))
    assert repr(p) == repr(s) and p._non_persistent_buffers_set == {'count'}
    assert ember.equal(p(x), s(x)) and isinstance(p[0].weight, enn.Parameter) and p[0].weight.requires_grad


# --- hooks ------------------------------------------------------------------------------------------------
def _hook_trace(lib):
    log = []
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.arange(6.0).reshape(2, 3) / 10)
        lin.bias.fill_(0.5)
    h1 = lin.register_forward_pre_hook(lambda m, args: log.append(('pre', to_np(args[0]).tolist())))
    lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    lin.register_forward_pre_hook(lambda m, args, kwargs: log.append(('prekw', sorted(kwargs))) or None,
                                  with_kwargs=True)
    lin.register_forward_hook(lambda m, args, out: log.append(('fwd', to_np(out).round(4).tolist())))
    lin.register_forward_hook(lambda m, args, out: out + 1)
    lin.register_forward_hook(lambda m, args, out: log.append(('first', 0)), prepend=True)
    lin.register_forward_hook(lambda m, args, kwargs, out: log.append(('fwdkw', to_np(out).round(4).tolist())),
                              with_kwargs=True)
    x = lib.tensor([[1.0, 2.0, 3.0]])
    out = lin(x)
    h1.remove()
    lin(x)
    return log, to_np(out).tolist()


def test_forward_hooks_order_and_values_match_torch():
    assert _hook_trace(ember) == _hook_trace(torch)


def test_forward_hook_always_call_and_global_hooks():
    for lib in (torch, ember):
        log = []

        class Bad(lib.nn.Module):
            def forward(self, x):
                raise ValueError('boom')
        b = Bad()
        b.register_forward_hook(lambda m, a, o: log.append('always'), always_call=True)
        b.register_forward_hook(lambda m, a, o: log.append('never'))
        with pytest.raises(ValueError, match='boom'):
            b(1)
        assert log == ['always']
        mod = lib.nn.modules.module
        h = mod.register_module_forward_hook(lambda m, a, o: log.append(type(m).__name__))
        hp = mod.register_module_forward_pre_hook(lambda m, a: log.append('pre'))
        lib.nn.Sequential(lib.nn.Identity())(lib.ones(1))
        h.remove()
        hp.remove()
        lib.nn.Identity()(lib.ones(1))
        assert log == ['always', 'pre', 'pre', 'Identity', 'Sequential']


def _backward_trace(lib, x_requires_grad=True, pre_scale=None, replace_input=False):
    log = []

    class Two(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l = lib.nn.Linear(3, 2)
            with lib.no_grad():
                self.l.weight.copy_(lib.arange(6.0).reshape(2, 3) / 10 - 0.2)
                self.l.bias.fill_(0.1)

        def forward(self, x, flag, y):
            h = self.l(x)
            return h * y, h.sum(-1)

    m = Two()

    def hook(mod, gin, gout):
        log.append(('full', [None if g is None else to_np(g).round(5).tolist() for g in gin],
                    [None if g is None else to_np(g).round(5).tolist() for g in gout]))
        if replace_input and gin[0] is not None:
            return (gin[0] * 10, None, gin[2])

    def pre(mod, gout):
        log.append(('pre', [to_np(g).round(5).tolist() for g in gout]))
        if pre_scale is not None:
            return tuple(g * pre_scale for g in gout)

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(hook)
    x = lib.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, 0.1]], requires_grad=x_requires_grad)
    y = lib.tensor([2.0, 3.0], requires_grad=True)
    a, b = m(x, 'flag', y)
    (a.sum() * 2 + (b * b).sum()).backward()
    grads = [to_np(t.grad).round(5).tolist() if t.grad is not None else None
             for t in (x, y, m.l.weight, m.l.bias)]
    return log, grads


@pytest.mark.parametrize('kw', [{}, {'x_requires_grad': False}, {'pre_scale': 3.0}, {'replace_input': True}])
def test_full_backward_hooks_match_torch(kw):
    assert _backward_trace(ember, **kw) == _backward_trace(torch, **kw)


def test_hook_handles_and_fast_path():
    m = enn.Linear(2, 2)
    assert not m._forward_hooks
    h = m.register_forward_hook(lambda *a: None)
    assert len(m._forward_hooks) == 1
    with h:
        pass
    assert not m._forward_hooks
    hb = m.register_full_backward_hook(lambda *a: None)
    hb.remove()
    assert not m._backward_hooks


# --- containers -------------------------------------------------------------------------------------------
def test_sequential_api():
    for lib in (torch, ember):
        nn = lib.nn
        a, b, c = nn.Linear(1, 2), nn.Linear(2, 3), nn.Linear(3, 4)
        s = nn.Sequential(a, b)
        assert len(s) == 2 and s[0] is a and s[-1] is b
        assert type(s[0:1]) is nn.Sequential and list(s[0:1]) == [a]
        s.append(c)
        assert list(s) == [a, b, c]
        s.insert(0, nn.Identity())
        assert [type(m).__name__ for m in s] == ['Identity', 'Linear', 'Linear', 'Linear']
        assert s.pop(0).__class__ is nn.Identity and list(s) == [a, b, c]
        del s[1]
        assert list(s._modules) == ['0', '1'] and list(s) == [a, c]
        s[1] = b
        assert s[1] is b
        s2 = s + nn.Sequential(c)
        assert list(s2) == [a, b, c]
        s.extend([c])
        assert list(s) == [a, b, c]
        assert len(nn.Sequential(a) * 3) == 3
        with pytest.raises(IndexError, match='index 5 is out of range'):
            s[5]
        with pytest.raises(ValueError, match='add operator supports only objects of Sequential class'):
            s + [a]
        od = nn.Sequential(OrderedDict([('first', a), ('second', b)]))
        assert list(od._modules) == ['first', 'second'] and od.first is a
        assert od(lib.ones(5, 1)).shape == (5, 3)


def test_modulelist_moduledict_api():
    for lib in (torch, ember):
        nn = lib.nn
        ml = nn.ModuleList([nn.Identity(), nn.Linear(1, 1)])
        ml.append(nn.Linear(2, 2))
        ml.extend([nn.Identity()])
        ml.insert(1, nn.Linear(3, 3))
        assert [type(m).__name__ for m in ml] == ['Identity', 'Linear', 'Linear', 'Linear', 'Identity']
        assert type(ml[1:3]) is nn.ModuleList and len(ml[1:3]) == 2
        assert ml.pop(0).__class__ is nn.Identity and len(ml) == 4
        ml += [nn.Identity()]
        assert len(ml) == 5 and len(ml + ml) == 10
        assert ml[-1] is ml[4]
        with pytest.raises(IndexError):
            ml[9]
        md = nn.ModuleDict({'b': nn.Identity(), 'a': nn.Linear(1, 1)})
        assert list(md.keys()) == ['b', 'a'] and 'a' in md and len(md) == 2
        md['c'] = nn.Identity()
        assert md.pop('b').__class__ is nn.Identity and list(md) == ['a', 'c']
        md.update([('d', nn.Identity())])
        assert list(md) == ['a', 'c', 'd']
        md.clear()
        assert len(md) == 0


def test_parameterlist_parameterdict_api():
    for lib in (torch, ember):
        nn = lib.nn
        pl = nn.ParameterList([lib.zeros(2), nn.Parameter(lib.ones(3))])
        assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
        pl.append(lib.zeros(1))
        assert [n for n, _ in pl.named_parameters()] == ['0', '1', '2']
        assert len(pl[1:]) == 2
        with pytest.raises(RuntimeError, match='ParameterList should not be called'):
            pl()
        pd = nn.ParameterDict({'b': lib.zeros(1), 'a': lib.zeros(2)})
        assert list(pd) == ['a', 'b']   # a plain dict merges sorted, as torch
        pd['c'] = lib.zeros(3)
        assert isinstance(pd['c'], nn.Parameter) and 'c' in pd and pd.get('z') is None
        assert list(pd.state_dict()) == ['a', 'b', 'c']
        assert pd.pop('a').shape == (2,) and list(pd.keys()) == ['b', 'c']
        assert list((pd | nn.ParameterDict({'z': lib.zeros(1)})).keys()) == ['b', 'c', 'z']


# --- Linear, Bilinear, LazyLinear, Flatten ---------------------------------------------------------------
@pytest.mark.parametrize('shape', [(5, 3), (2, 4, 3), (3,), (2, 1, 2, 3)])
@pytest.mark.parametrize('bias', [True, False])
def test_linear_layer_vs_torch(shape, bias):
    torch.manual_seed(1)
    tl = torch.nn.Linear(3, 4, bias=bias)
    el = enn.Linear(3, 4, bias=bias)
    el.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in tl.state_dict().items()})
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tl(tx), el(ex)
    assert_same(ty, ey)
    g = np.random.default_rng(3).standard_normal(ty.shape).astype(np.float32)
    ty.backward(torch.from_numpy(g))
    ey.backward(ember.from_numpy(g))
    assert_same(tx.grad, ex.grad, atol=1e-5)
    assert_same(tl.weight.grad, el.weight.grad, atol=1e-4)
    if bias:
        assert_same(tl.bias.grad, el.bias.grad, atol=1e-4)
    assert ey.grad_fn is not None


def test_linear_functional_parity_and_gradcheck():
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (2, 3, 4), (5, 4), (5,), gradgrad=True)
    check(lambda lib, x, w: lib.nn.functional.linear(x, w), (6, 4), (5, 4), gradgrad=True)
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (4,), (5, 4), (5,))
    check(lambda lib, x, w: lib.nn.functional.linear(x, w), (3, 4), (4,))
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (3, 4), (2, 4), (1,))
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (2, 4), (3, 4), (3,), dtype='float64')


def test_linear_functional_errors():
    F = 'nn.functional'
    check_error(lambda lib: lib.nn.functional.linear(lib.zeros(2, 3), lib.zeros(4, 5)), RuntimeError,
                r'mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)')
    check_error(lambda lib: lib.nn.functional.linear(lib.zeros(2, 3), lib.zeros(4, 3).double()), RuntimeError,
                'expected m1 and m2 to have the same dtype, but got: float != double')
    check_error(lambda lib: lib.nn.functional.linear(lib.zeros(2, 3), lib.zeros(4, 3), lib.zeros(5)), RuntimeError,
                'The expanded size of the tensor')
    check_error(lambda lib: lib.nn.functional.linear(lib.tensor(1.0), lib.zeros(4, 3)), RuntimeError,
                'both arguments to linear need to be at least 1D')
    check_error(lambda lib: lib.nn.functional.linear(lib.zeros(2, 3).double(), lib.zeros(4, 3).double(),
                                                    lib.zeros(4)), RuntimeError,
                'self and mat2 must have the same dtype, but got Float and Double')
    assert F


def test_linear_half_precision_runs_in_float32():
    torch.manual_seed(0)
    for dt in ('float16', 'bfloat16'):
        x = torch.randn(4, 8).to(getattr(torch, dt))
        w = torch.randn(3, 8).to(getattr(torch, dt))
        ex, ew = ember.tensor(x.float().numpy()).to(getattr(ember, dt)), ember.tensor(w.float().numpy()).to(
            getattr(ember, dt))
        assert_same(torch.nn.functional.linear(x, w), ember.nn.functional.linear(ex, ew), atol=3e-2, rtol=2e-2)


def test_bilinear_vs_torch():
    check(lambda lib, a, b, w, bias: lib.nn.functional.bilinear(a, b, w, bias), (4, 3), (4, 2), (5, 3, 2), (5,),
          gradgrad=True)
    check(lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), (2, 4, 3), (2, 4, 2), (5, 3, 2))
    torch.manual_seed(0)
    tb = torch.nn.Bilinear(3, 2, 4)
    eb = enn.Bilinear(3, 2, 4)
    eb.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in tb.state_dict().items()})
    x1, x2 = np.ones((5, 3), np.float32), np.arange(10, dtype=np.float32).reshape(5, 2)
    assert_same(tb(torch.from_numpy(x1), torch.from_numpy(x2)), eb(ember.from_numpy(x1), ember.from_numpy(x2)))
    assert repr(eb) == repr(tb)
    check_error(lambda lib: lib.nn.functional.bilinear(lib.zeros(2, 3), lib.zeros(2, 2), lib.zeros(4, 2, 2)),
                RuntimeError, 'input1 size does not match weight size')


def test_lazy_linear():
    for lib in (torch, ember):
        m = lib.nn.LazyLinear(4)
        assert m.in_features == 0 and m.has_uninitialized_params()
        y = m(lib.ones(2, 7))
        assert type(m) is lib.nn.Linear and m.in_features == 7 and tuple(m.weight.shape) == (4, 7)
        assert tuple(y.shape) == (2, 4)
        # a lazy module loads an initialized state dict
        m2 = lib.nn.LazyLinear(4)
        m2.load_state_dict(m.state_dict())
        assert tuple(m2.weight.shape) == (4, 7)
        assert lib.equal(m2(lib.ones(2, 7)), y)


def test_default_init_distribution():
    ember.manual_seed(0)
    m = enn.Linear(400, 300)
    w = to_np(m.weight)
    bound = 1 / np.sqrt(400)
    assert w.min() >= -bound and w.max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.02 * bound
    b = to_np(m.bias)
    assert b.min() >= -bound and b.max() <= bound and abs(b.mean()) < 0.2 * bound
    ember.manual_seed(0)
    assert ember.equal(enn.Linear(400, 300).weight, m.weight)   # seeded: repeatable
    bl = enn.Bilinear(50, 20, 30)
    assert to_np(bl.weight).max() <= 1 / np.sqrt(50) and to_np(bl.weight).std() > 0.5 / np.sqrt(3 * 50)


def test_flatten_unflatten():
    check(lambda lib, x: lib.nn.Flatten()(x), (2, 3, 4), gradcheck=False)
    check(lambda lib, x: lib.nn.Flatten(0, 1)(x), (2, 3, 4), gradcheck=False)
    check(lambda lib, x: lib.nn.Unflatten(1, (2, 6))(x), (2, 12), gradcheck=False)
    check(lambda lib, x: lib.nn.Unflatten(-1, [3, -1])(x), (2, 12), gradcheck=False)
    assert repr(enn.Flatten(0, 2)) == repr(torch.nn.Flatten(0, 2))
    assert repr(enn.Unflatten(1, [2, 6])) == repr(torch.nn.Unflatten(1, [2, 6]))
    for lib in (torch, ember):
        with pytest.raises(TypeError, match='unflattened_size must be tuple of ints'):
            lib.nn.Unflatten(1, (2, 'a'))


def test_custom_module_forward_missing_and_init_args():
    class NoForward(enn.Module):
        pass
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        NoForward()(1)
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        enn.Module(3)
