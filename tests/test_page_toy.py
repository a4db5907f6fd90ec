"""AppTest: the toy GAN page, driven through its widgets. The run lives in a worker process."""
import json
import os
import re
import signal
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import charts, button, caption_with, iteration, metric, page_path, wait_until

PAGE = page_path("toy_gan.py")


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def in_effect(at) -> str:
    return caption_with(at, "In effect:")


def test_page_shows_the_game_at_the_start(at):
    assert iteration(at) == 0
    assert [b.label for b in at.button][:6] == ["Play", "One iteration", "One D step", "One G step",
                                                  "Train D to optimum", "Reset"]
    js = float(metric(at, "JS(p_data‖p_g)"))
    assert 0.3 < js <= 0.6932  # a fresh G is far from the data; JS is bounded by log 2
    c_of_g = float(metric(at, "C(G)"))
    assert c_of_g == pytest.approx(-1.3863 + 2 * js, abs=2e-4)  # C(G) = -log 4 + 2 JS, as shown
    figs = charts(at)
    assert len(figs) == 4                                       # Figure 1, losses, JS, |D − D*|
    assert "D*(x) = p_d/(p_d+p_g)" in [t.get("name") for t in figs[0]["data"]]
    assert at.session_state["toy.run"].host_pid() != os.getpid()  # trained outside the server process


def test_step_buttons_advance_the_counters(at):
    button(at, "One iteration").click().run()
    assert iteration(at) == 1
    button(at, "One D step").click().run()
    assert iteration(at) == 1 and metric(at, "D steps") == "2"
    button(at, "One G step").click().run()
    snap = at.session_state["toy.run"].view().snapshot
    assert (snap["iteration"], snap["d_steps"], snap["g_steps"]) == (1, 2, 2)


def test_play_then_moving_k_and_lr_keeps_the_run(at):
    run = at.session_state["toy.run"]
    button(at, "Play").click().run()
    assert [b.label for b in at.button][0] == "Pause" and run.view().state == "playing"
    trained = wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > 0)
    at.slider(key="toy.k").set_value(3).run()
    at.select_slider(key="toy.lr_d").set_value(0.01).run()
    assert at.session_state["toy.run"] is run  # same run, not a restart
    assert "k = 3, lr_D = 0.01," in in_effect(at)
    assert iteration(at) >= trained and not at.exception
    button(at, "Pause").click().run()
    assert [b.label for b in at.button][0] == "Play" and run.view().state == "paused"
    paused_at = run.view().snapshot["iteration"]
    time.sleep(0.4)
    assert run.view().snapshot["iteration"] == paused_at


def test_while_playing_figure1_is_fed_and_its_feed_serves_this_runs_figure(at):
    """Playing, Figure 1's chart gets a feed (ui.feed) serving the run's newest Figure 1 with its
    iteration; paused, no feed, and the feed has nothing new."""
    from ui.feed import PREFIX, find
    from tests.apptest import _live_chart_args
    run = at.session_state["toy.run"]
    assert _live_chart_args(at)[0]["feed"] is None
    button(at, "Play").click().run()
    args = _live_chart_args(at)[0]
    assert args["feed"].startswith(PREFIX) and args["feed_every_ms"] == 250 and args["iteration"] >= 0
    feed = find(args["feed"][len(PREFIX):])
    assert feed is at.session_state["toy.feed"] and feed.owner == run.id
    first = json.loads(feed.body())
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > first["iteration"])
    later = json.loads(feed.body())
    assert later["iteration"] > first["iteration"]
    names = [t.get("name") for t in later["spec"]["data"]]
    assert names == [t.get("name") for t in json.loads(args["spec"])["data"]] and "D*(x) = p_d/(p_d+p_g)" in names
    d_star = next(t for t in later["spec"]["data"] if t.get("name") == "D*(x) = p_d/(p_d+p_g)")
    assert d_star["y"] != next(t for t in first["spec"]["data"] if t.get("name") == d_star["name"])["y"]
    button(at, "Pause").click().run()
    assert _live_chart_args(at)[0]["feed"] is None and feed.body() is None


