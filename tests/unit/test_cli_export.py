"""`catalyst export overview|manager`: the pages' files, made by the pages' functions for
the same scope and period, named like the page names them, and audited; and the
overlapping-departments attack once more, through the command's CSV."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from fixtures import three_departments_one_small_team

from dashboard import accounts, manager_detail, overview, queries, rounds
from dashboard.cli import exports as export_commands
from dashboard.cli import main
from dashboard.queries import Scope
from dashboard.store import Store


def page_period(db, name: str = "Last 12 weeks"):
    """The period the Overview page shows for a preset, ending with the latest data."""
    with db.reading() as cursor:
        cadence = queries.org_settings(cursor).cadence
    return queries.default_period(db, dict(rounds.PRESETS[cadence])[name])


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def export_lines(path) -> list[tuple[str | None, dict]]:
    with Store(path) as db, db.reading() as cursor:
        rows = cursor.execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'export' ORDER BY audit_id"
        ).fetchall()
    return [(actor, json.loads(detail)) for actor, detail in rows]


def department_ids(path, names: list[str]) -> frozenset[int]:
    with Store(path) as db, db.reading() as cursor:
        departments = queries.departments(cursor)
    return frozenset(int(i) for i in departments[departments.name.isin(names)].department_id)


@pytest.mark.parametrize(
    ("options", "departments", "metric"),
    [
        ([], None, "favorable_pct"),
        (
            ["--departments", "engineering, Sales", "--metric", "mean"],
            ["Engineering", "Sales"],
            "mean",
        ),
    ],
)
def test_the_overview_csv_is_the_page_s_team_table_cell_for_cell(
    demo_path, tmp_path, options, departments, metric
):
    out = tmp_path / "teams.csv"
    code = main(
        [
            "export",
            "overview",
            "--format",
            "csv",
            "--out",
            str(out),
            *options,
            "--db",
            str(demo_path),
        ]
    )
    assert code == 0
    scope = Scope.hr(department_ids(demo_path, departments)) if departments else Scope.hr()
    with Store(demo_path) as db:
        period = page_period(db)
        view = overview.collect(db, scope, period, today=date(2026, 11, 27))
    expected = overview.team_file(view, metric, "department")
    written = read_csv(out.read_bytes())
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    assert len(written) == (12 if departments is None else 3)
    [(actor, detail)] = export_lines(demo_path)
    assert actor == "catalyst export"
    assert detail == {
        "file": "teams.csv",
        "departments": departments or "all in scope",
        "period": period.label,
        "metric": metric,
    }


def test_the_overview_workbook_holds_every_table_of_the_page(demo_path, tmp_path):
    assert (
        main(
            [
                "export",
                "overview",
                "--format",
                "xlsx",
                "--out",
                str(tmp_path),
                "--period",
                "last 4 weeks",
                "--db",
                str(demo_path),
            ]
        )
        == 0
    )
    with Store(demo_path) as db:
        period = page_period(db, "Last 4 weeks")
        view = overview.collect(db, Scope.hr(), period, today=date(2026, 11, 27))
    path = tmp_path / f"catalyst-overview-{period.last_week:%Y-%m-%d}.xlsx"  # the page's name
    book = pd.read_excel(path, sheet_name=None)
    expected = overview.sheets(view, "favorable_pct")
    assert list(book) == list(expected)
    pd.testing.assert_frame_equal(book["Teams"], expected["Teams"], check_dtype=False)
    assert export_lines(demo_path)[0][1]["file"] == path.name


@pytest.mark.parametrize(("kind", "magic"), [("pdf", b"%PDF"), ("png", b"\x89PNG")])
def test_the_overview_summary_through_the_console_front_door(demo_path, tmp_path, kind, magic):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "export",
            "overview",
            "--format",
            kind,
            "--departments",
            "Engineering",
            "--db",
            str(demo_path),
        ],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr.decode()
    [made] = tmp_path.glob(f"catalyst-summary-engineering-*.{kind}")  # named like the page's
    assert made.read_bytes().startswith(magic)
    assert b"Gathering the overview of Engineering" in result.stderr
    [(actor, detail)] = export_lines(demo_path)
    assert (actor, detail["summary_of"], detail["file"]) == (
        "catalyst export",
        "Engineering",
        made.name,
    )


def test_a_manager_export_is_the_manager_detail_page_s_file(demo_path, tmp_path, capsysbinary):
    assert (
        main(
            [
                "export",
                "manager",
                "Manager@Example.com",
                "--format",
                "csv",
                "--out",
                "-",
                "--db",
                str(demo_path),
            ]
        )
        == 0
    )
    written = read_csv(capsysbinary.readouterr().out)
    with Store(demo_path) as db:
        with db.reading() as cursor:
            manager = accounts.find_user(cursor, "manager@example.com").user_id
            team = queries.team_id_by_name(cursor, "Platform")
        period = page_period(db)
        view = manager_detail.collect(
            db, Scope.hr(), manager, team, period, today=date(2026, 11, 27)
        )
    pd.testing.assert_frame_equal(written, manager_detail.by_round_table(view), check_dtype=False)
    [(actor, detail)] = export_lines(demo_path)
    assert actor == "catalyst export"
    assert detail == {
        "file": f"catalyst-jordan-blake-platform-by-round-{period.last_week:%Y-%m-%d}.csv",
        "manager": "Jordan Blake",
        "team": "Platform",
        "period": view.shown_period.label,
    }


def test_a_manager_workbook_keeps_check_in_notes_private_unless_shared(demo_path, tmp_path):
    assert (
        main(
            [
                "export",
                "manager",
                "manager@example.com",
                "--format",
                "xlsx",
                "--out",
                str(tmp_path / "m.xlsx"),
                "--db",
                str(demo_path),
            ]
        )
        == 0
    )
    book = pd.read_excel(tmp_path / "m.xlsx", sheet_name=None)
    assert {"By round", "Self vs team", "Check-ins"} <= set(book)
    assert "Notes" not in book["Check-ins"].columns  # the demo does not share notes with HR


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["overview", "--departments", "Engineering,Nope"], "no department named 'Nope'"),
        (
            ["overview", "--period", "Last year"],
            "'Last year' is not a period of a weekly survey; the pages offer: Last 4 weeks, "
            "Last 12 weeks, Last 26 weeks.",
        ),
        (["manager", "nobody@example.com"], "No account for nobody@example.com."),
        (["manager", "hr@example.com"], "hr@example.com has led no team"),
        (
            ["manager", "manager@example.com", "--team", "Mobile"],
            "has not led a team named 'Mobile' (their teams: Platform)",
        ),
        (["overview", "--out", "/no/such/folder/x.csv"], "There is no folder /no/such/folder"),
    ],
)
def test_refusals_say_why_and_audit_nothing(demo_path, tmp_path, capsys, args, reason):
    out = [] if "--out" in args else ["--out", str(tmp_path / "f.csv")]
    assert main(["export", *args, *out, "--format", "csv", "--db", str(demo_path)]) == 1
    assert reason in capsys.readouterr().err
    assert export_lines(demo_path) == []
    assert not (tmp_path / "f.csv").exists()


def test_the_sort_choices_are_the_overview_s():
    assert export_commands.SORTS == tuple(overview.SORTS)


# ---- privacy: two overlapping department selections, through the command's files ----------

K, WEEK = 5, date(2026, 3, 2)


@pytest.fixture
def three_departments(tmp_path):
    """A: A1 6 answers; B: B1 7, B2 2 (below k); C: C1 5 — one week, all 4s."""
    path = tmp_path / "abc.duckdb"
    with Store(path) as db:
        three_departments_one_small_team(db, WEEK)
    return path


def exported(path, tmp_path, departments: str, kind: str = "csv") -> bytes:
    out = tmp_path / f"{departments.replace(',', '')}.{kind}"
    assert (
        main(
            [
                "export",
                "overview",
                "--departments",
                departments,
                "--format",
                kind,
                "--period",
                "Last 4 weeks",
                "--out",
                str(out),
                "--db",
                str(path),
            ]
        )
        == 0
    )
    return out.read_bytes()


def test_attack_two_overlapping_department_selections_through_the_command(
    three_departments, tmp_path
):
    tables = {d: read_csv(exported(three_departments, tmp_path, d)) for d in ("A,B", "B,C", "B")}
    for table in tables.values():
        hidden = table[table.Shown != "yes"]
        # A cell the page does not show: no responses, no figure, in any selection.
        assert hidden.Responses.eq(0).all()
        assert (
            hidden.drop(columns=["Department", "Team", "Manager", "Responses", "Shown"])
            .isna()
            .all()
            .all()
        )
        assert table.Responses.map(lambda n: n == 0 or n >= K).all()
    b2 = {d: t.set_index("Team").loc["B2"] for d, t in tables.items() if "B" in d}
    assert {row.Shown for row in b2.values()} == {"no: too few responses"}
    totals = {d: int(t.Responses.sum()) for d, t in tables.items()}
    assert totals == {"A,B": 13, "B,C": 12, "B": 7}  # B2's 2 answers are in none of them
    assert (totals["A,B"] - totals["B"], totals["B,C"] - totals["B"]) == (6, 5)  # A1, C1 whole
    with Store(three_departments) as db:  # and each is exactly what the page shows
        period = page_period(db, "Last 4 weeks")
        view = overview.collect(db, Scope.hr(frozenset({1, 2})), period, today=WEEK)
    pd.testing.assert_frame_equal(
        tables["A,B"], overview.team_file(view, "favorable_pct", "department"), check_dtype=False
    )


def test_the_workbook_trends_of_overlapping_selections_add_whole_shown_teams(
    three_departments, tmp_path
):
    trends = {}
    for departments in ("A,B", "B,C", "B"):
        book = pd.read_excel(
            io.BytesIO(exported(three_departments, tmp_path, departments, "xlsx")), sheet_name=None
        )
        trends[departments] = int(book["Trends"].Responses.sum())
    assert trends == {"A,B": 13, "B,C": 12, "B": 7}


def test_formula_payloads_stay_text_in_the_command_s_csv(three_departments, tmp_path):
    with Store(three_departments) as db, db.transaction() as cursor:
        cursor.execute("UPDATE teams SET name = '=HYPERLINK(\"http://x\")' WHERE name = 'A1'")
    data = exported(three_departments, tmp_path, "A")
    assert read_csv(data).Team.tolist() == ['\'=HYPERLINK("http://x")']
