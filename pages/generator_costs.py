"""Generator costs: saturating vs non-saturating (and least squares), seen on the curves and
measured in a race of two 1-D GANs that differ only in the cost. Widgets in, core out, figures out."""
import inspect

import numpy as np
import streamlit as st

from gan_core import losses
from gan_core.toy.cost_race import RACE_DEFAULTS, CostRace, first_below, strong_discriminator_start
from gan_core.toy.distributions import DEFAULT_PRESET, Shifted, preset
from gan_core.losses import COST_LABELS, COSTS, LOG2, cost_grad_wrt_logit, cost_of_d
from gan_core.toy.mlp_fast import MLPStepKernel
from gan_core.trainer import GANTrainer
from ui import cost_figures as figs
from ui.export import download_buttons, export_name, race_csv
from ui.frame import use_navigation
from ui.keys import CostsKeys
from ui.presenter import image_config, present, presenter_toggle
from ui.lecture import (RACE_KEYS, RACE_PARAMS, link_warning, read_link, scenario_loaded, scenario_note,
                        scenario_picker, write_link)
from ui.live_chart import live_chart
from ui.live import act, apply_settings, live_every, live_header, lost_run_notice, open_run, play_or_pause
from ui.toy_widgets import LR_CHOICES, data_controls

use_navigation()

K = CostsKeys("costs")
TICK_S = 0.3              # the live view redraws about 3 times a second while the race trains
RACE_COSTS = list(COST_LABELS)
SHORT = {c.name: c.short for c in COSTS}
D_GRID = np.unique(np.concatenate([np.logspace(-6, -1, 120), np.linspace(0.1, 1 - 1e-6, 400)]))
ss = st.session_state

st.title("Generator costs: saturating vs non-saturating")
st.caption("Same D, same data, same noise: only the generator's cost differs. Where the fakes are bad "
           "(D(G(z)) near 0), does the cost still give the generator a gradient?")
presenting = presenter_toggle()

# ---- controls (sidebar): plain values out; a link's settings first become the widgets' values
read_link(K, RACE_PARAMS)
with st.sidebar:
    st.header("Race controls")
    cost_a = st.selectbox("run A: generator cost", RACE_COSTS, index=RACE_COSTS.index(RACE_DEFAULTS["cost_a"]), format_func=COST_LABELS.get, key=K.cost_a)
    cost_b = st.selectbox("run B: generator cost", RACE_COSTS, index=RACE_COSTS.index(RACE_DEFAULTS["cost_b"]), format_func=COST_LABELS.get, key=K.cost_b)
    n_pre = st.slider("strong discriminator: N D steps first (G frozen)", 0, 3000, RACE_DEFAULTS["n_pre"], step=100, key=K.n_pre)
    data = data_controls(K)
    shift = st.slider("move p_data by s (far from G's start near 0)", -6.0, 6.0, RACE_DEFAULTS["shift"], step=0.5, key=K.shift)
    k = st.slider("k: D steps per G step", 1, 20, RACE_DEFAULTS["k"], key=K.k)
    fmt = lambda v: f"{v:g}"  # noqa: E731
    lr_d = st.select_slider("lr_D (log scale)", LR_CHOICES, value=RACE_DEFAULTS["lr_d"], format_func=fmt, key=K.lr_d)
    lr_g = st.select_slider("lr_G (log scale)", LR_CHOICES, value=RACE_DEFAULTS["lr_g"], format_func=fmt, key=K.lr_g)
    optimizer = st.radio("optimizer", ["sgd", "adam"], index=["sgd", "adam"].index(RACE_DEFAULTS["optimizer"]),
                         horizontal=True, key=K.opt,
                         format_func=lambda o: {"adam": "Adam (β₁ = 0.5)", "sgd": "SGD + momentum (paper)"}[o])
    seed = st.number_input("seed", min_value=0, max_value=2**31 - 1, value=RACE_DEFAULTS["seed"], key=K.seed)

hyper = dict(k=k, lr_d=lr_d, lr_g=lr_g, optimizer=optimizer)
write_link(K, RACE_PARAMS)
link_warning(K)
loaded = scenario_loaded(K)


def new_race(dist) -> bool:
    """A new race from the strong-discriminator start, built and trained in a worker process."""
    spec = {"data": dist, "costs": (cost_a, cost_b), "n_pre": n_pre, "seed": int(seed), "train": hyper}
    if not open_run(K, "race", spec):
        return False
    ss[K.start] = start_key
    return True


dist = Shifted(data.dist, shift) if data.dist is not None else None
start_key = (cost_a, cost_b, n_pre, dist.name if dist else None, int(seed))
if K.run not in ss:
    ss[K.message] = None
    lost_run_notice(K)
    if dist is None:  # a first visit with a broken mixture: start from the default preset
        dist = Shifted(preset(DEFAULT_PRESET), shift)
    new_race(dist)
if K.run not in ss:
    st.error((ss[K.message] or ("", "No race."))[1])
    st.stop()

# ---- a new start (costs, N, data, seed) makes a new race; k / lr / optimizer apply in place
if data.error:
    st.error(data.error + " The race keeps its data.")
