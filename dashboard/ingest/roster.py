"""The roster in: departments, teams, managers and headcounts, with effective dates.

Columns: team, department, manager_name, manager_email, optional headcount,
optional effective_from. From ``effective_from`` the team has this
department, manager and headcount; earlier weeks keep the facts they had.
Without a date, a change to a known team applies from today, and a team new
to Catalyst is on the roster from the start (a first roster describes the
structure that earlier survey data belongs to). New managers get an account
without a password, to be invited later.

``plan_roster`` reads and checks the file and says what would change;
``apply_roster`` writes that plan in one transaction. Rosters are small, so
the plan is made in Python after DuckDB has read the file.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from dashboard import accounts, clock, queries, store
from dashboard.ingest.columns import normalize
from dashboard.ingest.limits import Limits
from dashboard.ingest.report import ImportRefused, ImportReport, Problem, refuse
from dashboard.ingest.text import Source, TextFile, prepare, read_file
from dashboard.store import Store

ROLES = {
    "team": {"team", "team name"},
    "department": {"department", "dept", "department name"},
    "manager_name": {"manager name", "manager", "lead", "team lead"},
    "manager_email": {"manager email", "manager e mail", "manager email address", "email"},
    "headcount": {"headcount", "team size", "size", "people"},
    "effective_from": {"effective from", "effective date", "from", "valid from", "since"},
}
REQUIRED = ("team", "department", "manager_name", "manager_email")
FROM_THE_START = date(2000, 1, 3)  # a Monday before any survey data


@dataclass(frozen=True)
class Fact:
    team: str
    department: str
    manager_email: str
    manager_name: str
    headcount: int | None
    since: date
    row: int
    dated: bool  # effective_from was given


@dataclass
class RosterPlan:
    """What importing the roster would change, in words and as rows to write."""

    report: ImportReport
    content_hash: str = ""
    facts: list[Fact] = field(default_factory=list)  # the rows that change something
    new_departments: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    new_managers: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "North: manager Ann -> Bob from 1 Dec"


def plan_roster(db: Store, source: Source, *, today: date | None = None) -> RosterPlan:
    """Read and check a roster file; ImportRefused (with every problem) when it cannot go in."""
    with db.staging() as cursor:
        org = queries.org_settings(cursor)
        today = today or clock.today_in(org.time_zone)
        text, roles, rows, report = read_small_file(
            cursor, source, org, "roster", lambda header: match_roles(header, ROLES, REQUIRED)
        )
        facts, problems = _facts(rows, roles, text.header_rows, today)
        return _plan(cursor, RosterPlan(report, text.content_hash), facts, problems)


def plan_edit(db: Store, fields: dict[str, str], *, today: date | None = None) -> RosterPlan:
    """One team's department, manager and headcount from a date, as typed on the Admin
    page (``fields`` by role name), checked and compared exactly like a roster row."""
    with db.reading() as cursor:
        today = today or clock.today_in(queries.org_settings(cursor).time_zone)
        row = [str(fields.get(role) or "") for role in ROLES]
        facts, problems = _facts([row], {role: i for i, role in enumerate(ROLES)}, 0, today)
        report = ImportReport(kind="roster", file_name="Admin page", rows_in_file=1)
        return _plan(cursor, RosterPlan(report), facts, problems)


def _plan(
    cursor: duckdb.DuckDBPyConnection, plan: RosterPlan, facts: list[Fact], problems: list
) -> RosterPlan:
    problems += _compare(cursor, facts, plan)
    report = plan.report
    report.errors = problems
    report.rejected = len({p.row for p in problems})
    if problems:
        raise ImportRefused(problems, report.refused_whole())
    report.imported = len(plan.facts)
    report.duplicates = report.rows_in_file - report.imported
    return plan


def match_roles(
    header: list[str], roles: dict[str, set[str]], required: tuple[str, ...], what: str = "roster"
) -> dict[str, int]:
    """Which column holds each role (by its normalized header); refused, naming what is
    missing, when a required one is not there."""
    found = {}
    for index, name in enumerate(header):
        for role, names in roles.items():
            if normalize(name) in names and role not in found:
                found[role] = index
                break
    missing = [role for role in required if role not in found]
    if missing:
        optional = [role for role in roles if role not in required]
        raise refuse(
            f"The {what} needs the columns {', '.join(required)} ({' and '.join(optional)} "
            f"are optional); missing: {', '.join(missing)}."
        )
    return found


def read_small_file(cursor, source: Source, org, kind: str, roles_of) -> tuple:
    """A roster-like file read whole: (text, roles by column, rows, report with the
    columns not used)."""
    with tempfile.TemporaryDirectory() as folder:
        text = prepare(
            source,
            workdir=Path(folder),
            limit_bytes=org.max_upload_mb * 1_000_000,
            limits=Limits.of(org),
        )
        roles = roles_of(text.header)
        rows = read_rows(cursor, text, f"{kind}_rows")
    report = ImportReport(kind=kind, file_name=source.name, rows_in_file=len(rows))
    report.dropped_columns = [
        f"{name} (not used)" for i, name in enumerate(text.header) if i not in roles.values()
    ]
    return text, roles, rows, report


def read_rows(cursor: duckdb.DuckDBPyConnection, text: TextFile, table: str) -> list:
    """Every row of a small file (roster, people) as text; refused whole when a row has
    another number of fields than the header."""
    read_file(cursor, table, text)
    bad = cursor.execute(
        f"SELECT DISTINCT line FROM {table}_rejects ORDER BY line"  # noqa: S608 - our name
    ).fetchall()
    if bad:
        raise ImportRefused(
            [
                Problem(
                    f"this row does not have the {len(text.header)} fields of the header",
                    row=line - 1 + text.header_rows,
                )
                for (line,) in bad
            ]
        )
    return cursor.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608


def _facts(
    rows: list, roles: dict[str, int], header_rows: int, today: date
) -> tuple[list[Fact], list[Problem]]:
    facts, problems, seen = [], [], {}
    for number, values in enumerate(rows, start=header_rows + 1):
        cell = {role: (values[i] or "").strip() for role, i in roles.items()}
        if not any(cell.values()):
            continue
        row_problems = []
        for role in REQUIRED:
            if not cell[role]:
                row_problems.append(Problem(f"{role.replace('_', ' ')} is empty", number, role))
        try:
            email = accounts.check_email(cell["manager_email"]) if cell["manager_email"] else ""
        except accounts.AccountError as problem:
            row_problems.append(Problem(str(problem), number, "manager_email"))
            email = ""
        headcount = None
        if cell.get("headcount"):
            if not cell["headcount"].isdigit():
                row_problems.append(
                    Problem(
                        f'"{cell["headcount"]}" is not a whole number of people',
                        number,
                        "headcount",
                    )
                )
            else:
                headcount = int(cell["headcount"])
        since = today
        if cell.get("effective_from"):
            try:
                since = date.fromisoformat(cell["effective_from"])
            except ValueError:
                row_problems.append(
                    Problem(
                        f'"{cell["effective_from"]}" is not a date like 2026-12-01',
                        number,
                        "effective_from",
                    )
                )
        key = (cell["team"].lower(), since)
        if key in seen:
            row_problems.append(
                Problem(
                    f'team "{cell["team"]}" appears again for the same date (first in row '
                    f"{seen[key]})",
                    number,
                    "team",
                )
            )
        seen.setdefault(key, number)
        problems += row_problems
        if not row_problems:
            dated = bool(cell.get("effective_from"))
            facts.append(
                Fact(
                    cell["team"],
                    cell["department"],
                    email,
                    cell["manager_name"],
                    headcount,
                    since,
                    number,
                    dated,
                )
            )
    if not facts and not problems:
        problems.append(Problem("The roster has a header but no teams."))
    return facts, problems


def _compare(cursor: duckdb.DuckDBPyConnection, facts: list[Fact], plan: RosterPlan) -> list:
    """Fill the plan with what differs from the facts in force; problems for new teams
    without a headcount."""
    departments = {n.lower() for (n,) in cursor.execute("SELECT name FROM departments").fetchall()}
    teams = {n.lower(): n for n in queries.team_names(cursor)}
    facts, moved = _after_published(facts, queries.first_unpublished_week(cursor), teams)
    problems, planned_managers = [], set()
    for fact in facts:
        current = cursor.execute(
            "SELECT d.name, u.email, u.display_name, h.headcount FROM team_history h "
            "JOIN teams t USING (team_id) JOIN departments d USING (department_id) "
            "LEFT JOIN users u ON u.user_id = h.manager_id WHERE lower(t.name) = lower(?) "
            "AND h.valid_from <= ? AND (h.valid_to IS NULL OR h.valid_to > ?)",
            [fact.team, fact.since, fact.since],
        ).fetchall()
        if fact.department.lower() not in departments:
            departments.add(fact.department.lower())
            plan.new_departments.append(fact.department)
        new_manager = accounts.find_user(cursor, fact.manager_email) is None
        if new_manager and fact.manager_email not in planned_managers:
            planned_managers.add(fact.manager_email)
            plan.new_managers.append(f"{fact.manager_email} ({fact.manager_name})")
        if fact.team.lower() not in teams:
            if fact.headcount is None:
                problems.append(
                    Problem(f'team "{fact.team}" is new: give its headcount', fact.row, "headcount")
                )
                continue
            teams[fact.team.lower()] = fact.team
            plan.new_teams.append(fact.team)
            plan.facts.append(fact if fact.dated else replace(fact, since=FROM_THE_START))
            continue
        if not current:
            plan.facts.append(fact)
            plan.changes.append(f"{fact.team}: on the roster from {fact.since:%-d %b %Y}")
            continue
        department, email, name, headcount = current[0]
        headcount_now = fact.headcount if fact.headcount is not None else headcount
        differences = []
        if department.lower() != fact.department.lower():
            differences.append(f"department {department} → {fact.department}")
        if (email or "") != fact.manager_email:
            differences.append(f"manager {name or 'none'} → {fact.manager_name}")
        if headcount_now != headcount:
            differences.append(f"headcount {headcount} → {headcount_now}")
        if differences:
            plan.facts.append(fact)
            plan.changes.append(
                f"{teams[fact.team.lower()]}: {', '.join(differences)} from {fact.since:%-d %b %Y}"
                + moved.get(fact.row, "")
            )
    return problems


def _after_published(
    facts: list[Fact], first_open: date | None, known: dict[str, str]
) -> tuple[list[Fact], dict[int, str]]:
    """Facts of known teams dated into published rounds apply from the first unpublished
    week instead: published cells never change (DESIGN §3). Returns the facts and, per
    row, the words that say so. Of several facts of one team moved to the same week,
    the latest dated applies."""
    if first_open is None:
        return facts, {}
    kept: dict[tuple[str, date], Fact] = {}
    moved: dict[int, str] = {}
    for fact in sorted(facts, key=lambda f: f.since):
        if fact.team.lower() in known and fact.since < first_open:
            moved[fact.row] = (
                f" (dated {fact.since:%-d %b %Y}; rounds up to "
                f"{first_open - timedelta(days=1):%-d %b %Y} are published and keep their teams)"
            )
            fact = replace(fact, since=first_open)
        kept[(fact.team.lower(), fact.since)] = fact
    return sorted(kept.values(), key=lambda f: f.row), moved


def apply_roster(
    db: Store,
    plan: RosterPlan,
    *,
    now: datetime,
    user_id: int | None = None,
    actor: str = "catalyst import roster",
) -> ImportReport:
    """Write the plan in one transaction (departments, teams, managers, facts) and record it.

    A plan that changes nothing writes nothing."""
    report = plan.report
    report.notes = describe(plan)
    if not plan.facts:
        return report
    with db.transaction() as cursor:
        for name in plan.new_departments:
            cursor.execute("INSERT INTO departments (name) VALUES (?)", [name])
        for name in plan.new_teams:
            cursor.execute("INSERT INTO teams (name, created_at) VALUES (?, ?)", [name, now])
        for fact in plan.facts:
            _write_fact(cursor, fact, _manager_id(cursor, fact, now), now)
        import_id = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_by, imported_at, rows_in_file, "
            "imported, duplicates, content_hash, details) VALUES ('roster', ?, 'roster', ?, ?, ?, "
            "?, ?, ?, ?) RETURNING import_id",
            [
                report.file_name,
                user_id,
                now,
                report.rows_in_file,
                report.imported,
                report.duplicates,
                plan.content_hash,
                "\n".join(describe(plan)),
            ],
        ).fetchall()[0][0]
        report.import_id = import_id
        store.bump_data_version(cursor, "roster", "users")
        store.record_audit(
            cursor,
            "import.roster",
            f"import #{import_id} {report.file_name}: " + "; ".join(describe(plan)),
            at=now,
            user_id=user_id,
            actor=actor,
        )
    return report


def _manager_id(cursor, fact: Fact, now: datetime) -> int:
    """The fact's manager: an account made for a new e-mail (invited later), the manager
    role added to an existing person who lacks it."""
    manager = accounts.find_user(cursor, fact.manager_email)
    if manager is None:
        return accounts.create_user(
            cursor,
            fact.manager_email,
            {"manager"},
            password_hash=None,
            now=now,
            display_name=fact.manager_name,
        )
    if "manager" not in manager.roles:
        cursor.execute("INSERT INTO user_roles VALUES (?, 'manager')", [manager.user_id])
    return manager.user_id


def _write_fact(cursor, fact: Fact, manager_id: int, now: datetime) -> None:
    """The team's department, manager and headcount from ``fact.since`` (a headcount not
    given keeps the one in force then), added beside any fact of the same date: the
    history keeps both, the one recorded last applies."""
    cursor.execute(
        "INSERT INTO team_facts (team_id, valid_from, department_id, manager_id, headcount, "
        "recorded_at) SELECT t.team_id, ?, d.department_id, ?, coalesce(?, "
        "(SELECT h.headcount FROM team_history h WHERE h.team_id = t.team_id "
        " AND h.valid_from <= ? AND (h.valid_to IS NULL OR h.valid_to > ?))), ? "
        "FROM teams t, departments d WHERE lower(t.name) = lower(?) "
        "AND lower(d.name) = lower(?)",
        [
            fact.since,
            manager_id,
            fact.headcount,
            fact.since,
            fact.since,
            now,
            fact.team,
            fact.department,
        ],
    )


def describe(plan: RosterPlan) -> list[str]:
    """The plan in sentences, for the summary and the preview."""
    lines = []
    if plan.new_departments:
        lines.append(f"New departments: {', '.join(plan.new_departments)}.")
    if plan.new_teams:
        lines.append(f"New teams: {', '.join(plan.new_teams)}.")
    if plan.new_managers:
        lines.append(f"New manager accounts (no password yet): {', '.join(plan.new_managers)}.")
    lines += [f"{change}." for change in plan.changes]
    if not lines:
        lines.append("Nothing changes: the roster matches what is stored.")
    return lines
