"""Manager detail: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("manager_detail")
st.title("Manager detail")
ui.coming_soon(
    "One manager's team results, check-ins and focus over time, read-only. This screen "
    "arrives with a later release."
)
