"""Admin: people and invitations, the roster, settings, the audit log and backups."""

import streamlit as st

from dashboard import admin_view, ui

user = ui.guard("admin")
db = ui.store()
today = ui.org_today()

st.title("Admin")
admin_view.show_done()
sections = ["People", "Roster", "Settings", "Audit log", "Backup"]
section = ui.section_picker(sections, "section", key="admin_section")
if section == "People":
    admin_view.people(db, user)
elif section == "Roster":
    admin_view.roster(db, user, today)
elif section == "Settings":
    admin_view.organization_settings(db, user)
elif section == "Audit log":
    admin_view.audit(db, user, today)
else:
    admin_view.backup(db, user, today)
