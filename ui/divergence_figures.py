"""Plotly figures for the divergence page: plain arrays in, ``go.Figure`` out (no Streamlit)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gan_core.losses import LOG2
from ui.series import TITLE_AND_LEGEND_MARGIN, finite, title_above_legend

P_COLOR, Q_COLOR, M_COLOR, JS_COLOR = "#1f77b4", "#d62728", "#7f7f7f", "#2ca02c"


def _figure(traces: list[dict], title: str, height: int = 320, **layout) -> go.Figure:
    """One go.Figure from plain dicts: validated once, several times faster than add_* calls."""
    base = dict(
        title=title_above_legend(title, 15), height=height,  # Streamlit applies its theme
        margin=dict(l=10, r=10, t=TITLE_AND_LEGEND_MARGIN, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    return go.Figure(dict(data=traces, layout={**base, **layout}))


def _line(x, y, name, color, **kw) -> dict:
    line = dict(color=color, **kw.pop("line", {}))
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": name, "line": line, **kw}


def _axis(title: str, **kw) -> dict:
    return dict(title=dict(text=title), **kw)


def _hline(y, xref="x", yref="y", dash="dot", color=M_COLOR) -> dict:
    """A horizontal line as a layout shape (fig.add_hline is slow: it re-validates the figure)."""
    return dict(type="line", xref=f"{xref} domain", x0=0, x1=1, yref=yref, y0=y, y1=y,
                line=dict(color=color, dash=dash, width=1.5))


def _vline(x, xref="x", yref="y", dash="dot", color="black") -> dict:
    return dict(type="line", xref=xref, x0=x, x1=x, yref=f"{yref} domain", y0=0, y1=1,
                line=dict(color=color, dash=dash, width=1.5))


def densities_figure(x, p, q, p_name="p", q_name="q") -> go.Figure:
    """p, q and their mixture M = (p + q)/2 on a shared grid."""
    x, p, q = (np.asarray(v, dtype=float) for v in (x, p, q))
    return _figure([
        _line(x, p, f"p = {p_name}", P_COLOR, line=dict(width=2.5)),
        _line(x, q, f"q = {q_name}", Q_COLOR, line=dict(width=2.5)),
        _line(x, 0.5 * (p + q), "M = (p + q)/2", M_COLOR, line=dict(dash="dash")),
    ], "Densities", xaxis=_axis("x"), yaxis=_axis("density"))


def integrands_figure(x, kl_pq, kl_qp, js) -> go.Figure:
    """The pointwise integrands, filled: each shaded area (above minus below 0) is the divergence."""
    curves = [
        ("p log(p/q): area = KL(p‖q)", kl_pq, P_COLOR),
        ("q log(q/p): area = KL(q‖p)", kl_qp, Q_COLOR),
        ("½p log(p/M) + ½q log(q/M): area = JS(p‖q)", js, JS_COLOR),
    ]
    return _figure([_line(x, finite(y), name, color, fill="tozeroy", opacity=0.6) for name, y, color in curves],
                   "Integrands (natural log): the area under each curve is the number", height=360,
                   xaxis=_axis("x"), yaxis=_axis("nats per unit x"), shapes=[_hline(0, dash="solid", color="black")])


def discriminator_figure(x, d_star) -> go.Figure:
    """D*(x) = p/(p + q), with the value 1/2 it takes where p = q."""
    return _figure([_line(x, finite(d_star), "D*(x) = p/(p+q)", "black", line=dict(width=2.5))],
                   "Optimal discriminator D*(x)", height=280, xaxis=_axis("x"),
                   yaxis=_axis("D*(x)", range=[-0.05, 1.05]), shapes=[_hline(0.5)],
                   annotations=[dict(text="½ (p = q)", x=1, xref="x domain", y=0.5, yref="y",
                                     xanchor="right", yanchor="bottom", showarrow=False)])


def sweep_figure(shifts, js, kl, w1, current: float) -> go.Figure:
    """JS, KL and W1 against the shift s of q, side by side: JS saturates at log 2, W1 keeps growing."""
    panels = [("JS(p‖q_s) [nats]: bounded by log 2", js, JS_COLOR),
              ("KL(p‖q_s) [nats]: a gap is ∞", kl, P_COLOR),
              ("W1(p, q_s) [units of x]", w1, "#9467bd")]
    data, layout, shapes, notes = [], {}, [], []
    for i, (title, y, color) in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        data.append(_line(shifts, finite(y), title, color, mode="lines+markers", marker=dict(size=4),
                          showlegend=False, xaxis=f"x{n}", yaxis=f"y{n}"))
        lo, hi = i / 3 + (0.03 if i else 0), (i + 1) / 3 - (0.03 if i < 2 else 0)
        layout[f"xaxis{n}"] = _axis("shift s", domain=[lo, hi], anchor=f"y{n}")
        layout[f"yaxis{n}"] = dict(anchor=f"x{n}")
        shapes.append(_vline(current, xref=f"x{n}", yref=f"y{n}"))
        notes.append(dict(text=title, x=(lo + hi) / 2, xref="paper", y=1.0, yref="paper", xanchor="center",
                          yanchor="bottom", showarrow=False, font=dict(size=13)))
    layout["yaxis"]["range"] = [0, LOG2 * 1.12]
    shapes.append(_hline(LOG2, dash="dash"))
    notes.append(dict(text="log 2", x=1, xref="x domain", y=LOG2, yref="y", xanchor="right",
                      yanchor="top", showarrow=False))
    return _figure(data, "", height=330, margin=dict(l=10, r=10, t=40, b=10),
                   shapes=shapes, annotations=notes, **layout)


def samples_figure(x, p, q, xp, xq, bins: int = 60) -> go.Figure:
    """Histograms of the samples (binned here: 60 bars, not every sample) over the exact densities."""
    lo, hi = float(np.min(x)), float(np.max(x))
    edges = np.linspace(lo, hi, bins + 1)
    centres, width = 0.5 * (edges[1:] + edges[:-1]), edges[1] - edges[0]
    hist = lambda s: np.histogram(s, edges)[0] / (len(s) * width)
    bar = lambda s, name, color: dict(type="bar", x=centres, y=hist(s), width=width, name=name,
                                      marker=dict(color=color), opacity=0.35)
    return _figure([bar(xp, "samples of p", P_COLOR), bar(xq, "samples of q", Q_COLOR),
                    _line(x, p, "p", P_COLOR), _line(x, q, "q", Q_COLOR)],
                   "Samples against the exact densities", height=300, barmode="overlay",
                   xaxis=_axis("x", range=[lo, hi]), yaxis=_axis("density"))


def discrete_terms_figure(kl_pq_terms, kl_qp_terms, js_terms) -> go.Figure:
    """One bar per index i and divergence: the terms of the sums."""
    idx = np.arange(1, len(js_terms) + 1)
    bars = [dict(type="bar", x=idx, y=finite(y), name=name, marker=dict(color=color))
            for name, y, color in [("p_i log(p_i/q_i)", kl_pq_terms, P_COLOR),
                                   ("q_i log(q_i/p_i)", kl_qp_terms, Q_COLOR),
                                   ("JS term", js_terms, JS_COLOR)]]
    return _figure(bars, "Terms of the sums (nats); a missing bar is +∞", height=300,
                   xaxis=_axis("index i", tickmode="array", tickvals=idx), yaxis=_axis("nats"),
                   barmode="group", shapes=[_hline(0, dash="solid", color="black")])
