"""Metric histories as CSV files whose names say what they hold: page, seed, iteration."""
from __future__ import annotations

import numpy as np
import streamlit as st


def export_name(page: str, seed: int, iteration: int, what: str, ext: str = "csv") -> str:
    return f"gan-lab_{page}_seed{seed}_it{iteration}_{what}.{ext}"


def csv_text(columns: dict[str, np.ndarray]) -> str:
    """One header row, then one row per index; integers stay integers, NaN is an empty cell."""
    names = list(columns)
    cols = [np.asarray(c, dtype=float) for c in columns.values()]
    lines = [",".join(names)]
    for row in zip(*cols):
        lines.append(",".join("" if np.isnan(v) else (str(int(v)) if v == int(v) and abs(v) < 2**53 else f"{v:.9g}")
                              for v in row))
    return "\n".join(lines) + "\n"


def upto(columns: dict[str, np.ndarray], iteration: int) -> dict[str, np.ndarray]:
    """The rows recorded up to ``iteration`` (the file name's iteration, though the run went on)."""
    keep = np.asarray(columns["iteration"]) <= iteration
    return {k: np.asarray(v)[keep] for k, v in columns.items()}


def toy_csvs(result: dict, iteration: int) -> dict[str, str]:
    """The toy run's ``do("history")``: per-step losses and D outputs; JS and |D − D*| per snapshot."""
    curve = result["curve"]
    return {"losses": csv_text(upto(result["history"], iteration)),
            "js": csv_text(upto({"iteration": curve["iteration"], "js_nats": curve["js"],
                                 "mean_abs_d_minus_d_star": curve["gap"]}, iteration))}


def race_csv(result: dict, iteration: int) -> str:
    """The race's ``do("history")``: both runs side by side per step (columns prefixed A_, B_), and
    each run's JS (nats) on the rows where it was estimated (empty elsewhere)."""
    hist = result["history"]
    cols = {"iteration": hist[0]["iteration"]}
    js_at = {int(i): n for n, i in enumerate(result["js_iteration"])}
    for run, (h, js, cost) in enumerate(zip(hist, result["js"], result["costs"])):
        tag = "AB"[run] if run < 2 else str(run + 1)
        for name, values in h.items():
            if name != "iteration":
                cols[f"{tag}_{cost}_{name}"] = values
        cols[f"{tag}_{cost}_js_nats"] = [js[js_at[int(i)]] if int(i) in js_at else np.nan for i in h["iteration"]]
    return csv_text(upto(cols, iteration))


def mnist_csv(result: dict, iteration: int) -> str:
    """The MNIST run's ``do("history")``: per-iteration losses, D outputs and gradient norms."""
    return csv_text(upto(result["history"], iteration))


def download_buttons(files: list[tuple[str, str, callable]]) -> None:
    """One st.download_button per (label, file name, make-the-text) entry; the text is made only
    when the button is clicked (it asks the run for its whole history)."""
    cols = st.columns(len(files))
    for col, (label, name, make) in zip(cols, files):
        col.download_button(label, data=make, file_name=name, mime="text/csv", icon=":material/download:",
                            on_click="ignore", key=f"download.{name.rsplit('_it', 1)[0]}.{label}")
