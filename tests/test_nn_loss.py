"""nn.functional losses and the loss modules, against torch (values, dtypes, gradients, errors)."""
import numpy as np
import pytest
import torch
import ember
from helpers import check, check_error, assert_same

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 5))
Y = rng.standard_normal((4, 5))
T = np.array([1, 0, 4, 2])
W = rng.uniform(0.5, 2, 5)
P = rng.uniform(0.05, 0.95, (4, 5))
REDUCTIONS = ['mean', 'sum', 'none']


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('kw', [{}, {'label_smoothing': 0.2}, {'ignore_index': 0}, {'label_smoothing': 0.3, 'ignore_index': 1}])
def test_cross_entropy_class_indices(reduction, kw):
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, reduction=reduction, **kw), X, T, gradgrad=True)
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, weight=lib.tensor(W), reduction=reduction, **kw), X, T,
          gradgrad=reduction == 'mean')


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_k_dim_and_probabilities(reduction):
    x4, t4 = rng.standard_normal((2, 3, 4, 2)), rng.integers(0, 3, (2, 4, 2))
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, reduction=reduction, label_smoothing=0.1,
                                                 weight=lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64)), x4, t4)
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, reduction=reduction), X, P)   # target gradient too
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, reduction=reduction, label_smoothing=0.25,
                                                 weight=lib.tensor(W)), X, P)
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, reduction=reduction), x4, rng.uniform(0, 1, x4.shape))


def test_cross_entropy_unbatched_float32_and_stable():
    check(lambda lib, a, t: F(lib).cross_entropy(a, t), rng.standard_normal(5), np.array(3))
    check(lambda lib, a, t: F(lib).cross_entropy(a, t), (16, 10), rng.integers(0, 10, 16), dtype='float32',
          gradcheck=False)
    big = np.array([[1000., -1000., 0.], [-500., 500., 20.]], np.float32)
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, label_smoothing=0.1), big, np.array([1, 0]), gradcheck=False)
    check(lambda lib, a, t: F(lib).cross_entropy(a, t, ignore_index=-100), X, np.full(4, -100), gradcheck=False)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_nll_loss(reduction):
    check(lambda lib, a, t: F(lib).nll_loss(a, t, reduction=reduction, ignore_index=2), X, T, gradgrad=True)
    check(lambda lib, a, t: F(lib).nll_loss(a, t, weight=lib.tensor(W), reduction=reduction), X, T)
    check(lambda lib, a, t: F(lib).nll_loss(a, t, reduction=reduction), rng.standard_normal((2, 3, 4)),
          rng.integers(0, 3, (2, 4)))
    check(lambda lib, a, t: F(lib).nll_loss(a, t, reduction=reduction), rng.standard_normal(5), np.array(2))


def test_class_target_errors():
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0, 5])), IndexError,
                'Target 5 is out of bounds')
    check_error(lambda lib: F(lib).nll_loss(lib.randn(3, 5), lib.tensor([1, -1, 0])), IndexError,
                'Target -1 is out of bounds')
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0])), ValueError,
                r'Expected input batch_size \(3\) to match target batch_size \(2\)')
    check_error(lambda lib: F(lib).nll_loss(lib.randn(2, 3, 4), lib.zeros(2, 5, dtype=lib.long)), RuntimeError,
                r'Expected target size \[2, 4\], got \[2, 5\]')
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0, 2], dtype=lib.int32)),
                RuntimeError, 'expected target dtype to be Long or Byte, but got Int')
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0, 2]), weight=lib.ones(4)),
                RuntimeError, 'weight tensor should be defined either for all 5 classes')
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0, 2]), label_smoothing=1.5),
                RuntimeError, 'label_smoothing must be between 0.0 and 1.0')
    check_error(lambda lib: F(lib).cross_entropy(lib.randn(3, 5), lib.tensor([1, 0, 2]), reduction='foo'),
                ValueError, 'foo is not a valid value for reduction')


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_regression_losses(reduction):
    check(lambda lib, a, b: F(lib).mse_loss(a, b, reduction=reduction), X, Y, gradgrad=True)
    check(lambda lib, a, b: F(lib).l1_loss(a, b, reduction=reduction), X, Y)
    check(lambda lib, a, b: F(lib).smooth_l1_loss(a, b, reduction=reduction, beta=0.7), X, Y)
    check(lambda lib, a, b: F(lib).smooth_l1_loss(a, b, reduction=reduction, beta=0.0), X, Y)
    check(lambda lib, a, b: F(lib).huber_loss(a, b, reduction=reduction, delta=0.8), X, Y)
    w = lambda lib: lib.tensor(rng_w)  # noqa: E731
    rng_w = np.random.default_rng(3).uniform(0.1, 1, X.shape)
    check(lambda lib, a, b: F(lib).mse_loss(a, b, reduction=reduction, weight=w(lib)), X, Y)
    check(lambda lib, a, b: F(lib).l1_loss(a, b, reduction=reduction, weight=w(lib)), X, Y)
    check(lambda lib, a, b: F(lib).huber_loss(a, b, reduction=reduction, weight=w(lib)), X, Y)


