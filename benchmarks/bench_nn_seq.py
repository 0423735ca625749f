"""Sequence-model benchmarks: an LSTM training step and a small GPT training step (forward, loss, backward)."""
import numpy as np


def lstm_step(lib, hidden=128, seq=32, batch=32):
    """LSTM (input 128, hidden 128, seq 32, batch 32): forward, mean-square loss, backward."""
    lib.manual_seed(0)
    model = lib.nn.LSTM(hidden, hidden)
    x = lib.tensor(np.random.default_rng(0).standard_normal((seq, batch, hidden)).astype(np.float32))

    def step():
        out, _ = model(x)
        loss = (out * out).mean()
        loss.backward()
        for p in model.parameters():
            p.grad = None
    return step


def gpt_step(lib, vocab=256, d_model=128, nhead=4, layers=2, seq=64, batch=16):
    """A 2-layer pre-norm GPT (token + position embeddings, causal self-attention, GELU MLP, tied-free head):
    forward, cross-entropy loss, backward."""
    lib.manual_seed(0)
    nn = lib.nn

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d_model)
            self.pos = nn.Embedding(seq, d_model)
            layer = nn.TransformerEncoderLayer(d_model, nhead, 4 * d_model, dropout=0.0, activation='gelu',
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab)

        def forward(self, idx, mask):
            h = self.tok(idx) + self.pos.weight[:idx.shape[1]]
            h = self.blocks(h, mask=mask, is_causal=True)
            return self.head(self.norm(h))

    model = GPT()
    rng = np.random.default_rng(0)
    idx = lib.tensor(rng.integers(0, vocab, (batch, seq)))
    tgt = lib.tensor(rng.integers(0, vocab, (batch * seq,)))
    mask = nn.Transformer.generate_square_subsequent_mask(seq)

    def step():
        logits = model(idx, mask)
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), tgt)
        loss.backward()
        for p in model.parameters():
            p.grad = None
    return step


def gru_step(lib, hidden=128, seq=32, batch=32):
    """GRU (input 128, hidden 128, seq 32, batch 32): forward, mean-square loss, backward."""
    return _rnn_step(lib, lib.nn.GRU, hidden, seq, batch)


def rnn_tanh_step(lib, hidden=128, seq=32, batch=32):
    """Elman RNN, tanh (input 128, hidden 128, seq 32, batch 32): forward, mean-square loss, backward."""
    return _rnn_step(lib, lib.nn.RNN, hidden, seq, batch)


def _rnn_step(lib, cls, hidden, seq, batch):
    lib.manual_seed(0)
    model = cls(hidden, hidden)
    x = lib.tensor(np.random.default_rng(0).standard_normal((seq, batch, hidden)).astype(np.float32))

    def step():
        out, _ = model(x)
        loss = (out * out).mean()
        loss.backward()
        for p in model.parameters():
            p.grad = None
    return step


CASES = [
    ('LSTM train step (h128, seq32, b32)', lstm_step, 1.0),
    ('GPT-2L train step (d128, seq64, b16)', gpt_step, 1.1),
    ('GRU train step (h128, seq32, b32)', gru_step, 1.0),
    ('RNN-tanh train step (h128, seq32, b32)', rnn_tanh_step, 1.0),
]
