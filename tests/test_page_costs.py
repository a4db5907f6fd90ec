"""The generator-cost page under AppTest: it runs alone, re-renders on every control, shows
what it claims (metrics, formulas, code), and handles bad input without losing the race."""
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import button_name, metric_value, page_exceptions, screenshot, wait_rendered

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "generator_costs.py")


@pytest.fixture
def at():
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict:
    return {m.label: (m.value, m.delta) for m in at.metric}


def race(at) -> dict:
    """The race's latest snapshot, from its worker process."""
    return at.session_state["costs.run"].view().snapshot


def test_page_runs_and_shows_metrics_formulas_and_code(at):
    m = metrics(at)
    assert m["iteration"] == ("0", "D pre-trained 500 steps")
    assert m["A: JS(p_data‖p_g)"][0] == "0.693 nats"      # no overlap yet: log 2
    assert "B: ‖∇θ_G J‖" in m
    latex = " ".join(x.value for x in at.latex)
    assert r"\partial J/\partial a" in latex and "& -D" in latex and "-(1-D)" in latex and "J^{(D)}" in latex
    text = " ".join(x.value for x in at.markdown)
    assert "gradient in this region" in text and "discriminator is wrong" in text
    assert any("LSGAN" in c.value for c in at.caption)
    code = " ".join(c.value for c in at.code)
    for name in ("class GeneratorCost", "COSTS = (", "def _generator_update", "def generator_grads"):
        assert name in code
    assert not at.error


def test_step_trains_both_runs_and_reports_the_gradient_ratio(at):
    at.button(key="costs.step").click().run()
    assert not at.exception
    m = metrics(at)
    assert m["iteration"][0] == "100"
    sat = float(m["A: ‖∇θ_G J‖"][0])
    non = float(m["B: ‖∇θ_G J‖"][0])
    assert sat < non
    assert any("gradient-norm ratio A / B" in c.value for c in at.caption)
    assert race(at)["iteration"] == 100


def test_play_advances_and_pause_stops(at):
    from tests.apptest import wait_until
    at.button(key="costs.play").click().run()
    run = at.session_state["costs.run"]
    assert not at.exception and run.view().state == "playing"
    wait_until(lambda: race(at)["iteration"], lambda n: n > 0, timeout=30)
    at.button(key="costs.pause").click().run()
    assert run.view().state == "paused"


def test_switching_costs_starts_a_new_race(at):
    at.selectbox(key="costs.cost_a").set_value("least_squares").run()
    assert not at.exception
    assert race(at)["costs"] == ("least_squares", "non_saturating")
    assert any("A: least squares" in x.value for x in at.markdown)
    assert any("New race" in i.value for i in at.info)
    at.selectbox(key="costs.cost_b").set_value("max_likelihood").run()
    assert not at.exception and race(at)["costs"] == ("least_squares", "max_likelihood")


def test_moving_n_rebuilds_the_start(at):
    at.slider(key="costs.n").set_value(200).run()
    assert not at.exception
    assert metrics(at)["iteration"] == ("0", "D pre-trained 200 steps")
    assert race(at)["pretrain_d_steps"] == 200


def test_k_and_learning_rates_apply_in_place(at):
    at.button(key="costs.step").click().run()
    before = at.session_state["costs.run"]
    at.slider(key="costs.k").set_value(3).run()
    at.select_slider(key="costs.lr_g").set_value(0.01).run()
    assert not at.exception
    assert at.session_state["costs.run"] is before and race(at)["iteration"] == 100
    assert race(at)["config"]["k"] == 3 and race(at)["config"]["lr_g"] == 0.01


def test_bad_mixture_shows_error_and_keeps_the_race(at):
    at.selectbox(key="costs.preset").set_value("Custom Gaussian mixture").run()  # valid: a new race
    assert not at.error and "0.3·N(" in race(at)["data_name"]
    at.button(key="costs.step").click().run()
    kept = at.session_state["costs.run"]
    at.text_input(key="costs.mix_w").set_value("0.5, abc").run()
    assert not at.exception
    assert any("Mixture not applied" in e.value and "keeps its data" in e.value for e in at.error)
    assert at.session_state["costs.run"] is kept and race(at)["iteration"] == 100
    assert metrics(at)["iteration"][0] == "100"


def test_divergence_shows_error_pauses_and_keeps_the_weights(at):
    at.button(key="costs.step").click().run()
    at.select_slider(key="costs.lr_d").set_value(10.0).run()
    at.select_slider(key="costs.lr_g").set_value(10.0).run()
    at.button(key="costs.step").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "diverged" in errors and "restored" in errors
    assert at.session_state["costs.run"].view().state == "paused"
    assert race(at)["iteration"] >= 100


def test_race_runs_live_in_chromium(app_url, browser_page):
    """The real app: Play trains live; after 200 iterations from the strong-discriminator start the
    non-saturating run has left JS = log 2 while the saturating one is still stuck there."""
    page = browser_page
    page.goto(f"{app_url}/generator_costs")
    wait_rendered(page)

    def iteration():
        try:
            return int(re.sub(r"[^\d]", "", metric_value(page, "iteration")))
        except Exception:  # the metric is being redrawn
            return -1

    def click_until(button, done, timeout=60, settle=True):
        page.get_by_role("button", name=button_name(button)).click()
        deadline = time.time() + timeout
        while time.time() < deadline and not done():
            time.sleep(0.3)
        assert done(), f"after {button!r}: iteration {iteration()}"
        if settle:  # while playing, the page reruns its live part ~3 times a second: never idle
            wait_rendered(page)

    click_until("Play", lambda: iteration() >= 50, settle=False)
    click_until("Pause", lambda: page.get_by_role("button", name=button_name("Play")).count() == 1)
    click_until("Reset", lambda: iteration() == 0)
    for target in (100, 200):  # exactly 200 iterations: the seeded comparison of tests/test_costs.py
        click_until("Step 100 iterations", lambda: iteration() == target)
    time.sleep(1.0)
    shot = screenshot(page, "generator_costs_race")
    assert page_exceptions(page) == []
    js_a = float(metric_value(page, "A: JS").split()[0])
    js_b = float(metric_value(page, "B: JS").split()[0])
    assert js_a > 0.69 and js_b < js_a - 0.1, (js_a, js_b)
    assert shot.stat().st_size > 50_000
