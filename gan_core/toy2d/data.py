"""Two-dimensional data for the 2-D toy GAN: every preset and every drawn set is a Gaussian mixture.

A mixture of isotropic Gaussians has an exact pdf, an exact sampler and, through its
components, an exact notion of "mode": so the page's D*, JS and mode coverage compare the
generator with the true p_data, never with a histogram of it. Curves (a line, two moons, a
spiral) are chains of small Gaussians spaced closer than their width, which reads as a
continuous curve with a little noise around it.

``groups`` says which components make one *mode* (a separate piece of the data): each Gaussian
of the ring is a mode, a moon is one mode. Mode coverage (game.mode_coverage) counts pieces.

All presets lie inside the square [-BOX, BOX]², with at least 3σ to spare (the page's view).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

BOX = 3.0            # the page's view and every grid estimate: [-3, 3]²
CANVAS = 2.5         # the drawing canvas stays 0.5 inside the view (≥ 3σ of a drawn point)
CANVAS_STEP = 0.25   # spacing of the canvas's selectable points
DRAWN_STD = 0.15     # each selected point becomes N(point, 0.15² I): wider than half the spacing,
                     # so neighbouring points merge into one smooth region
MAX_DRAWN = 2000


@dataclass(eq=False)
class GaussianMixture2D:
    """Σ_i w_i N(means_i, stds_i² I) in the plane. ``groups[i]``: the mode component i belongs to."""

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    groups: np.ndarray | None = None
    name: str = "Gaussian mixture"
    _tree: cKDTree | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        w = np.asarray(self.weights, float).ravel()
        m = np.asarray(self.means, float).reshape(-1, 2)
        s = np.broadcast_to(np.asarray(self.stds, float).ravel(), w.shape).copy() if np.size(self.stds) == 1 \
            else np.asarray(self.stds, float).ravel()
        if len(w) == 0 or not (len(w) == len(m) == len(s)):
            raise ValueError(f"a mixture needs as many (≥ 1) weights, means and stds (got {len(w)}, {len(m)}, {len(s)}).")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or abs(w.sum() - 1.0) > 1e-6:
            raise ValueError(f"mixture weights must be ≥ 0 and sum to 1 (they sum to {w.sum():.6g}).")
        if not np.all(np.isfinite(m)):
            raise ValueError("mixture means must be finite.")
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError("mixture stds must be > 0.")
        g = np.arange(len(w)) if self.groups is None else np.asarray(self.groups, int).ravel()
        if len(g) != len(w):
            raise ValueError("groups needs one entry per component.")
        _, g = np.unique(g, return_inverse=True)  # modes numbered 0 … n_modes − 1
        self.weights, self.means, self.stds, self.groups = w, m, s, g

    # ---- the scipy.stats-like interface
    def pdf(self, xy) -> np.ndarray:
        """Exact density at points (..., 2)."""
        xy = np.asarray(xy, float)
        flat = xy.reshape(-1, 2)
        out = np.zeros(len(flat))
        norm = self.weights / (2 * np.pi * self.stds**2)
        for lo in range(0, len(flat), 4096):  # bounded memory for many components (a drawn set)
            d2 = ((flat[lo:lo + 4096, None, :] - self.means[None]) ** 2).sum(-1)
            out[lo:lo + 4096] = (norm * np.exp(-0.5 * d2 / self.stds**2)).sum(-1)
        return out.reshape(xy.shape[:-1])

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n points, (n, 2), from the seeded generator ``rng``."""
        comp = rng.choice(len(self.weights), size=int(n), p=self.weights)
        return self.means[comp] + rng.standard_normal((int(n), 2)) * self.stds[comp, None]

    @property
    def n_modes(self) -> int:
        return int(self.groups.max()) + 1

    @property
    def min_std(self) -> float:
        return float(self.stds.min())

    def mean(self) -> np.ndarray:
        return self.weights @ self.means

    def nearest_component(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """For points (n, 2): the index of the nearest component mean and the distance to it.
        (Every preset gives its components one σ, so the nearest mean is the one that counts.)"""
        if self._tree is None:
            self._tree = cKDTree(self.means)
        dist, idx = self._tree.query(np.asarray(xy, float).reshape(-1, 2))
        return idx, dist

    def __eq__(self, other):
        return (isinstance(other, GaussianMixture2D) and self.name == other.name
                and np.array_equal(self.weights, other.weights) and np.array_equal(self.means, other.means)
                and np.array_equal(self.stds, other.stds))

    def __getstate__(self):  # the KD-tree is rebuilt where it is needed, not pickled across processes
        state = dict(self.__dict__)
        state["_tree"] = None
        return state


def _equal(means, std, groups=None, name="") -> GaussianMixture2D:
    means = np.asarray(means, float)
    return GaussianMixture2D(np.full(len(means), 1.0 / len(means)), means, std, groups, name)


def ring(n: int = 8, radius: float = 2.0, std: float = 0.15) -> GaussianMixture2D:
    a = 2 * np.pi * np.arange(n) / n
    return _equal(np.column_stack([radius * np.cos(a), radius * np.sin(a)]), std,
                  name=f"ring of {n} Gaussians (r = {radius:g}, σ = {std:g})")


def grid(n: int = 5, spacing: float = 1.0, std: float = 0.1) -> GaussianMixture2D:
    c = (np.arange(n) - (n - 1) / 2) * spacing
    xx, yy = np.meshgrid(c, c)
    return _equal(np.column_stack([xx.ravel(), yy.ravel()]), std,
                  name=f"grid of {n}×{n} Gaussians (spacing {spacing:g}, σ = {std:g})")


def two_clusters(std: float = 0.25) -> GaussianMixture2D:
    return _equal([[-1.5, -1.0], [1.5, 1.0]], std, name=f"two disjoint clusters (σ = {std:g})")


def line(std: float = 0.1) -> GaussianMixture2D:
    t = np.linspace(0, 1, 41)
    pts = np.column_stack([-2 + 4 * t, -1 + 2 * t])
    return _equal(pts, std, np.zeros(len(t)), f"a line from (−2, −1) to (2, 1) (41 Gaussians, σ = {std:g})")


def two_moons(std: float = 0.1) -> GaussianMixture2D:
    """scikit-learn's two moons, centred and scaled ×1.5: two interleaved half circles."""
    t = np.linspace(0, np.pi, 24)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    pts = 1.5 * (np.vstack([upper, lower]) - [0.5, 0.25])
    return _equal(pts, std, np.repeat([0, 1], len(t)), f"two moons (2 × 24 Gaussians, σ = {std:g})")


def spiral(std: float = 0.1) -> GaussianMixture2D:
    """Two interleaved arms of an Archimedean spiral (the second arm is the first turned by π)."""
    t = np.linspace(0.6, 3 * np.pi, 36)
    r = 2.4 * t / (3 * np.pi)
    arm = np.column_stack([r * np.cos(t), r * np.sin(t)])
    return _equal(np.vstack([arm, -arm]), std, np.repeat([0, 1], len(t)),
                  f"two-arm spiral (2 × 36 Gaussians, σ = {std:g})")


# Presets of the 2-D page; keys are what the page shows.
PRESETS = {
    "Ring of 8 Gaussians": ring,
    "Grid of 25 Gaussians (mode collapse)": grid,
    "Two disjoint clusters": two_clusters,
    "Line": line,
    "Two moons": two_moons,
    "Spiral": spiral,
}


def preset(name: str) -> GaussianMixture2D:
    if name not in PRESETS:
        raise ValueError(f"unknown 2-D data preset {name!r}; choose one of {list(PRESETS)}.")
    return PRESETS[name]()


# ---- a distribution drawn by hand
def canvas_points() -> np.ndarray:
    """The drawing canvas: a square lattice of selectable points, (n, 2), row by row."""
    c = np.arange(-CANVAS, CANVAS + 1e-9, CANVAS_STEP)
    xx, yy = np.meshgrid(c, c)
    return np.column_stack([xx.ravel(), yy.ravel()])


def drawn(points, std: float = DRAWN_STD) -> GaussianMixture2D:
    """The density of a drawn set: an equal-weight mixture of N(p, σ² I) over the selected points p.

    Points closer than 1.5 canvas steps belong to the same mode, so a student who selects three
    separate regions has drawn a three-mode distribution. Refuses an empty selection and points
    outside the canvas (their Gaussians would spill out of the view the estimates integrate over).
    """
    pts = np.unique(np.round(np.asarray(points, float).reshape(-1, 2), 6), axis=0)
    if len(pts) == 0:
        raise ValueError("select at least one point on the canvas (box or lasso) to draw a distribution.")
    if len(pts) > MAX_DRAWN:
        raise ValueError(f"at most {MAX_DRAWN} drawn points (got {len(pts)}).")
    if not np.all(np.isfinite(pts)) or np.abs(pts).max() > CANVAS + 1e-6:
        raise ValueError(f"drawn points must lie in the canvas [−{CANVAS:g}, {CANVAS:g}]².")
    pairs = cKDTree(pts).query_pairs(1.5 * CANVAS_STEP, output_type="ndarray")
    adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(pts), len(pts)))
    n_modes, groups = connected_components(adj, directed=False)
    return _equal(pts, std, groups, f"drawn: {len(pts)} points in {n_modes} region{'s' * (n_modes != 1)} (σ = {std:g})")


def expected_share(mix: GaussianMixture2D) -> np.ndarray:
    """Each mode's share of p_data (the sum of its components' weights)."""
    return np.bincount(mix.groups, mix.weights, mix.n_modes)


COVERAGE_RADIUS = 3.0   # a fake belongs to a mode when within 3σ of one of its components


def mode_of(mix: GaussianMixture2D, xy) -> np.ndarray:
    """The mode each point falls in (within COVERAGE_RADIUS·σ of a component), −1 when none."""
    idx, dist = mix.nearest_component(xy)
    inside = dist <= COVERAGE_RADIUS * mix.stds[idx]
    return np.where(inside, mix.groups[idx], -1)


def coverage_threshold(mix: GaussianMixture2D) -> float:
    """A mode is covered when at least this share of the fakes falls in it: a quarter of a fair share."""
    return 1.0 / (4 * mix.n_modes)

