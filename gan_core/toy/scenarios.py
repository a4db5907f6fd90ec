"""Named scenarios for the lecture: one click sets the 1-D pages' settings and seed, and the
phenomenon the scenario names then shows within the stated number of iterations.

A scenario (gan_core.scenarios.Scenario) is plain data (settings in the trainer's own names, a
seed, what to watch) and a check that reads a run's snapshot. ``play`` trains a scenario
headless in this process, exactly as a page's run would (same run class, same seed), so each
scenario is also a test.

The times were measured on the 2-core development machine while other work shared it
(``python -m gan_core.toy.scenarios`` measures them again); they are for the lecturer,
never asserted.
"""
from __future__ import annotations

import time

import numpy as np

from gan_core.live.runs import SETTINGS
from gan_core.losses import LOG2
from gan_core.scenarios import Scenario, find, maker
from gan_core.toy.cost_race import RACE_DEFAULTS
from gan_core.toy.distributions import DEFAULT_PRESET
from gan_core.toy.game import ToyConfig
from gan_core.trainer import TrainConfig, TrainingDiverged

HALF_LOG2 = 0.5 * LOG2


def mode_masses(snap: dict, split: float = 0.0, density: str = "p_g") -> tuple[float, float]:
    """A density's mass left and right of ``split`` (the valley between two data modes), from
    the snapshot's curve on its grid (p_g by default); the two add up to 1."""
    x, p_g = np.asarray(snap["x"]), np.asarray(snap[density])
    total = np.trapezoid(p_g, x)
    left = np.trapezoid(np.where(x < split, p_g, 0.0), x) / total
    return float(left), float(1.0 - left)


def _collapsed(snap, message) -> bool:
    """The data keep ≥ 40 % on each side of the valley; p_g keeps < 10 % on one of them."""
    return min(mode_masses(snap, density="p_data")) >= 0.4 and min(mode_masses(snap)) < 0.10


def _both_modes(snap, message) -> bool:
    return min(mode_masses(snap)) > 0.35


def _converged(snap, message) -> bool:
    return snap["js"] < 0.02 and message is None


def _diverged(snap, message) -> bool:
    return bool(message) and "diverged" in message and "restored" in message


def _oscillates(snap, message) -> bool:
    """JS never settles: every estimate after the first 200 iterations stays above 0.3 nats,
    and it swings by more than 0.05 between estimates."""
    c = snap["curve"]
    late = np.asarray(c["js"])[np.asarray(c["iteration"]) >= 200]
    return late.size >= 5 and late.min() > 0.3 and np.ptp(late) > 0.05


def _race_js(snap, i) -> float:
    return float(snap["js"][i][-1])


def _a_stalls_b_escapes(snap, message) -> bool:
    """Run A (saturating) still has no overlap with the data (JS at log 2) while run B is past
    half way (JS < ½ log 2)."""
    return _race_js(snap, 0) > 0.99 * LOG2 and _race_js(snap, 1) < HALF_LOG2


def _vanishing_gradient(snap, message) -> bool:
    """A's generator gradient over its first 10 iterations is under a tenth of B's, and A is stuck."""
    a, b = (np.median(h["grad_norm_g"][:10]) for h in snap["history"])
    return a < 0.1 * b and _race_js(snap, 0) > 0.99 * LOG2


# The 1-D page's defaults are the trainer's and the toy nets' own (the page opens on them).
_TRAIN, _TOY = TrainConfig(), ToyConfig()
TOY_DEFAULTS = {"data": DEFAULT_PRESET, "noise": _TOY.noise, "width": _TOY.width,
                **{k: getattr(_TRAIN, k) for k in SETTINGS}}
BIMODAL = "Bimodal mixture (mode collapse)"

_toy = maker("toy", TOY_DEFAULTS)
_race = maker("costs", {k: v for k, v in RACE_DEFAULTS.items() if k != "seed"})  # a scenario names its seed


