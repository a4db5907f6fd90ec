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
