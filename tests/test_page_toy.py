"""AppTest: the toy GAN page, driven through its widgets."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import button, iteration, metric, page_path

PAGE = page_path("toy_gan.py")


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def test_page_shows_the_game_at_the_start(at):
    assert iteration(at) == 0
    assert [b.label for b in at.button][:6] == ["Play", "One iteration", "One D step", "One G step",
                                                  "Train D to optimum", "Reset"]
    js = float(metric(at, "JS(p_data‖p_g)"))
    assert 0.3 < js <= 0.6932  # a fresh G is far from the data; JS is bounded by log 2
    c_of_g = float(metric(at, "C(G)"))
    assert c_of_g == pytest.approx(-1.3863 + 2 * js, abs=2e-4)  # C(G) = -log 4 + 2 JS, as shown
    assert len(at.get("plotly_chart")) == 4


def test_step_buttons_advance_the_counters(at):
    button(at, "One iteration").click().run()
    assert iteration(at) == 1
    button(at, "One D step").click().run()
    assert iteration(at) == 1 and metric(at, "D steps") == "2"
    button(at, "One G step").click().run()
    trainer = at.session_state["toy.trainer"]
    assert (trainer.iteration, trainer.d_steps, trainer.g_steps) == (1, 2, 2)


def test_play_then_moving_k_and_lr_keeps_the_run(at):
    button(at, "Play").click().run()
    worker = at.session_state["toy.worker"]
    assert worker.running  # a worker thread trains between the page's redraws
    assert [b.label for b in at.button][0] == "Pause"
    time.sleep(0.5)
    at.run()
    trained = iteration(at)
    assert trained > 0
    trainer = at.session_state["toy.trainer"]
    at.slider(key="toy.k").set_value(3).run()
    at.select_slider(key="toy.lr_d").set_value(0.01).run()
    assert at.session_state["toy.trainer"] is trainer  # same run, not a restart
    assert trainer.config.k == 3 and trainer.config.lr_d == 0.01
    assert trainer.opt_d.param_groups[0]["lr"] == 0.01
    assert iteration(at) >= trained and len(trainer.history["d_loss"]) >= trained
    assert not at.exception
    button(at, "Pause").click().run()
    assert not worker.running and [b.label for b in at.button][0] == "Play"
    paused_at = trainer.iteration
    time.sleep(0.3)
    assert trainer.iteration == paused_at


def test_a_stale_pause_button_never_restarts_a_run_that_stopped_by_itself(at):
    """The run stops on its own (idle, diverged) while the browser still shows "Pause": clicking
    that button must leave it paused, not start it again."""
    button(at, "Play").click().run()
    worker = at.session_state["toy.worker"]
    pause = button(at, "Pause")
    worker.stop()                        # stopped behind the drawn button's back
    pause.click().run()
    assert not worker.running and [b.label for b in at.button][0] == "Play"
    button(at, "Play").click().run()     # and Play still starts it
    assert worker.running
    button(at, "Pause").click().run()
    assert not worker.running


def test_bad_mixture_shows_an_error_and_keeps_the_run(at):
    button(at, "One iteration").click().run()
    trainer = at.session_state["toy.trainer"]
    data_before = trainer.data.dist
    at.selectbox(key="toy.preset").set_value("Custom Gaussian mixture").run()
    assert not at.error and trainer.data.dist is not data_before  # a valid mixture is applied in place
    mixture = trainer.data.dist
    at.text_input(key="toy.mix_w").set_value("0.5, 0.6").run()
    assert any("sum to 1" in e.value for e in at.error)
    assert trainer.data.dist is mixture  # the bad mixture was not applied
    at.text_input(key="toy.mix_w").set_value("0.5, 0.5").run()
    mixture = trainer.data.dist  # valid again: applied in place
    assert list(mixture.w) == [0.5, 0.5]
    at.text_input(key="toy.mix_s").set_value("0.5, -1").run()
    assert any("stds must be > 0" in e.value for e in at.error)
    at.text_input(key="toy.mix_s").set_value("0.5, abc").run()
    assert any("type numbers" in e.value for e in at.error)
    assert at.session_state["toy.trainer"] is trainer and trainer.data.dist is mixture
    assert iteration(at) == 1 and not at.exception


def test_width_zero_is_refused_and_the_run_kept(at):
    button(at, "One iteration").click().run()
    at.number_input(key="toy.width").set_value(0).run()
    assert any("width must be an integer from 1 to 512" in e.value for e in at.error)
    assert iteration(at) == 1 and not at.exception


def test_train_d_to_optimum_brings_d_onto_d_star(at):
    for _ in range(3):
        button(at, "One iteration").click().run()
    before = float(metric(at, "mean |D − D*|"))
    button(at, "Train D to optimum").click().run()
    after = float(metric(at, "mean |D − D*|"))
    assert any("D trained to optimum" in i.value for i in at.info)
    assert after < 0.05 < before


def test_divergence_pauses_with_a_message_and_finite_weights(at):
    import torch
    at.radio(key="toy.opt").set_value("sgd").run()
    at.select_slider(key="toy.lr_d").set_value(10.0).run()
    at.select_slider(key="toy.lr_g").set_value(10.0).run()
    button(at, "Train D to optimum").click().run()
    assert any("diverged" in e.value and "Lower the learning rates" in e.value for e in at.error)
    trainer = at.session_state["toy.trainer"]
    assert all(torch.isfinite(p).all() for p in trainer.D.parameters())
    assert not at.session_state["toy.worker"].running and not at.exception
