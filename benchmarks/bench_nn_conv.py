"""Convolution benchmarks: a LeNet-size CNN training step (forward, loss, backward) at batch 64."""
import numpy as np


def lenet_step(lib, batch=64):
    """conv(1->6, 5x5)-relu-maxpool2, conv(6->16, 5x5)-relu-maxpool2, linear(256->10), cross-entropy
    (log_softmax + pick when the library has no cross_entropy yet), backward."""
    F = lib.nn.functional
    rng = np.random.default_rng(0)

    def param(*shape, scale):
        return lib.tensor((rng.standard_normal(shape) * scale).astype(np.float32), requires_grad=True)

    w1, b1 = param(6, 1, 5, 5, scale=0.2), param(6, scale=0.1)
    w2, b2 = param(16, 6, 5, 5, scale=0.08), param(16, scale=0.1)
    w3, b3 = param(10, 256, scale=0.06), param(10, scale=0.1)
    params = (w1, b1, w2, b2, w3, b3)
    x = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    has_ce = hasattr(F, 'cross_entropy')

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2)), 2)
        logits = F.linear(h.reshape(batch, -1), w3, b3)
        if has_ce:
            loss = F.cross_entropy(logits, y)
        else:
            loss = -(logits - logits.logsumexp(1, keepdim=True)).gather(1, y.reshape(-1, 1)).mean()
        loss.backward()
        for p in params:
            p.grad = None
    return step


CASES = [
    ('LeNet CNN train step (batch 64)', lenet_step, 1.3),
]
