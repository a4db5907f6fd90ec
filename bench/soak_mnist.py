"""Memory over a long live MNIST session: one student trains in Chromium while the app's memory is sampled.

    .venv/bin/python -m bench.soak_mnist --minutes 30

Starts the app as the README does (``streamlit run app.py``), opens the live MNIST page in
Chromium, presses Start, and every ``--every`` seconds records the resident memory of the
Streamlit server and of its worker processes (the run hosts), with the iteration the page
shows. Prints a table and the spread of each over the last two thirds of the session (the
first third is warm-up: imports, the classifier, allocator pools). A flat session stays within
±10 % of its median there. ``soak()`` is what tests/test_soak.py runs for 2 minutes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from gan_core.live.procinfo import rss_bytes
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, iteration_shown, start_server, wait_rendered


def children(pid: int) -> list[int]:
    """Every descendant process of pid (the run hosts the server started)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            kids = []
        out += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return out


def spread(values: list[float]) -> float:
    """Largest relative distance from the median, e.g. 0.04 for ±4 %."""
    mid = sorted(values)[len(values) // 2]
    return max(abs(v - mid) for v in values) / mid if mid else 0.0


def soak(minutes: float, every: float = 10.0, browser=None, nice: int = 0, cpus: str | None = None) -> dict:
    """Train on the live MNIST page for ``minutes`` in ``browser`` (a Playwright Chromium; one is
    launched when None) against a fresh app server (at ``nice``, on the cores ``cpus`` if given);
    memory sampled every ``every`` s."""
    if browser is None:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            own = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return soak(minutes, every, own, nice, cpus)
            finally:
                own.close()
    port = free_port()
    server = start_server(port, nice, cpus)
    rows = []
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/mnist_live")
        wait_rendered(page, 120_000)
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
        page.get_by_role("button", name="Start").click()
        t0 = time.monotonic()
        while time.monotonic() - t0 < minutes * 60:
            time.sleep(every)
            workers = children(server.pid)
            rows.append({"t": round(time.monotonic() - t0, 1), "iteration": iteration_shown(page),
                         "server_mb": rss_bytes(server.pid) / 2**20,
                         "workers_mb": sum(rss_bytes(w) for w in workers) / 2**20})
    finally:
        context.close()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    late = rows[len(rows) // 3:]
    return {"minutes": minutes, "rows": rows,
            "server_spread": spread([r["server_mb"] for r in late]),
            "workers_spread": spread([r["workers_mb"] for r in late]),
            "total_spread": spread([r["server_mb"] + r["workers_mb"] for r in late])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--nice", type=int, default=0, help="run the app server at this nice level")
    ap.add_argument("--cpus", default=None, help="run the app server on these cores only (taskset -c)")
    ap.add_argument("--json", default=None, help="write the result (or the error) to this file and stop")
    args = ap.parse_args()
    if args.json:   # tests/test_soak.py reads it; written whole, then renamed, so a reader never sees half
        try:
            result = soak(args.minutes, args.every, nice=args.nice, cpus=args.cpus)
        except Exception as e:  # noqa: BLE001  the test reports it
            result = {"error": f"{type(e).__name__}: {e}"}
        tmp = Path(args.json + ".part")
        tmp.write_text(json.dumps(result))
        tmp.replace(args.json)
        return
    result = soak(args.minutes, args.every, nice=args.nice, cpus=args.cpus)
    print("| t (s) | iteration | server MB | workers MB |\n|---:|---:|---:|---:|")
    for r in result["rows"]:
        print(f"| {r['t']:.0f} | {r['iteration']:,} | {r['server_mb']:.0f} | {r['workers_mb']:.0f} |")
    print(f"\nover the last two thirds: server ±{100 * result['server_spread']:.1f} %, workers "
          f"±{100 * result['workers_spread']:.1f} %, together ±{100 * result['total_spread']:.1f} % of the median")
    out = ROOT / "artifacts" / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
