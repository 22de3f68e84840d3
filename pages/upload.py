"""Upload: survey exports, the roster, people and wins and setbacks, checked before they
go in."""

import streamlit as st

from dashboard import queries, ui, views

user = ui.guard("upload")
db = ui.store()
with db.reading() as cursor:
    limit = queries.org_settings(cursor).max_upload_mb

st.title("Upload")
if ui.hr_scope(user).departments is not None:
    # Files name teams in any department and undo touches whole imports: one limited
    # to some departments could change, or see in previews, teams outside them.
    st.warning(
        "Uploads change data for the whole organization, and your access is limited to "
        "some departments. Ask an admin or an HR colleague who sees every department to "
        "import the file.",
        icon=":material/lock:",
    )
    st.stop()
importing, history, downloads = st.tabs(["Import a file", "History", "Templates"])

with importing:
    kinds = {"survey": "Survey responses", "roster": "Roster", "people": "People",
             "progress": "Wins and setbacks"}  # fmt: skip
    kind = st.segmented_control(
        "What are you importing?",
        list(kinds),
        format_func=kinds.get,
        default="survey",
        key="upload_kind",
    )
    kind = kind or "survey"
    upload = st.file_uploader(
        "Export file (CSV, TSV or Excel)",
        type=["csv", "tsv", "txt", "xlsx"],
        max_upload_size=limit,
        key=f"upload_{kind}",
    )
    if upload is None:
        views.upload.start_here(db, kind)
    elif kind == "survey":
        views.upload.survey(db, user, upload)
    elif kind == "roster":
        views.upload.roster(db, user, upload)
    elif kind == "people":
        views.upload.people(db, user, upload)
    else:
        views.upload.wins_file(db, user, upload)

with history:
    views.import_history.history(db, user)

with downloads:
    views.import_history.downloads(db)
