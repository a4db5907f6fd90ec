"""The divergence page under streamlit.testing: values shown, bad inputs give st.error, never a traceback."""
import math
import os

import pytest
from streamlit.testing.v1 import AppTest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "pages", "divergences.py")


@pytest.fixture
def app():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def errors(at):
    return [e.value for e in at.error]


def test_default_page_shows_exact_values_and_identity(app):
    m = metrics(app)
    assert m["KL(p‖q) [nats]"] == "0.3499"  # N(0,1) vs N(1,1.5²): log 1.5 + (1 + 1)/4.5 − ½
    assert m["KL(q‖p) [nats]"] == "0.7195"
    assert m["V(G, D*) integrated directly [nats]"] == m["−log 4 + 2·JS(p‖q) [nats]"]
    assert float(m["|difference| [nats]"]) < 1e-6
    assert not errors(app)


def test_disjoint_uniforms_js_is_log2_and_kl_is_infinite_with_reason(app):
    for who, (lo, hi) in (("p", (0.0, 1.0)), ("q", (2.0, 3.0))):
        app.selectbox(key=f"div.{who}_family").set_value("Uniform").run()
        app.number_input(key=f"div.{who}_Uniform_low").set_value(lo).run()
        app.number_input(key=f"div.{who}_Uniform_high").set_value(hi).run()
    assert not app.exception
    m = metrics(app)
    assert m["JS(p‖q) [nats]"] == f"{math.log(2):.4f}"
    assert m["KL(p‖q) [nats]"] == "∞"
    assert any("q = 0" in i.value for i in app.info)


def test_shift_slider_moves_q(app):
    before = metrics(app)["JS(p‖q_s) at s = 0 [nats]"]
    slider = app.slider(key="div.shift")
    slider.set_value(slider.max).run()
    m = metrics(app)
    label = next(k for k in m if k.startswith("JS(p‖q_s)"))
    assert float(m[label]) > float(before) and float(m[label]) <= math.log(2)


@pytest.mark.parametrize("who,family,field,value,message", [
    ("p", "Gaussian", "std", 0.0, "std must be a positive number"),
    ("q", "Gaussian", "std", -1.0, "std must be a positive number"),
    ("p", "Uniform", "high", -5.0, "uniform needs a < b"),
    ("q", "Laplace", "scale", 0.0, "scale must be a positive number"),
    ("p", "Beta", "a", -1.0, "alpha must be a positive number"),
])
def test_bad_continuous_parameters_show_a_clear_error(app, who, family, field, value, message):
    app.selectbox(key=f"div.{who}_family").set_value(family).run()
    app.number_input(key=f"div.{who}_{family}_{field}").set_value(value).run()
    assert not app.exception
    assert any(message in e and e.startswith(who) for e in errors(app)), errors(app)


def test_bad_mixture_text_shows_a_clear_error(app):
    app.selectbox(key="div.p_family").set_value("Gaussian mixture").run()
    app.text_input(key="div.p_Gaussian mixture_weights").input("0.5, abc").run()
    assert not app.exception
    assert any("p weights" in e and "numbers separated by commas" in e for e in errors(app))
    app.text_input(key="div.p_Gaussian mixture_weights").input("0.2, 0.2").run()
    assert any("weights must sum to 1" in e for e in errors(app))


def test_discrete_tab_shows_terms_and_scipy_note(app):
    m = metrics(app)
    assert "JS(p‖q), sum of terms [nats]" in m
    assert any("square root" in md.value for md in app.markdown)
    assert len(app.table) >= 2  # sample estimates and the per-term table


@pytest.mark.parametrize("p,q,counts,message", [
    ("0.5, -0.1, 0.6", "0.3, 0.3, 0.4", False, "p must be ≥ 0 (entry 2 is -0.1)"),
    ("0.5, 0.5", "0.3, 0.3, 0.4", False, "same length"),
    ("0, 0, 0", "0.3, 0.3, 0.4", False, "p sums to 0"),
    ("0.2, x, 0.8", "0.3, 0.3, 0.4", False, "p: entry 2 ('x') is not a number"),
    ("1, 2, 3", "0.3, 0.3, 0.4", False, "p sums to 6"),
    ("", "0.3, 0.3, 0.4", False, "p is empty"),
])
def test_bad_discrete_inputs_show_a_clear_error(app, p, q, counts, message):
    app.text_area(key="div.p_vector").input(p)
    app.text_area(key="div.q_vector").input(q)
    app.checkbox(key="div.normalise").set_value(counts).run()
    assert not app.exception
    assert any(message in e for e in errors(app)), errors(app)


def test_counts_are_normalised_on_request(app):
    app.text_area(key="div.p_vector").input("1, 2, 1")
    app.text_area(key="div.q_vector").input("1, 1, 2")
    app.checkbox(key="div.normalise").check().run()
    assert not errors(app)
    js_labels = [m.value for m in app.metric if m.label == "JS(p‖q), sum of terms [nats]"]
    assert js_labels[-1] == "0.0425"  # JS((¼,½,¼), (¼,¼,½))


def test_slider_survives_a_narrower_sweep_range(app):
    slider = app.slider(key="div.shift")
    slider.set_value(slider.max).run()
    app.selectbox(key="div.p_family").set_value("Uniform").run()
    app.selectbox(key="div.q_family").set_value("Uniform").run()
    assert not app.exception
    assert not errors(app)
