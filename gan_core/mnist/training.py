"""The MNIST GANs wired to the one trainer: data and noise samplers, fixed noise, sampling.

    trainer = build_mnist_trainer(DCGANConfig(), MNIST_TRAIN)   # an MnistTrainer
    trainer.train(50)                                            # 50 iterations of Algorithm 1
    grid = generate(trainer.G, *fixed_noise(trainer.model_config))  # (64, 1, 28, 28) in [-1, 1]

The data live on the training device as one float tensor; a minibatch is drawn with random
indices from the trainer's own ``torch.Generator``, so the whole run (data order, noise) is
reproducible from the seed and resumes exactly from ``trainer.state_dict()``.
"""
from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from gan_core.mnist.data import EMBEDDED_NAME, load_dataset, to_tensor
from gan_core.mnist.models import (CGANConfig, DCGANConfig, MLPGANConfig, ModelConfig, build_models,
                           is_conditional)
from gan_core.trainer import GANTrainer, TrainConfig

# Defaults: the conditional GAN on the small DCGAN nets (ngf = ndf = 16, channels-last), batch 64,
# found with bench/bench_mnist.py (60 s from scratch on 2 CPU cores: more recognisable digits than the
# unconditional DCGAN, and the label keeps every class present). Its learning rates and the averaged G
# come from bench/sweep_seeds.py, medians over 5 seeds at the iterations of 15, 30 and 60 s: with
# lr_D = 2e-3, four times lr_G = 5e-4 (two time scales), and the average of G's weights (decay 0.999
# with warm-up), FID 82 at 60 s (range 53-88) against 143 (59-286) at lr_D = 1e-3 and 620 (352-679)
# for lr_D = lr_G = 5e-4 and G itself; 89 % vs 63 % confident. The DCGAN and MLP are one click away
# on the page (--model on the CLI).
DEFAULT_MODEL = CGANConfig()
MNIST_TRAIN = TrainConfig(k=1, lr_d=2e-3, lr_g=5e-4, batch_size=64, beta1=0.5, seed=0)
DEFAULT_MODELS = {"mlp": MLPGANConfig(), "dcgan": DCGANConfig(), "cgan": CGANConfig()}
# The averaged generator the live page draws by default and the CLI saves: (decay, warm-up). In the
# sweep, decays 0.99, 0.995 and 0.999 with warm-up tie at 60 s; 0.999 with warm-up was best at 15 s
# and keeps the longest memory for a page left training for minutes.
LIVE_EMA = (0.999, True)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """"auto" -> CUDA when available, else CPU; "cuda" without a GPU raises ValueError."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but no CUDA GPU is available.")
    return device


# ----------------------------------------------------------------------------- samplers

class ImageSampler:
    """Real digits: ``sample(m, gen) -> (x,)`` or ``(x, labels)``, x (m, 1, 28, 28) in [-1, 1]."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None = None):
        self.images, self.labels = images, labels

    def sample(self, m: int, gen: torch.Generator):
        idx = torch.randint(len(self.images), (m,), generator=gen, device=self.images.device)
        if self.labels is None:
            return (self.images[idx],)
        return self.images[idx], self.labels[idx]


class NoiseSampler:
    """z ~ N(0, I): ``sample(m, gen) -> (z,)``, or ``(z, labels)`` with uniform labels (cGAN)."""

    def __init__(self, nz: int, n_classes: int | None = None, device="cpu"):
        self.nz, self.n_classes, self.device = nz, n_classes, torch.device(device)

    def sample(self, m: int, gen: torch.Generator):
        z = torch.randn(m, self.nz, generator=gen, device=self.device)
        if self.n_classes is None:
            return (z,)
        return z, torch.randint(self.n_classes, (m,), generator=gen, device=self.device)


def load_images(data: str | os.PathLike = "embedded") -> tuple[torch.Tensor, torch.Tensor, str]:
    """(images (N, 1, 28, 28) in [-1, 1], labels (N,), dataset name) from a name or IDX folder.

    "embedded" is the 4,000 training digits of ``embedded_split()`` (the FID reference set).
    """
    name = str(data)
    images, labels = load_dataset(name, "train")
    if name in ("embedded", "mnist", EMBEDDED_NAME):
        name = EMBEDDED_NAME
    elif Path(name).is_dir():
        name = str(Path(name).resolve())
    return to_tensor(images), torch.as_tensor(labels, dtype=torch.int64), name


class MnistTrainer(GANTrainer):
    """Algorithm 1 on MNIST: a GANTrainer that also knows its model, its data and its time."""

    def __init__(self, G, D, data, noise, train: TrainConfig, model_config: ModelConfig, dataset: str,
                 device: str | torch.device = "cpu"):
        super().__init__(G, D, data, noise, train, device=device)
        self.model_config = model_config  # rebuilds the nets: a checkpoint stores it next to the weights
        self.dataset = dataset            # the digits' name, saved with a checkpoint
        self.train_seconds = 0.0          # wall clock spent training, carried on by a training state


