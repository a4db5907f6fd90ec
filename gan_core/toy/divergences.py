"""KL and JS divergences, the GAN identity and Wasserstein-1: exact, on a grid, and from samples.

The lecture's definitions, natural log throughout, so every value is in nats
(divide by log 2 for bits):

    KL(p‖q) = ∫ p(x) log(p(x)/q(x)) dx
    JS(p‖q) = ½ KL(p‖M) + ½ KL(q‖M),        M = (p + q)/2
    D*(x)   = p(x) / (p(x) + q(x))           (the optimal discriminator, p = p_data, q = p_g)
    V(G,D*) = ∫ p log D* + q log(1 - D*) dx = -log 4 + 2·JS(p‖q)

Exact values integrate the pointwise integrands adaptively with SciPy over the union of the
supports, split at every finite support end and at landmarks (quantiles, mixture means) so that
no narrow peak is missed. ``scipy.integrate.tanhsinh`` (double-exponential quadrature, refined
until the error estimate is below 1e-10 relative) integrates all pieces in one vectorised call:
this keeps a page update under 100 ms, where ``scipy.integrate.quad`` calls the pdf once per point
from Python, and it copes with the integrable endpoint singularities of a Beta with a < 1.
``tests/test_divergences.py`` checks it against ``scipy.integrate.quad`` with breakpoints.
Infinite supports are cut where both tails hold less than 1e-14.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import integrate, optimize, signal

from gan_core import parse
from gan_core.toy.distributions import Distribution1D, GaussianMixture, Shifted

LOG2 = math.log(2.0)
LOG4 = math.log(4.0)
TAIL_MASS = 1e-14  # mass left out beyond the integration range, per tail
_QUANTILES = np.array([1e-9, 1e-4, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1 - 1e-4, 1 - 1e-9])
_RTOL, _ATOL = 1e-10, 1e-13


class Divergence(float):
    """A value in nats (a float) that also says why it is infinite and how exact it is."""

    def __new__(cls, nats: float, reason: str = "", abserr: float = 0.0):
        obj = super().__new__(cls, nats)
        obj.reason, obj.abserr = reason, float(abserr)
        return obj

    def __reduce__(self):  # keeps reason/abserr through pickling (st.cache_data)
        return (Divergence, (float(self), self.reason, self.abserr))

    @property
    def nats(self) -> float:
        return float(self)

    @property
    def bits(self) -> float:
        return float(self) / LOG2


# ---------------------------------------------------------------- where to integrate


def _range_and_landmarks(d: Distribution1D) -> tuple[float, float, list[float]]:
    """(lo, hi, landmarks): an interval holding all but 2·TAIL_MASS of d, and points inside it
    where d has structure (support ends, quantiles, mixture components)."""
    if isinstance(d, Shifted):
        lo, hi, pts = _range_and_landmarks(d.base)
        return lo + d.shift, hi + d.shift, [t + d.shift for t in pts]
    if isinstance(d, GaussianMixture):  # 8.5 std holds all but ~1e-17 of each component
        lo, hi = float(np.min(d.m - 8.5 * d.s)), float(np.max(d.m + 8.5 * d.s))
        pts = np.concatenate([d.m, d.m - 3 * d.s, d.m + 3 * d.s])
        return lo, hi, pts.tolist()
    lo, hi = d.support()
    lo = lo if np.isfinite(lo) else float(d.ppf(TAIL_MASS))
    hi = hi if np.isfinite(hi) else float(d.ppf(1 - TAIL_MASS))
    return lo, hi, np.atleast_1d(d.ppf(_QUANTILES)).tolist()


def _breakpoints(p: Distribution1D, q: Distribution1D, shifts=None) -> np.ndarray:
    """Sorted points covering p and q: integration ranges and landmarks of both.

    With ``shifts`` (K values) q is moved by each: returns shape (K, N), one row per shift."""
    (p_lo, p_hi, p_marks), (q_lo, q_hi, q_marks) = _range_and_landmarks(p), _range_and_landmarks(q)
    p_pts, q_pts = np.array([p_lo, p_hi, *p_marks]), np.array([q_lo, q_hi, *q_marks])
    if shifts is None:
        pts = np.unique(np.concatenate([p_pts, q_pts]))
        return pts[np.isfinite(pts)]
    s = np.asarray(shifts, dtype=float)[:, None]
    pts = np.concatenate([np.broadcast_to(p_pts, (s.shape[0], p_pts.size)), q_pts[None, :] + s], axis=1)
    return np.sort(pts, axis=1)  # repeated points give empty pieces, which integrate to 0


def _integrate(f, points: np.ndarray, args=(), rtol=_RTOL, atol=_ATOL) -> tuple[np.ndarray, np.ndarray]:
    """∫ f over [points[..., 0], points[..., -1]], split at every point (adaptive tanh-sinh).

    f is elementwise: f(x, *args) has x's shape. ``args`` broadcast against points[..., :-1]
    (the sweep passes one shift per row). Returns (integral, error estimate) summed over pieces."""
    a, b = points[..., :-1], points[..., 1:]
    # An empty piece (a repeated point) integrates to 0 wherever it sits: put it inside the
    # widest piece of its row, never on a support end where a Beta pdf may be infinite.
    widest = np.take_along_axis(a + b, np.argmax(b - a, axis=-1)[..., None], axis=-1) / 2
    empty = b <= a
    a, b = np.where(empty, widest, a), np.where(empty, widest, b)
    res = integrate.tanhsinh(f, a, b, args=args, atol=atol, rtol=rtol)
    return res.integral.sum(axis=-1), res.error.sum(axis=-1)


def plogratio(p: np.ndarray, logp: np.ndarray, logq: np.ndarray) -> np.ndarray:
    """p·log(p/q) from p, log p and log q, with 0·log(0/q) = 0 and p·log(p/0) = +∞ for p > 0.

    Taking the logs lets the exact integrands stay exact in far tails where p underflows to 0
    but log p does not; every KL and JS here (exact, on a grid, discrete) is built from it."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(p > 0, p * (logp - logq), 0.0)


