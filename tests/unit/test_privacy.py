"""The privacy rules of DESIGN §3 on small organizations worked out by hand,
and the attacks they must stop, through the real read API and database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fixtures import (
    OrgBuilder,
    a_small_week_then_three_full_ones,
    cell_names,
    three_departments_one_small_team,
    trio_beside_a_big_team,
    weeks,
)

from dashboard import queries
from dashboard.queries import Scope
from dashboard.rounds import Period

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

W1 = date(2026, 3, 2)  # a Monday
YEAR_AGO = date(2025, 11, 3)  # a Monday: 52 weeks from here are closed by the test clock
HR = Scope.hr()


def test_a_team_with_k_responses_is_shown_with_its_measures(sales_and_ops):
    db, ids = sales_and_ops
    north = queries.team_figure(db, HR, ids["north"], weeks(W1, 1))
    # 5,4,4,2,1: mean 16/5 = 3.2; favorable (4 or 5) 3 of 5 = 60%
    assert north.responses == 5
    assert north.mean("clear_goals") == pytest.approx(3.2)
    assert north.favorable_pct("clear_goals") == pytest.approx(60.0)
    assert not north.left_out


def test_small_teams_are_pooled_into_the_rest_of_their_department(sales_and_ops):
    db, ids = sales_and_ops
    sales = queries.departments_figure(db, HR, weeks(W1, 1), {ids["sales"]})
    # North 5 + pool (South 3 + Tiny 3 = 6 >= 5): 11 responses;
    # sum 16 + (5+5+4+1+2+2 = 19) = 35 -> mean 35/11; favorable 3 + 3 = 6 of 11
    assert sales.responses == 11
    assert sales.mean("clear_goals") == pytest.approx(35 / 11)
    assert sales.favorable_pct("clear_goals") == pytest.approx(600 / 11)
    assert not sales.left_out
    assert queries.team_figure(db, HR, ids["south"], weeks(W1, 1)).responses == 0


def test_a_pool_below_k_is_dropped_from_every_figure_and_says_so(sales_and_ops):
    db, ids = sales_and_ops
    ops = queries.departments_figure(db, HR, weeks(W1, 1), {ids["ops"]})
    org = queries.benchmark(db, weeks(W1, 1))
    assert ops.responses == 0 and ops.left_out
    assert org.responses == 11 and org.left_out  # Ops' 4 answers are nowhere


def test_the_team_table_says_why_a_team_shows_nothing(sales_and_ops):
    db, _ = sales_and_ops
    table = queries.team_table(db, HR, weeks(W1, 1)).set_index("team")
    assert table.loc["North", "status"] == "shown"
    assert table.loc["South", "status"] == "too_few_responses"
    assert table.loc["Tiny", "status"] == "team_too_small"
    assert table.loc["Ops A", "status"] == "too_few_responses"
    for team in ("South", "Tiny", "Ops A"):
        assert table.loc[team, "responses"] == 0
        assert table.loc[team, ["clear_goals_mean", "clear_goals_favorable_pct"]].isna().all()


def test_an_item_answered_by_fewer_than_k_is_masked(empty_store):
    org = OrgBuilder(empty_store)
    team = org.team("North", org.department("Sales"), headcount=9, manager="ann@example.com")
    org.answers(team, W1, [5, 4], progress=5)  # 2 answers to both items
    org.answers(team, W1, [3, 3, 3])  # 3 more answer clear_goals only
    org.save()
    figure = queries.team_figure(empty_store, HR, team, weeks(W1, 1))
    assert figure.responses == 5
    assert figure.items["clear_goals"].answers == 5
    assert figure.items["progress"].answers == 0  # 2 answers: masked
    assert figure.favorable_pct("progress") is None
    assert figure.left_out


def test_attack_department_total_minus_its_visible_teams(sales_and_ops):
    db, ids = sales_and_ops
    period = weeks(W1, 1)
    department = queries.departments_figure(db, HR, period, {ids["sales"]})
    table = queries.team_table(db, HR, period)
    visible = table[(table.department_id == ids["sales"]) & (table.status == "shown")]
    remainder = department.responses - int(visible.responses.sum())
    # What is left is the pool of South and Tiny together (6 >= 5), never one of them.
    assert remainder == 6
    assert remainder >= 5


def test_attack_last_four_weeks_minus_last_three(empty_store):
    team = a_small_week_then_three_full_ones(empty_store, W1)
    four = queries.team_figure(empty_store, HR, team, weeks(W1, 4))
    three = queries.team_figure(empty_store, HR, team, weeks(W1 + timedelta(weeks=1), 3))
    assert four.responses - three.responses == 0  # the small week is in neither
    assert four.items["clear_goals"].answers == three.items["clear_goals"].answers
    assert four.left_out and not three.left_out


def test_attack_two_overlapping_department_selections(empty_store):
    a, b, c = three_departments_one_small_team(empty_store, W1)
    ab = queries.departments_figure(empty_store, HR, weeks(W1, 1), {a, b})
    bc = queries.departments_figure(empty_store, HR, weeks(W1, 1), {b, c})
    b_only = queries.departments_figure(empty_store, HR, weeks(W1, 1), {b})
    # B2's 2 answers sit in B's pool, which is below 5 and dropped: no difference shows them.
    assert (ab.responses, bc.responses, b_only.responses) == (13, 12, 7)
    assert ab.responses - b_only.responses == 6  # A1, a whole shown cell
    assert bc.responses - b_only.responses == 5  # C1, a whole shown cell
    names = cell_names(empty_store, ab.cells | bc.cells).values()
    assert all(name.startswith("team") for name in names)


def test_attack_a_team_of_three_answering_every_week_for_a_year(empty_store):
    sales, trio, _ = trio_beside_a_big_team(empty_store, YEAR_AGO)
    year = weeks(YEAR_AGO, 52)
    assert queries.team_figure(empty_store, HR, trio, year).responses == 0
    assert (
        queries.team_table(empty_store, HR, year).set_index("team").loc["Trio", "status"]
        == "team_too_small"
    )
    # Pools of 3 never reach 5, so the trio's answers are in no figure at all:
    department = queries.departments_figure(empty_store, HR, year, {sales})
    assert department.responses == 520
    assert department.mean("clear_goals") == 5.0
    assert queries.benchmark(empty_store, year).mean("clear_goals") == 5.0
    assert queries.trends(empty_store, HR, year).clear_goals_mean.eq(5.0).all()


def test_attack_asking_in_another_cadence_is_refused(sales_and_ops):
    db, ids = sales_and_ops
    month = Period(date(2026, 3, 1), date(2026, 3, 1), "monthly")
    with pytest.raises(ValueError, match="surveys weekly, not monthly"):
        queries.team_figure(db, HR, ids["north"], month)


def test_comments_need_ten_responses_in_their_own_cell(empty_store):
    org = OrgBuilder(empty_store)
    sales = org.department("Sales")
    big = org.team("Big", sales, headcount=12, manager="big@example.com")
    mid = org.team("Mid", sales, headcount=12, manager="mid@example.com")
    org.answers(big, W1, [4] * 10, comment="Big says hi")
    org.answers(mid, W1, [4] * 9, comment="Mid says hi")
    org.answers(mid, W1 + timedelta(weeks=1), [4] * 12, comment="Mid later")
    org.save()
    found = queries.comments(empty_store, HR, weeks(W1, 2))
    assert sorted(found) == ["Big says hi"] * 10 + ["Mid later"] * 12
    assert queries.comments(empty_store, HR, weeks(W1, 2), team_id=mid) == ["Mid later"] * 12


def test_comments_never_come_from_a_pool(empty_store):
    org = OrgBuilder(empty_store)
    sales = org.department("Sales")
    for name in ("A", "B", "C"):
        team = org.team(name, sales, headcount=12, manager=f"{name.lower()}@example.com")
        org.answers(team, W1, [4] * 4, comment=f"{name} small")  # pool of 12, shown
    org.save()
    assert queries.departments_figure(empty_store, HR, weeks(W1, 1), {sales}).responses == 12
    assert queries.comments(empty_store, HR, weeks(W1, 1)) == []
