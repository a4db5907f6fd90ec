"""Live MNIST training: Algorithm 1 on digits, the fixed-noise grid changing as G learns.

The run trains in a worker process (gan_core.live); this page sends settings and draws snapshots.
"""
import time

import numpy as np
import streamlit as st

from gan_core.live.runs import SETTINGS
from gan_core.losses import COST_LABELS, EQUILIBRIUM_VALUE
from gan_core.mnist.live import QUALITY_EARLY_EVERY_S, QUALITY_EARLY_S, QUALITY_EVERY_S, SHOWS
from gan_core.mnist.data import EMBEDDED_NAME, UPLOAD_PREFIX, IDXError, uploaded_arrays
from gan_core.mnist.session import PAGE_MAX_BYTES
from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN
from ui.export import export_name, mnist_csv
from ui.frame import use_navigation
from ui.keys import MnistKeys
from ui.live_chart import live_chart
from ui.presenter import aside, image_config, present, presenter_toggle
from ui.lecture import (MNIST_KEYS, MNIST_PARAMS, link_warning, read_link, scenario_loaded, scenario_note,
                        scenario_picker, write_link)
from ui.live import (act, apply_settings, live_every, live_header, lost_run_notice, open_run, play_or_pause,
                     stat_row_html)
from ui.mnist_figures import (class_histogram_figure, d_output_figure, pairs_image, update_class_histogram,
                              update_d_output_figure)
from ui.mnist_widgets import Setup, setup_controls
from ui.toy_figures import loss_figure, update_loss_figure
from ui.toy_widgets import BATCH_CHOICES, LR_CHOICES, train_controls

use_navigation()

K = MnistKeys("mnist")
TICK_S = 0.9            # the grid redraws ~1.1 times a second while the run trains
CHARTS_EVERY_S = 10.0   # loss charts redraw less often than the grid: Plotly in the browser costs CPU
# Every fragment rerun costs the browser CPU even when it draws nothing new: the page reruns as
# little as it can.
ss = st.session_state

# while a tick redraws, Streamlit fades the fragment's elements as stale: keep the grid crisp instead
st.html("<style>[data-stale='true'] { opacity: 1 !important; transition: none !important; }</style>")
st.title("Live MNIST training")
st.caption("Algorithm 1 on 28×28 images: k D steps, then one G step, per iteration. The grid is G applied to "
           "the same noise vectors throughout (64; conditional GAN: 8 per class, one row per class), so you watch one "
           "generator learn.")
presenting = presenter_toggle()


def sync_widgets(snap: dict, setup: Setup) -> None:
    """Show a loaded run's settings in the sidebar (so the sliders do not overwrite them)."""
    c = snap["config"]
    near = lambda v, choices: min(choices, key=lambda x: abs(np.log(x) - np.log(v)))  # noqa: E731
    ss.update({K.k: min(c["k"], 20), K.lr_d: near(c["lr_d"], LR_CHOICES), K.lr_g: near(c["lr_g"], LR_CHOICES),
               K.opt: c["optimizer"], K.cost: c["generator_cost"], K.m: near(c["batch_size"], BATCH_CHOICES),
               K.model: snap["model"], K.seed: c["seed"]})
    ss[K.setup] = Setup(snap["model"], setup.data, setup.device, c["seed"])


def start(setup: Setup, hyper: dict, checkpoint: bytes | None = None, name: str = "") -> bool:
    """A new run (from the seed, or continuing a checkpoint); a failure leaves the current run as it was."""
    spec = {"model": setup.model, "data": setup.data, "device": setup.device, "seed": setup.seed, "train": hyper,
            "shows": ss.get(K.shows, "ema")}
    if setup.data.startswith(UPLOAD_PREFIX):  # the worker gets the arrays this server parsed
        try:
            spec["uploaded"] = uploaded_arrays(setup.data)
        except IDXError as e:
            ss[K.message] = ("error", f"Not reset: {e}")
            return False
    if checkpoint is not None:
        spec.update(checkpoint=checkpoint, checkpoint_name=name)
    before = ss.get(K.message)
    if not open_run(K, "mnist", spec):
        if checkpoint is not None:
            kind, text = ss[K.message]
            ss[K.message] = ("error", "Checkpoint not loaded, the current run is unchanged. "
                                      + text.removeprefix("Not reset: "))
        return False
    ss[K.setup], ss[K.figs] = setup, {}
    ss[K.message] = before if checkpoint is None else None
    return True


