"""Session-state keys: one class per page lists every key the page uses.

    K = ToyKeys("toy")
    K.lr_d          # "toy.lr_d": the lr_D slider's key
    ss[K.run]       # the page's live run

Each annotated name becomes "{namespace}.{name}"; a name given a value keeps that value as its
suffix (``n_pre: str = "n"`` is "costs.n"). A misspelt name is an AttributeError, never a new key.
The shared helpers read the keys of the classes they take (ui.live: LiveKeys, ui.lecture:
LectureKeys, ui.rewind: RewindKeys, the sidebar widgets: TrainKeys, Data1DKeys, ...);
a page's class combines those it uses and adds its own.
"""
from __future__ import annotations

import inspect


class Keys:
    """The mechanism: fills every annotated name of the class and its bases with its key."""

    def __init__(self, ns: str):
        self.ns = ns
        for cls in type(self).__mro__:
            for name in inspect.get_annotations(cls):
                setattr(self, name, f"{ns}.{getattr(type(self), name, name)}")

    def all(self) -> dict[str, str]:
        """name -> key, for every key of the page."""
        return {name: key for name, key in vars(self).items() if name != "ns"}


# ---- the shared helpers' keys
class LiveKeys(Keys):
    """ui.live: a live page's run and what the page knows about it."""
    run: str            # the run's handle (gan_core.live)
    ticker: str         # ui.live.Ticker: live rates over the last redraws
    message: str        # (kind, text) shown under the status line, or None
    seen_message: str   # the run's last message already shown
    applied: str        # (run id, settings) last sent to the run
    play: str           # the Play / Pause button: one key per label
    pause: str
    reset: str
    feed: str           # ui.feed.Feed: the live chart's pictures, fetched by the browser while playing
    watch: str          # ui.feed.Feed: where the run stands, asked by a waiting page's browser (ui.live.run_watch)
    watcher: str        # the run watch component


class ToyButtonKeys(LiveKeys):
    """ui.live.toy_buttons: the toy pages' row of buttons."""
    one: str
    dstep: str
    gstep: str
    dopt: str


class TrainKeys(Keys):
    """ui.toy_widgets.train_controls: k, learning rates, optimizer, generator cost, batch size."""
    k: str
    lr_d: str
    lr_g: str
    opt: str
    cost: str
    m: str


class Data1DKeys(Keys):
    """ui.toy_widgets.data_controls: a 1-D preset or a typed Gaussian mixture."""
    preset: str
    mix_w: str
    mix_m: str
    mix_s: str


class LectureKeys(Keys):
    """ui.lecture: named scenarios and settings in the URL."""
    seed: str
    scenario: str           # the loaded scenario's name, until the next Reset
    scenario_page: str
    scenario_pending: str   # True from the click until the page has made the scenario's run
    scenario_choice: str
    load_scenario: str
    link_read: str
    link_warning: str


class RewindKeys(Keys):
    """ui.rewind: snapshots, resume, and a second branch beside the page's run."""
    branch: str             # (handle, iteration, changes) of the comparison's second run
    rewind_at: str
    rewind_what: str
    rewind_value: str       # one slider per setting: f"{K.rewind_value}.{setting}"
    resume: str
    branch_btn: str
    close_branch: str
    advance: str            # one button per count n: f"{K.advance}{n}"
    fig_rewind: str
    fig_branch: str         # one chart per branch: f"{K.fig_branch}_A", f"{K.fig_branch}_B"
    fig_branch_js: str


# ---- the pages
class ToyKeys(ToyButtonKeys, TrainKeys, Data1DKeys, LectureKeys, RewindKeys):
    """pages/toy_gan.py"""
    noise: str
    width: str
    figs: str               # the page's Plotly figures, built once and updated in place
    fig_main: str
    fig_loss: str
    fig_js: str
    fig_gap: str
    gif: str


class Toy2DKeys(ToyButtonKeys, TrainKeys):
    """pages/toy_2d.py and ui.toy2d_widgets"""
    preset: str
    drawn: str              # the canvas points picked for a drawn p_data
    canvas: str
    clear: str
    noise_dim: str
    noise: str
    g_width: str
    g_depth: str
    d_width: str
    d_depth: str
    per_turn: str
    layers: str
    seed: str
    scenario: str
    load: str
    reset_now: str          # a scenario was loaded: the page makes its run
    figs: str
    fig_main: str
    fig_dstar: str
    fig_loss: str
    fig_js: str
    fig_cov: str


class CostsKeys(LiveKeys, Data1DKeys, LectureKeys):
    """pages/generator_costs.py"""
    cost_a: str
    cost_b: str
    n_pre: str = "n"        # D steps before the race
    shift: str
    k: str
    lr_d: str
    lr_g: str
    opt: str
    start: str              # what the running race was started from
    step: str
    log_x: str
    fig_analytic: str
    fig_grad: str
    fig_density: str
    fig_d: str
    fig_js: str


class MnistKeys(LiveKeys, TrainKeys, LectureKeys):
    """pages/mnist_live.py and ui.mnist_widgets"""
    model: str
    data: str
    idx_upload: str
    idx: str
    device: str
    shows: str
    setup: str              # the Setup the running run was made from
    started: str
    incoming: str           # a checkpoint handed over by the pretrained page
    upload: str
    saved: str              # (iteration, bytes) of the last checkpoint saved
    play_started: str
    one: str
    qnow: str
    save: str
    resume_saved: str
    figs: str
    fig_loss: str
    fig_dout: str
    fig_classes: str
    csv: str
    gif: str


class DivergenceKeys(Keys):
    """pages/divergences.py (its p and q editors prefix their own widgets' keys with ``p`` and ``q``)"""
    p: str
    q: str
    shift: str
    n: str
    seed: str
    p_vector: str
    q_vector: str
    normalise: str


class PretrainedKeys(Keys):
    """pages/pretrained.py"""
    seed: str
    message: str
    uploaded: str           # {"name", "ckpt", "data"} of the uploaded checkpoint
    choice: str
    upload: str
    new: str
    continue_training: str = "continue"
    z0: str
    z1: str
    label: str
    t: str
