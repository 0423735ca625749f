"""Seeded draws equal torch's: the generator, the transforms from its words to samples, and every place that
draws (initialisation, dropout, data loading, distributions). Each case runs with manual_seed(0) in both
libraries and compares the results and then the next draws (the streams must stay in step)."""
import numpy as np
import pytest
import torch

import ember


def _run(lib, fn):
    lib.manual_seed(0)
    out = fn(lib)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    out.append(lib.rand(3))
    return [np.asarray(o.detach().double().numpy() if o.is_floating_point() else o.numpy(), dtype=np.float64)
            for o in out]


def _same(fn, exact=True, tol=1e-5):
    for a, b in zip(_run(torch, fn), _run(ember, fn), strict=True):
        assert a.shape == b.shape
        if exact:
            np.testing.assert_array_equal(b, a)
        else:
            np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


EXACT = {
    'rand': lambda L: [L.rand(5, 7), L.rand(3, dtype=L.float64), L.rand(40, dtype=L.float16),
                       L.rand(9, dtype=L.bfloat16)],
    'randint': lambda L: [L.randint(0, 10, (5,)), L.randint(-3, 2 ** 40, (3,)), L.randint(5, (2, 2), dtype=L.int32),
                          L.randint(0, 2 ** 32, (2,))],
    'randperm': lambda L: [L.randperm(1), L.randperm(7), L.randperm(1000), L.randperm(5, dtype=L.float32)],
    'uniform_': lambda L: [L.empty(4, 5).uniform_(-0.3, 0.7), L.empty(20, 3).t().uniform_(),
                           L.empty(6, dtype=L.float64).uniform_(0, 1)],
    'bernoulli': lambda L: [L.bernoulli(L.full((20,), 0.3)), L.empty(10).bernoulli_(0.6),
                            L.bernoulli(L.full((5,), 0.5, dtype=L.float64)),
                            L.empty(6, dtype=L.float64).bernoulli_(L.full((6,), 0.4))],
    'random_': lambda L: [L.empty(3, dtype=L.int64).random_(), L.empty(3).random_(10),
                          L.empty(2, dtype=L.uint8).random_(), L.empty(2, dtype=L.float64).random_(),
                          L.empty(4, dtype=L.bool).random_(), L.empty(2, dtype=L.int32).random_(-5, 5)],
    'geometric_': lambda L: L.empty(6).geometric_(0.2),
    'multinomial': lambda L: [L.multinomial(L.tensor([0.1, 0.2, 0.3, 0.4]), 6, True),
                              L.multinomial(L.tensor([[0.1, 0.2, 0.3, 0.4], [1., 0, 2, 3]]), 2),
                              L.multinomial(L.tensor([0.5, 0.5]), 1)],
    'dropout': lambda L: [L.nn.functional.dropout(L.ones(30), 0.3), L.nn.functional.dropout2d(L.ones(2, 5, 3, 3), 0.3),
                          L.nn.Dropout(0.5)(L.ones(4, 4))],
    'rrelu': lambda L: L.nn.functional.rrelu(L.tensor([0., -1., 1., -2.]), training=True),
    'layer init': lambda L: [p for m in (L.nn.Linear(10, 5), L.nn.Conv2d(3, 4, 3), L.nn.ConvTranspose2d(3, 4, 3),
                                         L.nn.Bilinear(3, 4, 5), L.nn.LSTM(4, 3, 2), L.nn.GRU(4, 3, bidirectional=True),
                                         L.nn.RNNCell(3, 2), L.nn.MultiheadAttention(8, 2),
                                         L.nn.TransformerEncoderLayer(8, 2, 16), L.nn.BatchNorm2d(3))
                             for p in m.parameters()],
    'data': lambda L: ([b[0] for b in L.utils.data.DataLoader(L.utils.data.TensorDataset(L.arange(10.)), batch_size=3,
                                                               shuffle=True)]
                       + [L.tensor(s.indices) for s in L.utils.data.random_split(range(10), [3, 7])]
                       + [L.tensor(list(L.utils.data.WeightedRandomSampler([0.1, 0.9, 0.5], 5)))]),
    'generators': lambda L: [L.rand(3, generator=L.Generator().manual_seed(5)), L.randperm(6, generator=L.Generator())],
    'distributions': lambda L: [L.distributions.Bernoulli(probs=L.full((5,), 0.3)).sample((3,)),
                                L.distributions.Categorical(logits=L.zeros(4, 5)).sample((3,)),
                                L.distributions.Uniform(L.zeros(3), L.ones(3) * 2).rsample((4,)),
                                L.distributions.Dirichlet(L.ones(3, dtype=L.float64)).sample((2,)),
                                L.distributions.Gamma(L.tensor([0.5, 2.0], dtype=L.float64), 1.).sample((3,))],
}

