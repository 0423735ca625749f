"""The worked examples run end to end in their short (--quick) mode: losses fall and metrics beat floors.

Each example is loaded from its file and its `main(argv)` called in this process (ember is imported once);
`main` returns the figures it printed. The floors sit well under what the quick runs reach on the seeds
they use (reported beside each) and well over what an untrained or broken model would score.
"""
import importlib.util
import math
import os
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_limits

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture(autouse=True)
def one_blas_thread():
    """One BLAS thread per test process: on a busy two-core machine (pytest -n 2) extra BLAS threads only
    spin against each other, which made these small-matrix runs many times slower."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def load_example(relpath):
    """Import examples/<relpath> as a fresh module, with its folder importable (for its helpers)."""
    path = os.path.join(EXAMPLES, relpath)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = "example_" + relpath.replace("/", "_").replace(".py", "")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_ember_stays_light():
    """The examples' extras (scikit-learn, matplotlib, tqdm) are never imported by `import ember`."""
    code = ("import sys, ember, ember.nn, ember.optim, ember.utils.data; "
            "print(sorted(m for m in ('sklearn', 'matplotlib', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_digits_cnn(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    digits = load_example("vision/digits_cnn.py")
    m = digits.main(["--quick", "--out", str(tmp_path)])        # 4 epochs: ~98% held-out accuracy
    assert m["epochs"] == 4
    assert m["train_loss"][-1] < 0.5 * m["train_loss"][0]
    assert m["test_loss"][-1] < m["test_loss"][0]
    assert m["test_acc"][-1] >= 0.93
    # the checkpoint reloads into a fresh model with the same test accuracy
    assert m["restored_test_acc"] == m["test_acc"][-1]
    ckpt = ember.load(str(tmp_path / "digits_cnn.pt"))
    assert set(ckpt) == {"model", "optimizer", "epoch", "normalize"}
    assert ckpt["model"]["features.0.weight"].shape == (32, 1, 3, 3)
    png = (tmp_path / "digits.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_char_gpt():
    gpt = load_example("nlp/char_gpt.py")
    m = gpt.main(["--quick"])                                    # 300 steps: val loss 4.6 -> ~2.3 nats/char
    assert m["val_loss"][0] > 0.95 * math.log(m["vocab_size"])   # starts at a uniform guess
    assert m["val_loss"][-1] < 2.5
    assert m["train_loss"][-1] < m["train_loss"][0] - 1.5
    prompt = 'The "for" statement'
    assert m["sample"].startswith(prompt) and len(m["sample"]) == len(prompt) + 60
    # top-k = 1 keeps only the most likely character: sampling becomes greedy decoding, whatever the seed
    model, tok = m["model"], m["tokenizer"]
    context = ember.tensor([tok.encode(prompt)])
    a = model.generate(context, 8, top_k=1, generator=ember.Generator().manual_seed(1))
    b = model.generate(context, 8, top_k=1, generator=ember.Generator().manual_seed(2))
    assert ember.equal(a, b)
    with ember.no_grad():
        greedy = model(context)[0][0, -1].argmax().item()
    assert a[0, len(prompt)].item() == greedy


def test_text_classifier_lstm():
    clf = load_example("nlp/text_classifier_lstm.py")
    m = clf.main(["--quick"])                                    # 3 epochs: ~76% vs a 38% majority class
    assert m["train_loss"][-1] < 0.75 * m["train_loss"][0]
    assert m["test_acc"][-1] >= m["majority"] + 0.2
    assert m["test_acc"][-1] >= 0.6


def test_text_classifier_corpus_is_labelled_by_source():
    clf = load_example("nlp/text_classifier_lstm.py")
    pairs = clf.build_corpus()
    assert len(pairs) > 1000
    sentences = [" ".join(words) for words, _ in pairs]
    assert len(set(sentences)) == len(sentences)                 # no sentence carries two labels
    assert {label for _, label in pairs} == set(range(len(clf.GROUPS)))
    assert all(4 <= len(words) <= 40 for words, _ in pairs)


def test_matrix_factorization():
    mf = load_example("recsys/matrix_factorization.py")
    m = mf.main(["--quick"])                                     # RMSE: mean 1.13, biases ~0.91, MF ~0.84
    assert m["mf_history"]["train_mse"][-1] < 0.7 * m["mf_history"]["train_mse"][0]
    assert m["bias_rmse"] < m["global_rmse"] - 0.1
    assert m["mf_rmse"] < m["bias_rmse"] - 0.03


def test_movielens_u_data_reader(tmp_path):
    """The `u.data` reader turns MovieLens' 1-based tab-separated lines back into the same tensors."""
    movielens = load_example("recsys/movielens.py")
    data = movielens.generate_ratings(n_users=30, n_items=50, seed=3)
    path = tmp_path / "u.data"
    with open(path, "w") as f:
        for u, i, r, t in zip(data["users"].tolist(), data["items"].tolist(), data["ratings"].tolist(),
                              data["timestamps"].tolist()):
            f.write(f"{u + 1}\t{i + 1}\t{int(r)}\t{t}\n")
    back = movielens.load_ratings(str(path))
    for key in ("users", "items", "timestamps"):
        assert ember.equal(back[key], data[key])
    assert ember.equal(back["ratings"], data["ratings"].float())
    assert back["n_users"] == int(data["users"].max()) + 1 and back["n_items"] == int(data["items"].max()) + 1
    assert float(data["ratings"].min()) >= 1 and float(data["ratings"].max()) <= 5


def test_two_tower():
    tt = load_example("recsys/two_tower.py")
    m = tt.main(["--quick"])                                     # HR@10: popularity ~59%, model ~75%
    assert m["loss"][-1] < m["loss"][0]
    assert m["hit_rate"][0] < 0.25                               # untrained: about the 10% of a random guess
    assert m["hit_rate"][-1] >= m["popularity_hit_rate"] + 0.05


def test_two_tower_hit_rate_and_split():
    tt = load_example("recsys/two_tower.py")
    scores = ember.tensor([[5.0, 1, 2, 3], [0.0, 1, 2, 3], [2.0, 2, 1, 1]])
    assert tt.hit_rate(scores, k=1) == pytest.approx(1 / 3)      # ties rank the held-out item last
    assert tt.hit_rate(scores, k=3) == pytest.approx(2 / 3)
    data = dict(users=ember.tensor([0, 0, 0, 1, 1]), items=ember.tensor([4, 5, 6, 7, 8]),
                timestamps=ember.tensor([10, 30, 20, 5, 6]), n_users=2, n_items=9)
    users, items, test_items = tt.leave_one_out(data, seed=0)
    assert test_items.tolist() == [5, 8]                         # each user's most recent item
    assert sorted(zip(users.tolist(), items.tolist())) == [(0, 4), (0, 6), (1, 7)]
