"""The 1-D toy GAN as a live run: what a host trains and what the toy page draws.

A snapshot is the paper's Figure 1 as arrays (p_data, p_g, D, D* on a grid; the z -> x map;
a few fakes), the numbers beside it (JS, V(G, D), C(G), |D − D*|), the losses over iterations
and the JS / |D − D*| curves recorded at each snapshot.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_core.live.frames import Timeline
from gan_core.live.runs import SETTINGS, Curve, LiveRun, thin
from gan_core.toy.distributions import Distribution1D
from gan_core.toy.game import (ToyConfig, build_toy_gan, generator_map, grid_estimates, set_data, set_noise,
                               train_discriminator_to_optimum)
from gan_core.trainer import TrainConfig

N_GRID, N_KDE = 401, 8000   # the figure's grid and the generator samples behind p_g's KDE
N_MAP = 25                  # z quantiles drawn as lines from the z-axis to G(z)
REWIND_EVERY, REWIND_LIMIT = 10, 60   # a snapshot to rewind to every 10 iterations at first; at most 60 kept
FIGURE_KEYS = ("x", "p_data", "p_g", "d", "d_star", "z", "gz", "fakes", "js", "value", "c_of_g",
               "mean_abs_d_minus_d_star", "data_name", "noise", "width", "iteration", "config")


class ToyRun(LiveRun):
    """spec: ``data`` (a Distribution1D), ``noise`` ("normal" | "uniform"), ``width``, ``seed``,
    and ``train`` (TrainConfig fields other than the seed); a branch also has ``resume`` (what
    ``do("branch_spec")`` returns: the trainer's state and history at a snapshot) and
    ``changes`` (settings changed from there).

    While it trains, the run keeps snapshots to rewind to (bounded, ``REWIND_LIMIT``): the
    trainer's full state (networks, optimizers, random generators, samplers) and the figure's
    arrays. Restoring one and training on gives exactly the iterations that followed it."""

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
        self.rewind = Timeline(REWIND_EVERY, REWIND_LIMIT)
        if spec.get("resume") is not None:
            self._restore(_tensors_back(spec["resume"]))
            self.curve.rows = [tuple(r) for r in spec["resume"]["curve"]]
            if spec.get("changes"):
                self.apply(spec["changes"])

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

    # ---- rewind: snapshots recorded while training, restored on request
    def _record(self, figure: dict) -> None:
        t = self.trainer
        if self.rewind.due(t.iteration):
            self.rewind.add(t.iteration, {"state": t.snapshot(), "data": t.data.dist, "noise": t.toy.noise,
                                          "view": {k: figure[k] for k in FIGURE_KEYS}})

    def _restore(self, entry: dict) -> None:
        """The trainer as it was at a snapshot: data, noise prior, weights, optimizers, generators,
        counters; the history after it is dropped."""
        t = self.trainer
        set_data(t, entry["data"])
        set_noise(t, entry["noise"])
        t.restore(entry["state"])
        it = t.iteration
        h = t.history
        keep = h["iteration"] <= it
        if "history" in entry:
            h = entry["history"]
            keep = np.asarray(h["iteration"]) <= it
        block = np.column_stack([np.asarray(v)[keep] for v in h.values()])
        t._history_chunks, t._history_cache = ([block] if len(block) else []), None
        t.divergence = None

    def resume(self, iteration: int, changes: dict | None = None) -> dict:
        """Back to the snapshot at ``iteration``; later history, curve points and snapshots go.
        ``changes`` (settings) apply from there on. Returns the settings now in effect."""
        entry = self.rewind.at(iteration)
        self._restore(entry)
        self.curve.rows = [r for r in self.curve.rows if r[0] <= iteration]
        self.rewind.clear_after(iteration)
        if changes:
            self.apply(changes)
        c = self.trainer.config
        return {k: getattr(c, k) for k in SETTINGS}

    def branch_spec(self, iteration: int, changes: dict | None = None) -> dict:
        """A spec for a second run that starts from the snapshot at ``iteration`` (its history
        and curve up to there included) with ``changes``: the other branch of a comparison."""
        entry = self.rewind.at(iteration)
        c = entry["state"]["config"]
        h = self.trainer.history
        keep = h["iteration"] <= iteration
        resume = {**entry, "history": {k: np.asarray(v)[keep] for k, v in h.items()},
                  "curve": [r for r in self.curve.rows if r[0] <= iteration]}
        return {"data": entry["data"], "noise": entry["noise"], "width": self.trainer.toy.width, "seed": c["seed"],
                "train": {k: c[k] for k in SETTINGS}, "changes": dict(changes or {}), "resume": _no_tensors(resume)}

    def do(self, action: str, *args):
        if action == "train_n":  # n iterations now (a comparison advances both branches alike)
            self.trainer.train(int(args[0]))
            return {"iteration": self.trainer.iteration}
        if action == "rewind_view":
            return self.rewind.at(int(args[0]))["view"]
        if action == "rewind_views":  # every recorded snapshot's figure, oldest first (the run as a GIF)
            return [entry["view"] for _, entry in self.rewind.frames]
        if action == "resume":
            config = self.resume(int(args[0]), args[1] if len(args) > 1 else None)
            return {"config": config, "message": ("info", f"Resumed from the snapshot at iteration {int(args[0]):,}"
                                                          + (f" with {_changed(args[1])}." if len(args) > 1 and args[1]
                                                             else ", nothing changed."))}
        if action == "branch_spec":
            return self.branch_spec(int(args[0]), args[1] if len(args) > 1 else None)
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
        snap = {
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
        self._record(snap)
        snap["rewind"] = self.rewind.iterations()
        return snap


def _no_tensors(obj):
    """torch tensors as marked NumPy arrays: a spec crosses to another process by plain pickling
    (torch's own pickling of tensors shares memory through file descriptors, refused there)."""
    if isinstance(obj, torch.Tensor):
        return ("__tensor__", obj.detach().cpu().numpy().copy())
    if isinstance(obj, dict):
        return {k: _no_tensors(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_no_tensors(v) for v in obj)
    return obj


def _tensors_back(obj):
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], str) and obj[0] == "__tensor__":
        return torch.from_numpy(obj[1])
    if isinstance(obj, dict):
        return {k: _tensors_back(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_tensors_back(v) for v in obj)
    return obj


def _changed(changes: dict) -> str:
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in changes.items())


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
