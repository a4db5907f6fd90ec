"""Lecture helpers for the 1-D and MNIST pages: load a named scenario with one click, and keep
every setting in the URL so a link reproduces the run.

Both work through the widgets' own session-state keys (the page's class in ui.keys): a scenario
or a link writes the values, the widgets then show them, and the page makes its run from the
widgets as it always does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from gan_core.losses import COST_LABELS
from gan_core.mnist import scenarios as mnist_scenarios
from gan_core.mnist.data import available_datasets
from gan_core.scenarios import Scenario, find
from gan_core.toy import scenarios as toy_scenarios
from gan_core.toy.distributions import NOISE_PRIORS, PRESETS
from ui.keys import LectureKeys
from ui.mnist_widgets import MODEL_LABELS, device_options
from ui.presenter import aside
from ui.toy_widgets import BATCH_CHOICES, CUSTOM, LR_CHOICES

# scenario settings (the trainer's names) -> the widget's key on each page (a name in its ui.keys class)
TOY_KEYS = {"data": "preset", "noise": "noise", "k": "k", "lr_d": "lr_d", "lr_g": "lr_g", "optimizer": "opt",
            "generator_cost": "cost", "batch_size": "m", "width": "width"}
RACE_KEYS = {"cost_a": "cost_a", "cost_b": "cost_b", "n_pre": "n_pre", "data": "preset", "shift": "shift", "k": "k",
             "lr_d": "lr_d", "lr_g": "lr_g", "optimizer": "opt"}
MNIST_KEYS = {"model": "model", "data": "data", "k": "k", "lr_d": "lr_d", "lr_g": "lr_g", "optimizer": "opt",
              "generator_cost": "cost", "batch_size": "m"}
CATALOGUE = toy_scenarios.SCENARIOS + mnist_scenarios.SCENARIOS


def scenarios(page: str) -> list[Scenario]:
    return [s for s in CATALOGUE if s.page == page]


def _chosen(keys: LectureKeys) -> Scenario | None:
    """The scenario last loaded on this page (names are unique per page, not across pages)."""
    name = st.session_state.get(keys.scenario)
    return find(scenarios(st.session_state[keys.scenario_page]), name) if name else None


def _nearest_lr(v: float) -> float:
    """The slider's own option closest to v (the slider accepts only its options)."""
    return min(LR_CHOICES, key=lambda c: abs(c - v) / c)


def _load(keys: LectureKeys, page: str, widgets: dict, name: str) -> None:
    s = find(scenarios(page), name)
    ss = st.session_state
    for setting, value in s.settings.items():
        ss[getattr(keys, widgets[setting])] = _nearest_lr(value) if setting in ("lr_d", "lr_g") else value
    ss[keys.seed] = s.seed
    ss[keys.scenario], ss[keys.scenario_page] = name, page
    ss[keys.scenario_pending] = True


def scenario_picker(keys: LectureKeys, page: str, widgets: dict) -> None:
    """A scenario selectbox and a "Load scenario" button. The button writes the scenario's
    settings and seed into the widgets' state before the next run draws them; the page then
    starts a new run from them (``scenario_loaded``)."""
    names = [s.name for s in scenarios(page)]
    left, right = aside("scenario").columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox("scenario", names, key=keys.scenario_choice,
                            help="A named situation from the lecture: its settings, seed and data in one click.")
    right.button("Load scenario", key=keys.load_scenario, width="stretch", on_click=_load,
                 args=(keys, page, widgets, chosen))


def scenario_loaded(keys: LectureKeys) -> Scenario | None:
    """The scenario whose button was just clicked (once), else None."""
    if st.session_state.pop(keys.scenario_pending, False):
        return _chosen(keys)
    return None


def scenario_note(keys: LectureKeys) -> None:
    """What to watch in the loaded scenario, and how long it takes, until the next Reset."""
    s = _chosen(keys)
    if s:
        first, second = s.watch.split("\n")
        aside("scenario_note").info(f"**Scenario: {s.name}.** {first}  \n{second}  \n"
                                    f"*Shows within {s.time_text}: {s.phenomenon}.*")


# ---- links: the settings in the URL's query parameters
@dataclass(frozen=True)
class Param:
    name: str                         # the query parameter's name, and the widget's key in ui.keys
    parse: Callable[[str], object]    # raises ValueError with the reason
    text: Callable[[object], str] = str
    key: str = ""                     # the widget's name in ui.keys, where it is not ``name``

    def key_in(self, keys: LectureKeys) -> str:
        return getattr(keys, self.key or self.name)


