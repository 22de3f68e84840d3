"""Signing in with a password or through single sign-on: one answer for every
failure, throttled, audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import duckdb

from dashboard import store
from dashboard.accounts.passwords import hash_password, needs_rehash, verify_password
from dashboard.accounts.sessions import start_session
from dashboard.accounts.throttling import record_attempt, throttle_wait, wait_message
from dashboard.accounts.users import User, find_user, normalize_email, user_by_id
from dashboard.store import Store

SIGN_IN_FAILED = "The email or password is not right. Check both and try again."


@dataclass(frozen=True)
class SignInResult:
    token: str | None = None  # the new session's token when signed in
    user: User | None = None
    wait: timedelta = timedelta(0)  # > 0 when refused for too many failures

    @property
    def message(self) -> str:
        if self.token:
            return ""
        return SIGN_IN_FAILED + (f" {wait_message(self.wait)}" if self.wait else "")


@cache
def _decoy_hash() -> str:
    # Checked against when the email is unknown, so both failures take as long.
    return hash_password(secrets.token_urlsafe(16))


def sign_in(db: Store, email: str, password: str, *, client: str, now: datetime) -> SignInResult:
    """Check a password sign-in from ``client`` (clients.py); on success start a session.
    Same answer for an unknown email, a wrong password and a deactivated account.

    A client that must wait is refused first, at the cost of one read: no password
    hash, no write (throttling.py)."""
    key = normalize_email(email)
    with db.reading() as cursor:
        wait = throttle_wait(cursor, client, key, now)
        if wait:
            return SignInResult(wait=wait)
        row = cursor.execute(
            "SELECT user_id, password_hash, active FROM users WHERE email = ?", [key]
        ).fetchall()
    user_id, stored, active = row[0] if row else (None, None, False)
    matches = verify_password(stored or _decoy_hash(), password) and stored is not None
    signed_in = matches and active
    upgraded = hash_password(password) if signed_in and needs_rehash(stored) else None
    with db.transaction() as cursor:
        record_attempt(cursor, client, key, "success" if signed_in else "failure", now)
        store.record_audit(
            cursor,
            "sign_in.success" if signed_in else "sign_in.failure",
            "account deactivated" if matches and not active else "",
            at=now,
            user_id=user_id,
            actor=key,
        )
        if not signed_in:
            return SignInResult(wait=_wait_after_failure(cursor, client, key, now))
        if upgraded:
            cursor.execute(
                "UPDATE users SET password_hash = ? WHERE user_id = ?", [upgraded, user_id]
            )
        token = start_session(cursor, user_id, now, via="password")
        return SignInResult(token=token, user=user_by_id(cursor, user_id))


def _wait_after_failure(
    cursor: duckdb.DuckDBPyConnection, client: str, key: str, now: datetime
) -> timedelta:
    """The wait this failure starts, audited once per failure that starts or lengthens
    one (refused attempts are not audited one by one: that would let anyone fill the log)."""
    wait = throttle_wait(cursor, client, key, now)
    if wait:
        store.record_audit(cursor, "sign_in.throttled", wait_message(wait), at=now, actor=key)
    return wait


SSO_NOT_SET_UP = "Your account is not set up in Catalyst — ask your HR admin."


def sso_sign_in(
    db: Store, email: str | None, *, provider: str, verified: bool, now: datetime
) -> str | None:
    """Start a session for the identity a single sign-on provider vouched for: an active
    user with that email (compared without case). Roles are Catalyst's, never the
    token's. None, audited, for anyone else."""
    key = normalize_email(email or "")
    with db.reading() as cursor:
        user = find_user(cursor, key) if key else None
    refused = None
    if not verified:
        refused = "email not verified by the provider"
    elif user is None:
        refused = "no account with this email"
    elif not user.active or not user.roles:
        refused = "account deactivated"
    with db.transaction() as cursor:
        if refused:
            store.record_audit(
                cursor,
                "sign_in.failure",
                f"single sign-on ({provider}): {refused}",
                at=now,
                user_id=user.user_id if user else None,
                actor=key or "(no email)",
            )
            return None
        store.record_audit(
            cursor,
            "sign_in.success",
            f"single sign-on ({provider})",
            at=now,
            user_id=user.user_id,
            actor=key,
        )
        return start_session(cursor, user.user_id, now, via=f"sso:{provider}")
