"""Users, roles, passwords, sign-in and sessions. No Streamlit here: the CLI,
the server routes and tests use it too.

Passwords are hashed with argon2id at OWASP's minimum parameters (19 MiB,
2 iterations, parallelism 1): about 20 ms a hash here, which keeps sign-in
quick while making guessing expensive.

Sessions live in the database. The browser holds a random token in an
HttpOnly cookie; the database holds only its SHA-256. Every script run looks
the session up again, so ending a session, deactivating a user or changing
roles takes effect at the user's next interaction.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

from dashboard import store
from dashboard.settings import SessionPolicy
from dashboard.store import Store

ROLES = ("manager", "hr", "admin")
ROLE_LABELS = {"manager": "Manager", "hr": "HR", "admin": "Admin"}
MIN_PASSWORD_LENGTH = 12

SIGN_IN_FAILED = "The email or password is not right. Check both and try again."
FREE_FAILURES = 5  # failed sign-ins per email within THROTTLE_WINDOW before waits begin
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_CAP = timedelta(minutes=15)
TICKET_LIFETIME = timedelta(seconds=60)
TOUCH_EVERY = timedelta(seconds=60)  # how stale last_seen_at may get before it is written
SETUP_CODE_KEY = "(first-run setup code)"  # throttle key for setup-code guesses

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    display_name: str
    active: bool
    roles: frozenset[str]


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def hash_password_with_salt(password: str, salt: bytes) -> str:
    """A reproducible hash, for the demo database only (its password is public anyway)."""
    return hash_secret(
        password.encode(),
        salt,
        time_cost=_HASHER.time_cost,
        memory_cost=_HASHER.memory_cost,
        parallelism=_HASHER.parallelism,
        hash_len=_HASHER.hash_len,
        type=Type.ID,
    ).decode()


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalized email, or AccountError saying what is wrong with it."""
    normalized = normalize_email(email)
    if not _EMAIL.match(normalized):
        raise AccountError(f"{email!r} is not an email address (expected name@example.com)")
    return normalized


