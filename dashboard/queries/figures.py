"""Every survey figure pages and files show: sums of protected cells within a scope,
for a period. The difference of any two is again whole shown cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import measures, privacy, rounds, store
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.privacy import CellSum
from dashboard.queries.cells import facts_join, kept, protected_cells, raw_counts, team_cells_in
from dashboard.queries.organization import teams_at
from dashboard.queries.scope import Scope
from dashboard.rounds import Period
from dashboard.store import Store


def team_figure(db: Store, scope: Scope, team_id: int, period: Period) -> CellSum:
    """One team over the period: its shown cells within the caller's scope."""
    protected = protected_cells(db, period)
    left_out = team_id in _left_out_teams(protected)
    return privacy.figure(team_cells_in(protected, scope, team_id), left_out=left_out)


def team_rounds(db: Store, scope: Scope, team_id: int, period: Period) -> pd.DataFrame:
    """One team round by round: every round of the period, with figures where shown.

    Rounds without a shown cell have ``responses`` 0 and no values (a gap,
    never a zero).
    """
    return _by_round(team_cells_in(protected_cells(db, period), scope, team_id), period)


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

    def make() -> CellSum:
        cells = protected.shown
        dropped = privacy.dropped_departments(protected)
        if department_id is not None:
            cells = cells[cells.department_id == department_id]
            return privacy.figure(cells, left_out=department_id in dropped)
        return privacy.figure(cells, left_out=bool(dropped))

    return kept(protected, ("benchmark", department_id), make)


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
    shown = kept(protected, ("team figures", scope), lambda: _figures_by_team(protected, scope))
    with db.reading() as cursor:
        teams = teams_at(cursor, period.last_week)
    if scope.departments is not None:
        teams = teams[teams.department_id.isin(scope.departments)]
    if scope.manager_id is not None:
        teams = teams[teams.team_id.isin(shown.team_id)]
    table = teams.merge(shown, on="team_id", how="left") if len(shown) else teams.copy()
    _item_columns(table)
    withheld = _left_out_teams(protected)
    table["left_out"] = table.team_id.isin(withheld) | _masked(table)
    table["status"] = [
        "shown"
        if shown_n > 0
        else "team_too_small"
        if headcount < protected.min_group_size
        else "too_few_responses"
        if team_id in withheld
        else "no_responses"
        for shown_n, headcount, team_id in zip(
            table.responses, table.headcount, table.team_id, strict=True
        )
    ]
    return table.sort_values(["department", "team"], ignore_index=True)


def _figures_by_team(protected: privacy.Protected, scope: Scope) -> pd.DataFrame:
    cells = team_cells_in(protected, scope)
    if len(cells):
        return privacy.figures_by(cells, ["team_id"])
    return pd.DataFrame({"team_id": pd.Series(dtype=int)})


def _left_out_teams(protected: privacy.Protected) -> set[int]:
    return kept(protected, ("left out teams",), lambda: privacy.left_out_teams(protected))


