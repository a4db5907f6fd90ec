"""Small MLPs for the 1-D toy GAN (generator z -> x, discriminator x -> logit)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = ("leaky_relu", "relu", "tanh")
MAX_WIDTH, MAX_DEPTH = 512, 6


@dataclass
class MLPConfig:
    n_in: int = 1
    n_out: int = 1
    width: int = 32          # 32 units fit any preset; wider only slows the live page
    depth: int = 2           # hidden layers; two can bend p_z into a bimodal p_g
    activation: str = "leaky_relu"  # piecewise-linear G maps read well in the z -> x view
    leak: float = 0.2        # DCGAN's LeakyReLU slope

    def __post_init__(self):
        if not isinstance(self.width, int) or not 1 <= self.width <= MAX_WIDTH:
            raise ValueError(f"network width must be an integer from 1 to {MAX_WIDTH} (got {self.width!r}).")
        if not isinstance(self.depth, int) or not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"network depth must be an integer from 1 to {MAX_DEPTH} (got {self.depth!r}).")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS} (got {self.activation!r}).")


class MLP(nn.Module):
    """Linear -> activation, `depth` times, then a linear output layer."""

    def __init__(self, config: MLPConfig):
        super().__init__()
        self.config = config
        sizes = [config.n_in] + [config.width] * config.depth + [config.n_out]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def act(self, h: torch.Tensor) -> torch.Tensor:
        c = self.config
        if c.activation == "leaky_relu":
            return F.leaky_relu(h, c.leak)
        if c.activation == "relu":
            return F.relu(h)
        return torch.tanh(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_in) -> (B, n_out)
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)
