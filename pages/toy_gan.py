"""1-D toy GAN: Goodfellow et al. (2014), Figure 1, live. D visibly chases D* = p_d/(p_d+p_g).

The run trains in a worker process (gan_core.live); this page sends settings and draws snapshots.
"""

import threading

import streamlit as st

from gan_core.losses import COST_LABELS, EQUILIBRIUM_VALUE, LOG2
from gan_core.toy.distributions import DEFAULT_PRESET, NOISE_PRIORS, preset
from gan_core.toy.game import ToyConfig
from ui.export import download_buttons, export_name, toy_csvs
from ui.frame import use_navigation
from ui.keys import ToyKeys
from ui.live_chart import fed_figure, live_chart
from ui.presenter import image_config, present, presenter_toggle
from ui.lecture import (TOY_KEYS, TOY_PARAMS, link_warning, read_link, scenario_loaded, scenario_note,
                        scenario_picker, write_link)
from ui.live import (apply_settings, live_every, live_header, lost_run_notice, open_run, redraw_every, run_feed,
                     stat_row_html, toy_buttons)
from ui.toy_gif import toy_gif
from ui.toy_figures import (d_gap_figure, js_figure, loss_figure, paper_figure, update_loss_figure,
                            update_paper_figure, update_series_figure)
from ui.rewind import branches, close_branch, keep_branch_alive, rewind_panel
from ui.toy_widgets import data_controls, train_controls

use_navigation()

K = ToyKeys("toy")
TICK_S = 0.25          # the live view: about 4 redraws a second while the run trains (fetched by the browser: ui.feed)
NUMBERS_S = 1.0        # the numbers above it, and the page's check on its run

st.title("1-D toy GAN")
st.caption("The paper's Figure 1, live: data p_data (dotted), generator p_g (green), discriminator D (blue) "
           "and the optimal discriminator D* (red dashes). Below, the z-line mapped onto the x-line by G.")
presenting = presenter_toggle()

# ---- controls (sidebar): plain values out; a link's settings first become the widgets' values
read_link(K, TOY_PARAMS)
with st.sidebar:
    st.header("Toy GAN controls")
    data = data_controls(K)
    noise = st.radio("noise prior p_z", list(NOISE_PRIORS), index=list(NOISE_PRIORS).index(ToyConfig().noise),
                     horizontal=True, key=K.noise,
                     format_func=lambda n: {"normal": "normal N(0, 1)", "uniform": "uniform U(−1, 1) (paper)"}[n])
    hyper = train_controls(K)
    width = st.number_input("network width (applies on reset)", min_value=0, max_value=512, value=32, step=8,
                            key=K.width)
    seed = st.number_input("seed (applies on reset)", min_value=0, max_value=2**31 - 1, value=0, key=K.seed)

ss = st.session_state
write_link(K, TOY_PARAMS)
link_warning(K)
loaded = scenario_loaded(K)


def reset(dist=None) -> bool:
    """A new run: new networks from the seed. Only the Reset button (or a first visit) calls this."""
    dist = dist or data.dist
    if dist is None:
        return False
    try:
        ToyConfig(width=int(width), noise=noise)
    except ValueError as e:
        ss[K.message] = ("error", f"Not reset: {e}")
        return False
    spec = {"data": dist, "noise": noise, "width": int(width), "seed": int(seed), "train": hyper}
    if open_run(K, "toy", spec):
        ss[K.figs] = {}
        return True
    return False


if K.run not in ss:
    ss[K.message] = None
    lost_run_notice(K)
    if not reset():  # a first visit with a broken mixture: start from the default preset
        reset(preset(DEFAULT_PRESET))
if K.run not in ss:
    kind, text = ss[K.message] or ("error", "No run.")
    st.error(text)
    st.stop()
elif loaded and reset():
    ss[K.message] = ("info", f"Scenario loaded: {loaded.name}. New run from seed {loaded.seed}; press Play.")
run = ss[K.run]

# ---- every change applies to the running run in place (between two training chunks)
if data.error:
    st.error(data.error + " The current run keeps its data.")
