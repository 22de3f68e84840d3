"""Progress files in: the teams' small wins and setbacks, from a spreadsheet.

Two layouts, told apart by their columns:

* counts: ``team, week`` (or ``date``), ``wins``, ``setbacks`` — how many of each;
* events: ``team, date, kind`` (win or setback), ``description`` — one per row.

The same guarantees as survey files: every row accounted for (a counts row with
nothing in it is skipped), one transaction, nothing doubled (a salted
fingerprint per entry, counting identical rows), undo.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dashboard import clock, queries, store
from dashboard.ingest import answers, dates, staging
from dashboard.ingest.columns import TEAM_NAMES, ColumnMap, normalize
from dashboard.ingest.limits import Limits
from dashboard.ingest.report import ImportRefused, ImportReport, Problem, refuse
from dashboard.ingest.text import Source, TextFile, prepare
from dashboard.store import Store

MAX_DESCRIPTION = 200
NAMES = {
    "team": TEAM_NAMES,
    "date": {"week", "date", "week of", "week starting", "day", "when"},
    "wins": {"wins", "small wins", "win", "number of wins"},
    "setbacks": {"setbacks", "setback", "number of setbacks"},
    "kind": {"kind", "type", "win or setback"},
    "description": {"description", "what happened", "details", "text", "entry"},
}
KINDS = {"win": "win", "small win": "win", "wins": "win", "setback": "setback",
         "setbacks": "setback"}  # fmt: skip


@dataclass(frozen=True)
class WinsOptions:
    skip_invalid: bool = False
    date_order: str | None = None
    imported_by: int | None = None
    actor: str = "catalyst import"


def _roles(text: TextFile) -> dict[str, int]:
    roles = {}
    for index, header in enumerate(text.header):
        for role, names in NAMES.items():
            if normalize(header) in names and role not in roles:
                roles[role] = index
    counts = "wins" in roles or "setbacks" in roles
    events = "kind" in roles
    missing = [r for r in ("team", "date") if r not in roles]
    if missing or not (counts or events):
        raise refuse(
            "A progress file needs the columns team, week (or date) and either wins and "
            "setbacks (how many of each) or kind and description (one win or setback per "
            f"row). Missing: {', '.join(missing) or 'wins/setbacks or kind'}; found: "
            + ", ".join(f'"{h}"' for h in text.header)
            + "."
        )
    return roles


def import_wins(
    db: Store, source: Source, options: WinsOptions = WinsOptions(), *, now: datetime
) -> ImportReport:
    """Import a progress file; ImportRefused (nothing written) when it cannot be."""
    report = ImportReport(kind="progress", file_name=source.name)
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    with tempfile.TemporaryDirectory() as folder:
        text = prepare(
            source,
            workdir=Path(folder),
            limit_bytes=org.max_upload_mb * 1_000_000,
            limits=Limits.of(org),
        )
        roles = _roles(text)
        with db.staging() as cursor:
            earlier = staging.same_file(cursor, text.content_hash, "progress")
            if earlier:
                report.already_imported, report.import_id = earlier["when"], earlier["id"]
                report.rows_in_file = report.duplicates = earlier["rows"]
                return report
            _stage(cursor, text, roles, options, org, report)
            problems = report.errors
            if problems and not options.skip_invalid:
                raise ImportRefused(problems, report.refused_whole())
            if report.rows_in_file == report.rejected + report.skipped:
                raise ImportRefused(
                    [Problem("No row of the file holds a win or a setback.")] + problems,
                    report.refused_whole(),
                )
            _write(db, cursor, report, text, options, now)
    db.checkpoint()
    return report


def _stage(cursor, text: TextFile, roles: dict[str, int], options, org, report) -> None:
    """``typed`` (one row per readable row), ``staged_problems`` and ``kept``; the report
    counts every row."""
    structural = staging.read_rows(cursor, text)
    staging.team_keys(cursor, [])
    staging.team_lookup(cursor, ColumnMap(team=roles["team"]))
    _type_rows(cursor, roles, options, org, report.notes)
    events = "kind" in roles
    checks = " UNION ALL ".join(
        f"SELECT row_number, {check} AS message FROM typed"  # noqa: S608 - constants only
        for check in _checks(roles)
    )
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE staged_problems AS SELECT row_number, "  # noqa: S608
        f"NULL::VARCHAR AS column_name, message FROM ({checks}) WHERE message IS NOT NULL",
        [clock.today_in(org.time_zone) + timedelta(days=1)],
    )
    skip = "FALSE" if events else "coalesce(wins, 0) = 0 AND coalesce(setbacks, 0) = 0"
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM typed WHERE row_number NOT IN "  # noqa: S608
        f"(SELECT row_number FROM staged_problems) AND NOT ({skip})"
    )
    good, rejected, skipped = cursor.execute(
        f"SELECT count(*), (SELECT count(DISTINCT row_number) FROM staged_problems), "  # noqa: S608
        f"count(*) FILTER (WHERE row_number NOT IN (SELECT row_number FROM staged_problems) "
        f"AND ({skip})) FROM typed"
    ).fetchall()[0]
    problems = structural + [
        Problem(message, row=row)
        for row, message in cursor.execute(
            "SELECT row_number, message FROM staged_problems ORDER BY row_number"
        ).fetchall()
    ]
    report.rows_in_file = good + len(structural)
    report.rejected, report.skipped, report.errors = rejected + len(structural), skipped, problems
    if skipped:
        report.notes.append(f"Skipped {skipped:,} rows with no wins and no setbacks.")


def _type_rows(cursor, roles: dict[str, int], options, org, notes: list[str]) -> None:
    """``typed``: team, day and week, counts or kind and description, as text and typed."""
    column = {role: staging.sql_column(index) for role, index in roles.items()}
    date_text = f"trim({column['date']})"
    order = dates.choose_order(
        cursor, options.date_order, org.date_order, notes, table="numbered", column=date_text
    )
    stamp = dates.timestamp_sql(date_text, order, org.time_zone)

    def text(role: str, blank_is_null: bool = False) -> str:
        if role not in column:
            return "NULL"
        return f"nullif(trim({column[role]}), '')" if blank_is_null else f"trim({column[role]})"

    kinds = " ".join(f"WHEN {answers.quoted(k)} THEN {answers.quoted(v)}" for k, v in KINDS.items())
    cursor.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE typed AS
        SELECT *, CAST(date_trunc('week', day) AS DATE) AS week,
               TRY_CAST(coalesce(nullif(wins_text, ''), '0') AS INTEGER) AS wins,
               TRY_CAST(coalesce(nullif(setbacks_text, ''), '0') AS INTEGER) AS setbacks,
               (CASE lower(kind_text) {kinds} END) AS kind
        FROM (
            SELECT n.ordinal, n.row_number, l.team_id, {text("team")} AS team_text,
                   {date_text} AS date_text, CAST({stamp} AS DATE) AS day,
                   {text("wins")} AS wins_text, {text("setbacks")} AS setbacks_text,
                   {text("kind")} AS kind_text, {text("description", True)} AS description
            FROM numbered n LEFT JOIN team_lookup l ON l.team_text = {text("team")})
        """  # noqa: S608 - identifiers and constants only
    )


