"""2-D toy GAN: GAN Lab's four views, live, with D* = p_d/(p_d+p_g), JS and mode coverage beside them.

The run trains in a worker process (gan_core.live, kind "toy2d"); this page sends settings and draws snapshots.
"""

import streamlit as st

from gan_core.losses import COST_LABELS, EQUILIBRIUM_VALUE, LOG2
from gan_core.toy2d.data import COVERAGE_RADIUS, preset
from ui.frame import use_navigation
from ui.keys import Toy2DKeys
from ui.presenter import image_config, present, presenter_toggle
from ui.live import (apply_settings, live_every, live_header, lost_run_notice, open_run, redraw_every, run_feed,
                     stat_row_html, toy_buttons)
from ui.live_chart import live_chart
from ui.toy2d_figures import (coverage_figure, d_star_frame, d_star_layers, js_figure, main_frame, main_layers,
                              update_coverage_figure)
from ui.toy2d_widgets import (DRAWN, data_controls, drawing_canvas, layer_controls, noise_and_nets,
                              scenario_controls, slow_motion)
from ui.toy_figures import loss_figure, update_loss_figure, update_series_figure
from ui.toy_widgets import train_controls

use_navigation()

K = Toy2DKeys("toy2d")
TICK_S = 0.25          # the main view: about 4 redraws a second while the run trains (fetched by the browser: ui.feed)
NUMBERS_S = 1.0        # the numbers under it, and the page's check on its run

st.title("2-D toy GAN")
st.caption("Real samples (black) and fakes G(z) (purple) over D(x) (green: real, purple: fake, dashed: D = ½); the "
           "generator's manifold; on 64 fakes, the direction the generator's cost pushes each one. Beside it, the "
           "optimal discriminator D*.")
presenting = presenter_toggle()
ss = st.session_state

with st.sidebar:
    st.header("2-D toy GAN controls")
    scenario_controls(K)
    data = data_controls(K)
    dim, noise, nets = noise_and_nets(K)
    hyper = train_controls(K)
    per_turn = slow_motion(K)
    seed = st.number_input("seed (applies on reset)", min_value=0, max_value=2**31 - 1, value=0, key=K.seed)


def reset(dist=None) -> bool:
    """A new run: new networks from the seed (the Reset button, a scenario, or a first visit)."""
    dist = dist or data.dist
    if dist is None:
        return False
    spec = {"data": dist, "noise_dim": dim, "noise": noise, **nets, "seed": int(seed), "train": hyper,
            "iterations_per_turn": per_turn}
    if open_run(K, "toy2d", spec):
        ss[K.figs] = {}
        return True
    return False


if K.run not in ss:
    ss[K.message] = None
    lost_run_notice(K)
    if not reset():  # a first visit with nothing drawn yet: start from the ring
        reset(preset("Ring of 8 Gaussians"))
if ss.pop(K.reset_now, None) and reset():
    ss[K.message] = ("info", f"Scenario loaded: {ss[K.scenario]}. A new run from its seed.")
if K.run not in ss:
    st.error((ss[K.message] or ("error", "No run."))[1])
    st.stop()
run = ss[K.run]

# ---- every change applies to the running run in place (between two training chunks)
if ss[K.preset] == DRAWN:
    with st.expander("Draw p_data", expanded=True):
        drawing_canvas(K)
if data.error:
    st.warning(data.error + " The current run keeps its data.")
apply_settings(K, run, {**hyper, "noise": noise, "iterations_per_turn": per_turn})
view = run.view()
if data.dist is not None and data.dist.name != view.snapshot["data_name"]:  # swap p_data, keep the networks
    apply_settings(K, run, {"data": data.dist})
    view = run.view()
snap = view.snapshot
if (dim, nets, seed) != (snap["noise_dim"], snap["nets"], snap["config"]["seed"]):
    st.info("Noise dimension, network sizes and seed take effect when you press Reset (they make new networks).")

drawn = view.state   # the state this run of the page is drawn for (its live fragment's pace)
if toy_buttons(K, view):
    if reset():
        ss[K.message] = ("info", "New run from the seed.")
    st.rerun()
layers = layer_controls(K)


