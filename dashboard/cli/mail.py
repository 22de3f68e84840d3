"""``catalyst mail test|send|outbox|retry``: the mail server and the outbox from the
command line. The app sends by itself while it runs (mail/scheduler.py); ``send`` is for
when it does not (a DuckDB file has one owner), ``test`` checks a configuration before."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from dashboard import settings
from dashboard.cli.common import EXIT_OK, EXIT_REFUSED, Refused, open_existing, project_dir
from dashboard.clock import utc_now
from dashboard.mail import delivery, outbox, sender
from dashboard.mail.addresses import MailError


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--secrets", type=Path, metavar="PATH", help="secrets file with [catalyst.smtp]"
    )
    where.add_argument(
        "--mail-folder",
        type=Path,
        metavar="DIR",
        help="write messages to DIR as .eml files instead of sending them",
    )
    parser = commands.add_parser("mail", help="the mail server and the outbox")
    actions = parser.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    test = actions.add_parser(
        "test", parents=[where], help="send a test message to ADDRESS now, through the server"
    )
    test.add_argument("address")
    test.set_defaults(handler=cmd_test)
    send = actions.add_parser(
        "send",
        parents=[common, where],
        help="send what is due in the outbox (while the app is stopped; it sends by itself)",
    )
    send.set_defaults(handler=cmd_send)
    listing = actions.add_parser("outbox", parents=[common], help="list the newest messages")
    listing.add_argument("--state", choices=outbox.STATES)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=cmd_outbox)
    retry = actions.add_parser("retry", parents=[common], help="queue failed messages again")
    retry.add_argument("message_ids", nargs="+", type=int, metavar="ID")
    retry.set_defaults(handler=cmd_retry)


def configured(args: argparse.Namespace) -> delivery.Delivery:
    if args.secrets:
        if not args.secrets.is_file():
            raise Refused(f"No secrets file at {args.secrets}.")
        os.environ["CATALYST_SECRETS"] = str(args.secrets.resolve())
    if args.mail_folder:
        os.environ[delivery.FOLDER_ENV] = str(args.mail_folder)
    try:
        found = delivery.configured(project_dir())
    except settings.SettingError as problem:
        raise Refused(str(problem)) from None
    if found is None:
        raise Refused(
            "Mail is not set up: add [catalyst.smtp] with host, port, user, password and "
            "sender to the secrets file (README, 'E-mail'), or pass --mail-folder DIR."
        )
    return found


def cmd_test(args: argparse.Namespace) -> int:
    way = configured(args)
    try:
        sender.send_test(way, args.address)
    except (MailError, delivery.ServerProblem, delivery.MessageRefused) as problem:
        print(f"catalyst mail test: not sent: {problem}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Test message sent to {args.address} ({way.describe()['Delivery']}).", file=sys.stderr)
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    way = configured(args)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    with open_existing(args) as db, db.exclusive("scheduler") as ours:
        if not ours:  # server mode: an app server is sending this very moment
            raise Refused("An app server is sending mail right now; try again in a minute.")
        worker = sender.Sender(db, way)
        worker.recover()
        report = worker.send_due(limit=10_000)
    print(f"catalyst mail send: {report}.", file=sys.stderr)
    return EXIT_OK if not report.failed else EXIT_REFUSED


def cmd_outbox(args: argparse.Namespace) -> int:
    with open_existing(args) as db, db.reading() as cursor:
        messages = outbox.listing(cursor, args.state)
    if args.json:
        for row in messages.itertuples(index=False):
            print(json.dumps(row._asdict(), default=str))
    else:
        print(messages.to_string(index=False) if len(messages) else "The outbox is empty.")
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    with open_existing(args) as db, db.transaction() as cursor:
        again = outbox.retry(cursor, args.message_ids, utc_now())
    print(f"{again} failed message(s) queued again.", file=sys.stderr)
    return EXIT_OK if again == len(set(args.message_ids)) else EXIT_REFUSED
