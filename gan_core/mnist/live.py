"""Live MNIST training as a live run: what a host trains and what the live MNIST page draws.

A snapshot carries the fixed-noise grid as PNG bytes (drawn here, in the host, with its warm
torch threads), the last step's numbers, the losses over iterations, and the latest quality
report with the nearest-neighbour row. Quality is measured every ``QUALITY_EVERY_S`` while
training, or at once on the "quality" action.
"""
from __future__ import annotations

import io
import time
from dataclasses import asdict
from functools import lru_cache

import numpy as np
from PIL import Image

from gan_core.live.frames import FrameRecorder
from gan_core.live.runs import LiveRun, thin
from gan_core.mnist.checkpoints import CheckpointError, save_training_state
from gan_core.mnist.data import FASHION_MNIST_DIR, FASHION_MNIST_NAME, IDXError, keep_uploaded
from gan_core.mnist.models import is_conditional
from gan_core.mnist.session import nearest_row, plain_message, trainer_from_checkpoint
from gan_core.mnist.training import DEFAULT_MODELS, MNIST_TRAIN, build_mnist_trainer, fixed_noise_grid, load_images
from gan_core.trainer import TrainConfig

QUALITY_EVERY_S = 15.0   # FID on QUALITY_N samples takes ~0.05 s: cheap, but the chart redraw is not
QUALITY_N = 500
GIF_EVERY, GIF_FRAMES = 10, 100   # a grid frame every 10 iterations at first; at most 100 (~8 MB) kept


@lru_cache(maxsize=4)
def training_images(data: str):
    """(images, labels, name), loaded once per host process and shared by its runs (read only)."""
    return load_images(data)


@lru_cache(maxsize=1)
def judge():
    from gan_core.mnist.classifier import load_classifier
    from gan_core.mnist.session import read_only
    return read_only(load_classifier())


def png_bytes(grid: np.ndarray, scale: int = 2) -> bytes:
    """A grid image (H, W) in [0, 1] -> PNG bytes, each pixel drawn as scale × scale."""
    g = (np.asarray(grid) * 255).round().clip(0, 255).astype(np.uint8)
    if scale > 1:
        g = np.kron(g, np.ones((scale, scale), dtype=np.uint8))
    buf = io.BytesIO()
    Image.fromarray(g).save(buf, format="PNG")
    return buf.getvalue()


class MnistRun(LiveRun):
    """spec: ``model`` ("mlp" | "dcgan" | "cgan"), ``data`` (a dataset name or allowed IDX folder),
    ``device`` ("cpu" | "cuda"), ``seed``, ``train`` (TrainConfig fields), and optionally
    ``checkpoint`` (bytes of a training state or model file, read by the safe loader) with its
    ``checkpoint_name``; for uploaded IDX data, ``uploaded`` holds the server's parsed arrays."""

    weight = 4.0
    threads = None   # convolutions gain from every thread the host may use

    def __init__(self, spec: dict):
        try:
            trainer = self._build(spec)
        except (CheckpointError, IDXError, OSError) as e:  # a student's file or data: say what was wrong
            raise ValueError(plain_message(e)) from None
        super().__init__(trainer)
        self.train_seconds = getattr(trainer, "train_seconds", 0.0)
        self.quality: dict | None = None
        self.quality_due = time.monotonic() + QUALITY_EVERY_S
        self.grid_png, self.grid_iteration = None, None
        self.frames = FrameRecorder(GIF_EVERY, GIF_FRAMES)   # the fixed-noise grid over time, for a GIF
        self._record_frame()

    def _build(self, spec: dict):
        if spec.get("uploaded") is not None:  # IDX files a student uploaded, parsed by the server
            keep_uploaded(spec["data"], *spec["uploaded"])
        x, y, name = training_images(spec.get("data", "embedded"))
        cfg = TrainConfig(seed=int(spec.get("seed", 0)), beta1=MNIST_TRAIN.beta1, **spec.get("train", {}))
        device = spec.get("device", "cpu")
        self.loaded = None
        if spec.get("checkpoint") is not None:
            trainer, meta = trainer_from_checkpoint(spec["checkpoint"], cfg, (x, y), name, device)
            self.loaded = {"name": spec.get("checkpoint_name", "checkpoint"), "content": meta["content"]}
        else:
            trainer = build_mnist_trainer(DEFAULT_MODELS[spec.get("model", "cgan")], cfg, data=name,
                                          device=device, images=(x, y))
        self.images, self.dataset = x, name
        return trainer

    def train(self, seconds: float) -> dict:
        out = super().train(seconds)
        self.trainer.train_seconds = self.train_seconds
        self._record_frame()
        if time.monotonic() >= self.quality_due:
            self.measure_quality()
        return out

    def do(self, action: str, *args):
        if action == "quality":
            self.measure_quality()
            return {}
        if action == "save":
            buf = io.BytesIO()
            save_training_state(buf, self.trainer, training={"source": "live MNIST page"})
            return {"bytes": buf.getvalue(), "iteration": self.trainer.iteration}
        if action == "history":  # every recorded row (the snapshot carries a thinned copy), for export
            return {"history": {k: np.asarray(v) for k, v in self.trainer.history.items()}}
        if action == "gif":  # the fixed-noise grid over the run, from the frames recorded while training
            return {"gif": self.frames.gif(), "frames": len(self.frames.frames), "iteration": self.trainer.iteration}
        out = super().do(action, *args)
        self._record_frame()
        return out

    def _record_frame(self) -> None:
        it = self.trainer.iteration
        if self.frames.due(it):
            t = self.trainer
            self.frames.add(it, (fixed_noise_grid(t.G, t.model_config) * 255).round().clip(0, 255).astype(np.uint8))

    def measure_quality(self) -> None:
        """The quality meter and the nearest-neighbour row, on fresh samples (not the fixed grid)."""
        from gan_core.mnist.metrics import evaluate_samples
        from gan_core.mnist.training import sample_images
        t = self.trainer
        report = None
        if self.dataset != FASHION_MNIST_NAME and not self.dataset.startswith(FASHION_MNIST_DIR):
            samples = sample_images(t.G, t.model_config, QUALITY_N, seed=t.iteration)
            report = asdict(evaluate_samples(samples, classifier=judge()))
        samples, neighbours, dist = nearest_row(t.G, t.model_config, self.images, n=8, seed=t.iteration + 1)
        self.quality = {"report": report, "iteration": t.iteration, "at": time.time(),
                        "samples": samples.numpy(), "neighbours": neighbours.numpy(), "distances": dist}
        self.quality_due = time.monotonic() + QUALITY_EVERY_S

    def snapshot(self) -> dict:
        t = self.trainer
        if self.grid_iteration != t.iteration or self.grid_png is None:
            self.grid_png = png_bytes(fixed_noise_grid(t.G, t.model_config))
            self.grid_iteration = t.iteration
        return {
            "kind": "mnist",
            **self.counters(),
            "model": t.model_config.kind, "conditional": is_conditional(t.model_config),
            "n_fixed": 80 if is_conditional(t.model_config) else 64,
            "dataset": self.dataset, "device": str(t.device), "loaded": self.loaded,
            "grid_png": self.grid_png, "history": thin(t.history), "quality": self.quality,
        }