CLOSE = {   # normal samples: torch's float32 Box-Muller is vectorised float arithmetic, ember's is float64
    'randn': lambda L: [L.randn(3), L.randn(5), L.randn(1, dtype=L.float64), L.randn(16), L.randn(10, 100),
                        L.randn(1000, dtype=L.float64), L.randn(20, dtype=L.float16),
                        L.randn(37, dtype=L.bfloat16)],
    'normal': lambda L: [L.empty(40).normal_(1, 3), L.empty(3).normal_(2, 0.5), L.empty(20, 3).t().normal_(),
                         L.normal(L.zeros(20), L.ones(20) * 2), L.normal(0., 1., (4,)), L.normal(L.ones(3), 0.5)],
    'samplers': lambda L: [L.empty(6).exponential_(2.), L.empty(6).cauchy_(), L.empty(6).log_normal_()],
    'nn.init': lambda L: [L.nn.init.xavier_uniform_(L.empty(4, 5)), L.nn.init.xavier_normal_(L.empty(4, 5)),
                          L.nn.init.kaiming_normal_(L.empty(4, 5)), L.nn.init.trunc_normal_(L.empty(30), std=0.02),
                          L.nn.init.trunc_normal_(L.empty(7, 5)), L.nn.init.orthogonal_(L.empty(4, 6)),
                          L.nn.Embedding(10, 4).weight],
    'attention dropout': lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(1, 2, 4, 8), L.ones(1, 2, 4, 8), L.ones(1, 2, 4, 8), dropout_p=0.5),
    'gumbel_softmax': lambda L: L.nn.functional.gumbel_softmax(L.zeros(2, 5), tau=0.5),
    'sparse_': lambda L: L.nn.init.sparse_(L.empty(6, 4), 0.5),
    'uniform_ double bounds': lambda L: L.empty(6, dtype=L.float64).uniform_(2, 5),   # torch's may fuse a*b+c
    'like': lambda L: [L.rand_like(L.zeros(3)), L.randn_like(L.zeros(20)), L.randint_like(L.zeros(3), 5)],
    'distributions': lambda L: [
        L.distributions.Normal(L.zeros(3), L.ones(3)).rsample((20,)),
        L.distributions.MultivariateNormal(L.zeros(3), L.eye(3) * 2).rsample((4,)),
        L.distributions.TransformedDistribution(L.distributions.Normal(L.zeros(4), L.ones(4)),
                                                [L.distributions.transforms.TanhTransform(cache_size=1)]).rsample(),
        L.distributions.Exponential(L.ones(3)).rsample((2,)), L.distributions.Laplace(L.zeros(3), L.ones(3)).rsample((2,)),
        L.distributions.Cauchy(L.zeros(3), L.ones(3)).sample((2,)), L.distributions.Gumbel(L.zeros(3), L.ones(3)).sample(),
        L.distributions.StudentT(L.ones(3) * 3).sample((2,)), L.distributions.Beta(2., 3.).sample((3,)),
        L.distributions.RelaxedOneHotCategorical(L.tensor(0.5), probs=L.tensor([0.2, 0.8])).rsample((2,))],
}


@pytest.mark.parametrize('case', sorted(EXACT))
def test_same_draws_exactly(case):
    _same(EXACT[case])


@pytest.mark.parametrize('case', sorted(CLOSE))
def test_same_normal_draws(case):
    _same(CLOSE[case], exact=False)


def test_state_has_torchs_layout_and_moves_between_them():
    torch.manual_seed(3)
    torch.randn(1)
    ember.manual_seed(3)
    ember.randn(1)   # leaves a cached normal in the state
    t, e = torch.get_rng_state(), ember.get_rng_state()
    assert np.array_equal(t.numpy(), e.numpy())
    ember.set_rng_state(ember.from_numpy(t.numpy().copy()))
    assert np.allclose(ember.randn(5).numpy(), torch.randn(5).numpy(), rtol=1e-6)
    g = ember.Generator().manual_seed(7)
    ember.rand(700, generator=g)
    h = torch.Generator().manual_seed(7)
    torch.rand(700, generator=h)
    assert np.array_equal(g.get_state().numpy(), h.get_state().numpy())


def test_seeded_training_run_matches_torch():
    """A whole seeded program: default init, random data, dropout, shuffled batches, Adam."""
    def run(L):
        L.manual_seed(0)
        model = L.nn.Sequential(L.nn.Linear(6, 16), L.nn.ReLU(), L.nn.Dropout(0.2), L.nn.Linear(16, 3))
        x, y = L.randn(64, 6), L.randint(0, 3, (64,))
        loader = L.utils.data.DataLoader(L.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
        opt = L.optim.Adam(model.parameters(), lr=1e-2)
        losses = []
        for _ in range(3):
            for xb, yb in loader:
                loss = L.nn.functional.cross_entropy(model(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-4)
