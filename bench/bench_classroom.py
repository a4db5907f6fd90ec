"""Classroom benchmark: the app as a lecture uses it, students in real Chromium sessions, on this machine.

    python bench/bench_classroom.py [--scenario one|class|all] [--seconds 30] [--toy 8] [--mnist 4] [--toy2d 0]
                                    [--port N] [--ray 127.0.0.1:6379] [--browser-nice 19] [--pages toy,mnist]
                                    [--app-cpus 0 --browser-cpus 1]

Run from the repository root. It starts the app as the README does (`streamlit run app.py`, via
tests.browser.start_server and .streamlit/config.toml) and measures, never asserting anything:

- headless reference, in a subprocess right before and right after the page phase: the toy core's
  it/s (bench.bench_toy.core_loop, 1 torch thread), the 2-D toy core's (bench.bench_toy2d.core_loop)
  and the default MNIST model's it/s
  (build_mnist_trainer + train_for, 2 torch threads; 1 thread too, for information);
- "one": one student on /toy_gan presses Play; the page's own "iteration" is read from the DOM
  by a 2 Hz sampler inside the page (plus a MutationObserver that logs each change, and the count of
  pictures its live charts fetched from their feeds, ui.feed: redraws/s),
  giving live it/s and its ratio to headless; then the k slider is moved 5 times (ArrowRight) and
  the time until "In effect: k = …" shows the new k is measured. Same rate for /mnist_live (Start);
- "class": N students (separate browser contexts = separate sessions, one Chromium) open their page
  and press Play/Start (order interleaved); over --seconds each one's it/s, state
  (data-run-state) and queue position are sampled in the page, and the server's and its worker
  processes' CPU and RSS from /proc. Then one more student opens the home page (time to render), in a
  Chromium of their own (their own machine), then in the class's.
  Then every tab closes: seconds until all workers together use < 5 % CPU over a 1-s window, and
  server + workers RSS before the class, at its peak, and after the tabs closed and the runs' TTL passed.
Fair share of an admitted (playing) run: fair = its 1-thread headless rate x min(1, cores / n_admitted_runs),
with "cores" the app's (all of the machine's, or --app-cpus). --app-cpus 0 --browser-cpus 1 keeps the
browsers off the app's core: the nearest this one machine comes to a lecture hall, where each
student's browser runs on their own machine and the server's cores are the app's alone.
Results: a Markdown table on stdout and artifacts/classroom-<timestamp>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gan_core.live.pool import HOST_RECYCLE_S, RUN_TTL_S
from gan_core.live.procinfo import cpu_seconds, pss_bytes, rss_bytes
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, button_name, free_port, start_server, wait_rendered

# After the tabs close, runs pause within ~13 s and end (memory freed) after the run TTL; a worker
# left without runs is replaced by a fresh process HOST_RECYCLE_S later.
AFTER_CLOSE_S = float(os.environ.get("GAN_LAB_RUN_TTL") or RUN_TTL_S) + HOST_RECYCLE_S + 20.0

CORES = os.cpu_count() or 1
PLAY = {"toy": ("/toy_gan", "Play"), "toy2d": ("/toy_2d", "Play"), "mnist": ("/mnist_live", "Start")}
HEADLESS = r"""
import json, sys, torch
from bench.bench_toy import core_loop
from bench.bench_toy2d import core_loop as core_loop_2d
from gan_core.mnist.training import build_mnist_trainer, train_for
s = float(sys.argv[1])
torch.set_num_threads(1); toy = core_loop(s); toy2d = core_loop_2d(s)
mnist = {}
for n in (2, 1):  # 2 threads as the CLI runs it; 1 thread as a worker shares the cores
    torch.set_num_threads(n); t = build_mnist_trainer(); train_for(t, iterations=3, chunk=3)
    mnist[n] = train_for(t, seconds=s, chunk=10)["iterations_per_s"]
