"""Small helpers shared by the live-training pages."""
import functools
import html
import json
import threading
import time
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from gan_core.live.backends import HostDied
from gan_core.live.pool import HEARTBEAT_TIMEOUT_S, RunEnded
from ui.feed import Feed
from ui.keys import LiveKeys, ToyButtonKeys
from ui.presence import keep_while_shown


def run_pool():
    """The process-wide pool of run hosts (worker processes, or a Ray cluster): see gan_core.live.pool."""
    return _pool()


@st.cache_resource(show_spinner="Starting the training workers…")
def _pool():
    from gan_core.live.pool import default_pool
    return default_pool()


def redraw_every(seconds: float) -> float:
    """A live fragment's interval for this moment of the class: ``seconds`` while at most one run
    per core trains, slower in proportion beyond. Every redraw costs the server and each student's
    browser CPU (Plotly redraws a figure in ~0.1 s of a core), which on a shared machine the runs
    and the newcomers then lack; with 8 runs on 2 cores each trains at a quarter of a core, and a
    redraw four times rarer still shows every change."""
    pool = run_pool()
    return seconds * max(1.0, pool.stats()["playing"] / pool.cores)


# Every rerun of a live fragment costs the student's browser a re-render of the whole page
# (Streamlit's; measured in Chromium at ~130 ms of CPU for the 1-D toy page, with nothing changed),
# so pages with nothing new to draw check in rarely. A paused page checks in every 10 s (a crash of
# its worker shows within 10 s; the run stays within its TTL). A waiting page checks in every 2 s
# (its place in the queue, its admission), and all waiting pages together at most twice per core and
# second, so a long queue costs the server a fixed share; each at least every half heartbeat timeout.
PAUSED_EVERY_S = 10.0
WAITING_EVERY_S = 2.0
WAITING_CHECKS_PER_CORE_S = 2.0


def live_every(view, seconds: float, checks_in: bool = True) -> float | None:
    """The interval of a live fragment for the run's state: playing, ``redraw_every(seconds)``;
    otherwise only the page's fragment that reads the run's view (``checks_in``) reruns: paused or
    ended, every ``PAUSED_EVERY_S``; waiting, never by time: its run watch (``run_watch``) asks the
    server every ``waiting_every`` seconds and reruns the fragment when the run's place changed."""
    if view.state == "playing":
        return redraw_every(seconds)
    if not checks_in or view.state == "waiting":
        return None
    return PAUSED_EVERY_S


def waiting_every(waiting: int, cores: int) -> float:
    """Seconds between two check-ins of a waiting page, with ``waiting`` pages in the queue."""
    return min(max(WAITING_EVERY_S, waiting / (WAITING_CHECKS_PER_CORE_S * cores)), HEARTBEAT_TIMEOUT_S / 2)


def watch_text(view) -> str:
    """Where a run stands, as its watch compares it: the same text from the page and from the feed."""
    return json.dumps({"state": view.state, "position": view.position, "of": view.queue_length})


def run_watch(keys: LiveKeys, run, view) -> None:
    """A waiting page's watch (ui/run_watch): the browser asks the run's status feed (ui.feed) every
    ``waiting_every`` seconds, each ask being the page's heartbeat, and reruns the fragment only when
    the answer differs from what the page shows. A waiting page then costs its student's browser a
    re-render only when its place changes, not every 2 s. Always one element (idle unless waiting)."""
    feed = run_feed(keys.watch, run)
    if feed.make is None:
        feed.make = lambda: watch_text(run.view())
    every = None
    if view.state == "waiting":
        pool = run_pool()
        every = waiting_every(pool.stats()["waiting"], pool.cores)
    _watcher()(feed=feed.url if every else None, every_ms=int(1000 * (every or WAITING_EVERY_S)),
               shown=watch_text(view), key=keys.watcher, default=None, height=0)


@functools.lru_cache(maxsize=1)
def _watcher():
    return components.declare_component("run_watch", path=str(Path(__file__).with_name("run_watch")))


