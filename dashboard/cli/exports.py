"""``catalyst export overview`` and ``export manager EMAIL``: the files of the Overview's
and the Manager detail's Download menus, made by the same functions with the same scope,
period and filters as the pages (an HR scope over every department, or the chosen ones),
named like the page names them, and written to the audit log like a download, by
"catalyst export". Figures come from the read API, so privacy is the pages' own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dashboard import accounts, queries, rounds
from dashboard.cli.common import EXIT_OK, Refused, open_existing, org_today, step_printer
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

ACTOR = "catalyst export"
FORMATS = ("csv", "xlsx", "pdf", "png")
METRICS = ("favorable_pct", "mean")
SORTS = ("department", "weakest", "overall")  # overview.SORTS (kept out of every start-up)


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser(
        "export",
        help="the files the Overview and Manager detail pages download (audited like a download)",
    )
    views = export.add_subparsers(dest="export_view", required=True, metavar="VIEW")
    file_options = argparse.ArgumentParser(add_help=False)
    file_options.add_argument(
        "--period",
        metavar='"NAME"',
        help='a period the page offers, like "Last 12 weeks" (default: the page\'s)',
    )
    file_options.add_argument(
        "--out",
        metavar="PATH",
        help="file or folder to write (default: the page's file name here; - for stdout)",
    )
    overview = views.add_parser(
        "overview",
        parents=[common, file_options],
        help="HR's overview of every department or the chosen ones",
    )
    overview.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="csv: the team table; xlsx: every table; pdf, png: the one-page summary",
    )
    overview.add_argument(
        "--departments", metavar="A,B", help="only these departments, by name (default: all)"
    )
    overview.add_argument(
        "--metric",
        choices=METRICS,
        default="favorable_pct",
        help="favorable %% or mean (1-5) in the tables (default: favorable_pct)",
    )
    overview.add_argument(
        "--sort",
        choices=SORTS,
        default="department",
        help="the team table's order, as on the heatmap (csv)",
    )
    overview.set_defaults(handler=cmd_overview)
    manager = views.add_parser(
        "manager",
        parents=[common, file_options],
        help="HR's manager detail: one manager's team, read-only",
    )
    manager.add_argument("email", help="the manager's email")
    manager.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="csv: results by round; xlsx: every table; pdf, png: the one-page summary",
    )
    manager.add_argument(
        "--team", help="one of the teams they led (default: the page's, their current team)"
    )
    manager.set_defaults(handler=cmd_manager)


def cmd_overview(args: argparse.Namespace) -> int:
    report = step_printer()
    with open_existing(args) as db:
        today = org_today(db)
        with db.reading() as cursor:
            cadence = queries.org_settings(cursor).cadence
            chosen = _departments(queries.departments(cursor), args.departments)
        latest = queries.latest_week(db, today)
        if latest is None:
            raise Refused(
                "No survey responses yet: import a survey export first "
                "(catalyst import survey FILE)."
            )
        period = _period(cadence, args.period, latest)
        scope = Scope.hr(frozenset(chosen)) if chosen else Scope.hr()
        names = list(chosen.values())
        filters = {
            "departments": names or "all in scope",
            "period": period.label,
            "metric": args.metric,
        }
        whole = ", ".join(names) or "All departments"
        if args.format in ("pdf", "png"):
            filters["summary_of"] = whole
        report(
            f"Gathering the overview of {', '.join(names) or 'all departments'}, {period.label}…"
        )
        file_name, build = _overview_file(db, scope, period, whole, args, today)
        return _write(db, args, file_name, filters, report, build)


def _overview_file(
    db: Store, scope: Scope, period: Period, whole: str, args: argparse.Namespace, today: date
) -> tuple[str, Callable[[], bytes]]:
    """The page's file name and maker for the format asked: the one-page summary of the
    whole selection, every table, or the team table in the order asked."""
    from dashboard import exports, overview

    stamp, metric, kind = f"{period.last_week:%Y-%m-%d}", args.metric, args.format
    if kind in ("pdf", "png"):
        return (
            f"catalyst-summary-{exports.slug(whole)}-{stamp}.{kind}",
            lambda: overview.summary_file(db, scope, period, today=today, title=whole, kind=kind),
        )
    view = overview.collect(db, scope, period, today=today)
    if kind == "xlsx":
        return f"catalyst-overview-{stamp}.xlsx", lambda: exports.workbook_bytes(
            overview.sheets(view, metric)
        )
    table = overview.team_file(view, metric, args.sort)
    return f"catalyst-teams-{stamp}.csv", lambda: exports.csv_bytes(table)


def cmd_manager(args: argparse.Namespace) -> int:
    from dashboard import manager_detail

    report = step_printer()
    with open_existing(args) as db:
        today = org_today(db)
        with db.reading() as cursor:
            org = queries.org_settings(cursor)
            manager_id, name, team_id = _manager_team(cursor, args.email, args.team)
        latest = queries.latest_week(db, today) or rounds.week_of(today)
        period = _period(org.cadence, args.period, latest)
        report(f"Gathering the results of {name}'s team, {period.label}…")
        view = manager_detail.collect(db, Scope.hr(), manager_id, team_id, period, today=today)
        filters = {"manager": name, "team": view.team, "period": view.shown_period.label}
        file_name, build = _manager_file(view, name, org, period, today, args.format)
        return _write(db, args, file_name, filters, report, build)


def _manager_file(
    view, name: str, org, period: Period, today: date, kind: str
) -> tuple[str, Callable[[], bytes]]:
    """The page's file name and maker: results by round, every table (check-in notes
    only when the organization shares them with HR), or the one-page summary."""
    from dashboard import exports, manager_detail

    stamp, who = f"{period.last_week:%Y-%m-%d}", exports.slug(f"{name} {view.team}")
    if kind == "xlsx":
        shared = org.manager_notes_visible_to_hr
        return f"catalyst-{who}-{stamp}.xlsx", lambda: exports.workbook_bytes(
            manager_detail.sheets(view, shared)
        )
    if kind == "csv":
        return f"catalyst-{who}-by-round-{stamp}.csv", lambda: exports.csv_bytes(
            manager_detail.by_round_table(view)
        )
    return f"catalyst-{who}-{stamp}.{kind}", lambda: manager_detail.summary_file(
        view, name, org.organization_name, today, kind=kind
    )


def _departments(departments, asked: str | None) -> dict[int, str]:
    """The departments named in ``--departments A,B`` (any case), in that order, by id."""
    if not asked:
        return {}
    by_name = {
        name.lower(): (int(i), name)
        for i, name in zip(departments.department_id, departments.name, strict=True)
    }
    chosen = {}
    for part in (p.strip() for p in asked.split(",")):
        if part.lower() not in by_name:
            known = ", ".join(departments.name) or "none yet"
            raise Refused(f"There is no department named {part!r} (departments: {known}).")
        department_id, name = by_name[part.lower()]
        chosen[department_id] = name
    return chosen


def _period(cadence: str, asked: str | None, latest: date) -> Period:
    """The period the page would show: one of the cadence's presets, ending with the
    latest round that has responses (the page's default preset unless asked)."""
    presets = dict(rounds.PRESETS[cadence])
    names = {name.lower(): name for name in presets}
    if asked is not None and asked.strip().lower() not in names:
        raise Refused(
            f"{asked!r} is not a period of a {cadence} survey; the pages offer: "
            + ", ".join(presets)
            + "."
        )
    name = names[asked.strip().lower()] if asked else list(presets)[1]
    return Period.last_rounds(latest, presets[name], cadence)


def _manager_team(cursor, email: str, team: str | None) -> tuple[int, str, int]:
    """(manager_id, name, team_id) of a manager and one of the teams they led: the one
    asked for, else the first the page offers (current teams first)."""
    person = accounts.find_user(cursor, email)
    if person is None:
        raise Refused(f"No account for {email}.")
    led = queries.managers(cursor)
    led = led[led.manager_id == person.user_id]
    if led.empty:
        raise Refused(f"{person.email} has led no team in the roster.")
    if team is not None:
        asked = led[led.team.str.lower() == team.strip().lower()]
        if asked.empty:
            raise Refused(
                f"{person.email} has not led a team named {team!r} (their teams: "
                f"{', '.join(led.team)})."
            )
        led = asked
    first = led.iloc[0]
    return person.user_id, str(first.manager), int(first.team_id)


def _write(
    db: Store,
    args: argparse.Namespace,
    file_name: str,
    filters: dict,
    report,
    build: Callable[[], bytes],
) -> int:
    """Make the file, audited as the page's download is, and write it where ``--out`` says."""
    from dashboard import exports

    out = _target(args.out, file_name)
    name = file_name if out is None else out.name
    data = exports.recorded(db, None, name, filters, build, actor=ACTOR)()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
    report(
        f"Wrote {'the file to stdout' if out is None else out} ({len(data):,} bytes); "
        "recorded in the audit log."
    )
    return EXIT_OK


def _target(out: str | None, file_name: str) -> Path | None:
    """Where to write: None for stdout; a folder gets the page's file name."""
    if out == "-":
        return None
    path = Path(out) if out else Path(file_name)
    if path.is_dir():
        path = path / file_name
    if not path.parent.is_dir():
        raise Refused(f"There is no folder {path.parent} to write {path.name} in.")
    return path
