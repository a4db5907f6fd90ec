"""A Plotly figure that a live page redraws in place, in the student's browser.

``st.plotly_chart`` takes the figure itself into the element's identity (Streamlit 1.67), so a
fragment that redraws a changed figure mounts a new chart each time: Plotly builds it from
scratch, and the panel is blank until it has (measured on the 1-D page: the chart's DOM node
replaced on every redraw). A live figure goes through this small custom component instead: one
iframe whose identity is its key, plotly.js from the installed plotly package, and on every
redraw the figure's JSON is handed to ``Plotly.react``, which updates the drawn chart.

A figure redrawn several times a second with thousands of marks may instead pass them as
``layers``: Plotly then draws only the frame (axes, legend, colour bar), once, and the component
paints the data on a canvas over the plot area at each redraw.

A page may also give the chart a *feed* (ui.feed): the iframe then fetches the newest layers
itself while the run plays, and the page reruns only for its numbers.

Static figures (drawn once per script run) stay on ``st.plotly_chart``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import plotly
import plotly.io as pio
import streamlit.components.v1 as components

HTML = Path(__file__).with_name("live_chart") / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@lru_cache(maxsize=1)
def component_dir() -> Path:
    """The component's files (index.html beside plotly.min.js) in one folder, made once per version."""
    html = HTML.read_bytes()
    tag = hashlib.sha256(html).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"gan-lab-live-chart-{plotly.__version__}-{tag}"
    if not (folder / "index.html").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for src, name in ((PLOTLY_JS, "plotly.min.js"), (HTML, "index.html")):   # index.html last: the marker
            tmp = folder / f".{name}.{os.getpid()}"
            shutil.copyfile(src, tmp)
            os.replace(tmp, folder / name)    # atomic: two sessions starting at once both end well
    return folder


def fed_figure(fig, iteration: int) -> str:
    """A feed's picture for a figure without layers: {"iteration": n, "spec": the figure's JSON}."""
    return f'{{"iteration": {int(iteration)}, "spec": {figure_json(fig)}}}'


def figure_json(fig) -> str:
    """The figure as Plotly JSON without its template (the component draws Streamlit's look)."""
    spec = fig.to_plotly_json()
    spec.get("layout", {}).pop("template", None)
    return pio.to_json(spec, validate=False)


def live_chart(fig, key: str, config: dict | None = None, height: int | None = None,
               layers: str | None = None, feed: str | None = None, feed_every_s: float = 0.25,
               iteration: int | None = None) -> None:
    """Draw ``fig`` (a plotly Figure) under ``key``; the same key on the next redraw updates it.

    ``layers``: data painted on a canvas over the figure's plot area (JSON, as made by
    ui.toy2d_figures.main_layers); ``fig`` is then only their frame, and the camera button saves
    the frame with the layers painted in.

    ``feed``: a ui.feed URL that serves newer pictures: layers (with their ``iteration``) for a
    figure with layers, else {"iteration": n, "spec": the figure's JSON}. The browser fetches and
    draws them every ``feed_every_s`` seconds until a redraw of the page comes without a feed (or the
    feed has nothing new: the run stopped), and never draws an older picture over a newer one
    (``iteration``: the run's, of ``fig``, for a figure without layers)."""
    chart = components.declare_component("live_chart", path=str(component_dir()))
    chart(spec=figure_json(fig), config=config or {}, height=int(height or fig.layout.height or 450),
          layers=layers, feed=feed, feed_every_ms=int(1000 * feed_every_s), iteration=iteration,
          fixed_axes=fixed_axes(fig), key=key, default=None)


def fixed_axes(fig) -> bool:
    """Whether every axis that ``fig``'s traces use has a range of its own (none autoranged).
    The browser may then redraw new values of the same traces without laying out the axes again."""
    used = set()
    for trace in fig.data:
        for letter in ("x", "y"):
            ref = getattr(trace, f"{letter}axis", None) or letter
            used.add(ref.replace(letter, f"{letter}axis", 1))
    for name in used:
        axis = fig.layout[name] if name in fig.layout else None
        if axis is None or axis.range is None or axis.autorange not in (None, False):
            return False
    return bool(used)
