"""Files HR downloads: the privacy attacks again, this time through the files
(read back as a spreadsheet would), formula injection, the audit log, and the
one-page summaries. Real database, real files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from fixtures import (
    OrgBuilder,
    a_small_week_then_three_full_ones,
    three_departments_one_small_team,
    trio_beside_a_big_team,
    weeks,
)
from openpyxl import load_workbook

from dashboard import checkins, exports, manager_detail, overview, summary, team_view
from dashboard.checkins import Checkin
from dashboard.queries import Scope
from dashboard.rounds import Period

W1 = date(2026, 3, 2)  # a Monday
YEAR_AGO = date(2025, 11, 3)  # a Monday: 52 weeks from here are closed by the test clock
K = 5
HR = Scope.hr()


def overview_files(db, scope: Scope, period: Period) -> dict[str, pd.DataFrame]:
    """The overview's workbook as a spreadsheet reads it."""
    view = overview.collect(db, scope, period, today=period.last_week + timedelta(days=2))
    data = exports.workbook_bytes(overview.sheets(view, "favorable_pct"))
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


def detail_files(db, manager_id: int, team_id: int, period: Period, *, notes: bool = False):
    view = team_view.collect(
        db,
        Scope(manager_id=manager_id),
        manager_id,
        team_id,
        period,
        today=period.last_week + timedelta(days=2),
        with_notes=notes,
        history_limit=52,
    )
    data = exports.workbook_bytes(manager_detail.sheets(view, notes))
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


def every_count_reaches_k(files: dict[str, pd.DataFrame]) -> bool:
    """Every responses/answers figure in the files is 0 (nothing shown) or at least k."""
    for frame in files.values():
        for column in frame.columns:
            if column in ("Responses", "Answers") or str(column).endswith(" answers"):
                if not frame[column].dropna().map(lambda n: n == 0 or n >= K).all():
                    return False
    return True


def test_attack_department_total_minus_its_visible_teams_through_the_files(sales_and_ops):
    db, ids = sales_and_ops
    files = overview_files(db, Scope.hr(frozenset({ids["sales"]})), weeks(W1, 1))
    teams = files["Teams"].set_index("Team")
    assert teams.loc["North", "Clear goals"] == 60.0
    for hidden in ("South", "Tiny"):
        assert teams.loc[hidden, "Responses"] == 0
        assert teams.loc[hidden, ["Clear goals", "Progress"]].isna().all()
    assert teams.loc["Tiny", "Shown"] == "no: team too small"
    remainder = files["Trends"].Responses.sum() - teams.Responses.sum()
    assert remainder == 6  # South and Tiny pooled (6 >= 5), never one of them
    assert every_count_reaches_k(files)


def test_attack_last_four_weeks_minus_last_three_through_the_files(empty_store):
    team = a_small_week_then_three_full_ones(empty_store, W1)
    four = overview_files(empty_store, HR, weeks(W1, 4))
    three = overview_files(empty_store, HR, weeks(W1 + timedelta(weeks=1), 3))
    assert four["Teams"].Responses.sum() == three["Teams"].Responses.sum() == 18
    assert four["Teams"]["Clear goals"].tolist() == three["Teams"]["Clear goals"].tolist()
    assert four["Trends"].Responses.tolist() == [0, 6, 6, 6]  # the small week is a gap
    by_round = detail_files(empty_store, 1, team, weeks(W1, 4))["By round"]
    assert by_round.Responses.tolist() == [0, 6, 6, 6]
    assert pd.isna(by_round["Clear goals favorable %"].iloc[0])


def test_attack_two_overlapping_department_selections_through_the_files(empty_store):
    a, b, c = three_departments_one_small_team(empty_store, W1)

    def total(departments: set[int]) -> int:
        files = overview_files(empty_store, Scope.hr(frozenset(departments)), weeks(W1, 1))
        assert every_count_reaches_k(files)
        return int(files["Trends"].Responses.sum())

    ab, bc, b_only = total({a, b}), total({b, c}), total({b})
    assert (ab, bc, b_only) == (13, 12, 7)  # B2's 2 answers are in none of them
    assert (ab - b_only, bc - b_only) == (6, 5)  # whole shown teams, A1 and C1


