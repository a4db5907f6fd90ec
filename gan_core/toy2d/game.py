"""The 2-D toy GAN: builder on the one trainer, and what the page draws, estimated on a grid.

G: z -> x (noise of dimension 1 or 2, uniform or normal) and D: x -> logit are the toy MLPs
of gan_core.toy.networks, trained by gan_core.trainer.GANTrainer through the same hand-written
backprop as the 1-D game (gan_core.toy.mlp_fast works for any input and output size).

Grid estimates, all on the square [-BOX, BOX]² (data.BOX):
- p_g: a Gaussian KDE of a *stratified* generator sample: z runs over a lattice of the noise
  prior's quantiles (128 × 128 for 2-D noise, 16,384 for 1-D), so two calls give the same
  surface. The KDE is isotropic with bandwidth h = n^(−1/6)·σ̂ (Scott's rule in 2-D, σ̂ the
  samples' root-mean per-axis variance), capped at σ_min/3 (σ_min: the data's narrowest
  component) so that a generator equal to p_data gives a KDE within a few per cent of it and
  JS can reach ~0, and never below the grid's cell. It is computed by linear binning on the
  241 × 241 grid and one Gaussian filter (scipy.ndimage) whose width leaves out the binning's
  own spread (δ²/6 per axis): equal to the exact KDE up to binning error.
- D(x) from the network; D*(x) = p_d/(p_d + p_g) (gan_core.toy.game.optimal_discriminator).
- JS(p_d ‖ p_g) in nats: Σ over grid cells of ½ p log(p/m) + ½ q log(q/m), plus, for the share
  of generator samples outside the square (where p_d is ~0), its exact contribution ½·log 2
  per unit of mass. ≤ log 2.
- Mode coverage (data.mode_of): the share of generator samples within 3σ of each mode.
- |D − D*| on the data: the mean over x ~ p_data, i.e. over the heatmap's points weighted by the
  exact p_data. An unweighted mean over the support would count a point of a mode's far tail
  (where D sees almost no samples, and D* is a ratio of two tiny densities) as much as its centre.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage, special, stats

from gan_core.losses import generator_loss
from gan_core.toy.game import BufferedSampler, optimal_discriminator
from gan_core.toy.mlp_fast import MLPStepKernel
from gan_core.toy.networks import MLP, MLPConfig
from gan_core.toy2d.data import BOX, GaussianMixture2D, coverage_threshold, expected_share, mode_of
from gan_core.trainer import MAX_BATCH, GANTrainer, TrainConfig

BUFFER = 1 << 14     # samples drawn per block (the seeded scenarios depend on it)
FINE = 241           # the estimation grid: 241 × 241 points, cell 0.025
EVERY = 4            # the snapshot's heatmaps keep every 4th point: 61 × 61
N_KDE_SIDE = 128     # stratified generator sample behind p_g: 128² points
NOISE_KINDS = ("normal", "uniform")


# ---- the noise prior p_z
@dataclass(frozen=True)
class NoisePrior:
    """z ~ N(0, I) or U(−1, 1)^dim, dim 1 or 2."""
    dim: int = 2
    kind: str = "normal"

    def __post_init__(self):
        if self.dim not in (1, 2):
            raise ValueError(f"noise dimension must be 1 or 2 (got {self.dim!r}).")
        if self.kind not in NOISE_KINDS:
            raise ValueError(f"noise prior must be one of {list(NOISE_KINDS)} (got {self.kind!r}).")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:  # (n, dim)
        if self.kind == "normal":
            return rng.standard_normal((int(n), self.dim))
        return rng.uniform(-1.0, 1.0, (int(n), self.dim))

    def ppf(self, q) -> np.ndarray:
        q = np.asarray(q, float)
        return stats.norm.ppf(q) if self.kind == "normal" else 2.0 * q - 1.0

    def quantile_lattice(self, side: int) -> np.ndarray:
        """Stratified z: the prior's quantiles (i + ½)/n, n = side² in 1-D, a side × side lattice in 2-D."""
        if self.dim == 1:
            n = side * side
            return self.ppf((np.arange(n) + 0.5) / n)[:, None]
        c = self.ppf((np.arange(side) + 0.5) / side)
        zz1, zz2 = np.meshgrid(c, c)
        return np.column_stack([zz1.ravel(), zz2.ravel()])

    def describe(self) -> str:
        return f"{'N(0, I)' if self.kind == 'normal' else 'U(−1, 1)'}{'' if self.dim == 1 else '²' if self.kind == 'uniform' else ''}, dim {self.dim}"


