"""The toy run's GIF: one frame per recorded snapshot, the stated size, the run's own curves."""
import io

import numpy as np
from PIL import Image

from gan_core.toy.distributions import preset
from gan_core.toy.live import ToyRun
from ui.toy_gif import SIZE, toy_gif


def test_the_gif_has_one_frame_per_recorded_snapshot():
    run = ToyRun({"data": preset("Gaussian"), "noise": "normal", "width": 16, "seed": 0, "train": {}})
    run.snapshot()
    for _ in range(6):
        run.trainer.train(20)
        run.snapshot()
    views = run.do("rewind_views")
    assert [v["iteration"] for v in views] == [0, 20, 40, 60, 80, 100, 120]
    gif = Image.open(io.BytesIO(toy_gif(views)))
    assert gif.format == "GIF" and gif.n_frames == 7 and gif.size == SIZE
    gif.seek(6)
    frame = np.asarray(gif.convert("RGB"))
    greens = ((frame[..., 1] > 140) & (frame[..., 0] < 80) & (frame[..., 2] < 80)).sum()
    blues = ((frame[..., 2] > 150) & (frame[..., 0] < 60)).sum()
    assert greens > 50 and blues > 50            # p_g (green) and D (blue) are drawn
    assert toy_gif([]) == b""
