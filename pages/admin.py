"""Admin: placeholder until its release; shows no data."""

import streamlit as st

from dashboard import ui

ui.guard("admin")
st.title("Admin")
ui.coming_soon(
    "Accounts and invitations, the roster, settings, the audit log and backups. Until then,"
    " add accounts with `catalyst user add` while the app is stopped."
)
