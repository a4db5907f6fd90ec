"""Every page loads in real Chromium without an exception, and turns into presenter mode at the
projector's 1280×720 (and back); the toy GAN trains live there."""
import re
import time

import pytest

from tests.apptest import wait_until
from tests.browser import (LIVE_CHART, iteration_shown, legend_clashes, live_chart_frame, page_exceptions,
                           screenshot, wait_for_iteration, wait_rendered)
from tests.test_browser_presenter import check_presenter_first_screen

PAGES = {   # every page of lab.py (tests/test_browser.py::test_the_list_is_every_page checks)
    "home": "",
    "toy_gan": "toy_gan",
    "toy_2d": "toy_2d",
    "generator_costs": "generator_costs",
    "divergences": "divergences",
    "mnist_live": "mnist_live",
    "pretrained": "pretrained",
}


def test_the_list_is_every_page():
    from pathlib import Path
    assert {p.stem for p in (Path(__file__).resolve().parents[1] / "pages").glob("*.py")} == set(PAGES)


# Tops of the first element that takes room in each column of the row that holds the live panel
# (the status line, hidden when there is nothing to say, and the run watch take none)
_COLUMN_TOPS = """() => {
  const live = [...document.querySelectorAll('[data-testid="stColumn"]')].find(c => c.querySelector('.run-status'));
  return [...live.parentElement.children].map(col => {
    const first = [...col.querySelectorAll('.stElementContainer')].find(e => e.getBoundingClientRect().height > 0);
    return first ? Math.round(first.getBoundingClientRect().top) : null; }); }"""


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_in_chromium(app_url, browser_page, name):
    page = browser_page
    page.goto(f"{app_url}/{PAGES[name]}")
    wait_rendered(page)
    time.sleep(1.0)
    wait_rendered(page)
    shot = screenshot(page, f"page_{name}")
    assert page_exceptions(page) == []
    assert page.query_selector('h1') is not None, "page has no title"
    assert shot.stat().st_size > 10_000
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    assert legend_clashes(page) == []
    if name == "mnist_live":   # the live panel's first line is level with the quality panel beside it
        tops = page.evaluate(_COLUMN_TOPS)
        assert len(tops) == 2 and abs(tops[0] - tops[1]) <= 2, tops
    # the lecturer's switch to the projector: the same session, its window now 1280×720
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_text("Presenter mode").click()
    wait_rendered(page)
    check_presenter_first_screen(page, name)
    assert legend_clashes(page) == []
    if name == "toy_2d":     # the legend beside the main view, not under it: its square is as large as D*'s
        main, d_star = (live_chart_frame(page, n).evaluate(
            "() => document.querySelector('.nsewdrag').getBoundingClientRect().width") for n in (0, 1))
        assert main >= 0.9 * d_star, (main, d_star)
    if name == "toy_gan":
        size = page.evaluate("() => getComputedStyle(document.querySelector('.stat-value, [data-testid=\"stMetricValue\"]')).fontSize")
        assert float(size.rstrip("px")) >= 40                      # 2.6rem, against Streamlit's 2.25rem
        page.get_by_text("Presenter mode").click()                 # and off again: the sidebar is back
        wait_rendered(page)
        page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=30_000)
        assert page_exceptions(page) == []


