"""ui.series: what every chart does to its arrays before Plotly sees them."""
import numpy as np

from ui.series import downsample, finite


def test_finite_turns_infinities_into_gaps_and_leaves_the_input_alone():
    y = np.array([1.0, np.inf, -np.inf, 2.0])
    out = finite(y)
    assert np.isnan(out[1]) and np.isnan(out[2]) and out[0] == 1.0 and out[3] == 2.0
    assert np.isinf(y[1])


def test_downsample_keeps_the_level_and_skips_non_finite_values():
    x = np.arange(10_000, dtype=float)
    y = np.where(x % 2 == 0, 1.0, 3.0)
    y[5] = np.inf
    xs, ys = downsample(x, y, max_points=100)
    assert len(xs) == len(ys) == 100
    np.testing.assert_allclose(ys, 2.0, atol=0.02)
    short_x, short_y = downsample(x[:50], y[:50], max_points=100)
    assert np.array_equal(short_x, x[:50]) and len(short_y) == 50
