"""Plotly figures for the divergence page: plain arrays in, ``go.Figure`` out (no Streamlit)."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

P_COLOR, Q_COLOR, M_COLOR, JS_COLOR = "#1f77b4", "#d62728", "#7f7f7f", "#2ca02c"
LOG2 = math.log(2.0)


def _layout(fig: go.Figure, title: str, height: int = 320, **kw) -> go.Figure:
    kw = {"margin": dict(l=10, r=10, t=50, b=10), **kw}
    fig.update_layout(
        title=dict(text=title, x=0.01, font=dict(size=15)), height=height, template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0), **kw,
    )
    return fig


def _finite(y) -> np.ndarray:
    """±∞ cannot be drawn: leave a gap there (the page says where and why)."""
    y = np.asarray(y, dtype=float).copy()
    y[~np.isfinite(y)] = np.nan
    return y


def densities_figure(x, p, q, p_name="p", q_name="q") -> go.Figure:
    """p, q and their mixture M = (p + q)/2 on a shared grid."""
    x, p, q = (np.asarray(v, dtype=float) for v in (x, p, q))
    fig = go.Figure()
    fig.add_scatter(x=x, y=p, name=f"p = {p_name}", line=dict(color=P_COLOR, width=2.5))
    fig.add_scatter(x=x, y=q, name=f"q = {q_name}", line=dict(color=Q_COLOR, width=2.5))
    fig.add_scatter(x=x, y=0.5 * (p + q), name="M = (p + q)/2", line=dict(color=M_COLOR, dash="dash"))
    return _layout(fig, "Densities", xaxis_title="x", yaxis_title="density")


def integrands_figure(x, kl_pq, kl_qp, js) -> go.Figure:
    """The pointwise integrands, filled: each shaded area (above minus below 0) is the divergence."""
    fig = go.Figure()
    curves = [
        ("p log(p/q): area = KL(p‖q)", kl_pq, P_COLOR),
        ("q log(q/p): area = KL(q‖p)", kl_qp, Q_COLOR),
        ("½p log(p/M) + ½q log(q/M): area = JS(p‖q)", js, JS_COLOR),
    ]
    for name, y, color in curves:
        fig.add_scatter(x=x, y=_finite(y), name=name, fill="tozeroy", line=dict(color=color), opacity=0.6)
    fig.add_hline(y=0, line=dict(color="black", width=1))
    return _layout(fig, "Integrands (natural log): the area under each curve is the number", height=360,
                   xaxis_title="x", yaxis_title="nats per unit x")


def discriminator_figure(x, d_star) -> go.Figure:
    """D*(x) = p/(p + q), with the value 1/2 it takes where p = q."""
    fig = go.Figure()
    fig.add_scatter(x=x, y=_finite(d_star), name="D*(x) = p/(p+q)", line=dict(color="black", width=2.5))
    fig.add_hline(y=0.5, line=dict(dash="dot", color=M_COLOR), annotation_text="½ (p = q)")
    return _layout(fig, "Optimal discriminator D*(x)", height=280, xaxis_title="x",
                   yaxis=dict(title="D*(x)", range=[-0.05, 1.05]))


def sweep_figure(shifts, js, kl, w1, current: float) -> go.Figure:
    """JS, KL and W1 against the shift s of q: JS saturates at log 2, W1 keeps growing."""
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.08, subplot_titles=(
        "JS(p‖q_s) [nats]: bounded by log 2", "KL(p‖q_s) [nats]: gap = ∞", "W1(p, q_s) [units of x]"))
    for col, (y, color) in enumerate([(js, JS_COLOR), (kl, P_COLOR), (w1, "#9467bd")], start=1):
        fig.add_scatter(x=shifts, y=_finite(y), mode="lines+markers", marker=dict(size=4),
                        line=dict(color=color), showlegend=False, row=1, col=col)
        fig.add_vline(x=current, line=dict(color="black", dash="dot"), row=1, col=col)
        fig.update_xaxes(title_text="shift s", row=1, col=col)
    fig.add_hline(y=LOG2, line=dict(color=M_COLOR, dash="dash"), row=1, col=1,
                  annotation_text="log 2", annotation_position="bottom right")
    fig.update_yaxes(range=[0, LOG2 * 1.12], row=1, col=1)
    fig.update_annotations(font_size=13)
    return _layout(fig, "", height=330, margin=dict(l=10, r=10, t=40, b=10))


def samples_figure(x, p, q, xp, xq, bins: int = 60) -> go.Figure:
    """Histograms of the samples over the exact densities."""
    fig = go.Figure()
    lo, hi = float(np.min(x)), float(np.max(x))
    xbins = dict(start=lo, end=hi, size=(hi - lo) / bins)
    fig.add_histogram(x=xp, histnorm="probability density", xbins=xbins, name="samples of p",
                      marker_color=P_COLOR, opacity=0.35)
    fig.add_histogram(x=xq, histnorm="probability density", xbins=xbins, name="samples of q",
                      marker_color=Q_COLOR, opacity=0.35)
    fig.add_scatter(x=x, y=p, name="p", line=dict(color=P_COLOR))
    fig.add_scatter(x=x, y=q, name="q", line=dict(color=Q_COLOR))
    return _layout(fig, "Samples against the exact densities", height=300, barmode="overlay",
                   xaxis=dict(title="x", range=[lo, hi]), yaxis_title="density")


def discrete_terms_figure(kl_pq_terms, kl_qp_terms, js_terms) -> go.Figure:
    """One bar per index i and divergence: the terms of the sums."""
    idx = np.arange(1, len(js_terms) + 1)
    fig = go.Figure()
    for name, y, color in [("p_i log(p_i/q_i)", kl_pq_terms, P_COLOR),
                           ("q_i log(q_i/p_i)", kl_qp_terms, Q_COLOR),
                           ("JS term", js_terms, JS_COLOR)]:
        fig.add_bar(x=idx, y=_finite(y), name=name, marker_color=color)
    fig.add_hline(y=0, line=dict(color="black", width=1))
    return _layout(fig, "Terms of the sums (nats); a missing bar is +∞", height=300,
                   xaxis=dict(title="index i", tickmode="array", tickvals=idx), yaxis_title="nats",
                   barmode="group")
