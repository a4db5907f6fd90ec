"""What does a classifier-feature FID of 50, 300 or 1,000 mean? Real digits, slightly spoiled.

    .venv/bin/python bench/calibrate_fid.py

Scores the 1,000 held-out real digits (the real-data floor) and copies of them with one
small, known change each (pixel noise, a 1-pixel shift, a 3x3 blur, grey background,
thicker strokes), with exactly the metric the app shows (``gan_core.mnist.metrics.evaluate_samples``).
The classifier still reads almost all of them as confident digits; the FID shows how
strongly it reacts to low-level image statistics. Prints one JSON line per case.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F

from gan_core.mnist.metrics import evaluate_samples  # noqa: E402
from gan_core.mnist.data import embedded_split, to_tensor  # noqa: E402


def cases(x: torch.Tensor, gen: torch.Generator) -> dict:
    """Each case: (N, 1, 28, 28) in [-1, 1], the held-out digits with one change."""
    background = x < -0.99
    return {
        "held-out real digits (the floor)": x,
        "+ pixel noise, sd 0.05": x + 0.05 * torch.randn(x.shape, generator=gen),
        "+ pixel noise, sd 0.1": x + 0.1 * torch.randn(x.shape, generator=gen),
        "+ pixel noise, sd 0.2": x + 0.2 * torch.randn(x.shape, generator=gen),
        "background -1 -> -0.9": torch.where(background, torch.full_like(x, -0.9), x),
        "shifted 1 pixel right": torch.roll(x, 1, dims=3),
        "3x3 box blur": F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
        "strokes 1 pixel thicker (3x3 max)": F.max_pool2d(x, 3, 1, 1),
    }


def main() -> list[dict]:
    torch.set_num_threads(1)
    x = to_tensor(embedded_split(seed=0, holdout=1000).holdout_images)   # (1000, 1, 28, 28)
    rows = []
    for name, images in cases(x, torch.Generator().manual_seed(0)).items():
        r = evaluate_samples(images.clamp(-1, 1))
        row = {"case": name, "fid": round(r.fid, 1), "floor": round(r.fid_real_floor, 1),
               "fid_over_floor": round(r.fid / r.fid_real_floor, 1),
               "confident_share": round(r.confident_share, 3), "classes_present": r.classes_present}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


if __name__ == "__main__":
    main()
