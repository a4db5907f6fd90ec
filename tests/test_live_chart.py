"""ui.live_chart: the folder the component serves, and the figure it is handed."""
import json

import numpy as np
import plotly.graph_objects as go

from ui.live_chart import PLOTLY_JS, component_dir, figure_json


def test_the_component_serves_its_page_beside_the_installed_plotly_js():
    folder = component_dir()
    assert (folder / "plotly.min.js").read_bytes() == PLOTLY_JS.read_bytes()
    html = (folder / "index.html").read_text()
    assert '<script src="plotly.min.js"></script>' in html
    assert "streamlit:componentReady" in html and "Plotly.react" in html   # the update in place


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
