"""Sidebar controls and cached resources of the MNIST pages. Plain values out."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN, load_images
from gan_core.mnist.data import (EMBEDDED_NAME, FOLDER_PREFIX, MAX_IDX_UPLOAD_BYTES, IDXError, allowed_idx_folders,
                                 available_datasets, dataset_from_uploads)
from ui.keys import MnistKeys

MODEL_LABELS = {"mlp": "MLP GAN (Goodfellow et al. 2014)", "dcgan": "DCGAN (Radford et al. 2016)",
                "cgan": "conditional GAN (Mirza & Osindero 2014)"}
IDX_FOLDER = "IDX folder…"          # a path box: only when GAN_LAB_IDX_FOLDERS=* allows any folder
IDX_UPLOAD = "Upload IDX files…"


@dataclass(frozen=True)
class Setup:
    """What a new run is built from; a change takes effect on Reset."""
    model: str
    data: str          # a name load_dataset knows (a dataset, an allowed folder, an upload) or an IDX folder path
    device: str        # "cpu" or "cuda"
    seed: int


def device_options() -> dict[str, str]:
    out = {"cpu": "CPU"}
    if torch.cuda.is_available():
        out["cuda"] = f"GPU: {torch.cuda.get_device_name(0)}"
    return out


def data_options() -> dict[str, str]:
    """Data choices -> labels: the datasets, the folders the server allows (by name), uploads,
    and a path box only when every folder is allowed (GAN_LAB_IDX_FOLDERS=*)."""
    options = dict(available_datasets())
    folders = allowed_idx_folders()
    options.update({FOLDER_PREFIX + name: f"IDX folder: {name}" for name in folders or {}})
    options[IDX_UPLOAD] = IDX_UPLOAD
    if folders is None:
        options[IDX_FOLDER] = IDX_FOLDER
    return options


def uploaded_data(keys: MnistKeys) -> tuple[str, str | None]:
    """(dataset name, error) from IDX files the student uploads; the embedded digits until they are valid."""
    files = st.file_uploader(f"IDX files: images (idx3) and labels (idx1), raw or .gz, at most "
                             f"{MAX_IDX_UPLOAD_BYTES // 2**20} MB each", accept_multiple_files=True,
                             key=keys.idx_upload)
    if not files:
        return EMBEDDED_NAME, "Upload the two IDX files; until then the embedded digits are used."
    try:
        return dataset_from_uploads([(f.name, f.getvalue()) for f in files]), None
    except IDXError as e:
        return EMBEDDED_NAME, f"IDX upload not used: {e} The embedded digits are used instead."


def setup_controls(keys: MnistKeys) -> tuple[Setup, str | None]:
    """Model, data, device, seed. Returns (setup, error) where error says why the chosen data is not used."""
    model = st.radio("model", list(MODEL_LABELS), index=list(MODEL_LABELS).index(DEFAULT_MODEL.kind),
                     format_func=MODEL_LABELS.get, key=keys.model)
    options = data_options()
    if st.session_state.get(keys.data, EMBEDDED_NAME) not in options:   # a folder no longer allowed, or path boxes switched off
        st.session_state.pop(keys.data, None)
    choice = st.selectbox("data", list(options), format_func=options.get, key=keys.data)
    data, error = choice, None
    if choice == IDX_UPLOAD:
        data, error = uploaded_data(keys)
    elif choice == IDX_FOLDER:
        data = st.text_input("IDX folder (train-images-idx3-ubyte, train-labels-idx1-ubyte)", key=keys.idx)
        if not data.strip():
            data, error = EMBEDDED_NAME, "Type an IDX folder path; until then the embedded digits are used."
    devices = device_options()
    device = st.radio("device", list(devices), format_func=devices.get, horizontal=True, key=keys.device,
                      help="GPU appears only when PyTorch sees a CUDA device.")
    seed = st.number_input("seed", 0, 2**31 - 1, MNIST_TRAIN.seed, key=keys.seed)
    return Setup(model, data, device, int(seed)), error


@st.cache_resource(show_spinner="Loading the training images…", max_entries=4)
def training_images(data: str) -> tuple[torch.Tensor, torch.Tensor, str]:
    """(images, labels, name), shared by every session: only ever indexed, never written."""
    return load_images(data)
