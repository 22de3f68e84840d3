"""A queued message made into the e-mail that goes out, from what is true when it is
sent: figures through the read API (queries, overview: published cells only, never a
team below the threshold), names and addresses from the accounts. ``Nothing`` when there
is nothing left to say (checked in meanwhile, results withdrawn, account deactivated).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from dashboard import accounts, checkins, overview, pulse, pulse_text, queries, rounds, team_view
from dashboard.catalysts import CATALYST_KEYS, catalyst
from dashboard.mail import messages, outbox, preferences
from dashboard.mail.delivery import Delivery
from dashboard.mail.hours import local_time
from dashboard.mail.messages import Letter
from dashboard.mail.outbox import Message
from dashboard.queries import Scope
from dashboard.store import Store

SUPPORT_LISTED = 5  # the HR digest's short Needs support list


class Nothing(Exception):
    """The message has nothing left to say; the reason goes into the outbox."""


# The role a kind of message is written for, checked again when it is sent.
ROLE_OF = {"checkin_reminder": "manager", "manager_digest": "manager", "hr_digest": "hr"}


def recipient(db: Store, message: Message) -> tuple[str | None, str]:
    """(name, address) to write to; Nothing when the account cannot receive it any more
    (deactivated, no longer in the role the message is for, or turned that kind off)."""
    if message.user_id is None:
        return None, message.recipient
    with db.reading() as cursor:
        user = accounts.user_by_id(cursor, message.user_id)
        wanted = preferences.of(cursor, message.user_id)
    if user is None or not user.active:
        raise Nothing("the account is deactivated")
    role = ROLE_OF.get(message.kind)
    if role and role not in user.roles:
        raise Nothing(f"{user.display_name} no longer has the {accounts.ROLE_LABELS[role]} role")
    if not wanted.wants(message.kind):
        raise Nothing(f"{user.display_name} turned {preferences.TOPIC_OF[message.kind]} off")
    return user.display_name, message.recipient


def letter(
    db: Store,
    delivery: Delivery,
    message: Message,
    name: str | None,
    *,
    now: datetime,
    code: str | None = None,
) -> Letter:
    """The words of ``message`` for ``name``; ``code``: an invitation's or reset's."""
    with db.reading() as cursor:
        org = queries.org_settings(cursor)
    organization, name = org.organization_name, name or ""
    today = local_time(now, org.time_zone).date()  # the organization's day, as pages use
    if message.kind == "test":
        return messages.test_message(organization)
    if message.kind in ("invitation", "password_reset"):
        url = messages.link(delivery, "/", invite=code or "")
        write = messages.invitation if message.kind == "invitation" else messages.password_reset
        return write(name, organization, url, accounts.INVITATION_LIFETIME.days)
    if message.kind == "checkin_reminder":
        return _reminder(db, delivery, message, name, organization, today)
    if message.kind == "manager_digest":
        return _manager_digest(db, delivery, message, name, organization, today)
    if message.kind == "hr_digest":
        return _hr_digest(db, delivery, message, name, organization, now, today)
    if message.kind in ("pulse_invitation", "pulse_reminder"):
        return _pulse(db, delivery, message, org, now)
    raise ValueError(f"unknown kind of message {message.kind!r}")


def preference_links(db: Store, delivery: Delivery, message: Message) -> tuple[str, str] | None:
    """The signed links that change what the person receives: (the page, the mail client's
    one-click POST); None for the kinds that cannot be turned off."""
    if message.kind not in preferences.TOPIC_OF or message.user_id is None:
        return None
    with db.reading() as cursor:
        token = preferences.link_token(cursor, message.user_id)
    return (
        messages.link(delivery, "/", mail=token),
        messages.link(delivery, preferences.ONE_CLICK_PATH, t=token),
    )


def _reminder(db, delivery, message: Message, name: str, organization: str, today: date):
    week = date.fromisoformat(message.payload["week"])
    if week not in checkins.open_weeks(today):
        raise Nothing("that week's check-in has closed")
    with db.reading() as cursor:
        teams = checkins.missing_in_week(cursor, week, message.user_id)
    if not len(teams):
        raise Nothing("checked in already")
    return messages.checkin_reminder(
        name,
        organization,
        week,
        bool(message.payload.get("late")),
        list(teams.team),
        messages.link(delivery, "/checkin"),
    )


def _manager_digest(db, delivery, message: Message, name: str, organization: str, today: date):
    """Only what the digest says is read (the team's rounds through the read API, the
    latest commitments): the whole My team view costs several times as much."""
    payload = message.payload
    manager_id, team_id = message.user_id, int(payload["team_id"])
    cadence, last_week = payload["cadence"], date.fromisoformat(payload["last_week"])
    period = rounds.Period.last_rounds(last_week, 6, cadence)
    by_round = queries.team_rounds(db, Scope.manager(manager_id), team_id, period)
    shown = by_round[by_round.responses > 0]
    this_round = rounds.round_of(last_week, cadence)
    if not len(shown) or shown["round"].iloc[-1] != this_round:
        raise Nothing("the round's results are not shown any more")
    with db.reading() as cursor:
        team = queries.team_now(cursor, team_id)
        made = checkins.commitments(cursor, manager_id, team_id, limit=1)
    plan = team_view.this_weeks_plan(made, today)
    return messages.manager_digest(
        name,
        organization,
        team[0] if team else "Your team",
        rounds.round_label(this_round, cadence),
        None if plan is None else (catalyst(plan.catalyst).label, len(plan.done)),
        _largest_change(shown, cadence),
        messages.link(delivery, "/my-team"),
    )


def _pulse(db: Store, delivery: Delivery, message: Message, org, now: datetime) -> Letter:
    """A person's link to the round's form, made now (only its hash is kept), in their
    language; a reminder's link replaces the one sent before."""
    pulse_id, person_id = message.payload["pulse_id"], message.payload["person_id"]
    with db.reading() as cursor:
        found = cursor.execute(
            "SELECT name, language FROM people WHERE person_id = ?", [person_id]
        ).fetchall()
    if not found:
        raise Nothing("the person is no longer listed")
    try:
        token = pulse.issue_link(db, pulse_id, person_id)
    except pulse.PulseError:
        raise Nothing("answered already") from None
    place = pulse.invited(db, token, now=now)
    if place is None:
        raise Nothing("the round has closed")
    name, language = found[0]
    language = pulse_text.language_of(language, org.language)
    _ = pulse_text.translator(language)
    shown = pulse_text.day(pulse.last_day(place.closes_at, org.time_zone), language)
    reminder = message.kind == "pulse_reminder"
    return messages.Letter(
        subject=_("Reminder: your team's pulse closes on {date}", date=shown)
        if reminder
        else _("{team}: your team's pulse", team=place.team),
        greeting=_("Hello {name},", name=name),
        paragraphs=[
            _(
                "How did this week go? Seven statements and an optional comment take about a "
                "minute."
            ),
            _(
                "It is anonymous: Catalyst knows whether you answered, to remind you, never which "
                "answers are yours."
            ),
        ],
        action=(_("Answer now"), messages.link(delivery, "/pulse", t=token)),
        after=[_("The link works once, until {date}.", date=shown)]
        + ([_("This link replaces the one sent before.")] if reminder else []),
        why=_("Your team's pulse, sent for {organization}.", organization=org.organization_name),
    )


