"""AppTest: the live MNIST page. Tiny runs (batch 8, a few iterations) to stay fast on 2 cores."""
import io
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import button, iteration, metric, metric_delta, page_path

from gan_core.mnist.checkpoints import save_checkpoint, save_training_state
from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN

PAGE = page_path("mnist_live.py")


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    at.select_slider(key="mnist.m").set_value(8).run()  # tiny batches: the tests check behaviour, not digits
    return at


def trainer(at):
    return at.session_state["mnist.trainer"]


def test_page_starts_paused_with_the_default_model_grid(at):
    assert iteration(at) == 0
    assert metric(at, "samples/s") == "paused"
    assert trainer(at).model_config.kind == DEFAULT_MODEL.kind == "cgan"   # one row per class
    assert [b.label for b in at.button][:4] == ["Start", "One step", "Reset", "Quality now"]
    assert len(at.get("image")) >= 1


def test_one_step_and_start_train_and_sliders_act_in_place(at):
    t = trainer(at)
    button(at, "One step").click().run()
    assert iteration(at) == 1 and t.config.batch_size == 8
    h = t.history  # the metrics show the step's own numbers: J(D), D(x), D(G(z))
    assert metric(at, "D loss") == f"{h['d_loss'][-1]:.3f}"
    assert metric(at, "mean D(x)") == f"{h['d_real'][-1]:.2f}"
    assert metric_delta(at, "mean D(x)") == f"D(G(z)): {h['d_fake'][-1]:.2f}"
    assert metric_delta(at, "D loss") == "log 2 = 0.693 at ½"
    button(at, "Start").click().run()
    worker = at.session_state["mnist.worker"]
    assert worker.running                    # a worker thread trains between the page's redraws
    deadline = time.time() + 60
    while t.iteration <= 1 and time.time() < deadline:
        time.sleep(0.1)
    at.run()
    first = iteration(at)
    assert first > 1
    at.select_slider(key="mnist.lr_d").set_value(0.002).run()  # mid-run: same trainer, new lr
    at.slider(key="mnist.k").set_value(2).run()
    assert trainer(at) is t and t.config.lr_d == 0.002 and t.config.k == 2
    assert t.opt_d.param_groups[0]["lr"] == 0.002
    assert iteration(at) >= first                 # reruns never restart the run
    assert worker.running, (worker.error, worker.stopped_idle, at.session_state["mnist.message"])
    button(at, "Pause").click().run()
    assert not worker.running
    paused_at = t.iteration
    time.sleep(0.3)
    assert t.iteration == paused_at and not at.exception


def test_a_stale_pause_button_never_restarts_a_run_that_stopped_by_itself(at):
    button(at, "Start").click().run()
    worker = at.session_state["mnist.worker"]
    pause = button(at, "Pause")
    worker.stop()                        # stopped on its own (idle, diverged) while "Pause" was drawn
    pause.click().run()
    assert not worker.running and [b.label for b in at.button][0] == "Start"


def test_setup_changes_wait_for_reset(at):
    t = trainer(at)
    at.radio(key="mnist.model").set_value("dcgan").run()
    assert trainer(at) is t and any("take effect when you press Reset" in i.value for i in at.info)
    button(at, "Reset").click().run()
    assert trainer(at).model_config.kind == "dcgan"
    assert not at.exception


def test_quality_meter_and_neighbours_on_demand(at):
    button(at, "Quality now").click().run(timeout=180)
    assert not at.exception
    assert float(metric(at, "FID")) > 0
    assert metric(at, "classes present").endswith("/ 10")
    samples, neighbours, dist = at.session_state["mnist.neighbours"]
    assert samples.shape == neighbours.shape == (8, 1, 28, 28) and (dist > 0).all()


