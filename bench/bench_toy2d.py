"""2-D toy GAN speed, side by side in one run: the core's trainer vs a plain textbook PyTorch loop.

    .venv/bin/python -m bench.bench_toy2d [--seconds 1] [--rounds 9]

Both train the same sizes as the 2-D page's defaults (ring of 8 Gaussians, 2-D normal noise,
G and D: 2 hidden layers of width 64, LeakyReLU 0.2, Adam(β1 = 0.5), k = 1, batch m = 128),
single-threaded as on the page. The plain loop is bench/bench_toy.py's, with BCEWithLogits on
D's logit (as the core computes its losses). Rounds alternate (plain, core, ...) and are short,
so background load hits both alike: the ratio reported is the median of each round's
core/plain (on a shared machine a single core's speed moves by tens of per cent within
seconds; the paired ratio moves far less than either rate).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn as nn

from gan_core.toy2d.data import preset
from gan_core.toy2d.game import build_toy2d_gan
from gan_core.trainer import TrainConfig

WIDTH, M = 64, 128


def plain_loop(seconds: float) -> float:
    """The textbook loop (PyTorch DCGAN example style) for Algorithm 1 with k = 1, in 2-D."""
    torch.manual_seed(0)
    ring = preset("Ring of 8 Gaussians")
    rng = np.random.default_rng(0)
    pool = torch.from_numpy(ring.sample(1 << 16, rng).astype(np.float32))  # data drawn ahead, as the core does

    def mlp(n_in, n_out):
        return nn.Sequential(nn.Linear(n_in, WIDTH), nn.LeakyReLU(0.2), nn.Linear(WIDTH, WIDTH), nn.LeakyReLU(0.2),
                             nn.Linear(WIDTH, n_out))

    netG, netD = mlp(2, 2), mlp(2, 1)
    optD = torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=5e-4, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    real_label, fake_label = torch.ones(M, 1), torch.zeros(M, 1)
    pos = [0]

    def iteration():
        i = pos[0] = (pos[0] + M) % (len(pool) - M)
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        errD_real = criterion(netD(pool[i:i + M]), real_label)
        fake = netG(torch.randn(M, 2))
        errD_fake = criterion(netD(fake.detach()), fake_label)
        (errD_real + errD_fake).backward()
        optD.step()
        # (2) Update G: maximize log(D(G(z)))
        netG.zero_grad()
        errG = criterion(netD(netG(torch.randn(M, 2))), real_label)
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


def core_loop(seconds: float, fast_path: bool = True) -> float:
    trainer = build_toy2d_gan(preset("Ring of 8 Gaussians"), TrainConfig(), fast_path=fast_path)
    trainer.train(50)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.train(50)
        n += 50
    return n / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    torch.set_num_threads(1)
    plain, core, autograd = [], [], []
    for _ in range(args.rounds):
        plain.append(plain_loop(args.seconds))
        core.append(core_loop(args.seconds))
        autograd.append(core_loop(args.seconds, fast_path=False))
    p, c, a = statistics.median(plain), statistics.median(core), statistics.median(autograd)
    ratio = [x / y for x, y in zip(core, plain)]
    ratio_a = [x / y for x, y in zip(autograd, plain)]
    print("rounds, it/s: plain", [round(x) for x in plain], "core", [round(x) for x in core],
          "core via autograd", [round(x) for x in autograd])
    print("core/plain per round", [round(x, 2) for x in ratio])
    print("| loop | it/s (median) | median of the rounds' ratios to plain |")
    print("|---|---:|---:|")
    print(f"| plain textbook loop | {p:,.0f} | 1.00× |")
    print(f"| gan_core trainer, autograd (fast_path=False) | {a:,.0f} | {statistics.median(ratio_a):.2f}× |")
    print(f"| gan_core trainer, hand-written backprop | {c:,.0f} | **{statistics.median(ratio):.2f}×** |")


if __name__ == "__main__":
    main()
