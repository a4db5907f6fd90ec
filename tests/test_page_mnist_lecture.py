"""AppTest: the lecture features of the live MNIST page: scenarios loaded with one click, links
that restore every setting and reproduce the first iterations, and the CSV and GIF exports."""
import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from gan_core.mnist.scenarios import by_name, run_spec
from tests.apptest import button, iteration, metric, page_path, wait_until

PAGE = page_path("mnist_live.py")


def _app(params=None):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def _params(at) -> dict:
    return {k: (v if isinstance(v, str) else v[0]) for k, v in at.query_params.items() if k != "run"}


def _load(at, name):
    at.selectbox(key="mnist.scenario_choice").set_value(name).run()
    button(at, "Load scenario").click().run()
    assert not at.exception


def test_the_divergence_scenario_sets_the_widgets_and_ends_in_the_rollback_message():
    s = by_name("Learning rate far too high: divergence")
    at = _app()
    old = at.session_state["mnist.run"]
    _load(at, s.name)
    run = at.session_state["mnist.run"]
    assert run is not old and iteration(at) == 0
    assert at.radio(key="mnist.model").value == "mlp" and at.radio(key="mnist.opt").value == "sgd"
    assert at.select_slider(key="mnist.lr_d").value == 1.0 == at.select_slider(key="mnist.lr_g").value
    assert run.view().snapshot["config"] == {**run_spec(s)["train"], "seed": s.seed}
    assert any("Scenario: Learning rate far too high" in i.value and "on 2 CPU cores" in i.value for i in at.info)
    button(at, "Start").click().run()
    wait_until(lambda: run.view().state, lambda state: state == "paused", timeout=60)
    at.run()
    errors = [e.value for e in at.error]
    assert any("diverged" in e and "restored" in e for e in errors), errors
    run.close()


def test_the_collapse_scenario_opens_its_own_run():
    s = by_name("Mode collapse: the class histogram collapses")
    at = _app()
    _load(at, s.name)
    snap = at.session_state["mnist.run"].view().snapshot
    assert snap["model"] == "mlp" and snap["config"]["lr_g"] == 5e-3 and snap["config"]["lr_d"] == 5e-4
    assert snap["iteration"] == 0
    at.session_state["mnist.run"].close()


def test_a_link_restores_the_settings_and_the_same_first_iterations():
    a = _app()
    a.slider(key="mnist.k").set_value(2).run()
    a.select_slider(key="mnist.lr_d").set_value(0.001).run()
    a.select_slider(key="mnist.m").set_value(8).run()
    a.selectbox(key="mnist.cost").set_value("saturating").run()
    a.number_input(key="mnist.seed").set_value(3).run()
    button(a, "Reset").click().run()
    link = _params(a)
    assert link["k"] == "2" and link["lr_d"] == "0.001" and link["m"] == "8" and link["seed"] == "3"
    assert link["model"] == "cgan" and link["cost"] == "saturating"
    b = _app(link)                                     # a new session opened from the link
    assert b.slider(key="mnist.k").value == 2 and b.select_slider(key="mnist.m").value == 8
    assert b.number_input(key="mnist.seed").value == 3 and b.selectbox(key="mnist.cost").value == "saturating"
    ra, rb = a.session_state["mnist.run"], b.session_state["mnist.run"]
    assert ra.id != rb.id and ra.view().snapshot["config"] == rb.view().snapshot["config"]
    for _ in range(3):
        button(a, "One step").click().run()
        button(b, "One step").click().run()
    assert iteration(a) == iteration(b) == 3
    for label in ("D loss", "mean D(x)"):
        assert metric(a, label) == metric(b, label)
    ha, hb = ra.view().snapshot["history"], rb.view().snapshot["history"]
    assert ha["d_loss"] == pytest.approx(hb["d_loss"], rel=1e-5)
    assert ha["g_loss"] == pytest.approx(hb["g_loss"], rel=1e-5)
    ra.close(), rb.close()


def test_a_bad_link_gets_a_warning_and_the_defaults():
    at = _app({"model": "gpt", "m": "7", "lr_g": "abc", "data": "/etc", "k": "3"})
    warning = " ".join(w.value for w in at.warning)
    for bad in ("model='gpt'", "m='7'", "lr_g='abc'", "data='/etc'"):
        assert bad in warning
    assert at.radio(key="mnist.model").value == "cgan" and at.slider(key="mnist.k").value == 3
    assert at.session_state["mnist.run"].view().snapshot["config"]["k"] == 3
    assert _params(at)["model"] == "cgan"                 # the URL now says what runs
    at.session_state["mnist.run"].close()


def test_the_csv_and_gif_exports_hold_what_they_say():
    from ui.export import export_name, mnist_csv
    at = _app()
    at.select_slider(key="mnist.m").set_value(8).run()
    for _ in range(3):
        button(at, "One step").click().run()
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Losses and D outputs per iteration (CSV)" in labels and "Fixed-noise grid over the run (GIF)" in labels
    run = at.session_state["mnist.run"]
    run.do("iteration")                                   # the run goes on after the buttons were drawn
    rows = np.genfromtxt(io.StringIO(mnist_csv(run.do("history"), 3)), delimiter=",", names=True)
    assert rows.dtype.names == ("iteration", "d_loss", "g_loss", "d_real", "d_fake", "d_fake_g", "grad_norm_d",
                                "grad_norm_g")
    assert list(rows["iteration"]) == [1, 2, 3]
    assert rows["d_loss"] == pytest.approx(run.view().snapshot["history"]["d_loss"][:3], rel=1e-6)
    assert export_name("mnist-cgan", 0, 3, "losses") == "gan-lab_mnist-cgan_seed0_it3_losses.csv"
    out = run.do("gif")
    gif = Image.open(io.BytesIO(out["gif"]))
    grid = Image.open(io.BytesIO(run.view().snapshot["grid_png"]))   # drawn at twice the size
    assert gif.format == "GIF" and gif.n_frames == out["frames"] == 1   # iteration 0 (every 10 at first)
    assert gif.size == (grid.width // 2, grid.height // 2 + 14)
    for _ in range(25):
        run.do("iteration")
    assert Image.open(io.BytesIO(run.do("gif")["gif"])).n_frames == 3   # iterations 0, 10, 20
    run.close()
