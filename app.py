"""GAN Lab for lectures: `streamlit run app.py`.

The server: Streamlit's own (Starlette), running the app's script ``lab.py`` (page config and
navigation; each page is a short script in pages/), plus the live pictures' feeds (ui/feed.py),
which a playing page's charts fetch without a Streamlit rerun, and the live charts' plotly.js
(ui/live_chart.py), compressed once and kept by the browser.
"""
# pandas, loaded here, once, before any session runs. Plotly looks for it in sys.modules without
# importing it; when two sessions' threads drew their first figures at the same moment, one of them
# could find it half-imported by the other and stop with "partially initialized module 'pandas'"
# (seen in the server's log of a test run: a live MNIST page stopped).
import pandas  # noqa: F401
import streamlit as st

from ui import feed, live_chart

app = st.App("lab.py", routes=feed.ROUTES + live_chart.ROUTES)
