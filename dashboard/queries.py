"""The read side: parameterized SQL in, plain Python and DataFrames out.

Small lookups take a cursor (``store.reading()`` gives one per script run or
thread). The figures API below takes the Store and a ``Scope``: it computes
the organization's cells once per period and data version, applies the
privacy rules (privacy.py) before anything else, and only then narrows to
what the scope may see. Pages never see a cell that is not shown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from dashboard import clock, measures, privacy, rounds, store
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.privacy import CELL_KEYS, CellSum, Protected
from dashboard.rounds import Period
from dashboard.settings import OrgSettings
from dashboard.store import Store


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


def version_key(db: Store) -> tuple:
    """A small, hashable token that changes whenever stored data changes (cache keys)."""
    with db.reading() as cursor:
        return (str(db.path), *sorted(data_versions(cursor).items()))


def team_id_by_name(cursor: duckdb.DuckDBPyConnection, name: str) -> int | None:
    row = cursor.execute(
        "SELECT team_id FROM teams WHERE lower(name) = lower(?)", [name.strip()]
    ).fetchone()
    return None if row is None else int(row[0])


def team_names(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in cursor.execute("SELECT name FROM teams ORDER BY name").fetchall()]


# ---- the read API for figures (privacy applied) ------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a caller may see; pages build it from the signed-in user, never from input.

    * a manager: the teams they managed, only for the time they managed them;
    * HR: every department, or only ``departments``.
    """

    manager_id: int | None = None
    departments: frozenset[int] | None = None

    @classmethod
    def manager(cls, user_id: int) -> Scope:
        return cls(manager_id=user_id)

    @classmethod
    def hr(cls, departments: frozenset[int] | None = None) -> Scope:
        return cls(departments=departments)

    def limit(self, cells: pd.DataFrame) -> pd.DataFrame:
        """Only the cells of this scope (a manager never gets a pool: it is not theirs)."""
        if self.manager_id is not None:
            cells = cells[(cells.kind == "team") & (cells.manager_id == self.manager_id)]
        if self.departments is not None:
            cells = cells[cells.department_id.isin(self.departments)]
        return cells


def _facts_join(alias: str) -> str:
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
        FROM response_summary s {_facts_join("s")}
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
            str(db.path), period, org.min_group_size,
            versions.get("survey"), versions.get("roster"), versions.get("settings"),
        )  # fmt: skip
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


def team_figure(db: Store, scope: Scope, team_id: int, period: Period) -> CellSum:
    """One team over the period: its shown cells within the caller's scope."""
    protected = protected_cells(db, period)
    cells = scope.limit(privacy.team_cells(protected))
    cells = cells[cells.team_id == team_id]
    left_out = team_id in privacy.left_out_teams(protected)
    return privacy.figure(cells, left_out=left_out)


def team_rounds(db: Store, scope: Scope, team_id: int, period: Period) -> pd.DataFrame:
    """One team round by round: every round of the period, with figures where shown.

    Rounds without a shown cell have ``responses`` 0 and no values (a gap,
    never a zero).
    """
    protected = protected_cells(db, period)
    cells = scope.limit(privacy.team_cells(protected))
    cells = cells[cells.team_id == team_id]
    return _by_round(cells, period)


