"""Sidebar controls shared by the 1-D pages (toy GAN, generator costs). Plain values out."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gan_core.toy.distributions import PRESETS, Distribution1D, GaussianMixture, preset
from gan_core.losses import COST_LABELS
from gan_core.trainer import TrainConfig
from ui.keys import Data1DKeys, TrainKeys
from ui.widgets import parse_list

CUSTOM = "Custom Gaussian mixture"
LR_CHOICES = [m * 10.0**e for e in range(-5, 1) for m in (1, 2, 5)] + [10.0]  # 1e-5 … 10, log-spaced
BATCH_CHOICES = [8, 16, 32, 64, 128, 256, 512, 1024]


@dataclass
class DataChoice:
    dist: Distribution1D | None
    key: str            # identifies the choice: a change means "swap p_data"
    error: str | None


def data_controls(keys: Data1DKeys) -> DataChoice:
    """Data preset, or a mixture typed as weights / means / stds."""
    name = st.selectbox("p_data", list(PRESETS) + [CUSTOM], key=keys.preset)
    if name != CUSTOM:
        d = preset(name)
        return DataChoice(d, d.name, None)
    st.caption("Σ wᵢ N(meanᵢ, stdᵢ²): comma-separated, one value per component; weights ≥ 0, sum 1; stds > 0.")
    w = st.text_input("weights", "0.3, 0.7", key=keys.mix_w)
    m = st.text_input("means", "-1.5, 2", key=keys.mix_m)
    s = st.text_input("stds", "0.5, 0.6", key=keys.mix_s)
    try:
        d = GaussianMixture(parse_list(w, "weights"), parse_list(m, "means"), parse_list(s, "stds"))
    except ValueError as e:
        return DataChoice(None, "", f"Mixture not applied: {e}")
    return DataChoice(d, d.name, None)


def train_controls(keys: TrainKeys, defaults: TrainConfig = TrainConfig(), costs=None) -> dict:
    """k, learning rates (log scale), optimizer, generator cost, batch size m."""
    costs = list(costs or COST_LABELS)
    c = {}
    c["k"] = st.slider("k: D steps per G step", 1, 20, defaults.k, key=keys.k)
    fmt = lambda v: f"{v:g}"  # noqa: E731
    c["lr_d"] = st.select_slider("lr_D (log scale)", LR_CHOICES, value=defaults.lr_d, format_func=fmt, key=keys.lr_d)
    c["lr_g"] = st.select_slider("lr_G (log scale)", LR_CHOICES, value=defaults.lr_g, format_func=fmt, key=keys.lr_g)
    c["optimizer"] = st.radio("optimizer", ["adam", "sgd"], horizontal=True, key=keys.opt,
                              format_func=lambda o: {"adam": "Adam (β₁ = 0.5)", "sgd": "SGD + momentum (paper)"}[o])
    c["generator_cost"] = st.selectbox("generator cost", costs, index=costs.index(defaults.generator_cost),
                                       format_func=COST_LABELS.get, key=keys.cost)
    c["batch_size"] = st.select_slider("batch size m", BATCH_CHOICES, value=defaults.batch_size, key=keys.m)
    return c
