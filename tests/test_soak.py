"""A 2-minute live MNIST session in Chromium: the server's and the workers' memory stay flat
(the 30-minute version is bench/soak_mnist.py, its figures in the README)."""
import pytest

from bench.soak_mnist import soak


@pytest.mark.slow
def test_two_minutes_of_live_mnist_keep_memory_flat(browser):
    result = soak(minutes=2.0, every=8.0, browser=browser)
    rows = result["rows"]
    assert len(rows) >= 12 and rows[-1]["iteration"] > rows[0]["iteration"] > 0  # it really trained
    assert result["server_spread"] <= 0.10, rows
    assert result["total_spread"] <= 0.10, rows
