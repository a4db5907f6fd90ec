"""Plotly figures for the 2-D toy GAN. Plain arrays in, go.Figure out; no Streamlit here.

As for the 1-D page, each live figure has a builder and an updater: the page builds once per
session and writes new arrays into the same figure at every redraw. The main view, redrawn 4 times
a second, is a Plotly frame (main_frame) with its data painted on a canvas (main_layers).
"""
from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.graph_objects as go

from ui.toy_figures import series_figure, update_series_figure

COLORS = {"real": "#111111", "fake": "#9467bd", "manifold": "#7b4fa0", "arrow": "#e6550d"}
# D(x) from 0 (sure it is fake: purple) through ½ (white) to 1 (sure it is real: green), as in GAN Lab
D_SCALE = [[0.0, "#8e6bbf"], [0.5, "#f7f7f7"], [1.0, "#3f9e4d"]]
LAYERS = ("d", "real", "fakes", "manifold", "arrows")
LAYER_LABELS = {"d": "D(x) heatmap and its ½ contour", "real": "real samples", "fakes": "fake samples G(z)",
                "manifold": "generator manifold (the noise grid, deformed by G)",
                "arrows": "gradient arrows −∂cost/∂x on 64 fakes"}
ARROW_MAX = 0.5   # the longest arrow is drawn 0.5 units long; the others in proportion


def arrow_tips(at, vec, longest: float = ARROW_MAX) -> np.ndarray:
    """Where each arrow from ``at`` along ``vec`` ends: lengths proportional to |vec|, the longest
    drawn ``longest`` long (a zero field: every tip at its start, no division by zero)."""
    at, vec = np.asarray(at, float).reshape(-1, 2), np.asarray(vec, float).reshape(-1, 2)
    top = float(np.linalg.norm(vec, axis=1).max()) if len(vec) else 0.0
    return at + (vec * (longest / top) if top > 0 else np.zeros_like(vec))


def _colour_bar(title: str, box: float) -> go.Heatmap:
    """A colour bar for D_SCALE: a 2-cell heatmap placed outside the square's fixed axes, so it draws
    nothing but its bar (the heatmap itself is painted on the canvas over the plot area)."""
    far = 10.0 * box
    return go.Heatmap(name=title, z=[[0.0, 1.0]], x=[far, far + 1], y=[far], colorscale=D_SCALE, zmin=0, zmax=1,
                      colorbar=dict(title=title, len=0.7, y=1.0, yanchor="top", thickness=12),  # level with the square's top
                      hoverinfo="skip")


def _square(fig: go.Figure, box: float, height: int, title: str) -> go.Figure:
    fig.update_xaxes(range=[-box, box], constrain="domain", title_text="x₁", zeroline=False, showgrid=False)
    # a square narrower than its panel is tall sits at the top, under the title: side by side, the main
    # view's and D*'s squares then start level whatever each panel's height
    fig.update_yaxes(range=[-box, box], scaleanchor="x", scaleratio=1, constrain="domain", constraintoward="top",
                     title_text="x₂", zeroline=False, showgrid=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), title=title, uirevision=title,
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), plot_bgcolor="#ffffff")
    return fig


# How the canvas paints the main view's data layers (sizes in CSS pixels; Plotly's marker size is a diameter)
STYLE = {"half": {"color": "#333333", "width": 1.5, "dash": [5, 3]},
         "manifold": {"color": COLORS["manifold"], "width": 1.0, "opacity": 0.6},
         "real": {"color": COLORS["real"], "size": 4, "opacity": 0.7},
         "fakes": {"color": COLORS["fake"], "size": 5, "opacity": 0.85, "outline": "#ffffff", "outline_width": 0.5},
         "arrows": {"color": COLORS["arrow"], "width": 1.5, "tip": 8}}


def main_frame(box: float, layers=LAYERS) -> go.Figure:
    """The main view's frame: square axes on [−box, box]², title, legend and D(x)'s colour bar, and
    no data. The data layers (main_layers) are painted on a canvas over its plot area, several times
    a second (ui/live_chart.py): the frame changes only with the layers shown.

    Each legend entry is a trace without points."""
    shown, st = set(layers), STYLE
    empty = dict(x=[None], y=[None], hoverinfo="skip")
    traces = [_colour_bar("D(x)", box)] if "d" in shown else []
    if "manifold" in shown:
        traces.append(go.Scatter(name="G(z) manifold", mode="lines", opacity=st["manifold"]["opacity"],
                                 line=dict(color=st["manifold"]["color"], width=st["manifold"]["width"]), **empty))
    if "real" in shown:
        traces.append(go.Scatter(name="real x ~ p_data", mode="markers", **empty,
                                 marker=dict(color=st["real"]["color"], size=st["real"]["size"] + 2,
                                             opacity=st["real"]["opacity"])))
    if "fakes" in shown:
        f = st["fakes"]
        traces.append(go.Scatter(name="fake G(z)", mode="markers", **empty,
                                 marker=dict(color=f["color"], size=f["size"] + 2, opacity=f["opacity"],
                                             line=dict(color=f["outline"], width=f["outline_width"]))))
    if "arrows" in shown:
        traces.append(go.Scatter(name="−∂cost/∂x", mode="lines", line=dict(color=st["arrows"]["color"],
                                                                         width=st["arrows"]["width"]), **empty))
    if "d" in shown:
        traces.append(go.Scatter(name="D = ½", mode="lines", **empty, line=dict(
            color=st["half"]["color"], width=st["half"]["width"], dash="dash")))
    fig = go.Figure(traces)
    _square(fig, float(box), 560, "Data, generator and discriminator")
    # the layers switch with the pills above the figure, not in the legend
    fig.update_layout(showlegend=True, legend=dict(itemclick=False, itemdoubleclick=False, y=-0.16))
    return fig


