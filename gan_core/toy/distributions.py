"""One-dimensional data distributions with an exact pdf and a seeded sampler.

Every distribution answers the same small interface, in the spirit of scipy.stats:
``pdf(x)``, ``cdf(x)``, ``sample(n, rng)``, ``support()``, ``plot_range()``, ``mean`` / ``std``.
Public constructors check their inputs and raise ``ValueError`` with a message that names
the field and what is allowed; the pages show that message as it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number (got {value!r}).")
    return value


def _check_finite(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number (got {value!r}).")
    return value


class Distribution1D:
    """A 1-D distribution backed by a frozen scipy.stats distribution (or a mixture of them)."""

    name = "distribution"

    def __init__(self, frozen):
        self._frozen = frozen

    def pdf(self, x) -> np.ndarray:
        return self._frozen.pdf(np.asarray(x, dtype=float))

    def logpdf(self, x) -> np.ndarray:
        """log pdf, exact in the far tails where pdf underflows to 0 (divergences need it)."""
        return self._frozen.logpdf(np.asarray(x, dtype=float))

    def cdf(self, x) -> np.ndarray:
        return self._frozen.cdf(np.asarray(x, dtype=float))

    def ppf(self, q) -> np.ndarray:
        return self._frozen.ppf(np.asarray(q, dtype=float))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._frozen.rvs(size=int(n), random_state=rng)

    def support(self) -> tuple[float, float]:
        """Closed interval outside which the pdf is exactly zero (may be infinite)."""
        lo, hi = self._frozen.support()
        return float(lo), float(hi)

    def plot_range(self, mass: float = 1e-4) -> tuple[float, float]:
        """An interval holding all but ``mass`` of the probability: where plots and integrals look."""
        return float(self.ppf(mass / 2)), float(self.ppf(1 - mass / 2))

    @property
    def mean(self) -> float:
        return float(self._frozen.mean())

    @property
    def std(self) -> float:
        return float(self._frozen.std())

    def describe(self) -> str:
        return self.name


class Gaussian(Distribution1D):
    def __init__(self, mean: float = 0.0, std: float = 1.0):
        self.mu = _check_finite("mean", mean)
        self.sigma = _check_positive("std", std)
        self.name = f"N({self.mu:g}, {self.sigma:g}²)"
        super().__init__(stats.norm(self.mu, self.sigma))


class Uniform(Distribution1D):
    def __init__(self, low: float = -1.0, high: float = 1.0):
        self.low = _check_finite("low (a)", low)
        self.high = _check_finite("high (b)", high)
        if not self.low < self.high:
            raise ValueError(f"uniform needs a < b (got a={self.low:g}, b={self.high:g}).")
        self.name = f"U({self.low:g}, {self.high:g})"
        super().__init__(stats.uniform(self.low, self.high - self.low))

    def plot_range(self, mass: float = 1e-4):
        return self.low, self.high


class Laplace(Distribution1D):
    def __init__(self, loc: float = 0.0, scale: float = 1.0):
        self.loc = _check_finite("loc", loc)
        self.scale = _check_positive("scale", scale)
        self.name = f"Laplace({self.loc:g}, {self.scale:g})"
        super().__init__(stats.laplace(self.loc, self.scale))


class LogNormal(Distribution1D):
    """log X ~ N(mu, sigma²), shifted by ``loc``: the skewed preset."""

    def __init__(self, mu: float = 0.0, sigma: float = 0.5, loc: float = 0.0):
        self.mu = _check_finite("mu (mean of log x)", mu)
        self.sigma = _check_positive("sigma (std of log x)", sigma)
        self.loc = _check_finite("loc (shift)", loc)
        self.name = f"LogNormal(μ={self.mu:g}, σ={self.sigma:g}, shift={self.loc:g})"
        super().__init__(stats.lognorm(s=self.sigma, loc=self.loc, scale=np.exp(self.mu)))


class Beta(Distribution1D):
    def __init__(self, a: float = 2.0, b: float = 5.0, low: float = 0.0, high: float = 1.0):
        self.a = _check_positive("alpha", a)
        self.b = _check_positive("beta", b)
        self.low = _check_finite("low", low)
        self.high = _check_finite("high", high)
        if not self.low < self.high:
            raise ValueError(f"Beta needs low < high (got {self.low:g}, {self.high:g}).")
        self.name = f"Beta({self.a:g}, {self.b:g})"
        super().__init__(stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low))


@dataclass
class GaussianMixture(Distribution1D):
    """Σ_i w_i N(mean_i, std_i²). Weights must be ≥ 0 and sum to 1 (within 1e-6)."""

    weights: list[float] = field(default_factory=lambda: [0.5, 0.5])
    means: list[float] = field(default_factory=lambda: [-2.0, 2.0])
    stds: list[float] = field(default_factory=lambda: [0.5, 0.5])

    def __post_init__(self):
        w = np.asarray(self.weights, dtype=float).ravel()
        m = np.asarray(self.means, dtype=float).ravel()
        s = np.asarray(self.stds, dtype=float).ravel()
        if not (len(w) == len(m) == len(s)) or len(w) == 0:
            raise ValueError(
                f"mixture needs the same number (≥ 1) of weights, means and stds "
                f"(got {len(w)}, {len(m)}, {len(s)})."
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"mixture weights must be ≥ 0 (got {w.tolist()}).")
        if abs(w.sum() - 1.0) > 1e-6:
            raise ValueError(f"mixture weights must sum to 1 (they sum to {w.sum():.6g}).")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"mixture means must be finite numbers (got {m.tolist()}).")
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError(f"mixture stds must be > 0 (got {s.tolist()}).")
        self.w, self.m, self.s = w, m, s
        self.name = " + ".join(f"{wi:g}·N({mi:g}, {si:g}²)" for wi, mi, si in zip(w, m, s))

    # pdf, logpdf, cdf and ppf are written with NumPy ufuncs: scipy.stats' per-call overhead
    # (~0.1 ms) dominated the divergence page's integrals, which call them hundreds of times.
    def _log_components(self, x):
        z = (np.asarray(x, dtype=float)[..., None] - self.m) / self.s
        with np.errstate(divide="ignore"):
            log_w = np.log(self.w) - np.log(self.s) - 0.5 * np.log(2 * np.pi)
        return log_w - 0.5 * z * z  # log(w_i N(x; m_i, s_i²))

    def pdf(self, x):
        return np.sum(np.exp(self._log_components(x)), axis=-1)

    def logpdf(self, x):
        comp = self._log_components(x)
        top = np.max(comp, axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        return np.log(np.sum(np.exp(comp - top), axis=-1)) + top[..., 0]

    def cdf(self, x):
        z = (np.asarray(x, dtype=float)[..., None] - self.m) / self.s
        return np.sum(self.w * special.ndtr(z), axis=-1)

    def ppf(self, q):
        """Inverse cdf by vectorised bisection (60 halvings: float64 resolution of the bracket)."""
        q = np.asarray(q, dtype=float)
        lo = np.full(q.shape, float(np.min(self.m - 40 * self.s)))
        hi = np.full(q.shape, float(np.max(self.m + 40 * self.s)))
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            below = self.cdf(mid) < q
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        out = 0.5 * (lo + hi)
        return float(out) if out.ndim == 0 else out

    def sample(self, n, rng):
        comp = rng.choice(len(self.w), size=int(n), p=self.w / self.w.sum())
        return rng.normal(self.m[comp], self.s[comp])

    def support(self):
        return -np.inf, np.inf

    @property
    def mean(self):
        return float(np.sum(self.w * self.m))

    @property
    def std(self):
        second = np.sum(self.w * (self.s**2 + self.m**2))
        return float(np.sqrt(second - self.mean**2))


# Presets of the toy page. Keys are what the page shows.
PRESETS = {
    "Gaussian": lambda: Gaussian(2.0, 0.5),
    "Bimodal mixture (mode collapse)": lambda: GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.4, 0.4]),
    "Uniform": lambda: Uniform(0.0, 3.0),
    "Skewed (log-normal)": lambda: LogNormal(0.0, 0.5, -0.5),
}


DEFAULT_PRESET = next(iter(PRESETS))   # the pages open on the first


def preset(name: str) -> Distribution1D:
    if name not in PRESETS:
        raise ValueError(f"unknown data preset {name!r}; choose one of {list(PRESETS)}.")
    return PRESETS[name]()


# The noise prior p_z: the paper's figure uses a uniform z; a normal prior is the usual default.
NOISE_PRIORS = {
    "uniform": lambda: Uniform(-1.0, 1.0),
    "normal": lambda: Gaussian(0.0, 1.0),
}


class Shifted(Distribution1D):
    """The law of X + shift for X ~ base: pdf(x) = base.pdf(x - shift). Moves q away from p."""

    def __init__(self, base: Distribution1D, shift: float):
        self.base = base
        self.shift = _check_finite("shift", shift)
        self.name = f"{base.name} shifted by {self.shift:g}"

    def pdf(self, x):
        return self.base.pdf(np.asarray(x, dtype=float) - self.shift)

    def logpdf(self, x):
        return self.base.logpdf(np.asarray(x, dtype=float) - self.shift)

    def cdf(self, x):
        return self.base.cdf(np.asarray(x, dtype=float) - self.shift)

    def ppf(self, q):
        return self.base.ppf(q) + self.shift

    def sample(self, n, rng):
        return self.base.sample(n, rng) + self.shift

    def support(self):
        lo, hi = self.base.support()
        return lo + self.shift, hi + self.shift

    def plot_range(self, mass: float = 1e-4):
        lo, hi = self.base.plot_range(mass)
        return lo + self.shift, hi + self.shift

    @property
    def mean(self):
        return self.base.mean + self.shift

    @property
    def std(self):
        return self.base.std


# Families a page can edit: family -> (constructor, [(parameter, default), ...]).
# Parameter names are the constructors' keyword names, so an error message names the field.
# Mixture parameters are lists (one entry per component).
FAMILIES = {
    "Gaussian": (Gaussian, [("mean", 0.0), ("std", 1.0)]),
    "Gaussian mixture": (
        GaussianMixture, [("weights", [0.5, 0.5]), ("means", [-2.0, 2.0]), ("stds", [0.5, 0.5])]
    ),
    "Uniform": (Uniform, [("low", -1.0), ("high", 1.0)]),
    "Laplace": (Laplace, [("loc", 0.0), ("scale", 1.0)]),
    "Log-normal": (LogNormal, [("mu", 0.0), ("sigma", 0.5), ("loc", 0.0)]),
    "Beta": (Beta, [("a", 2.0), ("b", 5.0), ("low", 0.0), ("high", 1.0)]),
}


def make_distribution(family: str, params: dict) -> Distribution1D:
    """Build a distribution from a family name and a parameter dict (``ValueError`` if invalid)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown distribution family {family!r}; choose one of {list(FAMILIES)}.")
    cls, fields = FAMILIES[family]
    unknown = set(params) - {name for name, _ in fields}
    if unknown:
        raise ValueError(f"{family} has no parameter(s) {sorted(unknown)}; it takes {[n for n, _ in fields]}.")
    return cls(**{name: params.get(name, default) for name, default in fields})
