"""Names programs import beside the math: checkpointing, DataParallel, jit (eager), distributed checks,
multiprocessing, sdpa backend choice, module paths and helpers, post-accumulate-grad hooks; each against
torch's observable behaviour."""
import importlib
import warnings

import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize('path', [
    'utils.checkpoint.checkpoint', 'utils.checkpoint.checkpoint_sequential', 'utils.hooks.RemovableHandle',
    'nn.DataParallel', 'nn.parallel.DataParallel', 'nn.parallel.DistributedDataParallel',
    'nn.attention.sdpa_kernel', 'nn.attention.SDPBackend', 'backends.cuda.sdp_kernel',
    'nn.modules.batchnorm._BatchNorm', 'nn.modules.instancenorm.InstanceNorm2d', 'nn.modules.lazy.LazyModuleMixin',
    'nn.modules.utils._pair', 'nn.common_types._size_2_t', 'nn.utils.stateless.functional_call',
    'jit.script', 'jit.trace', 'jit.is_scripting', 'jit.ignore', 'distributed.is_available',
    'distributed.is_initialized', 'multiprocessing.spawn', 'multiprocessing.get_start_method',
    'cuda.memory_allocated', 'cuda.max_memory_allocated'])
def test_names_exist(path):
    obj = ember
    for part in path.split('.'):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(obj.__name__ + '.' + part)
    assert obj is not None


def test_checkpoint_gives_the_plain_gradients_and_rng_stream():
    def run(L):
        L.manual_seed(0)
        net = L.nn.Sequential(L.nn.Linear(4, 8), L.nn.Dropout(0.3), L.nn.Tanh(), L.nn.Linear(8, 2))
        x = L.randn(5, 4, requires_grad=True)
        y = L.utils.checkpoint.checkpoint(net, x, use_reentrant=False)
        y = L.utils.checkpoint.checkpoint_sequential(L.nn.Sequential(L.nn.ReLU(), L.nn.Identity()), 2, y,
                                                      use_reentrant=False)
        y.sum().backward()
        return [y.detach(), x.grad, net[0].weight.grad, L.rand(2)]
    for a, b in zip(run(torch), run(ember)):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6)
    for L in (torch, ember):
        with pytest.warns(UserWarning, match='use_reentrant parameter should be passed explicitly'):
            L.utils.checkpoint.checkpoint(lambda t: t * 2, L.ones(2, requires_grad=True))


def test_data_parallel_without_gpus():
    for L in (torch, ember):
        L.manual_seed(0)
        dp = L.nn.DataParallel(L.nn.Linear(2, 3))
        assert list(dp.state_dict()) == ['module.weight', 'module.bias'] and dp.device_ids == []
        assert tuple(dp(L.ones(4, 2)).shape) == (4, 3)
    assert repr(ember.nn.DataParallel(ember.nn.Linear(2, 3))) == repr(torch.nn.DataParallel(torch.nn.Linear(2, 3)))
    for L in (torch, ember):
        with pytest.raises(ValueError, match='Default process group has not been initialized'):
            L.nn.parallel.DistributedDataParallel(L.nn.Linear(2, 2))


def test_distributed_checks():
    assert not ember.distributed.is_initialized() and not torch.distributed.is_initialized()
    for L in (torch, ember):
        with pytest.raises(ValueError, match='Default process group has not been initialized'):
            L.distributed.get_rank()


def test_jit_runs_eagerly():
    def f(x):
        return x * 2 + 1
    assert ember.jit.script(f)(ember.ones(2)).tolist() == [3.0, 3.0]
    m = ember.nn.Linear(2, 2)
    assert ember.jit.trace(m, ember.ones(1, 2)) is m
    assert not ember.jit.is_scripting() and not ember.jit.is_tracing()
    assert ember.jit.annotate(list, [1]) == [1] and ember.jit.ignore(f) is f and ember.jit.unused(f) is f
    assert ember.jit.wait(ember.jit.fork(f, ember.ones(1))).item() == 3.0
    assert issubclass(ember.jit.ScriptModule, ember.nn.Module)


def test_sdpa_backend_choice_changes_nothing():
    q = ember.randn(1, 2, 4, 8)
    ref = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    with ember.nn.attention.sdpa_kernel(ember.nn.attention.SDPBackend.MATH):
        out = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    assert ember.equal(ref, out)
    assert str(ember.nn.attention.SDPBackend.FLASH_ATTENTION) == str(torch.nn.attention.SDPBackend.FLASH_ATTENTION)
    with pytest.warns(FutureWarning, match='sdp_kernel'):
        with ember.backends.cuda.sdp_kernel(enable_flash=False):
            assert not ember.backends.cuda.flash_sdp_enabled()
    assert ember.backends.cuda.flash_sdp_enabled()


def test_module_utils_helpers_like_torch():
    from torch.nn.modules import utils as tu
    from ember.nn.modules import utils as eu
    for name, arg in [('_pair', 3), ('_pair', [1, 2]), ('_single', 4), ('_triple', (1, 2, 3)), ('_quadruple', 0)]:
        assert getattr(eu, name)(arg) == getattr(tu, name)(arg)
    assert eu._reverse_repeat_tuple((1, 2), 2) == tu._reverse_repeat_tuple((1, 2), 2)
    from ember.nn.modules.batchnorm import _BatchNorm
    assert isinstance(ember.nn.BatchNorm2d(3), _BatchNorm)


