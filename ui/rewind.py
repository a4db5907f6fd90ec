"""Rewind and compare on the 1-D toy page: scrub back through the run's snapshots, resume from one
(optionally with one setting changed), or branch from it and watch both branches side by side.

The snapshots live in the run (gan_core.toy.live.ToyRun); this panel asks for them by iteration
and draws them with the page's own figure builders.
"""
from __future__ import annotations

import streamlit as st

from gan_core.live.pool import RunEnded
from gan_core.losses import COST_LABELS
from ui.keys import ToyKeys
from ui.live import run_pool
from ui.presence import keep_while_shown
from ui.presenter import present
from ui.toy_figures import js_figure, paper_figure
from ui.toy_widgets import LR_CHOICES

# one setting a resume or a branch may change: (label, choices)
CHANGES = {"k": ("k", list(range(1, 21))), "lr_d": ("lr_D", LR_CHOICES), "lr_g": ("lr_G", LR_CHOICES),
           "generator_cost": ("generator cost", list(COST_LABELS)), "optimizer": ("optimizer", ["adam", "sgd"])}
# the run's settings -> their widgets' keys (names of TrainKeys)
WIDGETS = {"k": "k", "lr_d": "lr_d", "lr_g": "lr_g", "generator_cost": "cost", "optimizer": "opt",
           "batch_size": "m"}


def _figure(view: dict, presenting: bool):
    fig = paper_figure(*(view[k] for k in ("x", "p_data", "p_g", "d", "d_star", "z", "gz", "fakes")))
    fig.update_layout(height=420, uirevision=None)
    return present(fig, presenting)


def _caption(view: dict, label: str) -> str:
    c = view["config"]
    return (f"{label} iteration {view['iteration']:,}: JS = {view['js']:.4f} nats; k = {c['k']}, "
            f"lr_D = {c['lr_d']:g}, lr_G = {c['lr_g']:g}, {c['optimizer']}, cost {c['generator_cost']}")


def _resume(keys: ToyKeys, at: int, changes: dict) -> None:
    """Rewind the page's run; the sidebar then shows the settings in effect (so it does not undo them)."""
    ss = st.session_state
    try:
        out = ss[keys.run].do("resume", at, changes)
    except (ValueError, RunEnded) as e:
        ss[keys.message] = ("error", f"Not resumed: {e}")
        return
    for setting, name in WIDGETS.items():
        ss[getattr(keys, name)] = out["config"][setting]
    ss.pop(keys.applied, None)
    ss[keys.message] = out["message"]


def _branch(keys: ToyKeys, at: int, changes: dict) -> None:
    """A second run from the snapshot with the change; the page's run goes back to it unchanged."""
    ss = st.session_state
    try:
        spec = ss[keys.run].do("branch_spec", at, changes)
        branch = run_pool().open("toy", spec)
        keep_while_shown(branch)
    except (ValueError, RunEnded) as e:
        ss[keys.message] = ("error", f"No branch: {e}")
        return
    close_branch(keys)
    ss[keys.branch] = (branch, at, changes)
    _resume(keys, at, {})
    ss[keys.run].pause()
    ss[keys.message] = ("info", f"Two branches from iteration {at:,}: A as it was, B with "
                                f"{', '.join(f'{k} = {v}' for k, v in changes.items())}. Advance both below.")


def close_branch(keys: ToyKeys) -> None:
    old = st.session_state.pop(keys.branch, None)
    if old:
        old[0].close()


def _advance(keys: ToyKeys, n: int) -> None:
    ss = st.session_state
    try:
        for handle in (ss[keys.run], ss[keys.branch][0]):
            handle.do("train_n", n)
    except (RuntimeError, RunEnded) as e:
        ss[keys.message] = ("error", str(e).split(": ", 1)[-1])


