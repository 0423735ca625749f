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


def _peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2 ** 20


def run_one(file_stem, index, libname):
    """In a fresh process: time one case for one library; report seconds and peak extra memory (MB)."""
    name, make, target = [c for c in cases([file_stem[6:]])][index]
    lib = ember if libname == 'ember' else torch
    step = make(lib)
    before = _current_rss_mb()
    t = timeit(step)
    return t, max(0.0, _peak_rss_mb() - before)


def main(selected=None):
    """`python benchmarks/run.py [core nn_conv ...]` runs all bench_*.py files (or the named ones), each case
    in its own processes for torch and for ember (peak memory is per process), prints the table and writes
    benchmarks/results.md and benchmarks/results.png."""
    import json
    import pathlib
    here = pathlib.Path(__file__).parent
    rows = []
    print(f"{'benchmark':44s} {'torch':>11s} {'ember':>11s} {'ratio':>6s} {'target':>6s} {'MB torch':>9s} {'MB ember':>9s}")
    for path in sorted(here.glob('bench_*.py')):
        if selected and path.stem[6:] not in selected:
            continue
        n = len(cases([path.stem[6:]]))
        for i in range(n):
            res = {}
            for libname in ('torch', 'ember'):
                out = subprocess.run([sys.executable, __file__, '--one', path.stem, str(i), libname],
                                     check=True, capture_output=True, text=True).stdout
                res[libname] = json.loads(out.strip().splitlines()[-1])
            name, target = res['ember']['name'], res['ember']['target']
            tt, te = res['torch']['seconds'], res['ember']['seconds']
            row = dict(name=name, torch=tt, ember=te, ratio=te / tt, target=target,
                       mem_torch=res['torch']['peak_mb'], mem_ember=res['ember']['peak_mb'])
            rows.append(row)
            print(f"{name:44s} {_fmt(tt):>11s} {_fmt(te):>11s} {row['ratio']:6.2f} {target:6.2f} "
                  f"{row['mem_torch']:9.1f} {row['mem_ember']:9.1f}", flush=True)
    imp = None
    if not selected or 'import' in selected:
        ie, it = import_time('ember'), import_time('torch')
        imp = (ie, it)
        print(f"{'import time (target < 150 ms)':44s} {_fmt(it):>11s} {_fmt(ie):>11s} {ie / it:6.2f}")
    if not selected:
        _write_report(here, rows, imp)
    return rows


def _fmt(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} us"


def _write_report(here, rows, imp):
    import platform
    lines = ["# Benchmarks: ember vs torch", "",
             f"`make bench` on {platform.machine()} with {os.cpu_count()} cores, one thread each "
             f"(OMP/OPENBLAS/MKL_NUM_THREADS=1, torch.set_num_threads(1)), torch {torch.__version__}, "
             f"{time.strftime('%Y-%m-%d')}. Ratio = ember time / torch time (lower is better); peak memory is "
             "the growth of each process's peak RSS while the workload runs.", "",
             "| workload | torch | ember | ratio | target | peak MB torch | peak MB ember |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        mark = '' if r['ratio'] <= r['target'] else ' (over)'
        lines.append(f"| {r['name']} | {_fmt(r['torch'])} | {_fmt(r['ember'])} | {r['ratio']:.2f}{mark} | "
                     f"{r['target']:.2f} | {r['mem_torch']:.1f} | {r['mem_ember']:.1f} |")
    if imp:
        lines.append(f"| `import` (target < 150 ms) | {_fmt(imp[1])} | {_fmt(imp[0])} | {imp[0] / imp[1]:.2f} | | | |")
    (here / 'results.md').write_text('\n'.join(lines) + '\n')
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.2))
    names = [r['name'] for r in rows][::-1]
    ratios = [r['ratio'] for r in rows][::-1]
    targets = [r['target'] for r in rows][::-1]
    colors = ['tab:green' if r <= t else 'tab:red' for r, t in zip(ratios, targets)]
    ax.barh(names, ratios, color=colors)
    ax.scatter(targets, names, marker='|', s=300, color='black', label='target')
    ax.axvline(1.0, color='grey', lw=0.8, ls='--')
    ax.set_xlabel('ember time / torch time (lower is better)')
    ax.legend(loc='lower right')
    fig.tight_layout()
    fig.savefig(here / 'results.png', dpi=110)


if __name__ == '__main__':
    if sys.argv[1:2] == ['--one']:
        import json
        stem, index, libname = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        name, _, target = cases([stem[6:]])[index]
        seconds, peak = run_one(stem, index, libname)
        print(json.dumps(dict(name=name, target=target, seconds=seconds, peak_mb=peak)))
    else:
        main(sys.argv[1:])