def check_password(password: str, email: str | None = None) -> None:
    """AccountError unless the password is long enough and not an obvious guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )
    lowered = password.lower()
    local = normalize_email(email).split("@")[0] if email else ""
    if (
        lowered in _common_passwords()
        or len(set(lowered)) <= 2
        or (len(local) >= 4 and local in lowered)
    ):
        raise AccountError(
            "That password is too easy to guess (it is a common one, or made of your email). "
            "A few unrelated words make a strong one."
        )


@cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))  # fmt: skip


def display_name_from_email(email: str) -> str:
    """'ada.lovelace@example.com' -> 'Ada Lovelace'."""
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email


def create_user(
    cursor: duckdb.DuckDBPyConnection,
    email: str,
    roles: set[str] | frozenset[str],
    *,
    password_hash: str | None,
    now: datetime,
    display_name: str | None = None,
) -> int:
    """Add an active user with these roles; refuses an email that is taken."""
    email = check_email(email)
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise AccountError(f"roles must be among {', '.join(ROLES)}; got {sorted(roles)}")
    if find_user(cursor, email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    (user_id,) = cursor.execute(
        "INSERT INTO users (email, display_name, password_hash, created_at) "
        "VALUES (?, ?, ?, ?) RETURNING user_id",
        [email, display_name or display_name_from_email(email), password_hash, now],
    ).fetchone()
    cursor.execute(
        "INSERT INTO user_roles SELECT ?, unnest(?::VARCHAR[])", [user_id, sorted(roles)]
    )
    return int(user_id)


def find_user(cursor: duckdb.DuckDBPyConnection, email: str) -> User | None:
    row = cursor.execute(
        "SELECT u.user_id, u.email, u.display_name, u.active, "
        "       list(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL) "
        "FROM users u LEFT JOIN user_roles r USING (user_id) "
        "WHERE u.email = ? GROUP BY ALL",
        [normalize_email(email)],
    ).fetchone()
    if row is None:
        return None
    user_id, email, name, active, roles = row
    return User(int(user_id), email, name, bool(active), frozenset(roles or ()))


def assign_team(
    cursor: duckdb.DuckDBPyConnection, team_id: int, manager_id: int, since: date
) -> None:
    """Make ``manager_id`` the team's manager from ``since`` on, keeping history.

    The team's department and headcount carry over from the facts in force on
    that date; facts that start later are left as they are.
    """
    current = cursor.execute(
        "SELECT department_id, headcount FROM team_history "
        "WHERE team_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
        [team_id, since, since],
    ).fetchone()
    if current is None:
        raise AccountError("That team has no department yet; add it to the roster first.")
    cursor.execute(
        "INSERT INTO team_facts VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, valid_from) "
        "DO UPDATE SET manager_id = excluded.manager_id",
        [team_id, since, current[0], manager_id, current[1]],
    )


def user_by_id(cursor: duckdb.DuckDBPyConnection, user_id: int) -> User | None:
    email = cursor.execute("SELECT email FROM users WHERE user_id = ?", [user_id]).fetchall()
    return find_user(cursor, email[0][0]) if email else None


def hr_departments(cursor: duckdb.DuckDBPyConnection, user_id: int) -> frozenset[int] | None:
    """The departments an HR user is limited to, or None for all of them."""
    rows = cursor.execute(
        "SELECT department_id FROM hr_departments WHERE user_id = ?", [user_id]
    ).fetchall()
    return frozenset(d for (d,) in rows) if rows else None


def has_accounts(cursor: duckdb.DuckDBPyConnection) -> bool:
    return cursor.execute("SELECT count(*) FROM users").fetchall()[0][0] > 0


# ---- throttling ----------------------------------------------------------------------------


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


def _record_attempt(cursor, key: str, outcome: str, now: datetime) -> None:
    cursor.execute("INSERT INTO sign_in_attempts VALUES (?, ?, ?)", [key, now, outcome])


# ---- signing in ----------------------------------------------------------------------------


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


def sign_in(db: Store, email: str, password: str, *, now: datetime) -> SignInResult:
    """Check a password sign-in; on success start a session. Same answer for
    an unknown email, a wrong password and a deactivated account."""
    key = normalize_email(email)
    with db.reading() as cursor:
        wait = throttle_wait(cursor, key, now)
        row = cursor.execute(
            "SELECT user_id, password_hash, active FROM users WHERE email = ?", [key]
        ).fetchall()
    if wait:
        with db.transaction() as cursor:
            _record_attempt(cursor, key, "throttled", now)
            store.record_audit(cursor, "sign_in.throttled", key, at=now, actor=key)
        return SignInResult(wait=wait)
    user_id, stored, active = row[0] if row else (None, None, False)
    matches = verify_password(stored or _decoy_hash(), password) and stored is not None
    signed_in = matches and active
    upgraded = hash_password(password) if signed_in and needs_rehash(stored) else None
    with db.transaction() as cursor:
        _record_attempt(cursor, key, "success" if signed_in else "failure", now)
        store.record_audit(
            cursor,
            "sign_in.success" if signed_in else "sign_in.failure",
            "account deactivated" if matches and not active else "",
            at=now,
            user_id=user_id,
            actor=key,
        )
        if not signed_in:
            return SignInResult(wait=throttle_wait(cursor, key, now))
        if upgraded:
            cursor.execute(
                "UPDATE users SET password_hash = ? WHERE user_id = ?", [upgraded, user_id]
            )
        token = start_session(cursor, user_id, now, via="password")
        return SignInResult(token=token, user=user_by_id(cursor, user_id))


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
                cursor, "sign_in.failure", f"single sign-on ({provider}): {refused}", at=now,
                user_id=user.user_id if user else None, actor=key or "(no email)",
            )  # fmt: skip
            return None
        store.record_audit(cursor, "sign_in.success", f"single sign-on ({provider})", at=now,
                           user_id=user.user_id, actor=key)  # fmt: skip
        return start_session(cursor, user.user_id, now, via=f"sso:{provider}")


# ---- sessions ------------------------------------------------------------------------------


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
    with db.reading() as cursor:
        row = cursor.execute(
            "SELECT s.user_id, s.created_at, s.last_seen_at, u.active FROM sessions s "
            "JOIN users u USING (user_id) WHERE s.token_hash = ?",
            [key],
        ).fetchall()
        if not row:
            return None
        user_id, created_at, last_seen_at, active = row[0]
        user = user_by_id(cursor, user_id) if active else None
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


def issue_ticket(db: Store, token: str, next_path: str, *, now: datetime) -> str:
    """A one-time ticket the cookie route exchanges for this session (see server.py)."""
    ticket = secrets.token_urlsafe(32)
    with db.transaction() as cursor:
        cursor.execute("DELETE FROM sign_in_tickets WHERE created_at < ?", [now - TICKET_LIFETIME])
        cursor.execute(
            "INSERT INTO sign_in_tickets VALUES (?, ?, ?, ?)",
            [digest(ticket), digest(token), next_path, now],
        )
    return ticket


def redeem_ticket(db: Store, ticket: str, *, now: datetime) -> tuple[str, str] | None:
    """Exchange a ticket, once and within its lifetime, for (new session token, next path).

    The session gets a new token here: the one the sign-in page held never
    reaches the browser.
    """
    with db.transaction() as cursor:
        row = cursor.execute(
            "DELETE FROM sign_in_tickets WHERE ticket_hash = ? "
            "RETURNING token_hash, next_path, created_at",
            [digest(ticket)],
        ).fetchall()
        if not row or now - row[0][2] > TICKET_LIFETIME:
            return None
        old_hash, next_path, _ = row[0]
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


# ---- administration ------------------------------------------------------------------------
# Every change is one transaction with its audit line; ``by`` is the admin's user id (None
# from the command line, whose ``actor`` names the command).


def users_table(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every user: roles, departments an HR user is limited to, teams led now, whether a
    password is set or an invitation waits, and the last sign-in."""
    return cursor.execute(
        """
        SELECT u.user_id, u.email, u.display_name, u.active,
               (SELECT string_agg(role, ', ' ORDER BY role) FROM user_roles r
                WHERE r.user_id = u.user_id) AS roles,
               (SELECT string_agg(d.name, ', ' ORDER BY d.name) FROM hr_departments x
                JOIN departments d USING (department_id) WHERE x.user_id = u.user_id)
                   AS hr_departments,
               (SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM team_history h
                JOIN teams t USING (team_id) WHERE h.manager_id = u.user_id
                AND h.valid_to IS NULL) AS teams,
               u.password_hash IS NOT NULL AS has_password,
               (SELECT max(occurred_at) FROM audit_log a WHERE a.user_id = u.user_id
                AND a.action = 'sign_in.success') AS last_sign_in
        FROM users u ORDER BY u.display_name
        """
    ).df()


