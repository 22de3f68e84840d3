"""HR's manager detail below the team view: check-ins week by week and own ratings
against the team, drawn from the data manager_detail prepares."""

from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.catalysts import item_label
from dashboard.manager_detail import own_by_round
from dashboard.markdown import plain
from dashboard.team_view import TeamView


def render_history(view: TeamView, manager: str) -> None:
    """``manager``: the name as stored; shown as plain text."""
    name = plain(manager)
    weeks, own = view.weeks, view.self_by_week
    st.subheader("Check-ins week by week")
    st.caption(f"{name} checked in {len(own)} of {len(weeks)} weeks in this period.")
    st.plotly_chart(charts.checkins_by_week(own, weeks), width="stretch")

    st.subheader("Own ratings against the team's, over time")
    if not view.has_team_data or own.empty:
        st.caption("Needs both check-ins and team results that can be shown in this period.")
    else:
        st.caption(
            "Means on 1-5 per catalyst: the team's by round (line, gaps where a round "
            f"cannot be shown) and {name}'s own ratings in the same rounds (diamonds)."
        )
        st.plotly_chart(
            charts.self_and_team_by_round(view.rounds, own_by_round(view)), width="stretch"
        )

    st.subheader("Focus chosen, week by week")
    chosen = own.focus.dropna()
    if chosen.empty:
        st.caption("No focus chosen in this period.")
    else:
        most = chosen.value_counts()
        st.caption(
            f"The catalyst {name} chose to work on next, in {len(chosen)} check-ins; most "
            f"often {item_label(most.index[0])} ({most.iloc[0]} times)."
        )
        st.plotly_chart(charts.focus_by_week(own, weeks), width="stretch")