def test_attack_a_team_of_three_answering_every_week_for_a_year_through_the_files(empty_store):
    _, trio, _ = trio_beside_a_big_team(empty_store, YEAR_AGO)
    year = weeks(YEAR_AGO, 52)
    files = overview_files(empty_store, HR, year)
    teams = files["Teams"].set_index("Team")
    assert teams.loc["Trio", "Shown"] == "no: team too small"
    assert teams.loc["Trio", "Responses"] == 0 and pd.isna(teams.loc["Trio", "Clear goals"])
    assert (files["Trends"]["Clear goals favorable %"] == 100.0).all()  # only Big's 5s
    trio_detail = detail_files(empty_store, 1, trio, year)
    assert trio_detail["By round"].Responses.eq(0).all()
    assert trio_detail["By round"]["Clear goals favorable %"].isna().all()


def test_hr_limited_to_a_department_gets_nothing_of_another_in_any_file(sales_and_ops):
    db, ids = sales_and_ops
    files = overview_files(db, Scope.hr(frozenset({ids["ops"]})), weeks(W1, 1))
    text = "\n".join(frame.to_csv() for frame in files.values())
    for other in ("Sales", "North", "South", "Tiny", "north@", "North"):
        assert other not in text
    assert files["Teams"].Team.tolist() == ["Ops A"]


@pytest.fixture
def hostile_names(empty_store):
    """A team, department and manager named like formulas, and team comments too."""
    org = OrgBuilder(empty_store)
    department = org.department('=HYPERLINK("http://evil.example","Click")')
    team = org.team("+SUM(A1:A9)", department, headcount=12, manager="mo@example.com")
    for i, comment in enumerate(["=1+1", "-2+3", "@cmd", "\tTabbed", "plain words"] * 2):
        org.answers(team, W1, [4], comment=comment, autonomy=5 - i % 2)
    org.save()
    with empty_store.transaction() as cursor:
        cursor.execute("UPDATE users SET display_name = '-Manager|calc' WHERE user_id = 1")
    return empty_store, team


