"""The ``catalyst`` command (also ``python -m dashboard``).

Exit codes: 0 done, 1 refused (the reasons are printed), 2 usage error.
Progress of long work goes to stderr; results (``--json``) to stdout.

One module per group of commands, each adding its own parsers with a ``handler``:
serve (run, demo, stats, bench, backup, migrate), imports, users, settings, roster, exports
(export overview|manager), audit and mail; common holds what they share. Whatever the pages do
to data, a command does through the same functions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dashboard import accounts
from dashboard.cli import audit, exports, imports, mail, roster, serve, settings, users
from dashboard.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Refused, db_option
from dashboard.mail.addresses import MailError
from dashboard.settings import SettingError
from dashboard.store import StoreError

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "Refused", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    common = db_option()
    parser = argparse.ArgumentParser(
        prog="catalyst",
        description="Catalyst: help managers give their teams what makes progress possible.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_run(commands, common)
    serve.add_demo(commands, common)
    serve.add_stats(commands, common)
    imports.add_commands(commands, common)
    serve.add_bench(commands)
    users.add_commands(commands, common)
    serve.add_backup(commands, common)
    serve.add_migrate(commands, common)
    serve.add_copy(commands)
    settings.add_commands(commands, common)
    roster.add_commands(commands, common)
    exports.add_commands(commands, common)
    audit.add_commands(commands, common)
    mail.add_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (Refused, StoreError, SettingError, accounts.AccountError, MailError) as refusal:
        print(f"catalyst {args.command}: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"catalyst {args.command}: interrupted", file=sys.stderr)
        return EXIT_REFUSED