def _uncovered(p: Distribution1D, q: Distribution1D) -> str:
    """Why KL(p‖q) is infinite (a region where p > 0 but q = 0), or '' if supp p ⊆ supp q."""
    (a, b), (c, d) = p.support(), q.support()
    num = lambda t: f"{t:g}".replace("inf", "∞")
    if a < c:
        return f"p > 0 but q = 0 on ({num(a)}, {num(min(b, c))}): there p·log(p/q) = +∞."
    if b > d:
        return f"p > 0 but q = 0 on ({num(max(a, d))}, {num(b)}): there p·log(p/q) = +∞."
    return ""


# ---------------------------------------------------------------- pointwise integrands


def kl_integrand(p: Distribution1D, q: Distribution1D, x) -> np.ndarray:
    """p(x) log(p(x)/q(x)): its area is KL(p‖q)."""
    logp = p.logpdf(x)
    return plogratio(np.exp(logp), logp, q.logpdf(x))


def js_integrand(p: Distribution1D, q: Distribution1D, x) -> np.ndarray:
    """½ p log(p/M) + ½ q log(q/M), M = (p+q)/2: its area is JS(p‖q)."""
    logp, logq = p.logpdf(x), q.logpdf(x)
    logm = np.logaddexp(logp, logq) - LOG2
    return 0.5 * (plogratio(np.exp(logp), logp, logm) + plogratio(np.exp(logq), logq, logm))


def value_integrand(p: Distribution1D, q: Distribution1D, x) -> np.ndarray:
    """p log D* + q log(1 - D*), D* = p/(p+q): its area is V(G, D*)."""
    logp, logq = p.logpdf(x), q.logpdf(x)
    log_sum = np.logaddexp(logp, logq)
    return plogratio(np.exp(logp), logp, log_sum) + plogratio(np.exp(logq), logq, log_sum)


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) from density values; NaN where both vanish."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    total = p_data + p_g
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, p_data / total, np.nan)


def grid_over(intervals, n: int = 801, margin: float = 0.05, extra: float = 0.0, ends=()) -> np.ndarray:
    """n evenly spaced points over the union of `intervals`, widened on each side by
    margin·(its width) + extra; points just either side of each finite value in `ends` are
    added, so the jump of a density at a support end is drawn as a vertical edge."""
    lo, hi = min(a for a, _ in intervals), max(b for _, b in intervals)
    pad = margin * (hi - lo) + extra
    ends = np.array([t for t in ends if np.isfinite(t)], dtype=float)
    eps = 1e-9 * (hi - lo)
    x = np.concatenate([np.linspace(lo - pad, hi + pad, n), ends - eps, ends + eps])
    return np.unique(x[(x >= lo - pad) & (x <= hi + pad)])