def open_run(keys: LiveKeys, kind: str, spec: dict) -> bool:
    """A new run for this session (the old one, if any, is closed). False, with the reason in
    ``keys.message``, when it could not be made (bad settings, no worker could start)."""
    ss = st.session_state
    old = ss.get(keys.run)
    try:
        handle = run_pool().open(kind, spec)
    except ValueError as e:
        ss[keys.message] = ("error", f"Not reset: {e}")
        return False
    except HostDied as e:  # a worker that cannot start or died while building the run
        ss[keys.message] = ("error", f"No training worker could take the run ({e}). Try Reset in a moment.")
        return False
    except Exception as e:  # noqa: BLE001  anything else the worker refused: say so, keep the page
        ss[keys.message] = ("error", f"Not reset: the run could not be built ({e}).")
        return False
    if old is not None:
        old.close()
    keep_while_shown(handle)
    ss[keys.run] = handle
    ss[keys.ticker] = Ticker()
    st.query_params["run"] = f"{keys.ns}:{handle.id}"  # a reload can then say what became of this run
    return True


def lost_run_notice(keys: LiveKeys) -> None:
    """A new session whose URL names this page's earlier run: say what became of it, once,
    instead of silently starting afresh. Unknown to the server: it restarted (or the run ended
    after its page closed). Known: the page was reloaded; the old run is closed now, freeing its slot."""
    ss = st.session_state
    ref = st.query_params.get("run", "")
    prefix, _, run_id = ref.partition(":")
    if prefix != keys.ns or not run_id or keys.run in ss:
        return
    old = run_pool().find(run_id)
    if old is None:
        ss[keys.message] = ("info", "The live run this page showed before is gone: the server was restarted "
                                    "(or the run ended after its page was closed). A new run starts from the seed.")
    else:
        old.close()
        ss[keys.message] = ("info", "The page was reloaded, which starts a new session: the run it showed "
                                    "is closed and a new run starts from the seed.")


def apply_settings(keys: LiveKeys, handle, settings: dict) -> dict:
    """Send the widgets' settings to the run when they changed (applied between two steps, never
    a reset). A refused value shows its message and leaves the run as it was. Returns what changed."""
    ss = st.session_state
    if ss.get(keys.applied) == (handle.id, settings):
        return {}
    try:
        changed = handle.apply(settings)
    except ValueError as e:
        st.error(f"Setting not applied: {e}")
        return {}
    except RunEnded:
        return {}
    ss[keys.applied] = (handle.id, dict(settings))
    return changed


def act(keys: LiveKeys, action: str, *args):
    """A button's action on the run (one step, D to optimum, save): its report or error becomes the message."""
    ss = st.session_state
    try:
        result = ss[keys.run].do(action, *args)
    except (ValueError, RunEnded) as e:
        ss[keys.message] = ("error", str(e))
        return None
    except RuntimeError as e:  # TrainingDiverged and a host's other faults arrive as their message
        ss[keys.message] = ("error", str(e).split(": ", 1)[-1] if str(e).startswith("TrainingDiverged") else str(e))
        return None
    if isinstance(result, dict) and result.get("message"):
        ss[keys.message] = result["message"]
    return result


def play_or_pause(keys: LiveKeys, pause: bool) -> None:
    """The Play / Pause button's action (``on_click``, with ``args=(keys, playing)`` at drawing).

    It does what the clicked label said: a "Pause" drawn before the run stopped by itself
    (diverged) pauses, and never starts the run again. A start clears the old message.
    """
    ss = st.session_state
    handle = ss[keys.run]
    ss[keys.ticker].clear()
    if pause:
        handle.pause()
    else:
        ss[keys.message] = None
        handle.play()


