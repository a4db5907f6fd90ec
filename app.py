"""GAN Lab for lectures: the entry point. `streamlit run app.py`.

A frame only: page config and navigation. Each page is a short script in pages/.
"""
import streamlit as st

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

st.navigation(PAGES).run()
