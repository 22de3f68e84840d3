"""Rounds and periods: how weeks group into survey rounds for each cadence.

A week runs Monday to Sunday and is named by its Monday. Every round is a
union of whole weeks, so weekly cells add up to any round exactly:

* weekly: the week itself;
* fortnightly: pairs of weeks counted from Monday 2024-01-01;
* monthly / quarterly: the weeks whose Thursday falls in that month or
  quarter (the ISO rule that also decides which year a week belongs to),
  so a month holds four or five whole weeks.

A round is named by a date: its first week's Monday (weekly, fortnightly) or
the first day of its month or quarter. A period is a range of whole rounds.
The same rules exist as SQL (``round_sql``) and as Python (``round_of``);
the tests hold them to each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

CADENCES = ("weekly", "fortnightly", "monthly", "quarterly")
FORTNIGHT_EPOCH = date(2024, 1, 1)  # a Monday

# Preset periods per cadence, as a number of rounds: about 4, 12 and 26 weeks.
PRESETS: dict[str, tuple[tuple[str, int], ...]] = {
    "weekly": (("Last 4 weeks", 4), ("Last 12 weeks", 12), ("Last 26 weeks", 26)),
    "fortnightly": (("Last 4 weeks", 2), ("Last 12 weeks", 6), ("Last 26 weeks", 13)),
    "monthly": (("Last month", 1), ("Last 3 months", 3), ("Last 6 months", 6)),
    "quarterly": (("Last quarter", 1), ("Last 2 quarters", 2), ("Last 4 quarters", 4)),
}
ROUND_NOUN = {"weekly": "week", "fortnightly": "fortnight", "monthly": "month",
              "quarterly": "quarter"}  # fmt: skip


def _check(cadence: str) -> str:
    if cadence not in CADENCES:
        raise ValueError(f"cadence must be one of {', '.join(CADENCES)}, got {cadence!r}")
    return cadence


def week_of(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


def round_of(week: date, cadence: str) -> date:
    """The round a week (given by its Monday) belongs to."""
    _check(cadence)
    week = week_of(week)
    if cadence == "weekly":
        return week
    if cadence == "fortnightly":
        return FORTNIGHT_EPOCH + timedelta(days=14 * ((week - FORTNIGHT_EPOCH).days // 14))
    thursday = week + timedelta(days=3)
    if cadence == "monthly":
        return thursday.replace(day=1)
    return date(thursday.year, 3 * ((thursday.month - 1) // 3) + 1, 1)


def round_sql(cadence: str, week_column: str = "week") -> str:
    """SQL for ``round_of`` over a DATE column (identifiers from an allow-list only)."""
    _check(cadence)
    if week_column not in ("week", "s.week", "c.week", "r.week"):
        raise ValueError("week_column must be an allow-listed column")
    if cadence == "weekly":
        return week_column
    if cadence == "fortnightly":
        return (
            f"(DATE '{FORTNIGHT_EPOCH}' + 14 * CAST(floor(datediff('day', "
            f"DATE '{FORTNIGHT_EPOCH}', {week_column}) / 14) AS INTEGER))"
        )
    part = "month" if cadence == "monthly" else "quarter"
    return f"CAST(date_trunc('{part}', {week_column} + 3) AS DATE)"


def next_round(round_start: date, cadence: str) -> date:
    _check(cadence)
    if cadence in ("weekly", "fortnightly"):
        return round_start + timedelta(weeks=1 if cadence == "weekly" else 2)
    months = 1 if cadence == "monthly" else 3
    month = round_start.month - 1 + months
    return date(round_start.year + month // 12, month % 12 + 1, 1)


def previous_round(round_start: date, cadence: str) -> date:
    """The round before: found from the week before this round's first week."""
    return round_of(first_week(round_start, cadence) - timedelta(weeks=1), cadence)


def first_week(round_start: date, cadence: str) -> date:
    """Monday of the round's first week."""
    _check(cadence)
    if cadence in ("weekly", "fortnightly"):
        return round_start
    monday = week_of(round_start)
    return monday if round_of(monday, cadence) == round_start else monday + timedelta(weeks=1)


