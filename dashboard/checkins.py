"""The weekly self-assessment: which week is open, validate, save, read back.

A check-in belongs to one manager, one team and one week. The current week
is open any day; the previous week stays open until its following Wednesday;
older weeks are read-only. Saving replaces the week's check-in whole (ratings,
notes, focus, and the wins and setbacks logged with it) in one transaction,
so saving twice gives the same result as saving once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from dashboard import store
from dashboard.catalysts import CATALYST_KEYS, catalyst
from dashboard.rounds import week_of
from dashboard.store import Store

MAX_NOTE = 280
MAX_ENTRY = 200
MAX_ENTRIES = 20
MAX_COMMITMENTS = 5
LAST_EDIT_WEEKDAY = 2  # Wednesday: the previous week can be checked in until then

_UPDATED = (*CATALYST_KEYS, "focus", "saved_at")
_UPSERT = (
    f"INSERT INTO checkins (manager_id, team_id, week, {', '.join(_UPDATED)}) "  # noqa: S608
    f"VALUES (?, ?, ?, {', '.join('?' for _ in _UPDATED)}) "
    "ON CONFLICT (manager_id, team_id, week) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _UPDATED)
)  # column names from the catalyst allow-list


@dataclass
class Checkin:
    team_id: int
    week: date
    ratings: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    focus: str | None = None
    wins: list[str] = field(default_factory=list)
    setbacks: list[str] = field(default_factory=list)
    saved_at: datetime | None = None
    commitments: list[str] = field(default_factory=list)  # actions for the week after
    kept: dict[str, bool] = field(default_factory=dict)  # earlier commitments: done or not


@dataclass(frozen=True)
class Commitments:
    """What a manager committed to in one check-in, and what they said about it since."""

    week: date  # the check-in they were made in; they are for the week after
    catalyst: str
    done: dict[str, bool | None]  # action -> done, None while not asked


class CheckinError(ValueError):
    """A check-in that cannot be saved; ``problems`` says what to fix, field by field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def open_weeks(today: date) -> list[date]:
    """Weeks that can be checked in today, newest first."""
    current = week_of(today)
    if today.weekday() <= LAST_EDIT_WEEKDAY:
        return [current, current - timedelta(weeks=1)]
    return [current]


def due_week(today: date) -> date:
    """The week a reminder is about: last week from Monday to Wednesday, this week after."""
    current = week_of(today)
    return current - timedelta(weeks=1) if today.weekday() <= LAST_EDIT_WEEKDAY else current