def rewind_panel(keys: ToyKeys, run, presenting: bool) -> None:
    """The slider over the recorded snapshots, the figure at the chosen one, and the actions."""
    points = run.view().snapshot.get("rewind", [])
    if len(points) < 2:
        st.caption("Snapshots are recorded while the run trains (every 10 iterations at first, at most 60 kept, "
                   "spread over the whole run). Train a little, then come back.")
        return
    at = st.select_slider("snapshot at iteration", points, value=points[-1], key=keys.rewind_at,
                          format_func=lambda i: f"{i:,}")
    try:
        view = run.do("rewind_view", at)
    except (ValueError, RunEnded):
        st.caption("That snapshot is gone (the run moved on); pick another.")
        return
    st.plotly_chart(_figure(view, presenting), width="stretch", key=keys.fig_rewind)
    st.caption(_caption(view, "Snapshot at"))
    left, right = st.columns(2)
    setting = left.selectbox("change one setting from there", ["nothing"] + list(CHANGES), key=keys.rewind_what,
                             format_func=lambda s: s if s == "nothing" else CHANGES[s][0])
    changes = {}
    if setting != "nothing":
        label, choices = CHANGES[setting]
        now = view["config"][setting]
        value = right.select_slider(f"new {label}", choices, value=now if now in choices else choices[0],
                                    key=f"{keys.rewind_value}.{setting}",
                                    format_func=lambda v: f"{v:g}" if isinstance(v, float) else str(v))
        changes = {setting: value}
    b1, b2 = st.columns(2)
    b1.button("Resume from this snapshot", key=keys.resume, width="stretch", on_click=_resume,
              args=(keys, at, changes), help="The run goes back to this iteration (what came after is dropped) "
                                           "and trains on from there, with the change if one is chosen.")
    b2.button("Compare: branch from here", key=keys.branch_btn, width="stretch", on_click=_branch,
              args=(keys, at, changes), disabled=not changes,
              help="A second run from this snapshot with the change; the page's run goes back here unchanged. "
                   "Both are shown side by side.")


def branches(keys: ToyKeys, presenting: bool) -> None:
    """The two branches side by side (A: the page's run; B: the changed one) and their JS curves."""
    ss = st.session_state
    if keys.branch not in ss:
        return
    branch, at, changes = ss[keys.branch]
    try:
        views = [ss[keys.run].view().snapshot, branch.view().snapshot]
    except RunEnded:
        ss.pop(keys.branch)
        st.info("The comparison's branch ended (it was left alone too long).")
        return
    st.subheader(f"Two branches from iteration {at:,}")
    c = st.columns(5)
    for col, n in zip(c, (1, 10, 100, 1000)):
        col.button(f"Advance both by {n:,}", key=f"{keys.advance}{n}", width="stretch", on_click=_advance, args=(keys, n))
    c[4].button("Close the comparison", key=keys.close_branch, width="stretch", on_click=close_branch, args=(keys,))
    cols = st.columns(2)
    for col, view, label in zip(cols, views, ("A (as it was)", f"B ({', '.join(f'{k} = {v}' for k, v in changes.items())})")):
        with col:
            st.markdown(f"**{label}**")
            st.plotly_chart(_figure(view, presenting), width="stretch", key=f"{keys.fig_branch}_{label[0]}")
            st.caption(_caption(view, "At"))
    fig = js_figure(views[0]["curve"]["iteration"], views[0]["curve"]["js"])
    fig.data[0].name = "A"
    fig.add_scatter(x=views[1]["curve"]["iteration"], y=views[1]["curve"]["js"], name="B", mode="lines",
                    line=dict(color="#1f77b4"))
    fig.update_layout(showlegend=True, title="JS(p_data ‖ p_g), nats: A and B")
    st.plotly_chart(present(fig, presenting), width="stretch", key=keys.fig_branch_js)


def keep_branch_alive(keys: ToyKeys) -> None:
    """A read now and then, so the pool keeps the comparison's branch while its page is open."""
    entry = st.session_state.get(keys.branch)
    if entry:
        try:
            entry[0].view()
        except RunEnded:
            st.session_state.pop(keys.branch, None)
