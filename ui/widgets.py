"""Small Streamlit widgets shared by pages. Each returns plain values; none computes."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from gan_core.toy.distributions import FAMILIES, Distribution1D, make_distribution


class EditedDistribution(NamedTuple):
    dist: Distribution1D | None  # None when the parameters are invalid
    family: str
    params: tuple  # ((name, value), ...) with lists as tuples: hashable, a cache key
    error: str | None  # a message naming the field and what is allowed


def _parse_list(text: str, field: str) -> list[float]:
    tokens = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    try:
        return [float(t) for t in tokens]
    except ValueError:
        raise ValueError(f"{field}: type numbers separated by commas, e.g. 0.5, 0.5 (got {text!r}).") from None


def distribution_editor(label: str, key: str, family: str = "Gaussian", params: dict | None = None) -> EditedDistribution:
    """A family select box and one input per parameter (lists as comma-separated text).

    ``key`` namespaces the widgets (e.g. "div.p" gives "div.p_family", "div.p_Gaussian_std").
    No input is clamped, so a student can type std = 0 and read why it is not allowed."""
    families = list(FAMILIES)
    fam = st.selectbox(f"{label}: family", families, index=families.index(family), key=f"{key}_family")
    _, fields = FAMILIES[fam]
    defaults = {**dict(fields), **(params if params and fam == family else {})}
    values, errors = {}, []
    for col, (name, _) in zip(st.columns(len(fields)), fields):
        default, wkey = defaults[name], f"{key}_{fam}_{name}"
        if isinstance(default, (list, tuple)):
            text = col.text_input(name, ", ".join(f"{v:g}" for v in default), key=wkey)
            try:
                values[name] = _parse_list(text, f"{label} {name}")
            except ValueError as exc:
                errors.append(str(exc))
        else:
            values[name] = col.number_input(name, value=float(default), step=0.1, key=wkey)
    frozen = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items())
    if errors:
        return EditedDistribution(None, fam, frozen, errors[0])
    try:
        return EditedDistribution(make_distribution(fam, values), fam, frozen, None)
    except ValueError as exc:
        return EditedDistribution(None, fam, frozen, f"{label} ({fam}): {exc}")
