"""A bidirectional LSTM text classifier: which part of Python's standard library wrote this sentence?

    python examples/nlp/text_classifier_lstm.py          # full run
    python examples/nlp/text_classifier_lstm.py --quick  # a short run, as the test suite runs it

The corpus is real English written by Python's developers, labelled by where it comes from (not by hand,
and not sentiment): every docstring of the public functions, classes and methods of four groups of
standard-library modules is split into sentences, and each sentence is labelled with its group:

    files & processes   os, shutil, pathlib, tempfile, glob, subprocess, stat, filecmp, zipfile, tarfile
    numbers & math      math, cmath, statistics, decimal, fractions, random, numbers, operator
    text & strings      string, textwrap, re, difflib, unicodedata, codecs, locale, html
    networking & web    socket, ssl, http.client, http.server, urllib.request, urllib.parse,
                        email.message, smtplib, ftplib, ipaddress, xmlrpc.client, http.cookiejar

Sentences of 4 to 40 words are kept, lower-cased, as words; a sentence that occurs in two groups (for
example "Return repr(self).") is dropped, so the label is always unambiguous. The exact corpus depends on
the Python version (about 4,000 sentences on 3.11). Some sentences are hard even for a person ("Return
the value.") so perfect accuracy is impossible; the majority class is the baseline to beat.

What it shows: a Dataset of variable-length sequences, a `collate_fn` that pads a batch
(`pad_sequence`), `pack_padded_sequence(..., enforce_sorted=False)` so the LSTM never reads padding,
a 2-layer bidirectional `nn.LSTM` whose last forward and backward states feed a linear classifier,
Adam with gradient clipping, and a per-class report on held-out sentences.
"""
import argparse
import collections
import importlib
import inspect
import re
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.utils.rnn import pack_padded_sequence, pad_sequence
from ember.utils.data import DataLoader, Dataset, random_split

GROUPS = {
    "files & processes": ["os", "shutil", "pathlib", "tempfile", "glob", "subprocess", "stat", "filecmp",
                          "zipfile", "tarfile"],
    "numbers & math": ["math", "cmath", "statistics", "decimal", "fractions", "random", "numbers", "operator"],
    "text & strings": ["string", "textwrap", "re", "difflib", "unicodedata", "codecs", "locale", "html"],
    "networking & web": ["socket", "ssl", "http.client", "http.server", "urllib.request", "urllib.parse",
                         "email.message", "smtplib", "ftplib", "ipaddress", "xmlrpc.client", "http.cookiejar"],
}


# ----------------------------------------------------------------------------- corpus
def docstrings(module):
    """Docstrings of a module, its public functions and classes, and those classes' public methods."""
    objects = [module] + [v for k, v in sorted(vars(module).items()) if not k.startswith("_")]
    for obj in list(objects):
        if inspect.isclass(obj):
            objects += [v for k, v in sorted(vars(obj).items()) if not k.startswith("_") and callable(v)]
    seen = set()
    for obj in objects:
        if (inspect.ismodule(obj) or callable(obj)) and id(obj) not in seen:
            seen.add(id(obj))
            doc = inspect.getdoc(obj)
            if doc:
                yield doc


def build_corpus():
    """(words, label) pairs: sentences of 4-40 words, each found in exactly one group's docstrings."""
    found = collections.defaultdict(set)                  # sentence -> groups it appears in
    for label, modules in enumerate(GROUPS.values()):
        for name in modules:
            for doc in docstrings(importlib.import_module(name)):
                for sentence in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                    words = re.findall(r"[a-z]+", sentence.lower())
                    if 4 <= len(words) <= 40:
                        found[" ".join(words)].add(label)
    return [(s.split(), labels.pop()) for s, labels in sorted(found.items()) if len(labels) == 1]


class Vocabulary:
    """Word -> id, with 0 for padding and 1 for words not seen (often enough) in training."""
    PAD, UNK = 0, 1

    def __init__(self, sentences, min_count=2):
        counts = collections.Counter(w for s in sentences for w in s)
        self.words = ["<pad>", "<unk>"] + sorted(w for w, c in counts.items() if c >= min_count)
        self.index = {w: i for i, w in enumerate(self.words)}

    def encode(self, words):
        return [self.index.get(w, self.UNK) for w in words]

    def __len__(self):
        return len(self.words)


