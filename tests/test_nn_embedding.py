"""embedding, embedding_bag, one_hot and the Embedding / EmbeddingBag modules against torch."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

IDX = np.array([[1, 2, 4, 5], [4, 3, 2, 9]])
FLAT = IDX.ravel()


def _i(L, a, dtype='int64'):
    return L.from_numpy(np.ascontiguousarray(a).astype(dtype))


# --- F.embedding -----------------------------------------------------------------------------------
@pytest.mark.parametrize('idx', [IDX, FLAT, np.array(3), np.array([[[0], [9]]])])
def test_embedding(idx):
    check(lambda L, w: L.nn.functional.embedding(_i(L, idx), w), (10, 3), gradgrad=idx is IDX)


def test_embedding_int32_indices_and_float64():
    check(lambda L, w: L.nn.functional.embedding(_i(L, IDX, 'int32'), w), (10, 3))
    check(lambda L, w: L.nn.functional.embedding(_i(L, IDX), w), (10, 3), dtype='float64', gradcheck=False)


@pytest.mark.parametrize('padding_idx', [2, -8, 0])
@pytest.mark.parametrize('freq', [False, True])
def test_embedding_padding_and_freq(padding_idx, freq):
    # these gradients are not the derivative (padding rows get none, frequent rows are scaled): no gradcheck
    check(lambda L, w: L.nn.functional.embedding(_i(L, IDX), w, padding_idx=padding_idx, scale_grad_by_freq=freq),
          (10, 3), gradcheck=False)


def test_embedding_sparse_flag_gives_dense_grad():
    check(lambda L, w: L.nn.functional.embedding(_i(L, IDX), w, sparse=False), (10, 3), gradcheck=False)
    w = ember.randn(10, 3, requires_grad=True)
    ember.nn.functional.embedding(_i(ember, IDX), w, sparse=True).sum().backward()
    assert w.grad.shape == (10, 3)


@pytest.mark.parametrize('norm_type', [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalises_in_place(norm_type):
    w0 = np.random.default_rng(0).standard_normal((10, 4)).astype(np.float32) * 2
    res = {}
    for L in (torch, ember):
        w = L.from_numpy(w0.copy()).requires_grad_()
        y = L.nn.functional.embedding(_i(L, IDX), w, max_norm=1.5, norm_type=norm_type)
        (y * y).sum().backward()
        res[L.__name__] = (y, w.detach(), w.grad)
    assert_same(res['torch'], res['ember'], atol=1e-5)
    rows = np.unique(IDX)
    untouched = np.setdiff1d(np.arange(10), rows)
    np.testing.assert_array_equal(res['ember'][1].numpy()[untouched], w0[untouched])


def test_embedding_gradient_accumulates_repeats_large_vocab():
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 5000, (64, 50))
    check(lambda L, w: L.nn.functional.embedding(_i(L, idx), w), (5000, 16), gradcheck=False)


def test_embedding_errors():
    check_error(lambda L: L.nn.functional.embedding(L.tensor([1.0]), L.randn(3, 2)), RuntimeError,
                "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int")
    check_error(lambda L: L.nn.functional.embedding(L.tensor([5]), L.randn(3, 2)), IndexError, 'index out of range')
    check_error(lambda L: L.nn.functional.embedding(L.tensor([-1]), L.randn(3, 2)), IndexError, 'index out of range')
    check_error(lambda L: L.nn.functional.embedding(L.tensor([1]), L.randn(3, 2), padding_idx=5), AssertionError,
                'Padding_idx must be within num_embeddings')
    check_error(lambda L: L.nn.functional.embedding(L.tensor([1]), L.randn(3, 2), padding_idx=-5), AssertionError,
                'Padding_idx must be within num_embeddings')


# --- F.embedding_bag -------------------------------------------------------------------------------
OFFSETS = [0, 2, 2, 5]


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag_2d(mode):
    check(lambda L, w: L.nn.functional.embedding_bag(_i(L, IDX), w, mode=mode), (10, 3), gradgrad=mode == 'sum')


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
@pytest.mark.parametrize('padding_idx', [None, 4])
def test_embedding_bag_offsets(mode, padding_idx):
    check(lambda L, w: L.nn.functional.embedding_bag(_i(L, FLAT), w, _i(L, OFFSETS), mode=mode,
                                                     padding_idx=padding_idx), (10, 3), gradcheck=padding_idx is None)


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag_include_last_offset(mode):
    check(lambda L, w: L.nn.functional.embedding_bag(_i(L, FLAT), w, _i(L, OFFSETS + [8]), mode=mode,
                                                     include_last_offset=True), (10, 3))
    check(lambda L, w: L.nn.functional.embedding_bag(_i(L, FLAT), w, _i(L, [0, 8, 8]), mode=mode,
                                                     include_last_offset=True), (10, 3), gradcheck=False)


def test_embedding_bag_per_sample_weights():
    check(lambda L, w, p: L.nn.functional.embedding_bag(_i(L, FLAT), w, _i(L, OFFSETS), mode='sum',
                                                        per_sample_weights=p), (10, 3), (8,), gradgrad=True)
    check(lambda L, w, p: L.nn.functional.embedding_bag(_i(L, IDX), w, mode='sum', per_sample_weights=p,
                                                        padding_idx=2), (10, 3), (2, 4), gradcheck=False)


def test_embedding_bag_int32_and_max_norm():
    check(lambda L, w: L.nn.functional.embedding_bag(_i(L, FLAT, 'int32'), w, _i(L, OFFSETS, 'int32')), (10, 3))
    w0 = np.random.default_rng(2).standard_normal((10, 3)).astype(np.float32) * 2
    res = {}
    for L in (torch, ember):
        w = L.from_numpy(w0.copy())
        y = L.nn.functional.embedding_bag(_i(L, IDX), w, max_norm=1.0)
        res[L.__name__] = (y, w)
    assert_same(res['torch'], res['ember'])


def test_embedding_bag_scale_grad_by_freq_matches_embedding():
    # torch's CPU embedding_bag kernel scales by miscounted frequencies; ember follows the documented rule
    # (each lookup's gradient divided by its index's count in the batch), which is F.embedding's
    w1 = ember.randn(10, 3, requires_grad=True)
    w2 = ember.from_numpy(w1.detach().numpy().copy()).requires_grad_()
    ember.nn.functional.embedding_bag(_i(ember, IDX), w1, mode='sum', scale_grad_by_freq=True).sum().backward()
    ember.nn.functional.embedding(_i(ember, IDX), w2, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w1.grad.numpy(), w2.grad.numpy(), rtol=1e-6)


def test_embedding_bag_errors():
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([[1, 2]]), L.randn(3, 2), L.tensor([0])),
                ValueError, 'if input is 2D, then offsets has to be None')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(3, 2)), ValueError,
                'offsets has to be a 1D Tensor but got None')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(3, 2), L.tensor([0]), mode='foo'),
                ValueError, 'mode has to be one of sum, mean or max')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(3, 2), L.tensor([0]),
                                                        per_sample_weights=L.ones(2)),
                NotImplementedError, "per_sample_weights is only supported for mode='sum'")
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(3, 2), L.tensor([0]), mode='sum',
                                                        per_sample_weights=L.ones(3)),
                ValueError, 'must have the same shape as the input')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(3, 2), L.tensor([1])),
                RuntimeError, 'offsets\\[0\\] has to be 0')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([[[1]]]), L.randn(3, 2)), ValueError,
                'input has to be 1D or 2D Tensor')
    check_error(lambda L: L.nn.functional.embedding_bag(L.tensor([1]), L.randn(3, 2), L.tensor([0]), mode='max',
                                                        scale_grad_by_freq=True), ValueError,
                'max mode does not support scaling')


# --- F.one_hot -------------------------------------------------------------------------------------
@pytest.mark.parametrize('num_classes', [-1, 7])
def test_one_hot(num_classes):
    x = np.array([[0, 3], [5, 1]])
    check(lambda L: L.nn.functional.one_hot(_i(L, x), num_classes), grad=False)
    check(lambda L: L.nn.functional.one_hot(_i(L, np.array(2)), num_classes), grad=False)
    check(lambda L: L.nn.functional.one_hot(_i(L, np.zeros(0)), 4), grad=False)


def test_one_hot_errors():
    check_error(lambda L: L.nn.functional.one_hot(L.tensor([1.0])), RuntimeError,
                'one_hot is only applicable to index tensor of type LongTensor')
    check_error(lambda L: L.nn.functional.one_hot(L.tensor([1], dtype=L.int32)), RuntimeError,
                'one_hot is only applicable to index tensor')
    check_error(lambda L: L.nn.functional.one_hot(L.tensor([-1])), RuntimeError, 'Class values must be non-negative')
    check_error(lambda L: L.nn.functional.one_hot(L.tensor([3]), 2), RuntimeError,
                'Class values must be smaller than num_classes')
    check_error(lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.long)), RuntimeError,
                'Can not infer total number of classes from empty tensor')


# --- modules ---------------------------------------------------------------------------------------
def test_embedding_module_init_and_state():
    ember.manual_seed(0)
    m = ember.nn.Embedding(2000, 64, padding_idx=3)
    w = m.weight.detach().numpy()
    assert not w[3].any()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01      # N(0, 1)
    t = torch.nn.Embedding(2000, 64, padding_idx=3)
    assert list(m.state_dict()) == list(t.state_dict()) == ['weight']
    assert repr(m) == repr(t)
    for kw in (dict(max_norm=2.0, norm_type=1.0), dict(scale_grad_by_freq=True, sparse=True), dict(padding_idx=-1)):
        assert repr(ember.nn.Embedding(5, 2, **kw)) == repr(torch.nn.Embedding(5, 2, **kw))
    check_error(lambda L: L.nn.Embedding(3, 2, padding_idx=3), AssertionError, 'Padding_idx must be within')


def test_embedding_module_forward_backward_from_torch_state():
    t = torch.nn.Embedding(10, 3, padding_idx=0)
    e = ember.nn.Embedding(10, 3, padding_idx=0)
    e.load_state_dict({'weight': ember.from_numpy(t.weight.detach().numpy().copy())})
    idx = np.array([[0, 2, 2], [9, 0, 1]])
    ty, ey = t(_i(torch, idx)), e(_i(ember, idx))
    assert_same(ty, ey)
    g = np.random.default_rng(3).standard_normal((2, 3, 3)).astype(np.float32)
    ty.backward(torch.from_numpy(g))
    ey.backward(ember.from_numpy(g))
    assert_same(t.weight.grad, e.weight.grad)
    assert not e.weight.grad.numpy()[0].any()


def test_from_pretrained():
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    for freeze in (True, False):
        t = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), freeze=freeze, padding_idx=1)
        e = ember.nn.Embedding.from_pretrained(ember.from_numpy(w.copy()), freeze=freeze, padding_idx=1)
        assert e.weight.requires_grad == t.weight.requires_grad == (not freeze)
        assert e.padding_idx == 1 and repr(e) == repr(t)
        assert_same(t(torch.tensor([1, 3])), e(ember.tensor([1, 3])))
        tb = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(w.copy()), freeze=freeze, mode='sum')
        eb = ember.nn.EmbeddingBag.from_pretrained(ember.from_numpy(w.copy()), freeze=freeze, mode='sum')
        assert eb.weight.requires_grad == tb.weight.requires_grad
        assert_same(tb(torch.tensor([[1, 3], [0, 0]])), eb(ember.tensor([[1, 3], [0, 0]])))
    check_error(lambda L: L.nn.Embedding.from_pretrained(L.ones(3)), AssertionError, 'expected to be 2-dimensional')


@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag_module(mode):
    t = torch.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=2)
    e = ember.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=2)
    assert repr(t) == repr(e) and list(t.state_dict()) == list(e.state_dict())
    assert not e.weight.detach().numpy()[2].any()
    e.load_state_dict({'weight': ember.from_numpy(t.weight.detach().numpy().copy())})
    ty = t(_i(torch, FLAT), _i(torch, OFFSETS))
    ey = e(_i(ember, FLAT), _i(ember, OFFSETS))
    assert_same(ty, ey)
    ty.pow(2).sum().backward()
    ey.pow(2).sum().backward()
    assert_same(t.weight.grad, e.weight.grad, atol=1e-5)
