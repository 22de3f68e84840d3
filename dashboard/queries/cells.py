"""The organization's cells for a period, as published (DESIGN §3): cells protected once,
when their round was published (publication.py), for the whole organization before any
scope or filter; cached per database, period and publication version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from dashboard import clock, privacy, rounds
from dashboard.privacy import Protected
from dashboard.queries import publication
from dashboard.queries.organization import data_versions, org_settings
from dashboard.queries.scope import Scope
from dashboard.rounds import Period
from dashboard.store import Store

T = TypeVar("T")


def facts_join(alias: str) -> str:
    # A team fact (department, manager, headcount) applies to the weeks whose
    # Monday is on or after its valid_from: a change made mid-week counts from
    # the next full week.
    return (
        f"JOIN team_history h ON h.team_id = {alias}.team_id AND h.valid_from <= {alias}.week "
        f"AND (h.valid_to IS NULL OR {alias}.week < h.valid_to)"
    )


def raw_counts(cursor: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Responses and headcount of every team cell in the period, published or not:
    counts for participation only, never answers."""
    sql = f"""
        SELECT s.team_id, {rounds.round_sql(period.cadence, "s.week")} AS round,
               h.department_id, h.manager_id, min(h.headcount) AS headcount,
               sum(s.responses)::INTEGER AS responses
        FROM response_summary s {facts_join("s")}
        WHERE s.week BETWEEN ? AND ?
        GROUP BY ALL
    """  # noqa: S608 - identifiers from allow-lists
    return cursor.execute(sql, [period.first_week, period.last_week]).df()


def answers_beyond_people(db: Store, today: date | None = None, shown: int = 3) -> list[str]:
    """Warnings, in words, for teams whose rounds of the last half year hold more responses
    than people on the roster: a sign that people are asked more often than the survey
    frequency setting says (a cell would then count answers as people)."""
    with db.reading() as cursor:
        org = org_settings(cursor)
        count = rounds.PRESETS[org.cadence][-1][1]
        week = rounds.week_of(today or clock.today_in(org.time_zone))
        period = Period.last_rounds(week, count, org.cadence)
        cells = raw_counts(cursor, period)
        names = dict(cursor.execute("SELECT team_id, name FROM teams").fetchall())
    crowded = cells[cells.responses > cells.headcount].sort_values("round", ascending=False)
    if crowded.empty:
        return []
    examples = "; ".join(
        f"{names[row.team_id]}, {rounds.round_label(row.round.date(), org.cadence)}: "
        f"{row.responses} responses, {row.headcount} people"
        for row in crowded.head(shown).itertuples()
    )
    return [
        f"{len(crowded)} team rounds hold more responses than the team has people ({examples}). "
        f"If people answer more than once per {rounds.ROUND_NOUN[org.cadence]}, set "
        "“People are asked” to how often they are; otherwise correct the headcount in the roster."
    ]


_CACHE_SIZE = 16


_protected_cache: OrderedDict[tuple, Protected] = OrderedDict()


_cache_lock = threading.Lock()


def forget_cached() -> None:
    """Drop every cached set of protected cells, so the next read is cold (benchmark)."""
    with _cache_lock:
        _protected_cache.clear()


def protected_cells(db: Store, period: Period) -> Protected:
    """The organization's published cells in the period (whole rounds within it).

    Publishes what is due first. Cached per database, period and publication version:
    published cells never change, only new ones are added or whole ones withdrawn.
    """
    publication.publish_due(db)
    with db.reading() as cursor:
        org = org_settings(cursor)
        if period.cadence != org.cadence:
            # Periods are asked in today's cadence, as every page offers them; published
            # rounds of an earlier cadence are placed in the round where they begin.
            raise ValueError(f"the organization surveys {org.cadence}, not {period.cadence}")
        key = (str(db.path), period, data_versions(cursor).get("published"))
        with _cache_lock:
            if key in _protected_cache:
                _protected_cache.move_to_end(key)
                return _protected_cache[key]
        result = _published(cursor, period, org.min_group_size)
    with _cache_lock:
        _protected_cache[key] = result
        while len(_protected_cache) > _CACHE_SIZE:
            _protected_cache.popitem(last=False)
    return result


