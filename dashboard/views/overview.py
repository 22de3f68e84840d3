"""The HR overview on screen: one function per section, so a rerun draws only what is
on screen. The figures come ready from overview.collect."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, rounds, support, ui
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, PROGRESS, item_label
from dashboard.markdown import plain
from dashboard.overview import (
    HEATMAP_ROWS,
    Overview,
    blind_spots_table,
    drops_table,
    ordered,
    points,
    stale_table,
    team_table,
    trends_table,
)


def tiles(view: Overview, filtered: str | None = None) -> None:
    """The headline numbers; for a filtered view (``filtered`` names it) each item's tile
    says how far it is from the whole scope, the organization."""
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
    top[3].metric(
        "Check-ins this week",
        f"{done:,} of {due:,}",
        help="Managers who checked in for the week a check-in is due",
    )
    row = [tile for _ in range(2) for tile in st.columns(4)][: len(ITEM_KEYS)]  # full labels
    for column, key in zip(row, ITEM_KEYS, strict=True):
        pct, change = view.figure.favorable_pct(key), view.changes[key]
        org = view.organization.favorable_pct(key)
        if filtered and pct is not None and org is not None:
            delta = f"{support.signed(pct - org)} vs {view.baseline}"
        else:
            delta = points(change) if change.real else None
        column.metric(
            item_label(key),
            "–" if pct is None else f"{pct:.0f}%",
            delta=delta,
            help=f"Favorable %; {points(change)} against the period before"
            + (
                " — a real change"
                if change.real
                else " — not a real change (too small or within chance)"
            )
            + ("" if org is None else f"; the {view.baseline} {org:.0f}%"),
        )
    real = [item_label(k) for k, c in view.changes.items() if c.real]
    st.caption(
        (f"{filtered} against the {view.baseline}. " if filtered else "")
        + f"{view.period.label}. Real changes since the period before: "
        + (", ".join(real) if real else "none")
        + ". A change is real when it is at least 5 points and not explained by chance "
        "across everything compared."
    )


def needs_support_section(view: Overview, top: int = 10) -> None:
    """Managers ranked by who most needs support, each a link to Manager detail with the
    reason in words below it; the rest of the ranking in a table whose rows open too."""
    ranked = view.needs_support
    if ranked.empty:
        st.success(
            "Nobody stands out: no team that can be shown is well below the "
            f"{view.baseline}, has a blind spot or a real drop, or misses check-ins.",
            icon=":material/check_circle:",
        )
        return
    st.caption(
        f"{len(ranked):,} of {view.reporting:,} teams that can be shown have a concern, most "
        f"points first. Points add up: a tenth per point a catalyst is {support.LOW_POINTS}+ "
        f"below the {view.baseline}, one per blind spot and per real drop, half per week "
        "without a check-in after the first."
    )
    with st.container(border=True):
        for rank, row in enumerate(ranked.head(top).itertuples(), start=1):
            st.page_link(
                "pages/manager_detail.py",
                label=f"{rank}. {plain(row.manager)} · {plain(row.team)} ({plain(row.department)})",
                query_params={"manager": str(row.manager_id), "team": str(row.team_id)},
                icon=":material/person_search:",
            )
            st.caption(plain(row.reason))
    if len(ranked) > top:
        with st.expander(f"All {len(ranked):,} with a concern"):
            st.caption("Select a row to open the manager.")
            ui.table_opening_managers(
                support.table(ranked),
                key="needs_support_all",
                column_config={
                    "Rank": st.column_config.NumberColumn(width="small"),
                    "Why": st.column_config.TextColumn(width="large"),
                    "Points": st.column_config.NumberColumn(format="%.1f", width="small"),
                },
            )


def heatmap_section(view: Overview, metric: str, sort: str) -> None:
    teams = ordered(view.teams, metric, sort)
    shown = teams.head(HEATMAP_ROWS)
    weakest = view.figure.items
    worst = min(
        (k for k in CATALYST_KEYS if weakest[k].favorable_pct is not None),
        key=lambda k: weakest[k].favorable_pct,
        default=None,
    )
    st.caption(
        f"{view.reporting:,} of {len(teams):,} teams can be shown. "
        + (
            f"Across them, {item_label(worst)} is covered least "
            f"({weakest[worst].favorable_pct:.0f}% favorable). "
            if worst
            else ""
        )
        + "Grey cells are not shown: hover to see why."
        + (
            f" The map holds the {HEATMAP_ROWS} first teams in this order; all are in the "
            "table below."
            if len(teams) > HEATMAP_ROWS
            else ""
        )
    )
    st.plotly_chart(
        charts.heatmap(shown, metric, view.min_group_size, grouped=sort == "department"),
        width="stretch",
    )
    ui.table_opening_managers(
        team_table(teams, metric),
        key="overview_team_table",
        column_config={
            "Shown": st.column_config.TextColumn(width="medium"),
            **{
                item_label(k): st.column_config.NumberColumn(
                    format="%.0f%%" if metric == "favorable_pct" else "%.1f"
                )
                for k in ITEM_KEYS
            },
        },
    )


def self_team_section(view: Overview) -> None:
    frame = view.self_team
    if frame.empty:
        st.info("No manager has both check-ins and shown team results in this period yet.")
        return
    counts = frame[frame.gap >= 1].groupby("catalyst").size()
    default = counts.idxmax() if len(counts) else CATALYST_KEYS[0]
    key = (
        st.segmented_control(
            "Catalyst",
            CATALYST_KEYS,
            format_func=item_label,
            default=default,
            key="overview_self_catalyst",
        )
        or default
    )
    rows = frame[frame.catalyst == key]
    blind = int((rows.gap >= 1).sum())
    st.caption(
        f"{len(rows)} managers: their own score for {item_label(key)} against their team's "
        f"mean over the same rounds. {blind} rate themselves a point or more above their "
        "team (blind spots, in orange); on the dotted line they agree."
    )
    ui.chart(
        charts.self_and_team(frame, key),
        pd.DataFrame(
            {
                "Manager": rows.manager,
                "Team": rows.team,
                "Own score": rows.self_score.round(1),
                "Team mean": rows.team_mean.round(1),
                "Gap": rows.gap.round(1),
            }
        ).sort_values("Gap", ascending=False),
    )


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
        f"{item_label(mover)} ({moves[mover]:+.0f} pts); rounds that cannot be shown are "
        "gaps."
    )
    ui.chart(charts.favorable_by_round(trend, ITEM_KEYS), trends_table(view))


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
    ui.chart(
        charts.associations(found),
        pd.DataFrame(
            {"Catalyst": found.catalyst.map(item_label), "r": found.r.round(2), "Teams": found.n}
        ),
    )
    key = st.selectbox(
        "Look closer at",
        list(found.sort_values("r", ascending=False).catalyst),
        format_func=item_label,
        key="overview_progress_catalyst",
    )
    both = teams.dropna(subset=[f"{key}_favorable_pct", "progress_favorable_pct"])
    ui.chart(
        charts.catalyst_and_progress(teams, key),
        pd.DataFrame(
            {
                "Team": both.team,
                f"{item_label(key)} favorable %": both[f"{key}_favorable_pct"].round(0),
                "Progress favorable %": both.progress_favorable_pct.round(0),
            }
        ),
    )
    st.caption(f"Each point a team: {item_label(key)} against “{PROGRESS.statement}”.")


def watch_list(view: Overview) -> None:
    st.caption("Select a row to open the manager.")
    st.markdown("**Largest blind spots**")
    blind = blind_spots_table(view, top=10)
    if blind.empty:
        st.caption("None: no manager rates themselves a point or more above their team.")
    else:
        ui.table_opening_managers(blind, key="overview_blind_spots")
    st.markdown("**Real drops since the period before**")
    drops = drops_table(view)
    if drops.empty:
        st.caption("None: no team's favorable % fell by a real change.")
    else:
        ui.table_opening_managers(
            drops,
            key="overview_drops",
            column_config={
                "Favorable before": st.column_config.NumberColumn(format="%.0f%%"),
                "Favorable now": st.column_config.NumberColumn(format="%.0f%%"),
                "Change (pts)": st.column_config.NumberColumn(format="%+.0f"),
            },
        )
    st.markdown("**Teams without a check-in for two weeks or more**")
    if view.stale.empty:
        st.caption("None: every manager checked in within the last two weeks.")
    else:
        st.caption(f"{len(view.stale):,} teams, the longest silence first.")
        ui.table_opening_managers(stale_table(view), key="overview_stale")
