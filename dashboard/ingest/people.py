"""The people of each team, for Catalyst's own pulse: email, name, team, and if you like
language and effective_from.

A people file is everyone, on one date: from ``effective_from`` (one date for the whole
file; today when there is none) each person listed is in the team named, and someone
in a team before who is missing from the file leaves then. People are not accounts and
never sign in; their names and languages are kept as the latest file says.

The e-mail may be empty for people without one (shop floor, field): they answer the
pulse with a kiosk code instead of a personal link. Without an address to know them by,
such a person is known by name within their team, so a move between teams reads as
leaving one and joining the other.

A team listed takes its headcount from its people: applying the file adds a team fact
with the new headcount from that date, the same fact a roster change adds, so the
privacy rules, participation and publication read one headcount. A team no file lists
keeps the headcount the roster gives it. A date inside published rounds applies from the
first unpublished week, as in the roster (published cells never change).

``plan_people`` reads and checks the file and says what would change; ``apply_people``
writes it in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from dashboard import accounts, clock, queries, store
from dashboard.ingest.report import ImportRefused, ImportReport, Problem
from dashboard.ingest.roster import match_roles, read_small_file
from dashboard.ingest.text import Source
from dashboard.settings import LANGUAGES
from dashboard.store import Store

ROLES = {
    "email": {"email", "e mail", "email address", "work email"},
    "name": {"name", "full name", "person", "employee"},
    "team": {"team", "team name"},
    "language": {"language", "lang", "locale"},
    "effective_from": {"effective from", "effective date", "from", "valid from", "since"},
}
REQUIRED = ("email", "name", "team")  # columns the header needs
FILLED = ("name", "team")  # cells every row needs


@dataclass(frozen=True)
class Person:
    email: str | None  # None: answers with a kiosk code
    name: str
    team: str  # as the roster spells it
    team_id: int
    language: str | None
    row: int

    @property
    def key(self) -> tuple:
        """Who this is across files: the address, or without one the name in the team."""
        return _key(self.email, self.name, self.team_id)

    @property
    def label(self) -> str:
        return self.email or f"{self.name} (no e-mail)"


def _key(email: str | None, name: str, team_id: int | None) -> tuple:
    return (email,) if email else (None, name.lower(), team_id)


@dataclass
class PeoplePlan:
    """What importing the file would change, in words and as rows to write."""

    report: ImportReport
    since: date
    content_hash: str = ""
    people: list[Person] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)  # "ada@x.org to Support"
    moves: list[str] = field(default_factory=list)  # "ada@x.org: Support → Sales East"
    leaves: list[int] = field(default_factory=list)  # person ids
    left: list[str] = field(default_factory=list)  # their e-mails (or names)
    details: list[str] = field(default_factory=list)  # names and languages corrected
    headcounts: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # before, after
    moved_note: str = ""  # why ``since`` is later than the file says

    @property
    def changes_anything(self) -> bool:
        return bool(self.joins or self.moves or self.leaves or self.details or self.headcounts)


def plan_people(db: Store, source: Source, *, today: date | None = None) -> PeoplePlan:
    """Read and check a people file; ImportRefused (with every problem, by row and
    column) when it cannot go in."""
    with db.staging() as cursor:
        org = queries.org_settings(cursor)
        today = today or clock.today_in(org.time_zone)
        text, roles, rows, report = read_small_file(
            cursor,
            source,
            org,
            "people",
            lambda header: match_roles(header, ROLES, REQUIRED, "people file"),
        )
        teams = {name.lower(): name for name in queries.team_names(cursor)}
        since, problems = _date(rows, roles, text.header_rows, today)
        people, row_problems = _people(rows, roles, text.header_rows, teams, cursor)
        problems += row_problems
        if not people and not problems:
            problems.append(Problem("The file has a header but no people."))
        plan = PeoplePlan(report, since, text.content_hash, people)
        if not problems:
            problems += _compare(cursor, plan)
        report.errors = problems
        report.rejected = len({p.row for p in problems})
        if problems:
            raise ImportRefused(problems, report.refused_whole())
        report.imported = len(plan.joins) + len(plan.moves)
        report.duplicates = len(people) - report.imported
        return plan


def _date(rows: list, roles: dict[str, int], header_rows: int, today: date):
    """The one date of the file (today without effective_from), and its problems."""
    if "effective_from" not in roles:
        return today, []
    found: dict[str, int] = {}
    for number, values in enumerate(rows, start=header_rows + 1):
        text = (values[roles["effective_from"]] or "").strip()
        found.setdefault(text, number)
    problems = []
    dates = [text for text in found if text]
    for text in dates:
        try:
            date.fromisoformat(text)
        except ValueError:
            problems.append(
                Problem(f'"{text}" is not a date like 2026-12-01', found[text], "effective_from")
            )
    if len(dates) > 1 and not problems:
        second = sorted(dates, key=found.get)[1]
        problems.append(
            Problem(
                f"a people file lists everyone on one date; this row says {second}, row "
                f"{found[dates[0]]} {dates[0]} (split the file by date)",
                found[second],
                "effective_from",
            )
        )
    return (date.fromisoformat(dates[0]) if dates and not problems else today), problems


def _people(rows, roles, header_rows: int, teams: dict[str, str], cursor):
    people, problems, seen = [], [], {}
    for number, values in enumerate(rows, start=header_rows + 1):
        cell = {role: (values[i] or "").strip() for role, i in roles.items()}
        if not any(cell.values()):
            continue
        found = [Problem(f"{role} is empty", number, role) for role in FILLED if not cell[role]]
        email = None
        if cell["email"]:
            try:
                email = accounts.check_email(cell["email"])
            except accounts.AccountError as problem:
                found.append(Problem(str(problem), number, "email"))
        if cell["team"] and cell["team"].lower() not in teams:
            found.append(
                Problem(
                    f'there is no team "{cell["team"]}" on the roster: add it there first, '
                    "or correct the name",
                    number,
                    "team",
                )
            )
        language = cell.get("language", "").lower() or None
        if language and language not in LANGUAGES:
            found.append(
                Problem(
                    f'"{cell["language"]}" is not a language of the pulse; use '
                    + " or ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
                    + ", or leave it empty for the organization's",
                    number,
                    "language",
                )
            )
        if not found:
            team = teams[cell["team"].lower()]
            person = Person(email, cell["name"], team, queries.team_id_by_name(cursor, team),
                            language, number)  # fmt: skip
            if person.key in seen:
                found.append(_listed_again(person, seen[person.key]))
            else:
                seen[person.key] = number
                people.append(person)
        problems += found
    return people, problems


def _listed_again(person: Person, first: int) -> Problem:
    if person.email:
        return Problem(f"{person.email} is listed again (first in row {first})", person.row,
                       "email")  # fmt: skip
    return Problem(
        f"{person.name} without e-mail is listed again in {person.team} (first in row "
        f"{first}); add their e-mail, or tell the two apart by name",
        person.row,
        "name",
    )


def _compare(cursor: duckdb.DuckDBPyConnection, plan: PeoplePlan) -> list[Problem]:
    """Fill the plan with what differs from the people and headcounts in force."""
    first_open = queries.first_unpublished_week(cursor)
    if first_open is not None and plan.since < first_open:
        plan.moved_note = (
            f" (the file says {plan.since:%-d %b %Y}; rounds up to "
            f"{first_open - timedelta(days=1):%-d %b %Y} are published and keep their teams)"
        )
        plan.since = first_open
    now = {
        _key(email, name, team_id): (person_id, name, language, team_id, email or name)
        for person_id, email, name, language, team_id in cursor.execute(
            "SELECT p.person_id, p.email, p.name, p.language, m.team_id FROM people p "
            "LEFT JOIN membership_history m ON m.person_id = p.person_id "
            "AND m.valid_from <= $1 AND (m.valid_to IS NULL OR m.valid_to > $1)",
            [plan.since],
        ).fetchall()
    }
    names = dict(cursor.execute("SELECT team_id, name FROM teams").fetchall())
    for person in plan.people:
        _, name, language, team_id, _ = now.get(person.key, (None,) * 5)
        if person.key not in now or team_id is None:
            plan.joins.append(f"{person.label} to {person.team}")
        elif team_id != person.team_id:
            plan.moves.append(f"{person.label}: {names[team_id]} → {person.team}")
        if person.key in now and (name, language) != (person.name, person.language):
            plan.details.append(person.label)
    listed = {person.key for person in plan.people}
    for key, (person_id, _, _, team_id, label) in sorted(now.items(), key=lambda i: i[1][4]):
        if team_id is not None and key not in listed:
            plan.leaves.append(person_id)
            plan.left.append(label)
    return _headcounts(cursor, plan, names)


def _headcounts(cursor, plan: PeoplePlan, names: dict[int, str]) -> list[Problem]:
    counted: dict[int, int] = {}
    for person in plan.people:
        counted[person.team_id] = counted.get(person.team_id, 0) + 1
    in_force = dict(
        cursor.execute(
            "SELECT team_id, headcount FROM team_history WHERE valid_from <= $1 "
            "AND (valid_to IS NULL OR valid_to > $1)",
            [plan.since],
        ).fetchall()
    )
    problems = []
    for team_id, count in counted.items():
        if team_id not in in_force:
            row = next(p.row for p in plan.people if p.team_id == team_id)
            problems.append(
                Problem(
                    f'team "{names[team_id]}" is not on the roster on {plan.since:%-d %b %Y}; '
                    "give the file a later effective_from, or the roster an earlier one",
                    row,
                    "team",
                )
            )
        elif in_force[team_id] != count:
            plan.headcounts[team_id] = (names[team_id], in_force[team_id], count)
    return problems


def apply_people(
    db: Store,
    plan: PeoplePlan,
    *,
    now: datetime,
    user_id: int | None = None,
    actor: str = "catalyst import people",
) -> ImportReport:
    """Write the plan in one transaction: people, memberships from ``plan.since``, the
    teams' new headcounts, the import record and its audit line. A plan that changes
    nothing writes nothing."""
    report = plan.report
    report.notes = describe_people(plan)
    if not plan.changes_anything:
        return report
    with db.transaction() as cursor:
        for person in plan.people:
            person_id = _person_id(cursor, person, plan.since, now)
            cursor.execute(
                "INSERT INTO memberships (person_id, valid_from, team_id, recorded_at) "
                "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM membership_history "
                "WHERE person_id = ? AND team_id = ? AND valid_from <= ? "
                "AND (valid_to IS NULL OR valid_to > ?))",
                [person_id, plan.since, person.team_id, now, person_id, person.team_id,
                 plan.since, plan.since],
            )  # fmt: skip
        for person_id in plan.leaves:
            cursor.execute(
                "INSERT INTO memberships (person_id, valid_from, team_id, recorded_at) "
                "VALUES (?, ?, NULL, ?)",
                [person_id, plan.since, now],
            )
        for team_id, (_, _, count) in plan.headcounts.items():
            cursor.execute(
                "INSERT INTO team_facts (team_id, valid_from, department_id, manager_id, "
                "headcount, recorded_at) SELECT team_id, $2, department_id, manager_id, $3, $4 "
                "FROM team_history WHERE team_id = $1 AND valid_from <= $2 "
                "AND (valid_to IS NULL OR valid_to > $2)",
                [team_id, plan.since, count, now],
            )
        report.import_id = cursor.execute(
            "INSERT INTO imports (kind, file_name, layout, imported_by, imported_at, rows_in_file, "
            "imported, duplicates, content_hash, details) VALUES ('roster', ?, 'people', ?, ?, ?, "
            "?, ?, ?, ?) RETURNING import_id",
            [report.file_name, user_id, now, report.rows_in_file, report.imported,
             report.duplicates, plan.content_hash, "\n".join(report.notes)],
        ).fetchall()[0][0]  # fmt: skip
        store.bump_data_version(cursor, "roster", "people")
        store.record_audit(
            cursor,
            "import.people",
            f"import #{report.import_id} {report.file_name}: " + " ".join(report.notes),
            at=now,
            user_id=user_id,
            actor=actor,
        )
    return report


def _person_id(cursor, person: Person, since: date, now: datetime) -> int:
    """The stored person this row is (by e-mail, or by name in the team without one), or a
    new one."""
    found = cursor.execute(
        "SELECT person_id FROM people WHERE email = ?", [person.email]
    ).fetchall() if person.email else cursor.execute(
        "SELECT p.person_id FROM people p JOIN membership_history m USING (person_id) "
        "WHERE p.email IS NULL AND lower(p.name) = lower(?) AND m.team_id = ? "
        "AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to > ?)",
        [person.name, person.team_id, since, since],
    ).fetchall()  # fmt: skip
    if found:
        cursor.execute(
            "UPDATE people SET name = ?, language = ? WHERE person_id = ?",
            [person.name, person.language, found[0][0]],
        )
        return int(found[0][0])
    return int(
        cursor.execute(
            "INSERT INTO people (email, name, language, created_at) VALUES (?, ?, ?, ?) "
            "RETURNING person_id",
            [person.email, person.name, person.language, now],
        ).fetchall()[0][0]
    )


def describe_people(plan: PeoplePlan) -> list[str]:
    """The plan in sentences, for the preview and the import's summary."""
    when = f"from {plan.since:%-d %b %Y}{plan.moved_note}"
    lines = []
    for label, items in (("Join", plan.joins), ("Move", plan.moves), ("Leave", plan.left)):
        if items:
            shown = ", ".join(items[:10]) + (
                f" and {len(items) - 10} more" if len(items) > 10 else ""
            )
            lines.append(f"{label} {when}: {shown}.")
    if plan.details:
        lines.append(f"Names or languages corrected: {len(plan.details)}.")
    for name, before, after in plan.headcounts.values():
        lines.append(f"{name}: headcount {before} → {after} {when}, from its people.")
    if not lines:
        lines.append("Nothing changes: the people match what is stored.")
    return lines
