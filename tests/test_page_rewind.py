"""AppTest: rewind and compare on the 1-D toy page: the slider scrubs the run's snapshots, the
figure is redrawn from the chosen one, a resume goes back there (the sidebar follows a changed
setting), and a branch with one setting changed trains beside the original from the same start."""
import numpy as np
from streamlit.testing.v1 import AppTest

from tests.apptest import button, iteration, page_path

PAGE = page_path("toy_gan.py")


def test_scrub_resume_and_compare_two_branches():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    run = at.session_state["toy.run"]
    for _ in range(4):
        run.do("train_n", 50)                 # each command is followed by a snapshot: one every 50
    at.run()
    slider = at.select_slider(key="toy.rewind_at")
    assert list(slider.options) == ["0", "50", "100", "150", "200"] and slider.value == 200
    slider.set_value(100).run()
    assert any(c.value.startswith("Snapshot at iteration 100: JS = ") for c in at.caption)
    fig = [c for c in at.get("plotly_chart") if "fig_rewind" in str(c.proto.id)]
    assert fig, "the snapshot's figure is drawn"
    # resume from 100 with lr_D changed: the run goes back, the sidebar shows the new lr_D
    at.selectbox(key="toy.rewind_what").set_value("lr_d").run()
    at.select_slider(key="toy.rewind_value.lr_d").set_value(0.01).run()
    button(at, "Resume from this snapshot").click().run()
    assert iteration(at) == 100 and run.view().snapshot["config"]["lr_d"] == 0.01
    assert at.select_slider(key="toy.lr_d").value == 0.01
    assert list(at.select_slider(key="toy.rewind_at").options)[-1] == "100"
    # two branches from 50: A as it was (lr_D 0.01 came later), B with lr_G = 0.01
    run.do("train_n", 100)
    at.run()
    at.select_slider(key="toy.rewind_at").set_value(50).run()
    at.selectbox(key="toy.rewind_what").set_value("lr_g").run()
    at.select_slider(key="toy.rewind_value.lr_g").set_value(0.01).run()
    button(at, "Compare: branch from here").click().run()
    assert not at.exception
    branch = at.session_state["toy.branch"][0]
    assert run.view().snapshot["iteration"] == branch.view().snapshot["iteration"] == 50
    assert run.view().snapshot["config"]["lr_d"] == 0.002          # A is as it was at 50
    assert branch.view().snapshot["config"]["lr_g"] == 0.01
    assert any(s.value == "Two branches from iteration 50" for s in at.subheader)
    button(at, "Advance both by 100").click().run()
    a, b = run.view().snapshot, branch.view().snapshot
    assert a["iteration"] == b["iteration"] == 150
    ha, hb = a["history"], b["history"]
    same_past = ha["iteration"] <= 50
    np.testing.assert_array_equal(ha["d_loss"][same_past], hb["d_loss"][same_past])
    assert not np.array_equal(ha["g_loss"][~same_past], hb["g_loss"][~same_past])
    captions = [c.value for c in at.caption if c.value.startswith("At iteration 150")]
    assert len(captions) == 2 and "lr_G = 0.0005" in captions[0] and "lr_G = 0.01" in captions[1]
    button(at, "Close the comparison").click().run()
    assert "toy.branch" not in at.session_state
    run.close()
