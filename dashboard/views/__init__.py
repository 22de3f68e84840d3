"""Streamlit drawing of each screen's parts; the data comes in ready from the modules
below (overview, team_view, manager_detail …). Pages call ``views.<screen>.<part>``."""

from dashboard.views import (
    admin,
    column_mapping,
    import_history,
    manager_detail,
    overview,
    team_view,
    upload,
)

__all__ = [
    "admin",
    "column_mapping",
    "import_history",
    "manager_detail",
    "overview",
    "team_view",
    "upload",
]
