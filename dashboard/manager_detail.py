"""HR's manager detail: one manager's My Team view, read-only, and their history —
check-ins week by week, their own ratings against their team's, the focus they
chose. ``collect`` gets the view from team_view.collect within the manager's cells of
HR's scope (the page and ``catalyst export manager`` both call it); this module adds the
history's data, the tables for files and the findings (views/manager_detail.py draws
the history). No Streamlit here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import focus, queries, summary, support, team_view
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, SELF_SCALE, catalyst, item_label
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store
from dashboard.team_view import TeamView

HISTORY_LIMIT = 52  # check-ins (about a year of weeks) in HR's history of a manager


def collect(
    db: Store, scope: Scope, manager_id: int, team_id: int, period: Period, *, today: date
) -> TeamView:
    """HR's read-only view of one manager's team: only that manager's cells within HR's
    scope; check-in notes only when the organization shares them with HR."""
    with db.reading() as cursor:
        shared = queries.org_settings(cursor).manager_notes_visible_to_hr
    within = Scope(manager_id=manager_id, departments=scope.departments)
    return team_view.collect(
        db,
        within,
        manager_id,
        team_id,
        period,
        today=today,
        with_notes=shared,
        history_limit=HISTORY_LIMIT,
    )


# ---- files -----------------------------------------------------------------------------------


def by_round_table(view: TeamView) -> pd.DataFrame:
    """The team's figures by round: responses, then favorable % and answers per item."""
    by_round = view.rounds
    columns = {"Round": by_round.label, "Responses": by_round.responses}
    for key in ITEM_KEYS:
        columns[f"{item_label(key)} favorable %"] = by_round[f"{key}_favorable_pct"].round(0)
        columns[f"{item_label(key)} answers"] = by_round[f"{key}_n"]
    return pd.DataFrame(columns)


def sheets(view: TeamView, with_notes: bool) -> dict[str, pd.DataFrame]:
    comparison = view.comparison
    tables = {
        "By round": by_round_table(view),
        "Self vs team": pd.DataFrame(
            {
                "Catalyst": comparison.catalyst.map(item_label),
                "Own rating": _numbers(comparison.self_score),
                "Weeks": comparison.self_weeks,
                "Team mean": _numbers(comparison.team_mean),
                "Answers": comparison.team_answers,
                "Organization mean": _numbers(comparison.benchmark_mean),
            }
        ),
        "Check-ins": _checkins_table(view, with_notes),
    }
    if view.comments:
        tables["Comments"] = pd.DataFrame({"Comment": view.comments})
    return tables


def _numbers(values: pd.Series) -> pd.Series:
    """Means to one decimal, as on screen; missing ones (None) stay empty."""
    return pd.to_numeric(values).astype(float).round(1)


def _checkins_table(view: TeamView, with_notes: bool) -> pd.DataFrame:
    rows = []
    for entry in view.history:
        row = {"Week": entry.week, "Focus next": item_label(entry.focus) if entry.focus else "–"}
        row |= {item_label(k): SELF_SCALE.get(entry.ratings.get(k), "–") for k in CATALYST_KEYS}
        row |= {"Wins": len(entry.wins), "Setbacks": len(entry.setbacks)}
        if with_notes:
            row["Notes"] = " · ".join(f"{item_label(k)}: {n}" for k, n in entry.notes.items() if n)
            row["Wins logged"] = " · ".join(entry.wins)
            row["Setbacks logged"] = " · ".join(entry.setbacks)
        rows.append(row)
    return pd.DataFrame(rows)


def summary_file(view: TeamView, name: str, organization: str, today: date, *, kind: str) -> bytes:
    """The manager's one-page summary, built on click (findings included)."""
    page = summary.Page(
        f"{name} · {view.team}",
        f"{view.shown_period.label} · favorable % = answers of 4 or 5",
        findings(view, name),
        summary.footer(organization, today, view.min_group_size),
    )
    return summary.manager(page, view.comparison, view.rounds, kind=kind)


