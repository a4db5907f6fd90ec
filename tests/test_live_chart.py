"""ui.live_chart: the page the component serves, plotly.js from the app's route, and the figure it is handed."""
import asyncio
import gzip
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import plotly
import plotly.graph_objects as go
from starlette.requests import Request

from ui.live_chart import PLOTLY_JS, PLOTLY_URL, component_dir, figure_json, fixed_axes, serve_plotly


def test_the_component_page_loads_the_installed_plotly_js_from_the_apps_route():
    html = (component_dir() / "index.html").read_text()
    assert f'<script src="{PLOTLY_URL}"></script>' in html and plotly.__version__ in PLOTLY_URL
    assert not (component_dir() / "plotly.min.js").exists()   # not through the component's own route
    assert "streamlit:componentReady" in html and "Plotly.react" in html   # the update in place


def _get(accept_encoding: str):
    scope = {"type": "http", "method": "GET", "path": PLOTLY_URL, "query_string": b"",
             "headers": [(b"accept-encoding", accept_encoding.encode())]}
    # in a thread of its own: a browser test before it in this process may have left an event loop running here
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, serve_plotly(Request(scope))).result()


def test_plotly_js_goes_gzipped_once_and_is_kept_by_the_browser():
    """Sent compressed when the browser accepts it (the bytes are plotly.min.js), as they are otherwise;
    both to be kept for a year, and compressed once however many charts ask for it."""
    raw = PLOTLY_JS.read_bytes()
    packed = _get("gzip, deflate, br")
    assert packed.headers["content-encoding"] == "gzip" and gzip.decompress(packed.body) == raw
    assert len(packed.body) < len(raw) / 2
    assert "immutable" in packed.headers["cache-control"] and "max-age=31536000" in packed.headers["cache-control"]
    assert packed.headers["content-type"].startswith("application/javascript")
    assert _get("gzip").body is packed.body                                   # compressed once
    plain = _get("identity")
    assert "content-encoding" not in plain.headers and plain.body == raw


def test_the_figure_goes_as_plotly_json_without_its_template():
    y = np.linspace(0, 1, 7)
    fig = go.Figure(go.Scatter(x=np.arange(7), y=y, name="D(x)"))
    fig.update_layout(height=333, title="t")
    spec = json.loads(figure_json(fig))
    assert "template" not in spec["layout"] and spec["layout"]["height"] == 333
    trace = spec["data"][0]
    assert trace["name"] == "D(x)"
    ys = trace["y"]
    if isinstance(ys, dict):  # plotly encodes numpy arrays as base64 typed arrays
        import base64
        ys = np.frombuffer(base64.b64decode(ys["bdata"]), dtype=ys["dtype"])
    np.testing.assert_allclose(ys, y)


def test_a_figure_has_fixed_axes_only_when_every_axis_its_traces_use_has_a_range():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    assert not fixed_axes(fig)                          # autoranged
    fig.update_xaxes(range=[0, 2])
    assert not fixed_axes(fig)                          # y still autoranged
    fig.update_yaxes(range=[0, 1])
    assert fixed_axes(fig)
    fig.add_trace(go.Scatter(x=[0, 1], y=[3, 4], yaxis="y2"))
    fig.update_layout(yaxis2=dict(overlaying="y", side="right"))
    assert not fixed_axes(fig)                          # the second trace's axis has no range
    fig.update_layout(yaxis2=dict(range=[0, 5]))
    assert fixed_axes(fig)
    fig.update_xaxes(autorange=True)
    assert not fixed_axes(fig)                          # autorange wins over a range


def test_the_live_figures_have_fixed_axes():
    """The figures redrawn while a run plays: their new values take the browser's cheap path."""
    from ui.mnist_figures import d_output_figure
    from ui.toy2d_figures import coverage_figure
    from ui.toy2d_figures import js_figure as js2d_figure
    from ui.toy_figures import d_gap_figure, js_figure, loss_figure, paper_figure
    x = np.linspace(-3, 3, 401)
    p = np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)
    it = np.arange(1, 300)
    figs = [paper_figure(x, p, p, x * 0 + 0.5, x * 0 + 0.5, np.linspace(-2, 2, 9), np.linspace(-2, 2, 9)),
            loss_figure(it, 0.69 + 0 * it, 0.7 + 0.01 * np.sin(it), np.log(2), np.log(2), "NS"),
            js_figure(it, 0.1 + 0 * it), d_gap_figure(it, 0.1 + 0 * it), js2d_figure(it, 0.1 + 0 * it),
            coverage_figure(it, 3 + 0 * it, 8), d_output_figure(it, 0.5 + 0 * it, 0.5 + 0 * it)]
    assert all(fixed_axes(f) for f in figs)
