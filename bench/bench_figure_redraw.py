"""What one redraw of a live figure costs the student's browser: Plotly in Chromium, side by side.

    .venv/bin/python -m bench.bench_figure_redraw [--updates 40] [--rounds 5]

The live pages redraw their main figure about 4 times a second; every redraw ships the figure as
JSON and Plotly re-renders it in the browser, on the student's machine (on the class benchmark's
machine: the same 2 cores as the workers). This measures that cost for the 1-D toy page's figure,
drawn two ways from the same sequence of snapshots of a real run:

- "every grid point": the core's 401-point grid in float64, the y-axis top following the curves;
- "thinned": what the page draws (``ui.toy_figures.DRAW_POINTS`` points in float32, a y-axis top
  that only moves in steps).

Chromium (headless, Debian's) loads plotly.js from the installed plotly package and applies the
figures with ``Plotly.react`` (what Streamlit's chart element does on an update), waiting for the
next frame after each so style, layout and paint are counted. Rounds alternate the two ways.
Reported per update: wall ms in the page, Chromium's CPU ms (all its processes, from /proc), and
the JSON size. Never asserts anything.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import plotly
import plotly.io as pio

from bench.bench_classroom import descendants
from gan_core.live.procinfo import cpu_seconds
from gan_core.toy.distributions import preset
from gan_core.toy.live import ToyRun
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from ui.toy_figures import paper_figure

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

APPLY = """async ([specs]) => {
  const el = document.getElementById('fig');
  const t0 = performance.now();
  for (const s of specs) {
    const f = JSON.parse(s);
    await Plotly.react(el, f.data, f.layout, {responsive: true});
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  return performance.now() - t0;
}"""


def snapshots(n: int) -> list[tuple]:
    """n snapshots of a real toy run (default settings, seed 0), a few training steps apart."""
    run = ToyRun({"data": preset("Gaussian"), "noise": "normal", "width": 32, "seed": 0, "train": {}})
    out = []
    for _ in range(n):
        run.trainer.train(25)
        s = run.snapshot()
        out.append((s["x"], s["p_data"], s["p_g"], s["d"], s["d_star"], s["z"], s["gz"], s["fakes"]))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=40, help="figure updates per round and way")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    snaps = snapshots(a.updates)
    ways = {"every grid point (401, float64)": [pio.to_json(paper_figure(*s, points=None), validate=False)
                                                for s in snaps],
            "thinned (as drawn)": [pio.to_json(paper_figure(*s), validate=False) for s in snaps]}
    from playwright.sync_api import sync_playwright
    res = {w: {"wall_ms": [], "cpu_ms": []} for w in ways}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_content("<html><body><div id='fig' style='width:1100px;height:520px'></div></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        tree = lambda: [p for p in descendants(os.getpid())]  # noqa: E731  Chromium's processes
        for w, specs in ways.items():  # warm-up: first plots, JIT
            page.evaluate(APPLY, [specs[:5]])
        for r in range(a.rounds):
            order = list(ways) if r % 2 == 0 else list(reversed(ways))
            for w in order:
                procs = tree()
                c0 = sum(cpu_seconds(p) for p in procs)
                wall = page.evaluate(APPLY, [ways[w]])
                c1 = sum(cpu_seconds(p) for p in procs)
                res[w]["wall_ms"].append(wall / len(ways[w]))
                res[w]["cpu_ms"].append(1e3 * (c1 - c0) / len(ways[w]))
        browser.close()
    base = next(iter(ways))
    print(f"\n## One update of the 1-D toy page's main figure in Chromium ({time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}); median of {a.rounds} rounds x "
          f"{a.updates} updates\n")
    print("| drawn | JSON KiB | wall ms / update | Chromium CPU ms / update | CPU ratio |\n|---|---:|---:|---:|---:|")
    ref = statistics.median(res[base]["cpu_ms"])
    for w, specs in ways.items():
        cpu = statistics.median(res[w]["cpu_ms"])
        print(f"| {w} | {statistics.mean(len(s) for s in specs) / 1024:.1f} | "
              f"{statistics.median(res[w]['wall_ms']):.1f} | {cpu:.1f} | {cpu / ref:.2f} |")
    print("\nper round (CPU ms):", json.dumps({w: [round(x, 1) for x in v["cpu_ms"]] for w, v in res.items()}))


if __name__ == "__main__":
    main()
