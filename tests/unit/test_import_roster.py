"""Importing the roster: teams, departments, managers, headcounts, with effective dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fixtures import SAMPLES, database_snapshot, write_file

from dashboard import accounts, ingest
from dashboard.ingest import ImportRefused, Source

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 24, 9)
HEADER = "team,department,manager_name,manager_email,headcount,effective_from\n"


def import_roster(db, path, today=date(2026, 11, 24)):
    plan = ingest.plan_roster(db, Source(path.name, path), today=today)
    return plan, ingest.apply_roster(db, plan, now=NOW)


def history(db, team: str):
    with db.reading() as cursor:
        return cursor.execute(
            "SELECT h.valid_from, d.name, u.email, h.headcount, h.valid_to FROM team_history h "
            "JOIN teams t USING (team_id) JOIN departments d USING (department_id) "
            "JOIN users u ON u.user_id = h.manager_id WHERE t.name = ? ORDER BY h.valid_from",
            [team],
        ).fetchall()


def test_the_sample_roster_creates_teams_departments_and_managers(empty_store):
    plan, report = import_roster(empty_store, SAMPLES / "roster_example.csv")
    assert (report.rows_in_file, report.imported, report.duplicates) == (3, 3, 0)
    assert plan.new_teams == ["Support", "Sales East", "Sales West"]
    assert plan.new_departments == ["Customer", "Sales"]
    assert report.notes[2].startswith("New manager accounts (no password yet): rae.kim@example.com")
    with empty_store.reading() as cursor:
        lee = accounts.find_user(cursor, "lee.novak@example.com")
        hashed = cursor.execute("SELECT password_hash FROM users WHERE email = ?", [lee.email])
        assert hashed.fetchall() == [(None,)]
    assert lee.roles == {"manager"} and lee.display_name == "Lee Novak"
    # A first roster describes the structure earlier survey data belongs to.
    assert history(empty_store, "Sales West")[0][0] == date(2000, 1, 3)


def test_importing_the_same_roster_again_changes_nothing(empty_store):
    import_roster(empty_store, SAMPLES / "roster_example.csv")
    before = database_snapshot(empty_store)
    _, report = import_roster(empty_store, SAMPLES / "roster_example.csv")
    assert (report.imported, report.duplicates) == (0, 3)
    assert report.notes == ["Nothing changes: the roster matches what is stored."]
    assert database_snapshot(empty_store) == before


def test_a_new_manager_from_a_date_keeps_the_earlier_weeks_with_the_old_one(empty_store, tmp_path):
    import_roster(empty_store, SAMPLES / "roster_example.csv")
    path = write_file(
        tmp_path,
        "change.csv",
        HEADER + "Sales West,Sales,Ann Park,ann.park@example.com,,2026-12-07\n",
    )
    plan, report = import_roster(empty_store, path)
    assert plan.changes == ["Sales West: manager Lee Novak → Ann Park from 7 Dec 2026"]
    assert report.imported == 1
    assert history(empty_store, "Sales West") == [
        (date(2000, 1, 3), "Sales", "lee.novak@example.com", 9, date(2026, 12, 7)),
        (date(2026, 12, 7), "Sales", "ann.park@example.com", 9, None),
    ]


def test_a_move_to_another_department_without_a_date_applies_from_today(empty_store, tmp_path):
    import_roster(empty_store, SAMPLES / "roster_example.csv")
    path = write_file(
        tmp_path, "move.csv", HEADER + "Support,Operations,Rae Kim,rae.kim@example.com,8,\n"
    )
    plan, _ = import_roster(empty_store, path, today=date(2026, 11, 24))
    assert plan.new_departments == ["Operations"]
    assert plan.changes == [
        "Support: department Customer → Operations, headcount 7 → 8 from 24 Nov 2026"
    ]
    assert history(empty_store, "Support")[-1] == (
        date(2026, 11, 24),
        "Operations",
        "rae.kim@example.com",
        8,
        None,
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "Ops,Operations,Kim Lee,kim.lee@example.com,,\n",
            'row 2, column headcount: team "Ops" is new: give its headcount',
        ),
        (
            "Ops,Operations,Kim Lee,not-an-email,5,\n",
            "row 2, column manager_email: 'not-an-email' is not an email address (expected name@example.com)",
        ),
        (
            "Ops,Operations,Kim Lee,kim@example.com,five,\n",
            'row 2, column headcount: "five" is not a whole number of people',
        ),
        (
            "Ops,Operations,Kim Lee,kim@example.com,5,next week\n",
            'row 2, column effective_from: "next week" is not a date like 2026-12-01',
        ),
        ("Ops,,Kim Lee,kim@example.com,5,\n", "row 2, column department: department is empty"),
        (
            "Ops,Operations,Kim Lee,kim@example.com,5,\nops,Operations,Kim Lee,kim@example.com,6,\n",
            'row 3, column team: team "ops" appears again for the same date (first in row 2)',
        ),
    ],
    ids=["new team without headcount", "bad email", "bad headcount", "bad date", "empty", "twice"],
)
def test_roster_refusals_name_row_and_column_and_change_nothing(
    empty_store, tmp_path, rows, message
):
    before = database_snapshot(empty_store)
    with pytest.raises(ImportRefused) as refusal:
        import_roster(empty_store, write_file(tmp_path, "bad.csv", HEADER + rows))
    assert str(refusal.value.problems[0]) == message
    assert database_snapshot(empty_store) == before


def test_a_roster_without_the_needed_columns(empty_store, tmp_path):
    with pytest.raises(ImportRefused, match="missing: manager_name, manager_email"):
        import_roster(
            empty_store, write_file(tmp_path, "bad.csv", "team,department\nOps,Operations\n")
        )
