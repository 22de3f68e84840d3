"""``catalyst user add|list|invite|set-role|deactivate|activate``: accounts, through the
same functions as the Admin page's People section."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import accounts, queries, settings, store
from dashboard.cli.common import EXIT_OK, Refused, open_existing
from dashboard.clock import utc_now
from dashboard.mail import invitations as mail_invitations
from dashboard.store import Store


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    user = commands.add_parser("user", help="manage accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add",
        parents=[common],
        help="add an account; the password is asked for, or read from stdin when piped",
    )
    add.add_argument("email")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=accounts.ROLES,
        help="repeat for several roles",
    )
    add.add_argument("--team", help="team the new manager leads from today")
    add.add_argument("--name", help="display name (default: from the email)")
    add.set_defaults(handler=cmd_user_add)
    listing = user_commands.add_parser("list", parents=[common], help="every account")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.set_defaults(handler=_user_list)
    for action, words in (
        ("deactivate", "deactivate accounts (signed out at once)"),
        ("activate", "reactivate accounts"),
    ):
        command = user_commands.add_parser(action, parents=[common], help=words)
        command.add_argument("email", nargs="+")
        command.set_defaults(handler=_user_active)
    _add_invite_and_set_role(user_commands, common)


def _add_invite_and_set_role(user_commands, common: argparse.ArgumentParser) -> None:
    invite = user_commands.add_parser(
        "invite",
        parents=[common],
        help="print a one-time link to set a password (also a reset; the break-glass path "
        "for admins when only single sign-on is allowed)",
    )
    invite.add_argument("email", nargs="*", help="whom to invite (default: with --all)")
    invite.add_argument("--all", action="store_true", help="everyone active without a password")
    invite.add_argument(
        "--base-url", default="http://localhost:8501", help="the address people open Catalyst at"
    )
    invite.add_argument(
        "--mail",
        action="store_true",
        help="queue invitation e-mails instead of printing links (they go out when the app "
        "runs with mail set up, or with `catalyst mail send`)",
    )
    invite.set_defaults(handler=_user_invite)
    set_role = user_commands.add_parser(
        "set-role", parents=[common], help="replace an account's roles"
    )
    set_role.add_argument("email")
    set_role.add_argument(
        "--role",
        action="append",
        required=True,
        choices=accounts.ROLES,
        help="repeat for several roles",
    )
    set_role.set_defaults(handler=_user_set_role)


def _user_ids(db: Store, emails: list[str]) -> list[int]:
    with db.reading() as cursor:
        found = {email: accounts.find_user(cursor, email) for email in emails}
    missing = [email for email, user in found.items() if user is None]
    if missing:
        raise Refused(f"No account for {', '.join(missing)}; nothing was changed.")
    return [user.user_id for user in found.values()]


def _user_list(args: argparse.Namespace) -> int:
    with open_existing(args) as db, db.reading() as cursor:
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
    with open_existing(args) as db:
        for user_id, email in zip(_user_ids(db, args.email), args.email, strict=True):
            accounts.set_active(db, user_id, active, now=utc_now(), actor="catalyst user")
            print(f"{'Reactivated' if active else 'Deactivated'} {email}", file=sys.stderr)
    return EXIT_OK


def _user_invite(args: argparse.Namespace) -> int:
    if bool(args.email) == args.all:
        raise Refused("Name the people to invite, or use --all (not both).")
    with open_existing(args) as db:
        if args.all:
            with db.reading() as cursor:
                users = accounts.users_table(cursor)
            ids = [int(i) for i in users[users.active & ~users.has_password].user_id]
        else:
            ids = _user_ids(db, args.email)
        if args.mail:
            emails = mail_invitations.invite_by_mail(
                db, ids, now=utc_now(), actor="catalyst user invite"
            )
            print(f"{len(emails)} invitation e-mail(s) queued.", file=sys.stderr)
            return EXIT_OK
        codes = accounts.invite(db, ids, now=utc_now(), actor="catalyst user invite")
        with db.reading() as cursor:
            emails = {i: accounts.user_by_id(cursor, i).email for i in codes}
    base = args.base_url.rstrip("/")
    print("email,link")
    for user_id, code in codes.items():
        print(f"{emails[user_id]},{base}/?invite={code}")
    print(
        f"{len(codes)} invitation(s), each valid once for "
        f"{accounts.INVITATION_LIFETIME.days} days.",
        file=sys.stderr,
    )
    return EXIT_OK


def _user_set_role(args: argparse.Namespace) -> int:
    with open_existing(args) as db:
        (user_id,) = _user_ids(db, [args.email])
        accounts.set_roles(db, user_id, set(args.role), now=utc_now(), actor="catalyst user")
    print(f"{args.email}: {', '.join(sorted(set(args.role)))}", file=sys.stderr)
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
    with store.open_store(settings.database_location(args.db)) as db:
        with db.reading() as cursor:
            if accounts.find_user(cursor, email):
                raise Refused(f"A user with the email {email} already exists.")
            team_id = queries.team_id_by_name(cursor, args.team) if args.team else None
            if args.team and team_id is None:
                known = ", ".join(queries.team_names(cursor)[:10]) or "none yet"
                raise Refused(f"There is no team named {args.team!r} (teams: {known}).")
        password = _read_password()
        accounts.check_password(password, email, args.name)
        accounts.add_user(
            db,
            email,
            roles,
            display_name=args.name,
            now=utc_now(),
            actor="catalyst user add",
            password_hash=accounts.hash_password(password),
            team_id=team_id,
        )
    print(f"Added {email} ({', '.join(sorted(roles))})", file=sys.stderr)
    return EXIT_OK
