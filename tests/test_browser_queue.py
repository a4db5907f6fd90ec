"""The admission queue in real Chromium: a waiting page shows its place, costs its browser no reruns
while nothing changes, and starts showing its run by itself when a slot frees (ui.live.run_watch),
whether a classmate paused or closed their tab."""
import json
import time
import urllib.request

import pytest

from gan_core.live.pool import CLOSED_GRACE_S, HEARTBEAT_TIMEOUT_S
from tests.browser import (button_name, free_port, iteration_shown, page_exceptions, require_chromium, start_server,
                           stop_server, wait_for_iteration, wait_rendered)

WATCH = 'iframe[src*="run_watch"]'
_STATUS = "() => { const s = document.querySelector('.run-status'); return s ? [s.dataset.runState, s.innerText] : null; }"


@pytest.fixture
def one_slot_server(monkeypatch):
    """The app with room for one toy run at a time (capacity 1), on a port of its own."""
    require_chromium()
    monkeypatch.setenv("GAN_LAB_CAPACITY", "1")
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


def status(page):
    return page.evaluate(_STATUS)


def wait_status(page, state: str, timeout_s: float = 60.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        s = status(page)
        if s and s[0] == state:
            return s
        time.sleep(0.25)
    raise AssertionError(f"the page never showed {state!r}: {status(page)}")


def test_a_waiting_page_watches_its_place_and_starts_by_itself(one_slot_server, browser):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
    try:
        first, second = (c.new_page() for c in contexts)
        for page in (first, second):
            page.goto(f"{one_slot_server}/toy_gan")
            wait_rendered(page)
        first.get_by_role("button", name=button_name("Play")).click()
        wait_status(first, "playing")
        second.get_by_role("button", name=button_name("Play")).click()
        state, text = wait_status(second, "waiting")
        assert "position 1 of 1" in text
        watch = second.query_selector(WATCH).content_frame()
        # while nothing changes, the watch asks the server every ~2 s and the page is not rerun
        # (a loaded machine may mount the watch late: up to 15 s for its first two asks)
        deadline, polls, asked = time.time() + 15.0, 0, 0
        while time.time() < deadline and polls < 2:
            time.sleep(0.5)
            polls, asked = watch.evaluate("() => [window.__polls || 0, window.__asked || 0]")
        assert polls >= 2 and asked == 0, (polls, asked)
        first.get_by_role("button", name=button_name("Pause")).click()      # the slot frees
        wait_status(second, "playing", timeout_s=30)
        assert watch.evaluate("() => window.__asked || 0") >= 1              # the watch brought the news
        # and the page's numbers move on (it was drawn anew for a playing run: its fragment's timer)
        start = max(iteration_shown(second), 0)
        assert wait_for_iteration(second, start + 500, timeout_s=30) >= start + 500
        second.get_by_role("button", name=button_name("Pause")).wait_for(timeout=30_000)
        assert page_exceptions(first) == [] and page_exceptions(second) == []

        # a closed tab frees its slot within seconds (the server sees its connection end), well
        # before the heartbeat timeout: the first student, queued again, is admitted
        first.get_by_role("button", name=button_name("Play")).click()
        wait_status(first, "waiting")
        feed = first.query_selector(WATCH).content_frame().evaluate("() => url")   # the watch's status feed
        contexts[1].close()
        closed_at = time.monotonic()
        while time.monotonic() - closed_at < HEARTBEAT_TIMEOUT_S + 10:
            with urllib.request.urlopen(one_slot_server + feed, timeout=10) as r:
                body = r.read()
            if body and json.loads(body)["state"] == "playing":
                break
            time.sleep(0.25)
        admitted_after = time.monotonic() - closed_at
        # (through the heartbeat timeout alone it takes 11.5 s at the least: its last call, then 12 s)
        assert admitted_after < CLOSED_GRACE_S + 4, admitted_after
        wait_status(first, "playing", timeout_s=30)                          # and the page shows it
    finally:
        for c in contexts:
            c.close()
