"""My team: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("my_team")
st.title("My team")
ui.coming_soon(
    "How your team rates you on the six catalysts next to your own ratings, your blind "
    "spots and hidden strengths, and what to focus on next. This screen arrives with the "
    "next release."
)