def test_post_accumulate_grad_hook():
    out = []
    for L in (torch, ember):
        seen = []
        x = L.ones(2, requires_grad=True)
        h = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        x.register_hook(lambda g: g * 3)
        (x * 2).sum().backward()
        h.remove()
        (x * 2).sum().backward()
        L.autograd.grad((x * 2).sum(), x)   # nothing accumulates: no call
        out.append((seen, x.grad.tolist()))
        with pytest.raises(RuntimeError, match='non-leaf'):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        x.register_post_accumulate_grad_hook(lambda t: t.grad)
        with pytest.raises(RuntimeError, match='should return None'):
            (x * 2).sum().backward()
    assert out[0] == out[1]


@pytest.mark.parametrize('make', [lambda L: L.zeros(3, 4).t(), lambda L: L.zeros(4, 6)[:, ::2],
                                  lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
                                  lambda L: L.zeros(3, 1, 4).expand(3, 5, 4), lambda L: L.zeros(3, 1, 4).permute(2, 1, 0)])
def test_like_keeps_a_permuted_layout(make):
    """preserve_format: a dense permuted input's strides carry over; others give C order."""
    for fn in ('zeros_like', 'ones_like', 'empty_like'):
        assert getattr(ember, fn)(make(ember)).stride() == getattr(torch, fn)(make(torch)).stride()
    assert ember.full_like(make(ember), 2., dtype=ember.float64).stride() == \
        torch.full_like(make(torch), 2., dtype=torch.float64).stride()
    assert ember.zeros_like(make(ember), memory_format=ember.contiguous_format).is_contiguous()


STRIDED = [lambda L: L.zeros(4, 5, 6).permute(2, 0, 1)[::2], lambda L: L.zeros(4, 5, 6).permute(1, 2, 0)[:, 1:3],
           lambda L: L.zeros(4, 5, 6).transpose(0, 1)[:, :, ::3],
           lambda L: L.zeros(3, 1, 4).expand(3, 5, 4).transpose(0, 2), lambda L: L.zeros(4, 5, 6)[:, :1].permute(2, 1, 0)[::2],
           lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1)[:, ::2], lambda L: L.zeros(5, 1).expand(5, 4).t()]


@pytest.mark.parametrize('make', STRIDED)
def test_like_orders_a_strided_input_as_torch(make):
    assert ember.empty_like(make(ember)).stride() == torch.empty_like(make(torch)).stride()


@pytest.mark.parametrize('fn', ['rand_like', 'randn_like', 'randint_like'])
def test_random_like_draws_in_the_inputs_memory_order(fn):
    out = []
    for L in (torch, ember):
        L.manual_seed(0)
        x = L.zeros(20, 3).t()
        y = getattr(L, fn)(x, 10) if fn == 'randint_like' else getattr(L, fn)(x)
        out.append((y.numpy().copy(), y.stride(), L.rand(2).numpy()))
    assert out[0][1] == out[1][1]
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-6)
    np.testing.assert_array_equal(out[1][2], out[0][2])


@pytest.mark.parametrize('make,dim', [(lambda L: L.nn.Conv1d(3, 4, 2), 0), (lambda L: L.nn.Linear(3, 4), None),
                                      (lambda L: L.nn.Linear(3, 4), 1), (lambda L: L.nn.ConvTranspose2d(2, 3, 2), 1)])
def test_old_weight_norm_like_torch(make, dim):
    mods = []
    for L in (torch, ember):
        L.manual_seed(0)
        with pytest.warns(FutureWarning, match='weight_norm'):
            mods.append(L.nn.utils.weight_norm(make(L), dim=dim))
    t, e = mods
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(e.state_dict()[k].numpy(), v.numpy(), rtol=1e-6, atol=1e-7)
    shape = (2, 3, 5) if isinstance(t, torch.nn.Conv1d) else (2, 2, 4, 4) if isinstance(t, torch.nn.ConvTranspose2d) \
        else (2, 3)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    yt, ye = t(torch.tensor(x)), e(ember.tensor(x))
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yt.square().sum().backward()
    ye.square().sum().backward()
    for n in ('weight_g', 'weight_v'):
        np.testing.assert_allclose(getattr(e, n).grad.numpy(), getattr(t, n).grad.numpy(), rtol=1e-4, atol=1e-6)
    for L, m in ((torch, t), (ember, e)):
        with pytest.raises(RuntimeError, match='Cannot register two weight_norm hooks'):
            L.nn.utils.weight_norm(m, dim=dim)
        L.nn.utils.remove_weight_norm(m)
        assert [n for n, _ in m.named_parameters()] == ['weight', 'bias'] or \
            sorted(n for n, _ in m.named_parameters()) == ['bias', 'weight']
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
            L.nn.utils.remove_weight_norm(m)
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
