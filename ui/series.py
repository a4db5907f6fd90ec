"""Arrays on their way to a Plotly chart: ±∞ as gaps, long histories thinned, exact values on hover,
and the title's place over a legend. No Streamlit here."""
from __future__ import annotations

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
