"""The frame recorder behind the run GIFs: bounded in memory, spanning the whole run, a real GIF."""
import io

import numpy as np
import pytest
from PIL import Image

from gan_core.live.frames import FrameRecorder


def test_the_recorder_stays_bounded_and_keeps_the_first_and_newest_frames():
    rec = FrameRecorder(every=10, limit=8)
    for it in range(0, 2001):
        if rec.due(it):
            rec.add(it, np.full((4, 6), it % 256, dtype=np.uint8))
    its = [i for i, _ in rec.frames]
    assert len(its) <= 8 and its[0] == 0 and its == sorted(its)
    assert its[-1] >= 2000 - rec.every            # the newest frame is recent
    assert rec.every > 10                         # it records less often as the run grows
    rec.clear_after(500)
    assert all(i <= 500 for i, _ in rec.frames)


def test_the_gif_holds_one_labelled_frame_per_recorded_frame():
    rec = FrameRecorder(every=1, limit=100)
    for it in range(5):
        rec.add(it, np.full((20, 30), 50 * it, dtype=np.uint8))
    gif = Image.open(io.BytesIO(rec.gif()))
    assert gif.format == "GIF" and gif.n_frames == 5
    assert gif.size == (30, 20 + 14)              # the image under a 14-pixel label strip
    assert FrameRecorder().gif() == b""
    with pytest.raises(ValueError):
        FrameRecorder(every=0)
