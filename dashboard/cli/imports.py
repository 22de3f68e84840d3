"""``catalyst import survey|roster|people|progress FILE``, ``import undo ID`` and ``import list``:
files in through the same pipelines as the Upload page, and their history."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from dashboard import settings, store
from dashboard.cli.common import EXIT_OK, EXIT_REFUSED, Refused, iso_date, positive, step_printer
from dashboard.clock import utc_now
from dashboard.ingest.report import worded
from dashboard.steps import Steps
from dashboard.store import Store

DATE_ORDER_CHOICES = ["dmy", "mdy", "day-first", "month-first"]
_DATE_ORDERS = {"dmy": "day_first", "day-first": "day_first", "mdy": "month_first",
                "month-first": "month_first"}  # fmt: skip


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    imports = commands.add_parser("import", help="import a survey export or the roster")
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="KIND")
    _add_survey(kinds, common)
    roster = kinds.add_parser(
        "roster",
        parents=[common],
        help="team, department, manager_name, manager_email[, headcount][, effective_from]",
    )
    roster.add_argument("file", type=Path)
    roster.add_argument("--json", action="store_true", help="print one JSON object")
    people = kinds.add_parser(
        "people",
        parents=[common],
        help="everyone in each team on one date: email, name, team[, language][, "
        "effective_from]; teams listed take their headcount from their people",
    )
    people.add_argument("file", type=Path)
    people.add_argument("--json", action="store_true", help="print one JSON object")
    progress_ = kinds.add_parser(
        "progress",
        parents=[common],
        help="wins and setbacks: team, week, wins, setbacks — or team, date, kind, description",
    )
    progress_.add_argument("file", type=Path)
    progress_.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and report the others"
    )
    progress_.add_argument("--date-order", choices=DATE_ORDER_CHOICES)
    progress_.add_argument("--json", action="store_true", help="print one JSON object")
    undo = kinds.add_parser("undo", parents=[common], help="remove what an import added")
    undo.add_argument("import_id", type=positive)
    kinds.add_parser("list", parents=[common], help="the imports so far, newest first")
    for kind, parser in kinds.choices.items():
        parser.set_defaults(handler=import_history if kind in ("undo", "list") else cmd_import)


def _add_survey(kinds, common: argparse.ArgumentParser) -> None:
    survey = kinds.add_parser("survey", parents=[common], help="a survey export (CSV or TSV)")
    survey.add_argument("file", type=Path)
    survey.add_argument("--team", help="every row belongs to this team")
    survey.add_argument("--week", type=iso_date, help="every row belongs to the week of this date")
    survey.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and report the others"
    )
    survey.add_argument(
        "--scale",
        metavar="LOW-HIGH",
        help="the scale plain numbers are on, like 1-7 or 0-10 (default: detected per column)",
    )
    survey.add_argument(
        "--date-order",
        choices=DATE_ORDER_CHOICES,
        help="how to read dates like 11/12/2026 (default: the file says, else the setting)",
    )
    survey.add_argument(
        "--map",
        action="append",
        default=[],
        metavar='"HEADER=key"',
        help="this column is that catalyst key (or team, submitted_at, comment, ignore); "
        "repeatable; saved for next time",
    )
    survey.add_argument(
        "--team-column",
        metavar="HEADER",
        help="the column that names each row's team; saved for next time",
    )
    survey.add_argument(
        "--team-alias",
        action="append",
        default=[],
        metavar='"NAME=Team"',
        help="another name a team goes by in this export; repeatable; saved",
    )
    survey.add_argument(
        "--labels",
        metavar='"LABEL=1,LABEL=2,…"',
        help="what the answer labels mean, lowest to highest, for labels Catalyst does not "
        'know (like "Not useful=1,Neutral=3,Very useful=5")',
    )
    survey.add_argument("--sheet", help="the workbook sheet to read (default: the first)")
    survey.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard import ingest

    if not args.file.is_file():
        raise Refused(f"There is no file at {args.file}.")
    source = ingest.Source(args.file.name, path=args.file)
    print_step = step_printer()
    with store.open_store(settings.database_location(args.db)) as db:
        try:
            if args.kind == "roster":
                plan = ingest.plan_roster(db, source)
                report = ingest.apply_roster(db, plan, now=utc_now())
            elif args.kind == "people":
                report = ingest.apply_people(db, ingest.plan_people(db, source), now=utc_now())
            elif args.kind == "progress":
                options = ingest.WinsOptions(
                    skip_invalid=args.skip_invalid,
                    date_order=_DATE_ORDERS.get(args.date_order),
                    actor="catalyst import progress",
                )
                report = ingest.import_wins(db, source, options, now=utc_now())
            else:
                report = _import_survey(db, source, args, print_step)
        except ingest.ImportRefused as refusal:
            return _refused_import(args, refusal)
    _print_report(args, report)
    return EXIT_OK


def _import_survey(db: Store, source, args: argparse.Namespace, print_step: Steps):
    from dashboard import ingest

    options = ingest.SurveyOptions(
        team=args.team,
        week=args.week,
        skip_invalid=args.skip_invalid,
        scale=args.scale,
        date_order=_DATE_ORDERS.get(args.date_order),
        maps=tuple(args.map),
        team_column=args.team_column,
        team_aliases=tuple(args.team_alias),
        labels=args.labels,
        sheet=args.sheet,
        actor="catalyst import survey",
    )
    return ingest.import_survey(db, source, options, now=utc_now(), on_step=print_step)


def import_history(args: argparse.Namespace) -> int:
    from dashboard import ingest

    with store.open_store(settings.database_location(args.db), must_exist=True) as db:
        if args.kind == "undo":
            withdraws = ingest.undo_withdraws(db, args.import_id)
            try:
                removed = ingest.undo_import(db, args.import_id, now=utc_now())
            except ingest.ImportRefused as refusal:
                raise Refused(str(refusal)) from None
            print(f"Import #{args.import_id} undone: {removed:,} rows removed.")
            if withdraws:
                print(withdraws.replace("Undoing withdraws", "Withdrawn:"))
            return EXIT_OK
        with db.reading() as cursor:
            history = ingest.import_history(cursor)
    for row in history.itertuples():
        state = f" (undone {row.undone_at:%-d %b %Y})" if pd.notna(row.undone_at) else ""
        print(
            f"#{row.import_id:<5} {row.imported_at:%Y-%m-%d %H:%M}  {row.kind:<8} "
            f"{row.file_name}: {row.rows_in_file:,} rows, {row.imported:,} imported, "
            f"{row.duplicates:,} duplicates, {row.rejected:,} rejected{state}"
        )
    return EXIT_OK


def _print_report(args: argparse.Namespace, report) -> None:
    if args.json:
        print(json.dumps(report.as_json(), default=str))
        return
    print(report.summary())
    for note in report.worded_notes():
        print(f"  {note}")
    if report.dropped_columns:
        print(f"  Not stored: {', '.join(report.dropped_columns)}.")
    for problem in report.errors[:50]:
        print(f"  skipped {problem}")


def _refused_import(args: argparse.Namespace, refusal) -> int:
    if args.json:
        # Counts add up on every path; a file that could not be read as rows has none.
        unread = dict.fromkeys(("rows_in_file", "imported", "duplicates", "rejected", "skipped"))
        data = refusal.report.as_json() if refusal.report else unread
        data["errors"] = [
            {"row": p.row, "column": p.column, "message": worded(p.message)}
            for p in refusal.problems
        ]
        data["refused"] = True
        print(json.dumps(data, default=str))
    print(f"catalyst import {args.kind}: nothing was imported.", file=sys.stderr)
    for problem in refusal.problems[:50]:
        print(f"  {problem}", file=sys.stderr)
    if len(refusal.problems) > 50:
        print(f"  … and {len(refusal.problems) - 50} more problems", file=sys.stderr)
    return EXIT_REFUSED
