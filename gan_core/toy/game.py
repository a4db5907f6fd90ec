"""The 1-D toy GAN of Goodfellow et al. (2014), Figure 1: samplers, builder, grid estimates.

Grid estimates (what the page plots):
- p_g: a Gaussian KDE of a large generator sample. The sample is *stratified*: z runs over
  the quantiles of the noise prior, (i + ½)/n for i < n, so two calls give the same curve and
  the estimate has no sampling noise beyond the KDE's smoothing. The KDE is
  gan_core.toy.divergences.kde_on_grid with Silverman's bandwidth (generator_bandwidth).
- D(x) from the network, D*(x) = p_d/(p_d + p_g) (undefined, NaN, where both vanish).
- JS(p_d || p_g) by the trapezoid rule on the grid (divergences.js_divergence_on_grid); V(G, D) = ∫ p_d log D + ∫ p_g log(1 - D),
  next to C(G) = max_D V(G, D) = -log 4 + 2·JS.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import integrate

from gan_core.toy.distributions import NOISE_PRIORS, Distribution1D
from gan_core.toy.divergences import (grid_over, js_divergence_on_grid, kde_bandwidth, kde_on_grid,
                                       optimal_discriminator)
from gan_core.toy.mlp_fast import MLPStepKernel
from gan_core.toy.networks import MLP, MLPConfig
from gan_core.trainer import GANTrainer, TrainConfig
from gan_core.trainer import train_discriminator_to_optimum as _to_optimum

BUFFER = 1 << 15


class BufferedSampler:
    """Draws from a distribution (anything with ``sample(n, rng)``: (n,) for 1-D data, (n, d) for
    d-D data) in large seeded blocks and serves (m, d) float32 slices."""

    def __init__(self, dist, seed: int, device="cpu", block: int = BUFFER):
        self.dist, self.seed, self.device, self.block = dist, seed, torch.device(device), block
        self.rng = np.random.default_rng(seed)
        self.buf = torch.empty(0, 1)
        self.pos = 0

    def sample(self, m: int, gen=None):
        if self.pos + m > self.buf.shape[0]:
            n = max(self.block, m)
            draw = np.asarray(self.dist.sample(n, self.rng), dtype=np.float32)
            draw = draw.reshape(-1, 1) if draw.ndim == 1 else draw   # 1-D data: (n,) -> (n, 1)
            self.buf = torch.from_numpy(draw).to(self.device)
            self.pos = 0
        out = self.buf[self.pos:self.pos + m]
        self.pos += m
        return (out,)

    def state_dict(self):
        return {"rng": self.rng.bit_generator.state, "buf": self.buf.clone(), "pos": self.pos}

    def load_state_dict(self, s):
        self.rng.bit_generator.state = s["rng"]
        self.buf, self.pos = s["buf"].clone(), s["pos"]


@dataclass(frozen=True)
class ToyConfig:
    width: int = 32
    depth: int = 2
    noise: str = "normal"  # z ~ N(0, 1); "uniform" is the paper's figure (harder tails)

    def __post_init__(self):
        MLPConfig(width=self.width, depth=self.depth)  # validates width/depth
        if self.noise not in NOISE_PRIORS:
            raise ValueError(f"noise prior must be one of {list(NOISE_PRIORS)} (got {self.noise!r}).")


@torch.no_grad()
def init_for_data_scale(G: MLP, D: MLP, center: float, scale: float) -> None:
    """Let both nets start in the data's own units, as MNIST pixels are scaled to [-1, 1].

    D's first layer is set to read (x - center)/scale and G's last layer to output
    center + scale·(what it would have output). Only the initial weights change (the nets
    stay plain MLPs); without it a preset centred at x = 2 leaves most of D's ReLU kinks far
    from the data, and some seeds never learn to see a too-narrow p_g (mode collapse).
    """
    first, last = D.layers[0], G.layers[-1]
    first.bias -= first.weight[:, 0] * (center / scale)
    first.weight /= scale
    last.weight *= scale
    last.bias.mul_(scale).add_(center)


class ToyTrainer(GANTrainer):
    """Algorithm 1 on the 1-D toy game: a GANTrainer that also knows its nets' shape and noise
    prior (the pages and the figures read them back; ``set_noise`` changes both)."""

    def __init__(self, G, D, data, noise, train: TrainConfig, toy: ToyConfig, noise_dist, kernel=None):
        super().__init__(G, D, data, noise, train, kernel=kernel)
        self.toy = toy                  # width, depth and the name of the noise prior
        self.noise_dist = noise_dist    # p_z itself (its quantiles draw the z -> x map)


def build_toy_gan(data: Distribution1D, train: TrainConfig = TrainConfig(),
                  toy: ToyConfig = ToyConfig(), fast_path: bool = True,
                  init_in_data_units: bool = True) -> ToyTrainer:
    """G: z -> x and D: x -> logit, both MLPs, seeded by train.seed.

    `init_in_data_units=False` keeps PyTorch's default initialisation, so G starts near x = 0
    whatever the data: the generator-cost page uses it to start G far from the data.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(train.seed)
        G = MLP(MLPConfig(width=toy.width, depth=toy.depth))
        D = MLP(MLPConfig(width=toy.width, depth=toy.depth))
    if init_in_data_units:
        init_for_data_scale(G, D, data.mean, data.std)
    noise_dist = NOISE_PRIORS[toy.noise]()
    # the hand-written backprop of the toy MLPs (CPU; it knows no augmentation)
    kernel = MLPStepKernel(G, D) if fast_path and train.augment == "none" else None
    return ToyTrainer(G, D, BufferedSampler(data, train.seed), BufferedSampler(noise_dist, train.seed + 1),
                      train, toy, noise_dist, kernel=kernel)


