"""HR's overview: where managers give their teams what they need to make progress,
and where not. ``collect`` gathers it through the read API (privacy applied
there, nothing here) as plain data; the render functions draw one section each,
so a rerun draws only what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts, checkins, measures, queries, rounds, summary
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, PROGRESS, item_label
from dashboard.privacy import Figure
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store

HEATMAP_ROWS = 150  # teams drawn in the heatmap (x 7 items: about 1,000 marks); all in the table
STATUS = {  # the table's "shown" column; the heatmap's hover gives the longer reason
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
    figure: Figure  # the chosen departments together
    changes: dict[str, measures.Change]  # per item, against the period before
    participation: float | None
    checked_in: tuple[int, int]  # (done, due) for the week a check-in is due
    trends: pd.DataFrame
    self_team: pd.DataFrame  # one row per manager, team and catalyst
    team_changes: pd.DataFrame  # real drops and rises per team and item
    stale: pd.DataFrame  # teams without a check-in for two weeks or more
    associations: pd.DataFrame  # catalyst, r, n (teams)

    @property
    def reporting(self) -> int:
        return int((self.teams.status == "shown").sum())


def collect(db: Store, scope: Scope, period: Period, *, today: date) -> Overview:
    """Everything the overview shows for a scope (HR, possibly some departments)."""
    with db.reading() as cursor:
        k = queries.org_settings(cursor).min_group_size
    teams = queries.team_table(db, scope, period)
    departments = set(teams.department_id) if scope.departments is None else scope.departments
    figure = queries.departments_figure(db, scope, period, departments)
    before = queries.departments_figure(db, scope, period.before(), departments)
    team_ids = [int(t) for t in teams.team_id]
    with db.reading() as cursor:
        done_due = checkins.completion(cursor, team_ids, checkins.due_week(today))
        stale = checkins.stale(cursor, team_ids, today)
    names = teams[["team_id", "team", "manager_id", "manager", "department"]]
    self_team = (
        queries.self_vs_team_all(db, scope, period)
        .merge(names[["team_id", "team", "department"]], on="team_id")
        .merge(_managers(db), on="manager_id", how="left")
    )
    changes = queries.team_changes(db, scope, period).merge(names, on="team_id")
    return Overview(
        period, k, teams, figure, queries.item_changes(figure, before),
        queries.participation(db, scope, period), done_due,
        queries.trends(db, scope, period, departments), self_team, changes, stale,
        _associations(teams),
    )  # fmt: skip


def _managers(db: Store) -> pd.DataFrame:
    with db.reading() as cursor:
        return cursor.execute(
            "SELECT user_id AS manager_id, display_name AS manager FROM users"
        ).df()


def _associations(teams: pd.DataFrame) -> pd.DataFrame:
    """Per catalyst: Pearson's r across reportable teams between its favorable % and
    progress', and on how many teams it stands."""
    rows = []
    for key in CATALYST_KEYS:
        both = teams[[f"{key}_favorable_pct", "progress_favorable_pct"]].dropna()
        r = both.iloc[:, 0].corr(both.iloc[:, 1]) if len(both) >= 3 else None
        rows.append({"catalyst": key, "r": None if pd.isna(r) else r, "n": len(both)})
    return pd.DataFrame(rows)


def ordered(teams: pd.DataFrame, metric: str, sort: str) -> pd.DataFrame:
    """Teams in display order: reportable ones by the chosen sort, others after them."""
    values = teams[[f"{k}_{metric}" for k in CATALYST_KEYS]]
    teams = teams.assign(weakest=values.min(axis=1), overall=values.mean(axis=1))
    keys = ["department", "weakest"] if sort == "department" else [sort, "department"]
    return teams.sort_values(keys, na_position="last", kind="stable")


# ---- tables: the same frames on screen and in downloaded files ---------------------------

METRIC_DIGITS = {"favorable_pct": 1, "mean": 2}


