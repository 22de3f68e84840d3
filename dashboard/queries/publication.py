"""Publication: a round's cells are computed once, when it is due, and then frozen
(DESIGN §3, "Over time, too").

* Nothing is published until the organization is **live**; going live publishes every
  closed round at once.
* After that a round is **due** when its grace period has passed after it closed (the
  end of its last Sunday in the organization's time zone) and after the first import
  that touched it. It is published on the first read that finds it due, once, under
  the write lock: no scheduler needed.
* Publishing applies the privacy rules (privacy.py) with the settings of that moment,
  stores the shown cells and each team's decision with the round's settings, and marks
  every response that went into a cell. Nothing of it is computed again.
* **Late** responses of a published round are held; they are published as a
  **supplement** (cells of their own, by the same rules and the round's settings) once
  their grace period has passed and they form a group of at least k people.
* An undo **withdraws** every published cell that holds undone responses, whole and for
  good (``withdraw_cells``); its other responses never reappear, also not when the same
  rows come again (``spend_withdrawn``).

So any two figures ever observed differ by whole published cells, each of k people or
more. Reads of figures go through ``publish_due`` first (queries/cells.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from dashboard import clock, privacy, rounds, store
from dashboard.catalysts import ITEM_KEYS
from dashboard.privacy import ITEM_COLUMNS
from dashboard.queries.organization import data_versions, meta, org_settings
from dashboard.rounds import WEEK, Span
from dashboard.settings import OrgSettings
from dashboard.store import Store

LIVE_KEY = "live_since"


def live_since(cursor: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the organization went live (None: still being set up, nothing published)."""
    value = meta(cursor).get(LIVE_KEY)
    return datetime.fromisoformat(value) if value else None


def published_spans(cursor: duckdb.DuckDBPyConnection) -> list[Span]:
    rows = cursor.execute(
        "SELECT round_start, first_week, last_week, cadence FROM published_rounds "
        "ORDER BY first_week"
    ).fetchall()
    return [Span(*row) for row in rows]


def new_team_results(cursor: duckdb.DuckDBPyConnection, since: datetime) -> pd.DataFrame:
    """Teams with a round's results shown for the first time since ``since`` (round_id,
    round_start, last_week, cadence, team_id, manager_id), the newest round of each team
    and manager: what a manager's digest is about. Supplements and withdrawn cells are
    not news."""
    return cursor.execute(
        "SELECT r.round_id, r.round_start, r.last_week, r.cadence, c.team_id, c.manager_id "
        "FROM published_cells c JOIN published_rounds r USING (round_id) "
        "WHERE c.kind = 'team' AND c.supplement = 0 AND c.withdrawn_at IS NULL "
        "AND c.manager_id IS NOT NULL AND c.published_at >= ? "
        "QUALIFY row_number() OVER (PARTITION BY c.team_id, c.manager_id "
        "ORDER BY r.round_start DESC) = 1 ORDER BY c.team_id",
        [since],
    ).df()


def first_unpublished_week(cursor: duckdb.DuckDBPyConnection) -> date | None:
    """The Monday after the last published round (None: nothing published yet)."""
    (last,) = cursor.execute("SELECT max(last_week) FROM published_rounds").fetchone()
    return None if last is None else last + WEEK


def closes_at(span: Span, time_zone: str) -> datetime:
    """When a round closes: the end of its last Sunday where the organization is."""
    return clock.local_midnight_in_utc(span.last_week + WEEK, time_zone)


# What publication depends on; a check-in or a new account does not make anything due.
SHAPED_BY = ("survey", "roster", "settings", "published")

# Per database: the data versions last looked at and the earliest time anything can next
# fall due then (None: nothing can until data or settings change), so most reads skip
# the work entirely.
_next_due: dict[str, tuple[tuple, datetime | None]] = {}
_next_due_lock = threading.Lock()