def reset(setup: Setup, hyper: dict, pressed: bool = False) -> None:
    """A new run from the seed: only the Reset button (or a first visit) calls this."""
    if pressed:
        ss.pop(K.scenario, None)   # the scenario's note goes with its run
    if start(setup, hyper) and K.started in ss:
        ss[K.message] = ("info", "New run from the seed.")
    ss[K.started] = True


def load(data: bytes, name: str, setup: Setup, hyper: dict) -> None:
    """Continue from a checkpoint (read by the safe loader inside the worker)."""
    if len(data) > PAGE_MAX_BYTES:
        ss[K.message] = ("error", f"Checkpoint not loaded, the current run is unchanged: {name} is "
                                  f"{len(data) / 1e6:.1f} MB; at most {PAGE_MAX_BYTES / 1e6:.0f} MB are accepted.")
        return
    if not start(setup, hyper, data, name):
        return
    snap = ss[K.run].view().snapshot
    kind = ("training state (exact resume)" if snap["loaded"]["content"] == "training_state"
            else "model weights (new optimizers)")
    ss[K.message] = ("info", f"Loaded {name}: {kind}, {snap['model']}, iteration {snap['iteration']:,}. "
                             f"Press Start to continue training on {snap['dataset']}.")
    sync_widgets(snap, setup)


# ---- a checkpoint handed over by the pretrained page ("continue training")
if K.incoming in ss:
    incoming = ss.pop(K.incoming)
    load(incoming["data"], incoming["name"], ss.get(K.setup, Setup(DEFAULT_MODEL.kind, EMBEDDED_NAME, "cpu", 0)),
         {k: getattr(MNIST_TRAIN, k) for k in SETTINGS})

read_link(K, MNIST_PARAMS)   # a link's settings become the widgets' values
with st.sidebar:
    st.header("MNIST controls")
    setup, setup_error = setup_controls(K)
    st.caption("Model, data, device and seed apply on Reset; everything below acts on the running model.")
    hyper = train_controls(K, MNIST_TRAIN)
    shows = st.radio("grid and quality meter show", list(SHOWS), format_func=SHOWS.get, key=K.shows,
                     help="The averaged G is a moving average of G's weights over its last few hundred steps: "
                          "what the game has learned. G itself, the generator being trained, also shows the "
                          "wandering from one iteration to the next. Training is the same either way.")
write_link(K, MNIST_PARAMS)
link_warning(K)
loaded = scenario_loaded(K)

if K.run not in ss:
    ss[K.message] = None
    lost_run_notice(K)
    reset(setup, hyper)
    if K.run not in ss:  # a bad first setup: start from the defaults
        reset(Setup(DEFAULT_MODEL.kind, EMBEDDED_NAME, "cpu", 0), hyper)
if K.run not in ss:
    st.error((ss[K.message] or ("", "No run."))[1])
    st.stop()
if loaded and start(setup, hyper):
    ss[K.message] = ("info", f"Scenario loaded: {loaded.name}. New run from seed {loaded.seed}; press Start.")
run = ss[K.run]

# ---- settings act on the running model in place, between two training chunks
apply_settings(K, run, {**hyper, "shows": shows})
view = run.view()
if setup_error:
    st.warning(setup_error)
if setup != ss[K.setup]:
    st.info("The new model / data / device / seed take effect when you press Reset; the current run continues.")

# ---- buttons
def toggle_play(pause: bool):
    ss[K.play_started] = time.perf_counter()
    play_or_pause(K, pause)


cols = st.columns([1, 1, 1, 1, 2])
active = view.state in ("playing", "waiting")
drawn = view.state   # the state this run of the page is drawn for (its live fragment's pace)
cols[0].button("Pause" if active else "Start", key=K.pause if active else K.play, type="primary",
               width="stretch", icon=":material/pause:" if active else ":material/play_arrow:", on_click=toggle_play,
               args=(active,), disabled=view.state == "ended", shortcut="P")
cols[1].button("One step", key=K.one, width="stretch", on_click=act, args=(K, "iteration"),
               help="one iteration: k D steps + 1 G step", shortcut="S")
cols[2].button("Reset", key=K.reset, width="stretch", on_click=reset, args=(setup, hyper, True))
cols[3].button("Quality now", key=K.qnow, width="stretch", help="FID, confident share, classes, neighbours",
               on_click=act, args=(K, "quality"))


def state_bytes() -> bytes:
    """The run's full training state, made in the worker between two chunks; kept for a crash."""
    result = act(K, "save")
    if result is None:
        return b""
    ss[K.saved] = (result["iteration"], result["bytes"])
    return result["bytes"]


