"""The 1-D toy page's main figure, built from plain arrays without a browser: what it draws is
the snapshot's curves (thinned for the browser, never changed in value)."""
import numpy as np
import pytest

from ui.toy_figures import DRAW_POINTS, nice_ceil, paper_figure, thin_grid


def _snapshot(n=401):
    x = np.linspace(-4, 6, n)
    p_data = np.exp(-0.5 * ((x - 2) / 0.5) ** 2) / (0.5 * np.sqrt(2 * np.pi))
    p_g = np.exp(-0.5 * x ** 2) / np.sqrt(2 * np.pi)
    d = 1 / (1 + np.exp(-(x - 1)))
    d_star = p_data / (p_data + p_g)
    z = np.linspace(-2, 2, 25)
    return x, p_data, p_g, d, d_star, z, 0.5 * z + 1, np.array([0.1, 0.7, 1.9])


def test_the_drawn_curves_are_every_other_grid_point_of_the_snapshot():
    x, p_data, p_g, d, d_star, *rest = _snapshot()
    fig = paper_figure(x, p_data, p_g, d, d_star, *rest)
    names = [t.name for t in fig.data]
    drawn = {n: (np.asarray(t.x, float), np.asarray(t.y, float)) for n, t in zip(names, fig.data)}
    dx, dy = drawn["D*(x) = p_d/(p_d+p_g)"]
    assert len(dx) == DRAW_POINTS == 201
    assert dx[0] == x[0] and dx[-1] == pytest.approx(x[-1])          # the whole range, ends included
    np.testing.assert_allclose(dx, x[::2], rtol=1e-6)
    np.testing.assert_allclose(dy, d_star[::2], rtol=1e-6, atol=1e-7)  # float32: values, not shapes, kept
    np.testing.assert_allclose(drawn["p_data(x)"][1], p_data[::2], rtol=1e-6)
    np.testing.assert_allclose(drawn["D(x)"][1], d[::2], rtol=1e-6)


def test_every_grid_point_when_asked():
    snap = _snapshot()
    fig = paper_figure(*snap, points=None)
    np.testing.assert_array_equal(np.asarray(fig.data[0].x), snap[0])
    assert fig.layout.yaxis.range[1] == pytest.approx(1.15 * snap[1].max())


def test_thin_grid_keeps_the_last_point_of_an_uneven_grid():
    x = np.arange(10.0)
    tx, ty = thin_grid(4, x, x ** 2)
    assert tx[0] == 0 and tx[-1] == 9 and len(tx) <= 5
    np.testing.assert_array_equal(ty, tx ** 2)
    assert thin_grid(None, x)[0] is not None and len(thin_grid(None, x)[0]) == 10


@pytest.mark.parametrize("v, top", [(0.917, 1.0), (1.0, 1.0), (1.01, 1.2), (0.46, 0.5), (2.6, 3.0), (7.1, 8.0),
                                    (8.5, 10.0), (0.0123, 0.015)])
def test_nice_ceil_is_the_next_step_at_or_above(v, top):
    assert nice_ceil(v) == pytest.approx(top)
    assert nice_ceil(v) >= v


def test_the_density_axis_holds_still_while_the_curves_move_a_little():
    x, p_data, p_g, *rest = _snapshot()
    tops = {paper_figure(x, p_data, 3 * p_g * s, *rest).layout.yaxis.range[1] for s in (0.98, 1.0, 1.02)}  # p_g sets the top
    assert len(tops) == 1
    assert tops.pop() >= 1.15 * p_data.max()      # p_data is never cut off
