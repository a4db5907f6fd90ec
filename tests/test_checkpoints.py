"""Checkpoints: round trips, the full training state, and every hostile or broken file rejected."""
import io
import json
import os
import pickle
import struct

import pytest
import torch
from safetensors.torch import save as st_save

from gan_core.mnist.checkpoints import (FORMAT, CheckpointError, load_checkpoint, read_checkpoint,
                                  restore_training_state, save_checkpoint, save_training_state)
from gan_core.mnist.training import build_mnist_trainer, fixed_noise, generate
from gan_core.mnist.models import CGANConfig, DCGANConfig, MLPGANConfig, build_models, config_to_dict
from gan_core.trainer import TrainConfig

SMALL = DCGANConfig(nz=8, ngf=4, ndf=4)
TINY_DATA = (torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10)


def _trainer(config=SMALL, **train):
    return build_mnist_trainer(config, TrainConfig(batch_size=16, lr_d=1e-3, lr_g=1e-3, **train),
                               data="test digits", device="cpu", images=TINY_DATA)


def _model_bytes(config=SMALL):
    return save_checkpoint(io.BytesIO(), build_models(config, seed=0), metrics={"fid": 1.0})


def _split(blob):
    """(header dict, data bytes) of a safetensors blob."""
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def _join(header, body):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + body


# ----------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("config", [SMALL, MLPGANConfig(nz=8, hidden=32), CGANConfig(nz=8, ngf=4, ndf=4)],
                         ids=lambda c: c.kind)
def test_model_round_trip_is_identical(config, tmp_path):
    trainer = _trainer(config)
    trainer.train(3)
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, trainer, metrics={"fid": 12.5}, training={"command": "test"})
    loaded = load_checkpoint(path)
    assert loaded.config == config
    for a, b in zip(trainer.G.state_dict().values(), loaded.G.state_dict().values()):
        if a.dtype.is_floating_point:
            assert torch.equal(a, b)
    noise = fixed_noise(config, n=8, per_class=1)
    assert torch.equal(generate(trainer.G, *noise), generate(loaded.G, *noise))
    assert loaded.metadata["step"] == 3 and loaded.metadata["dataset"] == "test digits"
    assert loaded.metadata["metrics"] == {"fid": 12.5}
    assert loaded.metadata["training"]["command"] == "test"
    assert loaded.metadata["training"]["train_config"]["batch_size"] == 16


def test_load_from_bytes_and_upload_like_objects_and_generator_only():
    blob = save_checkpoint(io.BytesIO(), build_models(SMALL, seed=0)[0])  # G alone
    for src in (blob, io.BytesIO(blob)):
        loaded = load_checkpoint(src)
        assert loaded.D is None and not loaded.G.training


def test_plain_pt_dict_of_tensors_is_accepted(tmp_path):
    tensors, _ = read_checkpoint(_model_bytes())
    header, _ = _split(_model_bytes())
    path = tmp_path / "model.pt"
    torch.save({**tensors, "__metadata__": header["__metadata__"]}, path)
    assert load_checkpoint(path).config == SMALL


# ----------------------------------------------------------------------------- training state

def test_resume_reproduces_the_same_continuation(tmp_path):
    a = _trainer(seed=5)
    a.train(4)
    a.discriminator_steps(1)
    path = tmp_path / "state.safetensors"
    save_training_state(path, a)
    a.train(5)
    b = _trainer(seed=99)  # different seed: everything must come from the file
    restore_training_state(b, path)
    b.train(5)
    assert a.iteration == b.iteration == 9
    for x, y in zip(list(a.G.state_dict().values()) + list(a.D.state_dict().values()),
                    list(b.G.state_dict().values()) + list(b.D.state_dict().values())):
        assert torch.equal(x, y)
    for k in a.history:
        assert torch.allclose(torch.as_tensor(a.history[k]), torch.as_tensor(b.history[k]), equal_nan=True)
    assert b.config.seed == 5


def test_training_state_is_rejected_by_a_different_model(tmp_path):
    blob = save_training_state(io.BytesIO(), _trainer())
    other = _trainer(DCGANConfig(nz=8, ngf=8, ndf=4))
    before = [p.clone() for p in other.G.parameters()]
    with pytest.raises(CheckpointError, match="differs"):
        restore_training_state(other, blob)
    assert all(torch.equal(p, q) for p, q in zip(before, other.G.parameters()))


def test_model_file_is_not_a_training_state():
    with pytest.raises(CheckpointError, match="not a resumable"):
        restore_training_state(_trainer(), _model_bytes())


# ----------------------------------------------------------------------------- hostile files

class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _OpensFile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("payload", [_RunsCode, _OpensFile])
def test_pickle_that_would_run_code_is_refused_and_never_runs(payload, tmp_path):
    marker = tmp_path / "pwned"
    pt = tmp_path / "evil.pt"
    torch.save({"G.net.0.weight": payload(marker)}, pt)
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(pt)
    raw = tmp_path / "evil.pkl"
    raw.write_bytes(pickle.dumps({"G": payload(marker)}))
    with pytest.raises(CheckpointError):
        load_checkpoint(raw)
    assert not marker.exists()


def test_pt_with_non_tensor_values_is_refused(tmp_path):
    pt = tmp_path / "odd.pt"
    torch.save({"G.x": [1, 2, 3]}, pt)
    with pytest.raises(CheckpointError, match="not a tensor"):
        load_checkpoint(pt)


