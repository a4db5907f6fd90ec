"""Every page loads in real Chromium without an exception; the toy GAN trains live there."""
import time

import pytest

from tests.browser import iteration_shown, page_exceptions, screenshot, wait_rendered

PAGES = {
    "home": "",
    "toy_gan": "toy_gan",
    "generator_costs": "generator_costs",
    "divergences": "divergences",
    "mnist_live": "mnist_live",
    "pretrained": "pretrained",
}


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


def test_toy_gan_trains_live_in_chromium(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/toy_gan")
    wait_rendered(page)
    page.locator('[data-testid="stMetric"]', has_text="iteration").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    wait_rendered(page)
    assert iteration_shown(page) == 0
    before = _chart_shot(page)
    page.get_by_role("button", name="Play").click()
    deadline = time.time() + 30
    while time.time() < deadline and iteration_shown(page) < 500:
        time.sleep(0.5)
    assert iteration_shown(page) >= 500
    time.sleep(1.0)
    after = _chart_shot(page)
    assert before != after, "the figure did not change while training"
    screenshot(page, "toy_gan_playing")
    page.get_by_role("button", name="Pause").click()
    wait_rendered(page)
    assert page_exceptions(page) == []


def _chart_shot(page) -> bytes:
    """A screenshot of the main figure; retried, as a live redraw can replace the element mid-shot."""
    for _ in range(20):
        try:
            return page.locator('[data-testid="stPlotlyChart"]').first.screenshot(timeout=5_000)
        except Exception:
            time.sleep(0.2)
    raise AssertionError("could not take a screenshot of the figure")
