"""MNIST GAN training through the one trainer: samplers, resume, divergence, a real short run."""
import numpy as np
import pytest
import torch

from gan_core.mnist.training import (ImageSampler, NoiseSampler, build_mnist_trainer, evaluate_generator, resolve_device,
                            train_for)
from gan_core.mnist.models import CGANConfig, DCGANConfig, MLPGANConfig
from gan_core.trainer import TrainConfig, TrainingDiverged

TINY = DCGANConfig(nz=8, ngf=4, ndf=4)
TINY_DATA = (torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10)


def _trainer(config=TINY, seed=0):
    return build_mnist_trainer(config, TrainConfig(batch_size=16, lr_d=1e-3, lr_g=1e-3, seed=seed),
                               data="test digits", device="cpu", images=TINY_DATA)


def test_samplers_shapes_and_reproducibility():
    gen = torch.Generator().manual_seed(0)
    x, y = ImageSampler(*TINY_DATA).sample(5, gen)
    assert x.shape == (5, 1, 28, 28) and y.shape == (5,)
    z, labels = NoiseSampler(8, 10).sample(5, torch.Generator().manual_seed(1))
    assert z.shape == (5, 8) and labels.dtype == torch.int64 and 0 <= labels.min() <= labels.max() < 10
    a = ImageSampler(*TINY_DATA).sample(7, torch.Generator().manual_seed(3))[0]
    b = ImageSampler(*TINY_DATA).sample(7, torch.Generator().manual_seed(3))[0]
    assert torch.equal(a, b)


@pytest.mark.parametrize("config", [TINY, MLPGANConfig(nz=8, hidden=32), CGANConfig(nz=8, ngf=4, ndf=4)],
                         ids=lambda c: c.kind)
def test_every_model_trains_through_the_one_trainer(config):
    t = _trainer(config)
    rows = t.train(3)
    assert rows.shape == (3, 7) and np.isfinite(rows).all()
    assert t.iteration == 3 and t.model_config == config


def test_in_memory_resume_gives_the_same_continuation():
    a = _trainer()
    a.train(3)
    state = a.state_dict()
    a.train(4)
    b = _trainer(seed=1)
    b.load_state_dict(state)
    b.train(4)
    for x, y in zip(a.G.state_dict().values(), b.G.state_dict().values()):
        assert torch.equal(x, y)
    assert np.array_equal(a.history["d_loss"], b.history["d_loss"])


class _PoisonAfter:
    """A data sampler that starts returning NaN images after `after` calls."""

    def __init__(self, inner, after):
        self.inner, self.after, self.calls = inner, after, 0

    def sample(self, m, gen):
        self.calls += 1
        x, *rest = self.inner.sample(m, gen)
        return (x * float("nan") if self.calls > self.after else x, *rest)


def test_divergence_pauses_and_rolls_back_to_the_last_finite_weights():
    t = _trainer()
    t.train(2)
    before = {k: v.clone() for k, v in t.G.state_dict().items()}
    good = t.data
    t.data = _PoisonAfter(good, after=2)
    with pytest.raises(TrainingDiverged) as info:
        t.train(5)
    assert "diverged" in str(info.value) and t.divergence["iteration"] == 2
    assert t.iteration == 2
    for k, v in t.G.state_dict().items():
        assert torch.equal(v, before[k])
    t.data = good
    t.train(1)  # training goes on from the restored weights
    assert t.iteration == 3


def test_huge_learning_rate_diverges_or_stays_finite_never_nan_weights():
    t = build_mnist_trainer(MLPGANConfig(nz=8, hidden=32), TrainConfig(batch_size=16, lr_d=100.0, lr_g=100.0,
                            optimizer="sgd", beta1=0.9), data="t", device="cpu", images=TINY_DATA)
    try:
        for _ in range(20):
            t.train(5)
    except TrainingDiverged:
        pass
    for p in list(t.G.parameters()) + list(t.D.parameters()):
        assert torch.isfinite(p).all()


def test_train_for_reports_throughput():
    t = _trainer()
    stats = train_for(t, iterations=4, chunk=3)
    assert stats["iterations"] == 4 and t.iteration == 4
    assert stats["samples_per_s"] == pytest.approx(stats["iterations_per_s"] * 16)
    assert train_for(t, seconds=0.0)["iterations"] == 0


def test_device_selection():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            resolve_device("cuda")


def test_idx_folder_data(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    labels = np.arange(20, dtype=np.uint8) % 10
    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        bytes([0, 0, 8, 3]) + np.array([20, 28, 28], ">u4").tobytes() + images.tobytes())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1]) + np.array([20], ">u4").tobytes()
                                                       + labels.tobytes())
    t = build_mnist_trainer(CGANConfig(nz=8, ngf=4, ndf=4), TrainConfig(batch_size=8), data=tmp_path, device="cpu")
    assert t.data.images.shape == (20, 1, 28, 28) and t.data.labels.shape == (20,)
    t.train(1)


