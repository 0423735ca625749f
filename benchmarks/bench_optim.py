"""Optimizer benchmarks: one step over a 10M-parameter model of many tensors of mixed sizes."""
import numpy as np

# A transformer-ish mix: big matrices, mid-size ones, and many small vectors (biases, norms):
# 200 tensors, 10.1M elements.
SHAPES = ([(1024, 1024)] * 5 + [(512, 1024)] * 4 + [(1024, 512)] * 3 + [(256, 256)] * 8 + [(1024,)] * 40
          + [(512,)] * 40 + [(64, 64)] * 40 + [(128,)] * 40 + [(3, 3, 64, 64)] * 8 + [(256,)] * 12)


def numel():
    return sum(int(np.prod(s)) for s in SHAPES)


def optim_step(lib, name, **kw):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
    for p in params:
        p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 1e-2)
    opt = getattr(lib.optim, name)(params, **kw)
    opt.step()   # state is created on the first step: time the steady state

    def step():
        opt.step()
    return step


CASES = [
    ('SGD momentum step, 10M params (200 tensors)', lambda lib: optim_step(lib, 'SGD', lr=1e-3, momentum=0.9), 1.0),
    ('Adam step, 10M params (200 tensors)', lambda lib: optim_step(lib, 'Adam', lr=1e-3), 1.0),
]
