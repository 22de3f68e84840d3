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

import duckdb
import pandas as pd

from dashboard import clock, queries, store
from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.ingest import answers, dates, mapping, staging
from dashboard.ingest.columns import ColumnMap, map_columns, ordered_items
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.text import Source, TextFile, prepare, read_file  # fmt: skip
from dashboard.measures import Scale
from dashboard.rounds import week_of
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
    sheet: str | None = None  # of a workbook
    imported_by: int | None = None
    actor: str = "catalyst import"


@dataclass
class _Opened:
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
        staged = _stage(self.cursor, self.text, self.columns, options, self.team_aliases, self.org)
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
def _opened(db: Store, source: Source, options: SurveyOptions) -> Iterator[_Opened]:
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
            yield _Opened(report, text, columns, cursor, to_save, team_aliases, org, earlier)


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
            raise ImportRefused(refusal, report)
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


def _sample(opened: _Opened, rows: int) -> pd.DataFrame:
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
    return f"Recognised as a {layout.tool_name} export ({rows}{how})."


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
               + '. Say which catalyst each is with --map "HEADER=key".' if hint else "")
        ))  # fmt: skip
    if columns.team is None and not options.team:
        problems.append(Problem(
            "No team column. Add a column named team, name it with --team-column HEADER, or "
            "give the team for every row (--team)."
        ))  # fmt: skip
    if options.team and queries.team_id_by_name(cursor, options.team) is None:
        problems.append(
            Problem(f'There is no team "{options.team}"; {staging.known_teams(cursor)}.')
        )
    if columns.time is None and not options.week:
        problems.append(Problem(
            "No date column (submitted_at or timestamp). Add one, or give the week for every "
            "row (--week on the command line)."
        ))  # fmt: skip
    if options.scale and answers.parse_scale(options.scale) is None:
        problems.append(Problem(
            f'--scale "{options.scale}": write the lowest and highest answer, like 1-5 or 0-10.'
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
    team_aliases: list[tuple[str, str, int]], org,
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
    staging.number_rows(
        cursor, text.header_rows, [p.row - text.header_rows + 1 for p in structural]
    )
    staging.team_keys(cursor, team_aliases)
    notes: list[str] = []
    if columns.team is None and not options.team:
        staging.team_by_content(cursor, columns, text.layout, notes)
    _check_columns(cursor, columns, options, text.layout)

    items = ordered_items(columns)
    scales = _scales(cursor, columns, items, options.scale, notes)
    time_column = _time_text(columns, text.layout)
    order = dates.choose_order(
        cursor, options.date_order, org.date_order, notes, table="numbered", column=time_column
    )
    team_id = queries.team_id_by_name(cursor, options.team) if options.team else None
    (salt,) = cursor.execute("SELECT value FROM meta WHERE key = 'fingerprint_salt'").fetchall()[0]
    today = clock.today_in(org.time_zone)
    staging.team_lookup(cursor, columns)
    cursor.execute(
        _typed_sql(
            columns, text.layout, items, scales, order, org.time_zone, team_id, options.week
        ),  # fmt: skip
        [salt, today + timedelta(days=1)],
    )
    for statement in _problem_statements(items):
        cursor.execute(statement)
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
            'goes by, add --team-alias "NAME=Team".'
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
            + ' (map one with --map "HEADER=key").'
        )  # fmt: skip
    return _Staged(
        good + len(structural), rejected + len(structural), sum(n for _, n in skipped),
        problems, notes,
    )  # fmt: skip


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
                f"TRY_CAST({staging.column(columns.items[i])} AS DOUBLE)" if fast
                else answers.number(staging.column(columns.items[i]))
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


def _time_text(columns: ColumnMap, layout: Layout) -> str:
    text = f"trim({staging.column(columns.time)})"
    if layout.no_date:
        no_date = answers.quoted(layout.no_date)
        return f"(CASE WHEN starts_with({text}, {no_date}) THEN NULL ELSE {text} END)"
    return text


def _typed_sql(
    columns: ColumnMap, layout: Layout, items: list[str], scales: dict[str, Scale], order: str,
    time_zone: str, team_id: int | None, week: date | None,
) -> str:  # fmt: skip
    """``typed``: every readable row, typed, with one problem column per check.

    Parameters: the fingerprint salt, then tomorrow's date. Identifiers and
    constants only are put into the SQL; the file's values stay column data.
    """
    inner = [
        "n.ordinal", "n.row_number",
        f"trim({staging.column(columns.team)}) AS team_text",
        f"{_time_text(columns, layout)} AS time_text",
        f"nullif(trim({staging.column(columns.comment)}), '') AS comment",
        f"nullif(trim({staging.column(columns.response_id)}), '') AS source_id",
        f"{int(team_id)} AS team_id" if team_id is not None else "t.team_id",
        f"{_skip_reason(columns)} AS skip_reason",
    ]  # fmt: skip
    for item in items:
        raw = staging.column(columns.items[item])
        inner += [f"{raw} AS {item}_raw", f"{answers.number(raw)} AS {item}_value"]
    stamp = dates.timestamp_sql("time_text", order, time_zone)
    if week is not None:
        monday = week_of(week)
        stamp = f"coalesce({stamp}, TIMESTAMP '{monday} 12:00:00')"
        week_expr = f"DATE '{monday}'"
    else:
        week_expr = "CAST(date_trunc('week', submitted_at) AS DATE)"
    middle = ["*", f"{stamp} AS submitted_at"] + [
        f"{answers.text(f'{i}_raw', f'{i}_value')} AS {i}_text" for i in items
    ]
    scored = ["*", f"{week_expr} AS week"]
    scored += [f"{answers.score_sql(f'{i}_text', f'{i}_value', scales[i])} AS {i}" for i in items]
    scored += [
        f"{answers.problem_sql(f'{i}_raw', f'{i}_text', f'{i}_value', scales[i])} AS {i}_problem"
        for i in items
    ]
    answered = " OR ".join(f"{i} IS NOT NULL OR {i}_problem IS NOT NULL" for i in items)
    outer = [
        "ordinal", "row_number", "team_id", "team_text", "time_text", "submitted_at", "week",
        "comment", "source_id", "skip_reason", *items, *(f"{i}_problem" for i in items),
        _TEAM_PROBLEM, _DATE_PROBLEM,
        f"CASE WHEN NOT ({answered}) THEN 'no catalyst was answered in this row' END "
        "AS answers_problem",
        "CASE WHEN source_id IS NOT NULL THEN md5_number($1 || '|id|' || source_id) "
        f"ELSE {_packed_key(items)} END AS fingerprint",
    ]  # fmt: skip
    team_join = f"t.team_text = trim({staging.column(columns.team)})"
    layers = f"SELECT {', '.join(inner)} FROM numbered n LEFT JOIN team_lookup t ON {team_join}"  # noqa: S608
    for layer in (middle, scored, outer):
        layers = f"SELECT {', '.join(layer)} FROM ({layers})"  # noqa: S608
    return f"CREATE OR REPLACE TEMP TABLE typed AS {layers}"


PREVIEW_STATUSES = (
    "survey preview",
    "survey test",
    "spam",
    "preview spam",
    "1",
    "2",
    "8",
    "9",
    "12",
)
UNFINISHED = ("false", "0", "no")


def _skip_reason(columns: ColumnMap) -> str:
    """Responses the survey tool marks as previews, tests or spam, or as not finished:
    counted as skipped, never imported (Qualtrics)."""
    reasons = []
    if columns.status is not None:
        statuses = ", ".join(answers.quoted(s) for s in PREVIEW_STATUSES)
        reasons.append(
            f"WHEN lower(trim({staging.column(columns.status)})) IN ({statuses}) "
            "THEN 'previews, test responses or spam (as the survey tool marks them)'"
        )
    if columns.finished is not None:
        unfinished = ", ".join(answers.quoted(s) for s in UNFINISHED)
        reasons.append(
            f"WHEN lower(trim({staging.column(columns.finished)})) IN ({unfinished}) "
            "THEN 'unfinished responses'"
        )
    return f"(CASE {' '.join(reasons)} END)" if reasons else "NULL::VARCHAR"


def _packed_key(items: list[str]) -> str:
    """Team, second and answers packed exactly into 128 bits: the identity of a row
    without a response id. Exact (no collisions) and independent of DuckDB's hash
    functions, so it stays valid across upgrades. Bits 100+: team; 56-99: seconds
    since 1970; 8 bits per item: score x 15 (a whole number for 1-5, 1-7 and 0-10
    answers; 0 for no answer)."""
    answers_bits = " | ".join(
        f"(coalesce(round({item} * 15), 0)::UHUGEINT << {8 * ITEM_KEYS.index(item)})"
        for item in items
    )
    return (
        "((coalesce(team_id, 0)::UHUGEINT << 100) "
        "| (greatest(coalesce(epoch(submitted_at), 0), 0)::UBIGINT::UHUGEINT << 56) "
        f"| {answers_bits})"
    )


_TEAM_PROBLEM = """CASE
        WHEN team_id IS NULL AND coalesce(team_text, '') = '' THEN 'no team given'
        WHEN team_id IS NULL THEN '"' || team_text || '" is not a known team'
    END AS team_problem"""
_DATE_PROBLEM = """CASE
        WHEN submitted_at IS NULL AND coalesce(time_text, '') = '' THEN 'no date given'
        WHEN submitted_at IS NULL THEN '"' || time_text
            || '" is not a date Catalyst can read (use 2026-11-24, 2026-11-24 14:05 or the '
            || 'export''s own format)'
        WHEN CAST(submitted_at AS DATE) > $2 THEN 'the date "' || time_text
            || '" is after tomorrow'
    END AS date_problem"""


def _problem_statements(items: list[str]) -> list[str]:
    """``staged_problems`` (one row per problem, named as people read the column) and
    ``rejected_rows``."""
    names = {"team_problem": "team", "date_problem": "date", "answers_problem": "answers"}
    names |= {f"{item}_problem": item_label(item) for item in items}
    label = " ".join(f"WHEN {answers.quoted(k)} THEN {answers.quoted(v)}" for k, v in names.items())
    return [
        # Teams without a roster entry for a week: checked per (team, week), not per row.
        """CREATE OR REPLACE TEMP TABLE roster_gaps AS
           SELECT DISTINCT team_id, week FROM typed WHERE team_id IS NOT NULL
               AND week IS NOT NULL
           EXCEPT SELECT p.team_id, p.week FROM (
               SELECT DISTINCT team_id, week FROM typed WHERE team_id IS NOT NULL) p
           JOIN team_history h ON h.team_id = p.team_id AND h.valid_from <= p.week
                AND (h.valid_to IS NULL OR p.week < h.valid_to)""",
        f"""CREATE OR REPLACE TEMP TABLE staged_problems AS
           SELECT row_number, CASE column_name {label} END AS column_name, message
           FROM (UNPIVOT (SELECT row_number, COLUMNS('.*_problem') FROM typed
                          WHERE skip_reason IS NULL)
                 ON COLUMNS('.*_problem') INTO NAME column_name VALUE message)
           UNION ALL
           SELECT t.row_number, 'team', 'team "' || t.team_text || '" has no roster entry for '
                  || 'the week of ' || strftime(t.week, '%-d %b %Y')
                  || '; import the roster with an earlier effective_from'
           FROM typed t SEMI JOIN roster_gaps g ON g.team_id = t.team_id AND g.week = t.week
           WHERE t.skip_reason IS NULL""",  # noqa: S608
        "CREATE OR REPLACE TEMP TABLE rejected_rows AS "
        "SELECT DISTINCT row_number FROM staged_problems",
    ]


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
        for statement in _REPEATS:
            cursor.execute(statement)
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
                                          {columns}, comment)
            SELECT ?, team_id, submitted_at, week, fingerprint, {columns}, comment
            FROM typed t
            WHERE NOT t.repeated_id AND t.skip_reason IS NULL
              AND t.row_number NOT IN (SELECT row_number FROM rejected_rows)
              AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.fingerprint = t.fingerprint)
            """,  # noqa: S608 - item columns from the allow-list
            [import_id],
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


# Rows that repeat a fingerprint within the file: a repeated response id is one
# response (the copies are duplicates); identical rows without an id are separate
# responses, told apart by their place among the copies (second, third ...).
_REPEATS = (
    "ALTER TABLE typed ADD COLUMN repeated_id BOOLEAN DEFAULT false",
    """CREATE OR REPLACE TEMP TABLE repeats AS
       SELECT ordinal, row_number() OVER (PARTITION BY fingerprint ORDER BY ordinal) AS copy
       FROM typed WHERE fingerprint IN (
           SELECT fingerprint FROM typed
           WHERE skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)
           GROUP BY fingerprint HAVING count(*) > 1)
         AND skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)""",
    """UPDATE typed SET repeated_id = source_id IS NOT NULL,
           fingerprint = CASE WHEN source_id IS NULL
               THEN md5_number(fingerprint::VARCHAR || '#' || r.copy) ELSE fingerprint END
       FROM repeats r WHERE typed.ordinal = r.ordinal AND r.copy > 1""",
)
