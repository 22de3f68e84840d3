"""The store: schema versions, transactions, concurrency, unusable files."""

from __future__ import annotations

import threading
from datetime import date, datetime

import duckdb
import psycopg
import pytest
from fixtures import HeldDatabase

from dashboard import store
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnreadable,
    NotACatalystDatabase,
    Store,
    StoreError,
)

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

SAVE_CHECKIN = (
    f"INSERT INTO checkins (manager_id, team_id, week, saved_at, {', '.join(CATALYST_KEYS)}) "  # noqa: S608
    "VALUES (?, ?, ?, ?, 4, 4, 4, 4, 4, 4)"
)


def tables(db: Store) -> set[str]:
    with db.reading() as cursor:
        return {
            name
            for (name,) in cursor.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }


def test_new_file_gets_the_current_schema_in_a_created_folder(tmp_path):
    path = tmp_path / "nested" / "folder" / "catalyst.duckdb"
    with Store(path) as db:
        assert db.schema_version == SCHEMA_VERSION
        assert {
            "teams",
            "team_facts",
            "users",
            "user_roles",
            "imports",
            "survey_responses",
            "response_summary",
            "checkins",
            "progress_entries",
            "settings",
            "audit_log",
        } <= tables(db)
    assert path.exists()


def test_answers_are_stored_one_column_per_item(empty_store):
    with empty_store.reading() as cursor:
        columns = {
            name
            for (name,) in cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'survey_responses'"
            ).fetchall()
        }
    assert set(ITEM_KEYS) <= columns


def test_an_older_file_is_upgraded_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    with Store(path, migrations=MIGRATIONS[:1]) as db, db.transaction() as cursor:
        cursor.execute("INSERT INTO departments (name) VALUES ('Sales')")

    def add_team_notes(cursor):
        cursor.execute("CREATE TABLE team_notes (team_id INTEGER, note VARCHAR)")

    with Store(path, migrations=(*MIGRATIONS[:1], add_team_notes)) as db:
        assert db.schema_version == 2
        assert "team_notes" in tables(db)
        with db.reading() as cursor:
            assert cursor.execute("SELECT name FROM departments").fetchall() == [("Sales",)]
            version = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            assert version.fetchall() == [("2",)]


def test_an_empty_duckdb_file_becomes_a_catalyst_database(tmp_path):
    path = tmp_path / "blank.duckdb"
    duckdb.connect(str(path)).close()
    with Store(path) as db:
        assert db.schema_version == SCHEMA_VERSION


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path, migrations=MIGRATIONS[:1]).close()

    def half_done(cursor):
        cursor.execute("CREATE TABLE half_done (x INTEGER)")
        cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises(StoreError, match="unchanged"):
        Store(path, migrations=(*MIGRATIONS[:1], half_done))
    with Store(path, migrations=MIGRATIONS[:1]) as db:
        assert db.schema_version == 1
        assert "half_done" not in tables(db)


def test_a_file_from_a_newer_catalyst_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "future.duckdb"
    with Store(path) as db, db.transaction() as cursor:
        store.set_meta(cursor, "schema_version", str(SCHEMA_VERSION + 5))
    with pytest.raises(DatabaseTooNew) as refusal:
        Store(path)
    assert str(path) in str(refusal.value)
    assert "newer version of Catalyst" in str(refusal.value)
    assert "Upgrade Catalyst" in str(refusal.value)


def test_another_applications_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as other:
        other.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(NotACatalystDatabase, match="not one of Catalyst's"):
        Store(path)


def test_a_damaged_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(b"this is not a database " * 500)
    with pytest.raises(DatabaseUnreadable) as refusal:
        Store(path)
    assert str(path) in str(refusal.value)
    assert "backup" in str(refusal.value)


def test_duckdb_memory_is_bounded_and_a_wrong_amount_is_named(tmp_path, monkeypatch):
    with Store(tmp_path / "default.duckdb") as db, db.reading() as cursor:
        assert cursor.execute("SELECT current_setting('memory_limit')").fetchone() == ("488.2 MiB",)
    monkeypatch.setenv("CATALYST_DB_MEMORY", "2GB")
    with Store(tmp_path / "more.duckdb") as db, db.reading() as cursor:
        assert cursor.execute("SELECT current_setting('memory_limit')").fetchone() == ("1.8 GiB",)
    monkeypatch.setenv("CATALYST_DB_MEMORY", "lots")
    with pytest.raises(StoreError, match="CATALYST_DB_MEMORY=lots is not an amount"):
        Store(tmp_path / "wrong.duckdb")


def test_a_database_held_by_another_process_gives_a_clear_message(tmp_path):
    path = tmp_path / "held.duckdb"
    Store(path).close()
    with HeldDatabase(path), pytest.raises(DatabaseLocked) as refusal:
        Store(path)
    message = str(refusal.value)
    assert str(path) in message
    assert "Stop the app" in message
    assert "Conflicting lock" not in message  # DuckDB's own words stay out


def test_a_missing_file_is_not_created_when_it_must_exist(tmp_path):
    path = tmp_path / "missing.duckdb"
    with pytest.raises(StoreError, match="No database at"):
        Store(path, must_exist=True)
    assert not path.exists()


def test_a_failed_transaction_leaves_nothing_behind(empty_store):
    with pytest.raises(RuntimeError), empty_store.transaction() as cursor:
        cursor.execute("INSERT INTO departments (name) VALUES ('Sales')")
        cursor.execute("INSERT INTO teams (name, created_at) VALUES ('North', now())")
        raise RuntimeError("the user's action failed halfway")
    with empty_store.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM departments").fetchall() == [(0,)]
        assert cursor.execute("SELECT count(*) FROM teams").fetchall() == [(0,)]


