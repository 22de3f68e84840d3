"""Shared steps of every file import: rows numbered as a spreadsheet shows them,
teams matched by any name they go by, files recognised when they come again.
All run on the caller's cursor, on the temporary tables of one import."""

from __future__ import annotations

import re

import duckdb

from dashboard import queries
from dashboard.ingest import mapping
from dashboard.ingest.columns import ColumnMap
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import Problem
from dashboard.ingest.text import read_file


def known_teams(cursor: duckdb.DuckDBPyConnection) -> str:
    names = queries.team_names(cursor)
    if not names:
        return "there are no teams yet: import the roster first (catalyst import roster)"
    shown = ", ".join(names[:12])
    return f"known teams: {shown}" + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def same_file(cursor: duckdb.DuckDBPyConnection, content_hash: str, kind: str) -> dict | None:
    """The earlier import of the same bytes (not undone), if any."""
    row = cursor.execute(
        "SELECT import_id, imported_at, rows_in_file FROM imports WHERE content_hash = ? "
        "AND kind = ? AND undone_at IS NULL ORDER BY import_id LIMIT 1",
        [content_hash, kind],
    ).fetchall()
    if not row:
        return None
    import_id, at, rows = row[0]
    return {
        "id": import_id,
        "when": f"import #{import_id} on {at:%-d %b %Y at %H:%M} UTC",
        "rows": rows,
    }


TEAM_BY_CONTENT = 0.9  # share of filled cells that must name a known team


def team_by_content(cursor, columns: ColumnMap, layout: Layout, notes: list[str]) -> None:
    """No column is called team: take the unused column whose values are team names
    (SurveyMonkey's "Custom Data 1", a renamed question …), and say so."""
    condition = f"{mapping.team_key_sql('trim(v)')} IN (SELECT team_key FROM team_keys)"  # noqa: S608
    counts = mapping.column_counts(cursor, columns.unused_indexes, condition)
    share = {i: teams / filled for i, (filled, teams) in counts.items() if filled}
    if not share or max(share.values()) < TEAM_BY_CONTENT:
        return
    index = max(share, key=share.get)
    header = layout.columns[index].header
    columns.unused_indexes.remove(index)
    columns.unused.remove(header or f"column {index + 1}")
    columns.team = index
    notes.append(f'Teams read from column "{header}": its values are team names.')


def team_lookup(cursor, columns: ColumnMap) -> None:
    """``team_lookup``: each distinct team text of the file and its team, so that the
    case- and spacing-blind match runs once per name, not once per row."""
    text = f"trim({sql_column(columns.team)})"
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE team_lookup AS SELECT f.team_text, k.team_id "  # noqa: S608
        f"FROM (SELECT DISTINCT {text} AS team_text FROM numbered) f "
        f"JOIN team_keys k ON k.team_key = {mapping.team_key_sql('f.team_text')}"
    )


def team_keys(cursor, team_aliases: list[tuple[str, str, int]]) -> None:
    """``team_keys``: every name a team answers to in exports, ignoring case and spacing."""
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE team_keys AS "  # noqa: S608
        f"SELECT DISTINCT {mapping.team_key_sql('name')} AS team_key, team_id FROM teams "
        "UNION SELECT alias_key, team_id FROM team_aliases "
        "UNION SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[])",
        [[key for key, _, _ in team_aliases], [team for _, _, team in team_aliases]],
    )


def fields_message(duckdb_message: str, width: int) -> str:
    found = re.search(r"Found: (\d+)", duckdb_message)
    count = found.group(1) if found else "a different number of"
    return (
        f"this row has {count} fields where the header has {width}: check for a missing or "
        "extra separator, or an unclosed quote"
    )


def number_rows(cursor, header_rows: int, rejected_lines: list[int]) -> None:
    """``numbered``: each readable row with the number a spreadsheet shows it under."""
    if not rejected_lines:
        cursor.execute(
            f"CREATE OR REPLACE TEMP VIEW numbered AS SELECT rowid AS ordinal, "  # noqa: S608
            f"rowid + 1 + {int(header_rows)} AS row_number, * FROM raw"
        )
        return
    # Rows DuckDB could not split are missing from ``raw``: count around them.
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE numbered AS "
        "WITH lines AS (SELECT range AS line FROM range(2, (SELECT count(*) FROM raw) + ? + 2)), "
        "kept AS (SELECT line, row_number() OVER (ORDER BY line) - 1 AS ordinal FROM lines "
        "WHERE line NOT IN (SELECT unnest(?::BIGINT[]))) "
        "SELECT r.rowid AS ordinal, k.line - 1 + ? AS row_number, r.* "
        "FROM raw r JOIN kept k ON k.ordinal = r.rowid",
        [len(rejected_lines), rejected_lines, header_rows],
    )


def sql_column(index: int | None) -> str:
    """The staged table's name for the file's column at ``index`` (c0, c1 …), or NULL."""
    return "NULL" if index is None else f"c{int(index)}"


def record_outcome(cursor, report, import_id: int, inserted: int, layout: str) -> None:
    """Fill in the report's counts and the import record, and keep the row problems
    (``staged_problems``) with the import: the end of every import's transaction."""
    valid = report.rows_in_file - report.rejected - report.skipped
    report.import_id, report.imported, report.duplicates = import_id, inserted, valid - inserted
    cursor.execute(
        "UPDATE imports SET imported = ?, duplicates = ?, rejected = ?, skipped = ?, "
        "details = ?, layout = ? WHERE import_id = ?",
        [
            report.imported,
            report.duplicates,
            report.rejected,
            report.skipped,
            " ".join(report.notes),
            layout,
            import_id,
        ],
    )
    if report.errors:
        cursor.execute(
            "INSERT INTO import_problems SELECT ?, row_number, column_name, message "
            "FROM staged_problems",
            [import_id],
        )


def read_rows(cursor, text) -> list:
    """``raw`` and ``numbered`` from a prepared file; the rows that do not split into the
    header's fields, as problems on the rows a spreadsheet shows them under."""
    read_file(cursor, "raw", text)
    structural = [
        Problem(fields_message(message, len(text.header)), row=line - 1 + text.header_rows)
        for line, message in cursor.execute(
            # DuckDB records a short row once per missing column: keep the first.
            "SELECT line, arg_min(error_message, column_idx) FROM raw_rejects "
            "GROUP BY line ORDER BY line"
        ).fetchall()
    ]
    number_rows(cursor, text.header_rows, [p.row - text.header_rows + 1 for p in structural])
    return structural
