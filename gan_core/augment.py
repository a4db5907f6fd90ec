"""Differentiable augmentation for the discriminator (DiffAugment, Zhao et al. 2020).

With only a few thousand training digits, D learns them by heart after a few thousand
iterations and G's samples get worse from then on. DiffAugment shows D only augmented images,
real and fake alike, and lets G's gradient flow back through the same augmentation, so D
cannot memorise pixel positions while G still learns the un-augmented digits (the
augmentation is applied to G's output, never learned by G).

    x_aug = diff_augment(x, "translation,cutout", gen)   # (B, 1, 28, 28) in [-1, 1]

Policies (comma separated, applied in order): ``translation`` shifts each image by up to 1/8
of its size (rounded: 4 px at 28 x 28) in x and y, filling with the background value; ``cutout`` blanks
one square of half the image size at a random place (both as in the paper's code, with the
background -1 of our [-1, 1] images instead of 0). Random numbers come from the trainer's
``torch.Generator``, so runs stay reproducible and resume exactly.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("translation", "cutout")
BACKGROUND = -1.0   # images are in [-1, 1]; MNIST's background is black


def parse_policy(policy: str) -> tuple[str, ...]:
    """"none" / "" -> (); "translation,cutout" -> ("translation", "cutout"). ValueError if unknown."""
    if not isinstance(policy, str):
        raise ValueError(f"augmentation must be a string (got {policy!r}).")
    if policy.strip() in ("", "none"):
        return ()
    names = tuple(p.strip() for p in policy.split(","))
    bad = [n for n in names if n not in POLICIES]
    if bad or len(set(names)) != len(names):
        raise ValueError(f"augmentation must be 'none' or a comma-separated list of {list(POLICIES)} "
                         f"without repeats (got {policy!r}).")
    return names


def translation(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by whole pixels, up to ``ratio`` of its size each way; background fills in."""
    b, c, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    shift_y = torch.randint(-sy, sy + 1, (b, 1, 1), generator=gen, device=x.device)
    shift_x = torch.randint(-sx, sx + 1, (b, 1, 1), generator=gen, device=x.device)
    padded = F.pad(x, (sx, sx, sy, sy), value=BACKGROUND)
    rows = torch.arange(h, device=x.device).view(1, h, 1) + sy - shift_y   # (b, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) + sx - shift_x   # (b, 1, w)
    batch = torch.arange(b, device=x.device).view(b, 1, 1)
    # out[i, :, r, c] = x[i, :, r - shift_y, c - shift_x]  (gather; its backward is a scatter-add)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, gen: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    """Set one square of ``ratio`` times the image size, centred anywhere in the image, to background."""
    b, c, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), generator=gen, device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), generator=gen, device=x.device)
    top, left = cy - ch // 2, cx - cw // 2                                     # may lie outside: clipped
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (ys >= top) & (ys < top + ch) & (xs >= left) & (xs < left + cw)  # (b, h, w)
    return torch.where(inside.unsqueeze(1), torch.full_like(x, BACKGROUND), x)


AUGMENTS = {"translation": translation, "cutout": cutout}


def diff_augment(x: torch.Tensor, policy: str | tuple[str, ...], gen: torch.Generator) -> torch.Tensor:
    """Apply each augmentation of ``policy`` to x (B, C, H, W); the identity for "none"."""
    names = parse_policy(policy) if isinstance(policy, str) else policy
    for name in names:
        x = AUGMENTS[name](x, gen)
    return x