def plot_grid(p: Distribution1D, q: Distribution1D, n: int = 801) -> np.ndarray:
    """A grid over both plot ranges (5 % margin) that also holds the finite support ends."""
    return grid_over([p.plot_range(), q.plot_range()], n, margin=0.05, ends=(*p.support(), *q.support()))


def pointwise(p: Distribution1D, q: Distribution1D, x) -> dict[str, np.ndarray]:
    """Everything the page draws at the points x: densities, the three integrands, D*."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return {"x": x, "p": p.pdf(x), "q": q.pdf(x), "kl_pq": kl_integrand(p, q, x),
                "kl_qp": kl_integrand(q, p, x), "js": js_integrand(p, q, x),
                "d_star": optimal_discriminator(p.pdf(x), q.pdf(x))}


def sweep_range(p: Distribution1D, q: Distribution1D) -> float:
    """A round largest shift that moves q past p and on by a quarter of the wider one's width."""
    (a, b), (c, d) = p.plot_range(), q.plot_range()
    need = max(b - c, 0.0) + 0.25 * max(b - a, d - c)
    scale = 10.0 ** math.floor(math.log10(need))
    return next(m * scale for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * scale >= need)


# ---------------------------------------------------------------- exact values


def kl_divergence(p: Distribution1D, q: Distribution1D) -> Divergence:
    """KL(p‖q) in nats; +∞ (with the reason) when p puts mass where q = 0."""
    reason = _uncovered(p, q)
    if reason:
        return Divergence(math.inf, reason)
    value, err = _integrate(lambda x: kl_integrand(p, q, x), _breakpoints(p, q))
    return Divergence(max(float(value), 0.0), abserr=float(err))


def js_divergence(p: Distribution1D, q: Distribution1D) -> Divergence:
    """JS(p‖q) in nats: symmetric, 0 ≤ JS ≤ log 2, finite even for disjoint supports."""
    value, err = _integrate(lambda x: js_integrand(p, q, x), _breakpoints(p, q))
    return Divergence(min(max(float(value), 0.0), LOG2), abserr=float(err))


def value_at_optimal_discriminator(p: Distribution1D, q: Distribution1D) -> Divergence:
    """V(G, D*) = ∫ p log(p/(p+q)) + q log(q/(p+q)) dx, integrated on its own (not from JS)."""
    value, err = _integrate(lambda x: value_integrand(p, q, x), _breakpoints(p, q))
    return Divergence(float(value), abserr=float(err))


def wasserstein1(p: Distribution1D, q: Distribution1D) -> Divergence:
    """W1(p, q) = ∫ |F_p(x) - F_q(x)| dx, in units of x (not nats)."""
    pts = _breakpoints(p, q)
    # |F_p - F_q| has a kink wherever the cdfs cross: add those points, so each piece is smooth.
    grid = np.unique(np.concatenate([pts, np.linspace(pts[0], pts[-1], 2001)]))
    diff = p.cdf(grid) - q.cdf(grid)
    cross = np.flatnonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)
    roots = [optimize.brentq(lambda t: float(p.cdf(t) - q.cdf(t)), grid[i], grid[i + 1]) for i in cross]
    value, err = _integrate(lambda x: np.abs(p.cdf(x) - q.cdf(x)), np.unique(np.concatenate([pts, roots])))
    return Divergence(float(value), abserr=float(err))


