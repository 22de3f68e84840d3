"""DESIGN §3 as properties, on thousands of random organizations.

The oracle below recomputes, from the raw cells alone, what each cell a
figure names must contain; it shares no code with privacy.py beyond the
cell names.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from fixtures import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import privacy
from dashboard.catalysts import ITEM_KEYS

W1 = date(2026, 3, 2)
ITEMS = ("clear_goals", "progress")  # two items suffice; the rest stay empty


@st.composite
def organizations(draw):
    """Raw cells of a random organization: teams in departments, rounds, managers
    changing within rounds, 0 to 14 responses per cell, items partly answered.

    Hypothesis draws the shape and a seed; numpy fills in the cells (drawing
    every number through Hypothesis made the test ten times slower).
    """
    k = draw(st.integers(3, 7))
    departments = draw(st.integers(1, 4))
    teams = draw(st.integers(1, 9))
    rounds = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    team_department = rng.integers(1, departments + 1, size=teams)
    headcount = rng.integers(1, 15, size=teams)
    rows = []
    for team in range(teams):
        for r in range(rounds):
            for manager in range(rng.integers(1, 3)):  # 2: a change within the round
                responses = int(rng.integers(0, 15))
                # People behind the cell: fewer than its responses where people answered
                # more than once in the round, never more than the headcount.
                people = min(int(rng.integers(min(responses, 1), responses + 1)), headcount[team])
                row = {
                    "team_id": team + 1,
                    "round": W1 + timedelta(weeks=r),
                    "department_id": int(team_department[team]),
                    "manager_id": 10 * team + manager,
                    "headcount": int(headcount[team]),
                    "responses": responses,
                    "people": int(people),
                }
                for item in ITEM_KEYS:
                    answers = int(rng.integers(0, responses + 1)) if item in ITEMS else 0
                    favorable = int(rng.integers(0, answers + 1))
                    row |= {
                        f"{item}_n": answers,
                        f"{item}_favorable": favorable,
                        f"{item}_sum": float(answers + 3 * favorable),
                        f"{item}_people": min(answers, int(people)),
                    }
                rows.append(row)
    return k, pd.DataFrame(rows), rounds, departments, teams


def oracle(raw: pd.DataFrame, k: int) -> dict[str, dict]:
    """What each cell may hold, worked out from raw cells by the rules in words:
    a team cell with k people behind it from a team of at least k people stands alone;
    everything else of its department and round forms the pool; items answered by
    fewer than k people in a cell count for nothing."""
    cells: dict[str, dict] = {}
    for row in raw.to_dict("records"):
        alone = row["people"] >= k and row["headcount"] >= k
        name = (
            f"team {row['team_id']} {row['round']} dept {row['department_id']} "
            f"mgr {row['manager_id']}"
            if alone
            else f"pool dept {row['department_id']} {row['round']}"
        )
        empty = {"responses": 0, "people": 0, **{i: 0 for i in ITEM_KEYS},
                 **{f"{i}_people": 0 for i in ITEM_KEYS}}  # fmt: skip
        cell = cells.setdefault(name, empty)
        cell["responses"] += row["responses"]
        cell["people"] += row["people"]
        for item in ITEM_KEYS:
            cell[item] += row[f"{item}_n"]
            cell[f"{item}_people"] += row[f"{item}_people"]
    for cell in cells.values():
        for item in ITEM_KEYS:
            if cell.pop(f"{item}_people") < k:
                cell[item] = 0
    return cells


def check_figure(figure: privacy.CellSum, cells: dict[str, dict], k: int) -> dict[str, dict]:
    contents = {name: cells[name] for name in figure.cells}
    for name, content in contents.items():
        assert content["people"] >= k, f"{name} stands on {content['people']} people < {k}"
    assert figure.responses == sum(c["responses"] for c in contents.values())
    for item in ITEM_KEYS:
        assert figure.items[item].answers == sum(c[item] for c in contents.values())
    return contents


def figures_of(protected: privacy.Protected, teams: int, departments: int, subsets):
    shown = protected.shown
    found = [privacy.figure(shown, left_out=False)]
    found += [
        privacy.figure(shown[shown.team_id == t], left_out=False) for t in range(1, teams + 1)
    ]
    found += [privacy.figure(shown[shown.department_id.isin(s)], left_out=False) for s in subsets]
    return found


@settings(max_examples=budget(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(), st.data())
def test_every_figure_is_a_sum_of_whole_cells_of_at_least_k(org, data):
    k, raw, rounds, departments, teams = org
    # Two overlapping periods, as "last N rounds" and "last N-1 rounds" would be.
    first = data.draw(st.integers(0, rounds - 1))
    later = data.draw(st.integers(first, rounds - 1))
    subsets = data.draw(st.lists(st.sets(st.integers(1, departments), min_size=1), max_size=3))
    runs = []
    for start in (first, later):
        period = raw[raw["round"] >= W1 + timedelta(weeks=start)]
        protected = privacy.protect(period, k)
        figures = figures_of(protected, teams, departments, subsets)
        cells = oracle(period, k)
        runs.append([(f, check_figure(f, cells, k)) for f in figures])

    # Any two figures, from either period: their difference is whole cells, each >= k,
    # and a cell means the same thing whichever period asked for it.
    everything = [pair for run in runs for pair in run]
    catalogue = {}
    for _, contents in everything:
        for name, content in contents.items():
            assert catalogue.setdefault(name, content) == content, f"{name} changed meaning"
    for a, _ in everything:
        for b, _ in everything:
            only_a, only_b = a.cells - b.cells, b.cells - a.cells
            difference = sum(catalogue[c]["responses"] for c in only_a) - sum(
                catalogue[c]["responses"] for c in only_b
            )
            assert a.responses - b.responses == difference
            assert all(catalogue[c]["people"] >= k for c in only_a | only_b)


@settings(max_examples=budget(120), deadline=None)
@given(organizations())
def test_withheld_and_shown_account_for_every_response(org):
    k, raw, *_ = org
    protected = privacy.protect(raw, k)
    shown_teams = protected.shown[protected.shown.kind == "team"].responses.sum()
    assert shown_teams + protected.withheld.responses.sum() == raw.responses.sum()
    pools = protected.shown[protected.shown.kind == "pool"].responses.sum()
    assert pools == protected.withheld[protected.withheld.pooled].responses.sum()
    people = raw.set_index([*privacy.CELL_KEYS]).people
    withheld_people = protected.withheld.set_index([*privacy.CELL_KEYS]).index.map(people)
    assert not (
        (pd.Series(withheld_people, index=protected.withheld.index) >= k)
        & protected.withheld.team_id.map(raw.groupby("team_id").headcount.min()).ge(k)
    ).any()
