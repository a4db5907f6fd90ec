"""Live MNIST page speed vs the CLI's training loop, side by side in one run.

    .venv/bin/python bench/bench_mnist_page.py [--seconds 20] [--rounds 5] [--model cgan|dcgan|mlp]

CLI: what `python -m gan_core train` runs (build_mnist_trainer + train_for, chunks of 10, the
default settings, torch threads = CPU count), headless, in this process. Page: the real app in
a Streamlit server, driven in Chromium: press Start on /mnist_live, let it warm up, then read
the page's own "samples/s (live)" metric (samples per second of wall clock over its last ~12
redraws, drawing and quality meter included) every second, and count how often the grid image
in the browser changes (its src, watched by a timer inside the page). Rounds alternate (CLI, page, CLI, page, ...) so background
load hits both alike. Prints one JSON line: medians, the page/CLI ratio, grid redraws/s.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
from gan_core.mnist.training import DEFAULT_MODEL, DEFAULT_MODELS, MNIST_TRAIN, build_mnist_trainer, load_images, train_for  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, metric_value, start_server, wait_rendered  # noqa: E402


def cli_round(model: str, seconds: float, images) -> float:
    torch.set_num_threads(os.cpu_count() or 1)
    trainer = build_mnist_trainer(DEFAULT_MODELS[model], MNIST_TRAIN, images=images)
    train_for(trainer, iterations=3, chunk=3)  # warm-up (first-call allocations)
    return train_for(trainer, seconds=seconds, chunk=10)["samples_per_s"]


def page_round(page, url: str, model: str, seconds: float, warmup: float = 8.0) -> dict:
    page.goto(f"{url}/mnist_live")
    wait_rendered(page, 120_000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
    if model != DEFAULT_MODEL.kind:
        page.get_by_text({"mlp": "MLP GAN", "dcgan": "DCGAN (Radford", "cgan": "conditional GAN"}[model]).click()
        wait_rendered(page)
        page.get_by_role("button", name="Reset", exact=True).click()
        wait_rendered(page)
    page.get_by_role("button", name="Start").click()
    time.sleep(warmup)
    # Grid changes are counted inside the page (a 50 ms timer comparing the image's src), not by
    # polling from Python: 20 Playwright round trips a second cost the browser, the Playwright
    # driver and this process CPU that a lecture's browser never spends (measured: ~10 % of the
    # page's training rate on 2 cores). The samples/s metric is read once a second.
    page.evaluate("""() => {
        window.__gridSrcs = [];
        window.__gridTimer = setInterval(() => {
            const img = document.querySelector('[data-testid="stImage"] img');
            const src = img ? img.getAttribute('src') : null;
            const log = window.__gridSrcs;
            if (src && (log.length === 0 || log[log.length - 1] !== src)) log.push(src);
        }, 50);
    }""")
    rates, t0 = [], time.time()
    while time.time() - t0 < seconds:
        time.sleep(1.0)
        try:
            value = metric_value(page, "samples/s")
            if re.search(r"\d", value):
                rates.append(float(value.replace(",", "")))
        except Exception:
            pass
    changes = page.evaluate("() => { clearInterval(window.__gridTimer); return window.__gridSrcs.length - 1; }")
    elapsed = time.time() - t0
    page.get_by_role("button", name="Pause").click()
    wait_rendered(page)
    return {"samples_per_s": statistics.median(rates) if rates else float("nan"), "grid_changes_per_s": changes / elapsed}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--model", choices=list(DEFAULT_MODELS), default=DEFAULT_MODEL.kind)
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright
    images = load_images("embedded")[:2]
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    cli, pages = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
            for _ in range(args.rounds):
                cli.append(cli_round(args.model, args.seconds, images))
                pages.append(page_round(page, url, args.model, args.seconds))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    cli_sps = statistics.median(cli)
    page_sps = statistics.median(r["samples_per_s"] for r in pages)
    out = {"model": args.model, "batch_size": MNIST_TRAIN.batch_size, "cpu_count": os.cpu_count(),
           "cli_samples_per_s": [round(x, 1) for x in cli],
           "page_samples_per_s": [round(r["samples_per_s"], 1) for r in pages],
           "grid_changes_per_s": [round(r["grid_changes_per_s"], 2) for r in pages],
           "page_over_cli": round(page_sps / cli_sps, 3)}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
