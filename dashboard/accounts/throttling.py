"""Slowing down password guessing, per client (clients.py): after a few failures within
a window, each further attempt from that client waits longer.

Two counts, and an attempt waits for the longer of them:

* per client and account: FREE_FAILURES failures for one email from one client.
  Guesses from elsewhere never make the account's owner wait, so nobody can keep
  someone else locked out; a success from that client ends the count.
* per client across accounts: CLIENT_FREE_FAILURES failures for any emails, so one
  client cannot try a password against many accounts (or random emails, each costing
  a password hash). A success does not end this one: signing in to one's own account
  must not buy more guesses at others.

An attempt that must wait is refused before any password is hashed and writes
nothing. Attempts are kept for a day (ATTEMPTS_KEPT), pruned as new ones are written.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb

FREE_FAILURES = 5  # failed sign-ins per client and email within THROTTLE_WINDOW


CLIENT_FREE_FAILURES = 20  # failed sign-ins per client, any emails, within THROTTLE_WINDOW


THROTTLE_WINDOW = timedelta(minutes=15)


THROTTLE_CAP = timedelta(minutes=15)


ATTEMPTS_KEPT = timedelta(days=1)


def throttle_wait(
    cursor: duckdb.DuckDBPyConnection, client: str, key: str, now: datetime
) -> timedelta:
    """How long ``client`` must wait before its next attempt at ``key`` (an email)."""
    return max(_account_wait(cursor, client, key, now), _client_wait(cursor, client, now))


def _account_wait(
    cursor: duckdb.DuckDBPyConnection, client: str, key: str, now: datetime
) -> timedelta:
    failures = cursor.execute(
        """
        SELECT attempted_at FROM sign_in_attempts
        WHERE client = $1 AND email = $2 AND outcome = 'failure' AND attempted_at > $3
          AND attempted_at > coalesce((SELECT max(attempted_at) FROM sign_in_attempts
                                       WHERE client = $1 AND email = $2
                                         AND outcome = 'success'), $3)
        ORDER BY attempted_at
        """,
        [client, key, now - ATTEMPTS_KEPT],
    ).fetchall()
    return throttle_delay([at for (at,) in failures], now)


def _client_wait(cursor: duckdb.DuckDBPyConnection, client: str, now: datetime) -> timedelta:
    failures = cursor.execute(
        "SELECT attempted_at FROM sign_in_attempts "
        "WHERE client = ? AND outcome = 'failure' AND attempted_at > ? ORDER BY attempted_at",
        [client, now - ATTEMPTS_KEPT],
    ).fetchall()
    return throttle_delay([at for (at,) in failures], now, free=CLIENT_FREE_FAILURES)


def throttle_delay(
    failures: list[datetime], now: datetime, *, free: int = FREE_FAILURES
) -> timedelta:
    """The wait owed after these failed attempts (oldest first, since the last success).

    ``free`` failures within THROTTLE_WINDOW start a streak: from then on each
    failure makes the next attempt wait twice as long as the one before (1, 2, 4,
    8 minutes, then THROTTLE_CAP). A streak ends with THROTTLE_WINDOW of quiet after
    its wait is over. Attempts refused while waiting are not failures (they are not
    even stored), so hammering does not stretch a wait.
    """
    streak: list[datetime] = []
    for at in failures:
        streak = [*_alive_at(streak, at, free), at]
    streak = _alive_at(streak, now, free)
    if not streak:
        return timedelta(0)
    return max(streak[-1] + _wait_after(len(streak), free) - now, timedelta(0))


def _alive_at(streak: list[datetime], at: datetime, free: int) -> list[datetime]:
    """The part of a failure streak that still counts at ``at``."""
    if not streak:
        return streak
    if at - (streak[-1] + _wait_after(len(streak), free)) > THROTTLE_WINDOW:
        return []
    if len(streak) < free:  # not throttled yet: a sliding window
        return [t for t in streak if at - t <= THROTTLE_WINDOW]
    return streak


def _wait_after(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 10)  # past the cap anyway; 2**n minutes would overflow
    return min(timedelta(minutes=2**doublings), THROTTLE_CAP)


def wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"Too many failed attempts: try again in {minutes} minute{'s' if minutes > 1 else ''}."


def record_attempt(
    cursor: duckdb.DuckDBPyConnection, client: str, key: str, outcome: str, now: datetime
) -> None:
    """Store a success or failure, and drop attempts too old to count any more."""
    cursor.execute("DELETE FROM sign_in_attempts WHERE attempted_at < ?", [now - ATTEMPTS_KEPT])
    cursor.execute(
        "INSERT INTO sign_in_attempts (client, email, attempted_at, outcome) VALUES (?, ?, ?, ?)",
        [client, key, now, outcome],
    )
