"""Live MNIST training as a live run: what a host trains and what the live MNIST page draws.

A snapshot carries the fixed-noise grid as PNG bytes (drawn here, in the host, with its warm
torch threads), the last step's numbers, the losses over iterations, and the latest quality
report with the nearest-neighbour row.

The grid and the quality meter show one of two generators, the ``shows`` setting: "ema", an
exponential moving average of G's weights (``LIVE_EMA``), which shows what the game has learned,
or "raw", G itself, which also shows its wandering from iteration to iteration. Training is the
same either way. Quality is measured every ``QUALITY_EARLY_EVERY_S`` of training in a run's first
``QUALITY_EARLY_S`` (when digits appear, the number a lecture watches), then every
``QUALITY_EVERY_S``, or at once on the "quality" action.
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
from gan_core.mnist.training import (DEFAULT_MODELS, LIVE_EMA, MNIST_TRAIN, GeneratorEMA, build_mnist_trainer,
                                     fixed_noise_grid, load_images)
from gan_core.trainer import TrainConfig

QUALITY_EVERY_S = 15.0        # FID on QUALITY_N samples takes ~0.05 s: cheap, but the chart redraw is not
QUALITY_EARLY_S = 30.0        # in a run's first 30 s of training...
QUALITY_EARLY_EVERY_S = 3.0   # ...every 3 s, so the meter reports the first digits when they come
QUALITY_N = 500
GIF_EVERY, GIF_FRAMES = 10, 100   # a grid frame every 10 iterations at first; at most 100 (~8 MB) kept
SHOWS = {"ema": "averaged G", "raw": "G itself"}


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
    img = Image.fromarray(g)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)   # made for every redraw: fast over small
    return buf.getvalue()


class MnistRun(LiveRun):
    """spec: ``model`` ("mlp" | "dcgan" | "cgan"), ``data`` (a dataset name or allowed IDX folder),
    ``device`` ("cpu" | "cuda"), ``seed``, ``train`` (TrainConfig fields), and optionally
    ``checkpoint`` (bytes of a training state or model file, read by the safe loader) with its
    ``checkpoint_name``; for uploaded IDX data, ``uploaded`` holds the server's parsed arrays;
    ``shows`` ("ema" | "raw", also a setting of the running run): the generator drawn and scored."""

    weight = 4.0
    threads = None   # convolutions gain from every thread the host may use

    def __init__(self, spec: dict):
        try:
            trainer = self._build(spec)
        except (CheckpointError, IDXError, OSError) as e:  # a student's file or data: say what was wrong
            raise ValueError(plain_message(e)) from None
        super().__init__(trainer)
        self.train_seconds = trainer.train_seconds
        self.started_at = self.train_seconds          # a loaded checkpoint brings its training time
        self.quality: dict | None = None
        self.quality_due = self.train_seconds + QUALITY_EARLY_EVERY_S
        self.grid_png, self.grid_key = None, None
        self.ema = GeneratorEMA(trainer.G, *LIVE_EMA)
        self.ema_g_steps = trainer.g_steps
        self.shows = self._check_shows(spec.get("shows", "ema"))
        self.frames = FrameRecorder(GIF_EVERY, GIF_FRAMES)   # the fixed-noise grid over time, for a GIF
        self._record_frame()

    @staticmethod
    def _check_shows(value) -> str:
        if value not in SHOWS:
            raise ValueError(f"shows must be one of {list(SHOWS)} (got {value!r}).")
        return value

    def extra_settings(self) -> tuple[str, ...]:
        return ("shows",)

    def apply_extra(self, settings: dict) -> dict:
        if "shows" in settings and self._check_shows(settings["shows"]) != self.shows:
            self.shows = settings["shows"]
            if self.quality is not None:   # the meter scored the other generator: score this one now
                self.measure_quality()
            return {"shows": self.shows}
        return {}

    def generator(self):
        """The generator the grid and the meter show: the average of G's weights, or G itself."""
        return self.ema.G if self.shows == "ema" else self.trainer.G

    def follow_g(self) -> None:
        """Average in G's weights after its new steps (one EMA update per G step)."""
        t = self.trainer
        self.ema.update(t.G, t.g_steps - self.ema_g_steps)
        self.ema_g_steps = t.g_steps

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
        self.follow_g()
        self.trainer.train_seconds = self.train_seconds
        self._record_frame()
        if self.train_seconds >= self.quality_due:
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
        self.follow_g()
        self._record_frame()
        return out

    def _record_frame(self) -> None:
        """A frame of the grid the page shows (the averaged G or G itself) when one is due."""
        it = self.trainer.iteration
        if self.frames.due(it):
            grid = fixed_noise_grid(self.generator(), self.trainer.model_config)
            self.frames.add(it, (grid * 255).round().clip(0, 255).astype(np.uint8))

    def measure_quality(self) -> None:
        """The quality meter and the nearest-neighbour row, on fresh samples (not the fixed grid)."""
        from gan_core.mnist.metrics import evaluate_samples
        from gan_core.mnist.training import sample_images
        t, G = self.trainer, self.generator()
        report = None
        if self.dataset != FASHION_MNIST_NAME and not self.dataset.startswith(FASHION_MNIST_DIR):
            samples = sample_images(G, t.model_config, QUALITY_N, seed=t.iteration)
            report = asdict(evaluate_samples(samples, classifier=judge()))
        samples, neighbours, dist = nearest_row(G, t.model_config, self.images, n=8, seed=t.iteration + 1)
        self.quality = {"report": report, "iteration": t.iteration, "at": time.time(), "shows": self.shows,
                        "train_seconds": self.train_seconds - self.started_at,
                        "samples": samples.numpy(), "neighbours": neighbours.numpy(), "distances": dist}
        early = self.train_seconds - self.started_at < QUALITY_EARLY_S
        self.quality_due = self.train_seconds + (QUALITY_EARLY_EVERY_S if early else QUALITY_EVERY_S)

    def snapshot(self) -> dict:
        t = self.trainer
        if self.grid_key != (t.iteration, t.g_steps, self.shows) or self.grid_png is None:
            self.grid_png = png_bytes(fixed_noise_grid(self.generator(), t.model_config))
            self.grid_key = (t.iteration, t.g_steps, self.shows)
        return {
            "kind": "mnist",
            **self.counters(),
            "model": t.model_config.kind, "conditional": is_conditional(t.model_config),
            "n_fixed": 80 if is_conditional(t.model_config) else 64,
            "dataset": self.dataset, "device": str(t.device), "loaded": self.loaded, "shows": self.shows,
            "grid_png": self.grid_png, "history": thin(t.history), "quality": self.quality,
        }
