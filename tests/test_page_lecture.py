"""AppTest: the lecture features of the 1-D pages: scenarios loaded with one click, and links
(URL query parameters) that restore every setting and reproduce the run's first iterations."""
import pytest
from streamlit.testing.v1 import AppTest

from gan_core.toy.scenarios import by_name, mode_masses, play
from tests.apptest import button, caption_with, iteration, metric, page_path, wait_until

TOY, COSTS = page_path("toy_gan.py"), page_path("generator_costs.py")


def _app(page, params=None):
    at = AppTest.from_file(page, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def _params(at) -> dict:
    """The page's query parameters as plain strings (the run's own "run" left out)."""
    return {k: (v if isinstance(v, str) else v[0]) for k, v in at.query_params.items() if k != "run"}



def load_scenario(at, ns, name):
    at.selectbox(key=f"{ns}.scenario_choice").set_value(name).run()
    button(at, "Load scenario").click().run()
    assert not at.exception


def test_loading_mode_collapse_sets_the_widgets_and_the_run_collapses():
    s = by_name("Mode collapse")
    at = _app(TOY)
    old = at.session_state["toy.run"]
    load_scenario(at, "toy", s.name)
    run = at.session_state["toy.run"]
    assert run is not old and iteration(at) == 0
    assert at.number_input(key="toy.width").value == 2 and at.number_input(key="toy.seed").value == 6
    assert at.selectbox(key="toy.preset").value == "Bimodal mixture (mode collapse)"
    assert "width 2; seed 6." in caption_with(at, "In effect:")
    assert any("Scenario: Mode collapse" in i.value and "on 2 CPU cores" in i.value for i in at.info)
    # the page's run is the scenario's: the same first snapshot as the headless scenario run
    first = play(s.__class__(**{**s.__dict__, "iterations": 0}))[0]
    assert float(metric(at, "JS(p_data‖p_g)")) == pytest.approx(first["js"], abs=1e-4)
    button(at, "Play").click().run()
    wait_until(lambda: run.view().snapshot["iteration"], lambda n: n >= s.iterations, timeout=60)
    button(at, "Pause").click().run()
    snap = run.view().snapshot
    assert min(mode_masses(snap)) < 0.10 and s.check(snap, None)


def test_the_divergence_scenario_ends_in_the_rollback_message():
    at = _app(TOY)
    load_scenario(at, "toy", "Learning rate far too high: divergence")
    assert at.radio(key="toy.opt").value == "sgd" and at.select_slider(key="toy.lr_d").value == 1.0
    button(at, "Play").click().run()
    run = at.session_state["toy.run"]
    wait_until(lambda: run.view().state, lambda st: st == "paused", timeout=30)
    at.run()
    errors = [e.value for e in at.error]
    assert any("diverged" in e and "restored" in e for e in errors), errors


def test_the_cost_page_loads_the_rescue_race_and_b_escapes_first():
    s = by_name("Non-saturating cost rescues a strong-D start")
    at = _app(COSTS)
    at.slider(key="costs.k").set_value(5).run()        # a setting the scenario puts back
    load_scenario(at, "costs", s.name)
    assert at.slider(key="costs.k").value == 1 and at.slider(key="costs.n").value == 500
    run = at.session_state["costs.run"]
    assert run.view().snapshot["iteration"] == 0
    run.do("step", s.iterations)
    assert s.check(run.view().snapshot, None)
    assert any("Scenario: Non-saturating" in i.value for i in at.info)


def test_a_link_restores_the_settings_and_the_same_first_iterations():
    a = _app(TOY)
    a.selectbox(key="toy.preset").set_value("Bimodal mixture (mode collapse)").run()
    a.slider(key="toy.k").set_value(3).run()
    a.select_slider(key="toy.lr_d").set_value(0.01).run()
    a.selectbox(key="toy.cost").set_value("saturating").run()
    a.number_input(key="toy.seed").set_value(5).run()
    button(a, "Reset").click().run()
    link = _params(a)
    assert link["k"] == "3" and link["lr_d"] == "0.01" and link["seed"] == "5" and link["cost"] == "saturating"
    b = _app(TOY, link)                                  # a new session opened from the link
    assert b.slider(key="toy.k").value == 3 and b.select_slider(key="toy.lr_d").value == 0.01
    assert b.number_input(key="toy.seed").value == 5 and b.selectbox(key="toy.cost").value == "saturating"
    assert caption_with(a, "In effect:") == caption_with(b, "In effect:")
    for _ in range(3):
        button(a, "One iteration").click().run()
        button(b, "One iteration").click().run()
    assert iteration(a) == iteration(b) == 3
    for label in ("JS(p_data‖p_g)", "V(G, D)", "D steps"):
        assert metric(a, label) == metric(b, label)
    assert a.session_state["toy.run"].id != b.session_state["toy.run"].id


def test_a_bad_link_gets_a_warning_and_the_defaults():
    at = _app(TOY, {"k": "abc", "lr_d": "0.0123", "preset": "Nope", "seed": "-1", "width": "64"})
    warning = " ".join(w.value for w in at.warning)
    for bad in ("k='abc'", "lr_d='0.0123'", "preset='Nope'", "seed='-1'"):
        assert bad in warning
    assert at.slider(key="toy.k").value == 1 and at.number_input(key="toy.seed").value == 0
    assert at.number_input(key="toy.width").value == 64             # the valid one is kept
    assert "width 64; seed 0." in caption_with(at, "In effect:")
    assert _params(at)["k"] == "1"                                    # the URL now says what runs


def test_the_cost_page_keeps_its_settings_in_the_link():
    a = _app(COSTS)
    a.slider(key="costs.n").set_value(1500).run()
    a.slider(key="costs.shift").set_value(-3.0).run()
    link = _params(a)
    assert link["n"] == "1500" and link["shift"] == "-3.0"
    b = _app(COSTS, link)
    assert b.slider(key="costs.n").value == 1500 and b.slider(key="costs.shift").value == -3.0
    assert b.session_state["costs.start"] == a.session_state["costs.start"]


def test_the_csv_export_holds_every_row_and_metric_up_to_the_named_iteration():
    import io

    import numpy as np

    from ui.export import csv_text, export_name, race_csv, toy_csvs
    at = _app(TOY)
    for _ in range(3):
        button(at, "One iteration").click().run()
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Losses per iteration (CSV)", "JS and |D − D*| per snapshot (CSV)", "Figure 1 over the run (GIF)"]
    assert export_name("toy-gan", 0, 3, "losses") == "gan-lab_toy-gan_seed0_it3_losses.csv"
    run = at.session_state["toy.run"]
    run.do("iteration")                                   # the run goes on after the button was drawn
    files = toy_csvs(run.do("history"), 3)
    rows = np.genfromtxt(io.StringIO(files["losses"]), delimiter=",", names=True)
    assert rows.dtype.names == ("iteration", "d_loss", "g_loss", "d_real", "d_fake", "d_fake_g", "grad_norm_d",
                                "grad_norm_g")
    assert list(rows["iteration"]) == [1, 2, 3]          # one row per iteration, up to the file's
    snap_hist = run.view().snapshot["history"]
    assert rows["d_loss"] == pytest.approx(snap_hist["d_loss"][:3], rel=1e-8)
    js = np.genfromtxt(io.StringIO(files["js"]), delimiter=",", names=True)
    assert js.dtype.names == ("iteration", "js_nats", "mean_abs_d_minus_d_star") and js["iteration"].max() <= 3
    assert csv_text({"iteration": [1, 2], "x": [0.5, np.nan]}) == "iteration,x\n1,0.5\n2,\n"
    race = _app(COSTS).session_state["costs.run"]
    race.do("step", 50)
    table = np.genfromtxt(io.StringIO(race_csv(race.do("history"), 50)), delimiter=",", names=True)
    assert len(table) == 50 and "A_saturating_grad_norm_g" in table.dtype.names
    assert "B_non_saturating_js_nats" in table.dtype.names
    assert np.isfinite(table["B_non_saturating_js_nats"]).sum() == 2   # estimated at 25 and 50
