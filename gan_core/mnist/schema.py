"""The schema of checkpoint metadata: every field the app reads, with its type, range and length.

A checkpoint's ``__metadata__`` is written by whoever made the file, so every value a page
formats or a trainer uses is checked here first. A field outside its type, range or length is
refused with ``SchemaError`` naming it (``metrics.fid``, ``training.selected.iteration``); a
field the app does not read is dropped, so it is absent rather than shown raw; ``null`` means
absent too. Ranges are generous (a week of training, any FID) but finite, and every string and
list has a length limit.

    validate_metadata(parsed_json_values) -> the same dict with only checked fields
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from gan_core.losses import GENERATOR_COSTS
from gan_core.trainer import MAX_BATCH, MAX_K, MAX_LR, OPTIMIZERS

MAX_STEP = 10**12              # iterations: far beyond any run (40,000 took 20 min on a CPU)
MAX_SEED = 2**63 - 1           # what torch.Generator.manual_seed accepts
MAX_SCORE = 1e12               # FIDs of untrained nets are in the thousands
MAX_COMMAND = 2000             # characters: the longest shipped command is ~300
MAX_NAME = 200                 # dataset, device, version strings
MAX_SCORES = 100_000           # entries of a score list (one per --select-every check)
MAX_PARAMS = 4096              # parameters of one net (MAX_TENSORS in checkpoints.py)


class SchemaError(ValueError):
    """A metadata field has the wrong type, range or length."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field} {message}")


