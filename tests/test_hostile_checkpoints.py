"""Property-based: any mutation of a real checkpoint or training state loads or gets a CheckpointError.

The longer run (100,000 cases) is bench/fuzz_checkpoints.py; this is its quick form in the suite,
plus the crafted files one edit away from the shipped ones.
"""
import json
import struct
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_checkpoints import join, mutate, seed_files, split, try_case
from gan_core.mnist.checkpoints import CheckpointError, load_checkpoint, read_checkpoint
from gan_core.mnist.schema import summary

ROOT = Path(__file__).resolve().parents[1]
SEEDS = seed_files()
MLP, STATE = SEEDS["mlp_gan.safetensors"], SEEDS["state.safetensors"]
CGAN = (ROOT / "pretrained" / "cgan.safetensors").read_bytes()
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)


def _outcome(blob: bytes) -> str:
    """Read, summarise, build or resume and train one step; any exception but CheckpointError fails."""
    return try_case(blob, "case")


def _refusal(blob: bytes) -> str | None:
    """The refusal message, or None when the file loads; no other exception may come out."""
    try:
        _, meta = read_checkpoint(blob, max_bytes=64 * 2**20)
    except CheckpointError as e:
        return str(e)
    summary(meta)
    return None


def _with_meta(blob: bytes, field: str, value) -> bytes:
    """The file with one metadata path (``metrics.fid``) set to a JSON value (absent key: added)."""
    header, body = split(blob)
    top, *rest = field.split(".")
    meta = header["__metadata__"]
    if not rest:
        meta[top] = json.dumps(value, allow_nan=True)
    else:
        doc = json.loads(meta.get(top, "{}"))
        node = doc
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = value
        meta[top] = json.dumps(doc, allow_nan=True)
    return join(header, body)


# ----------------------------------------------------------------------------- one edit from a shipped file

@pytest.mark.parametrize("field, value, words", [
    ("step", "abc", "step must be an integer"),
    ("metrics.fid", "x", "metrics.fid must be a finite number"),
    ("metrics.fid", float("nan"), "metrics.fid must be a finite number"),
    ("metrics.classes_present", [1], "metrics.classes_present must be an integer"),
    ("training.command", "x" * 5000, "training.command is 5,000 characters long"),
    ("training.selected", {"of_iterations": 5, "every": 1, "selection_n": 1, "selection_seed": 0},
     "training.selected.iteration is missing"),
    ("training.selected.fid_by_iteration", [[1, "a"]], "fid_by_iteration[0][1] must be a finite number"),
    ("dataset", {"a": 1}, "dataset must be a string"),
])
def test_a_shipped_file_with_one_bad_field_is_refused_naming_it(field, value, words):
    message = _refusal(_with_meta(CGAN, field, value))
    assert message is not None and words in message, message
    assert str(ROOT) not in message


def test_fields_the_app_does_not_read_are_dropped_and_nulls_are_absent():
    blob = _with_meta(_with_meta(CGAN, "metrics.fid", None), "training.mystery", {"deep": [1, 2]})
    _, meta = read_checkpoint(blob)
    assert "fid" not in meta["metrics"] and "mystery" not in meta["training"]
    assert summary(meta)["fid"] == "–" and summary(meta)["confident"] == "99%"


def test_a_tensor_whose_dtype_is_a_list_is_refused():
    header, body = split(MLP)
    key = next(k for k in header if k != "__metadata__")
    header[key]["dtype"] = ["F32"]
    with pytest.raises(CheckpointError, match="dtype"):
        read_checkpoint(join(header, body))


@pytest.mark.parametrize("text", ["[" * 100_000, "1" * 5000])
def test_json_too_deep_or_numbers_too_long_are_refused(text):
    header, body = split(MLP)
    header["__metadata__"]["step"] = text
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_checkpoint(join(header, body))
    raw = b"[" * 100_000
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_checkpoint(struct.pack("<Q", len(raw)) + raw)


@pytest.mark.parametrize("field, value", [("param_groups", {"opt_d": [], "opt_g": []}),
                                          ("param_groups", {"opt_d": [{"params": [0], "lr": -1}], "opt_g": []}),
                                          ("counters", {"iteration": 1}), ("train_config", {"seed": "abc"}),
                                          ("bn_counters", {"D.net.1.num_batches_tracked": 1.5}),
                                          ("rng_device", "tpu")])
def test_a_training_state_with_a_bad_field_is_refused(field, value):
    message = _refusal(_with_meta(STATE, field, value))
    assert message is not None and field in message, message


def test_unknown_optimizer_flags_keep_the_fresh_optimizers_values():
    header, body = split(STATE)
    groups = json.loads(header["__metadata__"]["param_groups"])
    groups["opt_d"][0].update(fused=False, foreach=True, amsgrad=True, maximize=True)
    header["__metadata__"]["param_groups"] = json.dumps(groups)
    assert _outcome(join(header, body)) == "loaded"   # trains one step with fused Adam, no amsgrad state


def test_sparse_and_meta_tensors_in_a_pt_file_are_refused(tmp_path):
    tensors, meta = read_checkpoint(MLP)
    header, _ = split(MLP)
    first = next(iter(tensors))
    for odd in (tensors[first].to_sparse(), torch.empty(tensors[first].shape, device="meta")):
        path = tmp_path / "odd.pt"
        torch.save({**tensors, first: odd, "__metadata__": header["__metadata__"]}, path)
        with pytest.raises(CheckpointError):
            load_checkpoint(path)


# ----------------------------------------------------------------------------- properties

@FUZZ
@given(rng=st.randoms(use_true_random=False), which=st.sampled_from(["mlp_gan.safetensors", "state.safetensors"]))
def test_random_mutations_load_or_are_refused(rng, which):
    assert _outcome(mutate(rng, SEEDS[which])) in ("loaded", "refused", "diverged")


FIELDS = ["format", "format_version", "content", "model_config", "model_config.nz", "model_config.kind", "dataset",
          "step", "metrics", "metrics.fid", "metrics.class_shares", "metrics.confident_share", "training",
          "training.command", "training.selected", "training.selected.iteration", "training.train_seconds",
          "training.train_config", "training.train_config.lr_d"]
STATE_FIELDS = FIELDS + ["train_config", "train_config.k", "train_config.seed", "train_config.optimizer",
                         "counters", "counters.iteration", "param_groups", "param_groups.opt_d", "bn_counters",
                         "rng_device"]


@FUZZ
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_any_json_value_in_any_metadata_field_of_a_model(field, value):
    _refusal(_with_meta(MLP, field, value))


@FUZZ
@given(field=st.sampled_from(STATE_FIELDS), value=json_values)
def test_any_json_value_in_any_metadata_field_of_a_training_state(field, value):
    assert _outcome(_with_meta(STATE, field, value)) in ("loaded", "refused", "diverged")


@FUZZ
@given(data=st.data(), which=st.sampled_from([MLP, STATE]))
def test_header_bytes_truncation_and_appended_bytes(data, which):
    (n,) = struct.unpack("<Q", which[:8])
    blob = bytearray(which)
    for i in data.draw(st.lists(st.integers(0, 8 + n - 1), max_size=6)):
        blob[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(blob)))
    tail = data.draw(st.binary(max_size=64))
    message = _refusal(bytes(blob[:cut]) + tail)
    assert message is None or message.strip()


@FUZZ
@given(entry=json_values)
def test_any_json_value_as_a_tensor_entry(entry):
    header, body = split(MLP)
    key = next(k for k in header if k != "__metadata__")
    header[key] = entry
    assert _refusal(join(header, body)) is not None
