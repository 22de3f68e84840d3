"""The organization's settings, changed the one way the Admin page and the command line
share: every value checked first, then the changed ones stored together with their audit
line, or nothing. (settings.py parses and validates; this module reads and writes.)"""

from __future__ import annotations

from datetime import datetime

from dashboard import queries, settings, store
from dashboard.settings import OrgSettings, SettingError
from dashboard.store import Store


class SettingsRefused(ValueError):
    """Values that cannot be used; ``problems`` maps each setting to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{key}: {why}" for key, why in problems.items()))


def current(db: Store) -> OrgSettings:
    with db.reading() as cursor:
        return queries.org_settings(cursor)


def change_settings(
    db: Store,
    values: dict[str, object],
    *,
    now: datetime,
    by: int | None = None,
    actor: str | None = None,
) -> dict[str, tuple[object, str]]:
    """Store the values that differ from today's; returns key -> (old, new text).
    SettingsRefused (nothing stored) when any value cannot be used."""
    texts = {
        key: str(value).lower() if isinstance(value, bool) else str(value).strip()
        for key, value in values.items()
    }
    with db.transaction() as cursor:
        org = queries.org_settings(cursor)
        problems, changed = {}, {}
        for key, text in texts.items():
            try:
                value = settings.parse_setting(key, text)
            except SettingError as problem:
                problems[key] = str(problem)
                continue
            if value != getattr(org, key):
                changed[key] = (getattr(org, key), text)
        if problems:
            raise SettingsRefused(problems)
        if changed:
            store.save_settings(cursor, {k: new for k, (_, new) in changed.items()}, by=by, at=now)
            store.record_audit(
                cursor,
                "settings.change",
                "; ".join(f"{key}: {old} → {new}" for key, (old, new) in changed.items()),
                at=now,
                user_id=by,
                actor=actor,
            )
    return changed
