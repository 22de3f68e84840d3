"""What every command shares: exit codes, refusals, the ``--db`` option, argument types,
progress on stderr, opening the database, and tables and JSON for results."""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from dashboard import clock, queries, settings, store
from dashboard.steps import Steps
from dashboard.store import Store

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """The command cannot do what was asked; the message says why and what to do."""


def project_dir() -> Path:
    """The folder holding app.py (the package is installed editable from it)."""
    return Path(__file__).resolve().parents[2]


def db_option() -> argparse.ArgumentParser:
    """The parent parser every command that opens the database takes."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file, or server mode's postgresql://USER@HOST:PORT/DATABASE "
        "(default: $CATALYST_DB, else data/catalyst.duckdb)",
    )
    return common


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-24") from None


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def step_printer() -> Steps:
    """Each step of long work on stderr, each line with the seconds since it began."""
    started = time.perf_counter()

    def report(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def open_existing(args: argparse.Namespace) -> Store:
    """The database of ``--db``; refused when there is none (commands that only read or
    change an organization never create an empty one)."""
    return store.open_store(settings.database_location(args.db), must_exist=True)


def org_today(db: Store) -> date:
    """Today where the organization is, as the pages take it (weeks follow its time zone)."""
    with db.reading() as cursor:
        return clock.today_in(queries.org_settings(cursor).time_zone)


def plain_value(value: object) -> object:
    """A value fit for JSON: dates and times as ISO text, missing as null, numpy numbers
    as Python's."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):  # pandas' Timestamp is a datetime
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def json_records(frame: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows, one object per row."""
    return [
        {str(column): plain_value(value) for column, value in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False)
    ]


def table_text(frame: pd.DataFrame) -> str:
    """A table for people: a header, then aligned columns (numbers to the right)."""
    cells = [[_shown(v) for v in row] for row in frame.itertuples(index=False)]
    header = [str(c) for c in frame.columns]
    widths = [max([len(header[i]), *(len(row[i]) for row in cells)]) for i in range(len(header))]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(header), *(line(row) for row in cells)])


def _shown(value: object) -> str:
    value = plain_value(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
