"""The privacy properties again, end to end: random organizations written to a real
database, read back through the read API, checked response by response."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from fixtures import OrgBuilder, budget, cell_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import queries
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

W1 = date(2026, 3, 2)


def build(seed: int, k: int, teams: int, weeks: int, path: Path):
    """A random organization; returns the builder (facts, rows) for the oracle."""
    rng = np.random.default_rng(seed)
    db = Store(path)
    org = OrgBuilder(db, start=W1, min_group_size=k)
    departments = [org.department(f"D{i}") for i in range(1, int(rng.integers(1, 4)) + 1)]
    for t in range(teams):
        team = org.team(
            f"T{t}",
            int(rng.choice(departments)),
            headcount=int(rng.integers(2, 13)),
            manager=f"m{t}@example.com",
        )
        if rng.random() < 0.4:  # a new manager (or a reorg) some time in the middle
            org.change(
                team,
                W1 + timedelta(days=int(rng.integers(1, 7 * weeks))),
                manager=f"n{t}@example.com" if rng.random() < 0.7 else None,
                department_id=int(rng.choice(departments)),
            )
        for w in range(weeks):
            count = int(rng.integers(0, 13))
            org.answers(
                team, W1 + timedelta(weeks=w), rng.integers(1, 6, size=count).tolist(), comment=None
            )
    for number, row in enumerate(org.rows):  # a unique comment says which response it is
        row["comment"] = f"response {number}" if rng.random() < 0.5 else None
        # A small win (the pulse's) is free text under the same rules, tagged the same way.
        row["small_win"] = f"response {number}" if rng.random() < 0.5 else None
    org.save()
    return db, org


def fact_for(org: OrgBuilder, team: int, week: date):
    facts = [f for f in org.facts if f[0] == team and f[1] <= week]
    return max(facts, key=lambda f: f[1])


def oracle(org: OrgBuilder, k: int, period: Period):
    """Cell of every response in the period, and how many responses and people each cell
    holds (one round is one week: the people are the responses, at most the headcount)."""
    cell_of, counts = {}, Counter()
    for number, row in enumerate(org.rows):
        if not period.first_week <= row["week"] <= period.last_week:
            continue
        _, _, department, manager, headcount = fact_for(org, row["team_id"], row["week"])
        cell_of[number] = (row["team_id"], row["week"], department, manager, headcount)
        counts[cell_of[number][:4]] += 1
    people = {key: min(n, cell_of_headcount(cell_of, key)) for key, n in counts.items()}
    shown_alone = {
        key for key, n in people.items() if n >= k and cell_of_headcount(cell_of, key) >= k
    }
    pools, pool_people = Counter(), Counter()
    for key, n in counts.items():
        if key not in shown_alone:
            pools[(key[2], key[1])] += n
            pool_people[(key[2], key[1])] += people[key]
    return cell_of, (counts, people), shown_alone, (pools, pool_people)


def cell_of_headcount(cell_of, key):
    return next(c[4] for c in cell_of.values() if c[:4] == key)


def cell_size(name: str, counts, pools) -> tuple[int, int]:
    """(responses, people) of a cell by the oracle."""
    words = name.split()
    if words[0] == "team":
        key = (int(words[1]), date.fromisoformat(words[2]), int(words[4]), int(words[6]))
        return counts[0][key], counts[1][key]
    key = (int(words[2]), date.fromisoformat(words[3]))
    return pools[0][key], pools[1][key]


@settings(max_examples=budget(14), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(3, 7),
    teams=st.integers(1, 7),
    weeks=st.integers(1, 6),
    data=st.data(),
)
def test_figures_and_comments_hold_the_rules_response_by_response(seed, k, teams, weeks, data):
    with tempfile.TemporaryDirectory() as folder:
        db, org = build(seed, k, teams, weeks, Path(folder) / "org.duckdb")
        try:
            first = data.draw(st.integers(0, weeks - 1))
            last = data.draw(st.integers(first, weeks - 1))
            period = Period(W1 + timedelta(weeks=first), W1 + timedelta(weeks=last), "weekly")
            cell_of, counts, shown_alone, pools = oracle(org, k, period)
            managers = sorted(set(org.users.values()))
            scopes = [
                Scope.hr(),
                Scope.hr(frozenset({1})),
                Scope.manager(data.draw(st.sampled_from(managers))),
            ]
            for scope in scopes:
                figures = [queries.team_figure(db, scope, t, period) for t in org.teams.values()]
                figures.append(queries.departments_figure(db, scope, period, {1, 2}))
                figures.append(queries.benchmark(db, period))
                for figure in figures:
                    names = cell_names(db, figure.cells).values()
                    sizes = [cell_size(name, counts, pools) for name in names]
                    assert all(people >= k for _, people in sizes), (names, sizes)
                    assert figure.responses == sum(responses for responses, _ in sizes)
                    if scope.manager_id is not None and figure is not figures[-1]:
                        assert all(name.endswith(f"mgr {scope.manager_id}") for name in names)
                for responses in queries.trends(db, scope, period).responses:
                    assert responses == 0 or responses >= k
                for comment in [*queries.comments(db, scope, period),
                                *queries.small_wins(db, scope, period)]:  # fmt: skip
                    team, week, department, manager, _ = cell_of[int(comment.split()[1])]
                    key = (team, week, department, manager)
                    assert key in shown_alone and counts[1][key] >= max(10, k)
                    if scope.manager_id is not None:
                        assert manager == scope.manager_id
                    if scope.departments is not None:
                        assert department in scope.departments
        finally:
            db.close()
