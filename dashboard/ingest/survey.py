"""Survey files in: every row accounted for, nothing half-written, nothing doubled.

read file -> detect layout -> map columns -> normalize -> validate -> write.

Everything heavy runs in DuckDB on one cursor, outside the write lock: the
file is read as text into a temporary table, answers, dates and teams are
normalized and checked in SQL, fingerprints computed. Only the final insert,
the duplicate check against stored responses and the summary update hold
the lock, in one transaction.

Duplicates: a file whose bytes were imported before changes nothing. Rows
are recognised by a salted one-way hash of the source's response id when the
file has one (the id itself is never stored), else by team, time and answers
plus how many times that exact row occurred so far, so two identical rows in
one file are two responses, and a later export that still holds them adds
nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from dashboard import clock, queries, store
from dashboard.catalysts import ITEM_KEYS
from dashboard.ingest import answers, dates, mapping, personal, staging, survey_rows
from dashboard.ingest.columns import ColumnMap, map_columns, ordered_items, stated_zone
from dashboard.ingest.limits import Limits
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.survey_columns import check_columns, check_labels, scales_of, usable_zone
from dashboard.ingest.text import Source, TextFile, prepare
from dashboard.queries import publication
from dashboard.settings import OrgSettings
from dashboard.steps import Steps, quietly
from dashboard.store import Store

MAX_PROBLEMS_KEPT = 10_000


@dataclass(frozen=True)
class SurveyOptions:
    team: str | None = None  # every row to this team
    week: date | None = None  # every row to the week holding this date
    skip_invalid: bool = False
    scale: str | None = None  # "1-5", "1-7", "0-10", any "LOW-HIGH"; else detected per column
    date_order: str | None = None  # "day_first" / "month_first"; else the file, else setting
    maps: tuple[str, ...] = ()  # "HEADER=key"
    team_column: str | None = None
    team_aliases: tuple[str, ...] = ()  # "NAME=Team"
    labels: str | None = None  # "Not useful=1,…,Very useful=5": what answer labels mean
    sheet: str | None = None  # of a workbook
    imported_by: int | None = None
    actor: str = "catalyst import"


@dataclass
class SurveyFile:
    """A survey file read, mapped and (once ``stage`` ran) checked, on its own cursor."""

    report: ImportReport
    text: TextFile
    columns: ColumnMap
    cursor: duckdb.DuckDBPyConnection
    to_save: list[tuple[str, str]]
    team_aliases: list[tuple[str, str, int]]
    org: OrgSettings
    earlier: dict | None
    staged: _Staged | None = None

    def stage(self, options: SurveyOptions) -> _Staged:
        """Check every row; an ImportRefused raised here carries the report, whose counts
        then say that every row not skipped was refused (they always add up)."""
        try:
            staged = _stage(
                self.cursor,
                self.text,
                self.columns,
                options,
                self.team_aliases,
                self.org,
                self.report,
            )
        except ImportRefused as refusal:
            raise ImportRefused(refusal.problems, self.report.refused_whole()) from None
        report = self.report
        report.notes += staged.notes
        report.dropped_columns = self.columns.dropped  # the team may have been found by content
        report.rows_in_file, report.skipped = staged.rows, staged.skipped
        report.errors = staged.problems[:MAX_PROBLEMS_KEPT]
        report.rejected = staged.rejected
        self.staged = staged
        return staged

    def refusal(self, options: SurveyOptions) -> list[Problem]:
        """Why the staged file cannot be imported with these options ([] if it can)."""
        staged = self.staged
        if staged.rejected and not options.skip_invalid:
            return staged.problems
        if staged.rows == staged.rejected + staged.skipped:
            why = " ".join(n for n in staged.notes if n.startswith("Skipped"))
            return [Problem(f"No row of the file can be imported. {why}".strip())] + staged.problems
        return []


@contextmanager
def opened_file(db: Store, source: Source, options: SurveyOptions) -> Iterator[SurveyFile]:
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    report = ImportReport(kind="survey", file_name=source.name)
    with tempfile.TemporaryDirectory() as folder:
        text = prepare(
            source,
            workdir=Path(folder),
            limit_bytes=org.max_upload_mb * 1_000_000,
            sheet=options.sheet,
            limits=Limits.of(org),
        )
        report.notes += [*text.notes, _describe(text)]
        with db.staging() as cursor:
            roles, to_save = mapping.overrides(
                cursor, text.layout, options.maps, options.team_column
            )
            team_aliases = mapping.aliases(cursor, options.team_aliases)
            columns = map_columns(text.layout, roles)
            report.dropped_columns = columns.dropped
            earlier = staging.same_file(cursor, text.content_hash, "survey")
            yield SurveyFile(report, text, columns, cursor, to_save, team_aliases, org, earlier)


def import_survey(
    db: Store,
    source: Source,
    options: SurveyOptions = SurveyOptions(),
    *,
    now: datetime,
    on_step: Steps = quietly,
) -> ImportReport:
    """Import one survey file; ImportRefused (nothing written) when it cannot be."""
    on_step(f"Reading {source.name}")
    with opened_file(db, source, options) as opened:
        report = opened.report
        if opened.earlier:
            report.already_imported = opened.earlier["when"]
            report.import_id = opened.earlier["id"]
            report.rows_in_file = report.duplicates = opened.earlier["rows"]
            return report
        on_step("Checking every row")
        opened.stage(options)
        refusal = opened.refusal(options)
        if refusal:
            raise ImportRefused(refusal, report.refused_whole())
        on_step("Writing")
        _write(db, opened.cursor, report, opened.text, options, now)
        with db.transaction() as saving:
            mapping.save(
                saving,
                opened.text.layout,
                opened.to_save,
                opened.team_aliases,
                now=now,
                user_id=options.imported_by,
            )
    on_step("Saved; writing the database file")
    db.checkpoint()
    on_step(report.summary())
    return report


_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _describe(text: TextFile) -> str:
    layout = text.layout
    rows = "one header row" if layout.header_rows == 1 else f"{layout.header_rows} header rows"
    how = (
        ""
        if text.encoding == "an Excel workbook"
        else (f", {text.encoding}, separated by {_SEPARATORS[text.delimiter]}")
    )
    what = "a generic table" if layout.tool == "generic" else f"a {layout.tool_name} export"
    return f"Recognised as {what} ({rows}{how})."


@dataclass
class _Staged:
    rows: int
    rejected: int
    skipped: int
    problems: list[Problem]
    notes: list[str]


def _stage(
    cursor,
    text: TextFile,
    columns: ColumnMap,
    options: SurveyOptions,
    team_aliases: list[tuple[str, str, int]],
    org,
    report: ImportReport,
) -> _Staged:
    """Read the file into temporary tables on this cursor and check every row.

    Leaves ``typed`` (one row per readable file row: spreadsheet row, team, time,
    week, scores, comment, fingerprint, a problem column per check) and
    ``rejected_rows`` for ``_write``.
    """
    structural = staging.read_rows(cursor, text)
    (good,) = cursor.execute("SELECT count(*) FROM raw").fetchall()[0]
    report.rows_in_file = good + len(structural)  # known before any check can refuse
    staging.team_keys(cursor, team_aliases)
    notes: list[str] = []
    if columns.team is None and not options.team:
        staging.team_by_content(cursor, columns, text.layout, notes)
    check_columns(cursor, columns, options, text.layout)
    _type_rows(cursor, _row_plan(cursor, text, columns, options, org, notes), org)
    problems = structural + _row_problems(cursor)
    (rejected,) = cursor.execute("SELECT count(*) FROM rejected_rows").fetchall()[0]
    skipped = _notes_on_rows(cursor, text, columns, notes)
    return _Staged(good + len(structural), rejected + len(structural), skipped, problems, notes)


def _row_plan(
    cursor, text: TextFile, columns: ColumnMap, options: SurveyOptions, org, notes: list[str]
) -> survey_rows.RowPlan:
    """What the columns allow (refusing what they do not), decided once for every row."""
    items = ordered_items(columns)
    labels = answers.parse_labels(options.labels)
    check_labels(cursor, columns, text.layout, labels)
    scales = scales_of(cursor, columns, items, options.scale, notes)
    order = dates.choose_order(
        cursor,
        options.date_order,
        org.date_order,
        notes,
        table="numbered",
        column=survey_rows.time_text(columns, text.layout),
    )
    return survey_rows.RowPlan(
        columns,
        text.layout,
        items,
        scales,
        labels,
        order,
        org.time_zone,
        usable_zone(stated_zone(text.layout, columns.time), notes),
        queries.team_id_by_name(cursor, options.team) if options.team else None,
        options.week,
        legacy=_legacy_through(cursor) > 0,
    )


def _type_rows(cursor, plan: survey_rows.RowPlan, org) -> None:
    """``typed``, ``staged_problems`` and ``rejected_rows``."""
    (salt,) = cursor.execute("SELECT value FROM meta WHERE key = 'fingerprint_salt'").fetchall()[0]
    tomorrow = clock.today_in(org.time_zone) + timedelta(days=1)
    staging.team_lookup(cursor, plan.columns)
    cursor.execute(survey_rows.typed_sql(plan), [salt, tomorrow])
    for statement in survey_rows.problem_statements(plan.items):
        cursor.execute(statement)


def _row_problems(cursor) -> list[Problem]:
    problems = [
        Problem(message, row=row, column=column)
        for row, column, message in cursor.execute(
            "SELECT row_number, column_name, message FROM staged_problems "
            "ORDER BY row_number, column_name LIMIT ?",
            [MAX_PROBLEMS_KEPT],
        ).fetchall()
    ]
    if any(p.message.endswith("is not a known team") for p in problems):
        problems.append(
            Problem(
                f"Teams must match the roster: {staging.known_teams(cursor)}. For another name "
                "a team goes by, add {option:team_alias}."
            )
        )
    return problems


def _notes_on_rows(cursor, text: TextFile, columns: ColumnMap, notes: list[str]) -> int:
    """Say what was removed from comments, what was skipped and which columns look like
    answers but were not used; returns how many rows were skipped."""
    note = personal.removed_note(
        *cursor.execute(
            "SELECT coalesce(sum(emails_removed), 0), coalesce(sum(phones_removed), 0) FROM typed "
            "WHERE skip_reason IS NULL"
        ).fetchall()[0]
    )
    if note:
        notes.append(note)
    skipped = cursor.execute(
        "SELECT skip_reason, count(*) FROM typed WHERE skip_reason IS NOT NULL GROUP BY 1 "
        "ORDER BY 1"
    ).fetchall()
    if skipped:
        notes.append("Skipped " + ", ".join(f"{n:,} {reason}" for reason, n in skipped) + ".")
    unmapped = mapping.answer_like(cursor, text.layout, columns.unused_indexes)
    if unmapped:
        notes.append(
            "Not used, though they look like answers: "
            + ", ".join(f'"{h}"' for h in unmapped[:8])
            + " (say what they are with {option:map})."
        )
    return sum(n for _, n in skipped)


def _write(
    db: Store, cursor, report: ImportReport, text: TextFile, options: SurveyOptions, now: datetime
) -> None:
    """The one transaction: dedupe against what is stored, insert, summarize, record."""
    items = [
        c
        for (c,) in cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'typed' "
            "AND column_name IN (SELECT unnest(?::VARCHAR[]))",
            [list(ITEM_KEYS)],
        ).fetchall()
    ]
    columns = ", ".join(items)
    with db.transaction(cursor, carry=("typed", "rejected_rows", "staged_problems")) as cursor:
        if staging.same_file(cursor, text.content_hash, "survey"):
            raise ImportRefused([Problem("The same file was just imported by someone else.")])
        for statement in survey_rows.REPEATS:
            cursor.execute(statement)
        _note_edited(cursor, items, report)
        import_id = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_by, imported_at, rows_in_file, "
            "imported, content_hash, dropped_columns) VALUES ('survey', ?, 'template', ?, ?, ?, 0, "
            "?, ?) RETURNING import_id",
            [
                report.file_name,
                options.imported_by,
                now,
                report.rows_in_file,
                text.content_hash,
                report.dropped_columns,
            ],
        ).fetchall()[0][0]
        (inserted,) = cursor.execute(
            f"""
            INSERT INTO survey_responses (import_id, team_id, submitted_at, week, fingerprint,
                                          zoned_fingerprint, {columns}, comment)
            SELECT ?, team_id, submitted_at, week, fingerprint, zoned_key, {columns}, comment
            FROM typed t
            WHERE NOT t.repeated_id AND t.skip_reason IS NULL
              AND t.row_number NOT IN (SELECT row_number FROM rejected_rows)
              AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.fingerprint = t.fingerprint)
              AND NOT EXISTS (SELECT 1 FROM survey_responses r
                              WHERE r.zoned_fingerprint = t.zoned_key)
              AND NOT EXISTS (SELECT 1 FROM survey_responses r
                              WHERE r.fingerprint = t.legacy_key AND r.import_id <= ?)
            """,  # noqa: S608 - item columns from the allow-list
            [import_id, _legacy_through(cursor)],
        ).fetchall()[0]
        staging.record_outcome(cursor, report, import_id, inserted, text.layout.tool)
        _note_published(cursor, import_id, report)
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT team_id, week FROM typed "
            "WHERE skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)"
        )
        store.rebuild_response_summary(cursor, "touched")
        store.bump_data_version(cursor, "survey")
        store.record_audit(
            cursor,
            "import.survey",
            f"import #{import_id} {report.file_name}: {report.summary()}",
            at=now,
            user_id=options.imported_by,
            actor=options.actor,
        )


def _note_published(cursor, import_id: int, report: ImportReport) -> None:
    """Say what becomes of rows for rounds already published (DESIGN §3, over time)."""
    spent = publication.spend_withdrawn(cursor, import_id)
    if spent:
        report.notes.append(
            f"{spent} rows were in results withdrawn when an import was undone; they stay "
            "out of every figure."
        )
    (late,) = cursor.execute(
        "SELECT count(*) FROM survey_responses r JOIN published_rounds p "
        "ON r.week BETWEEN p.first_week AND p.last_week "
        "WHERE r.import_id = ? AND r.cell_id IS NULL",
        [import_id],
    ).fetchone()
    if late:
        report.notes.append(
            f"{late} responses are for rounds already published: they are held and shown as "
            "a later addition once they form a group of the minimum size."
        )


def _legacy_through(cursor) -> int:
    """The last import whose responses carry the old fingerprint (store migration 8)."""
    row = cursor.execute(
        "SELECT value FROM meta WHERE key = 'legacy_fingerprints_through'"
    ).fetchall()
    return int(row[0][0]) if row else 0


def _note_edited(cursor, items: list[str], report: ImportReport) -> None:
    """Rows with the response id of a stored response but other answers (edited in the
    survey tool after an earlier export) keep the stored answers: say so."""
    changed = " OR ".join(f"t.{i} IS DISTINCT FROM r.{i}" for i in items) or "false"
    (edited,) = cursor.execute(
        f"SELECT count(*) FROM typed t JOIN survey_responses r ON r.fingerprint = t.fingerprint "  # noqa: S608
        f"WHERE t.source_id IS NOT NULL AND NOT t.repeated_id AND t.skip_reason IS NULL "
        f"AND t.row_number NOT IN (SELECT row_number FROM rejected_rows) AND ({changed})"
    ).fetchall()[0]
    if edited:
        report.notes.append(
            f"{edited:,} row{'s have' if edited != 1 else ' has'} the response id of a response "
            "stored earlier but other answers (edited after the earlier export?): the stored "
            "answers were kept. To replace them, undo the earlier import and import this file."
        )
