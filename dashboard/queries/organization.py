"""Plain reads of the organization (settings, teams, people, the roster, the audit log,
data versions): nothing here is a survey figure, so nothing here needs the privacy rules."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from dashboard.settings import OrgSettings


def organization_counts(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Headline counts of everything stored, as ``catalyst stats`` prints them."""
    row = cursor.execute(
        """
        SELECT
            (SELECT count(*) FROM departments),
            (SELECT count(*) FROM teams),
            (SELECT count(*) FROM users),
            (SELECT count(DISTINCT user_id) FROM user_roles WHERE role = 'manager'),
            (SELECT count(*) FROM survey_responses),
            (SELECT count(*) FROM checkins),
            (SELECT count(*) FROM progress_entries),
            (SELECT coalesce(sum(count), 0) FROM progress_entries WHERE kind = 'win'),
            (SELECT coalesce(sum(count), 0) FROM progress_entries WHERE kind = 'setback'),
            (SELECT count(*) FROM imports WHERE undone_at IS NULL)
        """
    ).fetchone()
    names = (
        "departments",
        "teams",
        "users",
        "managers",
        "survey_responses",
        "checkins",
        "progress_entries",
        "wins",
        "setbacks",
        "imports",
    )
    return dict(zip(names, (int(value) for value in row), strict=True))


def survey_weeks(cursor: duckdb.DuckDBPyConnection) -> tuple[object, object, int]:
    """First and last week with survey responses, and how many weeks have any."""
    first, last, weeks = cursor.execute(
        "SELECT min(week), max(week), count(DISTINCT week) FROM response_summary"
    ).fetchone()
    return first, last, int(weeks)