apply_settings(K, run, {**hyper, "noise": noise})
view = run.view()
if data.dist is not None and data.key != view.snapshot["data_name"]:  # swap p_data, keep the networks
    apply_settings(K, run, {"data": data.dist})
    view = run.view()
snap = view.snapshot
if width < 1:
    st.error(f"Network width must be an integer from 1 to 512 (got {width}); the run keeps width {snap['width']}.")
elif width != snap["width"] or seed != snap["config"]["seed"]:
    st.info(f"Width {width} / seed {seed} take effect when you press Reset (they make new networks); "
            f"the run continues with width {snap['width']}, seed {snap['config']['seed']}.")

# ---- buttons
drawn = view.state   # the state this run of the page is drawn for (its live fragment's pace)
if toy_buttons(K, view):
    if reset():
        ss[K.message] = ("info", "New run from the seed.")
        ss.pop(K.scenario, None)
        close_branch(K)
    st.rerun()
scenario_picker(K, "toy", TOY_KEYS)
scenario_note(K)


def figure1_arrays(snap) -> tuple:
    return (snap["x"], snap["p_data"], snap["p_g"], snap["d"], snap["d_star"], snap["z"], snap["gz"], snap["fakes"])


def feed_picture(run, ticker, presenting):
    """What the live view's feed serves while the run plays: Figure 1 of its newest snapshot (None
    otherwise). The feed keeps a figure of its own: the page's thread updates the session's."""
    fig, lock = None, threading.Lock()

    def make():
        nonlocal fig
        view = run.view()
        if not view.playing:
            return None
        snap = view.snapshot
        ticker.mark(snap["iteration"], snap["iteration"])
        with lock:
            if fig is None:
                fig = paper_figure(*figure1_arrays(snap))
            else:
                update_paper_figure(fig, *figure1_arrays(snap))
            return fed_figure(present(fig, presenting, fit=True), snap["iteration"])
    return make


@st.fragment(run_every=live_every(view, NUMBERS_S))
def live():
    """Every live part of the page in one fragment: each rerun of a fragment costs the student's
    browser a re-render of the whole page, so Figure 1's numbers and the charts over iterations
    rerun together, once a second while playing; Figure 1's pictures come in between from its feed."""
    view = figure1_panel()
    history_charts(view.snapshot)


def figure1_panel():
    """The numbers, what is in effect and Figure 1; returns the run's view."""
    view = live_header(K, run, drawn)
    keep_branch_alive(K)
    snap, ticker = view.snapshot, ss[K.ticker]
    feed = run_feed(K.feed, run)
    if feed.make is None or feed.made_for != presenting:   # one figure per feed, in the page's type size
        feed.make, feed.made_for = feed_picture(run, ticker, presenting), presenting
    c = snap["config"]
    rates = ticker.rates() if view.playing else None
    st.markdown(stat_row_html([
        ("iteration", f"{snap['iteration']:,}", None, None),
        ("D steps", f"{snap['d_steps']:,}", f"G steps: {snap['g_steps']:,}", None),
        ("JS(p_data‖p_g), nats", f"{snap['js']:.4f}", None, None),
        ("V(G, D)", f"{snap['value']:.4f}", None, None),
        ("C(G) = −log 4 + 2·JS", f"{snap['c_of_g']:.4f}", None,
         "max over D of V(G, D); −log 4 = −1.386 at p_g = p_data"),
        ("mean |D − D*| on data", f"{snap['mean_abs_d_minus_d_star']:.3f}", None, None),
        ("live it/s", f"{rates['iterations_per_s']:,.0f}" if rates else
         ("waiting" if view.state == "waiting" else "paused"),
         f"{rates['redraws_per_s']:.1f} redraws/s" if rates else None, None),
    ], columns=7), unsafe_allow_html=True)
    if not presenting:   # not a container of its own inside the fragment: the element count stays fixed
        st.caption(f"In effect: k = {c['k']}, lr_D = {c['lr_d']:g}, lr_G = {c['lr_g']:g}, {c['optimizer']}, "
                   f"cost {c['generator_cost'].replace('_', '-')}, m = {c['batch_size']}; p_data = {snap['data_name']}; "
                   f"p_z = {snap['noise']}; width {snap['width']}; seed {c['seed']}.")
    figs = ss[K.figs]
    main = figure1_arrays(snap)
    if "main" not in figs:  # build once per session, then write new arrays in (~1 ms, not ~50 ms)
        figs["main"] = paper_figure(*main)
    else:
        update_paper_figure(figs["main"], *main)
    name = f"gan-lab_toy-gan_seed{c['seed']}_it{snap['iteration']}"
    live_chart(present(figs["main"], presenting, fit=True), key=K.fig_main, config=image_config(f"{name}_figure1"),
               feed=feed.url if view.playing else None, feed_every_s=redraw_every(TICK_S), iteration=snap["iteration"])
    return view


