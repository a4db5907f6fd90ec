"""Presenter mode, for a projector: larger type and figures, no sidebar, no Streamlit toolbar,
and the page's main figure on the first screen at 1280×720.

On with the toggle or the link parameter ``presenter=1``; the toggle keeps the URL in step.
The sidebar's settings still apply (a scenario or a link sets them before the lecture). What a
page puts in an ``aside()`` container (pickers, notes, uploads) is hidden on the projector, as is
the caption under the page's title; ``present(fig, on, fit=True)`` gives the main figure a height
that fits the screen.
"""
from __future__ import annotations

import streamlit as st

FORMATS = {"png": "PNG", "svg": "SVG"}   # what a figure's camera button saves
FIGURE_FONT = 18          # Plotly's default is 12: unreadable from the back of a lecture hall
FIT_HEIGHT = 400          # px: a main figure's height on the projector, below the title, buttons and numbers

_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"], [data-testid="stDecoration"], [class*="st-key-aside"],
.stElementContainer:has(h1) + .stElementContainer:has([data-testid="stCaptionContainer"]) { display: none !important; }
.block-container { padding: 0.6rem 1.2rem 1rem 1.2rem !important; max-width: 100% !important; }
.stApp p, .stApp li, .stApp label, .stApp button, [data-testid="stCaptionContainer"] { font-size: 1.3rem !important; }
[data-testid="stMetricValue"] *, [data-testid="stMetricValue"] p { font-size: inherit !important; }
h1 { font-size: 2rem !important; padding: 0 !important; }
[data-testid="stVerticalBlock"] { gap: 0.6rem !important; }
.katex-display .katex { font-size: 1.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
[data-testid="stMetricValue"], .stat-value { font-size: 2.6rem !important; }
.stat-label, .stat-note { font-size: 1.15rem !important; }
</style>"""


def presenter_toggle() -> bool:
    """The toggle (its first value from ``?presenter=1``), the CSS when on; returns whether on."""
    ss = st.session_state
    if "presenter" not in ss:
        ss["presenter"] = st.query_params.get("presenter") == "1"
    left, right = st.columns([1, 2], vertical_alignment="center")
    on = left.toggle("Presenter mode", key="presenter", help="For the projector: larger type, no sidebar or toolbar. "
                     "A link with ?presenter=1 opens in it. Keys: P plays or pauses, S steps once.")
    if not on:   # on the projector, one row less above the figure
        right.radio("figures save as", list(FORMATS), format_func=FORMATS.get, key="figure_format", horizontal=True,
                    help="What each figure's camera button (top right of the figure) saves, named by page, seed "
                         "and iteration.")
    if on:
        st.query_params["presenter"] = "1"
        st.markdown(_CSS, unsafe_allow_html=True)
    elif "presenter" in st.query_params:
        del st.query_params["presenter"]
    return on


def aside(name: str):
    """A container for what the projector does without (hidden in presenter mode)."""
    return st.container(key=f"aside_{name}")


def present(fig, on: bool, fit: bool = False):
    """A figure's type size for the projector (or back to the default). Set on each part:
    Streamlit's chart theme replaces the layout's base font size. ``fit``: the page's main figure,
    FIT_HEIGHT tall on the projector (its own height is kept in the layout's meta and restored).

    A live page presents the same figure objects at every redraw, and Plotly's validated updates
    make this ~5 ms for a small chart and ~11 ms for Figure 1: a quarter of the server's CPU
    samples while a class loaded and played (py-spy). So the sizes are set once per figure and
    change of mode; the pages' update functions change values and texts, never these sizes, nor
    add parts."""
    if getattr(fig, "_gan_lab_presented", None) == (on, fit):
        return fig
    if fit:
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        if "height" not in meta:
            fig.update_layout(meta={**meta, "height": fig.layout.height})
            meta = fig.layout.meta
        fig.update_layout(height=FIT_HEIGHT if on else meta["height"])
    _room_for_a_top_legend(fig, on)
    size = FIGURE_FONT if on else None
    fig.update_layout(font_size=size, legend_font_size=size, title_font_size=size)
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    fig.update_annotations(font_size=size)
    fig._gan_lab_presented = (on, fit)
    return fig


def _room_for_a_top_legend(fig, on: bool) -> None:
    """A horizontal legend over the plot shares the top margin with the title (which the figure puts
    on its top edge: ui.series.title_above_legend). In the projector's type the legend takes up to two
    lines more: the margin grows by two lines (the figure's own margin is kept in its meta)."""
    legend = fig.layout.legend
    if legend.orientation != "h" or legend.y is None or legend.y < 1:
        return
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if "margin_t" not in meta:
        fig.update_layout(meta={**meta, "margin_t": fig.layout.margin.t})
        meta = fig.layout.meta
    own = meta["margin_t"]
    fig.update_layout(margin_t=(own if own is not None else 100) + 2 * FIGURE_FONT if on else own)


def image_config(name: str) -> dict:
    """Plotly's modebar camera button saves the figure under this name, as PNG (at twice the shown
    size) or SVG, whichever the page's "figures save as" choice says."""
    fmt = st.session_state.get("figure_format", "png")
    return {"toImageButtonOptions": {"filename": name, "format": fmt, "scale": 2 if fmt == "png" else 1},
            "displaylogo": False}


def chart(fig, name: str, where=None, **kwargs) -> None:
    """st.plotly_chart with the presenter's type size and the camera button saving under ``name``."""
    on = bool(st.session_state.get("presenter"))
    (where or st).plotly_chart(present(fig, on), config=image_config(name), **kwargs)
