"""The 1-D toy run as an animated GIF: Figure 1 (p_data, p_g, D, D*) at each snapshot the run
recorded while training (gan_core.toy.live: bounded, spread over the whole run). Plain arrays in,
GIF bytes out; drawn with Pillow so no browser is needed. No Streamlit here."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

SIZE = (640, 360)
MARGIN = (40, 30, 40, 20)          # left, top, right, bottom (px)
COLORS = {"p_data": (17, 17, 17), "p_g": (44, 160, 44), "d": (31, 119, 180), "d_star": (214, 39, 40),
          "half": (160, 160, 160), "axis": (90, 90, 90)}


def _frame(view: dict, x_range, y_max: float) -> Image.Image:
    w, h = SIZE
    left, top, right, bottom = MARGIN
    img = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(img)
    x0, x1 = x_range

    def px(x, y, y_top):           # data -> pixel; y in [0, y_top] on the plot's height
        u = left + (np.asarray(x) - x0) / (x1 - x0) * (w - left - right)
        v = h - bottom - np.clip(np.asarray(y) / y_top, 0, 1.02) * (h - top - bottom)
        return list(zip(u.tolist(), v.tolist()))

    draw.line([(left, h - bottom), (w - right, h - bottom)], fill=COLORS["axis"])
    draw.line(px([x0, x1], [0.5, 0.5], 1.0), fill=COLORS["half"])
    x = np.asarray(view["x"])
    for name, top_value, width in (("p_data", y_max, 2), ("p_g", y_max, 2), ("d", 1.0, 2), ("d_star", 1.0, 1)):
        y = np.asarray(view[name], dtype=float)
        ok = np.isfinite(y)        # D* is undefined where both densities vanish: a gap there
        for run in np.split(np.arange(len(y)), np.flatnonzero(np.diff(ok.astype(int))) + 1):
            if ok[run[0]] and len(run) > 1:
                draw.line(px(x[run], y[run], top_value), fill=COLORS[name], width=width)
    for tick in np.linspace(x0, x1, 7)[1:-1]:
        u = px([tick], [0], 1.0)[0][0]
        draw.text((u - 10, h - bottom + 4), f"{tick:.1f}", fill=COLORS["axis"])
    draw.text((left, 6), f"iteration {view['iteration']:,}   JS = {view['js']:.4f} nats", fill=(0, 0, 0))
    legend = [("p_data", "p_data"), ("p_g", "p_g"), ("d", "D"), ("d_star", "D*")]
    for i, (name, label) in enumerate(legend):
        draw.text((w - right - 240 + 60 * i, 6), label, fill=COLORS[name])
    return img


def toy_gif(views: list[dict], frame_ms: int = 250) -> bytes:
    """One frame per recorded snapshot, all on the same axes (x: the union of the grids; densities
    up to 1.2 × the largest p_data, D on [0, 1]); the last frame held three times as long."""
    if not views:
        return b""
    x_range = (min(float(v["x"][0]) for v in views), max(float(v["x"][-1]) for v in views))
    y_max = 1.2 * max(float(np.nanmax(v["p_data"])) for v in views)
    frames = [_frame(v, x_range, y_max) for v in views]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=[frame_ms] * (len(frames) - 1) + [3 * frame_ms])
    return buf.getvalue()
