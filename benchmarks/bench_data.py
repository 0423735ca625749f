"""Data loading and checkpoint benchmarks: DataLoader throughput (one epoch of a 60,000-image TensorDataset at
batch 64, in the main process and with two workers) and save+load of a 100 MB state_dict."""
import os
import tempfile
import numpy as np


def loader_epoch(num_workers):
    def make(lib):
        from importlib import import_module
        data = import_module(lib.__name__ + '.utils.data')
        rng = np.random.default_rng(0)
        x = lib.from_numpy(rng.standard_normal((60000, 28, 28), dtype=np.float32))
        y = lib.from_numpy(rng.integers(0, 10, 60000))
        loader = data.DataLoader(data.TensorDataset(x, y), batch_size=64, num_workers=num_workers,
                                 persistent_workers=num_workers > 0)

        def step():
            for xb, yb in loader:
                pass
        return step
    return make


def save_load(lib):
    rng = np.random.default_rng(0)
    sd = {f'layer{i}.weight': lib.from_numpy(rng.standard_normal((1024, 256), dtype=np.float32))
          for i in range(100)}
    path = os.path.join(tempfile.gettempdir(), f'bench_{lib.__name__}_{os.getpid()}.pt')

    def step():
        lib.save(sd, path)
        lib.load(path)
    return step


CASES = [
    ('DataLoader epoch 60k 28x28, b64, 0 workers', loader_epoch(0), 1.0),
    ('DataLoader epoch 60k 28x28, b64, 2 workers', loader_epoch(2), 1.0),
    ('save+load 100 MB state_dict', save_load, 1.0),
]
