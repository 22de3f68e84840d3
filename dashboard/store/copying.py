"""Moving an installation from its DuckDB file to a PostgreSQL database (server mode):
every table copied in one transaction, then counted and summed on both sides.

DuckDB writes each table as CSV, PostgreSQL reads it with COPY: both are their engines'
bulk paths, and their CSV agrees (an empty unquoted field is NULL, a quoted one an empty
text). Lists are the one exception: DuckDB writes ``[a, b]``, PostgreSQL reads ``{a,b}``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from dashboard.store import postgres
from dashboard.store.database import Store, StoreError, migrate_server
from dashboard.store.writes import sync_sequences

# The checks' figures: sums of every number column (whole numbers also modulo a prime,
# exactly: 128-bit keys overflow a double's precision) and of every text's length.
_PRIME = 1_000_003
_WHOLE = ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "UTINYINT", "UBIGINT", "UHUGEINT", "HUGEINT")
_FRACTIONAL = ("DOUBLE", "FLOAT", "REAL")


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    figures: tuple  # the sums both sides agreed on


def copy_to_server(
    source: Store, url: str, on_step: Callable[[str], None] = lambda _: None
) -> list[TableCheck]:
    """Copy everything in ``source`` into the PostgreSQL database at ``url``, which must
    hold no Catalyst data yet. Nothing is written unless every table's counts and
    figures agree on both sides."""
    migrate_server(url)
    where = postgres.shown(url)
    with source.reading() as reader:
        tables = tables_of(reader)
    connection = postgres.Connection(url)
    try:
        target = connection.cursor()
        _refuse_unless_empty(target, tables, where)
        target.execute("DELETE FROM meta")  # the source's own: its salt, its keys
        checks = []
        with tempfile.TemporaryDirectory(prefix="catalyst-copy-") as folder:
            for number, (table, columns) in enumerate(tables.items(), 1):
                with source.reading() as reader:
                    rows = _copy_table(reader, target, table, columns, Path(folder))
                on_step(f"Copied {table}: {rows:,} rows ({number} of {len(tables)})")
        sync_sequences(target)
        for table, columns in tables.items():
            with source.reading() as reader:
                checks.append(_check(reader, target, table, columns, where))
        target.commit()
    except psycopg.Error as error:
        raise StoreError(
            f"Could not copy into {where}: {str(error).strip().splitlines()[0]}. Nothing was "
            "written there."
        ) from None
    finally:
        connection.close()
    on_step(f"Checked {len(checks)} tables: the same rows and figures on both sides")
    return checks


def tables_of(reader) -> dict[str, dict[str, str]]:
    """Every table (not views), with its columns' types."""
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in reader.execute(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position"
    ).fetchall():
        tables.setdefault(table, {})[column] = kind
    return tables


def _refuse_unless_empty(target: postgres.Cursor, tables: dict, where: str) -> None:
    held = [
        table
        for table in tables
        if table != "meta" and target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    ]
    if held:
        raise StoreError(
            f"{where} already holds Catalyst data ({', '.join(held[:4])}…). Copy into a new, "
            "empty database (createdb), so nothing there is mixed with this one."
        )


def _copy_table(reader, target: postgres.Cursor, table: str, columns: dict, folder: Path) -> int:
    send_table(reader, target, table, columns, folder)
    (rows,) = reader.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    return int(rows)