def entries(text: str) -> list[str]:
    """One win or setback per line; blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def problems_with(checkin: Checkin, today: date) -> list[str]:
    """Everything wrong with a check-in, each naming the field; [] when it can be saved."""
    problems = []
    if checkin.week not in open_weeks(today):
        problems.append(
            f"The week of {checkin.week:%-d %b %Y} is closed: check-ins are open for this week, "
            "and for last week until Wednesday."
        )
    missing = [catalyst(k).label for k in CATALYST_KEYS if checkin.ratings.get(k) is None]
    if missing:
        problems.append(f"Rate every catalyst; missing: {', '.join(missing)}.")
    for key, value in checkin.ratings.items():
        if key not in CATALYST_KEYS:
            problems.append(f"Unknown catalyst {key!r}.")
        elif value is not None and value not in range(1, 6):
            problems.append(f"{catalyst(key).label}: the rating must be 1 to 5, not {value}.")
    for key, note in checkin.notes.items():
        if key in CATALYST_KEYS and len(note) > MAX_NOTE:
            problems.append(
                f"{catalyst(key).label}, what I did: {len(note)} characters; keep it to {MAX_NOTE}."
            )
    if checkin.focus is not None and checkin.focus not in CATALYST_KEYS:
        problems.append(f"Focus for next week: unknown catalyst {checkin.focus!r}.")
    if checkin.commitments and checkin.focus is None:
        problems.append("Commitments: choose a focus for next week first.")
    if len(checkin.commitments) > MAX_COMMITMENTS:
        problems.append(f"Commitments: {len(checkin.commitments)}; keep it to {MAX_COMMITMENTS}.")
    for number, text in enumerate(checkin.commitments, start=1):
        if not text.strip() or len(text) > MAX_ENTRY:
            problems.append(f"Commitment {number}: 1 to {MAX_ENTRY} characters, please.")
    for name, items in (("Small wins", checkin.wins), ("Setbacks", checkin.setbacks)):
        if len(items) > MAX_ENTRIES:
            problems.append(f"{name}: {len(items)} entries; keep it to {MAX_ENTRIES}.")
        for number, text in enumerate(items, start=1):
            if len(text) > MAX_ENTRY:
                problems.append(
                    f"{name}, line {number}: {len(text)} characters; keep it to {MAX_ENTRY}."
                )
    return problems


def teams_led(cursor: duckdb.DuckDBPyConnection, manager_id: int, week: date) -> pd.DataFrame:
    """The teams this manager leads in the given week (team_id, team)."""
    return cursor.execute(
        "SELECT h.team_id, t.name AS team FROM team_history h JOIN teams t USING (team_id) "
        "WHERE h.manager_id = ? AND h.valid_from <= ? AND (h.valid_to IS NULL OR h.valid_to > ?) "
        "ORDER BY t.name",
        [manager_id, week, week],
    ).df()


def teams_ever_led(cursor: duckdb.DuckDBPyConnection, manager_id: int) -> pd.DataFrame:
    """Every team this manager has led (team_id, team, since), latest first."""
    return cursor.execute(
        "SELECT h.team_id, t.name AS team, min(h.valid_from) AS since, "
        "bool_or(h.valid_to IS NULL) AS current "
        "FROM team_history h JOIN teams t USING (team_id) WHERE h.manager_id = ? "
        "GROUP BY ALL ORDER BY current DESC, t.name",
        [manager_id],
    ).df()


def _leads(cursor: duckdb.DuckDBPyConnection, manager_id: int, team_id: int, week: date) -> bool:
    return team_id in set(teams_led(cursor, manager_id, week).team_id)


def save(db: Store, manager_id: int, checkin: Checkin, *, today: date, now: datetime) -> None:
    """Validate and store a check-in whole, replacing what was saved for that week."""
    problems = problems_with(checkin, today)
    with db.transaction() as cursor:
        if not _leads(cursor, manager_id, checkin.team_id, checkin.week):
            problems.append("You do not lead this team in that week.")
        if problems:
            raise CheckinError(problems)
        key = [manager_id, checkin.team_id, checkin.week]
        ratings = [checkin.ratings[k] for k in CATALYST_KEYS]
        cursor.execute(_UPSERT, [*key, *ratings, checkin.focus, now])
        cursor.execute(
            "DELETE FROM checkin_notes WHERE manager_id = ? AND team_id = ? AND week = ?", key
        )
        notes = [(k, note.strip()) for k, note in checkin.notes.items() if note and note.strip()]
        if notes:
            frame = pd.DataFrame(notes, columns=["catalyst", "note"]).assign(
                manager_id=manager_id, team_id=checkin.team_id, week=checkin.week
            )
            store.append_frame(cursor, "checkin_notes", frame)
        cursor.execute(
            "DELETE FROM progress_entries WHERE source = 'checkin' AND created_by = ? "
            "AND team_id = ? AND week = ?",
            key,
        )
        logged = [("win", text) for text in checkin.wins] + [
            ("setback", text) for text in checkin.setbacks
        ]
        if logged:
            frame = pd.DataFrame(logged, columns=["kind", "description"]).assign(
                team_id=checkin.team_id,
                week=checkin.week,
                source="checkin",
                created_by=manager_id,
                created_at=now,
            )
            store.append_frame(cursor, "progress_entries", frame)
        _save_commitments(cursor, manager_id, checkin)
        # "checkins" for views of every manager (HR's overview); the manager's own kind
        # for views of this manager alone (their wins and setbacks are in their team's
        # log only), so one check-in leaves every other manager's cached view alone.
        store.bump_data_version(cursor, "checkins", store.manager_kind(manager_id))


def _save_commitments(cursor: duckdb.DuckDBPyConnection, manager_id: int, checkin: Checkin) -> None:
    """This check-in's commitments (answers to those still chosen are kept), and its
    answers about the commitments asked back (see ``asked_back``)."""
    key = [manager_id, checkin.team_id, checkin.week]
    chosen = list(dict.fromkeys(text.strip() for text in checkin.commitments))
    cursor.execute(
        "DELETE FROM commitments WHERE manager_id = ? AND team_id = ? AND week = ? "
        "AND NOT list_contains(?::VARCHAR[], action)",
        [*key, chosen],
    )
    for action in chosen:
        cursor.execute(
            "INSERT INTO commitments (manager_id, team_id, week, action, catalyst) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (manager_id, team_id, week, action) DO UPDATE "
            "SET catalyst = excluded.catalyst",
            [*key, action, checkin.focus],
        )
    earlier = asked_back(cursor, manager_id, checkin.team_id, checkin.week)
    for action, done in checkin.kept.items():
        if earlier is not None and action in earlier.done:
            cursor.execute(
                "UPDATE commitments SET done = ?, answered_week = ? WHERE manager_id = ? "
                "AND team_id = ? AND week = ? AND action = ?",
                [done, checkin.week, manager_id, checkin.team_id, earlier.week, action],
            )


def asked_back(
    cursor: duckdb.DuckDBPyConnection, manager_id: int, team_id: int, week: date
) -> Commitments | None:
    """The commitments a check-in for ``week`` asks about: those of the latest earlier
    check-in that made any (so a skipped week does not lose them)."""
    found = commitments(cursor, manager_id, team_id, before=week, limit=1)
    return found[0] if found else None


def commitments(
    cursor: duckdb.DuckDBPyConnection,
    manager_id: int,
    team_id: int,
    *,
    before: date = date.max,
    limit: int = 12,
    departments: Departments = None,
) -> list[Commitments]:
    """Commitments by check-in, newest first; with ``departments``, only of weeks in which
    the team was in one of them."""
    within, within_params = _in_departments(departments)
    rows = cursor.execute(
        "SELECT week, catalyst, action, done FROM commitments "  # noqa: S608
        "WHERE manager_id = ? AND team_id = ? AND week IN (SELECT DISTINCT week "
        f"FROM commitments c WHERE manager_id = ? AND team_id = ? AND week < ?{within} "
        "ORDER BY week DESC LIMIT ?) ORDER BY week DESC, action",
        [manager_id, team_id, manager_id, team_id, before, *within_params, limit],
    ).fetchall()
    found: dict[date, Commitments] = {}
    for week, key, action, done in rows:
        found.setdefault(week, Commitments(week, key, {})).done[action] = done
    return list(found.values())


def load(
    cursor: duckdb.DuckDBPyConnection, manager_id: int, team_id: int, week: date
) -> Checkin | None:
    """What was saved for that week, or None."""
    found = history(cursor, manager_id, team_id, weeks=(week, week))
    return found[0] if found else None


Departments = frozenset[int] | None  # an HR scope's departments; None: every one


def _in_departments(departments: Departments, alias: str = "c") -> tuple[str, list]:
    """A condition to AND onto a WHERE that keeps the rows (``alias``: team_id, week) of
    weeks in which their team was in one of ``departments``, with its parameters; none
    for None, which keeps every row at no cost. A team fact counts from its valid_from
    on, as for survey cells (queries/cells.py)."""
    if departments is None:
        return "", []
    # The alias is ours; the departments are a bound parameter.
    condition = (
        f" AND EXISTS (SELECT 1 FROM team_history d WHERE d.team_id = {alias}.team_id "  # noqa: S608
        f"AND d.valid_from <= {alias}.week AND (d.valid_to IS NULL OR {alias}.week < d.valid_to)"
        " AND list_contains(?::INTEGER[], d.department_id))"
    )
    return condition, [sorted(departments)]


def history(
    cursor: duckdb.DuckDBPyConnection,
    manager_id: int,
    team_id: int,
    *,
    weeks: tuple[date, date] | None = None,
    limit: int = 52,
    departments: Departments = None,
) -> list[Checkin]:
    """Saved check-ins, newest first, with their notes and the wins and setbacks logged;
    with ``departments``, only of weeks in which the team was in one of them."""
    first, last = weeks or (date.min, date.max)
    within, within_params = _in_departments(departments)
    rows = cursor.execute(
        f"SELECT week, {', '.join(CATALYST_KEYS)}, focus, saved_at FROM checkins c "  # noqa: S608
        f"WHERE manager_id = ? AND team_id = ? AND week BETWEEN ? AND ?{within} "
        "ORDER BY week DESC LIMIT ?",
        [manager_id, team_id, first, last, *within_params, limit],
    ).fetchall()
    if not rows:
        return []
    oldest = rows[-1][0]
    notes = cursor.execute(
        "SELECT week, catalyst, note FROM checkin_notes "
        "WHERE manager_id = ? AND team_id = ? AND week BETWEEN ? AND ?",
        [manager_id, team_id, oldest, rows[0][0]],
    ).fetchall()
    logged = cursor.execute(
        "SELECT week, kind, description FROM progress_entries WHERE source = 'checkin' "
        "AND created_by = ? AND team_id = ? AND week BETWEEN ? AND ? ORDER BY entry_id",
        [manager_id, team_id, oldest, rows[0][0]],
    ).fetchall()
    committed = cursor.execute(
        "SELECT week, action, done, answered_week FROM commitments "
        "WHERE manager_id = ? AND team_id = ? AND (week BETWEEN ? AND ? "
        "OR answered_week BETWEEN ? AND ?) ORDER BY action",
        [manager_id, team_id, oldest, rows[0][0], oldest, rows[0][0]],
    ).fetchall()
    found = []
    for week, *values in rows:
        *ratings, focus, saved_at = values
        found.append(
            Checkin(
                team_id=team_id,
                week=week,
                ratings=dict(zip(CATALYST_KEYS, ratings, strict=True)),
                notes={c: n for w, c, n in notes if w == week},
                focus=focus,
                wins=[d for w, k, d in logged if w == week and k == "win"],
                setbacks=[d for w, k, d in logged if w == week and k == "setback"],
                saved_at=saved_at,
                commitments=[a for w, a, _, _ in committed if w == week],
                kept={a: done for _, a, done, answered in committed if answered == week},
            )
        )
    return found


def streak(
    cursor: duckdb.DuckDBPyConnection,
    manager_id: int,
    team_id: int,
    today: date,
    *,
    departments: Departments = None,
) -> int:
    """Consecutive weeks checked in, counting back from this week (or last week, while
    this week has none yet); with ``departments``, weeks out of them break the run."""
    within, within_params = _in_departments(departments)
    weeks = {
        week
        for (week,) in cursor.execute(
            "SELECT week FROM checkins c "  # noqa: S608 - see _in_departments
            f"WHERE manager_id = ? AND team_id = ? AND week <= ?{within}",
            [manager_id, team_id, week_of(today), *within_params],
        ).fetchall()
    }
    week = week_of(today)
    if week not in weeks:
        week -= timedelta(weeks=1)
    count = 0
    while week in weeks:
        count += 1
        week -= timedelta(weeks=1)
    return count


def missing(cursor: duckdb.DuckDBPyConnection, manager_id: int, today: date) -> pd.DataFrame:
    """The teams whose due week (see ``due_week``) has no check-in from this manager."""
    return missing_in_week(cursor, due_week(today), manager_id)


def missing_in_week(
    cursor: duckdb.DuckDBPyConnection, week: date, manager_id: int | None = None
) -> pd.DataFrame:
    """Teams without a check-in from the manager who led them that week (manager_id,
    team_id, team, week), of one manager or of all."""
    return cursor.execute(
        "SELECT h.manager_id, h.team_id, t.name AS team, $1::DATE AS week FROM team_history h "
        "JOIN teams t USING (team_id) WHERE h.manager_id IS NOT NULL "
        "AND ($2::INTEGER IS NULL OR h.manager_id = $2) "
        "AND h.valid_from <= $1 AND (h.valid_to IS NULL OR h.valid_to > $1) "
        "AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.manager_id = h.manager_id "
        "AND c.team_id = h.team_id AND c.week = $1) ORDER BY h.manager_id, t.name",
        [week, manager_id],
    ).df()


def self_scores(
    cursor: duckdb.DuckDBPyConnection,
    manager_id: int,
    team_id: int,
    first: date,
    last: date,
    *,
    departments: Departments = None,
) -> pd.DataFrame:
    """The manager's ratings by week (week, one column per catalyst); weeks without a
    check-in, or out of ``departments``, are simply absent."""
    within, within_params = _in_departments(departments)
    frame = cursor.execute(
        f"SELECT week, {', '.join(CATALYST_KEYS)}, focus FROM checkins c "  # noqa: S608
        f"WHERE manager_id = ? AND team_id = ? AND week BETWEEN ? AND ?{within} ORDER BY week",
        [manager_id, team_id, first, last, *within_params],
    ).df()
    frame["week"] = frame["week"].dt.date
    return frame


def wins_and_setbacks_counts(
    cursor: duckdb.DuckDBPyConnection,
    manager_id: int,
    team_id: int,
    first: date,
    last: date,
    *,
    departments: Departments = None,
) -> pd.DataFrame:
    """Wins and setbacks logged for the team by week, in the weeks this manager led it
    (and the team was in one of ``departments``)."""
    within, within_params = _in_departments(departments, alias="p")
    frame = cursor.execute(
        "SELECT p.week, sum(p.count) FILTER (WHERE p.kind = 'win') AS wins, "  # noqa: S608
        "sum(p.count) FILTER (WHERE p.kind = 'setback') AS setbacks "
        "FROM progress_entries p JOIN team_history h ON h.team_id = p.team_id "
        "AND h.valid_from <= p.week AND (h.valid_to IS NULL OR p.week < h.valid_to) "
        f"WHERE p.team_id = ? AND h.manager_id = ? AND p.week BETWEEN ? AND ?{within} "
        "GROUP BY p.week ORDER BY p.week",
        [team_id, manager_id, first, last, *within_params],
    ).df()
    frame["week"] = frame["week"].dt.date
    return frame.fillna({"wins": 0, "setbacks": 0})


def completion(
    cursor: duckdb.DuckDBPyConnection, team_ids: list[int], week: date
) -> tuple[int, int]:
    """(check-ins done, check-ins due) for a week: one per team from its manager then."""
    done, due = cursor.execute(
        "SELECT count(c.team_id), count(*) FROM team_history h "
        "LEFT JOIN checkins c ON c.team_id = h.team_id AND c.manager_id = h.manager_id "
        "AND c.week = $1 WHERE h.team_id IN (SELECT unnest($2::INTEGER[])) "
        "AND h.manager_id IS NOT NULL AND h.valid_from <= $1 "
        "AND (h.valid_to IS NULL OR h.valid_to > $1)",
        [week, team_ids],
    ).fetchall()[0]
    return int(done), int(due)


def stale(
    cursor: duckdb.DuckDBPyConnection,
    team_ids: list[int],
    today: date,
    weeks: int = 2,
    departments: Departments = None,
) -> pd.DataFrame:
    """Teams whose current manager has not checked in for ``weeks`` finished weeks or more
    (team_id, manager_id, team, manager, last check-in), longest silence first; with
    ``departments``, the last check-in counts only weeks in which the team was in one of
    them."""
    limit = week_of(today) - timedelta(weeks=weeks)
    within, within_params = _in_departments(departments)
    frame = cursor.execute(
        "SELECT h.team_id, h.manager_id, t.name AS team, u.display_name AS manager, "  # noqa: S608
        "max(c.week) AS last_check_in "
        "FROM team_history h JOIN teams t USING (team_id) JOIN users u ON u.user_id = h.manager_id "
        f"LEFT JOIN checkins c ON c.team_id = h.team_id AND c.manager_id = h.manager_id{within} "
        "WHERE h.valid_to IS NULL AND h.team_id IN (SELECT unnest(?::INTEGER[])) "
        "GROUP BY ALL HAVING max(c.week) IS NULL OR max(c.week) < ? "
        "ORDER BY last_check_in NULLS FIRST, team",
        [*within_params, team_ids, limit],
    ).df()
    frame["last_check_in"] = frame["last_check_in"].dt.date
    return frame
