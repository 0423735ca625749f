"""A two-tower retrieval model trained with negative sampling, evaluated by hit rate at 10.

    python examples/recsys/two_tower.py                  # generated MovieLens-sized data
    python examples/recsys/two_tower.py path/to/u.data   # MovieLens 100k
    python examples/recsys/two_tower.py --quick          # a short run, as the test suite runs it

Implicit feedback: we forget the stars and keep only *who rated what*, the way a streaming service
knows what you watched. The task is to rank films for each user.

Two towers map a user id and an item id to vectors of the same size (embedding + MLP(embedding));
the score of a pair is their dot product, so at serving time every item vector can be computed once and
searched by nearest neighbour. Training sees each observed (user, item) pair as a positive and, for each,
`--negatives` items drawn uniformly at random as negatives (a random item is almost never one the user
chose; the few that are only add a little noise), with binary cross-entropy on the scores.

Evaluation follows the leave-one-out protocol of He et al., "Neural Collaborative Filtering" (WWW 2017):
each user's most recent interaction is held out; it is ranked against 99 items that user never
interacted with, and hit rate @10 is the fraction of users whose held-out item lands in the top 10.
Guessing at random gives 10%; recommending the most popular films is the baseline to beat.
"""
import argparse
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset

from movielens import load_ratings


class Tower(nn.Module):
    """id -> embedding e -> e + MLP(e).

    The identity path makes the embeddings themselves a matrix factorisation from the first step;
    the MLP learns corrections on top. Without it (vector = MLP(e)) training sat for several epochs at
    the "recommend popular films" solution before personal tastes started to show."""

    def __init__(self, n_ids, dim, hidden):
        super().__init__()
        self.embed = nn.Embedding(n_ids, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        nn.init.normal_(self.embed.weight, std=0.1)

    def forward(self, ids):
        e = self.embed(ids)
        return e + self.mlp(e)


class TwoTower(nn.Module):
    def __init__(self, n_users, n_items, dim=32, hidden=64):
        super().__init__()
        self.users = Tower(n_users, dim, hidden)
        self.items = Tower(n_items, dim, hidden)

    def forward(self, users, items):
        """Scores of (user, item) pairs; `items` may carry extra trailing dimensions (B, K)."""
        u = self.users(users)                                  # (B, D)
        v = self.items(items)                                  # (B, D) or (B, K, D)
        if v.dim() == 3:
            u = u.unsqueeze(1)
        return (u * v).sum(dim=-1)


def leave_one_out(data, seed):
    """Split interactions: each user's most recent one is held out, the rest train.

    Ties in time (several ratings in the same second) are broken at random."""
    g = torch.Generator().manual_seed(seed)
    key = data["timestamps"].double() + torch.rand(len(data["users"]), generator=g, dtype=torch.float64)
    latest = torch.full((data["n_users"],), float("-inf"), dtype=torch.float64)
    latest = latest.scatter_reduce(0, data["users"], key, reduce="amax")
    held_out = key == latest[data["users"]]
    users, items = data["users"], data["items"]
    test_items = torch.zeros(data["n_users"], dtype=torch.long)
    test_items[users[held_out]] = items[held_out]
    return users[~held_out], items[~held_out], test_items


def sample_candidates(train_users, train_items, test_items, n_users, n_items, n_negatives, seed):
    """For each user: column 0 is the held-out item, then `n_negatives` items the user never touched."""
    seen = torch.zeros(n_users, n_items, dtype=torch.bool)
    seen[train_users, train_items] = True
    seen[torch.arange(n_users), test_items] = True
    g = torch.Generator().manual_seed(seed)
    negatives = torch.multinomial((~seen).float(), n_negatives, replacement=False, generator=g)
    return torch.cat([test_items.unsqueeze(1), negatives], dim=1)


def hit_rate(scores, k=10):
    """Fraction of rows whose column-0 score is beaten by fewer than k others (ties count against it)."""
    rank = (scores[:, 1:] >= scores[:, :1]).sum(dim=1)
    return (rank < k).float().mean().item()


@torch.no_grad()
def evaluate(model, candidates):
    model.eval()
    users = torch.arange(candidates.shape[0])
    scores = model(users, candidates)                          # (n_users, 100)
    model.train()
    return hit_rate(scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="a MovieLens u.data file (default: generated data)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--negatives", type=int, default=4, help="negative items per positive")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a short run for CI")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = 3
    start = time.perf_counter()
    torch.manual_seed(args.seed)

    data = load_ratings(args.path, seed=args.seed)
    n_users, n_items = data["n_users"], data["n_items"]
    train_users, train_items, test_items = leave_one_out(data, args.seed)
    candidates = sample_candidates(train_users, train_items, test_items, n_users, n_items, 99, args.seed)
    print(f"data: {data['source']}\n      {len(train_users):,} training interactions, "
          f"{n_users:,} held-out ones (one per user), each ranked among 100 candidates")

    # baseline: score every film by how many users chose it in training
    popularity = torch.zeros(n_items).index_add_(0, train_items, torch.ones(len(train_items)))
    pop_hr = hit_rate(popularity[candidates])
    print(f"hit rate @10: random 10.0%   most popular {100 * pop_hr:.1f}%")

    loader = DataLoader(TensorDataset(train_users, train_items), batch_size=args.batch_size, shuffle=True)
    model = TwoTower(n_users, n_items)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    history = {"loss": [], "hit_rate": [evaluate(model, candidates)]}
    print(f"untrained model: hit rate @10 {100 * history['hit_rate'][0]:.1f}%")
    for epoch in range(1, args.epochs + 1):
        total, n = 0.0, 0
        for users, items in loader:
            negatives = torch.randint(0, n_items, (len(users), args.negatives))
            pos_scores = model(users, items)                               # (B,)
            neg_scores = model(users, negatives)                           # (B, K)
            scores = torch.cat([pos_scores.unsqueeze(1), neg_scores], dim=1)
            labels = torch.zeros_like(scores)
            labels[:, 0] = 1.0
            loss = F.binary_cross_entropy_with_logits(scores, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(users)
            n += len(users)
        history["loss"].append(total / n)
        history["hit_rate"].append(evaluate(model, candidates))
        print(f"epoch {epoch:2d}: loss {total / n:.4f} | hit rate @10 {100 * history['hit_rate'][-1]:.1f}% "
              f"| {time.perf_counter() - start:5.1f} s")

    print(f"\nhit rate @10: two-tower {100 * history['hit_rate'][-1]:.1f}%   most popular {100 * pop_hr:.1f}%   "
          f"random 10.0%   ({time.perf_counter() - start:.1f} s)")
    return dict(history, popularity_hit_rate=pop_hr, seconds=time.perf_counter() - start)


if __name__ == "__main__":
    main()
