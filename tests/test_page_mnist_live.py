"""AppTest: the live MNIST page. Tiny runs (batch 8, a few iterations) to stay fast on 2 cores."""
import os
import signal
import time

import numpy as np

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import button, caption_with, iteration, metric, metric_delta, page_path, wait_until

from gan_core.mnist.checkpoints import save_checkpoint
from gan_core.mnist.training import DEFAULT_MODEL, MNIST_TRAIN

PAGE = page_path("mnist_live.py")


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    at.select_slider(key="mnist.m").set_value(8).run()  # tiny batches: the tests check behaviour, not digits
    return at


def run(at):
    return at.session_state["mnist.run"]


def snap(at) -> dict:
    return run(at).view().snapshot


def test_page_starts_paused_with_the_default_model_grid(at):
    assert iteration(at) == 0
    assert metric(at, "samples/s") == "paused"
    assert snap(at)["model"] == DEFAULT_MODEL.kind == "cgan" and snap(at)["conditional"]  # one row per class
    assert [b.label for b in at.button][:4] == ["Start", "One step", "Reset", "Quality now"]
    assert len(at.get("image")) >= 1
    assert run(at).host_pid() != os.getpid()  # trained in a worker process, not in the server


def test_one_step_and_start_train_and_sliders_act_in_place(at):
    r = run(at)
    button(at, "One step").click().run()
    assert iteration(at) == 1 and snap(at)["config"]["batch_size"] == 8
    h = snap(at)["history"]  # the metrics show the step's own numbers: J(D), D(x), D(G(z))
    assert metric(at, "D loss") == f"{h['d_loss'][-1]:.3f}"
    assert metric(at, "mean D(x)") == f"{h['d_real'][-1]:.2f}"
    assert metric_delta(at, "mean D(x)") == f"D(G(z)): {h['d_fake'][-1]:.2f}"
    assert metric_delta(at, "D loss") == "log 2 = 0.693 at ½"
    button(at, "Start").click().run()
    assert r.view().state == "playing"       # a worker process trains between the page's redraws
    first = wait_until(lambda: snap(at)["iteration"], lambda n: n > 1, timeout=60)
    at.select_slider(key="mnist.lr_d").set_value(0.002).run()  # mid-run: same run, new lr
    at.slider(key="mnist.k").set_value(2).run()
    assert run(at) is r and snap(at)["config"]["lr_d"] == 0.002 and snap(at)["config"]["k"] == 2
    assert iteration(at) >= first                 # reruns never restart the run
    assert r.view().state == "playing", at.session_state["mnist.message"]
    button(at, "Pause").click().run()
    assert r.view().state == "paused"
    paused_at = snap(at)["iteration"]
    time.sleep(0.5)
    assert snap(at)["iteration"] == paused_at and not at.exception


def test_a_stale_pause_button_never_restarts_a_run_that_stopped_by_itself(at):
    button(at, "Start").click().run()
    pause = button(at, "Pause")
    run(at).pause()                      # stopped on its own (diverged) while "Pause" was drawn
    pause.click().run()
    assert run(at).view().state == "paused" and [b.label for b in at.button][0] == "Start"


def test_setup_changes_wait_for_reset(at):
    r = run(at)
    at.radio(key="mnist.model").set_value("dcgan").run()
    assert run(at) is r and any("take effect when you press Reset" in i.value for i in at.info)
    button(at, "Reset").click().run()
    assert snap(at)["model"] == "dcgan" and run(at) is not r
    assert not at.exception


def test_quality_meter_and_neighbours_on_demand(at):
    button(at, "Quality now").click().run(timeout=180)
    assert not at.exception
    assert float(metric(at, "FID")) > 0
    assert metric(at, "classes present").endswith("/ 10")
    q = snap(at)["quality"]
    assert q["samples"].shape == q["neighbours"].shape == (8, 1, 28, 28) and (q["distances"] > 0).all()


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
    kind, text = at.session_state["mnist.message"]
    assert kind == "error" and "diverged" in text
    assert np.isfinite(snap(at)["history"]["d_loss"][-1])  # rolled back to the last finite step
    assert run(at).view().state == "paused"
    assert any("diverged" in e.value for e in at.error)


def saved_state(at) -> bytes:
    return run(at).do("save")["bytes"]


