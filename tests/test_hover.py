"""Hovering any curve shows its exact value and iteration; the loss charts keep their labelled
reference lines (log 2 for D, the generator cost's value at D = ½)."""
import math

import numpy as np
import pytest

from gan_core.losses import EQUILIBRIUM_VALUE
from ui.cost_figures import Series, grad_norm_figure, js_figure as race_js_figure
from ui.mnist_figures import d_output_figure
from ui.toy2d_figures import coverage_figure, js_figure as js2d_figure
from ui.toy_figures import d_gap_figure, js_figure, loss_figure, paper_figure

IT = np.arange(1, 51)
Y = np.linspace(0.1, 0.9, 50)


def _iteration_charts():
    race = [Series("A: saturating", IT, Y, "#1f77b4"), Series("B: non-saturating", IT, Y[::-1], "#2ca02c")]
    return {"loss": loss_figure(IT, Y, Y, math.log(2), EQUILIBRIUM_VALUE["saturating"], "saturating"),
            "js": js_figure(IT, Y), "gap": d_gap_figure(IT, Y), "d_out": d_output_figure(IT, Y, Y),
            "race_grad": grad_norm_figure(race), "race_js": race_js_figure(race), "js2d": js2d_figure(IT, Y),
            "modes": coverage_figure(IT, IT % 8, 8)}


@pytest.mark.parametrize("name", list(_iteration_charts()))
def test_every_curve_over_iterations_hovers_its_iteration_and_exact_value(name):
    fig = _iteration_charts()[name]
    curves = [t for t in fig.data if t.type == "scatter"]
    assert curves
    for t in curves:
        assert "iteration %{x:,.0f}" in t.hovertemplate and "%{y:.6g}" in t.hovertemplate
        assert "%{fullData.name}" in t.hovertemplate
        assert np.asarray(t.x)[0] == 1                          # the real iteration numbers, not indices


def test_the_loss_chart_labels_both_reference_lines_with_the_textbook_values():
    for cost in ("saturating", "non_saturating", "least_squares"):
        fig = loss_figure(IT, Y, Y, EQUILIBRIUM_VALUE["discriminator"], EQUILIBRIUM_VALUE[cost], cost)
        lines = sorted(s.y0 for s in fig.layout.shapes)
        assert lines == sorted([math.log(2), EQUILIBRIUM_VALUE[cost]])
        texts = [a.text for a in fig.layout.annotations]
        assert "log 2 = 0.693: D's loss at equilibrium" in texts
        assert f"{EQUILIBRIUM_VALUE[cost]:.3f}: G's cost at D = ½" in texts
    assert EQUILIBRIUM_VALUE["saturating"] == pytest.approx(-math.log(2))
    assert EQUILIBRIUM_VALUE["least_squares"] == pytest.approx(1 / 8)


def test_the_paper_figure_hovers_x_and_the_exact_value():
    x = np.linspace(-3, 3, 11)
    fig = paper_figure(x, x**2, x**2, x * 0 + 0.5, x * 0 + 0.5, np.linspace(-1, 1, 5), np.linspace(-2, 2, 5))
    for t in fig.data[:4]:
        assert "x = %{x:.4g}" in t.hovertemplate and "%{y:.6g}" in t.hovertemplate