def test_a_failed_statement_rolls_back_earlier_statements(empty_store):
    refused = (duckdb.ConstraintException, psycopg.errors.UniqueViolation)
    with pytest.raises(refused), empty_store.transaction() as cursor:
        cursor.execute("INSERT INTO departments (name) VALUES ('Sales')")
        cursor.execute("INSERT INTO departments (name) VALUES ('Sales')")  # duplicate name
    with empty_store.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM departments").fetchall() == [(0,)]


def test_twenty_threads_saving_at_once_lose_nothing(demo_store):
    with demo_store.reading() as cursor:
        team_ids = [t for (t,) in cursor.execute("SELECT team_id FROM teams").fetchall()]
        before = dict(cursor.execute("SELECT kind, version FROM data_versions").fetchall())
    week = date(2030, 1, 7)
    start = threading.Barrier(20)
    errors = []

    def save(manager_id: int) -> None:
        try:
            start.wait()
            with demo_store.transaction() as cursor:
                cursor.execute(
                    SAVE_CHECKIN,
                    [1000 + manager_id, team_ids[manager_id % len(team_ids)], week, datetime.now()],
                )
                store.bump_data_version(cursor, "checkins")  # every thread updates one row
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with demo_store.reading() as cursor:
        saved = cursor.execute("SELECT count(*) FROM checkins WHERE week = ?", [week]).fetchall()
        after = dict(cursor.execute("SELECT kind, version FROM data_versions").fetchall())
    assert saved == [(20,)]
    assert after["checkins"] == before["checkins"] + 20


def test_the_summary_matches_the_responses_it_summarizes(demo_store):
    with demo_store.reading() as cursor:
        by_summary = cursor.execute(
            "SELECT sum(responses), sum(clear_goals_n), sum(clear_goals_sum), "
            "sum(clear_goals_favorable) FROM response_summary"
        ).fetchall()
        by_rows = cursor.execute(
            "SELECT count(*), count(clear_goals), sum(clear_goals), "
            "count(*) FILTER (WHERE clear_goals >= 4) FROM survey_responses"
        ).fetchall()
    assert by_summary == by_rows


def test_rebuilding_part_of_the_summary_touches_only_those_cells(demo_store):
    import pandas as pd

    with demo_store.transaction() as cursor:
        team_id, week = cursor.execute(
            "SELECT team_id, week FROM response_summary ORDER BY team_id, week LIMIT 1"
        ).fetchall()[0]
        cursor.execute(
            "DELETE FROM survey_responses WHERE team_id = ? AND week = ?", [team_id, week]
        )
        total_before = cursor.execute("SELECT sum(responses) FROM response_summary").fetchall()
        with store.registered(
            cursor, "touched", pd.DataFrame({"team_id": [team_id], "week": [week]})
        ):
            store.rebuild_response_summary(cursor, "touched")
        remaining = cursor.execute(
            "SELECT count(*) FROM response_summary WHERE team_id = ? AND week = ?", [team_id, week]
        ).fetchall()
        total_after = cursor.execute("SELECT sum(responses) FROM response_summary").fetchall()
        rows = cursor.execute("SELECT count(*) FROM survey_responses").fetchall()
    assert remaining == [(0,)]
    assert total_after == rows
    assert total_after[0][0] < total_before[0][0]


def test_new_rows_after_a_bulk_write_get_fresh_ids(demo_store):
    with demo_store.transaction() as cursor:
        largest = cursor.execute("SELECT max(user_id) FROM users").fetchall()[0][0]
        new_id = cursor.execute(
            "INSERT INTO users (email, display_name, created_at) "
            "VALUES ('new.person@example.com', 'New Person', now()) RETURNING user_id"
        ).fetchall()[0][0]
    assert new_id == largest + 1


def test_a_database_that_showed_results_stays_live_after_the_upgrade(tmp_path):
    """Before publication existed every import showed at once: upgrading such a file must
    not hide its results behind "being set up", nor rewrite its roster history."""
    from datetime import date

    from fixtures import weeks

    from dashboard import queries

    path = tmp_path / "before.duckdb"
    before_publication = MIGRATIONS[:8]
    with Store(path, migrations=before_publication) as db:
        with db.transaction() as cursor:
            cursor.execute("INSERT INTO departments VALUES (1, 'Sales')")
            cursor.execute("INSERT INTO teams VALUES (1, 'North', now())")
            cursor.execute("INSERT INTO team_facts VALUES (1, DATE '2026-01-05', 1, NULL, 9)")
            cursor.execute(
                "INSERT INTO imports (kind, file_name, imported_at, rows_in_file, imported) "
                "VALUES ('survey', 'old.csv', TIMESTAMP '2026-11-09 10:00', 6, 6)"
            )
            cursor.execute(
                "INSERT INTO survey_responses (import_id, team_id, submitted_at, week, "
                "fingerprint, clear_goals) SELECT 1, 1, TIMESTAMP '2026-11-03 09:00', "
                "DATE '2026-11-02', range, 4 FROM range(6)"
            )
    with Store(path) as db:
        with db.reading() as cursor:
            assert queries.live_since(cursor) is not None
            assert queries.roster_history(cursor, 1).headcount.tolist() == [9]
        figure = queries.team_figure(db, queries.Scope.hr(), 1, weeks(date(2026, 11, 2), 1))
        assert figure.responses == 6
