"""Server mode's first part (issue 24): one set of migrations makes the same schema on
DuckDB and on PostgreSQL (a throwaway cluster), and `catalyst migrate` upgrades either."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess

import psycopg
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.store import SCHEMA_VERSION, Store, StoreError
from dashboard.store.dialect import to_postgres


def duckdb_columns(db: Store) -> dict[str, list[tuple[str, bool]]]:
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
    return _by_table(rows)


def postgres_columns(url: str) -> dict[str, list[tuple[str, bool]]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    return _by_table(rows)


def _by_table(rows) -> dict[str, list[tuple[str, bool]]]:
    tables: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in rows:
        tables.setdefault(table, []).append((column, nullable == "YES"))
    return tables


def catalyst(*args: str) -> subprocess.CompletedProcess:
    """The command line, in this process (its exit status and what it printed): the
    same main() the installed command runs, without a Python start per call."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def test_every_migration_makes_the_same_tables_and_columns_on_both_engines(tmp_path, postgres_url):
    assert store.migrate_server(postgres_url) == 0  # a new database
    with Store(tmp_path / "catalyst.duckdb") as db:
        on_duckdb = duckdb_columns(db)
    on_postgres = postgres_columns(postgres_url)
    assert set(on_postgres) == set(on_duckdb)  # tables and views
    assert on_postgres == on_duckdb  # columns, in order, and which may be empty
    with psycopg.connect(postgres_url) as connection:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    assert meta["app"] == "catalyst" and meta["schema_version"] == str(SCHEMA_VERSION)