def history_charts(snap):
    """Charts over iterations: once a second is enough."""
    h, curve, cost = snap["history"], snap["curve"], snap["config"]["generator_cost"]
    figs = ss[K.figs]
    g_label = COST_LABELS[cost].split(":")[0]
    loss = (h["iteration"], h["d_loss"], h["g_loss"])
    if "loss" not in figs:
        figs["loss"] = loss_figure(*loss, EQUILIBRIUM_VALUE["discriminator"], EQUILIBRIUM_VALUE[cost], g_label)
        figs["js"] = js_figure(curve["iteration"], curve["js"])
        figs["gap"] = d_gap_figure(curve["iteration"], curve["gap"])
    else:
        update_loss_figure(figs["loss"], *loss, EQUILIBRIUM_VALUE[cost], g_label)
        update_series_figure(figs["js"], curve["iteration"], curve["js"])
        update_series_figure(figs["gap"], curve["iteration"], curve["gap"])
    seed, it = snap["config"]["seed"], snap["iteration"]
    for col, name, key in zip(st.columns(3), ("loss", "js", "gap"), (K.fig_loss, K.fig_js, K.fig_gap)):
        with col:
            live_chart(present(figs[name], presenting), key=key,
                       config=image_config(export_name("toy-gan", seed, it, name, ext="")[:-1]))
    download_buttons([
        ("Losses per iteration (CSV)", export_name("toy-gan", seed, it, "losses"),
         lambda: toy_csvs(run.do("history"), it)["losses"]),
        ("JS and |D − D*| per snapshot (CSV)", export_name("toy-gan", seed, it, "js"),
         lambda: toy_csvs(run.do("history"), it)["js"])])
    st.download_button("Figure 1 over the run (GIF)", lambda: toy_gif(run.do("rewind_views")), mime="image/gif",
                       file_name=export_name("toy-gan", seed, it, "figure1", ext="gif"), on_click="ignore",
                       icon=":material/animation:", key=K.gif,
                       help="One frame per snapshot the run recorded (at most 60, spread over the whole run).")


live()
with st.expander("Rewind and compare", expanded=K.branch in ss):
    rewind_panel(K, run, presenting)
branches(K, presenting)

with st.expander("The formulas behind the figure"):
    st.latex(r"\min_G \max_D V(D,G) = \mathbb{E}_{x\sim p_{data}}[\log D(x)] + \mathbb{E}_{z\sim p_z}[\log(1-D(G(z)))]")
    st.latex(r"D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}, \qquad "
             r"C(G) = \max_D V(G,D) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)")
    st.markdown(
        f"**Loss normalisation.** D's loss is the textbook "
        r"$J^{(D)} = -\tfrac12\mathbb{E}_x\log D(x) - \tfrac12\mathbb{E}_z\log(1-D(G(z)))$"
        f", so at equilibrium (D = ½ everywhere) it equals log 2 = {LOG2:.3f}, the lecture's reference value. "
        "G's reference line is its cost at D = ½: log 2 for the non-saturating cost, −log 2 for the saturating one.\n\n"
        "**Estimates.** p_g is a Gaussian KDE (Silverman bandwidth) of 8,000 generator outputs at the quantiles "
        "of p_z; JS, V(G, D) and C(G) are integrals over the plotted grid (trapezoid rule). D* is undefined where "
        "both densities vanish. The data support is where p_data > 10⁻³ · max p_data."
    )