def test_save_then_load_continues_the_same_run(at):
    button(at, "One step").click().run()
    button(at, "One step").click().run()
    blob = saved_state(at)
    at.select_slider(key="mnist.lr_g").set_value(0.005).run()
    button(at, "Reset").click().run()
    assert iteration(at) == 0
    at.file_uploader(key="mnist.upload").upload("run.safetensors", blob).run()
    assert not at.exception
    assert iteration(at) == 2 and snap(at)["config"]["lr_g"] == MNIST_TRAIN.lr_g   # the file's settings...
    assert at.select_slider(key="mnist.lr_g").value == MNIST_TRAIN.lr_g          # ...shown in the sidebar
    button(at, "One step").click().run()
    assert iteration(at) == 3


@pytest.mark.parametrize("name,data", [("empty.safetensors", b""),
                                       ("evil.pt", b"\x80\x04cos\nsystem\n(S'echo owned'\ntR."),
                                       ("junk.safetensors", b"\xff" * 64)])
def test_bad_files_leave_the_run_alone(at, name, data):
    button(at, "One step").click().run()
    r = run(at)
    at.file_uploader(key="mnist.upload").upload(name, data).run()
    assert run(at) is r and iteration(at) == 1
    assert any("not loaded" in e.value for e in at.error)
    assert not at.exception


def test_a_checkpoint_from_the_pretrained_page_is_picked_up(tmp_path):
    from gan_core.mnist.checkpoints import load_checkpoint
    from gan_core.mnist.models import CGANConfig
    from gan_core.mnist.training import build_mnist_trainer, load_images
    from gan_core.trainer import TrainConfig
    source = build_mnist_trainer(CGANConfig(), TrainConfig(batch_size=8), images=load_images("embedded")[:2])
    source.train(2)
    save_checkpoint(tmp_path / "cgan.safetensors", source)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["mnist.incoming"] = {"name": "cgan.safetensors",
                                          "data": (tmp_path / "cgan.safetensors").read_bytes()}
    at.run()
    assert not at.exception
    assert snap(at)["model"] == "cgan" and iteration(at) == 2
    assert at.radio(key="mnist.model").value == "cgan"      # the sidebar shows what runs
    mine = load_checkpoint(saved_state(at)).G.state_dict()  # the worker's G is the file's G
    theirs = source.G.state_dict()
    assert all(torch.equal(mine[k].cpu(), theirs[k].cpu()) for k in theirs if not k.endswith("num_batches_tracked"))
    button(at, "One step").click().run()
    assert iteration(at) == 3 and not at.exception


def test_a_killed_worker_offers_the_checkpoint_saved_before(at):
    button(at, "One step").click().run()
    at.session_state["mnist.saved"] = (1, saved_state(at))   # what the download button keeps
    os.kill(run(at).host_pid(), signal.SIGKILL)
    wait_until(lambda: run(at).view().state, lambda s: s == "ended", timeout=10)
    at.run()
    assert any("worker process that trained this run stopped" in e.value for e in at.error)
    button(at, "Continue from the checkpoint you saved (iteration 1)").click().run()
    assert iteration(at) == 1 and run(at).view().state == "paused" and not at.exception


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


def _grid_caption(at) -> str:
    return at.get("image")[0].proto.imgs[0].caption


def test_the_grid_shows_the_averaged_g_and_switches_to_g_itself(at):
    r = run(at)
    assert at.radio(key="mnist.shows").value == "ema" and snap(at)["shows"] == "ema"
    assert _grid_caption(at).startswith("averaged G on the fixed noise")
    for _ in range(3):
        button(at, "One step").click().run()
    button(at, "Quality now").click().run(timeout=180)
    assert caption_with(at, "Quality of 500 fresh samples").startswith("Quality of 500 fresh samples (averaged G)")
    assert metric(at, "confident digits").endswith("%")
    assert metric_delta(at, "confident digits") == "averaged G, iteration 3"
    averaged = snap(at)["grid_png"]
    at.radio(key="mnist.shows").set_value("raw").run()
    assert run(at) is r and iteration(at) == 3                      # the same run, only the view changed
    assert snap(at)["shows"] == "raw" and snap(at)["grid_png"] != averaged
    assert _grid_caption(at).startswith("G itself on the fixed noise")
    assert caption_with(at, "Quality of 500 fresh samples").startswith("Quality of 500 fresh samples (G itself)")
    assert metric_delta(at, "confident digits") == "G itself, iteration 3"   # the meter scored G itself at once
    button(at, "Reset").click().run()
    assert snap(at)["shows"] == "raw" and not at.exception         # a new run keeps the choice
