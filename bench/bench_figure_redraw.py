"""What one redraw of a live figure costs the student's browser: Plotly in Chromium, side by side.

    .venv/bin/python -m bench.bench_figure_redraw [--updates 40] [--rounds 5]

The live pages redraw their main figure about 4 times a second; every redraw ships the figure as
JSON and Plotly re-renders it in the browser, on the student's machine (on the class benchmark's
machine: the same 2 cores as the workers). This measures that cost for the 1-D toy page's figure,
drawn from the same sequence of snapshots of a real run in six ways:

- "every grid point": the core's 401-point grid in float64, the y-axis top following the curves;
- "thinned": what the page draws (``ui.toy_figures.DRAW_POINTS`` points in float32, a y-axis top
  that only moves in steps);

and each either mounted afresh on every update (a new chart drawn by ``Plotly.newPlot``: what
``st.plotly_chart`` amounts to for a changed figure) or updated in place (``Plotly.react`` on the
drawn chart: what ``ui.live_chart`` does). Every update also names the camera button's file after
the iteration, as the pages do: handed to ``Plotly.react`` as a changed config, that alone makes it
draw the chart anew (the thinned figure is timed both ways). The sixth way is what the live pages
do now: one figure updated in place, so that its axes hold still (ui.series), and new values of a
figure whose axes all have ranges go through Plotly's animation path, without a new layout. Chromium (headless, Debian's) loads plotly.js from the
installed plotly package, waiting for the next frame after each update so style, layout and paint
are counted. Rounds alternate the ways; the first way is the reference of the ratio.
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
from ui.toy_figures import paper_figure, update_paper_figure

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# In place: what ui.live_chart does on a redraw (Plotly.react on the drawn chart). Mounted afresh:
# what st.plotly_chart amounts to when the figure changed (a new chart element each redraw: the old
# one removed, the new one drawn from scratch by Plotly.newPlot). The live pages also name the
# camera button's file after the iteration: "naive" hands Plotly.react a config that changed (it then
# draws anew), "named" writes the name into the drawn chart's config first, as ui/live_chart does.
APPLY = """async ([specs, how]) => {
  const t0 = performance.now();
  let i = 0;
  for (const s of specs) {
    const f = JSON.parse(s);
    let el = document.getElementById('fig');
    const config = {responsive: true, toImageButtonOptions: {filename: 'figure_it' + (i++)}};
    if (how === 'fresh') {
      Plotly.purge(el);
      const div = document.createElement('div');
      div.id = 'fig'; div.style.cssText = el.style.cssText;
      el.replaceWith(div);
      el = div;
      await Plotly.newPlot(el, f.data, f.layout, config);
    } else {
      const drawn = el._context && el._context.toImageButtonOptions;
      if (how !== 'naive' && drawn) Object.assign(drawn, config.toImageButtonOptions);
      // "moved": as ui/live_chart does for a figure with fixed axes, only new x and y values go
      // through Plotly's animation path (no transition, no redraw of the axes); anything else, react
      const shape = JSON.stringify([f.layout, f.data.map(t => Object.assign({}, t, {x: null, y: null}))]);
      if (how === 'moved' && shape === window.__shape && el._fullLayout) {
        const data = f.data.map(t => ({x: t.x, y: t.y}));
        await Plotly.animate(el, {data: data, traces: data.map((_, k) => k)},
                             {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: 'immediate'});
      } else {
        await Plotly.react(el, f.data, f.layout, config);
        window.__shape = shape;
      }
    }
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
    full = [pio.to_json(paper_figure(*s, points=None), validate=False) for s in snaps]
    thin = [pio.to_json(paper_figure(*s), validate=False) for s in snaps]
    held, fig = [], None     # one figure updated in place, as the pages keep it: its axes hold still
    for s in snaps:
        fig = paper_figure(*s) if fig is None else update_paper_figure(fig, *s)
        held.append(pio.to_json(fig, validate=False))
    ways = {"every grid point (401, float64), mounted afresh": (full, "fresh"),
            "every grid point, updated in place": (full, "named"),
            "thinned (as drawn), mounted afresh": (thin, "fresh"),
            "thinned, in place, the file name changing Plotly's config": (thin, "naive"),
            "thinned, in place, the file name written into the drawn chart (the live pages until 2026-12-02)": (thin, "named"),
            "thinned, axes held, new values through Plotly's animation path (the live pages now)": (held, "moved")}
    from playwright.sync_api import sync_playwright
    res = {w: {"wall_ms": [], "cpu_ms": []} for w in ways}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_content("<html><body><div id='fig' style='width:1100px;height:520px'></div></body></html>")
        page.add_script_tag(path=str(PLOTLY_JS))
        tree = lambda: [p for p in descendants(os.getpid())]  # noqa: E731  Chromium's processes
        for w, (specs, how) in ways.items():  # warm-up: first plots, JIT
            page.evaluate(APPLY, [specs[:5], how])
        for r in range(a.rounds):
            order = list(ways) if r % 2 == 0 else list(reversed(list(ways)))
            for w in order:
                procs = tree()
                c0 = sum(cpu_seconds(p) for p in procs)
                specs, how = ways[w]
                wall = page.evaluate(APPLY, [specs, how])
                c1 = sum(cpu_seconds(p) for p in procs)
                res[w]["wall_ms"].append(wall / len(specs))
                res[w]["cpu_ms"].append(1e3 * (c1 - c0) / len(specs))
        browser.close()
    base = next(iter(ways))
    print(f"\n## One update of the 1-D toy page's main figure in Chromium ({time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}); median of {a.rounds} rounds x "
          f"{a.updates} updates\n")
    print("| drawn | JSON KiB | wall ms / update | Chromium CPU ms / update | CPU ratio |\n|---|---:|---:|---:|---:|")
    ref = statistics.median(res[base]["cpu_ms"])
    for w, (specs, _) in ways.items():
        cpu = statistics.median(res[w]["cpu_ms"])
        print(f"| {w} | {statistics.mean(len(s) for s in specs) / 1024:.1f} | "
              f"{statistics.median(res[w]['wall_ms']):.1f} | {cpu:.1f} | {cpu / ref:.2f} |")
    print("\nper round (CPU ms):", json.dumps({w: [round(x, 1) for x in v["cpu_ms"]] for w, v in res.items()}))


if __name__ == "__main__":
    main()
