"""Controls of the 2-D toy GAN page. Plain values out; the training controls are the 1-D page's."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gan_core.toy2d.data import PRESETS, GaussianMixture2D, canvas_points, drawn, preset
from gan_core.toy2d.game import NOISE_KINDS, SCENARIOS, Toy2DConfig
from ui.toy2d_figures import LAYER_LABELS, LAYERS, canvas_figure

DRAWN = "Drawn by hand"
WIDTHS = [8, 16, 32, 64, 128, 256]


@dataclass
class DataChoice:
    dist: GaussianMixture2D | None
    error: str | None


def data_controls(ns: str) -> DataChoice:
    """A preset, or the distribution drawn on the canvas (kept in ``{ns}.drawn``: canvas indices)."""
    name = st.selectbox("p_data", list(PRESETS) + [DRAWN], key=f"{ns}.preset")
    if name != DRAWN:
        return DataChoice(preset(name), None)
    picked = st.session_state.get(f"{ns}.drawn", [])
    if not picked:
        return DataChoice(None, "Nothing drawn yet: select regions on the canvas below (box or lasso).")
    try:
        return DataChoice(drawn(canvas_points()[picked]), None)
    except ValueError as e:
        return DataChoice(None, f"Drawing not applied: {e}")


def drawing_canvas(ns: str) -> None:
    """The canvas: its selection (box or lasso, Streamlit's chart selection event) becomes the
    drawn set's points; a new selection replaces the old one, "Clear" empties it."""
    ss = st.session_state
    picked = ss.setdefault(f"{ns}.drawn", [])
    event = st.plotly_chart(canvas_figure(canvas_points(), picked), on_select="rerun",
                            selection_mode=("box", "lasso"), key=f"{ns}.canvas", width="content")
    chosen = selected_indices(event)
    if chosen and chosen != picked:
        ss[f"{ns}.drawn"] = chosen
        st.rerun()
    st.caption(f"{len(picked)} canvas points selected. Each becomes N(point, 0.15² I); the drawn p_data is "
               "their equal mixture, an exact density. Regions that touch make one mode.")
    if st.button("Clear the drawing", key=f"{ns}.clear"):
        ss[f"{ns}.drawn"] = []
        st.rerun()


def noise_and_nets(ns: str) -> tuple[int, str, dict]:
    """Noise dimension (on reset), noise kind (live), G and D widths and depths (on reset)."""
    d = Toy2DConfig()
    dim = st.radio("noise dimension (applies on reset)", [1, 2], index=[1, 2].index(d.noise_dim), horizontal=True,
                   key=f"{ns}.noise_dim")
    kind = st.radio("noise prior p_z", list(NOISE_KINDS), horizontal=True, key=f"{ns}.noise",
                    format_func=lambda n: {"normal": "normal N(0, I)", "uniform": "uniform U(−1, 1)"}[n])
    c = st.columns(2)
    nets = {"g_width": c[0].select_slider("G width", WIDTHS, value=d.g_width, key=f"{ns}.g_width"),
            "g_depth": c[0].slider("G hidden layers", 1, 4, d.g_depth, key=f"{ns}.g_depth"),
            "d_width": c[1].select_slider("D width", WIDTHS, value=d.d_width, key=f"{ns}.d_width"),
            "d_depth": c[1].slider("D hidden layers", 1, 4, d.d_depth, key=f"{ns}.d_depth")}
    st.caption("Widths and depths apply on reset (they make new networks).")
    return dim, kind, nets


def load_scenario(ns: str, name: str) -> None:
    """``on_click``: write a scenario's settings into the widgets and ask the page for a reset."""
    ss, s = st.session_state, SCENARIOS[name]
    t = s["train"]
    ss.update({f"{ns}.preset": s["data"], f"{ns}.seed": s["seed"], f"{ns}.k": t["k"], f"{ns}.lr_d": t["lr_d"],
               f"{ns}.lr_g": t["lr_g"], f"{ns}.m": t["batch_size"], f"{ns}.cost": t["generator_cost"],
               f"{ns}.opt": t["optimizer"], f"{ns}.per_turn": 0})
    defaults = Toy2DConfig(**s["net"])
    ss.update({f"{ns}.noise_dim": defaults.noise_dim, f"{ns}.noise": defaults.noise, f"{ns}.g_width": defaults.g_width,
               f"{ns}.g_depth": defaults.g_depth, f"{ns}.d_width": defaults.d_width, f"{ns}.d_depth": defaults.d_depth})
    ss[f"{ns}.reset_now"] = name


def scenario_controls(ns: str) -> None:
    name = st.selectbox("scenario (ring of 8 Gaussians, seed 0)", list(SCENARIOS), key=f"{ns}.scenario")
    st.button("Load scenario and reset", key=f"{ns}.load", on_click=load_scenario, args=(ns, name), width="stretch")


def layer_controls(ns: str) -> list[str]:
    return st.pills("layers", LAYERS, selection_mode="multi", default=list(LAYERS), format_func=LAYER_LABELS.get,
                    key=f"{ns}.layers") or []


def slow_motion(ns: str) -> int:
    return int(st.number_input("slow motion: iterations per redraw (0 = off, full speed)", 0, 1000, 0, step=1,
                               key=f"{ns}.per_turn",
                               help="N > 0: the run trains exactly N iterations, then waits until the page has "
                                    "read that state (about 4 redraws a second)."))


def selected_indices(event) -> list[int]:
    """The canvas points a chart selection event names (empty when none)."""
    sel = getattr(event, "selection", None) or {}
    return sorted(set(int(i) for i in (sel.get("point_indices") or [])))

