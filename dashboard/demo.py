"""A deterministic demo organization, believable enough to explore.

The same ``seed`` and ``today`` always give the same database. Everything is
generated as whole arrays with numpy and written in a handful of bulk
inserts, so ``--teams 2000 --weeks 104`` (about 1.6M responses) stays well
under a minute.

Patterns built in, for people to discover:

* blind spots: about one manager in five rates themselves 1.2-1.8 points
  above their team on one or two catalysts; a few rate themselves lower
  (hidden strengths). ``manager@example.com`` has a blind spot on obstacle
  removal and a hidden strength on respect;
* a manager change: the second team gets a new manager halfway through, and
  its obstacle removal drops by about 1.3 points from then on;
* a reorg: the third team moves to another department two thirds of the way;
* teams too small ever to report (headcount 3-4);
* progress moves with clear goals, obstacle removal and resources most,
  with autonomy and respect less, and help hardly at all.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from dashboard import accounts, store
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS
from dashboard.store import Store

DEMO_PASSWORD = "catalyst-demo"
ADMIN_EMAIL = "admin@example.com"
HR_EMAIL = "hr@example.com"
MANAGER_EMAIL = "manager@example.com"
ORGANIZATION_NAME = "Harbor & Pine (demo)"

DEPARTMENTS = {
    "Engineering": ("Platform", "Mobile", "Payments", "Search", "Data Platform",
                    "Infrastructure", "Web", "Security", "Developer Tools", "Reliability"),
    "Product & Design": ("Product Discovery", "Design Systems", "User Research", "Growth",
                         "Onboarding", "Pricing"),
    "Sales": ("Sales North", "Sales South", "Enterprise Sales", "Partnerships",
              "Inside Sales", "Sales Operations"),
    "Customer Support": ("Support Tier 1", "Support Tier 2", "Customer Success",
                         "Support Operations", "Knowledge Base", "Escalations"),
    "Operations": ("Logistics", "Facilities", "Procurement", "Supply Planning", "Quality"),
    "People & Finance": ("Recruiting", "People Operations", "Accounting", "Payroll", "Legal",
                         "IT Helpdesk"),
}  # fmt: skip

FIRST_NAMES = (
    "Ada", "Amir", "Ana", "Ben", "Bea", "Carlos", "Chen", "Dara", "Eli", "Elena", "Farah",
    "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jada", "Jonas", "Kai", "Kemal",
    "Lena", "Liam", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Omar", "Paula", "Quinn",
    "Rosa", "Ravi", "Sara", "Sven", "Tara", "Theo", "Uma", "Victor", "Wen", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Berg", "Costa", "Dumont", "Eriksen", "Fischer", "Garcia", "Hoang", "Ibsen",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
    "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zielinski",
    "Almeida", "Brennan", "Castillo", "Delgado", "Engel", "Fontaine", "Gallo", "Haddad",
)  # fmt: skip

COMMENTS_GOOD = (
    "Clear priorities this week made a real difference.",
    "Got quick help when the release got stuck.",
    "Thanks for pushing the access request through.",
    "Felt trusted to choose how to solve the problem.",
    "Good to hear the why behind the new goal.",
    "Our lead thanked the whole team in the all-hands.",
)
COMMENTS_BAD = (
    "Still waiting on the test environment, third week now.",
    "Priorities changed twice and nobody said why.",
    "Too many approvals for small decisions.",
    "Hard to find anyone who knows the old billing code.",
    "Meetings ate most of the week.",
    "Nobody mentioned the migration we finished.",
)
WINS = (
    "Shipped the new onboarding flow", "Closed the oldest open bug", "Customer praised the fix",
    "Cut build time in half", "Finished the quarterly plan early", "First release with no rollback",
    "New teammate shipped their first change", "Resolved the escalation within a day",
)  # fmt: skip
SETBACKS = (
    "Blocked on access to production logs", "Vendor delivery slipped a week",
    "Lost two days to an unplanned outage", "Requirements changed after review",
    "Key reviewer out sick", "Test environment down again",
)  # fmt: skip
CHECKIN_NOTES = {
    "clear_goals": "Walked the team through the quarter's goal and why it matters.",
    "autonomy": "Let the owners pick their own approach for the migration.",
    "resources": "Got the extra test licences approved.",
    "help": "Paired a new teammate with our most experienced engineer.",
    "obstacle_removal": "Escalated the blocked access request to IT.",
    "respect": "Thanked each person for a specific contribution in our weekly.",
}

# How strongly each catalyst drives the progress item (on the 1-5 scale).
PROGRESS_WEIGHTS = np.array([0.30, 0.10, 0.20, 0.02, 0.25, 0.08])

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSpec:
    teams: int = 40
    weeks: int = 26
    seed: int = 7
    today: date | None = None

    def __post_init__(self) -> None:
        if self.teams < 3:
            raise ValueError("the demo needs at least 3 teams")
        if self.weeks < 2:
            raise ValueError("the demo needs at least 2 weeks")


@dataclass
class _Org:
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


def build_demo(db: Store, spec: DemoSpec, progress: Progress = lambda message: None) -> dict:
    """Fill an empty database with the demo organization; returns headline counts."""
    today = spec.today or date.today()
    rng = np.random.default_rng(spec.seed)
    now = datetime.combine(today, time(8, 0))
    progress(f"Generating {spec.teams} teams over {spec.weeks} weeks (seed {spec.seed})")
    org = _generate_org(spec, today, rng, now)
    responses = _generate_responses(org, today, rng)
    progress(f"Generated {len(responses):,} survey responses")
    checkins, notes, entries = _generate_checkins(org, today, rng, now)
    progress(f"Generated {len(checkins):,} check-ins and {len(entries):,} wins and setbacks")

    organization = store.Organization(
        org.departments, org.teams, org.team_facts, org.users, org.user_roles, responses,
        checkins, notes, entries, settings=_settings(), meta=_meta(spec, today),
    )  # fmt: skip
    progress("Writing the organization, summarizing responses by team and week")
    with db.transaction() as cursor:
        try:
            store.write_organization(cursor, organization, now=now, source="demo survey responses")
        except store.StoreError:
            raise store.StoreError(
                f"The database {db.path} already holds an organization; the demo needs an "
                "empty database. Pass --db with a new file."
            ) from None
        store.record_audit(
            cursor, "demo.build",
            f"teams={spec.teams} weeks={spec.weeks} seed={spec.seed} today={today}",
            at=now, actor="catalyst demo",
        )  # fmt: skip
    db.checkpoint()
    return {
        "departments": len(org.departments),
        "teams": len(org.teams),
        "users": len(org.users),
        "survey_responses": len(responses),
        "checkins": len(checkins),
        "progress_entries": len(entries),
    }


def _settings() -> dict[str, str]:
    return {"organization_name": ORGANIZATION_NAME, "time_zone": "Europe/Berlin",
            "cadence": "weekly", "min_group_size": "5"}  # fmt: skip


def _meta(spec: DemoSpec, today: date) -> dict[str, str]:
    return {
        "demo": "true",
        # Same seed, same database: even the fingerprint salt (nothing secret in a demo).
        "fingerprint_salt": hashlib.sha256(f"salt-{spec.seed}".encode()).hexdigest()[:32],
        "demo_spec": f"teams={spec.teams} weeks={spec.weeks} seed={spec.seed}",
        "demo_today": today.isoformat(),
    }


# ---- the organization ----------------------------------------------------------------------


def _week_starts(today: date, weeks: int) -> pd.DatetimeIndex:
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


def _generate_org(spec: DemoSpec, today: date, rng: np.random.Generator, now: datetime) -> _Org:
    weeks = _week_starts(today, spec.weeks)
    n_teams, n_weeks = spec.teams, spec.weeks
    department_names = _department_names(n_teams)
    departments = pd.DataFrame(
        {"department_id": np.arange(1, len(department_names) + 1), "name": department_names}
    )
    team_department = np.arange(n_teams) % len(department_names)
    team_names, used = [], {}
    for t in range(n_teams):
        base_department = department_names[team_department[t]].rsplit(" ", 1)[0]
        themes = DEPARTMENTS.get(department_names[team_department[t]]) or DEPARTMENTS.get(
            base_department, ("Team",)
        )
        theme = themes[(t // len(department_names)) % len(themes)]
        used[theme] = used.get(theme, 0) + 1
        team_names.append(theme if used[theme] == 1 else f"{theme} {used[theme]}")

    headcount = rng.choice(np.arange(5, 13), size=n_teams, p=_headcount_weights())
    small = np.arange(5, n_teams, 13)  # teams too small ever to report
    headcount[small] = rng.integers(3, 5, size=len(small))
    headcount[0] = 9  # manager@example.com's team: enough people to report every week

    # Users 1-3 are admin, HR and manager@example.com (who leads the first team);
    # teams 2..n get a named manager each, and one more named person led the
    # changed team before its manager change.
    change_team, change_week = 1, n_weeks // 2
    reorg_team, reorg_week = 2, (2 * n_weeks) // 3
    fixed = [
        (ADMIN_EMAIL, "Dana Whitfield", "admin"),
        (HR_EMAIL, "Priya Raman", "hr"),
        (MANAGER_EMAIL, "Jordan Blake", "manager"),
    ]
    named = [
        (f"{first}.{last}@example.com".lower(), f"{first} {last}", "manager")
        for first, last in _person_names(n_teams, rng)
    ]
    people = fixed + named
    user_ids = np.arange(1, len(people) + 1)
    manager_user = np.concatenate([[3], user_ids[3 : 3 + n_teams - 1]])
    previous_manager = int(user_ids[-1])

    salt = hashlib.sha256(f"catalyst-demo-{spec.seed}".encode()).digest()[:16]
    users = pd.DataFrame(
        {
            "user_id": user_ids,
            "email": [email for email, _, _ in people],
            "display_name": [name for _, name, _ in people],
            "password_hash": accounts.hash_password_with_salt(DEMO_PASSWORD, salt),
            "active": True,
            "created_at": now - timedelta(weeks=n_weeks),
        }
    )
    user_roles = pd.DataFrame({"user_id": user_ids, "role": [role for _, _, role in people]})

    start = weeks[0].date()
    teams = pd.DataFrame(
        {
            "team_id": np.arange(1, n_teams + 1),
            "name": team_names,
            "created_at": datetime.combine(start, time(8, 0)),
        }
    )
    facts = pd.DataFrame(
        {
            "team_id": teams.team_id,
            "valid_from": start,
            "department_id": team_department + 1,
            "manager_id": manager_user,
            "headcount": headcount,
        }
    )
    facts.loc[change_team, "manager_id"] = previous_manager
    reorg_department = (team_department[reorg_team] + 1) % len(department_names)
    later = pd.DataFrame(
        {
            "team_id": [change_team + 1, reorg_team + 1],
            "valid_from": [weeks[change_week].date(), weeks[reorg_week].date()],
            "department_id": [team_department[change_team] + 1, reorg_department + 1],
            "manager_id": [manager_user[change_team], manager_user[reorg_team]],
            "headcount": [headcount[change_team], headcount[reorg_team]],
        }
    )
    team_facts = pd.concat([facts, later], ignore_index=True)

    manager_of = np.repeat(manager_user[:, None], n_weeks, axis=1)
    manager_of[change_team, :change_week] = previous_manager

    levels = _team_levels(n_teams, n_weeks, rng)
    levels[change_team, change_week:, CATALYST_KEYS.index("obstacle_removal")] -= 1.3
    levels[0, :, CATALYST_KEYS.index("obstacle_removal")] = np.minimum(
        levels[0, :, CATALYST_KEYS.index("obstacle_removal")], 2.9
    )
    np.clip(levels, 1.3, 4.8, out=levels)
    levels[:, :, -1] = _progress_level(levels[:, :, :-1], rng)

    # Row u: how user u's self-image departs from their team's level, per catalyst.
    self_bias = rng.normal(0.1, 0.25, size=(len(user_ids) + 1, len(CATALYST_KEYS)))
    kind = rng.random(len(user_ids) + 1)
    for uid in np.flatnonzero(kind < 0.2):  # blind spot on one or two catalysts
        picks = rng.choice(len(CATALYST_KEYS), size=rng.integers(1, 3), replace=False)
        self_bias[uid, picks] += rng.uniform(1.2, 1.8, size=len(picks))
    for uid in np.flatnonzero((kind >= 0.2) & (kind < 0.3)):  # hidden strength
        self_bias[uid, rng.integers(len(CATALYST_KEYS))] -= rng.uniform(1.1, 1.5)
    self_bias[3] = [0.1, 0.2, 0.0, 0.1, 1.6, -1.2]

    return _Org(
        weeks, departments, teams, team_facts, users, user_roles,
        headcount, levels, manager_of, self_bias,
    )  # fmt: skip


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


# ---- survey responses ----------------------------------------------------------------------


def _days_open(weeks: pd.DatetimeIndex, today: date) -> np.ndarray:
    """Days of each week on which responses can exist (the current week only up to today)."""
    days = np.full(len(weeks), 7)
    days[-1] = today.weekday() + 1
    return days


def _generate_responses(org: _Org, today: date, rng: np.random.Generator) -> pd.DataFrame:
    n_teams, n_weeks, n_items = org.levels.shape
    headcount = np.repeat(org.headcount[:, None], n_weeks, axis=1)
    participation = rng.uniform(0.8, 0.98, size=(n_teams, 1))
    participation[0] = 0.95
    days_open = _days_open(org.weeks, today)
    share_open = np.minimum(1.0, days_open / 5)[None, :]
    counts = rng.binomial(headcount, np.clip(participation * share_open, 0, 1))
    team_idx = np.repeat(np.repeat(np.arange(n_teams), n_weeks), counts.ravel())
    week_idx = np.repeat(np.tile(np.arange(n_weeks), n_teams), counts.ravel())
    rows = len(team_idx)

    answers = org.levels[team_idx, week_idx] + rng.normal(0, 0.85, size=(rows, n_items))
    answers = np.clip(np.rint(answers), 1, 5).astype(np.float32)
    answers[rng.random((rows, n_items)) < 0.012] = np.nan  # skipped questions

    day = np.floor(rng.random(rows) * days_open[week_idx]).astype(int)
    seconds = rng.integers(8 * 3600, 19 * 3600, size=rows)
    week_start = org.weeks.values[week_idx]
    submitted = week_start + (day * 86400 + seconds).astype("timedelta64[s]")

    commented = np.flatnonzero(rng.random(rows) < 0.07)
    upbeat = answers[commented, :-1].mean(axis=1) >= 3.5  # NaN (a skipped answer) reads as not
    comment = np.full(rows, None, dtype=object)
    comment[commented] = np.where(
        upbeat,
        np.array(COMMENTS_GOOD, dtype=object)[
            rng.integers(len(COMMENTS_GOOD), size=len(commented))
        ],
        np.array(COMMENTS_BAD, dtype=object)[rng.integers(len(COMMENTS_BAD), size=len(commented))],
    )

    frame = pd.DataFrame(
        {
            "row_no": np.arange(rows),
            "team_id": team_idx + 1,
            "submitted_at": submitted,
            "week": week_start,
            "comment": comment,
        }
    )
    for i, key in enumerate(ITEM_KEYS):
        frame[key] = answers[:, i]
    return frame


# ---- check-ins, wins and setbacks ----------------------------------------------------------


def _generate_checkins(
    org: _Org, today: date, rng: np.random.Generator, now: datetime
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n_teams, n_weeks, _ = org.levels.shape
    diligence = rng.uniform(0.55, 0.97, size=len(org.self_bias))  # by user_id
    diligence[3] = 0.97
    due = np.ones((n_teams, n_weeks), dtype=bool)
    if today.weekday() < 3:  # the current week is checked in from Thursday on
        due[:, -1] = False
    chance = diligence[org.manager_of]
    done = due & (rng.random((n_teams, n_weeks)) < chance)
    done[0, -2:] = False  # manager@example.com: last week and this week still to do

    team_idx, week_idx = np.nonzero(done)
    manager = org.manager_of[team_idx, week_idx]
    bias = org.self_bias[manager]
    level = org.levels[team_idx, week_idx, : len(CATALYST_KEYS)]
    ratings = np.clip(np.rint(level + bias + rng.normal(0, 0.45, size=level.shape)), 1, 5)
    ratings = ratings.astype(np.uint8)
    # Managers tend to pick the catalyst they rate lowest as next week's focus.
    focus_idx = np.where(
        rng.random(len(ratings)) < 0.7,
        np.argmin(ratings + rng.random(ratings.shape) * 0.5, axis=1),
        rng.integers(len(CATALYST_KEYS), size=len(ratings)),
    )
    week_start = org.weeks.values[week_idx]
    saved_at = week_start + np.timedelta64(4, "D") + np.timedelta64(16, "h")
    saved_at = np.minimum(saved_at, np.datetime64(now))
    checkins = pd.DataFrame(
        {
            "manager_id": manager,
            "team_id": team_idx + 1,
            "week": week_start,
            "focus": np.array(CATALYST_KEYS)[focus_idx],
            "saved_at": saved_at,
        }
    )
    for i, key in enumerate(CATALYST_KEYS):
        checkins[key] = ratings[:, i]

    with_note = rng.random(len(checkins)) < 0.25
    note_catalyst = np.array(CATALYST_KEYS)[rng.integers(len(CATALYST_KEYS), size=len(checkins))]
    notes = checkins.loc[with_note, ["manager_id", "team_id", "week"]].assign(
        catalyst=note_catalyst[with_note]
    )
    notes["note"] = notes.catalyst.map(CHECKIN_NOTES)

    team_progress = org.levels[team_idx, week_idx, -1]
    wins = rng.poisson(np.clip(team_progress - 2.2, 0.2, None))
    setbacks = rng.poisson(np.clip(4.2 - team_progress, 0.1, None) * 0.6)
    entries = _progress_entries(checkins, wins, setbacks, rng)
    return checkins, notes, entries


def _progress_entries(
    checkins: pd.DataFrame, wins: np.ndarray, setbacks: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    parts = []
    for kind, counts, texts in (("win", wins, WINS), ("setback", setbacks, SETBACKS)):
        rows = np.repeat(np.arange(len(checkins)), counts)
        source = checkins.iloc[rows]
        parts.append(
            pd.DataFrame(
                {
                    "team_id": source.team_id.to_numpy(),
                    "week": source.week.to_numpy(),
                    "kind": kind,
                    "description": np.array(texts)[rng.integers(len(texts), size=len(rows))],
                    "source": "checkin",
                    "created_by": source.manager_id.to_numpy(),
                    "created_at": source.saved_at.to_numpy(),
                }
            )
        )
    entries = pd.concat(parts, ignore_index=True).sort_values(
        ["week", "team_id", "kind"], kind="stable", ignore_index=True
    )
    entries.insert(0, "entry_id", np.arange(1, len(entries) + 1))
    return entries
