"""Users, roles and passwords. No Streamlit here: the CLI and tests use it too.

Passwords are hashed with argon2id at OWASP's minimum parameters (19 MiB,
2 iterations, parallelism 1): about 20 ms a hash here, which keeps sign-in
quick while making guessing expensive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

ROLES = ("manager", "hr", "admin")
MIN_PASSWORD_LENGTH = 12

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


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )


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
