"""``catalyst settings show`` and ``settings set KEY VALUE …``: the organization's
settings, changed through organization.change_settings like the Admin page's form:
every value checked, the changed ones stored together with one audit line, or nothing."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields

from dashboard import organization, queries
from dashboard.cli.common import EXIT_OK, EXIT_REFUSED, open_existing
from dashboard.clock import utc_now
from dashboard.settings import OrgSettings

ACTOR = "catalyst settings"


class _Pairs(argparse.Action):
    """KEY VALUE [KEY VALUE …] into {key: value}; an odd count is a usage error."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if len(values) % 2:
            parser.error(f"{values[-1]!r} has no value: give KEY VALUE pairs")
        setattr(namespace, self.dest, dict(zip(values[::2], values[1::2], strict=True)))


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser("settings", help="show or change the organization's settings")
    actions = parser.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show", parents=[common], help="every setting with its value; which are the defaults"
    )
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=cmd_show)
    change = actions.add_parser(
        "set",
        parents=[common],
        help="change settings, all or none (checked and audited like the Admin page); "
        "keys as `settings show` lists them",
    )
    change.add_argument(
        "values",
        nargs="+",
        action=_Pairs,
        metavar="KEY VALUE",
        help="a setting and its new value, like min_group_size 7; repeat for several",
    )
    change.set_defaults(handler=cmd_set)
    live = actions.add_parser(
        "go-live",
        parents=[common],
        help="mark the organization live: every closed round is published and frozen "
        "(cannot be undone; until then nothing is shown and everything can be corrected)",
    )
    live.set_defaults(handler=cmd_go_live)


def _text(value: object) -> str:
    """A value as `settings set` takes it (true/false for switches)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _as_the_page_gives(values: dict[str, str]) -> dict[str, str]:
    """Switches as the page's toggles give them (true/false), so "TRUE" is stored and
    audited the same way; everything else as typed (change_settings checks it)."""
    defaults = OrgSettings()
    return {
        key: value.strip().lower() if isinstance(getattr(defaults, key, None), bool) else value
        for key, value in values.items()
    }


def cmd_show(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        org = organization.current(db)
    defaults = OrgSettings()
    shown = {
        field.name: {
            "value": getattr(org, field.name),
            "default": getattr(org, field.name) == getattr(defaults, field.name),
        }
        for field in fields(OrgSettings)
    }
    if args.json:
        print(json.dumps(shown))
        return EXIT_OK
    width = max(len(key) for key in shown)
    for key, setting in shown.items():
        note = "  (default)" if setting["default"] else ""
        print(f"{key:<{width}}  {_text(setting['value'])}{note}")
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        try:
            changed = organization.change_settings(
                db, _as_the_page_gives(args.values), now=utc_now(), actor=ACTOR
            )
        except organization.SettingsRefused as refusal:
            print("catalyst settings set: nothing was changed.", file=sys.stderr)
            for key, why in refusal.problems.items():
                print(f"  {key}: {why}", file=sys.stderr)
            return EXIT_REFUSED
    if not changed:
        print("Nothing changed: the settings already have these values.", file=sys.stderr)
    for key, (old, new) in changed.items():
        print(f"{key}: {_text(old)} → {new}", file=sys.stderr)
    return EXIT_OK


def cmd_go_live(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        with db.reading() as cursor:
            since = queries.live_since(cursor)
        if since is not None:
            print(f"Already live since {since:%-d %b %Y %H:%M} UTC; nothing changed.")
            return EXIT_OK
        cells = queries.go_live(db, now=utc_now(), actor=ACTOR)
    print(
        f"The organization is live: every closed round is published ({cells:,} "
        f"{'result' if cells == 1 else 'results'} of teams and pools). From now on a round "
        "is published once it has closed and its grace period has passed."
    )
    return EXIT_OK
