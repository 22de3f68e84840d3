"""Rounds of each cadence are unions of whole weeks; Python and SQL agree."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import rounds
from dashboard.rounds import CADENCES, Period

mondays = st.integers(-600, 900).map(lambda n: date(2024, 1, 1) + timedelta(weeks=n))


@given(st.lists(mondays, min_size=1, max_size=40), st.sampled_from(CADENCES))
def test_python_and_sql_put_every_week_in_the_same_round(weeks, cadence):
    connection = duckdb.connect()
    sql = rounds.round_sql(cadence, "week")
    found = connection.execute(
        f"SELECT week, {sql} FROM unnest(?::DATE[]) AS t(week)",  # noqa: S608
        [weeks],
    ).fetchall()
    for week, in_sql in found:
        assert in_sql == rounds.round_of(week, cadence), (week, cadence)


@given(mondays, st.sampled_from(CADENCES))
def test_a_round_is_whole_consecutive_weeks_that_name_it(week, cadence):
    start = rounds.round_of(week, cadence)
    weeks = rounds.weeks_in(start, cadence)
    assert week in weeks
    assert all(w.weekday() == 0 for w in weeks)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(weeks, weeks[1:], strict=False))
    expected = {"weekly": {1}, "fortnightly": {2}, "monthly": {4, 5}, "quarterly": {12, 13, 14}}
    assert len(weeks) in expected[cadence]
    assert rounds.next_round(start, cadence) == rounds.round_of(
        weeks[-1] + timedelta(weeks=1), cadence
    )
    assert rounds.previous_round(rounds.next_round(start, cadence), cadence) == start


def test_monthly_rounds_follow_the_thursday_of_each_week():
    # Mon 29 Dec 2025 - Sun 4 Jan 2026: its Thursday is 1 Jan, so it is January's.
    assert rounds.round_of(date(2025, 12, 29), "monthly") == date(2026, 1, 1)
    # Mon 30 Nov 2026: Thursday 3 Dec -> December.
    assert rounds.round_of(date(2026, 11, 30), "monthly") == date(2026, 12, 1)
    assert rounds.round_of(date(2026, 11, 23), "quarterly") == date(2026, 10, 1)


def test_labels_people_read():
    assert rounds.round_label(date(2026, 11, 23), "weekly") == "Week of 23 Nov 2026"
    assert rounds.round_label(date(2026, 11, 1), "monthly") == "Nov 2026"
    assert rounds.round_label(date(2026, 10, 1), "quarterly") == "Q4 2026"


def test_last_rounds_end_with_the_round_of_the_latest_week():
    period = Period.last_rounds(date(2026, 11, 25), 4, "weekly")
    assert period.rounds == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert (period.first_week, period.last_week) == (date(2026, 11, 2), date(2026, 11, 23))
    assert period.before().rounds[-1] == date(2026, 10, 26)
    assert len(period.before().rounds) == 4
    months = Period.last_rounds(date(2026, 11, 23), 3, "monthly")
    assert months.rounds == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert months.label == "Sep 2026 – Nov 2026"


def test_a_period_must_be_whole_rounds():
    with pytest.raises(ValueError, match="does not start a month"):
        Period(date(2026, 11, 3), date(2026, 12, 1), "monthly")
    with pytest.raises(ValueError, match="must not come after"):
        Period(date(2026, 11, 23), date(2026, 11, 16), "weekly")
