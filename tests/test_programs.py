"""Whole PyTorch programs, run unchanged with `torch` and with `ember`, give the same numbers."""
import io
import numpy as np
import torch
import ember


def train_mlp(L, init, data, steps=15):
    """A classifier: Sequential MLP, DataLoader, AdamW, StepLR, clip_grad_norm_, state_dict round trip."""
    nn, F = L.nn, L.nn.functional
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.0), nn.Linear(32, 32), nn.Tanh(),
                          nn.LayerNorm(32), nn.Linear(32, 3))
    model.load_state_dict({k: L.tensor(v) for k, v in init.items()})
    opt = L.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    sched = L.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    x, y = L.tensor(data[0]), L.tensor(data[1])
    loader = L.utils.data.DataLoader(L.utils.data.TensorDataset(x, y), batch_size=16, shuffle=False)
    losses = []
    for step in range(steps):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        sched.step()
        losses.append(loss.item())
    buf = io.BytesIO()
    L.save(model.state_dict(), buf)
    buf.seek(0)
    model.load_state_dict(L.load(buf))
    model.eval()
    with L.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    return losses, acc, {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def train_cnn(L, init, data, steps=4):
    """A small CNN with BatchNorm, max pooling and SGD with momentum."""
    nn, F = L.nn, L.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.fc = nn.Linear(4 * 4 * 4, 2)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
            return self.fc(x.flatten(1))

    model = Net()
    model.load_state_dict({k: L.tensor(v) for k, v in init.items()})
    opt = L.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    x, y = L.tensor(data[0]), L.tensor(data[1])
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model.bn.running_mean.numpy().copy()


def test_mlp_program_matches_torch():
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((64, 8)).astype(np.float32), rng.integers(0, 3, 64))
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Dropout(0.0),
                              torch.nn.Linear(32, 32), torch.nn.Tanh(), torch.nn.LayerNorm(32),
                              torch.nn.Linear(32, 3))
    init = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    tl, ta, tw = train_mlp(torch, init, data)
    el, ea, ew = train_mlp(ember, init, data)
    np.testing.assert_allclose(el, tl, rtol=2e-4, atol=2e-5)
    assert abs(ea - ta) < 1e-6
    assert list(ew) == list(tw)
    for k in tw:
        np.testing.assert_allclose(ew[k], tw[k], rtol=2e-3, atol=2e-4, err_msg=k)
    assert tl[-1] < tl[0]


def test_cnn_program_matches_torch():
    rng = np.random.default_rng(1)
    data = (rng.standard_normal((8, 1, 8, 8)).astype(np.float32), rng.integers(0, 2, 8))

    class Ref(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
            self.bn = torch.nn.BatchNorm2d(4)
            self.fc = torch.nn.Linear(64, 2)

    torch.manual_seed(0)
    init = {k: v.detach().numpy().copy() for k, v in Ref().state_dict().items()}
    tl, tm = train_cnn(torch, init, data)
    el, em = train_cnn(ember, init, data)
    np.testing.assert_allclose(el, tl, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(em, tm, rtol=1e-4, atol=1e-6)
