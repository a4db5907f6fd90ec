"""Students opening a live page at once: how long until every page has drawn its first live chart,
and the CPU the server and its workers spent meanwhile.

    .venv/bin/python -m bench.bench_page_load [--students 8] [--page toy_gan]

Run from the repository root. It starts the app as the README does (tests.browser.start_server), has
one tab open the page first (the lecturer: the workers start, the server loads what pages need),
then opens the page in N browser contexts of one Chromium at once (N sessions) and waits until each
shows a drawn Plotly chart in a live chart's iframe. Reports wall seconds and the CPU seconds of the
server process and the processes under it (/proc) over that time. To compare two versions of the code, run it
from each checkout in turn, alternating; measures, never asserts.
"""
from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from bench.bench_classroom import descendants
from gan_core.live.procinfo import cpu_seconds
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, stop_server, wait_rendered

DRAWN = """() => [...document.querySelectorAll('iframe')].some(f => {
    try { return !!f.contentDocument.querySelector('.js-plotly-plot .main-svg'); } catch (e) { return false; } })"""


def server_cpu(pid: int) -> float:
    """CPU seconds of the server and the processes under it (the workers) so far."""
    return sum(cpu_seconds(p) for p in [pid, *descendants(pid)])


def measure(students: int, page: str) -> dict:
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/{page}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first = browser.new_context().new_page()
            first.goto(url)
            wait_rendered(first)
            first.wait_for_function(DRAWN, timeout=120_000)
            first.context.close()
            time.sleep(3.0)
            cpu0, t0 = server_cpu(server.pid), time.perf_counter()
            tabs = [browser.new_context(viewport={"width": 1400, "height": 900}).new_page() for _ in range(students)]
            for tab in tabs:
                tab.goto(url, wait_until="commit")
            for tab in tabs:
                tab.wait_for_function(DRAWN, timeout=300_000)
            wall, cpu = time.perf_counter() - t0, server_cpu(server.pid) - cpu0
            browser.close()
    finally:
        stop_server(server)
    return {"students": students, "page": page, "drawn_s": wall, "server_cpu_s": cpu}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=8)
    ap.add_argument("--page", default="toy_gan")
    res = measure(**vars(ap.parse_args(argv)))
    print(f"{res['students']} students opened /{res['page']}: every page drawn in {res['drawn_s']:.1f} s; "
          f"server + workers CPU {res['server_cpu_s']:.1f} s")
    return res


if __name__ == "__main__":
    main()
