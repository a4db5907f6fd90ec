"""Presenter mode at the projector's 1280×720: a link opens in it, the keys P and S play/pause and
step; and a figure's camera button saves a PNG or an SVG under a name that says what it is.
Every page in presenter mode (no sidebar or toolbar, the main figure on the first screen) is checked
by tests/test_browser.py, which turns it on in each page it loads (``check_presenter_first_screen``).

Screenshots of the first screen: artifacts/screenshots/presenter_<page>.png (copied to
docs/screenshots/ after a look)."""
import io
import re
import time

import pytest
from PIL import Image

from tests.browser import (LIVE_CHART, button_name, choose_save_format, iteration_shown, live_chart_frame,
                           page_exceptions, wait_rendered)

# what each page shows first: its main figure (a Plotly chart, live ones in their own frame, or an
# image), or for Home its formulas
MAIN = {"home": '[data-testid="stMarkdown"] .katex, .katex', "toy_gan": LIVE_CHART, "toy_2d": LIVE_CHART,
        "generator_costs": LIVE_CHART,
        "divergences": '[data-testid="stPlotlyChart"]', "mnist_live": '[data-testid="stImage"] img',
        "pretrained": '[data-testid="stImage"] img'}


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def _open(page, url):
    page.goto(url)
    wait_rendered(page, timeout_ms=150_000)    # a first visit starts the training workers
    page.wait_for_timeout(1500)
    wait_rendered(page, timeout_ms=150_000)


def check_presenter_first_screen(page, name: str) -> None:
    """Presenter mode is on and the window is the projector's 1280×720: no sidebar or toolbar, larger
    type, and the page's main figure on the first screen (screenshot: presenter_<name>.png)."""
    from tests.browser import SHOTS
    # The toggle's rerun may not have begun when the caller's wait_rendered returned, and a busy
    # browser draws its elements a while after the URL changes: wait for its effect (up to 30 s), then
    # for the rerun to end. A sidebar that stays shows the toggle is broken: wait_for raises.
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=30_000)
    wait_rendered(page)
    main = page.wait_for_selector(MAIN[name], timeout=90_000, state="visible")
    page.wait_for_timeout(1000)
    assert not page_exceptions(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stToolbar"]').is_visible()
    # the first figure on the page: the topmost visible match (the first in the DOM may sit in a later
    # section). After the toggle, figures that move mount anew in their frames: wait up to 30 s for them.
    # A figure being mounted anew has no box for a moment (the element found first may be gone).
    deadline = time.time() + 30
    while True:
        boxes = [b for b in (e.bounding_box() for e in page.query_selector_all(MAIN[name]) if e.is_visible()) if b]
        box = min(boxes, key=lambda b: b["y"]) if boxes else main.bounding_box()
        shown = min(box["height"], 360) if box else 0     # all of it, or at least 360 px of it
        if (box and box["y"] + shown <= 720) or time.time() > deadline:
            break
        page.wait_for_timeout(500)
    assert box, f"{name}: no main figure on the page after presenter mode was switched on"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1275, 5)            # off the figures: no hover label or toolbar in the screenshot
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"presenter_{name}.png"), full_page=False)
    assert box["y"] + shown <= 720, f"{name}: main figure at y = {box['y']:.0f}, {box['height']:.0f} px tall"
    size = page.evaluate("() => getComputedStyle(document.querySelector('.stApp p')).fontSize")
    assert float(size.rstrip("px")) >= 20                  # 1.3rem, against Streamlit's 16 px


def _comes_to_rest(page) -> list[int]:
    """The iteration shown every 2 s until two readings agree (a lagging browser may still draw older states)."""
    shown = [iteration_shown(page)]
    for _ in range(15):
        page.wait_for_timeout(2000)
        shown.append(iteration_shown(page))
        if shown[-1] == shown[-2] > 0:
            break
    return shown


def test_keys_p_and_s_play_pause_and_step_the_toy_run(app_url, projector):
    """(The buttons' own Play and Pause: tests/test_browser.py::test_toy_gan_trains_live_in_chromium.)"""
    page = projector
    _open(page, f"{app_url}/toy_gan?presenter=1")
    live_chart_frame(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()    # the link opened in presenter mode
    start = iteration_shown(page)
    page.keyboard.press("s")
    page.wait_for_function("n => [...document.querySelectorAll('[data-testid=\"stMetricValue\"], .stat-value')]"
                           ".some(e => e.innerText.replace(/,/g, '') == String(n))", arg=start + 1, timeout=30_000)
    wait_rendered(page)   # the step's rerun has ended, as a presenter sees before the next key
    page.keyboard.press("p")
    page.get_by_role("button", name=button_name("Pause")).wait_for(timeout=30_000)
    page.wait_for_timeout(2000)
    page.keyboard.press("p")
    page.get_by_role("button", name=button_name("Play")).wait_for(timeout=30_000)
    shown = _comes_to_rest(page)
    assert shown[-1] == shown[-2] > start + 1, f"training went on after Pause: {shown}"


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_camera_button_saves_the_figure_as_png_or_svg_under_a_telling_name(app_url, projector, fmt):
    page = projector
    _open(page, f"{app_url}/toy_gan")
    # Figure 1 draws in its own frame (ui.live_chart)
    frame = choose_save_format(page, "SVG", "svg") if fmt == "svg" else live_chart_frame(page)
    chart = frame.wait_for_selector('.js-plotly-plot', timeout=60_000)
    chart.hover()
    button = chart.wait_for_selector('.modebar-btn[data-title^="Download plot"]', state="attached")
    with page.expect_download(timeout=60_000) as info:
        button.click(force=True)
    download = info.value
    assert re.fullmatch(rf"gan-lab_toy-gan_seed0_it\d+_figure1\.{fmt}", download.suggested_filename)
    data = open(download.path(), "rb").read()
    width = page.locator(LIVE_CHART).first.bounding_box()["width"]
    if fmt == "png":
        img = Image.open(io.BytesIO(data))
        assert img.format == "PNG" and abs(img.width - 2 * width) <= 4      # twice the shown size
    else:
        text = data.decode()
        assert text.lstrip().startswith("<svg") and "D*(x)" in text
