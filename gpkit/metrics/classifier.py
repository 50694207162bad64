"""An in-domain classifier: the offline stand-in for the Inception network.

Where the Inception weights cannot be had, scores are computed with a small CNN that gpkit
trains on the dataset's labelled train split. It is cached under ``<data>/classifiers/`` in a
file named by a hash of its settings, so every run with the same settings uses the same
network. :mod:`gpkit.metrics.scores` registers it with torch-fidelity as the feature
extractor ``gpkit-classifier``; scores computed with it are "classifier scores" and
"classifier FIDs", never Inception scores.

Input of the network: uint8 images ``(B, C, H, W)`` (any H, W: global mean pooling);
output: 128 features and ``n_classes`` logits.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm import tqdm  # text bars: widget bars leave "model not found" errors in a reopened notebook

from gpkit.params import check_int, check_positive
from gpkit.utils import atomic_torch_save, make_generator, resolve_device

__all__ = ["SmallCNN", "DEFAULTS", "DERIVED", "classifier_settings", "classifier_path", "train_classifier",
           "get_classifier", "load_classifier", "to_uint8", "class_probabilities", "class_histogram"]

FEATURES = 128

#: Training settings (the geometry, ``size`` and ``pad``, must match the images that will be scored).
#: Calibration: Fashion-MNIST padded to 32x32, 2 epochs on 2 CPU cores take about 30 s and reach ~89% test accuracy.
DEFAULTS: dict[str, Any] = {"epochs": 2, "batch_size": 128, "lr": 1e-3, "width": 32, "seed": 0}
VERSION = 3  # bump when the architecture or the training loop changes: old caches are then ignored
#: CPU threads the classifier trains with, whatever the process has: the cached file is then the same on every
#: machine and in every process that happens to train it first (thread counts change reductions' rounding).
TRAIN_THREADS = 1


class SmallCNN(nn.Module):
    """Three strided conv layers (5x5/2 to ``width``, 5x5/2 to 2 ``width``, 3x3/2 to 4 ``width`` channels; ReLU),
    mean-pooled to 4x4, a linear layer to 128 features, ReLU, a linear layer to ``n_classes`` logits.
    uint8 ``(B, C, H, W)`` in (any H, W >= 8)."""

    def __init__(self, channels: int, n_classes: int = 10, width: int = 32) -> None:
        super().__init__()
        self.channels, self.n_classes = channels, n_classes
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(width, 2 * width, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(64 * width, FEATURES),
        )
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(FEATURES, n_classes))

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(features (B, 128), logits (B, n_classes))`` of uint8 or [0, 255] float images; the features are the
        hidden layer before its ReLU."""
        if x.shape[1] != self.channels:
            raise ValueError(f"the classifier takes {self.channels}-channel images, got shape {tuple(x.shape)}")
        h = self.body(x.float() / 127.5 - 1.0)
        return h, self.head(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)[1]


def classifier_settings(dataset: str, *, size: int | None = None, pad: int = 0, **overrides: Any) -> dict[str, Any]:
    """The full settings of a classifier (``DEFAULTS`` updated with ``overrides``); ``ValueError`` on unknown keys."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown classifier settings {sorted(unknown)}; allowed: {sorted(DEFAULTS)}")
    s = {**DEFAULTS, **overrides, "dataset": dataset, "size": size, "pad": pad, "version": VERSION}
    for key in ("epochs", "batch_size", "width"):
        check_int(key, s[key], minimum=1)
    check_positive("lr", s["lr"])
    return s


def classifier_path(settings: dict[str, Any], root: str | Path) -> Path:
    """``<root>/classifiers/<dataset>-<hash of the settings>.pt``."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    return Path(root) / "classifiers" / f"{settings['dataset']}-{digest}.pt"


#: Datasets built from another one rather than read from files: Color MNIST (:mod:`gpkit.data.color_mnist`), MNIST
#: digits painted once with a seeded colour and noise (the classifier's seed; its test split with the next seed).
DERIVED = {"color_mnist": "mnist"}


