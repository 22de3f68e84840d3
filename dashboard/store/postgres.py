"""Server mode's store: a PostgreSQL database many app servers and the command line share
(issue 24, being built: today its schema, created and upgraded by ``catalyst migrate``).

Catalyst's SQL is written once, for DuckDB; a cursor here reads each statement through
dialect.py and runs it with psycopg 3, so the same migrations, numbered alike, make the
same tables on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import psycopg

from dashboard.store.dialect import to_postgres


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    user, host = info.get("user", ""), info.get("host", "")
    return f"postgresql://{user}@{host}:{info.get('port', 5432)}/{info.get('dbname', '')}"


class Cursor:
    """The part of DuckDB's cursor Catalyst uses, over one psycopg connection."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    def execute(self, sql: str, parameters: Sequence | None = None) -> Cursor:
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
