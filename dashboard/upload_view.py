"""The Upload screen's pieces: a file in, checked and previewed, then imported; the
history with undo; the templates. The same engine and messages as the command line.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import exports, ingest, queries, templates, ui
from dashboard.accounts import User
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.clock import utc_now
from dashboard.ingest import ImportRefused, ProgressOptions, Source, SurveyOptions
from dashboard.markdown import plain
from dashboard.store import Store

ROLE_CHOICES = {"": "Not used", **{k: item_label(k) for k in ITEM_KEYS}, "team": "Team",
                "submitted_at": "Date", "comment": "Comment"}  # fmt: skip
STEPS = {"Reading": 0.1, "Checking every row": 0.35, "Writing": 0.75}


def source_of(upload) -> Source:
    return Source(upload.name, data=upload.getvalue())


def _file_key(upload) -> str:
    return hashlib.sha256(upload.getvalue()).hexdigest()[:16]


def problems_frame(problems: list[ingest.Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"row": str(p.row or ""), "column": p.column or "", "problem": p.message}
            for p in problems
        ],  # fmt: skip
        columns=["row", "column", "problem"],
    )


def show_problems(problems: list[ingest.Problem], file_name: str, key: str) -> None:
    """The validation report: the first problems on screen, all of them as CSV."""
    frame = problems_frame(problems)
    st.error(
        f"{len(problems):,} problem{'s' if len(problems) != 1 else ''} found. Fix them in the "
        "file, or use the options and the column mapping above.",
        icon=":material/error:",
    )
    st.dataframe(frame.head(200), hide_index=True, width="stretch")
    st.download_button(
        "Download the validation report (CSV)", data=lambda: exports.csv_bytes(frame),
        file_name=f"{file_name}-problems.csv", mime="text/csv", key=f"report-{key}",
        icon=":material/download:",
    )  # fmt: skip


def show_report(report: ingest.ImportReport) -> None:
    st.success(report.summary(), icon=":material/check_circle:")
    for note in report.notes:
        st.caption(plain(note))
    if report.dropped_columns:
        st.caption(plain("Not stored: " + ", ".join(report.dropped_columns) + "."))


def start_here(db: Store, kind: str) -> None:
    """The Import tab before a file is dropped: what to drop, and what to do next, from
    what is stored (no teams yet: the roster; no survey responses yet: a first export)."""
    with db.reading() as cursor:
        has_teams = bool(queries.team_names(cursor))
        has_responses = queries.survey_weeks(cursor)[2] > 0
    what, after = START_HERE[kind]
    if not has_teams and kind != "roster":
        after = "import the roster first (choose Roster above), so rows find their teams."
    elif not has_teams:
        after = "download the roster template (Templates tab), fill it in and drop it here."
    elif kind == "survey" and not has_responses:
        after = "drop your first survey export here; nothing is stored before you click Import."
    ui.empty_state(what, after)


START_HERE = {
    "survey": (
        "Drop the file as your survey tool exported it: Google Forms, Microsoft Forms, "
        "SurveyMonkey, Qualtrics, LimeSurvey, Excel or Catalyst's template.",
        "drop this week's export; rows already stored are recognised and not stored twice.",
    ),
    "roster": (
        "The roster lists every team with its department and manager: team, department, "
        "manager_name, manager_email, and if you like headcount and effective_from.",
        "drop the updated roster; you see every change before it is applied.",
    ),
    "progress": (
        "Wins and setbacks per team: team, week, wins, setbacks (how many of each), or team, "
        "date, kind (win or setback), description (one per row).",
        "drop the file; you choose before anything is stored.",
    ),
}


# ---- survey files ------------------------------------------------------------------------


def survey(db: Store, user: User, upload) -> None:
    key = _file_key(upload)
    options = _survey_options(db, key)
    preview = _preview(db, upload, key, options)
    report = preview.report
    for note in report.notes:
        st.caption(plain(note))
    if report.already_imported:
        st.info(f"This file was already imported ({report.already_imported}); importing it "
                "again would change nothing.", icon=":material/content_copy:")  # fmt: skip
        return
    if preview.columns is not None:
        with st.expander(
            "Columns and what Catalyst reads them as", expanded=not preview.can_import
        ):
            st.dataframe(preview.columns, hide_index=True, width="stretch")
            _mapping_editor(preview, key)
    if preview.sample is not None and len(preview.sample):
        st.markdown("**The first rows, as they will be stored** (scores on 1-5)")
        st.dataframe(preview.sample, hide_index=True, width="stretch")
    if preview.problems:
        show_problems(preview.problems, upload.name, key)
    valid = report.rows_in_file - report.rejected - report.skipped
    if report.rows_in_file:
        st.markdown(
            f"**{report.rows_in_file:,} rows:** {valid:,} to import (rows already stored are "
            f"counted as duplicates), {report.rejected:,} with problems, "
            f"{report.skipped:,} skipped."
        )
    if st.button("Import", type="primary", disabled=not preview.can_import,
                 key=f"import-{key}", icon=":material/upload:"):  # fmt: skip
        _run_import(db, user, upload, options)


def _survey_options(db: Store, key: str) -> SurveyOptions:
    """What the person chose where the file does not say (kept per file)."""
    state = st.session_state.setdefault(f"mapping-{key}", {})
    with st.expander("Options: team, week, dates, scale", expanded=False):
        with db.reading() as cursor:
            teams = queries.team_names(cursor)
        team = st.selectbox("Every row belongs to team", ["(from the file)", *teams],
                            key=f"team-{key}")  # fmt: skip
        week = st.date_input("Every row belongs to the week of", value=None, key=f"week-{key}",
                             help="Only for files without dates.")  # fmt: skip
        order = st.radio("Dates like 11/12/2026 are", ["decided from the file", "day/month",
                         "month/day"], horizontal=True, key=f"order-{key}")  # fmt: skip
        scale = st.selectbox("Numbers are on the scale", ["detected per column", "1-4", "1-5",
                             "1-7", "1-9", "0-10"], key=f"scale-{key}")  # fmt: skip
        skip = st.checkbox("Import the valid rows and keep a report of the others",
                           key=f"skip-{key}")  # fmt: skip
    return SurveyOptions(
        team=None if team == "(from the file)" else team,
        week=week if isinstance(week, date) else None,
        date_order={"day/month": "day_first", "month/day": "month_first"}.get(order),
        scale=None if scale == "detected per column" else scale,
        skip_invalid=skip,
        maps=tuple(f"{header}={role}" for header, role in state.items() if role),
    )


def _preview(db: Store, upload, key: str, options: SurveyOptions) -> ingest.SurveyPreview:
    cache = st.session_state.setdefault("upload_previews", {})
    cache_key = (key, options, queries.version_key(db))
    if cache_key not in cache:
        cache.clear()  # one file at a time: keep memory small
        with st.spinner("Checking every row…"):
            cache[cache_key] = ingest.preview_survey(db, source_of(upload), options)
    return cache[cache_key]


def _mapping_editor(preview: ingest.SurveyPreview, key: str) -> None:
    """Say what unrecognised columns are; a suggestion is pre-selected where one fits."""
    state = st.session_state.setdefault(f"mapping-{key}", {})
    unused = preview.columns[preview.columns["read as"] == "not used"]["column"]
    candidates = list(preview.suggestions) or list(unused)
    if not candidates:
        return
    st.markdown("**Map columns Catalyst did not recognise** (saved for next time)")
    for header in candidates[:20]:
        suggested = state.get(header, preview.suggestions.get(header) or "")
        choice = st.selectbox(
            header, list(ROLE_CHOICES), index=list(ROLE_CHOICES).index(suggested),
            format_func=ROLE_CHOICES.get, key=f"map-{key}-{header}",
        )  # fmt: skip
        state[header] = choice
    if st.button("Check again with this mapping", key=f"remap-{key}"):
        st.rerun()


def _run_import(db: Store, user: User, upload, options: SurveyOptions) -> None:
    bar = st.progress(0.0, text="Starting")

    def progress(message: str) -> None:
        done = next((share for step, share in STEPS.items() if message.startswith(step)), 0.95)
        bar.progress(done, text=message)

    try:
        report = ingest.import_survey(
            db,
            source_of(upload),
            replace(options, imported_by=user.user_id, actor=user.email),
            now=utc_now(),
            progress=progress,
        )
    except ImportRefused as refusal:
        bar.empty()
        show_problems(refusal.problems, upload.name, "import")
        return
    bar.progress(1.0, text="Done")
    st.session_state["upload_previews"] = {}
    show_report(report)


# ---- roster and progress files -----------------------------------------------------------


def roster(db: Store, user: User, upload) -> None:
    try:
        plan = ingest.plan_roster(db, source_of(upload))
    except ImportRefused as refusal:
        show_problems(refusal.problems, upload.name, "roster")
        return
    st.markdown("**What importing this roster changes**")
    for line in ingest.describe(plan):
        st.markdown(f"- {plain(line)}")
    if plan.facts:
        st.caption("Earlier weeks keep the teams, managers and departments they had.")
        if st.button("Apply the roster", type="primary", key=f"roster-{_file_key(upload)}",
                     icon=":material/how_to_reg:"):  # fmt: skip
            report = ingest.apply_roster(db, plan, now=utc_now(), user_id=user.user_id,
                                         actor=user.email)  # fmt: skip
            show_report(report)


def progress_file(db: Store, user: User, upload) -> None:
    key = _file_key(upload)
    st.caption(
        "Two layouts: team, week, wins, setbacks (how many of each), or team, date, kind "
        "(win or setback), description (one per row)."
    )
    skip = st.checkbox("Import the valid rows and keep a report of the others",
                       key=f"progress-skip-{key}")  # fmt: skip
    if st.button("Import wins and setbacks", type="primary", key=f"progress-{key}",
                 icon=":material/upload:"):  # fmt: skip
        options = ProgressOptions(skip_invalid=skip, imported_by=user.user_id, actor=user.email)
        try:
            report = ingest.import_progress(db, source_of(upload), options, now=utc_now())
        except ImportRefused as refusal:
            show_problems(refusal.problems, upload.name, "progress")
            return
        show_report(report)


# ---- history and templates ---------------------------------------------------------------


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
        shown.rename(columns=HISTORY_COLUMNS), hide_index=True, width="stretch",
        column_config={
            "#": st.column_config.NumberColumn(format="plain", width="small"),
            "State": st.column_config.TextColumn(width="small"),
            "When (UTC)": st.column_config.DatetimeColumn(format=WHEN),
            "Undone (UTC)": st.column_config.DatetimeColumn(format=WHEN),
            **dict.fromkeys(["Rows", "Imported", "Duplicates", "Rejected", "Skipped"], COUNT),
        },
    )  # fmt: skip
    undoable = frame[frame.undone_at.isna() & frame.kind.isin(["survey", "progress"])]
    if undoable.empty:
        return
    # Option texts of a selectbox are shown as typed (not Markdown): file names stay as
    # they are there; the checkbox label below is Markdown and gets them escaped.
    labels = {int(r.import_id): f"#{r.import_id} {r.file_name} ({r.imported:,} rows)"
              for r in undoable.itertuples()}  # fmt: skip
    if st.session_state.get("undo-choice") not in labels:
        st.session_state["undo-choice"] = None  # undone (here or elsewhere): not offered
    chosen = st.selectbox("Undo an import", list(labels), format_func=labels.get, index=None,
                          placeholder="Choose an import to undo", key="undo-choice")  # fmt: skip
    if chosen is None:
        return
    confirm = st.checkbox(f"Yes, remove the {plain(labels[chosen])} from Catalyst",
                          key="undo-confirm")  # fmt: skip
    st.button("Undo import", disabled=not confirm, key="undo-go", icon=":material/undo:",
              on_click=_undo, args=(db, user, chosen))  # fmt: skip


def _undo(db: Store, user: User, import_id: int) -> None:
    """Runs before the next script run, so that run lists only what can still be undone,
    and resets the choice in the browser too (a value set here reaches the widget)."""
    try:
        removed = ingest.undo_import(db, import_id, now=utc_now(), user_id=user.user_id,
                                     actor=user.email)  # fmt: skip
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
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Survey template**")
        st.download_button("CSV", data=lambda: exports.csv_bytes(templates.survey_template()),
                           file_name="catalyst-survey-template.csv", mime="text/csv",
                           icon=":material/download:")  # fmt: skip
        st.download_button("Excel", data=lambda: templates.xlsx(templates.survey_template()),
                           file_name="catalyst-survey-template.xlsx",
                           icon=":material/download:")  # fmt: skip
    with middle:
        st.markdown("**Questions for Google Forms or Microsoft Forms**")
        st.download_button("Question list", data=lambda: templates.question_list(teams),
                           file_name="catalyst-survey-questions.txt", mime="text/plain",
                           icon=":material/download:")  # fmt: skip
    with right:
        st.markdown("**Roster and progress templates**")
        st.download_button(
            "Roster (CSV)", data=lambda: exports.csv_bytes(templates.roster_template()),
            file_name="catalyst-roster-template.csv", mime="text/csv", icon=":material/download:",
        )  # fmt: skip
        st.download_button("Wins and setbacks (CSV)",
                           data=lambda: exports.csv_bytes(templates.progress_template()),
                           file_name="catalyst-progress-template.csv", mime="text/csv",
                           icon=":material/download:")  # fmt: skip