def _labelled(settings: dict[str, Any], root: str | Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    from gpkit.data.images import load

    name = settings["dataset"]
    if name in DERIVED:
        from gpkit.data.color_mnist import paint

        digits, y = load(DERIVED[name], root=root, split=split, size=settings["size"], pad=settings["pad"],
                         return_labels=True)
        painted = paint(digits, make_generator(settings["seed"] + (split == "test")))
        return to_uint8(painted), y
    x, y = load(name, root=root, split=split, size=settings["size"], pad=settings["pad"],
                value_range=(0.0, 255.0), return_labels=True)
    return x.round_().to(torch.uint8), y


def to_uint8(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """Float images ``(N, C, H, W)`` in ``value_range`` to uint8 as the reference scores them: scale to
    [0, 255.99], truncate toward zero, clip (``((x + 1) * (255.99 / 2)).astype('int32')`` in gan_cifar.py and
    gan_cifar_resnet.py). :mod:`gpkit.metrics.scores` scores with it; the classifier of a derived dataset trains on
    it."""
    lo, hi = value_range
    scaled = (images.detach().float() - lo) * (255.99 / (hi - lo))
    return scaled.clamp_(0, 255).to(torch.uint8)  # float -> uint8 truncates toward zero


@torch.no_grad()
def class_probabilities(model: SmallCNN, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The classifier's softmax over its classes for ``images`` ``(N, C, H, W)`` in [-1, 1]: ``(N, n_classes)``."""
    dev = next(model.parameters()).device
    return torch.cat([model(to_uint8(images[i:i + batch_size]).to(dev)).softmax(1).cpu()
                      for i in range(0, len(images), batch_size)])


def class_histogram(model: SmallCNN, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The share of ``images`` ``(N, C, H, W)`` in [-1, 1] the classifier puts in each class: ``(n_classes,)``,
    summing to 1 (argmax labels)."""
    labels = class_probabilities(model, images, batch_size).argmax(1)
    return torch.bincount(labels, minlength=model.n_classes).double() / max(len(labels), 1)


def train_classifier(dataset: str, root: str | Path = "data", *, size: int | None = None, pad: int = 0,
                     device: str = "auto", progress: bool = True, **overrides: Any) -> Path:
    """Train the classifier on ``dataset``'s train split and save it (overwrites); returns the file.

    Held-out accuracy is measured on the test split, or on the last 10% of the train split (left out
    of training) when the test split is empty, as for the offline MNIST copy. Deterministic on CPU, where it
    trains with :data:`TRAIN_THREADS` threads whatever the caller's setting (restored afterwards).
    """
    s = classifier_settings(dataset, size=size, pad=pad, **overrides)
    dev = resolve_device(device)
    x, y = _labelled(s, root, "train")
    try:
        xt, yt = _labelled(s, root, "test")
    except (FileNotFoundError, ValueError):
        xt = yt = None
    held_out = "test split"
    if xt is None or len(xt) == 0:
        cut = int(0.9 * len(x))
        x, y, xt, yt, held_out = x[:cut], y[:cut], x[cut:], y[cut:], "last 10% of the train split"
    threads = torch.get_num_threads()
    if dev.type == "cpu":
        torch.set_num_threads(TRAIN_THREADS)
    try:
        model, accuracy, seconds = _fit(s, dev, x, y, xt, yt, dataset, progress)
    finally:
        torch.set_num_threads(threads)
    path = classifier_path(s, root)
    atomic_torch_save({"settings": s, "channels": int(x.shape[1]), "n_classes": model.n_classes,
                       "state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                       "accuracy": accuracy, "held_out": held_out, "n_train": len(x), "seconds": seconds}, path)
    return path


def _fit(s: dict[str, Any], dev: torch.device, x: torch.Tensor, y: torch.Tensor, xt: torch.Tensor, yt: torch.Tensor,
         dataset: str, progress: bool) -> tuple[SmallCNN, float, float]:
    """Train the classifier on ``(x, y)``; return it (eval mode), its accuracy on ``(xt, yt)`` and the seconds."""
    torch.manual_seed(s["seed"])
    model = SmallCNN(x.shape[1], int(y.max()) + 1, s["width"]).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"])
    rng = make_generator(s["seed"])
    t0 = time.perf_counter()
    steps = s["epochs"] * ((len(x) + s["batch_size"] - 1) // s["batch_size"])
    bar = tqdm(total=steps, desc=f"classifier for {dataset}", disable=not progress, leave=False)
    model.train()
    for _ in range(s["epochs"]):
        order = torch.randperm(len(x), generator=rng)
        for i in range(0, len(x), s["batch_size"]):
            idx = order[i: i + s["batch_size"]]
            loss = nn.functional.cross_entropy(model(x[idx].to(dev)), y[idx].to(dev))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            bar.update(1)
    bar.close()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xt[i: i + 500].to(dev)).argmax(1).cpu() for i in range(0, len(xt), 500)])
    return model, float((pred == yt.cpu()).float().mean()), round(time.perf_counter() - t0, 1)


def get_classifier(dataset: str, root: str | Path = "data", *, size: int | None = None, pad: int = 0,
                   device: str = "auto", progress: bool = True, **overrides: Any) -> Path:
    """The cached classifier file for these settings, training it first if there is none."""
    path = classifier_path(classifier_settings(dataset, size=size, pad=pad, **overrides), root)
    if not path.is_file():
        train_classifier(dataset, root, size=size, pad=pad, device=device, progress=progress, **overrides)
    return path


def load_classifier(path: str | Path) -> tuple[SmallCNN, dict[str, Any]]:
    """``(model in eval mode, record)`` from a classifier file (``weights_only=True``); the record holds
    ``settings``, ``accuracy``, ``held_out``, ``n_train``."""
    record = torch.load(Path(path), map_location="cpu", weights_only=True)
    model = SmallCNN(record["channels"], record["n_classes"], record["settings"]["width"])
    model.load_state_dict(record["state_dict"])
    model.eval()
    return model, {k: v for k, v in record.items() if k != "state_dict"}
