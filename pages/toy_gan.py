"""1-D toy GAN: Goodfellow et al. (2014), Figure 1, live. D visibly chases D* = p_d/(p_d+p_g)."""

import numpy as np
import streamlit as st
import torch

from gan_core.background import BackgroundTraining, Ticker
from gan_core.toy.distributions import NOISE_PRIORS
from gan_core.losses import COST_LABELS, EQUILIBRIUM_VALUE, LOG2
from gan_core.toy.game import (ToyConfig, build_toy_gan, generator_map, grid_estimates, set_data, set_noise,
                          train_discriminator_to_optimum)
from gan_core.trainer import TrainConfig, TrainingDiverged
from ui.frame import use_navigation
from ui.live import apply_settings, check_in, play_or_pause
from ui.toy_figures import (d_gap_figure, js_figure, loss_figure, paper_figure, update_loss_figure,
                            update_paper_figure, update_series_figure)
from ui.toy_widgets import data_controls, train_controls

use_navigation()

torch.set_num_threads(1)  # tiny tensors: a second thread only adds contention (and stalls badly under load)

NS = "toy"
TICK_S = 0.25          # the live view redraws about 4 times a second; a worker thread trains
CHUNK = 100            # iterations per worker chunk (~45 ms): the page waits at most that long

st.title("1-D toy GAN")
st.caption("The paper's Figure 1, live: data p_data (dotted), generator p_g (green), discriminator D (blue) "
           "and the optimal discriminator D* (red dashes). Below, the z-line mapped onto the x-line by G.")

# ---- controls (sidebar): plain values out
with st.sidebar:
    st.header("Toy GAN controls")
    data = data_controls(NS)
    noise = st.radio("noise prior p_z", list(NOISE_PRIORS), index=list(NOISE_PRIORS).index(ToyConfig().noise),
                     horizontal=True, key=f"{NS}.noise",
                     format_func=lambda n: {"normal": "normal N(0, 1)", "uniform": "uniform U(−1, 1) (paper)"}[n])
    hyper = train_controls(NS)
    width = st.number_input("network width (applies on reset)", min_value=0, max_value=512, value=32, step=8,
                            key=f"{NS}.width")
    seed = st.number_input("seed (applies on reset)", min_value=0, max_value=2**31 - 1, value=0, key=f"{NS}.seed")

ss = st.session_state


def reset():
    """A new run: new networks from the seed. Only the Reset button (or a first visit) calls this."""
    if data.dist is None:
        return
    try:
        toy = ToyConfig(width=int(width), noise=noise)
        cfg = TrainConfig(seed=int(seed), **hyper)
    except ValueError as e:
        ss[f"{NS}.message"] = ("error", f"Not reset: {e}")
        return
    if f"{NS}.worker" in ss:
        ss[f"{NS}.worker"].stop()
    trainer = build_toy_gan(data.dist, cfg, toy)
    ss[f"{NS}.trainer"] = trainer
    ss[f"{NS}.worker"] = BackgroundTraining(lambda: trainer.train(CHUNK))
    ss[f"{NS}.data_key"] = data.key
    ss[f"{NS}.curve"] = {"iteration": [], "js": [], "gap": []}
    ss[f"{NS}.ticker"] = Ticker(keep=16)
    ss[f"{NS}.figs"] = {}


if f"{NS}.trainer" not in ss:
    ss[f"{NS}.message"] = None
    reset()
    if data.dist is None:  # a first visit with a broken mixture: start from the default preset
        from gan_core.toy.distributions import preset
        data = type(data)(preset("Gaussian"), preset("Gaussian").name, data.error)
        reset()

trainer, worker = ss[f"{NS}.trainer"], ss[f"{NS}.worker"]

# ---- every change applies to the running trainer in place (between two worker chunks)
with worker.lock:
    if data.error:
        st.error(data.error + " The current run keeps its data.")
    elif data.key != ss[f"{NS}.data_key"]:
        set_data(trainer, data.dist)
        ss[f"{NS}.data_key"] = data.key
    if noise != trainer.toy.noise:
        set_noise(trainer, noise)
    apply_settings(trainer, hyper)
if width < 1:
    st.error(f"Network width must be an integer from 1 to 512 (got {width}); the run keeps width "
             f"{trainer.toy.width}.")
elif width != trainer.toy.width or seed != trainer.config.seed:
    st.info(f"Width {width} / seed {seed} take effect when you press Reset (they make new networks); "
            f"the run continues with width {trainer.toy.width}, seed {trainer.config.seed}.")

# ---- buttons
cols = st.columns(6)
playing = worker.running
cols[0].button("Pause" if playing else "Play", key=f"{NS}.play", type="primary",
               icon=":material/pause:" if playing else ":material/play_arrow:",
               width="stretch", on_click=play_or_pause, args=(NS, playing))


def guarded(step):
    with worker.lock:  # a button's step runs between two chunks of a playing run
        try:
            step()
        except TrainingDiverged as e:
            worker.stop()
            ss[f"{NS}.message"] = ("error", e.report["message"])


if cols[1].button("One iteration", key=f"{NS}.one", width="stretch"):
    guarded(lambda: trainer.train(1))
if cols[2].button("One D step", key=f"{NS}.dstep", width="stretch"):
    guarded(lambda: trainer.discriminator_steps(1))
if cols[3].button("One G step", key=f"{NS}.gstep", width="stretch"):
    guarded(lambda: trainer.generator_steps(1))
