"""The 2-D toy GAN as a live run: what a host trains and what the 2-D page draws.

A snapshot holds GAN Lab's four views as arrays (real and fake dots, D(x) on a 61 × 61 grid,
the generator's manifold, the generator's push on 64 fakes), the estimates beside them (D*, JS,
mode coverage, |D − D*|), the losses over iterations and the JS / coverage curves. The fakes
and the arrows come from one fixed noise batch drawn at the start (as DCGAN's fixed_noise), so
a dot moves from one picture to the next instead of being replaced.

Slow motion: with ``iterations_per_turn`` = N > 0 a turn trains exactly N iterations, then the
run waits (training nothing) until its snapshot has been taken, i.e. until it has been read.
"""
from __future__ import annotations

import time

import numpy as np

from gan_core.live.runs import Curve, LiveRun, thin
from gan_core.toy2d.data import GaussianMixture2D
from gan_core.toy2d.game import (Estimator, Toy2DConfig, build_toy2d_gan, discriminator_on, generator_map,
                                 generator_push, manifold_lines, set_data, set_noise_kind,
                                 train_discriminator_to_optimum)
from gan_core.trainer import TrainConfig

N_REAL, N_FAKE, N_ARROWS = 256, 512, 64
MAX_PER_TURN = 1000
# While a run plays, its page redraws the main view 4 times a second, but the grid estimates
# (a KDE of 16,384 generator samples, D*, JS, mode coverage: ~3/4 of a snapshot's cost, taken
# from the training) are refreshed at most this often; D(x), the fakes, the manifold and the
# arrows are new in every snapshot. After a command, a pause or a slow-motion turn, all is new.
ESTIMATES_EVERY_S = 1.0


