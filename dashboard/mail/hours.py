"""Working time in the organization's zone: when reminders and digests may go out
(Monday to Friday, 8:00 to 18:00). Invitations, resets and test messages go out at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WORKING_HOURS = (8, 18)  # from 8:00 to 18:00, local time


def local_time(now: datetime, time_zone: str) -> datetime:
    """``now`` (naive UTC) where the organization is."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone))


def working_time(local: datetime) -> bool:
    return local.weekday() < 5 and WORKING_HOURS[0] <= local.hour < WORKING_HOURS[1]


def next_working_start(now: datetime, time_zone: str) -> datetime:
    """The next moment (naive UTC) working time begins; ``now`` itself inside it."""
    local = local_time(now, time_zone)
    if working_time(local):
        return now
    day = local.date() if local.hour < WORKING_HOURS[0] else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, WORKING_HOURS[0], tzinfo=ZoneInfo(time_zone))
    return start.astimezone(UTC).replace(tzinfo=None)
