"""The My Team view: how a manager is doing on each catalyst, according to whom,
and what to do next. ``collect`` gathers it as plain data (cacheable, and the
benchmark times it); views/team_view.py draws it. HR's manager detail reuses
both, read-only, with its own scope. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from dashboard import checkins, focus, queries, rounds
from dashboard.catalysts import CATALYST_KEYS, catalyst
from dashboard.checkins import Checkin, Commitments
from dashboard.privacy import CellSum
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

LOOK_BACK_ROUNDS = 26  # how far back to look for rounds that can be shown


@dataclass
class LastFocus:
    catalyst: str
    chosen_week: date
    before: float | None  # team favorable % before it was chosen
    after: float | None  # and since


@dataclass
class TeamView:
    team: str
    period: Period  # what was asked for
    shown_period: Period  # what the figures cover (may look further back)
    note: str | None  # why shown_period differs, or what is not shown
    min_group_size: int
    figure: CellSum
    rounds: pd.DataFrame
    benchmark: CellSum
    comparison: pd.DataFrame
    self_by_week: pd.DataFrame
    weeks: list[date]
    wins_and_setbacks: pd.DataFrame  # per week, as the manager logged them
    suggestion: focus.Suggestion
    last_focus: LastFocus | None
    history: list[Checkin] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    team_wins: list[str] = field(default_factory=list)  # shared in the pulse, like comments
    streak: int = 0
    too_small: bool = False  # headcount below the minimum group size: never shown alone
    held: int = 0  # late responses of the shown rounds not yet in any figure
    commitments: list[Commitments] = field(default_factory=list)  # newest first
    committed: Commitments | None = None  # made last week or this week: this week's plan
    texts_shared: bool = True  # notes and commitments' words (HR: only when shared)
    key: tuple = ()  # the cache key it was made under (ui.py): its charts are kept by it

    @property
    def commitments_answered(self) -> list[bool]:
        """Done or not, for every commitment asked back so far."""
        return [d for c in self.commitments for d in c.done.values() if d is not None]

    @property
    def has_team_data(self) -> bool:
        return self.figure.responses > 0


def collect(
    db: Store,
    scope: Scope,
    manager_id: int,
    team_id: int,
    period: Period,
    *,
    today: date,
    with_notes: bool,
    history_limit: int = 12,
) -> TeamView:
    """Everything the view shows, through the read API within ``scope``. Without
    ``with_notes`` check-ins come without their notes and the text of wins and setbacks
    (HR, unless the organization shares manager notes)."""
    # An HR user limited to some departments sees a manager's check-ins only of weeks in
    # which the team was in one of them, as for the survey figures.
    departments = scope.departments
    first, last = period.first_week, period.last_week
    with db.reading() as cursor:
        team = queries.team_now(cursor, team_id)
        min_group_size = queries.org_settings(cursor).min_group_size
        own = checkins.self_scores(
            cursor, manager_id, team_id, first, last, departments=departments
        )
        wins_and_setbacks = checkins.wins_and_setbacks_counts(
            cursor, manager_id, team_id, first, last, departments=departments
        )
        history = checkins.history(
            cursor, manager_id, team_id, limit=history_limit, departments=departments
        )
        streak = checkins.streak(cursor, manager_id, team_id, today, departments=departments)
        commitments = checkins.commitments(
            cursor, manager_id, team_id, limit=history_limit, departments=departments
        )
    if not with_notes:
        _withhold_notes(history)
        commitments = _withhold_commitments(commitments)
    too_small = team is not None and team[1] < min_group_size
    shown_period, note = _period_with_results(db, scope, team_id, period, min_group_size)
    if too_small and note and note.startswith("Not enough responses"):
        note = (
            f"Your team has fewer than {min_group_size} people, so its answers are never shown "
            "on their own: that keeps them anonymous. They count in your department's and the "
            "organization's results."
        )
    by_round = queries.team_rounds(db, scope, team_id, period)
    figure = queries.team_figure(db, scope, team_id, shown_period)
    benchmark = queries.benchmark(db, shown_period)
    comparison = _with_benchmark(
        queries.self_vs_team(db, scope, manager_id, team_id, shown_period), benchmark
    )
    suggestion = focus.suggest(
        comparison,
        {key: figure.favorable_pct(key) for key in CATALYST_KEYS},
        {key: own[key].mean() if len(own) else None for key in CATALYST_KEYS},
        checkins.due_week(today),
    )
    return TeamView(
        team=team[0] if team else "",
        period=period,
        shown_period=shown_period,
        note=note,
        min_group_size=min_group_size,
        figure=figure,
        rounds=by_round,
        benchmark=benchmark,
        comparison=comparison,
        self_by_week=own,
        weeks=_weeks(period),
        wins_and_setbacks=wins_and_setbacks,
        suggestion=suggestion,
        last_focus=_last_focus(db, scope, team_id, history, shown_period),
        history=history,
        comments=queries.comments(db, scope, shown_period, team_id),
        team_wins=queries.small_wins(db, scope, shown_period, team_id),
        held=queries.held_responses(db, scope, shown_period, team_id),
        streak=streak,
        too_small=too_small,
        commitments=commitments,
        committed=this_weeks_plan(commitments, today),
        texts_shared=with_notes,
    )


def this_weeks_plan(commitments: list[Commitments], today: date) -> Commitments | None:
    """The commitments made last week or this week (newest first in ``commitments``): what
    the manager set out to do this week."""
    latest = commitments[:1]
    return next((c for c in latest if c.week >= rounds.week_of(today) - timedelta(weeks=1)), None)


def this_weeks_focus(view: TeamView) -> tuple[str, str]:
    """This week's focus (a catalyst key) and where it comes from, in words: what the
    manager committed to, else the suggestion."""
    if view.committed is None:
        return view.suggestion.catalyst, "suggested"
    count = len(view.committed.done)
    return view.committed.catalyst, f"you committed to {count} action{'s' if count != 1 else ''}"


def _withhold_notes(history: list[Checkin]) -> None:
    """Keep how many wins, setbacks and commitments, not what they or the notes say."""
    for entry in history:
        entry.notes = {}
        entry.wins = ["(not shared)"] * len(entry.wins)
        entry.setbacks = ["(not shared)"] * len(entry.setbacks)
        entry.kept = {f"commitment {n}": done for n, done in enumerate(entry.kept.values(), 1)}
        entry.commitments = [f"commitment {n}" for n in range(1, len(entry.commitments) + 1)]


def _withhold_commitments(commitments: list[Commitments]) -> list[Commitments]:
    """Keep what was chosen and whether it was done, not the words of the actions."""
    return [
        Commitments(
            c.week, c.catalyst, {f"commitment {n}": d for n, d in enumerate(c.done.values(), 1)}
        )
        for c in commitments
    ]


def focus_history(view: TeamView) -> pd.DataFrame:
    """Each check-in's focus and commitments, how many were done, and how the team's
    favorable % for that catalyst moved from the last shown round up to that week to the
    latest shown round since (shown rounds only; '–' where there is none). The words of
    the commitments only where they are shared."""
    shown = view.rounds[view.rounds.responses > 0]
    starts = pd.to_datetime(shown["round"]).dt.date
    rows = []
    for made in view.commitments:
        column = f"{made.catalyst}_favorable_pct"
        before = shown.loc[starts <= made.week, column].tail(1)
        since = shown.loc[starts > made.week, column].tail(1)
        answers = list(made.done.values())
        asked = [a for a in answers if a is not None]
        row = {
            "Week": made.week,
            "Focus": catalyst(made.catalyst).label,
            "Done": f"{sum(asked)} of {len(answers)}" if asked else "not asked yet",
        }
        then = before.iloc[0] if len(before) else None
        now = since.iloc[0] if len(since) else None
        row["Team then"] = _pct_or_dash(then)
        row["Team since"] = _pct_or_dash(now)
        row["Moved"] = "–" if then is None or now is None else f"{now - then:+.0f} pts"
        if view.texts_shared:  # the long words last, after the numbers
            row["Commitments"] = "  ·  ".join(
                f"{MARK[done]} {action}" for action, done in made.done.items()
            )
        rows.append(row)
    return pd.DataFrame(rows)


MARK = {True: "✓", False: "✗", None: "…"}


def _pct_or_dash(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0f}%"


def _with_benchmark(comparison: pd.DataFrame, benchmark: CellSum) -> pd.DataFrame:
    comparison["benchmark_mean"] = [benchmark.mean(key) for key in comparison.catalyst]
    comparison["benchmark_answers"] = [benchmark.items[k].answers for k in comparison.catalyst]
    return comparison


def _weeks(period: Period) -> list[date]:
    count = (period.last_week - period.first_week).days // 7 + 1
    return [period.first_week + timedelta(weeks=i) for i in range(count)]


def _period_with_results(
    db: Store, scope: Scope, team_id: int, period: Period, min_group_size: int
) -> tuple[Period, str | None]:
    """The period to show figures for, and a note when it is not simply the one asked for."""
    by_round = queries.team_rounds(db, scope, team_id, period)
    noun = rounds.ROUND_NOUN[period.cadence]
    if by_round.responses.iloc[-1] > 0:
        return period, None
    if by_round.responses.sum() > 0:
        return period, (
            f"{by_round.label.iloc[-1]} has fewer than {min_group_size} responses so far, so it "
            f"is not shown yet; the figures cover the {noun}s that can be shown."
        )
    earlier = Period.last_rounds(
        period.first_week - timedelta(weeks=1), LOOK_BACK_ROUNDS, period.cadence
    )
    past = queries.team_rounds(db, scope, team_id, earlier)
    past = past[past.responses > 0]
    if past.empty:
        return period, (
            f"Not enough responses yet: a {noun} is shown once {min_group_size} people answer."
        )
    latest = past["round"].iloc[-1]
    shown = Period.last_rounds(
        rounds.first_week(latest, period.cadence), len(period.rounds), period.cadence
    )
    return shown, (
        f"No {noun} in the chosen period has {min_group_size} or more responses; showing the "
        f"most recent {noun}s that do ({shown.label})."
    )


def _last_focus(
    db: Store, scope: Scope, team_id: int, history: list[Checkin], period: Period
) -> LastFocus | None:
    """How the team's favorable % moved for the focus chosen in the latest earlier check-in."""
    chosen = next((c for c in history if c.focus and c.week < period.last_week), None)
    if chosen is None:
        return None
    since_week = chosen.week + timedelta(weeks=1)
    if rounds.round_of(since_week, period.cadence) > period.last:
        return LastFocus(chosen.focus, chosen.week, None, None)
    since = Period(rounds.round_of(since_week, period.cadence), period.last, period.cadence)
    after = queries.team_figure(db, scope, team_id, since)
    before = queries.team_figure(db, scope, team_id, since.before())
    return LastFocus(
        chosen.focus,
        chosen.week,
        before.favorable_pct(chosen.focus),
        after.favorable_pct(chosen.focus),
    )


# ---- drawing -------------------------------------------------------------------------------