elif loaded and new_race(dist):
    ss[K.message] = ("info", f"Scenario loaded: {loaded.name}. New race from seed {loaded.seed}; press Play.")
elif start_key != ss[K.start] and new_race(dist):
    ss[K.message] = ("info", f"New race from a discriminator trained {n_pre} steps first: "
                             f"A = {SHORT[cost_a]}, B = {SHORT[cost_b]}.")
run = ss[K.run]
apply_settings(K, run, hyper)
view = run.view()
active = view.state in ("playing", "waiting")
drawn = view.state   # the state this run of the page is drawn for (its live fragment's pace)

cols = st.columns(3)
cols[0].button("Pause" if active else "Play", icon=":material/pause:" if active else ":material/play_arrow:",
               key=K.pause if active else K.play, type="primary", width="stretch",  # a key per label
               on_click=play_or_pause, args=(K, active), disabled=view.state == "ended", shortcut="P")
cols[1].button("Step 100 iterations", key=K.step, width="stretch", on_click=act, args=(K, "step", 100),
               shortcut="S")
if cols[2].button("Reset", key=K.reset, width="stretch", help="Back to the strong-discriminator start."):
    if new_race(dist or Shifted(preset(DEFAULT_PRESET), shift)):
        ss[K.message] = ("info", "Reset: both runs back at the strong-discriminator start.")
        ss.pop(K.scenario, None)
    st.rerun()
scenario_picker(K, "costs", RACE_KEYS)
scenario_note(K)

EXPLANATION = """
**The lecture.** The minimax generator *minimises* the probability that D is right, log(1 − D(G(z))).
*"When sample is likely fake, want to learn from it to improve generator. But gradient in this region
is relatively flat!"* So in practice G *maximises* log D(G(z)) instead: **maximise the probability that
the discriminator is wrong, rather than minimise the probability that it is right.** Same fixed point
(D(G(z)) = ½), very different gradient where G is bad.

With D = σ(a), a the logit, the gradient that reaches G is ∂J/∂a times the chain through D and G.
"""


def explanation():
    st.markdown(EXPLANATION)
    st.latex(r"J^{(D)} = -\tfrac12\,\mathbb{E}_{x}\log D(x) - \tfrac12\,\mathbb{E}_{z}\log\big(1-D(G(z))\big)")
    st.markdown(f"D always learns with J^(D) (= log 2 ≈ {LOG2:.2f} when D = ½ everywhere); G uses one of:")
    rows = r" \\ ".join(rf"\text{{{c.short}}} & {c.tex[0]} & {c.tex[1]}" for c in COSTS)
    st.latex(r"\begin{array}{lll} & J^{(G)} & \partial J/\partial a \\ \hline" + rows +
             r"\end{array}\qquad D = D(G(z)) = \sigma(a)")
    st.caption("Every game shares J^(D) and differs only in the generator's cost (Goodfellow's tutorial). "
               "Least squares here is LSGAN's generator cost applied to this sigmoid D; the full LSGAN "
               "(Mao et al.) also replaces D's loss and drops the sigmoid. Through a sigmoid its gradient "
               "−D(1−D)² vanishes at D → 0 too. The tutorial puts ½ before each generator cost; dropping it "
               "scales every cost alike.")


def run_label(i, cost):
    return f"{'AB'[i]}: {SHORT[cost]}"


def series_of(costs, values_of, x_of):
    return [figs.Series(run_label(i, c), x_of(i), values_of(i), figs.COST_COLORS[c], "solid" if i == 0 else "dash")
            for i, c in enumerate(costs)]


