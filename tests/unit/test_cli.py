"""The `catalyst` command: stats, user add, demo, and refusals with clear messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from fixtures import SMALL_DEMO, HeldDatabase

from dashboard import accounts, queries
from dashboard.cli import main
from dashboard.store import SCHEMA_VERSION, Store


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def counts_in(path) -> dict:
    with Store(path) as db, db.reading() as cursor:
        return queries.organization_counts(cursor)


def test_stats_json_reports_what_the_database_holds(demo_path):
    result = run_cli("stats", "--json", "--db", str(demo_path))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    assert stats["teams"] == SMALL_DEMO.teams
    assert stats["departments"] == 6
    assert stats["schema_version"] == SCHEMA_VERSION
    assert stats["demo"] is True
    for key, value in counts_in(demo_path).items():
        assert stats[key] == value, key
    assert stats["survey_responses"] > 0 and stats["imports"] == 1


def test_stats_as_a_table_for_people(demo_path, capsys):
    assert main(["stats", "--db", str(demo_path)]) == 0
    out = capsys.readouterr().out
    assert "survey responses" in out and "teams" in out


def test_the_db_flag_falls_back_to_the_environment(demo_path, monkeypatch, capsys):
    monkeypatch.setenv("CATALYST_DB", str(demo_path))
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(demo_path)


def test_stats_on_a_missing_database_says_how_to_make_one(tmp_path, capsys):
    missing = tmp_path / "nothing.duckdb"
    assert main(["stats", "--db", str(missing)]) == 1
    assert "catalyst demo" in capsys.readouterr().err
    assert not missing.exists()


def test_user_add_reads_the_password_from_stdin(demo_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code = main(
        [
            "user",
            "add",
            "Lee.Novak@Example.com",
            "--role",
            "manager",
            "--role",
            "hr",
            "--team",
            "platform",
            "--db",
            str(demo_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    with Store(demo_path) as db, db.reading() as cursor:
        user = accounts.find_user(cursor, "lee.novak@example.com")
        stored, leads = cursor.execute(
            "SELECT u.password_hash, t.name FROM users u JOIN team_history h "
            "ON h.manager_id = u.user_id AND h.valid_to IS NULL JOIN teams t USING (team_id) "
            "WHERE u.user_id = ?",
            [user.user_id],
        ).fetchall()[0]
        audited = cursor.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'user.add'"
        ).fetchall()[0][0]
    assert user.roles == {"manager", "hr"}
    assert accounts.verify_password(stored, "a long enough password")
    assert leads == "Platform"
    assert audited == 1


def test_user_add_through_the_console_script_with_piped_password(demo_path):
    catalyst = str(__import__("pathlib").Path(sys.executable).with_name("catalyst"))
    result = subprocess.run(
        [catalyst, "user", "add", "ops@example.com", "--role", "admin", "--db", str(demo_path)],
        input="another long password\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Added ops@example.com" in result.stderr


@pytest.mark.parametrize(
    ("args", "password", "reason"),
    [
        (["ada@example.com", "--role", "hr"], "short", "at least 12"),
        (["hr@example.com", "--role", "hr"], "a long enough password", "already exists"),
        (
            ["ada@example.com", "--role", "manager", "--team", "Nowhere"],
            "a long enough password",
            "no team named 'Nowhere'",
        ),
        (
            ["ada@example.com", "--role", "hr", "--team", "Platform"],
            "a long enough password",
            "add --role manager",
        ),
        (["not-an-email", "--role", "hr"], "a long enough password", "not an email address"),
    ],
)
def test_user_add_refusals_say_why_and_change_nothing(
    demo_path, monkeypatch, capsys, args, password, reason
):
    before = counts_in(demo_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert main(["user", "add", *args, "--db", str(demo_path)]) == 1
    assert reason in capsys.readouterr().err
    assert counts_in(demo_path) == before


def test_an_unknown_role_is_a_usage_error(demo_path):
    result = run_cli("user", "add", "ada@example.com", "--role", "owner", "--db", str(demo_path))
    assert result.returncode == 2
    assert "invalid choice: 'owner'" in result.stderr


def test_a_writing_command_on_a_database_the_app_holds_says_so(demo_path):
    with HeldDatabase(demo_path):
        result = run_cli(
            "user",
            "add",
            "ada@example.com",
            "--role",
            "hr",
            "--db",
            str(demo_path),
            stdin="a long enough password\n",
        )
    assert result.returncode == 1
    assert str(demo_path) in result.stderr
    assert "Stop the app" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_file_is_refused_without_a_traceback(tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00garbage" * 1000)
    result = run_cli("stats", "--db", str(damaged))
    assert result.returncode == 1
    assert "not a readable database" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_builds_reproducibly_with_progress_on_stderr(tmp_path):
    path = tmp_path / "demo.duckdb"
    result = run_cli(
        "demo",
        "--teams",
        "5",
        "--weeks",
        "3",
        "--seed",
        "1",
        "--today",
        "2026-11-24",
        "--db",
        str(path),
    )
    assert result.returncode == 0, result.stderr
    assert "survey responses" in result.stderr
    assert counts_in(path)["teams"] == 5
    again = run_cli("demo", "--db", str(path))
    assert again.returncode == 1
    assert "already holds an organization" in again.stderr


@pytest.mark.parametrize("bad", [["--teams", "0"], ["--today", "24.11.2026"], ["--weeks", "x"]])
def test_demo_usage_errors(tmp_path, bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--db", str(tmp_path / "d.duckdb"), *bad])
    assert exit_.value.code == 2


def test_a_demo_too_small_to_be_useful_is_refused(tmp_path, capsys):
    assert main(["demo", "--teams", "2", "--db", str(tmp_path / "d.duckdb")]) == 1
    assert "at least 3 teams" in capsys.readouterr().err


def test_bench_reports_every_measure_as_json(capsys):
    assert main(["bench", "--teams", "6", "--weeks", "3", "--json"]) == 0
    out = capsys.readouterr().out
    results = json.loads(out.strip().splitlines()[-1])
    assert results["teams"] == 6 and results["responses"] > 0
    for key in (
        "demo_build_s",
        "import_s",
        "raw_read_csv_s",
        "import_ratio",
        "hr_reads_cold_ms",
        "hr_reads_warm_ms",
        "manager_reads_warm_ms",
        "my_team_warm_ms",
        "overview_cold_ms",
        "overview_warm_ms",
        "checkin_save_ms",
        "checkin_save_during_import_ms",
        "peak_rss_mb",
    ):
        assert results[key] > 0, key
    assert out.startswith("measure")  # the table people read comes first


def test_bench_at_a_larger_scale_reports_how_each_figure_grew():
    result = run_cli("bench", "--teams", "4", "--weeks", "2", "--scale", "2", "--json")
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout.strip().splitlines()[-1])
    assert (results["teams"], results["base"]["teams"]) == (8, 4)
    assert results["growth"]["teams"] == 2.0
    assert results["growth"]["responses"] == pytest.approx(
        results["responses"] / results["base"]["responses"], abs=0.01
    )
    assert "growth" in result.stdout.splitlines()[0]  # the table shows the growth column
    assert "4 teams x 2 weeks in a fresh process" in result.stderr


def test_import_roster_then_survey_with_json_reports(tmp_path):
    from fixtures import SAMPLES

    db = str(tmp_path / "org.duckdb")
    roster = run_cli("import", "roster", str(SAMPLES / "roster_example.csv"), "--db", db)
    assert roster.returncode == 0, roster.stderr
    assert "New teams: Support, Sales East, Sales West." in roster.stdout
    survey = run_cli(
        "import", "survey", str(SAMPLES / "template_example.csv"), "--db", db, "--json"
    )
    assert survey.returncode == 0, survey.stderr
    report = json.loads(survey.stdout.strip().splitlines()[-1])
    assert {k: report[k] for k in ("rows_in_file", "imported", "duplicates", "rejected")} == {
        "rows_in_file": 9,
        "imported": 9,
        "duplicates": 0,
        "rejected": 0,
    }
    assert report["import_id"] and report["errors"] == [] and report["dropped_columns"] == []
    again = run_cli("import", "survey", str(SAMPLES / "template_example.csv"), "--db", db, "--json")
    assert again.returncode == 0  # a no-op re-import is not a failure
    assert json.loads(again.stdout.strip().splitlines()[-1])["already_imported"]


def test_a_refused_import_exits_1_with_row_and_column(tmp_path):
    from fixtures import SAMPLES, TEMPLATE_HEADER, write_file

    db = str(tmp_path / "org.duckdb")
    run_cli("import", "roster", str(SAMPLES / "roster_example.csv"), "--db", db)
    bad = write_file(tmp_path, "bad.csv", TEMPLATE_HEADER + "\nSupport,2026-11-10,7,4,4,4,4,4,4,\n")
    result = run_cli("import", "survey", str(bad), "--db", db, "--scale", "1-5", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["refused"] is True
    assert report["errors"] == [
        {"row": 2, "column": "Clear goals", "message": '"7" is outside the 1-5 scale'}
    ]
    assert 'row 2, column Clear goals: "7" is outside the 1-5 scale' in result.stderr
    assert "Traceback" not in result.stderr


def test_import_usage_errors_exit_2(tmp_path):
    result = run_cli(
        "import", "survey", "x.csv", "--date-order", "ymd", "--db", str(tmp_path / "d.duckdb")
    )
    assert result.returncode == 2
    assert run_cli("import", "survey", "--db", str(tmp_path / "d.duckdb")).returncode == 2


def test_undo_and_list_from_the_command_line(tmp_path):
    from fixtures import SAMPLES

    db = str(tmp_path / "org.duckdb")
    run_cli("import", "roster", str(SAMPLES / "roster_example.csv"), "--db", db)
    run_cli("import", "survey", str(SAMPLES / "template_example.csv"), "--db", db)
    undone = run_cli("import", "undo", "2", "--db", db)
    assert undone.returncode == 0 and "9 rows removed" in undone.stdout
    listed = run_cli("import", "list", "--db", db).stdout
    assert "template_example.csv: 9 rows, 9 imported" in listed and "(undone" in listed
    assert run_cli("import", "undo", "2", "--db", db).returncode == 1


COUNTS = ("rows_in_file", "imported", "duplicates", "rejected", "skipped")


@pytest.mark.parametrize(
    ("rows", "counts", "with_problems"),
    [
        # One bad row refuses the file: all three rows are rejected, one has a problem.
        (
            [
                "Support,2026-11-10,4,4,4,4,4,4,4,",
                "Support,2026-11-10,9,4,4,4,4,4,4,",
                "Support,2026-11-11,4,4,4,4,4,4,4,",
            ],
            (3, 0, 0, 3, 0),
            1,
        ),
        # No catalyst column at all: still the file's two rows, both refused.
        (None, (2, 0, 0, 2, 0), 0),
    ],
)
def test_a_refusal_accounts_for_every_row_in_json(tmp_path, rows, counts, with_problems):
    from fixtures import SAMPLES, TEMPLATE_HEADER, write_file

    db = str(tmp_path / "org.duckdb")
    run_cli("import", "roster", str(SAMPLES / "roster_example.csv"), "--db", db)
    text = (
        TEMPLATE_HEADER + "\n" + "\n".join(rows)
        if rows
        else "team,submitted_at,mood\nSupport,2026-11-10,good\nSupport,2026-11-10,fine"
    )
    result = run_cli(
        "import",
        "survey",
        str(write_file(tmp_path, "f.csv", text + "\n")),
        "--db",
        db,
        "--scale",
        "1-5",
        "--json",
    )
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert tuple(report[k] for k in COUNTS) == counts
    assert report["rows_with_problems"] == with_problems


def test_a_file_that_cannot_be_read_has_no_counts_in_json(tmp_path):
    db = str(tmp_path / "org.duckdb")
    pdf = tmp_path / "export.csv"
    pdf.write_bytes(b"%PDF-1.7 not a survey")
    result = run_cli("import", "survey", str(pdf), "--db", db, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [report[k] for k in COUNTS] == [None] * 5
    assert report["errors"][0]["message"].startswith("This is a PDF document")
