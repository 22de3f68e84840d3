"""Every row of a survey file typed, checked and recognised, in SQL (table ``typed``).

Identifiers and constants only are put into the SQL; the file's values stay
column data. Statement parameters: the fingerprint salt, then tomorrow's date.

Recognising a response again: by a salted one-way hash of its response id where
the file has one (the id itself is never stored), else by what the file says
about it: team, time and the answers as written (numbers compared as numbers,
labels by their words). The time counts twice: as the wall-clock time written
(``fingerprint``) and, where the file gives a zone or offset, as the UTC
instant (``zoned_key``); a row is a response already stored when either
matches. Nothing derived enters them: not the scale detected, not the
organization's time zone, not the scores. So the same form exported as CSV
(zoned) and as XLSX (wall clock), a sheet whose time zone changed between two
exports, a settings change, or new rows that reveal a wider scale: each is
recognised as the same responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.ingest import answers, dates, personal
from dashboard.ingest.columns import ColumnMap
from dashboard.ingest.layouts import Layout
from dashboard.ingest.staging import sql_column
from dashboard.measures import Scale
from dashboard.rounds import week_of


@dataclass(frozen=True)
class RowPlan:
    """How to read each row: where things are and what was decided about them."""

    columns: ColumnMap
    layout: Layout
    items: list[str]
    scales: dict[str, Scale]
    labels: dict[str, float]  # answer labels the import states -> score on 1-5
    order: str  # of slashed dates
    time_zone: str
    stated_zone: str | None  # the zone the file states for its times (header, ImportId row)
    team_id: int | None  # every row to this team
    week: date | None  # every row to this week
    # Whether stored responses may carry the fingerprint of before store version 8: only
    # then is each row's old key worth computing (a fifth of checking a file's rows).
    legacy: bool = False


def time_text(columns: ColumnMap, layout: Layout) -> str:
    text = f"trim({sql_column(columns.time)})"
    if layout.no_date:
        no_date = answers.quoted(layout.no_date)
        return f"(CASE WHEN starts_with({text}, {no_date}) THEN NULL ELSE {text} END)"
    return text


def typed_sql(plan: RowPlan) -> str:
    """``typed``: every readable row, typed, with one problem column per check."""
    items, columns = plan.items, plan.columns
    inner = [
        "n.ordinal",
        "n.row_number",
        f"trim({sql_column(columns.team)}) AS team_text",
        f"{time_text(columns, plan.layout)} AS time_text",
        f"nullif(trim({sql_column(columns.comment)}), '') AS comment_raw",
        f"nullif(trim({sql_column(columns.response_id)}), '') AS source_id",
        f"{int(plan.team_id)} AS team_id" if plan.team_id is not None else "t.team_id",
        f"{skip_reason(columns)} AS skip_reason",
    ]
    for item in items:
        raw = sql_column(columns.items[item])
        inner += [f"{raw} AS {item}_raw", f"{answers.number(raw)} AS {item}_value"]
    read = [
        "*",
        f"{dates.wall_sql('time_text', plan.order)} AS wall",
        f"{dates.zone_sql('time_text')} AS zone_text",
        f"{personal.scrub_sql('comment_raw')} AS comment",
        f"{personal.count_sql('comment_raw', 'email')} AS emails_removed",
        f"{personal.count_sql('comment_raw', 'phone')} AS phones_removed",
    ] + [f"{answers.text(f'{i}_raw', f'{i}_value')} AS {i}_text" for i in items]
    stamp = dates.local_sql("wall", "zone_offset", plan.time_zone, plan.stated_zone)
    week_expr = "CAST(date_trunc('week', submitted_at) AS DATE)"
    if plan.week is not None:
        monday = week_of(plan.week)
        stamp, week_expr = f"coalesce({stamp}, TIMESTAMP '{monday} 12:00:00')", f"DATE '{monday}'"
    instant = dates.instant_sql("wall", "zone_offset", plan.stated_zone)
    wall_text = "strftime(wall, '%Y-%m-%d %H:%M:%S')"
    zoned = ["*", f"{dates.offset_sql('zone_text')} AS zone_offset"]
    timed = ["*", f"{stamp} AS submitted_at", f"{instant} AS instant", f"{wall_text} AS wall_text"]
    scored = ["*", f"{week_expr} AS week", *_item_columns(plan)]
    date_problem = dates.problem_sql(
        "time_text", "wall", "zone_text", "zone_offset", "submitted_at", "$2", plan.week is not None
    )
    answered = " OR ".join(f"{i} IS NOT NULL OR {i}_problem IS NOT NULL" for i in items)
    outer = [
        "ordinal",
        "row_number",
        "team_id",
        "team_text",
        "time_text",
        "submitted_at",
        "week",
        "comment",
        "emails_removed",
        "phones_removed",
        "source_id",
        "skip_reason",
        *items,
        *(f"{i}_problem" for i in items),
        _TEAM_PROBLEM,
        f"{date_problem} AS date_problem",
        f"CASE WHEN NOT ({answered}) THEN 'no catalyst was answered in this row' END "
        "AS answers_problem",
        f"{_content_key(items, 'wall_text')} AS content_key",
        f"CASE WHEN source_id IS NULL AND instant IS NOT NULL "
        f"THEN {_content_key(items, 'instant')} END AS zoned_key",
        f"{legacy_key(items) if plan.legacy else 'NULL::UHUGEINT'} AS legacy_key",
    ]
    team_join = f"t.team_text = trim({sql_column(columns.team)})"
    layers = f"SELECT {', '.join(inner)} FROM numbered n LEFT JOIN team_lookup t ON {team_join}"  # noqa: S608
    keyed = [
        "*",
        "CASE WHEN source_id IS NOT NULL THEN md5_number($1 || '|id|' || source_id) "
        "ELSE content_key END AS fingerprint",
    ]
    for layer in (read, zoned):
        layers = f"SELECT {', '.join(layer)} FROM ({layers})"  # noqa: S608
    # Materialized steps: the optimizer would otherwise inline the layers and compute a
    # date or a score once per later mention of it, several times a row.
    scored_rows = "SELECT * FROM read_rows"
    for layer in (timed, scored):
        scored_rows = f"SELECT {', '.join(layer)} FROM ({scored_rows})"  # noqa: S608
    rows = "SELECT * FROM scored_rows"
    for layer in (outer, keyed):
        rows = f"SELECT {', '.join(layer)} FROM ({rows})"  # noqa: S608
    return (
        f"CREATE OR REPLACE TEMP TABLE typed AS WITH read_rows AS MATERIALIZED ({layers}), "
        f"scored_rows AS MATERIALIZED ({scored_rows}) {rows}"
    )


def _item_columns(plan: RowPlan) -> list[str]:
    """Each item's 1-5 score and the problem with its number, if any."""
    columns = []
    for i in plan.items:
        scale = plan.scales[i]
        columns.append(f"{answers.score_sql(f'{i}_text', f'{i}_value', scale, plan.labels)} AS {i}")
        columns.append(f"{answers.problem_sql(f'{i}_raw', f'{i}_value', scale)} AS {i}_problem")
    return columns


