"""``catalyst run``, ``demo``, ``stats``, ``bench`` and ``backup``: serving a database,
making one to try, counting what it holds, timing it at scale and copying it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from dashboard import accounts, queries, settings, store
from dashboard.cli.common import (
    EXIT_OK,
    Refused,
    iso_date,
    open_existing,
    positive,
    project_dir,
    step_printer,
)
from dashboard.clock import utc_now
from dashboard.mail import delivery, scheduler
from dashboard.store import Store, postgres


def add_run(commands, common: argparse.ArgumentParser) -> None:
    run = commands.add_parser("run", parents=[common], help="serve the dashboard")
    run.add_argument("--port", type=positive, help="port (default: $PORT, else 8501)")
    run.add_argument("--address", default="localhost", help="address to listen on")
    run.add_argument(
        "--secrets",
        type=Path,
        metavar="PATH",
        help="secrets file, e.g. with single sign-on's [auth] (default: "
        "$CATALYST_SECRETS, else .streamlit/secrets.toml)",
    )
    run.add_argument(
        "--mail-folder",
        type=Path,
        metavar="DIR",
        help="write e-mail to DIR as .eml files instead of sending it (the demo; overrides "
        "[catalyst.smtp])",
    )
    run.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people open Catalyst at, for links in e-mail (default: "
        "[catalyst] public_url, else this server's http://ADDRESS:PORT)",
    )
    run.set_defaults(handler=cmd_run)


def add_demo(commands, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo", parents=[common], help="build the demo organization in an empty database"
    )
    demo.add_argument("--teams", type=positive, default=40)
    demo.add_argument("--weeks", type=positive, default=26)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--today", type=iso_date, help="last day of the demo (default: today)")
    demo.set_defaults(handler=cmd_demo)


def add_stats(commands, common: argparse.ArgumentParser) -> None:
    stats = commands.add_parser("stats", parents=[common], help="count what the database holds")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=cmd_stats)


def add_bench(commands) -> None:
    bench = commands.add_parser("bench", help="time the demo build and the read API at scale")
    bench.add_argument("--teams", type=positive, default=2000)
    bench.add_argument("--weeks", type=positive, default=104)
    bench.add_argument(
        "--scale",
        type=positive,
        default=1,
        help="also run N times the teams; report how each figure grew",
    )
    bench.add_argument("--json", action="store_true", help="end with one JSON object")
    bench.set_defaults(handler=cmd_bench)


def add_migrate(commands, common: argparse.ArgumentParser) -> None:
    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        help="create or upgrade the database's schema: a DuckDB file, or a PostgreSQL "
        "database for server mode (--db postgresql://USER@HOST:PORT/DATABASE)",
    )
    migrate.set_defaults(handler=cmd_migrate)


def add_copy(commands) -> None:
    copy = commands.add_parser(
        "copy",
        help="move an installation to server mode: copy everything in a DuckDB file into "
        "a new PostgreSQL database and check both sides agree",
    )
    copy.add_argument("--from", dest="source", required=True, type=Path, metavar="PATH")
    copy.add_argument("--to", dest="target", required=True, metavar="postgresql://…")
    copy.set_defaults(handler=cmd_copy)


def add_backup(commands, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write a consistent copy of the database to PATH (while the app is stopped; "
        "with the app running, use the Admin page)",
    )
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=cmd_backup)


def cmd_run(args: argparse.Namespace) -> int:
    location = settings.database_location(args.db)
    port = args.port or int(os.environ.get("PORT", "8501"))
    # Open once here so a locked, damaged or too-new database is refused with a
    # clear message before the server starts (and an old one is migrated).
    with store.open_store(location) as db:
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
    os.environ["CATALYST_DB"] = location
    if args.secrets:
        if not args.secrets.is_file():
            raise Refused(f"No secrets file at {args.secrets}.")
        os.environ["CATALYST_SECRETS"] = str(args.secrets.resolve())
    if args.mail_folder:
        os.environ[delivery.FOLDER_ENV] = str(args.mail_folder.expanduser().resolve())
    os.environ[delivery.PUBLIC_URL_ENV] = (
        args.public_url
        or settings.read_secrets(project_dir()).get("catalyst", {}).get("public_url")
        or f"http://{args.address}:{port}"
    )
    project = project_dir()
    os.chdir(project)
    try:
        settings.trusted_proxies(project)  # a typo is refused now, not at the first sign-in
        mail = delivery.configured(project)
    except settings.SettingError as problem:
        raise Refused(str(problem)) from None
    # Catalyst decides who the client is (clients.py, trusted_proxies); uvicorn, which
    # Streamlit runs on, would otherwise already replace a loopback peer by whatever
    # X-Forwarded-For says. An empty list makes it hand over the real peer.
    os.environ["FORWARDED_ALLOW_IPS"] = ""
    from dashboard.server import create_app

    print(f"Catalyst: serving {db.path} on http://{args.address}:{port}", file=sys.stderr)
    if mail is None:
        print("Catalyst: mail is not set up; invitation links are copied by hand", file=sys.stderr)
    else:
        print(f"Catalyst: mail {mail.describe()['Delivery']}", file=sys.stderr)
        if mail.folder is None and args.address in ("0.0.0.0", "::") and not args.public_url:
            print(
                f"Catalyst: links in e-mail point to {mail.public_url}; set [catalyst] "
                "public_url (or --public-url) to the address people open",
                file=sys.stderr,
            )
    scheduler.start(location, mail)  # without mail it still opens, closes and publishes
    config = {
        "server.port": port,
        "server.address": args.address,
        "secrets.files": [str(settings.secrets_file(project))],
    }
    # Streamlit signs its cookies (the upload form's XSRF token) with a secret made at
    # start unless given one. Several servers behind one address must share it: a tab
    # that moves to another server when its own stops keeps its cookies.
    cookie_secret = settings.read_secrets(project).get("catalyst", {}).get("cookie_secret")
    if cookie_secret:  # Streamlit takes this one from its environment only
        os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = str(cookie_secret)
    elif store.is_server(location):
        print(
            "Catalyst: server mode without [catalyst] cookie_secret in the secrets file; "
            "several servers behind one address need the same one (README, Server mode)",
            file=sys.stderr,
        )
    create_app(project).run(config=config)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import DemoSpec, build_demo

    report = step_printer()
    try:
        spec = DemoSpec(teams=args.teams, weeks=args.weeks, seed=args.seed, today=args.today)
    except ValueError as problem:
        raise Refused(str(problem)) from None
    with store.open_store(settings.database_location(args.db)) as db:
        counts = build_demo(db, spec, report)
    report(
        f"Demo organization written to {db.path}: {counts['teams']:,} teams, "
        f"{counts['survey_responses']:,} survey responses, {counts['checkins']:,} check-ins"
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    location = settings.database_location(args.db)
    with store.open_store(location, must_exist=True) as db, db.reading() as cursor:
        counts = queries.organization_counts(cursor)
        first_week, last_week, _ = queries.survey_weeks(cursor)
        stats = {
            "database": str(db.path),
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


def cmd_bench(args: argparse.Namespace) -> int:
    from dashboard import bench

    if args.scale == 1:
        results = bench.run(args.teams, args.weeks, step_printer())
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
        [
            sys.executable,
            "-m",
            "dashboard",
            "bench",
            "--teams",
            str(teams),
            "--weeks",
            str(weeks),
            "--json",
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise Refused(f"the benchmark of {teams:,} teams failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cmd_migrate(args: argparse.Namespace) -> int:
    """Either engine, the same migrations: a file is migrated when opened, a PostgreSQL
    database (server mode) by migrate_server."""
    location = settings.database_location(args.db)
    if store.is_server(location):
        found, where = store.migrate_server(location), postgres.shown(location)
    else:
        with Store(location) as db:
            found, where = db.found_version, str(db.path)
    latest = store.SCHEMA_VERSION
    was = "new" if not found else "already" if found == latest else f"was {found}"
    print(f"{where}: schema {latest} ({was})")
    return EXIT_OK


def cmd_copy(args: argparse.Namespace) -> int:
    from dashboard.store.copying import copy_to_server

    if not store.is_server(args.target):
        raise Refused("--to takes a PostgreSQL URL: postgresql://USER@HOST:PORT/DATABASE.")
    report = step_printer()
    with Store(args.source, must_exist=True) as source:
        checks = copy_to_server(source, args.target, report)
    rows = sum(check.rows for check in checks)
    print(
        f"Copied {rows:,} rows in {len(checks)} tables to {postgres.shown(args.target)}; "
        "counts and figures agree. Run Catalyst with --db set to that URL."
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        target = db.backup(args.path)
    print(
        f"Backup written to {target}; restore by putting it in place of the database "
        "while Catalyst is stopped (or run it with --db).",
        file=sys.stderr,
    )
    return EXIT_OK
