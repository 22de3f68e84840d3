"""Time as Catalyst records it: event timestamps (sessions, audit, imports) in naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def week_start(day: date) -> date:
    """The Monday of the week (Monday to Sunday) that holds ``day``."""
    return day - timedelta(days=day.weekday())
