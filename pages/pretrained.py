"""Pretrained checkpoints: samples, latent interpolation, class grid, neighbours, metadata; uploads."""
import json
import os
from pathlib import Path

import streamlit as st
import torch
from streamlit.errors import StreamlitAPIException

from gan_core.mnist.checkpoints import CheckpointError, load_checkpoint
from gan_core.mnist.training import generate, interpolate, sample_images
from gan_core.mnist.models import count_parameters, is_conditional
from gan_core.mnist.schema import summary
from gan_core.mnist.session import PAGE_MAX_BYTES, nearest_row, plain_message, read_only
from ui.frame import use_navigation
from ui.keys import MnistKeys, PretrainedKeys
from ui.presenter import presenter_toggle
from ui.mnist_figures import grid_image, pairs_image
from ui.mnist_widgets import MODEL_LABELS, training_images

use_navigation()

K = PretrainedKeys("pre")
ROOT = Path(__file__).resolve().parents[1]
PRETRAINED_DIR = Path(os.environ.get("GAN_LAB_PRETRAINED", ROOT / "pretrained"))
ss = st.session_state

st.title("Pretrained checkpoints")
st.caption("Generators trained ahead of time with `python -m gan_core train`. Everything here only samples: "
           "the shared models are read-only. “Continue training” gives you your own copy on the live page.")
presenter_toggle()


@st.cache_resource(max_entries=8, show_spinner="Loading the checkpoint…")
def shipped_checkpoint(path: str, mtime: float):
    """Shared by every session: eval() and no gradients; the live page trains a copy, never this."""
    ckpt = load_checkpoint(path, PAGE_MAX_BYTES)
    ckpt.G, ckpt.D = read_only(ckpt.G), read_only(ckpt.D)
    return ckpt


def shipped_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PRETRAINED_DIR.glob("*.safetensors")) if not p.stem.startswith("mnist_classifier")}


def upload_label() -> str | None:
    return f"uploaded: {ss[K.uploaded]['name']}" if ss.get(K.uploaded) else None


def take_upload():
    """Validate an upload fully before anything changes; a bad file leaves the loaded model as it was."""
    f = ss[K.upload]
    if f is None:
        return
    try:
        ckpt = load_checkpoint(f, PAGE_MAX_BYTES)
    except CheckpointError as e:
        ss[K.message] = ("error", f"Upload refused, nothing changed. {plain_message(e)}")
        return
    ckpt.G, ckpt.D = read_only(ckpt.G), read_only(ckpt.D)
    ss[K.uploaded] = {"name": f.name, "ckpt": ckpt, "data": f.getvalue()}
    ss[K.choice] = upload_label()
    ss[K.message] = ("info", f"Loaded {f.name}: {MODEL_LABELS[ckpt.config.kind]}.")


for key, value in ((K.seed, 0), (K.message, None), (K.uploaded, None)):
    ss.setdefault(key, value)

files = shipped_files()
with st.sidebar:
    st.header("Checkpoint")
    options = list(files) + ([upload_label()] if ss[K.uploaded] else [])
    if ss.get(K.choice) not in options:
        ss.pop(K.choice, None)
    choice = st.radio("model", options, key=K.choice)
    st.file_uploader(f"upload a checkpoint (.safetensors, or .pt with tensors only; at most "
                     f"{PAGE_MAX_BYTES // 2**20} MB)", type=["safetensors", "pt"], key=K.upload, on_change=take_upload)

if ss[K.message]:
    kind, text = ss[K.message]
    (st.error if kind == "error" else st.info)(text)
if not options:
    st.warning(f"No GAN checkpoints in {PRETRAINED_DIR} yet (train one with `python -m gan_core train --model dcgan "
               "--out pretrained/dcgan.safetensors`), and none uploaded.")
    st.stop()
if choice == upload_label():
    ckpt, source = ss[K.uploaded]["ckpt"], ss[K.uploaded]
else:
    try:
        ckpt = shipped_checkpoint(str(files[choice]), files[choice].stat().st_mtime)
    except CheckpointError as e:
        st.error(f"The shipped file {files[choice].name} cannot be used: {e}")
        st.stop()
    source = {"name": files[choice].name, "path": files[choice]}
G, config, meta = ckpt.G, ckpt.config, ckpt.metadata
conditional = is_conditional(config)

