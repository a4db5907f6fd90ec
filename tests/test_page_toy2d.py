"""AppTest: the 2-D toy GAN page, driven through its widgets. The run lives in a worker process."""
import json
import os
import time

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.toy2d.game import SCENARIOS
from tests.apptest import charts, button, caption_with, iteration, main_view, metric, page_path, wait_until

PAGE = page_path("toy_2d.py")


@pytest.fixture(scope="module", autouse=True)
def started_workers():
    """Start the worker processes before the first page run: on a loaded machine a cold start can take
    longer than the pool's heartbeat timeout, which would end the page's first run before it is read."""
    from gan_core.toy2d.data import preset
    from ui.live import run_pool
    for _ in range(3):
        h = run_pool().open("toy2d", {"data": preset("Line")})
        ended = h.view().state == "ended"
        h.close()
        if not ended:
            return


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception
    yield at
    at.session_state["toy2d.run"].close()


def in_effect(at) -> str:
    return caption_with(at, "In effect:")


def test_page_shows_the_game_at_the_start(at):
    assert iteration(at) == 0
    assert [b.label for b in at.button][:6] == ["Play", "One iteration", "One D step", "One G step",
                                                  "Train D to optimum", "Reset"]
    assert "Load scenario and reset" in [b.label for b in at.button]
    js = float(metric(at, "JS(p_data‖p_g)"))
    assert 0.3 < js <= 0.6932                      # a fresh G is far from the ring; JS is bounded by log 2
    assert metric(at, "modes covered").endswith("/ 8")
    assert len(charts(at)) == 5        # main view, D*, losses, JS, coverage
    assert "bandwidth h = " in caption_with(at, "Gaussian KDE of 16,384")
    assert at.session_state["toy2d.run"].host_pid() != os.getpid()


def test_step_buttons_advance_the_counters(at):
    button(at, "One iteration").click().run()
    assert iteration(at) == 1
    button(at, "One D step").click().run()
    assert iteration(at) == 1 and metric(at, "D steps") == "2"
    button(at, "One G step").click().run()
    snap = at.session_state["toy2d.run"].view().snapshot
    assert (snap["iteration"], snap["d_steps"], snap["g_steps"]) == (1, 2, 2)


def test_play_then_moving_the_controls_keeps_the_run(at):
    run = at.session_state["toy2d.run"]
    button(at, "Play").click().run()
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > 0)
    at.slider(key="toy2d.k").set_value(3).run()
    at.select_slider(key="toy2d.lr_g").set_value(0.001).run()
    at.selectbox(key="toy2d.cost").set_value("saturating").run()
    at.radio(key="toy2d.noise").set_value("uniform").run()
    assert at.session_state["toy2d.run"] is run
    shown = in_effect(at)
    assert "k = 3," in shown and "lr_G = 0.001," in shown and "cost saturating" in shown and "p_z = uniform" in shown
    button(at, "Pause").click().run()
    assert run.view().state == "paused" and [b.label for b in at.button][0] == "Play"
    paused_at = run.view().snapshot["iteration"]
    time.sleep(0.5)
    assert run.view().snapshot["iteration"] == paused_at


def test_while_playing_the_main_view_is_fed_and_its_feed_serves_this_runs_picture(at):
    """Playing, the main view's chart gets a feed (ui.feed) that serves the run's newest layers with
    their iteration and the page's choice of layers; paused, no feed, and the feed has nothing new."""
    from ui.feed import PREFIX, find
    run = at.session_state["toy2d.run"]
    assert main_view(at)["feed"] is None
    at.pills(key="toy2d.layers").set_value(["real", "fakes"]).run()
    button(at, "Play").click().run()
    main = main_view(at)
    assert main["feed"].startswith(PREFIX) and main["feed_every_ms"] == 250
    feed = find(main["feed"][len(PREFIX):])
    assert feed is at.session_state["toy2d.feed"] and feed.owner == run.id
    first = json.loads(feed.body())
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > first["iteration"])
    later = json.loads(feed.body())
    assert later["iteration"] > first["iteration"] and later["shown"] == ["real", "fakes"]
    assert len(later["fakes"]) == len(main["layers"]["fakes"])      # the same picture as the page's own
    button(at, "Pause").click().run()
    assert main_view(at)["feed"] is None and feed.body() is None
    button(at, "Reset").click().run()              # a new run gets a new feed: never the old run's picture
    assert at.session_state["toy2d.feed"] is not feed


