"""Training steps of the worked examples (digits CNN, char-GPT, matrix factorisation), ember vs torch.

Each example is written `import ember as torch`; for torch the same source is loaded with `torch` bound
to the real thing, so both libraries run exactly the model the example trains."""
import pathlib
import re
import sys
import types

import numpy as np

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / 'examples'


def load_example(relpath, lib):
    """The example module with `ember` replaced by lib in its imports."""
    path = EXAMPLES / relpath
    src = path.read_text()
    src = re.sub(r'^(\s*)(import|from) ember\b', lambda m: f"{m.group(1)}{m.group(2)} {lib.__name__}", src,
                 flags=re.M)
    mod = types.ModuleType(f'{path.stem}_{lib.__name__}')
    mod.__file__ = str(path)
    sys.path.insert(0, str(path.parent))
    try:
        exec(compile(src, str(path), 'exec'), mod.__dict__)
    finally:
        sys.path.remove(str(path.parent))
    return mod


def digits_step(lib):
    ex = load_example('vision/digits_cnn.py', lib)
    lib.manual_seed(0)
    model = ex.DigitsCNN()
    opt = lib.optim.AdamW(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.random((32, 1, 8, 8), dtype=np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))

    def step():
        loss = lib.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def gpt_step(lib):
    ex = load_example('nlp/char_gpt.py', lib)
    lib.manual_seed(0)
    model = ex.GPT(vocab_size=96, block_size=64, n_embd=128, n_head=4, n_layer=4, dropout=0.1)
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    rng = np.random.default_rng(0)
    idx = lib.tensor(rng.integers(0, 96, (16, 64)))
    tgt = lib.tensor(rng.integers(0, 96, (16, 64)))

    def step():
        _, loss = model(idx, tgt)
        opt.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step


def mf_step(lib):
    ex = load_example('recsys/matrix_factorization.py', lib)
    lib.manual_seed(0)
    model = ex.MatrixFactorization(943, 1682, 3.5, 32)
    opt = lib.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
    rng = np.random.default_rng(0)
    users = lib.tensor(rng.integers(0, 943, 1024))
    items = lib.tensor(rng.integers(0, 1682, 1024))
    ratings = lib.tensor(rng.integers(1, 6, 1024).astype(np.float32))

    def step():
        loss = lib.nn.functional.mse_loss(model(users, items), ratings)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


CASES = [
    ('digits CNN train step (batch 32)', digits_step, 1.3),
    ('char-GPT train step (4L d128, b16 x 64)', gpt_step, 1.1),
    ('matrix factorisation step (batch 1024)', mf_step, 1.0),
]
