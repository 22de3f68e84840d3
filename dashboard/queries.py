"""The read side: parameterized SQL in, plain Python and DataFrames out.

Every function takes a cursor (``store.reading()`` gives one per script run
or thread) and only reads.
"""

from __future__ import annotations

import duckdb

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
        "departments", "teams", "users", "managers", "survey_responses", "checkins",
        "progress_entries", "wins", "setbacks", "imports",
    )  # fmt: skip
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


def data_versions(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Version per kind of data; writes bump them, caches key on them."""
    return dict(cursor.execute("SELECT kind, version FROM data_versions").fetchall())


def team_id_by_name(cursor: duckdb.DuckDBPyConnection, name: str) -> int | None:
    row = cursor.execute(
        "SELECT team_id FROM teams WHERE lower(name) = lower(?)", [name.strip()]
    ).fetchone()
    return None if row is None else int(row[0])


def team_names(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in cursor.execute("SELECT name FROM teams ORDER BY name").fetchall()]