def test_toy_gan_trains_live_in_chromium(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/toy_gan")
    wait_rendered(page)
    page.locator('[data-stat="iteration"]').first.wait_for(timeout=60_000)
    live_chart_frame(page)
    wait_rendered(page)
    assert iteration_shown(page) == 0
    before = _figure_data(page)
    page.get_by_role("button", name="Play").click()
    assert wait_for_iteration(page, 500, timeout_s=30) >= 500
    wait_until(lambda: _figure_data(page), lambda d: d != before, timeout=30, every=0.5,   # read while it plays
               message="the figure did not change while training")
    # each redraw updates the drawn chart in place: its SVG survives, and the camera button's file
    # name (a config change, which would make Plotly draw anew) follows the iteration
    frame = live_chart_frame(page)
    # new curves come through Plotly's animation path (the figure's axes all have ranges of their own),
    # not a new layout: ui.live_chart.fixed_axes
    frame.evaluate("""() => { const d = document.querySelector('.js-plotly-plot'); window.__redraws = 0;
        window.__moved0 = d.__moved || 0; d.querySelector('.main-svg').__kept = true;
        const count = () => window.__redraws++; d.on('plotly_afterplot', count); d.on('plotly_animated', count); }""")
    frame.wait_for_function("() => window.__redraws >= 3", timeout=30_000)
    moved = frame.evaluate("() => (document.querySelector('.js-plotly-plot').__moved || 0) - window.__moved0")
    assert moved >= 2, f"only {moved} redraws took the path without a new layout"
    kept, name = frame.evaluate("""() => { const d = document.querySelector('.js-plotly-plot');
        return [d.querySelector('.main-svg').__kept === true, d._context.toImageButtonOptions.filename]; }""")
    assert kept, "a redraw drew the chart from scratch instead of updating it"
    assert int(re.search(r"_it(\d+)_", name).group(1)) > 500, name
    # the browser fetches the newer figures itself (ui.feed): more of them than the page's own redraws
    counts = "() => { const d = document.querySelector('.js-plotly-plot'); return [d.__fed || 0, d.__renders || 0]; }"
    # (a loaded machine fetches fewer a second: wait for six fetches, up to 30 s, then compare)
    fed0, renders0 = frame.evaluate(counts)
    frame.wait_for_function(f"() => (document.querySelector('.js-plotly-plot').__fed || 0) >= {fed0 + 6}",
                            timeout=30_000)
    fed1, renders1 = frame.evaluate(counts)
    assert renders1 - renders0 < fed1 - fed0, (fed0, renders0, fed1, renders1)
    screenshot(page, "toy_gan_playing")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)  # the rerun after the click has drawn
    wait_rendered(page)
    paused_at = iteration_shown(page)
    time.sleep(2.0)
    assert iteration_shown(page) == paused_at, "training went on after Pause"
    assert page_exceptions(page) == []
    assert len(_paused_figure_shot(page)) > 10_000
    # the curves drawn through the animation path still answer a hover with their exact values
    frame = live_chart_frame(page)
    box = frame.locator('.nsewdrag').first.bounding_box()
    text = ""
    for f in (0.3, 0.45, 0.6, 0.75):
        page.mouse.move(box["x"] + f * box["width"], box["y"] + 0.5 * box["height"])
        time.sleep(0.5)
        text = frame.evaluate("() => [...document.querySelectorAll('.hoverlayer .hovertext')].map(e => e.textContent).join(' | ')")
        if "value" in text:
            break
    assert "x = " in text and "value" in text, text


def _paused_figure_shot(page) -> bytes:
    """The main figure, paused; a late redraw may still replace the element, so try for up to 30 s."""
    deadline = time.time() + 30
    while True:
        try:
            return page.locator(LIVE_CHART).first.screenshot(timeout=10_000)
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(1.0)
            wait_rendered(page)


def _figure_data(page) -> str:
    """The curves Plotly has drawn in the main figure (its graph div's data), as JSON.

    The live figure draws in its own frame (ui.live_chart). Read from the browser rather than by comparing screenshots: an element screenshot waits for
    the element to hold still, which a figure redrawn 4 times a second may never do on a busy machine.
    """
    js = """() => {
        const div = document.querySelector('.js-plotly-plot');
        if (!div || !div.data) return null;
        const ys = (y) => !y ? null : (y.bdata !== undefined ? y.bdata : Array.from(y).slice(0, 400));  // base64 or array
        return JSON.stringify(div.data.map(t => [t.name, ys(t.y)]));
    }"""
    for _ in range(50):
        data = live_chart_frame(page).evaluate(js)
        if data:
            return data
        time.sleep(0.2)
    raise AssertionError("the main figure has no drawn data")
