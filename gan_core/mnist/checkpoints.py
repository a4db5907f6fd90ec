"""MNIST GAN checkpoints: safetensors weights + JSON metadata, validated before anything is built.

A checkpoint is one ``.safetensors`` file:

    8 bytes   little-endian u64 N = length of the JSON header
    N bytes   JSON header: {"__metadata__": {str: str}, "<tensor>": {dtype, shape, data_offsets}}
    the rest  raw little-endian tensor bytes, at data_offsets relative to the end of the header

The ``__metadata__`` strings hold JSON: ``format`` / ``format_version``, ``content`` ("model" or
"training_state"), ``model_config`` (so the file alone rebuilds its nets), ``dataset``, ``step``,
``metrics`` and ``training`` (how it was trained: command, hyperparameters, seconds, device).

Files come from users (the pretrained page accepts uploads), so ``read_checkpoint`` parses the
container itself and checks, in order and with one clear ``CheckpointError`` per case: size
limit, empty/truncated file, header length vs file size, header size cap, header JSON, tensor
entries, offsets inside the data and not overlapping, metadata JSON, format, model config
ranges, expected tensor names, shapes, dtypes (float32 weights) and finite values. Only then
are networks built. A ``.pt`` file is read only with ``torch.load(weights_only=True)`` (which
refuses arbitrary Python objects) and only if it is a plain dict of tensors + string metadata.

The full training state (optimizer moments, RNG, counters, history) is saved the same way:
tensors in safetensors, everything else as JSON. Nothing is ever pickled.
"""
from __future__ import annotations

import io
import json
import math
import os
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save as st_save

from gan_core.mnist.models import ModelConfig, build_models, config_from_dict, config_to_dict
from gan_core.mnist.schema import SchemaError, shown, validate_metadata
from gan_core.mnist.training import MnistTrainer, build_mnist_trainer
from gan_core.trainer import METRICS, TrainConfig

FORMAT = "gan-lab-mnist-gan"
FORMAT_VERSION = 1
DEFAULT_MAX_BYTES = 64 * 1024 * 1024     # shipped models are < 10 MB; a training state < 30 MB
MAX_HEADER_BYTES = 1024 * 1024           # our headers are a few kB; safetensors itself allows 100 MB
MAX_TENSORS = 4096
CONTENTS = ("model", "training_state")
_DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I64": (torch.int64, 8), "U8": (torch.uint8, 1)}
_OPT_KEYS = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer")


class CheckpointError(ValueError):
    """A checkpoint file is damaged, hostile or not one of ours; nothing was loaded."""


@dataclass
class LoadedCheckpoint:
    config: ModelConfig
    G: nn.Module                       # in eval() mode
    D: nn.Module | None                # None when the file holds only the generator
    metadata: dict = field(default_factory=dict)   # parsed JSON values of __metadata__


# ----------------------------------------------------------------------------- reading bytes

def _read_source(src, max_bytes: int) -> tuple[bytes, str]:
    """(bytes, name) from a path, bytes, or a file-like (BytesIO, Streamlit UploadedFile)."""
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if not path.is_file():
            raise CheckpointError(f"{path.name}: no such file.")
        size = path.stat().st_size
        if size > max_bytes:
            raise CheckpointError(f"{path.name}: file is {size:,} bytes, over the {max_bytes:,}-byte limit.")
        return path.read_bytes(), path.name
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
    elif hasattr(src, "getvalue"):
        data = src.getvalue()
    elif hasattr(src, "read"):
        data = src.read(max_bytes + 1)
    else:
        raise CheckpointError(f"cannot read a checkpoint from {type(src).__name__}.")
    name = getattr(src, "name", "uploaded file")
    if len(data) > max_bytes:
        raise CheckpointError(f"{name}: file is over the {max_bytes:,}-byte limit.")
    return bytes(data), str(name)


