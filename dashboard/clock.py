"""Time as Catalyst records it: event timestamps (sessions, audit, imports) in naive UTC.

``CATALYST_NOW`` (an ISO date and time in UTC) stops the clock there: the test suite
pins it so that what is published, due or expired does not depend on the day it runs.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    pinned = os.environ.get("CATALYST_NOW")
    if pinned:
        return datetime.fromisoformat(pinned).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(time_zone: str) -> date:
    """Today's date where the organization is (weeks follow its time zone)."""
    return local_date(utc_now(), time_zone)


def local_date(moment: datetime, time_zone: str) -> date:
    """The date where the organization is at ``moment`` (naive UTC)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone)).date()


def local_midnight_in_utc(day: date, time_zone: str) -> datetime:
    """The instant (naive UTC) at which ``day`` begins in the time zone."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(time_zone))
    return start.astimezone(UTC).replace(tzinfo=None)
