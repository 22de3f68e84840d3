"""Every word the pulse's respondent reads, from one message catalog per language (gettext
``.po`` files under dashboard/locale, read with Babel). English is the source: a message
is its English text; German is shipped complete, which a test checks. A person's
``language`` chooses, else the organization's default, else English."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from dashboard.catalysts import CATALYSTS, PROGRESS
from dashboard.settings import LANGUAGES

LOCALE = Path(__file__).parent / "locale"

SCALE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
         "Strongly agree")  # fmt: skip

# The page's own words (the statements come from catalysts.py); messages with {names}
# are formatted after translation.
MESSAGES = (
    "Your team's pulse",
    "{team} · about a minute",
    "How much do you agree, thinking about this week?",
    "Anything else you want to say? (optional)",
    "One small win this week (optional)",
    "Something that moved forward, however small",
    "Shared with your team's progress log, without your name.",
    "Your comment and small win are shown to your manager only when at least {count} "
    "people of your team answered, without your name or a date.",
    "Send my answers",
    "Answer every statement to send: {missing} still open.",
    "Catalyst knows whether you answered, to remind you, but never which answers are yours.",
    "Thank you!",
    "Your answers are in. Your team's results appear once this round has closed and at "
    "least {count} people have answered, in the week after {date}.",
    "This link or code has been used already, or its round has closed.",
    "Enter the code from your team's sheet",
    "Open the form",
    "Language",
    "1 = strongly disagree, 5 = strongly agree",
    "Too many wrong codes from here: try again in {minutes} min.",
    # the printed sheet of kiosk codes
    "{organization} · {team}: your team's pulse",
    "QR code that opens the pulse form",
    "Scan the QR code, or open {address} and type:",
    "Works once, until {date}. Anonymous: the code is not linked to you.",
    # the messages that bring people to the form
    "{team}: your team's pulse",
    "Reminder: your team's pulse closes on {date}",
    "Hello {name},",
    "How did this week go? Seven statements and an optional comment take about a minute.",
    "It is anonymous: Catalyst knows whether you answered, to remind you, never which "
    "answers are yours.",
    "Answer now",
    "The link works once, until {date}.",
    "This link replaces the one sent before.",
    "Your team's pulse, sent for {organization}.",
)


def statements() -> list[tuple[str, str]]:
    """(item key, statement in English) in the order of the form."""
    return [(c.key, c.statement) for c in CATALYSTS] + [(PROGRESS.key, PROGRESS.statement)]


def language_of(person: str | None, organization: str | None) -> str:
    for choice in (person, organization):
        if choice in LANGUAGES:
            return choice
    return "en"


@cache
def _catalog(language: str) -> dict[str, str]:
    if language == "en":
        return {}
    with (LOCALE / language / "LC_MESSAGES" / "pulse.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def day(when: date, language: str) -> str:
    """A date as the language writes it: 29 Nov 2026, 29.11.2026."""
    return f"{when:%-d.%-m.%Y}" if language == "de" else f"{when:%-d %b %Y}"


def translator(language: str):
    """``_(message, **values)``: the message in ``language``, values filled in."""
    catalog = _catalog(language if language in LANGUAGES else "en")

    def translate(message: str, **values: object) -> str:
        return catalog.get(message, message).format(**values)

    return translate


def missing_translations(language: str) -> list[str]:
    """Messages the language's catalog does not translate (a shipped one has none)."""
    catalog = _catalog(language)
    wanted = [*MESSAGES, *SCALE, *(text for _, text in statements())]
    return [message for message in wanted if message not in catalog]
