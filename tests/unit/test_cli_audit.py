"""`catalyst audit`: the Admin page's audit log filters (days, kind, who) through the same
read, and its formula-safe CSV, audited as an export like the page's download."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.clock import utc_now
from dashboard.store import Store


@pytest.fixture
def logged(demo_path):
    """The demo with a settings change, an export, a line 100 days old and a hostile one."""
    db = ["--db", str(demo_path)]
    assert main(["settings", "set", "organization_name", "Acme", *db]) == 0
    assert main(["export", "overview", "--format", "csv", "--out", "-", *db]) == 0
    with Store(demo_path) as database, database.transaction() as cursor:
        store.record_audit(
            cursor,
            "user.add",
            "old news",
            at=utc_now() - timedelta(days=100),
            actor="catalyst user add",
        )
        store.record_audit(
            cursor, "sign_in.failed", '=HYPERLINK("http://evil")', at=utc_now(), actor="@attacker"
        )
    return demo_path


def audit(path, capsys, *options: str) -> list[dict]:
    capsys.readouterr()
    assert main(["audit", "--json", *options, "--db", str(path)]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_log_newest_first_with_who_did_it(logged, capsys):
    lines = audit(logged, capsys)
    assert [line["action"] for line in lines[:3]] == ["sign_in.failed", "export", "settings.change"]
    assert [line["who"] for line in lines[:3]] == [
        "@attacker",
        "catalyst export",
        "catalyst settings",
    ]
    assert lines == sorted(lines, key=lambda line: line["when"], reverse=True)
    assert "old news" not in {line["detail"] for line in lines}  # older than 30 days


def test_filters_by_days_kind_and_person(logged, capsys):
    assert [
        line["detail"] for line in audit(logged, capsys, "--days", "200", "--kind", "user")
    ] == ["old news"]
    settings = audit(logged, capsys, "--kind", "settings")
    assert [line["action"] for line in settings] == ["settings.change"]
    exported = audit(logged, capsys, "--person", "CATALYST EXPORT")
    assert [line["action"] for line in exported] == ["export"]
    assert json.loads(exported[0]["detail"])["file"].startswith("catalyst-teams-")


def test_an_unknown_kind_says_which_kinds_there_are(logged, capsys):
    assert audit(logged, capsys, "--kind", "payroll") == []
    capsys.readouterr()
    assert main(["audit", "--kind", "payroll", "--db", str(logged)]) == 0
    err = capsys.readouterr().err
    assert "no line of kind 'payroll' so far" in err and "settings" in err


def test_the_table_for_people(logged, capsys):
    assert main(["audit", "--kind", "settings", "--db", str(logged)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == ["When", "(UTC)", "Who", "Action", "Detail"]
    assert "catalyst settings" in lines[1] and "organization_name" in lines[1]
    assert "1 entry from" in captured.err


def test_the_csv_is_formula_safe_and_audited_as_an_export(logged, capsysbinary):
    assert main(["audit", "--csv", "--kind", "sign_in", "--db", str(logged)]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")  # the page's file: UTF-8 with a byte order mark
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["When (UTC)", "Who", "Action", "Detail"]
    assert [row[1:] for row in rows[1:]] == [
        ["'@attacker", "sign_in.failed", '\'=HYPERLINK("http://evil")']
    ]
    with Store(logged) as db, db.reading() as cursor:
        actor, detail = cursor.execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'export' ORDER BY audit_id DESC"
        ).fetchone()
    detail = json.loads(detail)
    assert actor == "catalyst audit"
    assert detail["file"] == f"catalyst-audit-{detail['from']}-{detail['to']}.csv"
    assert (detail["kind"], detail["who"]) == ("sign_in", "")


def test_json_and_csv_together_are_a_usage_error(logged):
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--json", "--csv", "--db", str(logged)])
    assert exit_.value.code == 2