def publish_due(db: Store, now: datetime | None = None) -> int:
    """Publish every round and supplement that is due; returns how many cells were
    published. Cheap when nothing is due (one small read)."""
    now = now or clock.utc_now()
    with db.reading() as cursor:
        versions = tuple(sorted(data_versions(cursor, SHAPED_BY).items()))
    with _next_due_lock:
        looked_at, next_due = _next_due.get(str(db.path), (None, None))
        if looked_at == versions and (next_due is None or now < next_due):
            return 0
    with db.transaction() as cursor:
        published, next_due = _publish(cursor, now, ignore_grace=False)
    with _next_due_lock:
        if not published:  # a publication changes the versions: the next read looks again
            _next_due[str(db.path)] = (versions, next_due)
    return published


def version_key(db: Store, *, manager_id: int | None = None, checkins: bool = True) -> tuple:
    """A small, hashable token that changes whenever the data a cached view reads
    changes. Publishes what is due first: a cached page must not hide a round that fell
    due. By default every kind of data; for a view of one manager's team, their own
    check-ins instead of everyone's (``manager_id``); for figures from survey data
    alone, no check-ins (``checkins=False``)."""
    publish_due(db)
    with db.reading() as cursor:
        rows = cursor.execute(
            "SELECT kind, version FROM data_versions WHERE kind NOT LIKE ? OR kind = ? "
            "ORDER BY kind",
            [f"{store.MANAGER_KIND}%", store.manager_kind(manager_id)],
        ).fetchall()
    skip = {"checkins"} if manager_id is not None or not checkins else set()
    return (str(db.path), *((kind, v) for kind, v in rows if kind not in skip))


@dataclass(frozen=True)
class State:
    """Where publication stands, for pages that have nothing to show yet."""

    live_since: datetime | None
    has_responses: bool
    next_due: datetime | None  # when the next round (or supplement) is published
    grace_days: int


def state(db: Store, now: datetime | None = None) -> State:
    now = now or clock.utc_now()
    with db.reading() as cursor:
        org = org_settings(cursor)
        (responses,) = cursor.execute("SELECT count(*) > 0 FROM survey_responses").fetchone()
        live = live_since(cursor)
        weeks = _unpublished_weeks(cursor)
        _, later = _due_rounds(cursor, weeks, org, now, timedelta(days=org.grace_days))
    return State(live, bool(responses), later if live else None, org.grace_days)


def go_live(db: Store, *, now: datetime, by: int | None = None, actor: str | None = None) -> int:
    """Mark the organization live and publish every closed round; returns the number of
    cells published. Going live cannot be undone: published rounds stay published."""
    with db.transaction() as cursor:
        if live_since(cursor) is not None:
            return 0
        store.set_meta(cursor, LIVE_KEY, now.isoformat(timespec="seconds"))
        published, _ = _publish(cursor, now, ignore_grace=True)
        store.bump_data_version(cursor, "published")
        store.record_audit(
            cursor,
            "organization.live",
            f"went live: closed rounds published ({published} cells)",
            at=now,
            user_id=by,
            actor=actor,
        )
    return published


def _publish(
    cursor: duckdb.DuckDBPyConnection, now: datetime, *, ignore_grace: bool
) -> tuple[int, datetime | None]:
    """Publish what is due; returns (cells published, when something next falls due)."""
    if live_since(cursor) is None:
        return 0, None
    org = org_settings(cursor)
    grace = timedelta(days=0 if ignore_grace else org.grace_days)
    weeks = _unpublished_weeks(cursor)
    due, later = _due_rounds(cursor, weeks, org, now, grace)
    published = _publish_rounds(cursor, due, org, now) if due else 0
    supplements, later_supplement = _publish_supplements(cursor, weeks, now, grace)
    published += supplements
    if published:
        store.bump_data_version(cursor, "published")
    upcoming = [moment for moment in (later, later_supplement) if moment is not None]
    return published, min(upcoming) if upcoming else None