def test_divergence_pauses_with_a_message_and_keeps_finite_weights(at):
    at.radio(key="mnist.model").set_value("dcgan").run()
    button(at, "Reset").click().run()
    at.select_slider(key="mnist.lr_d").set_value(10.0).run()
    at.select_slider(key="mnist.lr_g").set_value(10.0).run()
    at.radio(key="mnist.opt").set_value("sgd").run()
    for _ in range(60):  # SGD at lr 10 breaks the DCGAN's D within ~17 steps (threads: 1 or 2)
        button(at, "One step").click().run()
        if (at.session_state["mnist.message"] or ("",))[0] == "error":
            break
    t = trainer(at)
    kind, text = at.session_state["mnist.message"]
    assert kind == "error" and "diverged" in text
    assert all(torch.isfinite(p).all() for p in t.G.parameters())
    assert not at.session_state["mnist.worker"].running
    assert any("diverged" in e.value for e in at.error)


def test_save_then_load_continues_the_same_run(at):
    button(at, "One step").click().run()
    button(at, "One step").click().run()
    blob = save_training_state(io.BytesIO(), trainer(at))
    at.select_slider(key="mnist.lr_g").set_value(0.005).run()
    button(at, "Reset").click().run()
    assert iteration(at) == 0
    at.file_uploader(key="mnist.upload").upload("run.safetensors", blob).run()
    assert not at.exception
    assert iteration(at) == 2 and trainer(at).config.lr_g == MNIST_TRAIN.lr_g   # the file's settings...
    assert at.select_slider(key="mnist.lr_g").value == MNIST_TRAIN.lr_g        # ...shown in the sidebar
    button(at, "One step").click().run()
    assert iteration(at) == 3


@pytest.mark.parametrize("name,data", [("empty.safetensors", b""),
                                       ("evil.pt", b"\x80\x04cos\nsystem\n(S'echo owned'\ntR."),
                                       ("junk.safetensors", b"\xff" * 64)])
def test_bad_files_leave_the_run_alone(at, name, data):
    button(at, "One step").click().run()
    t = trainer(at)
    at.file_uploader(key="mnist.upload").upload(name, data).run()
    assert trainer(at) is t and iteration(at) == 1
    assert any("not loaded" in e.value for e in at.error)
    assert not at.exception


def test_a_checkpoint_from_the_pretrained_page_is_picked_up(tmp_path):
    from gan_core.mnist.training import load_images
    from gan_core.mnist.models import CGANConfig
    from gan_core.trainer import TrainConfig
    from gan_core.mnist.training import build_mnist_trainer
    source = build_mnist_trainer(CGANConfig(), TrainConfig(batch_size=8), images=load_images("embedded")[:2])
    source.train(2)
    save_checkpoint(tmp_path / "cgan.safetensors", source)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["mnist.incoming"] = {"name": "cgan.safetensors",
                                          "data": (tmp_path / "cgan.safetensors").read_bytes()}
    at.run()
    assert not at.exception
    t = trainer(at)
    assert t.model_config.kind == "cgan" and iteration(at) == 2
    assert at.radio(key="mnist.model").value == "cgan"      # the sidebar shows what runs
    mine, theirs = t.G.state_dict(), source.G.state_dict()
    assert all(torch.equal(mine[k], theirs[k]) for k in theirs if not k.endswith("num_batches_tracked"))
    assert t.G is not source.G
    button(at, "One step").click().run()
    assert iteration(at) == 3 and not at.exception


def test_stat_row_escapes_text_and_reads_back():
    """The live numbers' HTML block: text is escaped (no markup from a value gets through) and each
    cell's value and note are what the test helpers read back."""
    from streamlit.testing.v1 import AppTest

    from ui.live import stat_row_html
    block = stat_row_html([("iteration", "1,234", None, None), ("D loss <b>", "0.5<script>", "log 2", "a 'tip'")])
    assert "<script>" not in block and "&lt;script&gt;" in block and "&#x27;tip&#x27;" in block
    at = AppTest.from_string(f"import streamlit as st\nst.markdown({block!r}, unsafe_allow_html=True)").run()
    assert metric(at, "iteration") == "1,234" and metric_delta(at, "iteration") is None
    assert metric(at, "D loss <b>") == "0.5<script>" and metric_delta(at, "D loss") == "log 2"
