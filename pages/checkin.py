"""Weekly check-in: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("checkin")
st.title("Weekly check-in")
ui.coming_soon(
    "Each week, rate how well you gave your team the six catalysts, log the team's small "
    "wins and setbacks, and pick a focus for next week. This screen arrives with the next "
    "release."
)