def main_view_layers(snap, shown) -> str:
    return main_layers(snap["axis"], snap["d"], snap["real"], snap["fakes"], snap["manifold"], snap["arrows_at"],
                       snap["arrows"], shown, iteration=snap["iteration"])


def feed_picture(run, ticker, shown):
    """What the main view's feed serves while the run plays: its newest layers (None otherwise)."""
    def make():
        view = run.view()
        if not view.playing:
            return None
        ticker.mark(view.snapshot["iteration"], view.snapshot["iteration"])
        return main_view_layers(view.snapshot, shown)
    return make


@st.fragment(run_every=live_every(view, NUMBERS_S))
def live():
    """Every live part of the page in one fragment: each rerun of a fragment costs the student's
    browser a re-render of the whole page, so the panels rerun together, once a second while
    playing; the main view's pictures come in between from its feed."""
    view = live_header(K, run, drawn)   # the run's state and messages across the page: the two columns start level
    left, right = st.columns(2)
    with left:
        main_view_panel(view)
    with right:
        slow_views(view.snapshot)


def main_view_panel(view):
    """The main view, the numbers under it and what is in effect."""
    snap, ticker = view.snapshot, ss[K.ticker]
    feed = run_feed(K.feed, run)
    feed.make = feed_picture(run, ticker, tuple(layers))
    figs = ss[K.figs]
    frame_of = (float(abs(snap["axis"][0])), tuple(layers))
    if figs.get("main_of") != frame_of:  # the frame (axes, legend, colour bar) changes only with the layers shown
        figs["main"], figs["main_of"] = main_frame(*frame_of), frame_of
    name = f"gan-lab_toy-2d_seed{snap['config']['seed']}_it{snap['iteration']}"
    frame = present(figs["main"], presenting, fit=True)
    if presenting:   # the square is as tall as the screen allows: the legend goes beside it, not under it
        frame.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1.0, yanchor="top"))
        frame.update_traces(colorbar=dict(xref="container", x=1.0, xanchor="right"), selector=dict(type="heatmap"))
    else:
        frame.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.16, yanchor="top"))
        frame.update_traces(colorbar=dict(xref="paper", x=None, xanchor=None), selector=dict(type="heatmap"))
    live_chart(frame, key=K.fig_main, config=image_config(f"{name}_main-view"), layers=main_view_layers(snap, layers),
               feed=feed.url if view.playing else None, feed_every_s=redraw_every(TICK_S))
    c = snap["config"]
    rates = ticker.rates() if view.playing else None
    st.markdown(stat_row_html([
        ("iteration", f"{snap['iteration']:,}", None, None),
        ("D steps", f"{snap['d_steps']:,}", f"G steps: {snap['g_steps']:,}", None),
        ("JS(p_data‖p_g), nats", f"{snap['js']:.4f}", f"C(G) = −log 4 + 2·JS = {snap['c_of_g']:.3f}", None),
        ("modes covered", f"{snap['covered']} / {snap['n_modes']}",
         f"{snap['on_modes']:.0%} of fakes within {COVERAGE_RADIUS:g}σ of a mode", None),
        ("mean |D − D*| on data", f"{snap['mean_abs_d_minus_d_star']:.3f}", None, None),
        ("live it/s", f"{rates['iterations_per_s']:,.0f}" if rates else
         ("waiting" if view.state == "waiting" else "paused"),
         f"{rates['redraws_per_s']:.1f} redraws/s" if rates else None, None),
    ], columns=3), unsafe_allow_html=True)
    slow = f"slow motion: {snap['iterations_per_turn']} iterations per redraw" if snap["iterations_per_turn"] else "full speed"
    st.caption(f"In effect: k = {c['k']}, lr_D = {c['lr_d']:g}, lr_G = {c['lr_g']:g}, {c['optimizer']}, "
               f"cost {c['generator_cost'].replace('_', '-')}, m = {c['batch_size']}; p_data = {snap['data_name']}; "
               f"p_z = {snap['noise']}, dim {snap['noise_dim']}; G {snap['nets']['g_width']}×{snap['nets']['g_depth']}, "
               f"D {snap['nets']['d_width']}×{snap['nets']['d_depth']}; {slow}; seed {c['seed']}.")


