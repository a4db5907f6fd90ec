"""Controls of the 2-D toy GAN page. Plain values out; the training controls are the 1-D page's."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gan_core.toy2d.data import PRESETS, GaussianMixture2D, canvas_points, drawn, preset
from gan_core.toy2d.game import NOISE_KINDS, SCENARIOS, Toy2DConfig
from ui.keys import Toy2DKeys
from ui.toy2d_figures import LAYER_LABELS, LAYERS, canvas_figure

DRAWN = "Drawn by hand"
WIDTHS = [8, 16, 32, 64, 128, 256]


@dataclass
class DataChoice:
    dist: GaussianMixture2D | None
    error: str | None


def data_controls(keys: Toy2DKeys) -> DataChoice:
    """A preset, or the distribution drawn on the canvas (kept in ``keys.drawn``: canvas indices)."""
    name = st.selectbox("p_data", list(PRESETS) + [DRAWN], key=keys.preset)
    if name != DRAWN:
        return DataChoice(preset(name), None)
    picked = st.session_state.get(keys.drawn, [])
    if not picked:
        return DataChoice(None, "Nothing drawn yet: select regions on the canvas below (box or lasso).")
    try:
        return DataChoice(drawn(canvas_points()[picked]), None)
    except ValueError as e:
        return DataChoice(None, f"Drawing not applied: {e}")


def drawing_canvas(keys: Toy2DKeys) -> None:
    """The canvas: its selection (box or lasso, Streamlit's chart selection event) becomes the
    drawn set's points; a new selection replaces the old one, "Clear" empties it."""
    ss = st.session_state
    picked = ss.setdefault(keys.drawn, [])
    event = st.plotly_chart(canvas_figure(canvas_points(), picked), on_select="rerun",
                            selection_mode=("box", "lasso"), key=keys.canvas, width="content")
    chosen = selected_indices(event)
    if chosen and chosen != picked:
        ss[keys.drawn] = chosen
        st.rerun()
    st.caption(f"{len(picked)} canvas points selected. Each becomes N(point, 0.15² I); the drawn p_data is "
               "their equal mixture, an exact density. Regions that touch make one mode.")
    if st.button("Clear the drawing", key=keys.clear):
        ss[keys.drawn] = []
        st.rerun()


def noise_and_nets(keys: Toy2DKeys) -> tuple[int, str, dict]:
    """Noise dimension (on reset), noise kind (live), G and D widths and depths (on reset)."""
    d = Toy2DConfig()
    dim = st.radio("noise dimension (applies on reset)", [1, 2], index=[1, 2].index(d.noise_dim), horizontal=True,
                   key=keys.noise_dim)
    kind = st.radio("noise prior p_z", list(NOISE_KINDS), horizontal=True, key=keys.noise,
                    format_func=lambda n: {"normal": "normal N(0, I)", "uniform": "uniform U(−1, 1)"}[n])
    c = st.columns(2)
    nets = {"g_width": c[0].select_slider("G width", WIDTHS, value=d.g_width, key=keys.g_width),
            "g_depth": c[0].slider("G hidden layers", 1, 4, d.g_depth, key=keys.g_depth),
            "d_width": c[1].select_slider("D width", WIDTHS, value=d.d_width, key=keys.d_width),
            "d_depth": c[1].slider("D hidden layers", 1, 4, d.d_depth, key=keys.d_depth)}
    st.caption("Widths and depths apply on reset (they make new networks).")
    return dim, kind, nets


def load_scenario(keys: Toy2DKeys, name: str) -> None:
    """``on_click``: write a scenario's settings into the widgets and ask the page for a reset."""
    ss, s = st.session_state, SCENARIOS[name]
    t = s["train"]
    ss.update({keys.preset: s["data"], keys.seed: s["seed"], keys.k: t["k"], keys.lr_d: t["lr_d"],
               keys.lr_g: t["lr_g"], keys.m: t["batch_size"], keys.cost: t["generator_cost"],
               keys.opt: t["optimizer"], keys.per_turn: 0})
    defaults = Toy2DConfig(**s["net"])
    ss.update({keys.noise_dim: defaults.noise_dim, keys.noise: defaults.noise, keys.g_width: defaults.g_width,
               keys.g_depth: defaults.g_depth, keys.d_width: defaults.d_width, keys.d_depth: defaults.d_depth})
    ss[keys.reset_now] = name


def scenario_controls(keys: Toy2DKeys) -> None:
    name = st.selectbox("scenario (ring of 8 Gaussians, seed 0)", list(SCENARIOS), key=keys.scenario)
    st.button("Load scenario and reset", key=keys.load, on_click=load_scenario, args=(keys, name), width="stretch")


def layer_controls(keys: Toy2DKeys) -> list[str]:
    return st.pills("layers", LAYERS, selection_mode="multi", default=list(LAYERS), format_func=LAYER_LABELS.get,
                    key=keys.layers) or []


def slow_motion(keys: Toy2DKeys) -> int:
    return int(st.number_input("slow motion: iterations per redraw (0 = off, full speed)", 0, 1000, 0, step=1,
                               key=keys.per_turn,
                               help="N > 0: the run trains exactly N iterations, then waits until the page has "
                                    "read that state (about 4 redraws a second)."))


def selected_indices(event) -> list[int]:
    """The canvas points a chart selection event names (empty when none)."""
    sel = getattr(event, "selection", None) or {}
    return sorted(set(int(i) for i in (sel.get("point_indices") or [])))