def _by_round(cells: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Every round of the period, with the figures of the rounds that have shown cells."""
    frame = pd.DataFrame({"round": period.rounds})
    if len(cells):
        frame = frame.merge(privacy.figures_by(cells, ["round"]), on="round", how="left")
    _item_columns(frame)
    frame["label"] = [rounds.round_label(r, period.cadence) for r in frame["round"]]
    return frame


def _item_columns(frame: pd.DataFrame) -> None:
    """The same columns whether or not anything is shown: n (0), mean and favorable %
    (empty) per item, and responses (0)."""
    for item in ITEM_KEYS:
        for column, empty in (("n", 0), ("mean", float("nan")), ("favorable_pct", float("nan"))):
            if f"{item}_{column}" not in frame:
                frame[f"{item}_{column}"] = empty
        frame[f"{item}_n"] = frame[f"{item}_n"].fillna(0).astype(int)
    # Rows without shown cells stand on 0 responses (and have no values).
    responses = frame.get("responses", pd.Series(0, index=frame.index))
    frame["responses"] = responses.fillna(0).astype(int)


def _masked(frame: pd.DataFrame) -> pd.Series:
    masked = frame.get("items_masked", pd.Series(False, index=frame.index))
    return masked.fillna(False).astype(bool)


def benchmark(db: Store, period: Period, department_id: int | None = None) -> CellSum:
    """The organization (or one department) over the period: a benchmark anyone may see."""
    protected = protected_cells(db, period)
    cells = protected.shown
    dropped = privacy.dropped_departments(protected)
    if department_id is not None:
        cells = cells[cells.department_id == department_id]
        return privacy.figure(cells, left_out=department_id in dropped)
    return privacy.figure(cells, left_out=bool(dropped))


def departments_figure(db: Store, scope: Scope, period: Period, departments: set[int]) -> CellSum:
    """The chosen departments together (HR), limited to the caller's scope."""
    protected = protected_cells(db, period)
    cells = scope.limit(protected.shown)
    cells = cells[cells.department_id.isin(departments)]
    left_out = bool(privacy.dropped_departments(protected) & set(departments))
    return privacy.figure(cells, left_out=left_out)


def team_table(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """One row per team in scope (HR's team x catalyst table), including teams with
    nothing to show, whose ``status`` says why: 'shown', 'team_too_small',
    'too_few_responses' or 'no_responses'."""
    protected = protected_cells(db, period)
    cells = scope.limit(privacy.team_cells(protected))
    shown = privacy.figures_by(cells, ["team_id"]) if len(cells) else pd.DataFrame()
    with db.reading() as cursor:
        teams = _teams_at(cursor, period.last_week)
    if scope.departments is not None:
        teams = teams[teams.department_id.isin(scope.departments)]
    if scope.manager_id is not None:
        teams = teams[teams.team_id.isin(cells.team_id)]
    table = teams.merge(shown, on="team_id", how="left") if len(shown) else teams.copy()
    _item_columns(table)
    withheld = privacy.left_out_teams(protected)
    table["left_out"] = table.team_id.isin(withheld) | _masked(table)
    table["status"] = [
        "shown" if shown_n > 0
        else "team_too_small" if headcount < protected.min_group_size
        else "too_few_responses" if team_id in withheld
        else "no_responses"
        for shown_n, headcount, team_id in zip(
            table.responses, table.headcount, table.team_id, strict=True
        )
    ]  # fmt: skip
    return table.sort_values(["department", "team"], ignore_index=True)


def _teams_at(cursor: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
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


def department_table(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """One row per department in scope: its teams' shown cells plus its shown pool."""
    protected = protected_cells(db, period)
    cells = scope.limit(protected.shown)
    with db.reading() as cursor:
        names = cursor.execute("SELECT department_id, name AS department FROM departments").df()
    table = (
        privacy.figures_by(cells, ["department_id"])
        if len(cells)
        else pd.DataFrame(
            {"department_id": pd.Series(dtype=int), "responses": pd.Series(dtype=int)}
        )
    )
    table = table.merge(names, on="department_id", how="left")
    dropped = privacy.dropped_departments(protected)
    table["left_out"] = table.department_id.isin(dropped) | _masked(table)
    return table.sort_values("department", ignore_index=True)


def trends(
    db: Store, scope: Scope, period: Period, departments: set[int] | None = None
) -> pd.DataFrame:
    """Figures per round for the scope (optionally some departments): every round
    of the period, sums of shown cells, pools included for HR."""
    protected = protected_cells(db, period)
    cells = scope.limit(protected.shown)
    if departments is not None:
        cells = cells[cells.department_id.isin(departments)]
    return _by_round(cells, period)


def participation(db: Store, scope: Scope, period: Period) -> float | None:
    """Average over the period's rounds of responses / headcount (each round capped at 100%).

    Counts of responses are not answers; they come from every cell in scope.
    """
    protected_cells(db, period)  # the same checks as every figure
    with db.reading() as cursor:
        cells = raw_cells(cursor, period)
    if scope.manager_id is not None:
        cells = cells[cells.manager_id == scope.manager_id]
    if scope.departments is not None:
        cells = cells[cells.department_id.isin(scope.departments)]
    per_round = cells.groupby("round")[["responses", "headcount"]].sum()
    return measures.period_participation(
        list(zip(per_round.responses, per_round.headcount, strict=True))
    )


def comments(db: Store, scope: Scope, period: Period, team_id: int | None = None) -> list[str]:
    """Comments the scope may read: only from team cells with at least the comment
    threshold of responses (10 by default; never from a pool), without dates, in an
    order that says nothing about when they were written."""
    with db.reading() as cursor:
        threshold = max(org_settings(cursor).comment_min_responses, 1)
    protected = protected_cells(db, period)
    cells = scope.limit(privacy.team_cells(protected))
    cells = cells[cells.responses >= max(threshold, protected.min_group_size)]
    if team_id is not None:
        cells = cells[cells.team_id == team_id]
    if cells.empty:
        return []
    eligible = cells[CELL_KEYS]
    round_expr = rounds.round_sql(period.cadence, "week")
    with db.reading() as cursor, store.registered(cursor, "eligible_cells", eligible):
        rows = cursor.execute(
            f"""
            SELECT r.comment FROM (
                SELECT r.*, h.department_id, h.manager_id, {round_expr} AS round
                FROM survey_responses r {_facts_join("r")}
                WHERE r.week BETWEEN ? AND ? AND nullif(trim(r.comment), '') IS NOT NULL
            ) r
            SEMI JOIN eligible_cells c ON r.team_id = c.team_id AND r.round = c.round
                AND r.department_id = c.department_id AND r.manager_id = c.manager_id
            ORDER BY md5(r.comment || r.fingerprint::VARCHAR)
            """,  # noqa: S608 - identifiers from allow-lists
            [period.first_week, period.last_week],
        ).fetchall()
    return [comment for (comment,) in rows]


def self_vs_team(
    db: Store, scope: Scope, manager_id: int, team_id: int, period: Period
) -> pd.DataFrame:
    """Per catalyst: the manager's self score, the team's mean, the gap and its kind.

    Both sides cover the same rounds: those with at least one check-in and a
    shown team cell for that catalyst. The self score is the mean of the
    check-in weeks in those rounds; the team side is a sum of whole shown
    cells, so the comparison never isolates part of a round.
    """
    cells = scope.limit(privacy.team_cells(protected_cells(db, period)))
    cells = cells[(cells.team_id == team_id) & (cells.manager_id == manager_id)]
    found = _self_vs_team(db, cells, period).set_index("catalyst")
    rows = []
    for key in CATALYST_KEYS:
        row = found.loc[key] if key in found.index else None
        rows.append({
            "catalyst": key,
            "self_score": None if row is None else row.self_score,
            "self_weeks": 0 if row is None else int(row.self_weeks),
            "team_mean": None if row is None else row.team_mean,
            "team_answers": 0 if row is None else int(row.team_answers),
            "rounds": 0 if row is None else int(row.rounds),
            "gap": None if row is None else row.gap,
            "gap_kind": None if row is None else row.gap_kind,
        })  # fmt: skip
    return pd.DataFrame(rows)


def self_vs_team_all(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """Self vs team for every manager and team in scope: one row per manager, team and
    catalyst with data on both sides (see ``self_vs_team`` for the rules)."""
    cells = scope.limit(privacy.team_cells(protected_cells(db, period)))
    return _self_vs_team(db, cells, period)


def _long(frame: pd.DataFrame, keys: list[str], side: str) -> pd.DataFrame:
    """One row per key and catalyst with data: <side>_sum, <side>_n."""
    parts = [
        frame.loc[frame[f"{c}_n"] > 0, keys].assign(
            catalyst=c, **{f"{side}_sum": frame[f"{c}_sum"], f"{side}_n": frame[f"{c}_n"]}
        )
        for c in CATALYST_KEYS
    ]
    columns = [*keys, "catalyst", f"{side}_sum", f"{side}_n"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _self_vs_team(db: Store, cells: pd.DataFrame, period: Period) -> pd.DataFrame:
    keys = ["manager_id", "team_id", "round"]
    columns = ["manager_id", "team_id", "catalyst", "self_score", "self_weeks", "team_mean",
               "team_answers", "rounds", "gap", "gap_kind"]  # fmt: skip
    if cells.empty:
        return pd.DataFrame(columns=columns)
    sums = [f"{c}_{part}" for c in CATALYST_KEYS for part in ("sum", "n")]
    team = cells.groupby(keys, as_index=False)[sums].sum()
    pairs = team[["manager_id", "team_id"]].drop_duplicates()
    ratings = ", ".join(f"sum(c.{k}) AS {k}_sum, count(c.{k}) AS {k}_n" for k in CATALYST_KEYS)
    with db.reading() as cursor, store.registered(cursor, "pairs", pairs):
        own = cursor.execute(
            f"SELECT c.manager_id, c.team_id, {rounds.round_sql(period.cadence, 'c.week')} "  # noqa: S608
            f"AS round, {ratings} FROM checkins c SEMI JOIN pairs p ON p.manager_id = "
            "c.manager_id AND p.team_id = c.team_id WHERE c.week BETWEEN ? AND ? GROUP BY ALL",
            [period.first_week, period.last_week],
        ).df()
    if own.empty:
        return pd.DataFrame(columns=columns)
    own["round"] = own["round"].dt.date
    both = _long(team, keys, "team").merge(_long(own, keys, "own"), on=[*keys, "catalyst"])
    found = both.groupby(["manager_id", "team_id", "catalyst"], as_index=False).agg(
        team_sum=("team_sum", "sum"), team_answers=("team_n", "sum"),
        own_sum=("own_sum", "sum"), self_weeks=("own_n", "sum"), rounds=("round", "nunique"),
    )  # fmt: skip
    found["self_score"] = found.own_sum / found.self_weeks
    found["team_mean"] = found.team_sum / found.team_answers
    found["gap"] = found.self_score - found.team_mean
    found["gap_kind"] = [measures.gap_kind(g) for g in found.gap]
    return found[columns]


def team_changes(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """Each team's favorable % per catalyst and progress, this period against the one
    before; ``real`` where the change is at least 5 points and significant after
    Benjamini-Hochberg across all the teams compared (per item)."""
    now = _team_favorable(db, scope, period)
    before = _team_favorable(db, scope, period.before())
    both = now.merge(before, on=["team_id", "item"], suffixes=("", "_before"))
    parts = []
    for _, group in both.groupby("item"):
        changes = measures.real_changes(
            list(zip(group.favorable_before, group.n_before, group.favorable, group.n, strict=True))
        )
        parts.append(
            group.assign(points=[c.points for c in changes], real=[c.real for c in changes])
        )
    columns = ["team_id", "item", "favorable", "n", "favorable_before", "n_before", "points",
               "real"]  # fmt: skip
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _team_favorable(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    cells = scope.limit(privacy.team_cells(protected_cells(db, period)))
    sums = [f"{i}_{part}" for i in ITEM_KEYS for part in ("favorable", "n")]
    team = cells.groupby("team_id", as_index=False)[sums].sum()
    rows = [
        team.loc[team[f"{i}_n"] > 0, ["team_id"]].assign(
            item=i, favorable=team[f"{i}_favorable"], n=team[f"{i}_n"])
        for i in ITEM_KEYS
    ]  # fmt: skip
    return pd.concat(rows, ignore_index=True)


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


def audit_log(
    cursor: duckdb.DuckDBPyConnection, *, first: date, last: date, action: str | None = None,
    who: str | None = None, limit: int = 5000,
) -> pd.DataFrame:  # fmt: skip
    """Audit lines from ``first`` to ``last`` (days, inclusive), newest first: when, who
    (the user's email, else the command or address that acted), action, detail.
    ``action`` keeps actions starting with it ("sign_in", "export"); ``who`` keeps
    lines whose who contains it."""
    return cursor.execute(
        """
        SELECT a.occurred_at AS "when", coalesce(u.email, a.actor, '') AS who, a.action,
               coalesce(a.detail, '') AS detail
        FROM audit_log a LEFT JOIN users u USING (user_id)
        WHERE a.occurred_at >= $1 AND a.occurred_at < $2 + INTERVAL 1 DAY
          AND ($3 IS NULL OR starts_with(a.action, $3))
          AND ($4 IS NULL OR contains(lower(coalesce(u.email, a.actor, '')), lower($4)))
        ORDER BY a.occurred_at DESC, a.audit_id DESC LIMIT $5
        """,
        [first, last, action, who, limit],
    ).df()


def audit_actions(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """The kinds of action in the log ("sign_in", "user", "export" ...), for a filter."""
    rows = cursor.execute(
        "SELECT DISTINCT split_part(action, '.', 1) FROM audit_log ORDER BY 1"
    ).fetchall()
    return [action for (action,) in rows]


def roster_now(cursor: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """Every team with its department, manager and headcount on ``day``, by name."""
    return (
        _teams_at(cursor, day)[["team_id", "team", "department", "manager", "manager_email",
                                "headcount"]]
        .sort_values(["department", "team"], ignore_index=True)
    )  # fmt: skip


def roster_history(cursor: duckdb.DuckDBPyConnection, team_id: int) -> pd.DataFrame:
    """A team's facts over time: from, until, department, manager, headcount."""
    return cursor.execute(
        'SELECT h.valid_from AS "from", h.valid_to AS until, d.name AS department, '
        "coalesce(u.display_name, '') AS manager, coalesce(u.email, '') AS manager_email, "
        "h.headcount FROM team_history h JOIN departments d USING (department_id) "
        "LEFT JOIN users u ON u.user_id = h.manager_id WHERE h.team_id = ? "
        "ORDER BY h.valid_from DESC",
        [team_id],
    ).df()