def slow_views(snap):
    """D* and the charts over iterations: once a second is enough (and leaves the browser time
    for the main view's 4 redraws a second)."""
    h, curve, cost = snap["history"], snap["curve"], snap["config"]["generator_cost"]
    figs = ss[K.figs]
    box = float(abs(snap["axis"][0]))
    if figs.get("d_star_of") != box:
        figs["d_star"], figs["d_star_of"] = d_star_frame(box), box
    name = f"gan-lab_toy-2d_seed{snap['config']['seed']}_it{snap['iteration']}"
    live_chart(present(figs["d_star"], presenting, fit=True), key=K.fig_dstar, config=image_config(f"{name}_d-star"),
               layers=d_star_layers(snap["axis"], snap["d_star"]))
    st.caption(f"D*, JS, modes covered and |D − D*| of iteration {snap['estimates_iteration']:,} (while the run "
               "plays they are measured once a second; D(x) and the fakes at every redraw). "
               f"p_g: Gaussian KDE of {snap['n_kde']:,} generator samples (z on a lattice of p_z's quantiles), "
               f"bandwidth h = {snap['bandwidth']:.3f} (Scott's rule n^(−1/6)·σ̂, capped at σ_min/3 of p_data); "
               f"{snap['outside']:.1%} of them outside the square. Blank: p_data + p_g below two generator samples' "
               "worth of density (a ratio of two tails there is estimation noise).")
    g_label = COST_LABELS[cost].split(":")[0]
    loss = (h["iteration"], h["d_loss"], h["g_loss"])
    if "loss" not in figs:
        figs["loss"] = loss_figure(*loss, EQUILIBRIUM_VALUE["discriminator"], EQUILIBRIUM_VALUE[cost], g_label)
        figs["js"] = js_figure(curve["iteration"], curve["js"])
        figs["cov"] = coverage_figure(curve["iteration"], curve["covered"], snap["n_modes"])
    else:
        update_loss_figure(figs["loss"], *loss, EQUILIBRIUM_VALUE[cost], g_label)
        update_series_figure(figs["js"], curve["iteration"], curve["js"])
        update_coverage_figure(figs["cov"], curve["iteration"], curve["covered"], snap["n_modes"])
    live_chart(present(figs["loss"], presenting), key=K.fig_loss, config=image_config(f"{name}_losses"))
    c2, c3 = st.columns(2)
    with c2:
        live_chart(present(figs["js"], presenting), key=K.fig_js, config=image_config(f"{name}_js"))
    with c3:
        live_chart(present(figs["cov"], presenting), key=K.fig_cov,
                   config=image_config(f"{name}_modes-covered"))


live()

with st.expander("The formulas and estimators behind the figures"):
    st.latex(r"D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}, \qquad "
             r"C(G) = \max_D V(G,D) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)")
    st.markdown(
        f"**Losses.** D's loss is the textbook J⁽ᴰ⁾ = −½ E log D(x) − ½ E log(1 − D(G(z))): log 2 = {LOG2:.3f} at "
        "D = ½. G's reference line is its cost at D = ½ (log 2 non-saturating, −log 2 saturating).\n\n"
        "**Estimates.** p_data is exact (every preset and drawing is a Gaussian mixture). p_g is a Gaussian KDE of "
        "the generator's outputs on a lattice of p_z's quantiles (bandwidth stated under D*). JS is a sum over a "
        "241 × 241 grid of [−3, 3]², in nats, plus ½·log 2 per unit of p_g's mass outside the square (p_data is ~0 "
        "there); it is ≤ log 2. mean |D − D*| on data is E over x ~ p_data of |D(x) − D*(x)|: the heatmap's points "
        "weighted by the exact p_data (a mode's far tail, where D sees almost no samples, counts little). \"Train D "
        "to optimum\" runs 12,000 Adam steps on D alone, G frozen, the rate annealed from 3·10⁻³ to 10⁻⁵.\n\n"
        f"**Modes.** A mode is one separate piece of p_data (a Gaussian of the ring, one moon, one drawn region). It "
        f"is covered when at least 1/(4 · number of modes) of the generator's samples fall within {COVERAGE_RADIUS:g}σ "
        "of it.\n\n**Arrows.** −∂J_G/∂x at each of 64 fakes, for the chosen cost J_G of that one sample: where G's "
        "update pushes it. Lengths are proportional to the gradient; the longest is drawn 0.5 long.")