def divergence_sweep(p: Distribution1D, q: Distribution1D, shifts) -> dict[str, np.ndarray]:
    """JS(p‖q_s), KL(p‖q_s) and W1(p, q_s) for q_s(x) = q(x - s), s in ``shifts``.

    One vectorised adaptive integral per quantity, all shifts at once (the page's sweep plot),
    to a relative accuracy of 1e-5.
    KL is +∞ where q_s misses part of p's support."""
    s = np.asarray(shifts, dtype=float)
    pts, s_col = _breakpoints(p, q, shifts=s), s[:, None]
    tol = dict(rtol=1e-5, atol=1e-8)  # a curve on a plot: 5 digits are plenty

    def js(x, s):
        lp, lq = p.logpdf(x), q.logpdf(x - s)
        lm = np.logaddexp(lp, lq) - LOG2
        return 0.5 * (plogratio(np.exp(lp), lp, lm) + plogratio(np.exp(lq), lq, lm))

    def kl(x, s):
        lp = p.logpdf(x)
        return plogratio(np.exp(lp), lp, q.logpdf(x - s))

    kl_inf = np.array([bool(_uncovered(p, Shifted(q, si))) for si in s])
    kl_vals = np.full(s.shape, np.inf)
    if not kl_inf.all():
        kl_vals[~kl_inf] = np.maximum(_integrate(kl, pts[~kl_inf], (s_col[~kl_inf],), **tol)[0], 0.0)
    w1 = lambda x, s: np.abs(p.cdf(x) - q.cdf(x - s))
    return {
        "shift": s,
        "js": np.clip(_integrate(js, pts, (s_col,), **tol)[0], 0.0, LOG2),
        "kl": kl_vals,
        "w1": _integrate(w1, pts, (s_col,), **tol)[0],
    }


# ---------------------------------------------------------------- on a grid (p_g estimated)


def _grid_inputs(x, p, q, normalize: bool):
    x, p, q = (np.asarray(v, dtype=float) for v in (x, p, q))
    if not (x.ndim == 1 and x.shape == p.shape == q.shape) or x.size < 2:
        raise ValueError(f"x, p and q must be 1-D of the same length ≥ 2 (got {x.shape}, {p.shape}, {q.shape}).")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x must be strictly increasing.")
    for name, v in (("p", p), ("q", q)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be finite pdf values ≥ 0.")
        if normalize:
            mass = integrate.trapezoid(v, x)
            if mass <= 0:
                raise ValueError(f"{name} has zero mass on the grid.")
    if normalize:
        p, q = p / integrate.trapezoid(p, x), q / integrate.trapezoid(q, x)
    return x, p, q


def kl_divergence_on_grid(x, p, q, normalize: bool = True) -> float:
    """KL(p‖q) in nats from pdf values on a shared grid x (trapezoid rule).

    With ``normalize`` each pdf is first divided by its trapezoid mass (estimates of p_g
    rarely integrate to exactly 1). +∞ if p > 0 at a grid point where q = 0."""
    x, p, q = _grid_inputs(x, p, q, normalize)
    if np.any((p > 0) & (q <= 0)):
        return math.inf
    with np.errstate(divide="ignore"):
        integrand = plogratio(p, np.log(p), np.log(q))
    return max(float(integrate.trapezoid(integrand, x)), 0.0)


def js_divergence_on_grid(x, p, q, normalize: bool = True) -> float:
    """JS(p‖q) in nats from pdf values on a shared grid x (trapezoid rule), clipped to [0, log 2].

    ``normalize``: see kl_divergence_on_grid. Without it (the toy page: p_g is a KDE whose mass
    inside the plot range is a little under 1) the integral is taken as it stands."""
    x, p, q = _grid_inputs(x, p, q, normalize)
    with np.errstate(divide="ignore"):
        lp, lq, lm = np.log(p), np.log(q), np.log(0.5 * (p + q))
    integrand = 0.5 * (plogratio(p, lp, lm) + plogratio(q, lq, lm))
    return min(max(float(integrate.trapezoid(integrand, x)), 0.0), LOG2)


# ---------------------------------------------------------------- discrete


class DiscreteDivergence(NamedTuple):
    value: float  # nats: the sum of the terms
    terms: np.ndarray  # one term per index i; value = terms.sum()


def parse_numbers(text: str, field: str = "vector") -> np.ndarray:
    """Numbers separated by commas, semicolons, spaces or new lines -> 1-D float array (gan_core.parse)."""
    return np.asarray(parse.numbers(text, field))


def parse_vector(text: str, field: str = "vector") -> np.ndarray:
    """A typed or pasted vector of probabilities or counts: numbers ≥ 0 with a positive sum."""
    return parse.nonnegative_vector(text, field)


def check_nonnegative(v, field: str = "vector") -> np.ndarray:
    """A 1-D array of finite numbers ≥ 0 with a positive sum (probabilities or counts)."""
    try:
        v = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must contain numbers only.") from None
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{field} must be a non-empty list of numbers (got shape {v.shape}).")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{field} must contain finite numbers only (got {v.tolist()}).")
    bad = np.flatnonzero(v < 0)
    if bad.size:
        raise ValueError(
            f"{field}: entry {bad[0] + 1} is {v[bad[0]]:g}; probabilities and counts must be ≥ 0."
        )
    if v.sum() <= 0:
        raise ValueError(f"{field} sums to 0; at least one entry must be positive.")
    return v


