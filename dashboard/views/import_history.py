"""The Upload page's History and Templates tabs: every import with its state, undo after
a confirmation, and the templates to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import exports, ingest, queries, templates, ui
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.ingest import ImportRefused
from dashboard.markdown import plain
from dashboard.store import Store

HISTORY_COLUMNS = {
    "import_id": "#", "state": "State", "imported_at": "When (UTC)", "kind": "Kind",
    "file_name": "File", "rows_in_file": "Rows", "imported": "Imported",
    "duplicates": "Duplicates", "rejected": "Rejected", "skipped": "Skipped",
    "imported_by": "By", "dropped_columns": "Not stored", "undone_at": "Undone (UTC)",
}  # fmt: skip


KINDS = {"survey": "Survey", "roster": "Roster", "progress": "Wins and setbacks"}


WHEN = "D MMM YYYY, HH:mm"  # every date and time of the history, one way


COUNT = st.column_config.NumberColumn(format="localized")  # 7,618 as the messages write it


def history(db: Store, user: User) -> None:
    for kind, message in st.session_state.pop("undo_outcome", []):
        (st.success if kind == "done" else st.error)(message, icon=":material/undo:")
    with db.reading() as cursor:
        frame = ingest.import_history(cursor)
    if frame.empty:
        ui.empty_state("Nothing imported yet.", "upload a roster first, then survey exports.")
        return
    # State right after #: the table is wider than the page at 1280 px, and whether an
    # import still counts is what people look for.
    shown = frame.assign(
        kind=frame.kind.map(lambda k: KINDS.get(k, k)),
        dropped_columns=frame.dropped_columns.map(lambda c: ", ".join(c) if len(c) else ""),
        state=frame.undone_at.map(lambda u: "Undone" if pd.notna(u) else "Stored"),
    )[list(HISTORY_COLUMNS)]
    st.dataframe(
        shown.rename(columns=HISTORY_COLUMNS),
        hide_index=True,
        width="stretch",
        placeholder="–",
        column_config={
            "#": st.column_config.NumberColumn(format="plain", width="small"),
            "State": st.column_config.TextColumn(width="small"),
            "When (UTC)": st.column_config.DatetimeColumn(format=WHEN),
            "Undone (UTC)": st.column_config.DatetimeColumn(format=WHEN),
            **dict.fromkeys(["Rows", "Imported", "Duplicates", "Rejected", "Skipped"], COUNT),
        },
    )
    undoable = frame[frame.undone_at.isna() & frame.kind.isin(["survey", "progress"])]
    if undoable.empty:
        return
    # Option texts of a selectbox are shown as typed (not Markdown): file names stay as
    # they are there; the checkbox label below is Markdown and gets them escaped.
    labels = {
        int(r.import_id): f"#{r.import_id} {r.file_name} ({r.imported:,} "
        f"row{'s' if r.imported != 1 else ''})"
        for r in undoable.itertuples()
    }
    if st.session_state.get("undo-choice") not in labels:
        st.session_state["undo-choice"] = None  # undone (here or elsewhere): not offered
    chosen = st.selectbox(
        "Undo an import",
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder="Choose an import to undo",
        key="undo-choice",
    )
    if chosen is None:
        return
    withdraws = ingest.undo_withdraws(db, chosen)
    if withdraws:
        st.warning(withdraws, icon=":material/lock:")
    confirm = st.checkbox(
        f"Yes, remove the {plain(labels[chosen])} from Catalyst", key="undo-confirm"
    )
    st.button(
        "Undo import",
        disabled=not confirm,
        key="undo-go",
        icon=":material/undo:",
        on_click=_undo,
        args=(db, user, chosen),
    )


def _undo(db: Store, user: User, import_id: int) -> None:
    """Runs before the next script run, so that run lists only what can still be undone,
    and resets the choice in the browser too (a value set here reaches the widget)."""
    try:
        removed = ingest.undo_import(
            db, import_id, now=utc_now(), user_id=user.user_id, actor=user.email
        )
        outcome = ("done", f"Import #{import_id} undone: {removed:,} rows removed.")
    except ImportRefused as refusal:
        outcome = ("refused", plain(" ".join(p.worded("page").message for p in refusal.problems)))
    st.session_state["undo_outcome"] = [outcome]
    st.session_state["undo-choice"] = None
    st.session_state["undo-confirm"] = False
    st.session_state["upload_previews"] = {}


def downloads(db: Store) -> None:
    with db.reading() as cursor:
        teams = queries.team_names(cursor)
    csv = "text/csv"
    groups = {
        "Survey template": [
            ("CSV", lambda: exports.csv_bytes(templates.survey_template()),
             "catalyst-survey-template.csv", csv),
            ("Excel", lambda: templates.xlsx(templates.survey_template()),
             "catalyst-survey-template.xlsx", None),
        ],
        "Questions for Google Forms or Microsoft Forms": [
            ("Question list", lambda: templates.question_list(teams),
             "catalyst-survey-questions.txt", "text/plain"),
        ],
        "Roster, people and progress templates": [
            ("Roster (CSV)", lambda: exports.csv_bytes(templates.roster_template()),
             "catalyst-roster-template.csv", csv),
            ("People (CSV)", lambda: exports.csv_bytes(templates.people_template()),
             "catalyst-people-template.csv", csv),
            ("Wins and setbacks (CSV)", lambda: exports.csv_bytes(templates.progress_template()),
             "catalyst-progress-template.csv", csv),
        ],
    }  # fmt: skip
    for column, (title, files) in zip(st.columns(len(groups)), groups.items(), strict=True):
        with column:
            st.markdown(f"**{title}**")
            for label, data, file_name, mime in files:
                st.download_button(
                    label, data=data, file_name=file_name, mime=mime, icon=":material/download:"
                )