def team_table(teams: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The team x catalyst table: who, on how many responses, shown or why not, and the
    metric per item (empty where not shown)."""
    return teams[["department", "team", "manager", "responses"]].assign(
        shown=teams.status.map(STATUS),
        **{item_label(k): teams[f"{k}_{metric}"].round(METRIC_DIGITS[metric]) for k in ITEM_KEYS},
    ).reset_index(drop=True)  # fmt: skip


def trends_table(view: Overview) -> pd.DataFrame:
    """Favorable % per item by round, with the responses each round stands on."""
    trend = view.trends
    return pd.DataFrame({
        "round": trend.label, "responses": trend.responses,
        **{f"{item_label(k)} favorable %": trend[f"{k}_favorable_pct"].round(1)
           for k in ITEM_KEYS},
    })  # fmt: skip


def blind_spots_table(view: Overview, top: int | None = None) -> pd.DataFrame:
    """Managers who rate themselves a point or more above their team, largest gap first."""
    blind = view.self_team[view.self_team.gap >= 1].sort_values("gap", ascending=False)
    blind = blind if top is None else blind.head(top)
    return pd.DataFrame({
        "manager": blind.manager, "team": blind.team, "catalyst": blind.catalyst.map(item_label),
        "self": blind.self_score.round(1), "team mean": blind.team_mean.round(1),
        "gap": blind.gap.round(1), "answers": blind.team_answers,
    }).reset_index(drop=True)  # fmt: skip


def drops_table(view: Overview) -> pd.DataFrame:
    """Real drops in favorable % since the period before, largest first."""
    drops = view.team_changes[view.team_changes.real & (view.team_changes.points < 0)]
    return pd.DataFrame({
        "team": drops.team, "manager": drops.manager, "item": drops["item"].map(item_label),
        "favorable before": (100 * drops.favorable_before / drops.n_before).round(1),
        "favorable now": (100 * drops.favorable / drops.n).round(1),
        "points": drops.points.round(1),
    }).sort_values("points").reset_index(drop=True)  # fmt: skip


def stale_table(view: Overview) -> pd.DataFrame:
    last = ["never" if pd.isna(week) else rounds.round_label(week, "weekly")
            for week in view.stale.last_check_in]  # fmt: skip
    return view.stale[["team", "manager"]].assign(**{"last check-in": last})


def sheets(view: Overview, metric: str) -> dict[str, pd.DataFrame]:
    """Every table of the overview, for the workbook download."""
    return {
        "Teams": team_table(ordered(view.teams, metric, "department"), metric),
        "Trends": trends_table(view), "Blind spots": blind_spots_table(view),
        "Real drops": drops_table(view), "No recent check-in": stale_table(view),
    }  # fmt: skip


def summary_file(
    db: Store, scope: Scope, period: Period, *, today: date, title: str, kind: str
) -> bytes:
    """The one-page summary of a scope (some departments, or one), built on click."""
    view = collect(db, scope, period, today=today)
    with db.reading() as cursor:
        organization = queries.org_settings(cursor).organization_name
    page = summary.Page(
        title, f"{period.label} · favorable % = answers of 4 or 5 · teams below "
        f"{view.min_group_size} responses are grey and count nowhere on their own",
        findings(view), summary.footer(organization, today, view.min_group_size),
    )  # fmt: skip
    favorable = {k: view.figure.favorable_pct(k) for k in ITEM_KEYS}
    teams = ordered(view.teams, "favorable_pct", "department")
    return summary.department(page, teams, favorable, view.trends, kind=kind)


def findings(view: Overview) -> list[str]:
    """The overview's key findings in words, for the one-page summary."""
    found = [f"{view.reporting:,} of {len(view.teams):,} teams can be shown, on "
             f"{view.figure.responses:,} responses"
             + ("" if view.participation is None
                else f" (participation {view.participation:.0%})") + "."]  # fmt: skip
    shown = {k: view.figure.favorable_pct(k) for k in CATALYST_KEYS}
    shown = {k: v for k, v in shown.items() if v is not None}
    if shown:
        best, worst = max(shown, key=shown.get), min(shown, key=shown.get)
        found.append(f"Covered best: {item_label(best)} ({shown[best]:.0f}% favorable); "
                     f"least: {item_label(worst)} ({shown[worst]:.0f}%).")  # fmt: skip
    real = [f"{item_label(k)} {_points(c)}" for k, c in view.changes.items() if c.real]
    found.append("Real changes since the period before: " + ", ".join(real) + "."
                 if real else "No real change since the period before.")  # fmt: skip
    blind = blind_spots_table(view)
    if len(blind):
        top = blind.iloc[0]
        found.append(
            f"{blind.manager.nunique()} managers rate themselves a point or more above their "
            f"team on some catalyst; the largest gap: {top.manager} on {top.catalyst} "
            f"({top.self:.1f} against {top['team mean']:.1f})."
        )
    related = view.associations.dropna(subset=["r"])
    if len(related):
        top = related.loc[related.r.idxmax()]
        found.append(f"{item_label(top.catalyst)} goes with progress most across teams "
                     f"(r = {top.r:.2f}, {int(top.n)} teams): association, not cause.")  # fmt: skip
    done, due = view.checked_in
    found.append(f"Check-ins this week: {done} of {due}; {len(view.stale)} teams have none "
                 "for two weeks or more.")  # fmt: skip
    return found


# ---- drawing -------------------------------------------------------------------------------


def _points(change: measures.Change) -> str:
    return "no change to compare" if change.points is None else f"{change.points:+.0f} pts"


def tiles(view: Overview) -> None:
    top = st.columns(4)
    top[0].metric(
        "Teams reporting",
        f"{view.reporting:,} of {len(view.teams):,}",
        help=f"Teams with at least one round of {view.min_group_size}+ responses",
    )
    top[1].metric(
        "Responses",
        f"{view.figure.responses:,}",
        help="Responses these figures stand on (small groups left out)",
    )
    top[2].metric(
        "Participation",
        "–" if view.participation is None else f"{view.participation:.0%}",
        help="Responses per round ÷ headcount",
    )
    done, due = view.checked_in
    top[3].metric("Check-ins this week", f"{done:,} of {due:,}",
                  help="Managers who checked in for the week a check-in is due")  # fmt: skip
    row = st.columns(len(ITEM_KEYS))
    for column, key in zip(row, ITEM_KEYS, strict=True):
        pct, change = view.figure.favorable_pct(key), view.changes[key]
        column.metric(
            item_label(key), "–" if pct is None else f"{pct:.0f}%",
            delta=_points(change) if change.real else None,
            help=f"Favorable %; {_points(change)} against the period before"
            + (" — a real change" if change.real else " — not a real change (too small or "
               "within chance)"),
        )  # fmt: skip
    real = [item_label(k) for k, c in view.changes.items() if c.real]
    st.caption(
        f"{view.period.label}. Real changes since the period before: "
        + (", ".join(real) if real else "none")
        + ". A change is real when it is at least 5 points and not explained by chance "
        "across everything compared."
    )


def heatmap_section(view: Overview, metric: str, sort: str) -> None:
    teams = ordered(view.teams, metric, sort)
    shown = teams.head(HEATMAP_ROWS)
    weakest = view.figure.items
    worst = min((k for k in CATALYST_KEYS if weakest[k].favorable_pct is not None),
                key=lambda k: weakest[k].favorable_pct, default=None)  # fmt: skip
    st.caption(
        f"{view.reporting:,} of {len(teams):,} teams can be shown. "
        + (f"Across them, {item_label(worst)} is covered least "
           f"({weakest[worst].favorable_pct:.0f}% favorable). " if worst else "")
        + "Grey cells are not shown: hover to see why."
        + (f" The map holds the {HEATMAP_ROWS} first teams in this order; all are in the "
           "table below." if len(teams) > HEATMAP_ROWS else "")
    )  # fmt: skip
    st.plotly_chart(
        charts.heatmap(shown, metric, view.min_group_size, grouped=sort == "department"),
        width="stretch",
    )
    st.dataframe(
        team_table(teams, metric), hide_index=True, width="stretch",
        column_config={"shown": st.column_config.TextColumn(width="medium"),
                       **{item_label(k): st.column_config.NumberColumn(
                           format="%.0f%%" if metric == "favorable_pct" else "%.2f")
                          for k in ITEM_KEYS}},
    )  # fmt: skip


def self_team_section(view: Overview) -> None:
    frame = view.self_team
    if frame.empty:
        st.info("No manager has both check-ins and shown team results in this period yet.")
        return
    counts = frame[frame.gap >= 1].groupby("catalyst").size()
    default = counts.idxmax() if len(counts) else CATALYST_KEYS[0]
    key = st.segmented_control(
        "Catalyst", CATALYST_KEYS, format_func=item_label, default=default,
        key="overview_self_catalyst",
    ) or default  # fmt: skip
    rows = frame[frame.catalyst == key]
    blind = int((rows.gap >= 1).sum())
    st.caption(
        f"{len(rows)} managers: their own score for {item_label(key)} against their team's "
        f"mean over the same rounds. {blind} rate themselves a point or more above their "
        "team (blind spots, in orange); on the dotted line they agree."
    )
    st.plotly_chart(charts.self_and_team(frame, key), width="stretch")


def trends_section(view: Overview) -> None:
    trend = view.trends
    shown = trend[trend.responses > 0]
    if shown.empty:
        st.info("No round in this period can be shown.")
        return
    first, last = shown.iloc[0], shown.iloc[-1]
    moves = {k: last[f"{k}_favorable_pct"] - first[f"{k}_favorable_pct"] for k in ITEM_KEYS}
    mover = max(moves, key=lambda k: abs(moves[k]) if pd.notna(moves[k]) else -1)
    st.caption(
        f"Favorable % per catalyst, {rounds.ROUND_NOUN[view.period.cadence]} by "
        f"{rounds.ROUND_NOUN[view.period.cadence]}. The largest move from first to last is "
        f"{item_label(mover)} ({moves[mover]:+.0f} points); rounds that cannot be shown are "
        "gaps."
    )
    st.plotly_chart(charts.favorable_by_round(trend, ITEM_KEYS), width="stretch")


def progress_section(view: Overview, teams: pd.DataFrame) -> None:
    found = view.associations.dropna(subset=["r"])
    if found.empty:
        st.info("Too few reportable teams to relate catalysts to progress (3 or more needed).")
        return
    strongest = found.loc[found.r.idxmax()]
    st.caption(
        f"Across {int(strongest.n)} reportable teams, {item_label(strongest.catalyst)} goes "
        f"with progress most (r = {strongest.r:.2f}). This is association, not cause: "
        "teams that feel one catalyst may feel others, and many things drive progress."
    )
    st.plotly_chart(charts.associations(found), width="stretch")
    key = st.selectbox("Look closer at", list(found.sort_values("r", ascending=False).catalyst),
                       format_func=item_label, key="overview_progress_catalyst")  # fmt: skip
    st.plotly_chart(charts.catalyst_and_progress(teams, key), width="stretch")
    st.caption(f"Each point a team: {item_label(key)} against “{PROGRESS.statement}”.")


def watch_list(view: Overview) -> None:
    st.markdown("**Largest blind spots**")
    blind = blind_spots_table(view, top=10)
    if blind.empty:
        st.caption("None: no manager rates themselves a point or more above their team.")
    else:
        st.dataframe(blind, hide_index=True, width="stretch")
    st.markdown("**Real drops since the period before**")
    drops = drops_table(view)
    if drops.empty:
        st.caption("None: no team's favorable % fell by a real change.")
    else:
        st.dataframe(drops, hide_index=True, width="stretch", column_config={
            "favorable before": st.column_config.NumberColumn(format="%.0f%%"),
            "favorable now": st.column_config.NumberColumn(format="%.0f%%"),
            "points": st.column_config.NumberColumn(format="%+.0f"),
        })  # fmt: skip
    st.markdown("**Teams without a check-in for two weeks or more**")
    if view.stale.empty:
        st.caption("None: every manager checked in within the last two weeks.")
    else:
        st.caption(f"{len(view.stale):,} teams, the longest silence first.")
        st.dataframe(stale_table(view), hide_index=True, width="stretch")
