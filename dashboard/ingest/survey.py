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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pandas as pd

from dashboard import clock, queries, store
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.ingest import answers, dates, mapping, personal, staging, survey_rows
from dashboard.ingest.columns import ColumnMap, letters, map_columns, ordered_items, stated_zone
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.text import Source, TextFile, prepare, read_file  # fmt: skip
from dashboard.measures import Scale
from dashboard.settings import OrgSettings
from dashboard.store import Store

MAX_PROBLEMS_KEPT = 10_000
Progress = Callable[[str], None]


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
class _SurveyFile:
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
                self.cursor, self.text, self.columns, options, self.team_aliases, self.org,
                self.report,
            )  # fmt: skip
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
def _opened(db: Store, source: Source, options: SurveyOptions) -> Iterator[_SurveyFile]:
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    report = ImportReport(kind="survey", file_name=source.name)
    with tempfile.TemporaryDirectory() as folder:
        text = prepare(
            source, workdir=Path(folder), limit_bytes=org.max_upload_mb * 1_000_000,
            sheet=options.sheet,
        )  # fmt: skip
        report.notes += [*text.notes, _describe(text)]
        with db.reading() as cursor:
            roles, to_save = mapping.overrides(cursor, text.layout, options.maps,
                                               options.team_column)  # fmt: skip
            team_aliases = mapping.aliases(cursor, options.team_aliases)
            columns = map_columns(text.layout, roles)
            report.dropped_columns = columns.dropped
            earlier = staging.same_file(cursor, text.content_hash, "survey")
            yield _SurveyFile(report, text, columns, cursor, to_save, team_aliases, org, earlier)


def import_survey(
    db: Store,
    source: Source,
    options: SurveyOptions = SurveyOptions(),
    *,
    now: datetime,
    progress: Progress = lambda message: None,
) -> ImportReport:
    """Import one survey file; ImportRefused (nothing written) when it cannot be."""
    progress(f"Reading {source.name}")
    with _opened(db, source, options) as opened:
        report = opened.report
        if opened.earlier:
            report.already_imported = opened.earlier["when"]
            report.import_id = opened.earlier["id"]
            report.rows_in_file = report.duplicates = opened.earlier["rows"]
            return report
        progress("Checking every row")
        opened.stage(options)
        refusal = opened.refusal(options)
        if refusal:
            raise ImportRefused(refusal, report.refused_whole())
        progress("Writing")
        _write(db, opened.cursor, report, opened.text, options, now)
        with db.transaction() as saving:
            mapping.save(saving, opened.text.layout, opened.to_save, opened.team_aliases,
                         now=now, user_id=options.imported_by)  # fmt: skip
    progress("Saved; writing the database file")
    db.checkpoint()
    progress(report.summary())
    return report


@dataclass
class SurveyPreview:
    """What importing a file would do, without doing it (the Upload page's preview)."""

    report: ImportReport
    layout: Layout | None = None
    columns: pd.DataFrame | None = None  # each column of the file and what it is read as
    sample: pd.DataFrame | None = None  # the first rows as they would be stored
    problems: list[Problem] = field(default_factory=list)  # why it would be refused
    suggestions: dict[str, str] = field(default_factory=dict)  # unmapped header -> catalyst

    @property
    def can_import(self) -> bool:
        return not self.problems


def preview_survey(
    db: Store, source: Source, options: SurveyOptions = SurveyOptions(), rows: int = 10
) -> SurveyPreview:
    """Read and check a file as ``import_survey`` would; report instead of writing."""
    try:
        with _opened(db, source, options) as opened:
            preview = SurveyPreview(opened.report, opened.text.layout)
            try:
                opened.stage(options)
                preview.problems = opened.refusal(options)
                preview.sample = _sample(opened, rows)
            except ImportRefused as refusal:
                preview.problems = refusal.problems
            preview.columns = _column_roles(opened.text.layout, opened.columns)
            unmapped = mapping.answer_like(
                opened.cursor, opened.text.layout, opened.columns.unused_indexes
            )
            preview.suggestions = {h: mapping.suggest(h) for h in unmapped}
            if opened.earlier:
                preview.report.already_imported = opened.earlier["when"]
            return preview
    except ImportRefused as refusal:
        return SurveyPreview(ImportReport(kind="survey", file_name=source.name),
                             problems=refusal.problems)  # fmt: skip


