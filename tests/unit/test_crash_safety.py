"""The CLI killed (SIGKILL) in the middle of a large import: the database, reopened,
holds the import whole or not at all, and the import then runs again. On a DuckDB file,
and on PostgreSQL (server mode), where the import is killed during its transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from fixtures import build_demo_file, write_large_survey

from dashboard.store import Store, open_store
from dashboard.store.copying import copy_to_server

ROWS = 150_000


def state(location) -> dict:
    """What a half-written import would leave inconsistent."""
    with open_store(location) as db, db.reading() as cursor:
        responses, summed = cursor.execute(
            "SELECT (SELECT count(*) FROM survey_responses), "
            "(SELECT coalesce(sum(responses), 0) FROM response_summary)"
        ).fetchone()
        imports = cursor.execute(
            "SELECT i.import_id, i.imported, count(r.import_id) FROM imports i "
            "LEFT JOIN survey_responses r USING (import_id) WHERE i.file_name = 'big.csv' "
            "GROUP BY ALL"
        ).fetchall()
        audited = cursor.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'import.survey' "
            "AND detail LIKE '%big.csv%'"
        ).fetchone()[0]
    return {"responses": responses, "summed": summed, "imports": imports, "audited": audited}


@pytest.fixture(scope="module")
def big_import(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    db = build_demo_file(folder / "before.duckdb")
    with Store(db) as store:
        csv = write_large_survey(store, folder / "big.csv", ROWS)
    return db, csv


# Before the write, during its transaction, and after its commit but before the
# checkpoint (the import is then only in the write-ahead log).
@pytest.mark.parametrize(
    ("engine", "moment"),
    [
        ("duckdb", "Checking every row"),
        ("duckdb", "Writing"),
        ("duckdb", "Saved; writing"),
        ("postgresql", "Writing"),
    ],
)
def test_a_killed_import_is_whole_or_absent_and_runs_again(
    big_import, tmp_path, engine, moment, request
):
    source, csv = big_import
    db = tmp_path / "catalyst.duckdb"
    db.write_bytes(source.read_bytes())
    if engine == "postgresql":
        with Store(db) as file:
            db = request.getfixturevalue("postgres_url")
            copy_to_server(file, db)
    before = state(db)
    command = [sys.executable, "-m", "dashboard", "import", "survey", str(csv), "--db", str(db)]
    importing = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in importing.stderr:  # progress lines, flushed as the import goes
        if moment in line:
            os.kill(importing.pid, signal.SIGKILL)
            break
    assert importing.wait(timeout=60) == -signal.SIGKILL  # killed, not finished

    after = state(db)  # reopening replays the write-ahead log, or drops a torn transaction
    assert after["summed"] == after["responses"]  # the summary agrees with the responses
    if after["imports"]:  # whole: every row, its record, its audit line
        ((_, imported, stored),) = after["imports"]
        assert imported == stored == ROWS
        assert after["responses"] == before["responses"] + ROWS and after["audited"] == 1
    else:  # absent: nothing of it anywhere
        assert after["responses"] == before["responses"] and after["audited"] == 0

    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    final = state(db)
    assert final["responses"] == before["responses"] + ROWS
    assert [(imported, stored) for _, imported, stored in final["imports"]] == [(ROWS, ROWS)]
