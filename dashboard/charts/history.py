"""Manager detail's history charts: check-ins week by week, own ratings against the
team's by round, the focus chosen."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import CATALYST_KEYS, item_label
from dashboard.charts.base import (
    CHECKED_IN,
    COLOURS,
    HALF_WEEK,
    MISSED,
    SELF_COLOUR,
    TEAM_COLOUR,
    assemble,
    axis,
    axis_suffix,
    gaps_as_none,
    round_axis,
    text,
)


def checkins_by_week(own: pd.DataFrame, weeks: list) -> go.Figure:
    """One square per week: checked in (teal) or not (grey)."""
    done = set(own.week)
    status = ["checked in" if week in done else "no check-in" for week in weeks]
    traces = [
        {
            "type": "scatter",
            "x": [w for w, s in zip(weeks, status, strict=True) if s == label],
            "y": [0] * status.count(label),
            "mode": "markers",
            "name": label.capitalize(),
            "marker": {"symbol": "square", "size": 16, "color": colour},
            "hovertemplate": f"Week of %{{x|%-d %b %Y}}: {label}<extra></extra>",
        }
        for label, colour in (("checked in", CHECKED_IN), ("no check-in", MISSED))
    ]
    return assemble(
        traces,
        150,
        xaxis=round_axis(weeks),
        yaxis={"visible": False, "range": [-1, 1]},
        legend={"y": -0.35},
    )


def self_and_team_by_round(by_round: pd.DataFrame, own: pd.DataFrame) -> go.Figure:
    """Small multiples, one per catalyst, on 1-5: the team's mean by round (line) and
    the manager's own mean rating in the same rounds (diamonds)."""
    traces, layout, annotations = [], {}, []
    columns, gap = 3, 0.06
    width, height = (1 - gap * (columns - 1)) / columns, 0.38
    x_range = [min(by_round["round"]), max(by_round["round"])]
    for index, key in enumerate(CATALYST_KEYS):
        row, column = divmod(index, columns)
        suffix = axis_suffix(index + 1)
        left, top = column * (width + gap), 1 - row * (height + 0.2)
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        label = text(item_label(key))
        traces.append(
            {
                "type": "scatter",
                "x": list(by_round["round"]),
                "y": gaps_as_none(by_round[f"{key}_mean"]),
                "mode": "lines+markers",
                "connectgaps": False,
                "name": "Team mean",
                "legendgroup": "team",
                "showlegend": index == 0,
                "line": {"color": TEAM_COLOUR, "width": 2},
                "marker": {"size": 5},
                "customdata": [int(n) for n in by_round[f"{key}_n"]],
                "hovertemplate": f"Team: %{{y:.1f}} (n=%{{customdata}})<extra>{label}</extra>",
                **axes,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": list(own["round"]),
                "y": gaps_as_none(own[key]),
                "mode": "markers",
                "name": "Manager's own rating",
                "legendgroup": "self",
                "showlegend": index == 0,
                "marker": {"symbol": "diamond", "size": 9, "color": SELF_COLOUR},
                "hovertemplate": f"Own rating: %{{y:.1f}}<extra>{label}</extra>",
                **axes,
            }
        )
        layout[f"xaxis{suffix}"] = axis(
            domain=[left, left + width],
            anchor=f"y{suffix}",
            range=x_range,
            **{k: v for k, v in round_axis(list(by_round["round"])).items() if k != "tickvals"},
            nticks=4,
        )
        layout[f"yaxis{suffix}"] = axis(
            domain=[top - height, top], anchor=f"x{suffix}", range=[0.8, 5.2], tickvals=[1, 3, 5]
        )
        annotations.append(
            {
                "text": label,
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 13},
            }
        )
    return assemble(traces, 480, annotations=annotations, legend={"y": -0.08}, **layout)


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
