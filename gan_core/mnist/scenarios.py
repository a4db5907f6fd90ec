"""Named scenarios for the live MNIST page: one click sets the model, the settings and the seed,
and the phenomenon the scenario names shows by the stated iteration.

``play`` trains a scenario headless with the page's own run class (gan_core.mnist.live.MnistRun)
and measures quality once at the end, as the page's quality meter does; the check reads that
snapshot. ``python -m gan_core.mnist.scenarios`` measures the times again (one torch thread: the
other core serves the page and the class).
"""
from __future__ import annotations

import time

from gan_core.live.runs import SETTINGS
from gan_core.losses import LOG2
from gan_core.mnist.data import EMBEDDED_NAME
from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN
from gan_core.scenarios import Scenario, find, maker
from gan_core.trainer import TrainingDiverged


def _report(snap) -> dict | None:
    q = snap.get("quality")
    return q["report"] if q else None


def _healthy(snap, message) -> bool:
    """FID (classifier features) below 1,000, from about 5,000 at the start, and at least 9 of
    the 10 classes present: recognisable digits of (nearly) every class."""
    r = _report(snap)
    return message is None and r is not None and r["fid"] < 1000 and r["classes_present"] >= 9


def _collapsed(snap, message) -> bool:
    """The class histogram collapses: one class takes ≥ 90 % of the samples; D wins (J⁽ᴰ⁾ far below log 2)."""
    r = _report(snap)
    return r is not None and max(r["class_shares"]) >= 0.9 and float(snap["history"]["d_loss"][-1]) < 0.5 * LOG2


def _diverged(snap, message) -> bool:
    return bool(message) and "diverged" in message and "restored" in message


# The live page's defaults (its model, the embedded digits, the trainer settings it opens on).
MNIST_DEFAULTS = {"model": DEFAULT_MODEL.kind, "data": EMBEDDED_NAME,
                  **{k: getattr(MNIST_TRAIN, k) for k in SETTINGS}}
_mnist = maker("mnist", MNIST_DEFAULTS)


SCENARIOS: tuple[Scenario, ...] = (
    _mnist("Healthy run (conditional GAN)", "Press Start: the grid's blobs turn into strokes, then into one digit "
           "class per row.\nThe quality meter's FID falls and the class histogram fills all ten bars.",
           "FID < 1,000 and ≥ 9 of 10 classes present", _healthy, seed=0, iterations=400, seconds=23),
    _mnist("Mode collapse: the class histogram collapses", "Press Start: an unconditional MLP GAN with G's "
           "learning rate 10 × D's.\nThe grid fills with one shape, the histogram shrinks to one bar, D's loss "
           "drops towards 0.", "one class ≥ 90 % of the samples, J⁽ᴰ⁾ < ½ log 2", _collapsed, seed=0,
           iterations=800, seconds=14, model="mlp", lr_d=5e-4, lr_g=5e-3),
    _mnist("Learning rate far too high: divergence", "Press Start: plain SGD at lr 1 blows the weights up within "
           "a few iterations.\nThe run stops by itself and the message says the last finite weights were restored.",
           "the run diverges and rolls back, with the message", _diverged, seed=0, iterations=100, seconds=0.4,
           model="mlp", optimizer="sgd", lr_d=1.0, lr_g=1.0),
)


def scenarios() -> list[Scenario]:
    return list(SCENARIOS)


def by_name(name: str) -> Scenario:
    return find(SCENARIOS, name)


def run_spec(s: Scenario) -> dict:
    """The spec the page opens for this scenario (see MnistRun)."""
    c = s.settings
    train = {k: c[k] for k in SETTINGS}
    return {"model": c["model"], "data": c["data"], "device": "cpu", "seed": s.seed, "train": train}


def play(s: Scenario, chunk: int = 20) -> tuple[dict, str | None, float]:
    """Train the scenario's run here for ``s.iterations``, then measure quality once. Returns the
    last snapshot, the divergence message (None if none) and the seconds it took."""
    from gan_core.mnist.live import MnistRun
    t0 = time.perf_counter()
    run = MnistRun(run_spec(s))
    message = None
    while run.trainer.iteration < s.iterations:
        try:
            run.trainer.train(min(chunk, s.iterations - run.trainer.iteration))
            run.follow_g()   # the averaged G the page shows and scores follows G, as when the page trains
        except TrainingDiverged as e:
            message = str(e)
            break
    seconds = time.perf_counter() - t0
    run.measure_quality()
    return run.snapshot(), message, seconds


if __name__ == "__main__":
    import torch
    torch.set_num_threads(1)
    for sc in SCENARIOS:
        snap, msg, secs = play(sc)
        r = _report(snap)
        print(f"{sc.name:50s} {secs:6.1f} s  {sc.phenomenon}: {sc.check(snap, msg)}  "
              f"(FID {r['fid']:.0f}, {r['classes_present']} classes, max share {max(r['class_shares']):.2f})", flush=True)
