"""Time to digits: seconds from Start until the live page's quality meter first reports >= 50 %
and >= 80 % confident digits. Median over seeds; the number a lecture cares about.

    .venv/bin/python bench/time_to_digits.py --where headless --seeds 5     # the worker path, no browser
    .venv/bin/python bench/time_to_digits.py --where page --seeds 5         # the page in Chromium

headless: the live run exactly as the page trains it (``gan_core.live`` worker process, the
default settings, the default "grid shows" generator), started and watched from this process
without Streamlit: the clock starts at ``play()`` and reads the meter's report from the run's
snapshot every 0.25 s. page: the real app in a Streamlit server, driven in headless Chromium:
set the seed in the sidebar, Reset, press Start, then read the page's own "confident digits"
number every 0.5 s. A seed that does not get there within ``--limit`` seconds counts as the
limit (and is marked). Also given: the time from which the share stayed above each threshold
(the classifier can be sure of a few early blobs before there are digits). Prints one JSON line per seed and one summary line (medians).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

THRESHOLDS = (0.5, 0.8)


def _first_times(read, limit: float, every: float) -> dict:
    """Poll read() -> (confident share, FID) or None until time runs out (or both thresholds are held).

    ``s_to_50``: the first report >= 50 %. Early in a run the classifier can be sure of a few
    blobs that are not yet digits, and the share can fall back, so ``s_to_50_held`` is also given:
    the first report from which every later one in the window stayed >= 50 % (None if the last
    one was below). ``fid_at_50`` etc.: the FID the meter showed with that first report.
    """
    t0, readings = time.perf_counter(), []
    while time.perf_counter() - t0 < limit:
        got = read()
        if got is not None and (not readings or readings[-1][1:] != got):
            readings.append((round(time.perf_counter() - t0, 1), *got))
        if readings and readings[-1][1] >= max(THRESHOLDS) and len(readings) >= 3 \
                and all(r[1] >= max(THRESHOLDS) for r in readings[-3:]):
            break                            # the top threshold held for three reports: done
        time.sleep(every)
    out = {}
    for th in THRESHOLDS:
        key = f"s_to_{int(th * 100)}"
        first = next((r for r in readings if r[1] >= th), None)
        out[key], out[f"fid_at_{int(th * 100)}"] = (first[0], first[2]) if first else (None, None)
        below = [i for i, (_, x, _) in enumerate(readings) if x < th]
        held = (below[-1] + 1) if below else 0
        out[key + "_held"] = readings[held][0] if held < len(readings) else None
    return out | {"last_share": readings[-1][1] if readings else None, "readings": len(readings)}


def headless_seed(pool, seed: int, limit: float, shows: str) -> dict:
    from gan_core.live.runs import SETTINGS
    from gan_core.mnist.training import MNIST_TRAIN
    train = {k: getattr(MNIST_TRAIN, k) for k in SETTINGS}
    handle = pool.open("mnist", {"model": "cgan", "seed": seed, "train": train, "shows": shows})
    try:
        handle.view()
        handle.play()

        def read():
            snap = handle.view().snapshot
            q = snap["quality"] if snap else None
            return (q["report"]["confident_share"], round(q["report"]["fid"], 1)) if q and q["report"] else None

        out = _first_times(read, limit, 0.25)
        out["iteration"] = handle.view().snapshot["iteration"]
        return out
    finally:
        handle.close()


def page_seed(page, url: str, seed: int, limit: float) -> dict:
    from tests.browser import metric_value, wait_rendered
    page.goto(f"{url}/mnist_live")
    wait_rendered(page, 120_000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
    box = page.get_by_label("seed")
    box.fill(str(seed))
    box.press("Enter")
    wait_rendered(page)
    if page.get_by_label("seed").input_value() != str(seed):
        raise RuntimeError(f"the seed box did not take seed {seed}")
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_rendered(page)
    page.get_by_role("button", name="Start").click()

    def read():
        try:
            m = re.match(r"(\d+)\s*%", metric_value(page, "confident digits"))
            fid = metric_value(page, "FID") if m else None
        except Exception:  # noqa: BLE001  mid-redraw, or the quality panel not drawn yet
            return None
        return (int(m.group(1)) / 100, float(fid.replace(",", ""))) if m else None

    out = _first_times(read, limit, 0.5)
    out["iteration"] = metric_value(page, "iteration")
    page.get_by_role("button", name="Pause").click()
    wait_rendered(page)
    return out


def summary(rows: list[dict], limit: float) -> dict:
    out = {}
    for th in THRESHOLDS:
        for key in (f"s_to_{int(th * 100)}", f"s_to_{int(th * 100)}_held"):
            xs = [r[key] if r[key] is not None else limit for r in rows]
            out[key] = {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
                        "not_reached": sum(r[key] is None for r in rows)}
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--where", choices=["headless", "page"], default="headless")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--limit", type=float, default=90.0, help="seconds per seed at most")
    p.add_argument("--shows", choices=["ema", "raw"], default="ema", help="headless: the generator the meter scores")
    args = p.parse_args(argv)
    rows = []
    if args.where == "headless":
        from gan_core.live.pool import RunPool
        pool = RunPool(hosts=1)     # one worker process, started before the first clock
        try:
            for seed in range(args.seeds):
                rows.append({"where": "headless", "seed": seed, "shows": args.shows,
                             **headless_seed(pool, seed, args.limit, args.shows)})
                print(json.dumps(rows[-1]), flush=True)
        finally:
            pool.shutdown()
    else:
        from playwright.sync_api import sync_playwright

        from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_server
        port = free_port()
        server = start_server(port)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
                for seed in range(args.seeds):
                    rows.append({"where": "page", "seed": seed, **page_seed(page, f"http://127.0.0.1:{port}",
                                                                             seed, args.limit)})
                    print(json.dumps(rows[-1]), flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    out = {"where": args.where, "seeds": args.seeds, "limit_s": args.limit, **summary(rows, args.limit)}
    print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
