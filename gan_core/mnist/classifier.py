"""A small CNN digit classifier: the judge behind the MNIST quality metrics.

It is trained by this project on the 4,000 training digits of ``embedded_split()`` and
scored on the 1,000 held-out ones. Two uses:

* ``model(x)`` -> class logits (N, 10): "which digit is this, and how sure?"
* ``model.features(x)`` -> (N, 128) penultimate-layer embedding, the space where FID is
  measured (a digit-specific stand-in for Inception features).

Inputs follow the GAN convention: float tensors (N, 1, 28, 28) in [-1, 1].
The weights file stores the ``ClassifierConfig`` in its metadata, so ``load_classifier``
rebuilds the model from the file alone. Retrain with::

    python -m gan_core classifier --out pretrained/mnist_classifier.safetensors
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from gan_core.mnist.data import embedded_split, to_tensor

DEFAULT_CLASSIFIER_PATH = Path(__file__).resolve().parents[2] / "pretrained" / "mnist_classifier.safetensors"


@dataclass
class ClassifierConfig:
    channels: tuple[int, int, int] = (32, 64, 128)  # three stride-2 convs, 28 -> 14 -> 7 -> 4 pixels
    feature_dim: int = 128   # FID feature size: big enough to separate styles, small enough that
                             # a 128x128 covariance is well estimated from ~1,000 samples
    dropout: float = 0.3     # 4,000 training digits: some regularisation helps
    n_classes: int = 10


@dataclass
class TrainConfig:
    epochs: int = 20
    batch_size: int = 64
    lr: float = 2e-3         # AdamW peak; one-cycle schedule (warm-up, then cosine decay to ~0)
    weight_decay: float = 1e-4
    max_shift: float = 2.0   # augmentation: random shifts of up to 2 px ...
    max_rotate: float = 10.0  # ... rotations of up to 10 degrees ...
    max_zoom: float = 0.1    # ... and zoom of up to 10 %: real handwriting varies this much
    outlier_weight: float = 0.5  # "outlier exposure": non-digits (noise, blur, scrambled digits) are
                                 # trained towards the uniform distribution, so an untrained GAN's
                                 # noise is not called a confident "8" (without it: 96 % confident)
    seed: int = 0
    holdout: int = 1000      # embedded_split(seed=0, holdout=1000): 4,000 train / 1,000 held out


class DigitClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c1, c2, c3 = config.channels
        # Strided convolutions rather than conv + max-pool: 1,000 images take ~0.15 s on 2 CPU
        # cores instead of ~1 s, because no full-resolution 32-channel map is ever stored.
        self.conv = nn.Sequential(
            nn.Conv2d(1, c1, 5, stride=2, padding=2), nn.ReLU(),   # (N, 1, 28, 28) -> (N, c1, 14, 14)
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),  # -> (N, c2, 7, 7)
            nn.Conv2d(c2, c3, 3, stride=2, padding=1), nn.ReLU(),  # -> (N, c3, 4, 4)
        )
        self.embed = nn.Linear(c3 * 4 * 4, config.feature_dim)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.feature_dim, config.n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer embedding (before the ReLU): (N, 1, 28, 28) in [-1, 1] -> (N, feature_dim)."""
        return self.embed(self.conv(x).flatten(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits: (N, 1, 28, 28) in [-1, 1] -> (N, n_classes)."""
        return self.head(self.dropout(F.relu(self.features(x))))

    def features_and_logits(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both in one pass (the metrics need both): -> (N, feature_dim), (N, n_classes)."""
        f = self.features(x)
        return f, self.head(self.dropout(F.relu(f)))


def random_affine(x: torch.Tensor, cfg: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """Small random shift / rotation / zoom of a batch in [-1, 1]; borders stay background (-1)."""
    n = x.shape[0]
    u = lambda: torch.rand(n, generator=generator) * 2 - 1  # noqa: E731  uniform in [-1, 1]
    angle = u() * math.radians(cfg.max_rotate)
    scale = 1 + u() * cfg.max_zoom
    shift = torch.stack([u(), u()], 1) * cfg.max_shift * 2 / 28  # pixels -> affine_grid's [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, padding_mode="zeros", align_corners=False) - 1


def make_outliers(real: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Non-digit images like an untrained or broken generator makes, each picked at random from:
    uniform noise, blurred noise blobs, the batch's digits with pixels scrambled, flat grey."""
    n = len(real)
    noise = torch.rand(real.shape, generator=generator) * 2 - 1
    k = int(torch.randint(2, 6, (1,), generator=generator))
    blobs = F.interpolate(torch.rand(n, 1, k, k, generator=generator) * 2 - 1, size=28, mode="bilinear")
    perm = torch.randperm(28 * 28, generator=generator)
    scrambled = real.flatten(1)[:, perm].view_as(real)
    flat = (torch.rand(n, 1, 1, 1, generator=generator) * 2 - 1).expand_as(real)
    kinds = torch.stack([noise, blobs, scrambled, flat])             # (4, N, 1, 28, 28)
    pick = torch.randint(0, 4, (n,), generator=generator)
    return kinds[pick, torch.arange(n)]


@torch.no_grad()
def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    was_training = model.training
    model.eval()
    correct = sum((model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item()
                  for i in range(0, len(x), batch_size))
    model.train(was_training)
    return correct / len(x)


def train_classifier(config: ClassifierConfig | None = None, train: TrainConfig | None = None,
                     callback=None) -> tuple[DigitClassifier, dict]:
    """Train on the embedded digits' training split; return the model (in eval) and a summary.

    ``callback(epoch, step, steps_per_epoch, loss)`` is called after every batch (the CLI
    hangs a tqdm bar on it); nothing here prints. Seeds torch's global RNG with ``train.seed``
    (weight init, dropout) so that a run is reproducible on the same machine.
    """
    config, train = config or ClassifierConfig(), train or TrainConfig()
    torch.manual_seed(train.seed)
    gen = torch.Generator().manual_seed(train.seed)
    split = embedded_split(seed=0, holdout=train.holdout)
    x, y = to_tensor(split.train_images), torch.as_tensor(split.train_labels)
    x_held, y_held = to_tensor(split.holdout_images), torch.as_tensor(split.holdout_labels)

    model = DigitClassifier(config)
    opt = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=train.weight_decay)
    steps_per_epoch = math.ceil(len(x) / train.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=train.lr, total_steps=train.epochs * steps_per_epoch)
    start = time.perf_counter()
    model.train()
    for epoch in range(train.epochs):
        order = torch.randperm(len(x), generator=gen)
        for step in range(steps_per_epoch):
            idx = order[step * train.batch_size:(step + 1) * train.batch_size]
            loss = F.cross_entropy(model(random_affine(x[idx], train, gen)), y[idx])
            if train.outlier_weight > 0:  # cross-entropy to the uniform distribution over classes
                outlier_logits = model(make_outliers(x[idx], gen))
                loss = loss - train.outlier_weight * F.log_softmax(outlier_logits, dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            if callback is not None:
                callback(epoch, step, steps_per_epoch, loss.item())
    model.eval()
    summary = {"train_accuracy": accuracy(model, x, y), "holdout_accuracy": accuracy(model, x_held, y_held),
               "n_train": len(x), "n_holdout": len(x_held), "train_seconds": round(time.perf_counter() - start, 1)}
    return model, summary


def save_classifier(model: DigitClassifier, path: str | Path, metadata: dict | None = None) -> None:
    """Weights as safetensors with the config in the header; ``metadata`` also as ``<path>.json``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"config": json.dumps(asdict(model.config))})
    if metadata is not None:
        path.with_suffix(".json").write_text(json.dumps(metadata, indent=2) + "\n")


def load_classifier(path: str | Path = DEFAULT_CLASSIFIER_PATH) -> DigitClassifier:
    """The classifier from a weights file, in ``eval()`` with gradients off (safe to share)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no classifier weights. Train them with "
                                f"`python -m gan_core classifier --out {path}`.")
    from safetensors import safe_open
    with safe_open(str(path), framework="pt") as f:
        raw = json.loads((f.metadata() or {}).get("config", "{}"))
    if "channels" in raw:
        raw["channels"] = tuple(raw["channels"])
    model = DigitClassifier(ClassifierConfig(**raw))
    model.load_state_dict(load_file(str(path)))
    return model.eval().requires_grad_(False)
