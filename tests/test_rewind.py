"""Rewind on the 1-D toy run: bounded snapshots recorded while it trains; resuming from one with
nothing changed gives exactly the iterations that followed it; a branch from it likewise, and
differs once a setting is changed."""
import numpy as np
import pytest

from gan_core.toy.distributions import preset
from gan_core.toy.live import REWIND_LIMIT, ToyRun

SPEC = {"data": preset("Bimodal mixture (mode collapse)"), "noise": "normal", "width": 16, "seed": 3,
        "train": {"k": 2, "lr_d": 2e-3, "lr_g": 1e-3, "optimizer": "adam", "generator_cost": "non_saturating",
                  "batch_size": 64}}


def trained(n, chunk=37):
    """A run trained n iterations in uneven chunks, a snapshot after each (as a host does)."""
    run = ToyRun(SPEC)
    run.snapshot()
    while run.trainer.iteration < n:
        run.trainer.train(min(chunk, n - run.trainer.iteration))
        run.snapshot()
    return run


def rows_after(run, it):
    h = run.trainer.history
    keep = h["iteration"] > it
    return {k: np.asarray(v)[keep] for k, v in h.items()}


def test_resuming_from_a_snapshot_with_nothing_changed_reproduces_the_continuation_exactly():
    run = trained(300)
    points = run.snapshot()["rewind"]
    it = next(p for p in points if 100 <= p < 200)
    original = rows_after(run, it)
    figure_then = run.do("rewind_view", it)
    assert figure_then["iteration"] == it
    out = run.do("resume", it, {})
    assert run.trainer.iteration == it and "nothing changed" in out["message"][1]
    assert run.trainer.history["iteration"].max() == it               # the later history went
    assert max(run.snapshot()["rewind"]) == it                         # and the later snapshots
    again = run.snapshot()
    assert again["p_g"] == pytest.approx(figure_then["p_g"], abs=0) and again["js"] == figure_then["js"]
    run.trainer.train(300 - it)
    for name, values in rows_after(run, it).items():
        np.testing.assert_array_equal(values, original[name], err_msg=name)


def test_a_branch_from_a_snapshot_starts_there_and_differs_only_by_its_change():
    run = trained(300)
    it = run.snapshot()["rewind"][-3]
    original = rows_after(run, it)
    same = ToyRun(run.do("branch_spec", it, {}))
    assert same.trainer.iteration == it and same.trainer.history["iteration"].max() == it
    same.trainer.train(300 - it)
    np.testing.assert_array_equal(rows_after(same, it)["d_loss"], original["d_loss"])
    changed = ToyRun(run.do("branch_spec", it, {"lr_g": 1e-2}))
    assert changed.trainer.config.lr_g == 1e-2 and changed.trainer.config.k == 2
    changed.trainer.train(300 - it)
    assert not np.array_equal(rows_after(changed, it)["g_loss"], original["g_loss"])
    assert np.array_equal(changed.trainer.history["d_loss"][:10], run.trainer.history["d_loss"][:10])  # same past


def test_snapshots_stay_bounded_and_span_the_run():
    run = trained(2000, chunk=25)
    points = run.snapshot()["rewind"]
    assert len(points) <= REWIND_LIMIT and points[0] == 0 and points[-1] == 2000
    with pytest.raises(ValueError, match="no snapshot at iteration"):
        run.do("rewind_view", 5)
