"""The words of every message, as plain text and HTML from one structure. Pure: the
sender gathers the facts (through the read API, so only figures that may be shown) and
hands them in; nothing here reads the database.

Every message names the organization, says why it came, and links to the one page it
is about. Reminders and digests end with the link that turns them off.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlencode

from dashboard.mail.addresses import clean_name, mailbox
from dashboard.mail.delivery import Delivery


@dataclass(frozen=True)
class Letter:
    subject: str
    greeting: str
    paragraphs: list[str]
    action: tuple[str, str] | None = None  # (label, url): the one button
    points: list[str] = field(default_factory=list)  # a short list under the paragraphs
    after: list[str] = field(default_factory=list)  # paragraphs after the button
    why: str = ""  # why this message came, in the footer

    def text(self, organization: str, preferences_url: str | None) -> str:
        lines = [self.greeting, ""]
        for paragraph in self.paragraphs:
            lines += [paragraph, ""]
        if self.points:
            lines += [f"- {point}" for point in self.points] + [""]
        if self.action:
            lines += [f"{self.action[0]}: {self.action[1]}", ""]
        for paragraph in self.after:
            lines += [paragraph, ""]
        lines += ["-- ", f"Catalyst at {organization}. {self.why}".strip()]
        if preferences_url:
            lines.append(f"Choose what Catalyst sends you: {preferences_url}")
        return "\n".join(lines) + "\n"

    def html(self, organization: str, preferences_url: str | None) -> str:
        e = html.escape
        body = [f"<p>{e(self.greeting)}</p>"]
        body += [f"<p>{e(p)}</p>" for p in self.paragraphs]
        if self.points:
            body.append("<ul>" + "".join(f"<li>{e(p)}</li>" for p in self.points) + "</ul>")
        if self.action:
            label, url = self.action
            body.append(
                f'<p><a href="{e(url)}" style="display:inline-block;padding:10px 18px;'
                "background:#1f4e8c;color:#ffffff;border-radius:6px;text-decoration:none;"
                f'font-weight:600">{e(label)}</a></p>'
                f'<p style="font-size:13px;color:#555555">Or open {e(url)}</p>'
            )
        body += [f"<p>{e(p)}</p>" for p in self.after]
        footer = f"Catalyst at {e(organization)}. {e(self.why)}".strip()
        if preferences_url:
            footer += f' <a href="{e(preferences_url)}">Choose what Catalyst sends you</a>.'
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(self.subject)}</title></head>"
            '<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;'
            "font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;"
            'padding:16px">'
            + "".join(body)
            + f'<hr><p style="font-size:13px;color:#555555">{footer}</p></body></html>'
        )


def envelope(
    delivery: Delivery,
    letter: Letter,
    organization: str,
    to: tuple[str | None, str],
    *,
    reference: str,
    preference_links: tuple[str, str] | None = None,
    sent: object | None = None,
) -> EmailMessage:
    """The message as it goes out. ``reference`` makes its Message-ID, the same on every
    attempt, so a mail store that received it twice can show it once.
    ``preference_links``: (the preferences page, the one-click POST address)."""
    preferences_url, one_click = preference_links or (None, None)
    message = EmailMessage()
    message["Subject"] = clean_name(letter.subject)
    message["From"] = mailbox(f"{delivery.sender_name} · {organization}", delivery.sender)
    message["To"] = mailbox(to[0], to[1])
    if delivery.reply_to:
        message["Reply-To"] = mailbox(None, delivery.reply_to)
    message["Message-ID"] = f"<catalyst.{reference}@{delivery.sender.partition('@')[2]}>"
    if sent is not None:
        message["Date"] = format_datetime(sent)
    if one_click:
        # The mail client's own "unsubscribe" button (RFC 8058) POSTs to this address.
        message["List-Unsubscribe"] = f"<{one_click}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.text(organization, preferences_url))
    message.add_alternative(letter.html(organization, preferences_url), subtype="html")
    return message


def link(delivery: Delivery, path: str, **query: str) -> str:
    return f"{delivery.public_url}{path}" + (f"?{urlencode(query)}" if query else "")


# ---- the letters ---------------------------------------------------------------------------


def invitation(name: str, organization: str, url: str, days: int) -> Letter:
    return Letter(
        subject=f"You are invited to Catalyst at {organization}",
        greeting=f"Hello {name},",
        paragraphs=[
            f"{organization} uses Catalyst to help managers give their teams what makes "
            "progress possible: clear goals, autonomy, resources, help, removing obstacles "
            "and respect.",
            "Choose your password to sign in for the first time.",
        ],
        action=("Choose your password", url),
        after=[f"The link works once, for {days} days."],
        why="You were invited by your Catalyst admin.",
    )


def password_reset(name: str, organization: str, url: str, days: int) -> Letter:
    return Letter(
        subject=f"Choose a new Catalyst password ({organization})",
        greeting=f"Hello {name},",
        paragraphs=["Someone asked for a new password for your Catalyst account."],
        action=("Choose a new password", url),
        after=[
            f"The link works once, for {days} days. If you did not ask for it, ignore this "
            "message: your password stays as it is."
        ],
        why="A new password was asked for your account.",
    )


def checkin_reminder(
    name: str, organization: str, week: date, late: bool, teams: list[str], url: str
) -> Letter:
    """``late``: the reminder is about last week's check-in (Monday to Wednesday)."""
    which = "last week's" if late else "this week's"
    return Letter(
        subject=f"Your check-in for the week of {week:%-d %b} is open",
        greeting=f"Hello {name},",
        paragraphs=[
            f"Your weekly check-in for the week of {week:%-d %b %Y} is not in yet for "
            + (teams[0] if len(teams) == 1 else f"{len(teams)} teams")
            + ". Two minutes on the six catalysts, and your wins and setbacks, keep your "
            "team's progress in view." + (" It stays open until Wednesday." if late else "")
        ],
        points=teams if len(teams) > 1 else [],
        action=("Check in now", url),
        why=f"A reminder about {which} check-in, at most one a week.",
    )