@dataclass(frozen=True)
class Toy2DConfig:
    noise_dim: int = 2        # 2: G can unfold a sheet over the plane; 1: G draws a curve
    noise: str = "normal"
    g_width: int = 64         # 64 × 2 layers: enough to bend the noise sheet onto 8 modes
    g_depth: int = 2
    d_width: int = 64
    d_depth: int = 2

    def __post_init__(self):
        NoisePrior(self.noise_dim, self.noise)
        MLPConfig(width=self.g_width, depth=self.g_depth)  # validates widths and depths
        MLPConfig(width=self.d_width, depth=self.d_depth)


class Toy2DTrainer(GANTrainer):
    """Algorithm 1 on the 2-D toy game: a GANTrainer that also knows its nets' shapes and noise
    prior (the page and the grid estimates read them back; ``set_noise_kind`` changes both)."""

    def __init__(self, G, D, data, noise, train: TrainConfig, toy2d: Toy2DConfig, noise_prior: NoisePrior,
                 kernel=None):
        super().__init__(G, D, data, noise, train, kernel=kernel)
        self.toy2d = toy2d              # the nets' widths and depths, the noise's dimension and kind
        self.noise_prior = noise_prior  # p_z itself (its quantiles draw the manifold and p_g)


def build_toy2d_gan(data: GaussianMixture2D, train: TrainConfig = TrainConfig(),
                    cfg: Toy2DConfig = Toy2DConfig(), fast_path: bool = True) -> Toy2DTrainer:
    """G: z (dim 1 or 2) -> x in R², D: R² -> logit; both seeded by train.seed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(train.seed)
        G = MLP(MLPConfig(n_in=cfg.noise_dim, n_out=2, width=cfg.g_width, depth=cfg.g_depth))
        D = MLP(MLPConfig(n_in=2, n_out=1, width=cfg.d_width, depth=cfg.d_depth))
    prior = NoisePrior(cfg.noise_dim, cfg.noise)
    kernel = MLPStepKernel(G, D) if fast_path else None
    return Toy2DTrainer(G, D, BufferedSampler(data, train.seed, block=BUFFER),
                        BufferedSampler(prior, train.seed + 1, block=BUFFER), train, cfg, prior, kernel=kernel)


def set_data(trainer: GANTrainer, data: GaussianMixture2D) -> None:
    """Swap p_data in place; networks, optimizers and history are kept."""
    trainer.data = BufferedSampler(data, trainer.config.seed + 1000 + trainer.iteration, block=BUFFER)


def set_noise_kind(trainer: Toy2DTrainer, kind: str) -> None:
    """Normal <-> uniform in place (same dimension: G's input size stays)."""
    prior = NoisePrior(trainer.noise_prior.dim, kind)
    trainer.noise_prior = prior
    trainer.noise = BufferedSampler(prior, trainer.config.seed + 2000 + trainer.iteration, block=BUFFER)
    c = trainer.toy2d
    trainer.toy2d = Toy2DConfig(c.noise_dim, kind, c.g_width, c.g_depth, c.d_width, c.d_depth)


# ---- the nets on plain arrays
@torch.no_grad()
def generator_map(trainer: Toy2DTrainer, z) -> np.ndarray:
    """(n, noise_dim) -> (n, 2)."""
    z = torch.as_tensor(np.asarray(z, np.float32).reshape(-1, trainer.noise_prior.dim))
    return trainer.G(z).numpy().astype(float)


@torch.no_grad()
def discriminator_on(trainer: GANTrainer, xy) -> np.ndarray:
    """(..., 2) -> D(x) = sigmoid(logit), shape (...)."""
    xy = np.asarray(xy, np.float32)
    d = torch.sigmoid(trainer.D(torch.as_tensor(xy.reshape(-1, 2)))).numpy().astype(float)
    return d.reshape(xy.shape[:-1])


def generator_push(trainer: GANTrainer, x) -> np.ndarray:
    """−∂J_G/∂x per fake x, (n, 2) -> (n, 2): the direction the generator's cost moves each sample.

    J_G is the chosen cost of one sample (e.g. −log D(x), non-saturating); G's own update moves
    its parameters so that each G(z) follows these arrows, as far as G can bend.
    """
    x = torch.tensor(np.asarray(x, np.float32).reshape(-1, 2), requires_grad=True)
    with torch.enable_grad():
        cost = generator_loss(trainer.config.generator_cost, trainer.D(x)) * len(x)  # the sum: per-sample grads
        (grad,) = torch.autograd.grad(cost, x)
    return -grad.numpy().astype(float)


def manifold_lines(trainer: Toy2DTrainer, lines: int = 11, points: int = 41) -> np.ndarray:
    """The generator's manifold: a lattice of the noise space mapped by G, as one polyline (n, 2)
    with NaN rows between lines. 2-D noise: `lines` lines of constant z₁ and as many of constant z₂,
    at the prior's quantiles 1 % … 99 %; 1-D noise: the one curve G(z)."""
    prior = trainer.noise_prior
    q = np.linspace(0.01, 0.99, points if prior.dim == 2 else 201)
    if prior.dim == 1:
        return generator_map(trainer, prior.ppf(q)[:, None])
    along, across = prior.ppf(q), prior.ppf(np.linspace(0.01, 0.99, lines))
    zs = []
    for c in across:
        zs += [np.column_stack([along, np.full_like(along, c)]), np.column_stack([np.full_like(along, c), along])]
    x = generator_map(trainer, np.concatenate(zs)).reshape(len(zs), len(along), 2)   # one pass through G
    gap = np.full((len(zs), 1, 2), np.nan)
    return np.concatenate([x, gap], axis=1).reshape(-1, 2)


# ---- grid estimates
def grid_axis(n: int = FINE) -> np.ndarray:
    return np.linspace(-BOX, BOX, n)


def kde_bandwidth(samples: np.ndarray, data: GaussianMixture2D, cell: float) -> float:
    """Scott's rule n^(−1/6)·σ̂, capped at σ_min/3 of the data, never below the grid cell."""
    spread = math.sqrt(0.5 * float(np.var(samples[:, 0]) + np.var(samples[:, 1])))
    scott = len(samples) ** (-1 / 6) * spread
    return float(max(cell, min(scott, data.min_std / 3)))


def kde_on_grid(samples: np.ndarray, axis: np.ndarray, h: float) -> tuple[np.ndarray, float]:
    """Isotropic Gaussian KDE of (n, 2) samples on the square grid axis × axis, indexed [iy, ix].

    Returns the density and the share of samples outside the grid (dropped). Linear binning spreads
    each sample over its 4 neighbouring grid points (a tent of variance δ²/6 per axis); the Gaussian
    filter then adds the rest of h², so the total kernel has variance h² as in the exact KDE.
    """
    n, k = len(samples), len(axis)
    lo, d = axis[0], axis[1] - axis[0]
    pos = (samples - lo) / d
    inside = np.all((pos >= 0) & (pos <= k - 1), axis=1)
    pos = pos[inside]
    i0 = np.clip(np.floor(pos).astype(int), 0, k - 2)
    f = pos - i0
    counts = np.zeros((k, k))
    for dy in (0, 1):
        for dx in (0, 1):
            w = (f[:, 1] if dy else 1 - f[:, 1]) * (f[:, 0] if dx else 1 - f[:, 0])
            np.add.at(counts, (i0[:, 1] + dy, i0[:, 0] + dx), w)
    sigma = math.sqrt(max(h * h - d * d / 6, 0.0)) / d
    dens = ndimage.gaussian_filter(counts / (n * d * d), sigma, mode="constant", truncate=5.0)
    return dens, 1.0 - inside.mean()


def js_on_grid(p: np.ndarray, q: np.ndarray, cell_area: float, q_outside: float = 0.0) -> float:
    """JS(p ‖ q) in nats from two densities on the same grid (a sum over cells), plus the mass of q
    outside the grid, where p is taken as 0: there ½ q log(q / (q/2)) = ½ log 2 per unit of mass."""
    m = 0.5 * (p + q)
    inside = 0.5 * (special.rel_entr(p, m).sum() + special.rel_entr(q, m).sum()) * cell_area
    return float(min(inside + 0.5 * math.log(2.0) * q_outside, math.log(2.0)))


def generator_sample_stratified(trainer: Toy2DTrainer, side: int = N_KDE_SIDE) -> np.ndarray:
    return generator_map(trainer, trainer.noise_prior.quantile_lattice(side))


def mode_coverage(data: GaussianMixture2D, fakes: np.ndarray) -> dict:
    """Per mode, the share of fakes within 3σ of it; covered when ≥ 1/(4·n_modes)."""
    modes = mode_of(data, fakes)
    share = np.bincount(modes[modes >= 0], minlength=data.n_modes) / max(len(fakes), 1)
    threshold = coverage_threshold(data)
    return {"share": share, "expected": expected_share(data), "covered": int((share >= threshold).sum()),
            "n_modes": data.n_modes, "threshold": threshold, "on_modes": float((modes >= 0).mean())}


@dataclass
class Grid2DEstimates:
    axis: np.ndarray          # the heatmaps' axis (61 points over [-BOX, BOX])
    p_data: np.ndarray        # (61, 61), indexed [iy, ix]
    p_g: np.ndarray
    d: np.ndarray
    d_star: np.ndarray        # NaN where p_d + p_g is below two generator samples' worth
    js: float                 # JS(p_d ‖ p_g), nats, on the 241² grid
    bandwidth: float          # the KDE's h
    n_kde: int
    outside: float            # share of generator samples outside the square
    mean_abs_d_minus_d_star: float  # E_{x ~ p_data} |D(x) − D*(x)|, on the heatmap's points
    coverage: dict


class Estimator:
    """Grid estimates for one data set; p_data on the grid is computed once (a drawn set has many components)."""

    def __init__(self, data: GaussianMixture2D):
        self.data = data
        self.fine = grid_axis()
        xx, yy = np.meshgrid(self.fine, self.fine)
        self.p_data_fine = data.pdf(np.stack([xx, yy], -1))
        self.axis = self.fine[::EVERY]
        self.points = np.stack(np.meshgrid(self.axis, self.axis), -1)   # (61, 61, 2)
        p = self.p_data_fine[::EVERY, ::EVERY]
        self.support = p > 1e-3 * p.max()
        self.data_weight = np.where(self.support, p, 0.0) / p[self.support].sum()   # x ~ p_data on the grid

    def __call__(self, trainer: Toy2DTrainer) -> Grid2DEstimates:
        samples = generator_sample_stratified(trainer)
        cell = self.fine[1] - self.fine[0]
        h = kde_bandwidth(samples, self.data, cell)
        p_g_fine, outside = kde_on_grid(samples, self.fine, h)
        js = js_on_grid(self.p_data_fine, p_g_fine, cell * cell, outside)
        p_d, p_g = self.p_data_fine[::EVERY, ::EVERY], p_g_fine[::EVERY, ::EVERY]
        d = discriminator_on(trainer, self.points)
        d_star = optimal_discriminator(p_d, p_g)
        # Blank where p_d + p_g is below two generator samples' worth of density (two kernel peaks,
        # 2/(n·2πh²)): there D* is a ratio of two tails, and a few stray fakes would draw a patchwork.
        d_star[p_d + p_g < 2.0 / (len(samples) * 2.0 * math.pi * h * h)] = np.nan
        gap = np.abs(d - d_star)
        ok = np.isfinite(gap) & self.support
        mean_gap = float((gap[ok] * self.data_weight[ok]).sum() / self.data_weight[ok].sum()) if ok.any() else float("nan")
        return Grid2DEstimates(self.axis, p_d, p_g, d, d_star, js, h, len(samples), outside, mean_gap,
                               mode_coverage(self.data, samples))


# "Train D to optimum": Adam steps on D alone (G frozen), first at a high rate to get close, then
# annealed geometrically with 4x the batch, so that minibatch noise stops shaking D off its optimum.
# (Ring of 8, seed 0, 300 iterations: E_p_data|D − D*| 0.29 -> 0.046; the schedule of the 1-D page,
# lr_D until D stops changing then lr_D/10, stops at 0.062.) The rates are absolute, not the run's
# lr_D: this is a tool that solves D's inner problem, not a step of the game.
OPTIMUM_SCHEDULE = ((3e-3, 1, 6000),) + tuple((float(lr), 4, 1000) for lr in np.geomspace(1e-3, 1e-5, 6))


def train_discriminator_to_optimum(trainer: GANTrainer, schedule=OPTIMUM_SCHEDULE) -> int:
    """G frozen; D trained by the run's optimizer through ``schedule``: (learning rate, batch
    multiple, D steps) phases. The run's lr_D and batch size are restored. Returns the D steps taken."""
    c, steps = trainer.config, 0
    try:
        for lr, times, n in schedule:
            trainer.set_config(lr_d=lr, batch_size=min(c.batch_size * times, MAX_BATCH))
            trainer.discriminator_steps(n)
            steps += n
    finally:
        trainer.set_config(lr_d=c.lr_d, batch_size=c.batch_size)
    return steps


# ---- the ring of 8 Gaussians from seed 0: one run that covers every mode, one that collapses.
# Both differ only in lr_G. With G's learning rate 5× D's, G follows each D too closely: every
# step moves all fakes to where D is currently fooled, and they move together onto one mode.
# tests/test_toy2d.py trains each for SCENARIO_ITERATIONS iterations from its seed and checks the count.
SCENARIO_ITERATIONS = 2000
_RING = {"data": "Ring of 8 Gaussians", "seed": 0, "net": {}, "train": {"lr_d": 1e-3, "k": 1, "batch_size": 128,
                                                                       "generator_cost": "non_saturating",
                                                                       "optimizer": "adam"}}
SCENARIOS = {
    "Ring of 8: covers all 8 modes (seed 0, lr_D = lr_G = 1e-3)": {**_RING, "train": {**_RING["train"], "lr_g": 1e-3}},
    "Ring of 8: mode collapse (seed 0, lr_G = 5e-3 = 5·lr_D)": {**_RING, "train": {**_RING["train"], "lr_g": 5e-3}},
}


def scenario_trainer(name: str) -> tuple[Toy2DTrainer, GaussianMixture2D]:
    """A scenario's trainer at iteration 0, exactly as the page's "load scenario" and Reset build it."""
    from gan_core.toy2d.data import preset
    s = SCENARIOS[name]
    data = preset(s["data"])
    return build_toy2d_gan(data, TrainConfig(seed=s["seed"], **s["train"]), Toy2DConfig(**s["net"])), data
