"""Presenter mode in Chromium at a projector's 1280×720: no sidebar, no toolbar, larger type.
The screenshots go to artifacts/screenshots/ for a human to look at."""
from tests.browser import live_chart_frame, page_exceptions, screenshot, wait_rendered


def test_presenter_mode_hides_the_sidebar_and_toolbar_at_1280x720(app_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/toy_gan?presenter=1")
        wait_rendered(page)
        live_chart_frame(page)
        page.wait_for_timeout(1500)
        assert not page_exceptions(page)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stToolbar"]').is_visible()
        size = page.evaluate("() => getComputedStyle(document.querySelector('.stat-value, [data-testid=\"stMetricValue\"]')).fontSize")
        assert float(size.rstrip("px")) >= 40                      # 2.6rem, against Streamlit's 2.25rem
        screenshot(page, "toy_gan_presenter_1280x720")
        page.screenshot(path=str(screenshot(page, "toy_gan_presenter_1280x720").with_name(
            "toy_gan_presenter_1280x720_first_screen.png")), full_page=False)
        page.get_by_text("Presenter mode").click()                  # and off again: the sidebar is back
        wait_rendered(page)
        page.wait_for_timeout(1000)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
    finally:
        context.close()
