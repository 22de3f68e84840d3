"""The DuckDB store: one connection per process, versioned schema, one write path.

* ``Store(path)`` opens (or creates) a database file and migrates it to the
  current schema. A file from a newer Catalyst, a file that is not a Catalyst
  database, a corrupt file or one held by another process raise a
  ``StoreError`` whose message names the file and what to do.
* ``store.reading()`` hands out a fresh cursor: DuckDB refuses one connection
  used by two threads at once, a cursor per script run or thread is cheap.
* ``store.transaction()`` serializes writers behind one lock (DuckDB answers
  concurrent updates of the same rows with conflicts) and commits whole or not
  at all.

Storage layout, and why:

* Answers are stored one column per survey item (the catalyst keys are an
  allow-list), as scores already normalized to 1-5. Normalization is linear
  and maps every scale's midpoint to 3, so "favorable on the original scale"
  is exactly "score > 3"; nothing is lost by not keeping the raw scale.
* ``response_summary`` holds team x week x item (n, sum, favorable count) and
  is rebuilt for the team-weeks a write touches. Pages and privacy read this
  small table instead of scanning responses; rounds of any cadence are unions
  of whole weeks, so weekly cells are enough.
* Team facts (department, manager, headcount) carry a ``valid_from`` date; a
  reorg adds a row instead of rewriting history. ``team_history`` adds the
  exclusive ``valid_to``.
* No foreign-key constraints: DuckDB refuses updates and deletes of rows that
  are referenced, which would block undo and account changes. The write
  functions keep references valid instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS

APP_ID = "catalyst"


class StoreError(Exception):
    """A database problem the user can act on; the message says what to do."""


class DatabaseLocked(StoreError):
    pass


class DatabaseUnreadable(StoreError):
    pass


class DatabaseTooNew(StoreError):
    pass


class NotACatalystDatabase(StoreError):
    pass


def _summary_columns() -> str:
    return ",\n".join(
        f"{item}_n INTEGER NOT NULL, {item}_sum DOUBLE NOT NULL, {item}_favorable INTEGER NOT NULL"
        for item in ITEM_KEYS
    )


def _initial_schema() -> str:
    answers = ",\n".join(f"{item} FLOAT CHECK ({item} BETWEEN 1 AND 5)" for item in ITEM_KEYS)
    self_ratings = ",\n".join(
        f"{key} UTINYINT CHECK ({key} BETWEEN 1 AND 5)" for key in CATALYST_KEYS
    )
    return f"""
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
    CREATE TABLE settings (
        key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL,
        updated_at TIMESTAMP, updated_by INTEGER);
    CREATE TABLE data_versions (kind VARCHAR PRIMARY KEY, version BIGINT NOT NULL);

    CREATE SEQUENCE department_ids;
    CREATE TABLE departments (
        department_id INTEGER PRIMARY KEY DEFAULT nextval('department_ids'),
        name VARCHAR NOT NULL UNIQUE);
    CREATE SEQUENCE team_ids;
    CREATE TABLE teams (
        team_id INTEGER PRIMARY KEY DEFAULT nextval('team_ids'),
        name VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE team_facts (
        team_id INTEGER NOT NULL,
        valid_from DATE NOT NULL,
        department_id INTEGER NOT NULL,
        manager_id INTEGER,
        headcount INTEGER NOT NULL CHECK (headcount >= 0),
        PRIMARY KEY (team_id, valid_from));
    CREATE VIEW team_history AS
        SELECT *, lead(valid_from) OVER (PARTITION BY team_id ORDER BY valid_from) AS valid_to
        FROM team_facts;

    CREATE SEQUENCE user_ids;
    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY DEFAULT nextval('user_ids'),
        email VARCHAR NOT NULL UNIQUE CHECK (email = lower(email)),
        display_name VARCHAR NOT NULL,
        password_hash VARCHAR,
        active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE user_roles (
        user_id INTEGER NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('manager', 'hr', 'admin')),
        PRIMARY KEY (user_id, role));

    CREATE SEQUENCE import_ids;
    CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
        kind VARCHAR NOT NULL CHECK (kind IN ('survey', 'progress', 'roster')),
        file_name VARCHAR NOT NULL,
        layout VARCHAR,
        imported_by INTEGER,
        imported_at TIMESTAMP NOT NULL,
        rows_in_file INTEGER NOT NULL,
        imported INTEGER NOT NULL,
        duplicates INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        dropped_columns VARCHAR[] NOT NULL DEFAULT [],
        undone_at TIMESTAMP,
        undone_by INTEGER);
    CREATE TABLE survey_responses (
        import_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        submitted_at TIMESTAMP NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        fingerprint UHUGEINT NOT NULL,
        {answers},
        comment VARCHAR);
    CREATE TABLE response_summary (
        team_id INTEGER NOT NULL,
        week DATE NOT NULL,
        responses INTEGER NOT NULL,
        {_summary_columns()},
        PRIMARY KEY (team_id, week));

    CREATE TABLE checkins (
        manager_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        {self_ratings},
        focus VARCHAR,
        saved_at TIMESTAMP NOT NULL,
        PRIMARY KEY (manager_id, team_id, week));
    CREATE TABLE checkin_notes (
        manager_id INTEGER NOT NULL,
        team_id INTEGER NOT NULL,
        week DATE NOT NULL,
        catalyst VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        PRIMARY KEY (manager_id, team_id, week, catalyst));
    CREATE SEQUENCE progress_entry_ids;
    CREATE TABLE progress_entries (
        entry_id BIGINT PRIMARY KEY DEFAULT nextval('progress_entry_ids'),
        team_id INTEGER NOT NULL,
        week DATE NOT NULL CHECK (dayofweek(week) = 1),
        kind VARCHAR NOT NULL CHECK (kind IN ('win', 'setback')),
        count INTEGER NOT NULL DEFAULT 1 CHECK (count > 0),
        description VARCHAR,
        source VARCHAR NOT NULL CHECK (source IN ('checkin', 'import')),
        import_id INTEGER,
        created_by INTEGER,
        created_at TIMESTAMP NOT NULL);

    CREATE SEQUENCE audit_ids;
    CREATE TABLE audit_log (
        audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        occurred_at TIMESTAMP NOT NULL,
        user_id INTEGER,
        actor VARCHAR,
        action VARCHAR NOT NULL,
        detail VARCHAR);
    """  # noqa: S608 - identifiers from the catalyst allow-list


Migration = Callable[[duckdb.DuckDBPyConnection], None]


def _sql(script: str) -> Migration:
    return lambda cur: cur.execute(script)


SIGN_IN_TABLES = """
    -- Server-side sessions: the browser holds only a random token in an
    -- HttpOnly cookie; the database holds its SHA-256, so a copy of the
    -- database cannot be used to take over a session.
    CREATE TABLE sessions (
        token_hash VARCHAR PRIMARY KEY,
        user_id INTEGER NOT NULL,
        via VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        last_seen_at TIMESTAMP NOT NULL);
    -- One-time tickets that carry a fresh session from the sign-in page to
    -- the route that sets the cookie.
    CREATE TABLE sign_in_tickets (
        ticket_hash VARCHAR PRIMARY KEY,
        token_hash VARCHAR NOT NULL,
        next_path VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL);
    CREATE TABLE sign_in_attempts (
        email VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        outcome VARCHAR NOT NULL CHECK (outcome IN ('success', 'failure', 'throttled')));
