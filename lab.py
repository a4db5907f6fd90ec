"""GAN Lab for lectures: the script each session runs (`streamlit run app.py` serves it).

A frame only: page config and navigation. Each page is a short script in pages/.
"""
import logging

import streamlit as st

from ui.presence import note_page

st.set_page_config(page_title="GAN Lab for lectures", page_icon=":material/casino:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home: the minimax game", icon=":material/home:", default=True),
    st.Page("pages/toy_gan.py", title="1-D toy GAN", icon=":material/show_chart:"),
    st.Page("pages/toy_2d.py", title="2-D toy GAN", icon=":material/scatter_plot:"),
    st.Page("pages/generator_costs.py", title="Generator costs", icon=":material/trending_down:"),
    st.Page("pages/divergences.py", title="KL / JS divergences", icon=":material/straighten:"),
    st.Page("pages/mnist_live.py", title="Live MNIST training", icon=":material/draw:"),
    st.Page("pages/pretrained.py", title="Pretrained checkpoints", icon=":material/inventory_2:"),
]

FRIENDLY_ERROR = ("Something went wrong on this page and it stopped. Nothing else is affected: other pages and other "
                  "people's sessions keep running. Reload the page to try again, or choose another page; if it keeps "
                  "happening, tell the lecturer (the details are in the server's log).")

try:
    page = st.navigation(PAGES)
    note_page(page.url_path)   # which page this session shows: its live runs train while it does
    page.run()
except Exception:  # an error no page foresaw (st.stop / st.rerun are not Exceptions and pass)
    if st.get_option("client.showErrorDetails") != "none":
        raise      # a developer's setting, and the tests' (tests/conftest.py): see the real exception
    logging.getLogger("gan_lab").exception("uncaught error in a page")
    st.error(FRIENDLY_ERROR, icon=":material/error:")
