"""Plotly figures for the generator-cost page: plain arrays in, ``go.Figure`` out (no Streamlit)."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gan_core.losses import LOG2
from ui.series import TITLE_AND_LEGEND_MARGIN, downsample, finite, hover_exact, title_above_legend

COST_COLORS = {"saturating": "#d62728", "non_saturating": "#1f77b4",
               "least_squares": "#2ca02c", "max_likelihood": "#9467bd"}
DATA_COLOR = "#7f7f7f"
MAX_POINTS = 1500  # longer histories are thinned before they reach the browser


class Series(NamedTuple):
    label: str
    x: np.ndarray
    y: np.ndarray
    color: str
    dash: str = "solid"


def _layout(fig: go.Figure, title: str, height: int = 300, **kw) -> go.Figure:
    kw = {"margin": dict(l=10, r=10, t=TITLE_AND_LEGEND_MARGIN, b=10), **kw}
    fig.update_layout(
        title=title_above_legend(title, 14), height=height, template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, font=dict(size=11)), **kw,
    )
    return fig


def analytic_figure(d, curves: list[Series], grads: list[Series], fakes: list[Series],
                    fake_grads: list[Series], log_x: bool = False) -> go.Figure:
    """Top: each cost J as a function of D(G(z)). Bottom: |∂J/∂a|, the signal through D's logit a.

    `fakes` / `fake_grads` are dots on those curves at the current fakes' D(G(z)) values.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("generator cost J as a function of D(G(z))",
                                        "|∂J/∂a|: the gradient that reaches G through D's logit a"))
    for row, lines, dots in ((1, curves, fakes), (2, grads, fake_grads)):
        for s in lines:
            fig.add_scatter(x=d, y=finite(s.y), name=s.label, legendgroup=s.label, showlegend=row == 1,
                            line=dict(color=s.color, width=2.5, dash=s.dash), row=row, col=1)
        for s in dots:
            fig.add_scatter(x=s.x, y=finite(s.y), mode="markers", name=s.label, legendgroup=s.label,
                            showlegend=row == 1, marker=dict(color=s.color, size=8, opacity=0.6,
                                                             line=dict(color="black", width=1)), row=row, col=1)
    fig.update_yaxes(range=[-4.5, 4.5], title_text="J (cost)", row=1, col=1)
    fig.update_yaxes(range=[-0.05, 1.15], title_text="|∂J/∂a|", row=2, col=1)
    fig.update_xaxes(title_text="D(G(z))  (0: D sure it is fake, 1: D fooled)", row=2, col=1)
    if log_x:
        fig.update_xaxes(type="log", range=[math.log10(float(np.min(d))), 0])
    else:
        fig.update_xaxes(range=[0, 1])
    fig = _layout(fig, "", height=600, margin=dict(l=10, r=10, t=30, b=10))
    return fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0.0))


def curves_figure(title: str, series: list[Series], y_title: str, log_y: bool = False,
                  reference: tuple[float, str] | None = None, height: int = 280) -> go.Figure:
    fig = go.Figure()
    for s in series:
        x, y = downsample(s.x, finite(s.y), max_points=MAX_POINTS)
        fig.add_scatter(x=x, y=y, name=s.label, mode="lines", line=dict(color=s.color, width=1.8, dash=s.dash))
    if reference is not None:
        fig.add_hline(y=reference[0], line=dict(dash="dot", color=DATA_COLOR),
                      annotation_text=reference[1], annotation_position="bottom right")
    fig.update_xaxes(title_text="iteration")
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return hover_exact(_layout(fig, title, height=height))


def grad_norm_figure(series: list[Series]) -> go.Figure:
    return curves_figure("Generator gradient norm ‖∇θ_G J‖ (log scale)", series, "‖∇θ_G J‖", log_y=True)


def mean_d_figure(series: list[Series]) -> go.Figure:
    fig = curves_figure("Mean D(G(z)) on the generator's batch", series, "D(G(z))",
                        reference=(0.5, "½: D cannot tell"))
    return fig.update_yaxes(range=[-0.02, 1.02])


def js_figure(series: list[Series]) -> go.Figure:
    fig = curves_figure("JS(p_data ‖ p_g) (nats)", series, "nats", reference=(LOG2, "log 2: no overlap"))
    return fig.update_yaxes(range=[-0.02, 0.75])


def densities_figure(x, p_data, series: list[Series], data_name: str = "p_data") -> go.Figure:
    """p_data filled, each run's p_g as a line."""
    fig = go.Figure()
    fig.add_scatter(x=x, y=p_data, name=f"p_data = {data_name}", fill="tozeroy",
                    line=dict(color=DATA_COLOR, width=2))
    for s in series:
        fig.add_scatter(x=s.x, y=s.y, name=s.label, line=dict(color=s.color, width=2.5, dash=s.dash))
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="density")
    return _layout(fig, "p_g of both runs against p_data", height=300)
