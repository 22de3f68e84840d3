"""HR's manager detail below the team view: the focus chosen week by week. (Own ratings
against the team's, week by week, are the team view's catalyst rows above.)"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, ui
from dashboard.catalysts import item_label
from dashboard.markdown import plain
from dashboard.team_view import TeamView


def render_history(view: TeamView, manager: str) -> None:
    """``manager``: the name as stored; shown as plain text."""
    name = plain(manager)
    weeks, own = view.weeks, view.self_by_week
    st.subheader("Focus chosen, week by week")
    chosen = own.focus.dropna()
    if chosen.empty:
        st.caption("No focus chosen in this period.")
    else:
        most = chosen.value_counts()
        st.caption(
            f"{name} checked in {len(own)} of {len(weeks)} weeks in this period. The catalyst "
            f"{name} chose to work on next, in {len(chosen)} check-ins; most "
            f"often {item_label(most.index[0])} ({most.iloc[0]} times)."
        )
        ui.chart(
            charts.focus_by_week(own, weeks),
            pd.DataFrame({"Week": own.week, "Focus chosen": own.focus.map(item_label)}),
        )
