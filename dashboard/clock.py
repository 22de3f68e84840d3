"""Time as Catalyst records it: event timestamps (sessions, audit, imports) in naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(time_zone: str) -> date:
    """Today's date where the organization is (weeks follow its time zone)."""
    return datetime.now(ZoneInfo(time_zone)).date()
