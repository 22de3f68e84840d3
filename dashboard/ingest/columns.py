"""What each column of an export is: a survey item, the team, the time, a comment,
a response id, personal data to drop, or something Catalyst does not use.

Headers are compared after ``normalize``: case, punctuation and spacing do
not matter, so "Clear goals", "clear_goals" and "CLEAR-GOALS " are one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.catalysts import CATALYSTS, ITEM_KEYS, PROGRESS

TEAM_NAMES = {"team", "your team", "team name", "which team are you in", "my team", "group"}
TIME_NAMES = {
    "submitted at", "submitted", "timestamp", "date", "submission date", "date submitted",
    "response date", "completion time", "end date", "recorded date", "submitdate",
}  # fmt: skip
COMMENT_NAMES = {"comment", "comments", "anything else", "other comments", "remarks"}
RESPONSE_ID_NAMES = {
    "response id", "responseid", "respondent id", "respondentid", "recordid", "id",
    "submission id",
}  # fmt: skip
# Personal data: never stored, named in the import summary (DESIGN §3).
PERSONAL_NAMES = {
    "email", "email address", "e mail", "e mail address", "name", "first name", "last name",
    "full name", "your name", "ip", "ip address", "ipaddress", "recipient email",
    "recipient first name", "recipient last name", "recipientemail", "recipientfirstname",
    "recipientlastname", "location latitude", "location longitude", "locationlatitude",
    "locationlongitude", "latitude", "longitude", "phone", "phone number", "user agent",
    "external reference", "externalreference", "external data reference",
}  # fmt: skip


def normalize(header: str) -> str:
    """Lower case, words only: 'Clear_Goals ' -> 'clear goals'; curly quotes made straight."""
    text = header.replace("’", "'").replace("‘", "'").replace("&", " and ").lower()
    text = re.sub(r"[^a-z0-9']+", " ", text)
    return text.replace("'", "").strip()


def _item_names() -> dict[str, str]:
    names = {}
    for entry in CATALYSTS:
        for variant in (entry.key, entry.label, entry.statement):
            names[normalize(variant)] = entry.key
    for variant in (PROGRESS.key, PROGRESS.label, PROGRESS.statement):
        names[normalize(variant)] = PROGRESS.key
    names[normalize("Respect")] = "respect"
    return names


ITEM_NAMES = _item_names()


def item_for(header: str) -> str | None:
    """The survey item a header names: by key, label or statement, also inside
    ``[...]`` or after ``" - "`` (matrix questions), else None."""
    candidates = [header]
    candidates += re.findall(r"\[([^\]]+)\]", header)
    if " - " in header:
        candidates.append(header.rsplit(" - ", 1)[1])
    for candidate in candidates:
        key = ITEM_NAMES.get(normalize(candidate))
        if key:
            return key
    return None


@dataclass
class ColumnMap:
    """Where each role sits in the file (column positions) and what is left out."""

    items: dict[str, int] = field(default_factory=dict)
    team: int | None = None
    time: int | None = None
    comment: int | None = None
    response_id: int | None = None
    personal: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # a second column for the same item

    @property
    def dropped(self) -> list[str]:
        """Every column not stored, with why, for the import summary."""
        return (
            [f"{name} (personal data)" for name in self.personal]
            + [f"{name} (not used)" for name in self.unused]
            + [f"{name} (repeats an earlier column)" for name in self.repeated]
        )


def map_columns(header: list[str]) -> ColumnMap:
    found = ColumnMap()
    for index, name in enumerate(header):
        plain = normalize(name)
        item = item_for(name)
        if item:
            if item in found.items:
                found.repeated.append(name)
            else:
                found.items[item] = index
        elif plain in TEAM_NAMES and found.team is None:
            found.team = index
        elif plain in TIME_NAMES and found.time is None:
            found.time = index
        elif plain in COMMENT_NAMES and found.comment is None:
            found.comment = index
        elif plain in RESPONSE_ID_NAMES and found.response_id is None:
            found.response_id = index  # kept only as a salted one-way hash
            found.personal.append(name)
        elif plain in PERSONAL_NAMES or "email" in plain.split():
            found.personal.append(name)
        elif name.strip():
            found.unused.append(name)
    return found


def ordered_items(found: ColumnMap) -> list[str]:
    return [key for key in ITEM_KEYS if key in found.items]