def department_table(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """One row per department in scope: its teams' shown cells plus its shown pool."""
    protected = protected_cells(db, period)

    def make() -> pd.DataFrame:
        cells = scope.limit(protected.shown)
        if len(cells):
            return privacy.figures_by(cells, ["department_id"])
        return pd.DataFrame(
            {"department_id": pd.Series(dtype=int), "responses": pd.Series(dtype=int)}
        )

    with db.reading() as cursor:
        names = cursor.execute("SELECT department_id, name AS department FROM departments").df()
    table = kept(protected, ("department figures", scope), make).merge(
        names, on="department_id", how="left"
    )
    dropped = privacy.dropped_departments(protected)
    table["left_out"] = table.department_id.isin(dropped) | _masked(table)
    return table.sort_values("department", ignore_index=True)


def trends(
    db: Store, scope: Scope, period: Period, departments: set[int] | None = None
) -> pd.DataFrame:
    """Figures per round for the scope (optionally some departments): every round
    of the period, sums of shown cells, pools included for HR."""
    protected = protected_cells(db, period)

    def make() -> pd.DataFrame:
        cells = scope.limit(protected.shown)
        if departments is not None:
            cells = cells[cells.department_id.isin(departments)]
        return _by_round(cells, period)

    key = ("trends", scope, None if departments is None else frozenset(departments))
    return kept(protected, key, make).copy()


def participation(db: Store, scope: Scope, period: Period) -> float | None:
    """Average over the period's rounds of responses / headcount (each round capped at 100%).

    Counts of responses are not answers; they come from every cell in scope, published
    or not, but only of teams with at least k people on the roster.
    """
    protected = protected_cells(db, period)  # the same checks as every figure
    with db.reading() as cursor:
        cells = raw_counts(cursor, period)
    cells = cells[cells.headcount >= protected.min_group_size]
    if scope.manager_id is not None:
        cells = cells[cells.manager_id == scope.manager_id]
    if scope.departments is not None:
        cells = cells[cells.department_id.isin(scope.departments)]
    per_round = cells.groupby("round")[["responses", "headcount"]].sum()
    return measures.period_participation(
        list(zip(per_round.responses, per_round.headcount, strict=True))
    )


def held_responses(db: Store, scope: Scope, period: Period, team_id: int | None = None) -> int:
    """Responses that arrived after their round was published and are not in any figure
    yet (late data waiting for a group of k), counted for teams of at least k people in
    scope: a count, never answers. (Responses left out when their round was published
    are not counted here: figures say that something was left out.)"""
    k = protected_cells(db, period).min_group_size
    with db.reading() as cursor:
        held = cursor.execute(
            f"""
            SELECT r.team_id, h.department_id, h.manager_id, h.headcount, count(*) AS held
            FROM survey_responses r {facts_join("r")}
            JOIN published_rounds p ON r.week BETWEEN p.first_week AND p.last_week
            JOIN imports i ON i.import_id = r.import_id AND i.imported_at > p.published_at
            WHERE r.cell_id IS NULL AND p.first_week >= ? AND p.last_week <= ?
            GROUP BY ALL
            """,  # noqa: S608 - no input in the text
            [period.first_week, period.last_week],
        ).df()
    held = scope.limit(held.assign(kind="team"))
    held = held[held.headcount >= k]
    if team_id is not None:
        held = held[held.team_id == team_id]
    return int(held.held.sum())


def comments(db: Store, scope: Scope, period: Period, team_id: int | None = None) -> list[str]:
    """Comments the scope may read: only from team cells published with their comments
    (at least the comment threshold of people when published; never from a pool),
    without dates, in an order that says nothing about when they were written."""
    return _free_text(db, scope, period, team_id, "comment")


def small_wins(db: Store, scope: Scope, period: Period, team_id: int | None = None) -> list[str]:
    """The small wins people shared in the pulse, under the same rules as comments."""
    return _free_text(db, scope, period, team_id, "small_win")


def _free_text(db: Store, scope: Scope, period: Period, team_id: int | None, column: str):
    cells = team_cells_in(protected_cells(db, period), scope, team_id)
    cells = cells[cells.comments.astype(bool)]
    if cells.empty:
        return []
    assert column in ("comment", "small_win")  # noqa: S101 - names never come from input
    with db.reading() as cursor, store.registered(cursor, "eligible_cells", cells[["cell_id"]]):
        rows = cursor.execute(
            f"""
            SELECT r.{column} FROM survey_responses r
            SEMI JOIN eligible_cells c ON c.cell_id = r.cell_id
            WHERE nullif(trim(r.{column}), '') IS NOT NULL
            ORDER BY md5(r.{column} || r.fingerprint::VARCHAR)
            """  # noqa: S608 - the column is one of two names above
        ).fetchall()
    return [text for (text,) in rows]


def self_vs_team(
    db: Store, scope: Scope, manager_id: int, team_id: int, period: Period
) -> pd.DataFrame:
    """Per catalyst: the manager's self score, the team's mean, the gap and its kind.

    Both sides cover the same rounds: those with at least one check-in and a
    shown team cell for that catalyst. The self score is the mean of the
    check-in weeks in those rounds; the team side is a sum of whole shown
    cells, so the comparison never isolates part of a round.
    """
    cells = team_cells_in(protected_cells(db, period), scope, team_id)
    found = _self_vs_team(db, _team_side(cells[cells.manager_id == manager_id]), period)
    found = found.set_index("catalyst")
    rows = []
    for key in CATALYST_KEYS:
        row = found.loc[key] if key in found.index else None
        rows.append(
            {
                "catalyst": key,
                "self_score": None if row is None else row.self_score,
                "self_weeks": 0 if row is None else int(row.self_weeks),
                "team_mean": None if row is None else row.team_mean,
                "team_answers": 0 if row is None else int(row.team_answers),
                "rounds": 0 if row is None else int(row.rounds),
                "gap": None if row is None else row.gap,
                "gap_kind": None if row is None else row.gap_kind,
            }
        )
    return pd.DataFrame(rows)


def self_vs_team_all(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    """Self vs team for every manager and team in scope: one row per manager, team and
    catalyst with data on both sides (see ``self_vs_team`` for the rules)."""
    protected = protected_cells(db, period)
    team = kept(
        protected, ("team side", scope), lambda: _team_side(team_cells_in(protected, scope))
    )
    return _self_vs_team(db, team, period)


def _long(frame: pd.DataFrame, keys: list[str], side: str) -> pd.DataFrame:
    """One row per key and catalyst with data: <side>_sum, <side>_n. Built with whole
    arrays (one row block per catalyst), not a frame per catalyst: it runs on every
    cold view of a team."""
    rows = len(frame)
    sums = frame[[f"{c}_sum" for c in CATALYST_KEYS]].to_numpy().T.reshape(-1)
    counts = frame[[f"{c}_n" for c in CATALYST_KEYS]].to_numpy().T.reshape(-1)
    long = frame[keys].iloc[np.tile(np.arange(rows), len(CATALYST_KEYS))].reset_index(drop=True)
    long["catalyst"] = np.repeat(CATALYST_KEYS, rows)
    long[f"{side}_sum"], long[f"{side}_n"] = sums, counts
    return long[long[f"{side}_n"] > 0].reset_index(drop=True)


_ROUND_KEYS = ["manager_id", "team_id", "round"]


def _team_side(cells: pd.DataFrame) -> pd.DataFrame:
    """The team side of self vs team: per manager, team, round and catalyst with answers,
    the sum and count of the shown cells' scores (published cells alone: it is kept)."""
    if cells.empty:
        return pd.DataFrame(columns=[*_ROUND_KEYS, "catalyst", "team_sum", "team_n"])
    sums = [f"{c}_{part}" for c in CATALYST_KEYS for part in ("sum", "n")]
    return _long(cells.groupby(_ROUND_KEYS, as_index=False)[sums].sum(), _ROUND_KEYS, "team")


def _self_vs_team(db: Store, team: pd.DataFrame, period: Period) -> pd.DataFrame:
    columns = [
        "manager_id",
        "team_id",
        "catalyst",
        "self_score",
        "self_weeks",
        "team_mean",
        "team_answers",
        "rounds",
        "gap",
        "gap_kind",
    ]
    if team.empty:
        return pd.DataFrame(columns=columns)
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
    both = team.merge(_long(own, _ROUND_KEYS, "own"), on=[*_ROUND_KEYS, "catalyst"])
    found = both.groupby(["manager_id", "team_id", "catalyst"], as_index=False).agg(
        team_sum=("team_sum", "sum"),
        team_answers=("team_n", "sum"),
        own_sum=("own_sum", "sum"),
        self_weeks=("own_n", "sum"),
        rounds=("round", "nunique"),
    )
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
    columns = [
        "team_id",
        "item",
        "favorable",
        "n",
        "favorable_before",
        "n_before",
        "points",
        "real",
    ]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _team_favorable(db: Store, scope: Scope, period: Period) -> pd.DataFrame:
    protected = protected_cells(db, period)
    return kept(protected, ("team favorable", scope), lambda: _favorable_by_team(protected, scope))


def _favorable_by_team(protected: privacy.Protected, scope: Scope) -> pd.DataFrame:
    cells = team_cells_in(protected, scope)
    sums = [f"{i}_{part}" for i in ITEM_KEYS for part in ("favorable", "n")]
    team = cells.groupby("team_id", as_index=False)[sums].sum()
    rows = [
        team.loc[team[f"{i}_n"] > 0, ["team_id"]].assign(
            item=i, favorable=team[f"{i}_favorable"], n=team[f"{i}_n"]
        )
        for i in ITEM_KEYS
    ]
    return pd.concat(rows, ignore_index=True)
