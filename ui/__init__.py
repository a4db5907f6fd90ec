"""Streamlit-side helpers shared by pages: widgets and Plotly figure builders (plain arrays in, figures out)."""