def _parse_safetensors(data: bytes, name: str) -> tuple[dict, dict]:
    """Validate the container and return ({tensor name: tensor}, {metadata key: str})."""
    if len(data) == 0:
        raise CheckpointError(f"{name}: the file is empty.")
    if len(data) < 8:
        raise CheckpointError(f"{name}: truncated: {len(data)} bytes, too short for the 8-byte header length.")
    if data[:64].lstrip()[:1] == b"{" and not _looks_like_safetensors(data):   # text JSON, not a length
        raise CheckpointError(f"{name}: this is JSON, the metadata file written beside a checkpoint, not the "
                              "checkpoint itself; pass the .safetensors file.")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES:
        raise CheckpointError(f"{name}: header length {n:,} bytes is over the {MAX_HEADER_BYTES:,}-byte cap "
                              "(oversized or corrupt header).")
    if 8 + n > len(data):
        raise CheckpointError(f"{name}: truncated or corrupt: the header claims {n:,} bytes but the file has "
                              f"only {len(data) - 8:,} after the length field.")
    try:
        header = _json(data[8:8 + n].decode("utf-8"))
    except ValueError as e:  # UnicodeDecodeError, JSONDecodeError, too deep or too long a number
        raise CheckpointError(f"{name}: the header is not valid JSON ({e}).") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{name}: the header must be a JSON object.")
    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise CheckpointError(f"{name}: __metadata__ must map strings to strings.")
    if len(header) > MAX_TENSORS:
        raise CheckpointError(f"{name}: {len(header)} tensors is more than any of our models has.")
    body = memoryview(data)[8 + n:]
    spans, tensors = [], {}
    for key, entry in header.items():
        if not (isinstance(entry, dict) and set(entry) == {"dtype", "shape", "data_offsets"}):
            raise CheckpointError(f"{name}: tensor {shown(key)}: entry must have exactly dtype, shape, data_offsets.")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise CheckpointError(f"{name}: tensor {shown(key)} has dtype {shown(dtype)}; only float32 weights are "
                                  "accepted.")
        if not (isinstance(shape, list) and len(shape) <= 8
                and all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**31 for s in shape)):
            raise CheckpointError(f"{name}: tensor {shown(key)} has an invalid shape {shown(shape)}.")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
            raise CheckpointError(f"{name}: tensor {shown(key)} has invalid data_offsets {shown(offsets)}.")
        begin, end = offsets
        if not 0 <= begin <= end <= len(body):
            raise CheckpointError(f"{name}: tensor {shown(key)}: data_offsets [{begin}, {end}] fall outside the "
                                  f"{len(body):,}-byte data section (truncated or corrupt file).")
        torch_dtype, itemsize = _DTYPES[dtype]
        if end - begin != math.prod(shape) * itemsize:
            raise CheckpointError(f"{name}: tensor {shown(key)}: {end - begin} bytes do not match shape {shape} of {dtype}.")
        spans.append((begin, end, key))
    spans.sort()
    for (b0, e0, k0), (b1, e1, k1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise CheckpointError(f"{name}: tensors {shown(k0)} and {shown(k1)} overlap in the file (offsets "
                                  f"[{b0}, {e0}] and [{b1}, {e1}]).")
    for begin, end, key in spans:
        torch_dtype, _ = _DTYPES[header[key]["dtype"]]
        raw = bytearray(body[begin:end])
        t = torch.frombuffer(raw, dtype=torch_dtype) if raw else torch.empty(0, dtype=torch_dtype)
        tensors[key] = t.reshape(header[key]["shape"])
    return tensors, meta


def _parse_pt(data: bytes, name: str) -> tuple[dict, dict]:
    """A .pt file: only ``torch.load(weights_only=True)``; then a flat dict of tensors + metadata."""
    try:
        obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError for anything beyond tensors and plain containers
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"{name}: refused: a .pt file may hold only tensors and metadata, and this one "
                              f"could not be read safely ({first[:200]}).") from None
    if not isinstance(obj, dict):
        raise CheckpointError(f"{name}: a .pt checkpoint must be a dict of tensors (got {type(obj).__name__}).")
    meta = obj.get("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise CheckpointError(f"{name}: __metadata__ must map strings to strings.")
    tensors = {}
    for k, v in obj.items():
        if k == "__metadata__":
            continue
        if not isinstance(k, str) or not isinstance(v, torch.Tensor):
            raise CheckpointError(f"{name}: entry {shown(k)} is not a tensor; a .pt checkpoint must be a plain dict of tensors.")
        # only plain dense CPU tensors of the dtypes a safetensors file may hold: a sparse, quantized
        # or meta tensor would fail later checks with errors of its own
        if (v.layout != torch.strided or v.is_quantized or v.device.type != "cpu" or v.is_nested
                or v.dtype not in [d for d, _ in _DTYPES.values()]):
            raise CheckpointError(f"{name}: entry {shown(k)} is a {v.layout} {v.dtype} tensor; only dense float32 "
                                  "weights are accepted.")
        tensors[k] = v
    if len(tensors) > MAX_TENSORS:
        raise CheckpointError(f"{name}: {len(tensors)} tensors is more than any of our models has.")
    return tensors, meta


def _is_pickle_or_zip(data: bytes) -> bool:
    return data[:2] == b"PK" or data[:1] == b"\x80"  # torch zip archive, or a raw pickle stream


def _looks_like_safetensors(data: bytes) -> bool:
    """8-byte little-endian header length, then the JSON header's opening brace. (A header
    length of 128 + 256·j starts with byte 0x80 too, like a pickle: the brace tells them apart.)"""
    return len(data) > 8 and data[8:9] == b"{"


def read_checkpoint(src, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[dict, dict]:
    """Validated ({name: tensor}, parsed metadata) of a checkpoint; raises CheckpointError."""
    data, name = _read_source(src, max_bytes)
    is_pt_name = name.endswith(".pt") or name.endswith(".pth")
    if is_pt_name or (not _looks_like_safetensors(data) and _is_pickle_or_zip(data)):
        if len(data) == 0:
            raise CheckpointError(f"{name}: the file is empty.")
        tensors, raw_meta = _parse_pt(data, name)
    else:
        tensors, raw_meta = _parse_safetensors(data, name)
    meta = _parse_metadata(raw_meta, name)
    _check_tensors(tensors, meta, name)
    return tensors, meta


# ----------------------------------------------------------------------------- metadata and expected contents

def _json(text: str):
    """json.loads that raises only ValueError: nesting too deep for Python's parser
    (RecursionError) and integers too long to convert become ValueError too."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _parse_metadata(raw: dict, name: str) -> dict:
    """Parsed metadata: format checks first (is it ours at all?), then the schema of every field read."""
    meta = {}
    for k, v in raw.items():
        try:
            meta[k] = _json(v)
        except ValueError as e:
            raise CheckpointError(f"{name}: metadata {shown(k)} is not valid JSON ({str(e)[:200]}).") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{name}: not a GAN Lab MNIST checkpoint (metadata format is {shown(meta.get('format'))}, "
                              f"expected {FORMAT!r}).")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{name}: format version {shown(meta.get('format_version'))} is not supported "
                              f"(this app reads version {FORMAT_VERSION}).")
    if meta.get("content") not in CONTENTS:
        raise CheckpointError(f"{name}: content must be one of {list(CONTENTS)} (got {shown(meta.get('content'))}).")
    try:
        meta["model_config"] = config_from_dict(meta.get("model_config"))
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"{name}: model config rejected: {str(e)[:300]}") from None
    try:
        meta = validate_metadata(meta, training_state=meta["content"] == "training_state")
    except SchemaError as e:
        raise CheckpointError(f"{name}: metadata {e}") from None
    if "train_config" in meta:
        try:
            meta["train_config"] = TrainConfig(**meta["train_config"])
        except (ValueError, TypeError) as e:
            raise CheckpointError(f"{name}: training config rejected: {str(e)[:300]}") from None
    return meta


def _expected_weights(config: ModelConfig) -> dict[str, torch.Size]:
    """Weight names -> shapes of G (``G.*``) and D (``D.*``), without batch-norm counters."""
    with torch.device("meta"):
        G, D = build_models(config)
    out = {}
    for prefix, net in (("G", G), ("D", D)):
        for k, v in net.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                out[f"{prefix}.{k}"] = v.shape
    return out


def _check_tensors(tensors: dict, meta: dict, name: str) -> None:
    expected = _expected_weights(meta["model_config"])
    weights = {k: v for k, v in tensors.items() if k.startswith(("G.", "D."))}
    required = {k for k in expected if k.startswith("G.")}
    has_d = any(k.startswith("D.") for k in weights)
    if has_d or meta["content"] == "training_state":
        required |= {k for k in expected if k.startswith("D.")}
    missing, unexpected = sorted(required - set(weights)), sorted(set(weights) - set(expected))
    if meta["content"] == "model":
        unexpected += sorted(set(tensors) - set(weights))
    if missing or unexpected:
        raise CheckpointError(f"{name}: tensor names do not match the {meta['model_config'].kind} model: "
                              f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                              f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''}.")
    for k, t in weights.items():
        if t.dtype != torch.float32:
            raise CheckpointError(f"{name}: weight {shown(k)} has dtype {t.dtype}; only float32 weights are accepted.")
        if t.shape != expected[k]:
            raise CheckpointError(f"{name}: weight {shown(k)} has shape {tuple(t.shape)}, the model needs "
                                  f"{tuple(expected[k])}.")
        if not bool(torch.isfinite(t).all()):
            raise CheckpointError(f"{name}: weight {shown(k)} contains NaN or infinite values.")
    if meta["content"] == "training_state":
        _check_state_tensors(tensors, meta["model_config"], name)


def _check_state_tensors(tensors: dict, config: ModelConfig, name: str) -> None:
    with torch.device("meta"):
        G, D = build_models(config)
    shapes = {"G": [p.shape for p in G.parameters()], "D": [p.shape for p in D.parameters()]}
    for k, t in tensors.items():
        if k.startswith(("G.", "D.")):
            continue
        parts = k.split(".")
        if k == "rng" and t.dtype == torch.uint8 and t.ndim == 1:
            continue
        if (parts[0] == "history" and len(parts) == 2 and parts[1] in ("iteration",) + METRICS
                and t.dtype == torch.float64 and t.ndim == 1):
            continue
        if (len(parts) == 4 and parts[0] in ("opt_d", "opt_g") and parts[1] == "state"
                and parts[2].isascii() and parts[2].isdigit() and len(parts[2]) < 6 and parts[3] in _OPT_KEYS):
            params = shapes["D" if parts[0] == "opt_d" else "G"]
            i = int(parts[2])
            want = torch.Size([]) if parts[3] == "step" else (params[i] if i < len(params) else None)
            if want is not None and t.shape == want and t.dtype == torch.float32:
                if not bool(torch.isfinite(t).all()):
                    raise CheckpointError(f"{name}: optimizer state {shown(k)} contains NaN or infinite values.")
                if parts[3] in ("step", "exp_avg_sq", "max_exp_avg_sq") and bool((t < 0).any()):
                    raise CheckpointError(f"{name}: optimizer state {shown(k)} is negative; it is a count or a "
                                          "mean of squares.")
                continue
        raise CheckpointError(f"{name}: unexpected tensor {shown(k)} {tuple(t.shape)} {t.dtype} in a training state.")
    lengths = {len(t) for k, t in tensors.items() if k.startswith("history.")}
    if len(lengths) > 1:
        raise CheckpointError(f"{name}: history columns have different lengths {sorted(lengths)}.")


# ----------------------------------------------------------------------------- models: save / load

def _models_of(obj) -> tuple[nn.Module, nn.Module | None, ModelConfig]:
    if isinstance(obj, MnistTrainer):
        return obj.G, obj.D, obj.model_config
    if isinstance(obj, (tuple, list)):
        G, D = obj
    else:
        G, D = obj, None
    return G, D, G.config


def _weights(prefix: str, net: nn.Module) -> dict[str, torch.Tensor]:
    return {f"{prefix}.{k}": v.detach().to("cpu", torch.float32).contiguous()
            for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}


def _metadata(content: str, config: ModelConfig, **values) -> dict[str, str]:
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "content": content,
            "model_config": config_to_dict(config)}
    meta.update({k: v for k, v in values.items() if v is not None})
    return {k: json.dumps(v) for k, v in meta.items()}


def _write(dest, blob: bytes) -> None:
    if isinstance(dest, (str, os.PathLike)):
        path = Path(dest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    else:
        dest.write(blob)


def save_checkpoint(dest, trainer_or_models, *, include_discriminator: bool = True, dataset: str | None = None,
                    step: int | None = None, metrics: dict | None = None, training: dict | None = None) -> bytes:
    """Write the nets (G, and D unless told not to) to a path or file-like; returns the bytes.

    ``trainer_or_models``: a trainer from ``build_mnist_trainer``, a (G, D) pair, or G alone.
    ``training`` describes how it was trained (command, hyperparameters, seconds, device);
    for a trainer, dataset, step and the train config are filled in.
    """
    G, D, config = _models_of(trainer_or_models)
    if isinstance(trainer_or_models, MnistTrainer):
        t = trainer_or_models
        dataset = dataset or t.dataset
        step = t.iteration if step is None else step
        training = {"train_config": asdict(t.config), "train_seconds": round(t.train_seconds, 1),
                    "device": str(t.device), "torch": torch.__version__, **(training or {})}
    tensors = _weights("G", G)
    if D is not None and include_discriminator:
        tensors |= _weights("D", D)
    blob = st_save(tensors, metadata=_metadata("model", config, dataset=dataset, step=step,
                                                metrics=metrics, training=training))
    _write(dest, blob)
    return blob


def load_checkpoint(src, max_bytes: int = DEFAULT_MAX_BYTES, device: str | torch.device = "cpu") -> LoadedCheckpoint:
    """Validate a checkpoint (path, bytes or upload), then build its nets in eval() mode.

    Also accepts a training-state file (its G and D are returned). Raises CheckpointError.
    """
    tensors, meta = read_checkpoint(src, max_bytes)
    config = meta["model_config"]
    G, D = build_models(config)
    _load_weights(G, "G", tensors)
    has_d = any(k.startswith("D.") for k in tensors)
    if has_d:
        _load_weights(D, "D", tensors)
    return LoadedCheckpoint(config, G.to(device).eval(), D.to(device).eval() if has_d else None, meta)


def _load_weights(net: nn.Module, prefix: str, tensors: dict, counters: dict | None = None) -> None:
    state = net.state_dict()
    for k in state:
        if k.endswith("num_batches_tracked"):
            value = (counters or {}).get(f"{prefix}.{k}", 0)
            state[k] = torch.tensor(int(value), dtype=torch.int64)
        else:
            state[k] = tensors[f"{prefix}.{k}"]
    net.load_state_dict(state)


# ----------------------------------------------------------------------------- full training state

def save_training_state(dest, trainer: MnistTrainer, training: dict | None = None) -> bytes:
    """Everything needed to resume exactly: nets, optimizer moments, RNG, counters, history."""
    state = trainer.state_dict()
    tensors = _weights("G", trainer.G) | _weights("D", trainer.D)
    counters = {f"{p}.{k}": int(v) for p, net in (("G", trainer.G), ("D", trainer.D))
                for k, v in net.state_dict().items() if k.endswith("num_batches_tracked")}
    groups = {}
    for opt_name in ("opt_d", "opt_g"):
        opt_state = state[opt_name]
        groups[opt_name] = opt_state["param_groups"]
        for i, per_param in opt_state["state"].items():
            for key, value in per_param.items():
                if key not in _OPT_KEYS or not isinstance(value, torch.Tensor):
                    raise ValueError(f"cannot save optimizer state {key!r} of type {type(value).__name__}.")
                tensors[f"{opt_name}.state.{i}.{key}"] = value.detach().to("cpu", torch.float32).reshape(
                    () if key == "step" else value.shape).contiguous()
    tensors["rng"] = state["gen"].cpu().contiguous()
    history = state["history"]
    for m in ("iteration",) + METRICS:  # float64: NaN marks a metric a lone D or G step lacks
        tensors[f"history.{m}"] = torch.tensor(np.asarray(history[m], dtype=np.float64))
    blob = st_save(tensors, metadata=_metadata(
        "training_state", trainer.model_config, dataset=trainer.dataset, step=trainer.iteration,
        train_config=asdict(trainer.config), counters=state["counters"], param_groups=groups,
        bn_counters=counters, rng_device=trainer.device.type,
        training={"train_seconds": round(trainer.train_seconds, 3), **(training or {})}))
    _write(dest, blob)
    return blob


def _trainer_state(tensors: dict, meta: dict, trainer: MnistTrainer) -> dict:
    """Rebuild the dict ``GANTrainer.load_state_dict`` takes from validated tensors + metadata."""
    G, D = build_models(meta["model_config"])
    _load_weights(G, "G", tensors, meta.get("bn_counters"))
    _load_weights(D, "D", tensors, meta.get("bn_counters"))
    opts = {}
    for opt_name, net in (("opt_d", trainer.D), ("opt_g", trainer.G)):
        # the file's hyperparameters (checked by the schema) over the fresh optimizer's own group,
        # so a key an older torch did not write keeps this torch's default
        fresh = {k: v for k, v in getattr(trainer, opt_name).param_groups[0].items() if k != "params"}
        groups = [fresh | g for g in meta["param_groups"][opt_name]]
        for g in groups:
            if "betas" in g:
                g["betas"] = tuple(g["betas"])
        params, per_param = list(net.parameters()), {}
        for k, t in tensors.items():
            parts = k.split(".")
            if parts[0] == opt_name:
                i = int(parts[2])
                # same strides as the parameter (channels-last nets): fused Adam works on raw memory
                value = t.to(trainer.device) if parts[3] == "step" else torch.empty_like(params[i]).copy_(t)
                per_param.setdefault(i, {})[parts[3]] = value
        opts[opt_name] = {"state": per_param, "param_groups": groups}
    gen = tensors["rng"] if meta.get("rng_device") == trainer.device.type else trainer.gen.get_state()
    c = meta["counters"]
    history = {m: tensors[f"history.{m}"].tolist() for m in ("iteration",) + METRICS}
    return {"G": G.state_dict(), "D": D.state_dict(), "opt_d": opts["opt_d"], "opt_g": opts["opt_g"],
            "gen": gen, "config": asdict(meta["train_config"]), "history": history,
            "counters": {k: int(c[k]) for k in ("iteration", "d_steps", "g_steps")}}


def restore_training_state(trainer: MnistTrainer, src, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """Load a training state into an existing trainer of the same model; returns the metadata.

    Everything is validated first; on any error the trainer is untouched.
    """
    tensors, meta = read_checkpoint(src, max_bytes)
    return _restore(trainer, tensors, meta)


def _restore(trainer: MnistTrainer, tensors: dict, meta: dict) -> dict:
    if meta["content"] != "training_state":
        raise CheckpointError("this file holds model weights only, not a resumable training state.")
    if meta["model_config"] != trainer.model_config:
        raise CheckpointError(f"the file's model {meta['model_config']} differs from the trainer's "
                              f"{trainer.model_config}.")
    try:
        state = _trainer_state(tensors, meta, trainer)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise CheckpointError(f"training state metadata is incomplete or invalid ({e!r}).") from None
    backup = trainer.state_dict()
    try:
        trainer.load_state_dict(state)
    except Exception as e:
        trainer.load_state_dict(backup)
        raise CheckpointError(f"training state does not fit this trainer ({e}).") from None
    trainer.train_seconds = float(meta.get("training", {}).get("train_seconds", 0.0))
    return meta


def load_training_state(src, data=None, device: str | torch.device = "auto",
                        max_bytes: int = DEFAULT_MAX_BYTES) -> MnistTrainer:
    """A trainer rebuilt from a training-state file, ready to continue exactly where it stopped.

    ``data`` defaults to the file's dataset (the embedded digits when that was it).
    """
    tensors, meta = read_checkpoint(src, max_bytes)
    if meta["content"] != "training_state":
        raise CheckpointError("this file holds model weights only, not a resumable training state.")
    dataset = data or meta.get("dataset") or "embedded"
    trainer = build_mnist_trainer(meta["model_config"], meta["train_config"], data=dataset, device=device)
    _restore(trainer, tensors, meta)
    return trainer
