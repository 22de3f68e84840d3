"""HR's Needs support list on a hand-built organization: who is ranked, in what order,
with which reason in words, and that a team that cannot be shown never is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fixtures import OrgBuilder

from dashboard import overview, support
from dashboard.catalysts import CATALYST_KEYS
from dashboard.queries import Scope
from dashboard.rounds import Period

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

TODAY = date(2026, 11, 27)  # conftest pins the clock here: week of 23 Nov
WEEK = date(2026, 11, 9)  # a published round
ALL = Scope.hr(None)
AGREE = {key: 4 for key in (*CATALYST_KEYS, "progress")}
SELF = {key: 4 for key in CATALYST_KEYS}
BUT_HELP = {key: 4 for key in AGREE if key != "help"}


@pytest.fixture
def sales(empty_store):
    """North's team finds no help while Ann rates her help 5 (a blind spot); West's
    manager never checked in; South is fine; Tiny (3 people) is worst of all but can
    never be shown on its own."""
    org = OrgBuilder(empty_store)
    dept = org.department("Sales")
    north = org.team("North", dept, headcount=8, manager="ann@example.com")
    south = org.team("South", dept, headcount=8, manager="bob@example.com")
    west = org.team("West", dept, headcount=8, manager="dan@example.com")
    tiny = org.team("Tiny", dept, headcount=3, manager="carl@example.com")
    org.answers(north, WEEK, [1, 1, 2, 2, 2, 2], item="help", **BUT_HELP)
    org.answers(south, WEEK, [4] * 6, **AGREE)
    org.answers(west, WEEK, [4] * 6, **AGREE)
    org.answers(tiny, WEEK, [1] * 3, item="help", **{**BUT_HELP, "autonomy": 1})
    org.checkin(north, WEEK, "ann@example.com", **{**SELF, "help": 5})
    org.checkin(south, date(2026, 11, 23), "bob@example.com", **SELF)
    org.save()
    return empty_store, {"north": north, "south": south, "west": west, "tiny": tiny}


def collect(db):
    return overview.collect(db, ALL, Period.last_rounds(WEEK, 4, "weekly"), today=TODAY)


def test_managers_are_ranked_by_the_rule_with_the_reason_in_words(sales):
    db, teams = sales
    ranked = collect(db).needs_support
    assert list(ranked.team) == ["North", "West"]
    north, west = ranked.iloc[0], ranked.iloc[1]
    # Help: North 0 of 6 favorable against 12 of 18 for the organization (67%).
    assert north.reason == "Help 0% (-67 vs org), blind spot on Help"
    assert north.points == pytest.approx(6.7 + support.BLIND_SPOT)
    assert west.reason == "no check-in yet"
    assert west.manager == "Dan"
    assert ranked.team_id.tolist() == [teams["north"], teams["west"]]


def test_a_team_that_cannot_be_shown_is_never_ranked(sales):
    db, teams = sales
    view = collect(db)
    assert view.teams.set_index("team").loc["Tiny", "status"] != "shown"
    assert teams["tiny"] not in set(view.needs_support.team_id)
    assert "Tiny" not in " ".join(support.table(view.needs_support).Why)


def test_weeks_without_a_check_in_count_from_the_second():
    last = date(2026, 11, 2)  # then nothing for the weeks of 9 and 16 Nov
    assert support.missed_weeks(last, TODAY) == 2
    assert support.missed_weeks(last + timedelta(weeks=1), TODAY) == 1
    found = support.concerns(
        _row(help=41.0), _figure(help=50.0), [], {}, support.missed_weeks(last, TODAY)
    )
    assert [c.words for c in found] == ["no check-in for 2 weeks"]  # 9 below is not low


def test_low_catalysts_beyond_two_are_counted_and_drops_named_largest_first():
    row = _row(clear_goals=10.0, autonomy=20.0, resources=30.0, help=35.0)
    found = support.concerns(
        row, _figure(), [], {"progress": -7.0, "autonomy": -20.0}, None, "your departments"
    )
    assert ", ".join(c.words for c in found) == (
        "Clear goals 10% (-40 vs your departments), Autonomy 20% (-30 vs your departments), "
        "2 more catalysts below your departments, Autonomy fell 20 pts, Progress fell 7 pts, "
        "no check-in yet"
    )


def _row(**pcts: float) -> dict[str, float]:
    return {k: pcts.get(k, 50.0) for k in CATALYST_KEYS}


def _figure(**pcts: float):
    from dashboard.privacy import CellSum, ItemFigure

    items = {
        k: ItemFigure(answers=100, mean=3.0, favorable_pct=pcts.get(k, 50.0), favorable=50)
        for k in (*CATALYST_KEYS, "progress")
    }
    return CellSum(responses=100, items=items, left_out=False, cells=frozenset())