print(json.dumps({"toy_it_s": toy, "toy2d_it_s": toy2d, "mnist_it_s": mnist[2], "mnist_1thread_it_s": mnist[1]}))
"""
# In-page sampler (installed before each page loads): 2 Hz reads of (time, iteration, state, position, of); a MutationObserver logs each change of
# the shown iteration (redraws). Reading the DOM in the page costs far less than Playwright round trips.
SAMPLER = r"""() => document.addEventListener('DOMContentLoaded', () => {
  const it = () => {
    let v = null;
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const l = m.querySelector('[data-testid="stMetricLabel"]');
      if (l && l.textContent.trim() === 'iteration') { v = m.querySelector('[data-testid="stMetricValue"]'); break; }
    }
    v = v || document.querySelector('[data-stat="iteration"] .stat-value');
    const d = v ? v.textContent.replace(/[^0-9]/g, '') : '';
    return d ? parseInt(d, 10) : null;
  };
  // pictures the live charts fetched from their feeds (ui/feed.py), drawn without a rerun of the page
  const fed = () => {
    let n = 0;
    for (const f of document.querySelectorAll('iframe[src*="live_chart"]')) {
      try { const d = f.contentDocument.querySelector('.js-plotly-plot'); n += (d && d.__fed) || 0; } catch (e) {}
    }
    return n;
  };
  const b = window.__bench = {samples: [], changes: []};
  b.timer = setInterval(() => {
    const s = document.querySelector('.run-status');
    b.samples.push([Date.now(), it(), s ? s.dataset.runState : null, s ? +s.dataset.position : 0, s ? +s.dataset.of : 0,
                    fed()]);
  }, 500);
  new MutationObserver(() => {
    const v = it(), c = b.changes;
    if (v !== null && (!c.length || c[c.length - 1][1] !== v)) c.push([Date.now(), v]);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
})"""
# Real students each have a foreground browser: no timer throttling of pages that are not focused.
BROWSER_ARGS = CHROMIUM_ARGS + ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                                "--disable-backgrounding-occluded-windows"]


def chromium_wrapper(nice: int = 0, cpus: str = "") -> str:
    """Chromium's path, or a wrapper that starts it at a lower CPU priority and/or on some cores only
    (its processes inherit both)."""
    if not nice and not cpus:
        return CHROMIUM
    prefix = (f"taskset -c {cpus} " if cpus else "") + (f"nice -n {int(nice)} " if nice else "")
    wrapper = ROOT / "artifacts" / f"chromium-nice{nice}-cpus{cpus.replace(',', '_') or 'all'}"
    wrapper.write_text(f'#!/bin/sh\nexec {prefix}"{CHROMIUM}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def headless(seconds: float, cpus: str = "") -> dict:
    cmd = (["taskset", "-c", cpus] if cpus else []) + [sys.executable, "-c", HEADLESS, str(seconds)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- processes (from /proc; psutil is not installed)
def descendants(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], list(kids.get(root, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


BROWSER_NICE = 0   # --browser-nice: also the nice value of the browser processes' scheduling groups


def autogroup(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/autogroup") as f:
            return f.read().split()[0]
    except OSError:
        return None


def lower_browser(pids: list[int], server: int) -> None:
    """Linux puts each session in its own scheduling group (autogroup) and shares the CPU between
    groups evenly, whatever a process's nice value: Chromium starts a session of its own, the server
    with its workers is in this script's, so next to busy tabs the server's side gets about one core
    of two whatever the nice values. A group's nice value (/proc/PID/autogroup) is what lowers them.
    Only groups other than the server's are lowered (Playwright's driver runs in ours)."""
    ours = autogroup(server)
    for pid in pids:
        if autogroup(pid) in (None, ours):
            continue
        try:
            with open(f"/proc/{pid}/autogroup", "w") as f:
                f.write(str(BROWSER_NICE))
        except OSError:
            pass   # gone, or a kernel without autogroups: the process nice still applies


def proc_sample(server: int) -> dict:
    """CPU seconds and RSS of the server, its workers (descendants) and the browser (the rest of our tree).
    With --browser-nice each sample also lowers the browser processes started since the last one."""
    workers = descendants(server)
    browser = [p for p in descendants(os.getpid()) if p != server and p not in workers]
    if BROWSER_NICE:
        lower_browser(browser, server)
    with open("/proc/stat") as f:
        j = [int(x) for x in f.readline().split()[1:]]
    return {"t": time.time(), "machine_cpu": (sum(j) - j[3] - j[4]) / os.sysconf("SC_CLK_TCK"), "server_cpu": cpu_seconds(server), "server_rss": rss_bytes(server),
            "workers": {p: (cpu_seconds(p), rss_bytes(p)) for p in workers},
            "server_pss": pss_bytes(server), "workers_pss": {p: pss_bytes(p) for p in workers},
            "browser_cpu": sum(cpu_seconds(p) for p in browser)}


def rss_total(s: dict) -> float:
    return (s["server_rss"] + sum(r for _, r in s["workers"].values())) / 2**20


def pss_total(s: dict) -> float:
    """The memory the server and its workers hold, shared library pages counted once (MiB)."""
    return (s["server_pss"] + sum(s["workers_pss"].values())) / 2**20


def cpu_share(a: dict, b: dict) -> dict:
    """Mean CPU use (1.0 = one core) between two samples: server, all workers, browser, whole machine."""
    dt = max(b["t"] - a["t"], 1e-9)
    w = sum(c - a["workers"].get(p, (0, 0))[0] for p, (c, _) in b["workers"].items())
    return {"server": (b["server_cpu"] - a["server_cpu"]) / dt, "workers": w / dt,
            "browser": (b["browser_cpu"] - a["browser_cpu"]) / dt, "machine": (b["machine_cpu"] - a["machine_cpu"]) / dt}


# ---- one student's page
def open_student(browser, url: str, kind: str | None):
    """A new session (browser context) opening its page; kind None: the home page, opened by the caller."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    ctx.add_init_script(f"({SAMPLER})()")
    page = ctx.new_page()
    page.kind, page.errors = kind, []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.ws_bytes = [0]  # bytes the server sent this tab over its WebSocket (Streamlit's deltas)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda m: page.ws_bytes.__setitem__(0, page.ws_bytes[0] + len(m))))
    if kind:
        page.goto(url + PLAY[kind][0], wait_until="commit")
    return ctx, page