class SentenceDataset(Dataset):
    def __init__(self, pairs, vocab):
        self.items = [(torch.tensor(vocab.encode(words), dtype=torch.long), label) for words, label in pairs]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    """Pad a list of (ids, label) to one (B, T_max) tensor, and keep the true lengths."""
    ids, labels = zip(*batch)
    lengths = torch.tensor([len(x) for x in ids])
    return pad_sequence(list(ids), batch_first=True, padding_value=Vocabulary.PAD), lengths, torch.tensor(labels)


# ----------------------------------------------------------------------------- model
class BiLSTMClassifier(nn.Module):
    def __init__(self, vocab_size, num_classes, embed_dim=64, hidden=64, layers=2, dropout=0.3):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=Vocabulary.PAD)
        self.lstm = nn.LSTM(embed_dim, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden, num_classes)

    def forward(self, ids, lengths):
        x = self.drop(self.embed(ids))
        # packing makes each sequence stop at its own length: the backward direction starts at the
        # last real word, not at the padding
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)                      # h: (layers * 2, B, hidden), in input order
        last = torch.cat([h[-2], h[-1]], dim=1)            # top layer: forward and backward final states
        return self.out(self.drop(last))


def evaluate(model, loader, num_classes):
    model.eval()
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
    loss_sum, n = 0.0, 0
    with torch.no_grad():
        for ids, lengths, labels in loader:
            logits = model(ids, lengths)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            n += labels.numel()
            pred = logits.argmax(dim=1)
            confusion.index_put_((labels, pred), torch.ones_like(labels), accumulate=True)
    model.train()
    return loss_sum / n, confusion


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a short run for CI")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = 3
    start = time.perf_counter()
    torch.manual_seed(args.seed)

    pairs = build_corpus()
    names = list(GROUPS)
    n_test = len(pairs) // 5
    train_pairs, test_pairs = random_split(pairs, [len(pairs) - n_test, n_test],
                                           generator=torch.Generator().manual_seed(args.seed))
    vocab = Vocabulary([words for words, _ in train_pairs])           # built from training sentences only
    train_set, test_set = SentenceDataset(train_pairs, vocab), SentenceDataset(test_pairs, vocab)
    counts = collections.Counter(label for _, label in pairs)
    print(f"corpus: {len(pairs):,} sentences from standard-library docstrings; vocabulary {len(vocab):,} words")
    for i, name in enumerate(names):
        print(f"  {name:18s} {counts[i]:5d} sentences   e.g. \"{' '.join(next(w for w, l in pairs if l == i))}\"")
    majority = max(counts[i] for i in range(len(names)))
    test_majority = max(sum(1 for _, l in test_pairs if l == i) for i in range(len(names))) / len(test_pairs)

    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, collate_fn=collate,
                              generator=torch.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_set, batch_size=256, collate_fn=collate)

    model = BiLSTMClassifier(len(vocab), len(names))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = {"train_loss": [], "test_loss": [], "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        loss_sum, n = 0.0, 0
        for ids, lengths, labels in train_loader:
            loss = F.cross_entropy(model(ids, lengths), labels)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            loss_sum += loss.item() * labels.numel()
            n += labels.numel()
        test_loss, confusion = evaluate(model, test_loader, len(names))
        acc = confusion.diag().sum().item() / confusion.sum().item()
        history["train_loss"].append(loss_sum / n); history["test_loss"].append(test_loss)
        history["test_acc"].append(acc)
        print(f"epoch {epoch:2d}: train loss {loss_sum / n:.3f} | test loss {test_loss:.3f} "
              f"acc {100 * acc:5.1f}% | {time.perf_counter() - start:5.1f} s")

    print(f"\nheld-out accuracy {100 * acc:.1f}% (always guessing the largest class: {100 * test_majority:.1f}%)")
    print("per class (recall on held-out sentences):")
    for i, name in enumerate(names):
        row = confusion[i]
        print(f"  {name:18s} {100 * row[i].item() / max(1, row.sum().item()):5.1f}% of {row.sum().item()}")
    print("some held-out sentences:")
    model.eval()
    for words, label in list(test_pairs)[:6]:
        ids = torch.tensor([vocab.encode(words)])
        with torch.no_grad():
            probs = F.softmax(model(ids, torch.tensor([len(words)])), dim=1)[0]
        guess = probs.argmax().item()
        verdict = "right" if guess == label else f"wrong, it is {names[label]}"
        print(f"  \"{' '.join(words)}\"\n      -> {names[guess]} ({100 * probs[guess].item():.0f}%, {verdict})")
    return dict(history, majority=test_majority, seconds=time.perf_counter() - start)


if __name__ == "__main__":
    main()