def _hostile_cases():
    good = _model_bytes()
    header, body = _split(good)
    names = [k for k in header if k != "__metadata__"]
    first, second = sorted(names, key=lambda k: header[k]["data_offsets"][0])[:2]

    def edit(fn):
        h = json.loads(json.dumps(header))
        fn(h)
        return _join(h, body)

    def meta(key, value):
        return edit(lambda h: h["__metadata__"].__setitem__(key, value))

    nan_body = bytearray(body)
    b = header[first]["data_offsets"][0]
    nan_body[b:b + 4] = struct.pack("<f", float("nan"))
    wrong_dtype = {k: v.double() if k == first else v for k, v in read_checkpoint(good)[0].items()}
    bad_shape = {k: (v[:1] if k == first else v) for k, v in read_checkpoint(good)[0].items()}
    md = _split(good)[0]["__metadata__"]
    return {
        "empty": (b"", "empty"),
        "truncated length field": (good[:5], "truncated"),
        "truncated data": (good[:-10], "outside"),
        "header length past end": (struct.pack("<Q", 5000) + b"{}", "truncated or corrupt"),
        "oversized header": (struct.pack("<Q", 1 << 40) + good[8:], "cap"),
        "bad header json": (struct.pack("<Q", 5) + b"{nope" + body, "not valid JSON"),
        "overlapping offsets": (edit(lambda h: h[second].__setitem__(
            "data_offsets", [o - 4 for o in h[second]["data_offsets"]])), "overlap"),
        "offsets beyond file": (edit(lambda h: h[first].__setitem__("data_offsets", [0, 10**9])), "outside"),
        "wrong keys": (edit(lambda h: h.__setitem__("G.evil", h.pop(first))), "names do not match"),
        "wrong shape": (st_save(bad_shape, metadata=md), "shape"),
        "wrong dtype": (st_save(wrong_dtype, metadata=md), "float32"),
        "int dtype in header": (edit(lambda h: h[first].__setitem__("dtype", "I32")), "float32"),
        "nan weights": (_join(header, bytes(nan_body)), "NaN"),
        "bad metadata json": (meta("model_config", "{not json"), "not valid JSON"),
        "not our format": (meta("format", json.dumps("something-else")), "not a GAN Lab"),
        "future version": (meta("format_version", "99"), "version"),
        "config out of range": (meta("model_config", json.dumps({**config_to_dict(SMALL), "nz": 100000})),
                                "nz must be"),
        "unknown model kind": (meta("model_config", json.dumps({"kind": "evil"})), "kind"),
        "metadata not strings": (edit(lambda h: h.__setitem__("__metadata__", {"format": 1})), "strings"),
    }


CASES = _hostile_cases()


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_or_broken_file_is_rejected_with_its_message(case):
    blob, message = CASES[case]
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(blob)


def test_size_limit_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.safetensors"
    path.write_bytes(_model_bytes())
    with pytest.raises(CheckpointError, match="limit"):
        load_checkpoint(path, max_bytes=100)
    with pytest.raises(CheckpointError, match="limit"):
        load_checkpoint(path.read_bytes(), max_bytes=100)


def test_checkpoint_error_is_a_value_error_and_missing_file_is_clear(tmp_path):
    assert issubclass(CheckpointError, ValueError)
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "nothing.safetensors")
    assert FORMAT in _split(_model_bytes())[0]["__metadata__"]["format"]


def test_safetensors_whose_header_length_starts_with_byte_0x80_is_still_safetensors():
    """A header of 128 + 256·j bytes makes the file's first byte 0x80, a pickle's first byte."""
    header, body = _split(_model_bytes())
    raw = json.dumps(header).encode()
    pad = (128 - len(raw)) % 256  # JSON allows trailing spaces in the header
    blob = struct.pack("<Q", len(raw) + pad) + raw + b" " * pad + body
    assert blob[:1] == b"\x80"
    tensors, meta = read_checkpoint(io.BytesIO(blob))
    assert meta["format"] == FORMAT and tensors


# ----------------------------------------------------------------------------- the JSON beside a checkpoint

@pytest.mark.parametrize("command", ["sample", "evaluate"])
def test_the_json_beside_a_checkpoint_is_named_as_such(command, tmp_path):
    """`train` writes run.json beside run.safetensors; passing it reported a 7-quintillion-byte header."""
    from gan_core.cli import main
    out = ["--out", str(tmp_path / "x.npy")] if command == "sample" else []
    with pytest.raises(SystemExit) as exc:
        main([command, "pretrained/cgan.json", *out])
    message = str(exc.value)
    assert "metadata file written beside a checkpoint" in message and "pass the .safetensors file" in message
    assert "header length" not in message


def test_a_checkpoint_whose_first_byte_is_a_brace_still_loads():
    """A header of 123 + 256·j bytes starts the file with 0x7b = '{': still a checkpoint, not JSON."""
    header, body = _split(_model_bytes())
    text = json.dumps(header)
    padded = text + " " * ((123 - len(text)) % 256)      # trailing spaces: the same JSON
    blob = struct.pack("<Q", len(padded)) + padded.encode() + body
    assert blob[:1] == b"{"
    tensors, meta = read_checkpoint(io.BytesIO(blob))
    assert meta["model_config"] == SMALL and tensors
    with pytest.raises(CheckpointError, match="metadata file written beside a checkpoint"):
        read_checkpoint(io.BytesIO(json.dumps({"model": "dcgan", "iterations": 3}, indent=2).encode()))
