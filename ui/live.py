"""Small helpers shared by the live-training pages."""
import html

import streamlit as st


def apply_settings(target, settings: dict) -> dict:
    """Apply the widgets' hyperparameters to a running trainer (or race) in place.

    Only what differs from ``target.config`` is changed, so nothing is reset; a refused value
    (e.g. k = 0) shows its message and leaves the run as it was. Returns what changed.
    """
    changed = {k: v for k, v in settings.items() if getattr(target.config, k) != v}
    try:
        if changed:
            target.set_config(**changed)
    except ValueError as e:
        st.error(f"Setting not applied: {e}")
        return {}
    return changed


def check_in(worker, ticker, message_key: str) -> None:
    """A live fragment's first call: keep the worker alive, surface why it stopped by itself.

    The heartbeat tells the worker the student is still on the page. If the worker stopped
    on its own (divergence: its message goes to ``message_key``; or idle), the whole page
    reruns so the Play button and the fragment's timer show the paused state.
    """
    worker.heartbeat()
    if worker.error:
        st.session_state[message_key] = ("error", worker.error)
        worker.error = None
    if worker.stopped_idle or (ticker.marks and not worker.running):
        worker.stopped_idle = False
        ticker.clear()
        st.rerun(scope="app")


def play_or_pause(ns: str, pause: bool) -> None:
    """The Play / Pause button's action (``on_click``, with ``args=(ns, worker.running)`` at drawing).

    It does what the clicked label said: a "Pause" drawn before the run stopped by itself (idle,
    diverged) pauses, and never starts the run again. Uses ``{ns}.worker``, ``{ns}.ticker`` and
    ``{ns}.message`` in the session state; a start clears the old message.
    """
    ss = st.session_state
    worker = ss[f"{ns}.worker"]
    ss[f"{ns}.ticker"].clear()
    if pause:
        worker.stop()
    elif not worker.running:
        ss[f"{ns}.message"] = None
        worker.start()


# The live MNIST page redraws its numbers about once a second. Six st.metric elements cost the
# browser ~40 ms of CPU per redraw (Streamlit's styled components, measured in Chromium on 2
# cores): CPU the training threads then lack. One HTML block that looks the same costs a fraction.
_STAT_CELL = ("<div data-stat='{label}' style='min-width:0'>"
              "<div style='font-size:0.875rem;opacity:0.75;white-space:nowrap;overflow:hidden;text-overflow:ellipsis'"
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
