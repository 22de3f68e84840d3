"""The weekly check-in: which weeks are open, what is refused, saving twice, reading back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from fixtures import OrgBuilder

from dashboard import checkins, focus, queries
from dashboard.catalysts import CATALYST_KEYS
from dashboard.checkins import Checkin, CheckinError

# Store-level: every test here runs on a DuckDB file and on PostgreSQL (server mode).
pytestmark = pytest.mark.both_engines

MONDAY = date(2026, 11, 23)
LAST_MONDAY = MONDAY - timedelta(weeks=1)
NOW = datetime(2026, 11, 24, 10)
ALL_FOURS = dict.fromkeys(CATALYST_KEYS, 4)


@pytest.mark.parametrize(
    ("today", "open_", "due"),
    [
        (MONDAY, [MONDAY, LAST_MONDAY], LAST_MONDAY),
        (MONDAY + timedelta(days=2), [MONDAY, LAST_MONDAY], LAST_MONDAY),  # Wednesday
        (MONDAY + timedelta(days=3), [MONDAY], MONDAY),  # Thursday: last week has closed
        (MONDAY + timedelta(days=6), [MONDAY], MONDAY),
    ],
    ids=["monday", "wednesday", "thursday", "sunday"],
)
def test_which_weeks_are_open_and_which_is_due(today, open_, due):
    assert checkins.open_weeks(today) == open_
    assert checkins.due_week(today) == due


@pytest.fixture
def team(empty_store):
    org = OrgBuilder(empty_store, start=MONDAY - timedelta(weeks=20))
    sales = org.department("Sales")
    north = org.team("North", sales, headcount=8, manager="ann@example.com")
    south = org.team("South", sales, headcount=8, manager="bob@example.com")
    org.save()
    return empty_store, org.users["ann@example.com"], north, south


def test_saving_twice_keeps_one_check_in_with_the_latest_values(team):
    db, ann, north, _ = team
    first = Checkin(
        north,
        MONDAY,
        dict(ALL_FOURS),
        {"help": "Paired Lee with Sam"},
        "help",
        ["Shipped it"],
        ["Build broke"],
    )
    checkins.save(db, ann, first, today=MONDAY, now=NOW)
    second = Checkin(
        north,
        MONDAY,
        ALL_FOURS | {"help": 2},
        {"autonomy": "Let them choose"},
        "autonomy",
        ["Shipped it", "Closed a bug"],
        [],
    )
    checkins.save(db, ann, second, today=MONDAY, now=NOW)
    checkins.save(db, ann, second, today=MONDAY, now=NOW)
    with db.reading() as cursor:
        saved = checkins.load(cursor, ann, north, MONDAY)
        stored = cursor.execute("SELECT count(*) FROM checkins").fetchall()[0][0]
        logged = cursor.execute("SELECT count(*) FROM progress_entries").fetchall()[0][0]
    assert stored == 1 and logged == 2
    assert saved.ratings["help"] == 2 and saved.focus == "autonomy"
    assert saved.notes == {"autonomy": "Let them choose"}
    assert (saved.wins, saved.setbacks) == (["Shipped it", "Closed a bug"], [])


def test_commitments_saved_again_are_kept_once_with_the_latest_focus(team):
    """A check-in saved twice with the same commitment (the load test found PostgreSQL
    refusing the second save's upsert): one row, the latest catalyst."""
    db, ann, north, _ = team
    promise = "Ask every person what slows them down"
    for chosen in ("help", "obstacle_removal"):
        entry = Checkin(north, MONDAY, dict(ALL_FOURS), {}, chosen, commitments=[promise])
        checkins.save(db, ann, entry, today=MONDAY, now=NOW)
    with db.reading() as cursor:
        rows = cursor.execute("SELECT action, catalyst FROM commitments").fetchall()
    assert rows == [(promise, "obstacle_removal")]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"ratings": ALL_FOURS | {"respect": None}}, "missing: Respect & recognition"),
        ({"ratings": ALL_FOURS | {"help": 6}}, "Help: the rating must be 1 to 5, not 6"),
        ({"week": LAST_MONDAY - timedelta(weeks=1)}, "is closed"),
        ({"notes": {"help": "x" * 281}}, "Help, what I did: 281 characters"),
        ({"wins": ["ok", "y" * 201]}, "Small wins, line 2: 201 characters"),
        ({"setbacks": ["s"] * 21}, "Setbacks: 21 entries"),
        ({"focus": "vision"}, "Focus for next week: unknown catalyst"),
    ],
)
def test_refusals_name_the_field_and_save_nothing(team, change, problem):
    db, ann, north, _ = team
    values = {"team_id": north, "week": MONDAY, "ratings": dict(ALL_FOURS)} | change
    with pytest.raises(CheckinError) as refusal:
        checkins.save(db, ann, Checkin(**values), today=MONDAY, now=NOW)
    assert any(problem in p for p in refusal.value.problems), refusal.value.problems
    with db.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM checkins").fetchall() == [(0,)]


def test_a_manager_cannot_check_in_for_another_managers_team(team):
    db, ann, _, south = team
    with pytest.raises(CheckinError, match="do not lead this team"):
        checkins.save(db, ann, Checkin(south, MONDAY, dict(ALL_FOURS)), today=MONDAY, now=NOW)