def normalise(v, field: str = "vector") -> np.ndarray:
    """Counts -> probabilities: v / Σ v."""
    v = check_nonnegative(v, field)
    return v / v.sum()


def _check_pair(p, q, names=("p", "q")) -> tuple[np.ndarray, np.ndarray]:
    p, q = check_nonnegative(p, names[0]), check_nonnegative(q, names[1])
    if p.size != q.size:
        raise ValueError(
            f"{names[0]} has {p.size} entries and {names[1]} has {q.size}; they must have the same length."
        )
    for name, v in zip(names, (p, q)):
        if abs(v.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"{name} sums to {v.sum():.6g}, not 1: give probabilities, or normalise the counts first."
            )
    return p, q


def kl_discrete(p, q, names=("p", "q")) -> DiscreteDivergence:
    """KL(p‖q) = Σ_i p_i log(p_i/q_i) in nats; a term is +∞ where p_i > 0 = q_i."""
    p, q = _check_pair(p, q, names)
    with np.errstate(divide="ignore"):
        terms = plogratio(p, np.log(p), np.log(q))
    return DiscreteDivergence(float(terms.sum()), terms)


def js_discrete(p, q, names=("p", "q")) -> DiscreteDivergence:
    """JS(p‖q) = Σ_i [½ p_i log(p_i/m_i) + ½ q_i log(q_i/m_i)], m = (p+q)/2, in nats."""
    p, q = _check_pair(p, q, names)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore"):
        lp, lq, lm = np.log(p), np.log(q), np.log(m)
    terms = 0.5 * (plogratio(p, lp, lm) + plogratio(q, lq, lm))
    return DiscreteDivergence(float(terms.sum()), terms)


# ---------------------------------------------------------------- estimates from samples


BANDWIDTH_RULES = ("scott", "silverman")
_MAX_BINS = 1 << 20   # finer than this, the KDE is summed directly


def kde_bandwidth(samples, rule: str = "scott") -> float:
    """The Gaussian kernel's width h for a bandwidth rule.

    scott:     h = σ·n^(-1/5), σ the sample std (ddof = 1): scipy.stats.gaussian_kde's default.
    silverman: h = 0.9·min(σ, IQR/1.349)·n^(-1/5), σ with ddof = 0 (Silverman's rule of thumb):
               narrower for several modes or heavy tails, as a generator's outputs often have.
    """
    samples = np.asarray(samples, dtype=float).ravel()
    n = samples.size
    if rule == "scott":
        return float(np.std(samples, ddof=1)) * n ** (-1 / 5) if n > 1 else 0.0
    if rule == "silverman":
        std = float(np.std(samples))
        iqr = float(np.subtract(*np.percentile(samples, [75, 25])))
        return 0.9 * (min(std, iqr / 1.349) if iqr > 0 else std) * n ** (-1 / 5)
    raise ValueError(f"bandwidth rule must be one of {BANDWIDTH_RULES} (got {rule!r}).")


