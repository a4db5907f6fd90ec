"""`python -m gan_core toy`: train the 1-D toy GAN headless and print one JSON line.

Added to the one command line by gan_core/cli.py.

    python -m gan_core toy --data Gaussian --k 1 --lr-d 2e-3 --lr-g 5e-4 --cost non_saturating --seconds 3
"""
from __future__ import annotations

import argparse
import json
import time

import torch

from gan_core.toy.distributions import PRESETS, preset
from gan_core.losses import GENERATOR_COSTS
from gan_core.toy.game import ToyConfig, build_toy_gan, grid_estimates
from gan_core.trainer import TrainConfig, TrainingDiverged

DEFAULTS = TrainConfig()


def add_toy_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("toy", help="train the 1-D toy GAN and print a JSON summary",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="Gaussian", choices=list(PRESETS), help="data preset (default: Gaussian)")
    p.add_argument("--noise", default=ToyConfig().noise, choices=["normal", "uniform"])
    p.add_argument("--k", type=int, default=DEFAULTS.k, help="discriminator steps per generator step")
    p.add_argument("--lr-d", type=float, default=DEFAULTS.lr_d)
    p.add_argument("--lr-g", type=float, default=DEFAULTS.lr_g)
    p.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
    p.add_argument("--cost", default=DEFAULTS.generator_cost, choices=list(GENERATOR_COSTS))
    p.add_argument("--optimizer", default=DEFAULTS.optimizer, choices=["adam", "sgd"])
    p.add_argument("--width", type=int, default=ToyConfig().width)
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="number of iterations (k D steps + 1 G step each)")
    budget.add_argument("--seconds", type=float, help="wall-clock budget in seconds (default 3)")
    p.set_defaults(func=run_toy)
    return p


def run_toy(args, argv=None) -> dict:
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    data = preset(args.data)
    try:
        train = TrainConfig(k=args.k, lr_d=args.lr_d, lr_g=args.lr_g, batch_size=args.batch_size,
                            generator_cost=args.cost, optimizer=args.optimizer, seed=args.seed)
        toy = ToyConfig(width=args.width, noise=args.noise)
    except ValueError as e:
        raise SystemExit(f"error: {e}")
    trainer = build_toy_gan(data, train, toy)
    seconds = args.seconds if args.seconds is not None else (None if args.steps else 3.0)
    diverged = None
    t0 = time.perf_counter()
    try:
        if seconds is None:
            done = 0
            while done < args.steps:
                n = min(500, args.steps - done)
                trainer.train(n)
                done += n
        else:
            while time.perf_counter() - t0 < seconds:
                trainer.train(100)
    except TrainingDiverged as e:
        diverged = e.report["message"]
    elapsed = time.perf_counter() - t0
    est = grid_estimates(trainer, data)
    result = {
        "data": args.data, "k": args.k, "lr_d": args.lr_d, "lr_g": args.lr_g, "cost": args.cost,
        "seed": args.seed,
        "iterations": trainer.iteration,
        "iterations_per_s": round(trainer.iteration / elapsed, 1) if elapsed > 0 else None,
        "seconds": round(elapsed, 3),
        "final_js_nats": round(est.js, 6),
        "max_abs_d_minus_d_star_on_data": round(est.max_abs_d_minus_d_star, 4),
        "mean_abs_d_minus_d_star_on_data": round(est.mean_abs_d_minus_d_star, 4),
        "mean_d_on_data": round(est.mean_d_on_data, 4),
        "diverged": diverged,
    }
    print(json.dumps(result))
    return result