def toy_buttons(keys: ToyButtonKeys, view) -> bool:
    """The toy pages' row: Play/Pause (key P), one iteration (key S), one D step, one G step, train D
    to optimum, Reset. Returns True when Reset was pressed (the page makes its new run)."""
    cols = st.columns(6)
    active = view.state in ("playing", "waiting")
    # one key per label: with a keyboard shortcut on the button, Streamlit may deliver a click twice,
    # and a second "Pause" click must not land on the "Play" button drawn after the first
    cols[0].button("Pause" if active else "Play", key=keys.pause if active else keys.play, type="primary",
                   icon=":material/pause:" if active else ":material/play_arrow:",
                   width="stretch", on_click=play_or_pause, args=(keys, active), disabled=view.state == "ended",
                   shortcut="P")
    cols[1].button("One iteration", key=keys.one, width="stretch", on_click=act, args=(keys, "iteration"),
                   shortcut="S")
    cols[2].button("One D step", key=keys.dstep, width="stretch", on_click=act, args=(keys, "d_step"))
    cols[3].button("One G step", key=keys.gstep, width="stretch", on_click=act, args=(keys, "g_step"))
    cols[4].button("Train D to optimum", key=keys.dopt, width="stretch", on_click=act, args=(keys, "d_optimum"),
                   help="G frozen; D trained until it stops changing. D lands on D*.")
    return cols[5].button("Reset", key=keys.reset, width="stretch")


# The status line when it shows nothing, and the run watch (an iframe of no height), leave the page's
# flow: as elements of it each took a gap of the column, and a live panel in a column (the MNIST
# page's) then began ~60 px lower than its neighbour. Out of the flow, the watch still runs.
_OUT_OF_FLOW = ("<style>.stElementContainer:has(.run-status.idle), .stElementContainer[class*='-watcher']"
                "{position:absolute;width:0;height:0;overflow:hidden;margin:0}</style>")


def status_line(view) -> None:
    """Where the run stands, for the student (and, as data attributes, for the class benchmark).

    Always exactly two elements, whatever the state: a live fragment whose element count changes
    between reruns can break Streamlit's frontend ("Bad delta path index") when a full rerun races it."""
    attrs = f"data-run-state='{view.state}' data-position='{view.position}' data-of='{view.queue_length}'"
    status, ended = st.empty(), st.empty()
    if view.state == "waiting":
        status.markdown(f"{_OUT_OF_FLOW}<div {attrs} class='run-status'>⏳ <b>Waiting for a free slot: position "
                        f"{view.position} of {view.queue_length}.</b> The class is using every training slot of this "
                        f"server; your run starts by itself when one frees. Keep this tab open.</div>",
                        unsafe_allow_html=True)
    else:
        status.markdown(f"{_OUT_OF_FLOW}<div {attrs} class='run-status idle'></div>", unsafe_allow_html=True)
    if view.state == "ended":
        ended.error(view.ended or "The run ended.")


def live_header(keys: LiveKeys, run, drawn: str, samples_key: str = "iteration"):
    """The start of every live fragment: read the run's latest snapshot (never waiting for
    training; the read is also the page's heartbeat), follow a state change (``drawn``: the run's
    state when the page was last drawn whole), mark the live rate, and show where the run stands
    and the page's message (a fixed number of elements). Returns the RunView."""
    view = run.view()
    check_in(keys, view, drawn)
    if view.playing:
        st.session_state[keys.ticker].mark(view.snapshot["iteration"], view.snapshot[samples_key])
    status_line(view)
    run_watch(keys, run, view)
    slot = st.empty()
    message = st.session_state.get(keys.message)
    if message:
        kind, text = message
        (slot.error if kind == "error" else slot.info)(text)
    return view


def _pace(state: str) -> str:
    """What a state asks of the page's live fragment (``live_every``): redraws, the run watch, or neither."""
    return state if state in ("playing", "waiting") else "idle"