def test_regression_dtypes_broadcast_and_warnings():
    check(lambda lib, a, b: F(lib).mse_loss(a, b), (3, 4), (3, 4), dtype='float32', gradcheck=False)
    check(lambda lib, a, b: F(lib).mse_loss(a, b.double()), (3, 4), (3, 4), dtype='float32', gradcheck=False)
    for name in ('mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss'):
        with pytest.warns(UserWarning, match=r'Using a target size \(torch.Size\(\[1, 5\]\)\) that is different'):
            check(lambda lib, a, b: getattr(F(lib), name)(a, b), X, Y[:1])
    check_error(lambda lib: F(lib).mse_loss(lib.randn(3, 5), lib.randn(4, 5)), RuntimeError,
                r'The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 0')
    check_error(lambda lib: F(lib).mse_loss(lib.arange(3), lib.arange(3)), NotImplementedError, 'mse')
    check_error(lambda lib: F(lib).huber_loss(lib.randn(3), lib.randn(3), delta=-1.0), RuntimeError, 'delta')
    check_error(lambda lib: F(lib).smooth_l1_loss(lib.randn(3), lib.randn(3), beta=-1.0), RuntimeError, 'beta')
    with pytest.warns(UserWarning, match="please use reduction='sum'"):
        check(lambda lib, a, b: F(lib).mse_loss(a, b, size_average=False), X, Y)
    with pytest.warns(UserWarning, match="please use reduction='none'"):
        check(lambda lib, a, b: F(lib).l1_loss(a, b, reduce=False), X, Y)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_binary_cross_entropy(reduction):
    t = np.random.default_rng(1).uniform(0, 1, P.shape)
    check(lambda lib, a, b: F(lib).binary_cross_entropy(a, b, reduction=reduction), P, t)
    check(lambda lib, a, b: F(lib).binary_cross_entropy(a, b, weight=lib.tensor(W), reduction=reduction), P, t)
    check(lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a, b, reduction=reduction), X * 5, t,
          gradgrad=True)
    check(lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a, b, reduction=reduction, weight=lib.tensor(W),
                                                                    pos_weight=lib.tensor(W[::-1].copy())),
          X, t, gradgrad=True)


def test_binary_cross_entropy_edges_and_errors():
    # log clamped at -100: exact 0 and 1 give finite losses, and torch's gradient 1 / max(x (1 - x), 1e-12)
    x = np.array([0.0, 1.0, 0.5, 1e-30], np.float32)
    check(lambda lib, a, b: F(lib).binary_cross_entropy(a, b, reduction='sum'), x, np.array([1., 0., 1., 1.], np.float32),
          gradcheck=False, rtol=1e-4)
    check(lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a, b), np.array([-1000., 1000., 0.], np.float32),
          np.array([1., 0., 1.], np.float32), gradcheck=False)
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.tensor([1.5]), lib.tensor([1.])), RuntimeError,
                'between 0 and 1')
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.rand(3), lib.rand(3, 1)), ValueError,
                r'Using a target size \(torch.Size\(\[3, 1\]\)\) that is different to the input size')
    check_error(lambda lib: F(lib).binary_cross_entropy_with_logits(lib.rand(3), lib.rand(3, 1)), ValueError,
                r'Target size \(torch.Size\(\[3, 1\]\)\) must be the same as input size')