def meta(cursor: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(cursor.execute("SELECT key, value FROM meta").fetchall())


def is_demo(cursor: duckdb.DuckDBPyConnection) -> bool:
    return meta(cursor).get("demo") == "true"


def org_settings(cursor: duckdb.DuckDBPyConnection) -> OrgSettings:
    return OrgSettings.from_rows(dict(cursor.execute("SELECT key, value FROM settings").fetchall()))


def data_versions(
    cursor: duckdb.DuckDBPyConnection, kinds: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Version per kind of data (all kinds, or these); writes bump them, caches key on
    them."""
    rows = cursor.execute("SELECT kind, version FROM data_versions").fetchall()
    return {kind: version for kind, version in rows if kinds is None or kind in kinds}


def team_id_by_name(cursor: duckdb.DuckDBPyConnection, name: str) -> int | None:
    row = cursor.execute(
        "SELECT team_id FROM teams WHERE lower(name) = lower(?)", [name.strip()]
    ).fetchone()
    return None if row is None else int(row[0])


def team_names(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in cursor.execute("SELECT name FROM teams ORDER BY name").fetchall()]


def team_now(cursor: duckdb.DuckDBPyConnection, team_id: int) -> tuple[str, int] | None:
    """A team's name and today's headcount, or None for a team with no current fact."""
    found = cursor.execute(
        "SELECT t.name, h.headcount FROM teams t JOIN team_history h USING (team_id) "
        "WHERE team_id = ? AND h.valid_to IS NULL",
        [team_id],
    ).fetchall()
    return found[0] if found else None


def manager_names(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every user's display name by id (manager_id, manager), to name managers in tables."""
    return cursor.execute("SELECT user_id AS manager_id, display_name AS manager FROM users").df()


def departments(
    cursor: duckdb.DuckDBPyConnection, only: frozenset[int] | None = None
) -> pd.DataFrame:
    """Departments (department_id, name) by name; ``only`` limits them (an HR scope)."""
    frame = cursor.execute("SELECT department_id, name FROM departments ORDER BY name").df()
    return frame if only is None else frame[frame.department_id.isin(only)]


def managers(cursor: duckdb.DuckDBPyConnection, only: frozenset[int] | None = None) -> pd.DataFrame:
    """Every manager and the teams they have led (manager_id, manager, team_id, team,
    department, current), by name; ``only`` keeps the teams led while in those
    departments (an HR scope)."""
    frame = cursor.execute(
        """
        SELECT h.manager_id, u.display_name AS manager, h.team_id, t.name AS team,
               arg_max(d.name, h.valid_from) AS department,
               bool_or(h.valid_to IS NULL) AS current, list(DISTINCT h.department_id) AS seen
        FROM team_history h JOIN teams t USING (team_id) JOIN users u ON u.user_id = h.manager_id
        JOIN departments d ON d.department_id = h.department_id
        GROUP BY ALL ORDER BY manager, current DESC, team
        """
    ).df()
    if only is not None:
        frame = frame[[bool(set(seen) & only) for seen in frame.seen]]
    return frame.drop(columns="seen").reset_index(drop=True)


AUDIT_HEADERS = {"when": "When (UTC)", "who": "Who", "action": "Action", "detail": "Detail"}
"""The log's columns as people read them: on the page, in its file and the command's."""


def audit_log(
    cursor: duckdb.DuckDBPyConnection,
    *,
    first: date,
    last: date,
    action: str | None = None,
    who: str | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Audit lines from ``first`` to ``last`` (days, inclusive), newest first: when, who
    (the user's email, else the command or address that acted), action, detail.
    ``action`` keeps actions starting with it ("sign_in", "export"); ``who`` keeps
    lines whose who contains it."""
    return cursor.execute(
        # A parameter only tested for NULL is cast: PostgreSQL must know its type.
        """
        SELECT a.occurred_at AS "when", coalesce(u.email, a.actor, '') AS who, a.action,
               coalesce(a.detail, '') AS detail
        FROM audit_log a LEFT JOIN users u USING (user_id)
        WHERE a.occurred_at >= $1 AND a.occurred_at < $2 + INTERVAL 1 DAY
          AND (CAST($3 AS VARCHAR) IS NULL OR starts_with(a.action, $3))
          AND (CAST($4 AS VARCHAR) IS NULL
               OR contains(lower(coalesce(u.email, a.actor, '')), lower($4)))
        ORDER BY a.occurred_at DESC, a.audit_id DESC LIMIT $5
        """,
        [first, last, action, who, limit],
    ).df()


def imports_since(cursor: duckdb.DuckDBPyConnection, since: datetime) -> dict[str, int]:
    """Imports since ``since`` that still stand: files_<kind> and rows_<kind> (rows
    added) for each kind imported."""
    rows = cursor.execute(
        "SELECT kind, count(*), sum(imported) FROM imports "
        "WHERE imported_at >= ? AND undone_at IS NULL GROUP BY kind",
        [since],
    ).fetchall()
    found = {}
    for kind, files, added in rows:
        found[f"files_{kind}"], found[f"rows_{kind}"] = int(files), int(added or 0)
    return found


def audit_actions(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """The kinds of action in the log ("sign_in", "user", "export" ...), for a filter."""
    rows = cursor.execute(
        "SELECT DISTINCT split_part(action, '.', 1) FROM audit_log ORDER BY 1"
    ).fetchall()
    return [action for (action,) in rows]


def roster_now(cursor: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Every team with its department, manager and headcount on ``day``, by name."""
    return teams_at(cursor, day)[
        ["team_id", "team", "department", "manager", "manager_email", "headcount"]
    ].sort_values(["department", "team"], ignore_index=True)


def roster_history(cursor: duckdb.DuckDBPyConnection, team_id: int) -> pd.DataFrame:
    """A team's facts over time: from, until, department, manager, headcount, when each
    was recorded and whether it is in force (a later fact of the same date replaces it;
    both stay in the history)."""
    return (
        cursor.execute(
            """
        SELECT f.valid_from AS "from", h.valid_to AS until, d.name AS department,
               coalesce(u.display_name, '') AS manager, coalesce(u.email, '') AS manager_email,
               f.headcount, f.recorded_at AS recorded,
               f.fact_id = max(f.fact_id) OVER (PARTITION BY f.valid_from) AS in_force
        FROM team_facts f JOIN departments d USING (department_id)
        LEFT JOIN users u ON u.user_id = f.manager_id
        LEFT JOIN team_history h ON h.team_id = f.team_id AND h.valid_from = f.valid_from
        WHERE f.team_id = ?
        ORDER BY f.valid_from DESC, f.fact_id DESC
        """,
            [team_id],
        )
        .df()
        .assign(until=lambda frame: frame.until.where(frame.in_force))
    )


def teams_at(cursor: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Each team with the department, manager and headcount in force on ``day``."""
    return cursor.execute(
        """
        SELECT t.team_id, t.name AS team, h.department_id, d.name AS department,
               h.manager_id, u.display_name AS manager, u.email AS manager_email, h.headcount
        FROM teams t
        JOIN team_history h ON h.team_id = t.team_id AND h.valid_from <= ?
             AND (h.valid_to IS NULL OR h.valid_to > ?)
        JOIN departments d USING (department_id)
        LEFT JOIN users u ON u.user_id = h.manager_id
        """,
        [day, day],
    ).df()


def people_of(cursor: duckdb.DuckDBPyConnection, team_id: int, day: date) -> pd.DataFrame:
    """The people in a team on ``day``: name, email, language, since (their membership)."""
    return cursor.execute(
        "SELECT p.name, p.email, p.language, m.valid_from AS since FROM membership_history m "
        "JOIN people p USING (person_id) WHERE m.team_id = $1 AND m.valid_from <= $2 "
        "AND (m.valid_to IS NULL OR m.valid_to > $2) ORDER BY p.name",
        [team_id, day],
    ).df()
