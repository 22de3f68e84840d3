"""The measures of DESIGN §2, defined once. Pure functions; no I/O.

Words used everywhere:

* score: an answer moved onto 1-5 for means;
* favorable: an answer strictly above its own scale's midpoint;
* favorable %: favorable answers / answers, the headline number;
* self score: a manager's own 1-5 rating, averaged over weeks checked in;
* gap: self score - team mean; a blind spot at >= 1.0, a hidden strength at <= -1.0;
* participation: responses in a round / headcount, never above 100%;
* real change: >= 5 points of favorable % and significant after
  Benjamini-Hochberg at a 5% false discovery rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class Counted(Protocol):
    """An item's favorable answers out of its answers (a privacy figure's item)."""

    favorable: int
    answers: int


BLIND_SPOT_GAP = 1.0
REAL_CHANGE_POINTS = 5.0
FALSE_DISCOVERY_RATE = 0.05


@dataclass(frozen=True)
class Scale:
    """An answer scale, by its lowest and highest value (1-5, 1-7, 0-10 ...)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.high <= self.low:
            raise ValueError(f"a scale needs high > low, got {self.low}-{self.high}")

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


FIVE_POINT = Scale(1, 5)


def score(value: float, scale: Scale = FIVE_POINT) -> float:
    """An answer on 1-5: 1 + (x - low) * 4 / (high - low).

    1-7: 1 + (x-1)*4/6; 0-10: 1 + x*4/10. Answers outside the scale are refused.
    """
    if not scale.low <= value <= scale.high:
        raise ValueError(f"{value} is outside the {scale} scale")
    return 1 + (value - scale.low) * 4 / (scale.high - scale.low)


def is_favorable(value: float, scale: Scale = FIVE_POINT) -> bool:
    """Strictly above the scale's own midpoint: 4-5 of 5, 5-7 of 7, 6-10 of 0-10."""
    return value > scale.midpoint


def is_favorable_score(value: float) -> bool:
    """The same decision made on a normalized score.

    ``score`` is linear and sends every scale's midpoint to 3, so an answer
    is favorable on its own scale exactly when its score is above 3. This
    is why answers can be stored as scores alone.
    """
    return value > 3


def mean(total: float, count: int) -> float | None:
    """Mean score on 1-5, or None when there are no answers."""
    return total / count if count else None


def favorable_pct(favorable: int, count: int) -> float | None:
    """Favorable answers as a percentage of answers, or None when there are none."""
    return 100 * favorable / count if count else None


def self_score(ratings: Sequence[float | None]) -> float | None:
    """A manager's self score over a period: the mean of the weeks they checked in.

    Weeks without a check-in (None) are skipped, never counted as zero.
    """
    given = [r for r in ratings if r is not None]
    return sum(given) / len(given) if given else None


def gap(self_value: float | None, team_mean: float | None) -> float | None:
    """Self score minus team mean (both over the same rounds), or None if either is missing."""
    if self_value is None or team_mean is None:
        return None
    return self_value - team_mean


def gap_kind(gap_value: float | None) -> str | None:
    """'blind_spot' when gap >= 1.0, 'hidden_strength' when gap <= -1.0, else None."""
    if gap_value is None:
        return None
    if gap_value >= BLIND_SPOT_GAP:
        return "blind_spot"
    if gap_value <= -BLIND_SPOT_GAP:
        return "hidden_strength"
    return None


def participation(responses: int, headcount: int) -> float | None:
    """Responses in a round / roster headcount, capped at 1.0 (None without a headcount)."""
    if headcount <= 0:
        return None
    return min(1.0, responses / headcount)


def period_participation(rounds: Sequence[tuple[int, int]]) -> float | None:
    """The average over rounds of each round's participation (responses, headcount)."""
    values = [p for r, h in rounds if (p := participation(r, h)) is not None]
    return sum(values) / len(values) if values else None


def two_proportion_p_value(favorable_a: int, count_a: int, favorable_b: int, count_b: int) -> float:
    """Two-sided p-value of a two-proportion z-test (pooled standard error).

    An approximation: the same people answer in both periods, so the samples
    are not independent; the 5-point floor of a real change guards against
    calling small wobbles real.
    """
    if count_a == 0 or count_b == 0:
        return 1.0
    pooled = (favorable_a + favorable_b) / (count_a + count_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / count_a + 1 / count_b))
    if spread == 0:
        return 1.0
    z = (favorable_a / count_a - favorable_b / count_b) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def benjamini_hochberg(p_values: Sequence[float], rate: float = FALSE_DISCOVERY_RATE) -> list[bool]:
    """Which of these tests are discoveries at the given false discovery rate.

    Sort the m p-values; find the largest rank i with p(i) <= i/m * rate; the
    tests ranked 1..i are discoveries.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    cutoff = 0
    for rank, index in enumerate(order, start=1):
        if p_values[index] <= rank / m * rate:
            cutoff = rank
    discovered = [False] * m
    for index in order[:cutoff]:
        discovered[index] = True
    return discovered


@dataclass(frozen=True)
class Change:
    """A change of favorable % between two periods, in points (after - before)."""

    points: float | None
    p_value: float
    real: bool


def real_changes(comparisons: Sequence[tuple[int, int, int, int]]) -> list[Change]:
    """Changes for many comparisons at once: (favorable_before, n_before, favorable_after, n_after).

    A change is real only when it is at least 5 points and the test is a
    discovery under Benjamini-Hochberg across all the comparisons given
    (say, every team compared). Otherwise it is shown, not flagged.
    """
    p_values = [two_proportion_p_value(fa, na, fb, nb) for fa, na, fb, nb in comparisons]
    discoveries = benjamini_hochberg(p_values)
    changes = []
    for (fa, na, fb, nb), p_value, discovered in zip(
        comparisons, p_values, discoveries, strict=True
    ):
        before, after = favorable_pct(fa, na), favorable_pct(fb, nb)
        points = None if before is None or after is None else after - before
        real = points is not None and abs(points) >= REAL_CHANGE_POINTS and discovered
        changes.append(Change(points, p_value, real))
    return changes


def item_changes(now: Mapping[str, Counted], before: Mapping[str, Counted]) -> dict[str, Change]:
    """Each item's favorable % change between two figures' items (anything with
    ``favorable`` and ``answers`` counts); Benjamini–Hochberg across the items."""
    keys = list(now)
    comparisons = [
        (before[k].favorable, before[k].answers, now[k].favorable, now[k].answers) for k in keys
    ]
    return dict(zip(keys, real_changes(comparisons), strict=True))


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's correlation of paired values; None with fewer than three pairs or when
    either side does not vary (the association is then not defined)."""
    n = len(x)
    if n < 3 or n != len(y):
        return None
    mean_x, mean_y = sum(x) / n, sum(y) / n
    dx = [value - mean_x for value in x]
    dy = [value - mean_y for value in y]
    spread = math.sqrt(sum(d * d for d in dx) * sum(d * d for d in dy))
    return None if spread == 0 else sum(a * b for a, b in zip(dx, dy, strict=True)) / spread