def _kde_direct(samples: np.ndarray, x: np.ndarray, h: float) -> np.ndarray:
    """(1/n) Σ φ_h(x - x_i) summed as written: exact, O(n·len(x))."""
    total = np.zeros(x.shape)
    for chunk in np.array_split(samples, max(1, samples.size // 1000)):
        total += np.exp(-0.5 * ((x[:, None] - chunk[None, :]) / h) ** 2).sum(axis=1)
    return total / (samples.size * h * math.sqrt(2 * math.pi))


def kde_on_grid(samples, x, bandwidth: str | float = "scott", exact_below: float = 0.0) -> np.ndarray:
    """Gaussian kernel density estimate (1/n) Σ φ_h(x - x_i) of `samples`, at the points x.

    ``bandwidth``: a rule of ``kde_bandwidth`` or the width h itself. Equals
    ``scipy.stats.gaussian_kde`` with the same h up to binning error: the samples are linearly
    binned (error second order in the bin width) on a fine even grid spanning x ± 5h, with bins
    at most h/8 and a quarter of x's mean spacing wide, convolved with the kernel (FFT) and read
    off at x. O(n + bins log bins) instead of O(n·len(x)): a live page redraws it every tick.
    The binned kernel is cut at 5h, so the estimate is 0 further than 5h from every sample.
    ``exact_below``: points where the binned estimate is below this fraction of its maximum are
    summed directly instead, so far tails keep the tiny positive values of Gaussian kernels (a
    plug-in KL(q‖p) needs p > 0 wherever q > 0)."""
    samples, x = np.asarray(samples, dtype=float).ravel(), np.asarray(x, dtype=float)
    n = samples.size
    h = kde_bandwidth(samples, bandwidth) if isinstance(bandwidth, str) else float(bandwidth)
    if not h > 0:
        raise ValueError("a kernel density estimate needs samples with some spread (bandwidth 0).")
    x_lo, x_hi = float(x.min()), float(x.max())
    step = (x_hi - x_lo) / max(x.size - 1, 1) / 4   # a quarter of x's mean spacing
    dx = step / math.ceil(step / (h / 8)) if step > 0 else h / 8
    pad = math.ceil(5 * h / dx)
    n_bins = int(round((x_hi - x_lo) / dx)) + 2 * pad + 1
    if n_bins > _MAX_BINS:                           # h tiny next to the range: sum directly
        return _kde_direct(samples, x, h)
    lo = x_lo - pad * dx
    pos = (samples - lo) / dx
    pos = pos[(pos >= 0) & (pos <= n_bins - 1)]
    i0 = np.minimum(np.floor(pos).astype(int), n_bins - 2)
    frac = pos - i0
    counts = np.bincount(i0, 1 - frac, n_bins) + np.bincount(i0 + 1, frac, n_bins)
    radius = int(5 * h / dx + 0.5)                   # the kernel cut at 5h, as scipy.ndimage cuts it
    k = np.arange(-radius, radius + 1) * dx
    kernel = np.exp(-0.5 * (k / h) ** 2)
    density = signal.fftconvolve(counts, kernel / kernel.sum(), mode="same") / (n * dx)
    density = np.interp(x, lo + dx * np.arange(n_bins), np.maximum(density, 0.0))
    if exact_below > 0:
        tail = density < exact_below * density.max()
        density[tail] = _kde_direct(samples, x[tail], h)
    return density


def estimate_from_samples(xp, xq, x_grid, method: str = "kde") -> dict[str, float]:
    """Plug-in estimates of KL(p‖q), KL(q‖p), JS(p‖q) from samples: what GAN Lab shows.

    ``kde``: Gaussian kernel density estimates (Scott's bandwidth, ``kde_on_grid``) on ``x_grid``, then the
    trapezoid rule. ``histogram``: shared bins over the grid's range, then the discrete sums."""
    xp, xq, x_grid = (np.asarray(v, dtype=float) for v in (xp, xq, x_grid))
    if method == "kde":   # tails summed exactly: KL needs p_hat > 0 wherever q_hat > 0
        p_hat, q_hat = kde_on_grid(xp, x_grid, exact_below=1e-4), kde_on_grid(xq, x_grid, exact_below=1e-4)
        kl, js = kl_divergence_on_grid, js_divergence_on_grid
        return {"kl_pq": kl(x_grid, p_hat, q_hat), "kl_qp": kl(x_grid, q_hat, p_hat),
                "js": js(x_grid, p_hat, q_hat)}
    if method == "histogram":
        n_bins = int(np.clip(np.sqrt(min(xp.size, xq.size)), 10, 100))
        edges = np.linspace(x_grid[0], x_grid[-1], n_bins + 1)
        hp = np.histogram(np.clip(xp, edges[0], edges[-1]), edges)[0]
        hq = np.histogram(np.clip(xq, edges[0], edges[-1]), edges)[0]
        p_hat, q_hat = normalise(hp, "p samples"), normalise(hq, "q samples")
        return {"kl_pq": kl_discrete(p_hat, q_hat).value, "kl_qp": kl_discrete(q_hat, p_hat).value,
                "js": js_discrete(p_hat, q_hat).value}
    raise ValueError(f"method must be 'kde' or 'histogram' (got {method!r}).")
