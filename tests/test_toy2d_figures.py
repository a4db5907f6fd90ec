"""The 2-D page's figure builders: plain arrays in, Plotly figures out, testable without a browser."""
import numpy as np
import pytest

import base64
import json

from ui.toy2d_figures import (ARROW_MAX, D_SCALE, LAYERS, arrow_tips, canvas_figure, coverage_figure,
                              d_star_frame, d_star_layers, main_frame, main_layers, update_coverage_figure)

AXIS = np.linspace(-3, 3, 61)


def _arrays(shift=0.0):
    rng = np.random.default_rng(0)
    d = np.clip(0.5 + 0.1 * np.add.outer(AXIS, AXIS) + shift, 0, 1)
    return (AXIS, d, rng.normal(size=(256, 2)), rng.normal(size=(512, 2)) + shift,
            np.array([[0, 0], [1, 1], [np.nan, np.nan], [0, 1], [1, 0]], float),
            np.zeros((3, 2)), np.array([[0.0, 2.0], [1.0, 0.0], [0.0, -0.5]]))


def test_arrows_keep_their_directions_and_proportions():
    tips = arrow_tips(np.zeros((3, 2)), [[0.0, 2.0], [1.0, 0.0], [0.0, -0.5]])
    assert tips == pytest.approx(np.array([[0.0, ARROW_MAX], [ARROW_MAX / 2, 0.0], [0.0, -ARROW_MAX / 4]]))
    assert np.array_equal(arrow_tips(np.ones((2, 2)), np.zeros((2, 2))), np.ones((2, 2)))   # no gradient: no arrow


def _floats(b64: str, cols: int = 2) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), np.float32).reshape(-1, cols)


def test_main_frame_has_square_axes_a_legend_and_a_colour_bar_but_no_data():
    fig = main_frame(3.0)
    names = [t.name for t in fig.data]
    assert names == ["D(x)", "G(z) manifold", "real x ~ p_data", "fake G(z)", "−∂cost/∂x", "D = ½"]
    assert fig.layout.yaxis.scaleanchor == "x"              # equal scales: arrows point where they should
    assert list(fig.layout.xaxis.range) == list(fig.layout.yaxis.range) == [-3.0, 3.0]
    heat = fig.data[0]
    assert heat.colorbar.title.text == "D(x)" and heat.zmin == 0 and heat.zmax == 1
    assert min(heat.x) > 3.0 and min(heat.y) > 3.0          # outside the axes: only its colour bar shows
    assert all(list(t.x) == [None] for t in fig.data[1:])   # legend entries only: the canvas draws the data
    assert fig.data[-1].line.dash == "dash"


def test_main_layers_carry_every_layer_exactly():
    axis, d, real, fakes, manifold, at, vec = _arrays()
    d = d.copy()
    d[3, 50] = 0.9                                         # one marked point: row = y index, column = x index
    layers = json.loads(main_layers(axis, d, real, fakes, manifold, at, vec))
    assert layers["n"] == 61 and layers["grid"] == pytest.approx([-3.0, 0.1])
    grid = _floats(layers["d"], 61)
    assert grid[3, 50] == np.float32(0.9) and np.array_equal(grid, d.astype(np.float32))
    assert np.array_equal(_floats(layers["real"]), real.astype(np.float32))
    assert np.array_equal(_floats(layers["fakes"]), fakes.astype(np.float32))
    assert np.array_equal(np.isnan(_floats(layers["manifold"])), np.isnan(manifold))   # NaN splits the lines
    assert np.allclose(_floats(layers["arrows_to"]), arrow_tips(at, vec)) and np.allclose(_floats(layers["arrows_from"]), at)
    assert layers["shown"] == list(LAYERS) and layers["colorscale"] == D_SCALE
    with pytest.raises(ValueError, match="61 x 61"):
        main_layers(axis, d[:60], real, fakes, manifold, at, vec)


def test_layers_switch_on_and_off():
    fig = main_frame(3.0, layers=["fakes", "real"])
    assert [t.name for t in fig.data] == ["real x ~ p_data", "fake G(z)"]   # no colour bar without the heatmap
    assert json.loads(main_layers(*_arrays(), layers=["fakes", "real"]))["shown"] == ["real", "fakes"]
    assert json.loads(main_layers(*_arrays(), layers=[]))["shown"] == []


def test_d_star_layers_leave_undefined_points_blank():
    d_star = np.full((61, 61), np.nan)
    d_star[30, 30] = 0.5
    layers = json.loads(d_star_layers(AXIS, d_star))
    grid = _floats(layers["d"], 61)
    assert np.isnan(grid).sum() == 61 * 61 - 1 and grid[30, 30] == 0.5 and layers["shown"] == ["d"]
    assert len(_floats(layers["fakes"])) == 0
    frame = d_star_frame(3.0)
    assert frame.data[0].colorbar.title.text == "D*(x)" and min(frame.data[0].x) > 3.0 and not frame.layout.showlegend


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
