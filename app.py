"""Catalyst's entry script: page config, then the pages this visitor may use."""

import streamlit as st

st.set_page_config(page_title="Catalyst", page_icon=":material/trending_up:", layout="wide")

pages = [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]
st.navigation(pages).run()
