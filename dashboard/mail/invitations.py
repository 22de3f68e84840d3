"""Invitations and password resets by e-mail: a message is queued in the outbox, in one
transaction with its audit line, and its one-time code is made only when it is sent
(sender.py, accounts.new_code). The copy-a-link way stays in accounts.invite."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from dashboard import accounts, store
from dashboard.accounts import AccountError
from dashboard.mail import outbox
from dashboard.store import Store


def invite_by_mail(
    db: Store,
    user_ids: list[int],
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> list[str]:
    """Queue an invitation e-mail per user (no code yet: the sender makes it), in one
    transaction with the audit lines; the addresses invited."""
    with db.transaction() as cursor:
        return [queue(cursor, user_id, now=now, by=by, actor=actor) for user_id in user_ids]


def queue(
    cursor: duckdb.DuckDBPyConnection,
    user_id: int,
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> str:
    """Queue one person's invitation (a reset once they have a password) in the caller's
    transaction, with its audit line; their address."""
    user = accounts.existing_user(cursor, user_id)
    if not user.active:
        raise AccountError(f"{user.email} is deactivated; reactivate them first.")
    kind = "password_reset" if accounts.has_password(cursor, user_id) else "invitation"
    outbox.enqueue(cursor, kind, user.email, {"by": by}, now=now, user_id=user_id)
    store.record_audit(
        cursor, "user.invite", f"{user.email} (by e-mail)", at=now, user_id=by, actor=actor
    )
    return user.email


RESET_EVERY = timedelta(minutes=15)  # one reset e-mail per person per quarter hour at most


def request_reset(db: Store, email: str, *, now: datetime) -> None:
    """A password reset e-mail to an active account with that address and a password, if
    there is one. Says nothing either way: the page answers the same, so nobody learns who
    has an account. At most one such message per person per quarter hour; its link comes
    beside any other the person holds (a stranger asking must not end an admin's link),
    and choosing a password ends them all. Someone not yet invited is not invited by it."""
    with db.reading() as cursor:
        user = accounts.find_user(cursor, email)
        can_reset = user is not None and user.active and accounts.has_password(cursor, user.user_id)
    if not can_reset:
        return
    window = int(now.timestamp() // RESET_EVERY.total_seconds())
    with db.transaction() as cursor:
        queued = outbox.enqueue(
            cursor,
            "password_reset",
            user.email,
            {"by": None, "asked": True},
            now=now,
            user_id=user.user_id,
            once_key=f"reset:{user.user_id}:{window}",
        )
        if queued is not None:
            store.record_audit(
                cursor, "user.reset_requested", user.email, at=now, user_id=user.user_id
            )
