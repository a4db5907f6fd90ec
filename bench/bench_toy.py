"""Toy-GAN speed, side by side in one run: the core's trainer vs a plain textbook PyTorch loop.

    .venv/bin/python bench/bench_toy.py [--seconds 2] [--rounds 3]

Both train the same sizes (1-D data N(2, 0.5²), normal noise, G and D: 2 hidden layers of
width 32, LeakyReLU 0.2, Adam(β1 = 0.5), k = 1, batch m = 128), single-threaded as on the
page. Rounds alternate (plain, core, plain, core, ...) so background load hits both alike;
the median of the rounds is reported. Then the canonical case: default settings from a
fresh seed until JS(p_d||p_g) < 0.01 nats and E_{x~p_d}|D(x) - ½| < 0.05, checked every 250
iterations on the grid estimates (the checks' time counts against the budget).
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import torch.nn as nn

from gan_core.toy.distributions import preset  # noqa: E402
from gan_core.toy.game import ToyConfig, build_toy_gan, canonical_reached, grid_estimates  # noqa: E402
from gan_core.trainer import TrainConfig  # noqa: E402


def plain_loop(seconds: float) -> float:
    """The textbook loop (PyTorch DCGAN example style) for Algorithm 1 with k = 1."""
    torch.manual_seed(0)

    def mlp(last=None):
        layers = [nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1)]
        return nn.Sequential(*layers, *([last] if last else []))

    netG, netD = mlp(), mlp(nn.Sigmoid())
    optD = torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=5e-4, betas=(0.5, 0.999))
    criterion, m = nn.BCELoss(), 128
    real_label, fake_label = torch.ones(m, 1), torch.zeros(m, 1)

    def iteration():
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        x = torch.randn(m, 1) * 0.5 + 2.0
        errD_real = criterion(netD(x), real_label)
        fake = netG(torch.randn(m, 1))
        errD_fake = criterion(netD(fake.detach()), fake_label)
        (errD_real + errD_fake).backward()
        optD.step()
        # (2) Update G: maximize log(D(G(z)))
        netG.zero_grad()
        errG = criterion(netD(netG(torch.randn(m, 1))), real_label)
        errG.backward()
        optG.step()
        return errD_real.item(), errG.item()

    for _ in range(50):
        iteration()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            iteration()
        n += 50
    return n / (time.perf_counter() - t0)


def core_loop(seconds: float) -> float:
    trainer = build_toy_gan(preset("Gaussian"), TrainConfig())
    trainer.train(50)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.train(50)
        n += 50
    return n / (time.perf_counter() - t0)


def canonical(seed: int, budget: float = 3.0) -> dict:
    data = preset("Gaussian")
    trainer = build_toy_gan(data, TrainConfig(seed=seed), ToyConfig())
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < budget:
        trainer.train(250)
        est = grid_estimates(trainer, data)
        if canonical_reached(est):
            return {"seed": seed, "reached": True, "seconds": round(time.perf_counter() - t0, 2),
                    "iterations": trainer.iteration, "js": round(est.js, 5),
                    "mean_abs_d_minus_half": round(est.mean_abs_d_minus_half, 4)}
    return {"seed": seed, "reached": False, "seconds": budget, "iterations": trainer.iteration,
            "js": round(est.js, 5), "mean_abs_d_minus_half": round(est.mean_abs_d_minus_half, 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    plain, core = [], []
    for _ in range(args.rounds):
        plain.append(plain_loop(args.seconds))
        core.append(core_loop(args.seconds))
    p, c = statistics.median(plain), statistics.median(core)
    print(f"| plain textbook loop | {p:,.0f} it/s | 1.00× |")
    print(f"| gan_core trainer    | {c:,.0f} it/s | {c / p:.2f}× |")
    runs = [canonical(s) for s in range(args.seeds)]
    for r in runs:
        print(json.dumps(r))
    ok = sum(r["reached"] for r in runs)
    print(f"canonical case reached within 3 s: {ok}/{len(runs)} seeds; "
          f"median time {statistics.median(r['seconds'] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