def weeks_in(round_start: date, cadence: str) -> list[date]:
    """The Mondays of the weeks that make up the round."""
    weeks, week = [], first_week(round_start, cadence)
    while round_of(week, cadence) == round_start:
        weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


def round_label(round_start: date, cadence: str) -> str:
    """How people name the round: 'Week of 23 Nov 2026', 'Nov 2026', 'Q4 2026'."""
    _check(cadence)
    if cadence == "weekly":
        return f"Week of {round_start:%-d %b %Y}"
    if cadence == "fortnightly":
        return f"Fortnight of {round_start:%-d %b %Y}"
    if cadence == "monthly":
        return f"{round_start:%b %Y}"
    return f"Q{(round_start.month - 1) // 3 + 1} {round_start.year}"


@dataclass(frozen=True)
class Period:
    """A range of whole rounds, first and last included."""

    first: date
    last: date
    cadence: str

    def __post_init__(self) -> None:
        _check(self.cadence)
        for end in (self.first, self.last):
            if round_of(first_week(end, self.cadence), self.cadence) != end:
                raise ValueError(f"{end} does not start a {ROUND_NOUN[self.cadence]}")
        if self.first > self.last:
            raise ValueError("a period's first round must not come after its last")

    @classmethod
    def last_rounds(cls, latest: date, count: int, cadence: str) -> Period:
        """``count`` rounds ending with the round that holds the week ``latest``."""
        last = round_of(latest, cadence)
        first = last
        for _ in range(count - 1):
            first = previous_round(first, cadence)
        return cls(first, last, cadence)

    @property
    def rounds(self) -> list[date]:
        result, current = [], self.first
        while current <= self.last:
            result.append(current)
            current = next_round(current, self.cadence)
        return result

    @property
    def first_week(self) -> date:
        return first_week(self.first, self.cadence)

    @property
    def last_week(self) -> date:
        return weeks_in(self.last, self.cadence)[-1]

    def before(self) -> Period:
        """The period of as many rounds that ends just before this one starts."""
        return Period.last_rounds(
            self.first_week - timedelta(weeks=1), len(self.rounds), self.cadence
        )

    @property
    def label(self) -> str:
        if self.first == self.last:
            return round_label(self.first, self.cadence)
        return f"{round_label(self.first, self.cadence)} – {round_label(self.last, self.cadence)}"


WEEK = timedelta(weeks=1)
ROUND_WEEKS = {"weekly": 1, "fortnightly": 2, "monthly": 4, "quarterly": 13}


def asks_more_often(frequency: str, cadence: str) -> bool:
    """Whether people are asked more than once per round (a cell then counts people by
    its fullest survey period, privacy.py)."""
    return ROUND_WEEKS[_check(frequency)] < ROUND_WEEKS[_check(cadence)]


@dataclass(frozen=True)
class Span:
    """The weeks of one round as stored or about to be: named by ``start`` (as
    ``round_of`` names it), from ``first_week`` to ``last_week``, of one cadence."""

    start: date
    first_week: date
    last_week: date
    cadence: str


def unpublished_round(week: date, cadence: str, published: Sequence[Span]) -> Span:
    """The round a week not yet published belongs to, given the published rounds
    (sorted, not overlapping).

    Published rounds are never cut: a round of today's cadence is clipped to the weeks
    between them. After the last published round its cadence goes on until the first
    boundary of today's cadence (a cadence change starts at the next boundary), so a
    half-published month never becomes a month of its own.
    """
    before = [span for span in published if span.last_week < week]
    after = [span for span in published if span.first_week > week]
    previous, following = (before[-1] if before else None), (after[0] if after else None)
    use, limit = cadence, (following.first_week if following else None)
    if previous is not None and following is None and previous.cadence != cadence:
        boundary = previous.last_week + WEEK
        while first_week(round_of(boundary, cadence), cadence) != boundary:
            boundary += WEEK
        if week < boundary:
            use, limit = previous.cadence, boundary
    start = round_of(week, use)
    weeks = weeks_in(start, use)
    first = max(weeks[0], previous.last_week + WEEK) if previous else weeks[0]
    last = min(weeks[-1], limit - WEEK) if limit else weeks[-1]
    return Span(start, first, last, use)