def shown(value) -> str:
    """A value in a message: its repr cut to 40 characters, so a 1 MB string is not echoed."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Int:
    lo: int
    hi: int

    def check(self, value, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise SchemaError(field, f"must be an integer from {self.lo:,} to {self.hi:,} (got {shown(value)}).")
        return value


@dataclass(frozen=True)
class Num:
    lo: float
    hi: float
    lo_open: bool = False       # True: lo itself is not allowed (a learning rate > 0)

    def check(self, value, field: str) -> float:
        ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
              and (self.lo < value if self.lo_open else self.lo <= value) and value <= self.hi)
        if not ok:
            low = "(" if self.lo_open else "["
            raise SchemaError(field, f"must be a finite number in {low}{self.lo:g}, {self.hi:g}] (got {shown(value)}).")
        return float(value)


@dataclass(frozen=True)
class Str:
    max_len: int = MAX_NAME
    choices: tuple = ()

    def check(self, value, field: str) -> str:
        if not isinstance(value, str):
            raise SchemaError(field, f"must be a string (got {shown(value)}).")
        if self.choices and value not in self.choices:
            raise SchemaError(field, f"must be one of {list(self.choices)} (got {shown(value)}).")
        if len(value) > self.max_len:
            raise SchemaError(field, f"is {len(value):,} characters long; at most {self.max_len:,} are allowed.")
        return value


@dataclass(frozen=True)
class ListOf:
    item: object
    max_len: int
    min_len: int = 0

    def check(self, value, field: str) -> list:
        if not isinstance(value, list):
            raise SchemaError(field, f"must be a list (got {shown(value)}).")
        if not self.min_len <= len(value) <= self.max_len:
            raise SchemaError(field, f"has {len(value):,} entries; {self.min_len:,} to {self.max_len:,} are allowed.")
        return [self.item.check(v, f"{field}[{i}]") for i, v in enumerate(value)]


@dataclass(frozen=True)
class Pair:
    first: object
    second: object

    def check(self, value, field: str) -> list:
        if not isinstance(value, list) or len(value) != 2:
            raise SchemaError(field, f"must be a list of two values (got {shown(value)}).")
        return [self.first.check(value[0], f"{field}[0]"), self.second.check(value[1], f"{field}[1]")]


@dataclass(frozen=True)
class MapOf:
    """An object with free keys (up to ``max_keys``, each at most MAX_NAME long) and typed values."""
    value: object
    max_keys: int

    def check(self, value, field: str) -> dict:
        if not isinstance(value, dict):
            raise SchemaError(field, f"must be an object (got {shown(value)}).")
        if len(value) > self.max_keys:
            raise SchemaError(field, f"has {len(value):,} entries; at most {self.max_keys:,} are allowed.")
        out = {}
        for k, v in value.items():
            if len(k) > MAX_NAME:
                raise SchemaError(field, f"has a key of {len(k):,} characters; at most {MAX_NAME} are allowed.")
            out[k] = self.value.check(v, f"{field}.{k[:40]}")
        return out


@dataclass(frozen=True)
class Obj:
    """An object with known fields; unknown fields and nulls are dropped (absent)."""
    fields: dict
    required: tuple = ()

    def check(self, value, field: str) -> dict:
        if not isinstance(value, dict):
            raise SchemaError(field, f"must be an object (got {shown(value)}).")
        out = {}
        for name, spec in self.fields.items():
            if value.get(name) is not None:
                out[name] = spec.check(value[name], f"{field}.{name}" if field else name)
        missing = [n for n in self.required if n not in out]
        if missing:
            where = f"{field}.{missing[0]}" if field else missing[0]
            raise SchemaError(where, "is missing; the file cannot be used without it.")
        return out


# ----------------------------------------------------------------------------- the fields

TRAIN_CONFIG = Obj({
    "k": Int(1, MAX_K), "lr_d": Num(0, MAX_LR, lo_open=True), "lr_g": Num(0, MAX_LR, lo_open=True),
    "batch_size": Int(1, MAX_BATCH), "generator_cost": Str(choices=tuple(GENERATOR_COSTS)),
    "optimizer": Str(choices=OPTIMIZERS), "beta1": Num(0, 0.999999), "seed": Int(0, MAX_SEED),
    "augment": Str(60),
})

METRICS = Obj({
    "n_samples": Int(0, 10**9), "fid": Num(0, MAX_SCORE), "fid_real_floor": Num(0, MAX_SCORE),
    "confident_share": Num(0, 1), "class_shares": ListOf(Num(0, 1), 1000), "classes_present": Int(0, 1000),
    "mean_confidence": Num(0, 1), "confident_threshold": Num(0, 1), "class_present_threshold": Num(0, 1),
})

SELECTED = Obj({
    "iteration": Int(0, MAX_STEP), "of_iterations": Int(0, MAX_STEP), "every": Int(1, MAX_STEP),
    "selection_n": Int(1, 10**9), "selection_seed": Int(0, MAX_SEED), "selection_fid": Num(0, MAX_SCORE),
    "fid_by_iteration": ListOf(Pair(Int(0, MAX_STEP), Num(0, MAX_SCORE)), MAX_SCORES),
}, required=("iteration", "of_iterations", "every", "selection_n", "selection_seed"))

TRAINING = Obj({
    "command": Str(MAX_COMMAND), "train_config": TRAIN_CONFIG, "train_seconds": Num(0, 1e9),
    "device": Str(), "torch": Str(), "python": Str(), "threads": Int(1, 100_000),
    "iterations_per_s": Num(0, 1e12), "samples_per_s": Num(0, 1e12), "diverged": Str(MAX_COMMAND),
    "selected": SELECTED, "ema_decay": Num(0, 1),
})

# One optimizer parameter group: its numbers only. Flags (fused, foreach, amsgrad, maximize, ...)
# are how this machine's trainer runs its optimizer, not part of a run's state: they are dropped
# and keep the fresh optimizer's values.
PARAM_GROUP = Obj({
    "params": ListOf(Int(0, MAX_PARAMS), MAX_PARAMS), "lr": Num(0, MAX_LR, lo_open=True),
    "betas": Pair(Num(0, 0.999999), Num(0, 0.999999)), "eps": Num(0, 1, lo_open=True),
    "weight_decay": Num(0, 1e3), "momentum": Num(0, 0.999999), "dampening": Num(0, 1),
}, required=("params", "lr"))

COUNTERS = Obj({k: Int(0, MAX_STEP) for k in ("iteration", "d_steps", "g_steps")},
               required=("iteration", "d_steps", "g_steps"))

METADATA = Obj({
    "dataset": Str(), "step": Int(0, MAX_STEP), "metrics": METRICS, "training": TRAINING,
    # training states only
    "train_config": TRAIN_CONFIG, "counters": COUNTERS,
    "param_groups": Obj({name: ListOf(PARAM_GROUP, 8, min_len=1) for name in ("opt_d", "opt_g")},
                        required=("opt_d", "opt_g")),
    "bn_counters": MapOf(Int(0, MAX_STEP), MAX_PARAMS), "rng_device": Str(choices=("cpu", "cuda", "mps")),
})
STATE_REQUIRED = ("train_config", "counters", "param_groups")


def validate_metadata(meta: dict, training_state: bool) -> dict:
    """The fields of ``meta`` (parsed JSON values) the app reads, each checked; SchemaError otherwise.

    ``format``, ``format_version``, ``content`` and ``model_config`` are checked by the caller
    (with the messages for a file that is not ours) and passed through unchanged.
    """
    out = METADATA.check(meta, "")
    if training_state:
        missing = [k for k in STATE_REQUIRED if k not in out]
        if missing:
            raise SchemaError(missing[0], "is missing; a training state cannot be resumed without it.")
    return out | {k: meta[k] for k in ("format", "format_version", "content", "model_config") if k in meta}


def summary(meta: dict) -> dict[str, str | None]:
    """What the pretrained page shows of validated metadata, as text; None where a field is absent."""
    q, training = meta.get("metrics", {}), meta.get("training", {})
    sel = training.get("selected")
    return {
        "iteration": f"{meta.get('step', 0):,}",
        "fid": f"{q['fid']:.1f}" if "fid" in q else "–",
        "fid_floor": f"real-data floor {q['fid_real_floor']:.1f}" if "fid_real_floor" in q else None,
        "confident": f"{q['confident_share']:.0%}" if "confident_share" in q else "–",
        "classes": f"{q['classes_present']} / 10" if "classes_present" in q else "–",
        "selected": None if sel is None else (
            f"Weights from iteration {sel['iteration']:,} of {sel['of_iterations']:,}: the lowest FID "
            f"(on {sel['selection_n']} samples of seed {sel['selection_seed']}) of the scores taken every "
            f"{sel['every']:,} iterations. The numbers above are measured on other samples (seed 0)."),
        "command": training.get("command") or None,
    }
