"""The 2-D toy page's live speed in real Chromium, next to the headless core, in one run.

    .venv/bin/python -m bench.bench_toy2d_page [--seconds 20]

1. Headless: the core's trainer alone (bench_toy2d.core_loop: the page's default sizes), one thread,
   5 s before the browser starts and 5 s after it closed; their mean is the reference (a shared
   machine's core changes speed by tens of per cent over a minute; both runs are printed).
2. Live: a Streamlit server with the app; Chromium (1280 × 900) opens /toy_2d and presses Play.
   The page reports its own rate ("live it/s": iterations over the last ticks) and its redraws
   per second; both are read off the page 5 times after a warm-up. live/headless is the share
   of the headless rate that survives drawing. Over the same seconds, the CPU of the browser (every
   Chromium process), the server and its workers, from /proc: the browser's per redraw is what
   each redraw costs the student's machine.
3. Drawn panels: while playing, the page is sampled 5 times a second for 10 s; a panel counts as
   drawn when the live figure with its title has its heatmap image (a figure mounted afresh on
   each redraw, as st.plotly_chart does, is blank until Plotly has drawn it; ui.live_chart updates in place).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import time

import torch

from bench.bench_classroom import descendants
from bench.bench_toy2d import core_loop
from gan_core.live.procinfo import cpu_seconds
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LIVE_CHART, button_name, free_port, start_server, wait_rendered

_STAT = """(label) => {
    for (const el of document.querySelectorAll('[data-testid="stMetric"], [data-stat]')) {
        if (el.innerText.includes(label)) return el.innerText;
    }
    return null;
}"""

# In one live figure's frame (ui.live_chart): its title contains `title` and its heatmap is drawn
# (by Plotly, or on the canvas over the plot area for a figure with data layers).
_DRAWN = """(title) => { const d = document.querySelector('.js-plotly-plot');
    if (!(d && d.layout && String(d.layout.title && d.layout.title.text).includes(title))) return false;
    if (d.__layers) return d.__painted > 0 && !document.getElementById('layers').hidden && d.__layers.shown.includes('d');
    return d.querySelector('.heatmaplayer image') !== null; }"""


def drawn(page, title: str) -> bool:
    """Whether a live figure with this title shows its heatmap now."""
    for handle in page.query_selector_all(LIVE_CHART):
        frame = handle.content_frame()
        try:
            if frame and frame.evaluate(_DRAWN, title):
                return True
        except Exception:  # noqa: BLE001  a frame that is loading
            pass
    return False


def live_rate(page) -> tuple[float, float] | None:
    """(iterations/s, redraws/s) from the page's "live it/s" stat; None while it says paused."""
    text = page.evaluate(_STAT, "live it/s") or ""
    nums = re.findall(r"\d[\d,]*\.?\d*", text.replace("live it/s", ""))
    return (float(nums[0].replace(",", "")), float(nums[1])) if len(nums) >= 2 else None


def cpu_split(server: int) -> dict:
    """CPU seconds so far: the server, its workers, and the browser (the rest of this process's tree:
    Chromium's processes and Playwright's driver)."""
    workers = descendants(server)
    browser = [p for p in descendants(os.getpid()) if p != server and p not in workers]

    return {"t": time.time(), "server": cpu_seconds(server), "workers": sum(map(cpu_seconds, workers)),
            "browser": sum(map(cpu_seconds, browser))}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=20.0, help="warm-up while playing before reading the rate")
    args = ap.parse_args()
    torch.set_num_threads(1)
    before = core_loop(5.0)
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"http://127.0.0.1:{port}/toy_2d")
            wait_rendered(page)
            page.locator(LIVE_CHART).nth(1).wait_for(timeout=120_000)
            if page.get_by_role("button", name=button_name("Play")).is_disabled():
                # a first run can end before it is read when the workers start slowly: a new one
                page.get_by_role("button", name=button_name("Reset")).click()
                page.get_by_role("button", name=button_name("Play")).and_(page.locator(":enabled")).wait_for(
                    timeout=60_000)
            page.get_by_role("button", name=button_name("Play")).click()
            time.sleep(args.seconds)
            cpu0 = cpu_split(server.pid)
            rates = []
            for _ in range(60):   # a page that never reports a rate is a result too, not a hang
                r = live_rate(page)
                if r:
                    rates.append(r)
                if len(rates) == 5:
                    break
                time.sleep(1.0)
            cpu1 = cpu_split(server.pid)
            if not rates:
                page.screenshot(path="artifacts/bench_toy2d_page_no_rate.png")
                raise SystemExit("the page never showed a live rate (screenshot: artifacts/bench_toy2d_page_no_rate.png)")
            panels = {"Data, generator": [], "Optimal discriminator": []}
            for _ in range(50):
                for title, seen in panels.items():
                    seen.append(drawn(page, title))
                time.sleep(0.2)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    after = core_loop(5.0)
    headless = (before + after) / 2
    live = statistics.median(r[0] for r in rates)
    print("| measure | value |")
    print("|---|---|")
    print(f"| headless core (1 thread), before / after the page | {before:,.0f} / {after:,.0f} it/s |")
    print(f"| live page in Chromium | {live:,.0f} it/s ({live / headless:.0%} of headless) |")
    redraws = statistics.median(r[1] for r in rates)
    print(f"| redraws per second | {redraws:.1f} |")
    dt = cpu1["t"] - cpu0["t"]
    use = {k: (cpu1[k] - cpu0[k]) / dt for k in ("browser", "server", "workers")}
    print(f"| CPU while playing (cores): browser / server / workers | {use['browser']:.2f} / {use['server']:.2f} / "
          f"{use['workers']:.2f} |")
    print(f"| browser CPU per redraw | {1000 * use['browser'] / max(redraws, 1e-9):.0f} ms |")
    for title, seen in panels.items():
        print(f"| '{title}' panel drawn (of 50 samples, 5/s) | {sum(seen)} |")


if __name__ == "__main__":
    main()