def _sample(opened: _SurveyFile, rows: int) -> pd.DataFrame:
    items = ordered_items(opened.columns)
    frame = opened.cursor.execute(
        f"SELECT row_number AS row, tm.name AS team, submitted_at, week, "  # noqa: S608
        f"{', '.join(items)}, comment, skip_reason AS skipped FROM typed "
        "LEFT JOIN teams tm USING (team_id) ORDER BY ordinal LIMIT ?",
        [rows],
    ).df()
    frame["week"] = frame["week"].dt.date
    return frame.rename(columns={k: item_label(k) for k in items})


def _column_roles(layout: Layout, columns: ColumnMap) -> pd.DataFrame:
    roles = {index: item_label(key) for key, index in columns.items.items()}
    for index, what in ((columns.team, "team"), (columns.time, "date"),
                        (columns.comment, "comment"), (columns.response_id, "response id (hashed)"),
                        (columns.status, "survey tool's status"),
                        (columns.finished, "survey tool's finished flag")):  # fmt: skip
        if index is not None:
            roles.setdefault(index, what)
    dropped = {name.rsplit(" (", 1)[0]: name.rsplit(" (", 1)[1].rstrip(")")
               for name in columns.dropped}  # fmt: skip
    return pd.DataFrame(
        [
            {"column": column.header or f"column {column.index + 1}",
             "read as": roles.get(column.index) or dropped.get(column.header, "not used")}
            for column in layout.columns
        ]
    )  # fmt: skip


_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _describe(text: TextFile) -> str:
    layout = text.layout
    rows = "one header row" if layout.header_rows == 1 else f"{layout.header_rows} header rows"
    how = "" if text.encoding == "an Excel workbook" else (
        f", {text.encoding}, separated by {_SEPARATORS[text.delimiter]}"
    )  # fmt: skip
    what = "a generic table" if layout.tool == "generic" else f"a {layout.tool_name} export"
    return f"Recognised as {what} ({rows}{how})."


def _check_columns(
    cursor: duckdb.DuckDBPyConnection, columns: ColumnMap, options: SurveyOptions,
    layout: Layout,
) -> None:  # fmt: skip
    problems = []
    if not columns.items:
        found = ", ".join(f'"{name}"' for name in layout.headers[:12] if name) or "none"
        hint = mapping.answer_like(cursor, layout, columns.unused_indexes)
        problems.append(Problem(
            "No catalyst columns found. Name them by key (clear_goals, autonomy, resources, "
            "help, obstacle_removal, respect, progress), by label (Clear goals …) or by the "
            f"survey statement. Headers found: {found}."
            + (" Columns that look like answers: " + ", ".join(f'"{h}"' for h in hint[:12])
               + ". Say which catalyst each is with {option:map}." if hint else "")
        ))  # fmt: skip
    if columns.team is None and not options.team:
        problems.append(Problem(
            "No team column. Add a column named team, name it with {option:team_column}, or "
            "give the team for every row ({option:team})."
        ))  # fmt: skip
    if options.team and queries.team_id_by_name(cursor, options.team) is None:
        problems.append(
            Problem(f'There is no team "{options.team}"; {staging.known_teams(cursor)}.')
        )
    if columns.time is None and not options.week:
        problems.append(Problem(
            "No date column (submitted_at or timestamp). Add one, say which column it is with "
            "{option:map}, or give the week for every row with {option:week}."
        ))  # fmt: skip
    if options.scale and answers.parse_scale(options.scale) is None:
        problems.append(Problem(
            f'Scale "{options.scale}": write the lowest and highest answer, like 1-5 or 0-10.'
        ))  # fmt: skip
    if problems:
        raise ImportRefused(problems)


@dataclass
class _Staged:
    rows: int
    rejected: int
    skipped: int
    problems: list[Problem]
    notes: list[str]


