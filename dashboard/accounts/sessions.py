"""Sessions live in the database. The browser holds a random token in an HttpOnly
cookie; the database holds only its SHA-256. Every script run looks the session up
again, so ending a session, deactivating a user or changing roles takes effect at the
user's next interaction. One-time tickets carry a new session to the cookie route."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import duckdb

from dashboard import store
from dashboard.accounts.users import User
from dashboard.settings import SessionPolicy
from dashboard.store import Store

TICKET_LIFETIME = timedelta(seconds=60)


TOUCH_EVERY = timedelta(seconds=60)  # how stale last_seen_at may get before it is written


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    cursor: duckdb.DuckDBPyConnection, user_id: int, now: datetime, *, via: str
) -> str:
    token = secrets.token_urlsafe(32)
    cursor.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", [digest(token), user_id, via, now, now]
    )
    return token


def session_user(
    db: Store, token: str | None, *, now: datetime, policy: SessionPolicy
) -> User | None:
    """The active user a session token belongs to, or None (ended, expired, deactivated)."""
    if not token:
        return None
    key = digest(token)
    with db.reading() as cursor:  # one query: it runs on every rerun of every page
        row = cursor.execute(
            "SELECT s.user_id, s.created_at, s.last_seen_at, u.active, u.email, "
            "u.display_name, list(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL) "
            "FROM sessions s JOIN users u USING (user_id) LEFT JOIN user_roles r USING (user_id) "
            "WHERE s.token_hash = ? GROUP BY ALL",
            [key],
        ).fetchall()
    if not row:
        return None
    user_id, created_at, last_seen_at, active, email, name, roles = row[0]
    user = User(int(user_id), email, name, True, frozenset(roles or ())) if active else None
    expired = now - last_seen_at > policy.idle or now - created_at > policy.max_age
    if user is None or expired or not user.roles:
        with db.transaction() as cursor:
            cursor.execute("DELETE FROM sessions WHERE token_hash = ?", [key])
        return None
    if now - last_seen_at > TOUCH_EVERY:
        with db.transaction() as cursor:
            cursor.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, key])
    return user


def end_session(db: Store, token: str | None, *, now: datetime) -> None:
    if not token:
        return
    with db.transaction() as cursor:
        ended = cursor.execute(
            "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id", [digest(token)]
        ).fetchall()
        if ended:
            store.record_audit(cursor, "sign_out", "", at=now, user_id=ended[0][0])


def issue_ticket(
    db: Store, token: str, next_path: str, *, browser: str | None, now: datetime
) -> str:
    """A one-time ticket the cookie route exchanges for this session (see server.py), bound
    to ``browser``: the pre-session cookie of the browser that signed in. Without one
    the ticket opens nothing (the tab keeps its session in server memory only)."""
    ticket = secrets.token_urlsafe(32)
    with db.transaction() as cursor:
        cursor.execute("DELETE FROM sign_in_tickets WHERE created_at < ?", [now - TICKET_LIFETIME])
        cursor.execute(
            "INSERT INTO sign_in_tickets (ticket_hash, token_hash, browser_hash, next_path, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            [digest(ticket), digest(token), digest(browser) if browser else None, next_path, now],
        )
    return ticket


def redeem_ticket(
    db: Store, ticket: str, *, browser: str | None, now: datetime
) -> tuple[str, str] | None:
    """Exchange a ticket, once, within its lifetime and in the browser it was issued to,
    for (new session token, next path). Any other use burns it.

    The binding stops login CSRF: a ticket link an attacker got for their own
    account cannot sign a victim's browser in as the attacker. The session gets a
    new token here: the one the sign-in page held never reaches the browser.
    """
    with db.transaction() as cursor:
        row = cursor.execute(
            "DELETE FROM sign_in_tickets WHERE ticket_hash = ? "
            "RETURNING token_hash, browser_hash, next_path, created_at",
            [digest(ticket)],
        ).fetchall()
        if not row:
            return None
        old_hash, browser_hash, next_path, created_at = row[0]
        if now - created_at > TICKET_LIFETIME or not _same_browser(browser_hash, browser):
            return None
        session = cursor.execute(
            "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id, via, created_at",
            [old_hash],
        ).fetchall()
        if not session:
            return None
        user_id, via, created_at = session[0]
        token = secrets.token_urlsafe(32)
        cursor.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
            [digest(token), user_id, via, created_at, now],
        )
    return token, next_path


def _same_browser(browser_hash: str | None, browser: str | None) -> bool:
    return bool(browser_hash and browser) and hmac.compare_digest(browser_hash, digest(browser))
