"""An import's workspace in server mode: files are read, checked and staged in-process
with DuckDB (its CSV reader is the fast path, and every import's checks are written for
it), then the staged rows go to PostgreSQL with COPY and are written there in one
transaction with the summary and the import record.

The workspace is an in-memory DuckDB database with Catalyst's schema and a consistent
snapshot of the organization (every table but the large ones written by use, which no
check reads), so the importers' SQL reads it exactly as it reads a file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard.store import postgres
from dashboard.store.copying import receive_table, send_table, tables_of
from dashboard.store.schema import MIGRATIONS

# Tables no import's checks read: the answers and what is made of them, and the records
# of use. The write, on PostgreSQL, reads them there (duplicates, published weeks).
LEFT_OUT = frozenset(
    {
        "survey_responses", "response_summary", "published_cells", "published_teams",
        "withdrawn_responses", "audit_log", "outbox", "sessions", "sign_in_attempts",
        "sign_in_tickets", "checkins", "checkin_notes", "progress_entries", "commitments",
        "import_problems", "pulse_invitations", "pulse_waiting",
    }
)  # fmt: skip


@contextmanager
def opened(server: postgres.Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A workspace holding the organization as it is now on ``server``."""
    from dashboard.store.database import _migrate  # a cycle otherwise

    workspace = duckdb.connect(":memory:")
    try:
        _migrate(workspace, "an import's workspace", MIGRATIONS)
        tables = tables_of(workspace)
        workspace.execute("DELETE FROM meta")  # the server's own come next
        with server.reading() as source, tempfile.TemporaryDirectory() as folder:
            for table, columns in tables.items():
                if table not in LEFT_OUT:
                    receive_table(source, workspace, table, columns, Path(folder))
        yield workspace.cursor()
    finally:
        workspace.close()


def carry(workspace, target: postgres.Cursor, tables: tuple[str, ...]) -> None:
    """The workspace's staged (temporary) ``tables`` as temporary tables on ``target``,
    with the same names, columns and types, for the write to read."""
    with tempfile.TemporaryDirectory() as folder:
        for table in tables:
            columns = dict(
                workspace.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_catalog = 'temp' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            )
            # A column only ever NULL has DuckDB's type "NULL"; PostgreSQL's text holds it.
            typed = {
                name: "VARCHAR" if kind == '"NULL"' else kind for name, kind in columns.items()
            }
            defined = ", ".join(f'"{name}" {kind}' for name, kind in typed.items())
            target.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({defined})")
            send_table(workspace, target, table, columns, Path(folder))
            target.execute(f"ANALYZE {table}")  # a plan for its size: it has no statistics