@st.fragment(run_every=live_every(view, TICK_S))
def live():
    snap = live_header(K, run, drawn).snapshot

    costs, hist = snap["costs"], snap["history"]
    recent = [np.median(h["grad_norm_g"][-25:]) if len(h["grad_norm_g"]) else float("nan") for h in hist]
    cols = st.columns([1, 2, 2])
    cols[0].metric("iteration", f"{snap['iteration']:,}", f"D pre-trained {snap['pretrain_d_steps']:,} steps",
                   delta_color="off")
    for i, cost in enumerate(costs):
        with cols[1 + i]:
            st.markdown(f"**{run_label(i, cost)}** ({COST_LABELS[cost].split(': ')[1]})")
            m = st.columns(2)
            escape = first_below(snap["js_iteration"], snap["js"][i], 0.5 * LOG2)
            d_now = f"mean D(G(z)) {hist[i]['d_fake_g'][-1]:.3g}" if len(hist[i]["d_fake_g"]) else "not started"
            m[0].metric(f"{'AB'[i]}: ‖∇θ_G J‖", "—" if np.isnan(recent[i]) else f"{recent[i]:.2e}", d_now,
                        delta_color="off", help="Median of the generator's gradient norm over the last 25 iterations.")
            m[1].metric(f"{'AB'[i]}: JS(p_data‖p_g)", f"{snap['js'][i][-1]:.3f} nats",
                        f"< ½·log 2 at it. {escape:,}" if escape is not None else "not yet < ½·log 2",
                        delta_color="off", help="A grid estimate from a KDE of p_g, taken every 25 iterations; "
                        "at no overlap it reads log 2, JS's largest value.")
    if not np.isnan(recent).any() and recent[1] > 0:
        first = [np.median(h["grad_norm_g"][:10]) for h in hist]
        st.caption(f"Generator gradient-norm ratio A / B: {first[0] / first[1]:.2e} over the first 10 iterations "
                   f"(the strong-discriminator start), {recent[0] / recent[1]:.2e} over the last 25.")

    race_slot = st.container()          # on the projector the race comes first, the explanation after it
    left, right = st.columns([5, 6])
    with left:
        explanation()
    with right:
        log_x = st.toggle("log scale for D(G(z))", key=K.log_x, help="Spread out the fakes that sit near 0.")
        curves = [figs.Series(COST_LABELS[c], D_GRID, cost_of_d(c, D_GRID), figs.COST_COLORS[c]) for c in RACE_COSTS]
        grads = [figs.Series(COST_LABELS[c], D_GRID, np.abs(cost_grad_wrt_logit(c, D_GRID)), figs.COST_COLORS[c])
                 for c in RACE_COSTS]
        rugs = snap["rugs"]
        fakes = series_of(costs, lambda i: cost_of_d(costs[i], rugs[i]), lambda i: rugs[i])
        fake_grads = series_of(costs, lambda i: np.abs(cost_grad_wrt_logit(costs[i], rugs[i])), lambda i: rugs[i])
        fakes = [s._replace(label=f"fakes of {s.label}") for s in fakes]
        fake_grads = [s._replace(label=f"fakes of {s.label}") for s in fake_grads]
        name = f"gan-lab_generator-costs_seed{snap['config']['seed']}_it{snap['iteration']}"
        live_chart(present(figs.analytic_figure(D_GRID, curves, grads, fakes, fake_grads, log_x), presenting, fit=True),
                   key=K.fig_analytic, config=image_config(f"{name}_costs-and-gradients"))
        st.caption("Dots: D(G(z)) of 64 fakes per run (z at the quantiles of p_z), placed on that run's cost.")

    with race_slot if presenting else st.container():
        st.subheader("The race")
        p_g = snap["p_g"]
        c1, c2 = st.columns(2)
        name = f"gan-lab_generator-costs_seed{snap['config']['seed']}_it{snap['iteration']}"
        with c1:
            live_chart(present(figs.grad_norm_figure(series_of(costs, lambda i: hist[i]["grad_norm_g"],
                                                               lambda i: hist[i]["iteration"])), presenting),
                       key=K.fig_grad, config=image_config(f"{name}_gradient-norms"))
        with c2:
            live_chart(present(figs.densities_figure(snap["x"], snap["p_data"], series_of(costs, lambda i: p_g[i][1],
                                                     lambda i: p_g[i][0]), snap["data_name"]), presenting),
                       key=K.fig_density, config=image_config(f"{name}_densities"))
        c1, c2 = st.columns(2)
        with c1:
            live_chart(present(figs.mean_d_figure(series_of(costs, lambda i: hist[i]["d_fake_g"],
                                                            lambda i: hist[i]["iteration"])), presenting),
                       key=K.fig_d, config=image_config(f"{name}_mean-d-of-fakes"))
        with c2:
            live_chart(present(figs.js_figure(series_of(costs, lambda i: snap["js"][i],
                                                        lambda i: snap["js_iteration"])), presenting),
                       key=K.fig_js, config=image_config(f"{name}_js"))
        it = snap["iteration"]
        download_buttons([("Both runs' metrics per iteration (CSV)",
                                export_name("generator-costs", snap["config"]["seed"], it, "race"),
                                lambda: race_csv(run.do("history"), it))])
        st.caption("The claim is about the start, where D(G(z)) ≈ 0. Once the fakes reach D(G(z)) ≈ ½ the two "
                   "gradients are equal (the curves above cross at ½), and where each run then settles depends on "
                   "the path it took, not on the cost alone.")
        if snap["config"]["optimizer"] == "adam":
            st.info("Adam divides each step by a running RMS of the gradient, so a uniformly tiny gradient still "
                    "makes full-sized steps: the saturating run is no longer stuck (it may even escape first), although its gradient norm "
                    "(left chart) is as small as before. SGD with momentum, the paper's rule, shows the raw effect.")


live()

with st.expander("Show the code behind each curve"):
    st.markdown("**The generator costs**: one record per cost, read by these curves, by the trainer (on logits; "
                "softplus keeps them finite) and by the hand-written backprop below.")
    st.code(inspect.getsource(losses), language="python")
    st.markdown("**The generator update** of the one trainer (Algorithm 1, step 2) and, for these small MLPs, "
                "the hand-written backprop it actually runs (checked equal to autograd in the tests):")
    st.code(inspect.getsource(GANTrainer._generator_update) + "\n\n" + inspect.getsource(MLPStepKernel.generator_grads),
            language="python")
    st.markdown("**The race**: one start, the discriminator trained first, copied into runs that differ only in cost.")
    st.code(inspect.getsource(strong_discriminator_start) + "\n\n" + inspect.getsource(CostRace.__init__), language="python")