def _unpublished_weeks(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Weeks with responses in no published cell, with the first import that brought one
    and, for late data, the first week of the published round the week lies in (NaT for
    weeks of rounds not published yet)."""
    return cursor.execute(
        """
        SELECT r.week, min(i.imported_at) AS first_import, any_value(p.first_week) AS round
        FROM survey_responses r JOIN imports i USING (import_id)
        LEFT JOIN published_rounds p ON r.week BETWEEN p.first_week AND p.last_week
        WHERE r.cell_id IS NULL
        GROUP BY r.week ORDER BY r.week
        """
    ).df()


def _due_rounds(
    cursor: duckdb.DuckDBPyConnection,
    weeks: pd.DataFrame,
    org: OrgSettings,
    now: datetime,
    grace: timedelta,
) -> tuple[list[Span], datetime | None]:
    """The rounds to publish now, and when the next one falls due. A round in which the
    team pulse is still open waits for its close (pulse.close_round lets the last answers
    in and bumps the survey version, so this is looked at again)."""
    weeks = weeks[weeks["round"].isna()]
    spans = published_spans(cursor)
    pulse_open = [w for (w,) in cursor.execute(
        "SELECT week FROM pulse_rounds WHERE closed_at IS NULL").fetchall()]  # fmt: skip
    first_import: dict[Span, datetime] = {}
    for week, imported in zip(weeks.week, weeks.first_import, strict=True):
        span = rounds.unpublished_round(week.date(), org.cadence, spans)
        first_import[span] = min(imported.to_pydatetime(), first_import.get(span, imported))
    due, later = [], None
    for span, imported in first_import.items():
        if any(span.first_week <= week <= span.last_week for week in pulse_open):
            continue
        due_at = max(closes_at(span, org.time_zone), imported) + grace
        if now >= due_at:
            due.append(span)
        else:
            later = due_at if later is None else min(later, due_at)
    return due, later


def _publish_rounds(
    cursor: duckdb.DuckDBPyConnection, due: list[Span], org: OrgSettings, now: datetime
) -> int:
    frame = pd.DataFrame(
        [
            {
                "cadence": span.cadence,
                "round_start": span.start,
                "first_week": span.first_week,
                "last_week": span.last_week,
                "published_at": now,
                "min_group_size": org.min_group_size,
                "comment_min_responses": org.comment_min_responses,
                "time_zone": org.time_zone,
                "survey_frequency": org.survey_frequency,
            }
            for span in due
        ]
    )
    store.append_frame(cursor, "published_rounds", frame)
    return _publish_cells(cursor, [span.first_week for span in due], now, supplement=False)


def _publish_supplements(
    cursor: duckdb.DuckDBPyConnection, weeks: pd.DataFrame, now: datetime, grace: timedelta
) -> tuple[int, datetime | None]:
    """Held responses of published rounds whose grace has passed, as supplements."""
    held = weeks[weeks["round"].notna()].groupby("round").first_import.min()
    due = [week.date() for week, imported in held.items() if now >= imported + grace]
    waiting = [imported + grace for imported in held if now < imported + grace]
    published = _publish_cells(cursor, due, now, supplement=True) if due else 0
    return published, min(waiting).to_pydatetime() if waiting else None


def _publish_cells(
    cursor: duckdb.DuckDBPyConnection, first_weeks: list, now: datetime, *, supplement: bool
) -> int:
    """Protect and store the unpublished responses of these published rounds, each round
    with its own settings; mark the responses that went into a cell."""
    rounds_due = cursor.execute(
        "SELECT round_id, first_week, last_week, cadence, min_group_size, "
        "comment_min_responses, survey_frequency, "
        "(SELECT coalesce(max(c.supplement), -1) + 1 FROM published_cells c "
        " WHERE c.round_id = p.round_id) AS supplement "
        "FROM published_rounds p WHERE first_week IN (SELECT unnest(?::DATE[]))",
        [first_weeks],
    ).df()
    rounds_due["more_often"] = [
        rounds.asks_more_often(frequency, cadence)
        for frequency, cadence in zip(rounds_due.survey_frequency, rounds_due.cadence, strict=True)
    ]
    published = 0
    groups = ["min_group_size", "comment_min_responses", "survey_frequency"]
    for (k, comment_min, frequency), group in rounds_due.groupby(groups):
        published += _publish_group(
            cursor, group, int(k), int(comment_min), frequency, now, supplement=supplement
        )
    return published


def _publish_group(
    cursor: duckdb.DuckDBPyConnection,
    due: pd.DataFrame,
    k: int,
    comment_min: int,
    frequency: str,
    now: datetime,
    *,
    supplement: bool,
) -> int:
    with store.registered(cursor, "due_rounds", due):
        cursor.execute(_TEAM_WEEKS)
        cells = cursor.execute(_raw_cells_sql(frequency)).df()
    if cells.empty:
        return 0
    protected = privacy.protect(cells, k)
    # Cell ids in a stable order: the same data always publishes the same cells.
    shown = protected.shown.sort_values(
        ["round", "kind", "department_id", "team_id", "manager_id"], ignore_index=True
    )
    if shown.empty and supplement:
        return 0
    # fetchall: a result left half-read here makes the next register() abort the
    # transaction (DuckDB treats the pending nextval as unfinished work).
    ((first_id,),) = cursor.execute(
        "SELECT min(nextval('cell_ids')) FROM range(?)", [max(len(shown), 1)]
    ).fetchall()
    shown = shown.assign(
        cell_id=range(first_id, first_id + len(shown)),
        round_id=shown["round"],
        supplement=shown["round"].map(dict(zip(due.round_id, due.supplement, strict=True))),
        comments=(shown.kind == "team") & (shown.people >= max(comment_min, k)),
        published_at=now,
    )
    columns = [
        "cell_id", "round_id", "supplement", "kind", "team_id", "department_id", "manager_id",
        "people", "responses", *ITEM_COLUMNS, "items_masked", "comments", "published_at",
    ]  # fmt: skip
    store.append_frame(cursor, "published_cells", shown[columns])
    if not supplement:
        decisions = protected.withheld.assign(
            decision=protected.withheld.pooled.map({True: "pooled", False: "dropped"})
        )
        teams = pd.concat(
            [
                shown[shown.kind == "team"][["round_id", "team_id", "department_id",
                                             "manager_id", "responses"]]
                .assign(decision="shown"),
                decisions.rename(columns={"round": "round_id"})[
                    ["round_id", "team_id", "department_id", "manager_id", "responses",
                     "decision"]
                ],
            ]
        )  # fmt: skip
        store.append_frame(cursor, "published_teams", teams)
    _mark_responses(cursor, shown, protected.withheld)
    return len(shown)


# The unpublished responses' team weeks in the due rounds, with the team's department,
# manager and headcount that week: the cell each week's responses belong to.
_TEAM_WEEKS = """
    CREATE OR REPLACE TEMP TABLE due_team_weeks AS
    SELECT DISTINCT r.team_id, r.week, d.round_id, d.first_week, d.more_often,
           h.department_id, h.manager_id, h.headcount
    FROM survey_responses r
    JOIN due_rounds d ON r.week BETWEEN d.first_week AND d.last_week
    JOIN team_history h ON h.team_id = r.team_id AND h.valid_from <= r.week
         AND (h.valid_to IS NULL OR r.week < h.valid_to)
    WHERE r.cell_id IS NULL
"""


def _raw_cells_sql(frequency: str) -> str:
    """Cells of the due rounds' unpublished responses, with their people: per survey
    period first (the frequency's rounds, or the whole round when people are asked once
    per round), then the fullest period, capped by the headcount."""
    period = rounds.round_sql(frequency, "r.week")
    per_period = ", ".join(
        f"count(r.{i}) AS {i}_n, coalesce(sum(r.{i}), 0) AS {i}_sum, "
        f"count(*) FILTER (WHERE r.{i} > 3) AS {i}_favorable"
        for i in ITEM_KEYS
    )
    per_cell = ", ".join(
        f"sum({i}_n)::INTEGER AS {i}_n, sum({i}_sum) AS {i}_sum, "
        f"sum({i}_favorable)::INTEGER AS {i}_favorable, "
        f"least(max({i}_n), min(headcount))::INTEGER AS {i}_people"
        for i in ITEM_KEYS
    )
    return f"""
        WITH periods AS (
            SELECT w.team_id, w.round_id, w.department_id, w.manager_id,
                   min(w.headcount) AS headcount,
                   CASE WHEN w.more_often THEN {period} ELSE w.first_week END AS period,
                   count(*) AS responses, {per_period}
            FROM survey_responses r
            JOIN due_team_weeks w ON w.team_id = r.team_id AND w.week = r.week
            WHERE r.cell_id IS NULL
            GROUP BY ALL
        )
        SELECT team_id, round_id AS round, department_id, manager_id,
               min(headcount) AS headcount, sum(responses)::INTEGER AS responses,
               least(max(responses), min(headcount))::INTEGER AS people, {per_cell}
        FROM periods GROUP BY team_id, round_id, department_id, manager_id
        ORDER BY round_id, department_id, team_id, manager_id
    """  # noqa: S608 - identifiers from allow-lists


def _mark_responses(
    cursor: duckdb.DuckDBPyConnection, shown: pd.DataFrame, withheld: pd.DataFrame
) -> None:
    """Each response of a shown team cell or pool gets its cell; the rest stay held."""
    keys = ["team_id", "round_id", "department_id", "manager_id"]
    teams = shown[shown.kind == "team"][[*keys, "cell_id"]]
    pools = shown[shown.kind == "pool"][["round_id", "department_id", "cell_id"]]
    pooled = withheld[withheld.pooled].rename(columns={"round": "round_id"})[keys]
    members = pd.concat([teams, pooled.merge(pools, on=["round_id", "department_id"])])
    members = members.astype(dict.fromkeys([*keys, "cell_id"], "Int64"))  # typed if all NULL
    with store.registered(cursor, "cell_members", members):
        cursor.execute(
            """
            UPDATE survey_responses SET cell_id = m.cell_id
            FROM due_team_weeks w JOIN cell_members m ON m.team_id = w.team_id
                 AND m.round_id = w.round_id AND m.department_id = w.department_id
                 AND m.manager_id IS NOT DISTINCT FROM w.manager_id
            WHERE survey_responses.team_id = w.team_id AND survey_responses.week = w.week
              AND survey_responses.cell_id IS NULL
            """
        )


def withdraw_cells(
    cursor: duckdb.DuckDBPyConnection, import_id: int, *, now: datetime, reason: str
) -> list[int]:
    """Withdraw, whole and for good, every published cell holding a response of this
    import; keep the fingerprints of all their responses (``spend_withdrawn``). Call
    before the responses are removed. Returns the withdrawn cells' rounds' ids."""
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE withdrawing AS SELECT DISTINCT r.cell_id "
        "FROM survey_responses r JOIN published_cells c USING (cell_id) "
        "WHERE r.import_id = ? AND c.withdrawn_at IS NULL",
        [import_id],
    )
    cursor.execute(
        "INSERT INTO withdrawn_responses SELECT cell_id, fingerprint, zoned_fingerprint "
        "FROM survey_responses WHERE cell_id IN (SELECT cell_id FROM withdrawing)"
    )
    rows = cursor.execute(
        "UPDATE published_cells SET withdrawn_at = ?, withdrawn_reason = ? "
        "WHERE cell_id IN (SELECT cell_id FROM withdrawing) RETURNING round_id",
        [now, reason],
    ).fetchall()
    if rows:
        store.bump_data_version(cursor, "published")
    return sorted({round_id for (round_id,) in rows})


def spend_withdrawn(cursor: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Responses of this import that were in a withdrawn cell before stay out of every
    figure: they join their withdrawn cell. Returns how many."""
    (count,) = cursor.execute(
        """
        UPDATE survey_responses SET cell_id = w.cell_id FROM withdrawn_responses w
        WHERE survey_responses.import_id = ? AND survey_responses.cell_id IS NULL
          AND (w.fingerprint = survey_responses.fingerprint
               OR w.zoned_fingerprint = survey_responses.zoned_fingerprint)
        """,
        [import_id],
    ).fetchone()
    return int(count)
