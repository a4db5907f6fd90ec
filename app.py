"""GAN Lab for lectures: the entry point. `streamlit run app.py`.

A frame only: page config and navigation. Each page is a short script in pages/.
"""
import streamlit as st

st.set_page_config(page_title="GAN Lab for lectures", page_icon="🎲", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home: the minimax game", icon="🏠", default=True),
    st.Page("pages/toy_gan.py", title="1-D toy GAN", icon="📈"),
    st.Page("pages/generator_costs.py", title="Generator costs", icon="📉"),
    st.Page("pages/divergences.py", title="KL / JS divergences", icon="📐"),
    st.Page("pages/mnist_live.py", title="Live MNIST training", icon="✍️"),
    st.Page("pages/pretrained.py", title="Pretrained checkpoints", icon="📦"),
]

st.navigation(PAGES).run()