NEAR = 5  # favorable points within which a team is "level with" the organization


def against_organization(view: TeamView) -> str | None:
    """Manager detail's first line: 'Below the organization on 5 of 6 catalysts; largest
    gap Help -19.' Both sides are sums of shown cells over the same period; None while
    the team has no shown figure."""
    gaps = {}
    for key in CATALYST_KEYS:
        team, org = view.figure.favorable_pct(key), view.benchmark.favorable_pct(key)
        if team is not None and org is not None:
            gaps[key] = team - org
    if not gaps:
        return None
    below = [k for k, gap in gaps.items() if gap <= -NEAR]
    above = [k for k, gap in gaps.items() if gap >= NEAR]
    largest = max(gaps, key=lambda k: abs(gaps[k]))
    parts = []
    if below:
        parts.append(f"below the organization on {len(below)} of {len(gaps)} catalysts")
    if above:
        parts.append(f"above it on {len(above)}")
    if not parts:
        parts.append(f"within {NEAR} points of the organization on every catalyst")
    sentence = "; ".join(parts) + (
        f"; largest gap {item_label(largest)} {support.signed(gaps[largest])}."
    )
    return sentence[0].upper() + sentence[1:]


def next_steps(view: TeamView, name: str) -> list[str]:
    """What HR might do next, from the same figures: talk about the weakest catalyst and
    the blind spots, and follow up on check-ins and commitments."""
    steps = []
    blind = view.comparison[view.comparison.gap_kind == "blind_spot"]
    if len(blind):
        labels = ", ".join(item_label(k) for k in blind.catalyst)
        steps.append(f"Share the team's view of {labels} with {name}: they rate it higher.")
    favorable = {k: view.figure.favorable_pct(k) for k in CATALYST_KEYS}
    shown = {k: v for k, v in favorable.items() if v is not None}
    if shown:
        worst = min(shown, key=shown.get)
        action = catalyst(worst).actions[0]
        steps.append(f"Agree one action on {item_label(worst)}, for example: {action}")
    if len(view.self_by_week) < len(view.weeks) / 2:
        steps.append(f"Ask {name} to check in weekly: the check-in is where focus is set.")
    answers = view.commitments_answered
    if answers and sum(answers) < len(answers) / 2:
        steps.append(f"Follow up on commitments: {sum(answers)} of {len(answers)} done so far.")
    return steps


def findings(view: TeamView, name: str) -> list[str]:
    """The page's key findings in words, about the manager by name."""
    voice, found = focus.about(name), []
    compared = against_organization(view)
    if compared:
        found.append(compared)
    favorable = {k: view.figure.favorable_pct(k) for k in CATALYST_KEYS}
    shown = {k: v for k, v in favorable.items() if v is not None}
    if shown:
        best, worst = max(shown, key=shown.get), min(shown, key=shown.get)
        found.append(
            f"The team rates {catalyst(best).label} most favorably ({shown[best]:.0f}%) and "
            f"{catalyst(worst).label} least ({shown[worst]:.0f}%), on "
            f"{view.figure.responses:,} responses."
        )
    else:
        found.append(
            f"No team results can be shown for this period (groups of fewer than "
            f"{view.min_group_size} responses never are)."
        )
    for row in view.comparison[view.comparison.gap_kind.notna()].itertuples():
        kind = "Blind spot" if row.gap_kind == "blind_spot" else "Hidden strength"
        found.append(f"{kind}: {focus.gap_sentence(row, voice)}")
    found.append(f"{name} checked in {len(view.self_by_week)} of {len(view.weeks)} weeks.")
    chosen = view.self_by_week.focus.dropna()
    if len(chosen):
        found.append(f"Most chosen focus: {item_label(chosen.value_counts().index[0])}.")
    answers = view.commitments_answered
    if answers:
        found.append(f"Commitments kept: {sum(answers)} of {len(answers)} asked back.")
    found += [f"Next step: {step}" for step in next_steps(view, name)]
    return found
