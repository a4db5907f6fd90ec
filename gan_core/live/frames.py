"""What a run records while it trains, in bounded memory: frames for a GIF of the run, and
snapshots to rewind to.

A timeline keeps at most ``limit`` entries. It records one every ``every`` iterations; when
full, it drops every other entry and records half as often, so it always spans the whole run
(early entries ever sparser) and a run of an hour costs no more than one of a minute.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw


class Timeline:
    def __init__(self, every: int = 10, limit: int = 100):
        if every < 1 or limit < 2:
            raise ValueError("a recorder needs every >= 1 and limit >= 2.")
        self.every, self.limit = every, limit
        self.frames: list[tuple[int, object]] = []   # (iteration, what was recorded), iterations ascending

    def due(self, iteration: int) -> bool:
        """True when ``iteration`` reached the next multiple of ``every`` since the last frame."""
        if not self.frames:
            return True
        return iteration // self.every > self.frames[-1][0] // self.every

    def add(self, iteration: int, item) -> None:
        if self.frames and self.frames[-1][0] == iteration:
            return
        self.frames.append((iteration, item))
        if len(self.frames) > self.limit:
            self.frames = self.frames[:-1][::2] + self.frames[-1:]   # the newest frame always stays
            self.every *= 2

    def clear_after(self, iteration: int) -> None:
        """Forget the entries after ``iteration`` (a run rewound to it)."""
        self.frames = [f for f in self.frames if f[0] <= iteration]

    def iterations(self) -> list[int]:
        return [it for it, _ in self.frames]

    def at(self, iteration: int):
        """The entry recorded at ``iteration``; ValueError if none was."""
        for it, item in self.frames:
            if it == iteration:
                return item
        raise ValueError(f"no snapshot at iteration {iteration}; recorded: {self.iterations()}")


class FrameRecorder(Timeline):
    """Images (uint8, (H, W) or (H, W, 3), one size) over the run, and the GIF they make."""

    def add(self, iteration: int, image: np.ndarray) -> None:
        super().add(iteration, np.asarray(image, dtype=np.uint8))

    def gif(self, frame_ms: int = 200, label: str = "iteration {:,}") -> bytes:
        """The frames as an animated GIF, each with its iteration written in a strip above it;
        the last frame is held three times as long. Empty bytes when no frame was recorded."""
        if not self.frames:
            return b""
        images = [_labelled(img, label.format(it)) for it, img in self.frames]
        durations = [frame_ms] * (len(images) - 1) + [3 * frame_ms]
        buf = io.BytesIO()
        images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
        return buf.getvalue()


def _labelled(image: np.ndarray, text: str) -> Image.Image:
    """An image with a 14-pixel white strip above it holding ``text``."""
    img = Image.fromarray(image).convert("RGB")
    out = Image.new("RGB", (img.width, img.height + 14), "white")
    out.paste(img, (0, 14))
    ImageDraw.Draw(out).text((2, 1), text, fill="black")
    return out
