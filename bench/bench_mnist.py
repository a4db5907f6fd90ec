"""MNIST GAN speed and quality after the same wall-clock budget: ours vs the canonical DCGAN loop.

    .venv/bin/python bench/bench_mnist.py [--seconds 60] [--threads 2] [--runs reference,default,dcgan,mlp]

Every run trains from scratch on the 4,000 embedded training digits for ``--seconds`` of wall
clock, then 1,000 samples are scored by ``gan_core.mnist.metrics.evaluate_samples`` (classifier FID
next to the real-data floor, share classified with confidence >= 0.9, class histogram). Each
run is its own subprocess, so the peak RSS (``resource.getrusage``) is per run.

* ``reference``: pytorch/examples ``dcgan/main.py`` written out plainly below, adapted from
  64x64 to 28x28 (one fewer up/down-sampling), with its settings: nz 100, ngf = ndf = 64,
  Adam lr 2e-4 β1 0.5, batch 64, BCELoss, its weight init, shuffled epochs.
* ``default``: ``build_mnist_trainer()`` with its defaults (what ``python -m gan_core train`` uses).
* ``dcgan`` (the default until the cGAN beat it), ``dcgan32``, ``cgan``, ``cgan64``, ``mlp``: our models with the settings in RUNS.

The target on 2 CPU cores: >= 80 % confident, every class >= 5 %, FID <= 4x the floor, RSS <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[1]

RUNS = {  # name -> (model config expression, TrainConfig expression); evaluated in run_ours
    "default": (None, None),
    "dcgan": ("DCGANConfig(ngf=16, ndf=16)", "TrainConfig(lr_d=1e-3, lr_g=1e-3, batch_size=64)"),
    "dcgan32": ("DCGANConfig(ngf=32, ndf=32)", "TrainConfig(lr_d=5e-4, lr_g=5e-4, batch_size=64)"),
    "cgan": ("CGANConfig(ngf=16, ndf=16)", "TrainConfig(lr_d=5e-4, lr_g=5e-4, batch_size=32)"),
    "cgan64": ("CGANConfig(ngf=16, ndf=16)", "TrainConfig(lr_d=5e-4, lr_g=5e-4, batch_size=64)"),
    "mlp": ("MLPGANConfig()", "TrainConfig(lr_d=5e-4, lr_g=5e-4, batch_size=128)"),
}


# ----------------------------------------------------------------------------- the reference, plainly

class RefGenerator(nn.Module):
    def __init__(self, nz=100, ngf=64, nc=1):
        super().__init__()
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # state size. (ngf*4) x 7 x 7
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 14 x 14
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # state size. (nc) x 28 x 28
        )

    def forward(self, input):
        return self.main(input)


class RefDiscriminator(nn.Module):
    def __init__(self, ndf=64, nc=1):
        super().__init__()
        self.main = nn.Sequential(
            # input is (nc) x 28 x 28
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 14 x 14
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 7 x 7
            nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


def run_reference(seconds: float, device: str = "cpu") -> dict:
    from gan_core.mnist.data import embedded_split, to_tensor
    torch.manual_seed(0)
    nz, batch_size = 100, 64
    data = to_tensor(embedded_split().train_images).to(device)
    netG, netD = RefGenerator(nz).to(device), RefDiscriminator().to(device)
    netG.apply(weights_init)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    real_label, fake_label = 1., 0.
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    iters, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = torch.randperm(len(data), device=device)        # one epoch, shuffled (DataLoader)
        for i in range(0, len(data) - batch_size + 1, batch_size):
            real_cpu = data[order[i:i + batch_size]]
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            netD.zero_grad()
            b_size = real_cpu.size(0)
            label = torch.full((b_size,), real_label, dtype=real_cpu.dtype, device=device)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            noise = torch.randn(b_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            optimizerD.step()
            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            optimizerG.step()
            iters += 1
            if time.perf_counter() - start >= seconds:
                break
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    netG.eval()
    with torch.no_grad():
        samples = netG(torch.randn(1000, nz, 1, 1, generator=torch.Generator().manual_seed(0)).to(device)).cpu()
    return {"iterations": iters, "seconds": elapsed, "samples": samples, "batch_size": batch_size,
            "settings": "DCGAN ngf=ndf=64, nz=100, Adam 2e-4, batch 64"}


# ----------------------------------------------------------------------------- ours

def run_ours(name: str, seconds: float, device: str = "cpu") -> dict:
    from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN, build_mnist_trainer, sample_images, train_for
    from gan_core.mnist.models import CGANConfig, DCGANConfig, MLPGANConfig  # noqa: F401  (used by eval)
    from gan_core.trainer import TrainConfig  # noqa: F401
    model_expr, train_expr = RUNS[name]
    model = eval(model_expr) if model_expr else DEFAULT_MODEL
    train = eval(train_expr) if train_expr else MNIST_TRAIN
    trainer = build_mnist_trainer(model, train, device=device)
    train_for(trainer, iterations=20)            # warm-up outside the budget (CUDA context, kernels)
    stats = train_for(trainer, seconds=seconds)
    settings = (f"{model.kind} " + ", ".join(f"{k}={v}" for k, v in vars(model).items())
                + f"; lr {train.lr_d:g}/{train.lr_g:g}, batch {train.batch_size}, k {train.k}")
    return {"iterations": stats["iterations"], "seconds": stats["seconds"], "batch_size": train.batch_size,
            "samples": sample_images(trainer.G, model, 1000, seed=0), "settings": settings}


def one_run(name: str, seconds: float, threads: int, device: str = "cpu") -> dict:
    torch.set_num_threads(threads)
    from gan_core.mnist.metrics import evaluate_samples
    from gan_core.mnist.data import load_embedded_digits
    load_embedded_digits()  # parse / cache outside the timed budget
    if device == "cuda":
        torch.zeros(1, device=device)  # create the CUDA context outside the budget
    out = run_reference(seconds, device) if name == "reference" else run_ours(name, seconds, device)
    r = evaluate_samples(out.pop("samples"))
    target = (r.confident_share >= 0.8 and min(r.class_shares) >= 0.05 and r.fid <= 4 * r.fid_real_floor)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"run": name, "device": device, **out, "iterations_per_s": out["iterations"] / out["seconds"],
            "samples_per_s": out["iterations"] * out["batch_size"] / out["seconds"],
            "fid": r.fid, "fid_floor": r.fid_real_floor, "confident_share": r.confident_share,
            "min_class_share": min(r.class_shares), "classes_present": r.classes_present,
            "target_met": bool(target and rss_mb <= 1536), "peak_rss_mb": rss_mb}


def table(rows: list[dict]) -> str:
    head = ("| run | device | settings | it/s | samples/s | iterations | FID (floor) | confident ≥0.9 | min class | "
            "target | peak RSS |\n|---|---|---|---:|---:|---:|---:|---:|---:|:---:|---:|")
    lines = [f"| {r['run']} | {r['device']} | {r['settings']} | {r['iterations_per_s']:.1f} | {r['samples_per_s']:.0f} | "
             f"{r['iterations']} | {r['fid']:.1f} ({r['fid_floor']:.1f}) | {100 * r['confident_share']:.1f} % | "
             f"{100 * r['min_class_share']:.1f} % | {'yes' if r['target_met'] else 'no'} | {r['peak_rss_mb']:.0f} MB |"
             for r in rows]
    return "\n".join([head, *lines])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="torch threads per run (default: one per core, as the CLI; 1 avoids stalls on a loaded machine)")
    p.add_argument("--runs", default="reference,default,dcgan,mlp")
    p.add_argument("--devices", default="cpu",
                   help="comma-separated: cpu, cuda. With both, every run is timed on each, one after the other, "
                        "and the CUDA / CPU speed ratio is printed")
    p.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one in this process, print JSON
    p.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.one, args.seconds, args.threads, args.device)))
        return
    rows = []
    devices = args.devices.split(",")
    for name in args.runs.split(","):
        if name != "reference" and name not in RUNS:
            raise SystemExit(f"unknown run {name!r}; choose from reference, {', '.join(RUNS)}")
        for device in devices:
            done = subprocess.run([sys.executable, __file__, "--one", name, "--seconds", str(args.seconds),
                                   "--threads", str(args.threads), "--device", device],
                                  capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                raise SystemExit(f"run {name} on {device} failed:\n{done.stderr[-2000:]}")
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{name} on {device}: done", file=sys.stderr, flush=True)
    gpu = f", {torch.cuda.get_device_name()}" if "cuda" in devices else ""
    print(f"\n{args.seconds:g} s per run, {args.threads} CPU threads, torch {torch.__version__}{gpu}\n")
    print(table(rows))
    if len(devices) > 1:
        by = {(r["run"], r["device"]): r["iterations_per_s"] for r in rows}
        print("\nspeed ratio (it/s) " + " / ".join(devices[1:]) + f" vs {devices[0]}: " + "; ".join(
            f"{name} " + ", ".join(f"{by[(name, d)] / by[(name, devices[0])]:.1f}x" for d in devices[1:])
            for name in args.runs.split(",")))


if __name__ == "__main__":
    main()
