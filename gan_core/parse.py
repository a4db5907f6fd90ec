"""Typed values from people: one parser per kind, each with a message for every way it can be wrong.

Everything a student types (mixture weights, means and stds, the divergence page's vectors, a
number box, a query parameter) goes through one of these. Each takes the text (or a value a
widget already produced) and a ``field`` name for the message, and returns the value or raises
``ValueError`` saying what was wrong and what is allowed:

    number("0.5", "std", lo=0, lo_open=True)            -> 0.5
    integer("12", "seed", 0, 2**31 - 1)                  -> 12
    numbers("0.2, 0.3 0.5", "means")                     -> [0.2, 0.3, 0.5]
    nonnegative_vector("1 2 3", "p")                     -> array([1., 2., 3.])  (counts or probabilities)
    probability_vector("0.3, 0.7", "weights")            -> array([0.3, 0.7])    (sums to 1)
    choice("adam", "optimizer", ("adam", "sgd"))         -> "adam"

Lists are separated by commas, semicolons, spaces or new lines. Texts longer than MAX_TEXT
characters and lists longer than their limit are refused before anything is converted.
"""
from __future__ import annotations

import math
import re

import numpy as np

MAX_TEXT = 10_000         # characters of one typed value: a pasted vector of 1,000 numbers fits
MAX_ENTRIES = 1_000       # entries of a typed list, unless a parser is given fewer
SUM_TOLERANCE = 1e-6      # how far from 1 a probability vector may sum (typed decimals round)
_SEPARATORS = re.compile(r"[,;\s]+")


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 30 else repr(text[:27] + "...")


def _text(value, field: str) -> str:
    if not isinstance(value, str):
        value = str(value)
    if len(value) > MAX_TEXT:
        raise ValueError(f"{field} is {len(value):,} characters long; at most {MAX_TEXT:,} are allowed.")
    return value.strip()


def _range(lo, hi, lo_open: bool, hi_open: bool) -> str:
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '≥'} {lo:g}"
    return f"{'<' if hi_open else '≤'} {hi:g}"


def _to_float(token: str, what: str, hint: str = "type a number like 0.25, -3 or 1e-4") -> float:
    try:
        x = float(token)
    except ValueError:
        raise ValueError(f"{what} ({_shown(token)}) is not a number; {hint}.") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} ({_shown(token)}) is not a finite number (NaN and infinity are not allowed); {hint}.")
    return x


def _check_range(x: float, field: str, got: str, lo, hi, lo_open: bool, hi_open: bool) -> None:
    below = lo is not None and (x <= lo if lo_open else x < lo)
    above = hi is not None and (x >= hi if hi_open else x > hi)
    if below or above:
        raise ValueError(f"{field} must be {_range(lo, hi, lo_open, hi_open)} ({got}).")


def number(value, field: str, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False) -> float:
    """One finite number, optionally in a range (``lo_open``: lo itself excluded)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        token = repr(value)
    else:
        token = _text(value, field)
        if not token:
            raise ValueError(f"{field} is empty: type a number.")
    x = _to_float(token, field)
    _check_range(x, field, f"got {x:g}", lo, hi, lo_open, hi_open)
    return x


def integer(value, field: str, lo: int, hi: int) -> int:
    """One whole number from lo to hi (``3``, ``3.0`` and ``1e3`` are whole; ``2.5`` is not)."""
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a whole number from {lo:,} to {hi:,} (got {value!r}).")
    if isinstance(value, int):
        x = value
    else:
        token = _text(value, field)
        if not token:
            raise ValueError(f"{field} is empty: type a whole number from {lo:,} to {hi:,}.")
        try:
            x = int(token)
        except ValueError:
            f = _to_float(token, field, f"type a whole number from {lo:,} to {hi:,}")
            if f != int(f):
                raise ValueError(f"{field} is {f:g}; it must be a whole number from {lo:,} to {hi:,}.") from None
            x = int(f)
    if not lo <= x <= hi:
        raise ValueError(f"{field} is {x:,}; it must be a whole number from {lo:,} to {hi:,}.")
    return x


def numbers(value, field: str, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
            max_entries: int = MAX_ENTRIES, min_entries: int = 1) -> list[float]:
    """A list of finite numbers, each optionally in a range; entries are named by position."""
    text = _text(value, field)
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) < min_entries:
        raise ValueError(f"{field} is empty: type numbers separated by commas, e.g. 0.2, 0.3, 0.5."
                         if not tokens else f"{field} has {len(tokens)} entries; at least {min_entries} are needed.")
    if len(tokens) > max_entries:
        raise ValueError(f"{field} has {len(tokens):,} entries; at most {max_entries:,} are allowed.")
    out = []
    for i, tok in enumerate(tokens, start=1):
        x = _to_float(tok, f"{field}: entry {i}", "type numbers separated by commas, like 0.25, -3 or 1e-4")
        _check_range(x, field, f"entry {i} is {x:g}", lo, hi, lo_open, False)
        out.append(x)
    return out


def nonnegative_vector(value, field: str, max_entries: int = MAX_ENTRIES) -> np.ndarray:
    """Counts or probabilities: numbers ≥ 0 with a positive sum."""
    v = np.asarray(numbers(value, field, lo=0.0, max_entries=max_entries))
    with np.errstate(over="ignore"):
        total = float(v.sum())
    if total <= 0:
        raise ValueError(f"{field} sums to 0; at least one entry must be positive.")
    if not math.isfinite(total):
        raise ValueError(f"{field} sums to more than a float can hold; use smaller numbers.")
    return v


def probability_vector(value, field: str, max_entries: int = MAX_ENTRIES) -> np.ndarray:
    """Probabilities: numbers in [0, 1] that sum to 1 (within SUM_TOLERANCE)."""
    v = np.asarray(numbers(value, field, lo=0.0, hi=1.0, max_entries=max_entries))
    total = float(v.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{field} must sum to 1 (they sum to {total:.6g}).")
    return v


def choice(value, field: str, allowed) -> str:
    """One of a fixed set of names (a query parameter such as ``?model=cgan``)."""
    text = _text(value, field)
    allowed = list(allowed)
    if text not in allowed:
        raise ValueError(f"{field} is {_shown(text)}; it must be one of {allowed}.")
    return text