# ---- samples: new per click, each set reproducible from its seed
st.subheader(MODEL_LABELS[config.kind])
cols = st.columns([1, 1, 4])
if cols[0].button("New samples", key=K.new, type="primary", width="stretch"):
    ss[K.seed] += 1
cols[1].number_input("sample seed", 0, 2**31 - 1, key=K.seed)
if cols[2].button("Continue training on the live page", key=K.continue_training, icon=":material/play_arrow:"):
    data = source["data"] if "data" in source else Path(source["path"]).read_bytes()
    ss[MnistKeys("mnist").incoming] = {"name": source["name"], "data": data}
    try:
        st.switch_page("pages/mnist_live.py")
    except StreamlitAPIException:  # the page runs alone (tests): the live page picks it up when opened
        st.info("Open the live page to continue training this checkpoint.")

seed = int(ss[K.seed])
left, right = st.columns(2)
with left:
    if conditional:  # the class grid: row r holds class r, columns share their noise vector
        z = torch.randn(8, config.nz, generator=torch.Generator().manual_seed(seed)).repeat(config.n_classes, 1)
        labels = torch.arange(config.n_classes).repeat_interleave(8)
        st.image(grid_image(generate(G, z, labels), ncols=8), output_format="PNG",
                 caption=f"Class grid, seed {seed}: row r is class r; each column keeps one z (the style).")
    else:
        st.image(grid_image(sample_images(G, config, 64, seed=seed), ncols=8), output_format="PNG",
                 caption=f"64 samples, seed {seed}")

with right:
    st.markdown("**Latent interpolation** G((1 − t)·z₀ + t·z₁)")
    c = st.columns(3 if conditional else 2)
    s0 = c[0].number_input("z₀ seed", 0, 2**31 - 1, 1, key=K.z0)
    s1 = c[1].number_input("z₁ seed", 0, 2**31 - 1, 2, key=K.z1)
    label = int(c[2].selectbox("class", range(config.n_classes), key=K.label)) if conditional else None
    steps = 10
    z0 = torch.randn(config.nz, generator=torch.Generator().manual_seed(int(s0)))
    z1 = torch.randn(config.nz, generator=torch.Generator().manual_seed(int(s1)))
    t = st.slider("t", 0.0, 1.0, 0.5, 1 / (steps - 1), key=K.t, format="%.2f")
    frames = interpolate(G, z0, z1, steps=steps, labels=label)
    one = generate(G, ((1 - t) * z0 + t * z1)[None], None if label is None else torch.tensor([label]))
    st.image(grid_image(one, ncols=1, scale=6), output_format="PNG", caption=f"t = {t:.2f}")
    st.image(grid_image(frames, ncols=steps, scale=2), output_format="PNG",
             caption=f"{steps} frames from t = 0 (z₀) to t = 1 (z₁)")

# ---- memorisation check
st.markdown("**Nearest-neighbour check**: samples (top) and, under each, the closest of the 4,000 training digits "
            "(L2 in pixels). A distance near 0 would be a copied training digit.")
x_train = training_images("embedded")[0]
samples, neighbours, dist = nearest_row(G, config, x_train, n=10, seed=seed)
st.image(pairs_image(samples, neighbours, scale=2), output_format="PNG",
         caption="L2 distances: " + ", ".join(f"{d:.1f}" for d in dist))

# ---- what the file says about itself
st.markdown("**Checkpoint**")
facts = summary(meta)   # metadata was checked field by field when the file was read
m = st.columns(5)
m[0].metric("iteration", facts["iteration"])
m[1].metric("G parameters", f"{count_parameters(G):,}")
m[2].metric("FID (lower is better)", facts["fid"], facts["fid_floor"], delta_color="off", delta_arrow="off")
m[3].metric("confident share", facts["confident"])
m[4].metric("classes present", facts["classes"])
if facts["selected"]:
    st.caption(facts["selected"])
if facts["command"]:
    st.caption("Reproduce it with:")
    st.code(facts["command"], language="bash", wrap_lines=True)
with st.expander("All metadata"):
    shown = {k: (v if isinstance(v, (dict, list, str, int, float, type(None))) else repr(v)) for k, v in meta.items()}
    st.code(json.dumps(shown, indent=2, default=str), language="json")
