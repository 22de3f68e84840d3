"""Scope: a manager sees their teams for the time they managed them; HR sees its departments."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from fixtures import OrgBuilder, weeks

from dashboard import checkins, manager_detail, queries
from dashboard.catalysts import CATALYST_KEYS
from dashboard.queries import Scope

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

W1 = date(2026, 3, 2)


@pytest.fixture
def takeover(empty_store):
    """North: Ann manages weeks 1-9, Bob from week 10 (of 20). South: Cat throughout.
    Every week North answers 12 times with 4 (Ann's time) or 2 (Bob's time)."""
    org = OrgBuilder(empty_store, start=W1)
    sales, ops = org.department("Sales"), org.department("Ops")
    north = org.team("North", sales, headcount=12, manager="ann@example.com")
    south = org.team("South", ops, headcount=8, manager="cat@example.com")
    org.change(north, W1 + timedelta(weeks=9), manager="bob@example.com")
    for i in range(20):
        week = W1 + timedelta(weeks=i)
        org.answers(north, week, [4 if i < 9 else 2] * 12, comment=f"north week {i + 1}")
        org.answers(south, week, [5] * 6)
    org.save()
    return empty_store, org, north, south


def manager(org: OrgBuilder, email: str) -> Scope:
    return Scope.manager(org.users[email])


def test_a_manager_never_gets_another_managers_team(takeover):
    db, org, north, south = takeover
    ann = manager(org, "ann@example.com")
    assert queries.team_figure(db, ann, south, weeks(W1, 20)).responses == 0
    assert list(queries.team_table(db, ann, weeks(W1, 20)).team) == ["North"]
    assert set(queries.trends(db, ann, weeks(W1, 20)).clear_goals_mean.dropna()) == {4.0}
    cat = manager(org, "cat@example.com")
    assert queries.team_figure(db, cat, north, weeks(W1, 20)).responses == 0


def test_a_manager_who_took_over_in_week_ten_sees_nothing_of_weeks_one_to_nine(takeover):
    db, org, north, _ = takeover
    bob = manager(org, "bob@example.com")
    year = weeks(W1, 20)
    figure = queries.team_figure(db, bob, north, year)
    assert figure.responses == 11 * 12
    assert figure.mean("clear_goals") == 2.0  # not one of Ann's 4s
    by_round = queries.team_rounds(db, bob, north, year)
    assert list(by_round.responses) == [0] * 9 + [12] * 11
    assert by_round.clear_goals_mean.iloc[:9].isna().all()
    assert queries.team_figure(db, bob, north, weeks(W1, 9)).responses == 0
    assert set(queries.comments(db, bob, year)) == {f"north week {i}" for i in range(10, 21)}
    ann = manager(org, "ann@example.com")
    assert queries.team_figure(db, ann, north, year).mean("clear_goals") == 4.0


def test_hr_sees_both_managers_of_a_team(takeover):
    db, _, north, _ = takeover
    assert queries.team_figure(db, Scope.hr(), north, weeks(W1, 20)).responses == 240


def test_a_change_made_mid_week_counts_from_the_next_full_week(empty_store):
    org = OrgBuilder(empty_store, start=W1)
    team = org.team("North", org.department("Sales"), headcount=8, manager="ann@example.com")
    org.change(team, W1 + timedelta(weeks=1, days=2), manager="bob@example.com")  # a Wednesday
    for i in range(3):
        org.answers(team, W1 + timedelta(weeks=i), [3] * 5)
    org.save()
    bob = Scope.manager(org.users["bob@example.com"])
    assert list(queries.team_rounds(empty_store, bob, team, weeks(W1, 3)).responses) == [0, 0, 5]


def test_hr_limited_to_departments_sees_only_those(takeover):
    db, org, north, south = takeover
    sales_only = Scope.hr(frozenset({org.departments["Sales"]}))
    assert list(queries.team_table(db, sales_only, weeks(W1, 20)).team) == ["North"]
    ops = {org.departments["Ops"]}
    assert queries.departments_figure(db, sales_only, weeks(W1, 20), ops).responses == 0
    assert queries.team_figure(db, sales_only, south, weeks(W1, 20)).responses == 0
    assert list(queries.department_table(db, sales_only, weeks(W1, 20)).department) == ["Sales"]


def test_self_vs_team_uses_only_rounds_with_both(empty_store):
    org = OrgBuilder(empty_store, start=W1)
    team = org.team("North", org.department("Sales"), headcount=8, manager="ann@example.com")
    # Team clear_goals by week: 3.0, 4.0, 5.0 (6 answers each).
    for i, value in enumerate([3, 4, 5]):
        org.answers(team, W1 + timedelta(weeks=i), [value] * 6)
    # Ann checks in weeks 1 and 2 only, rating herself 5 then 4.
    org.checkin(team, W1, "ann@example.com", clear_goals=5, autonomy=3)
    org.checkin(team, W1 + timedelta(weeks=1), "ann@example.com", clear_goals=4)
    org.save()
    ann_id = org.users["ann@example.com"]
    table = queries.self_vs_team(
        empty_store, Scope.manager(ann_id), ann_id, team, weeks(W1, 3)
    ).set_index("catalyst")
    # Self: (5 + 4) / 2 = 4.5; team over weeks 1-2 only: (3*6 + 4*6) / 12 = 3.5; gap 1.0
    row = table.loc["clear_goals"]
    assert (row.self_score, row.team_mean, row.gap) == (4.5, 3.5, 1.0)
    assert row.gap_kind == "blind_spot" and row.rounds == 2 and row.team_answers == 12
    # Autonomy: a self score in week 1, but no team answers to autonomy at all.
    assert table.loc["autonomy", "rounds"] == 0
    assert pd.isna(table.loc["autonomy", "gap"])


def test_another_managers_self_vs_team_is_empty_for_a_manager(empty_store):
    org = OrgBuilder(empty_store, start=W1)
    team = org.team("North", org.department("Sales"), headcount=8, manager="ann@example.com")
    org.answers(team, W1, [4] * 6)
    org.checkin(team, W1, "ann@example.com", clear_goals=5)
    org.user("eve@example.com")
    org.save()
    eve = Scope.manager(org.users["eve@example.com"])
    ann_id = org.users["ann@example.com"]
    table = queries.self_vs_team(empty_store, eve, ann_id, team, weeks(W1, 1))
    assert table.team_answers.eq(0).all()


def test_limited_hr_sees_checkins_only_for_weeks_in_scope(empty_store):
    """North moves from Sales to Ops in week 10 under the same manager, who checks in
    every week: HR for Ops sees her check-ins of weeks 10-20 only, on the page's view
    and in its files; HR for Sales those of weeks 1-9; unlimited HR all of them."""
    org = OrgBuilder(empty_store, start=W1)
    sales, ops = org.department("Sales"), org.department("Ops")
    north = org.team("North", sales, headcount=8, manager="ann@example.com")
    moved = W1 + timedelta(weeks=9)
    org.change(north, moved, department_id=ops)
    for i in range(20):
        week = W1 + timedelta(weeks=i)
        rating = 1 if week < moved else 5
        org.checkin(north, week, "ann@example.com", **dict.fromkeys(CATALYST_KEYS, rating))
    org.save()
    ann, period, today = org.users["ann@example.com"], weeks(W1, 20), W1 + timedelta(weeks=19)

    def seen_by(departments):
        view = manager_detail.collect(
            empty_store, Scope.hr(departments), ann, north, period, today=today
        )
        files = manager_detail.sheets(view, with_notes=False)["Check-ins"]
        return view, files

    ops_view, ops_file = seen_by(frozenset({ops}))
    assert {entry.week for entry in ops_view.history} == set(ops_view.self_by_week.week)
    assert min(ops_view.self_by_week.week) == moved and len(ops_view.self_by_week) == 11
    assert set(ops_view.self_by_week.clear_goals) == {5}
    assert list(ops_file.Week) == [entry.week for entry in ops_view.history]
    assert ops_view.streak == 11
    assert "checked in 11 of 20 weeks" in " ".join(manager_detail.findings(ops_view, "Ann"))

    sales_view, _ = seen_by(frozenset({sales}))
    assert max(sales_view.self_by_week.week) < moved and len(sales_view.history) == 9
    assert sales_view.streak == 0  # this week North is not in Sales

    everything, _ = seen_by(None)
    assert len(everything.history) == len(everything.self_by_week) == 20

    # The overview's "no check-in lately" list: each HR sees the last check-in of a week
    # in which the team was theirs.
    with empty_store.reading() as cursor:
        later = today + timedelta(weeks=4)
        for_ops = checkins.stale(cursor, [north], later, departments=frozenset({ops}))
        for_sales = checkins.stale(cursor, [north], later, departments=frozenset({sales}))
    assert list(for_ops.last_check_in) == [today]
    assert list(for_sales.last_check_in) == [moved - timedelta(weeks=1)]
