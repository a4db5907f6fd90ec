"""The toy page's live speed in real Chromium, next to the headless core, in one run.

    .venv/bin/python bench/bench_toy_page.py [--seconds 15]

1. Headless: the core's trainer alone (bench_toy.core_loop), single-threaded, as the page runs it,
   5 s before the browser starts and 5 s after it closed; their mean is the reference (a shared
   machine's core changes speed by tens of per cent over a minute; both runs are printed).
2. Live: a Streamlit server with the app; Chromium opens /toy_gan and presses Play. The page
   itself reports its rate ("live it/s": iterations over the last ~4 s of ticks) and its
   redraws per second; both are read off the page after a warm-up. The ratio live/headless is
   the share of the headless rate that survives drawing.
3. Slider latency: while playing, the k slider is moved with the keyboard and the time until
   the page's "In effect: k = …" caption shows the new k is measured (5 times).
"""
from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

import torch  # noqa: E402

from bench.bench_toy import core_loop  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, wait_rendered  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=15.0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    before = core_loop(5.0)
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
            page.goto(f"http://127.0.0.1:{port}/toy_gan")
            wait_rendered(page)
            page.get_by_role("button", name="Play").click()
            time.sleep(args.seconds)
            rates, redraws = [], []
            for _ in range(5):
                m = page.locator('[data-stat="live it/s"]').inner_text()
                nums = re.findall(r"[\d,.]+", m.replace("live it/s", ""))
                rates.append(float(nums[0].replace(",", "")))
                redraws.append(float(nums[1]))
                time.sleep(1.0)
            latencies = []
            for i in range(5):
                want = 2 + i % 2  # alternate k = 2, 3
                slider = page.get_by_role("slider").first  # the k slider is the first in the sidebar
                slider.focus()
                now_k = int(re.search(r"k = (\d+)", page.get_by_text("In effect:").inner_text()).group(1))
                key = "ArrowRight" if want > now_k else "ArrowLeft"
                t0 = time.perf_counter()
                for _ in range(abs(want - now_k)):
                    slider.press(key)
                while time.perf_counter() - t0 < 10:
                    try:
                        txt = page.get_by_text("In effect:").inner_text(timeout=500)
                        if f"k = {want}," in txt:
                            break
                    except Exception:
                        pass
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - t0)
                time.sleep(1.0)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    after = core_loop(5.0)
    headless = (before + after) / 2
    live = statistics.median(rates)
    print("| measure | value |")
    print("|---|---|")
    print(f"| headless core (1 thread), before / after the page | {before:,.0f} / {after:,.0f} it/s |")
    print(f"| live page in Chromium | {live:,.0f} it/s ({live / headless:.0%} of headless) |")
    print(f"| redraws per second | {statistics.median(redraws):.1f} |")
    print(f"| slider change → in effect (median of 5, max) | {statistics.median(latencies):.2f} s, {max(latencies):.2f} s |")


if __name__ == "__main__":
    main()
