"""Which live-MNIST settings give the best digits after 15, 30 and 60 s? Medians over seeds.

    .venv/bin/python bench/sweep_seeds.py rate                   # iterations in 15/30/60 s, 2 threads
    .venv/bin/python bench/sweep_seeds.py sweep --iterations 430,870,1750 --seeds 5
    .venv/bin/python bench/sweep_seeds.py table                  # medians and spreads as Markdown

One GAN run says little: the same command and seed lands anywhere in a wide band, because a
run stops wherever its time ends and GAN quality wanders from iteration to iteration. So every
candidate is trained from scratch with each of ≥ 5 seeds and compared on the median.

``rate`` measures how many iterations the default model does in 15, 30 and 60 s on this machine
through the CLI's loop (``train_for`` in chunks of 10, torch threads = cores, the EMA updated
after each chunk), as `python -m gan_core train --seconds 60` runs it. Run it once, on a machine
as quiet as possible. ``sweep`` then trains each candidate's settings to those iteration counts
with 1 torch thread per run (quality after a number of iterations does not depend on threads),
at most ``--jobs`` runs at a time, in rounds: round r trains every candidate with seed r, so load
from other processes hits all candidates alike. Each run scores G itself ("raw") and averaged
generators (EMA decays, some with warm-up) at each count on 2,000 samples: the project's FID
(classifier features, against the training digits; real held-out digits score the floor), the
confident share (p >= 0.9) and the smallest class share. A candidate is a training setting
together with the weights sampled (raw or an EMA); the EMA does not change training, so one run
scores all of a setting's generators. Results are appended as JSON lines to ``--out``; a rerun
skips the (setting, seed) pairs already there, so an interrupted sweep resumes.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "sweep_seeds.jsonl"
SECONDS = (15, 30, 60)

# Training settings (cGAN ngf = ndf = 16, batch 64, k = 1, non-saturating cost, as the defaults).
SETTINGS = {
    "default": dict(lr_d=5e-4, lr_g=5e-4, beta1=0.5),        # the defaults before this sweep
    "ttur2": dict(lr_d=1e-3, lr_g=5e-4, beta1=0.5),          # two time scales: D learns 2x faster
    "ttur4": dict(lr_d=2e-3, lr_g=5e-4, beta1=0.5),          # 4x
    "ttur2_b0": dict(lr_d=1e-3, lr_g=5e-4, beta1=0.0),       # 2x with Adam beta1 = 0 (SAGAN, BigGAN)
    "ttur2_fast": dict(lr_d=2e-3, lr_g=1e-3, beta1=0.5),     # 2x at twice the step sizes
}
# Generators scored in each run: G itself and averages of its weights. A 60-s run does ~2,000
# iterations: decay 0.99 remembers ~100 of them, 0.995 ~200; 0.999 (~1,000) only with warm-up,
# without which a 15-s run's average would still be 60 % the random initial weights.
GENERATORS = {"raw": None, "ema0.99": (0.99, False), "ema0.995": (0.995, False), "ema0.999w": (0.999, True)}
EVAL_N = 2000


def measure_rate(args) -> dict:
    """Iterations the default cGAN reaches at 15, 30 and 60 s through the CLI's training loop."""
    import torch

    from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN, GeneratorEMA, build_mnist_trainer, train_for
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    rows = []
    for setting in args.settings.split(","):
        train = MNIST_TRAIN if setting == "current" else _train_config(setting, 0)
        trainer = build_mnist_trainer(DEFAULT_MODEL, train, device="cpu")
        ema = GeneratorEMA(trainer.G, 0.99)
        marks, start, last = {}, time.perf_counter(), [0]

        def after_chunk(t, done):
            ema.update(t.G, t.iteration - last[0])
            last[0] = t.iteration
            elapsed = time.perf_counter() - start
            for s in SECONDS:
                if s not in marks and elapsed >= s:
                    marks[s] = t.iteration

        train_for(trainer, seconds=max(SECONDS), chunk=10, callback=after_chunk)
        row = {"rate": setting, "threads": torch.get_num_threads(), "iterations_at": marks,
               "load_avg": os.getloadavg()}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def _train_config(setting: str, seed: int):
    from gan_core.trainer import TrainConfig
    return TrainConfig(k=1, batch_size=64, seed=seed, **SETTINGS[setting])


def one_run(setting: str, seed: int, iterations: list[int]) -> dict:
    """Train one setting with one seed (1 thread) and score every generator at each count."""
    import torch

    from gan_core.mnist.metrics import evaluate_samples
    from gan_core.mnist.training import DEFAULT_MODEL, GeneratorEMA, build_mnist_trainer, sample_images
    torch.set_num_threads(1)
    trainer = build_mnist_trainer(DEFAULT_MODEL, _train_config(setting, seed), device="cpu")
    emas = {name: GeneratorEMA(trainer.G, *spec) for name, spec in GENERATORS.items() if spec}
    scores, start, done = {}, time.perf_counter(), 0
    for target in sorted(iterations):
        while done < target:   # chunks of 10 with an EMA update after each, as the CLI and the page
            n = min(10, target - done)
            trainer.train(n)
            done += n
            for ema in emas.values():
                ema.update(trainer.G, n)
        at = {}
        for name in GENERATORS:
            G = trainer.G if name == "raw" else emas[name].G
            r = evaluate_samples(sample_images(G, DEFAULT_MODEL, EVAL_N, seed=10_000 + seed))
            at[name] = {"fid": round(r.fid, 2), "confident": round(r.confident_share, 4),
                        "min_class": round(min(r.class_shares), 4)}
        scores[str(target)] = at
    return {"setting": setting, "seed": seed, "train": SETTINGS[setting], "scores": scores,
            "seconds": round(time.perf_counter() - start, 1), "load_avg": os.getloadavg()}