@pytest.mark.parametrize('reduction', REDUCTIONS + ['batchmean'])
def test_kl_div(reduction):
    tgt = np.random.default_rng(2).dirichlet(np.ones(5), 4)
    zero = tgt.copy()
    zero[0, 0] = 0.0   # contributes 0 (torch's target gradient there is NaN, so the target is a constant)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(lambda lib, a, b: F(lib).kl_div(a, b, reduction=reduction), np.log(P), tgt)
        check(lambda lib, a: F(lib).kl_div(a, lib.tensor(zero), reduction=reduction), np.log(P))
        check(lambda lib, a, b: F(lib).kl_div(a, b, reduction=reduction, log_target=True), np.log(P), X)
    if reduction == 'mean':
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            F(ember).kl_div(ember.from_numpy(X), ember.from_numpy(P))


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_likelihood_losses(reduction):
    counts = np.random.default_rng(4).poisson(2.0, X.shape).astype(np.float64)
    check(lambda lib, a, b: F(lib).poisson_nll_loss(a, b, reduction=reduction), X, counts + 0.5)
    # counts of 0 make torch's target gradient NaN (0 * log 0 in the Stirling term): the counts are constants here
    check(lambda lib, a: F(lib).poisson_nll_loss(a, lib.tensor(counts), log_input=False, full=True,
                                                 reduction=reduction), P * 3)
    var = np.random.default_rng(5).uniform(0.1, 2, X.shape)
    var[0, 0] = 1e-9    # clamped at eps, the gradient passing through as torch's does
    check(lambda lib, a, b, v: F(lib).gaussian_nll_loss(a, b, v, reduction=reduction), X, Y, var, gradcheck=False)
    check(lambda lib, a, b, v: F(lib).gaussian_nll_loss(a, b, v, full=True, reduction=reduction), X, Y, var[:, 1])
    check(lambda lib, a, b, v: F(lib).gaussian_nll_loss(a, b, v, reduction=reduction), X, Y, var[:, 1:2])
    check(lambda lib, a, b: F(lib).gaussian_nll_loss(a, b, 0.5, reduction=reduction), X, Y)


def test_gaussian_nll_errors():
    check_error(lambda lib: F(lib).gaussian_nll_loss(lib.randn(3, 5), lib.randn(3, 5), -lib.ones(3, 5)), ValueError,
                'var has negative')
    check_error(lambda lib: F(lib).gaussian_nll_loss(lib.randn(3, 5), lib.randn(3, 5), lib.ones(3, 2)), ValueError,
                'var is of incorrect size')


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_margin_losses(reduction):
    r = np.random.default_rng(6)
    sign = r.choice([-1.0, 1.0], 4)
    check(lambda lib, a, b: F(lib).cosine_embedding_loss(a, b, lib.tensor(sign), margin=0.1, reduction=reduction),
          X, Y)
    check(lambda lib, a, b, y: F(lib).margin_ranking_loss(a, b, y, margin=0.2, reduction=reduction), X[:, 0], Y[:, 0],
          sign)
    check(lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, reduction=reduction), X, Y, r.standard_normal((4, 5)))
    check(lambda lib, a, p, n: F(lib).triplet_margin_loss(a, p, n, p=1, swap=True, margin=2.0, reduction=reduction),
          X, Y, r.standard_normal((4, 5)))
    check(lambda lib, a, p, n: F(lib).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), swap=True, reduction=reduction),
        X, Y, r.standard_normal((4, 5)))
    check(lambda lib, a, p, n: F(lib).triplet_margin_with_distance_loss(a, p, n, reduction=reduction),
          X, Y, r.standard_normal((4, 5)))
    signs = r.choice([-1.0, 1.0], X.shape)
    check(lambda lib, a: F(lib).hinge_embedding_loss(a, lib.tensor(signs), margin=0.5, reduction=reduction), X)
    check(lambda lib, a: F(lib).soft_margin_loss(a, lib.tensor(signs), reduction=reduction), X)
    check(lambda lib, a, y: F(lib).multilabel_soft_margin_loss(a, y, weight=lib.tensor(W), reduction=reduction), X,
          r.integers(0, 2, X.shape).astype(np.float64))
    mlt = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 1, 1, 1], [4, 4, -1, 0, 0]])
    check(lambda lib, a: F(lib).multilabel_margin_loss(a, lib.tensor(mlt), reduction=reduction), X)
    check(lambda lib, a: F(lib).multilabel_margin_loss(a, lib.tensor(mlt[0]), reduction=reduction), X[0])
    check(lambda lib, a: F(lib).multi_margin_loss(a, lib.tensor(T), reduction=reduction), X)
    check(lambda lib, a: F(lib).multi_margin_loss(a, lib.tensor(T), p=2, margin=0.7, weight=lib.tensor(W),
                                                  reduction=reduction), X)


