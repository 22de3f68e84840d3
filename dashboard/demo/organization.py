"""The demo organization's structure and levels: departments, teams, people,
managers and reorgs, each team's true level per catalyst and week, and how each
manager's self-image departs from it. The order of random draws is part of the
demo: the same seed gives the same organization."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from dashboard import accounts
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.demo.spec import ADMIN_EMAIL, DEMO_PASSWORD, HR_EMAIL, MANAGER_EMAIL, DemoSpec
from dashboard.demo.words import DEPARTMENTS, FIRST_NAMES, LAST_NAMES

# How strongly each catalyst drives the progress item (on the 1-5 scale).
PROGRESS_WEIGHTS = np.array([0.30, 0.10, 0.20, 0.02, 0.25, 0.08])


@dataclass
class GeneratedOrg:
    """Everything generated, as arrays and frames, before it is written."""

    weeks: pd.DatetimeIndex
    departments: pd.DataFrame
    teams: pd.DataFrame
    team_facts: pd.DataFrame
    users: pd.DataFrame
    user_roles: pd.DataFrame
    headcount: np.ndarray  # per team
    levels: np.ndarray  # team x week x item, the teams' true 1-5 level
    manager_of: np.ndarray  # team x week -> user_id of the manager in charge
    self_bias: np.ndarray  # user_id x catalyst -> how far their self-image departs


def week_starts(today: date, weeks: int) -> pd.DatetimeIndex:
    current = today - timedelta(days=today.weekday())
    return pd.DatetimeIndex([current - timedelta(weeks=weeks - 1 - i) for i in range(weeks)])


def _department_names(teams: int) -> list[str]:
    bases = list(DEPARTMENTS)
    if teams <= 60:
        return bases
    count = math.ceil(teams / 10)
    return [f"{bases[i % len(bases)]} {i // len(bases) + 1}" for i in range(count)]


def _person_names(count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    order = rng.permutation(len(pairs))
    names = []
    for i in range(count):
        first, last = pairs[order[i % len(pairs)]]
        round_ = i // len(pairs)
        names.append((first, f"{last}{round_ + 1}" if round_ else last))
    return names


def generate_org(
    spec: DemoSpec, today: date, rng: np.random.Generator, now: datetime
) -> GeneratedOrg:
    """The organization of a spec. Random draws happen in a fixed order: headcounts,
    names, levels, self-images (changing the order changes every demo)."""
    weeks = week_starts(today, spec.weeks)
    n_teams, n_weeks = spec.teams, spec.weeks
    department_names = _department_names(n_teams)
    departments = pd.DataFrame(
        {"department_id": np.arange(1, len(department_names) + 1), "name": department_names}
    )
    team_department = np.arange(n_teams) % len(department_names)
    headcount = _headcounts(n_teams, rng)
    users, user_roles = _people(spec, rng, now)
    user_ids = users.user_id.to_numpy()
    # Users 1-3 are admin, HR and manager@example.com (who leads the first team); teams
    # 2..n get a named manager each, and one more named person led the changed team
    # before its manager change.
    manager_user = np.concatenate([[3], user_ids[3 : 3 + n_teams - 1]])
    previous_manager = int(user_ids[-1])
    teams = pd.DataFrame(
        {
            "team_id": np.arange(1, n_teams + 1),
            "name": _team_names(n_teams, department_names, team_department),
            "created_at": datetime.combine(weeks[0].date(), time(8, 0)),
        }
    )
    team_facts = _team_facts(
        teams,
        weeks,
        team_department,
        manager_user,
        previous_manager,
        headcount,
        len(department_names),
    )
    manager_of = np.repeat(manager_user[:, None], n_weeks, axis=1)
    manager_of[CHANGE_TEAM, : n_weeks // 2] = previous_manager
    levels = _levels(n_teams, n_weeks, rng)
    self_bias = _self_bias(len(user_ids), rng)
    return GeneratedOrg(
        weeks,
        departments,
        teams,
        team_facts,
        users,
        user_roles,
        headcount,
        levels,
        manager_of,
        self_bias,
    )


# The second team changes manager halfway; the third moves department two thirds in.
CHANGE_TEAM, REORG_TEAM = 1, 2


def _team_names(n_teams: int, department_names: list[str], team_department) -> list[str]:
    names, used = [], {}
    for t in range(n_teams):
        department = department_names[team_department[t]]
        themes = DEPARTMENTS.get(department) or DEPARTMENTS.get(
            department.rsplit(" ", 1)[0], ("Team",)
        )
        theme = themes[(t // len(department_names)) % len(themes)]
        used[theme] = used.get(theme, 0) + 1
        names.append(theme if used[theme] == 1 else f"{theme} {used[theme]}")
    return names


def _headcounts(n_teams: int, rng: np.random.Generator) -> np.ndarray:
    headcount = rng.choice(np.arange(5, 13), size=n_teams, p=_headcount_weights())
    small = np.arange(5, n_teams, 13)  # teams too small ever to report
    headcount[small] = rng.integers(3, 5, size=len(small))
    headcount[0] = 9  # manager@example.com's team: enough people to report every week
    return headcount


def _people(
    spec: DemoSpec, rng: np.random.Generator, now: datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fixed = [
        (ADMIN_EMAIL, "Dana Whitfield", "admin"),
        (HR_EMAIL, "Priya Raman", "hr"),
        (MANAGER_EMAIL, "Jordan Blake", "manager"),
    ]
    named = [
        (f"{first}.{last}@example.com".lower(), f"{first} {last}", "manager")
        for first, last in _person_names(spec.teams, rng)
    ]
    people = fixed + named
    user_ids = np.arange(1, len(people) + 1)
    salt = hashlib.sha256(f"catalyst-demo-{spec.seed}".encode()).digest()[:16]
    users = pd.DataFrame(
        {
            "user_id": user_ids,
            "email": [email for email, _, _ in people],
            "display_name": [name for _, name, _ in people],
            "password_hash": accounts.hash_password_with_salt(DEMO_PASSWORD, salt),
            "active": True,
            "created_at": now - timedelta(weeks=spec.weeks),
        }
    )
    return users, pd.DataFrame({"user_id": user_ids, "role": [role for _, _, role in people]})


def _team_facts(
    teams: pd.DataFrame,
    weeks: pd.DatetimeIndex,
    team_department,
    manager_user,
    previous_manager: int,
    headcount,
    n_departments: int,
) -> pd.DataFrame:
    """Each team from the first week, then the manager change and the reorg."""
    n_weeks = len(weeks)
    facts = pd.DataFrame(
        {
            "team_id": teams.team_id,
            "valid_from": weeks[0].date(),
            "department_id": team_department + 1,
            "manager_id": manager_user,
            "headcount": headcount,
        }
    )
    facts.loc[CHANGE_TEAM, "manager_id"] = previous_manager
    reorg_department = (team_department[REORG_TEAM] + 1) % n_departments
    later = pd.DataFrame(
        {
            "team_id": [CHANGE_TEAM + 1, REORG_TEAM + 1],
            "valid_from": [weeks[n_weeks // 2].date(), weeks[(2 * n_weeks) // 3].date()],
            "department_id": [team_department[CHANGE_TEAM] + 1, reorg_department + 1],
            "manager_id": [manager_user[CHANGE_TEAM], manager_user[REORG_TEAM]],
            "headcount": [headcount[CHANGE_TEAM], headcount[REORG_TEAM]],
        }
    )
    return pd.concat([facts, later], ignore_index=True)


def _levels(n_teams: int, n_weeks: int, rng: np.random.Generator) -> np.ndarray:
    """Team x week x item: the true 1-5 level, with the built-in patterns."""
    obstacles = CATALYST_KEYS.index("obstacle_removal")
    levels = _team_levels(n_teams, n_weeks, rng)
    levels[CHANGE_TEAM, n_weeks // 2 :, obstacles] -= 1.3
    levels[0, :, obstacles] = np.minimum(levels[0, :, obstacles], 2.9)
    np.clip(levels, 1.3, 4.8, out=levels)
    levels[:, :, -1] = _progress_level(levels[:, :, :-1], rng)
    return levels


def _self_bias(n_users: int, rng: np.random.Generator) -> np.ndarray:
    """Row u: how user u's self-image departs from their team's level, per catalyst."""
    self_bias = rng.normal(0.1, 0.25, size=(n_users + 1, len(CATALYST_KEYS)))
    kind = rng.random(n_users + 1)
    for uid in np.flatnonzero(kind < 0.2):  # blind spot on one or two catalysts
        picks = rng.choice(len(CATALYST_KEYS), size=rng.integers(1, 3), replace=False)
        self_bias[uid, picks] += rng.uniform(1.2, 1.8, size=len(picks))
    for uid in np.flatnonzero((kind >= 0.2) & (kind < 0.3)):  # hidden strength
        self_bias[uid, rng.integers(len(CATALYST_KEYS))] -= rng.uniform(1.1, 1.5)
    self_bias[3] = [0.1, 0.2, 0.0, 0.1, 1.6, -1.2]
    return self_bias


def _headcount_weights() -> np.ndarray:
    weights = np.array([1, 2, 3, 4, 4, 4, 3, 3], dtype=float)  # headcount 5..12
    return weights / weights.sum()


def _team_levels(n_teams: int, n_weeks: int, rng: np.random.Generator) -> np.ndarray:
    """Each team's true level per catalyst and week: a base, a slow trend, a wobble."""
    n_cat = len(CATALYST_KEYS)
    base = rng.normal(3.5, 0.45, size=(n_teams, 1, n_cat)) + rng.normal(
        0, 0.3, size=(n_teams, 1, 1)
    )
    trend = (
        rng.normal(0, 0.35, size=(n_teams, 1, n_cat))
        * np.linspace(-0.5, 0.5, n_weeks)[None, :, None]
    )
    wobble = rng.normal(0, 0.12, size=(n_teams, n_weeks, n_cat))
    levels = np.empty((n_teams, n_weeks, len(ITEM_KEYS)))
    levels[:, :, :n_cat] = base + trend + wobble
    return levels


def _progress_level(catalysts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    centred = catalysts - 3.5
    level = 3.4 + centred @ PROGRESS_WEIGHTS * 1.6
    return np.clip(level + rng.normal(0, 0.1, size=level.shape), 1.3, 4.8)