def test_short_cpu_run_makes_the_classifier_more_confident():
    """A few hundred iterations on the embedded digits (well under 20 s on 2 cores)."""
    config = DCGANConfig(nz=32, ngf=16, ndf=16)
    t = build_mnist_trainer(config, TrainConfig(batch_size=64, lr_d=1e-3, lr_g=1e-3, seed=0), device="cpu")
    untrained = evaluate_generator(t.G, config, n=500)
    train_for(t, iterations=150)
    trained = evaluate_generator(t.G, config, n=500)
    assert trained.mean_confidence > untrained.mean_confidence + 0.15
    assert trained.fid < untrained.fid / 2


def test_cli_train_sample_evaluate(tmp_path, capsys):
    import json

    from gan_core.cli import build_parser, main
    out = tmp_path / "c.safetensors"
    main(["train", "--model", "cgan", "--steps", "2", "--ngf", "4", "--ndf", "4", "--batch-size", "8",
          "--out", str(out), "--eval-n", "50", "--quiet", "--state-out", str(tmp_path / "state.safetensors")])
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["iterations"] == 2 and "--ngf 4" in meta["command"] and meta["quality"]["n_samples"] == 50
    main(["train", "--resume", str(tmp_path / "state.safetensors"), "--steps", "1", "--out", str(out),
          "--eval-n", "0", "--quiet"])
    assert json.loads(out.with_suffix(".json").read_text())["iterations"] == 3
    samples = main(["sample", str(out), "--n", "12", "--label", "4", "--out", str(tmp_path / "s.npy"),
                    "--png", str(tmp_path / "g.png")])
    assert samples.shape == (12, 28, 28) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1 and (tmp_path / "g.png").stat().st_size > 0
    assert np.array_equal(np.load(tmp_path / "s.npy"), samples)
    report = main(["evaluate", str(out), "--n", "50"])
    assert report["n_samples"] == 50 and report["step"] == 3
    with pytest.raises(SystemExit):
        main(["sample", str(tmp_path / "s.npy"), "--out", str(tmp_path / "x.npy")])  # not a checkpoint
    assert "toy" in build_parser().format_help()


def test_cli_keeps_the_best_scoring_iteration(tmp_path):
    """--select-every: the saved weights are those of the iteration with the lowest selection FID,
    the selection used other samples than the report, and --state-out still holds the run's end."""
    import json

    from gan_core.mnist.checkpoints import load_checkpoint, load_training_state
    from gan_core.cli import main
    out, state = tmp_path / "best.safetensors", tmp_path / "state.safetensors"
    main(["train", "--model", "dcgan", "--steps", "40", "--ngf", "4", "--ndf", "4", "--batch-size", "16",
          "--select-every", "10", "--eval-n", "100", "--quiet", "--out", str(out), "--state-out", str(state)])
    meta = json.loads(out.with_suffix(".json").read_text())
    sel = meta["selected"]
    scores = dict(sel["fid_by_iteration"])
    assert sorted(scores) == [10, 20, 30, 40] and sel["of_iterations"] == 40
    assert sel["iteration"] == min(scores, key=scores.get) and sel["selection_fid"] == min(scores.values())
    assert sel["selection_seed"] != 0                      # the report (seed 0) is not what was selected on
    ckpt = load_checkpoint(out)
    assert ckpt.metadata["step"] == sel["iteration"]
    again = evaluate_generator(ckpt.G, ckpt.config, n=sel["selection_n"], seed=sel["selection_seed"]).fid
    # the file holds the chosen weights (the FID was stored rounded to 0.1; a re-run may differ in the 5th digit)
    assert again == pytest.approx(sel["selection_fid"], abs=0.06)
    assert load_training_state(state, device="cpu").iteration == 40


# ----------------------------------------------------------------------------- the averaged generator

def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_ema_warmup_follows_g_early_and_keeps_the_decay_later():
    from gan_core.mnist.training import GeneratorEMA
    t = _trainer(TINY)
    ema = GeneratorEMA(t.G, decay=0.999, warmup=True)
    w0 = [p.detach().clone() for p in ema.G.parameters()]
    with torch.no_grad():
        for p in t.G.parameters():
            p.add_(1.0)                                     # G jumps and then stays put
    ema.update(t.G, n=3)                                    # decays 2/11, 3/12, 4/13 (t = 1, 2, 3)
    keep = (2 / 11) * (3 / 12) * (4 / 13)
    for e, p, p0 in zip(ema.G.parameters(), t.G.parameters(), w0):
        assert torch.allclose(e, p + keep * (p0 - p), atol=1e-6)
    late = GeneratorEMA(t.G, decay=0.99, warmup=True)
    late.updates = 5000                                     # (1 + t) / (10 + t) > 0.99: the decay rules
    assert late._keep(2) == pytest.approx(0.99 ** 2)
    assert GeneratorEMA(t.G, decay=0.99)._keep(2) == pytest.approx(0.99 ** 2)   # no warm-up: plain decay