def test_slow_motion_trains_in_steps_of_n(at):
    run = at.session_state["toy2d.run"]
    at.number_input(key="toy2d.per_turn").set_value(5).run()
    assert "slow motion: 5 iterations per redraw" in in_effect(at)
    button(at, "Play").click().run()
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n >= 10)
    button(at, "Pause").click().run()
    assert run.view().snapshot["iteration"] % 5 == 0


def test_train_d_to_optimum_brings_d_onto_d_star(at):
    for _ in range(3):
        button(at, "One iteration").click().run()
    before = float(metric(at, "mean |D − D*|"))
    button(at, "Train D to optimum").click().run()
    after = float(metric(at, "mean |D − D*|"))
    assert any("D trained to optimum" in i.value for i in at.info)
    assert after < 0.05 < 0.3 < before


def test_a_scenario_loads_its_settings_and_resets(at):
    old = at.session_state["toy2d.run"]
    button(at, "One iteration").click().run()
    name = list(SCENARIOS)[1]
    at.selectbox(key="toy2d.scenario").set_value(name).run()
    button(at, "Load scenario and reset").click().run()
    assert at.session_state["toy2d.run"] is not old and iteration(at) == 0
    shown = in_effect(at)
    assert "lr_D = 0.001, lr_G = 0.005," in shown and "ring of 8" in shown and "seed 0." in shown
    assert any("Scenario loaded" in i.value for i in at.info)


def test_a_drawn_distribution_replaces_p_data_in_place(at):
    button(at, "One iteration").click().run()
    at.selectbox(key="toy2d.preset").set_value("Drawn by hand").run()
    assert any("Nothing drawn yet" in w.value for w in at.warning) and "ring of 8" in in_effect(at)
    assert len(charts(at)) == 6        # the canvas appears
    at.session_state["toy2d.drawn"] = [0, 1, 2, 21, 22, 23, 400, 401]   # two separate regions of the canvas
    at.run()
    assert "drawn: 8 points in 2 regions" in in_effect(at)
    assert metric(at, "modes covered").endswith("/ 2") and iteration(at) == 1 and not at.exception


def test_layers_switch_off_in_the_figure(at):
    assert main_view(at)["layers"]["shown"] == ["d", "real", "fakes", "manifold", "arrows"]
    at.pills(key="toy2d.layers").set_value(["real", "fakes"]).run()
    main = main_view(at)
    assert main["layers"]["shown"] == ["real", "fakes"]
    assert [t["name"] for t in main["frame"]["data"]] == ["real x ~ p_data", "fake G(z)"]
    at.pills(key="toy2d.layers").set_value([]).run()        # every layer off: an empty frame, no error
    main = main_view(at)
    assert main["layers"]["shown"] == [] and main["frame"]["data"] == [] and not at.exception


def test_the_main_view_shows_the_runs_own_samples_and_d(at):
    """What the canvas paints is the snapshot's: the real batch, the fakes, D(x) on the grid."""
    import base64
    import numpy as np
    snap = at.session_state["toy2d.run"].view().snapshot
    layers = main_view(at)["layers"]
    real = np.frombuffer(base64.b64decode(layers["real"]), np.float32).reshape(-1, 2)
    d = np.frombuffer(base64.b64decode(layers["d"]), np.float32).reshape(layers["n"], layers["n"])
    assert np.array_equal(real, np.asarray(snap["real"], np.float32))
    assert np.allclose(d, snap["d"]) and layers["n"] == len(snap["axis"])


def test_network_sizes_apply_on_reset(at):
    at.select_slider(key="toy2d.g_width").set_value(32).run()
    at.radio(key="toy2d.noise_dim").set_value(1).run()
    assert any("take effect when you press Reset" in i.value for i in at.info) and "G 64×2" in in_effect(at)
    button(at, "Reset").click().run()
    assert "G 32×2" in in_effect(at) and "dim 1" in in_effect(at)
