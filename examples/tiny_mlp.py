"""`make demo` (for now): fit a tiny two-layer network to y = sin(3x) with plain ember autograd.

Written exactly as a PyTorch user would write it; `import ember as torch` is the only change."""
import ember as torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 128).unsqueeze(1)
y = torch.sin(3 * x)

hidden = 32
w1 = (torch.randn(1, hidden) * 1.0).requires_grad_()
b1 = torch.zeros(hidden, requires_grad=True)
w2 = (torch.randn(hidden, 1) / hidden ** 0.5).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]
velocity = [torch.zeros_like(p) for p in params]

for step in range(1, 1001):
    pred = torch.tanh(x @ w1 + b1) @ w2 + b2
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p, v in zip(params, velocity):
            v.mul_(0.9).add_(p.grad)
            p.sub_(0.05 * v)
            p.grad = None
    if step == 1 or step % 100 == 0:
        print(f"step {step:4d}  loss {loss.item():.5f}")
print("final loss", f"{loss.item():.5f}", "(it started near 0.5: the network learned sin(3x))")