def test_catalyst_migrate_upgrades_either_engine_and_says_from_where(tmp_path, postgres_url):
    first = catalyst("migrate", "--db", postgres_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith(f"schema {SCHEMA_VERSION} (new)")
    again = catalyst("migrate", "--db", postgres_url)
    assert again.stdout.strip().endswith(f"schema {SCHEMA_VERSION} (already)")
    # An older server database: the migrations it lacks run, numbered as on DuckDB.
    older = postgres_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(older, autocommit=True) as admin:
        admin.execute("CREATE DATABASE older")
    older = older.rsplit("/", 1)[0] + "/older"
    store.migrate_server(older, store.MIGRATIONS[:12])
    upgraded = catalyst("migrate", "--db", older)
    assert upgraded.stdout.strip().endswith(f"schema {SCHEMA_VERSION} (was 12)")
    assert "pulse_rounds" in postgres_columns(older)  # from migration 14
    file = catalyst("migrate", "--db", str(tmp_path / "new.duckdb"))
    assert file.stdout.strip() == f"{tmp_path / 'new.duckdb'}: schema {SCHEMA_VERSION} (new)"


def test_a_server_database_of_another_application_or_out_of_reach_is_refused(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="holds tables, but is not one of Catalyst's"):
        store.migrate_server(postgres_url)
    unreachable = catalyst("migrate", "--db", "postgresql://someone:secret@127.0.0.1:1/catalyst")
    assert unreachable.returncode == 1
    assert "Could not connect to PostgreSQL at postgresql://someone@127.0.0.1:1/catalyst" in (
        unreachable.stderr
    )
    assert "secret" not in unreachable.stderr  # the password is never repeated


def test_copy_moves_an_installation_whole_and_refuses_a_database_in_use(demo_path, postgres_url):
    copied = catalyst("copy", "--from", str(demo_path), "--to", postgres_url)
    assert copied.returncode == 0, copied.stderr
    assert "counts and figures agree" in copied.stdout
    assert "Copied survey_responses:" in copied.stderr  # a progress line per table

    on_file = json.loads(catalyst("stats", "--json", "--db", str(demo_path)).stdout)
    on_server = json.loads(catalyst("stats", "--json", "--db", postgres_url).stdout)
    assert on_server.pop("database") != on_file.pop("database")
    assert on_server == on_file
    assert on_server["survey_responses"] > 0

    again = catalyst("copy", "--from", str(demo_path), "--to", postgres_url)
    assert again.returncode == 1
    assert "already holds Catalyst data" in again.stderr
    assert (
        json.loads(catalyst("stats", "--json", "--db", postgres_url).stdout)["survey_responses"]
        == (on_file["survey_responses"])
    )  # nothing doubled


@pytest.mark.parametrize("text", ["demo-1", "salt|id|Zoë Ünal", "", "#2"])
def test_a_response_key_is_the_same_number_on_both_engines(postgres_url, tmp_path, text):
    """md5_number is DuckDB's; server mode defines it, so a key made on one engine finds
    the same response on the other (an installation moved with `catalyst copy`)."""
    with Store(tmp_path / "keys.duckdb") as db, db.reading() as cursor:
        (on_file,) = cursor.execute("SELECT CAST(md5_number(?) AS VARCHAR)", [text]).fetchone()
    with store.open_store(postgres_url) as db, db.reading() as cursor:
        (on_server,) = cursor.execute("SELECT CAST(md5_number(?) AS VARCHAR)", [text]).fetchone()
    assert on_server == on_file


@pytest.mark.parametrize(
    ("duckdb_sql", "postgres_sql"),
    [
        ("SELECT x FROM t WHERE a = ? AND b = '?'", "SELECT x FROM t WHERE a = %(p1)s AND b = '?'"),
        ("CREATE TABLE k (key UHUGEINT NOT NULL)", "CREATE TABLE k (key NUMERIC(39, 0) NOT NULL)"),
        ("SELECT * FROM (SELECT 1 AS one)", "SELECT * FROM (SELECT 1 AS one) AS _from_0"),
        (
            "CREATE TABLE i (dropped VARCHAR[] NOT NULL DEFAULT [])",
            "CREATE TABLE i (dropped TEXT[] NOT NULL DEFAULT '{}')",
        ),
        (
            "SELECT team, week, count(*) AS n FROM t GROUP BY ALL",
            "SELECT team, week, COUNT(*) AS n FROM t GROUP BY 1, 2",
        ),
        ("SELECT unnest(?::INTEGER[])", "SELECT UNNEST(CAST(%(p1)s AS INT[]))"),
        (
            "SELECT c FROM r SEMI JOIN k ON k.id = r.id AND k.w = ? WHERE r.x = ?",
            "SELECT c FROM r WHERE r.x = %(p2)s AND EXISTS(SELECT 1 FROM k WHERE k.id = r.id "
            "AND k.w = %(p1)s)",
        ),
        (
            "SELECT strftime(d, '%Y') FROM t WHERE a = $1",
            "SELECT TO_CHAR(d, 'YYYY') FROM t WHERE a = %(p1)s",
        ),
        (
            "SELECT any_value(v) FROM t",
            "SELECT (ARRAY_AGG(v) FILTER (WHERE v IS NOT NULL))[1] FROM t",
        ),
        (
            "SELECT arg_max(v, w) FROM t",
            "SELECT (ARRAY_AGG(v ORDER BY w DESC) FILTER (WHERE w IS NOT NULL))[1] FROM t",
        ),
        (
            "CREATE OR REPLACE TEMP TABLE s AS SELECT 1",
            "DROP TABLE IF EXISTS s; CREATE TEMPORARY TABLE s ON COMMIT DROP AS SELECT 1",
        ),
    ],
    ids=[
        "parameters",
        "unsigned 128-bit keys",
        "a subquery's name",
        "an empty list",
        "group by all",
        "a list parameter",
        "a join's condition moved, its parameter kept",
        "a literal percent sign",
        "any_value",
        "arg_max",
        "a replaced temporary table",
    ],
)
def test_the_named_differences_between_the_engines(duckdb_sql, postgres_sql):
    assert "; ".join(to_postgres(duckdb_sql)) == postgres_sql


@pytest.mark.both_engines
def test_a_write_that_fails_midway_leaves_nothing_on_either_engine(empty_store):
    with pytest.raises(RuntimeError), empty_store.transaction() as cursor:
        cursor.execute("INSERT INTO meta VALUES ('half', 'written')")
        raise RuntimeError("the second half failed")
    with empty_store.transaction() as cursor:
        cursor.execute("INSERT INTO meta VALUES ('whole', 'written')")
    with empty_store.reading() as cursor:
        kept = cursor.execute("SELECT key FROM meta WHERE value = 'written'").fetchall()
    assert kept == [("whole",)]
