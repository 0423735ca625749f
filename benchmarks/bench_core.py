"""Core benchmarks: per-op overhead (tiny tensors, forward + backward) and a large matmul."""
import numpy as np


def tiny_loop(lib):
    """8 elementwise ops on 16 elements, a sum, and backward: per-op overhead."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    w = lib.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)

    def step():
        y = x * w
        y = y + x
        y = y.tanh()
        y = y * 0.5
        y = y - w
        y = y.exp()
        y = y / (w * w + 1)
        loss = y.sum()
        loss.backward()
        x.grad = None
        w.grad = None
    return step


def matmul_loop(lib, n=1024):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((n, n)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal((n, n)).astype(np.float32), requires_grad=True)
    g = lib.tensor(rng.standard_normal((n, n)).astype(np.float32))

    def step():
        y = a @ b
        y.backward(g)
        a.grad = None
        b.grad = None
    return step


CASES = [
    ('tiny ops fwd+bwd (8 ops, 16 elems)', tiny_loop, 0.6),
    ('matmul 1024x1024 fwd+bwd', matmul_loop, 1.1),
]