def _stage(
    cursor, text: TextFile, columns: ColumnMap, options: SurveyOptions,
    team_aliases: list[tuple[str, str, int]], org, report: ImportReport,
) -> _Staged:  # fmt: skip
    """Read the file into temporary tables on this cursor and check every row.

    Leaves ``typed`` (one row per readable file row: spreadsheet row, team, time,
    week, scores, comment, fingerprint, a problem column per check) and
    ``rejected_rows`` for ``_write``.
    """
    width = len(text.header)
    read_file(cursor, "raw", text)
    structural = [
        Problem(staging.fields_message(message, width), row=line - 1 + text.header_rows)
        for line, message in cursor.execute(
            # DuckDB records a short row once per missing column: keep the first.
            "SELECT line, arg_min(error_message, column_idx) FROM raw_rejects "
            "GROUP BY line ORDER BY line"
        ).fetchall()
    ]
    (good,) = cursor.execute("SELECT count(*) FROM raw").fetchall()[0]
    report.rows_in_file = good + len(structural)  # known before any check can refuse
    staging.number_rows(
        cursor, text.header_rows, [p.row - text.header_rows + 1 for p in structural]
    )
    staging.team_keys(cursor, team_aliases)
    notes: list[str] = []
    if columns.team is None and not options.team:
        staging.team_by_content(cursor, columns, text.layout, notes)
    _check_columns(cursor, columns, options, text.layout)

    items = ordered_items(columns)
    labels = answers.parse_labels(options.labels)
    _check_labels(cursor, columns, text.layout, labels)
    scales = _scales(cursor, columns, items, options.scale, notes)
    order = dates.choose_order(
        cursor, options.date_order, org.date_order, notes, table="numbered",
        column=survey_rows.time_text(columns, text.layout),
    )  # fmt: skip
    plan = survey_rows.RowPlan(
        columns, text.layout, items, scales, labels, order, org.time_zone,
        _usable_zone(stated_zone(text.layout, columns.time), notes),
        queries.team_id_by_name(cursor, options.team) if options.team else None, options.week,
    )  # fmt: skip
    (salt,) = cursor.execute("SELECT value FROM meta WHERE key = 'fingerprint_salt'").fetchall()[0]
    today = clock.today_in(org.time_zone)
    staging.team_lookup(cursor, columns)
    cursor.execute(survey_rows.typed_sql(plan), [salt, today + timedelta(days=1)])
    for statement in survey_rows.problem_statements(items):
        cursor.execute(statement)
    note = personal.removed_note(*cursor.execute(
        "SELECT coalesce(sum(emails_removed), 0), coalesce(sum(phones_removed), 0) FROM typed "
        "WHERE skip_reason IS NULL"
    ).fetchall()[0])  # fmt: skip
    if note:
        notes.append(note)
    problems = structural + [
        Problem(message, row=row, column=column)
        for row, column, message in cursor.execute(
            "SELECT row_number, column_name, message FROM staged_problems "
            "ORDER BY row_number, column_name LIMIT ?",
            [MAX_PROBLEMS_KEPT],
        ).fetchall()
    ]
    (rejected,) = cursor.execute("SELECT count(*) FROM rejected_rows").fetchall()[0]
    if any(p.message.endswith("is not a known team") for p in problems):
        problems.append(Problem(
            f"Teams must match the roster: {staging.known_teams(cursor)}. For another name a team "
            "goes by, add {option:team_alias}."
        ))  # fmt: skip
    skipped = cursor.execute(
        "SELECT skip_reason, count(*) FROM typed WHERE skip_reason IS NOT NULL GROUP BY 1 "
        "ORDER BY 1"
    ).fetchall()
    if skipped:
        notes.append("Skipped " + ", ".join(f"{n:,} {reason}" for reason, n in skipped) + ".")
    unmapped = mapping.answer_like(cursor, text.layout, columns.unused_indexes)
    if unmapped:
        notes.append(
            "Not used, though they look like answers: " + ", ".join(f'"{h}"' for h in unmapped[:8])
            + " (say what they are with {option:map})."
        )  # fmt: skip
    return _Staged(
        good + len(structural), rejected + len(structural), sum(n for _, n in skipped),
        problems, notes,
    )  # fmt: skip


