"""Server mode's store: a PostgreSQL database many app servers and the command line share
(issue 24, being built: so far the schema, created and upgraded by ``catalyst migrate``,
and the Store that accounts and sessions run their tests on).

Catalyst's SQL is written once, for DuckDB; a cursor here reads each statement through
dialect.py and runs it with psycopg 3, so the same migrations, numbered alike, make the
same tables on both engines.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import psycopg

from dashboard.store.dialect import to_postgres


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    user, host = info.get("user", ""), info.get("host", "")
    return f"postgresql://{user}@{host}:{info.get('port', 5432)}/{info.get('dbname', '')}"


_NUMBERED = re.compile(r"\$(\d+)\b")


class Cursor:
    """The part of DuckDB's cursor Catalyst uses, over one psycopg connection."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    def execute(self, sql: str, parameters: Sequence | None = None) -> Cursor:
        # DuckDB's numbered parameters ($1, used twice) become positional ones, in order.
        numbers = _NUMBERED.findall(sql)
        if numbers and parameters is not None:
            sql = _NUMBERED.sub("?", sql)
            parameters = [parameters[int(n) - 1] for n in numbers]
        for statement in to_postgres(sql):
            self._cursor.execute(statement, parameters or None)
        return self

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def df(self) -> pd.DataFrame:
        columns = [column.name for column in self._cursor.description or ()]
        return pd.DataFrame(self._cursor.fetchall(), columns=columns)

    def begin(self) -> None:
        """psycopg opens a transaction with the first statement; nothing to do."""

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._cursor.close()


class Connection:
    """A psycopg connection that hands out ``Cursor``s."""

    def __init__(self, url: str) -> None:
        self._connection = psycopg.connect(url, connect_timeout=10)

    def cursor(self) -> Cursor:
        return Cursor(self._connection)

    def execute(self, sql: str, parameters: Sequence | None = None) -> Cursor:
        return self.cursor().execute(sql, parameters)

    def close(self) -> None:
        self._connection.close()


class Store:
    """Server mode's Store: the same ``reading`` and ``transaction`` as the DuckDB file's,
    on a PostgreSQL database (migrated on open). A connection per block for now; a pool
    and the remaining parts (bulk writes with COPY, backups) come next."""

    def __init__(self, url: str) -> None:
        from dashboard.store.database import migrate_server  # a cycle otherwise

        self.url = url
        self.path = shown(url)  # what caches are keyed by and messages name
        self.found_version = migrate_server(url)
        self._write_lock = threading.Lock()

    def close(self) -> None:
        """Nothing stays open between blocks."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with psycopg.connect(self.url, connect_timeout=10) as connection:
            cursor = Cursor(connection)
            try:
                yield cursor
            finally:
                cursor.close()
                connection.rollback()  # a read changes nothing

    @contextmanager
    def transaction(self, cursor: Cursor | None = None) -> Iterator[Cursor]:
        """Commit everything done on the cursor, or nothing. The lock keeps this
        process's writes in turn, as on a file; across servers PostgreSQL does."""
        with self._write_lock, self._cursor(cursor) as chosen:
            try:
                yield chosen
            except BaseException:
                chosen.rollback()
                raise
            chosen.commit()

    @contextmanager
    def _cursor(self, given: Cursor | None) -> Iterator[Cursor]:
        """``given`` (a long job's, with its temporary tables), or one of its own."""
        if given is not None:
            yield given
            return
        with psycopg.connect(self.url, connect_timeout=10) as connection:
            yield Cursor(connection)

    def checkpoint(self) -> None:
        """PostgreSQL writes its own log; nothing to do."""