"""

IMPORT_REPORTS = """
    -- Files are recognised by their bytes: the same file imported twice is a no-op.
    ALTER TABLE imports ADD COLUMN content_hash VARCHAR;
    ALTER TABLE imports ADD COLUMN details VARCHAR;  -- JSON: encoding, layout, decisions
    -- Every problem found in a file, kept with its import (skipped rows) or shown
    -- when the file is refused.
    CREATE TABLE import_problems (
        import_id INTEGER NOT NULL,
        row_number INTEGER,
        column_name VARCHAR,
        message VARCHAR NOT NULL);
    -- Salt of the one-way hashes that recognise responses (and keep source ids out).
    INSERT INTO meta VALUES ('fingerprint_salt', replace(gen_random_uuid()::VARCHAR, '-', ''));
"""

SAVED_MAPPINGS = """
    -- What an export's column means, remembered so next week's file needs no options:
    -- header (normalized) -> catalyst key, team, submitted_at, comment or ignore.
    CREATE TABLE column_mappings (
        header_key VARCHAR PRIMARY KEY,
        header VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        layout VARCHAR,
        saved_at TIMESTAMP NOT NULL,
        saved_by INTEGER);
    -- Other names a team goes by in exports (renamed, misspelled).
    CREATE TABLE team_aliases (
        alias_key VARCHAR PRIMARY KEY,
        alias VARCHAR NOT NULL,
        team_id INTEGER NOT NULL,
        saved_at TIMESTAMP NOT NULL);