def ready(page) -> str | None:
    """Wait until the page shows its Play/Start button, install the sampler; the error text if it never did."""
    try:
        wait_rendered(page, 180_000)
        page.get_by_role("button", name=button_name(PLAY[page.kind][1])).wait_for(timeout=180_000)
    except Exception as e:  # noqa: BLE001  a benchmark reports, it does not stop
        return f"page never ready: {str(e).splitlines()[0]}"
    return None


PRESS_WAIT_S = 30.0   # as a student would: a sluggish tab's button is pressed when it shows, not given up on


def press(page) -> str | None:
    """Press Play/Start as soon as the tab shows it (within PRESS_WAIT_S); page.press_s: how long that took."""
    button = page.get_by_role("button", name=button_name(PLAY[page.kind][1]))
    t = time.time()
    try:
        if button.is_disabled(timeout=PRESS_WAIT_S * 1e3):
            return f"{PLAY[page.kind][1]} is disabled (run state {state(page)})"
        button.click(no_wait_after=True, timeout=max(PRESS_WAIT_S - (time.time() - t), 0.1) * 1e3)
    except Exception as e:  # noqa: BLE001
        return f"could not press {PLAY[page.kind][1]} within {PRESS_WAIT_S:.0f} s: {str(e).splitlines()[0]}"
    finally:
        page.press_s = time.time() - t
    return None


def state(page) -> str | None:
    return page.evaluate("() => document.querySelector('.run-status')?.dataset.runState || null")