def set_data(trainer: GANTrainer, data: Distribution1D) -> None:
    """Swap p_data in place; networks, optimizers and history are kept."""
    trainer.data = BufferedSampler(data, trainer.config.seed + 1000 + trainer.iteration)


def set_noise(trainer: ToyTrainer, name: str) -> None:
    if name not in NOISE_PRIORS:
        raise ValueError(f"noise prior must be one of {list(NOISE_PRIORS)} (got {name!r}).")
    trainer.noise_dist = NOISE_PRIORS[name]()
    trainer.noise = BufferedSampler(trainer.noise_dist, trainer.config.seed + 2000 + trainer.iteration)
    trainer.toy = ToyConfig(trainer.toy.width, trainer.toy.depth, name)


@torch.no_grad()
def generator_map(trainer: GANTrainer, z) -> np.ndarray:
    z = torch.as_tensor(np.asarray(z, dtype=np.float32).reshape(-1, 1))
    return trainer.G(z).numpy().ravel().astype(float)


@torch.no_grad()
def discriminator_on(trainer: GANTrainer, x) -> np.ndarray:
    x = torch.as_tensor(np.asarray(x, dtype=np.float32).reshape(-1, 1))
    return torch.sigmoid(trainer.D(x)).numpy().ravel().astype(float)


def generator_sample_stratified(trainer: GANTrainer, n: int = 20_000) -> np.ndarray:
    q = (np.arange(n) + 0.5) / n
    return generator_map(trainer, trainer.noise_dist.ppf(q))


def generator_bandwidth(samples: np.ndarray, x: np.ndarray) -> float:
    """Silverman's rule for p_g, kept above a thousandth of the plot range, so a generator that
    has collapsed to one point still draws a visible (narrow) peak."""
    return max(kde_bandwidth(samples, "silverman"), 1e-3 * max(1.0, float(np.ptp(x))))


@dataclass
class GridEstimates:
    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d: np.ndarray
    d_star: np.ndarray
    js: float                 # JS(p_d || p_g), nats
    value: float              # V(G, D) with the current D
    c_of_g: float             # C(G) = -log 4 + 2 JS = max_D V(G, D)
    mean_abs_d_minus_d_star: float
    max_abs_d_minus_d_star: float
    mean_d_on_data: float     # E_{x~p_d} D(x)
    mean_abs_d_minus_half: float  # E_{x~p_d} |D(x) - ½|
    support: np.ndarray       # boolean mask: the data support (p_d > 1e-3 max p_d)


def grid_estimates(trainer: GANTrainer, data: Distribution1D, n_grid: int = 801,
                   n_samples: int = 20_000) -> GridEstimates:
    samples = generator_sample_stratified(trainer, n_samples)
    # the data's range and the middle 99 % of the fakes, with a 15 % margin
    x = grid_over([data.plot_range(1e-4), np.percentile(samples, [0.5, 99.5])], n_grid, margin=0.15, extra=1e-3)
    p_d = data.pdf(x)
    p_g = kde_on_grid(samples, x, generator_bandwidth(samples, x))
    d = discriminator_on(trainer, x)
    d_star = optimal_discriminator(p_d, p_g)
    d_star[p_d + p_g < 1e-4 * p_d.max()] = np.nan  # both densities ~0: the ratio is estimation noise
    support = p_d > 1e-3 * p_d.max()
    gap = np.abs(d - d_star)[support]
    gap = gap[np.isfinite(gap)]
    eps = 1e-12
    value = float(integrate.trapezoid(p_d * np.log(np.clip(d, eps, 1)), x)
                  + integrate.trapezoid(p_g * np.log(np.clip(1 - d, eps, 1)), x))
    js = js_divergence_on_grid(x, p_d, p_g, normalize=False)
    return GridEstimates(
        x=x, p_data=p_d, p_g=p_g, d=d, d_star=d_star, js=js, value=value,
        c_of_g=-math.log(4.0) + 2.0 * js,
        mean_abs_d_minus_d_star=float(gap.mean()) if gap.size else float("nan"),
        max_abs_d_minus_d_star=float(gap.max()) if gap.size else float("nan"),
        mean_d_on_data=float(integrate.trapezoid(p_d * d, x) / integrate.trapezoid(p_d, x)),
        mean_abs_d_minus_half=float(integrate.trapezoid(p_d * np.abs(d - 0.5), x) / integrate.trapezoid(p_d, x)),
        support=support,
    )


def canonical_reached(est: GridEstimates, js_max: float = 0.01, d_tol: float = 0.05) -> bool:
    """The canonical convergence test: JS(p_d||p_g) < 0.01 nats and E_{p_d}|D - ½| < 0.05."""
    return est.js < js_max and est.mean_abs_d_minus_half < d_tol


def train_discriminator_to_optimum(trainer: GANTrainer, max_steps: int = 3000, tol: float = 2e-3,
                                   check_every: int = 50, probe: np.ndarray | None = None) -> int:
    """G frozen; D trained until D(x) on a probe grid over the data stops changing (see
    gan_core.trainer.train_discriminator_to_optimum). Returns the D steps taken."""
    if probe is None:
        lo, hi = trainer.data.dist.plot_range(1e-3)
        probe = np.linspace(lo, hi, 101)
    return _to_optimum(trainer, lambda: discriminator_on(trainer, probe), max_steps, tol, check_every)