def sweep(args) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    iterations = [int(s) for s in args.iterations.split(",")]
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            row = json.loads(line)
            if "setting" in row and sorted(map(int, row["scores"])) == sorted(iterations):
                done.add((row["setting"], row["seed"]))
    settings = args.settings.split(",")
    todo = [(s, seed) for seed in range(args.seeds) for s in settings if (s, seed) not in done]  # rounds
    print(f"{len(todo)} runs to do, {len(done)} already in {out}", file=sys.stderr, flush=True)
    running: list[tuple[subprocess.Popen, tuple]] = []
    while todo or running:
        while todo and len(running) < args.jobs:
            job = todo.pop(0)
            cmd = [sys.executable, __file__, "one", job[0], str(job[1]), args.iterations]
            running.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT), job))
        time.sleep(1.0)
        for proc, job in list(running):
            if proc.poll() is None:
                continue
            running.remove((proc, job))
            text = proc.stdout.read().strip()
            if proc.returncode != 0 or not text:
                print(f"run {job} failed (exit {proc.returncode})", file=sys.stderr, flush=True)
                continue
            with out.open("a") as f:
                f.write(text.splitlines()[-1] + "\n")
            print(f"done {job}", file=sys.stderr, flush=True)


def summarise(path: Path, seconds: tuple = SECONDS) -> list[dict]:
    """Per (setting, generator) and count: median and range over seeds of FID, confident, min class.

    The counts are labelled with ``seconds`` (one per count, in order), or by themselves (no seconds)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    runs = [r for r in rows if "setting" in r]
    rate = next((r for r in reversed(rows) if r.get("rate") == "current"), None)
    table = []
    for setting in dict.fromkeys(r["setting"] for r in runs):
        mine = [r for r in runs if r["setting"] == setting]
        counts = sorted(map(int, mine[0]["scores"]))
        for gen in GENERATORS:
            entry = {"setting": setting, "generator": gen, "seeds": len(mine), "at": {}}
            for i, n in enumerate(counts):
                vals = [r["scores"][str(n)][gen] for r in mine]
                stat = {}
                for key in ("fid", "confident", "min_class"):
                    xs = [v[key] for v in vals]
                    stat[key] = (statistics.median(xs), min(xs), max(xs))
                entry["at"][seconds[i] if len(counts) == len(seconds) else n] = {"iterations": n, **stat}
            table.append(entry)
    return table


def print_table(args) -> None:
    labels = tuple(int(x) for x in args.seconds.split(",") if x)
    table = summarise(Path(args.out), labels)
    secs = sorted({s for e in table for s in e["at"]})
    unit = " s" if labels else " it"
    print("| setting | G sampled | seeds | " + " | ".join(f"FID at {s}{unit}" for s in secs) + " | "
          + " | ".join(f"confident at {s}{unit}" for s in secs) + f" | smallest class at {secs[-1]}{unit} |")
    print("|" + "---|" * (3 + 2 * len(secs) + 1))
    for e in sorted(table, key=lambda e: e["at"][secs[-1]]["fid"][0]):
        fid = [f"**{a['fid'][0]:.0f}** ({a['fid'][1]:.0f}–{a['fid'][2]:.0f})" for a in (e["at"][s] for s in secs)]
        conf = [f"{a['confident'][0]:.0%} ({a['confident'][1]:.0%}–{a['confident'][2]:.0%})"
                for a in (e["at"][s] for s in secs)]
        last = e["at"][secs[-1]]["min_class"]
        print(f"| {e['setting']} | {e['generator']} | {e['seeds']} | " + " | ".join(fid) + " | " + " | ".join(conf)
              + f" | {last[0]:.1%} ({last[1]:.1%}–{last[2]:.1%}) |")
    if args.json:
        print(json.dumps(table))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rate", help="iterations in 15/30/60 s through the CLI loop")
    r.add_argument("--threads", type=int, default=0, help="0: one per core, as the CLI")
    r.add_argument("--settings", default="current", help="'current' (the defaults) or sweep settings")
    r.add_argument("--out", default=str(RESULTS))
    s = sub.add_parser("sweep", help="every candidate over seeds, in rounds, resumable")
    s.add_argument("--iterations", required=True, help="the counts `rate` measured at 15,30,60 s")
    s.add_argument("--seeds", type=int, default=5)
    s.add_argument("--settings", default=",".join(SETTINGS))
    s.add_argument("--jobs", type=int, default=2, help="runs at a time (1 thread each)")
    s.add_argument("--out", default=str(RESULTS))
    o = sub.add_parser("one")
    o.add_argument("setting", choices=list(SETTINGS))
    o.add_argument("seed", type=int)
    o.add_argument("iterations")
    t = sub.add_parser("table", help="medians (min–max) per candidate as Markdown")
    t.add_argument("--out", default=str(RESULTS))
    t.add_argument("--json", action="store_true")
    t.add_argument("--seconds", default="15,30,60", help="what the counts stand for ('' : label by iterations)")
    a = p.parse_args(argv)
    if a.command == "rate":
        rows = measure_rate(a)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        with Path(a.out).open("a") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    elif a.command == "sweep":
        sweep(a)
    elif a.command == "one":
        print(json.dumps(one_run(a.setting, a.seed, [int(x) for x in a.iterations.split(",")])), flush=True)
    else:
        print_table(a)


if __name__ == "__main__":
    main()
