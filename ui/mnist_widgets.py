"""Sidebar controls and cached resources of the MNIST pages. Plain values out."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN, load_images
from gan_core.mnist.data import EMBEDDED_NAME, available_datasets
from gan_core.mnist.session import read_only

MODEL_LABELS = {"mlp": "MLP GAN (Goodfellow et al. 2014)", "dcgan": "DCGAN (Radford et al. 2016)",
                "cgan": "conditional GAN (Mirza & Osindero 2014)"}
IDX_FOLDER = "IDX folder…"


@dataclass(frozen=True)
class Setup:
    """What a new run is built from; a change takes effect on Reset."""
    model: str
    data: str          # a name of available_datasets() or an IDX folder path
    device: str        # "cpu" or "cuda"
    seed: int


def device_options() -> dict[str, str]:
    out = {"cpu": "CPU"}
    if torch.cuda.is_available():
        out["cuda"] = f"GPU: {torch.cuda.get_device_name(0)}"
    return out


def setup_controls(ns: str) -> tuple[Setup, str | None]:
    """Model, data, device, seed. Returns (setup, error) where error is a bad IDX folder's message."""
    model = st.radio("model", list(MODEL_LABELS), index=list(MODEL_LABELS).index(DEFAULT_MODEL.kind),
                     format_func=MODEL_LABELS.get, key=f"{ns}.model")
    sets = available_datasets()
    choice = st.selectbox("data", list(sets) + [IDX_FOLDER], format_func=lambda k: sets.get(k, k), key=f"{ns}.data")
    data, error = choice, None
    if choice == IDX_FOLDER:
        data = st.text_input("IDX folder (train-images-idx3-ubyte, train-labels-idx1-ubyte)", key=f"{ns}.idx")
        if not data.strip():
            data, error = EMBEDDED_NAME, "Type an IDX folder path; until then the embedded digits are used."
    devices = device_options()
    device = st.radio("device", list(devices), format_func=devices.get, horizontal=True, key=f"{ns}.device",
                      help="GPU appears only when PyTorch sees a CUDA device.")
    seed = st.number_input("seed", 0, 2**31 - 1, MNIST_TRAIN.seed, key=f"{ns}.seed")
    return Setup(model, data, device, int(seed)), error


@st.cache_resource(show_spinner="Loading the training images…", max_entries=4)
def training_images(data: str) -> tuple[torch.Tensor, torch.Tensor, str]:
    """(images, labels, name), shared by every session: only ever indexed, never written."""
    return load_images(data)


@st.cache_resource(show_spinner="Loading the digit classifier…")
def classifier():
    from gan_core.mnist.classifier import load_classifier
    return read_only(load_classifier())
