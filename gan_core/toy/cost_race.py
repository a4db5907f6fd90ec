"""Two 1-D toy GANs that differ only in the generator cost, trained in lockstep.

The lecture's claim: with the minimax cost log(1 - D(G(z))) "the gradient in this region is
relatively flat" where the fakes are bad (D(G(z)) near 0), so the non-saturating cost
-log D(G(z)) learns faster. To measure it fairly, both runs start from the same state:

1. build one toy GAN (one seed, one initialisation);
2. the *strong discriminator* start: train D alone for N steps with G frozen;
3. load that full state (networks, optimizers, RNG, samplers) into two trainers and change
   only ``generator_cost``. They then draw the same real batches and the same noise, step for
   step, so any difference between the runs is the cost's doing.

Nothing here draws or imports Streamlit; the page reads ``runs``, ``js`` and the histories.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from gan_core.toy.distributions import DEFAULT_PRESET, Distribution1D
from gan_core.losses import GENERATOR_COSTS
from gan_core.toy.game import ToyConfig, build_toy_gan, discriminator_on, generator_map, grid_estimates
from gan_core.trainer import GANTrainer, TrainConfig, TrainingDiverged

JS_EVERY = 25        # iterations between JS estimates: a smooth curve at ~5 ms per estimate
JS_SAMPLES = 4000    # stratified generator samples per JS estimate (the page's p_g uses more)
RUG_SIZE = 64        # fixed, stratified noise for the "where do the fakes sit" rug

# The page's race: the lecture's two costs, from a discriminator trained 500 steps on p_data moved
# 2 to the right of G's start, then plain SGD with momentum (the paper's rule) at 0.02 for both nets.
RACE_DEFAULTS = {"cost_a": "saturating", "cost_b": "non_saturating", "n_pre": 500, "data": DEFAULT_PRESET,
                 "shift": 2.0, "k": 1, "lr_d": 0.02, "lr_g": 0.02, "optimizer": "sgd", "seed": 0}


def strong_discriminator_start(data: Distribution1D, train: TrainConfig = TrainConfig(),
                               toy: ToyConfig = ToyConfig(), n_d_steps: int = 500) -> dict:
    """Build one toy GAN, train D alone for `n_d_steps` (G frozen), return its full state.

    The state is a plain dict (``GANTrainer.state_dict``); loading it copies, so one start can
    seed any number of runs (and the page may cache it).
    """
    if not isinstance(n_d_steps, (int, np.integer)) or not 0 <= n_d_steps <= 100_000:
        raise ValueError(f"discriminator pre-training steps N must be an integer from 0 to 100000 (got {n_d_steps!r}).")
    trainer = build_toy_gan(data, train, toy, init_in_data_units=False)  # G starts near 0, far from the data
    trainer.discriminator_steps(int(n_d_steps))
    return trainer.state_dict()


def first_below(iterations, values, threshold: float) -> int | None:
    """First iteration at which `values` is below `threshold`, or None if never."""
    values = np.asarray(values, dtype=float)
    hits = np.flatnonzero(values < threshold)
    return int(np.asarray(iterations)[hits[0]]) if hits.size else None


class CostRace:
    """Runs that share a start and differ only in `generator_cost`, advanced together."""

    def __init__(self, data: Distribution1D, costs=("saturating", "non_saturating"),
                 train: TrainConfig = TrainConfig(), toy: ToyConfig = ToyConfig(),
                 n_d_steps: int = 500, start_state: dict | None = None, js_every: int = JS_EVERY):
        for cost in costs:
            if cost not in GENERATOR_COSTS:
                raise ValueError(f"generator cost must be one of {list(GENERATOR_COSTS)} (got {cost!r}).")
        if start_state is None:
            start_state = strong_discriminator_start(data, train, toy, n_d_steps)
        self.data, self.costs, self.js_every = data, tuple(costs), int(js_every)
        # the pre-training D steps stay out of the race's history: the race starts at 0
        start = {**start_state, "history": {name: [] for name in start_state["history"]}}
        self.runs: list[GANTrainer] = []
        for cost in self.costs:
            trainer = build_toy_gan(data, train, toy, init_in_data_units=False)  # G starts near 0, far from the data
            trainer.load_state_dict(start)               # same weights, optimizer state, RNG
            trainer.set_config(generator_cost=cost)      # ... and the one difference
            self.runs.append(trainer)
        self.pretrain_d_steps = self.runs[0].d_steps
        q = (np.arange(RUG_SIZE) + 0.5) / RUG_SIZE
        self.rug_z = self.runs[0].noise_dist.ppf(q)      # (RUG_SIZE,) quantiles of p_z
        self.js_iteration: list[int] = []
        self.js: list[list[float]] = [[] for _ in self.costs]
        self._record_js()

    @property
    def iteration(self) -> int:
        return self.runs[0].iteration

    @property
    def config(self) -> TrainConfig:
        return self.runs[0].config

    def set_config(self, **changes) -> TrainConfig:
        """k, learning rates, optimizer, momentum: applied to every run in place."""
        if "generator_cost" in changes:
            raise ValueError("the generator cost is what the runs compare: start a new race to change it.")
        replace(self.config, **changes)  # validate once, before any run changes
        for run in self.runs:
            run.set_config(**changes)
        return self.config

    def step(self, iterations: int) -> None:
        """Advance every run by `iterations` Algorithm-1 iterations, JS recorded every `js_every`.

        If one run diverges, every run is rolled back to the start of the failing chunk (they
        stay in lockstep) and TrainingDiverged is raised, its message naming the run.
        """
        left = int(iterations)
        while left > 0:
            chunk = min(left, self.js_every - self.iteration % self.js_every)
            self._step_chunk(chunk)
            left -= chunk
            if self.iteration % self.js_every == 0:
                self._record_js()

    def _step_chunk(self, n: int) -> None:
        snapshots = [run.snapshot() for run in self.runs]
        lengths = [len(run.history["iteration"]) for run in self.runs]
        for i, run in enumerate(self.runs):
            try:
                run.train(n)
            except TrainingDiverged as exc:
                for other, snap, length in zip(self.runs, snapshots, lengths):
                    kept = {k: v[:length].tolist() for k, v in other.history.items()}
                    other.load_state_dict({**snap, "history": kept})
                report = {**exc.report, "run": i, "cost": self.costs[i],
                          "message": f"Run {'AB'[i] if i < 2 else i + 1} ({self.costs[i]}): {exc.report['message']}"}
                raise TrainingDiverged(report) from None

    def _record_js(self) -> None:
        self.js_iteration.append(self.iteration)
        for i, run in enumerate(self.runs):
            self.js[i].append(grid_estimates(run, self.data, n_grid=401, n_samples=JS_SAMPLES).js)

    # ---- what the page reads
    def history(self, i: int) -> dict[str, np.ndarray]:
        return {k: np.asarray(v, dtype=float) for k, v in self.runs[i].history.items()}

    def rug(self, i: int) -> np.ndarray:
        """D(G(z)) of run i on the fixed stratified noise: where its fakes sit on the cost curves."""
        run = self.runs[i]
        return discriminator_on(run, generator_map(run, self.rug_z))

    def estimates(self, i: int, n_samples: int = 20_000):
        return grid_estimates(self.runs[i], self.data, n_samples=n_samples)
