"""Keep the app on st.navigation even though page files live in pages/.

Streamlit treats a `pages/` folder beside the entry point as the legacy multipage app until
some session has run `st.navigation`. A student who opens a deep link (say /toy_gan) before
anyone opened the home page would get the legacy app: file names in the sidebar, no page
config. Each page calls `use_navigation()` first: it switches Streamlit to the app's
navigation (the documented effect of calling st.navigation) and reruns, so app.py frames the
page. Under AppTest, where a page runs alone, it does nothing.
"""
import streamlit as st


def use_navigation() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy flag: nothing to do
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