def test_margin_errors():
    check_error(lambda lib: F(lib).multi_margin_loss(lib.randn(3, 5), lib.tensor([1, 0, 2]), p=3), ValueError,
                'only p == 1 and p == 2 supported')
    check_error(lambda lib: F(lib).triplet_margin_loss(lib.randn(3, 5), lib.randn(5), lib.randn(3, 5)), RuntimeError,
                'anchor 2D, positive 1D, and negative 2D')
    check_error(lambda lib: F(lib).triplet_margin_with_distance_loss(lib.randn(3, 5), lib.randn(3, 5),
                                                                     lib.randn(3, 5), margin=0), ValueError, 'margin')
    check_error(lambda lib: F(lib).margin_ranking_loss(lib.randn(3), lib.randn(3), lib.ones(4)), RuntimeError,
                'must match')


# --- CTC ---------------------------------------------------------------------------------------------------
def _ctc_case():
    r = np.random.default_rng(7)
    T_, N, C = 12, 4, 6
    logits = r.standard_normal((T_, N, C))
    targets = np.array([[1, 2, 2, 3], [4, 4, 0, 0], [5, 1, 3, 0], [2, 0, 0, 0]])
    return logits, targets, [12, 10, 9, 7], [4, 2, 3, 1]


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_ctc_loss_matches_torch(reduction):
    logits, targets, il, tl = _ctc_case()
    # gradients of log_probs as torch gives them (exp(lp) - occupancy), and through a log_softmax
    check(lambda lib, lp: F(lib).ctc_loss(lp, lib.tensor(targets), lib.tensor(il), lib.tensor(tl), reduction=reduction),
          np.log(np.random.default_rng(0).dirichlet(np.ones(6), (12, 4))), gradcheck=False)
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(targets), il, tl, reduction=reduction), logits)


def test_ctc_loss_forms():
    logits, targets, il, tl = _ctc_case()
    flat = np.concatenate([t[:n] for t, n in zip(targets, tl)])
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(flat), tuple(il), tuple(tl)), logits,
          gradcheck=False)
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(1), lib.tensor(targets[0]), [12], [4]), logits[:, 0],
          gradcheck=False)
    check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(targets), il, tl, blank=5), logits,
          gradcheck=False)
    # impossible alignments (target longer than input): inf, or 0 with zero_infinity
    tl2 = [4, 2, 3, 4]
    il2 = [12, 10, 9, 3]
    for zi in (False, True):
        check(lambda lib, x: F(lib).ctc_loss(x.log_softmax(2), lib.tensor(targets), il2, tl2, reduction='none',
                                             zero_infinity=zi), logits.astype(np.float32), gradcheck=False)


