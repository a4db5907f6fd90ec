"""Small Streamlit widgets shared by pages. Each returns plain values; none computes."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from gan_core import parse
from gan_core.toy.distributions import FAMILIES, Distribution1D, make_distribution


class EditedDistribution(NamedTuple):
    dist: Distribution1D | None  # None when the parameters are invalid
    family: str
    params: tuple  # ((name, value), ...) with lists as tuples: hashable, a cache key
    error: str | None  # a message naming the field and what is allowed


MAX_COMPONENTS = 20   # mixture components: each adds integrals to every divergence on the page


def parse_list(text: str, field: str) -> list[float]:
    """A typed parameter list: mixture weights (probabilities summing to 1), stds (> 0) or means."""
    name = field.rsplit(" ", 1)[-1]
    if name == "weights":
        return parse.probability_vector(text, field, max_entries=MAX_COMPONENTS).tolist()
    if name == "stds":
        return parse.numbers(text, field, lo=0.0, lo_open=True, max_entries=MAX_COMPONENTS)
    return parse.numbers(text, field, max_entries=MAX_COMPONENTS)


def distribution_editor(label: str, key: str, family: str = "Gaussian", params: dict | None = None) -> EditedDistribution:
    """A family select box and one input per parameter (lists as comma-separated text).

    ``key`` namespaces the widgets: the prefix div.p gives the keys div.p_family, div.p_Gaussian_std, ...
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
                values[name] = parse_list(text, f"{label} {name}")
            except ValueError as exc:
                errors.append(str(exc))
        else:
            try:
                values[name] = parse.number(col.number_input(name, value=float(default), step=0.1, key=wkey),
                                            f"{label} {name}")
            except ValueError as exc:
                errors.append(str(exc))
    frozen = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items())
    if errors:
        return EditedDistribution(None, fam, frozen, errors[0])
    try:
        return EditedDistribution(make_distribution(fam, values), fam, frozen, None)
    except ValueError as exc:
        return EditedDistribution(None, fam, frozen, f"{label} ({fam}): {exc}")
