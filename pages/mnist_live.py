"""Live MNIST training: Algorithm 1 on digits, the fixed-noise grid changing as G learns."""
import io
import time

import numpy as np
import streamlit as st

from gan_core.background import BackgroundTraining, Ticker
from gan_core.mnist.checkpoints import CheckpointError, save_training_state
from gan_core.losses import COST_LABELS, EQUILIBRIUM_VALUE
from gan_core.mnist.metrics import evaluate_samples
from gan_core.mnist.training import DEFAULT_MODEL, DEFAULT_MODELS, MNIST_TRAIN, build_mnist_trainer, fixed_noise_grid, sample_images
from gan_core.mnist.data import EMBEDDED_NAME, FASHION_MNIST_DIR, FASHION_MNIST_NAME
from gan_core.mnist.models import is_conditional
from gan_core.mnist.session import (nearest_row, plain_message, train_budget, trainer_from_checkpoint,
                                    use_all_cores)
from gan_core.trainer import TrainConfig, TrainingDiverged
from ui.frame import use_navigation
from ui.live import apply_settings, check_in, play_or_pause, stat_row_html
from ui.mnist_figures import (class_histogram_figure, d_output_figure, display_image, pairs_image,
                              update_class_histogram, update_d_output_figure)
from ui.mnist_widgets import Setup, classifier, setup_controls, training_images
from ui.toy_figures import loss_figure, update_loss_figure
from ui.toy_widgets import BATCH_CHOICES, LR_CHOICES, train_controls

use_navigation()

NS = "mnist"
TICK_S = 0.9            # the grid redraws ~1.1 times a second; a worker thread trains in between
CHUNK_S = 0.4           # seconds of training per worker chunk: the page waits at most that long
QUALITY_EVERY_S = 15.0  # the quality meter (FID on QUALITY_N samples: 0.05 s) and its fragment's rerun
CHARTS_EVERY_S = 10.0   # loss charts redraw less often than the grid: Plotly in the browser costs CPU
# Every fragment rerun costs the browser ~70 ms of CPU even when it draws nothing new (measured
# in Chromium on 2 cores), CPU the training threads then lack: the page reruns as little as it can.
QUALITY_N = 500
ss = st.session_state

# while a tick trains, Streamlit fades the fragment's elements as stale: keep the grid crisp instead
st.html("<style>[data-stale='true'] { opacity: 1 !important; transition: none !important; }</style>")
st.title("Live MNIST training")
st.caption("Algorithm 1 on 28×28 images: k D steps, then one G step, per iteration. The grid is G applied to "
           "the same noise vectors throughout (64; conditional GAN: 8 per class, one row per class), so you watch one "
           "generator learn.")


def sync_widgets(trainer, setup: Setup) -> None:
    """Show a loaded run's settings in the sidebar (so the sliders do not overwrite them)."""
    c = trainer.config
    near = lambda v, choices: min(choices, key=lambda x: abs(np.log(x) - np.log(v)))  # noqa: E731
    ss.update({f"{NS}.k": min(c.k, 20), f"{NS}.lr_d": near(c.lr_d, LR_CHOICES), f"{NS}.lr_g": near(c.lr_g, LR_CHOICES),
               f"{NS}.opt": c.optimizer, f"{NS}.cost": c.generator_cost, f"{NS}.m": near(c.batch_size, BATCH_CHOICES),
               f"{NS}.model": trainer.model_config.kind, f"{NS}.seed": c.seed})
    ss[f"{NS}.setup"] = Setup(trainer.model_config.kind, setup.data, setup.device, c.seed)


def train_chunk(trainer) -> None:
    """One unit of the worker's work (its own thread: no Streamlit calls here).

    When a redraw is waiting for the lock, the worker draws the grid before letting go, with its own
    warm torch threads, instead of Streamlit's script thread (a new thread for every rerun).
    """
    use_all_cores()
    stats = train_budget(trainer, CHUNK_S)
    trainer.samples_seen = getattr(trainer, "samples_seen", 0) + (
        stats["iterations"] * trainer.config.k * trainer.config.batch_size)
    if getattr(trainer, "grid_wanted", False):
        trainer.grid_wanted = False
        trainer.live_grid = (trainer.iteration, fixed_noise_grid(trainer.G, trainer.model_config))