def _largest_change(shown, cadence: str) -> str | None:
    """The catalyst whose favorable % moved most between the last two shown rounds."""
    if len(shown) < 2:
        return "These are the first results of your team that can be shown for a while."
    before, after = shown.iloc[-2], shown.iloc[-1]
    moves = {
        key: after[f"{key}_favorable_pct"] - before[f"{key}_favorable_pct"]
        for key in CATALYST_KEYS
        if not math.isnan(after[f"{key}_favorable_pct"])
        and not math.isnan(before[f"{key}_favorable_pct"])
    }
    if not moves:
        return None
    key = max(moves, key=lambda k: abs(moves[k]))
    if round(moves[key]) == 0:
        return None
    return (
        f"Largest change: {catalyst(key).label} {before[f'{key}_favorable_pct']:.0f}% → "
        f"{after[f'{key}_favorable_pct']:.0f}% favorable ({moves[key]:+.0f} points since "
        f"{rounds.round_label(before['round'], cadence)})."
    )


def _hr_digest(db, delivery, message: Message, name: str, organization: str, now, today: date):
    with db.reading() as cursor:
        user = accounts.user_by_id(cursor, message.user_id)
        limited = None if "admin" in user.roles else accounts.hr_departments(cursor, user.user_id)
        org = queries.org_settings(cursor)
        imported = queries.imports_since(cursor, now - timedelta(days=7))
        paused = outbox.paused_managers(cursor)
    latest = queries.latest_week(db, today)
    support, label = [], "no results yet"
    scope = Scope.hr(limited)
    view = None
    if latest is not None:
        presets = dict(rounds.PRESETS[org.cadence])
        period = rounds.Period.last_rounds(latest, presets[list(presets)[1]], org.cadence)
        view = overview.collect(db, scope, period, today=today)
        label = period.label
        support = [
            f"{row.manager} ({row.team}): {row.reason}"
            for row in view.needs_support.head(SUPPORT_LISTED).itertuples()
        ]
    surveys = imported.get("rows_survey", 0)
    files = sum(count for key, count in imported.items() if key.startswith("files_"))
    imports = (
        f"Imports in the last 7 days: {files} file{'s' if files != 1 else ''}, "
        f"{surveys:,} survey responses."
        if files
        else "No imports in the last 7 days."
    )
    completion = "No check-ins are due."
    if view is not None:
        week = checkins.due_week(today)
        with db.reading() as cursor:
            done, due = checkins.completion(cursor, [int(t) for t in view.teams.team_id], week)
        if due:
            completion = f"Check-ins for the week of {week:%-d %b}: {done} of {due} in."
    managers = set(view.teams.manager_id.dropna().astype(int)) if view is not None else set()
    shown_paused = [row.manager for row in paused.itertuples() if row.user_id in managers]
    return messages.hr_digest(
        name,
        organization,
        label,
        support,
        imports,
        completion,
        shown_paused,
        messages.link(delivery, "/overview"),
    )
