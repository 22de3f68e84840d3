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
    "submit date", "submit date utc", "submission time", "started", "datestamp",
    "date last action", "closetime", "close time", "end time",
}  # fmt: skip
# Date columns whose tool writes UTC without saying so in the values: Typeform's
# "Submit Date (UTC)" says it in the header; KoboToolbox documents _submission_time.
UTC_TIME_NAMES = {"submit date utc", "submission time"}
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


def letters(index: int) -> str:
    """A column's letters as a spreadsheet shows them: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def is_personal(header: str) -> bool:
    """Whether a header names personal data (an e-mail, a name, a phone, an address)."""
    plain = normalize(header)
    words = set(plain.split())
    return plain in PERSONAL_NAMES or bool(words & {"email", "mail", "name", "phone"})


def normalize(header: str) -> str:
    """Lower case, words only: 'Clear_Goals ' -> 'clear goals', 'EndDate' -> 'end date';
    curly quotes made straight."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", header)
    text = text.replace("’", "'").replace("‘", "'").replace("&", " and ").lower()
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
    ``[...]``, after ``" - "`` (matrix questions), after a group path ("This week/…",
    KoboToolbox) or a label's prefix ("Catalysts: …", SoSci), else None."""
    candidates = [header]
    candidates += re.findall(r"\[([^\]]+)\]", header)
    for separator in (" - ", "/", ": "):
        if separator in header:
            candidates.append(header.rsplit(separator, 1)[1])
    for candidate in candidates:
        key = ITEM_NAMES.get(normalize(candidate))
        if key:
            return key
    return None


ROLES = (*ITEM_KEYS, "team", "submitted_at", "comment", "ignore")
"""What --map can say a column is."""


@dataclass
class ColumnMap:
    """Where each role sits in the file (column positions) and what is left out."""

    items: dict[str, int] = field(default_factory=dict)
    team: int | None = None
    time: int | None = None
    comment: int | None = None
    response_id: int | None = None
    status: int | None = None  # the survey tool's own: previews, tests, spam
    finished: int | None = None
    personal: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # a second column for the same item
    tool_columns: list[str] = field(default_factory=list)
    unused_indexes: list[int] = field(default_factory=list)

    @property
    def dropped(self) -> list[str]:
        """Every column not stored, with why, for the import summary."""
        return (
            [f"{name} (personal data)" for name in self.personal]
            + [f"{name} (survey tool's own)" for name in self.tool_columns]
            + [f"{name} (not used)" for name in self.unused]
            + [f"{name} (repeats an earlier column)" for name in self.repeated]
        )


def _role_of(names: tuple[str, ...]) -> str | None:
    for name in names:
        item = item_for(name)
        if item:
            return item
    for name in names:
        plain = normalize(name)
        if plain in TEAM_NAMES:
            return "team"
        if plain in TIME_NAMES:
            return "submitted_at"
        if plain in COMMENT_NAMES or plain.startswith("anything else"):
            return "comment"
        if plain in RESPONSE_ID_NAMES:
            return "response_id"
        if plain in PERSONAL_NAMES or "email" in plain.split():
            return "personal"
    return None


def stated_zone(layout, index: int | None) -> str | None:
    """The zone the file states for the date column at ``index`` (Qualtrics' ImportId
    row; UTC for the columns of UTC_TIME_NAMES), or None: the organization's."""
    if index is None:
        return None
    if index in layout.time_zones:
        return layout.time_zones[index]
    names = layout.columns[index].names or (layout.columns[index].header,)
    return "UTC" if any(normalize(n) in UTC_TIME_NAMES for n in names) else None


def map_columns(layout, overrides: dict[int, str] | None = None) -> ColumnMap:
    """Roles for the layout's columns; ``overrides`` (position -> role) come first."""
    overrides = overrides or {}
    found = ColumnMap()
    meta = {index: role for role, index in layout.metadata.items()}
    for column in layout.columns:
        index, name = column.index, column.header
        if index in layout.personal and index not in overrides:
            found.personal.append(name)
            continue
        if index in layout.tool_columns and index not in overrides:
            found.tool_columns.append(name)
            continue
        if meta.get(index) == "response_id" and index not in overrides:
            found.response_id = index  # kept only as a salted one-way hash
            found.personal.append(name)
            continue
        if index in meta:
            found.tool_columns.append(name)
            if meta[index] in ("status", "response type"):
                found.status = index
            elif meta[index] == "finished":
                found.finished = index
            continue
        role = overrides.get(index) or _role_of(column.names)
        if role in ITEM_KEYS:
            if role in found.items:
                found.repeated.append(name)
            else:
                found.items[role] = index
        elif (
            role in ("team", "submitted_at", "comment")
            and getattr(found, {"submitted_at": "time"}.get(role, role)) is None
        ):
            setattr(found, {"submitted_at": "time"}.get(role, role), index)
        elif role == "response_id" and found.response_id is None:
            found.response_id = index  # kept only as a salted one-way hash
            found.personal.append(name)
        elif role == "personal":
            found.personal.append(name)
        elif name.strip() or role == "ignore":
            found.unused.append(name or f"column {index + 1}")
            found.unused_indexes.append(index)
    return found


def ordered_items(found: ColumnMap) -> list[str]:
    return [key for key in ITEM_KEYS if key in found.items]
