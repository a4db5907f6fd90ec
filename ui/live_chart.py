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

plotly.js (4.8 MB) comes from a route of the app's own (``ROUTES``), not from the component's
folder: Streamlit serves a component's files with no expiry and gzips them anew at level 9 on
every request, ~0.2 s of the server's CPU for each chart of each page a student opened (the
largest share of its CPU while a class's pages loaded). The route sends bytes compressed once,
under a name that carries plotly's version, to be kept by the browser for good.

Static figures (drawn once per script run) stay on ``st.plotly_chart``.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import plotly
import plotly.io as pio
import streamlit.components.v1 as components
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HTML = Path(__file__).with_name("live_chart") / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


PLOTLY_URL = f"/_gan_lab/plotly-{plotly.__version__}.min.js"
_LONG_KEPT = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
_packed: dict[str, bytes] = {}
_packing = threading.Lock()


def plotly_js(encoding: str) -> bytes:
    """plotly.min.js as sent: "gzip" (compressed on the first request, then kept) or "identity"."""
    with _packing:
        if encoding not in _packed:
            raw = PLOTLY_JS.read_bytes()
            _packed[encoding] = gzip.compress(raw, 9, mtime=0) if encoding == "gzip" else raw
        return _packed[encoding]


async def serve_plotly(request: Request) -> Response:
    """GET PLOTLY_URL: the installed plotly.js, gzipped when the browser accepts it, kept for a year
    (its name changes with plotly's version)."""
    gz = "gzip" in request.headers.get("accept-encoding", "")
    body = await run_in_threadpool(plotly_js, "gzip" if gz else "identity")
    headers = {**_LONG_KEPT, **({"Content-Encoding": "gzip"} if gz else {})}   # the app's gzip layer leaves it
    return Response(body, media_type="application/javascript", headers=headers)


ROUTES = [Route(PLOTLY_URL, serve_plotly, methods=["GET"])]


@lru_cache(maxsize=1)
def component_dir() -> Path:
    """The component's index.html, loading plotly.js from PLOTLY_URL, in a folder made once per version."""
    html = HTML.read_bytes().replace(b'<script src="plotly.min.js">', f'<script src="{PLOTLY_URL}">'.encode())
    tag = hashlib.sha256(html).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"gan-lab-live-chart-{plotly.__version__}-{tag}"
    if not (folder / "index.html").exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".index.html.{os.getpid()}"
        tmp.write_bytes(html)
        os.replace(tmp, folder / "index.html")    # atomic: two sessions starting at once both end well
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