def test_ctc_speed_shape_float32():
    r = np.random.default_rng(8)
    x = r.standard_normal((50, 16, 20)).astype(np.float32)
    tg = r.integers(1, 20, (16, 15))
    tl = r.integers(5, 16, 16)
    check(lambda lib, a: F(lib).ctc_loss(a.log_softmax(2), lib.tensor(tg), lib.full((16,), 50), lib.tensor(tl)), x,
          gradcheck=False, atol=1e-4)


# --- modules ------------------------------------------------------------------------------------------------
def _pair(name, *args, **kwargs):
    tk = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    ek = {k: (ember.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    return getattr(torch.nn, name)(*args, **tk), getattr(ember.nn, name)(*args, **ek)


MODULE_CASES = [
    ('CrossEntropyLoss', {'weight': W, 'label_smoothing': 0.1}, 'class'), ('NLLLoss', {'ignore_index': 1}, 'class'),
    ('MSELoss', {}, 'reg'), ('L1Loss', {'reduction': 'sum'}, 'reg'), ('SmoothL1Loss', {'beta': 0.5}, 'reg'),
    ('HuberLoss', {'delta': 0.5}, 'reg'), ('BCELoss', {'weight': W}, 'prob'),
    ('BCEWithLogitsLoss', {'pos_weight': W}, 'prob_logits'), ('KLDivLoss', {'reduction': 'batchmean'}, 'kl'),
    ('PoissonNLLLoss', {}, 'reg'), ('SoftMarginLoss', {}, 'sign'), ('HingeEmbeddingLoss', {'margin': 2.0}, 'sign'),
    ('MultiLabelSoftMarginLoss', {}, 'prob_logits'), ('MultiMarginLoss', {'p': 2}, 'class'),
]


@pytest.mark.parametrize('name,kwargs,kind', MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_loss_modules(name, kwargs, kind):
    tm, em = _pair(name, **kwargs)
    assert repr(em) == repr(tm)
    assert [k for k in em.state_dict()] == [k for k in tm.state_dict()]
    second = {'class': T, 'reg': Y, 'prob': (P > 0.5).astype(np.float64), 'prob_logits': (P > 0.5).astype(np.float64),
              'kl': P, 'sign': np.sign(Y)}[kind]
    first = P if kind == 'prob' else (np.log(P) if kind == 'kl' else X)
    check(lambda lib, a: (tm if lib is torch else em)(a, lib.tensor(second)), first, gradcheck=False)


def test_three_input_and_ctc_modules():
    r = np.random.default_rng(9)
    for name, kw, args in (('CosineEmbeddingLoss', {'margin': 0.2}, (X, Y, np.sign(Y[:, 0]))),
                           ('MarginRankingLoss', {'margin': 0.1}, (X[:, 0], Y[:, 0], np.sign(Y[:, 1]))),
                           ('TripletMarginLoss', {'margin': 0.5, 'swap': True}, (X, Y, r.standard_normal((4, 5)))),
                           ('GaussianNLLLoss', {'full': True}, (X, Y, P))):
        tm, em = _pair(name, **kw)
        assert repr(em) == repr(tm)
        check(lambda lib, *a: (tm if lib is torch else em)(*a), *args, gradcheck=False)
    tm, em = _pair('CTCLoss', blank=0, zero_infinity=True)
    logits, targets, il, tl = _ctc_case()
    check(lambda lib, x: (tm if lib is torch else em)(x.log_softmax(2), lib.tensor(targets), il, tl), logits,
          gradcheck=False)
    tm, em = _pair('TripletMarginWithDistanceLoss', margin=0.5)
    check(lambda lib, *a: (tm if lib is torch else em)(*a), X, Y, r.standard_normal((4, 5)), gradcheck=False)


def test_module_legacy_arguments():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        m = ember.nn.MSELoss(size_average=False)
    assert m.reduction == 'sum'
    tm, em = torch.nn.CrossEntropyLoss(weight=torch.ones(3)), ember.nn.CrossEntropyLoss(weight=ember.ones(3))
    assert list(em.state_dict()) == list(tm.state_dict()) == ['weight']
    assert_same(tm.weight, em.weight)