def _b64(a) -> str:
    """float32 bytes as base64: a quarter of the JSON text of the same numbers, and exact."""
    return base64.b64encode(np.ascontiguousarray(a, np.float32).tobytes()).decode("ascii")


def main_layers(axis, d, real, fakes, manifold, arrows_at, arrows, layers=LAYERS, iteration=None) -> str:
    """The main view's data for the canvas over main_frame's plot area, as JSON: D(x) on the grid
    (d[i, j] at x = axis[j], y = axis[i]; painted with D_SCALE, bilinear between grid points, and
    its ½ contour), real and fake dots, the manifold (polylines split by NaN), the arrows (from each
    fake to its tip, lengths from arrow_tips), and which layers are shown. ``iteration``: the run's,
    so that the browser never paints an older picture over a newer one (ui.feed)."""
    return _layers_json(axis, d, layers, iteration, real=real, fakes=fakes, manifold=manifold,
                        arrows_from=arrows_at, arrows_to=arrow_tips(arrows_at, arrows))


def _layers_json(axis, d, layers, iteration=None, **points) -> str:
    """A grid of values d (n × n on ``axis`` × ``axis``) and point sets (k × 2) as the canvas's JSON:
    arrays as float32 base64, NaN kept (a blank grid point, a break in a line)."""
    axis = np.asarray(axis, float)
    d = np.asarray(d, np.float32)
    n = len(axis)
    if d.shape != (n, n):
        raise ValueError(f"D(x) must be {n} x {n} on the grid (got {d.shape}).")
    arrays = {k: _b64(np.asarray(points.get(k, np.empty((0, 2))), float).reshape(-1, 2))
              for k in ("real", "fakes", "manifold", "arrows_from", "arrows_to")}
    return json.dumps({"n": n, "grid": [float(axis[0]), float(axis[1] - axis[0]) if n > 1 else 1.0], "d": _b64(d),
                       **arrays, "shown": [x for x in LAYERS if x in set(layers)], "colorscale": D_SCALE,
                       "style": STYLE, "iteration": None if iteration is None else int(iteration)})


def d_star_frame(box: float) -> go.Figure:
    """D*(x) = p_d/(p_d + p_g)'s frame: square axes, title and colour bar; the heatmap and its ½
    contour are painted on the canvas over it (d_star_layers), blank where D* is undefined."""
    fig = go.Figure(_colour_bar("D*(x)", box))
    _square(fig, float(box), 560, "Optimal discriminator D*(x) = p_d / (p_d + p_g)")
    fig.update_layout(showlegend=False)
    return fig


def d_star_layers(axis, d_star) -> str:
    """D* on the grid for the canvas over d_star_frame (NaN where p_data + p_g is too small: left blank)."""
    return _layers_json(axis, d_star, ["d"])


def js_figure(it, js) -> go.Figure:
    return series_figure(it, js, "JS", "JS(p_data ‖ p_g), nats (exact p_data, KDE of p_g)", ref=math.log(2),
                         ref_text="log 2 = 0.693: the bound (disjoint supports)", y_range=[0, math.log(2) * 1.1])


def coverage_figure(it, covered, n_modes: int) -> go.Figure:
    return series_figure(it, covered, "modes covered", f"Modes covered (of {n_modes})", ref=n_modes,
                         ref_text=f"all {n_modes}", color="#17becf", y_range=[-0.2, n_modes + 0.6])


def update_coverage_figure(fig, it, covered, n_modes: int) -> go.Figure:
    with fig.batch_update():
        update_series_figure(fig, it, covered)
        fig.layout.title.text = f"Modes covered (of {n_modes})"
        fig.layout.shapes[0].update(y0=n_modes, y1=n_modes)
        fig.layout.annotations[0].update(y=n_modes, text=f"all {n_modes}")
        fig.layout.yaxis.range = [-0.2, n_modes + 0.6]
    return fig


def canvas_figure(points, selected=(), box: float = 3.0) -> go.Figure:
    """The drawing canvas: a lattice of points to select with the box or lasso tool; selected ones dark."""
    points = np.asarray(points, float)
    sel = np.zeros(len(points), bool)
    sel[list(selected)] = True
    fig = go.Figure(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name="canvas",
                               marker=dict(size=7, color=np.where(sel, "#3f9e4d", "#d0d0d0")),
                               selected=dict(marker=dict(color="#3f9e4d")), hoverinfo="none"))
    _square(fig, box, 420, "Draw p_data: select regions (box or lasso)")
    fig.update_layout(dragmode="lasso", showlegend=False)
    return fig