def _published(cursor: duckdb.DuckDBPyConnection, period: Period, k: int) -> Protected:
    within = "p.first_week >= ? AND p.last_week <= ?"
    bounds = [period.first_week, period.last_week]
    shown = cursor.execute(
        f"SELECT c.*, p.first_week, 'cell ' || c.cell_id AS cell FROM published_cells c "  # noqa: S608
        f"JOIN published_rounds p USING (round_id) WHERE c.withdrawn_at IS NULL AND {within}",
        bounds,
    ).df()
    withheld = cursor.execute(
        f"""
        SELECT t.team_id, p.first_week, t.department_id, t.manager_id, t.responses,
               t.decision = 'pooled' AS pooled
        FROM published_teams t JOIN published_rounds p USING (round_id)
        WHERE t.decision <> 'shown' AND {within}
        UNION ALL
        SELECT c.team_id, p.first_week, c.department_id, c.manager_id, c.responses, false
        FROM published_cells c JOIN published_rounds p USING (round_id)
        WHERE c.withdrawn_at IS NOT NULL AND c.kind = 'team' AND {within}
        """,  # noqa: S608 - no input in the text
        bounds * 2,
    ).df()
    for frame in (shown, withheld):
        starts = {
            week: rounds.round_of(week, period.cadence) for week in set(frame.first_week.dt.date)
        }
        frame["round"] = frame.first_week.dt.date.map(starts)
    return Protected(shown.drop(columns="first_week"), withheld.drop(columns="first_week"), k)


def kept(protected: Protected, key: tuple, make: Callable[[], T]) -> T:
    """``make()``, made once per set of published cells and kept with them: whatever
    depends on those cells alone (a benchmark, the team figures of a scope) costs one
    computation per publication, not one per read. What is kept is shared between
    callers, so it is never changed in place."""
    found = protected.kept.get(key, _MISSING)
    if found is _MISSING:
        found = protected.kept[key] = make()
    return found


_MISSING = object()


def team_cells_in(protected: Protected, scope: Scope, team_id: int | None = None) -> pd.DataFrame:
    """The shown team cells of ``scope`` (of one team if given), found through an index
    kept with the cells: a manager's read costs their own cells, not the organization's."""
    shown = protected.shown
    if scope.manager_id is None and team_id is None:
        return scope.limit(kept(protected, ("team cells",), lambda: privacy.team_cells(protected)))
    rows = kept(protected, ("team rows",), lambda: _team_rows(shown))
    wanted = (("manager_id", scope.manager_id), ("team_id", team_id))
    chosen = [rows[key].get(value, _NONE) for key, value in wanted if value is not None]
    positions = chosen[0] if len(chosen) == 1 else np.intersect1d(*chosen)
    return scope.limit(shown.iloc[positions])


_NONE = np.array([], dtype=np.intp)


def _team_rows(shown: pd.DataFrame) -> dict[str, dict[int, np.ndarray]]:
    """Where each manager's and each team's shown team cells are, by position."""
    teams = shown[shown.kind == "team"]
    where = np.flatnonzero(shown.kind.to_numpy() == "team")
    return {
        key: {int(value): where[at] for value, at in teams.groupby(key).indices.items()}
        for key in ("manager_id", "team_id")
    }


def latest_week(db: Store, today: date | None = None) -> date | None:
    """The last week of the latest published round, not after today's week."""
    publication.publish_due(db)
    with db.reading() as cursor:
        org = org_settings(cursor)
        limit = rounds.week_of(today or clock.today_in(org.time_zone))
        (week,) = cursor.execute(
            "SELECT max(last_week) FROM published_rounds WHERE last_week <= ?", [limit]
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