def test_formula_payloads_in_names_and_comments_come_out_prefixed(hostile_names):
    db, team = hostile_names
    view = overview.collect(db, HR, weeks(W1, 1), today=W1 + timedelta(days=2))
    book = load_workbook(io.BytesIO(exports.workbook_bytes(overview.sheets(view, "mean"))))
    row = [cell.value for cell in book["Teams"][2]]
    assert row[:3] == [
        '\'=HYPERLINK("http://evil.example","Click")',
        "'+SUM(A1:A9)",
        "'-Manager|calc",
    ]

    detail = team_view.collect(
        db,
        Scope(manager_id=1),
        1,
        team,
        weeks(W1, 1),
        today=W1 + timedelta(days=2),
        with_notes=False,
    )
    assert len(detail.comments) == 10  # 10 responses: comments can be shown
    sheets = manager_detail.sheets(detail, with_notes=False)
    comments = load_workbook(io.BytesIO(exports.workbook_bytes(sheets)))["Comments"]
    written = {row[0].value for row in comments.iter_rows(min_row=2)}
    assert written == {"'=1+1", "'-2+3", "'@cmd", "'\tTabbed", "plain words"}

    rows = list(csv.reader(io.StringIO(exports.csv_bytes(sheets["Comments"]).decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == written


def test_a_dollar_in_a_name_stays_text_in_the_summary(hostile_names):
    db, _ = hostile_names
    with db.transaction() as cursor:
        cursor.execute("UPDATE teams SET name = 'Cost $x^2$ Team'")
    for kind, magic in (("pdf", b"%PDF"), ("png", b"\x89PNG")):
        page = overview.summary_file(
            db, HR, weeks(W1, 1), today=W1 + timedelta(days=2), title="All $departments$", kind=kind
        )
        assert page.startswith(magic) and len(page) > 10_000


def test_a_summary_of_an_empty_selection_still_makes_a_page(empty_store):
    org = OrgBuilder(empty_store)
    org.team("Solo", org.department("Sales"), headcount=9, manager="so@example.com")
    org.save()
    view = team_view.collect(
        empty_store, Scope(manager_id=1), 1, 1, weeks(W1, 4), today=W1, with_notes=False
    )
    findings = manager_detail.findings(view, "So")
    assert findings[0].startswith("No team results can be shown")
    page = summary.Page("So · Solo", "nothing yet", findings, summary.footer("Org", W1, 5))
    assert summary.manager(page, view.comparison, view.rounds, kind="pdf").startswith(b"%PDF")


def test_an_export_is_written_to_the_audit_log_when_the_file_is_made(empty_store):
    build = exports.recorded(
        empty_store, 7, "catalyst-teams.csv", {"period": "Q1"}, lambda: b"team\n"
    )
    with empty_store.reading() as cursor:
        count = "SELECT count(*) FROM audit_log WHERE action = 'export'"
        assert cursor.execute(count).fetchone()[0] == 0  # nothing until someone clicks
    assert build() == b"team\n"
    with empty_store.reading() as cursor:
        user, detail = cursor.execute(
            "SELECT user_id, detail FROM audit_log WHERE action = 'export'"
        ).fetchone()
    assert user == 7
    assert json.loads(detail) == {"file": "catalyst-teams.csv", "period": "Q1"}


def test_check_in_notes_reach_hr_files_only_when_shared(empty_store):
    org = OrgBuilder(empty_store)
    team = org.team("North", org.department("Sales"), headcount=9, manager="ann@example.com")
    org.save()
    today = W1 + timedelta(days=2)
    entry = Checkin(
        team,
        W1,
        ratings=dict.fromkeys(
            ("clear_goals", "autonomy", "resources", "help", "obstacle_removal", "respect"), 4
        ),
        notes={"help": "Paired with Bo on the outage"},
        wins=["Shipped the export"],
    )
    checkins.save(empty_store, 1, entry, today=today, now=datetime(2026, 3, 4))
    private = detail_files(empty_store, 1, team, weeks(W1, 1))["Check-ins"]
    shared = detail_files(empty_store, 1, team, weeks(W1, 1), notes=True)["Check-ins"]
    assert "outage" not in private.to_csv() and "Shipped" not in private.to_csv()
    assert private.Wins.tolist() == [1]  # the count stays
    assert shared.Notes.tolist() == ["Help: Paired with Bo on the outage"]
    assert shared["Wins logged"].tolist() == ["Shipped the export"]


def test_a_workbook_keeps_its_header_in_view_and_sizes_its_columns():
    frame = pd.DataFrame(
        {"Team": ["Platform and developer experience", "Ops"], "N": [1234, 5], "Note": [None, "x"]}
    )
    book = load_workbook(io.BytesIO(exports.workbook_bytes({"Teams": frame, "Other": frame})))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"  # the header row stays while scrolling
        assert all(cell.font.bold for cell in sheet[1])
        widths = {c: sheet.column_dimensions[c].width for c in "ABC"}
        assert widths["A"] == len("Platform and developer experience") + 2
        assert widths["B"] == widths["C"] == 8  # narrow columns still fit their header
    assert book["Teams"]["C2"].value is None  # a missing value is an empty cell


def summary_texts(db, period: Period) -> list[str]:
    """Every piece of text on the overview's one-page summary of the whole organization."""
    from matplotlib import rc_context

    view = overview.collect(db, HR, period, today=period.last_week + timedelta(days=2))
    teams = overview.ordered(view.teams, "favorable_pct", "department")
    page = summary.Page("All", "sub", ["finding"], "footer")
    with rc_context(summary.STYLE):
        figure = summary.department_figure(page, teams, {}, view.trends)
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.mark.parametrize(("departments", "teams_each"), [(12, 4), (40, 1)])
def test_the_summary_names_every_department_even_when_its_teams_do_not_fit(
    empty_store, departments, teams_each
):
    org = OrgBuilder(empty_store)
    for d in range(departments):
        unit = org.department(f"Dept {d:02}")
        for t in range(teams_each):
            org.team(f"T{d:02}-{t}", unit, headcount=6, manager=f"m{d}x{t}@example.com")
    org.save()
    text = "\n".join(summary_texts(empty_store, weeks(W1, 1)))
    assert all(f"Dept {d:02}" in text for d in range(departments))
    if teams_each == 4:  # 48 teams, 30 rows: 3 of each department's 4, then 2 of 4 for 6
        assert text.count("first 3 of 4 teams") == 6 and text.count("first 2 of 4 teams") == 6
        assert "(30 of 48 teams; all in the workbook)" in text
    else:  # 40 departments of one team: 30 drawn, 10 named below the grid
        assert "No room for: Dept 30 (1 team); Dept 31 (1 team);" in text.replace("\n", " ")


def test_teams_that_fit_share_rows_evenly_and_keep_the_order():
    teams = pd.DataFrame({"department": list("AAAAABC"), "team": list("1234567")})
    drawn, counts = summary.teams_that_fit(teams, 4)
    assert drawn.team.tolist() == ["1", "2", "6", "7"] and counts == {"A": 5, "B": 1, "C": 1}