def build_mnist_trainer(model_config: ModelConfig = DEFAULT_MODEL, train_config: TrainConfig = MNIST_TRAIN,
                        data: str | os.PathLike = "embedded", device: str | torch.device = "auto",
                        images: tuple[torch.Tensor, torch.Tensor] | None = None,
                        channels_last: bool = True) -> MnistTrainer:
    """An MnistTrainer for an MNIST model. Initial weights come from ``train_config.seed``.

    ``images`` (float (N, 1, 28, 28) in [-1, 1], labels (N,)) skips loading ``data`` (tests, pages
    that already hold the digits).
    ``channels_last`` stores conv weights and images channels-last (NHWC): the same maths,
    1.3-2x faster convolutions on a CPU (oneDNN's preferred layout) and on tensor-core GPUs.
    """
    device = resolve_device(device)
    if images is None:
        x, y, name = load_images(data)
    else:
        (x, y), name = images, str(data)
    conditional = is_conditional(model_config)
    if conditional and int(y.max()) >= model_config.n_classes:
        raise ValueError(f"labels go up to {int(y.max())} but the model has {model_config.n_classes} classes.")
    G, D = build_models(model_config, seed=train_config.seed)
    x = x.to(device).contiguous()
    if channels_last and not isinstance(model_config, MLPGANConfig):
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    sampler = ImageSampler(x, y.to(device) if conditional else None)
    noise = NoiseSampler(model_config.nz, model_config.n_classes if conditional else None, device)
    return MnistTrainer(G, D, sampler, noise, train_config, model_config, name, device=device)


def train_for(trainer: MnistTrainer, seconds: float | None = None, iterations: int | None = None,
              chunk: int = 10, callback=None) -> dict:
    """Train until ``seconds`` of wall clock or ``iterations`` more iterations, whichever first.

    Runs in chunks of ``chunk`` iterations (one divergence check each); ``callback(trainer, done)``
    after every chunk may return True to stop. Returns iterations, seconds, it/s and samples/s
    (real images the discriminator saw per second: k * batch per iteration).
    """
    if seconds is None and iterations is None:
        raise ValueError("give seconds or iterations.")
    start, done = time.perf_counter(), 0
    while True:
        n = chunk if iterations is None else min(chunk, iterations - done)
        if n <= 0 or (seconds is not None and time.perf_counter() - start >= seconds):
            break
        trainer.train(n)
        done += n
        if callback is not None and callback(trainer, done):
            break
    if trainer.device.type == "cuda":
        torch.cuda.synchronize(trainer.device)
    elapsed = time.perf_counter() - start
    trainer.train_seconds += elapsed
    c = trainer.config
    return {"iterations": done, "seconds": elapsed, "iterations_per_s": done / max(elapsed, 1e-9),
            "samples_per_s": done * c.k * c.batch_size / max(elapsed, 1e-9)}


class GeneratorEMA:
    """An exponential moving average of G's weights, the generator to sample from.

    The weights of a GAN's G wander around a good point as G and D chase each other; their
    average over the last few hundred iterations draws cleaner samples than any single
    iterate (Yazıcı et al. 2019, "The unusual effectiveness of averaging in GAN training").
    ``update(G, n)`` after n iterations applies the per-iteration decay n times at once, so it
    can follow ``train_for``'s chunks. Batch-norm statistics are copied, not averaged.

    ``warmup=True`` caps the decay at (1 + t) / (10 + t) after t updates (as TensorFlow's
    ExponentialMovingAverage with num_updates): early in a run the average follows G closely
    instead of dragging the random initial weights along, and it lengthens its memory as the
    run goes on, up to ``decay``.
    """

    def __init__(self, G: nn.Module, decay: float = 0.999, warmup: bool = False):
        if not 0 < decay < 1:
            raise ValueError(f"EMA decay must be in (0, 1) (got {decay!r}).")
        self.decay, self.warmup, self.updates = decay, bool(warmup), 0
        self.G = copy.deepcopy(G).requires_grad_(False)

    def _keep(self, n: int) -> float:
        """The share of the old average that survives n more updates."""
        if not self.warmup:
            return self.decay ** n
        keep = 1.0
        for t in range(self.updates + 1, self.updates + n + 1):
            keep *= min(self.decay, (1 + t) / (10 + t))
        return keep

    @torch.no_grad()
    def update(self, G: nn.Module, n: int = 1) -> None:
        w = 1 - self._keep(n) if n > 0 else 0.0
        self.updates += max(n, 0)
        for p_ema, p in zip(self.G.parameters(), G.parameters()):
            p_ema.lerp_(p.detach(), w)
        for b_ema, b in zip(self.G.buffers(), G.buffers()):
            b_ema.copy_(b)


