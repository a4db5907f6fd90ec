"""The 2-D page's figure builders: plain arrays in, Plotly figures out, testable without a browser."""
import numpy as np
import pytest

from ui.toy2d_figures import (ARROW_MAX, LAYERS, arrow_segments, canvas_figure, coverage_figure, d_star_figure,
                              main_figure, update_coverage_figure, update_main_figure)

AXIS = np.linspace(-3, 3, 61)


def _arrays(shift=0.0):
    rng = np.random.default_rng(0)
    d = np.clip(0.5 + 0.1 * np.add.outer(AXIS, AXIS) + shift, 0, 1)
    return (AXIS, d, rng.normal(size=(256, 2)), rng.normal(size=(512, 2)) + shift,
            np.array([[0, 0], [1, 1], [np.nan, np.nan], [0, 1], [1, 0]], float),
            np.zeros((3, 2)), np.array([[0.0, 2.0], [1.0, 0.0], [0.0, -0.5]]))


def test_arrows_keep_their_directions_and_proportions():
    seg, ends, angles, top = arrow_segments(np.zeros((3, 2)), [[0.0, 2.0], [1.0, 0.0], [0.0, -0.5]])
    lengths = np.linalg.norm(ends, axis=1)
    assert top == 2.0 and lengths == pytest.approx([ARROW_MAX, ARROW_MAX / 2, ARROW_MAX / 4])
    assert angles == pytest.approx([0.0, 90.0, 180.0])   # up, right, down: Plotly's clockwise-from-up
    assert seg.shape == (9, 2) and np.isnan(seg[2::3]).all()
    _, ends0, _, _ = arrow_segments(np.ones((2, 2)), np.zeros((2, 2)))
    assert np.array_equal(ends0, np.ones((2, 2)))      # no gradient: no arrow, no division by zero


def test_main_figure_draws_every_layer_and_updates_in_place():
    fig = main_figure(*_arrays())
    names = [t.name for t in fig.data]
    assert names[:5] == ["D(x)", "D = ½", "G(z) manifold", "real x ~ p_data", "fake G(z)"]
    assert fig.data[1].contours.start == fig.data[1].contours.end == 0.5
    assert fig.layout.yaxis.scaleanchor == "x"              # equal scales: arrows point where they should
    before = np.array(fig.data[4].x)
    same = update_main_figure(fig, *_arrays(shift=0.3))
    assert same is fig and not np.allclose(np.array(fig.data[4].x), before)
    assert np.asarray(fig.data[0].z).shape == (61, 61)


def test_layers_switch_on_and_off():
    fig = main_figure(*_arrays(), layers=["real", "fakes"])
    visible = {t.name: t.visible for t in fig.data}
    assert visible["real x ~ p_data"] and visible["fake G(z)"]
    assert visible["D(x)"] is False and visible["G(z) manifold"] is False and visible["−∂cost/∂x"] is False
    update_main_figure(fig, *_arrays(), layers=LAYERS)
    assert all(t.visible for t in fig.data)


def test_d_star_figure_leaves_undefined_points_blank():
    d_star = np.full((61, 61), np.nan)
    d_star[30, 30] = 0.5
    fig = d_star_figure(AXIS, d_star)
    assert np.isnan(np.asarray(fig.data[0].z, float)).sum() == 61 * 61 - 1


def test_coverage_chart_follows_the_number_of_modes():
    fig = coverage_figure([0, 100], [1, 3], 8)
    assert fig.layout.shapes[0].y0 == 8
    update_coverage_figure(fig, [0, 100, 200], [1, 2, 2], 2)
    assert fig.layout.shapes[0].y0 == 2 and "of 2" in fig.layout.title.text and list(fig.data[0].y) == [1, 2, 2]


def test_canvas_marks_the_selected_points():
    pts = np.array([[0, 0], [1, 0], [0, 1]], float)
    fig = canvas_figure(pts, selected=[1])
    assert list(fig.data[0].marker.color) == ["#d0d0d0", "#3f9e4d", "#d0d0d0"]
    assert fig.layout.dragmode == "lasso"
