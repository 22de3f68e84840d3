"""The ``catalyst`` command (also ``python -m dashboard``).

Exit codes: 0 done, 1 refused (the reasons are printed), 2 usage error.
Progress of long work goes to stderr; results (``--json``) to stdout.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard import accounts, queries, settings
from dashboard.clock import utc_now
from dashboard.ingest.report import worded
from dashboard.store import Store, StoreError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """The command cannot do what was asked; the message says why and what to do."""


def project_dir() -> Path:
    """The folder holding app.py (the package is installed editable from it)."""
    return Path(__file__).resolve().parent.parent


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-24") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $CATALYST_DB, else data/catalyst.duckdb)",
    )
    parser = argparse.ArgumentParser(
        prog="catalyst",
        description="Catalyst: help managers give their teams what makes progress possible.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="serve the dashboard")
    run.add_argument("--port", type=_positive, help="port (default: $PORT, else 8501)")
    run.add_argument("--address", default="localhost", help="address to listen on")
    run.add_argument("--secrets", type=Path, metavar="PATH",
                     help="secrets file, e.g. with single sign-on's [auth] (default: "
                     "$CATALYST_SECRETS, else .streamlit/secrets.toml)")  # fmt: skip

    demo = commands.add_parser(
        "demo", parents=[common], help="build the demo organization in an empty database"
    )
    demo.add_argument("--teams", type=_positive, default=40)
    demo.add_argument("--weeks", type=_positive, default=26)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--today", type=_iso_date, help="last day of the demo (default: today)")

    stats = commands.add_parser("stats", parents=[common], help="count what the database holds")
    stats.add_argument("--json", action="store_true", help="print one JSON object")

    imports = commands.add_parser("import", help="import a survey export or the roster")
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="KIND")
    survey = kinds.add_parser("survey", parents=[common], help="a survey export (CSV or TSV)")
    survey.add_argument("file", type=Path)
    survey.add_argument("--team", help="every row belongs to this team")
    survey.add_argument("--week", type=_iso_date, help="every row belongs to the week of this date")
    survey.add_argument("--skip-invalid", action="store_true",
                        help="import the valid rows and report the others")  # fmt: skip
    survey.add_argument(
        "--scale", metavar="LOW-HIGH",
        help="the scale plain numbers are on, like 1-7 or 0-10 (default: detected per column)",
    )  # fmt: skip
    survey.add_argument(
        "--date-order", choices=["dmy", "mdy", "day-first", "month-first"],
        help="how to read dates like 11/12/2026 (default: the file says, else the setting)",
    )  # fmt: skip
    survey.add_argument(
        "--map", action="append", default=[], metavar='"HEADER=key"',
        help="this column is that catalyst key (or team, submitted_at, comment, ignore); "
        "repeatable; saved for next time",
    )  # fmt: skip
    survey.add_argument(
        "--team-column", metavar="HEADER",
        help="the column that names each row's team; saved for next time",
    )  # fmt: skip
    survey.add_argument(
        "--team-alias", action="append", default=[], metavar='"NAME=Team"',
        help="another name a team goes by in this export; repeatable; saved",
    )  # fmt: skip
    survey.add_argument(
        "--labels", metavar='"LABEL=1,LABEL=2,…"',
        help="what the answer labels mean, lowest to highest, for labels Catalyst does not "
        "know (like \"Not useful=1,Neutral=3,Very useful=5\")",
    )  # fmt: skip
    survey.add_argument("--sheet", help="the workbook sheet to read (default: the first)")
    survey.add_argument("--json", action="store_true", help="print one JSON object")
    roster = kinds.add_parser(
        "roster", parents=[common],
        help="team, department, manager_name, manager_email[, headcount][, effective_from]",
    )  # fmt: skip
    roster.add_argument("file", type=Path)
    roster.add_argument("--json", action="store_true", help="print one JSON object")
    progress = kinds.add_parser(
        "progress", parents=[common],
        help="wins and setbacks: team, week, wins, setbacks — or team, date, kind, description",
    )  # fmt: skip
    progress.add_argument("file", type=Path)
    progress.add_argument("--skip-invalid", action="store_true",
                          help="import the valid rows and report the others")  # fmt: skip
    progress.add_argument("--date-order", choices=["dmy", "mdy", "day-first", "month-first"])
    progress.add_argument("--json", action="store_true", help="print one JSON object")
    undo = kinds.add_parser("undo", parents=[common], help="remove what an import added")
    undo.add_argument("import_id", type=_positive)
    kinds.add_parser("list", parents=[common], help="the imports so far, newest first")

    bench = commands.add_parser("bench", help="time the demo build and the read API at scale")
    bench.add_argument("--teams", type=_positive, default=2000)
    bench.add_argument("--weeks", type=_positive, default=104)
    bench.add_argument("--scale", type=_positive, default=1,
                       help="also run N times the teams; report how each figure grew")  # fmt: skip
    bench.add_argument("--json", action="store_true", help="end with one JSON object")

    user = commands.add_parser("user", help="manage accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add",
        parents=[common],
        help="add an account; the password is asked for, or read from stdin when piped",
    )
    add.add_argument("email")
    add.add_argument(
        "--role", action="append", required=True, choices=accounts.ROLES,
        help="repeat for several roles",
    )  # fmt: skip
    add.add_argument("--team", help="team the new manager leads from today")
    add.add_argument("--name", help="display name (default: from the email)")
    listing = user_commands.add_parser("list", parents=[common], help="every account")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    for action, words in (("deactivate", "deactivate accounts (signed out at once)"),
                          ("activate", "reactivate accounts")):  # fmt: skip
        command = user_commands.add_parser(action, parents=[common], help=words)
        command.add_argument("email", nargs="+")
    invite = user_commands.add_parser(
        "invite", parents=[common],
        help="print a one-time link to set a password (also a reset; the break-glass path "
        "for admins when only single sign-on is allowed)",
    )  # fmt: skip
    invite.add_argument("email", nargs="*", help="whom to invite (default: with --all)")
    invite.add_argument("--all", action="store_true",
                        help="everyone active without a password")  # fmt: skip
    invite.add_argument("--base-url", default="http://localhost:8501",
                        help="the address people open Catalyst at")  # fmt: skip
    set_role = user_commands.add_parser("set-role", parents=[common],
                                        help="replace an account's roles")  # fmt: skip
    set_role.add_argument("email")
    set_role.add_argument("--role", action="append", required=True, choices=accounts.ROLES,
                          help="repeat for several roles")  # fmt: skip

    backup = commands.add_parser(
        "backup", parents=[common],
        help="write a consistent copy of the database to PATH (while the app is stopped; "
        "with the app running, use the Admin page)",
    )  # fmt: skip
    backup.add_argument("path", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "run": cmd_run,
        "demo": cmd_demo,
        "stats": cmd_stats,
        "bench": cmd_bench,
        "import": cmd_import,
        "user": cmd_user,
        "backup": cmd_backup,
    }[args.command]
    try:
        return handler(args)
    except (Refused, StoreError, accounts.AccountError) as refusal:
        print(f"catalyst {args.command}: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"catalyst {args.command}: interrupted", file=sys.stderr)
        return EXIT_REFUSED


def _progress():
    started = time.perf_counter()

    def report(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def cmd_run(args: argparse.Namespace) -> int:
    db_path = settings.database_path(args.db)
    port = args.port or int(os.environ.get("PORT", "8501"))
    # Open once here so a locked, damaged or too-new file is refused with a
    # clear message before the server starts (and an old one is migrated).
    with Store(db_path) as db:
        with db.reading() as cursor:
            first_run = not accounts.has_accounts(cursor)
        if first_run:
            code = accounts.new_setup_code(db, now=utc_now())
            print(
                f"Catalyst first run: this database has no accounts. Open "
                f"http://{args.address}:{port} to create the first admin, with the "
                f"setup code {code}",
                file=sys.stderr,
                flush=True,
            )
    os.environ["CATALYST_DB"] = str(db_path)
    if args.secrets:
        if not args.secrets.is_file():
            raise Refused(f"No secrets file at {args.secrets}.")
        os.environ["CATALYST_SECRETS"] = str(args.secrets.resolve())
    project = project_dir()
    os.chdir(project)
    from dashboard.server import create_app

    print(f"Catalyst: serving {db_path} on http://{args.address}:{port}", file=sys.stderr)
    config = {"server.port": port, "server.address": args.address,
              "secrets.files": [str(settings.secrets_file(project))]}  # fmt: skip
    create_app(project).run(config=config)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import DemoSpec, build_demo

    report = _progress()
    db_path = settings.database_path(args.db)
    try:
        spec = DemoSpec(teams=args.teams, weeks=args.weeks, seed=args.seed, today=args.today)
    except ValueError as problem:
        raise Refused(str(problem)) from None
    with Store(db_path) as db:
        counts = build_demo(db, spec, report)
    report(
        f"Demo organization written to {db_path}: {counts['teams']:,} teams, "
        f"{counts['survey_responses']:,} survey responses, {counts['checkins']:,} check-ins"
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    db_path = settings.database_path(args.db)
    with Store(db_path, must_exist=True) as db, db.reading() as cursor:
        counts = queries.organization_counts(cursor)
        first_week, last_week, _ = queries.survey_weeks(cursor)
        stats = {
            "database": str(db_path),
            "schema_version": db.schema_version,
            "demo": queries.is_demo(cursor),
            **counts,
            "first_week": first_week.isoformat() if first_week else None,
            "last_week": last_week.isoformat() if last_week else None,
        }
    if args.json:
        print(json.dumps(stats))
    else:
        width = max(len(key) for key in stats)
        for key, value in stats.items():
            shown = (
                f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value
            )
            print(f"{key.replace('_', ' '):<{width}}  {shown}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard import ingest

    if args.kind in ("undo", "list"):
        return _import_history(args)
    if not args.file.is_file():
        raise Refused(f"There is no file at {args.file}.")
    source = ingest.Source(args.file.name, path=args.file)
    report_progress = _progress()
    with Store(settings.database_path(args.db)) as db:
        if args.kind == "roster":
            try:
                plan = ingest.plan_roster(db, source)
            except ingest.ImportRefused as refusal:
                return _refused_import(args, refusal)
            _print_report(args, ingest.apply_roster(db, plan, now=utc_now()))
            return EXIT_OK
        if args.kind == "progress":
            options = ingest.ProgressOptions(
                skip_invalid=args.skip_invalid, date_order=_DATE_ORDERS.get(args.date_order),
                actor="catalyst import progress",
            )  # fmt: skip
            try:
                report = ingest.import_progress(db, source, options, now=utc_now())
            except ingest.ImportRefused as refusal:
                return _refused_import(args, refusal)
            _print_report(args, report)
            return EXIT_OK
        try:
            options = ingest.SurveyOptions(
                team=args.team, week=args.week, skip_invalid=args.skip_invalid, scale=args.scale,
                date_order=_DATE_ORDERS.get(args.date_order), maps=tuple(args.map),
                team_column=args.team_column, team_aliases=tuple(args.team_alias),
                labels=args.labels, sheet=args.sheet, actor="catalyst import survey",
            )  # fmt: skip
            report = ingest.import_survey(db, source, options, now=utc_now(),
                                          progress=report_progress)  # fmt: skip
        except ingest.ImportRefused as refusal:
            return _refused_import(args, refusal)
    _print_report(args, report)
    return EXIT_OK


_DATE_ORDERS = {"dmy": "day_first", "day-first": "day_first", "mdy": "month_first",
                "month-first": "month_first"}  # fmt: skip


def _import_history(args: argparse.Namespace) -> int:
    from dashboard import ingest

    with Store(settings.database_path(args.db), must_exist=True) as db:
        if args.kind == "undo":
            try:
                removed = ingest.undo_import(db, args.import_id, now=utc_now())
            except ingest.ImportRefused as refusal:
                raise Refused(str(refusal)) from None
            print(f"Import #{args.import_id} undone: {removed:,} rows removed.")
            return EXIT_OK
        with db.reading() as cursor:
            history = ingest.import_history(cursor)
    for row in history.itertuples():
        state = f" (undone {row.undone_at:%-d %b %Y})" if pd.notna(row.undone_at) else ""
        print(f"#{row.import_id:<5} {row.imported_at:%Y-%m-%d %H:%M}  {row.kind:<8} "
              f"{row.file_name}: {row.rows_in_file:,} rows, {row.imported:,} imported, "
              f"{row.duplicates:,} duplicates, {row.rejected:,} rejected{state}")  # fmt: skip
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


def cmd_bench(args: argparse.Namespace) -> int:
    from dashboard import bench

    if args.scale == 1:
        results = bench.run(args.teams, args.weeks, _progress())
        print(bench.table(results))
    else:  # each size in a process of its own, so peak memory is each one's own
        base = _bench_process(args.teams, args.weeks)
        results = _bench_process(args.teams * args.scale, args.weeks)
        results["growth"] = bench.growth(base, results)
        results["base"] = base
        print(bench.table(results, base))
    if args.json:
        print(json.dumps(results))
    return EXIT_OK


def _bench_process(teams: int, weeks: int) -> dict:
    print(f"catalyst bench: {teams:,} teams x {weeks} weeks in a fresh process", file=sys.stderr)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "bench", "--teams", str(teams), "--weeks",
         str(weeks), "--json"],
        stdout=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise Refused(f"the benchmark of {teams:,} teams failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cmd_user(args: argparse.Namespace) -> int:
    return {
        "add": cmd_user_add, "list": _user_list, "deactivate": _user_active,
        "activate": _user_active, "invite": _user_invite, "set-role": _user_set_role,
    }[args.user_command](args)  # fmt: skip


def _open(args: argparse.Namespace) -> Store:
    return Store(settings.database_path(args.db), must_exist=True)


def _user_ids(db: Store, emails: list[str]) -> list[int]:
    with db.reading() as cursor:
        found = {email: accounts.find_user(cursor, email) for email in emails}
    missing = [email for email, user in found.items() if user is None]
    if missing:
        raise Refused(f"No account for {', '.join(missing)}; nothing was changed.")
    return [user.user_id for user in found.values()]


def _user_list(args: argparse.Namespace) -> int:
    with _open(args) as db, db.reading() as cursor:
        users = accounts.users_table(cursor)
    if args.json:
        print(users.to_json(orient="records", date_format="iso"))
        return EXIT_OK
    for row in users.itertuples():
        state = "active" if row.active else "deactivated"
        password = "password set" if row.has_password else "no password yet"
        print(f"{row.email}\t{row.display_name}\t{row.roles or '-'}\t{state}, {password}")
    return EXIT_OK


def _user_active(args: argparse.Namespace) -> int:
    active = args.user_command == "activate"
    with _open(args) as db:
        for user_id, email in zip(_user_ids(db, args.email), args.email, strict=True):
            accounts.set_active(db, user_id, active, now=utc_now(), actor="catalyst user")
            print(f"{'Reactivated' if active else 'Deactivated'} {email}", file=sys.stderr)
    return EXIT_OK


def _user_invite(args: argparse.Namespace) -> int:
    if bool(args.email) == args.all:
        raise Refused("Name the people to invite, or use --all (not both).")
    with _open(args) as db:
        if args.all:
            with db.reading() as cursor:
                users = accounts.users_table(cursor)
            ids = [int(i) for i in users[users.active & ~users.has_password].user_id]
        else:
            ids = _user_ids(db, args.email)
        codes = accounts.invite(db, ids, now=utc_now(), actor="catalyst user invite")
        with db.reading() as cursor:
            emails = {i: accounts.user_by_id(cursor, i).email for i in codes}
    base = args.base_url.rstrip("/")
    print("email,link")
    for user_id, code in codes.items():
        print(f"{emails[user_id]},{base}/?invite={code}")
    print(f"{len(codes)} invitation(s), each valid once for "
          f"{accounts.INVITATION_LIFETIME.days} days.", file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _user_set_role(args: argparse.Namespace) -> int:
    with _open(args) as db:
        (user_id,) = _user_ids(db, [args.email])
        accounts.set_roles(db, user_id, set(args.role), now=utc_now(), actor="catalyst user")
    print(f"{args.email}: {', '.join(sorted(set(args.role)))}", file=sys.stderr)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with _open(args) as db:
        target = db.backup(args.path)
    print(f"Backup written to {target}; restore by putting it in place of the database "
          "while Catalyst is stopped (or run it with --db).", file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise Refused("The two passwords differ; nothing was changed.")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    email = accounts.check_email(args.email)
    roles = set(args.role)
    if args.team and "manager" not in roles:
        raise Refused("--team assigns a team to a manager; add --role manager.")
    db_path = settings.database_path(args.db)
    with Store(db_path) as db:
        with db.reading() as cursor:
            if accounts.find_user(cursor, email):
                raise Refused(f"A user with the email {email} already exists.")
            team_id = queries.team_id_by_name(cursor, args.team) if args.team else None
            if args.team and team_id is None:
                known = ", ".join(queries.team_names(cursor)[:10]) or "none yet"
                raise Refused(f"There is no team named {args.team!r} (teams: {known}).")
        password = _read_password()
        accounts.check_password(password, email)
        accounts.add_user(
            db, email, roles, display_name=args.name, now=utc_now(), actor="catalyst user add",
            password_hash=accounts.hash_password(password), team_id=team_id,
        )  # fmt: skip
    print(f"Added {email} ({', '.join(sorted(roles))})", file=sys.stderr)
    return EXIT_OK