class Toy2DRun(LiveRun):
    """spec: ``data`` (a GaussianMixture2D), ``noise_dim`` (1 | 2), ``noise`` ("normal" | "uniform"),
    ``g_width``, ``g_depth``, ``d_width``, ``d_depth``, ``seed``, ``train`` (TrainConfig fields other than
    the seed), ``iterations_per_turn`` (0: train by time; N: slow motion)."""

    weight = 1.0
    threads = 1   # tiny tensors: a second thread only adds contention

    def __init__(self, spec: dict):
        data = spec["data"]
        if not isinstance(data, GaussianMixture2D):
            raise ValueError("data must be a 2-D Gaussian mixture (a preset or a drawn set).")
        cfg = Toy2DConfig(**{k: spec[k] for k in ("noise_dim", "noise", "g_width", "g_depth", "d_width", "d_depth")
                             if k in spec})
        train = TrainConfig(seed=int(spec.get("seed", 0)), **spec.get("train", {}))
        super().__init__(build_toy2d_gan(data, train, cfg))
        rng = np.random.default_rng(train.seed + 7)
        self.real = data.sample(N_REAL, rng)
        self.fixed_noise = self.trainer.noise_prior.sample(N_FAKE, rng)
        self.estimator = Estimator(data)
        self.iterations_per_turn = 0
        self._set_per_turn(spec.get("iterations_per_turn", 0))
        self._awaiting_read = False
        self.curve = Curve(("js", "covered", "gap"))
        self._estimates = None   # (Grid2DEstimates, iteration, monotonic time) of the last estimate

    # ---- training: by time, or exactly N iterations per read (slow motion)
    def train(self, seconds: float) -> dict:
        n = self.iterations_per_turn
        if n == 0:
            return super().train(seconds)
        if self._awaiting_read:  # the last turn has not been drawn yet: idle briefly, train nothing
            time.sleep(min(seconds, 0.02))
            return {"iterations": 0, "seconds": 0.0}
        t0 = time.perf_counter()
        self.trainer.train(n)
        c = self.trainer.config
        self.samples_seen += n * c.k * c.batch_size
        self.train_seconds += time.perf_counter() - t0
        self._awaiting_read = True
        return {"iterations": n, "seconds": time.perf_counter() - t0}

    def _set_per_turn(self, n) -> None:
        if not isinstance(n, (int, np.integer)) or not 0 <= n <= MAX_PER_TURN:
            raise ValueError(f"iterations per turn must be an integer from 0 (off) to {MAX_PER_TURN} (got {n!r}).")
        self.iterations_per_turn = int(n)

    def extra_settings(self):
        return ("data", "noise", "iterations_per_turn")

    def apply_extra(self, settings: dict) -> dict:
        changed = {}
        data = settings.get("data")
        if data is not None and data != self.trainer.data.dist:
            if not isinstance(data, GaussianMixture2D):
                raise ValueError("data must be a 2-D Gaussian mixture (a preset or a drawn set).")
            set_data(self.trainer, data)
            self.real = data.sample(N_REAL, np.random.default_rng(self.trainer.config.seed + 7))
            self.estimator = Estimator(data)
            changed["data"] = data.name
        if "noise" in settings and settings["noise"] != self.trainer.noise_prior.kind:
            set_noise_kind(self.trainer, settings["noise"])
            self.fixed_noise = self.trainer.noise_prior.sample(N_FAKE, np.random.default_rng(self.trainer.config.seed + 7))
            changed["noise"] = settings["noise"]
        if "iterations_per_turn" in settings and settings["iterations_per_turn"] != self.iterations_per_turn:
            self._set_per_turn(settings["iterations_per_turn"])
            self._awaiting_read = False
            changed["iterations_per_turn"] = self.iterations_per_turn
        return changed

    def do(self, action: str, *args):
        if action == "d_optimum":
            steps = train_discriminator_to_optimum(self.trainer)
            gap = self.estimator(self.trainer).mean_abs_d_minus_d_star
            return {"message": ("info", f"D trained to optimum: {steps:,} D steps, G frozen (Adam, rate annealed "
                                        f"3e-3 → 1e-5); mean |D − D*| over x ~ p_data is now {gap:.3f}."),
                    "steps": steps, "gap": gap}
        return super().do(action, *args)

    def snapshot(self) -> dict:
        return self._snapshot(reuse_estimates=False)

    def snapshot_while_training(self) -> dict:
        return self._snapshot(reuse_estimates=self.iterations_per_turn == 0)

    def _snapshot(self, reuse_estimates: bool) -> dict:
        self._awaiting_read = False   # this turn is now readable: slow motion may train the next
        t = self.trainer
        last = self._estimates
        if reuse_estimates and last is not None and time.monotonic() - last[2] < ESTIMATES_EVERY_S:
            est, estimated_at = last[0], last[1]
            d = discriminator_on(t, self.estimator.points)
        else:
            est, estimated_at = self.estimator(t), t.iteration
            self._estimates = (est, estimated_at, time.monotonic())
            d = est.d
            self.curve.add(t.iteration, est.js, est.coverage["covered"], est.mean_abs_d_minus_d_star)
        fakes = generator_map(t, self.fixed_noise)
        cov = est.coverage
        c = t.toy2d
        return {
            "kind": "toy2d",
            **self.counters(),
            "estimates_iteration": estimated_at,   # D*, p_g, JS, coverage and |D − D*| are of this iteration
            "axis": est.axis, "d": d.astype(np.float32),
            **{k: getattr(est, k).astype(np.float32) for k in ("d_star", "p_data", "p_g")},
            "real": self.real, "fakes": fakes,
            "arrows_at": fakes[:N_ARROWS], "arrows": generator_push(t, fakes[:N_ARROWS]),
            "manifold": manifold_lines(t),
            "js": est.js, "c_of_g": -np.log(4.0) + 2.0 * est.js,
            "bandwidth": est.bandwidth, "n_kde": est.n_kde, "outside": est.outside,
            "mean_abs_d_minus_d_star": est.mean_abs_d_minus_d_star,
            "mean_d_on_real": float(discriminator_on(t, self.real).mean()),
            "covered": cov["covered"], "n_modes": cov["n_modes"], "mode_share": cov["share"],
            "coverage_threshold": cov["threshold"], "on_modes": cov["on_modes"],
            "data_name": t.data.dist.name, "noise": t.noise_prior.kind, "noise_dim": c.noise_dim,
            "nets": {"g_width": c.g_width, "g_depth": c.g_depth, "d_width": c.d_width, "d_depth": c.d_depth},
            "iterations_per_turn": self.iterations_per_turn,
            "history": thin(t.history), "curve": self.curve.arrays(),
        }
