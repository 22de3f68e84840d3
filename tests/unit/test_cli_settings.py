"""`catalyst settings show|set`: every setting with its value, and changes through the
Admin page's one write (all or nothing, one audit line)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields

import pytest
from fixtures import database_snapshot

from dashboard.cli import main
from dashboard.settings import OrgSettings
from dashboard.store import Store


def audit_lines(path, action: str) -> list[tuple]:
    with Store(path) as db, db.reading() as cursor:
        return cursor.execute(
            "SELECT actor, user_id, detail FROM audit_log WHERE action = ?", [action]
        ).fetchall()


def snapshot(path) -> dict:
    with Store(path) as db:
        return database_snapshot(db)


def test_show_lists_every_setting_and_says_which_are_defaults(demo_path):
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "settings", "show", "--json", "--db", str(demo_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert list(shown) == [field.name for field in fields(OrgSettings)]
    assert shown["min_group_size"] == {"value": 5, "default": True}
    assert shown["manager_notes_visible_to_hr"] == {"value": False, "default": True}
    assert shown["time_zone"] == {"value": "Europe/Berlin", "default": False}  # the demo's


def test_show_for_people_marks_the_defaults(demo_path, capsys):
    assert main(["settings", "show", "--db", str(demo_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("min_group_size") and line.endswith("5  (default)") for line in lines
    )
    assert any(line.startswith("time_zone") and line.endswith("Europe/Berlin") for line in lines)
    assert any("sso_only" in line and "false  (default)" in line for line in lines)


def test_set_stores_the_values_with_one_audit_line(demo_path, capsys):
    code = main(
        [
            "settings",
            "set",
            "min_group_size",
            "7",
            "manager_notes_visible_to_hr",
            "TRUE",
            "--db",
            str(demo_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "min_group_size: 5 → 7" in err and "manager_notes_visible_to_hr: false → true" in err
    [(actor, user_id, detail)] = audit_lines(demo_path, "settings.change")
    assert (actor, user_id) == ("catalyst settings", None)
    assert "min_group_size: 5 → 7" in detail
    assert main(["settings", "show", "--json", "--db", str(demo_path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["min_group_size"] == {"value": 7, "default": False}
    assert shown["manager_notes_visible_to_hr"]["value"] is True


def test_setting_what_is_already_there_writes_nothing(demo_path, capsys):
    before = snapshot(demo_path)
    assert main(["settings", "set", "min_group_size", "5", "--db", str(demo_path)]) == 0
    assert "Nothing changed" in capsys.readouterr().err
    assert snapshot(demo_path) == before


@pytest.mark.parametrize(
    ("values", "reasons"),
    [
        (["min_group_size", "2"], ["min_group_size: min_group_size must be at least 3"]),
        (["cadence", "daily"], ["cadence: cadence must be one of weekly"]),
        (["time_zone", "Mars/Olympus"], ["time_zone: unknown time zone 'Mars/Olympus'"]),
        (["colour", "blue"], ["colour: unknown setting 'colour'"]),
        # A good value beside a refused one is not stored either: all or nothing.
        (
            ["organization_name", "Acme", "min_group_size", "x"],
            ["min_group_size: min_group_size must be a whole number, got 'x'"],
        ),
    ],
)
def test_a_refused_value_exits_1_naming_the_key_and_changes_nothing(
    demo_path, capsys, values, reasons
):
    before = snapshot(demo_path)
    assert main(["settings", "set", *values, "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert "catalyst settings set: nothing was changed." in err
    for reason in reasons:
        assert reason in err
    assert snapshot(demo_path) == before


def test_a_key_without_a_value_is_a_usage_error(demo_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["settings", "set", "min_group_size", "7", "cadence", "--db", str(demo_path)])
    assert exit_.value.code == 2
    assert "'cadence' has no value" in capsys.readouterr().err


def test_settings_of_a_missing_database_are_refused(tmp_path, capsys):
    assert main(["settings", "show", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "catalyst demo" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()


def test_go_live_publishes_the_closed_rounds_once(tmp_path, capsys):
    from datetime import date

    from fixtures import OrgBuilder

    from dashboard import queries
    from dashboard.rounds import Period

    path = tmp_path / "new.duckdb"
    with Store(path) as db:
        org = OrgBuilder(db, start=date(2026, 1, 5))
        team = org.team("North", org.department("Sales"), headcount=9, manager="a@x.org")
        org.answers(team, date(2026, 11, 9), [4] * 6)
        org.save(live=False)
    assert main(["settings", "go-live", "--db", str(path)]) == 0
    assert "every closed round is published (1 result of teams" in capsys.readouterr().out
    assert main(["settings", "go-live", "--db", str(path)]) == 0
    assert "Already live since" in capsys.readouterr().out
    assert [actor for actor, _, _ in audit_lines(path, "organization.live")] == [
        "catalyst settings"
    ]
    with Store(path) as db:
        week = Period(date(2026, 11, 9), date(2026, 11, 9), "weekly")
        assert queries.team_figure(db, queries.Scope.hr(), team, week).responses == 6
