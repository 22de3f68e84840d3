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

from dashboard import focus, queries, rounds, summary, team_view
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


def own_by_round(view: TeamView) -> pd.DataFrame:
    """The manager's mean own rating per catalyst in each round of the period."""
    own = view.self_by_week
    cadence = view.period.cadence
    frame = own.assign(round=[rounds.round_of(w, cadence) for w in own.week])
    return frame.groupby("round", as_index=False)[list(CATALYST_KEYS)].mean()


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


def findings(view: TeamView, name: str) -> list[str]:
    """The page's key findings in words, about the manager by name."""
    voice, found = focus.about(name), []
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
    return found
