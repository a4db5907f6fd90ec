"""Plotly figures for the 1-D toy GAN. Plain arrays in, go.Figure out; no Streamlit here.

Each figure has a builder (`paper_figure`, `loss_figure`, ...) and an updater
(`update_paper_figure`, ...). Building and validating a Plotly figure costs ~50 ms; writing new
arrays into an existing one costs ~1 ms, so the live page builds once and updates per redraw.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.series import X_HOVER, downsample, hold_iteration_axis, hover_exact, nice_ceil, nice_range, steady_range

# The live figure redraws 4 times a second in every student's browser: each redraw ships the
# arrays as JSON and Plotly re-renders them as SVG. The core's grid (401 points) is finer than
# a curve needs on screen; every other point in float32 halves both costs without a visible change.
DRAW_POINTS = 201

COLORS = {"data": "#111111", "gen": "#2ca02c", "d": "#1f77b4", "d_star": "#d62728", "half": "#7f7f7f",
          "z": "#9467bd"}


def _paper_skeleton() -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.74, 0.26], vertical_spacing=0.04,
                        specs=[[{"secondary_y": True}], [{}]])
    line = lambda color, width, dash=None: dict(color=color, width=width, dash=dash)  # noqa: E731
    fig.add_trace(go.Scatter(name="p_data(x)", line=line(COLORS["data"], 2, "dot")), row=1, col=1)
    fig.add_trace(go.Scatter(name="p_g(x) (KDE of G(z))", line=line(COLORS["gen"], 2.5)), row=1, col=1)
    fig.add_trace(go.Scatter(name="D(x)", line=line(COLORS["d"], 2.5)), row=1, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(name="D*(x) = p_d/(p_d+p_g)", line=line(COLORS["d_star"], 2, "dash")),
                  row=1, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(name="½", mode="lines", line=line(COLORS["half"], 1, "dot")),
                  row=1, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(mode="markers", name="a batch of fakes G(z)",
                             marker=dict(symbol="line-ns-open", size=10, color=COLORS["gen"])), row=1, col=1)
    fig.add_trace(go.Scatter(mode="lines", name="z → x = G(z)", line=line(COLORS["z"], 1)), row=2, col=1)
    fig.add_trace(go.Scatter(mode="markers", showlegend=False,
                             marker=dict(symbol="triangle-up", size=7, color=COLORS["z"])), row=2, col=1)
    fig.add_trace(go.Scatter(mode="markers", showlegend=False, marker=dict(size=5, color=COLORS["z"])),
                  row=2, col=1)
    fig.add_annotation(x=0, y=0.0, text="", showarrow=False, xanchor="left", yanchor="top", row=2, col=1,
                       font=dict(size=11))
    fig.add_annotation(x=0, y=0.0, text="", showarrow=False, xanchor="right", yanchor="top", row=2, col=1,
                       font=dict(size=11))
    fig.update_yaxes(title_text="density", row=1, col=1, secondary_y=False)
    fig.update_yaxes(title_text="D(x)", range=[0, 1.02], row=1, col=1, secondary_y=True, showgrid=False,
                     tickvals=[0, 0.25, 0.5, 0.75, 1])
    fig.update_yaxes(tickvals=[0, 1], ticktext=["z", "x"], range=[-0.35, 1.1], row=2, col=1, showgrid=False)
    fig.update_xaxes(title_text="x", row=2, col=1)
    fig.update_layout(height=520, margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), uirevision="toy")
    return fig


def thin_grid(points: int | None, x, *ys):
    """Every n-th point of a grid (the last kept) as float32, so at most about ``points`` are drawn;
    ``points=None`` draws every point at full precision."""
    x = np.asarray(x, float)
    if points is None:
        return (x,) + tuple(np.asarray(y, float) for y in ys)
    step = max(1, math.ceil((len(x) - 1) / max(points - 1, 1)))
    idx = np.unique(np.append(np.arange(0, len(x), step), len(x) - 1))
    return tuple(np.asarray(a, float)[idx].astype(np.float32) for a in (x, *ys))


def update_paper_figure(fig: go.Figure, x, p_data, p_g, d, d_star, z, gz, fakes=(),
                        points: int | None = DRAW_POINTS) -> go.Figure:
    x, z, gz = np.asarray(x, float), np.asarray(z, float), np.asarray(gz, float)
    lo, hi = float(x[0]), float(x[-1])
    zlo, zhi = float(z.min()), float(z.max())
    zpos = lo + (z - zlo) / max(zhi - zlo, 1e-12) * (hi - lo)  # the z-line drawn across the plot's width
    seg_x = np.column_stack([zpos, gz, np.full_like(gz, np.nan)]).ravel()
    seg_y = np.tile([0.0, 1.0, np.nan], len(gz))
    fakes = np.asarray(fakes, float)
    # keep p_data readable when p_g is a spike (a fresh G maps every z near one point): clip at 3x
    top = 1.15 * max(float(np.nanmax(p_data)), min(float(np.nanmax(p_g)), 3 * float(np.nanmax(p_data))))
    if points is not None:
        # a figure updated in place keeps its top while the curves fit under it (2 % to spare) and reach
        # over 43 % of it (the new top at most twice the wanted one): near a round value the top would
        # otherwise flip between two of them from one redraw to the next
        now = fig.layout.yaxis.range
        top = now[1] if now and top / 1.15 * 1.02 <= now[1] <= 2 * top else nice_ceil(top)
    # every axis has a range of its own: a live chart then redraws new curves without a new layout
    xr = nice_range(lo, hi) if points is not None else (lo, hi)
    x, p_data, p_g, d, d_star = thin_grid(points, x, p_data, p_g, d, d_star)
    with fig.batch_update():
        for trace, (tx, ty) in zip(fig.data, [
            (x, p_data), (x, p_g), (x, d), (x, d_star), ([lo, hi], [0.5, 0.5]), (fakes, np.zeros(len(fakes))),
            (seg_x, seg_y), (gz, np.ones_like(gz)), (zpos, np.zeros_like(zpos)),
        ]):
            trace.x, trace.y = tx, ty
        fig.layout.annotations[0].update(x=lo, text=f"z = {zlo:.2g}")
        fig.layout.annotations[1].update(x=hi, text=f"z = {zhi:.2g}")
        fig.layout.yaxis.range = [0, top]
        fig.layout.xaxis.range = fig.layout.xaxis2.range = list(xr)
    return fig


def paper_figure(x, p_data, p_g, d, d_star, z, gz, fakes=(), points: int | None = DRAW_POINTS) -> go.Figure:
    """Goodfellow et al. (2014), Figure 1: densities and D on top, the map z -> x = G(z) below.

    `z`, `gz`: a few noise values (quantiles of p_z) and their images; the z-line is drawn
    under the x-line with z rescaled to the plot's width, and a segment joins each z to G(z).
    """
    fig = update_paper_figure(_paper_skeleton(), x, p_data, p_g, d, d_star, z, gz, fakes, points)
    for trace in fig.data[:6]:   # the densities, D, D*, ½ and the fakes (the z-line has no value to read)
        trace.hovertemplate = X_HOVER
    return fig


def loss_figure(it, d_loss, g_loss, d_ref: float, g_ref: float, g_label: str) -> go.Figure:
    fig = go.Figure([go.Scatter(name="D loss J⁽ᴰ⁾", line=dict(color=COLORS["d"])),
                     go.Scatter(name="G loss", line=dict(color=COLORS["gen"]))])
    fig.add_hline(y=d_ref, line=dict(color=COLORS["d"], dash="dot"), annotation_position="top left",
                  annotation_text=f"log 2 = {d_ref:.3f}: D's loss at equilibrium")
    fig.add_hline(y=g_ref, line=dict(color=COLORS["gen"], dash="dot"), annotation_position="bottom left",
                  annotation_text="")
    fig.update_layout(height=270, margin=dict(l=10, r=10, t=30, b=10), title="Losses",
                      xaxis_title="iteration", legend=dict(orientation="h", y=-0.35), uirevision="loss")
    return hover_exact(update_loss_figure(fig, it, d_loss, g_loss, g_ref, g_label))


def update_loss_figure(fig, it, d_loss, g_loss, g_ref: float, g_label: str) -> go.Figure:
    it, d_loss, g_loss = downsample(it, d_loss, g_loss)
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = it, d_loss
        fig.data[1].x, fig.data[1].y, fig.data[1].name = it, g_loss, f"G loss: {g_label}"
        fig.layout.shapes[1].update(y0=g_ref, y1=g_ref)
        fig.layout.annotations[1].update(y=g_ref, text=f"{g_ref:.3f}: G's cost at D = ½")
        hold_iteration_axis(fig, it)
        fig.layout.yaxis.range = steady_range(fig.layout.yaxis.range, d_loss, g_loss, fig.layout.shapes[0].y0, g_ref)
    return fig


def series_figure(it, y, name: str, title: str, ref: float | None = None, ref_text: str = "",
                  log_y: bool = False, color: str = "#ff7f0e", y_range=None) -> go.Figure:
    fig = go.Figure(go.Scatter(name=name, mode="lines", line=dict(color=color)))
    if ref is not None:
        fig.add_hline(y=ref, line=dict(color="#7f7f7f", dash="dot"), annotation_text=ref_text,
                      annotation_position="top left")
    fig.update_layout(height=270, margin=dict(l=10, r=10, t=30, b=10), title=title, xaxis_title="iteration",
                      showlegend=False, uirevision=title)
    if log_y:
        fig.update_yaxes(type="log")
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    return hover_exact(update_series_figure(fig, it, y))


def update_series_figure(fig, it, y) -> go.Figure:
    it, y = downsample(it, y)
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = it, y
        hold_iteration_axis(fig, it)
    return fig


def js_figure(it, js) -> go.Figure:
    return series_figure(it, js, "JS", "JS(p_data ‖ p_g), nats", ref=math.log(2),
                         ref_text="log 2 = 0.693: the bound (disjoint supports)", y_range=[0, math.log(2) * 1.1])


def d_gap_figure(it, gap) -> go.Figure:
    return series_figure(it, gap, "mean |D − D*|", "mean |D − D*| on the data support", color="#8c564b",
                         y_range=[0, 0.55])
