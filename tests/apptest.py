"""Helpers for the pages' AppTests: find a page file, read a metric, press a button by its label."""
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "pages"


def page_path(name: str) -> str:
    return str(PAGES / name)


def metric(at, label: str) -> str:
    """The shown value of the first st.metric whose label starts with `label`."""
    return next(m.value for m in at.metric if m.label.startswith(label))


def iteration(at) -> int:
    return int(metric(at, "iteration").replace(",", ""))


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def metric_delta(at, label: str) -> str:
    """The delta line (the small text under the value) of the first st.metric whose label starts with `label`."""
    return next(m.delta for m in at.metric if m.label.startswith(label))