def test_a_stale_pause_button_never_restarts_a_run_that_stopped_by_itself(at):
    """The run stops on its own (diverged) while the browser still shows "Pause": clicking
    that button must leave it paused, not start it again."""
    button(at, "Play").click().run()
    run = at.session_state["toy.run"]
    pause = button(at, "Pause")
    run.pause()                          # stopped behind the drawn button's back
    pause.click().run()
    assert run.view().state == "paused" and [b.label for b in at.button][0] == "Play"
    button(at, "Play").click().run()     # and Play still starts it
    assert run.view().state == "playing"
    button(at, "Pause").click().run()
    assert run.view().state == "paused"


def test_bad_mixture_shows_an_error_and_keeps_the_run(at):
    button(at, "One iteration").click().run()
    at.selectbox(key="toy.preset").set_value("Custom Gaussian mixture").run()
    assert not at.error and "p_data = 0.3·N(-1.5" in in_effect(at)  # a valid mixture is applied in place
    at.text_input(key="toy.mix_w").set_value("0.5, 0.6").run()
    assert any("sum to 1" in e.value for e in at.error)
    assert "p_data = 0.3·N(-1.5" in in_effect(at)  # the bad mixture was not applied
    at.text_input(key="toy.mix_w").set_value("0.5, 0.5").run()
    assert "p_data = 0.5·N(-1.5" in in_effect(at)  # valid again: applied in place
    at.text_input(key="toy.mix_s").set_value("0.5, -1").run()
    assert any("stds must be > 0" in e.value for e in at.error)
    at.text_input(key="toy.mix_s").set_value("0.5, abc").run()
    assert any("type numbers" in e.value for e in at.error)
    assert "p_data = 0.5·N(-1.5" in in_effect(at)
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
    at.radio(key="toy.opt").set_value("sgd").run()
    at.select_slider(key="toy.lr_d").set_value(10.0).run()
    at.select_slider(key="toy.lr_g").set_value(10.0).run()
    button(at, "Train D to optimum").click().run()
    assert any("diverged" in e.value and "Lower the learning rates" in e.value for e in at.error)
    snap = at.session_state["toy.run"].view().snapshot
    assert all(abs(v) < 1e30 for v in snap["d"]) and at.session_state["toy.run"].view().state == "paused"
    assert not at.exception


def test_two_sessions_never_see_each_others_settings_or_results():
    a = AppTest.from_file(PAGE, default_timeout=60).run()
    b = AppTest.from_file(PAGE, default_timeout=60).run()
    a.number_input(key="toy.seed").set_value(7).run()
    button(a, "Reset").click().run()
    b.slider(key="toy.k").set_value(4).run()
    for _ in range(2):
        button(b, "One iteration").click().run()
    assert a.session_state["toy.run"].id != b.session_state["toy.run"].id
    assert "seed 7." in in_effect(a) and "k = 1," in in_effect(a) and iteration(a) == 0
    assert "seed 0." in in_effect(b) and "k = 4," in in_effect(b) and iteration(b) == 2
    assert metric(a, "JS(p_data‖p_g)") != metric(b, "JS(p_data‖p_g)")  # different seeds, different G


def test_past_the_capacity_a_student_waits_with_a_position_and_starts_by_itself(at):
    from gan_core.live.pool import RUN_WEIGHTS
    from gan_core.toy.distributions import preset
    from ui.live import run_pool
    pool = run_pool()
    fillers = []
    while pool.stats()["load"] + RUN_WEIGHTS["toy"] <= pool.capacity:
        h = pool.open("toy", {"data": preset("Gaussian"), "seed": len(fillers)})
        h.play()
        fillers.append(h)
    try:
        button(at, "Play").click().run()
        status = [m.value for m in at.markdown if "data-run-state" in m.value][0]
        assert "data-run-state='waiting'" in status and "position 1 of 1" in status
        assert metric(at, "live it/s") == "waiting" and [b.label for b in at.button][0] == "Pause"
        fillers[0].pause()                # a slot frees: the waiting run starts by itself
        run = at.session_state["toy.run"]
        assert wait_until(lambda: run.view().state, lambda s: s == "playing", timeout=5) == "playing"
        wait_until(lambda: run.view().snapshot["iteration"], lambda n: n > 0)
    finally:
        for h in fillers:
            h.close()


