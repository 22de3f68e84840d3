"""What was imported, and taking an import back."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from dashboard import rounds, store
from dashboard.ingest.report import ImportRefused, Problem, refuse
from dashboard.queries import publication
from dashboard.store import Store


def import_history(cursor: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Imports, newest first: file, kind, who, when, counts, dropped columns, undone."""
    return cursor.execute(
        "SELECT i.import_id, i.kind, i.file_name, coalesce(u.display_name, '') AS imported_by, "
        "i.imported_at, i.rows_in_file, i.imported, i.duplicates, i.rejected, i.skipped, "
        "i.dropped_columns, i.undone_at FROM imports i "
        "LEFT JOIN users u ON u.user_id = i.imported_by ORDER BY i.import_id DESC LIMIT ?",
        [limit],
    ).df()


def undo_withdraws(db: Store, import_id: int) -> str | None:
    """What undoing the import takes from published results, in words (None: nothing
    published holds its rows, so the undo is free)."""
    with db.reading() as cursor:
        cells = cursor.execute(
            """
            SELECT p.round_start, p.cadence, c.kind, c.responses
            FROM published_cells c JOIN published_rounds p USING (round_id)
            WHERE c.withdrawn_at IS NULL
              AND c.cell_id IN (SELECT cell_id FROM survey_responses WHERE import_id = ?)
            ORDER BY p.first_week
            """,
            [import_id],
        ).fetchall()
    if not cells:
        return None
    names = list(dict.fromkeys(rounds.round_label(start, cadence) for start, cadence, *_ in cells))
    teams = sum(kind == "team" for *_, kind, _ in cells)
    pools = len(cells) - teams
    parts = [f"{teams} team result{'s' if teams != 1 else ''}"] if teams else []
    parts += [f"{pools} department pool{'s' if pools != 1 else ''}"] if pools else []
    published = (
        ", ".join(names) if len(names) <= 3 else f"{len(names)} rounds, {names[0]} to {names[-1]}"
    )
    return (
        f"Already published: {published}. Undoing withdraws {' and '.join(parts)} "
        f"({sum(r for *_, r in cells):,} responses, other imports' included) from every "
        "figure for good; they are not shown again, even if the file is imported again."
    )


def undo_import(
    db: Store,
    import_id: int,
    *,
    now: datetime,
    user_id: int | None = None,
    actor: str = "catalyst import undo",
) -> int:
    """Remove exactly the responses an import added, in one transaction; returns how many.

    Published cells that hold any of them are withdrawn whole, for good (their other
    responses never reappear on their own). The same file can be imported again
    afterwards; rows of withdrawn cells stay out of every figure.
    """
    with db.transaction() as cursor:
        found = cursor.execute(
            "SELECT kind, file_name, undone_at FROM imports WHERE import_id = ?", [import_id]
        ).fetchall()
        if not found:
            raise ImportRefused([Problem(f"There is no import #{import_id}.")])
        kind, file_name, undone_at = found[0]
        if undone_at is not None:
            raise refuse(
                f"Import #{import_id} was already undone on {undone_at:%-d %b %Y at %H:%M} UTC."
            )
        if kind == "roster":
            raise refuse(
                "A roster import is not undone: import the corrected roster instead (its "
                "effective dates keep history)."
            )
        table = "survey_responses" if kind == "survey" else "progress_entries"
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT team_id, week "  # noqa: S608
            f"FROM {table} WHERE import_id = ?",
            [import_id],
        )
        withdrawn = []
        if kind == "survey":
            withdrawn = publication.withdraw_cells(
                cursor, import_id, now=now, reason=f"import #{import_id} {file_name} undone"
            )
        delete = f"DELETE FROM {table} WHERE import_id = ?"  # noqa: S608 - table from two names
        removed = cursor.execute(delete, [import_id]).fetchall()[0][0]
        if kind == "survey":
            store.rebuild_response_summary(cursor, "touched")
        cursor.execute(
            "UPDATE imports SET undone_at = ?, undone_by = ? WHERE import_id = ?",
            [now, user_id, import_id],
        )
        store.bump_data_version(cursor, kind)
        store.record_audit(
            cursor,
            "import.undo",
            f"import #{import_id} {file_name}: {removed} rows removed"
            + (f"; published cells of {len(withdrawn)} rounds withdrawn" if withdrawn else ""),
            at=now,
            user_id=user_id,
            actor=actor,
        )
    return int(removed)
