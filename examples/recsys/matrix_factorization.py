"""Explicit-feedback matrix factorisation with user and item biases: predict the stars a user gives a film.

    python examples/recsys/matrix_factorization.py                  # generated MovieLens-sized data
    python examples/recsys/matrix_factorization.py path/to/u.data   # MovieLens 100k
    python examples/recsys/matrix_factorization.py --quick          # a short run, as the test suite runs it

The model (Koren, Bell & Volinsky, "Matrix factorization techniques for recommender systems", 2009):

    rating(u, i) ~ global mean + b_u + b_i + p_u . q_i

with b_u, b_i learned biases and p_u, q_i learned `dim`-dimensional factors, all `nn.Embedding` tables,
fitted by mini-batch Adam on squared error with weight decay (L2) as the regulariser. Ratings are split
80/20 at random with `random_split`; the script reports held-out RMSE against two baselines:
predicting the global mean everywhere, and the model with biases only (no factors).
See movielens.py for the data.
"""
import argparse
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset, random_split

from movielens import load_ratings


class Biases(nn.Module):
    """The bias-only baseline: rating ~ global mean + user bias + item bias."""

    def __init__(self, n_users, n_items, mean):
        super().__init__()
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)
        self.register_buffer("mean", torch.tensor(float(mean)))

    def forward(self, users, items):
        return self.mean + self.user_bias(users).squeeze(1) + self.item_bias(items).squeeze(1)


class MatrixFactorization(Biases):
    """The biases plus the dot product of `dim`-dimensional user and item factors."""

    def __init__(self, n_users, n_items, mean, dim):
        super().__init__(n_users, n_items, mean)
        self.user_factors = nn.Embedding(n_users, dim)
        self.item_factors = nn.Embedding(n_items, dim)
        # small factors at the start: the model begins close to the bias-only one and grows away from it
        nn.init.normal_(self.user_factors.weight, std=0.1)
        nn.init.normal_(self.item_factors.weight, std=0.1)

    def forward(self, users, items):
        dot = (self.user_factors(users) * self.item_factors(items)).sum(dim=1)
        return super().forward(users, items) + dot


def rmse(model, loader):
    model.eval()
    squared, n = 0.0, 0
    with torch.no_grad():
        for users, items, ratings in loader:
            # the true ratings are whole stars in 1..5: so clip predictions to that range
            squared += ((model(users, items).clamp(1, 5) - ratings) ** 2).sum().item()
            n += ratings.numel()
    model.train()
    return (squared / n) ** 0.5


def fit(model, train_loader, test_loader, epochs, lr, weight_decay, label):
    # weight decay pulls the factors towards zero (a user or film with few ratings gets small factors,
    # so its prediction falls back on the biases); the biases themselves are not decayed
    factors = [p for name, p in model.named_parameters() if "factors" in name]
    biases = [p for name, p in model.named_parameters() if "factors" not in name]
    optimizer = torch.optim.Adam([{"params": factors, "weight_decay": weight_decay},
                                  {"params": biases, "weight_decay": 0.0}], lr=lr)
    history = {"train_mse": [], "test_rmse": []}
    for epoch in range(1, epochs + 1):
        total, n = 0.0, 0
        for users, items, ratings in train_loader:
            loss = F.mse_loss(model(users, items), ratings)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * ratings.numel()
            n += ratings.numel()
        history["train_mse"].append(total / n)
        history["test_rmse"].append(rmse(model, test_loader))
        print(f"{label} epoch {epoch:2d}: train MSE {total / n:.4f} | test RMSE {history['test_rmse'][-1]:.4f}")
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="a MovieLens u.data file (default: generated data)")
    parser.add_argument("--dim", type=int, default=32, help="number of latent factors")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--weight-decay", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a short run for CI")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = 6
    start = time.perf_counter()
    torch.manual_seed(args.seed)

    data = load_ratings(args.path, seed=args.seed)
    n = len(data["ratings"])
    # split the rating indices 80/20, then gather each part into its own TensorDataset: the loader
    # then slices whole batches out of three tensors instead of fetching ratings one by one
    train_idx, test_idx = (torch.tensor(part.indices) for part in
                           random_split(range(n), [0.8, 0.2], generator=torch.Generator().manual_seed(args.seed)))
    columns = (data["users"], data["items"], data["ratings"])
    train_set = TensorDataset(*(c[train_idx] for c in columns))
    test_set = TensorDataset(*(c[test_idx] for c in columns))
    print(f"data: {data['source']}\n      {n:,} ratings by {data['n_users']:,} users of "
          f"{data['n_items']:,} items; {len(train_set):,} train / {len(test_set):,} test")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=8192)

    # baseline 1: predict the training mean for every rating
    mean = train_set.tensors[2].mean().item()
    global_rmse = ((test_set.tensors[2] - mean) ** 2).mean().sqrt().item()
    print(f"global mean {mean:.3f}: test RMSE {global_rmse:.4f}")

    # baseline 2: biases only; then the full model with `dim` factors
    bias_model = Biases(data["n_users"], data["n_items"], mean)
    bias_hist = fit(bias_model, train_loader, test_loader, args.epochs, args.lr, 0.0, "biases only")
    mf = MatrixFactorization(data["n_users"], data["n_items"], mean, args.dim)
    mf_hist = fit(mf, train_loader, test_loader, args.epochs, args.lr, args.weight_decay, f"MF dim {args.dim}")

    print(f"\ntest RMSE   global mean {global_rmse:.4f}   biases only {bias_hist['test_rmse'][-1]:.4f}   "
          f"matrix factorisation {mf_hist['test_rmse'][-1]:.4f}   ({time.perf_counter() - start:.1f} s)")
    return dict(global_rmse=global_rmse, bias_rmse=bias_hist["test_rmse"][-1], bias_history=bias_hist,
                mf_history=mf_hist, mf_rmse=mf_hist["test_rmse"][-1], seconds=time.perf_counter() - start)


if __name__ == "__main__":
    main()
