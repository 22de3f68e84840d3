"""The outbox table: every message Catalyst writes, from queued to sent.

A message's life: ``queued`` (due at ``due_at``) -> ``sending`` (taken by the sender,
committed before the server is contacted) -> ``sent``. A temporary failure puts it back
to ``queued`` with a later ``due_at`` (``backoff``); a permanent one, or the last
attempt, leaves it ``failed`` with the reason, for Admin to retry. ``cancelled``: there
was nothing left to say when it fell due (the account was deactivated, the person turned
that kind of mail off, the results were withdrawn).

A message found ``sending`` when the sender starts was interrupted: the server may or
may not have accepted it (a crash between its 250 OK and the mark), so it is queued again
and the log says it may arrive twice. That is the one case that can repeat a message.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from dashboard import store
from dashboard.mail.addresses import MailError, check_address

log = logging.getLogger("catalyst.mail")

KINDS = {
    "invitation": "Invitation",
    "password_reset": "Password reset",
    "checkin_reminder": "Check-in reminder",
    "manager_digest": "Manager's weekly digest",
    "hr_digest": "HR's weekly digest",
    "test": "Test message",
    "pulse_invitation": "Pulse invitation",
    "pulse_reminder": "Pulse reminder",
}
# Kinds that wait for working time in the organization's zone (mail/hours.py).
WORKING_TIME_ONLY = frozenset({"checkin_reminder", "manager_digest", "hr_digest",
                               "pulse_reminder"})  # fmt: skip
STATES = ("queued", "sending", "sent", "failed", "cancelled")
MAX_ATTEMPTS = 8  # 1 + 2 + 4 + ... + 64 minutes of waiting: about two hours
LONGEST_WAIT = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most
    an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), LONGEST_WAIT)


@dataclass(frozen=True)
class Message:
    message_id: int
    kind: str
    user_id: int | None
    recipient: str
    payload: dict
    attempts: int
    created_at: datetime


def enqueue(
    cursor: duckdb.DuckDBPyConnection,
    kind: str,
    recipient: str,
    payload: dict,
    *,
    now: datetime,
    user_id: int | None = None,
    due_at: datetime | None = None,
    once_key: str | None = None,
) -> int | None:
    """Queue one message in the caller's transaction; its id, or None when a message with
    the same ``once_key`` was queued before (it goes out once). MailError for an address
    that is not one."""
    assert kind in KINDS, kind
    check_address(recipient)
    rows = cursor.execute(
        "INSERT INTO outbox (kind, user_id, recipient, payload, once_key, created_at, due_at, "
        "state) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued') ON CONFLICT (once_key) DO NOTHING "
        "RETURNING message_id",
        [kind, user_id, recipient, json.dumps(payload), once_key, now, due_at or now],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def enqueue_new(
    cursor: duckdb.DuckDBPyConnection,
    planned: list[tuple[str, int, str, dict, str]],
    *,
    now: datetime,
) -> dict[str, int]:
    """Queue, in one statement, the planned messages (kind, user_id, recipient, payload,
    once_key) not queued before; how many of each kind were new. Planning runs every
    minute, so most are known already. An address mail cannot use is left out (and
    logged): one odd account must not stop everyone's mail."""
    usable = []
    for message in planned:
        assert message[0] in KINDS, message[0]
        try:
            check_address(message[2])
        except MailError as problem:
            log.warning("mail: no %s for account %s: %s", message[0], message[1], problem)
            continue
        usable.append(message)
    planned = usable
    if not planned:
        return {}
    frame = pd.DataFrame(
        [(k, None if u is None else int(u), r, json.dumps(p), key) for k, u, r, p, key in planned],
        columns=["kind", "user_id", "recipient", "payload", "once_key"],
    ).astype({"user_id": "Int64"})  # typed even when no message has an account
    with store.registered(cursor, "planned_messages", frame):
        rows = cursor.execute(
            "INSERT INTO outbox (kind, user_id, recipient, payload, once_key, created_at, "
            "due_at, state) SELECT kind, user_id, recipient, payload, once_key, $1, $1, "
            "'queued' FROM planned_messages p WHERE NOT EXISTS (SELECT 1 FROM outbox o "
            "WHERE o.once_key = p.once_key) ON CONFLICT (once_key) DO NOTHING RETURNING kind",
            [now],
        ).fetchall()
    found: dict[str, int] = {}
    for (kind,) in rows:
        found[kind] = found.get(kind, 0) + 1
    return found


def due(
    cursor: duckdb.DuckDBPyConnection, now: datetime, limit: int = 100
) -> list[tuple[int, str]]:
    """Queued messages whose time has come, oldest first: (message_id, kind)."""
    rows = cursor.execute(
        "SELECT message_id, kind FROM outbox WHERE state = 'queued' AND due_at <= ? "
        "ORDER BY due_at, message_id LIMIT ?",
        [now, limit],
    ).fetchall()
    return [(int(message_id), kind) for message_id, kind in rows]


def postpone(
    cursor: duckdb.DuckDBPyConnection,
    message_ids: list[int],
    until: datetime,
    reason: str | None = None,
) -> None:
    """Queued messages wait until ``until`` (working time, or a server that can be used
    again), their attempts untouched; ``reason`` says why to Admin."""
    cursor.execute(
        "UPDATE outbox SET due_at = ?, last_error = coalesce(?, last_error) "
        "WHERE state = 'queued' AND message_id IN (SELECT unnest(?::BIGINT[]))",
        [until, reason, message_ids],
    )