def _checks(roles: dict[str, int]) -> list[str]:
    """One SQL expression per check, each the problem of a row or NULL ($1: tomorrow)."""
    checks = [
        "CASE WHEN team_id IS NULL AND coalesce(team_text, '') = '' THEN 'no team given' "
        "WHEN team_id IS NULL THEN '\"' || team_text || '\" is not a known team' END",
        "CASE WHEN day IS NULL AND coalesce(date_text, '') = '' THEN 'no date given' "
        "WHEN day IS NULL THEN '\"' || date_text || '\" is not a date Catalyst can read' "
        "WHEN day > $1 THEN 'the date \"' || date_text || '\" is after tomorrow' END",
    ]
    if "kind" in roles:
        return checks + [
            "CASE WHEN kind IS NULL THEN '\"' || coalesce(kind_text, '') "
            "|| '\" is neither win nor setback' END",
            f"CASE WHEN length(description) > {MAX_DESCRIPTION} THEN 'the description has ' "
            f"|| length(description) || ' characters; keep it to {MAX_DESCRIPTION}' END",
        ]
    return checks + [
        f"CASE WHEN {name} IS NULL OR {name} < 0 THEN '\"' || {name}_text "
        f"|| '\" is not a whole number of {name}' END"
        for name in ("wins", "setbacks")
        if name in roles
    ]


def _write(db: Store, cursor, report: ImportReport, text: TextFile, options, now: datetime):
    """One transaction: entries not already stored, the import record, the audit line."""
    (salt,) = cursor.execute("SELECT value FROM meta WHERE key = 'fingerprint_salt'").fetchall()[0]
    cursor.execute(
        """
        CREATE OR REPLACE TEMP TABLE entries AS
        SELECT row_number, team_id, week, kind, count, description,
               md5_number($1 || '|progress|' || team_id || '|' || week || '|' || kind || '|'
                   || count || '|' || coalesce(description, '') || '|' || row_number() OVER (
                   PARTITION BY team_id, week, kind, count, description ORDER BY row_number))
               AS fingerprint
        FROM (SELECT row_number, team_id, week, coalesce(kind, 'win') AS kind,
                     CASE WHEN kind IS NULL THEN wins ELSE 1 END AS count, description
              FROM kept WHERE kind IS NOT NULL OR wins > 0
              UNION ALL
              SELECT row_number, team_id, week, 'setback', setbacks, NULL
              FROM kept WHERE kind IS NULL AND setbacks > 0)
        """,
        [salt],
    )
    with db.transaction(cursor, carry=("entries", "staged_problems")) as cursor:
        import_id = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_by, imported_at, rows_in_file, "
            "imported, content_hash) VALUES ('progress', ?, 'progress', ?, ?, ?, 0, ?) "
            "RETURNING import_id",
            [report.file_name, options.imported_by, now, report.rows_in_file, text.content_hash],
        ).fetchall()[0][0]
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE new_entries AS SELECT * FROM entries e WHERE NOT EXISTS "
            "(SELECT 1 FROM progress_entries p WHERE p.fingerprint = e.fingerprint)"
        )
        cursor.execute(
            "INSERT INTO progress_entries (team_id, week, kind, count, description, source, "
            "import_id, created_by, created_at, fingerprint) SELECT team_id, week, kind, count, "
            "description, 'import', ?, ?, ?, fingerprint FROM new_entries",
            [import_id, options.imported_by, now],
        )
        (imported,) = cursor.execute(
            "SELECT count(DISTINCT row_number) FROM new_entries"
        ).fetchall()[0]
        staging.record_outcome(cursor, report, import_id, imported, "progress")
        store.bump_data_version(cursor, "progress")
        store.record_audit(
            cursor,
            "import.progress",
            f"import #{import_id} {report.file_name}: {report.summary()}",
            at=now,
            user_id=options.imported_by,
            actor=options.actor,
        )