cols[4].download_button("Save checkpoint (training state)", state_bytes, icon=":material/download:", width="stretch",
                        key=K.save, file_name=f"mnist_{view.snapshot['model']}_state.safetensors",
                        on_click="ignore", mime="application/octet-stream", disabled=view.state == "ended")
if view.state == "ended" and K.saved in ss:
    it, data = ss[K.saved]
    st.button(f"Continue from the checkpoint you saved (iteration {it:,})", key=K.resume_saved,
              on_click=load, args=(data, "your saved checkpoint", ss[K.setup], hyper))
scenario_picker(K, "mnist", MNIST_KEYS)
scenario_note(K)
with aside("checkpoint").expander("Load a checkpoint to continue training"):
    st.file_uploader("training state or model (.safetensors, or .pt tensors only)", type=["safetensors", "pt"],
                     key=K.upload, on_change=lambda: ss[K.upload] and load(
                         ss[K.upload].getvalue(), ss[K.upload].name, setup, hyper))


@st.fragment(run_every=live_every(view, TICK_S))
def live():
    view = live_header(K, run, drawn, samples_key="samples_seen")
    snap, ticker = view.snapshot, ss[K.ticker]
    h, q = snap["history"], snap["quality"]
    report = q["report"] if q else None
    rates = ticker.rates() if view.playing else None
    grid, numbers = (st.container(), st.container())[::-1 if not presenting else 1]  # the projector: grid first
    grid.image(snap["grid_png"], caption=f"{SHOWS[snap['shows']]} on the fixed noise"
                                         + (": row r is class r" if snap["conditional"] else ""),
               width=360 if presenting else "content")
    numbers.markdown(stat_row_html([
        ("iteration", f"{snap['iteration']:,}", None, None),
        ("D steps", f"{snap['d_steps']:,}", f"G steps: {snap['g_steps']:,}", None),
        ("samples/s (live)", f"{rates['samples_per_s']:,.0f}" if rates else
         ("waiting" if view.state == "waiting" else "paused"),
         f"{rates['redraws_per_s']:.1f} redraws/s" if rates else None,
         "real images D sees per second of wall clock, drawing included"),
        ("training time", f"{snap['train_seconds']:,.0f} s", None, "wall clock spent in training steps"),
        ("D loss J⁽ᴰ⁾", f"{h['d_loss'][-1]:.3f}" if len(h["d_loss"]) else "–",
         f"log 2 = {EQUILIBRIUM_VALUE['discriminator']:.3f} at ½",
         "the textbook's J⁽ᴰ⁾ on the last minibatch; log 2 when D outputs ½ everywhere (equilibrium)"),
        ("mean D(x), real", f"{h['d_real'][-1]:.2f}" if len(h["d_real"]) else "–",
         f"D(G(z)): {h['d_fake'][-1]:.2f}" if len(h["d_fake"]) else None,
         "both tend to ½ when D cannot tell real from fake"),
        ("confident digits", f"{report['confident_share']:.0%}" if report else "–",
         f"{SHOWS[q['shows']]}, iteration {q['iteration']:,}" if report else "quality meter",
         "the quality meter's latest share of samples the digit classifier is sure of (p ≥ 0.9)"),
    ]), unsafe_allow_html=True)


@st.fragment(run_every=live_every(view, CHARTS_EVERY_S, checks_in=False))
def charts():
    figs = ss[K.figs]
    snap = run.view().snapshot
    h, cost = snap["history"], snap["config"]["generator_cost"]
    g_label = COST_LABELS[cost].split(":")[0]
    loss = (h["iteration"], h["d_loss"], h["g_loss"])
    outs = (h["iteration"], h["d_real"], h["d_fake"])
    if "loss" not in figs:
        figs["loss"] = loss_figure(*loss, EQUILIBRIUM_VALUE["discriminator"], EQUILIBRIUM_VALUE[cost], g_label)
        figs["d_out"] = d_output_figure(*outs)
    else:
        update_loss_figure(figs["loss"], *loss, EQUILIBRIUM_VALUE[cost], g_label)
        update_d_output_figure(figs["d_out"], *outs)
    c1, c2 = st.columns(2)
    name = f"gan-lab_mnist-{snap['model']}_seed{snap['config']['seed']}_it{snap['iteration']}"
    with c1:
        live_chart(present(figs["loss"], presenting), key=K.fig_loss, config=image_config(f"{name}_losses"))
    with c2:
        live_chart(present(figs["d_out"], presenting), key=K.fig_dout, config=image_config(f"{name}_d-outputs"))
    downloads(snap)


