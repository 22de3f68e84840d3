"""``catalyst audit``: the audit log with the Admin page's filters (days, kind, who),
through the same read (queries.audit_log); ``--csv`` is the page's formula-safe file,
audited as an export like the page's download."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta

import pandas as pd

from dashboard import queries
from dashboard.cli.common import (
    EXIT_OK,
    json_records,
    open_existing,
    org_today,
    positive,
    table_text,
)
from dashboard.store import Store

ACTOR = "catalyst audit"
LIMIT = 5000  # the newest lines shown, as on the Admin page


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit", parents=[common], help="who did what when: the audit log, newest first"
    )
    audit.add_argument(
        "--days",
        type=positive,
        default=30,
        metavar="N",
        help="from N days ago to today (default: 30, as on the Admin page)",
    )
    audit.add_argument(
        "--kind",
        help="only this kind of action: sign_in, user, settings, import, export … (the Admin "
        "page's Kind)",
    )
    audit.add_argument(
        "--person",
        metavar="EMAIL",
        help="only lines whose who contains this (an email, or a command)",
    )
    output = audit.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON array")
    output.add_argument(
        "--csv",
        action="store_true",
        help="the Admin page's CSV file, on stdout (audited as an export)",
    )
    audit.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        today = org_today(db)
        first = today - timedelta(days=args.days)
        with db.reading() as cursor:
            kinds = queries.audit_actions(cursor)
            lines = queries.audit_log(
                cursor, first=first, last=today, action=args.kind, who=args.person, limit=LIMIT
            )
        if args.kind and args.kind not in kinds:
            print(
                f"catalyst audit: no line of kind {args.kind!r} so far (kinds: "
                f"{', '.join(kinds) or 'none yet'}).",
                file=sys.stderr,
            )
        entries = "1 entry" if len(lines) == 1 else f"{len(lines):,} entries"
        print(
            f"{entries} from {first} to {today}, newest first"
            + (" (the 5,000 newest; narrow the filters)" if len(lines) == LIMIT else "")
            + ".",
            file=sys.stderr,
        )
        if args.csv:
            filters = {
                "from": first,
                "to": today,
                "kind": args.kind or "all",
                "who": args.person or "",
            }
            _write_csv(db, lines, f"catalyst-audit-{first}-{today}.csv", filters)
            return EXIT_OK
    if args.json:
        print(json.dumps(json_records(lines)))
    elif len(lines):
        shown = lines.assign(when=lines["when"].dt.strftime("%Y-%m-%d %H:%M:%S"))
        print(table_text(shown.rename(columns=queries.AUDIT_HEADERS)))
    return EXIT_OK


def _write_csv(db: Store, lines: pd.DataFrame, file_name: str, filters: dict) -> None:
    """The page's download, to stdout: the same bytes, audited the same way."""
    from dashboard import exports

    build = exports.recorded(
        db,
        None,
        file_name,
        filters,
        lambda: exports.csv_bytes(lines.rename(columns=queries.AUDIT_HEADERS)),
        actor=ACTOR,
    )
    sys.stdout.buffer.write(build())
    sys.stdout.flush()
