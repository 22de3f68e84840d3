"""HR's overview: where managers give their teams what they need to make progress,
and where not. ``collect`` gathers it through the read API (privacy applied
there, nothing here) as plain data; the tables and findings here serve the screen
(views/overview.py) and the downloaded files alike. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import checkins, measures, queries, rounds, summary, support
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, item_label
from dashboard.privacy import CellSum
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

HEATMAP_ROWS = 150  # teams drawn in the heatmap (x 7 items: about 1,000 marks); all in the table
STATUS = {  # the table's "Shown" column; the heatmap's hover gives the longer reason
    "shown": "yes",
    "team_too_small": "no: team too small",
    "too_few_responses": "no: too few responses",
    "no_responses": "no: no responses",
}
# "department" groups rows in department blocks (weakest first within each); the other
# orders rank teams across the whole scope, which is what a ranking is for.
SORTS = {"department": "By department", "weakest": "Weakest catalyst first",
         "overall": "Lowest overall first"}  # fmt: skip


@dataclass
class Overview:
    period: Period
    min_group_size: int
    teams: pd.DataFrame  # one row per team in scope (queries.team_table)
    figure: CellSum  # the chosen departments together
    changes: dict[str, measures.Change]  # per item, against the period before
    participation: float | None
    checked_in: tuple[int, int]  # (done, due) for the week a check-in is due
    trends: pd.DataFrame
    self_team: pd.DataFrame  # one row per manager, team and catalyst
    team_changes: pd.DataFrame  # real drops and rises per team and item
    stale: pd.DataFrame  # teams without a check-in for two weeks or more
    associations: pd.DataFrame  # catalyst, r, n (teams)
    organization: CellSum  # the whole scope the user may see, what tiles compare with
    baseline: str  # its name in comparisons: "org", or "your departments"
    needs_support: pd.DataFrame  # support.needs_support: managers ranked, with reasons
    held: int = 0  # late responses of these rounds not yet in any figure

    @property
    def reporting(self) -> int:
        return int((self.teams.status == "shown").sum())


@dataclass(frozen=True)
class SurveyFigures:
    """The overview's figures that come from survey data alone: they change when data
    is imported or published, not when a manager checks in (cached apart, see ui.py)."""

    min_group_size: int
    teams: pd.DataFrame
    figure: CellSum
    organization: CellSum
    baseline: str
    changes: dict[str, measures.Change]
    participation: float | None
    trends: pd.DataFrame
    team_changes: pd.DataFrame
    associations: pd.DataFrame
    held: int


def survey_figures(
    db: Store, scope: Scope, period: Period, *, whole: Scope | None = None
) -> SurveyFigures:
    """The survey side of the overview for a scope, compared with ``whole``: everything
    the user may see (the scope itself when None)."""
    whole = whole or scope
    with db.reading() as cursor:
        min_group_size = queries.org_settings(cursor).min_group_size
        # The departments of the whole scope, needed only when it differs from the view's.
        wider = whole != scope
        every = (
            set(queries.departments(cursor, whole.departments).department_id) if wider else set()
        )
    teams = queries.team_table(db, scope, period)
    departments = set(teams.department_id) if scope.departments is None else scope.departments
    figure = queries.departments_figure(db, scope, period, departments)
    organization = queries.departments_figure(db, whole, period, every) if wider else figure
    before = queries.departments_figure(db, scope, period.before(), departments)
    names = teams[["team_id", "team", "manager_id", "manager", "department"]]
    return SurveyFigures(
        min_group_size,
        teams,
        figure,
        organization,
        "org" if whole.departments is None else "your departments",
        measures.item_changes(
            {i: figure.items[i] for i in ITEM_KEYS}, {i: before.items[i] for i in ITEM_KEYS}
        ),
        queries.participation(db, scope, period),
        queries.trends(db, scope, period, departments),
        queries.team_changes(db, scope, period).merge(names, on="team_id"),
        associations(teams),
        queries.held_responses(db, scope, period),
    )


def collect(
    db: Store,
    scope: Scope,
    period: Period,
    *,
    today: date,
    whole: Scope | None = None,
    survey: SurveyFigures | None = None,
) -> Overview:
    """Everything the overview shows for a scope (HR, possibly some departments), compared
    with ``whole``: everything the user may see (the scope itself when None). ``survey``:
    its survey figures when already at hand; the check-in side is read here."""
    survey = survey or survey_figures(db, scope, period, whole=whole)
    teams = survey.teams
    team_ids = [int(t) for t in teams.team_id]
    with db.reading() as cursor:
        done_due = checkins.completion(cursor, team_ids, checkins.due_week(today))
        stale = checkins.stale(cursor, team_ids, today, departments=scope.departments)
        managers = queries.manager_names(cursor)
    self_team = (
        queries.self_vs_team_all(db, scope, period)
        .merge(teams[["team_id", "team", "department"]], on="team_id")
        .merge(managers, on="manager_id", how="left")
    )
    silent = dict(zip(stale.team_id, stale.last_check_in.map(_or_none), strict=True))
    ranked = support.needs_support(
        teams, survey.organization, self_team, survey.team_changes, silent, today,
        survey.baseline,
    )  # fmt: skip
    return Overview(
        period,
        survey.min_group_size,
        teams,
        survey.figure,
        survey.changes,
        survey.participation,
        done_due,
        survey.trends,
        self_team,
        survey.team_changes,
        stale,
        survey.associations,
        survey.organization,
        survey.baseline,
        ranked,
        survey.held,
    )


def _or_none(week: date | None) -> date | None:
    return None if pd.isna(week) else week


def associations(teams: pd.DataFrame) -> pd.DataFrame:
    """Per catalyst: Pearson's r across reportable teams between its favorable % and
    progress', and on how many teams it stands."""
    rows = []
    for key in CATALYST_KEYS:
        both = teams[[f"{key}_favorable_pct", "progress_favorable_pct"]].dropna()
        r = measures.pearson(both.iloc[:, 0].tolist(), both.iloc[:, 1].tolist())
        rows.append({"catalyst": key, "r": r, "n": len(both)})
    return pd.DataFrame(rows)