def send_table(reader, target: postgres.Cursor, table: str, columns: dict, folder: Path) -> None:
    """DuckDB's ``table`` appended to PostgreSQL's (with the same columns).

    A 128-bit key travels as its two 64-bit halves, put together again on PostgreSQL:
    DuckDB 2.0 writes a UHUGEINT as text at ~50 µs each (10 s for 200,000 responses),
    its halves in a fraction of a millisecond for all of them."""
    csv = folder / f"{table}.csv"
    wide = [name for name, kind in columns.items() if kind == "UHUGEINT"]
    sent = {part: kind for name, kind in columns.items() for part in _parts(name, wide)}
    chosen = ", ".join(_as_text(name, kind, wide) for name, kind in columns.items())
    reader.execute(f"COPY (SELECT {chosen} FROM {table}) TO '{csv}' (HEADER false)")  # noqa: S608
    into = f"incoming_{table}" if wide else table
    if wide:
        halves = ", ".join(
            f"ADD COLUMN {part} NUMERIC" for name in wide for part in _parts(name, wide)
        )
        dropped = ", ".join(f"DROP COLUMN {name}" for name in wide)
        target.execute_native(f"CREATE TEMP TABLE {into} (LIKE {table})")
        target.execute_native(f"ALTER TABLE {into} {dropped}, {halves}")
    with target.copy(f"COPY {into} ({', '.join(sent)}) FROM STDIN (FORMAT csv)") as copy:
        with csv.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
    if wide:
        whole = [f"{n}__high * {_HALF + 1} + {n}__low" if n in wide else n for n in columns]
        target.execute_native(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(whole)} FROM {into}"  # noqa: S608
        )
        target.execute_native(f"DROP TABLE {into}")
    csv.unlink()


_HALF = 2**64 - 1  # the low half's bits


def _parts(name: str, wide: list[str]) -> list[str]:
    return [f"{name}__high", f"{name}__low"] if name in wide else [name]


def receive_table(source: postgres.Cursor, writer, table: str, columns: dict, folder: Path) -> None:
    """PostgreSQL's ``table`` appended to DuckDB's (the same columns). PostgreSQL writes a
    list as JSON for DuckDB to read; a quoted empty field stays an empty text."""
    csv = folder / f"{table}.csv"
    chosen = ", ".join(
        f"array_to_json({name})::text" if kind.endswith("[]") else name
        for name, kind in columns.items()
    )
    statement = f"COPY (SELECT {chosen} FROM {table}) TO STDOUT (FORMAT csv)"  # noqa: S608
    with source.copy(statement) as copy:
        with csv.open("wb") as handle:
            for block in copy:
                handle.write(block)
    if csv.stat().st_size:  # an empty file is refused (DuckDB cannot sniff it)
        writer.execute(
            f"COPY {table} ({', '.join(columns)}) FROM '{csv}' (FORMAT csv, HEADER false, "  # noqa: S608
            "DELIMITER ',', QUOTE '\"', ESCAPE '\"', allow_quoted_nulls false)"
        )
    csv.unlink()


def _as_text(name: str, kind: str, wide: list[str]) -> str:
    """A column as DuckDB should write it for PostgreSQL's COPY to read."""
    if name in wide:
        return f"CAST({name} >> 64 AS UBIGINT), CAST({name} & {_HALF}::UHUGEINT AS UBIGINT)"
    if not kind.endswith("[]"):
        return name
    quoted = "'\"' || replace(replace(CAST(x AS VARCHAR), '\\', '\\\\'), '\"', '\\\"') || '\"'"
    items = f"list_transform({name}, lambda x: {quoted})"
    return f"'{{' || array_to_string({items}, ',') || '}}' AS {name}"


def _check(reader, target: postgres.Cursor, table: str, columns: dict, where: str) -> TableCheck:
    figures = ["count(*)"]
    for name, kind in columns.items():
        if kind in _WHOLE:
            figures += [f"sum({name} % {_PRIME})", f"sum(CAST({name} AS DOUBLE))"]
        elif kind in _FRACTIONAL:
            figures.append(f"sum({name})")
        elif kind == "VARCHAR":
            figures.append(f"sum(length({name}))")
    statement = f"SELECT {', '.join(figures)} FROM {table}"  # noqa: S608
    here, there = reader.execute(statement).fetchone(), target.execute(statement).fetchone()
    if not all(_agree(a, b) for a, b in zip(here, there, strict=True)):
        raise StoreError(
            f"The copy of {table} in {where} does not match the file ({here} against "
            f"{there}); nothing was written there. Report this with both databases' versions."
        )
    return TableCheck(table, int(here[0]), tuple(here[1:]))


def _agree(here, there) -> bool:
    if here is None or there is None:
        return here is None and there is None
    if isinstance(here, float) or isinstance(there, float):
        return abs(float(here) - float(there)) <= 1e-9 * max(1.0, abs(float(here)))
    return int(here) == int(there)