def test_a_run_on_lent_slots_goes_back_to_the_queue_saying_why_and_on_by_itself(at, monkeypatch):
    """Slots that the first in the queue cannot use are lent to this page's run; when they let the
    first start, the page shows its run back in the queue, with why, and then training again."""
    from gan_core.live import pool as pool_module
    from gan_core.toy.distributions import preset
    from gan_core.toy2d.data import preset as preset_2d
    from ui.live import run_pool
    monkeypatch.setitem(pool_module.RUN_WEIGHTS, "toy2d", 3.0)
    pool = run_pool()
    fillers = []
    while pool.stats()["load"] + 2 < pool.capacity:           # all but two slots taken
        fillers.append(pool.open("toy", {"data": preset("Gaussian"), "seed": len(fillers)}))
        fillers[-1].play()
    heavy = pool.open("toy2d", {"data": preset_2d("Ring of 8 Gaussians")})
    try:
        heavy.play()
        assert heavy.view().state == "waiting"                  # it needs three
        button(at, "Play").click().run()                        # this one fits in what it cannot use
        run = at.session_state["toy.run"]
        assert run.view().state == "playing" and heavy.view().position == 1
        fillers[0].pause()                                      # with the loan back, the heavy run fits
        assert heavy.view().state == "playing"
        at.run()
        status = [m.value for m in at.markdown if "data-run-state" in m.value][0]
        assert "data-run-state='waiting'" in status and "position 1 of 1" in status
        assert any(i.value.startswith("Back in the queue for now") for i in at.info)
        assert [b.label for b in at.button][0] == "Pause"     # the student may still take it out
        heavy.pause()                                           # a slot frees: it goes on by itself
        assert run.view().state == "playing"
        at.run()
        assert not any("Back in the queue" in i.value for i in at.info) and not at.exception
        status = [m.value for m in at.markdown if "data-run-state" in m.value][0]
        assert "data-run-state='playing'" in status
    finally:
        heavy.close()
        for h in fillers:
            h.close()


def test_a_killed_worker_ends_the_run_with_a_reason_and_reset_recovers(at):
    run = at.session_state["toy.run"]
    os.kill(run.host_pid(), signal.SIGKILL)
    wait_until(lambda: run.view().state, lambda s: s == "ended", timeout=10)
    at.run()
    assert any("worker process that trained this run stopped" in e.value and "SIGKILL" in e.value for e in at.error)
    assert not at.exception
    button(at, "Reset").click().run()
    assert at.session_state["toy.run"] is not run and iteration(at) == 0
    button(at, "One iteration").click().run()
    assert iteration(at) == 1 and not at.exception


def test_a_reload_after_a_server_restart_says_the_run_was_lost():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["run"] = "toy:0123456789abcdef"   # a run id from before the restart
    at.run()
    assert any("server was restarted" in i.value for i in at.info)
    assert iteration(at) == 0 and not at.exception
    new = at.query_params["run"]
    new = new if isinstance(new, str) else new[0]
    assert new == "toy:" + at.session_state["toy.run"].id and re.fullmatch(r"toy:[0-9a-f]{32}", new)


def test_a_reload_closes_the_old_run_and_says_so(at):
    old = at.session_state["toy.run"]
    reloaded = AppTest.from_file(PAGE, default_timeout=60)
    reloaded.query_params["run"] = f"toy:{old.id}"
    reloaded.run()
    assert any("page was reloaded" in i.value for i in reloaded.info)
    assert old.ended and reloaded.session_state["toy.run"].id != old.id and not reloaded.exception
