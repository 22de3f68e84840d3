"""What HR tells the importer about a file, and what it remembers for next time.

* ``--map "HEADER=key"``: this column is that catalyst (or team, submitted_at,
  comment, ignore). HEADER as the file shows it, a matrix statement's text, or
  "column C" (its letters in a spreadsheet) where several columns share a header.
* ``--team-column HEADER``: the column naming each row's team.
* ``--team-alias "NAME=Team"``: another name a team goes by in exports.

Mappings and aliases used in a successful import are saved, so next week's file
of the same survey needs none. Team names match ignoring case and spacing.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb

from dashboard import queries
from dashboard.ingest.columns import ROLES, is_personal, letters, normalize
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import ImportRefused, Problem

ANSWER_LIKE_SHARE = 0.8  # share of filled cells that must look like answers
SUGGEST_AT = 0.5  # how alike a header and a catalyst's words must be to suggest it


def team_key(name: str) -> str:
    """'Sales  East', 'sales-east', 'SalesEast' -> 'saleseast'."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def team_key_sql(column: str) -> str:
    """The same as ``team_key``, in SQL."""
    return rf"lower(regexp_replace({column}, '[\s_\-]+', '', 'g'))"


def _pairs(values: tuple[str, ...], option: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    pairs, problems = [], []
    for value in values:
        left, equals, right = value.rpartition("=")
        if not equals or not left.strip() or not right.strip():
            problems.append(Problem(f'{option} "{value}": write it as "HEADER=value".'))
        else:
            pairs.append((left.strip(), right.strip()))
    return pairs, problems


def _columns_for(layout: Layout, header: str) -> list[int]:
    """Every column ``header`` can mean: its letters ("column C"), else the columns whose
    header or statement it names."""
    by_letters = re.fullmatch(r"\s*column\s+([A-Za-z]{1,3})\s*", header)
    if by_letters:
        wanted = by_letters.group(1).upper()
        return [c.index for c in layout.columns if letters(c.index) == wanted]
    wanted = normalize(header)
    return [
        column.index
        for column in layout.columns
        if wanted in {normalize(column.header), *(normalize(n) for n in column.names)}
    ]


def _mapping_problem(layout: Layout, header: str, role: str, found: list[int]) -> Problem | None:
    if not found:
        shown = ", ".join(f'"{c.header}"' for c in layout.columns[:15] if c.header)
        return Problem(f'There is no column "{header}" in the file. Columns: {shown}.')
    if len(found) > 1:
        where = ", ".join(letters(i) for i in found)
        return Problem(
            f'{len(found)} columns are called "{header}" (columns {where}): say which one '
            f'you mean by its letters, like "column {letters(found[0])}={role}".'
        )
    if role not in ROLES:
        return Problem(f'"{role}" is not something a column can be; use one of {", ".join(ROLES)}.')
    column = layout.columns[found[0]]
    if role == "comment" and any(is_personal(name) for name in (column.header, *column.names)):
        return Problem(
            f'Column "{column.header}" looks like personal data (a name, e-mail or phone '
            "number); Catalyst never stores it, also not as a comment."
        )
    return None


def overrides(
    cursor: duckdb.DuckDBPyConnection,
    layout: Layout,
    maps: tuple[str, ...],
    team_column: str | None,
) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Column roles set by hand or saved earlier (position -> role), and the hand-set
    ones to save after a successful import. ImportRefused for a header or role that
    does not exist."""
    saved = dict(cursor.execute("SELECT header_key, role FROM column_mappings").fetchall())
    roles: dict[int, str] = {}
    for column in layout.columns:
        for name in (column.header, *column.names):
            if normalize(name) in saved:
                roles[column.index] = saved[normalize(name)]
                break
    pairs, problems = _pairs(maps, "--map")
    if team_column:
        pairs.append((team_column, "team"))
    to_save = []
    for header, role in pairs:
        role = role.lower()
        found = _columns_for(layout, header)
        problem = _mapping_problem(layout, header, role, found)
        if problem:
            problems.append(problem)
        else:
            roles[found[0]] = role
            chosen = layout.columns[found[0]].header
            if layout.headers.count(chosen) == 1:  # a shared header cannot be remembered
                to_save.append((chosen, role))
    if problems:
        raise ImportRefused(problems)
    return roles, to_save


def aliases(
    cursor: duckdb.DuckDBPyConnection, values: tuple[str, ...]
) -> list[tuple[str, str, int]]:
    """(alias key, alias, team id) for ``--team-alias`` values; ImportRefused for unknown teams."""
    pairs, problems = _pairs(values, "--team-alias")
    found = []
    for alias, team in pairs:
        team_id = queries.team_id_by_name(cursor, team)
        if team_id is None:
            problems.append(Problem(f'--team-alias "{alias}={team}": there is no team "{team}".'))
        else:
            found.append((team_key(alias), alias, team_id))
    if problems:
        raise ImportRefused(problems)
    return found


def save(
    cursor: duckdb.DuckDBPyConnection,
    layout: Layout,
    mappings: list[tuple[str, str]],
    team_aliases: list[tuple[str, str, int]],
    *,
    now: datetime,
    user_id: int | None,
) -> None:
    for header, role in mappings:
        cursor.execute(
            "INSERT INTO column_mappings VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (header_key) "
            "DO UPDATE SET role = excluded.role, header = excluded.header, "
            "layout = excluded.layout, saved_at = excluded.saved_at, saved_by = excluded.saved_by",
            [normalize(header), header, role, layout.tool, now, user_id],
        )
    for key, alias, team_id in team_aliases:
        cursor.execute(
            "INSERT INTO team_aliases VALUES (?, ?, ?, ?) ON CONFLICT (alias_key) "
            "DO UPDATE SET team_id = excluded.team_id, alias = excluded.alias",
            [key, alias, team_id, now],
        )


SAMPLE_ROWS = 10_000  # enough to judge what a column holds


def column_counts(
    cursor: duckdb.DuckDBPyConnection, indexes: list[int], condition: str
) -> dict[int, tuple[int, int]]:
    """For each column: (filled cells, cells meeting ``condition`` on value ``v``), over a
    sample of rows. One unpivoted scan: a per-column expression for each of hundreds of
    columns (LimeSurvey exports have 600) takes DuckDB minutes to plan."""
    if not indexes:
        return {}
    names = ", ".join(f"c{int(i)}" for i in indexes)
    rows = cursor.execute(
        f"SELECT col, count(*) FILTER (WHERE trim(v) <> ''), count(*) FILTER (WHERE {condition}) "  # noqa: S608
        f"FROM (UNPIVOT (SELECT {names} FROM numbered LIMIT {SAMPLE_ROWS}) "
        f"ON {names} INTO NAME col VALUE v) GROUP BY col"
    ).fetchall()
    return {int(col[1:]): (filled, matching) for col, filled, matching in rows}


def answer_like(cursor: duckdb.DuckDBPyConnection, layout: Layout, indexes: list[int]) -> list[str]:
    """Unmapped columns whose filled cells mostly look like answers (small numbers or
    agreement/frequency words), to name in a refusal."""
    from dashboard.ingest import answers

    condition = (
        f"{answers.number('v')} BETWEEN 0 AND 10 "
        f"OR {answers.label_value(answers.cleaned('v'))} IS NOT NULL"
    )
    counts = column_counts(cursor, indexes, condition)
    return [
        layout.columns[index].header or f"column {index + 1}"
        for index in indexes
        if counts.get(index, (0, 0))[0] and counts[index][1] >= ANSWER_LIKE_SHARE * counts[index][0]
    ]


def suggest(header: str) -> str | None:
    """The catalyst a header most resembles (by its words against our labels and
    statements), when the resemblance is worth offering; else None."""
    from difflib import SequenceMatcher

    from dashboard.catalysts import CATALYSTS, PROGRESS

    plain = normalize(header)
    best, score = None, 0.0
    for key, texts in [(c.key, (c.label, c.statement, c.description)) for c in CATALYSTS] + [
        (PROGRESS.key, (PROGRESS.label, PROGRESS.statement))
    ]:
        for text in texts:
            ratio = SequenceMatcher(None, plain, normalize(text)).ratio()
            if ratio > score:
                best, score = key, ratio
    return best if score >= SUGGEST_AT else None
