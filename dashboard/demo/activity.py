"""What the demo organization did: survey responses, weekly check-ins with notes,
wins and setbacks, drawn from the levels."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.demo.organization import GeneratedOrg
from dashboard.demo.words import CHECKIN_NOTES, COMMENTS_BAD, COMMENTS_GOOD, SETBACKS, WINS


def _days_open(weeks: pd.DatetimeIndex, today: date) -> np.ndarray:
    """Days of each week on which responses can exist (the current week only up to today)."""
    days = np.full(len(weeks), 7)
    days[-1] = today.weekday() + 1
    return days


def generate_responses(org: GeneratedOrg, today: date, rng: np.random.Generator) -> pd.DataFrame:
    n_teams, n_weeks, n_items = org.levels.shape
    headcount = np.repeat(org.headcount[:, None], n_weeks, axis=1)
    participation = rng.uniform(0.8, 0.98, size=(n_teams, 1))
    participation[0] = 0.95
    days_open = _days_open(org.weeks, today)
    share_open = np.minimum(1.0, days_open / 5)[None, :]
    counts = rng.binomial(headcount, np.clip(participation * share_open, 0, 1))
    team_idx = np.repeat(np.repeat(np.arange(n_teams), n_weeks), counts.ravel())
    week_idx = np.repeat(np.tile(np.arange(n_weeks), n_teams), counts.ravel())
    rows = len(team_idx)

    answers = org.levels[team_idx, week_idx] + rng.normal(0, 0.85, size=(rows, n_items))
    answers = np.clip(np.rint(answers), 1, 5).astype(np.float32)
    answers[rng.random((rows, n_items)) < 0.012] = np.nan  # skipped questions

    day = np.floor(rng.random(rows) * days_open[week_idx]).astype(int)
    seconds = rng.integers(8 * 3600, 19 * 3600, size=rows)
    week_start = org.weeks.values[week_idx]
    submitted = week_start + (day * 86400 + seconds).astype("timedelta64[s]")

    commented = np.flatnonzero(rng.random(rows) < 0.07)
    upbeat = answers[commented, :-1].mean(axis=1) >= 3.5  # NaN (a skipped answer) reads as not
    comment = np.full(rows, None, dtype=object)
    comment[commented] = np.where(
        upbeat,
        np.array(COMMENTS_GOOD, dtype=object)[
            rng.integers(len(COMMENTS_GOOD), size=len(commented))
        ],
        np.array(COMMENTS_BAD, dtype=object)[rng.integers(len(COMMENTS_BAD), size=len(commented))],
    )

    frame = pd.DataFrame(
        {
            "row_no": np.arange(rows),
            "team_id": team_idx + 1,
            "submitted_at": submitted,
            "week": week_start,
            "comment": comment,
        }
    )
    for i, key in enumerate(ITEM_KEYS):
        frame[key] = answers[:, i]
    return frame


def generate_checkins(
    org: GeneratedOrg, today: date, rng: np.random.Generator, now: datetime
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n_teams, n_weeks, _ = org.levels.shape
    diligence = rng.uniform(0.55, 0.97, size=len(org.self_bias))  # by user_id
    diligence[3] = 0.97
    due = np.ones((n_teams, n_weeks), dtype=bool)
    if today.weekday() < 3:  # the current week is checked in from Thursday on
        due[:, -1] = False
    chance = diligence[org.manager_of]
    done = due & (rng.random((n_teams, n_weeks)) < chance)
    done[0, -2:] = False  # manager@example.com: last week and this week still to do

    team_idx, week_idx = np.nonzero(done)
    manager = org.manager_of[team_idx, week_idx]
    bias = org.self_bias[manager]
    level = org.levels[team_idx, week_idx, : len(CATALYST_KEYS)]
    ratings = np.clip(np.rint(level + bias + rng.normal(0, 0.45, size=level.shape)), 1, 5)
    ratings = ratings.astype(np.uint8)
    # Managers tend to pick the catalyst they rate lowest as next week's focus.
    focus_idx = np.where(
        rng.random(len(ratings)) < 0.7,
        np.argmin(ratings + rng.random(ratings.shape) * 0.5, axis=1),
        rng.integers(len(CATALYST_KEYS), size=len(ratings)),
    )
    week_start = org.weeks.values[week_idx]
    saved_at = week_start + np.timedelta64(4, "D") + np.timedelta64(16, "h")
    saved_at = np.minimum(saved_at, np.datetime64(now))
    checkins = pd.DataFrame(
        {
            "manager_id": manager,
            "team_id": team_idx + 1,
            "week": week_start,
            "focus": np.array(CATALYST_KEYS)[focus_idx],
            "saved_at": saved_at,
        }
    )
    for i, key in enumerate(CATALYST_KEYS):
        checkins[key] = ratings[:, i]

    with_note = rng.random(len(checkins)) < 0.25
    note_catalyst = np.array(CATALYST_KEYS)[rng.integers(len(CATALYST_KEYS), size=len(checkins))]
    notes = checkins.loc[with_note, ["manager_id", "team_id", "week"]].assign(
        catalyst=note_catalyst[with_note]
    )
    notes["note"] = notes.catalyst.map(CHECKIN_NOTES)

    team_progress = org.levels[team_idx, week_idx, -1]
    wins = rng.poisson(np.clip(team_progress - 2.2, 0.2, None))
    setbacks = rng.poisson(np.clip(4.2 - team_progress, 0.1, None) * 0.6)
    entries = _progress_entries(checkins, wins, setbacks, rng)
    return checkins, notes, entries


COMMITMENT_WEEKS = 8  # the demo's managers have been committing to actions this long


def generate_commitments(checkins: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One or two of the suggested actions per recent check-in, each answered (done, or
    not yet) in the same manager's next check-in of the team, when there is one."""
    from dashboard.focus import actions_for

    ordered = checkins.sort_values(["manager_id", "team_id", "week"], kind="stable")
    following = ordered.groupby(["manager_id", "team_id"]).week.shift(-1)
    recent = ordered.week >= ordered.week.max() - np.timedelta64(7 * (COMMITMENT_WEEKS - 1), "D")
    made = ordered[recent].assign(answered_week=following[recent])
    counts = rng.integers(1, 3, size=len(made))
    rows = []
    for (manager_id, team_id, week, key, answered), count in zip(
        made[["manager_id", "team_id", "week", "focus", "answered_week"]].itertuples(
            index=False, name=None
        ),
        counts,
        strict=True,
    ):
        for action in actions_for(key, pd.Timestamp(week).date())[:count]:
            rows.append((manager_id, team_id, week, action, key, answered))
    frame = pd.DataFrame(
        rows, columns=["manager_id", "team_id", "week", "action", "catalyst", "answered_week"]
    )
    frame["done"] = np.where(frame.answered_week.notna(), rng.random(len(frame)) < 0.65, None)
    return frame


def _progress_entries(
    checkins: pd.DataFrame, wins: np.ndarray, setbacks: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    parts = []
    for kind, counts, texts in (("win", wins, WINS), ("setback", setbacks, SETBACKS)):
        rows = np.repeat(np.arange(len(checkins)), counts)
        source = checkins.iloc[rows]
        parts.append(
            pd.DataFrame(
                {
                    "team_id": source.team_id.to_numpy(),
                    "week": source.week.to_numpy(),
                    "kind": kind,
                    "description": np.array(texts)[rng.integers(len(texts), size=len(rows))],
                    "source": "checkin",
                    "created_by": source.manager_id.to_numpy(),
                    "created_at": source.saved_at.to_numpy(),
                }
            )
        )
    entries = pd.concat(parts, ignore_index=True).sort_values(
        ["week", "team_id", "kind"], kind="stable", ignore_index=True
    )
    entries.insert(0, "entry_id", np.arange(1, len(entries) + 1))
    return entries