def read_log(page, t0: float, t1: float) -> dict:
    """it/s while playing, redraws/s, last state, from the page's sampler between t0 and t1 (seconds)."""
    b = page.evaluate("() => window.__bench || {samples: [], changes: []}")
    s = [x for x in b["samples"] if t0 * 1e3 <= x[0] <= t1 * 1e3]
    playing = [x for x in s if x[2] == "playing" and x[1] is not None]
    rate = ((playing[-1][1] - playing[0][1]) / ((playing[-1][0] - playing[0][0]) / 1e3)
            if len(playing) >= 2 and playing[-1][0] > playing[0][0] else 0.0)
    ch = [c for c in b["changes"] if t0 * 1e3 <= c[0] <= t1 * 1e3]
    last = s[-1] if s else [0, None, None, 0, 0, 0]
    fed = (s[-1][5] - s[0][5]) / max((s[-1][0] - s[0][0]) / 1e3, 1e-9) if len(s) >= 2 else 0.0
    exceptions = [e.inner_text()[:300] for e in page.query_selector_all('[data-testid="stException"]')]
    # error and warning boxes (role "alert"), not the pages' info notes (role "status")
    exceptions += [e.inner_text()[:300] for e in page.query_selector_all('[data-testid="stAlertContainer"][role="alert"]')]
    ended = [x[0] / 1e3 for x in b["samples"] if x[2] == "ended"]
    # a redraw: the page showing a new iteration (its rerun), or its live chart drawing a fed picture
    return {"it_s": rate, "redraws_s": len(ch) / max(t1 - t0, 1e-9) + fed, "fed_s": fed,
            "state": last[2], "position": last[3],
            "of": last[4], "playing_share": len(playing) / max(len(s), 1), "last_iteration": last[1],
            "exceptions": exceptions, "js_errors": page.errors[:5],
            "states_seen": sorted({x[2] for x in b["samples"] if x[2]}), "ended_at": ended[0] if ended else None}


# ---- scenario "one"
def scenario_one(browser, url: str, server: int, seconds: float, kinds=("toy", "mnist")) -> dict:
    res = {}
    for kind in kinds:
        ctx, page = open_student(browser, url, kind)
        ready(page)
        press(page)
        time.sleep(8.0 if kind == "mnist" else 3.0)  # warm-up: first chunks, first redraws
        proc_sample(server)                           # with --browser-nice: the new tab lowered before measuring
        a, t0, b0 = proc_sample(server), time.time(), page.ws_bytes[0]
        time.sleep(seconds)
        r = {**read_log(page, t0, time.time()), "cpu": cpu_share(a, proc_sample(server)),
             "ws_kib_s": (page.ws_bytes[0] - b0) / 1024 / (time.time() - t0)}
        if kind == "toy":
            r["k_latency_s"] = slider_latencies(page)
        page.get_by_role("button", name=button_name("Pause")).click()
        wait_rendered(page)
        ctx.close()
        res[kind] = r
    return res


def slider_latencies(page, moves: int = 5) -> list[float]:
    """Focus the k slider, press ArrowRight, time until the caption says the new k (moves times)."""
    slider = page.get_by_role("slider").first  # k is the first slider in the toy sidebar
    out = []
    for _ in range(moves):
        k = int(re.search(r"In effect: k = (\d+),", page.get_by_text("In effect:").inner_text()).group(1)) + 1
        slider.focus()
        t0 = time.perf_counter()
        slider.press("ArrowRight")
        page.wait_for_function(
            "k => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
            ".some(e => e.textContent.includes('In effect: k = ' + k + ','))", arg=k, polling=50, timeout=20_000)
        out.append(time.perf_counter() - t0)
        time.sleep(1.0)
    return out