def manager_digest(
    name: str,
    organization: str,
    team: str,
    round_label: str,
    committed: tuple[str, int] | None,
    change: str | None,
    url: str,
) -> Letter:
    """``committed``: this week's focus and how many actions the manager committed to."""
    if committed is None:
        focus = "My team suggests a focus for this week, with actions to choose from."
    else:
        label, count = committed
        focus = (
            f"This week's focus: {label} (you committed to {count} "
            f"action{'s' if count != 1 else ''})."
        )
    return Letter(
        subject=f"{team}: new results ({round_label})",
        greeting=f"Hello {name},",
        paragraphs=[
            f"New results of your team are in Catalyst: {round_label}.",
            focus,
            change or "No catalyst moved much since the round before.",
        ],
        action=("Open My team", url),
        why="Your weekly digest, when new results of your team can be shown.",
    )


def hr_digest(
    name: str,
    organization: str,
    period_label: str,
    support: list[str],
    imports: str,
    completion: str,
    paused: list[str],
    url: str,
) -> Letter:
    paragraphs = [f"The week in Catalyst ({period_label})."]
    paragraphs.append(
        "Who needs support most, on the Overview's rule:"
        if support
        else "Nobody stands out as needing support."
    )
    after = [imports, completion]
    if paused:
        after.append(
            "Check-in reminders are paused for "
            + ", ".join(paused)
            + ": they left four in a row unanswered. They resume with their next check-in."
        )
    return Letter(
        subject=f"Catalyst this week at {organization}",
        greeting=f"Hello {name},",
        paragraphs=paragraphs,
        points=support,
        action=("Open the Overview", url),
        after=after,
        why="Your weekly HR digest.",
    )


def test_message(organization: str) -> Letter:
    return Letter(
        subject=f"Catalyst test message ({organization})",
        greeting="Hello,",
        paragraphs=[
            "This is a test message from Catalyst. If you can read it, Catalyst can send "
            "invitations, reminders and digests through this mail server."
        ],
        why="An admin sent a test message.",
    )
