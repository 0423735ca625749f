"""ember vs torch, side by side in one run, single-threaded: ratios ember_time / torch_time (lower is better).

    make bench        (sets OMP/OPENBLAS/MKL_NUM_THREADS=1)
"""
import os
import subprocess
import sys
import time

for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(var, '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402
import ember  # noqa: E402

torch.set_num_threads(1)


def timeit(fn, min_time=0.4, repeats=5):
    """Best-of-repeats mean time per call (seconds)."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > min_time / repeats:
            break
        n *= 2
    best = dt / n
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


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


def import_time(mod):
    best = float('inf')
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, '-c', f'import {mod}'], check=True)
        best = min(best, time.perf_counter() - t0)
    base = float('inf')
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, '-c', 'pass'], check=True)
        base = min(base, time.perf_counter() - t0)
    return best - base


CASES = [
    ('tiny ops fwd+bwd (8 ops, 16 elems)', tiny_loop, 0.6),
    ('matmul 1024x1024 fwd+bwd', matmul_loop, 1.1),
]


def main():
    print(f"{'benchmark':40s} {'ember':>12s} {'torch':>12s} {'ratio':>7s} {'target':>7s}")
    ok = True
    for name, make, target in CASES:
        te = timeit(make(ember))
        tt = timeit(make(torch))
        r = te / tt
        ok &= r <= target
        print(f"{name:40s} {te * 1e6:10.1f}us {tt * 1e6:10.1f}us {r:7.2f} {target:7.2f}")
    ie, it = import_time('ember'), import_time('torch')
    print(f"{'import time':40s} {ie * 1e3:10.1f}ms {it * 1e3:10.1f}ms {ie / it:7.2f}   (target < 150 ms)")
    return ok


if __name__ == '__main__':
    main()
