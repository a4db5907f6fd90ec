"""Presenter mode, for a projector: larger type and figures, no sidebar, no Streamlit toolbar.

On with the toggle or the link parameter ``presenter=1``; the toggle keeps the URL in step.
The sidebar's settings still apply (a scenario or a link sets them before the lecture).
"""
from __future__ import annotations

import streamlit as st

FIGURE_FONT = 18          # Plotly's default is 12: unreadable from the back of a lecture hall

_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"], [data-testid="stDecoration"] { display: none !important; }
.block-container { padding: 0.6rem 1.2rem 1rem 1.2rem !important; max-width: 100% !important; }
.stApp p, .stApp li, .stApp label, .stApp button, [data-testid="stCaptionContainer"] { font-size: 1.3rem !important; }
[data-testid="stMetricValue"] *, [data-testid="stMetricValue"] p { font-size: inherit !important; }
h1 { font-size: 2.4rem !important; padding-top: 0 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
[data-testid="stMetricValue"], .stat-value { font-size: 2.6rem !important; }
.stat-label, .stat-note { font-size: 1.15rem !important; }
</style>"""


def presenter_toggle() -> bool:
    """The toggle (its first value from ``?presenter=1``), the CSS when on; returns whether on."""
    ss = st.session_state
    if "presenter" not in ss:
        ss["presenter"] = st.query_params.get("presenter") == "1"
    on = st.toggle("Presenter mode", key="presenter", help="For the projector: larger type, no sidebar or toolbar. "
                   "A link with ?presenter=1 opens in it.")
    if on:
        st.query_params["presenter"] = "1"
        st.markdown(_CSS, unsafe_allow_html=True)
    elif "presenter" in st.query_params:
        del st.query_params["presenter"]
    return on


def present(fig, on: bool):
    """A figure's type size for the projector (or back to the default). Set on each part:
    Streamlit's chart theme replaces the layout's base font size."""
    size = FIGURE_FONT if on else None
    fig.update_layout(font_size=size, legend_font_size=size, title_font_size=size)
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    fig.update_annotations(font_size=size)
    return fig


def image_config(name: str) -> dict:
    """Plotly's modebar camera button saves a PNG under this name (at twice the shown size)."""
    return {"toImageButtonOptions": {"filename": name, "format": "png", "scale": 2}, "displaylogo": False}