def _content_key(items: list[str], time: str) -> str:
    """What the file says about a response, hashed with the salt (see module doc)."""
    written = " || '|' || ".join(f"'{i}=' || {_as_written(i)}" for i in items)
    return (
        "md5_number($1 || '|row|' || coalesce(CAST(team_id AS VARCHAR), '') || '|' "
        f"|| coalesce({time}, '') || '|' || {written})"
    )


def _as_written(item: str) -> str:
    """An answer as the file wrote it: a number as a number ("5" and "5.0" alike; whole
    numbers take the fast integer path), else its words, else nothing."""
    value = f"{item}_value"
    return (
        f"coalesce(CASE WHEN {value} = trunc({value}) AND abs({value}) < 1e15 "
        f"THEN CAST(CAST({value} AS BIGINT) AS VARCHAR) ELSE CAST({value} AS VARCHAR) END, "
        f"{item}_text, '')"
    )


def legacy_key(items: list[str]) -> str:
    """The key responses imported before version 8 were stored under: team, second and
    scores packed into 128 bits. Kept to recognise those responses in a later export;
    new responses are stored under ``_content_key``."""
    answers_bits = " | ".join(
        f"(coalesce(round({item} * 15), 0)::UHUGEINT << {8 * ITEM_KEYS.index(item)})"
        for item in items
    )
    return (
        "((coalesce(team_id, 0)::UHUGEINT << 100) "
        "| (greatest(coalesce(epoch(submitted_at), 0), 0)::UBIGINT::UHUGEINT << 56) "
        f"| {answers_bits})"
    )


PREVIEW_STATUSES = (
    "survey preview", "survey test", "spam", "preview spam", "1", "2", "8", "9", "12",
)  # fmt: skip
UNFINISHED = ("false", "0", "no", "partial")  # Typeform writes partial


def skip_reason(columns: ColumnMap) -> str:
    """Responses the survey tool marks as previews, tests or spam, or as not finished:
    counted as skipped, never imported (Qualtrics)."""
    reasons = []
    if columns.status is not None:
        statuses = ", ".join(answers.quoted(s) for s in PREVIEW_STATUSES)
        reasons.append(
            f"WHEN lower(trim({sql_column(columns.status)})) IN ({statuses}) "
            "THEN 'previews, test responses or spam (as the survey tool marks them)'"
        )
    if columns.finished is not None:
        unfinished = ", ".join(answers.quoted(s) for s in UNFINISHED)
        reasons.append(
            f"WHEN lower(trim({sql_column(columns.finished)})) IN ({unfinished}) "
            "THEN 'unfinished responses'"
        )
    return f"(CASE {' '.join(reasons)} END)" if reasons else "NULL::VARCHAR"


