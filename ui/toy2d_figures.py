"""Plotly figures for the 2-D toy GAN. Plain arrays in, go.Figure out; no Streamlit here.

As for the 1-D page, each live figure has a builder and an updater: the page builds once per
session and writes new arrays into the same figure at every redraw.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ui.toy_figures import series_figure, update_series_figure

COLORS = {"real": "#111111", "fake": "#9467bd", "manifold": "#7b4fa0", "arrow": "#e6550d", "half": "#ffffff"}
# D(x) from 0 (sure it is fake: purple) through ½ (white) to 1 (sure it is real: green), as in GAN Lab
D_SCALE = [[0.0, "#8e6bbf"], [0.5, "#f7f7f7"], [1.0, "#3f9e4d"]]
LAYERS = ("d", "real", "fakes", "manifold", "arrows")
LAYER_LABELS = {"d": "D(x) heatmap and its ½ contour", "real": "real samples", "fakes": "fake samples G(z)",
                "manifold": "generator manifold (the noise grid, deformed by G)",
                "arrows": "gradient arrows −∂cost/∂x on 64 fakes"}
ARROW_MAX = 0.5   # the longest arrow is drawn 0.5 units long; the others in proportion


def arrow_segments(at, vec, longest: float = ARROW_MAX):
    """Arrows as one polyline (start, end, NaN per arrow) and the tips' angles for triangle markers.

    Lengths are proportional to |vec|, the longest drawn ``longest`` long (a zero field draws dots).
    Angles are Plotly's marker angles: degrees clockwise from "up".
    """
    at, vec = np.asarray(at, float).reshape(-1, 2), np.asarray(vec, float).reshape(-1, 2)
    norm = np.linalg.norm(vec, axis=1)
    top = float(norm.max()) if len(norm) else 0.0
    scaled = vec * (longest / top) if top > 0 else np.zeros_like(vec)
    ends = at + scaled
    seg = np.stack([at, ends, np.full_like(at, np.nan)], axis=1).reshape(-1, 2)
    angles = np.degrees(np.arctan2(scaled[:, 0], scaled[:, 1]))
    return seg, ends, angles, top


def _heatmap(colorbar_title: str, showscale=True) -> list:
    return [go.Heatmap(name="D(x)", colorscale=D_SCALE, zmin=0, zmax=1, zsmooth="fast", showscale=showscale,
                       colorbar=dict(title=colorbar_title, len=0.8, thickness=12), hoverinfo="skip"),
            go.Contour(name="D = ½", contours=dict(start=0.5, end=0.5, size=1, coloring="lines"), showscale=False,
                       line=dict(color="#333333", width=1.5, dash="dash"), colorscale=[[0, "#333"], [1, "#333"]],
                       hoverinfo="skip")]


def _square(fig: go.Figure, box: float, height: int, title: str) -> go.Figure:
    fig.update_xaxes(range=[-box, box], constrain="domain", title_text="x₁", zeroline=False, showgrid=False)
    fig.update_yaxes(range=[-box, box], scaleanchor="x", scaleratio=1, constrain="domain", title_text="x₂",
                     zeroline=False, showgrid=False)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), title=title, uirevision=title,
                      legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), plot_bgcolor="#ffffff")
    return fig


def main_figure(axis, d, real, fakes, manifold, arrows_at, arrows, layers=LAYERS) -> go.Figure:
    """GAN Lab's view: D(x) heatmap with its ½ contour, real and fake dots, the manifold, the arrows."""
    fig = go.Figure(_heatmap("D(x)") + [
        go.Scatter(name="G(z) manifold", mode="lines", line=dict(color=COLORS["manifold"], width=1), opacity=0.6,
                   hoverinfo="skip"),
        go.Scatter(name="real x ~ p_data", mode="markers", marker=dict(color=COLORS["real"], size=4, opacity=0.7)),
        go.Scatter(name="fake G(z)", mode="markers", marker=dict(color=COLORS["fake"], size=5, opacity=0.85,
                                                                 line=dict(color="white", width=0.5))),
        go.Scatter(name="−∂cost/∂x", mode="lines", line=dict(color=COLORS["arrow"], width=1.5), hoverinfo="skip"),
        go.Scatter(name="arrow tips", mode="markers", showlegend=False, hoverinfo="skip",
                   marker=dict(symbol="triangle-up", size=8, color=COLORS["arrow"])),
    ])
    box = float(abs(np.asarray(axis)[0]))
    _square(fig, box, 560, "Data, generator and discriminator")
    return update_main_figure(fig, axis, d, real, fakes, manifold, arrows_at, arrows, layers)


def update_main_figure(fig, axis, d, real, fakes, manifold, arrows_at, arrows, layers=LAYERS) -> go.Figure:
    # float32 halves what crosses to the browser 4 times a second (Plotly sends arrays as base64)
    real, fakes, manifold = (np.asarray(a, np.float32).reshape(-1, 2) for a in (real, fakes, manifold))
    d = np.asarray(d, np.float32)
    seg, ends, angles, _ = arrow_segments(arrows_at, arrows)
    shown = set(layers)
    with fig.batch_update():
        for trace in fig.data[:2]:
            trace.x, trace.y, trace.z = axis, axis, d
            trace.visible = "d" in shown
        h = fig.data
        h[2].x, h[2].y, h[2].visible = manifold[:, 0], manifold[:, 1], "manifold" in shown
        h[3].x, h[3].y, h[3].visible = real[:, 0], real[:, 1], "real" in shown
        h[4].x, h[4].y, h[4].visible = fakes[:, 0], fakes[:, 1], "fakes" in shown
        h[5].x, h[5].y, h[5].visible = seg[:, 0], seg[:, 1], "arrows" in shown
        h[6].x, h[6].y, h[6].visible = ends[:, 0], ends[:, 1], "arrows" in shown
        h[6].marker.angle = angles
    return fig


def d_star_figure(axis, d_star, real=None) -> go.Figure:
    """D*(x) = p_d/(p_d + p_g) as a heatmap (blank where both densities vanish) with its ½ contour."""
    fig = go.Figure(_heatmap("D*(x)"))
    _square(fig, float(abs(np.asarray(axis)[0])), 560, "Optimal discriminator D*(x) = p_d / (p_d + p_g)")
    return update_d_star_figure(fig, axis, d_star)


def update_d_star_figure(fig, axis, d_star) -> go.Figure:
    with fig.batch_update():
        for trace in fig.data[:2]:
            trace.x, trace.y, trace.z = axis, axis, np.asarray(d_star, np.float32)
    return fig


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
