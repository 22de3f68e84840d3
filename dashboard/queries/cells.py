"""The organization's cells for a period, protected once (DESIGN §3): raw cells from the
summary table, then the rules applied to the whole organization before any scope or
filter; cached per database, data version and setting."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import duckdb
import pandas as pd

from dashboard import clock, privacy, rounds
from dashboard.catalysts import ITEM_KEYS
from dashboard.privacy import Protected
from dashboard.queries.organization import data_versions, org_settings
from dashboard.rounds import Period
from dashboard.store import Store


def facts_join(alias: str) -> str:
    # A team fact (department, manager, headcount) applies to the weeks whose
    # Monday is on or after its valid_from: a change made mid-week counts from
    # the next full week.
    return (
        f"JOIN team_history h ON h.team_id = {alias}.team_id AND h.valid_from <= {alias}.week "
        f"AND (h.valid_to IS NULL OR {alias}.week < h.valid_to)"
    )


def raw_cells(cursor: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Every cell of the organization in the period, before any rule: do not show these."""
    sums = ", ".join(
        f"sum(s.{item}_n)::INTEGER AS {item}_n, sum(s.{item}_sum) AS {item}_sum, "
        f"sum(s.{item}_favorable)::INTEGER AS {item}_favorable"
        for item in ITEM_KEYS
    )
    sql = f"""
        SELECT s.team_id, {rounds.round_sql(period.cadence, "s.week")} AS round,
               h.department_id, h.manager_id, min(h.headcount) AS headcount,
               sum(s.responses)::INTEGER AS responses, {sums}
        FROM response_summary s {facts_join("s")}
        WHERE s.week BETWEEN ? AND ?
        GROUP BY ALL
    """  # noqa: S608 - identifiers from allow-lists
    cells = cursor.execute(sql, [period.first_week, period.last_week]).df()
    cells["round"] = cells["round"].dt.date  # rounds are dates everywhere (cell names, merges)
    return cells


_CACHE_SIZE = 16


_protected_cache: OrderedDict[tuple, Protected] = OrderedDict()


_cache_lock = threading.Lock()


def forget_cached() -> None:
    """Drop every cached set of protected cells, so the next read is cold (benchmark)."""
    with _cache_lock:
        _protected_cache.clear()


def protected_cells(db: Store, period: Period) -> Protected:
    """The organization's cells for the period after the privacy rules.

    Cached per database, data version, group size and period; a write that
    bumps the survey, roster or settings version makes the next call fresh.
    """
    with db.reading() as cursor:
        org = org_settings(cursor)
        if period.cadence != org.cadence:
            # Cells of another cadence would partition the responses differently,
            # and a monthly figure minus weekly ones could isolate a small week.
            raise ValueError(f"the organization surveys {org.cadence}, not {period.cadence}")
        versions = data_versions(cursor)
        key = (
            str(db.path),
            period,
            org.min_group_size,
            versions.get("survey"),
            versions.get("roster"),
            versions.get("settings"),
        )
        with _cache_lock:
            if key in _protected_cache:
                _protected_cache.move_to_end(key)
                return _protected_cache[key]
        result = privacy.protect(raw_cells(cursor, period), org.min_group_size)
    with _cache_lock:
        _protected_cache[key] = result
        while len(_protected_cache) > _CACHE_SIZE:
            _protected_cache.popitem(last=False)
    return result


def latest_week(db: Store, today: date | None = None) -> date | None:
    """The latest week with any survey response, not after today's week."""
    with db.reading() as cursor:
        org = org_settings(cursor)
        limit = rounds.week_of(today or clock.today_in(org.time_zone))
        (week,) = cursor.execute(
            "SELECT max(week) FROM response_summary WHERE week <= ?", [limit]
        ).fetchall()[0]
    return week


def default_period(db: Store, count: int, today: date | None = None) -> Period | None:
    """``count`` rounds ending with the latest round that has survey data (None: no data)."""
    week = latest_week(db, today)
    if week is None:
        return None
    with db.reading() as cursor:
        cadence = org_settings(cursor).cadence
    return Period.last_rounds(week, count, cadence)
