"""Who may see what: cells, pooling and figures (DESIGN §3). Pure functions on DataFrames.

The guarantee: no figure lets anyone see or work out the answers of fewer
than k people (the minimum group size).

* A **cell** is one team in one round, split further where the team's
  manager or department changed within the round (a response belongs to the
  manager and department it was given to). Cells partition the responses the
  same way whatever is asked, so they are the unit of everything below.
* A cell's size is the number of **people** behind it, not of responses: where
  people are asked more often than the round (a weekly survey, monthly rounds),
  the most responses in one survey period of the round (a lower bound), and
  never more than the team's headcount.
* A team cell is **shown** when at least k people are behind it and the team's
  headcount is at least k (a team smaller than k never reports on its own).
* Every other cell of a department and round goes into one **pool**, "rest of
  department", shown when the pool has k people behind it and dropped otherwise.
* Within a shown cell, an item answered by fewer than k people is masked:
  its answers count nowhere.
* Every **figure** (team, manager, department, organization; any period; any
  set of departments) is a sum of shown cells. The difference of two figures
  is therefore again a sum of whole shown cells, never a group below k.

``protect`` is applied once, when a round is published (queries/publication.py), to
the whole organization, before any scope or filter: a cell's fate never depends on
who is asking, and a published cell never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard import measures
from dashboard.catalysts import ITEM_KEYS

CELL_KEYS = ["team_id", "round", "department_id", "manager_id"]
ITEM_COLUMNS = [f"{item}_{part}" for item in ITEM_KEYS for part in ("n", "sum", "favorable")]
ITEM_PEOPLE = [f"{item}_people" for item in ITEM_KEYS]


@dataclass(frozen=True)
class Protected:
    """The organization's cells for some rounds, after the rules.

    ``shown``: cells that may enter figures, team cells (``kind`` 'team') and
    pools ('pool', no team or manager), with a ``cell`` key and an
    ``items_masked`` flag. ``withheld``: the team cells not shown on their own,
    with ``pooled`` telling whether their pool is shown.
    """

    shown: pd.DataFrame
    withheld: pd.DataFrame
    min_group_size: int
    # What reads make from these cells and keep with them (queries/cells.py ``kept``):
    # published cells never change, so neither does anything made from them alone.
    kept: dict = field(default_factory=dict, compare=False, repr=False)


def protect(cells: pd.DataFrame, min_group_size: int) -> Protected:
    """Apply the reporting rules to raw cells.

    ``cells`` has one row per cell: CELL_KEYS, ``headcount``, ``responses``,
    ``people`` (see the module's notes) and per item ``<item>_n``, ``<item>_sum``,
    ``<item>_favorable`` and ``<item>_people``.
    """
    cells = cells[cells.responses > 0]
    on_own = (cells.people >= min_group_size) & (cells.headcount >= min_group_size)
    teams = cells[on_own].assign(kind="team")
    small = cells[~on_own]

    summed = ["responses", "people", *ITEM_COLUMNS, *ITEM_PEOPLE]
    pools = (
        small.groupby(["department_id", "round"], as_index=False)[summed]
        .sum()
        .assign(kind="pool", team_id=pd.NA, manager_id=pd.NA)
    )
    pools = pools[pools.people >= min_group_size]
    pooled = small.merge(
        pools[["department_id", "round"]].assign(pooled=True),
        how="left",
        on=["department_id", "round"],
    )
    withheld = pooled[[*CELL_KEYS, "responses"]].assign(pooled=pooled.pooled.eq(True))

    shown = pd.concat([teams.drop(columns="headcount"), pools], ignore_index=True)
    shown = _mask_thin_items(shown, min_group_size)
    shown["cell"] = [
        f"team {t} {r} dept {d} mgr {m}" if kind == "team" else f"pool dept {d} {r}"
        for kind, t, r, d, m in zip(
            shown.kind,
            shown.team_id,
            shown["round"],
            shown.department_id,
            shown.manager_id,
            strict=True,
        )
    ]
    return Protected(shown.reset_index(drop=True), withheld.reset_index(drop=True), min_group_size)


def _mask_thin_items(shown: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    shown = shown.copy()
    answers = shown[[f"{item}_n" for item in ITEM_KEYS]].to_numpy()
    people = shown[ITEM_PEOPLE].to_numpy()
    thin = (answers > 0) & (people < min_group_size)
    for part in ("n", "sum", "favorable"):
        columns = [f"{item}_{part}" for item in ITEM_KEYS]
        shown[columns] = np.where(thin, 0, shown[columns].to_numpy())
    shown["items_masked"] = thin.any(axis=1)
    return shown.drop(columns=ITEM_PEOPLE)


@dataclass(frozen=True)
class ItemFigure:
    answers: int
    mean: float | None  # on 1-5
    favorable_pct: float | None
    favorable: int = 0  # favorable answers (for tests of change)


@dataclass(frozen=True)
class CellSum:
    """A number shown to someone: what it stands on, and whether anything was left out."""

    responses: int
    items: dict[str, ItemFigure]
    left_out: bool
    cells: frozenset[str] = field(default=frozenset())

    @property
    def shown(self) -> bool:
        return self.responses > 0

    def favorable_pct(self, item: str) -> float | None:
        return self.items[item].favorable_pct

    def mean(self, item: str) -> float | None:
        return self.items[item].mean


def figure(cells: pd.DataFrame, *, left_out: bool) -> CellSum:
    """One figure: the sum of these shown cells."""
    columns = ["responses", *ITEM_COLUMNS]
    totals = dict(zip(columns, cells[columns].to_numpy().sum(axis=0), strict=True))
    items = {
        item: ItemFigure(
            answers=int(totals[f"{item}_n"]),
            mean=measures.mean(float(totals[f"{item}_sum"]), int(totals[f"{item}_n"])),
            favorable_pct=measures.favorable_pct(
                int(totals[f"{item}_favorable"]), int(totals[f"{item}_n"])
            ),
            favorable=int(totals[f"{item}_favorable"]),
        )
        for item in ITEM_KEYS
    }
    masked = bool(cells.items_masked.any()) if len(cells) else False
    keys = frozenset(cells["cell"].tolist())  # tolist: far faster than iterating Arrow strings
    return CellSum(int(totals["responses"]), items, left_out or masked, keys)


def figures_by(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Figures for each group of shown cells: responses, and per item answers,
    mean and favorable %. Groups are sums of whole cells, like every figure."""
    groups = cells.groupby(keys, dropna=False)
    grouped = groups[["responses", *ITEM_COLUMNS]].sum()  # one pass over every column
    grouped.insert(1, "items_masked", groups["items_masked"].any())
    return with_measures(grouped.reset_index())


def with_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``<item>_mean`` and ``<item>_favorable_pct`` next to the summed columns."""
    answers = frame[[f"{item}_n" for item in ITEM_KEYS]].to_numpy(dtype=float)
    answers[answers <= 0] = np.nan
    sums = frame[[f"{item}_sum" for item in ITEM_KEYS]].to_numpy(dtype=float)
    favorable = frame[[f"{item}_favorable" for item in ITEM_KEYS]].to_numpy(dtype=float)
    measures_of = pd.DataFrame(
        np.hstack([sums / answers, 100 * favorable / answers]),
        columns=[f"{item}_{kind}" for kind in ("mean", "favorable_pct") for item in ITEM_KEYS],
        index=frame.index,
    )
    return pd.concat([frame, measures_of], axis=1)


def team_cells(protected: Protected) -> pd.DataFrame:
    return protected.shown[protected.shown.kind == "team"]


def left_out_teams(protected: Protected) -> set[int]:
    """Teams with responses in cells not shown as theirs (pooled or dropped)."""
    return set(protected.withheld.team_id)


def dropped_departments(protected: Protected) -> set[int]:
    """Departments with responses that no figure includes (pools below k)."""
    return set(protected.withheld[~protected.withheld.pooled].department_id)
