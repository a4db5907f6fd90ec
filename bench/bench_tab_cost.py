"""What playing tabs cost Chromium: CPU by Chromium process type, per renderer, and the live charts' redraws.

    python -m bench.bench_tab_cost [--page toy_gan] [--tabs 1] [--seconds 15] [--warmup 8]

Run from the repository root. It starts the app as the README does (tests.browser.start_server),
opens ``--tabs`` sessions (browser contexts) of one page in one Chromium, presses Play (Start on the
MNIST page) in each, waits ``--warmup`` seconds and then measures over ``--seconds``, never asserting
anything:

- CPU (cores) of the server, its workers, all of Chromium, and Chromium by process type (renderer,
  GPU process, browser, utilities); each renderer on its own (one per session, in the order the
  tabs were opened);
- per second, over all tabs: pictures the live charts fetched from their feeds (ui.feed), page
  redraws that reached a chart (Streamlit's render messages), and redraws that took the path
  without a new layout (ui.live_chart: a figure with fixed axes).

To compare two versions of the code side by side, run it from a checkout of each, alternating.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import time

from bench.bench_classroom import cpu_share, descendants, proc_sample
from gan_core.live.procinfo import cpu_seconds
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LIVE_CHART, free_port, start_server, stop_server, wait_rendered

# summed over the page's live charts (ui/live_chart/index.html keeps these counters on its figure)
COUNTS = """() => [...document.querySelectorAll('iframe')].reduce((a, f) => {
  try { const e = f.contentDocument.getElementById('fig');
        return e ? [a[0] + (e.__fed || 0), a[1] + (e.__renders || 0), a[2] + (e.__moved || 0)] : a; }
  catch (x) { return a; } }, [0, 0, 0])"""


def chromium_cpu(server: int) -> collections.Counter:
    """CPU seconds of this process's Chromium descendants, by process type and per renderer ("r<pid>")."""
    out: collections.Counter = collections.Counter()
    for pid in descendants(os.getpid()):
        if pid == server:
            continue
        try:   # Chromium rewrites a child's command line into one string: split on spaces too
            cmd = open(f"/proc/{pid}/cmdline").read().replace("\0", " ").split()
        except OSError:
            continue
        if not cmd or "chrom" not in os.path.basename(cmd[0]):
            continue
        kind = next((a.split("=", 1)[1] for a in cmd if a.startswith("--type=")), "browser")
        if kind == "utility":
            kind += ":" + next((a.split("=", 1)[1] for a in cmd if a.startswith("--utility-sub-type=")), "")
        t = cpu_seconds(pid)
        out[kind] += t
        if kind == "renderer":
            out[f"r{pid}"] += t
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", default="toy_gan", help="the page's path: toy_gan, toy_2d, mnist_live")
    ap.add_argument("--tabs", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--warmup", type=float, default=8.0)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    play = re.compile("^Start" if "mnist" in args.page else "^Play")
    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for _ in range(args.tabs):
                page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
                page.goto(f"http://127.0.0.1:{port}/{args.page}")
                wait_rendered(page, 180_000)
                page.locator(LIVE_CHART).first.wait_for(timeout=120_000)
                pages.append(page)
            for page in pages:
                page.get_by_role("button", name=play).first.click()
            time.sleep(args.warmup)
            states = [page.evaluate("() => document.querySelector('[data-run-state]')?.dataset.runState") for page in pages]
            c0, k0, n0 = chromium_cpu(server.pid), proc_sample(server.pid), [page.evaluate(COUNTS) for page in pages]
            time.sleep(args.seconds)
            c1, k1, n1 = chromium_cpu(server.pid), proc_sample(server.pid), [page.evaluate(COUNTS) for page in pages]
            browser.close()
    finally:
        stop_server(server)
    use = cpu_share(k0, k1)
    per_s = [sum(b[i] - a[i] for a, b in zip(n0, n1)) / args.seconds for i in range(3)]
    print(f"\n## Tab cost, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}: {args.tabs} tab(s) of /{args.page}, "
          f"{args.seconds:g} s after {args.warmup:g} s of play; run states {states}\n")
    print("| measure | value |\n|---|---|")
    print(f"| CPU (cores): server / workers / Chromium / whole machine | {use['server']:.2f} / {use['workers']:.2f} / "
          f"{use['browser']:.2f} / {use['machine']:.2f} |")
    kinds = sorted((k for k in c1 if not k.startswith("r") or k == "renderer"), key=lambda k: -(c1[k] - c0.get(k, 0)))
    for k in kinds:
        print(f"| Chromium {k} (cores) | {(c1[k] - c0.get(k, 0)) / args.seconds:.3f} |")
    renderers = sorted(int(k[1:]) for k in c1 if k.startswith("r") and k[1:].isdigit())
    busy = [(c1[f"r{p}"] - c0.get(f"r{p}", 0)) / args.seconds for p in renderers]
    print(f"| each renderer, in the order started (cores) | {', '.join(f'{b:.3f}' for b in busy if b >= 0.0005)} |")
    print(f"| per second: pictures fed / page redraws reaching a chart / redraws without a new layout | "
          f"{per_s[0]:.2f} / {per_s[1]:.2f} / {per_s[2]:.2f} |")


if __name__ == "__main__":
    main()
