"""Small write helpers every writer shares (bulk frames, data versions, audit,
summary, settings), and the one bulk writer of a whole organization (the demo, tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from dashboard.catalysts import ITEM_KEYS
from dashboard.store import postgres
from dashboard.store.database import StoreError
from dashboard.store.schema import BULK_TABLES


@contextmanager
def registered(cursor: duckdb.DuckDBPyConnection, name: str, frame: object) -> Iterator[str]:
    """Make a pandas/Arrow frame readable as ``name`` in SQL for the block's duration."""
    # DuckDB 2 refuses register() while an earlier execute() on the cursor has
    # rows left unread (fetchone() leaves them); abort() drops that leftover
    # result only, never the transaction.
    cursor.abort()
    cursor.register(name, frame)
    try:
        yield name
    finally:
        cursor.unregister(name)


def append_frame(
    cursor: duckdb.DuckDBPyConnection,
    table: str,
    frame: object,
    *,
    computed: dict[str, str] | None = None,
    helpers: Sequence[str] = (),
) -> int:
    """Insert a pandas/Arrow frame into ``table`` by column name, in one bulk statement.
    ``computed`` adds columns made by SQL from the frame's; ``helpers`` are frame columns
    only that SQL reads."""
    if table not in BULK_TABLES:
        raise ValueError(f"bulk writes to {table!r} are not allowed")
    computed = computed or {}
    names = [str(name) for name in getattr(frame, "column_names", None) or frame.columns]
    names = [name for name in names if name not in helpers]
    into = ", ".join([*names, *computed])
    values = ", ".join([*_typed(cursor, table, names), *computed.values()])
    with registered(cursor, "incoming_frame", frame):
        # Columns named, not DuckDB's INSERT … BY NAME: the same statement on PostgreSQL.
        cursor.execute(f"INSERT INTO {table} ({into}) SELECT {values} FROM incoming_frame")  # noqa: S608
    return len(frame)


def _typed(cursor, table: str, names: list[str]) -> list[str]:
    """The frame's columns as the table's types. DuckDB converts on insert; PostgreSQL
    wants a cast where a registered frame's type was a guess (a column of NULLs is text)."""
    if not isinstance(cursor, postgres.Cursor):
        return names
    types = cursor.column_types(table)
    return [f"CAST({name} AS {types[name]})" for name in names]


def bump_data_version(cursor: duckdb.DuckDBPyConnection, *kinds: str) -> None:
    """Mark cached reads of these kinds of data stale (pages key caches by version)."""
    for kind in kinds:
        cursor.execute(
            "INSERT INTO data_versions VALUES (?, 1) "
            "ON CONFLICT (kind) DO UPDATE SET version = data_versions.version + 1",
            [kind],
        )


# The data version of one manager's own check-ins is "manager:<id>": views of that
# manager's team key on it, so one check-in leaves every other manager's view cached.
MANAGER_KIND = "manager:"


def manager_kind(manager_id: int) -> str:
    """The data version that changes when this manager's check-ins change."""
    return f"{MANAGER_KIND}{manager_id}"


