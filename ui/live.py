"""Small helpers shared by the live-training pages."""
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
