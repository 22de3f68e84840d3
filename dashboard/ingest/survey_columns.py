"""What a survey file's columns allow, decided before any row is typed: the catalyst,
team and date columns are there; every answer label is known (or the column is refused
whole); the scale each item's numbers are on; the zone the file's times are in."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from dashboard import queries
from dashboard.catalysts import item_label
from dashboard.ingest import answers, mapping, staging
from dashboard.ingest.columns import ColumnMap, letters
from dashboard.ingest.layouts import Layout
from dashboard.ingest.report import ImportRefused, Problem
from dashboard.measures import Scale


class Stated(Protocol):
    """What the import states for every row (SurveyOptions)."""

    team: str | None
    week: date | None
    scale: str | None


def check_columns(
    cursor: duckdb.DuckDBPyConnection, columns: ColumnMap, options: Stated, layout: Layout
) -> None:
    problems = []
    if not columns.items:
        found = ", ".join(f'"{name}"' for name in layout.headers[:12] if name) or "none"
        hint = mapping.answer_like(cursor, layout, columns.unused_indexes)
        problems.append(
            Problem(
                "No catalyst columns found. Name them by key (clear_goals, autonomy, resources, "
                "help, obstacle_removal, respect, progress), by label (Clear goals …) or by the "
                f"survey statement. Headers found: {found}."
                + (
                    " Columns that look like answers: "
                    + ", ".join(f'"{h}"' for h in hint[:12])
                    + ". Say which catalyst each is with {option:map}."
                    if hint
                    else ""
                )
            )
        )
    if columns.team is None and not options.team:
        problems.append(
            Problem(
                "No team column. Add a column named team, name it with {option:team_column}, or "
                "give the team for every row ({option:team})."
            )
        )
    if options.team and queries.team_id_by_name(cursor, options.team) is None:
        problems.append(
            Problem(f'There is no team "{options.team}"; {staging.known_teams(cursor)}.')
        )
    if columns.time is None and not options.week:
        problems.append(
            Problem(
                "No date column (submitted_at or timestamp). Add one, say which column it is with "
                "{option:map}, or give the week for every row with {option:week}."
            )
        )
    if options.scale and answers.parse_scale(options.scale) is None:
        problems.append(
            Problem(
                f'Scale "{options.scale}": write the lowest and highest answer, like 1-5 or 0-10.'
            )
        )
    if problems:
        raise ImportRefused(problems)


def usable_zone(zone: str | None, notes: list[str]) -> str | None:
    """A zone the file states, if Catalyst knows it; else its times are read as local."""
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        notes.append(
            f'The file says its times are in "{zone}", a zone Catalyst does not know; '
            "they are read as the organization's local time."
        )
        return None
    if zone != "UTC":
        notes.append(
            f"Times read in {zone}, as the file states, and moved to the organization's time zone."
        )
    return zone


def check_labels(cursor, columns: ColumnMap, layout: Layout, labels: dict[str, float]) -> None:
    """Refuse item columns holding answers Catalyst cannot read, whole: importing the
    labels it knows ("Neutral") without the others would give a one-sided picture."""
    unknown = answers.unknown_labels(cursor, columns.items, labels)
    problems = []
    for item, found in unknown.items():
        index = columns.items[item]
        shown = ", ".join(
            f'"{answer}" ({count:,} row{"s" if count != 1 else ""})' for answer, count in found[:8]
        )
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        problems.append(
            Problem(
                f"answers Catalyst does not know: {shown}{more}. The column is refused whole, "
                "since its other answers alone would give a one-sided picture. Say what each "
                "answer means, lowest to highest, with {option:labels}, like "
                f'"{found[0][0]}=1,…"; or leave the column out.',
                column=f"{letters(index)} ({layout.columns[index].header or item_label(item)})",
            )
        )
    if problems:
        raise ImportRefused(problems)


def scales_of(
    cursor, columns: ColumnMap, items: list[str], stated: str | None, notes: list[str]
) -> dict[str, Scale]:
    """The scale of each item's plain numbers: stated, or detected from the column."""
    if stated:
        return dict.fromkeys(items, answers.parse_scale(stated))
    # Plain numbers first; numbers inside labels ("5: strongly agree") only when a
    # column has no plain number at all.
    found = []
    for fast in (True, False):
        ranges = ", ".join(
            f"min({reader}), max({reader})"
            for reader in (
                f"TRY_CAST({staging.sql_column(columns.items[i])} AS DOUBLE)"
                if fast
                else answers.number(staging.sql_column(columns.items[i]))
                for i in items
            )
        )
        found = cursor.execute(f"SELECT {ranges} FROM numbered").fetchall()[0]  # noqa: S608
        if all(value is not None for value in found):
            break
    scales = {}
    for position, item in enumerate(items):
        low, high = found[2 * position], found[2 * position + 1]
        scales[item] = answers.detect_scale(low, high)
        if high is not None and scales[item] != answers.SCALES["1-5"]:
            notes.append(f"{item_label(item)}: numbers read on a {scales[item]} scale.")
    return scales
