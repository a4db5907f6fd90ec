"""AppTest: the pretrained page with a checkpoint saved here (tiny training), and hostile uploads."""
import io
import json
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as st_save
from streamlit.testing.v1 import AppTest

from gan_core.mnist.checkpoints import save_checkpoint
from gan_core.mnist.training import build_mnist_trainer, load_images
from gan_core.mnist.models import CGANConfig, DCGANConfig
from gan_core.mnist.session import PAGE_MAX_BYTES
from gan_core.trainer import TrainConfig
from tests.apptest import metric, page_path

PAGE = page_path("pretrained.py")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pretrained")
    images = load_images("embedded")[:2]
    for config in (DCGANConfig(), CGANConfig()):
        trainer = build_mnist_trainer(config, TrainConfig(batch_size=8), images=images, data="embedded-mnist")
        trainer.train(2)
        save_checkpoint(folder / f"{config.kind}.safetensors", trainer, metrics={"fid": 123.4, "fid_real_floor": 30.1})
    (folder / "mnist_classifier.safetensors").write_bytes(b"not a GAN")  # never listed
    return folder


@pytest.fixture
def at(shipped, monkeypatch):
    monkeypatch.setenv("GAN_LAB_PRETRAINED", str(shipped))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    return at


def test_lists_gan_checkpoints_and_shows_metadata(at):
    assert at.radio(key="pre.choice").options == ["cgan", "dcgan"]
    assert any(m.label.startswith("FID") and m.value == "123.4" for m in at.metric)
    assert len(at.get("image")) >= 4   # class grid, interpolation frame and strip, neighbours


def test_new_samples_are_seeded_and_interpolation_moves(at):
    at.radio(key="pre.choice").set_value("dcgan").run()
    images = lambda: [i.proto.imgs[0].url for i in at.get("image")]  # noqa: E731
    before = images()
    at.button(key="pre.new").click().run()
    assert at.number_input(key="pre.seed").value == 1
    after = images()
    assert after[0] != before[0] and after[1:3] == before[1:3]  # new samples (and neighbours); same interpolation
    at.slider(key="pre.t").set_value(1.0).run()
    moved = images()
    assert moved[1] != after[1] and moved[2] == after[2]      # the frame at t moves; the strip does not
    assert not at.exception


def test_models_on_the_page_are_read_only(at, shipped):
    at.file_uploader(key="pre.upload").upload("mine.safetensors", (shipped / "dcgan.safetensors").read_bytes()).run()
    ckpt = at.session_state["pre.uploaded"]["ckpt"]
    for net in (ckpt.G, ckpt.D):
        assert not net.training and not any(p.requires_grad for p in net.parameters())


def test_continue_training_hands_the_file_to_the_live_page(at, shipped):
    at.radio(key="pre.choice").set_value("dcgan").run()
    at.button(key="pre.continue").click().run()
    incoming = at.session_state["mnist.incoming"]
    assert incoming["name"] == "dcgan.safetensors"
    assert incoming["data"] == (shipped / "dcgan.safetensors").read_bytes()


def _safetensors(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


def _tampered(shipped, change) -> bytes:
    """The dcgan checkpoint with its tensors changed by `change(dict) -> dict`."""
    from safetensors.torch import load as st_load
    blob = (shipped / "dcgan.safetensors").read_bytes()
    n = struct.unpack("<Q", blob[:8])[0]
    meta = json.loads(blob[8:8 + n])["__metadata__"]
    return st_save(change(st_load(blob)), metadata=meta)


class Evil:
    def __reduce__(self):
        return (print, ("owned",))


def bad_files(shipped):
    pickled = io.BytesIO()
    torch.save({"G.x": Evil()}, pickled)
    good = (shipped / "dcgan.safetensors").read_bytes()
    n = struct.unpack("<Q", good[:8])[0]
    header = json.loads(good[8:8 + n])
    first, second = [k for k in header if k != "__metadata__"][:2]
    overlap = json.loads(good[8:8 + n])
    overlap[second]["data_offsets"] = overlap[first]["data_offsets"]
    overlap[second]["shape"], overlap[second]["dtype"] = overlap[first]["shape"], overlap[first]["dtype"]
    return {
        "pickle with code": ("evil.pt", pickled.getvalue(), "refused"),
        "empty": ("empty.safetensors", b"", "empty"),
        "oversized header": ("big.safetensors", struct.pack("<Q", 2**40) + b"{}", "header length"),
        "overlapping offsets": ("overlap.safetensors", _safetensors(overlap, good[8 + n:]), "overlap"),
        "wrong keys": ("keys.safetensors", _tampered(shipped, lambda t: {k.replace("G.", "G.x", 1): v
                                                                         for k, v in t.items()}), "names"),
        "wrong shapes": ("shape.safetensors", _tampered(shipped, lambda t: {k: (v[:1] if k == first else v)
                                                                            for k, v in t.items()}), "shape"),
        "wrong dtype": ("dtype.safetensors", _tampered(shipped, lambda t: {k: (v.double() if k == first else v)
                                                                           for k, v in t.items()}), "dtype"),
        "NaN weights": ("nan.safetensors", _tampered(shipped, lambda t: {k: (v * float("nan") if k == first else v)
                                                                         for k, v in t.items()}), "NaN"),
        "over the size limit": ("huge.safetensors", b"\0" * (PAGE_MAX_BYTES + 1), "limit"),
        "not a checkpoint": ("text.safetensors", b"hello world, not a model at all", "header"),
    }


@pytest.mark.parametrize("case", ["pickle with code", "empty", "oversized header", "overlapping offsets",
                                  "wrong keys", "wrong shapes", "wrong dtype", "NaN weights",
                                  "over the size limit", "not a checkpoint"])
def test_every_bad_upload_gets_a_message_and_changes_nothing(at, shipped, case, capsys):
    good = (shipped / "cgan.safetensors").read_bytes()
    at.file_uploader(key="pre.upload").upload("mine.safetensors", good).run()
    assert at.radio(key="pre.choice").value == "uploaded: mine.safetensors"
    model = at.session_state["pre.uploaded"]["ckpt"]
    name, data, words = bad_files(shipped)[case]
    at.file_uploader(key="pre.upload").upload(name, data).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "refused" in errors[0] and words.lower() in errors[0].lower(), errors
    assert at.session_state["pre.uploaded"]["ckpt"] is model          # the loaded model is as it was
    assert at.radio(key="pre.choice").value == "uploaded: mine.safetensors"
    assert "owned" not in capsys.readouterr().out                       # no code from the file ran


def test_shipped_checkpoints_show_how_they_were_made(monkeypatch):
    """The real files in pretrained/: the page says which iteration the weights are from and the command."""
    folder = Path(__file__).resolve().parents[1] / "pretrained"
    monkeypatch.setenv("GAN_LAB_PRETRAINED", str(folder))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    for name in at.radio(key="pre.choice").options:
        at.radio(key="pre.choice").set_value(name).run()
        info = json.loads((folder / f"{name}.json").read_text())
        sel = info["selected"]
        assert any(f"Weights from iteration {sel['iteration']:,} of {sel['of_iterations']:,}" in c.value
                   for c in at.caption)
        assert info["command"] in [c.value for c in at.code]
        assert metric(at, "FID") == f"{info['quality']['fid']:.1f}"
        assert metric(at, "iteration") == f"{sel['iteration']:,}"