def _choice(options):
    def parse(v):
        if v not in options:
            raise ValueError(f"one of {list(options)}")
        return v
    return parse


def _int(lo, hi, options=None):
    def parse(v):
        n = int(v)
        if not lo <= n <= hi or (options and n not in options):
            raise ValueError(f"an integer in {list(options)}" if options else f"an integer from {lo} to {hi}")
        return n
    return parse


def _float(lo, hi):
    def parse(v):
        x = float(v)
        if not lo <= x <= hi:
            raise ValueError(f"a number from {lo:g} to {hi:g}")
        return x
    return parse


def _lr(v):
    x = float(v)
    if not any(abs(c - x) <= 1e-9 * c for c in LR_CHOICES):
        raise ValueError("one of the slider's values, 1e-05 to 10")
    return _nearest_lr(x)


def _text(v):
    if len(v) > 200:
        raise ValueError("at most 200 characters")
    return v


_lr_text = "{:g}".format
_TRAIN = [Param("k", _int(1, 20)), Param("lr_d", _lr, _lr_text), Param("lr_g", _lr, _lr_text),
          Param("opt", _choice(["adam", "sgd"]))]
_DATA = [Param("preset", _choice(list(PRESETS) + [CUSTOM])), Param("mix_w", _text), Param("mix_m", _text),
         Param("mix_s", _text)]
_SEED = Param("seed", _int(0, 2**31 - 1))
TOY_PARAMS = _DATA + [Param("noise", _choice(list(NOISE_PRIORS)))] + _TRAIN + [
    Param("cost", _choice(list(COST_LABELS))), Param("m", _int(1, 1024, BATCH_CHOICES)),
    Param("width", _int(1, 512)), _SEED]
RACE_PARAMS = [Param("cost_a", _choice(list(COST_LABELS))), Param("cost_b", _choice(list(COST_LABELS))),
               Param("n", _int(0, 3000), key="n_pre"), *_DATA, Param("shift", _float(-6.0, 6.0)), *_TRAIN, _SEED]
# MNIST: the data by name only (a student's upload or a folder path never goes into a link)
MNIST_PARAMS = [Param("model", _choice(list(MODEL_LABELS))), Param("data", _choice(list(available_datasets()))),
                Param("device", _choice(list(device_options()))), *_TRAIN, Param("cost", _choice(list(COST_LABELS))),
                Param("m", _int(1, 1024, BATCH_CHOICES)), _SEED]


def read_link(keys: LectureKeys, params: list[Param]) -> None:
    """Once per session, before the widgets: the URL's settings become the widgets' values.
    A value that does not parse is left out (the widget keeps its default) and named in a warning."""
    ss = st.session_state
    if ss.get(keys.link_read):
        return
    ss[keys.link_read] = True
    bad = []
    for p in params:
        if p.name not in st.query_params:
            continue
        raw = st.query_params[p.name]
        try:
            ss[p.key_in(keys)] = p.parse(raw)
        except (ValueError, TypeError) as e:
            why = str(e) if "invalid literal" not in str(e) and "could not convert" not in str(e) else "a number"
            bad.append(f"{p.name}={raw!r} (must be {why})")
    if bad:
        ss[keys.link_warning] = ("This link's settings were not all valid; the defaults are used instead for: "
                                 + "; ".join(bad) + ".")


def link_warning(keys: LectureKeys) -> None:
    text = st.session_state.get(keys.link_warning)
    if text:
        st.warning(text)


def _parses(p: Param, text: str) -> bool:
    try:
        p.parse(text)
        return True
    except (ValueError, TypeError):
        return False


def write_link(keys: LectureKeys, params: list[Param]) -> None:
    """After the widgets: each setting's current value into the URL (only this page's own
    parameters are touched; a widget not drawn now, such as the mixture fields, is dropped)."""
    ss = st.session_state
    for p in params:
        key = p.key_in(keys)
        text = p.text(ss[key]) if key in ss else None
        if text is not None and not _parses(p, text):
            text = None          # a value no link can carry (an uploaded data set): left out
        if text is not None:
            if st.query_params.get(p.name) != text:
                st.query_params[p.name] = text
        elif p.name in st.query_params:
            del st.query_params[p.name]
