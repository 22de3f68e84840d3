"""Plotly figure builders: DataFrame in, Figure out. No I/O, no Streamlit.

One colour per catalyst everywhere (a colour-blind-safe palette). Means are
drawn on 1-5 and favorable % on 0-100, never on one axis. Text that came
from users is escaped before Plotly sees it (Plotly renders tags in labels).

Figures are assembled as plain dicts and validated once by ``go.Figure``:
building them trace by trace with ``make_subplots`` and ``update_*`` calls
cost eight times as much on every rerun."""

from dashboard.charts.base import (
    COLOURS,
    DIVERGING,
    HALF_WEEK,
    NOT_SHOWN,
    ORG_COLOUR,
    REASONS,
    SELF_COLOUR,
    SETBACK_COLOUR,
    TEAM_COLOUR,
    WIN_COLOUR,
    text,
)
from dashboard.charts.history import focus_by_week
from dashboard.charts.overview import associations, catalyst_and_progress, heatmap, self_and_team
from dashboard.charts.team import (
    catalyst_rows,
    favorable_by_round,
    progress_by_round,
    self_vs_team,
    wins_and_setbacks,
)

__all__ = [
    "COLOURS",
    "DIVERGING",
    "HALF_WEEK",
    "NOT_SHOWN",
    "ORG_COLOUR",
    "REASONS",
    "SELF_COLOUR",
    "SETBACK_COLOUR",
    "TEAM_COLOUR",
    "WIN_COLOUR",
    "associations",
    "catalyst_and_progress",
    "catalyst_rows",
    "favorable_by_round",
    "focus_by_week",
    "heatmap",
    "progress_by_round",
    "self_and_team",
    "self_vs_team",
    "text",
    "wins_and_setbacks",
]
