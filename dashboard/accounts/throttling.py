"""Slowing down password guessing: after a few failures for an account within a
window, each further attempt waits longer."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb

FREE_FAILURES = 5  # failed sign-ins per email within THROTTLE_WINDOW before waits begin


THROTTLE_WINDOW = timedelta(minutes=15)


THROTTLE_CAP = timedelta(minutes=15)


def throttle_wait(cursor: duckdb.DuckDBPyConnection, key: str, now: datetime) -> timedelta:
    """How long ``key`` (an email) must wait before its next sign-in attempt."""
    failures = cursor.execute(
        """
        SELECT attempted_at FROM sign_in_attempts
        WHERE email = $1 AND outcome = 'failure' AND attempted_at > $2
          AND attempted_at > coalesce((SELECT max(attempted_at) FROM sign_in_attempts
                                       WHERE email = $1 AND outcome = 'success'), $2)
        ORDER BY attempted_at
        """,
        [key, now - timedelta(days=1)],
    ).fetchall()
    return throttle_delay([at for (at,) in failures], now)


def throttle_delay(failures: list[datetime], now: datetime) -> timedelta:
    """The wait owed after these failed attempts (oldest first, since the last success).

    FREE_FAILURES failures within THROTTLE_WINDOW start a streak: from then on
    each failure makes the next attempt wait twice as long as the one before
    (1, 2, 4, 8 minutes, then THROTTLE_CAP). A streak ends with a success or
    with THROTTLE_WINDOW of quiet after its wait is over. Attempts refused
    while waiting are not failures, so nobody can stretch someone else's wait
    by hammering their email.
    """
    streak: list[datetime] = []
    for at in failures:
        streak = [*_alive_at(streak, at), at]
    streak = _alive_at(streak, now)
    if not streak:
        return timedelta(0)
    return max(streak[-1] + _wait_after(len(streak)) - now, timedelta(0))


def _alive_at(streak: list[datetime], at: datetime) -> list[datetime]:
    """The part of a failure streak that still counts at ``at``."""
    if not streak:
        return streak
    if at - (streak[-1] + _wait_after(len(streak))) > THROTTLE_WINDOW:
        return []
    if len(streak) < FREE_FAILURES:  # not throttled yet: a sliding window
        return [t for t in streak if at - t <= THROTTLE_WINDOW]
    return streak


def _wait_after(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (failures - FREE_FAILURES)), THROTTLE_CAP)


def wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"Too many failed attempts: try again in {minutes} minute{'s' if minutes > 1 else ''}."


def record_attempt(cursor, key: str, outcome: str, now: datetime) -> None:
    cursor.execute("INSERT INTO sign_in_attempts VALUES (?, ?, ?)", [key, now, outcome])
