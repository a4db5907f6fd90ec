"""ui.series: what every chart does to its arrays before Plotly sees them."""
import numpy as np

from ui.series import downsample, finite, iteration_range, nice_range, steady_range


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


def test_nice_range_widens_to_round_steps():
    assert nice_range(0.13, 0.87) == (0.1, 0.9)
    assert nice_range(-3.13, 2.87) == (-3.5, 3.0)
    lo, hi = nice_range(-1234.0, 20000.0)
    assert lo <= -1234 and hi >= 20000 and (lo, hi) == (-2000, 20000)


def test_the_iteration_axis_grows_now_and_then_and_holds_in_between():
    r = iteration_range(None, 1000)
    assert r[0] == 0 and r[1] >= 1250
    changes, now = 0, r
    for last in range(1000, 100_000, 50):
        new = iteration_range(now, last)
        assert new[0] == 0 and new[1] >= last and last >= 0.4 * new[1]   # the curve spans its outer 60 %
        changes += new != now
        now = new
    assert changes <= 12                                # about 1.25-1.6 times at once: ~10 a decade
    assert iteration_range(now, 10)[1] < 100            # a new run starts a new axis


def test_a_steady_range_holds_while_the_values_fit_and_fill_it():
    r = steady_range(None, [0.6, 0.7], 0.693)
    assert r[0] <= 0.6 and r[1] >= 0.7
    assert steady_range(r, [0.61, 0.70]) == r            # fits and spans at least half: unchanged
    wider = steady_range(r, [0.2, 0.7])
    assert wider != r and wider[0] <= 0.2 and wider[1] >= 0.7
    assert steady_range(wider, [0.69, 0.695]) != wider   # a narrow spread gets a narrower axis
    assert steady_range(None, [np.nan, np.inf]) is None  # nothing finite: autorange
    flat = steady_range(None, [2.0, 2.0])
    assert flat[0] < 2.0 < flat[1]