# ---- scenario "class"
def scenario_class(browser, url: str, server: int, seconds: float, n_toy: int, n_mnist: int,
                   stagger: bool = False, newcomer_launch=None, n_toy2d: int = 0) -> dict:
    """``newcomer_launch``: starts the Chromium of the 13th student's own."""
    kinds = [k for *_, k in sorted([(i / n_toy, 0, "toy") for i in range(n_toy)] +  # toy, toy, mnist, toy, ...
                                   [((j + 0.5) / n_mnist, 1, "mnist") for j in range(n_mnist)] +
                                   [((j + 0.25) / n_toy2d, 2, "toy2d") for j in range(n_toy2d)])]
    # The lecturer opens the toy page before the class (that first visit starts the worker processes).
    ctx, page = open_student(browser, url, "toy")
    t_warm = time.time()
    warm = {"problem": ready(page), "state": state(page), "seconds": time.time() - t_warm}
    ctx.close()
    before = proc_sample(server)
    students = []
    t_open = time.time()
    problems = []
    for kind in kinds:  # all navigate at once, then each one is waited for (--stagger: one after the other)
        students.append(open_student(browser, url, kind))
        problems += [ready(students[-1][1])] if stagger else []
    problems = problems or [ready(page) for _, page in students]
    t_loaded = time.time() - t_open
    t_press = time.time()
    problems = [p or press(page) for p, (_, page) in zip(problems, students)]
    press_spread = time.time() - t_press
    press_s = [getattr(page, "press_s", None) for _, page in students]   # None: its page never got ready
    time.sleep(5.0)  # admission, first chunks
    trace, t0 = [proc_sample(server)], time.time()
    while time.time() - t0 < seconds:
        time.sleep(1.0)
        trace.append(proc_sample(server))
    t1 = time.time()
    rows = [{"student": i + 1, "page": p.kind, **read_log(p, t0, t1), "problem": problem}
            for i, ((_, p), problem) in enumerate(zip(students, problems))]
    n_adm = sum(r["state"] == "playing" for r in rows)
    # the 13th student opens the home page: in a Chromium of their own (their own machine, its own
    # scheduling group, started now and timed from the page's request), then in the class's Chromium
    home_s = {}
    extra = []
    for where in ("own", "shared") if newcomer_launch else ("shared",):
        b13 = newcomer_launch() if where == "own" else browser
        ctx13, home = open_student(b13, url, None)
        th = time.perf_counter()
        home.goto(url + "/", timeout=180_000)
        wait_rendered(home, 180_000)
        home_s[where] = time.perf_counter() - th
        extra.append((ctx13, home))
        if where == "own":
            extra.append((b13, None))
    during = proc_sample(server)
    for ctx, _ in students + extra:
        ctx.close()
    t_close, idle_after, after_trace = time.time(), None, [proc_sample(server)]
    while time.time() - t_close < AFTER_CLOSE_S:
        time.sleep(1.0)
        after_trace.append(proc_sample(server))
        if idle_after is None and cpu_share(after_trace[-2], after_trace[-1])["workers"] < 0.05:
            idle_after = after_trace[-1]["t"] - t_close
    load = cpu_share(trace[0], trace[-1])
    return {"students": rows, "n_admitted_playing": n_adm, "lecturer_first_visit": warm, "staggered_open": stagger, "pages_loaded_s": t_loaded, "press_spread_s": press_spread, "press_s": press_s,
            "home_render_s": home_s, "workers_idle_after_close_s": idle_after,
            "cpu_during": load, "workers_n": len(trace[-1]["workers"]),
            "rss_mib": {"before": rss_total(before), "during_peak": max(rss_total(s) for s in trace + [during]),
                        "after_close": rss_total(after_trace[-1]), "after_close_s": AFTER_CLOSE_S},
            "pss_mib": {"before": pss_total(before), "during_peak": max(pss_total(s) for s in trace + [during]),
                        "after_close": pss_total(after_trace[-1])},
            "workers_after_close": len(after_trace[-1]["workers"]),
            "workers_cpu_after_close": [round(cpu_share(a, b)["workers"], 3) for a, b in zip(after_trace, after_trace[1:])]}


# ---- report
def judge(res: dict) -> None:
    """Ratios against the headless reference (mean of before and after); fair shares in the class."""
    ref = res["ref"]
    for kind, r in res.get("one", {}).items():
        r["ratio"] = r["it_s"] / ref[f"{kind}_it_s"]
    if "class" in res:
        n = res["class"]["n_admitted_playing"]
        for r in res["class"]["students"]:
            playing = r["state"] == "playing"
            # a run's fair share is cores / n admitted runs of one core: its 1-thread rate scaled
            solo = ref[{"toy": "toy_it_s", "toy2d": "toy2d_it_s"}.get(r["page"], "mnist_1thread_it_s")]
            r["fair_it_s"] = solo * min(1.0, res["app_cores"] / max(n, 1)) if playing else None
            r["vs_fair"] = r["it_s"] / r["fair_it_s"] if playing else None
            r["flag"] = "ADMITTED BUT 0 it/s" if playing and r["it_s"] < 1 else ""