def test_cli_saves_the_averaged_g_and_keeps_g_itself_in_the_training_state(tmp_path):
    """The default --ema: the checkpoint's G is the average of G's weights (not G), computed as
    GeneratorEMA does after each chunk of 10; --state-out keeps G itself, so a resume is exact."""
    from gan_core.cli import main
    from gan_core.mnist.checkpoints import load_checkpoint, load_training_state
    from gan_core.mnist.training import LIVE_EMA, GeneratorEMA, MNIST_TRAIN
    out, state = tmp_path / "g.safetensors", tmp_path / "state.safetensors"
    summary = main(["train", "--steps", "20", "--ngf", "4", "--ndf", "4", "--batch-size", "8", "--eval-n", "0",
                    "--threads", "1", "--quiet", "--out", str(out), "--state-out", str(state)])
    assert summary["ema_decay"] == LIVE_EMA[0] and summary["ema_warmup"] == LIVE_EMA[1]
    saved, resumed = load_checkpoint(out).G, load_training_state(state, device="cpu")
    config = load_checkpoint(out).config
    again = build_mnist_trainer(config, TrainConfig(**{**MNIST_TRAIN.__dict__, "batch_size": 8}), device="cpu")
    ema = GeneratorEMA(again.G, *LIVE_EMA)
    for _ in range(2):
        again.train(10)
        ema.update(again.G, 10)
    assert _same(resumed.G, again.G)                        # the training state: G itself
    assert not _same(saved, again.G)                        # the checkpoint: not G...
    mine = ema.G.state_dict()
    for key, value in saved.state_dict().items():          # ...but its average (the file keeps no BN counter)
        if not key.endswith("num_batches_tracked"):
            assert torch.allclose(value.float(), mine[key].float(), atol=1e-5), key


def test_live_run_draws_and_scores_the_generator_it_shows():
    from gan_core.mnist.live import MnistRun, png_bytes
    from gan_core.mnist.training import fixed_noise_grid
    run = MnistRun({"model": "cgan", "seed": 0, "train": {"batch_size": 8}})
    assert run.shows == "ema" and run.snapshot()["shows"] == "ema"
    for _ in range(3):
        run.do("iteration")
    run.train(0.05)
    G, avg, config = run.trainer.G, run.ema.G, run.trainer.model_config
    assert run.ema.updates == run.trainer.g_steps >= 4 and not _same(avg, G)
    assert run.snapshot()["grid_png"] == png_bytes(fixed_noise_grid(avg, config))
    run.measure_quality()
    assert run.quality["shows"] == "ema"
    assert run.apply({"shows": "raw"}) == {"shows": "raw"}
    snap = run.snapshot()
    assert snap["shows"] == "raw" and snap["grid_png"] == png_bytes(fixed_noise_grid(G, config))
    assert snap["grid_png"] != png_bytes(fixed_noise_grid(avg, config))
    assert snap["quality"]["shows"] == "raw"                # re-scored at once on the switch
    with pytest.raises(ValueError, match="shows"):
        run.apply({"shows": "both"})
    with pytest.raises(ValueError, match="shows"):
        MnistRun({"model": "cgan", "shows": "nope", "train": {"batch_size": 8}})


def test_live_quality_meter_scores_often_early_in_a_run_then_every_15_s():
    from gan_core.mnist.live import QUALITY_EARLY_EVERY_S, QUALITY_EARLY_S, QUALITY_EVERY_S, MnistRun
    run = MnistRun({"model": "cgan", "seed": 0, "train": {"batch_size": 8}})
    assert run.quality is None and run.quality_due == QUALITY_EARLY_EVERY_S   # the first score after 3 s of training
    run.train_seconds = QUALITY_EARLY_EVERY_S                                  # as if 3 s had been trained
    run.train(0.01)
    assert run.quality is not None and run.quality["train_seconds"] >= QUALITY_EARLY_EVERY_S
    assert run.quality_due == pytest.approx(run.train_seconds + QUALITY_EARLY_EVERY_S)
    run.train_seconds = QUALITY_EARLY_S + 1                                    # past the early phase
    run.train(0.01)
    assert run.quality_due == pytest.approx(run.train_seconds + QUALITY_EVERY_S)