def current_grid(trainer) -> np.ndarray:
    """G(fixed noise) for the trainer's current weights (the worker's last drawing when it is current)."""
    it, grid = getattr(trainer, "live_grid", (None, None))
    return grid if it == trainer.iteration else fixed_noise_grid(trainer.G, trainer.model_config)


def install(trainer, setup: Setup, message=None) -> None:
    if f"{NS}.worker" in ss:
        ss[f"{NS}.worker"].stop()
    ss[f"{NS}.trainer"], ss[f"{NS}.setup"] = trainer, setup
    ss[f"{NS}.worker"] = BackgroundTraining(lambda: train_chunk(trainer))
    ss[f"{NS}.figs"], ss[f"{NS}.quality"], ss[f"{NS}.neighbours"] = {}, None, None
    ss[f"{NS}.ticker"] = Ticker()
    ss[f"{NS}.message"] = message


def reset(setup: Setup, hyper: dict) -> None:
    """A new run from the seed: only the Reset button (or a first visit) calls this."""
    try:
        x, y, name = training_images(setup.data)
        cfg = TrainConfig(seed=setup.seed, beta1=MNIST_TRAIN.beta1, **hyper)
        trainer = build_mnist_trainer(DEFAULT_MODELS[setup.model], cfg, data=name, device=setup.device, images=(x, y))
    except (ValueError, OSError) as e:
        ss[f"{NS}.message"] = ("error", f"Not reset: {e}")
        return
    install(trainer, setup, ("info", "New run from the seed.") if f"{NS}.trainer" in ss else None)


def load(src, name: str, setup: Setup, hyper: dict) -> None:
    """Continue from a checkpoint; a bad file leaves the running model as it was."""
    try:
        x, y, dname = training_images(setup.data)
        cfg = TrainConfig(seed=setup.seed, beta1=MNIST_TRAIN.beta1, **hyper)
        trainer, meta = trainer_from_checkpoint(src, cfg, (x, y), dname, setup.device)
    except (CheckpointError, ValueError, OSError) as e:
        ss[f"{NS}.message"] = ("error", f"Checkpoint not loaded, the current run is unchanged. {plain_message(e)}")
        return
    kind = "training state (exact resume)" if meta["content"] == "training_state" else "model weights (new optimizers)"
    install(trainer, setup, ("info", f"Loaded {name}: {kind}, {trainer.model_config.kind}, iteration "
                                     f"{trainer.iteration:,}. Press Start to continue training on {dname}."))
    sync_widgets(trainer, setup)


# ---- a checkpoint handed over by the pretrained page ("continue training")
if f"{NS}.incoming" in ss:
    incoming = ss.pop(f"{NS}.incoming")
    load(incoming["data"], incoming["name"], ss.get(f"{NS}.setup", Setup(DEFAULT_MODEL.kind, EMBEDDED_NAME, "cpu", 0)),
         {k: getattr(MNIST_TRAIN, k) for k in ("k", "lr_d", "lr_g", "batch_size", "generator_cost", "optimizer")})

with st.sidebar:
    st.header("MNIST controls")
    setup, setup_error = setup_controls(NS)
    st.caption("Model, data, device and seed apply on Reset; everything below acts on the running model.")
    hyper = train_controls(NS, MNIST_TRAIN)

if f"{NS}.trainer" not in ss:
    reset(setup, hyper)
    if f"{NS}.trainer" not in ss:  # a bad first setup (an IDX folder typed in): start from the defaults
        reset(Setup(DEFAULT_MODEL.kind, EMBEDDED_NAME, "cpu", 0), hyper)
trainer, worker = ss[f"{NS}.trainer"], ss[f"{NS}.worker"]

# ---- settings act on the running trainer in place, between two worker chunks
with worker.lock:
    apply_settings(trainer, hyper)
if setup_error:
    st.warning(setup_error)
if setup != ss[f"{NS}.setup"]:
    st.info("The new model / data / device / seed take effect when you press Reset; the current run continues.")

