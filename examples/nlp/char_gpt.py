"""A character-level GPT trained on the English text of Python's own help pages.

    python examples/nlp/char_gpt.py             # full run: about 4 minutes, validation loss ~1.5 nats/char
    python examples/nlp/char_gpt.py --quick     # a short run, as the test suite runs it

The text: `pydoc_data.topics`, the module behind `help("assert")`, `help("for")` and the other
keyword/topic pages of the interactive help. It ships with every CPython install and holds about 460k
characters of the Python Language Reference in plain English and reStructuredText. We take the pages
in sorted order and keep every tenth page for validation.

The model is a small decoder-only transformer in the style of GPT-2:
token + learned position embeddings -> N pre-norm blocks (LayerNorm -> causal multi-head self-attention
through `F.scaled_dot_product_attention(..., is_causal=True)` -> residual; LayerNorm -> MLP -> residual) ->
final LayerNorm -> a linear head whose weight is the token embedding (weight tying).
Training: AdamW (weight decay on the weight matrices and embeddings, none on biases and LayerNorm gains),
gradient-norm clipping, a linear warm-up then cosine decay of the learning rate (LambdaLR), periodic
validation loss, and at the end text sampled with temperature and top-k.
"""
import argparse
import math
import time

import pydoc_data.topics

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


# ----------------------------------------------------------------------------- data
def load_text():
    """The interactive-help pages of the running Python in a stable order: (training text, validation text).

    Every tenth page goes to validation, so both parts mix all kinds of pages."""
    topics = pydoc_data.topics.topics
    pages = [topics[name] for name in sorted(topics)]
    train = "\n\n".join(p for k, p in enumerate(pages) if k % 10 != 9)
    val = "\n\n".join(p for k, p in enumerate(pages) if k % 10 == 9)
    return train, val


class CharTokenizer:
    """Maps each distinct character of the corpus to an integer id and back."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, s):
        return [self.index[c] for c in s]

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)

    def __len__(self):
        return len(self.chars)


def get_batch(data, batch_size, block_size, generator=None):
    """`batch_size` random windows of the id stream: inputs and the same windows shifted by one."""
    starts = torch.randint(0, len(data) - block_size - 1, (batch_size, 1), generator=generator)
    idx = starts + torch.arange(block_size + 1)           # (B, T+1) positions, no Python loop
    window = data[idx]
    return window[:, :-1], window[:, 1:]


# ----------------------------------------------------------------------------- model
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        assert n_embd % n_head == 0
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.dropout = dropout
        self.resid_drop = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head_dim)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_drop(self.proj(y))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd=128, n_head=4, n_layer=4, dropout=0.1):
        super().__init__()
        self.block_size = block_size
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight            # weight tying: one matrix reads and writes tokens
        self.apply(self._init_weights)
        for name, p in self.named_parameters():           # GPT-2: scale the residual projections by depth
            if name.endswith("proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        pos = torch.arange(T)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(pos))
        x = self.ln_f(self.blocks(x))
        logits = self.head(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(B * T, -1), targets.reshape(B * T))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        """Extend `idx` (B, T) one sampled character at a time."""
        for _ in range(max_new_tokens):
            context = idx[:, -self.block_size:]
            logits, _ = self(context)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = F.softmax(logits, dim=-1)
            nxt = torch.multinomial(probs, num_samples=1, generator=generator)
            idx = torch.cat([idx, nxt], dim=1)
        return idx


# ----------------------------------------------------------------------------- training
@torch.no_grad()
def estimate_loss(model, data, batch_size, block_size, batches, seed):
    """Mean loss over a fixed set of windows (same windows every call, so values are comparable)."""
    model.eval()
    g = torch.Generator().manual_seed(seed)
    losses = [model(*get_batch(data, batch_size, block_size, g))[1].item() for _ in range(batches)]
    model.train()
    return sum(losses) / len(losses)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--n-embd", type=int, default=128)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--quick", action="store_true", help="a tiny model for a short run (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.warmup, args.eval_every = 300, 30, 100
        args.n_embd, args.n_layer, args.block_size, args.dropout = 64, 2, 32, 0.0
    start = time.perf_counter()
    torch.manual_seed(args.seed)

    train_text, val_text = load_text()
    tok = CharTokenizer(train_text + val_text)
    train_data = torch.tensor(tok.encode(train_text), dtype=torch.long)
    val_data = torch.tensor(tok.encode(val_text), dtype=torch.long)
    print(f"corpus: pydoc_data.topics, vocabulary of {len(tok)} characters; "
          f"{len(train_data):,} train / {len(val_data):,} validation characters")

    model = GPT(len(tok), args.block_size, args.n_embd, args.n_head, args.n_layer, args.dropout)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters "
          f"({args.n_layer} layers, {args.n_head} heads, width {args.n_embd}, context {args.block_size})")

    # weight decay on matrices only (2-D parameters); not on biases and LayerNorm gains
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.99))

    def warmup_cosine(step):
        if step < args.warmup:
            return (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress))     # decays to 10% of the peak
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)

    eval_args = dict(batch_size=32, block_size=args.block_size, batches=4 if args.quick else 10)
    history = {"step": [], "train_loss": [], "val_loss": []}

    def evaluate(step):
        tr = estimate_loss(model, train_data, seed=1, **eval_args)
        va = estimate_loss(model, val_data, seed=2, **eval_args)
        history["step"].append(step); history["train_loss"].append(tr); history["val_loss"].append(va)
        print(f"step {step:5d} | lr {scheduler.get_last_lr()[0]:.2e} | train loss {tr:.3f} | val loss {va:.3f} "
              f"| {time.perf_counter() - start:6.1f} s")

    evaluate(0)
    batch_gen = torch.Generator().manual_seed(args.seed)
    for step in range(1, args.steps + 1):
        x, y = get_batch(train_data, args.batch_size, args.block_size, batch_gen)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        if step % args.eval_every == 0 or step == args.steps:
            evaluate(step)

    prompt = "The \"for\" statement"
    context = torch.tensor([tok.encode(prompt)], dtype=torch.long)
    sample = model.eval().generate(context, 200 if not args.quick else 60, temperature=0.8, top_k=10,
                                   generator=torch.Generator().manual_seed(0))
    print("\n--- sample (temperature 0.8, top-k 10) ---")
    print(tok.decode(sample[0].tolist()))
    print("---")
    uniform = math.log(len(tok))
    print(f"validation loss {history['val_loss'][0]:.3f} -> {history['val_loss'][-1]:.3f} nats/char "
          f"(uniform guess: {uniform:.3f}); {time.perf_counter() - start:.1f} s")
    return dict(history, vocab_size=len(tok), sample=tok.decode(sample[0].tolist()),
                seconds=time.perf_counter() - start, model=model, tokenizer=tok)


if __name__ == "__main__":
    main()
