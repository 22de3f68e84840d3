"""`catalyst roster list|history`: the teams as the Admin page lists them, and one team's
effective-dated facts, oldest first. The small demo moves Sales North from Sales to
Customer Support on 9 Nov 2026."""

from __future__ import annotations

import json

from fixtures import SMALL_DEMO

from dashboard import clock, queries
from dashboard.cli import main
from dashboard.store import Store


def test_list_shows_every_team_with_today_s_department_manager_and_headcount(demo_path, capsys):
    assert main(["roster", "list", "--json", "--db", str(demo_path)]) == 0
    teams = json.loads(capsys.readouterr().out)
    assert len(teams) == SMALL_DEMO.teams
    with Store(demo_path) as db, db.reading() as cursor:
        today = clock.today_in(queries.org_settings(cursor).time_zone)
        expected = queries.roster_now(cursor, today)
    assert [t["team"] for t in teams] == expected.team.tolist()
    assert set(teams[0]) == {"team", "department", "manager", "manager_email", "headcount"}
    platform = next(t for t in teams if t["team"] == "Platform")
    assert platform == {
        "team": "Platform",
        "department": "Engineering",
        "manager": "Jordan Blake",
        "manager_email": "manager@example.com",
        "headcount": 9,
    }
    moved = next(t for t in teams if t["team"] == "Sales North")
    assert moved["department"] == "Customer Support"


def test_list_for_people_is_a_table_with_a_header(demo_path, capsys):
    assert main(["roster", "list", "--db", str(demo_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["team", "department", "manager", "manager_email", "headcount"]
    assert len(lines) == 1 + SMALL_DEMO.teams
    assert any(line.startswith("Platform ") and line.endswith(" 9") for line in lines)


def test_history_lists_a_team_s_facts_oldest_first(demo_path, capsys):
    assert main(["roster", "history", "sales north", "--json", "--db", str(demo_path)]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [(h["from"], h["until"], h["department"]) for h in history] == [
        ("2026-10-05", "2026-11-09", "Sales"),
        ("2026-11-09", None, "Customer Support"),
    ]
    assert {h["manager_email"] for h in history} == {"eli.gallo@example.com"}


def test_history_for_people(demo_path, capsys):
    assert main(["roster", "history", "Sales North", "--db", str(demo_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["from", "until", "department"]
    assert lines[1].startswith("2026-10-05  2026-11-09  Sales ")
    assert lines[2].startswith("2026-11-09  -           Customer Support ")


def test_history_of_an_unknown_team_is_refused_naming_the_teams(demo_path, capsys):
    assert main(["roster", "history", "Nowhere", "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert "There is no team named 'Nowhere'" in err and "Platform" in err
