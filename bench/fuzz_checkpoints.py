"""Fuzz the checkpoint reader: every mutated file must load or be refused with CheckpointError.

    .venv/bin/python -m bench.fuzz_checkpoints --cases 100000 --seed 0 [--out counts.json]

Seeds: the shipped ``pretrained/mlp_gan.safetensors`` and a small DCGAN training state made
here. Each case takes one seed file and applies one to three mutations: bytes of the header
(length field included), a tensor entry or a metadata value replaced by a JSON value of any
type (null, booleans, integers small, negative and huge, floats with NaN and infinities,
strings short and long, lists, nested objects), a metadata value that is not JSON, keys
deleted or added, the data bytes changed, truncation, bytes appended. A case that loads is
then used as the pages use it: its summary is formatted, and a training state is restored
into a trainer and trained one step. Anything raised other than CheckpointError is an escape:
it is counted by type and the first few are written out with their traceback.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import random
import struct
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

from gan_core.mnist.checkpoints import CheckpointError, load_checkpoint, read_checkpoint, save_training_state  # noqa: E402
from gan_core.mnist.models import DCGANConfig  # noqa: E402
from gan_core.mnist.schema import summary  # noqa: E402
from gan_core.mnist.session import trainer_from_checkpoint  # noqa: E402
from gan_core.mnist.training import build_mnist_trainer  # noqa: E402
from gan_core.trainer import TrainConfig, TrainingDiverged  # noqa: E402

SMALL = DCGANConfig(nz=8, ngf=4, ndf=4)
TINY_DATA = (torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10)


def seed_files() -> dict[str, bytes]:
    trainer = build_mnist_trainer(SMALL, TrainConfig(batch_size=16, lr_d=1e-3, lr_g=1e-3), data="fuzz",
                                  device="cpu", images=TINY_DATA)
    trainer.train(3)
    return {"mlp_gan.safetensors": (ROOT / "pretrained" / "mlp_gan.safetensors").read_bytes(),
            "state.safetensors": save_training_state(io.BytesIO(), trainer)}


def split(blob: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def join(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header, allow_nan=True).encode()
    return struct.pack("<Q", len(raw)) + raw + body


# ----------------------------------------------------------------------------- random JSON values

def json_value(rng: random.Random, depth: int = 0):
    """A JSON value of any type, biased towards the edges (0, -1, huge, NaN, long strings)."""
    kind = rng.randrange(11 if depth < 3 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, 1, -1, 2, 7, 10, 64, 255, 2**31, 2**63, -2**63, 10**30, rng.randrange(-1000, 100000)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 0.5, -1.5, 1e-300, 1e300, math.inf, -math.inf, math.nan, rng.uniform(-1e6, 1e6)])
    if kind == 4:
        return rng.choice(["", "abc", "x" * rng.choice([1, 100, 5000]), "F32", "G.net.0.weight", "model",
                           "training_state", "gan-lab-mnist-gan", "cgan", "mlp", "dcgan", "adam", "ünï©ødé\x00"])
    if kind == 5:  # a number written as a string
        return str(rng.choice([1, -1, 1.5, 10**5]))
    if kind == 6:
        return rng.choice([[], {}, [[]], {"": None}])
    if kind in (7, 8):
        return [json_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 9:
        return {rng.choice(["iteration", "fid", "k", "kind", "a", "lr", "params"]): json_value(rng, depth + 1)
                for _ in range(rng.randrange(4))}
    return [[0] * rng.choice([1, 2, 3]) for _ in range(rng.randrange(1, 4))]


def paths(value, prefix=()):
    """Every path (tuple of keys / indices) into a nested JSON value, the value itself included."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            yield from paths(v, prefix + (i,))


def replace_at(value, path, new):
    if not path:
        return new
    value[path[0]] = replace_at(value[path[0]], path[1:], new)
    return value


def delete_at(value, path):
    parent = value
    for p in path[:-1]:
        parent = parent[p]
    del parent[path[-1]]
    return value


# ----------------------------------------------------------------------------- mutations

def mutate_header_bytes(rng, blob):
    (n,) = struct.unpack("<Q", blob[:8])
    b = bytearray(blob)
    for _ in range(rng.randrange(1, 6)):
        b[rng.randrange(min(len(b), 8 + n))] = rng.randrange(256)
    return bytes(b)


def mutate_length_field(rng, blob):
    (n,) = struct.unpack("<Q", blob[:8])
    new = rng.choice([0, 1, n - 1, n + 1, n * 2, len(blob), 2**63, rng.randrange(2**20)])
    return struct.pack("<Q", new % 2**64) + blob[8:]


