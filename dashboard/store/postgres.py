"""Server mode's store: a PostgreSQL database many app servers and the command line share.

Catalyst's SQL is written once, for DuckDB. The cursor here looks to the rest of
Catalyst like DuckDB's (``execute`` chaining ``fetchall``/``fetchone``/``df``, and
``register`` of a frame as a relation): each statement is read through dialect.py and
run with psycopg 3 on a connection from a pool, so the same migrations, numbered alike,
make the same tables on both engines and the same queries read them.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import psycopg
from psycopg import sql
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool, PoolTimeout

from dashboard.store import dialect

# Connections one app server or command keeps to PostgreSQL at most. Streamlit runs a
# script per browser tab in threads; a script holds one for a block of reads or a write.
POOL_ENV = "CATALYST_DB_POOL"
DEFAULT_POOL = 10

# Functions of DuckDB's that Catalyst's SQL uses and PostgreSQL lacks, created (or
# replaced) whenever server mode opens a database.
FUNCTIONS = (
    # A response's key: the MD5 of a text read as a 128-bit number, least significant
    # byte first, exactly as DuckDB's md5_number reads it, so a key made on either engine
    # finds the same response on the other (an installation moved by `catalyst copy`).
    """CREATE OR REPLACE FUNCTION md5_number(value TEXT) RETURNS NUMERIC(39, 0)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT sum(get_byte(decode(md5(value), 'hex'), i)::NUMERIC * 256::NUMERIC ^ i)::NUMERIC(39, 0)
        FROM generate_series(0, 15) AS i
    $$""",  # noqa: E501
)


# Server mode's backups are PostgreSQL's own: consistent while every server writes, and
# restorable into any PostgreSQL (README, "Server mode").
BACKUP_ADVICE = (
    "In server mode the database is PostgreSQL's: back it up with pg_dump (for example "
    "`pg_dump --format=custom --file=catalyst.dump DATABASE`) and restore with pg_restore, "
    "as the README's Server mode section shows."
)


# Advisory locks: numbers every server agrees on. WRITES is taken by every write
# transaction (below); SCHEDULER by the server that plans and sends mail this round.
LOCKS = {"writes": 0x0CA7A1_0001, "scheduler": 0x0CA7A1_0002}


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    user = f"{info['user']}@" if info.get("user") else ""
    host = f"{info['host']}:{info.get('port', 5432)}" if info.get("host") else ""  # or a socket
    return f"postgresql://{user}{host}/{info.get('dbname', '')}"


class _Number(Loader):
    """NUMERIC as DuckDB hands it out: whole numbers (sums, counts, 128-bit keys) as
    int, the rest (averages) as float. psycopg's Decimal would turn pandas' arithmetic
    into slow object columns."""

    def load(self, data) -> int | float:
        text = bytes(data)
        if b"." in text or not text.lstrip(b"-").isdigit():
            return float(text)
        return int(text)


def configure(connection: psycopg.Connection) -> None:
    connection.adapters.register_loader("numeric", _Number)


# Column types of a frame registered as a relation, by what pandas infers its values
# are (the COPY reads their text).
_FRAME_TYPES = {
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "floating": "DOUBLE PRECISION",
    "mixed-integer-float": "DOUBLE PRECISION",
    "decimal": "NUMERIC",
    "date": "DATE",
    "datetime64": "TIMESTAMP",
    "datetime": "TIMESTAMP",
}
# pandas dtypes for result columns, by PostgreSQL type: what DuckDB's df() gives.
_INTEGERS = {"int2", "int4", "int8"}
_MOMENTS = {"date", "timestamp", "timestamptz"}
_column_types: dict[str, dict[str, str]] = {}  # Cursor.column_types, by table


class Cursor:
    """The part of DuckDB's cursor Catalyst uses, over one psycopg connection."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    def execute(self, statement: str, parameters: Sequence | None = None) -> Cursor:
        named = dialect.parameters(parameters)
        for translated in dialect.to_postgres(statement):
            self._cursor.execute(translated, named)
        return self

    def fetchall(self) -> list[tuple]:
        if self._cursor.description is None:  # DuckDB answers a change with its count
            return [(self._cursor.rowcount,)]
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        if self._cursor.description is None:
            return (self._cursor.rowcount,)
        return self._cursor.fetchone()

    def df(self) -> pd.DataFrame:
        description = self._cursor.description or ()
        frame = pd.DataFrame(self._cursor.fetchall(), columns=[c.name for c in description])
        types = self._connection.adapters.types
        for column in description:
            info = types.get(column.type_code)  # an array's oid finds its element's info
            kind = info.name if info and info.oid == column.type_code else ""
            if kind in _MOMENTS:
                frame[column.name] = pd.to_datetime(frame[column.name]).astype("datetime64[us]")
            elif kind in _INTEGERS or kind == "bool":
                values = frame[column.name]
                plain, nullable = ("int64", "Int64") if kind in _INTEGERS else ("bool", "boolean")
                frame[column.name] = values.astype(nullable if values.isna().any() else plain)
            elif kind in {"float4", "float8", "numeric"}:
                frame[column.name] = frame[column.name].astype("float64")
        return frame

    def register(self, name: str, frame: object) -> None:
        """Make a pandas or Arrow frame readable as ``name``, like DuckDB's register: a
        temporary table, filled with COPY, dropped at the end of the transaction."""
        if not isinstance(frame, pd.DataFrame):
            frame = frame.to_pandas()
        columns = [
            sql.SQL("{} {}").format(sql.Identifier(str(column)), sql.SQL(_frame_type(values)))
            for column, values in frame.items()
        ]
        self._cursor.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                sql.Identifier(name), sql.SQL(", ").join(columns)
            )
        )
        target = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(name))
        with self._cursor.copy(target) as copy:
            for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
                copy.write_row(row)

    def unregister(self, name: str) -> None:
        # After a failed statement the transaction rolls back, and the table with it.
        if self._connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            self._cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))

    def column_types(self, table: str) -> dict[str, str]:
        """PostgreSQL's type of each of ``table``'s columns (the same in every database
        of one schema version, so kept for the process)."""
        if table not in _column_types:
            rows = self._cursor.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [table],
            ).fetchall()
            _column_types[table] = dict(rows)
        return _column_types[table]

    def sync_sequences(self) -> None:
        """Move every sequence past the largest id its column holds (after bulk writes
        that bring their own ids)."""
        found = self._cursor.execute(
            "SELECT table_name, column_name, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'"
        ).fetchall()
        for table, column, default in found:
            sequence = re.search(r"nextval\('([^']+)'", default).group(1)
            self._cursor.execute(
                sql.SQL(
                    "SELECT setval({}, max({}), true) FROM {} HAVING max({}) IS NOT NULL"
                ).format(
                    sequence, sql.Identifier(column), sql.Identifier(table), sql.Identifier(column)
                )
            )

    def execute_native(self, statement: str) -> None:
        """PostgreSQL's own SQL, run as written (bulk moves)."""
        self._cursor.execute(statement)

    def copy(self, statement: str):
        """psycopg's COPY, for bulk moves (``statement`` is PostgreSQL's own)."""
        return self._cursor.copy(statement)

    def abort(self) -> None:
        """DuckDB keeps one unread result that register() trips over; psycopg does not."""

    def begin(self) -> None:
        """psycopg opens a transaction with the first statement; nothing to do."""

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._cursor.close()