def downloads(snap: dict) -> None:
    """The metric history as CSV and the fixed-noise grid over time as a GIF, named by model, seed, iteration."""
    seed, it, page = snap["config"]["seed"], snap["iteration"], f"mnist-{snap['model']}"
    c1, c2 = st.columns(2)
    c1.download_button("Losses and D outputs per iteration (CSV)", lambda: mnist_csv(run.do("history"), it),
                       file_name=export_name(page, seed, it, "losses"), mime="text/csv", on_click="ignore",
                       icon=":material/download:", key=K.csv)
    c2.download_button("Fixed-noise grid over the run (GIF)", lambda: run.do("gif")["gif"], mime="image/gif",
                       file_name=export_name(page, seed, it, "fixed-noise-grid", ext="gif"), on_click="ignore",
                       icon=":material/animation:", key=K.gif)


@st.fragment(run_every=live_every(view, QUALITY_EVERY_S / 3, checks_in=False))
def quality_panel():
    """The worker measures quality; this panel redraws only when a new measurement arrived."""
    q = run.view().snapshot["quality"]
    if q is None:
        st.info(f"The quality meter (FID on 500 samples against the real-data floor, confident share, "
                f"classes) refreshes every {QUALITY_EARLY_EVERY_S:.0f} s in a run's first {QUALITY_EARLY_S:.0f} s "
                f"of training, then every {QUALITY_EVERY_S:.0f} s, or press **Quality now**.")
        return
    age = time.time() - q["at"]
    st.caption(f"Quality of 500 fresh samples ({SHOWS[q['shows']]}) at iteration {q['iteration']:,} "
               f"(computed {age:.0f} s ago).")
    r = q["report"]
    if r is None:
        st.caption("No quality meter for this data: the judge is a digit classifier.")
    else:
        k = st.columns(3)
        k[0].metric("FID (lower is better)", f"{r['fid']:.1f}", f"real-data floor {r['fid_real_floor']:.1f}",
                    delta_color="off", delta_arrow="off", help="Fréchet distance of digit-classifier features; "
                    "real held-out digits score the floor at the same n")
        k[1].metric("confident share", f"{r['confident_share']:.0%}", f"p ≥ {r['confident_threshold']:g}",
                    delta_color="off", delta_arrow="off")
        k[2].metric("classes present", f"{r['classes_present']} / 10", f"≥ {r['class_present_threshold']:.0%} of samples",
                    delta_color="off", delta_arrow="off", help="fewer than 10: mode collapse")
        figs = ss[K.figs]
        if "classes" not in figs:
            figs["classes"] = class_histogram_figure(r["class_shares"], present=r["class_present_threshold"])
        else:
            update_class_histogram(figs["classes"], r["class_shares"])
        live_chart(present(figs["classes"], presenting), key=K.fig_classes,
                   config=image_config(f"gan-lab_mnist_it{q['iteration']}_class-histogram"))
    st.image(pairs_image(q["samples"], q["neighbours"]), output_format="PNG",
             caption="Nearest-neighbour check: samples (top), the closest training image under each (L2 "
                     f"distances {', '.join(f'{d:.1f}' for d in q['distances'])}). Near 0 would be a copy.")


left, right = st.columns([5, 6])
with left:
    live()
with right:
    quality_panel()
charts()

with st.expander("What to look for"):
    st.markdown(
        "- **D loss** is the textbook J⁽ᴰ⁾ = −½E log D(x) − ½E log(1 − D(G(z))): log 2 = 0.693 when D outputs ½ "
        "everywhere. A D loss near 0 means D wins outright and G's gradient (saturating cost) vanishes.\n"
        "- **D(x) and D(G(z))** meet at ½ when D can no longer tell real from fake.\n"
        "- **Mode collapse**: the class histogram loses bars; the grid shows the same digit in many cells.\n"
        "- **Memorisation**: a sample whose nearest training image is at distance ≈ 0 is a copy.\n"
        "- **Averaged G or G itself**: G's weights wander as G and D chase each other, and so do its digits "
        "from one redraw to the next. Their moving average (the default view) shows what the game has learned "
        "so far; switch to G itself to watch the chase.\n"
        "- **Divergence**: with lr_D or lr_G far too high, the run stops itself and restores the last finite weights.")
