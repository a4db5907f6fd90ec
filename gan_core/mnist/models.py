"""Generators and discriminators for 28x28 digits: the paper's MLP GAN, DCGAN, conditional GAN.

Conventions shared by every model here:
    G(z[, y]) : (B, nz) [+ labels (B,) int64]        -> (B, 1, 28, 28) in [-1, 1] (Tanh)
    D(x[, y]) : (B, 1, 28, 28) [+ labels (B,) int64] -> (B, 1) logits (D(x) = sigmoid(logit))

Each model family has a frozen config dataclass. A checkpoint stores ``config_to_dict(config)``
next to the weights, so ``build_models(config_from_dict(meta))`` rebuilds the nets from the
file alone. Every config validates its ranges, so a hostile file cannot ask for a huge model.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import ClassVar

import torch
import torch.nn as nn

IMAGE_SHAPE = (1, 28, 28)
N_PIXELS = 28 * 28
MAX_NZ = 512
MAX_CONV_WIDTH = 256     # ngf / ndf: 256 is already 4x the reference DCGAN's 64
MAX_MLP_WIDTH = 2048
MAX_CLASSES = 100
LEAK = 0.2               # DCGAN's LeakyReLU slope


def _check_int(problems: list, name: str, value, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        problems.append(f"{name} must be an integer from {lo} to {hi} (got {value!r})")


def _raise(problems: list, what: str) -> None:
    if problems:
        raise ValueError(f"invalid {what} config: " + "; ".join(problems) + ".")


# ----------------------------------------------------------------------------- configs

@dataclass(frozen=True)
class MLPGANConfig:
    """Goodfellow et al. (2014): fully connected G (ReLU, Tanh out) and D (LeakyReLU + dropout)."""
    kind: ClassVar[str] = "mlp"
    nz: int = 64             # 64 noise dims are plenty for 10 digit classes and their styles
    hidden: int = 512        # G: nz -> h/2 -> h -> 784; D: 784 -> h -> h/2 -> 1
    dropout: float = 0.3     # the paper's D used dropout; it stops D memorising 4,000 digits

    def __post_init__(self):
        p = []
        _check_int(p, "nz", self.nz, 1, MAX_NZ)
        _check_int(p, "hidden", self.hidden, 2, MAX_MLP_WIDTH)
        if not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            p.append(f"dropout must be in [0, 1) (got {self.dropout!r})")
        _raise(p, "MLP GAN")


@dataclass(frozen=True)
class DCGANConfig:
    """Radford et al. (2016) guidelines at 28x28: strided (transposed) convs, batch norm in
    both nets, no fully connected hidden layers, ReLU + Tanh in G, LeakyReLU in D."""
    kind: ClassVar[str] = "dcgan"
    nz: int = 64             # see MLPGANConfig.nz
    ngf: int = 16            # G widths 4ngf (7x7) -> 2ngf (14x14); 16 is ~16x cheaper than the
    ndf: int = 16            # reference's 64 and, on 2 CPU cores, gets more steps per minute
                             # (bench/bench_mnist.py); use 32-64 on a GPU

    def __post_init__(self):
        p = []
        _check_int(p, "nz", self.nz, 1, MAX_NZ)
        _check_int(p, "ngf", self.ngf, 1, MAX_CONV_WIDTH)
        _check_int(p, "ndf", self.ndf, 1, MAX_CONV_WIDTH)
        _raise(p, "DCGAN")


@dataclass(frozen=True)
class CGANConfig:
    """Mirza & Osindero (2014) on the DCGAN nets: a learned label embedding is concatenated to
    z in G and, as constant feature maps, to the image in D."""
    kind: ClassVar[str] = "cgan"
    nz: int = 64
    ngf: int = 16            # as DCGANConfig
    ndf: int = 16
    n_classes: int = 10
    embed_dim: int = 10      # as many dims as classes: enough to keep them apart

    def __post_init__(self):
        p = []
        _check_int(p, "nz", self.nz, 1, MAX_NZ)
        _check_int(p, "ngf", self.ngf, 1, MAX_CONV_WIDTH)
        _check_int(p, "ndf", self.ndf, 1, MAX_CONV_WIDTH)
        _check_int(p, "n_classes", self.n_classes, 2, MAX_CLASSES)
        _check_int(p, "embed_dim", self.embed_dim, 1, 128)
        _raise(p, "conditional GAN")


CONFIGS = {c.kind: c for c in (MLPGANConfig, DCGANConfig, CGANConfig)}
MODEL_KINDS = tuple(CONFIGS)
ModelConfig = MLPGANConfig | DCGANConfig | CGANConfig


def config_to_dict(config: ModelConfig) -> dict:
    return {"kind": config.kind, **asdict(config)}


def config_from_dict(d: dict) -> ModelConfig:
    """Inverse of ``config_to_dict``; unknown kinds, unknown keys and bad ranges raise ValueError."""
    if not isinstance(d, dict):
        raise ValueError(f"model config must be a JSON object (got {type(d).__name__}).")
    kind = d.get("kind")
    if kind not in CONFIGS:
        raise ValueError(f"model kind must be one of {list(CONFIGS)} (got {kind!r}).")
    cls = CONFIGS[kind]
    allowed = {f.name for f in fields(cls)}
    extra = set(d) - allowed - {"kind"}
    if extra:
        raise ValueError(f"unknown {kind} config keys: {sorted(extra)}.")
    return cls(**{k: v for k, v in d.items() if k != "kind"})


def is_conditional(config: ModelConfig) -> bool:
    return isinstance(config, CGANConfig)


# ----------------------------------------------------------------------------- MLP GAN

class MLPGenerator(nn.Module):
    def __init__(self, c: MLPGANConfig):
        super().__init__()
        self.config = c
        h = c.hidden
        self.net = nn.Sequential(
            nn.Linear(c.nz, h // 2), nn.ReLU(),      # (B, nz) -> (B, h/2)
            nn.Linear(h // 2, h), nn.ReLU(),         # -> (B, h)
            nn.Linear(h, N_PIXELS), nn.Tanh(),       # -> (B, 784) in [-1, 1]
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, *IMAGE_SHAPE)    # (B, 784) -> (B, 1, 28, 28)


class MLPDiscriminator(nn.Module):
    def __init__(self, c: MLPGANConfig):
        super().__init__()
        self.config = c
        h = c.hidden
        self.net = nn.Sequential(
            nn.Linear(N_PIXELS, h), nn.LeakyReLU(LEAK), nn.Dropout(c.dropout),       # (B, 784) -> (B, h)
            nn.Linear(h, h // 2), nn.LeakyReLU(LEAK), nn.Dropout(c.dropout),        # -> (B, h/2)
            nn.Linear(h // 2, 1),                                                   # -> (B, 1) logit
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))                # (B, 1, 28, 28) -> (B, 784) -> (B, 1)


# ----------------------------------------------------------------------------- DCGAN

def _generator_convs(n_in: int, ngf: int) -> nn.Sequential:
    """(B, n_in) -> (B, 1, 28, 28): project and reshape to 7x7, then two stride-2 upsamplings.

    The projection is DCGAN's "project and reshape": one matrix product, which is exactly a 7x7
    ConvTranspose2d on a 1x1 input, but about 6x faster on a CPU than the transposed conv.
    """
    return nn.Sequential(
        nn.Linear(n_in, ngf * 4 * 7 * 7, bias=False),               # (B, n_in) -> (B, 4ngf*49)
        nn.Unflatten(1, (ngf * 4, 7, 7)),                            # -> (B, 4ngf, 7, 7)
        nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),   # -> (B, 2ngf, 14, 14)
        nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False),         # -> (B, 1, 28, 28)
        nn.Tanh(),
    )


def _discriminator_convs(n_in: int, ndf: int) -> nn.Sequential:
    """(B, n_in, 28, 28) -> (B, 1) logit: two stride-2 convs, then a 7x7 conv to one number."""
    return nn.Sequential(
        nn.Conv2d(n_in, ndf, 4, 2, 1, bias=False),                   # -> (B, ndf, 14, 14)
        nn.LeakyReLU(LEAK, True),                                    # no BN on D's input layer
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),                # -> (B, 2ndf, 7, 7)
        nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(LEAK, True),
        nn.Conv2d(ndf * 2, 1, 7, 1, 0),                              # -> (B, 1, 1, 1)
        nn.Flatten(),                                                # -> (B, 1)
    )


def dcgan_init(module: nn.Module) -> None:
    """DCGAN's initialisation: conv (and projection) weights N(0, 0.02), batch-norm scales N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class DCGenerator(nn.Module):
    def __init__(self, c: DCGANConfig):
        super().__init__()
        self.config = c
        self.net = _generator_convs(c.nz, c.ngf)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)                           # (B, nz) -> (B, 1, 28, 28)