def report(res: dict) -> None:
    ref = res["headless"]
    nice, a = res["args"].get("browser_nice", 0), res["args"]
    where = (f"the app on core(s) {a['app_cpus']} ({res['app_cores']}), Chromium on core(s) {a['browser_cpus']}"
             if a.get("app_cpus") else "Chromium on the same cores as the app")
    print(f"\n## Classroom benchmark, {res['started']} (local time), {CORES} cores, backend {res['backend']}, "
          f"{where}, Chromium {'at nice ' + str(nice) if nice else 'at normal priority'}; load "
          f"average {res['load_avg_start'][0]:.1f} at start, {res['load_avg_end'][0]:.1f} at end\n")
    print("| headless reference | before | after |\n|---|---:|---:|")
    for k, lab in (("toy_it_s", "toy core it/s (1 thread)"), ("toy2d_it_s", "2-D toy core it/s (1 thread)"),
                   ("mnist_it_s", "MNIST default it/s (2 threads)"),
                   ("mnist_1thread_it_s", "MNIST default it/s (1 thread, not used for ratios)")):
        print(f"| {lab} | {ref['before'][k]:,.1f} | {ref['after'][k]:,.1f} |")
    if "one" in res:
        o = res["one"]
        print("\n| one student | live it/s | headless (mean) | ratio | redraws/s (new iteration shown + fed pictures) | "
              "CPU (cores): server / workers / browser / machine | per redraw: browser / server CPU ms | "
              "server → tab KiB/s |\n|---|---:|---:|---:|---:|---|---|---:|")
        for k in o:
            u, n = o[k]["cpu"], max(o[k]["redraws_s"], 1e-9)
            print(f"| {k} | {o[k]['it_s']:,.1f} | {res['ref'][f'{k}_it_s']:,.1f} | {o[k]['ratio']:.0%} | "
                  f"{o[k]['redraws_s']:.2f} | {u['server']:.2f} / {u['workers']:.2f} / {u['browser']:.2f} / "
                  f"{u['machine']:.2f} | {1e3 * u['browser'] / n:.0f} / {1e3 * u['server'] / n:.0f} | "
                  f"{o[k]['ws_kib_s']:,.0f} |")
        if "toy" in o:
            lat = o["toy"]["k_latency_s"]
            print(f"\nk slider → 'In effect' (5 moves): median {statistics.median(lat):.2f} s, max {max(lat):.2f} s "
                  f"(target < 0.5 s): {', '.join(f'{x:.2f}' for x in lat)}")
    if "class" in res:
        c = res["class"]
        print(f"\nClass: {len(c['students'])} students, {c['n_admitted_playing']} admitted and playing at the end; "
              f"fair = headless × min(1, {res['app_cores']} cores / {c['n_admitted_playing']} admitted runs)\n")
        print("| # | page | state | queue pos | it/s | fair it/s | it/s ÷ fair | redraws/s | flag / errors |\n"
              "|---:|---|---|---|---:|---:|---:|---:|---|")
        for r in c["students"]:
            pos = f"{r['position']} of {r['of']}" if r["state"] == "waiting" else ""
            err = "; ".join(x[:80] for x in [r["problem"] or ""] + r["exceptions"] + r["js_errors"] if x)
            fair = f"{r['fair_it_s']:,.1f}" if r["fair_it_s"] else ""
            vs = f"{r['vs_fair']:.0%}" if r["vs_fair"] is not None else ""
            print(f"| {r['student']} | {r['page']} | {r['state']} | {pos} | {r['it_s']:,.1f} | {fair} | {vs} | "
                  f"{r['redraws_s']:.2f} | {r['flag']} {err} |")
        u, m, ps = c["cpu_during"], c["rss_mib"], c["pss_mib"]
        idle = c["workers_idle_after_close_s"]
        print("\n| class measure | value |\n|---|---|")
        w = c["lecturer_first_visit"]
        for lab, val in (("lecturer's first visit to /toy_gan (starts workers): s, run state",
                          f"{w['seconds']:.1f}, {w['state']} {w['problem'] or ''}"),
                         ("pages loaded (all students, s)",
                          f"{c['pages_loaded_s']:.1f} ({'one after the other' if c['staggered_open'] else 'at once'})"),
                         ("Play/Start clicks spread (s); one click, from looking for the button: median / max (s)",
                          f"{c['press_spread_s']:.2f}; " + (f"{statistics.median(pressed):.2f} / {max(pressed):.2f}"
                                                           if (pressed := [x for x in c['press_s'] if x is not None])
                                                           else "no page got ready")),
                         ("CPU during (cores): server / workers / browser / whole machine",
                          f"{u['server']:.2f} / {u['workers']:.2f} / {u['browser']:.2f} / {u['machine']:.2f} "
                          f"({c['workers_n']} workers)"),
                         ("13th student: home page rendered (s): own Chromium / the class's Chromium",
                          f"{c['home_render_s'].get('own', float('nan')):.2f} / {c['home_render_s']['shared']:.2f}"),
                         ("tabs closed → workers < 5 % CPU (s)", f"{idle:.0f}" if idle is not None else f"not within {AFTER_CLOSE_S:.0f} s"),
                         (f"RSS server+workers MiB: before / peak / {m['after_close_s']:.0f} s after close",
                          f"{m['before']:,.0f} / {m['during_peak']:,.0f} / {m['after_close']:,.0f}"),
                         ("PSS server+workers MiB (shared library pages counted once): before / peak / after close",
                          f"{ps['before']:,.0f} / {ps['during_peak']:,.0f} / {ps['after_close']:,.0f}")):
            print(f"| {lab} | {val} |")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", choices=["one", "class", "all"], default="all")
    ap.add_argument("--seconds", type=float, default=None, help="measuring window (default: one 20 s, class 30 s)")
    ap.add_argument("--pages", default="toy,mnist", help="one: which pages, in order (toy, mnist)")
    ap.add_argument("--toy", type=int, default=8)
    ap.add_argument("--mnist", type=int, default=4)
    ap.add_argument("--toy2d", type=int, default=0, help="class: students on the 2-D toy page (besides --toy)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ray", default="", help="GAN_LAB_RAY_ADDRESS for the server (workers then are not children)")
    ap.add_argument("--stagger", action="store_true", help="class: students open their pages one after the other")
    ap.add_argument("--headless-seconds", type=float, default=8.0)
    ap.add_argument("--browser-nice", type=int, default=0,
                    help="run Chromium and its scheduling group at this nice level (19: the browsers take only "
                         "CPU the server and its workers leave; on 2 cores that starves the tabs)")
    ap.add_argument("--app-cpus", default="",
                    help='e.g. "0": the server and its workers (and the headless reference) only on these cores; '
                         'the pool sizes itself to them, and fair shares are of them')
    ap.add_argument("--browser-cpus", default="",
                    help='e.g. "1": every Chromium only on these cores. With --app-cpus, the browsers stand apart '
                         'from the app as on the students\' own machines, as far as one machine allows')
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    (ROOT / "artifacts").mkdir(exist_ok=True)
    if args.ray:
        os.environ["GAN_LAB_RAY_ADDRESS"] = args.ray
    global BROWSER_NICE
    BROWSER_NICE = args.browser_nice
    res = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "args": vars(args), "cores": CORES,
           "backend": f"ray {args.ray}" if args.ray else "local workers", "load_avg_start": os.getloadavg()}
    ref = {"before": headless(args.headless_seconds, args.app_cpus)}
    port = args.port or free_port()
    os.chdir(ROOT)
    server = start_server(port, cpus=args.app_cpus or None)
    res["app_cores"] = len(os.sched_getaffinity(server.pid))   # the cores the app may use, as its pool sees them
    res["streamlit_log"] = f"artifacts/streamlit-{port}.log"
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_wrapper(args.browser_nice, args.browser_cpus),
                                         args=BROWSER_ARGS)
            if args.scenario in ("one", "all"):
                res["one"] = scenario_one(browser, url, server.pid, args.seconds or 20.0, args.pages.split(","))
            if args.scenario in ("class", "all"):
                newcomer = lambda: pw.chromium.launch(executable_path=chromium_wrapper(0, args.browser_cpus),  # noqa: E731
                                                      args=BROWSER_ARGS)
                res["class"] = scenario_class(browser, url, server.pid, args.seconds or 30.0, args.toy, args.mnist,
                                              args.stagger, newcomer, args.toy2d)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    ref["after"] = headless(args.headless_seconds, args.app_cpus)
    res["headless"] = ref
    res["ref"] = {k: (ref["before"][k] + ref["after"][k]) / 2 for k in ref["before"]}
    judge(res)
    res["load_avg_end"] = os.getloadavg()
    report(res)
    out = ROOT / "artifacts" / f"classroom-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(res, indent=1, default=str))
    print(f"\nJSON: {out.relative_to(ROOT)}; server log: {res['streamlit_log']}")
    return res


if __name__ == "__main__":
    main()
