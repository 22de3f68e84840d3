"""Known organizations for tests, built by the real demo generator and store."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

from dashboard.demo import DemoSpec, build_demo
from dashboard.store import Store

TODAY = date(2026, 11, 24)  # a Tuesday: last week's check-in is still open
SMALL_DEMO = DemoSpec(teams=12, weeks=8, seed=3, today=TODAY)
FUZZ = int(os.environ.get("CATALYST_FUZZ", "1"))  # `make fuzz` sets 20


def budget(examples: int) -> int:
    """A property test's number of examples, times the fuzzing factor."""
    return examples * FUZZ


def build_demo_file(path: Path, spec: DemoSpec = SMALL_DEMO) -> Path:
    with Store(path) as db:
        build_demo(db, spec)
    return path


def copy_database(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


class HeldDatabase:
    """Another process holding a database open, as the running app does."""

    def __init__(self, path: Path) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "holding"

    def __enter__(self) -> HeldDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


_HOLDER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


class OrgBuilder:
    """A small organization written through the real store, for hand-computed tests.

    >>> org = OrgBuilder(db)
    >>> sales = org.department("Sales")
    >>> north = org.team("North", sales, headcount=8, manager="ann@example.com")
    >>> org.answers(north, WEEK, [5, 4, 4, 2, 1])        # clear_goals per person
    >>> org.save()
    """

    def __init__(self, db, *, start=date(2026, 1, 5), min_group_size=5, cadence="weekly"):
        import pandas as pd

        self._pd = pd
        self.db, self.start = db, start
        self.settings = {"min_group_size": str(min_group_size), "cadence": cadence}
        self.departments, self.teams, self.facts, self.users, self.rows = {}, {}, [], {}, []
        self.checkins = []

    def department(self, name: str) -> int:
        return self.departments.setdefault(name, len(self.departments) + 1)

    def user(self, email: str) -> int:
        return self.users.setdefault(email, len(self.users) + 1)

    def team(self, name, department_id, *, headcount, manager, since=None) -> int:
        team_id = self.teams.setdefault(name, len(self.teams) + 1)
        self.facts.append(
            (team_id, since or self.start, department_id, self.user(manager), headcount)
        )
        return team_id

    def change(self, team_id, since, *, manager=None, department_id=None, headcount=None):
        """A new team fact from ``since`` (reorg, new manager, new headcount)."""
        _, _, department, manager_id, count = max(f for f in self.facts if f[0] == team_id)
        self.facts.append(
            (
                team_id,
                since,
                department_id or department,
                self.user(manager) if manager else manager_id,
                headcount or count,
            )
        )

    def answers(self, team_id, week, values, item="clear_goals", comment=None, **others):
        """One response per value: ``item`` gets the value, others the same or given."""
        from datetime import datetime, time

        for i, value in enumerate(values):
            row = {
                "team_id": team_id,
                "week": week,
                item: value,
                "comment": comment,
                "submitted_at": datetime.combine(week, time(9, i % 60)),
            }
            row.update(others)
            self.rows.append(row)

    def checkin(self, team_id, week, manager, **ratings):
        """A manager's weekly self-assessment (catalyst key -> 1..5)."""
        from datetime import datetime

        self.checkins.append(
            {
                "manager_id": self.user(manager),
                "team_id": team_id,
                "week": week,
                "saved_at": datetime(2026, 1, 1),
                **ratings,
            }
        )

    def save(self, *, live: bool = True):
        """Write the organization; ``live`` (the default) goes live at once, publishing
        every round closed by the test clock (conftest pins CATALYST_NOW)."""
        from datetime import datetime

        from dashboard import clock, queries, store
        from dashboard.accounts import display_name_from_email

        pd = self._pd
        now = datetime(2026, 1, 1)
        emails = list(self.users)
        organization = store.Organization(
            departments=pd.DataFrame(
                {"department_id": self.departments.values(), "name": self.departments.keys()}
            ),
            teams=pd.DataFrame(
                {"team_id": self.teams.values(), "name": self.teams.keys(), "created_at": now}
            ),
            team_facts=pd.DataFrame(
                self.facts,
                columns=["team_id", "valid_from", "department_id", "manager_id", "headcount"],
            ),
            users=pd.DataFrame(
                {
                    "user_id": [self.users[e] for e in emails],
                    "email": emails,
                    "display_name": [display_name_from_email(e) for e in emails],
                    "created_at": now,
                }
            ),
            user_roles=pd.DataFrame(
                {"user_id": [self.users[e] for e in emails], "role": "manager"}
            ),
            responses=pd.DataFrame(self.rows).assign(row_no=range(len(self.rows)))
            if self.rows
            else None,
            checkins=pd.DataFrame(self.checkins) if self.checkins else None,
            settings=self.settings,
        )
        with self.db.transaction() as cursor:
            store.write_organization(cursor, organization, now=now, source="test")
        if live:
            queries.go_live(self.db, now=clock.utc_now(), actor="test")
        return self


def weeks(first: date, count: int):
    """``count`` whole weeks from the Monday ``first`` (a weekly period)."""
    from datetime import timedelta

    from dashboard.rounds import Period

    return Period(first, first + timedelta(weeks=count - 1), "weekly")


def stored(db, sql: str = "SELECT count(*) FROM survey_responses") -> list[tuple]:
    """Rows of a query on what the database holds."""
    with db.reading() as cursor:
        return cursor.execute(sql).fetchall()


def cell_names(db, cells) -> dict[str, str]:
    """What published cells ("cell 12") are, in words a test can check against its own
    reckoning: "team 3 2026-03-02 dept 1 mgr 4" or "pool dept 1 2026-03-02" (the round
    named by its first week)."""
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT 'cell ' || c.cell_id, c.kind, c.team_id, p.first_week, c.department_id, "
            "c.manager_id FROM published_cells c JOIN published_rounds p USING (round_id)"
        ).fetchall()
    names = {
        cell: f"team {team} {week} dept {department} mgr {manager}"
        if kind == "team"
        else f"pool dept {department} {week}"
        for cell, kind, team, week, department, manager in rows
    }
    return {cell: names[cell] for cell in cells}


