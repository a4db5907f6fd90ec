"""Where a class's runs train: the pool's workers, no browser, each admitted run against its fair share.

    python -m bench.bench_placement [--rounds 3] [--seconds 12]

Run from the repository root. Per round, in one process: a RunPool with two workers (the default on
this 2-core machine) and the default capacity (8: a toy run weighs 1, an MNIST run 4), then

- the reference: one toy run, then one MNIST run, each alone in the pool for 6 s (its it/s);
- the class: 12 runs opened in an order that piles the toy runs on one worker when runs are placed
  by weight as they open (toy, MNIST, toy ×6, MNIST ×3, toy), all pressed Play in that order; the
  first five (four toy runs and an MNIST run: 8 units) are admitted. Each admitted run's page is
  stood in for by reads of its view 4 times a second (as a playing page's redraws would), and its
  it/s is measured over ``--seconds``.

A run's fair share: its kind's rate alone x min(1, cores / admitted runs). The MNIST reference
trains with both cores' threads (a lone busy worker gets them all) and in the class with one, so its
ratio is the lower bound. Prints one JSON line per round: each admitted run's kind, the worker it
trained on (0 or 1) and its rate / fair share. Measures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import time

from gan_core.live.pool import RunPool
from gan_core.toy.distributions import preset

SPECS = {"toy": lambda i: {"data": preset("Gaussian"), "seed": i},
         "mnist": lambda i: {"model": "cgan", "data": "embedded", "seed": i}}
ORDER = ["toy", "mnist", "toy", "toy", "toy", "toy", "toy", "toy", "mnist", "mnist", "mnist", "toy"]


def rates(handles, seconds: float) -> dict[str, float]:
    """Iterations per second of each run, read as a page would: its view, 4 times a second."""
    def iteration(h):
        return (h.view().snapshot or {}).get("iteration", 0)

    for _ in range(8):   # 2 s to settle (the first chunks size themselves)
        [iteration(h) for h in handles]
        time.sleep(0.25)
    start, t0 = {h.id: iteration(h) for h in handles}, time.time()
    while time.time() - t0 < seconds:
        [iteration(h) for h in handles]
        time.sleep(0.25)
    dt = time.time() - t0
    return {h.id: (iteration(h) - start[h.id]) / dt for h in handles}


def one_round(seconds: float) -> dict:
    pool = RunPool(hosts=2, heartbeat_timeout=60.0)
    try:
        time.sleep(5)    # the workers import torch
        alone = {}
        for kind in ("toy", "mnist"):
            h = pool.open(kind, SPECS[kind](99))
            h.play()
            alone[kind] = rates([h], 6.0)[h.id]
            h.close()
        handles = [pool.open(kind, SPECS[kind](i)) for i, kind in enumerate(ORDER)]
        for h in handles:
            h.play()
        playing = [h for h in handles if h.view().state == "playing"]
        measured = rates(playing, seconds)
        pids = sorted({h.host_pid() for h in playing})
        share = min(1.0, pool.cores / len(playing))
        return {"alone_it_s": alone,
                "runs": [{"kind": h.kind, "worker": pids.index(h.host_pid()),
                          "it_s": round(measured[h.id], 2),
                          "vs_fair": round(measured[h.id] / (alone[h.kind] * share), 3)} for h in playing]}
    finally:
        pool.shutdown()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=12.0)
    args = ap.parse_args(argv)
    for _ in range(args.rounds):
        print(json.dumps(one_round(args.seconds)), flush=True)


if __name__ == "__main__":
    main()