# ---- buttons
def toggle_play(pause: bool):
    ss[f"{NS}.play_started"] = time.perf_counter()
    play_or_pause(NS, pause)


def one_step():
    with ss[f"{NS}.worker"].lock:
        use_all_cores()
        try:
            ss[f"{NS}.trainer"].train(1)
        except TrainingDiverged as e:
            ss[f"{NS}.worker"].stop()
            ss[f"{NS}.message"] = ("error", e.report["message"])


cols = st.columns([1, 1, 1, 1, 2])
playing = worker.running
cols[0].button("Pause" if playing else "Start", key=f"{NS}.play", type="primary", width="stretch",
               icon=":material/pause:" if playing else ":material/play_arrow:", on_click=toggle_play,
               args=(playing,))
cols[1].button("One step", key=f"{NS}.one", width="stretch", on_click=one_step, help="one iteration: k D steps + 1 G step")
cols[2].button("Reset", key=f"{NS}.reset", width="stretch", on_click=reset, args=(setup, hyper))
cols[3].button("Quality now", key=f"{NS}.qnow", width="stretch", help="FID, confident share, classes, neighbours",
               on_click=lambda: ss.__setitem__(f"{NS}.quality_now", True))


def state_bytes() -> bytes:  # runs on Streamlit's thread when clicked: wait for the current chunk
    with ss[f"{NS}.worker"].lock:
        return save_training_state(io.BytesIO(), ss[f"{NS}.trainer"], training={"source": "live MNIST page"})


cols[4].download_button("Save checkpoint (training state)", state_bytes, icon=":material/download:", width="stretch", key=f"{NS}.save",
                        file_name=f"mnist_{trainer.model_config.kind}_state.safetensors", on_click="ignore",
                        mime="application/octet-stream")
with st.expander("Load a checkpoint to continue training"):
    st.file_uploader("training state or model (.safetensors, or .pt tensors only)", type=["safetensors", "pt"],
                     key=f"{NS}.upload", on_change=lambda: ss[f"{NS}.upload"] and load(
                         ss[f"{NS}.upload"], ss[f"{NS}.upload"].name, setup, hyper))


def quality_due() -> bool:
    if ss.pop(f"{NS}.quality_now", False):
        return True
    if not worker.running:
        return False
    last = ss[f"{NS}.quality"]["at"] if ss[f"{NS}.quality"] else ss.get(f"{NS}.play_started", 0)
    return time.perf_counter() - last >= QUALITY_EVERY_S - 1  # the fragment's timer jitters


def measure_quality() -> None:
    """The quality meter and the nearest-neighbour row, on fresh samples (not the fixed grid)."""
    G, config = trainer.G, trainer.model_config
    x, _, name = training_images(ss[f"{NS}.setup"].data)
    report = None
    if name != FASHION_MNIST_NAME and not name.startswith(FASHION_MNIST_DIR):  # the judge knows digits only
        report = evaluate_samples(sample_images(G, config, QUALITY_N, seed=trainer.iteration), classifier=classifier())
    ss[f"{NS}.quality"] = {"report": report, "iteration": trainer.iteration, "at": time.perf_counter()}
    ss[f"{NS}.neighbours"] = nearest_row(G, config, x, n=8, seed=trainer.iteration + 1)