if cols[4].button("Train D to optimum", key=f"{NS}.dopt", width="stretch",
                  help="G frozen; D trained until it stops changing. D lands on D*."):
    guarded(lambda: ss.__setitem__(f"{NS}.message", ("info", f"D trained to optimum: "
                                                      f"{train_discriminator_to_optimum(trainer)} D steps, G frozen.")))
if cols[5].button("Reset", key=f"{NS}.reset", width="stretch"):
    reset()
    trainer, worker = ss[f"{NS}.trainer"], ss[f"{NS}.worker"]
    ss[f"{NS}.message"] = ("info", "New run from the seed.")


@st.fragment(run_every=TICK_S if worker.running else None)
def live():
    ticker = ss[f"{NS}.ticker"]
    check_in(worker, ticker, f"{NS}.message")  # heartbeat; a worker that stopped by itself shows why
    with worker.lock:  # read a consistent state between two chunks
        if worker.running:
            ticker.mark(trainer.iteration, trainer.iteration)
        dist = trainer.data.dist
        est = grid_estimates(trainer, dist, n_grid=401, n_samples=8000)
        q = (np.arange(25) + 0.5) / 25
        z = trainer.noise_dist.ppf(q)
        fakes = generator_map(trainer, trainer.noise_dist.sample(64, np.random.default_rng(trainer.iteration)))
        gz = generator_map(trainer, z)
        c = trainer.config
        counts = (trainer.iteration, trainer.d_steps, trainer.g_steps)
    curve = ss[f"{NS}.curve"]
    if not curve["iteration"] or curve["iteration"][-1] != counts[0]:
        curve["iteration"].append(counts[0])
        curve["js"].append(est.js)
        curve["gap"].append(est.mean_abs_d_minus_d_star)

    if ss[f"{NS}.message"]:
        kind, text = ss[f"{NS}.message"]
        (st.error if kind == "error" else st.info)(text)
    m = st.columns(7)
    m[0].metric("iteration", f"{counts[0]:,}")
    m[1].metric("D steps", f"{counts[1]:,}", f"G steps: {counts[2]:,}", delta_color="off",
                delta_arrow="off")
    m[2].metric("JS(p_data‖p_g), nats", f"{est.js:.4f}")
    m[3].metric("V(G, D)", f"{est.value:.4f}")
    m[4].metric("C(G) = −log 4 + 2·JS", f"{est.c_of_g:.4f}", help="max over D of V(G, D); −log 4 = −1.386 at p_g = p_data")
    m[5].metric("mean |D − D*| on data", f"{est.mean_abs_d_minus_d_star:.3f}")
    rates = ticker.rates()
    if rates and worker.running:
        m[6].metric("live it/s", f"{rates['iterations_per_s']:,.0f}", f"{rates['redraws_per_s']:.1f} redraws/s",
                    delta_color="off", delta_arrow="off")
    else:
        m[6].metric("live it/s", "paused")
    st.caption(f"In effect: k = {c.k}, lr_D = {c.lr_d:g}, lr_G = {c.lr_g:g}, {c.optimizer}, "
               f"cost {c.generator_cost.replace('_', '-')}, m = {c.batch_size}; p_data = {trainer.data.dist.name}; "
               f"p_z = {trainer.toy.noise}; width {trainer.toy.width}; seed {c.seed}.")
    figs = ss[f"{NS}.figs"]
    main = (est.x, est.p_data, est.p_g, est.d, est.d_star, z, gz, fakes)
    if "main" not in figs:  # build once per session, then write new arrays in (~1 ms, not ~50 ms)
        figs["main"] = paper_figure(*main)
    else:
        update_paper_figure(figs["main"], *main)
    st.plotly_chart(figs["main"], width="stretch", key=f"{NS}.fig_main")


@st.fragment(run_every=1.0 if worker.running else None)
def history_charts():
    """Charts over iterations: once a second is enough, and leaves the CPU to training."""
    with worker.lock:
        h, cost = trainer.history, trainer.config.generator_cost
    curve, figs = ss[f"{NS}.curve"], ss[f"{NS}.figs"]
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
    c1, c2, c3 = st.columns(3)
    c1.plotly_chart(figs["loss"], width="stretch", key=f"{NS}.fig_loss")
    c2.plotly_chart(figs["js"], width="stretch", key=f"{NS}.fig_js")
    c3.plotly_chart(figs["gap"], width="stretch", key=f"{NS}.fig_gap")


live()
history_charts()

with st.expander("The formulas behind the figure"):
    st.latex(r"\min_G \max_D V(D,G) = \mathbb{E}_{x\sim p_{data}}[\log D(x)] + \mathbb{E}_{z\sim p_z}[\log(1-D(G(z)))]")
    st.latex(r"D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}, \qquad "
             r"C(G) = \max_D V(G,D) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\,\|\,p_g)")
    st.markdown(
        f"**Loss normalisation.** D's loss is the textbook "
        r"$J^{(D)} = -\tfrac12\mathbb{E}_x\log D(x) - \tfrac12\mathbb{E}_z\log(1-D(G(z)))$"
        f", so at equilibrium (D = ½ everywhere) it equals log 2 = {LOG2:.3f}, the lecture's reference value. "
        "G's reference line is its cost at D = ½: log 2 for the non-saturating cost, −log 2 for the saturating one.\n\n"
        "**Estimates.** p_g is a Gaussian KDE (Silverman bandwidth) of 20,000 generator outputs at the quantiles "
        "of p_z; JS, V(G, D) and C(G) are integrals over the plotted grid (trapezoid rule). D* is undefined where "
        "both densities vanish. The data support is where p_data > 10⁻³ · max p_data."
    )
