"""Figures for the MNIST pages. Plain arrays in; uint8 images or go.Figure out; no Streamlit here.

Digit grids are uint8 images for st.image (a PNG of a 242x242 grid costs about a millisecond; a
Plotly heatmap of it costs 50). Charts follow ui.toy_figures: build once, update in place.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gan_core.mnist.training import image_grid
from ui.series import downsample, hold_iteration_axis, hover_exact
from ui.toy_figures import COLORS


def grid_image(images, ncols: int = 8, scale: int = 2) -> np.ndarray:
    """(N, 1, 28, 28) in [-1, 1] -> uint8 (H, W) grid, upscaled by pixel repetition (stays crisp)."""
    return display_image(image_grid(np.asarray(images), ncols=ncols), scale)


def display_image(grid: np.ndarray, scale: int = 2) -> np.ndarray:
    """A grid image (H, W) in [0, 1] -> uint8 (scale·H, scale·W) for st.image."""
    g = (grid * 255).round().astype(np.uint8)
    return np.kron(g, np.ones((scale, scale), dtype=np.uint8)) if scale > 1 else g


def pairs_image(top, bottom, scale: int = 2) -> np.ndarray:
    """Two rows: samples on top, each one's nearest training digit under it."""
    top, bottom = np.asarray(top), np.asarray(bottom)
    return grid_image(np.concatenate([top, bottom]), ncols=len(top), scale=scale)


def d_output_figure(it, d_real, d_fake) -> go.Figure:
    """Mean D(x) on real and D(G(z)) on fake minibatches; both tend to ½ at equilibrium."""
    fig = go.Figure([go.Scatter(name="mean D(x), real", line=dict(color=COLORS["d"])),
                     go.Scatter(name="mean D(G(z)), fake", line=dict(color=COLORS["gen"]))])
    fig.add_hline(y=0.5, line=dict(color=COLORS["half"], dash="dot"), annotation_text="½: D cannot tell",
                  annotation_position="top left")
    fig.update_layout(height=270, margin=dict(l=10, r=10, t=30, b=10), title="Discriminator outputs",
                      xaxis_title="iteration", yaxis_range=[0, 1], legend=dict(orientation="h", y=-0.35),
                      uirevision="d_out")
    return hover_exact(update_d_output_figure(fig, it, d_real, d_fake))


def update_d_output_figure(fig: go.Figure, it, d_real, d_fake) -> go.Figure:
    it, d_real, d_fake = downsample(it, d_real, d_fake)
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = it, d_real
        fig.data[1].x, fig.data[1].y = it, d_fake
        hold_iteration_axis(fig, it)
    return fig


def class_histogram_figure(shares, labels=None, present: float = 0.05) -> go.Figure:
    """Predicted-class shares of the samples; a missing bar is a dropped mode (mode collapse)."""
    labels = [str(c) for c in (labels or range(len(shares)))]
    fig = go.Figure(go.Bar(x=labels, marker_color=COLORS["gen"]))
    # the two reference lines are named in the title: labels on the lines would sit on the bars
    fig.add_hline(y=0.1, line=dict(color=COLORS["data"], dash="dot"))
    fig.add_hline(y=present, line=dict(color="#d62728", dash="dot"))
    fig.update_layout(height=270, margin=dict(l=10, r=10, t=30, b=10),
                      title=dict(text=f"Classes of the samples <span style='font-size:12px'>(dotted: "
                                      f"<span style='color:{COLORS['data']}'>0.1 every class alike</span>, "
                                      f"<span style='color:#d62728'>{present:g} present</span>)</span>"),
                      xaxis_title="class (digit classifier)", yaxis_title="share", xaxis_type="category",
                      uirevision="classes")
    return update_class_histogram(fig, shares)


def update_class_histogram(fig: go.Figure, shares) -> go.Figure:
    shares = np.asarray(shares, float)
    fig.data[0].y = shares
    fig.layout.yaxis.range = [0, max(0.3, float(shares.max()) * 1.1 if len(shares) else 0.3)]
    return fig
