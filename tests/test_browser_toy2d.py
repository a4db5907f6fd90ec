"""The 2-D toy GAN page in real Chromium: it loads, plays, its figure moves, Pause stops it; a
distribution drawn on the canvas with the lasso becomes p_data."""
import time

import numpy as np

from tests.browser import (button_name, iteration_shown, live_chart_frame, metric_value, page_exceptions, screenshot, wait_for_iteration,
                           wait_rendered)

_FIGURE = """() => {
    const div = document.querySelector('.js-plotly-plot');
    if (!div || !div.data) return null;
    const fakes = div.data.find(t => t.name === 'fake G(z)');
    const xs = fakes && fakes.x ? (fakes.x.bdata !== undefined ? fakes.x.bdata : Array.from(fakes.x).slice(0, 50)) : null;
    return JSON.stringify({traces: div.data.map(t => t.name), fakes: xs});
}"""


def _figure(page) -> dict:
    import json
    for _ in range(50):
        data = live_chart_frame(page).evaluate(_FIGURE)
        if data:
            return json.loads(data)
        time.sleep(0.2)
    raise AssertionError("the main figure has no drawn data")


def test_toy2d_trains_live_in_chromium(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/toy_2d")
    wait_rendered(page)
    page.locator('[data-stat="iteration"]').first.wait_for(timeout=60_000)
    live_chart_frame(page)
    wait_rendered(page)
    if page.get_by_role("button", name=button_name("Play")).is_disabled():
        # The server's first run can end before it is read when the worker processes start slowly
        # (a cold start longer than the pool's heartbeat timeout, on a loaded machine): a new run.
        page.get_by_role("button", name=button_name("Reset")).click()
        page.get_by_role("button", name=button_name("Play")).and_(page.locator(":enabled")).wait_for(timeout=60_000)
        wait_rendered(page)
    screenshot(page, "toy2d_loaded")
    assert iteration_shown(page) == 0
    before = _figure(page)
    assert {"D(x)", "D = ½", "G(z) manifold", "real x ~ p_data", "fake G(z)", "−∂cost/∂x"} <= set(before["traces"])
    page.get_by_role("button", name=button_name("Play")).click()
    assert wait_for_iteration(page, 300, timeout_s=60) >= 300
    time.sleep(1.0)
    during = _figure(page)
    assert during["fakes"] != before["fakes"], "the fakes did not move while training"
    # the screenshot shows the main view drawn: its heatmap image and its dots are on the page
    live_chart_frame(page).wait_for_function("""() => { const d = document.querySelector('.js-plotly-plot');
        return d && d.querySelector('.heatmaplayer image') && d.querySelectorAll('.scatterlayer .point').length > 500; }""",
                           timeout=30_000)
    screenshot(page, "toy2d_playing")
    page.get_by_role("button", name=button_name("Pause")).click()
    page.get_by_role("button", name=button_name("Play")).wait_for(timeout=60_000)
    wait_rendered(page)
    # A browser that lags behind (a loaded machine) may still draw older states after Pause: the
    # number must come to rest and then stay (AppTest checks the run itself stops at once).
    deadline, shown = time.time() + 60, [iteration_shown(page)]
    while time.time() < deadline:
        time.sleep(2.0)
        shown.append(iteration_shown(page))
        if shown[-1] == shown[-2] > 0:
            break
    assert shown[-1] == shown[-2] > 0, f"training went on after Pause: {shown}"
    assert page_exceptions(page) == []


# The canvas's axes in page pixels: Plotly's own maps (data -> pixels from each axis's start, its _offset).
_CANVAS_BOX = """() => {
    const div = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
        .find(d => d.layout && String(d.layout.title && d.layout.title.text).includes('Draw p_data'));
    if (!div || !div._fullLayout) return null;
    const r = div.getBoundingClientRect(), L = div._fullLayout;
    return {x0: r.left + L.xaxis._offset, y0: r.top + L.yaxis._offset, xa: [L.xaxis.l2p(-1), L.xaxis.l2p(1)],
            ya: [L.yaxis.l2p(-1), L.yaxis.l2p(1)]};
}"""

# x and y of a named trace of the main figure (in its live-chart frame), decoded whether Plotly
# holds plain or base64 arrays.
_TRACE_XY = """(name) => {
    const div = Array.from(document.querySelectorAll('.js-plotly-plot'))
        .find(d => d.data && d.data.some(t => t.name === name));
    const t = div && div.data.find(t => t.name === name);
    if (!t) return null;
    const arr = a => {
        if (!a || a.bdata === undefined) return Array.from(a || []);
        const raw = Uint8Array.from(atob(a.bdata), c => c.charCodeAt(0)).buffer;
        return Array.from(a.dtype === 'f4' ? new Float32Array(raw) : new Float64Array(raw));
    };
    return {x: arr(t.x), y: arr(t.y)};
}"""


def test_a_distribution_drawn_with_the_lasso_becomes_p_data(app_url, browser_page):
    """A user picks "Drawn by hand", circles one square region of the canvas with the lasso, and the
    run's p_data becomes that drawing: one region of 25 canvas points, real samples inside it."""
    page = browser_page
    page.goto(f"{app_url}/toy_2d")
    wait_rendered(page)
    live_chart_frame(page)
    page.locator('[data-testid="stSelectbox"]', has_text="p_data").click()
    page.get_by_role("option", name="Drawn by hand").click()
    page.get_by_text("Nothing drawn yet").wait_for(timeout=60_000)
    wait_rendered(page)
    box = None
    for _ in range(50):
        box = page.evaluate(_CANVAS_BOX)
        if box:
            break
        time.sleep(0.2)
    assert box, "the drawing canvas was not drawn"

    def px(x, y):  # data coordinates -> page pixels (each axis is linear: two points fix it)
        ax, ay = box["xa"], box["ya"]
        return (box["x0"] + ax[0] + (x + 1) / 2 * (ax[1] - ax[0]), box["y0"] + ay[0] + (y + 1) / 2 * (ay[1] - ay[0]))

    # a lasso around the canvas points with 1 ≤ x, y ≤ 2 (a 5 × 5 block of the 0.25 lattice)
    corners = [(0.88, 0.88), (2.12, 0.88), (2.12, 2.12), (0.88, 2.12), (0.88, 0.9)]
    page.mouse.move(*px(*corners[0]))
    page.mouse.down()
    for (xa, ya), (xb, yb) in zip(corners, corners[1:]):
        for s in range(1, 11):
            page.mouse.move(*px(xa + (xb - xa) * s / 10, ya + (yb - ya) * s / 10))
    page.mouse.up()
    page.get_by_text("drawn: 25 points in 1 region").first.wait_for(timeout=60_000)
    wait_rendered(page)
    assert "25 canvas points selected" in page.get_by_text("canvas points selected").inner_text()
    assert metric_value(page, "modes covered").replace(" ", "").endswith("/1")
    # the real samples the main figure shows come from the drawing: each selected point's Gaussian
    # has σ = 0.15, so all 256 lie within the square [1, 2]² widened by 5σ
    real = None
    for _ in range(100):
        real = live_chart_frame(page).evaluate(_TRACE_XY, "real x ~ p_data")
        if real and len(real["x"]) == 256 and min(real["x"]) > 0.0:
            break
        time.sleep(0.3)
    xy = np.column_stack([real["x"], real["y"]])
    assert len(xy) == 256 and np.all((xy > 1 - 0.75) & (xy < 2 + 0.75)), "real samples outside the drawn region"
    assert abs(xy.mean() - 1.5) < 0.1
    screenshot(page, "toy2d_drawn")
    assert page_exceptions(page) == []