def as_if_never_published(path: Path, *, live: bool = False) -> None:
    """A database (the demo) as it was before anything was published: every published
    cell gone and every response unpublished; still being set up unless ``live``."""
    with Store(path) as db, db.transaction() as cursor:
        cursor.execute("UPDATE survey_responses SET cell_id = NULL")
        for table in ("published_cells", "published_teams", "published_rounds"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - three names above
        if not live:
            cursor.execute("DELETE FROM meta WHERE key = 'live_since'")
        cursor.execute("UPDATE data_versions SET version = version + 1")


SALES_AND_OPS_WEEK = date(2026, 3, 2)  # a Monday


def sales_and_ops(db) -> dict[str, int]:
    """One week (SALES_AND_OPS_WEEK), k = 5, clear_goals answers:

    Sales: North (8 people) 5,4,4,2,1 | South (6) 5,5,4 | Tiny (3 people) 1,2,2
    Ops:   Ops A (10) 4,4,4,4

    Returns the ids of north, south, tiny, ops_a and of the departments sales, ops."""
    from datetime import timedelta

    week = SALES_AND_OPS_WEEK
    org = OrgBuilder(db, start=week - timedelta(weeks=10))
    ids = {"sales": org.department("Sales"), "ops": org.department("Ops")}
    for key, name, department, headcount, manager, values in (
        ("north", "North", "sales", 8, "ann", [5, 4, 4, 2, 1]),
        ("south", "South", "sales", 6, "bob", [5, 5, 4]),
        ("tiny", "Tiny", "sales", 3, "cy", [1, 2, 2]),
        ("ops_a", "Ops A", "ops", 10, "dee", [4, 4, 4, 4]),
    ):
        ids[key] = org.team(
            name, ids[department], headcount=headcount, manager=f"{manager}@example.com"
        )
        org.answers(ids[key], week, values)
    org.save()
    return ids


def trio_beside_a_big_team(db, first_week: date, weeks: int = 52) -> tuple[int, int, int]:
    """The attack of a team of three answering every week: Trio (headcount 3, all 1s)
    beside Big (12 people, ten 5s a week) in Sales. Returns (sales, trio, big)."""
    from datetime import timedelta

    org = OrgBuilder(db, start=first_week)
    sales = org.department("Sales")
    trio = org.team("Trio", sales, headcount=3, manager="tri@example.com")
    big = org.team("Big", sales, headcount=12, manager="big@example.com")
    for i in range(weeks):
        org.answers(trio, first_week + timedelta(weeks=i), [1, 1, 1])
        org.answers(big, first_week + timedelta(weeks=i), [5] * 10)
    org.save()
    return sales, trio, big


def a_small_week_then_three_full_ones(db, first_week: date) -> int:
    """North: 3 answers (all 1) in ``first_week``, then three weeks of 6. Returns North."""
    from datetime import timedelta

    org = OrgBuilder(db)
    team = org.team("North", org.department("Sales"), headcount=9, manager="ann@example.com")
    org.answers(team, first_week, [1, 1, 1])
    for i in range(1, 4):
        org.answers(team, first_week + timedelta(weeks=i), [5, 5, 4, 4, 4, 4])
    org.save()
    return team


def three_departments_one_small_team(db, week: date) -> tuple[int, int, int]:
    """A: A1 6 answers; B: B1 7 and B2 2; C: C1 5 (all 4s). Returns (a, b, c)."""
    org = OrgBuilder(db)
    a, b, c = (org.department(name) for name in ("A", "B", "C"))
    for department, name, count in ((a, "A1", 6), (b, "B1", 7), (b, "B2", 2), (c, "C1", 5)):
        team = org.team(name, department, headcount=9, manager=f"{name.lower()}@example.com")
        org.answers(team, week, [4] * count)
    org.save()
    return a, b, c


DATA = Path(__file__).resolve().parent / "data"
SAMPLES = DATA / "samples"
TEMPLATE_HEADER = (
    "team,submitted_at,clear_goals,autonomy,resources,help,obstacle_removal,respect,progress,"
    "comment"
)


def write_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A test file as a spreadsheet program would save it."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def database_snapshot(db) -> dict:
    """Every table's rows, to prove that something changed nothing."""
    with db.reading() as cursor:
        names = [
            n
            for (n,) in cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "AND table_schema = ?",
                ["public" if db.server else "main"],
            ).fetchall()
        ]
        assert "survey_responses" in names  # a snapshot of nothing would prove nothing
        return {
            name: sorted(cursor.execute(f"SELECT * FROM {name}").fetchall(), key=repr)  # noqa: S608
            for name in names
        }


def write_large_survey(db, path: Path, rows: int, *, seed: int = 1) -> Path:
    """A template survey CSV of ``rows`` responses to the teams in ``db``, spread over
    the three weeks before TODAY (a big import for crash and concurrency tests)."""
    from dashboard.catalysts import ITEM_KEYS

    answers = ", ".join(
        f"1 + (hash(i, {n}, {seed}) % 5) AS {key}" for n, key in enumerate(ITEM_KEYS)
    )
    with db.reading() as cursor:
        cursor.execute(
            f"""
            COPY (
              SELECT t.name AS team,
                     strftime(DATE '{TODAY}' - INTERVAL 21 DAY + (i % 20) * INTERVAL 1 DAY
                              + (i % 600) * INTERVAL 1 MINUTE, '%Y-%m-%d %H:%M:%S') AS submitted_at,
                     {answers}, '' AS comment
              FROM range(?) r(i)
              JOIN (SELECT name, row_number() OVER (ORDER BY team_id) - 1 AS k FROM teams) t
                ON t.k = i % (SELECT count(*) FROM teams)
            ) TO '{path}' (HEADER, DELIMITER ',')
            """,  # noqa: S608 - numbers and a test path
            [rows],
        )
    return path
