"""``catalyst roster list`` and ``roster history TEAM``: the teams as the Admin page's
Roster section lists them (department, manager, headcount in force today) and one
team's effective-dated facts. Changes come in as a roster file (``import roster``)."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from dashboard import queries
from dashboard.cli.common import (
    EXIT_OK,
    Refused,
    json_records,
    open_existing,
    org_today,
    table_text,
)


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    roster = commands.add_parser("roster", help="the teams today and each team's history")
    actions = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", parents=[common], help="every team: department, manager, headcount today"
    )
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=cmd_list)
    history = actions.add_parser(
        "history",
        parents=[common],
        help="a team's facts over time (department, manager, headcount), oldest first",
    )
    history.add_argument("team", help="the team's name (any case)")
    history.add_argument("--json", action="store_true", help="print one JSON array")
    history.set_defaults(handler=cmd_history)


def cmd_list(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        today = org_today(db)
        with db.reading() as cursor:
            teams = queries.roster_now(cursor, today).drop(columns="team_id")
    if args.json:
        print(json.dumps(json_records(teams)))
    elif teams.empty:
        print("No teams yet: import a roster (catalyst import roster FILE).")
    else:
        print(table_text(teams))
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with open_existing(args) as db, db.reading() as cursor:
        team_id = queries.team_id_by_name(cursor, args.team)
        if team_id is None:
            known = ", ".join(queries.team_names(cursor)[:10]) or "none yet"
            raise Refused(f"There is no team named {args.team!r} (teams: {known}).")
        history = queries.roster_history(cursor, team_id)
    history = history.iloc[::-1].reset_index(drop=True)  # the Admin page shows newest first
    for column in ("from", "until"):  # days, not times
        history[column] = [None if pd.isna(day) else day.date() for day in history[column]]
    if args.json:
        print(json.dumps(json_records(history)))
    else:
        print(table_text(history))
    return EXIT_OK