def _usable_zone(zone: str | None, notes: list[str]) -> str | None:
    """A zone the file states, if Catalyst knows it; else its times are read as local."""
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        notes.append(f'The file says its times are in "{zone}", a zone Catalyst does not know; '
                     "they are read as the organization's local time.")  # fmt: skip
        return None
    if zone != "UTC":
        notes.append(f"Times read in {zone}, as the file states, and moved to the organization's "
                     "time zone.")  # fmt: skip
    return zone


def _check_labels(cursor, columns: ColumnMap, layout: Layout, labels: dict[str, float]) -> None:
    """Refuse item columns holding answers Catalyst cannot read, whole: importing the
    labels it knows ("Neutral") without the others would give a one-sided picture."""
    unknown = answers.unknown_labels(cursor, columns.items, labels)
    problems = []
    for item, found in unknown.items():
        index = columns.items[item]
        shown = ", ".join(f'"{answer}" ({count:,} row{"s" if count != 1 else ""})'
                          for answer, count in found[:8])  # fmt: skip
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        problems.append(Problem(
            f"answers Catalyst does not know: {shown}{more}. The column is refused whole, "
            "since its other answers alone would give a one-sided picture. Say what each "
            "answer means, lowest to highest, with {option:labels}, like "
            f'"{found[0][0]}=1,…"; or leave the column out.',
            column=f"{letters(index)} ({layout.columns[index].header or item_label(item)})",
        ))  # fmt: skip
    if problems:
        raise ImportRefused(problems)


def _scales(
    cursor, columns: ColumnMap, items: list[str], stated: str | None, notes: list[str]
) -> dict[str, Scale]:
    """The scale of each item's plain numbers: stated, or detected from the column."""
    if stated:
        return dict.fromkeys(items, answers.parse_scale(stated))
    # Plain numbers first; numbers inside labels ("5: strongly agree") only when a
    # column has no plain number at all.
    found = []
    for fast in (True, False):
        ranges = ", ".join(
            f"min({reader}), max({reader})"
            for reader in (
                f"TRY_CAST({staging.sql_column(columns.items[i])} AS DOUBLE)" if fast
                else answers.number(staging.sql_column(columns.items[i]))
                for i in items
            )
        )  # fmt: skip
        found = cursor.execute(f"SELECT {ranges} FROM numbered").fetchall()[0]  # noqa: S608
        if all(value is not None for value in found):
            break
    scales = {}
    for position, item in enumerate(items):
        low, high = found[2 * position], found[2 * position + 1]
        scales[item] = answers.detect_scale(low, high)
        if high is not None and scales[item] != answers.SCALES["1-5"]:
            notes.append(f"{item_label(item)}: numbers read on a {scales[item]} scale.")
    return scales


def _write(
    db: Store, cursor, report: ImportReport, text: TextFile, options: SurveyOptions, now: datetime
) -> None:
    """The one transaction: dedupe against what is stored, insert, summarize, record."""
    items = [c for (c,) in cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'typed' "
        "AND column_name IN (SELECT unnest(?::VARCHAR[]))",
        [list(ITEM_KEYS)],
    ).fetchall()]  # fmt: skip
    columns = ", ".join(items)
    with db.transaction(cursor):
        if staging.same_file(cursor, text.content_hash, "survey"):
            raise ImportRefused([Problem("The same file was just imported by someone else.")])
        for statement in survey_rows.REPEATS:
            cursor.execute(statement)
        _note_edited(cursor, items, report)
        import_id = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_by, imported_at, rows_in_file, "
            "imported, content_hash, dropped_columns) VALUES ('survey', ?, 'template', ?, ?, ?, 0, "
            "?, ?) RETURNING import_id",
            [report.file_name, options.imported_by, now, report.rows_in_file, text.content_hash,
             report.dropped_columns],
        ).fetchall()[0][0]  # fmt: skip
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
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT team_id, week FROM typed "
            "WHERE skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)"
        )
        store.rebuild_response_summary(cursor, "touched")
        store.bump_data_version(cursor, "survey")
        store.record_audit(
            cursor, "import.survey",
            f"import #{import_id} {report.file_name}: {report.summary()}",
            at=now, user_id=options.imported_by, actor=options.actor,
        )  # fmt: skip


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
