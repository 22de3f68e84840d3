"""The Upload screen's pieces: a file in, checked and previewed, then imported; the
history with undo; the templates. The same engine and messages as the command line.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import exports, ingest, queries, ui
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.ingest import ImportRefused, Source, SurveyOptions, WinsOptions
from dashboard.markdown import plain
from dashboard.store import Store
from dashboard.views import column_mapping

STEPS = {"Reading": 0.1, "Checking every row": 0.35, "Writing": 0.75}


def source_of(upload) -> Source:
    return Source(upload.name, data=upload.getvalue())


def _file_key(upload) -> str:
    return hashlib.sha256(upload.getvalue()).hexdigest()[:16]


SAMPLE_HEADERS = {"row": "Row", "team": "Team", "submitted_at": "Submitted at", "week": "Week",
                  "comment": "Comment", "skipped": "Skipped"}  # fmt: skip
COLUMN_HEADERS = {"col": "Col", "column": "Column", "read as": "Read as"}


def problems_frame(problems: list[ingest.Problem]) -> pd.DataFrame:
    """Problems in the page's words (its own controls, not the command line's flags)."""
    return pd.DataFrame(
        [
            {"Row": str(p.row or ""), "Column": p.column or "", "Problem": p.message}
            for p in (problem.worded("page") for problem in problems)
        ],
        columns=["Row", "Column", "Problem"],
    )


def show_problems(problems: list[ingest.Problem], file_name: str, key: str) -> None:
    """The validation report. Problems of the whole file or of a column are few and say
    what to do: in the message, in full (a table cell would cut them off). Problems of
    rows: the first 200 in a table. All of them in the CSV."""
    frame = problems_frame(problems)
    whole = [
        plain(f"Column {p.column}: {p.message}" if p.column else p.message)
        for p in (problem.worded("page") for problem in problems)
        if p.row is None
    ]
    st.error(
        f"{len(problems):,} problem{'s' if len(problems) != 1 else ''} found. Fix them in the "
        "file, or use the options and the column mapping above."
        + ("\n" if whole else "")
        + "".join(f"\n- {message}" for message in whole[:10])
        + (f"\n- … and {len(whole) - 10:,} more in the report." if len(whole) > 10 else ""),
        icon=":material/error:",
    )
    rows = frame[frame["Row"] != ""]
    if len(rows):
        st.dataframe(
            rows.head(200),
            hide_index=True,
            width="stretch",
            column_config={
                "Row": st.column_config.TextColumn(width="small"),
                "Problem": st.column_config.TextColumn(width="large"),
            },
        )
    st.download_button(
        "Download the validation report (CSV)",
        data=lambda: exports.csv_bytes(frame),
        file_name=f"{file_name}-problems.csv",
        mime="text/csv",
        key=f"report-{key}",
        icon=":material/download:",
    )


def show_notes(report: ingest.ImportReport) -> None:
    for note in report.worded_notes("page"):
        st.caption(plain(note))


def show_report(report: ingest.ImportReport) -> None:
    summary = replace(report, file_name=plain(report.file_name)).summary()  # the name is the file's
    st.success(summary, icon=":material/check_circle:")
    show_notes(report)
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
    "people": (
        "The people of each team, for Catalyst's own pulse: email, name, team, and if you "
        "like language (en or de) and effective_from. List everyone: whoever is missing "
        "leaves their team on that date. A team listed takes its headcount from its people.",
        "drop the file; you see who joins, moves and leaves before anything is stored.",
    ),
    "progress": (
        "Wins and setbacks per team: team, week, wins, setbacks (how many of each), or team, "
        "date, kind (win or setback), description (one per row).",
        "drop the file; you choose before anything is stored.",
    ),
}


# ---- survey files ------------------------------------------------------------------------
#
# The preview and the import run with one SurveyOptions object, built at the top of each
# run from the Options widgets and the column choices kept in session state. Widgets that
# change it do so in callbacks, which run before the script: by the time the preview is
# computed, every choice on screen is in it, and a click on Import imports exactly what
# the previous run showed (a choice committed by that same click is shown first instead).


def survey(db: Store, user: User, upload) -> None:
    key = _file_key(upload)
    options = _survey_options(db, key)
    preview = _preview(db, upload, key, options)
    shown_before = st.session_state.get(f"shown-{key}")
    st.session_state[f"shown-{key}"] = options
    report = preview.report
    show_notes(report)
    if report.already_imported:
        st.info(
            f"This file was already imported ({plain(report.already_imported)}); importing "
            "it again would change nothing.",
            icon=":material/content_copy:",
        )
        return
    choices = column_mapping.chosen_roles(key)
    with st.expander(
        "Columns and what Catalyst reads them as",
        expanded=bool(preview.suggestions) or not preview.can_import or bool(choices),
    ):
        if preview.columns is not None and preview.layout is not None:
            st.dataframe(
                column_mapping.columns_table(preview).rename(columns=COLUMN_HEADERS),
                hide_index=True,
                width="stretch",
                column_config={"Col": st.column_config.TextColumn(width="small")},
            )
            column_mapping.editor(preview, key)
        elif choices:
            st.caption("The file could not be read with the column choices made here.")
            st.button(
                "Forget the column choices made here",
                key=f"forget-{key}",
                on_click=column_mapping.forget_choices,
                args=(key,),
            )
        else:
            st.caption("The file could not be read far enough to list its columns.")
    if preview.sample is not None and len(preview.sample):
        st.markdown("**The first rows, as they will be stored** (scores on 1-5)")
        st.dataframe(
            preview.sample.rename(columns=SAMPLE_HEADERS),
            hide_index=True,
            width="stretch",
            placeholder="–",
        )
    if preview.problems:
        show_problems(preview.problems, upload.name, key)
    valid = report.rows_in_file - report.rejected - report.skipped
    if report.rows_in_file:
        st.markdown(
            f"**{report.rows_in_file:,} row{'s' if report.rows_in_file != 1 else ''}:** "
            f"{valid:,} to import (rows already stored are "
            f"counted as duplicates), {report.rejected:,} with problems, "
            f"{report.skipped:,} skipped."
        )
    if st.button(
        "Import",
        type="primary",
        disabled=not preview.can_import,
        key=f"import-{key}",
        icon=":material/upload:",
    ):
        if shown_before != options:
            st.warning(
                "An option changed as you clicked Import: check the preview above "
                "and click Import again.",
                icon=":material/refresh:",
            )
        else:
            _run_import(db, user, upload, options)


def _survey_options(db: Store, key: str) -> SurveyOptions:
    """What the person chose where the file does not say (kept per file)."""
    with st.expander("Options: team, week, dates, scale, answer labels", expanded=False):
        with db.reading() as cursor:
            teams = queries.team_names(cursor)
        team = st.selectbox(
            "Every row belongs to team", ["(from the file)", *teams], key=f"team-{key}"
        )
        week = st.date_input(
            "Every row belongs to the week of",
            value=None,
            key=f"week-{key}",
            help="Only for files without dates.",
        )
        order = st.radio(
            "Dates like 11/12/2026 are",
            ["decided from the file", "day/month", "month/day"],
            horizontal=True,
            key=f"order-{key}",
        )
        scale = st.selectbox(
            "Numbers are on the scale",
            ["detected per column", "1-4", "1-5", "1-7", "1-9", "0-10"],
            key=f"scale-{key}",
        )
        labels = st.text_input(
            "Answer labels",
            key=f"labels-{key}",
            placeholder="Not useful=1,Neutral=3,Very useful=5",
            help="Only for answers written as words Catalyst does not know. Say what each "
            "answer means, lowest to highest: LABEL=NUMBER, separated by commas, for example "
            "`Not useful=1,Neutral=3,Very useful=5`. Agree/disagree and never/always answers "
            "are known already.",
        )
        skip = st.checkbox(
            "Import the valid rows and keep a report of the others", key=f"skip-{key}"
        )
    return SurveyOptions(
        team=None if team == "(from the file)" else team,
        week=week if isinstance(week, date) else None,
        date_order={"day/month": "day_first", "month/day": "month_first"}.get(order),
        scale=None if scale == "detected per column" else scale,
        skip_invalid=skip,
        maps=column_mapping.as_maps(key),
        labels=labels.strip() or None,
    )


def _preview(db: Store, upload, key: str, options: SurveyOptions) -> ingest.SurveyPreview:
    cache = st.session_state.setdefault("upload_previews", {})
    cache_key = (key, options, queries.version_key(db))
    if cache_key not in cache:
        cache.clear()  # one file at a time: keep memory small
        with st.spinner("Checking every row…"):
            cache[cache_key] = ingest.preview_survey(db, source_of(upload), options)
    return cache[cache_key]


# ---- the column mapping ------------------------------------------------------------------
#
# Every column can be given a role on the page, by its position (a header can repeat), and
# a recognised one changed or set to "Not used". For files with many columns (LimeSurvey
# writes hundreds) a data_editor would be more compact, but AppTest cannot drive one;
# instead one selectbox per column, in file order, lists by default only the columns that
# want a decision (not used, or changed here: a column stays listed once touched, so the
# list does not jump), with "All columns" one click away, a filter for long lists, and at
# most MAX_SHOWN at once. Suggestions are offered, never applied unasked: the preview
# shows what the selectboxes say, and that is what is imported.


def _run_import(db: Store, user: User, upload, options: SurveyOptions) -> None:
    bar = st.progress(0.0, text="Starting")

    def progress(message: str) -> None:
        done = next((share for step, share in STEPS.items() if message.startswith(step)), 0.95)
        bar.progress(done, text=plain(message))

    try:
        report = ingest.import_survey(
            db,
            source_of(upload),
            replace(options, imported_by=user.user_id, actor=user.email),
            now=utc_now(),
            on_step=progress,
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
        if st.button(
            "Apply the roster",
            type="primary",
            key=f"roster-{_file_key(upload)}",
            icon=":material/how_to_reg:",
        ):
            report = ingest.apply_roster(
                db, plan, now=utc_now(), user_id=user.user_id, actor=user.email
            )
            show_report(report)


def people(db: Store, user: User, upload) -> None:
    try:
        plan = ingest.plan_people(db, source_of(upload))
    except ImportRefused as refusal:
        show_problems(refusal.problems, upload.name, "people")
        return
    st.markdown("**What importing these people changes**")
    for line in ingest.describe_people(plan):
        st.markdown(f"- {plain(line)}")
    if plan.changes_anything:
        st.caption("Earlier weeks keep the people and headcounts they had.")
        if st.button(
            "Apply the people",
            type="primary",
            key=f"people-{_file_key(upload)}",
            icon=":material/group_add:",
        ):
            report = ingest.apply_people(
                db, plan, now=utc_now(), user_id=user.user_id, actor=user.email
            )
            show_report(report)


def wins_file(db: Store, user: User, upload) -> None:
    key = _file_key(upload)
    st.caption(
        "Two layouts: team, week, wins, setbacks (how many of each), or team, date, kind "
        "(win or setback), description (one per row)."
    )
    skip = st.checkbox(
        "Import the valid rows and keep a report of the others", key=f"progress-skip-{key}"
    )
    if st.button(
        "Import wins and setbacks", type="primary", key=f"progress-{key}", icon=":material/upload:"
    ):
        options = WinsOptions(skip_invalid=skip, imported_by=user.user_id, actor=user.email)
        try:
            report = ingest.import_wins(db, source_of(upload), options, now=utc_now())
        except ImportRefused as refusal:
            show_problems(refusal.problems, upload.name, "progress")
            return
        show_report(report)


# ---- history and templates ---------------------------------------------------------------
