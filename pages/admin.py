"""Admin: people and invitations, the roster, settings, mail, the audit log and backups."""

import streamlit as st

from dashboard import ui, views

user = ui.guard("admin")
db = ui.store()
today = ui.org_today()

st.title("Admin")
views.admin.show_done()
sections = ["People", "Roster", "Settings", "Pulse", "Mail", "Audit log", "Backup"]
section = ui.section_picker(sections, "section", key="admin_section")
if section == "People":
    views.admin.people(db, user, today)
elif section == "Roster":
    views.admin_roster.roster(db, user, today)
elif section == "Settings":
    views.admin_settings.publication(db, user)
    views.admin_settings.organization_settings(db, user)
elif section == "Pulse":
    views.admin_pulse.section(db, user)
elif section == "Mail":
    views.admin_mail.mail(db, user)
elif section == "Audit log":
    views.admin.audit(db, user, today)
else:
    views.admin.backup(db, user, today)
