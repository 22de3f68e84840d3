"""Streamlit drawing of each screen's parts; the data comes in ready from the modules
below (overview, team_view, manager_detail …). Pages call ``views.<screen>.<part>``."""

from dashboard.views import (
    admin,
    admin_mail,
    admin_pulse,
    admin_roster,
    admin_settings,
    column_mapping,
    import_history,
    manager_detail,
    overview,
    pulse_form,
    team_view,
    upload,
)

__all__ = [
    "admin",
    "admin_mail",
    "admin_pulse",
    "admin_roster",
    "admin_settings",
    "column_mapping",
    "import_history",
    "manager_detail",
    "overview",
    "pulse_form",
    "team_view",
    "upload",
]