class DCDiscriminator(nn.Module):
    def __init__(self, c: DCGANConfig):
        super().__init__()
        self.config = c
        self.net = _discriminator_convs(1, c.ndf)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)                           # (B, 1, 28, 28) -> (B, 1)


# ----------------------------------------------------------------------------- conditional GAN

class ConditionalGenerator(nn.Module):
    def __init__(self, c: CGANConfig):
        super().__init__()
        self.config = c
        self.embed = nn.Embedding(c.n_classes, c.embed_dim)
        self.net = _generator_convs(c.nz + c.embed_dim, c.ngf)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = torch.cat([z, self.embed(y)], dim=1)     # (B, nz) + (B, e) -> (B, nz + e)
        return self.net(h)                           # -> (B, 1, 28, 28)


class ConditionalDiscriminator(nn.Module):
    def __init__(self, c: CGANConfig):
        super().__init__()
        self.config = c
        self.embed = nn.Embedding(c.n_classes, c.embed_dim)
        self.net = _discriminator_convs(1 + c.embed_dim, c.ndf)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        e = self.embed(y)[:, :, None, None].expand(-1, -1, *x.shape[2:])  # (B, e) -> (B, e, 28, 28)
        return self.net(torch.cat([x, e], dim=1))    # (B, 1 + e, 28, 28) -> (B, 1)


# ----------------------------------------------------------------------------- factory

def build_models(config: ModelConfig, seed: int | None = None) -> tuple[nn.Module, nn.Module]:
    """(G, D) for a config; with ``seed``, the initial weights are reproducible (global RNG untouched)."""
    with torch.random.fork_rng(devices=[], enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        if isinstance(config, MLPGANConfig):
            return MLPGenerator(config), MLPDiscriminator(config)
        if isinstance(config, DCGANConfig):
            G, D = DCGenerator(config), DCDiscriminator(config)
        elif isinstance(config, CGANConfig):
            G, D = ConditionalGenerator(config), ConditionalDiscriminator(config)
        else:
            raise ValueError(f"not a model config: {config!r}")
        dcgan_init(G)
        dcgan_init(D)
        return G, D


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
