"""HR's overview on real DuckDB files: the read API's new questions (self vs team for
everyone, real changes per team, check-in completion) and the overview's order and
heatmap, against hand-built organizations and the demo."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from fixtures import TODAY, OrgBuilder

from dashboard import charts, checkins, measures, overview, queries
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.queries import Scope
from dashboard.rounds import Period

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

W1 = date(2026, 3, 2)
W2 = W1 + timedelta(weeks=1)
ALL = Scope.hr(None)


def one_week(week: date) -> Period:
    return Period.last_rounds(week, 1, "weekly")


@pytest.fixture
def drop(empty_store):
    """North's clear goals fall from 100% to 0% favorable; South's stay at 60%."""
    org = OrgBuilder(empty_store)
    sales = org.department("Sales")
    north = org.team("North", sales, headcount=10, manager="ann@example.com")
    south = org.team("South", sales, headcount=10, manager="bob@example.com")
    org.answers(north, W1, [5] * 10)
    org.answers(north, W2, [1] * 10)
    org.answers(south, W1, [5] * 6 + [2] * 4)
    org.answers(south, W2, [4] * 6 + [1] * 4)
    org.save()
    return empty_store, north, south


def test_a_team_whose_favorable_share_collapses_is_a_real_drop_and_a_steady_one_is_not(drop):
    db, north, south = drop
    changes = queries.team_changes(db, ALL, one_week(W2)).set_index("team_id")
    assert list(changes["item"]) == ["clear_goals", "clear_goals"]  # the only item answered
    assert changes.loc[north, "points"] == pytest.approx(-100)
    assert bool(changes.loc[north, "real"])
    assert changes.loc[south, "points"] == pytest.approx(0)
    assert not bool(changes.loc[south, "real"])


def test_the_org_figures_change_is_compared_item_by_item(drop):
    db, *_ = drop
    now = queries.departments_figure(db, ALL, one_week(W2), {1})
    before = queries.departments_figure(db, ALL, one_week(W1), {1})
    changes = measures.item_changes(now.items, before.items)
    assert changes["clear_goals"].points == pytest.approx(30 - 80)
    assert changes["clear_goals"].real
    assert changes["autonomy"].points is None  # nobody answered it: nothing to compare
    assert not changes["autonomy"].real


def test_check_in_completion_counts_the_teams_whose_manager_checked_in(empty_store):
    org = OrgBuilder(empty_store)
    sales = org.department("Sales")
    north = org.team("North", sales, headcount=10, manager="ann@example.com")
    south = org.team("South", sales, headcount=10, manager="bob@example.com")
    org.checkin(north, W1, "ann@example.com", clear_goals=4)
    org.save()
    with empty_store.reading() as cursor:
        assert checkins.completion(cursor, [north, south], W1) == (1, 2)
        assert checkins.completion(cursor, [north], W1) == (1, 1)
        assert checkins.completion(cursor, [north, south], W2) == (0, 2)
        # Two finished weeks after Ann's check-in she is still in time; Bob never was.
        quiet = checkins.stale(cursor, [north, south], W1 + timedelta(weeks=2, days=1))
        assert list(quiet.team) == ["South"]
        assert quiet.last_check_in.isna().all()
        later = checkins.stale(cursor, [north, south], W1 + timedelta(weeks=3, days=1))
        assert list(later.team) == ["South", "North"]  # never first, then the longest silence
        assert later.last_check_in.iloc[1] == W1


def test_self_vs_team_for_everyone_matches_each_managers_own_comparison(demo_store):
    period = Period.last_rounds(queries.latest_week(demo_store, TODAY), 4, "weekly")
    everyone = queries.self_vs_team_all(demo_store, ALL, period)
    pairs = everyone[["manager_id", "team_id"]].drop_duplicates()
    assert len(pairs) >= 10
    for manager_id, team_id in pairs.itertuples(index=False):
        own = queries.self_vs_team(demo_store, ALL, int(manager_id), int(team_id), period)
        mine = everyone[(everyone.manager_id == manager_id) & (everyone.team_id == team_id)]
        expected = own.dropna(subset=["gap"]).set_index("catalyst")
        assert set(mine.catalyst) == set(expected.index)
        for row in mine.itertuples():
            assert row.self_score == pytest.approx(expected.loc[row.catalyst, "self_score"])
            assert row.team_mean == pytest.approx(expected.loc[row.catalyst, "team_mean"])
            assert row.team_answers == expected.loc[row.catalyst, "team_answers"]


def test_an_hr_scope_of_two_departments_keeps_every_part_of_the_overview_inside_it(demo_store):
    with demo_store.reading() as cursor:
        names = queries.departments(cursor)
        chosen = frozenset(names.department_id[:2])
        assert list(queries.departments(cursor, chosen).name) == list(names.name[:2])
    period = Period.last_rounds(queries.latest_week(demo_store, TODAY), 4, "weekly")
    view = overview.collect(demo_store, Scope.hr(chosen), period, today=TODAY)
    everything = overview.collect(demo_store, ALL, period, today=TODAY)
    assert set(view.teams.department_id) == set(chosen)
    assert len(view.teams) < len(everything.teams)
    inside = set(view.teams.team_id)
    assert set(view.self_team.team_id) <= inside
    assert set(view.team_changes.team_id) <= inside
    assert set(view.stale.team) <= set(view.teams.team)
    assert view.checked_in[1] == len(inside)
    assert view.figure == queries.departments_figure(demo_store, ALL, period, set(chosen))


@pytest.fixture
def demo_view(demo_store):
    period = Period.last_rounds(queries.latest_week(demo_store, TODAY), 4, "weekly")
    return overview.collect(demo_store, ALL, period, today=TODAY)


def test_by_department_the_map_keeps_departments_together_weakest_team_first(demo_view):
    rows = overview.ordered(demo_view.teams, "favorable_pct", "department")
    departments = list(rows.department)
    assert departments == sorted(departments)  # one block per department
    for _, block in rows.groupby("department", sort=False):
        weakest = list(block.weakest.dropna())
        assert weakest == sorted(weakest)
        assert block.weakest.isna().sum() == 0 or pd.isna(block.weakest.iloc[-1])


def test_ranked_orders_put_teams_that_cannot_be_shown_last(demo_view):
    for sort in ("weakest", "overall"):
        rows = overview.ordered(demo_view.teams, "favorable_pct", sort)
        values = list(rows[sort])
        shown = [v for v in values if pd.notna(v)]
        assert shown == sorted(shown)
        assert pd.isna(values[-1])  # the demo's team too small to show
        assert rows.status.iloc[-1] == "team_too_small"


def test_the_heatmap_greys_out_teams_that_cannot_be_shown_and_says_why(demo_view):
    rows = overview.ordered(demo_view.teams, "favorable_pct", "department")
    trace = charts.heatmap(rows, "favorable_pct", 5, grouped=True).data[0]
    hidden = list(rows.status).index("team_too_small")
    assert all(value is None for value in trace.z[hidden])
    assert all(text == "" for text in trace.text[hidden])
    assert "not shown: team smaller than the minimum group size" in trace.customdata[hidden][0][1]
    shown = list(rows.status).index("shown")
    assert trace.text[shown][0] == f"{rows.clear_goals_favorable_pct.iloc[shown]:.0f}"
    assert "% favorable (n=" in trace.customdata[shown][0][1]


def test_the_heatmap_rules_off_and_names_each_department(demo_view):
    rows = overview.ordered(demo_view.teams, "favorable_pct", "department")
    figure = charts.heatmap(rows, "mean", 5, grouped=True)
    departments = rows.department.nunique()
    assert [a.text for a in figure.layout.annotations] == [
        f"<b>{charts.text(name)}</b>" for name in rows.department.unique()
    ]
    assert len(figure.layout.shapes) == departments - 1
    assert figure.data[0].zmid == 3  # means diverge around the scale's middle
    ranked = charts.heatmap(rows, "favorable_pct", 5, grouped=False)
    assert not ranked.layout.annotations and not ranked.layout.shapes
    assert ranked.data[0].zmid == 50


def test_a_large_map_keeps_every_team_on_its_own_row_without_printed_values(demo_view):
    many = pd.concat([demo_view.teams] * 5, ignore_index=True)  # same names, 60 rows
    trace = charts.heatmap(many, "favorable_pct", 5, grouped=False).data[0]
    assert len(trace.z) == len(trace.y) == 60
    assert trace.text is None  # too many cells to print values legibly


def test_associations_need_three_teams_and_say_on_how_many_they_stand(demo_view):
    found = demo_view.associations.set_index("catalyst")
    assert list(found.index) == list(CATALYST_KEYS)
    assert (found.n == demo_view.reporting).all()
    teams = demo_view.teams
    expected = teams.clear_goals_favorable_pct.corr(teams.progress_favorable_pct)
    assert found.loc["clear_goals", "r"] == pytest.approx(expected)
    few = overview.associations(teams.head(2))
    assert few.r.isna().all()


def test_trends_cover_every_item_and_round_of_the_period(demo_view):
    assert len(demo_view.trends) == 4
    assert {f"{k}_favorable_pct" for k in ITEM_KEYS} <= set(demo_view.trends.columns)