def mutate_tensor_entry(rng, blob):
    header, body = split(blob)
    key = rng.choice([k for k in header if k != "__metadata__"])
    entry = header[key]
    choice = rng.randrange(4)
    if choice == 0:
        path = rng.choice(list(paths(entry))[1:])
        replace_at(entry, path, json_value(rng))
    elif choice == 1:
        del entry[rng.choice(list(entry))]
    elif choice == 2:
        header[rng.choice([key + "x", "G.extra", "history.fid", "opt_d.state.0.exp_avg", "opt_d.state.²."
                           "step", "rng"])] = json_value(rng) if rng.random() < 0.5 else dict(entry)
    else:
        header[key] = json_value(rng)
    return join(header, body)


def mutate_metadata(rng, blob):
    header, body = split(blob)
    meta = header.setdefault("__metadata__", {})
    key = rng.choice(list(meta) + ["extra"])
    choice = rng.randrange(5)
    if choice == 0 or key not in meta:
        meta[key] = json.dumps(json_value(rng), allow_nan=True)
    elif choice == 1:
        meta[key] = rng.choice(["", "{", "not json", "[" * 5000, "1" * 5000, "NaN", "\ud800"])
    elif choice == 2:
        del meta[key]
    else:  # change one value inside the metadata field's JSON
        value = json.loads(meta[key])
        path = rng.choice(list(paths(value)))
        if choice == 3 or not path:
            value = replace_at(value, path, json_value(rng))
        else:
            value = delete_at(value, path)
        meta[key] = json.dumps(value, allow_nan=True)
    if rng.random() < 0.05:
        header["__metadata__"] = json_value(rng)
    return join(header, body)


def mutate_body(rng, blob):
    (n,) = struct.unpack("<Q", blob[:8])
    b = bytearray(blob)
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(8 + n, len(b))
        b[i:i + 4] = rng.choice([b"\x00\x00\xc0\x7f", b"\x00\x00\x80\x7f", b"\xff\xff\xff\xff", bytes(4)])
    return bytes(b[:len(blob)])


def truncate(rng, blob):
    return blob[:rng.randrange(len(blob))]


def append(rng, blob):
    return blob + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))


MUTATIONS = (mutate_header_bytes, mutate_length_field, mutate_tensor_entry, mutate_metadata, mutate_metadata,
             mutate_metadata, mutate_body, truncate, append)


def mutate(rng: random.Random, blob: bytes) -> bytes:
    for _ in range(rng.randrange(1, 4)):
        try:
            blob = rng.choice(MUTATIONS)(rng, blob)
        except (ValueError, KeyError, IndexError, TypeError, struct.error, UnicodeDecodeError, RecursionError):
            blob = truncate(rng, blob) if blob else blob  # the header no longer parses: cut it instead
    return blob


# ----------------------------------------------------------------------------- one case

def try_case(blob: bytes, name: str) -> str:
    """"loaded", "diverged" or "refused"; anything else raised propagates (an escape).

    "diverged": a training state loaded, and its first step stopped with the trainer's own
    TrainingDiverged (weights rolled back, the page shows its message), e.g. from optimizer
    moments near float32's limit. A valid file with lr 100 does the same.
    """
    try:
        _, meta = read_checkpoint(blob)
        summary(meta)
        if meta["content"] == "training_state":
            trainer, _ = trainer_from_checkpoint(blob, TrainConfig(), TINY_DATA, "fuzz", "cpu")
            try:
                trainer.train(1)
            except TrainingDiverged:
                return "diverged"
        else:
            ckpt = load_checkpoint(blob)
            ckpt.G(torch.zeros(1, ckpt.config.nz))
    except CheckpointError:
        return "refused"
    return "loaded"


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write the counts here as JSON")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    seeds = seed_files()
    rng = random.Random(args.seed)
    counts, escapes, examples = Counter(), Counter(), []
    start = time.perf_counter()
    for i in range(args.cases):
        name = rng.choice(list(seeds))
        blob = mutate(rng, seeds[name])
        try:
            counts[try_case(blob, name)] += 1
        except Exception as e:  # noqa: BLE001  exactly what this script counts
            counts["escaped"] += 1
            escapes[type(e).__name__] += 1
            if len(examples) < 5:
                examples.append({"case": i, "seed_file": name, "error": "".join(traceback.format_exception(e))[-2000:]})
        if (i + 1) % 1000 == 0:
            print(f"{i + 1:,} cases, {dict(counts)}, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    result = {"cases": args.cases, "seed": args.seed, **{k: counts[k] for k in ("loaded", "diverged", "refused", "escaped")},
              "escapes_by_type": dict(escapes), "seconds": round(time.perf_counter() - start, 1), "examples": examples}
    print(json.dumps({k: v for k, v in result.items() if k != "examples"}))
    for ex in examples:
        print(ex["error"], file=sys.stderr)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
