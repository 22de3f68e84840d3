"""One open Catalyst database: the connection, cursors per script run or thread,
one write lock, migrations on open, backups and checkpoints."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg

from dashboard.settings import SERVER_SCHEMES
from dashboard.store import postgres
from dashboard.store.schema import MIGRATIONS, Migration

APP_ID = "catalyst"

# How much memory DuckDB may hold for this database (its buffer pool: tables being read,
# an import's staged rows). Beyond it, DuckDB spills to a folder beside the file instead
# of growing the process: an import of 1.6 million rows peaks at ~440 MB with 256 MB
# here, at ~1 GB without a limit, in the same time. DuckDB's own default is 80% of RAM.
MEMORY_ENV = "CATALYST_DB_MEMORY"
DEFAULT_MEMORY = "512MB"


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


class Store:
    """One open Catalyst database. Create one per process and share it."""

    server = False  # a DuckDB file, this process's own; postgres.Store is server mode

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
            self.found_version = _migrate(self._connection, str(self.path), migrations)
            self.schema_version = len(migrations)
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

    def staging(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """Where an import reads and checks its file: on a file, a cursor of its own
        (server mode's is an in-memory workspace, store/workspace.py)."""
        return self.reading()

    @contextmanager
    def transaction(
        self, cursor: duckdb.DuckDBPyConnection | None = None, carry: tuple[str, ...] = ()
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the write lock and commit everything done on the cursor, or nothing.

        Pass the staging cursor a long job staged its temporary tables on (temporary
        tables belong to one cursor) to finish it under the lock; ``carry`` names the
        tables the write reads (server mode moves them to PostgreSQL).
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

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this process holds ``name`` for the block: a file has one owner
        process, so always (server mode's servers take turns)."""
        yield True

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


def is_server(location: str | Path) -> bool:
    """Whether the database is a PostgreSQL server's URL (server mode), not a file."""
    return str(location).startswith(SERVER_SCHEMES)


def open_store(location: str | Path, *, must_exist: bool = False) -> Store | postgres.Store:
    """The database at ``location``: a DuckDB file's path, or a PostgreSQL URL."""
    if is_server(location):
        return postgres.Store(str(location))
    return Store(location, must_exist=must_exist)


_shared: dict[str, Store | postgres.Store] = {}


_shared_lock = threading.Lock()


def shared(location: str | Path) -> Store | postgres.Store:
    """The process's one Store for this database, opened on first use.

    Scripts and server routes run in the same process and share it.
    """
    key = str(location) if is_server(location) else str(Path(location).expanduser().resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = open_store(key)
        return _shared[key]


def close_shared() -> None:
    """Close every shared Store (tests, and before the process hands a file on)."""
    with _shared_lock:
        for db in _shared.values():
            db.close()
        _shared.clear()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY
    try:
        return duckdb.connect(str(path), config={"memory_limit": memory})
    except (duckdb.InvalidInputException, duckdb.ParserException) as error:
        raise StoreError(
            f"{MEMORY_ENV}={memory} is not an amount of memory DuckDB understands ({error}). "
            "Write it like 512MB or 2GB."
        ) from None
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
    connection, where: str, migrations: Sequence[Migration], *, schema: str = "main"
) -> int:
    """Run the migrations ``connection`` lacks, each in its own transaction: DuckDB's
    connection, or server mode's (postgres.Connection, schema 'public': the same
    migrations, numbered alike). ``where`` names the database in messages. Returns the
    version found (0: a new database)."""
    version = _schema_version(connection, where, schema)
    if version > len(migrations):
        raise DatabaseTooNew(
            f"The database {where} was written by a newer version of Catalyst (schema "
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
        except (duckdb.Error, psycopg.Error) as error:
            cursor.rollback()
            raise StoreError(
                f"Could not upgrade the database {where} to schema {number}: {error}. "
                "The database is unchanged; restore a backup or report this."
            ) from None
        finally:
            cursor.close()
    return version


def migrate_server(url: str, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Create or upgrade server mode's schema in the PostgreSQL database at ``url``;
    returns the version found (0: a new database)."""
    where = postgres.shown(url)
    try:
        connection = postgres.Connection(url)
    except psycopg.Error as error:
        raise StoreError(
            f"Could not connect to PostgreSQL at {where} ({str(error).strip().splitlines()[0]}). "
            "Check that the server runs and that the URL names its host, port, user and "
            "database."
        ) from None
    try:
        found = _migrate(connection, where, migrations, schema="public")
        connection.create_functions()
        return found
    finally:
        connection.close()


def _schema_version(connection, where: str, schema: str) -> int:
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
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
            f"The database {where} holds tables, but is not one of Catalyst's. Point --db "
            "or CATALYST_DB at a Catalyst database, or at a new one to start one."
        )
    return int(meta["schema_version"])
