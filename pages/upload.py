"""Upload: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("upload")
st.title("Upload")
ui.coming_soon(
    "Import survey exports (CSV, TSV, XLSX), the roster and progress logs, with a preview, "
    "a validation report and undo. This screen arrives with a later release."
)
