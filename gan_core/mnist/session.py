"""What the MNIST pages and live runs need beyond training: trainers from files, shared models.

No Streamlit here. A checkpoint (from an upload, a download, or the pretrained page) becomes a trainer with
``trainer_from_checkpoint``. Shared models are made read-only with ``read_only``.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from gan_core.mnist.checkpoints import LoadedCheckpoint, load_checkpoint, read_checkpoint, restore_training_state
from gan_core.mnist.metrics import nearest_neighbours
from gan_core.mnist.training import MnistTrainer, build_mnist_trainer, sample_images
from gan_core.trainer import TrainConfig

# Streamlit refuses uploads over 25 MB (.streamlit/config.toml); ours is lower, so an oversized
# file gets our message. The largest real file, an MLP GAN training state, is about 13 MB.
PAGE_MAX_BYTES = 20 * 1024 * 1024


def read_only(net: nn.Module | None) -> nn.Module | None:
    """eval() and no gradients: safe to share between sessions (st.cache_resource)."""
    if net is not None:
        net.eval().requires_grad_(False)
    return net


def plain_message(error: Exception) -> str:
    """A CheckpointError's text for a student. torch's refusal of a pickle ends with advice to retry
    with weights_only=False, exactly what must never be done with an uploaded file: replace it."""
    text = str(error)
    if "Weights only load failed" in text:
        text = text[:text.find("(Weights only load failed")].rstrip() + (
            " (it contains pickled Python objects or code; such files are never executed here).")
    return text


def trainer_from_checkpoint(src, train_config: TrainConfig, images: tuple[torch.Tensor, torch.Tensor],
                            dataset: str, device="cpu", max_bytes: int = PAGE_MAX_BYTES) -> tuple[MnistTrainer, dict]:
    """A new trainer that continues from a checkpoint file (path, bytes or upload).

    A training state resumes exactly (its own hyperparameters, optimizer moments, history).
    Model weights alone start fresh optimizers with ``train_config``; a file without D gets a
    new D from the seed. The trainer owns fresh copies of every weight. Raises CheckpointError.
    """
    tensors, meta = read_checkpoint(src, max_bytes)
    config = meta["model_config"]
    cfg = meta.get("train_config", train_config)
    trainer = build_mnist_trainer(config, cfg, data=dataset, device=device, images=images)
    if meta["content"] == "training_state":
        restore_training_state(trainer, src, max_bytes)
    else:
        ckpt: LoadedCheckpoint = load_checkpoint(src, max_bytes)
        trainer.G.load_state_dict(ckpt.G.state_dict())
        if ckpt.D is not None:
            trainer.D.load_state_dict(ckpt.D.state_dict())
        trainer.iteration = int(meta.get("step") or 0)
    return trainer, meta


def nearest_row(G: nn.Module, config, train_images: torch.Tensor, n: int = 8, seed: int = 0) -> tuple:
    """n fresh samples, each with its nearest training image (L2 in pixels): the memorisation check.

    Returns (samples (n, 1, 28, 28), neighbours (n, 1, 28, 28), distances (n,)), all in [-1, 1].
    """
    samples = sample_images(G, config, n, seed=seed)
    idx, dist = nearest_neighbours(samples, train_images, k=1)
    return samples, train_images[torch.as_tensor(idx[:, 0])].cpu(), np.asarray(dist[:, 0])
