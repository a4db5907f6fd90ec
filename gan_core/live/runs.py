"""What every live run shares: a time budget per turn, bounded histories, the actions' names.

A game's run class (gan_core.toy.live, gan_core.mnist.live) subclasses ``LiveRun`` and adds its
own snapshot. Everything a snapshot holds is plain data (numbers, NumPy arrays, bytes), so it
crosses a process boundary as it is and a page can draw it without torch.
"""
from __future__ import annotations

import time

import numpy as np

from gan_core.trainer import GANTrainer

SETTINGS = ("k", "lr_d", "lr_g", "batch_size", "generator_cost", "optimizer")
HISTORY_POINTS = 600   # points per curve a snapshot carries: more than a chart's pixels need


def thin(history: dict[str, np.ndarray], n: int = HISTORY_POINTS) -> dict[str, np.ndarray]:
    """Every curve of a history at about ``n`` evenly spaced rows, the last row always kept."""
    length = len(history["iteration"])
    if length <= n:
        return {k: np.asarray(v) for k, v in history.items()}
    idx = np.unique(np.append(np.linspace(0, length - 1, n).astype(int), length - 1))
    return {k: np.asarray(v)[idx] for k, v in history.items()}


class Curve:
    """A bounded series of (iteration, values...) points: past ``limit`` rows, every other old row goes."""

    def __init__(self, names: tuple[str, ...], limit: int = 2000):
        self.names, self.limit, self.rows = names, limit, []

    def add(self, iteration: int, *values: float) -> None:
        if self.rows and self.rows[-1][0] == iteration:
            return
        self.rows.append((iteration, *values))
        if len(self.rows) > self.limit:
            half = self.limit // 2
            self.rows = self.rows[:half:2] + self.rows[half:]

    def arrays(self) -> dict[str, np.ndarray]:
        cols = list(zip(*self.rows)) if self.rows else [()] * (1 + len(self.names))
        return {name: np.asarray(col, dtype=float) for name, col in zip(("iteration",) + self.names, cols)}


class LiveRun:
    """One trainer driven by a host: settings in place, steps on request, chunks by time."""

    weight = 1.0
    threads: int | None = 1

    def __init__(self, trainer: GANTrainer):
        self.trainer = trainer
        self.rate: float | None = None     # measured iterations per second, for the next turn's size
        self.train_seconds = 0.0
        self.samples_seen = 0              # real images/points D has seen (k·m per iteration)

    def train(self, seconds: float) -> dict:
        """About ``seconds`` of Algorithm 1 (at least one iteration). Raises TrainingDiverged."""
        n = 1 if self.rate is None else int(max(1, min(10_000, self.rate * seconds)))
        t0 = time.perf_counter()
        self.trainer.train(n)
        dt = time.perf_counter() - t0
        self.train_seconds += dt
        c = self.trainer.config
        self.samples_seen += n * c.k * c.batch_size
        measured = n / max(dt, 1e-9)
        self.rate = measured if self.rate is None else 0.7 * self.rate + 0.3 * measured
        self.trainer.bound_history()
        return {"iterations": n, "seconds": dt}

    def apply(self, settings: dict) -> dict:
        """Change any of SETTINGS in place, between two steps; returns what changed."""
        unknown = set(settings) - set(SETTINGS) - set(self.extra_settings())
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; allowed: {list(SETTINGS + self.extra_settings())}")
        changed = {k: v for k, v in settings.items() if k in SETTINGS and getattr(self.trainer.config, k) != v}
        if changed:
            self.trainer.set_config(**changed)
        changed.update(self.apply_extra({k: v for k, v in settings.items() if k not in SETTINGS}))
        return changed

    def snapshot_while_training(self) -> dict:
        """The snapshot for one of a playing run's redraws (several a second). A run whose snapshot
        holds costly estimates may refresh those less often here; ``snapshot`` measures everything."""
        return self.snapshot()

    def extra_settings(self) -> tuple[str, ...]:
        return ()

    def apply_extra(self, settings: dict) -> dict:
        return {}

    def do(self, action: str, *args):
        """The buttons: "iteration" (k D steps + 1 G step), "d_step", "g_step"; games add more."""
        t = self.trainer
        if action == "iteration":
            t.train(1)
        elif action == "d_step":
            t.discriminator_steps(1)
        elif action == "g_step":
            t.generator_steps(1)
        else:
            raise ValueError(f"unknown action {action!r}")
        return {"iteration": t.iteration}

    def counters(self) -> dict:
        t, c = self.trainer, self.trainer.config
        return {"iteration": t.iteration, "d_steps": t.d_steps, "g_steps": t.g_steps,
                "samples_seen": self.samples_seen, "train_seconds": self.train_seconds,
                "config": {k: getattr(c, k) for k in SETTINGS + ("seed",)}}