SCENARIOS: tuple[Scenario, ...] = (
    _toy("Healthy run", "Press Play: p_g (green) slides onto p_data and D flattens to ½ everywhere.\n"
         "JS falls towards 0 and both losses settle on their log 2 lines.",
         "JS(p_data‖p_g) < 0.02 nats", _converged, seed=0, iterations=500, seconds=5),
    _toy("Bimodal data, both modes kept", "Press Play: p_g first covers the valley, then splits into two bumps.\n"
         "Compare with the next scenario: same data, a generator too narrow to split.",
         "each mode keeps > 35 % of p_g's mass", _both_modes, seed=0, iterations=1000, seconds=2, data=BIMODAL),
    _toy("Mode collapse", "Press Play: a 2-unit-wide generator puts nearly all its mass on the right-hand mode.\n"
         "D* (red) rises to 1 on the abandoned mode: D sees it is never faked, yet G cannot move mass there.",
         "one mode keeps < 10 % of p_g's mass", _collapsed, seed=6, iterations=1000, seconds=2, data=BIMODAL,
         width=2),
    _toy("Learning rate too high: oscillation", "Press Play: SGD at lr 0.2 overshoots each time; p_g jumps "
         "back and forth around p_data.\nThe JS chart swings and never settles near 0.",
         "JS stays above 0.3 nats and swings", _oscillates, seed=0, iterations=1500, seconds=3,
         optimizer="sgd", lr_d=0.2, lr_g=0.2),
    _toy("Learning rate far too high: divergence", "Press Play: SGD at lr 1 blows a weight up at once.\n"
         "The run stops and the message says the last finite weights were restored (rollback).",
         "the run diverges and rolls back, with the message", _diverged, seed=0, iterations=100, seconds=0.5,
         optimizer="sgd", lr_d=1.0, lr_g=1.0),
    _race("Strong D, saturating cost: vanishing gradient", "D trained 3,000 steps first. Press Play: run A's "
          "gradient (left chart, log scale) sits far below run B's.\nA's JS stays at log 2 (no overlap) for the "
          "whole run: log(1 − D(G(z))) is flat where D(G(z)) ≈ 0.",
          "A's gradient < 0.1 × B's at the start; A's JS still at log 2", _vanishing_gradient, seed=0,
          iterations=1000, seconds=9, n_pre=3000),
    _race("Non-saturating cost rescues a strong-D start", "Same start for both runs. Press Play: run B "
          "(−log D(G(z))) gets a large gradient and its p_g reaches the data.\nRun A (saturating) is still at "
          "JS = log 2 when B's JS is below ½·log 2.",
          "B's JS < ½ log 2 while A's is still log 2", _a_stalls_b_escapes, seed=0, iterations=200, seconds=2),
    _race("k too large", "k = 20 D steps per G step and no pre-training: D becomes strong by itself.\n"
          "Saturating run A never gets going (JS at log 2); non-saturating run B still escapes.",
          "A's JS still at log 2, B's < ½ log 2", _a_stalls_b_escapes, seed=0, iterations=300, seconds=11,
          n_pre=0, k=20),
)


def scenarios(page: str) -> list[Scenario]:
    return [s for s in SCENARIOS if s.page == page]


def by_name(name: str) -> Scenario:
    return find(SCENARIOS, name)


def run_spec(s: Scenario) -> tuple[str, dict]:
    """The run kind and spec a page opens for this scenario (see ToyRun, CostRaceRun)."""
    from gan_core.toy.distributions import Shifted, preset
    c = s.settings
    if s.page == "toy":
        train = {k: c[k] for k in SETTINGS}
        return "toy", {"data": preset(c["data"]), "noise": c["noise"], "width": c["width"], "seed": s.seed,
                       "train": train}
    train = {k: c[k] for k in ("k", "lr_d", "lr_g", "optimizer")}
    return "race", {"data": Shifted(preset(c["data"]), c["shift"]), "costs": (c["cost_a"], c["cost_b"]),
                    "n_pre": c["n_pre"], "seed": s.seed, "train": train}


def play(s: Scenario, chunk: int = 50) -> tuple[dict, str | None, float]:
    """Train the scenario's run here for ``s.iterations``, a snapshot per chunk (as a page takes
    them while it plays). Returns the last snapshot, the divergence message (None if none) and
    the seconds it took."""
    from gan_core.live.host import run_class
    kind, spec = run_spec(s)
    t0 = time.perf_counter()
    run = run_class(kind)(spec)
    message = None
    snap = run.snapshot()
    while snap["iteration"] < s.iterations:
        n = min(chunk, s.iterations - snap["iteration"])
        try:
            run.race.step(n) if kind == "race" else run.trainer.train(n)
        except TrainingDiverged as e:
            message = str(e)
            snap = run.snapshot()
            break
        snap = run.snapshot()
    return snap, message, time.perf_counter() - t0


if __name__ == "__main__":
    import torch
    torch.set_num_threads(1)
    for sc in SCENARIOS:
        snap, msg, seconds = play(sc)
        print(f"{sc.page:5s} {sc.name:50s} {seconds:6.1f} s  {sc.phenomenon}: {sc.check(snap, msg)}", flush=True)