def ordered(teams: pd.DataFrame, metric: str, sort: str) -> pd.DataFrame:
    """Teams in display order: reportable ones by the chosen sort, others after them."""
    values = teams[[f"{k}_{metric}" for k in CATALYST_KEYS]]
    teams = teams.assign(weakest=values.min(axis=1), overall=values.mean(axis=1))
    keys = ["department", "weakest"] if sort == "department" else [sort, "department"]
    return teams.sort_values(keys, na_position="last", kind="stable")


# ---- tables: the same frames on screen and in downloaded files ---------------------------

# One way to write numbers everywhere: favorable % whole ("41%"), means on 1-5 with one
# decimal, changes in whole points ("+5 pts", with the plain "-" st.metric reads as a fall).
METRIC_DIGITS = {"favorable_pct": 0, "mean": 1}
MISSING = "–"  # a missing name or value in a table, on screen and in files


def team_table(teams: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The team x catalyst table: who, on how many responses, shown or why not, and the
    metric per item (empty where not shown)."""
    return pd.DataFrame(
        {
            "Department": teams.department,
            "Team": teams.team,
            "Manager": teams.manager.fillna(MISSING),
            "Responses": teams.responses,
            "Shown": teams.status.map(STATUS),
            **{
                item_label(k): teams[f"{k}_{metric}"].round(METRIC_DIGITS[metric])
                for k in ITEM_KEYS
            },
            **{column: teams[column] for column in support.ROW_IDS},
        }
    ).reset_index(drop=True)


def trends_table(view: Overview) -> pd.DataFrame:
    """Favorable % per item by round, with the responses each round stands on."""
    trend = view.trends
    return pd.DataFrame(
        {
            "Round": trend.label,
            "Responses": trend.responses,
            **{
                f"{item_label(k)} favorable %": trend[f"{k}_favorable_pct"].round(0)
                for k in ITEM_KEYS
            },
        }
    )


def blind_spots_table(view: Overview, top: int | None = None) -> pd.DataFrame:
    """Managers who rate themselves a point or more above their team, largest gap first."""
    blind = view.self_team[view.self_team.gap >= 1].sort_values("gap", ascending=False)
    blind = blind if top is None else blind.head(top)
    return pd.DataFrame(
        {
            "Manager": blind.manager.fillna(MISSING),
            "Team": blind.team,
            "Catalyst": blind.catalyst.map(item_label),
            "Own rating": blind.self_score.round(1),
            "Team mean": blind.team_mean.round(1),
            "Gap": blind.gap.round(1),
            "Answers": blind.team_answers,
            **{column: blind[column] for column in support.ROW_IDS},
        }
    ).reset_index(drop=True)


def drops_table(view: Overview) -> pd.DataFrame:
    """Real drops in favorable % since the period before, largest first."""
    drops = view.team_changes[view.team_changes.real & (view.team_changes.points < 0)]
    return (
        pd.DataFrame(
            {
                "Team": drops.team,
                "Manager": drops.manager.fillna(MISSING),
                "Catalyst": drops["item"].map(item_label),
                "Favorable before": (100 * drops.favorable_before / drops.n_before).round(0),
                "Favorable now": (100 * drops.favorable / drops.n).round(0),
                "Change (pts)": drops.points.round(0),
                **{column: drops[column] for column in support.ROW_IDS},
            }
        )
        .sort_values("Change (pts)")
        .reset_index(drop=True)
    )


def stale_table(view: Overview) -> pd.DataFrame:
    last = [
        "never" if pd.isna(week) else rounds.round_label(week, "weekly")
        for week in view.stale.last_check_in
    ]
    return pd.DataFrame(
        {
            "Team": view.stale.team,
            "Manager": view.stale.manager.fillna(MISSING),
            "Last check-in": last,
            **{column: view.stale[column] for column in support.ROW_IDS},
        }
    ).reset_index(drop=True)


def sheets(view: Overview, metric: str) -> dict[str, pd.DataFrame]:
    """Every table of the overview, for the workbook download."""
    tables = {
        "Needs support": support.table(view.needs_support),
        "Teams": team_table(ordered(view.teams, metric, "department"), metric),
        "Trends": trends_table(view),
        "Blind spots": blind_spots_table(view),
        "Real drops": drops_table(view),
        "No recent check-in": stale_table(view),
    }
    return {name: for_files(table) for name, table in tables.items()}


def team_file(view: Overview, metric: str, sort: str) -> pd.DataFrame:
    """The team table as shown, for the CSV download (page and CLI)."""
    return for_files(team_table(ordered(view.teams, metric, sort), metric))


def for_files(table: pd.DataFrame) -> pd.DataFrame:
    """A table as downloaded: without the ids its rows carry on screen."""
    return table.drop(columns=support.ROW_IDS, errors="ignore")


def summary_file(
    db: Store, scope: Scope, period: Period, *, today: date, title: str, kind: str
) -> bytes:
    """The one-page summary of a scope (some departments, or one), built on click."""
    view = collect(db, scope, period, today=today)
    with db.reading() as cursor:
        organization = queries.org_settings(cursor).organization_name
    page = summary.Page(
        title,
        f"{period.label} · favorable % = answers of 4 or 5 · teams below "
        f"{view.min_group_size} responses are grey and count nowhere on their own",
        findings(view),
        summary.footer(organization, today, view.min_group_size),
    )
    favorable = {k: view.figure.favorable_pct(k) for k in ITEM_KEYS}
    teams = ordered(view.teams, "favorable_pct", "department")
    return summary.department(page, teams, favorable, view.trends, kind=kind)


def points(change: measures.Change) -> str:
    """A change of favorable % in words."""
    return "no change to compare" if change.points is None else f"{change.points:+.0f} pts"


def findings(view: Overview) -> list[str]:
    """The overview's key findings in words, for the one-page summary."""
    found = [
        f"{view.reporting:,} of {len(view.teams):,} teams can be shown, on "
        f"{view.figure.responses:,} responses"
        + ("" if view.participation is None else f" (participation {view.participation:.0%})")
        + "."
    ]
    shown = {k: view.figure.favorable_pct(k) for k in CATALYST_KEYS}
    shown = {k: v for k, v in shown.items() if v is not None}
    if shown:
        best, worst = max(shown, key=shown.get), min(shown, key=shown.get)
        found.append(
            f"Covered best: {item_label(best)} ({shown[best]:.0f}% favorable); "
            f"least: {item_label(worst)} ({shown[worst]:.0f}%)."
        )
    real = [f"{item_label(k)} {points(c)}" for k, c in view.changes.items() if c.real]
    found.append(
        "Real changes since the period before: " + ", ".join(real) + "."
        if real
        else "No real change since the period before."
    )
    blind = blind_spots_table(view)
    if len(blind):
        top = blind.iloc[0]
        found.append(
            f"{blind.Manager.nunique()} managers rate themselves a point or more above their "
            f"team on some catalyst; the largest gap: {top.Manager} on {top.Catalyst} "
            f"({top['Own rating']:.1f} against {top['Team mean']:.1f})."
        )
    related = view.associations.dropna(subset=["r"])
    if len(related):
        top = related.loc[related.r.idxmax()]
        found.append(
            f"{item_label(top.catalyst)} goes with progress most across teams "
            f"(r = {top.r:.2f}, {int(top.n)} teams): association, not cause."
        )
    done, due = view.checked_in
    found.append(
        f"Check-ins this week: {done} of {due}; {len(view.stale)} teams have none "
        "for two weeks or more."
    )
    first = view.needs_support.head(NEEDS_SUPPORT_NAMED)
    if len(first):
        found.append(
            "Needs support most: "
            + "; ".join(
                f"{r.manager} ({r.team}): {', '.join(r.reason.split(', ')[:2])}"
                for r in first.itertuples()
            )
            + "."
        )
        found.append(
            f"Next step: talk with {first.manager.iloc[0]} about what the team needs, and open "
            "Manager detail for each name above before your next one-to-ones."
        )
    return found


NEEDS_SUPPORT_NAMED = 3  # managers named in the summary's findings


# ---- drawing -------------------------------------------------------------------------------
