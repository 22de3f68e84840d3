"""Manager detail's history chart: the focus chosen, week by week. (Own ratings against
the team's are My team's catalyst rows, which Manager detail shows too.)"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import CATALYST_KEYS, item_label
from dashboard.charts.base import COLOURS, HALF_WEEK, assemble, round_axis


def focus_by_week(own: pd.DataFrame, weeks: list) -> go.Figure:
    """The catalyst chosen as next week's focus in each check-in, week by week."""
    chosen = own.dropna(subset=["focus"])
    labels = [item_label(k) for k in CATALYST_KEYS]
    traces = [
        {
            "type": "scatter",
            "x": list(rows.week),
            "y": [item_label(key)] * len(rows),
            "mode": "markers",
            "name": item_label(key),
            "showlegend": False,
            "marker": {"size": 13, "color": COLOURS[key]},
            "hovertemplate": "Week of %{x|%-d %b %Y}<extra>%{y}</extra>",
        }
        for key, rows in ((k, chosen[chosen.focus == k]) for k in CATALYST_KEYS)
    ]
    return assemble(
        traces,
        60 + 34 * len(labels),
        xaxis={**round_axis(weeks), "range": [weeks[0] - HALF_WEEK, weeks[-1] + HALF_WEEK]},
        yaxis={
            "categoryorder": "array",
            "categoryarray": labels[::-1],
            "type": "category",
            "range": [-0.5, len(labels) - 0.5],
        },
    )
