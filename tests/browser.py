"""Browser-test harness: the real app in a Streamlit server, driven in Debian's Chromium.

Every page test uses `app_url` (one server per test session) and `browser_page` (a fresh
Chromium tab). Screenshots go to artifacts/screenshots/ for a human to look at.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.apptest import wait_until

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_chromium() -> None:
    """Outside CI a machine without Chromium skips the browser tests and says why; in CI it fails."""
    if Path(CHROMIUM).exists():
        return
    why = f"Chromium not found at {CHROMIUM}: ./scripts/setup.sh --test installs Debian's chromium"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, nice: int = 0, cpus: str | None = None) -> subprocess.Popen:
    """The app in a Streamlit server on 127.0.0.1:port (``nice`` > 0: at a lower CPU priority;
    ``cpus``, e.g. "0": only on those cores, with its worker pool sized to them)."""
    cmd = (["taskset", "-c", cpus] if cpus else []) + (["nice", "-n", str(nice)] if nice else []) + [sys.executable, "-m", "streamlit", "run", os.environ.get("GAN_LAB_APP", "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log_path = ROOT / "artifacts" / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)   # a fresh clone has no artifacts/ yet
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"streamlit did not start; see artifacts/streamlit-{port}.log")


def wait_rendered(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script has finished its run (no 'Running…' status widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=timeout_ms)


def button_name(label: str) -> re.Pattern:
    """A button's accessible name: its label, then the keyboard shortcut Streamlit names in it, if any
    ("Play Shortcut P"; Play / Pause carry P, a step button S)."""
    return re.compile(rf"^{re.escape(label)}( Shortcut \S+)?$")


_LEGEND_CLASHES = """() => {
    const out = [], clash = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                                       Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    for (const div of document.querySelectorAll('.js-plotly-plot')) {
        const svg = div.querySelector('.main-svg');
        if (!svg) continue;
        const fig = svg.getBoundingClientRect(), title = div.querySelector('.gtitle');
        const name = title?.textContent || 'a figure';
        const items = [...div.querySelectorAll('.legend .traces')].map(g => [g.textContent, g.getBoundingClientRect()])
                      .filter(([, r]) => r.width > 0);
        items.forEach(([t, a], i) => {
            if (a.left < fig.left - 1 || a.right > fig.right + 1) out.push(`${name}: legend entry "${t}" runs out of the figure`);
            items.slice(i + 1).forEach(([u, b]) => { if (clash(a, b)) out.push(`${name}: legend entries "${t}" and "${u}" overlap`); });
        });
        if (title && items.length && items.some(([, r]) => clash(r, title.getBoundingClientRect())))
            out.push(`${name}: its title and its legend overlap`);
    }
    return out;
}"""


def legend_clashes(page) -> list[str]:
    """Plotly legends drawn wrong, in the page and its frames (live figures draw in their own): two
    entries over each other, an entry past the figure's edge, or a legend over the figure's title."""
    out = []
    for frame in page.frames:
        try:
            out += frame.evaluate(_LEGEND_CLASHES)
        except Exception:   # a frame that went away (a redraw replaced it) has nothing to check
            pass
    return out


def page_exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


def metric_value(page, label: str) -> str:
    """The shown value of the st.metric (or ui.live.stat_row_html cell) whose label contains `label`."""
    for m in page.query_selector_all('[data-testid="stMetric"]'):
        lab = m.query_selector('[data-testid="stMetricLabel"]')
        if lab and label in lab.inner_text():
            return m.query_selector('[data-testid="stMetricValue"]').inner_text()
    for cell in page.query_selector_all('[data-stat]'):
        if label in (cell.get_attribute("data-stat") or ""):
            return cell.query_selector('.stat-value').inner_text()
    raise KeyError(label)


def iteration_shown(page) -> int:
    """The page's "iteration" metric as an int; -1 while it is being redrawn."""
    try:
        return int(re.sub(r"[^\d]", "", metric_value(page, "iteration")))
    except Exception:
        return -1


def wait_for_iteration(page, n: int, timeout_s: float) -> int:
    """Poll the page's "iteration" metric until it reaches n (or time runs out); returns the last value."""
    deadline = time.time() + timeout_s
    while time.time() < deadline and iteration_shown(page) < n:
        time.sleep(0.5)
    return iteration_shown(page)


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def app_url():
    require_chromium()
    port = free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


LIVE_CHART = 'iframe[src*="live_chart"]'   # a live figure (ui.live_chart) draws inside its own iframe


def live_chart_frame(page, n: int = 0, timeout_s: float = 60.0):
    """The frame of the page's n-th live figure, once Plotly has drawn in it."""
    deadline = time.time() + timeout_s
    while True:
        handles = page.query_selector_all(LIVE_CHART)
        if len(handles) > n:
            frame = handles[n].content_frame()
            try:
                if frame and frame.evaluate("() => !!(document.querySelector('.js-plotly-plot') || {}).data"):
                    return frame
            except Exception:  # noqa: BLE001  a frame that is still loading
                pass
        if time.time() > deadline:
            raise AssertionError(f"live figure {n} not drawn within {timeout_s:.0f} s ({len(handles)} on the page)")
        time.sleep(0.2)


def choose_save_format(page, label: str, fmt: str, n: int = 0, timeout_s: float = 60.0):
    """Pick "figures save as" ``label`` and wait until the page's n-th live figure has been drawn with it
    (the page's rerun may begin after a wait for a finished run returns); returns that figure's frame."""
    page.get_by_text(label, exact=True).click()

    def drawn_format():
        frame = live_chart_frame(page, n, timeout_s=timeout_s)
        try:
            return frame.evaluate("() => (document.getElementById('fig').__saveOptions || {}).format")
        except Exception:  # noqa: BLE001  a frame mounted anew meanwhile
            return None

    wait_until(drawn_format, lambda f: f == fmt, timeout=timeout_s, every=0.2,
               message=f"live figure {n} not drawn to save as {fmt}")
    wait_rendered(page)
    return live_chart_frame(page, n, timeout_s=timeout_s)
