"""The 2-D toy GAN page in real Chromium: it loads, plays, its figure moves, Pause stops it."""
import time

from tests.browser import (button_name, iteration_shown, page_exceptions, screenshot, wait_for_iteration,
                           wait_rendered)

_FIGURE = """() => {
    const div = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!div || !div.data) return null;
    const fakes = div.data.find(t => t.name === 'fake G(z)');
    const xs = fakes && fakes.x ? (fakes.x.bdata !== undefined ? fakes.x.bdata : Array.from(fakes.x).slice(0, 50)) : null;
    return JSON.stringify({traces: div.data.map(t => t.name), fakes: xs});
}"""


def _figure(page) -> dict:
    import json
    for _ in range(50):
        data = page.evaluate(_FIGURE)
        if data:
            return json.loads(data)
        time.sleep(0.2)
    raise AssertionError("the main figure has no drawn data")


def test_toy2d_trains_live_in_chromium(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/toy_2d")
    wait_rendered(page)
    page.locator('[data-testid="stMetric"]', has_text="iteration").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
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
    assert wait_for_iteration(page, 1500, timeout_s=60) >= 1500
    time.sleep(1.0)
    during = _figure(page)
    assert during["fakes"] != before["fakes"], "the fakes did not move while training"
    # the screenshot shows the main view drawn: its heatmap image and its dots are on the page
    page.wait_for_function("""() => { const d = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
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