"""

PROGRESS_FINGERPRINTS = """
    -- Wins and setbacks imported from files are recognised when a file comes again.
    ALTER TABLE progress_entries ADD COLUMN fingerprint UHUGEINT;
"""

HR_DEPARTMENTS = """
    -- An HR user listed here sees only these departments; one not listed sees all.
    CREATE TABLE hr_departments (
        user_id INTEGER NOT NULL,
        department_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, department_id));
"""

INVITATIONS = """
    -- One-time codes that let a user set their password (first time or reset). Only the
    -- SHA-256 of a code is kept; a new invitation replaces the old one.
    CREATE TABLE invitations (
        code_hash VARCHAR PRIMARY KEY,
        user_id INTEGER NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        created_by INTEGER);
"""

RAW_FINGERPRINTS = """
    -- Responses are recognised by what the file says (ingest/survey_rows.py) from now on;
    -- those stored so far carry the older key of team, second and scores, which imports
    -- still compare against for the imports up to this one. Where a file gives a time
    -- zone, a second key holds the UTC instant (a sheet's zone may change between exports).
    ALTER TABLE survey_responses ADD COLUMN zoned_fingerprint UHUGEINT;
    INSERT INTO meta SELECT 'legacy_fingerprints_through', CAST(coalesce(max(import_id), 0)
        AS VARCHAR) FROM imports WHERE kind = 'survey';
"""

# Append only: a released migration never changes, a file at version N runs
# migrations N+1.. in order, each in its own transaction.
MIGRATIONS: tuple[Migration, ...] = (
    _sql(_initial_schema()),
    _sql(SIGN_IN_TABLES),
    _sql(IMPORT_REPORTS),
    _sql(SAVED_MAPPINGS),
    _sql(PROGRESS_FINGERPRINTS),
    _sql(HR_DEPARTMENTS),
    _sql(INVITATIONS),
    _sql(RAW_FINGERPRINTS),
)
SCHEMA_VERSION = len(MIGRATIONS)

# Tables that bulk writes may name; identifiers never come from input.
BULK_TABLES = frozenset(
    {
        "departments", "teams", "team_facts", "users", "user_roles", "imports",
        "survey_responses", "checkins", "checkin_notes", "progress_entries", "audit_log",
        "import_problems",
    }
)  # fmt: skip


class Store:
    """One open Catalyst database. Create one per process and share it."""

    def __init__(
        self,
        path: str | Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        must_exist: bool = False,
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        if must_exist and not self.path.exists():
            raise StoreError(
                f"No database at {self.path}. Build the demo with `catalyst demo --db {path}` "
                "or pass --db with the path of an existing database."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = _connect(self.path)
        self._write_lock = threading.Lock()
        try:
            self.schema_version = _migrate(self._connection, self.path, migrations)
        except BaseException:
            self._connection.close()
            raise

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one script run or thread, closed afterwards."""
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def transaction(
        self, cursor: duckdb.DuckDBPyConnection | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the write lock and commit everything done on the cursor, or nothing.

        Pass the cursor a long job staged its temporary tables on (temporary
        tables belong to one cursor) to finish it under the lock.
        """
        with self._write_lock:
            own = cursor is None
            cursor = self._connection.cursor() if own else cursor
            try:
                cursor.begin()
                try:
                    yield cursor
                except BaseException:
                    cursor.rollback()
                    raise
                cursor.commit()
            finally:
                if own:
                    cursor.close()

    def backup(self, target: str | Path) -> Path:
        """Write a consistent copy of the whole database to ``target`` (a new file).

        Holds the write lock, so no write lands half in the copy; readers carry on.
        The copy is a complete Catalyst database: open it with --db, or put it in
        place of the original while the app is stopped, to restore.
        """
        target = Path(target).expanduser().resolve()
        if target.exists():
            raise StoreError(f"{target} exists already; choose a new file name for the backup.")
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            (source,) = self._connection.execute("SELECT current_database()").fetchone()
            self._connection.execute("FORCE CHECKPOINT")  # see checkpoint()
            self._connection.execute("ATTACH ? AS catalyst_backup", [str(target)])
            try:
                quoted = source.replace('"', '""')
                self._connection.execute(f'COPY FROM DATABASE "{quoted}" TO catalyst_backup')
            finally:
                self._connection.execute("DETACH catalyst_backup")
        return target

    def checkpoint(self) -> None:
        """Write the WAL into the file (after big imports; WAL replay has open bugs).

        FORCE: a plain CHECKPOINT fails while any other cursor is inside a transaction
        (pages reading at that moment), which failed imports that had already committed;
        since DuckDB 1.4 FORCE waits for them instead of aborting them.
        """
        with self._write_lock:
            self._connection.execute("FORCE CHECKPOINT")


_shared: dict[Path, Store] = {}
_shared_lock = threading.Lock()


def shared(path: str | Path) -> Store:
    """The process's one Store for this file, opened on first use.

    Scripts and server routes run in the same process and share it.
    """
    key = Path(path).expanduser().resolve()
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Store(key)
        return _shared[key]


def close_shared() -> None:
    """Close every shared Store (tests, and before the process hands a file on)."""
    with _shared_lock:
        for db in _shared.values():
            db.close()
        _shared.clear()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        text = str(error)
        if "Could not set lock" in text:
            pid = re.search(r"PID (\d+)", text)
            holder = f" (process {pid.group(1)})" if pid else ""
            raise DatabaseLocked(
                f"The database {path} is in use by another process{holder}, probably the "
                "running Catalyst app. Stop the app, or make the change in the app "
                "(for imports: the Upload page)."
            ) from None
        if "not a valid DuckDB database" in text or "corrupt" in text.lower():
            raise DatabaseUnreadable(
                f"The file {path} is not a readable database: it is damaged or not a DuckDB "
                "file. Restore it from a backup, or point --db / CATALYST_DB at another file."
            ) from None
        raise DatabaseUnreadable(f"Could not open the database {path}: {text}") from None
    except duckdb.Error as error:
        raise DatabaseUnreadable(f"Could not open the database {path}: {error}") from None


def _migrate(
    connection: duckdb.DuckDBPyConnection, path: Path, migrations: Sequence[Migration]
) -> int:
    version = _schema_version(connection, path)
    if version > len(migrations):
        raise DatabaseTooNew(
            f"The database {path} was written by a newer version of Catalyst (schema "
            f"{version}; this version knows up to {len(migrations)}). Upgrade Catalyst, "
            "or open a backup made with this version."
        )
    for number in range(version + 1, len(migrations) + 1):
        cursor = connection.cursor()
        try:
            cursor.begin()
            migrations[number - 1](cursor)
            if number == 1:
                cursor.execute(
                    "INSERT INTO meta VALUES ('app', ?), ('schema_version', '1')", [APP_ID]
                )
            else:
                cursor.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(number)]
                )
            cursor.commit()
        except duckdb.Error as error:
            cursor.rollback()
            raise StoreError(
                f"Could not upgrade the database {path} to schema {number}: {error}. "
                "The file is unchanged; restore a backup or report this."
            ) from None
        finally:
            cursor.close()
    return len(migrations)


def _schema_version(connection: duckdb.DuckDBPyConnection, path: Path) -> int:
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if not tables:
        return 0
    meta = (
        dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if "meta" in tables
        else {}
    )
    if meta.get("app") != APP_ID or not meta.get("schema_version", "").isdigit():
        raise NotACatalystDatabase(
            f"The file {path} is a DuckDB database, but not one of Catalyst's. Point --db or "
            "CATALYST_DB at a Catalyst database, or at a new file to start one."
        )
    return int(meta["schema_version"])


# ---- small write helpers shared by every writer -------------------------------------------


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


def append_frame(cursor: duckdb.DuckDBPyConnection, table: str, frame: object) -> int:
    """Insert a pandas/Arrow frame into ``table`` by column name, in one bulk statement."""
    if table not in BULK_TABLES:
        raise ValueError(f"bulk writes to {table!r} are not allowed")
    with registered(cursor, "incoming_frame", frame):
        (count,) = cursor.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM incoming_frame"  # noqa: S608
        ).fetchall()[0]
    return int(count)


def bump_data_version(cursor: duckdb.DuckDBPyConnection, *kinds: str) -> None:
    """Mark cached reads of these kinds of data stale (pages key caches by version)."""
    for kind in kinds:
        cursor.execute(
            "INSERT INTO data_versions VALUES (?, 1) "
            "ON CONFLICT (kind) DO UPDATE SET version = data_versions.version + 1",
            [kind],
        )


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