def _active_admins(cursor: duckdb.DuckDBPyConnection) -> set[int]:
    rows = cursor.execute(
        "SELECT user_id FROM users JOIN user_roles USING (user_id) WHERE active AND role = 'admin'"
    ).fetchall()
    return {user_id for (user_id,) in rows}


def _audit(cursor, action: str, detail: str, *, now: datetime, by: int | None, actor: str | None):
    store.record_audit(cursor, action, detail, at=now, user_id=by, actor=actor)
    store.bump_data_version(cursor, "users")


def _target(cursor: duckdb.DuckDBPyConnection, user_id: int) -> User:
    user = user_by_id(cursor, user_id)
    if user is None:
        raise AccountError(f"There is no user with id {user_id}.")
    return user


def add_user(
    db: Store, email: str, roles: set[str], *, display_name: str | None, now: datetime,
    by: int | None = None, actor: str | None = None,
) -> int:  # fmt: skip
    """A new active user without a password: invite them to set one."""
    with db.transaction() as cursor:
        user_id = create_user(cursor, email, roles, password_hash=None, now=now,
                              display_name=(display_name or "").strip() or None)  # fmt: skip
        _audit(cursor, "user.add", f"{normalize_email(email)} roles={','.join(sorted(roles))}",
               now=now, by=by, actor=actor)  # fmt: skip
    return user_id


def set_roles(
    db: Store, user_id: int, roles: set[str], *, now: datetime, by: int | None = None,
    actor: str | None = None,
) -> None:  # fmt: skip
    if not roles or set(roles) - set(ROLES):
        raise AccountError(f"Give at least one role among {', '.join(ROLES)}.")
    with db.transaction() as cursor:
        user = _target(cursor, user_id)
        if "admin" not in roles and _active_admins(cursor) == {user_id}:
            raise AccountError(f"{user.display_name} is the only active admin; make someone "
                               "else an admin first.")  # fmt: skip
        cursor.execute("DELETE FROM user_roles WHERE user_id = ?", [user_id])
        cursor.execute(
            "INSERT INTO user_roles SELECT ?, unnest(?::VARCHAR[])", [user_id, sorted(roles)]
        )
        _audit(cursor, "user.roles", f"{user.email}: {', '.join(sorted(user.roles))} → "
               f"{', '.join(sorted(roles))}", now=now, by=by, actor=actor)  # fmt: skip


def set_active(
    db: Store, user_id: int, active: bool, *, now: datetime, by: int | None = None,
    actor: str | None = None,
) -> None:  # fmt: skip
    """Deactivate (ending their sessions at once) or reactivate a user."""
    with db.transaction() as cursor:
        user = _target(cursor, user_id)
        if not active and user_id == by:
            raise AccountError("You cannot deactivate yourself; ask another admin.")
        if not active and _active_admins(cursor) == {user_id}:
            raise AccountError(f"{user.display_name} is the only active admin; make someone "
                               "else an admin first.")  # fmt: skip
        cursor.execute("UPDATE users SET active = ? WHERE user_id = ?", [active, user_id])
        if not active:
            cursor.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
            cursor.execute("DELETE FROM invitations WHERE user_id = ?", [user_id])
        _audit(cursor, "user.reactivate" if active else "user.deactivate", user.email,
               now=now, by=by, actor=actor)  # fmt: skip


