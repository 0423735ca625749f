"""ember vs torch, side by side in one run, single-threaded: ratios ember_time / torch_time (lower is better).

    make bench        (sets OMP/OPENBLAS/MKL_NUM_THREADS=1)
"""
import os
import subprocess
import sys
import time

for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(var, '1')

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


def import_time(mod):
    """Seconds to import mod in a fresh interpreter, beyond Python's own start-up; bytecode caches are
    allowed (a user's installed package has them), and written by a first warm-up import."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}

    def best_of(code):
        subprocess.run([sys.executable, '-c', code], check=True, env=env)
        best = float('inf')
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, '-c', code], check=True, env=env)
            best = min(best, time.perf_counter() - t0)
        return best
    return best_of(f'import {mod}') - best_of('pass')


def cases(selected=None):
    """Every benchmarks/bench_*.py lists CASES = [(name, make(lib) -> step function, target ratio)]."""
    import importlib.util
    import pathlib
    out = []
    for path in sorted(pathlib.Path(__file__).parent.glob('bench_*.py')):
        if selected and path.stem[6:] not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out += mod.CASES
    return out


def main(selected=None):
    """`python benchmarks/run.py [core nn optim data ...]` runs all bench_*.py files, or the named ones."""
    print(f"{'benchmark':40s} {'ember':>12s} {'torch':>12s} {'ratio':>7s} {'target':>7s}")
    ok = True
    for name, make, target in cases(selected):
        te = timeit(make(ember))
        tt = timeit(make(torch))
        r = te / tt
        ok &= r <= target
        print(f"{name:40s} {te * 1e6:10.1f}us {tt * 1e6:10.1f}us {r:7.2f} {target:7.2f}")
    if selected and 'import' not in selected:
        return ok
    ie, it = import_time('ember'), import_time('torch')
    print(f"{'import time':40s} {ie * 1e3:10.1f}ms {it * 1e3:10.1f}ms {ie / it:7.2f}   (target < 150 ms)")
    return ok


if __name__ == '__main__':
    main(sys.argv[1:])
