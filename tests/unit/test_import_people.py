"""The people of each team (issue 22's roster of people): who joins, moves and leaves on
a file's date, the headcount a team takes from its people, effective-dated, and files
refused with every problem by row and column, changing nothing. On the sample roster:
Support (7), Sales East (6), Sales West (9)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from fixtures import database_snapshot, write_file

from dashboard import exports, ingest, templates
from dashboard.ingest import ImportRefused, Source

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

NOW = datetime(2026, 11, 27, 12, 0)
ROOT = Path(__file__).resolve().parents[2]
HEADER = "email,name,team,language,effective_from"


def people_file(folder: Path, rows: list[str], name: str = "people.csv") -> Source:
    path = write_file(folder, name, "\n".join([HEADER, *rows]) + "\n")
    return Source(path.name, path)


def headcounts(db, day: date) -> dict[str, int]:
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT t.name, h.headcount FROM team_history h JOIN teams t USING (team_id) "
            "WHERE h.valid_from <= $1 AND (h.valid_to IS NULL OR h.valid_to > $1)",
            [day],
        ).fetchall()
    return dict(rows)


def members(db, day: date) -> dict[str, str]:
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT p.email, t.name FROM people p JOIN membership_history m USING (person_id) "
            "JOIN teams t USING (team_id) WHERE m.valid_from <= $1 "
            "AND (m.valid_to IS NULL OR m.valid_to > $1)",
            [day],
        ).fetchall()
    return dict(rows)


def test_people_join_and_their_teams_take_the_headcount_from_that_date(roster_store, tmp_path):
    db = roster_store
    source = people_file(
        tmp_path,
        [
            "ada@example.com,Ada Lovelace,Support,en,2026-12-07",
            "bo@example.com,Bo Berg,support,de,2026-12-07",  # the team as typed, any case
            "cy@example.com,Cy Young,Support,,2026-12-07",
            "di@example.com,Di Ng,Sales East,,2026-12-07",
        ],
    )
    plan = ingest.plan_people(db, source, today=date(2026, 11, 27))
    assert ingest.describe_people(plan) == [
        "Join from 7 Dec 2026: ada@example.com to Support, bo@example.com to Support, "
        "cy@example.com to Support, di@example.com to Sales East.",
        "Support: headcount 7 → 3 from 7 Dec 2026, from its people.",
        "Sales East: headcount 6 → 1 from 7 Dec 2026, from its people.",
    ]
    report = ingest.apply_people(db, plan, now=NOW)
    assert (report.rows_in_file, report.imported) == (4, 4)
    # Earlier weeks keep their headcounts; a team no file lists keeps the roster's.
    assert headcounts(db, date(2026, 11, 30)) == {"Support": 7, "Sales East": 6, "Sales West": 9}
    assert headcounts(db, date(2026, 12, 7)) == {"Support": 3, "Sales East": 1, "Sales West": 9}
    assert members(db, date(2026, 12, 6)) == {}
    assert members(db, date(2026, 12, 7))["bo@example.com"] == "Support"


def test_a_later_file_moves_and_removes_people_from_its_date(roster_store, tmp_path):
    db = roster_store
    first = people_file(
        tmp_path,
        [
            "ada@example.com,Ada Lovelace,Support,,2026-12-07",
            "bo@example.com,Bo Berg,Support,,2026-12-07",
            "cy@example.com,Cy Young,Sales East,,2026-12-07",
        ],
    )
    ingest.apply_people(db, ingest.plan_people(db, first, today=date(2026, 11, 27)), now=NOW)
    later = people_file(
        tmp_path,
        [
            "ada@example.com,Ada King,Support,de,2027-01-04",  # renamed, a language
            "cy@example.com,Cy Young,Support,,2027-01-04",  # moves; bo is not listed: leaves
        ],
        "later.csv",
    )
    plan = ingest.plan_people(db, later, today=date(2026, 11, 27))
    assert ingest.describe_people(plan) == [
        "Move from 4 Jan 2027: cy@example.com: Sales East → Support.",
        "Leave from 4 Jan 2027: bo@example.com.",
        "Names or languages corrected: 1.",
    ]  # Support stays at two people: its headcount does not change
    ingest.apply_people(db, plan, now=NOW)
    assert members(db, date(2026, 12, 31)) == {
        "ada@example.com": "Support", "bo@example.com": "Support", "cy@example.com": "Sales East"
    }  # fmt: skip
    assert members(db, date(2027, 1, 4)) == {
        "ada@example.com": "Support", "cy@example.com": "Support"
    }  # fmt: skip
    assert headcounts(db, date(2027, 1, 4))["Support"] == 2
    # Sales East is no longer listed: it keeps the headcount it had, from its one person.
    assert headcounts(db, date(2027, 1, 4))["Sales East"] == 1


def test_people_without_e_mail_are_known_by_name_in_their_team(roster_store, tmp_path):
    """Shop floor and field staff answer with kiosk codes: the file leaves their email
    empty. Without an address a person is their name in their team, so the same file
    again changes nothing and a move reads as leaving one team and joining another."""
    db = roster_store
    rows = ["ada@example.com,Ada,Support,,2026-12-07", ",Eli Ray,Support,,2026-12-07",
            ",eli ray,Sales East,,2026-12-07"]  # fmt: skip
    plan = ingest.plan_people(db, people_file(tmp_path, rows), today=date(2026, 11, 27))
    assert ingest.describe_people(plan)[0] == (
        "Join from 7 Dec 2026: ada@example.com to Support, Eli Ray (no e-mail) to Support, "
        "eli ray (no e-mail) to Sales East."
    )
    ingest.apply_people(db, plan, now=NOW)
    assert headcounts(db, date(2026, 12, 7))["Support"] == 2
    again = ingest.plan_people(db, people_file(tmp_path, rows), today=date(2026, 11, 27))
    assert not again.changes_anything
    moved = ["ada@example.com,Ada,Support,,2026-12-07", ",Eli Ray,Sales West,,2026-12-07",
             ",Eli Ray,Sales East,,2026-12-07"]  # fmt: skip
    plan = ingest.plan_people(db, people_file(tmp_path, moved), today=date(2026, 11, 27))
    assert ingest.describe_people(plan)[:2] == [
        "Join from 7 Dec 2026: Eli Ray (no e-mail) to Sales West.",
        "Leave from 7 Dec 2026: Eli Ray.",
    ]
    with db.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM people WHERE email IS NULL").fetchone() == (2,)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ["ada@example.com,Ada,Platform,,2026-12-07"],
            [(2, "team", 'there is no team "Platform" on the roster')],
        ),
        (
            ["not-an-email,Ada,Support,,2026-12-07", "bo@example.com,,Support,,2026-12-07"],
            [(2, "email", "is not an email address"), (3, "name", "name is empty")],
        ),
        (
            ["ada@example.com,Ada,Support,,2026-12-07", "ADA@example.com,Ada,Support,,2026-12-07"],
            [(3, "email", "ada@example.com is listed again (first in row 2)")],
        ),
        (
            [",Eli Ray,Support,,2026-12-07", ",ELI RAY,Support,,2026-12-07"],
            [(3, "name", "ELI RAY without e-mail is listed again in Support (first in row 2)")],
        ),
        (
            ["ada@example.com,Ada,Support,fr,2026-12-07"],
            [(2, "language", '"fr" is not a language of the pulse; use en (English) or de')],
        ),
        (
            ["ada@example.com,Ada,Support,,2026-12-07", "bo@example.com,Bo,Support,,2027-01-04"],
            [(3, "effective_from", "a people file lists everyone on one date")],
        ),
    ],
)
def test_a_file_with_problems_is_refused_whole_naming_row_and_column(
    roster_store, tmp_path, rows, expected
):
    before = database_snapshot(roster_store)
    with pytest.raises(ImportRefused) as refusal:
        ingest.plan_people(roster_store, people_file(tmp_path, rows), today=date(2026, 11, 27))
    found = [(p.row, p.column, p.message) for p in refusal.value.problems]
    assert len(found) == len(expected)
    for (row, column, message), (want_row, want_column, fragment) in zip(
        found, expected, strict=True
    ):
        assert (row, column) == (want_row, want_column) and fragment in message
    assert database_snapshot(roster_store) == before


def test_a_file_without_the_columns_says_which(roster_store, tmp_path):
    path = write_file(tmp_path, "people.csv", "email,team\nada@example.com,Support\n")
    with pytest.raises(ImportRefused) as refusal:
        ingest.plan_people(roster_store, Source(path.name, path))
    assert refusal.value.problems[0].message == (
        "The people file needs the columns email, name, team (language and effective_from are "
        "optional); missing: name."
    )


def test_the_command_imports_people_and_reports_json(roster_store, tmp_path):
    roster_store.close()  # the command opens the file
    source = people_file(tmp_path, ["ada@example.com,Ada Lovelace,Sales West,,2026-12-07"])
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "import", "people", str(source.path), "--db",
         str(roster_store.path), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["imported"] == 1
    assert "Sales West: headcount 9 → 1 from 7 Dec 2026, from its people." in report["notes"]


def test_the_people_template_imports_as_it_comes(roster_store, tmp_path):
    path = tmp_path / "people-template.csv"
    path.write_bytes(exports.csv_bytes(templates.people_template()))
    plan = ingest.plan_people(roster_store, Source(path.name, path), today=date(2026, 11, 27))
    assert ingest.describe_people(plan)[0] == (
        "Join from 27 Nov 2026: ada.lovelace@example.com to Support, Kai Berg (no e-mail) to "
        "Support."
    )
