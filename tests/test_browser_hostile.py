"""Crafted uploads in real Chromium: a message each, no exception box, no server path, the model kept."""
import json
import struct
import time
from pathlib import Path

from tests.browser import metric_value, page_exceptions, screenshot, wait_rendered

ROOT = Path(__file__).resolve().parents[1]


def _edited(src: str, edit) -> bytes:
    """A shipped checkpoint with its JSON header changed by ``edit(header)``: one edit away from it."""
    blob = (ROOT / "pretrained" / src).read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    edit(header)
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + blob[8 + n:]


def _set_meta(field, value):
    def edit(header):
        top, *rest = field.split(".")
        meta = header["__metadata__"]
        doc = json.loads(meta[top]) if rest else None
        if rest:
            node = doc
            for part in rest[:-1]:
                node = node[part]
            if value is None:
                del node[rest[-1]]
            else:
                node[rest[-1]] = value
        meta[top] = json.dumps(doc if rest else value)
    return edit


def _list_dtype(header):
    header[next(k for k in header if k != "__metadata__")]["dtype"] = ["F32"]


CRAFTED = {
    "step_abc.safetensors": ("cgan.safetensors", _set_meta("step", "abc"), "metadata step"),
    "fid_x.safetensors": ("cgan.safetensors", _set_meta("metrics.fid", "x"), "metrics.fid"),
    "no_iteration.safetensors": ("cgan.safetensors", _set_meta("training.selected.iteration", None),
                                 "training.selected.iteration"),
    "list_dtype.safetensors": ("mlp_gan.safetensors", _list_dtype, "dtype"),
}


def _grid(page) -> str:
    return page.locator('[data-testid="stImage"] img').first.get_attribute("src", timeout=30_000)


def test_crafted_uploads_get_a_message_and_the_model_stays(app_url, browser_page, tmp_path):
    good = tmp_path / "good.safetensors"
    good.write_bytes((ROOT / "pretrained" / "dcgan.safetensors").read_bytes())
    page = browser_page
    page.goto(f"{app_url}/pretrained")
    wait_rendered(page, 120_000)
    page.get_by_text("upload a checkpoint").wait_for(timeout=120_000)  # a first visit reruns once
    time.sleep(1.0)
    wait_rendered(page, 120_000)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    upload.set_input_files(str(good))
    page.get_by_text("Loaded good.safetensors").wait_for(timeout=120_000)
    wait_rendered(page, 120_000)
    grid, iteration = _grid(page), metric_value(page, "iteration")

    for name, (src, edit, words) in CRAFTED.items():
        path = tmp_path / name
        path.write_bytes(_edited(src, edit))
        upload.set_input_files(str(path))
        page.get_by_text(f"{name}: metadata" if words != "dtype" else f"{name}: tensor").first.wait_for(timeout=60_000)
        wait_rendered(page, 60_000)
        alert = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "Upload refused, nothing changed" in alert and words in alert, alert
        assert page_exceptions(page) == []
        text = page.locator('[data-testid="stApp"]').inner_text()
        assert str(ROOT) not in text and "Traceback" not in text
        assert _grid(page) == grid and metric_value(page, "iteration") == iteration  # the model shown before
        screenshot(page, f"hostile_{path.stem}")
