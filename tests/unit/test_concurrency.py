"""Many people at once on one database: simultaneous check-ins, readers during an import,
and a check-in saved while a long import checks its rows. Real threads, on a real DuckDB
file and on a real PostgreSQL, where each thread's work goes through a server of its own
(a Store with its own pool and lock, as separate app servers have)."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from fixtures import TODAY, build_demo_file, write_large_survey

from dashboard import checkins, ingest, queries
from dashboard.catalysts import CATALYST_KEYS
from dashboard.demo import DemoSpec
from dashboard.queries import Scope
from dashboard.rounds import week_of
from dashboard.store import Store, postgres
from dashboard.store.copying import copy_to_server

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

WEEK = week_of(TODAY)
ROWS = 20_000


@pytest.fixture(scope="module")
def org_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    path = build_demo_file(folder / "org.duckdb", DemoSpec(teams=20, weeks=4, seed=5, today=TODAY))
    with Store(path) as db:
        csv = write_large_survey(db, folder / "big.csv", ROWS)
    return path, csv


@pytest.fixture
def db(engine, org_file, tmp_path, request):
    path = tmp_path / "catalyst.duckdb"
    path.write_bytes(org_file[0].read_bytes())
    if engine == "duckdb":
        with Store(path) as store:
            yield store
        return
    url = request.getfixturevalue("postgres_url")
    with Store(path) as source:
        copy_to_server(source, url)
    with postgres.Store(url) as store:
        yield store


@pytest.fixture
def servers(db):
    """``open()``: another app server's Store on the same database (on a file, the one
    process that owns it); closed after the test."""
    opened = []

    def open_one() -> Store | postgres.Store:
        if not db.server:
            return db
        opened.append(postgres.Store(db.url))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


def leaders(db: Store) -> list[tuple[int, int]]:
    """(manager, team) for every team led this week."""
    with db.reading() as cursor:
        return cursor.execute(
            "SELECT manager_id, team_id FROM team_history WHERE valid_to IS NULL "
            "AND manager_id IS NOT NULL ORDER BY team_id"
        ).fetchall()


def entry(team: int, n: int) -> checkins.Checkin:
    return checkins.Checkin(
        team,
        WEEK,
        {key: 1 + (n + i) % 5 for i, key in enumerate(CATALYST_KEYS)},
        {"help": f"note {n}"},
        CATALYST_KEYS[n % 6],
        [f"win {n}"],
        [],
    )


def run_together(work: list, *, name: str) -> list[BaseException]:
    """Start every callable in its own thread at the same moment; the errors they raised."""
    start, errors = threading.Barrier(len(work)), []

    def run(job) -> None:
        start.wait()
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(job,), name=f"{name}-{i}") for i, job in enumerate(work)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_twenty_check_ins_saved_at_the_same_moment_are_all_stored(db, servers):
    pairs = leaders(db)[:20]
    assert len(pairs) == 20
    on = [servers() for _ in pairs]  # each check-in through a server of its own
    saves = [
        lambda m=manager, t=team, n=n: checkins.save(
            on[n], m, entry(t, n), today=TODAY, now=datetime(2026, 11, 24, 9)
        )
        for n, (manager, team) in enumerate(pairs)
    ]
    assert run_together(saves, name="save") == []
    with db.reading() as cursor:
        for n, (manager, team) in enumerate(pairs):
            stored = checkins.load(cursor, manager, team, WEEK)
            assert stored.ratings == entry(team, n).ratings
            assert stored.notes == {"help": f"note {n}"} and stored.wins == [f"win {n}"]


def test_fifty_readers_during_an_import_never_see_half_of_it(db, org_file, servers):
    csv = org_file[1]
    readers = servers()  # the import runs on one server, the readers on another
    period = queries.default_period(db, 4, TODAY)
    with db.reading() as cursor:
        before = queries.organization_counts(cursor)["survey_responses"]
    seen, done = [], threading.Event()

    def importing() -> None:
        try:
            ingest.import_survey(db, ingest.Source(csv.name, csv), now=datetime(2026, 11, 24))
        finally:
            done.set()

    def reading() -> None:  # through the read API, each call on a cursor of its own
        while True:
            finished = done.is_set()
            with readers.reading() as cursor:
                stored, summed = cursor.execute(
                    "SELECT (SELECT count(*) FROM survey_responses), "
                    "(SELECT sum(responses) FROM response_summary)"
                ).fetchone()
            figure = queries.benchmark(readers, period)
            table = queries.team_table(readers, Scope.hr(), period)
            seen.append((stored, summed, figure.responses, int(table.responses.sum())))
            if finished:
                return

    errors = run_together([importing] + [reading] * 50, name="reader")
    assert errors == []
    after = before + ROWS
    assert {stored for stored, *_ in seen} == {before, after}  # both sides, nothing between
    assert all(stored == summed for stored, summed, *_ in seen)  # never between two writes
    final_figure = queries.benchmark(db, period).responses
    with db.reading() as cursor:
        assert queries.organization_counts(cursor)["survey_responses"] == after
    first_figure = min(figure for *_, figure, _ in seen)
    assert {figure for *_, figure, _ in seen} == {first_figure, final_figure}
    assert len(seen) >= 50 and seen[-1][0] == after


def test_a_check_in_is_saved_while_a_long_import_checks_its_rows(db, org_file):
    csv = org_file[1]
    manager, team = leaders(db)[0]
    checking, finished, saved_before_end = threading.Event(), threading.Event(), []

    def importing() -> None:
        ingest.import_survey(
            db,
            ingest.Source(csv.name, csv),
            now=datetime(2026, 11, 24),
            on_step=lambda message: message.startswith("Checking") and checking.set(),
        )
        finished.set()

    worker = threading.Thread(target=importing)
    worker.start()
    assert checking.wait(timeout=60)
    checkins.save(db, manager, entry(team, 0), today=TODAY, now=datetime(2026, 11, 24, 9))
    saved_before_end.append(not finished.is_set())  # the save did not wait for the import
    worker.join(timeout=120)
    assert saved_before_end == [True]
    with db.reading() as cursor:
        assert checkins.load(cursor, manager, team, WEEK).ratings == entry(team, 0).ratings
        assert queries.organization_counts(cursor)["survey_responses"] >= ROWS


@pytest.mark.file_only("a server's backups are pg_dump's, consistent by PostgreSQL's design")
def test_a_backup_made_while_people_read_is_whole(db, tmp_path):
    period = queries.default_period(db, 4, TODAY)
    done, copy = threading.Event(), tmp_path / "backup.duckdb"

    def backing_up() -> None:
        try:
            db.backup(copy)
        finally:
            done.set()

    def reading() -> None:
        while not done.is_set():
            queries.team_table(db, Scope.hr(), period)

    assert run_together([backing_up] + [reading] * 20, name="backup") == []
    with db.reading() as cursor:
        expected = queries.organization_counts(cursor)
    with Store(copy) as restored, restored.reading() as cursor:
        assert queries.organization_counts(cursor) == expected
