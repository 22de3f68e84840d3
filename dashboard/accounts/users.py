"""Users and roles: who exists, what they may do, and the admin's changes to them
(each one transaction with its audit line)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard import store
from dashboard.store import Store

ROLES = ("manager", "hr", "admin")


ROLE_LABELS = {"manager": "Manager", "hr": "HR", "admin": "Admin"}


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


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalized email, or AccountError saying what is wrong with it."""
    normalized = normalize_email(email)
    if not _EMAIL.match(normalized):
        raise AccountError(f"{email!r} is not an email address (expected name@example.com)")
    return normalized


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


def has_password(cursor: duckdb.DuckDBPyConnection, user_id: int) -> bool:
    (found,) = cursor.execute(
        "SELECT password_hash IS NOT NULL FROM users WHERE user_id = ?", [user_id]
    ).fetchone()
    return bool(found)


def mail_recipients(cursor: duckdb.DuckDBPyConnection, role: str) -> pd.DataFrame:
    """Active people of a role who can sign in (a password set, or signed in before, by
    single sign-on): user_id, email, display_name. Someone still invited gets the
    invitation, not reminders."""
    return cursor.execute(
        "SELECT u.user_id, u.email, u.display_name FROM users u "
        "JOIN user_roles r ON r.user_id = u.user_id AND r.role = ? "
        "WHERE u.active AND (u.password_hash IS NOT NULL OR EXISTS (SELECT 1 FROM audit_log a "
        "WHERE a.user_id = u.user_id AND a.action = 'sign_in.success')) ORDER BY u.user_id",
        [role],
    ).df()


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
    cursor: duckdb.DuckDBPyConnection, team_id: int, manager_id: int, since: date, *, now: datetime
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
        "INSERT INTO team_facts (team_id, valid_from, department_id, manager_id, headcount, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
        [team_id, since, current[0], manager_id, current[1], now],
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


def audit(cursor, action: str, detail: str, *, now: datetime, by: int | None, actor: str | None):
    store.record_audit(cursor, action, detail, at=now, user_id=by, actor=actor)
    store.bump_data_version(cursor, "users")


def existing_user(cursor: duckdb.DuckDBPyConnection, user_id: int) -> User:
    user = user_by_id(cursor, user_id)
    if user is None:
        raise AccountError(f"There is no user with id {user_id}.")
    return user


def add_user(
    db: Store,
    email: str,
    roles: set[str],
    *,
    display_name: str | None,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
    password_hash: str | None = None,
    team_id: int | None = None,
    since: date | None = None,
    then: Callable[[duckdb.DuckDBPyConnection, int], object] | None = None,
) -> int:
    """A new active user, in one transaction with its audit line: without a password
    (invite them to set one) unless one is given; leading ``team_id`` from ``since``
    (default: today in UTC), a new team fact beside the team's earlier ones. ``then``
    runs in the same transaction with the new user's id (their invitation e-mail)."""
    if team_id is not None and "manager" not in roles:
        raise AccountError("A team can only be given to a manager; add the manager role.")
    with db.transaction() as cursor:
        user_id = create_user(
            cursor,
            email,
            roles,
            password_hash=password_hash,
            now=now,
            display_name=(display_name or "").strip() or None,
        )
        if team_id is not None:
            assign_team(cursor, team_id, user_id, since or now.date(), now=now)
            store.bump_data_version(cursor, "roster")
        audit(
            cursor,
            "user.add",
            f"{normalize_email(email)} roles={','.join(sorted(roles))}"
            + (f" team_id={team_id}" if team_id is not None else ""),
            now=now,
            by=by,
            actor=actor,
        )
        if then is not None:
            then(cursor, user_id)
    return user_id


def set_roles(
    db: Store,
    user_id: int,
    roles: set[str],
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> None:
    if not roles or set(roles) - set(ROLES):
        raise AccountError(f"Give at least one role among {', '.join(ROLES)}.")
    with db.transaction() as cursor:
        user = existing_user(cursor, user_id)
        if "admin" not in roles and _active_admins(cursor) == {user_id}:
            raise AccountError(
                f"{user.display_name} is the only active admin; make someone else an admin first."
            )
        cursor.execute("DELETE FROM user_roles WHERE user_id = ?", [user_id])
        cursor.execute(
            "INSERT INTO user_roles SELECT ?, unnest(?::VARCHAR[])", [user_id, sorted(roles)]
        )
        audit(
            cursor,
            "user.roles",
            f"{user.email}: {', '.join(sorted(user.roles))} → {', '.join(sorted(roles))}",
            now=now,
            by=by,
            actor=actor,
        )


def set_active(
    db: Store,
    user_id: int,
    active: bool,
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> None:
    """Deactivate (ending their sessions at once) or reactivate a user."""
    with db.transaction() as cursor:
        user = existing_user(cursor, user_id)
        if not active and user_id == by:
            raise AccountError("You cannot deactivate yourself; ask another admin.")
        if not active and _active_admins(cursor) == {user_id}:
            raise AccountError(
                f"{user.display_name} is the only active admin; make someone else an admin first."
            )
        cursor.execute("UPDATE users SET active = ? WHERE user_id = ?", [active, user_id])
        if not active:
            cursor.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
            cursor.execute("DELETE FROM invitations WHERE user_id = ?", [user_id])
        audit(
            cursor,
            "user.reactivate" if active else "user.deactivate",
            user.email,
            now=now,
            by=by,
            actor=actor,
        )


def set_hr_departments(
    db: Store, user_id: int, department_ids: set[int], *, now: datetime, by: int | None = None
) -> None:
    """Limit an HR user to these departments; an empty set lifts the limit (all)."""
    with db.transaction() as cursor:
        user = existing_user(cursor, user_id)
        cursor.execute("DELETE FROM hr_departments WHERE user_id = ?", [user_id])
        for department_id in sorted(department_ids):
            cursor.execute("INSERT INTO hr_departments VALUES (?, ?)", [user_id, department_id])
        names = cursor.execute(
            "SELECT string_agg(name, ', ' ORDER BY name) FROM departments "
            "WHERE department_id IN (SELECT unnest(?::INTEGER[]))",
            [sorted(department_ids)],
        ).fetchone()[0]
        audit(
            cursor,
            "user.hr_departments",
            f"{user.email}: {names or 'all departments'}",
            now=now,
            by=by,
            actor=None,
        )
