"""Presence: a live run stays seen by its page while the page is open, however busy the browser is.

The pool (gan_core.live.pool) pauses a run whose page has not called in for a while: its tab was
closed, or its student went to another page, and the slot goes to the queue. A page calls in by
reading its run, from its live fragment; a browser too busy to rerun fragments (a slow laptop, or
a class's tabs on one machine) then looks like a closed tab. The server knows better: Streamlit
keeps each browser's connection, and lab.py notes which page each session shows. A run's presence
test asks both.
"""
from __future__ import annotations

import weakref

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

PRESENCE = "lab/presence"


class _Presence:
    """The page a session shows now (``note_page``). The session's state holds it; its runs'
    presence tests hold it weakly, so it goes when the session does."""
    __slots__ = ("session_id", "page", "__weakref__")

    def __init__(self, session_id: str):
        self.session_id, self.page = session_id, None


def note_page(page: str) -> None:
    """The page this session shows now: lab.py calls it at every full script run (a change of page
    is one), before the page runs."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    ss = st.session_state
    presence = ss.get(PRESENCE)
    if presence is None:
        presence = ss[PRESENCE] = _Presence(ctx.session_id)
    presence.page = page


def keep_while_shown(handle) -> None:
    """Let ``handle``'s run count as seen (gan_core.live.pool: ``RunHandle.keep_while``) while this
    session's browser is connected to the server and shows the current page.

    A page's reads of its run are its heartbeats, and a browser too busy to rerun the page's
    fragments (a slow laptop, a class's tabs on one machine) sends none: without this its run would
    pause after the timeout as if the tab were closed. A change of page still frees the slot within
    the timeout, and a closed tab (its connection ends: Streamlit's ``Runtime.is_active_session``,
    safe from any thread) within a few seconds (the pool's ``CLOSED_GRACE_S``, which a reload or a
    network blip stays within). Only for a session served to a browser: AppTest's is never connected."""
    ctx = get_script_run_ctx()
    presence = st.session_state.get(PRESENCE)
    if ctx is None or presence is None or presence.page is None or not Runtime.exists():
        return
    runtime = Runtime.instance()
    if not runtime.is_active_session(ctx.session_id):
        return
    ref, page = weakref.ref(presence), presence.page

    def present() -> bool:
        shown = ref()
        return shown is not None and shown.page == page and runtime.is_active_session(shown.session_id)

    def closed() -> bool:
        shown = ref()
        return shown is None or not runtime.is_active_session(shown.session_id)

    handle.keep_while(present, closed)
