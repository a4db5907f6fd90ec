"""A live run and its page in real Chromium: an open page whose browser is too busy to call in keeps
its run training (ui.presence: the server sees the browser's connection); a student who moves to
another page of the app frees the run's slot within the heartbeat timeout, and is told why."""
import time

from gan_core.live.pool import HEARTBEAT_TIMEOUT_S
from tests.browser import button_name, iteration_shown, page_exceptions, wait_for_iteration, wait_rendered

_STATUS = "() => document.querySelector('.run-status')?.dataset.runState"
# the page's main thread (and its live charts' iframes, same origin, same thread) does nothing else
# for this long: no fragment reruns, no feed fetches, so no call from the page reaches the server
_FREEZE = "ms => { const end = Date.now() + ms; while (Date.now() < end) {} }"


def test_a_busy_page_keeps_its_run_and_leaving_the_page_frees_it(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/toy_gan")
    wait_rendered(page)
    page.locator('[data-stat="iteration"]').first.wait_for(timeout=60_000)
    page.get_by_role("button", name=button_name("Play")).click()
    before = wait_for_iteration(page, 200, timeout_s=60)
    assert before >= 200

    freeze_s = HEARTBEAT_TIMEOUT_S + 3   # past the timeout and the scheduler's next tick
    page.evaluate(_FREEZE, int(freeze_s * 1000))
    # the run trained on through the freeze, and still does: no pause, no message
    assert wait_for_iteration(page, before + 2000, timeout_s=30) >= before + 2000
    page.get_by_role("button", name=button_name("Pause")).wait_for(timeout=10_000)
    assert page.evaluate(_STATUS) == "playing"
    assert page.get_by_text("Training paused").count() == 0

    # another page of the app, in the same session (the sidebar's link, not a new load)
    page.get_by_role("link", name="KL / JS divergences").click()
    wait_rendered(page)
    time.sleep(HEARTBEAT_TIMEOUT_S + 2)
    page.get_by_role("link", name="1-D toy GAN").click()
    wait_rendered(page)
    page.get_by_text("Training paused: this page had not called in for 12 s (it was closed or you were on "
                     "another page)").wait_for(timeout=30_000)
    assert page.evaluate(_STATUS) == "paused"
    page.get_by_role("button", name=button_name("Play")).wait_for(timeout=10_000)
    kept = iteration_shown(page)
    assert kept > before + 2000          # the run was kept where it stopped, not reset
    assert page_exceptions(page) == []