def _frame_type(values: pd.Series) -> str:
    """A column of only NULLs in an untyped (object) column is read as text: frames that
    may hold one give the column a dtype (``Int64``)."""
    return _FRAME_TYPES.get(pd.api.types.infer_dtype(values), "TEXT")


class Connection:
    """One psycopg connection that hands out ``Cursor``s (migrations, copies)."""

    def __init__(self, url: str) -> None:
        self._connection = psycopg.connect(url, connect_timeout=10)
        configure(self._connection)

    def cursor(self) -> Cursor:
        return Cursor(self._connection)

    def execute(self, statement: str, parameters: Sequence | None = None) -> Cursor:
        return self.cursor().execute(statement, parameters)

    def create_functions(self) -> None:
        with self._connection.transaction():
            for function in FUNCTIONS:
                self._connection.execute(function)

    def close(self) -> None:
        self._connection.close()


class Store:
    """Server mode's Store: the same ``reading`` and ``transaction`` as the DuckDB file's,
    on a PostgreSQL database (migrated on open), over a pool of connections.

    Reads are one REPEATABLE READ transaction: a page's queries see one moment, never
    half of an import another server is committing.

    Writes are READ COMMITTED and take one advisory lock for their transaction, so
    writes from every server and command go in turn, as on a file: each write's checks
    (is this file imported already, is this round due, is this response new) see every
    write before it, with no serialization failures to retry. Writes are short (a
    check-in ~10 ms; an import's checks run before, in its workspace, without it); the
    load test measures what this costs.
    """

    server = True

    def __init__(self, url: str) -> None:
        from dashboard.store.database import StoreError, migrate_server  # a cycle otherwise
        from dashboard.store.schema import MIGRATIONS

        self.url = url
        self.path = shown(url)  # what caches are keyed by and messages name
        self.found_version = migrate_server(url)
        self.schema_version = len(MIGRATIONS)
        self._write_lock = threading.Lock()
        size = int(os.environ.get(POOL_ENV) or DEFAULT_POOL)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"connect_timeout": 10},
            configure=configure,
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=15)
        except PoolTimeout:
            raise StoreError(
                f"Could not keep connections to PostgreSQL at {self.path}; check that the "
                "server accepts them (max_connections)."
            ) from None

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self._pool.connection() as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            cursor = Cursor(connection)
            try:
                yield cursor
            finally:
                cursor.close()
                connection.rollback()  # a read changes nothing

    def staging(self):
        """Where an import reads and checks its file: an in-memory DuckDB workspace with
        the organization as it is now (store/workspace.py)."""
        from dashboard.store import workspace

        return workspace.opened(self)

    @contextmanager
    def transaction(self, cursor=None, carry: tuple[str, ...] = ()) -> Iterator[Cursor]:
        """Commit everything done on the cursor, or nothing. The lock keeps this
        process's writes in turn, as on a file; across servers PostgreSQL does. Given an
        import's workspace, its ``carry`` tables come along as temporary tables."""
        with self._write_lock, self._cursor(cursor, carry) as chosen:
            try:
                yield chosen
            except BaseException:
                chosen.rollback()
                raise
            chosen.commit()

    @contextmanager
    def _cursor(self, given, carry: tuple[str, ...]) -> Iterator[Cursor]:
        """``given`` (a long job's), or one of its own (with a workspace's tables)."""
        if isinstance(given, Cursor):
            yield given
            return
        with self._pool.connection() as connection:
            connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
            cursor = Cursor(connection)
            try:
                cursor.execute_native(f"SELECT pg_advisory_xact_lock({LOCKS['writes']})")
                if given is not None:
                    from dashboard.store import workspace

                    workspace.carry(given, cursor, carry)
                yield cursor
            finally:
                cursor.close()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this server holds ``name`` (a lock of LOCKS) for the block: one server
        at a time does the work; a server that stops lets go of it with its connection."""
        with self._pool.connection() as connection:
            connection.autocommit = True
            try:
                (held,) = connection.execute(
                    "SELECT pg_try_advisory_lock(%s)", [LOCKS[name]]
                ).fetchone()
                try:
                    yield held
                finally:
                    if held:
                        connection.execute("SELECT pg_advisory_unlock(%s)", [LOCKS[name]])
            finally:
                connection.autocommit = False

    def checkpoint(self) -> None:
        """PostgreSQL writes its own log; nothing to do."""

    def backup(self, target: object) -> None:
        from dashboard.store.database import StoreError

        raise StoreError(BACKUP_ADVICE)
