"""Handwritten digit recognition: a small CNN on scikit-learn's 1,797 real 8x8 digit images.

This is `make demo`. It is an ordinary PyTorch training script; `import ember as torch` is the only change.

    python examples/vision/digits_cnn.py            # full run: under 10 s, ~99.5% held-out accuracy
    python examples/vision/digits_cnn.py --quick    # a few epochs, as the test suite runs it

What it shows: Dataset -> random_split -> DataLoader with shuffling; Conv2d/BatchNorm2d/ReLU/MaxPool2d/Dropout/Linear;
AdamW with a OneCycleLR schedule stepped every batch; train/eval modes; a tqdm bar per epoch with running
loss and accuracy; a checkpoint written with `torch.save`; and a picture (`runs/digits.png`) of the learning
curves and of test digits labelled with the model's predictions, mistakes in red.

The data: `sklearn.datasets.load_digits()` (the UCI "Optical Recognition of Handwritten Digits" test set,
bundled inside scikit-learn, so nothing is downloaded). Pixels are integers 0..16.
"""
import argparse
import json
import os
import sys
import time

import matplotlib
matplotlib.use("Agg")                      # write PNGs without a display
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from tqdm import tqdm

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset, random_split


class DigitsCNN(nn.Module):
    """Two conv stages (8x8 -> 4x4 -> 2x2) and a linear classifier."""

    def __init__(self, channels=32, num_classes=10, dropout=0.25):
        super().__init__()
        c = channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
            nn.MaxPool2d(2),                                            # 8x8 -> 4x4
            nn.Conv2d(c, 2 * c, 3, padding=1, bias=False), nn.BatchNorm2d(2 * c), nn.ReLU(),
            nn.MaxPool2d(2),                                            # 4x4 -> 2x2
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(2 * c * 2 * 2, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(model, loader):
    """Mean loss and accuracy over a loader, plus all predictions (in loader order)."""
    model.eval()
    total_loss, correct, count, preds = 0.0, 0, 0, []
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            pred = logits.argmax(dim=1)
            correct += (pred == labels).sum().item()
            count += labels.numel()
            preds.append(pred)
    return total_loss / count, correct / count, torch.cat(preds)


def plot(history, images, labels, preds, path):
    """Learning curves on the left, a grid of test digits on the right (title: prediction; red: wrong)."""
    fig = plt.figure(figsize=(12, 5.5))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.1, 1.4])
    epochs = range(1, len(history["train_loss"]) + 1)

    ax = fig.add_subplot(grid[0, 0])
    ax.plot(epochs, history["train_loss"], "o-", label="train")
    ax.plot(epochs, history["test_loss"], "s-", label="test")
    ax.set_ylabel("cross-entropy loss"); ax.set_yscale("log"); ax.legend(); ax.grid(alpha=0.3)
    ax = fig.add_subplot(grid[1, 0])
    ax.plot(epochs, [100 * a for a in history["train_acc"]], "o-", label="train")
    ax.plot(epochs, [100 * a for a in history["test_acc"]], "s-", label="test")
    ax.set_xlabel("epoch"); ax.set_ylabel("accuracy (%)"); ax.legend(); ax.grid(alpha=0.3)

    # show every mistake first, then fill the grid with correct predictions
    wrong = (preds != labels).nonzero().flatten().tolist()
    right = (preds == labels).nonzero().flatten().tolist()
    shown = (wrong + right)[:48]
    sub = grid[:, 1].subgridspec(6, 8, wspace=0.1, hspace=0.45)
    for k, i in enumerate(shown):
        ax = fig.add_subplot(sub[k // 8, k % 8])
        ax.imshow(images[i, 0].numpy(), cmap="gray_r", interpolation="nearest")
        ok = preds[i].item() == labels[i].item()
        ax.set_title(f"{preds[i].item()}" if ok else f"{preds[i].item()} (is {labels[i].item()})",
                     color="black" if ok else "red", fontsize=8)
        ax.set_xticks([]); ax.set_yticks([])
    fig.suptitle(f"ember: digits CNN, test accuracy {100 * history['test_acc'][-1]:.1f}% "
                 f"({len(wrong)} mistakes in {len(labels)})")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs", help="folder for the checkpoint, picture and metrics")
    parser.add_argument("--quick", action="store_true", help="a short run for CI (4 epochs)")
    parser.add_argument("--no-progress", action="store_true", help="hide the tqdm bars")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 4)
    start = time.perf_counter()
    torch.manual_seed(args.seed)

    # --- data: 1,797 images, standardised, split 80/20 with a seeded generator
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0     # (N, 1, 8, 8)
    labels = torch.tensor(digits.target, dtype=torch.long)
    mean, std = images.mean(), images.std()
    dataset = TensorDataset((images - mean) / std, labels)
    train_set, test_set = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True)
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels, 10 classes")

    # --- model, optimizer, schedule
    model = DigitsCNN()
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}

    # --- training
    for epoch in range(1, args.epochs + 1):
        model.train()
        seen, loss_sum, correct = 0, 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", unit="batch", leave=True,
                   disable=args.no_progress, file=sys.stdout, dynamic_ncols=True)
        for x, y in bar:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            seen += y.numel()
            loss_sum += loss.item() * y.numel()
            correct += (logits.argmax(dim=1) == y).sum().item()
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{100 * correct / seen:.1f}%", refresh=False)
        test_loss, test_acc, _ = evaluate(model, test_loader)
        history["train_loss"].append(loss_sum / seen)
        history["train_acc"].append(correct / seen)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        bar.write(f"epoch {epoch:2d}: train loss {loss_sum / seen:.4f} acc {100 * correct / seen:5.1f}% | "
                  f"test loss {test_loss:.4f} acc {100 * test_acc:5.1f}%")

    # --- results: checkpoint, picture, metrics
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "digits_cnn.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": args.epochs,
                "normalize": (mean.item(), std.item())}, checkpoint)

    # reload the checkpoint into a fresh model: the saved weights give the same test accuracy
    restored = DigitsCNN()
    restored.load_state_dict(torch.load(checkpoint)["model"])
    _, restored_acc, preds = evaluate(restored, test_loader)
    test_images, test_labels = next(iter(DataLoader(test_set, batch_size=len(test_set))))    # loader order
    picture = os.path.join(args.out, "digits.png")
    plot(history, test_images * std + mean, test_labels, preds, picture)

    elapsed = time.perf_counter() - start
    metrics = dict(history, restored_test_acc=restored_acc, seconds=elapsed, epochs=args.epochs)
    with open(os.path.join(args.out, "digits_metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    print(f"\nheld-out accuracy: {100 * restored_acc:.2f}% on {len(test_set)} test digits "
          f"({elapsed:.1f} s from loading the data to the picture)")
    print(f"checkpoint: {os.path.abspath(checkpoint)}")
    print(f"picture:    {os.path.abspath(picture)}")
    return metrics


if __name__ == "__main__":
    main()
