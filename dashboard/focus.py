"""Which catalyst a manager should work on next, and why. Pure functions.

The rule: the largest blind spot (the manager rates themselves at least a
point above the team) comes first, because the manager cannot see it; else
the catalyst the team rates least favorable; else, before any team data,
the one the manager rated lowest; else clear goals, where progress starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.catalysts import CATALYST_KEYS, catalyst

ACTIONS_SHOWN = 3


@dataclass(frozen=True)
class Suggestion:
    catalyst: str
    reason: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Voice:
    """Who the My Team view talks about: the manager themselves ("you"), or, on HR's
    manager detail, that manager by name."""

    subject: str = "You"
    verb_ending: str = ""  # "You rate" / "Ann Lee rates"
    team: str = "your team"
    own: str = "your own"
    their: str = "your"


YOU = Voice()


def about(name: str) -> Voice:
    return Voice(name, "s", "the team", "own", "their")


def gap_sentence(row: pd.Series, voice: Voice = YOU) -> str:
    """'You rate Obstacle removal 4.5; your team 3.2 (14 answers, in the 3 rounds with
    your check-ins).' Both sides cover only rounds with a check-in, so a new check-in
    changes the team's count too: the sentence says why."""
    rounds = int(row.rounds)
    return (
        f"{voice.subject} rate{voice.verb_ending} {catalyst(row.catalyst).label} "
        f"{row.self_score:.1f}; {voice.team} {row.team_mean:.1f} ({row.team_answers} answers, "
        f"in the {rounds} round{'s' if rounds != 1 else ''} with {voice.their} check-ins)."
    )


def actions_for(key: str, week: date) -> tuple[str, ...]:
    """A few concrete actions from the library, a different slice each week."""
    library = catalyst(key).actions
    start = week.isocalendar().week % len(library)
    return tuple((library * 2)[start : start + ACTIONS_SHOWN])


def suggest(
    self_vs_team: pd.DataFrame,
    team_favorable: dict[str, float | None],
    own_ratings: dict[str, float | None],
    week: date,
) -> Suggestion:
    """The focus for next week.

    ``self_vs_team`` is queries.self_vs_team; ``team_favorable`` the team's
    favorable % per catalyst over the period; ``own_ratings`` the manager's
    mean self rating per catalyst.
    """
    blind = self_vs_team[self_vs_team.gap_kind == "blind_spot"]
    if len(blind):
        row = blind.sort_values("gap", ascending=False).iloc[0]
        reason = f"Your largest blind spot. {gap_sentence(row)}"
        return Suggestion(row.catalyst, reason, actions_for(row.catalyst, week))
    rated = {k: v for k, v in team_favorable.items() if k in CATALYST_KEYS and v is not None}
    if rated:
        key = min(rated, key=rated.get)
        reason = f"Your team rates {catalyst(key).label} least favorably: {rated[key]:.0f}%."
        return Suggestion(key, reason, actions_for(key, week))
    own = {k: v for k, v in own_ratings.items() if v is not None}
    if own:
        key = min(own, key=own.get)
        reason = f"You rated {catalyst(key).label} lowest in your check-ins ({own[key]:.1f})."
        return Suggestion(key, reason, actions_for(key, week))
    key = CATALYST_KEYS[0]
    reason = "No ratings yet: clear goals are where progress starts."
    return Suggestion(key, reason, actions_for(key, week))