def release(cursor: duckdb.DuckDBPyConnection, message_id: int) -> None:
    """A taken message back to ``queued``, its attempt not counted (the server, not the
    message, failed)."""
    cursor.execute(
        "UPDATE outbox SET state = 'queued', attempts = attempts - 1 "
        "WHERE message_id = ? AND state = 'sending'",
        [message_id],
    )


def next_due(cursor: duckdb.DuckDBPyConnection) -> datetime | None:
    (when,) = cursor.execute("SELECT min(due_at) FROM outbox WHERE state = 'queued'").fetchone()
    return when


def take(cursor: duckdb.DuckDBPyConnection, message_id: int) -> Message | None:
    """Mark a queued message ``sending`` (one more attempt); None when it is not queued
    any more (retried, cancelled or taken meanwhile)."""
    rows = cursor.execute(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1 "
        "WHERE message_id = ? AND state = 'queued' "
        "RETURNING message_id, kind, user_id, recipient, payload, attempts, created_at",
        [message_id],
    ).fetchall()
    if not rows:
        return None
    message_id, kind, user_id, recipient, payload, attempts, created_at = rows[0]
    return Message(message_id, kind, user_id, recipient, json.loads(payload), attempts, created_at)


def mark_sent(cursor: duckdb.DuckDBPyConnection, message_id: int, now: datetime) -> None:
    cursor.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE message_id = ?",
        [now, message_id],
    )


def mark_failed(
    cursor: duckdb.DuckDBPyConnection,
    message: Message,
    reason: str,
    *,
    now: datetime,
    permanent: bool,
) -> bool:
    """Record a failed attempt: try again after ``backoff``, or stop (a permanent refusal,
    or the last attempt). True when the message stopped (``failed``)."""
    stop = permanent or message.attempts >= MAX_ATTEMPTS
    cursor.execute(
        "UPDATE outbox SET state = ?, last_error = ?, due_at = ? WHERE message_id = ?",
        [
            "failed" if stop else "queued",
            reason,
            now if stop else now + backoff(message.attempts),
            message.message_id,
        ],
    )
    return stop


def cancel(cursor: duckdb.DuckDBPyConnection, message_id: int, reason: str) -> None:
    cursor.execute(
        "UPDATE outbox SET state = 'cancelled', last_error = ? WHERE message_id = ?",
        [reason, message_id],
    )


def interrupted(cursor: duckdb.DuckDBPyConnection, now: datetime) -> list[Message]:
    """Messages left ``sending`` by a sender that stopped: queued again, due now."""
    rows = cursor.execute(
        "UPDATE outbox SET state = 'queued', due_at = ? WHERE state = 'sending' "
        "RETURNING message_id, kind, user_id, recipient, payload, attempts, created_at",
        [now],
    ).fetchall()
    return [Message(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]


def retry(cursor: duckdb.DuckDBPyConnection, message_ids: list[int], now: datetime) -> int:
    """Failed messages queued again, due now, with a fresh count of attempts."""
    rows = cursor.execute(
        "UPDATE outbox SET state = 'queued', due_at = ?, attempts = 0 "
        "WHERE state = 'failed' AND message_id IN (SELECT unnest(?::BIGINT[])) "
        "RETURNING message_id",
        [now, message_ids],
    ).fetchall()
    return len(rows)


def counts(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = cursor.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    found = dict(rows)
    return {state: int(found.get(state, 0)) for state in STATES}


def listing(
    cursor: duckdb.DuckDBPyConnection, state: str | None = None, limit: int = 500
) -> pd.DataFrame:
    """The newest messages (of one state), as Admin lists them."""
    return cursor.execute(
        "SELECT message_id, kind, recipient, state, created_at, due_at, sent_at, attempts, "
        "last_error FROM outbox WHERE CAST(? AS VARCHAR) IS NULL OR state = ? "
        "ORDER BY message_id DESC LIMIT ?",
        [state, state, limit],
    ).df()


def paused_managers(cursor: duckdb.DuckDBPyConnection, ignored: int = 4) -> pd.DataFrame:
    """Managers whose last ``ignored`` check-in reminders all went unanswered (no check-in
    for any week they were reminded of, nor since): no more reminders go to them until
    they check in again. user_id, manager, since (the week of the first of them)."""
    return cursor.execute(
        """
        WITH reminded AS (
            SELECT user_id, CAST(json_extract_string(payload, '$.week') AS DATE) AS week,
                   row_number() OVER (PARTITION BY user_id ORDER BY sent_at DESC) AS newest
            FROM outbox WHERE kind = 'checkin_reminder' AND state = 'sent')
        SELECT r.user_id, u.display_name AS manager, min(r.week) AS since
        FROM reminded r JOIN users u USING (user_id)
        WHERE r.newest <= ? GROUP BY ALL
        HAVING count(*) = ? AND NOT EXISTS (
            SELECT 1 FROM checkins c WHERE c.manager_id = r.user_id AND c.week >= min(r.week))
        ORDER BY manager
        """,
        [ignored, ignored],
    ).df()
