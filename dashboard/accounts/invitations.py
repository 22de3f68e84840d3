"""One-time invitation links that let a person set their password (first time or a
reset). Only the SHA-256 of a code is kept; a new invitation replaces the old one.

Two ways out: by e-mail (dashboard/mail/invitations.py: a message is queued in the outbox
and its code, ``new_code``, is made only when it is sent), or as links an admin copies and
sends themselves (``invite``: the break-glass path, and the only one while no mail server
is set up)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import duckdb

from dashboard import store
from dashboard.accounts.passwords import check_password, hash_password
from dashboard.accounts.sessions import digest, start_session
from dashboard.accounts.users import AccountError, User, existing_user, user_by_id
from dashboard.store import Store

INVITATION_LIFETIME = timedelta(days=14)


def invite(
    db: Store,
    user_ids: list[int],
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> dict[int, str]:
    """A one-time code per user (also a password reset), replacing any earlier one.
    The codes are returned once; the database keeps only their hashes."""
    codes = {}
    with db.transaction() as cursor:
        for user_id in user_ids:
            user = existing_user(cursor, user_id)
            if not user.active:
                raise AccountError(f"{user.email} is deactivated; reactivate them first.")
            codes[user_id] = new_code(cursor, user_id, now=now, by=by)
            store.record_audit(cursor, "user.invite", user.email, at=now, user_id=by, actor=actor)
    return codes


def new_code(
    cursor: duckdb.DuckDBPyConnection,
    user_id: int,
    *,
    now: datetime,
    by: int | None,
    replace: bool = True,
) -> str:
    """A fresh one-time code for the user, replacing any earlier one (unless ``replace``
    is false: a reset anyone can ask for must not end the link an admin just sent); only
    its hash is stored. Returned once, to go into a link."""
    code = secrets.token_urlsafe(24)
    if replace:
        cursor.execute("DELETE FROM invitations WHERE user_id = ?", [user_id])
    cursor.execute(
        "INSERT INTO invitations VALUES (?, ?, ?, ?, ?)",
        [digest(code), user_id, now, now + INVITATION_LIFETIME, by],
    )
    return code


def drop_code(cursor: duckdb.DuckDBPyConnection, code: str) -> None:
    """Forget a code whose message never went out."""
    cursor.execute("DELETE FROM invitations WHERE code_hash = ?", [digest(code)])


def live_invitations(cursor: duckdb.DuckDBPyConnection, now: datetime) -> dict[int, datetime]:
    """Who has an invitation that still works (unused, unexpired), and until when."""
    rows = cursor.execute(
        "SELECT user_id, max(expires_at) FROM invitations WHERE expires_at > ? GROUP BY user_id",
        [now],
    ).fetchall()
    return {int(user_id): until for user_id, until in rows}


def invited_user(db: Store, code: str, *, now: datetime) -> User | None:
    """Whom a code invites, while it is unused, unexpired and the user active."""
    with db.reading() as cursor:
        row = cursor.execute(
            "SELECT user_id FROM invitations WHERE code_hash = ? AND expires_at > ?",
            [digest(code), now],
        ).fetchall()
        user = user_by_id(cursor, row[0][0]) if row else None
    return user if user and user.active else None


def accept_invitation(db: Store, code: str, password: str, *, now: datetime) -> str:
    """Set the invited user's password, use the code up, and start their session."""
    user = invited_user(db, code, now=now)
    if user is None:
        raise AccountError(
            "This invitation link has expired or was already used. Ask your admin for a new one."
        )
    check_password(password, user.email, user.display_name)
    password_hash = hash_password(password)
    with db.transaction() as cursor:
        used = cursor.execute(
            "DELETE FROM invitations WHERE code_hash = ? RETURNING user_id", [digest(code)]
        ).fetchall()
        if not used:  # used in another tab a moment ago
            raise AccountError("This invitation link was already used.")
        cursor.execute(  # every other link of theirs ends with the password they chose
            "DELETE FROM invitations WHERE user_id = ?", [user.user_id]
        )
        cursor.execute(
            "UPDATE users SET password_hash = ? WHERE user_id = ?", [password_hash, user.user_id]
        )
        cursor.execute("DELETE FROM sessions WHERE user_id = ?", [user.user_id])
        store.record_audit(
            cursor,
            "user.password_set",
            "by invitation",
            at=now,
            user_id=user.user_id,
            actor=user.email,
        )
        return start_session(cursor, user.user_id, now, via="invitation")