def set_meta(cursor: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    cursor.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def rebuild_response_summary(
    cursor: duckdb.DuckDBPyConnection, team_weeks: str | None = None
) -> None:
    """Recompute ``response_summary`` rows from ``survey_responses``.

    ``team_weeks`` names a registered relation with columns (team_id, week)
    limiting the rebuild to those cells; None rebuilds everything.
    """
    aggregates = ",\n".join(
        f"count({item}) AS {item}_n, coalesce(sum({item}), 0) AS {item}_sum, "
        f"count(*) FILTER (WHERE {item} > 3) AS {item}_favorable"
        for item in ITEM_KEYS
    )
    if team_weeks is None:
        cursor.execute("DELETE FROM response_summary")
        scope = ""
    else:
        if not re.fullmatch(r"[a-z_]+", team_weeks):
            raise ValueError("team_weeks must name a registered relation")
        cursor.execute(
            "DELETE FROM response_summary s USING "  # noqa: S608
            f"(SELECT DISTINCT team_id, week FROM {team_weeks}) c "
            "WHERE s.team_id = c.team_id AND s.week = c.week"
        )
        scope = f"SEMI JOIN {team_weeks} c ON r.team_id = c.team_id AND r.week = c.week"
    cursor.execute(
        "INSERT INTO response_summary "  # noqa: S608
        f"SELECT r.team_id, r.week, count(*) AS responses, {aggregates} "
        f"FROM survey_responses r {scope} GROUP BY r.team_id, r.week"
    )


def record_audit(
    cursor: duckdb.DuckDBPyConnection,
    action: str,
    detail: str,
    *,
    at: datetime,
    user_id: int | None = None,
    actor: str | None = None,
) -> None:
    """Add a line to the audit log: who (user or command), when, what."""
    cursor.execute(
        "INSERT INTO audit_log (occurred_at, user_id, actor, action, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        [at, user_id, actor, action, detail],
    )


# Sequence -> (table, id column): bulk writers that bring their own ids call
# sync_sequences so the next generated id follows the largest one written.
_SEQUENCES = {
    "department_ids": ("departments", "department_id"),
    "team_ids": ("teams", "team_id"),
    "user_ids": ("users", "user_id"),
    "import_ids": ("imports", "import_id"),
    "progress_entry_ids": ("progress_entries", "entry_id"),
    "audit_ids": ("audit_log", "audit_id"),
}


def sync_sequences(cursor: duckdb.DuckDBPyConnection) -> None:
    if isinstance(cursor, postgres.Cursor):
        cursor.sync_sequences()  # PostgreSQL sets a sequence; DuckDB's draws the numbers
        return
    for sequence, (table, column) in _SEQUENCES.items():
        (largest,) = cursor.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()  # noqa: S608
        (current,) = cursor.execute(
            "SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences() "
            "WHERE sequence_name = ?",
            [sequence],
        ).fetchone()
        if largest > current:
            cursor.execute(
                f"SELECT max(nextval('{sequence}')) FROM range(?)",  # noqa: S608
                [largest - current],
            )


def save_settings(
    cursor: duckdb.DuckDBPyConnection, values: dict[str, str], *, by: int | None, at: datetime
) -> None:
    """Store organization settings (already validated by settings.parse_setting)."""
    for key, value in values.items():
        cursor.execute(
            "INSERT INTO settings VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            [key, value, at, by],
        )
    bump_data_version(cursor, "settings")


@dataclass
class Organization:
    """A whole organization as frames, written in one transaction by
    ``write_organization``: the demo generator and the tests' OrgBuilder make these."""

    departments: pd.DataFrame
    teams: pd.DataFrame
    team_facts: pd.DataFrame
    users: pd.DataFrame
    user_roles: pd.DataFrame
    responses: pd.DataFrame | None = None  # with row_no: a response's place, for its key
    checkins: pd.DataFrame | None = None
    checkin_notes: pd.DataFrame | None = None
    progress_entries: pd.DataFrame | None = None
    commitments: pd.DataFrame | None = None
    settings: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


def write_organization(
    cursor: duckdb.DuckDBPyConnection, org: Organization, *, now: datetime, source: str
) -> None:
    """Write ``org`` into an empty database, in bulk, inside the caller's transaction.
    ``source`` names where the responses came from (their import's file name and the
    seed of their fingerprints)."""
    if cursor.execute("SELECT count(*) FROM teams").fetchall()[0][0]:
        raise StoreError(
            "The database already holds an organization; this needs an empty database. "
            "Pass --db with a new file."
        )
    for table in ("departments", "teams", "users", "user_roles"):
        append_frame(cursor, table, getattr(org, table))
    append_frame(cursor, "team_facts", org.team_facts.assign(recorded_at=now))
    responses = org.responses if org.responses is not None else pd.DataFrame()
    if len(responses):
        (import_id,) = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_at, rows_in_file, imported) "
            "VALUES ('survey', ?, 'generated', ?, ?, ?) RETURNING import_id",
            [source, now, len(responses), len(responses)],
        ).fetchall()[0]
        quoted = source.replace("'", "''")
        append_frame(
            cursor,
            "survey_responses",
            responses.assign(import_id=import_id),
            computed={"fingerprint": f"md5_number('{quoted}' || '-' || row_no)"},
            helpers=["row_no"],
        )
    rebuild_response_summary(cursor)
    for table in ("checkins", "checkin_notes", "progress_entries", "commitments"):
        frame = getattr(org, table)
        if frame is not None and len(frame):
            append_frame(cursor, table, frame)
    sync_sequences(cursor)
    for key, value in org.settings.items():
        cursor.execute("INSERT INTO settings VALUES (?, ?, ?, NULL)", [key, value, now])
    for key, value in org.meta.items():
        set_meta(cursor, key, value)
    bump_data_version(cursor, "survey", "checkins", "progress", "roster", "users", "settings")