_TEAM_PROBLEM = """CASE
        WHEN team_id IS NULL AND coalesce(team_text, '') = '' THEN 'no team given'
        WHEN team_id IS NULL THEN '"' || team_text || '" is not a known team'
    END AS team_problem"""


def problem_statements(items: list[str]) -> list[str]:
    """``staged_problems`` (one row per problem, named as people read the column) and
    ``rejected_rows``."""
    names = {"team_problem": "team", "date_problem": "date", "answers_problem": "answers"}
    names |= {f"{item}_problem": item_label(item) for item in items}
    label = " ".join(f"WHEN {answers.quoted(k)} THEN {answers.quoted(v)}" for k, v in names.items())
    return [
        # Teams without a roster entry for a week: checked per (team, week), not per row.
        """CREATE OR REPLACE TEMP TABLE roster_gaps AS
           SELECT DISTINCT team_id, week FROM typed WHERE team_id IS NOT NULL
               AND week IS NOT NULL
           EXCEPT SELECT p.team_id, p.week FROM (
               SELECT DISTINCT team_id, week FROM typed WHERE team_id IS NOT NULL) p
           JOIN team_history h ON h.team_id = p.team_id AND h.valid_from <= p.week
                AND (h.valid_to IS NULL OR p.week < h.valid_to)""",
        # A response id on several rows with different answers (repeat groups, edited
        # copies): one response per id, from its first row; the others are said, not
        # silently counted as duplicates.
        """CREATE OR REPLACE TEMP TABLE id_conflicts AS
           SELECT t.row_number, f.first_row FROM typed t JOIN (
               SELECT source_id, arg_min(row_number, ordinal) AS first_row,
                      arg_min(content_key, ordinal) AS first_key
               FROM typed WHERE source_id IS NOT NULL AND skip_reason IS NULL
               GROUP BY source_id HAVING count(DISTINCT content_key) > 1) f USING (source_id)
           WHERE t.content_key <> f.first_key AND t.skip_reason IS NULL""",
        f"""CREATE OR REPLACE TEMP TABLE staged_problems AS
           SELECT row_number, CASE column_name {label} END AS column_name, message
           FROM (UNPIVOT (SELECT row_number, COLUMNS('.*_problem') FROM typed
                          WHERE skip_reason IS NULL)
                 ON COLUMNS('.*_problem') INTO NAME column_name VALUE message)
           UNION ALL
           SELECT t.row_number, 'team', 'team "' || t.team_text || '" has no roster entry for '
                  || 'the week of ' || strftime(t.week, '%-d %b %Y')
                  || '; import the roster with an earlier effective_from'
           FROM typed t SEMI JOIN roster_gaps g ON g.team_id = t.team_id AND g.week = t.week
           WHERE t.skip_reason IS NULL AND t.date_problem IS NULL  -- a wrong date says so itself
           UNION ALL
           SELECT row_number, 'response id', 'this row has the response id of row '
                  || first_row || ' but different answers: a response is imported once, from '
                  || 'its first row (export repeat groups or edited copies one row per response)'
           FROM id_conflicts""",  # noqa: S608
        "CREATE OR REPLACE TEMP TABLE rejected_rows AS "
        "SELECT DISTINCT row_number FROM staged_problems",
    ]


# Rows that repeat a fingerprint within the file: a repeated response id is one
# response (the copies are duplicates); identical rows without an id are separate
# responses, told apart by their place among the copies (second, third ...).
REPEATS = (
    "ALTER TABLE typed ADD COLUMN repeated_id BOOLEAN DEFAULT false",
    """CREATE OR REPLACE TEMP TABLE repeats AS
       SELECT ordinal, row_number() OVER (PARTITION BY fingerprint ORDER BY ordinal) AS copy
       FROM typed WHERE fingerprint IN (
           SELECT fingerprint FROM typed
           WHERE skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)
           GROUP BY fingerprint HAVING count(*) > 1)
         AND skip_reason IS NULL AND row_number NOT IN (SELECT row_number FROM rejected_rows)""",
    """UPDATE typed SET repeated_id = source_id IS NOT NULL,
           fingerprint = CASE WHEN source_id IS NULL
               THEN md5_number(fingerprint::VARCHAR || '#' || r.copy) ELSE fingerprint END,
           legacy_key = CASE WHEN source_id IS NULL
               THEN md5_number(legacy_key::VARCHAR || '#' || r.copy) ELSE legacy_key END,
           zoned_key = md5_number(zoned_key::VARCHAR || '#' || r.copy)
       FROM repeats r WHERE typed.ordinal = r.ordinal AND r.copy > 1""",
)
