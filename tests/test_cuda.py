"""The CUDA path: the same trainer, checkpoints and CLI on a GPU. Skipped without one (CI has none).

Run on a GPU machine with `python -m pytest tests/test_cuda.py` (scripts/device_check.sh does).
"""
import json

import numpy as np
import pytest
import torch

from gan_core.mnist.checkpoints import load_checkpoint, restore_training_state, save_checkpoint, save_training_state
from gan_core.mnist.training import build_mnist_trainer, fixed_noise, generate, resolve_device, train_for
from gan_core.mnist.models import CGANConfig, DCGANConfig, MLPGANConfig
from gan_core.trainer import TrainConfig, TrainingDiverged

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

CONFIGS = [DCGANConfig(nz=16, ngf=8, ndf=8), MLPGANConfig(nz=16, hidden=64), CGANConfig(nz=16, ngf=8, ndf=8)]
DATA = (torch.rand(256, 1, 28, 28) * 2 - 1, torch.arange(256) % 10)


def _trainer(config, device="cuda", seed=0, **train):
    cfg = TrainConfig(batch_size=32, lr_d=1e-3, lr_g=1e-3, seed=seed, **train)
    return build_mnist_trainer(config, cfg, data="test digits", device=device, images=DATA)


def test_auto_picks_the_gpu():
    assert resolve_device("auto").type == "cuda"
    assert _trainer(CONFIGS[0], device="auto").device.type == "cuda"


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.kind)
@pytest.mark.parametrize("augment", ["none", "translation,cutout"])
def test_every_model_trains_on_the_gpu(config, augment):
    if augment != "none" and config.kind == "mlp":
        augment = "translation"
    t = _trainer(config, augment=augment)
    rows = t.train(5)
    assert rows.shape == (5, 7) and np.isfinite(rows).all()
    assert all(p.device.type == "cuda" for p in list(t.G.parameters()) + list(t.D.parameters()))
    assert train_for(t, iterations=10)["iterations"] == 10 and t.iteration == 15


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.kind)
def test_gpu_checkpoint_loads_on_the_cpu_and_draws_the_same_digits(config, tmp_path):
    t = _trainer(config)
    t.train(5)
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, t)
    loaded = load_checkpoint(path)                      # on the CPU
    noise = fixed_noise(config, n=16, per_class=2)
    on_gpu, on_cpu = generate(t.G, *noise), generate(loaded.G, *noise)
    assert torch.allclose(on_gpu, on_cpu, atol=1e-4), (on_gpu - on_cpu).abs().max()


def test_gpu_training_state_resumes_on_the_gpu_and_on_the_cpu(tmp_path):
    config = CONFIGS[2]
    a = _trainer(config, seed=3)
    a.train(4)
    path = tmp_path / "state.safetensors"
    save_training_state(path, a)
    a.train(3)
    b = _trainer(config, seed=99)                       # everything must come from the file
    restore_training_state(b, path)
    b.train(3)
    assert a.iteration == b.iteration == 7 and b.config.seed == 3
    # same device, same RNG stream: the same continuation up to the GPU's non-deterministic sums
    for x, y in zip(a.G.state_dict().values(), b.G.state_dict().values()):
        if x.dtype.is_floating_point:
            assert torch.allclose(x, y, atol=1e-4, rtol=1e-3)
    c = _trainer(config, device="cpu", seed=99)          # a GPU state continues on a CPU machine
    restore_training_state(c, path)
    assert c.iteration == 4 and c.device.type == "cpu"
    c.train(2)
    assert c.iteration == 6 and np.isfinite(c.history["d_loss"]).all()


def test_divergence_on_the_gpu_rolls_back_to_finite_weights():
    t = _trainer(CONFIGS[0])
    t.train(2)
    before = {k: v.clone() for k, v in t.G.state_dict().items()}
    t.set_config(lr_d=100.0, lr_g=100.0, optimizer="sgd", beta1=0.9)
    try:
        for _ in range(50):
            t.train(5)
            before = {k: v.clone() for k, v in t.G.state_dict().items()}
    except TrainingDiverged:
        for k, v in t.G.state_dict().items():
            assert torch.equal(v, before[k])
    for p in list(t.G.parameters()) + list(t.D.parameters()):
        assert torch.isfinite(p).all()


def test_cli_trains_on_cuda(tmp_path, capsys):
    from gan_core.cli import main
    out = tmp_path / "g.safetensors"
    main(["train", "--model", "cgan", "--device", "cuda", "--steps", "40", "--select-every", "20", "--ema", "0.99",
          "--augment", "translation", "--eval-n", "200", "--quiet", "--out", str(out)])
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["device"].startswith("cuda") and meta["iterations"] == 40
    assert meta["train_config"]["augment"] == "translation" and meta["selected"]["iteration"] in (20, 40)
    assert load_checkpoint(out).config.kind == "cgan"
