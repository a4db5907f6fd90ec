"""The 1-D toy GAN as a live run: what a host trains and what the toy page draws.

A snapshot is the paper's Figure 1 as arrays (p_data, p_g, D, D* on a grid; the z -> x map;
a few fakes), the numbers beside it (JS, V(G, D), C(G), |D − D*|), the losses over iterations
and the JS / |D − D*| curves recorded at each snapshot.
"""
from __future__ import annotations

import numpy as np

from gan_core.live.runs import Curve, LiveRun, thin
from gan_core.toy.distributions import Distribution1D
from gan_core.toy.game import (ToyConfig, build_toy_gan, generator_map, grid_estimates, set_data, set_noise,
                               train_discriminator_to_optimum)
from gan_core.trainer import TrainConfig

N_GRID, N_KDE = 401, 8000   # the figure's grid and the generator samples behind p_g's KDE
N_MAP = 25                  # z quantiles drawn as lines from the z-axis to G(z)


class ToyRun(LiveRun):
    """spec: ``data`` (a Distribution1D), ``noise`` ("normal" | "uniform"), ``width``, ``seed``,
    and ``train`` (TrainConfig fields other than the seed)."""

    weight = 1.0
    threads = 1   # tiny tensors: a second thread only adds contention

    def __init__(self, spec: dict):
        data = spec["data"]
        if not isinstance(data, Distribution1D):
            raise ValueError("data must be a 1-D distribution.")
        toy = ToyConfig(width=int(spec.get("width", 32)), noise=spec.get("noise", "normal"))
        cfg = TrainConfig(seed=int(spec.get("seed", 0)), **spec.get("train", {}))
        super().__init__(build_toy_gan(data, cfg, toy))
        self.curve = Curve(("js", "gap"))

    def extra_settings(self):
        return ("data", "noise")

    def apply_extra(self, settings: dict) -> dict:
        changed = {}
        if "data" in settings and settings["data"] is not None and settings["data"] != self.trainer.data.dist:
            if not isinstance(settings["data"], Distribution1D):
                raise ValueError("data must be a 1-D distribution.")
            set_data(self.trainer, settings["data"])
            changed["data"] = settings["data"].name
        if "noise" in settings and settings["noise"] != self.trainer.toy.noise:
            set_noise(self.trainer, settings["noise"])
            changed["noise"] = settings["noise"]
        return changed

    def do(self, action: str, *args):
        if action == "history":  # every recorded row (the snapshot carries a thinned copy), for export
            return {"history": {k: np.asarray(v) for k, v in self.trainer.history.items()},
                    "curve": self.curve.arrays()}
        if action == "d_optimum":
            steps = train_discriminator_to_optimum(self.trainer)
            return {"message": ("info", f"D trained to optimum: {steps} D steps, G frozen.")}
        return super().do(action, *args)

    def snapshot(self) -> dict:
        t = self.trainer
        dist = t.data.dist
        est = grid_estimates(t, dist, n_grid=N_GRID, n_samples=N_KDE)
        z = t.noise_dist.ppf((np.arange(N_MAP) + 0.5) / N_MAP)
        self.curve.add(t.iteration, est.js, est.mean_abs_d_minus_d_star)
        return {
            "kind": "toy",
            **self.counters(),
            "x": est.x, "p_data": est.p_data, "p_g": est.p_g, "d": est.d, "d_star": est.d_star,
            "z": z, "gz": generator_map(t, z),
            "fakes": generator_map(t, t.noise_dist.sample(64, np.random.default_rng(t.iteration))),
            "js": est.js, "value": est.value, "c_of_g": est.c_of_g,
            "mean_abs_d_minus_d_star": est.mean_abs_d_minus_d_star,
            "data_name": dist.name, "noise": t.toy.noise, "width": t.toy.width,
            "history": thin(t.history), "curve": self.curve.arrays(),
        }


class CostRaceRun(LiveRun):
    """Two (or more) toy GANs from one strong-discriminator start that differ only in the
    generator's cost, trained in lockstep (gan_core.toy.cost_race.CostRace).

    spec: ``data`` (a Distribution1D), ``costs`` (names), ``n_pre`` (D steps before the race),
    ``seed``, ``train`` (k, lr_d, lr_g, optimizer)."""

    weight = 1.0
    threads = 1

    def __init__(self, spec: dict):
        from gan_core.toy.cost_race import CostRace
        data = spec["data"]
        if not isinstance(data, Distribution1D):
            raise ValueError("data must be a 1-D distribution.")
        cfg = TrainConfig(seed=int(spec.get("seed", 0)), **spec.get("train", {}))
        self.race = CostRace(data, tuple(spec["costs"]), train=cfg, n_d_steps=int(spec.get("n_pre", 500)))
        super().__init__(self.race.runs[0])

    def train(self, seconds: float) -> dict:
        """About ``seconds`` of the race, in steps of 25 iterations (one JS estimate each)."""
        import time
        t0, n = time.perf_counter(), 0
        while n == 0 or time.perf_counter() - t0 < seconds:
            self.race.step(25)
            n += 25
        for run in self.race.runs:
            run.bound_history()
        self.train_seconds += time.perf_counter() - t0
        return {"iterations": n}

    def apply(self, settings: dict) -> dict:
        allowed = ("k", "lr_d", "lr_g", "optimizer")
        unknown = set(settings) - set(allowed)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; a race changes only {list(allowed)} in place.")
        changed = {k: v for k, v in settings.items() if getattr(self.race.config, k) != v}
        if changed:
            self.race.set_config(**changed)
        return changed

    def do(self, action: str, *args):
        if action == "step":
            self.race.step(int(args[0]) if args else 100)
            return {"iteration": self.race.iteration}
        if action == "history":  # every recorded row of both runs, for export
            return {"history": [self.race.history(i) for i in range(len(self.race.costs))],
                    "js_iteration": np.asarray(self.race.js_iteration),
                    "js": [np.asarray(j) for j in self.race.js], "costs": self.race.costs}
        raise ValueError(f"unknown action {action!r}")

    def snapshot(self) -> dict:
        race = self.race
        est = [race.estimates(i) for i in range(len(race.costs))]
        return {
            "kind": "race", **self.counters(), "costs": race.costs, "pretrain_d_steps": race.pretrain_d_steps,
            "data_name": race.data.name,
            "history": [thin(race.history(i)) for i in range(len(race.costs))],
            "js_iteration": np.asarray(race.js_iteration), "js": [np.asarray(j) for j in race.js],
            "rugs": [race.rug(i) for i in range(len(race.costs))],
            "x": est[0].x, "p_data": est[0].p_data, "p_g": [(e.x, e.p_g) for e in est],
        }
