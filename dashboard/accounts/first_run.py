"""The first run: a database without accounts makes its first admin with a one-time
setup code printed on the server's console."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import duckdb

from dashboard import store
from dashboard.accounts.passwords import check_password, hash_password
from dashboard.accounts.sessions import digest, start_session
from dashboard.accounts.signing_in import SignInResult
from dashboard.accounts.throttling import record_attempt, throttle_wait
from dashboard.accounts.users import (
    AccountError,
    check_email,
    create_user,
    has_accounts,
    user_by_id,
)
from dashboard.store import Store

SETUP_CODE_KEY = "(first-run setup code)"  # throttle key for setup-code guesses


ALREADY_SET_UP = "Catalyst already has accounts; sign in instead."


def new_setup_code(db: Store, *, now: datetime) -> str:
    """A fresh one-time code for creating the first admin; replaces any earlier one."""
    code = "-".join(
        "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
        for _ in range(3)
    )
    with db.transaction() as cursor:
        store.set_meta(cursor, "setup_code_hash", digest(code.replace("-", "")))
        store.record_audit(cursor, "setup_code.issued", "", at=now, actor="catalyst run")
    return code


def has_setup_code(cursor: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        cursor.execute("SELECT count(*) FROM meta WHERE key = 'setup_code_hash'").fetchall()[0][0]
    )


def create_first_admin(
    db: Store, *, code: str, email: str, name: str, password: str, client: str, now: datetime
) -> SignInResult:
    """Create the first admin when the setup code is right; refuse otherwise.

    AccountError for a bad email or password (nothing is written); a result
    without a token, throttled like sign-in, for a wrong code. Throttled per client
    (clients.py): strangers guessing elsewhere never make the console's holder wait.
    The code is checked before the password is hashed, so a guess costs no hash.
    """
    email = check_email(email)
    check_password(password, email, name)
    entered = digest(re.sub(r"[\s-]", "", code).upper())
    with db.reading() as cursor:
        if has_accounts(cursor):
            raise AccountError(ALREADY_SET_UP)
        wait = throttle_wait(cursor, client, SETUP_CODE_KEY, now)
        right = not wait and _is_setup_code(cursor, entered)
    if wait:
        return SignInResult(wait=wait)
    if not right:
        with db.transaction() as cursor:
            record_attempt(cursor, client, SETUP_CODE_KEY, "failure", now)
            store.record_audit(cursor, "setup_code.failure", email, at=now, actor=email)
            return SignInResult(wait=throttle_wait(cursor, client, SETUP_CODE_KEY, now))
    password_hash = hash_password(password)
    with db.transaction() as cursor:
        if has_accounts(cursor):  # someone else was quicker
            raise AccountError(ALREADY_SET_UP)
        if not _is_setup_code(cursor, entered):  # the server was restarted meanwhile
            raise AccountError("The setup code has changed: copy the new one from the console.")
        user_id = create_user(
            cursor,
            email,
            {"admin"},
            password_hash=password_hash,
            now=now,
            display_name=name.strip() or None,
        )
        cursor.execute("DELETE FROM meta WHERE key = 'setup_code_hash'")
        store.record_audit(cursor, "first_admin.created", email, at=now, user_id=user_id)
        token = start_session(cursor, user_id, now, via="password")
        return SignInResult(token=token, user=user_by_id(cursor, user_id))


def _is_setup_code(cursor: duckdb.DuckDBPyConnection, entered: str) -> bool:
    stored = cursor.execute("SELECT value FROM meta WHERE key = 'setup_code_hash'").fetchall()
    return bool(stored) and hmac.compare_digest(stored[0][0], entered)