def set_hr_departments(
    db: Store, user_id: int, department_ids: set[int], *, now: datetime, by: int | None = None
) -> None:
    """Limit an HR user to these departments; an empty set lifts the limit (all)."""
    with db.transaction() as cursor:
        user = _target(cursor, user_id)
        cursor.execute("DELETE FROM hr_departments WHERE user_id = ?", [user_id])
        for department_id in sorted(department_ids):
            cursor.execute("INSERT INTO hr_departments VALUES (?, ?)", [user_id, department_id])
        names = cursor.execute(
            "SELECT string_agg(name, ', ' ORDER BY name) FROM departments "
            "WHERE department_id IN (SELECT unnest(?::INTEGER[]))",
            [sorted(department_ids)],
        ).fetchone()[0]
        _audit(cursor, "user.hr_departments", f"{user.email}: {names or 'all departments'}",
               now=now, by=by, actor=None)  # fmt: skip


# ---- invitations ---------------------------------------------------------------------------

INVITATION_LIFETIME = timedelta(days=14)


def invite(
    db: Store, user_ids: list[int], *, now: datetime, by: int | None = None,
    actor: str | None = None,
) -> dict[int, str]:  # fmt: skip
    """A one-time code per user (also a password reset), replacing any earlier one.
    The codes are returned once; the database keeps only their hashes."""
    codes = {}
    with db.transaction() as cursor:
        for user_id in user_ids:
            user = _target(cursor, user_id)
            if not user.active:
                raise AccountError(f"{user.email} is deactivated; reactivate them first.")
            codes[user_id] = secrets.token_urlsafe(24)
            cursor.execute("DELETE FROM invitations WHERE user_id = ?", [user_id])
            cursor.execute(
                "INSERT INTO invitations VALUES (?, ?, ?, ?, ?)",
                [digest(codes[user_id]), user_id, now, now + INVITATION_LIFETIME, by],
            )
            store.record_audit(cursor, "user.invite", user.email, at=now, user_id=by, actor=actor)
    return codes


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
        raise AccountError("This invitation link has expired or was already used. Ask your "
                           "admin for a new one.")  # fmt: skip
    check_password(password, user.email)
    password_hash = hash_password(password)
    with db.transaction() as cursor:
        used = cursor.execute(
            "DELETE FROM invitations WHERE code_hash = ? RETURNING user_id", [digest(code)]
        ).fetchall()
        if not used:  # used in another tab a moment ago
            raise AccountError("This invitation link was already used.")
        cursor.execute(
            "UPDATE users SET password_hash = ? WHERE user_id = ?", [password_hash, user.user_id]
        )
        cursor.execute("DELETE FROM sessions WHERE user_id = ?", [user.user_id])
        store.record_audit(cursor, "user.password_set", "by invitation", at=now,
                           user_id=user.user_id, actor=user.email)  # fmt: skip
        return start_session(cursor, user.user_id, now, via="invitation")


# ---- first run -----------------------------------------------------------------------------


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
    db: Store, *, code: str, email: str, name: str, password: str, now: datetime
) -> SignInResult:
    """Create the first admin when the setup code is right; refuse otherwise.

    AccountError for a bad email or password (nothing is written); a result
    without a token, throttled like sign-in, for a wrong code.
    """
    email = check_email(email)
    check_password(password, email)
    with db.reading() as cursor:
        wait = throttle_wait(cursor, SETUP_CODE_KEY, now)
    if wait:
        return SignInResult(wait=wait)
    entered = digest(re.sub(r"[\s-]", "", code).upper())
    password_hash = hash_password(password)
    with db.transaction() as cursor:
        if has_accounts(cursor):
            raise AccountError("Catalyst already has accounts; sign in instead.")
        stored = cursor.execute("SELECT value FROM meta WHERE key = 'setup_code_hash'").fetchall()
        if not stored or not hmac.compare_digest(stored[0][0], entered):
            _record_attempt(cursor, SETUP_CODE_KEY, "failure", now)
            store.record_audit(cursor, "setup_code.failure", email, at=now, actor=email)
            return SignInResult(wait=throttle_wait(cursor, SETUP_CODE_KEY, now))
        user_id = create_user(
            cursor, email, {"admin"}, password_hash=password_hash, now=now,
            display_name=name.strip() or None,
        )  # fmt: skip
        cursor.execute("DELETE FROM meta WHERE key = 'setup_code_hash'")
        store.record_audit(cursor, "first_admin.created", email, at=now, user_id=user_id)
        token = start_session(cursor, user_id, now, via="password")
        return SignInResult(token=token, user=user_by_id(cursor, user_id))