@st.fragment(run_every=TICK_S if worker.running else None)
def live():
    ticker = ss[f"{NS}.ticker"]
    check_in(worker, ticker, f"{NS}.message")  # heartbeat; a worker that stopped by itself shows why
    trainer.grid_wanted = True  # the worker draws it at the end of its current chunk
    with worker.lock:  # a consistent state, between two chunks
        if worker.running:
            ticker.mark(trainer.iteration, getattr(trainer, "samples_seen", 0))
        h, counts = trainer.history, (trainer.iteration, trainer.d_steps, trainer.g_steps)
        config = trainer.model_config
        grid = display_image(current_grid(trainer))
    if ss[f"{NS}.message"]:
        kind, text = ss[f"{NS}.message"]
        (st.error if kind == "error" else st.info)(text)

    rates, running = ticker.rates(), worker.running
    running_rates = rates if rates and running else None
    st.markdown(stat_row_html([
        ("iteration", f"{counts[0]:,}", None, None),
        ("D steps", f"{counts[1]:,}", f"G steps: {counts[2]:,}", None),
        ("samples/s (live)", f"{running_rates['samples_per_s']:,.0f}" if running_rates else "paused",
         f"{running_rates['redraws_per_s']:.1f} redraws/s" if running_rates else None,
         "real images D sees per second of wall clock, drawing included"),
        ("training time", f"{trainer.train_seconds:,.0f} s", None, "wall clock spent in training steps"),
        ("D loss J⁽ᴰ⁾", f"{h['d_loss'][-1]:.3f}" if len(h["d_loss"]) else "–",
         f"log 2 = {EQUILIBRIUM_VALUE['discriminator']:.3f} at ½",
         "the textbook's J⁽ᴰ⁾ on the last minibatch; log 2 when D outputs ½ everywhere (equilibrium)"),
        ("mean D(x), real", f"{h['d_real'][-1]:.2f}" if len(h["d_real"]) else "–",
         f"D(G(z)): {h['d_fake'][-1]:.2f}" if len(h["d_fake"]) else None,
         "both tend to ½ when D cannot tell real from fake"),
    ]), unsafe_allow_html=True)

    st.image(grid, output_format="PNG",
             caption="G(fixed noise)" + (": row r is class r" if is_conditional(config) else ""))


@st.fragment(run_every=CHARTS_EVERY_S if worker.running else None)
def charts():
    figs = ss[f"{NS}.figs"]
    with worker.lock:
        h, cost = trainer.history, trainer.config.generator_cost
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
    c1.plotly_chart(figs["loss"], width="stretch", key=f"{NS}.fig_loss")
    c2.plotly_chart(figs["d_out"], width="stretch", key=f"{NS}.fig_dout")


@st.fragment(run_every=QUALITY_EVERY_S if worker.running else None)
def quality_panel():
    """Redrawn when the quality is measured, not with the grid: its chart costs the browser CPU."""
    if quality_due():
        with worker.lock:
            measure_quality()
    q, nn_row = ss[f"{NS}.quality"], ss[f"{NS}.neighbours"]
    if q is None:
        st.info(f"The quality meter (FID on {QUALITY_N} samples against the real-data floor, confident share, "
                f"classes) refreshes every {QUALITY_EVERY_S:.0f} s while training, or press **Quality now**.")
        return
    age = time.perf_counter() - q["at"]
    st.caption(f"Quality of {QUALITY_N} fresh samples at iteration {q['iteration']:,} (computed {age:.0f} s ago).")
    r = q["report"]
    if r is None:
        st.caption("No quality meter for this data: the judge is a digit classifier.")
    else:
        k = st.columns(3)
        k[0].metric("FID (lower is better)", f"{r.fid:.1f}", f"real-data floor {r.fid_real_floor:.1f}",
                    delta_color="off", delta_arrow="off", help="Fréchet distance of digit-classifier features; "
                    "real held-out digits score the floor at the same n")
        k[1].metric("confident share", f"{r.confident_share:.0%}", f"p ≥ {r.confident_threshold:g}",
                    delta_color="off", delta_arrow="off")
        k[2].metric("classes present", f"{r.classes_present} / 10", f"≥ {r.class_present_threshold:.0%} of samples",
                    delta_color="off", delta_arrow="off", help="fewer than 10: mode collapse")
        figs = ss[f"{NS}.figs"]
        if "classes" not in figs:
            figs["classes"] = class_histogram_figure(r.class_shares, present=r.class_present_threshold)
        else:
            update_class_histogram(figs["classes"], r.class_shares)
        st.plotly_chart(figs["classes"], width="stretch", key=f"{NS}.fig_classes")
    if nn_row is not None:
        samples, neighbours, dist = nn_row
        st.image(pairs_image(samples, neighbours), output_format="PNG",
                 caption="Nearest-neighbour check: samples (top), the closest training image under each (L2 "
                         f"distances {', '.join(f'{d:.1f}' for d in dist)}). Near 0 would be a copy.")


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
        "- **Divergence**: with lr_D or lr_G far too high, the run stops itself and restores the last finite weights.")