def test_last_week_closes_after_wednesday(team):
    db, ann, north, _ = team
    thursday = MONDAY + timedelta(days=3)
    with pytest.raises(CheckinError, match="is closed"):
        checkins.save(
            db, ann, Checkin(north, LAST_MONDAY, dict(ALL_FOURS)), today=thursday, now=NOW
        )
    checkins.save(db, ann, Checkin(north, LAST_MONDAY, dict(ALL_FOURS)), today=MONDAY, now=NOW)


def test_streak_and_reminder(team):
    db, ann, north, _ = team
    for weeks_back in (1, 2, 3, 5):  # a gap four weeks back
        week = MONDAY - timedelta(weeks=weeks_back)
        checkins.save(db, ann, Checkin(north, week, dict(ALL_FOURS)), today=week, now=NOW)
    with db.reading() as cursor:
        assert checkins.streak(cursor, ann, north, MONDAY) == 3  # this week not done yet
        assert checkins.missing(cursor, ann, MONDAY).empty  # last week is done
        thursday = MONDAY + timedelta(days=3)
        assert list(checkins.missing(cursor, ann, thursday).team) == ["North"]
    checkins.save(db, ann, Checkin(north, MONDAY, dict(ALL_FOURS)), today=MONDAY, now=NOW)
    with db.reading() as cursor:
        assert checkins.streak(cursor, ann, north, MONDAY) == 4
        assert checkins.missing(cursor, ann, MONDAY + timedelta(days=3)).empty


def test_self_scores_leave_weeks_without_a_check_in_out(team):
    db, ann, north, _ = team
    checkins.save(db, ann, Checkin(north, LAST_MONDAY, dict(ALL_FOURS)), today=MONDAY, now=NOW)
    with db.reading() as cursor:
        frame = checkins.self_scores(cursor, ann, north, LAST_MONDAY - timedelta(weeks=3), MONDAY)
    assert list(frame.week) == [LAST_MONDAY]


def test_entries_are_one_per_line():
    assert checkins.entries("  Shipped it \n\n Fixed the bug\n") == ["Shipped it", "Fixed the bug"]


def comparison(**gaps) -> pd.DataFrame:
    rows = []
    for key in CATALYST_KEYS:
        gap = gaps.get(key)
        kind = "blind_spot" if gap and gap >= 1 else None
        rows.append(
            {
                "catalyst": key,
                "self_score": 3 + (gap or 0),
                "team_mean": 3.0,
                "team_answers": 20,
                "rounds": 4,
                "gap": gap,
                "gap_kind": kind,
            }
        )
    return pd.DataFrame(rows)


def test_focus_goes_to_the_largest_blind_spot_first():
    suggestion = focus.suggest(
        comparison(help=1.2, obstacle_removal=1.5), {"autonomy": 10.0}, {}, MONDAY
    )
    assert suggestion.catalyst == "obstacle_removal"
    assert suggestion.reason == (
        "Your largest blind spot. You rate Obstacle removal 4.5; your team 3.0 (20 answers, "
        "in the 4 rounds with your check-ins)."
    )
    assert 2 <= len(suggestion.actions) <= 3


def test_focus_without_blind_spots_goes_to_the_least_favorable_catalyst():
    suggestion = focus.suggest(comparison(), {"autonomy": 35.0, "help": 60.0}, {}, MONDAY)
    assert suggestion.catalyst == "autonomy"
    assert "least favorably: 35%" in suggestion.reason


def test_focus_before_any_team_data_follows_the_managers_own_ratings():
    own = {"respect": 2.0, "help": 4.0}
    assert focus.suggest(comparison(), {}, own, MONDAY).catalyst == "respect"
    assert focus.suggest(comparison(), {}, {}, MONDAY).catalyst == "clear_goals"


def test_actions_change_from_week_to_week():
    first = focus.actions_for("help", MONDAY)
    assert first != focus.actions_for("help", MONDAY + timedelta(weeks=1))
    assert len(set(first)) == 3


def test_a_check_in_renews_the_cached_views_that_read_it_and_no_others(team):
    """Cache keys (queries.version_key): Ann's check-in changes what HR's overview and
    Ann's own views are keyed on, while Bob's My team and the overview's survey figures
    stay cached — on a Monday morning of check-ins, nobody else's page goes cold."""
    db, ann, north, _ = team
    bob = ann + 1  # another manager's id: keys only, no rows needed
    keys = {
        "everything": lambda: queries.version_key(db),
        "ann": lambda: queries.version_key(db, manager_id=ann),
        "bob": lambda: queries.version_key(db, manager_id=bob),
        "survey": lambda: queries.version_key(db, checkins=False),
    }
    before = {name: key() for name, key in keys.items()}
    checkins.save(db, ann, Checkin(north, MONDAY, dict(ALL_FOURS), {}, "help", ["A win"], []),
                  today=MONDAY, now=NOW)  # fmt: skip
    changed = {name for name, key in keys.items() if key() != before[name]}
    assert changed == {"everything", "ann"}