# ----------------------------------------------------------------------------- sampling

def fixed_noise(config: ModelConfig, n: int = 64, seed: int = 1234, device="cpu", per_class: int = 8) -> tuple:
    """The same noise every call, so sample grids are comparable over training.

    Unconditional: ``(z,)`` with n rows. Conditional: ``(z, labels)`` with ``per_class`` samples
    of each class in order (0,0,...,1,1,...): a grid with ``per_class`` columns has one row per class.
    """
    gen = torch.Generator().manual_seed(seed)
    if not is_conditional(config):
        return (torch.randn(n, config.nz, generator=gen).to(device),)
    labels = torch.arange(config.n_classes).repeat_interleave(per_class)
    z = torch.randn(len(labels), config.nz, generator=gen)
    return z.to(device), labels.to(device)


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None,
             batch_size: int = 1000) -> torch.Tensor:
    """G in eval mode (batch norm uses its running statistics): -> (N, 1, 28, 28) in [-1, 1], on CPU."""
    was_training = G.training
    G.eval()
    try:
        device = next(G.parameters()).device
        out = []
        for i in range(0, len(z), batch_size):
            args = [z[i:i + batch_size].to(device)]
            if labels is not None:
                args.append(labels[i:i + batch_size].to(device))
            out.append(G(*args).float().cpu())
        return torch.cat(out) if out else torch.empty(0, 1, 28, 28)
    finally:
        G.train(was_training)


def sample_images(G: nn.Module, config: ModelConfig, n: int = 64, seed: int = 0,
                  label: int | None = None) -> torch.Tensor:
    """n new samples (N, 1, 28, 28) in [-1, 1]. cGAN: all of class ``label``, or classes in turn."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, config.nz, generator=gen)
    if not is_conditional(config):
        if label is not None:
            raise ValueError("this model is unconditional: it cannot draw a chosen label.")
        return generate(G, z)
    if label is None:
        labels = torch.arange(n) % config.n_classes
    elif not 0 <= int(label) < config.n_classes:
        raise ValueError(f"label must be from 0 to {config.n_classes - 1} (got {label}).")
    else:
        labels = torch.full((n,), int(label), dtype=torch.int64)
    return generate(G, z, labels)


def interpolate(G: nn.Module, z0: torch.Tensor, z1: torch.Tensor, steps: int = 10,
                labels: torch.Tensor | int | None = None) -> torch.Tensor:
    """Images along the straight line z0 -> z1 in noise space: (steps, 1, 28, 28) in [-1, 1].

    z0, z1: (nz,) or (1, nz). For a cGAN pass the label (an int or (steps,) tensor).
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (got {steps}).")
    t = torch.linspace(0, 1, steps)[:, None]                         # (steps, 1)
    z = (1 - t) * z0.reshape(1, -1).cpu() + t * z1.reshape(1, -1).cpu()  # (steps, nz)
    if isinstance(labels, int):
        labels = torch.full((steps,), labels, dtype=torch.int64)
    return generate(G, z, labels)


def evaluate_generator(G: nn.Module, config: ModelConfig, n: int = 1000, seed: int = 0, classifier=None):
    """metrics.QualityReport of n fresh samples (cGAN: classes in equal shares)."""
    from gan_core.mnist.metrics import evaluate_samples
    return evaluate_samples(sample_images(G, config, n, seed=seed), classifier=classifier)


def image_grid(images, ncols: int = 8, pad: int = 2) -> np.ndarray:
    """(N, 1, 28, 28) in [-1, 1] -> one float32 image (H, W) in [0, 1], background between tiles."""
    x = np.clip((np.asarray(images, dtype=np.float32).reshape(-1, 28, 28) + 1) / 2, 0, 1)
    n = len(x)
    nrows = max(1, -(-n // ncols))
    grid = np.zeros((nrows * (28 + pad) + pad, ncols * (28 + pad) + pad), dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        grid[pad + r * (28 + pad):pad + r * (28 + pad) + 28, pad + c * (28 + pad):pad + c * (28 + pad) + 28] = x[i]
    return grid


def fixed_noise_grid(G: nn.Module, config: ModelConfig, n: int = 64, per_class: int = 8, seed: int = 1234) -> np.ndarray:
    """The fixed-noise sample grid as one image (H, W) in [0, 1]; a cGAN gets one row per class."""
    noise = fixed_noise(config, n=n, seed=seed, per_class=per_class)
    return image_grid(generate(G, *noise), ncols=per_class if is_conditional(config) else 8)
