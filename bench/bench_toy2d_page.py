"""The 2-D toy page's live speed in real Chromium, next to the headless core, in one run.

    .venv/bin/python -m bench.bench_toy2d_page [--seconds 20] [--rounds 3]

1. A Streamlit server with the app; Chromium (1280 × 900) opens /toy_2d.
2. Rounds that pair the two rates closely in time (a shared machine's core changes speed by tens
   of per cent within a minute): headless, the core's trainer alone (bench_toy2d.core_loop, the
   page's default sizes, one thread) for 5 s while the page is paused (it checks in every 10 s:
   its CPU then is printed); then Play, and after a warm-up the page's own rate ("live it/s":
   iterations over its last ticks) and redraws per second are read 5 times, 1 s apart; Pause;
   headless again. A round's live/headless divides its live rate by the mean of the headless
   runs on either side; the median over the rounds is the result. Over each live window, the CPU
   of the browser (every Chromium process), the server and its workers, from /proc: the
   browser's per redraw is what each redraw costs the student's machine.
3. Drawn panels: while playing, the page is sampled 5 times a second for 10 s; a panel counts as
   drawn when the live figure with its title shows its heatmap (a figure mounted afresh on
   each redraw, as st.plotly_chart does, is blank until Plotly has drawn it; ui.live_chart updates in place).
"""
from __future__ import annotations

import argparse
import re
import statistics
import time

import torch

from bench.bench_classroom import cpu_share, proc_sample
from bench.bench_toy2d import core_loop
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


def read_rates(page, server: int, n: int = 5):
    """n readings of the page's live rate, 1 s apart, and the CPU split over the same seconds."""
    cpu0, rates = proc_sample(server), []
    for _ in range(60):   # a page that never reports a rate is a result too, not a hang
        r = live_rate(page)
        if r:
            rates.append(r)
        if len(rates) == n:
            break
        time.sleep(1.0)
    if not rates:
        page.screenshot(path="artifacts/bench_toy2d_page_no_rate.png")
        raise SystemExit("the page never showed a live rate (screenshot: artifacts/bench_toy2d_page_no_rate.png)")
    return rates, cpu_share(cpu0, proc_sample(server))


def press(page, name: str) -> None:
    """Play or Pause, and wait until the page shows the other button (the click's rerun has drawn)."""
    page.get_by_role("button", name=button_name(name)).click()
    page.get_by_role("button", name=button_name("Pause" if name == "Play" else "Play")).wait_for(timeout=60_000)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=20.0, help="warm-up while playing before the first reading")
    ap.add_argument("--rounds", type=int, default=3, help="live windows, each between two headless ones")
    ap.add_argument("--headless-seconds", type=float, default=5.0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    rounds = []
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
            idle0 = proc_sample(server.pid)
            headless = [core_loop(args.headless_seconds)]   # the page open and paused: it checks in every 10 s
            idle1 = proc_sample(server.pid)
            for i in range(args.rounds):
                press(page, "Play")
                time.sleep(args.seconds if i == 0 else 8.0)
                rates, use = read_rates(page, server.pid)
                if i == args.rounds - 1:
                    panels = {"Data, generator": [], "Optimal discriminator": []}
                    for _ in range(50):
                        for title, seen in panels.items():
                            seen.append(drawn(page, title))
                        time.sleep(0.2)
                press(page, "Pause")
                time.sleep(2.0)
                headless.append(core_loop(args.headless_seconds))
                live = statistics.median(r[0] for r in rates)
                rounds.append({"live": live, "redraws": statistics.median(r[1] for r in rates), "cpu": use,
                               "headless": (headless[-2], headless[-1]),
                               "ratio": live / ((headless[-2] + headless[-1]) / 2)})
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    idle = cpu_share(idle0, idle1)
    print("| round | headless before / after (1 thread) | live page in Chromium | live ÷ headless | redraws/s | "
          "CPU (cores): browser / server / workers | browser CPU per redraw |")
    print("|---:|---|---:|---:|---:|---|---:|")
    for i, r in enumerate(rounds, 1):
        u = r["cpu"]
        print(f"| {i} | {r['headless'][0]:,.0f} / {r['headless'][1]:,.0f} it/s | {r['live']:,.0f} it/s | "
              f"{r['ratio']:.0%} | {r['redraws']:.1f} | {u['browser']:.2f} / {u['server']:.2f} / {u['workers']:.2f} | "
              f"{1000 * u['browser'] / max(r['redraws'], 1e-9):.0f} ms |")
    print(f"\nmedian live ÷ headless over {len(rounds)} rounds: **{statistics.median(r['ratio'] for r in rounds):.0%}**, "
          f"at {statistics.median(r['redraws'] for r in rounds):.1f} redraws/s")
    print(f"while the headless loop ran, the paused page's app and browser used "
          f"{idle['browser'] + idle['server'] + idle['workers']:.3f} cores")
    for title, seen in panels.items():
        print(f"'{title}' panel drawn while playing: {sum(seen)} of 50 samples (5/s)")


if __name__ == "__main__":
    main()