def check_in(keys: LiveKeys, view, drawn: str) -> None:
    """A live fragment's first call: if the run's state changed under the page (it stopped by
    itself, was admitted from the queue or sent back to it, or ended), rerun the whole page so the
    Play button and the fragment's timer match. (A fragment's timer is set when the page is drawn
    whole: a page admitted from the queue would otherwise show "playing" with numbers that never move.)"""
    ss = st.session_state
    if view.message and view.message != ss.get(keys.seen_message):
        ss[keys.message] = ss[keys.seen_message] = view.message
    elif not view.message and ss.get(keys.seen_message) and ss.get(keys.message) == ss[keys.seen_message]:
        ss[keys.message] = ss[keys.seen_message] = None   # the run took back what it said (back from the queue)
    if _pace(view.state) != _pace(drawn):
        ss[keys.ticker].clear()
        st.rerun(scope="app")


class Ticker:
    """Rates over the last few redraws: (wall time, iterations, samples) at each redraw. A redraw
    is marked by the page's fragment or by its live chart's feed (ui.feed, another thread)."""

    def __init__(self, keep: int = 12):
        self.keep, self.marks = keep, []
        self._lock = threading.Lock()

    def mark(self, iteration: int, samples: int) -> None:
        with self._lock:
            if self.marks and self.marks[-1][1] == iteration:
                return  # the same snapshot again: no new point
            self.marks.append((time.perf_counter(), iteration, samples))
            del self.marks[:-self.keep]

    def clear(self) -> None:
        with self._lock:
            self.marks = []

    def rates(self) -> dict | None:
        """samples/s, iterations/s and redraws/s over the window; None before two redraws."""
        with self._lock:
            marks = list(self.marks)
        if len(marks) < 2:
            return None
        (ta, ia, sa), (tb, ib, sb) = marks[0], marks[-1]
        dt = max(tb - ta, 1e-9)
        return {"samples_per_s": (sb - sa) / dt, "iterations_per_s": (ib - ia) / dt,
                "redraws_per_s": (len(marks) - 1) / dt}


def run_feed(key: str, run) -> Feed:
    """The session's feed (ui.feed) under ``key`` for the page's current run: a new one, with a new
    token, for each new run, so that a page never takes one run's picture or status for another's."""
    ss = st.session_state
    feed = ss.get(key)
    if feed is None or feed.owner != run.id:
        feed = ss[key] = Feed(owner=run.id)
    return feed


# The live MNIST page redraws its numbers about once a second. Six st.metric elements cost the
# browser ~40 ms of CPU per redraw (Streamlit's styled components, measured in Chromium on 2
# cores): CPU the training threads then lack. One HTML block that looks the same costs a fraction.
_STAT_CELL = ("<div data-stat='{label}' style='min-width:0'>"
              "<div class='stat-label' style='font-size:0.875rem;opacity:0.75;white-space:nowrap;overflow:hidden;text-overflow:ellipsis'"
              "{title}>{label}{mark}</div>"
              "<div class='stat-value' style='font-size:2.25rem;line-height:1.25;white-space:nowrap'>{value}</div>"
              "<div class='stat-note' style='font-size:0.875rem;opacity:0.6;white-space:nowrap;overflow:hidden;"
              "text-overflow:ellipsis'>{note}</div></div>")

_HELP_MARK = ("<span style='display:inline-block;width:1.1em;height:1.1em;line-height:1.05em;margin-left:0.35em;"
              "border:1px solid currentColor;border-radius:50%;font-size:0.7rem;text-align:center;"
              "vertical-align:middle;cursor:help'>?</span>")


def stat_row_html(stats: list[tuple], columns: int = 3) -> str:
    """Numbers laid out like st.metric (label, big value, small note), as one HTML block.

    stats: (label, value, note, help) tuples; note and help may be None. Text is escaped;
    each cell carries data-stat=label so tests can read the value the page shows.
    """
    cells = []
    for label, value, note, help_text in stats:
        cells.append(_STAT_CELL.format(
            label=html.escape(label), value=html.escape(str(value)), note=html.escape(note or "") or "&nbsp;",
            title=f" title='{html.escape(help_text, quote=True)}'" if help_text else "",
            mark=_HELP_MARK if help_text else ""))
    return (f"<div style='display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));gap:0.5rem 1rem;"
            f"margin-bottom:0.5rem'>{''.join(cells)}</div>")
