"""Arrays on their way to a Plotly chart: ±∞ as gaps, long histories thinned, exact values on hover,
and the title's place over a legend. No Streamlit here."""
from __future__ import annotations

import math

import numpy as np


def finite(y) -> np.ndarray:
    """±∞ cannot be drawn: leave a gap there (the pages say where and why)."""
    y = np.asarray(y, dtype=float).copy()
    y[~np.isfinite(y)] = np.nan
    return y


def downsample(x, *ys, max_points: int = 1500):
    """Bin means of long series so a chart of a million steps still draws quickly.

    A noisy curve keeps its level, not its spikes; non-finite values are left out of the means."""
    x = np.asarray(x, float)
    n = len(x)
    if n <= max_points:
        return (x,) + tuple(np.asarray(y, float) for y in ys)
    edges = np.linspace(0, n, max_points + 1).astype(int)
    out = [np.add.reduceat(x, edges[:-1]) / np.diff(edges)]
    for y in ys:
        y = np.asarray(y, float)
        ok = np.isfinite(y)
        sums = np.add.reduceat(np.where(ok, y, 0.0), edges[:-1])
        counts = np.add.reduceat(ok.astype(float), edges[:-1])
        out.append(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan))
    return tuple(out)


ITERATION_HOVER = "<b>%{fullData.name}</b><br>iteration %{x:,.0f}<br>value %{y:.6g}<extra></extra>"
X_HOVER = "<b>%{fullData.name}</b><br>x = %{x:.4g}<br>value %{y:.6g}<extra></extra>"


def hover_exact(fig, template: str = ITERATION_HOVER):
    """Hovering a curve shows its name, its iteration (or x) and its value to 6 significant digits.
    Plotly's default rounds to about 3 digits; a lecture compares numbers like 0.6931 and log 2."""
    fig.update_traces(hovertemplate=template, selector=dict(type="scatter"))
    return fig


TITLE_AND_LEGEND_MARGIN = 80   # px over the plot: the title, then up to two lines of a legend over the plot


def title_above_legend(text: str, size: int) -> dict:
    """A figure's title on its top edge, clear of a horizontal legend over the plot (anchored at the
    plot's top, y = 1): with a top margin of TITLE_AND_LEGEND_MARGIN the legend has its own row."""
    return dict(text=text, x=0.01, y=1.0, yref="container", yanchor="top", pad=dict(t=8), font=dict(size=size))


# ---- axis ranges that hold still. A live chart whose axes all have ranges of their own redraws new
# values without laying its axes out again (ui.live_chart.fixed_axes), at about two thirds of the
# browser's CPU; these ranges change only now and then, not with every new point.
def nice_ceil(v: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (x 10^k) at or above v > 0: an axis top
    that stays put while the curve under it moves a little (a changed range redraws the axes too)."""
    if not v > 0 or not math.isfinite(v):
        return 1.0
    k = math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * 10 ** k >= v * (1 - 1e-12):
            return m * 10 ** k
    return 10 ** (k + 1)


def nice_range(lo: float, hi: float, steps: int = 20) -> tuple[float, float]:
    """[lo, hi] widened to whole multiples of a round step (1, 2 or 5 x 10^k, about 1/steps of the
    width): an axis that stays put while the grid under it moves a little."""
    width = hi - lo
    if not (math.isfinite(lo) and math.isfinite(hi)) or width <= 0:
        return lo, hi
    raw = width / steps
    k = math.floor(math.log10(raw))
    step = next(m * 10 ** k for m in (1, 2, 5, 10) if m * 10 ** k >= raw)
    return round(math.floor(lo / step) * step, 12), round(math.ceil(hi / step) * step, 12)


def iteration_range(now, last: float) -> list[float]:
    """An iteration axis from 0: the range drawn ``now`` while the newest iteration ``last`` lies in
    its outer 60 %, else [0, a round number 25 % past ``last``] (so it grows about 1.25-1.6 times at once)."""
    if now is not None and now[0] == 0 and 0.4 * now[1] <= last <= now[1]:
        return list(now)
    return [0, nice_ceil(max(float(last), 1.0) * 1.25)]


def steady_range(now, *values) -> list[float] | None:
    """A value axis over the finite ``values`` (arrays or numbers): the range drawn ``now`` while they fit
    in it and span at least half of it, else their span, 5 % wider on each side, in round steps.
    None (autorange) when no value is finite."""
    parts = [np.asarray(v, float).ravel() for v in values]
    a = np.concatenate(parts) if parts else np.zeros(0)
    a = a[np.isfinite(a)]
    if not a.size:
        return None
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-9 * max(1.0, abs(hi)):
        lo, hi = lo - max(0.05 * abs(lo), 0.05), hi + max(0.05 * abs(hi), 0.05)
    if now is not None and now[0] <= lo and hi <= now[1] and hi - lo >= 0.5 * (now[1] - now[0]):
        return list(now)
    pad = 0.05 * (hi - lo)
    return list(nice_range(lo - pad, hi + pad, steps=10))


def hold_iteration_axis(fig, it) -> None:
    """The x axis of a chart over iterations (a plotly Figure's): from 0 to a round number past the newest."""
    fig.layout.xaxis.range = iteration_range(fig.layout.xaxis.range, float(it[-1]) if len(it) else 0.0)
