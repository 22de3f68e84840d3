"""Overview: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("overview")
st.title("Overview")
ui.coming_soon(
    "How every manager covers the catalysts across teams and over time, where self-image "
    "and team perception differ, and what goes with progress. This screen arrives with a "
    "later release."
)
