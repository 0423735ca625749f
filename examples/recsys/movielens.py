"""Ratings data for the recommendation examples: MovieLens 100k's `u.data`, or a generated stand-in.

MovieLens 100k (GroupLens, University of Minnesota) is 100,000 ratings (1 to 5 stars) by 943 users of
1,682 films. Its `u.data` file has one rating a line: `user id <tab> item id <tab> rating <tab> unix time`,
ids counted from 1. Pass its path to the examples to train on it; the file is not shipped here.

Without a path we generate a set with the same shape and a known structure, so the examples run
anywhere: each user and item gets a hidden taste vector (rank 8); whether a user rated an item depends on
the user's activity, the item's popularity and their affinity (people mostly rate what they chose to
watch), and the rating itself is global mean + user bias + item bias + affinity + Gaussian noise, rounded
to whole stars and clipped to 1..5. The noise and the rounding put a floor under any model's RMSE.
"""
import ember as torch


def read_u_data(path):
    """Parse a MovieLens `u.data` file into 0-based user and item ids, ratings and timestamps."""
    users, items, ratings, times = [], [], [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                u, i, r, t = line.split("\t")
                users.append(int(u) - 1); items.append(int(i) - 1)
                ratings.append(float(r)); times.append(int(t))
    return dict(users=torch.tensor(users), items=torch.tensor(items), ratings=torch.tensor(ratings),
                timestamps=torch.tensor(times), n_users=max(users) + 1, n_items=max(items) + 1,
                source=f"MovieLens file {path}")


def generate_ratings(n_users=943, n_items=1682, rank=8, noise=0.6, density=0.045, choice=1.0, seed=0):
    """A MovieLens-sized ratings set from a known low-rank model with noise (see the module docstring).

    `choice` is how much a user's taste (rather than a film's popularity) decides what they rate."""
    g = torch.Generator().manual_seed(seed)
    user_taste = torch.randn(n_users, rank, generator=g) / rank ** 0.5
    item_taste = torch.randn(n_items, rank, generator=g)
    affinity = user_taste @ item_taste.T                                       # (n_users, n_items), std ~1
    activity = 0.5 * torch.randn(n_users, 1, generator=g)
    popularity = 1.2 * torch.randn(1, n_items, generator=g)
    # which pairs are rated: shift the logits so that about `density` of all pairs are
    logits = activity + popularity + choice * affinity
    offset = torch.quantile(logits.flatten()[torch.randperm(logits.numel(), generator=g)[:100_000]], 1 - density)
    rated = torch.rand(n_users, n_items, generator=g) < torch.sigmoid(2.0 * (logits - offset))
    users, items = rated.nonzero().unbind(1)
    # the stars: biases (popular films rate a little higher) + affinity + noise, centred near 3.5
    user_bias = 0.5 * torch.randn(n_users, generator=g)
    item_bias = 0.3 * popularity.flatten() + 0.4 * torch.randn(n_items, generator=g)
    signal = user_bias[users] + item_bias[items] + affinity[users, items]
    stars = 3.5 - signal.mean() + signal + noise * torch.randn(len(users), generator=g)
    return dict(users=users, items=items, ratings=stars.round().clamp(1, 5),
                timestamps=torch.randint(874_000_000, 893_000_000, (len(users),), generator=g),
                n_users=n_users, n_items=n_items,
                source=f"generated: rank-{rank} tastes, noise std {noise}, seed {seed}")


def load_ratings(path=None, seed=0):
    """MovieLens `u.data` from `path` when given, otherwise the generated set."""
    return read_u_data(path) if path else generate_ratings(seed=seed)
