"""My team's charts (and HR's read-only copy): self vs team vs organization, favorable %
by round, each catalyst's rows, progress, wins and setbacks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import CATALYST_KEYS, PROGRESS, item_label
from dashboard.charts.base import (
    COLOURS,
    ORG_COLOUR,
    SELF_COLOUR,
    SETBACK_COLOUR,
    TEAM_COLOUR,
    WIN_COLOUR,
    assemble,
    axis,
    axis_suffix,
    gaps_as_none,
    round_axis,
    text,
    trend_line,
)


def self_vs_team(frame: pd.DataFrame, names: tuple[str, str] = ("You", "Your team")) -> go.Figure:
    """Dumbbells on 1-5: the manager's self score, the team's mean, the benchmark.

    ``frame``: one row per catalyst with catalyst, self_score, self_weeks,
    team_mean, team_answers, benchmark_mean, benchmark_answers; ``names``: what the
    legend calls the manager and the team.
    """
    rows = frame.iloc[::-1]  # first catalyst on top
    labels = [item_label(k) for k in rows.catalyst]
    traces = [
        {
            "type": "scatter",
            "x": [own, team],
            "y": [label, label],
            "mode": "lines",
            "showlegend": False,
            "hoverinfo": "skip",
            "line": {"color": "#cbd5e1", "width": 6},
        }
        for label, own, team in zip(labels, rows.self_score, rows.team_mean, strict=True)
        if pd.notna(own) and pd.notna(team)
    ]
    markers = (
        (
            "Organization",
            "benchmark_mean",
            "benchmark_answers",
            ORG_COLOUR,
            "line-ns",
            18,
            "answers",
        ),
        (names[1], "team_mean", "team_answers", TEAM_COLOUR, "circle", 14, "answers"),
        (names[0], "self_score", "self_weeks", SELF_COLOUR, "diamond", 14, "weeks checked in"),
    )
    for name, value, count, colour, symbol, size, unit in markers:
        traces.append(
            {
                "type": "scatter",
                "x": gaps_as_none(rows[value]),
                "y": labels,
                "mode": "markers",
                "name": text(name),
                "customdata": list(rows[count]),
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"width": 2, "color": colour},
                },
                "hovertemplate": f"{text(name)}: %{{x:.1f}} (n=%{{customdata}} {unit})"
                "<extra>%{y}</extra>",
            }
        )
    return assemble(
        traces,
        60 + 48 * len(rows),
        xaxis={"range": [0.8, 5.2], "tickvals": [1, 2, 3, 4, 5], "title": {"text": "Mean on 1-5"}},
    )


def favorable_by_round(frame: pd.DataFrame, items: tuple[str, ...] = CATALYST_KEYS) -> go.Figure:
    """Favorable % by round, one line per item; rounds not shown are gaps, never zeros."""
    return assemble(
        [trend_line(frame, key) for key in items],
        360,
        xaxis=round_axis(list(frame["round"])),
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Favorable"}},
    )


def catalyst_rows(
    by_round: pd.DataFrame | None,
    own: pd.DataFrame,
    weeks: list,
    headings: tuple[str, str] = ("Your team: favorable %", "You: your own rating"),
) -> go.Figure:
    """One row per catalyst: the team's favorable % by round on the left (0-100), the
    manager's own rating by week on the right (markers on 1-5). Rounds not shown and
    weeks without a check-in are gaps. Without team results (``by_round`` None) the
    manager's ratings take the whole width."""
    own = pd.DataFrame({"week": weeks}).merge(own, on="week", how="left")
    count, gap = len(CATALYST_KEYS), 0.045
    height = (1 - gap * (count - 1)) / count
    if by_round is None:
        columns = (("own", [0, 1]),)
    else:
        columns = (("team", [0, 0.46]), ("own", [0.54, 1]))
    traces, layout = [], {}
    for row, key in enumerate(CATALYST_KEYS):
        top = 1 - row * (height + gap)
        y_domain = [max(0.0, top - height), top]  # max: float rounding must not dip below 0
        label = text(item_label(key))
        title = {"text": label, "font": {"size": 12}}
        for column, (shows, x_domain) in enumerate(columns, start=1):
            suffix = axis_suffix(len(columns) * row + column)
            axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False}
            if shows == "team":
                traces.append(trend_line(by_round, key, **axes))
                y_axis = {
                    "range": [0, 100],
                    "tickvals": [0, 100],
                    "ticktext": ["0%", "100%"],
                    "title": title,
                }
            else:
                traces.append(
                    {
                        "type": "scatter",
                        "x": list(own.week),
                        "y": gaps_as_none(own[key]),
                        "mode": "markers",
                        "hovertemplate": "%{y} of 5<extra>" + label + "</extra>",
                        "marker": {"size": 9, "color": COLOURS[key], "symbol": "diamond"},
                        **axes,
                    }
                )
                y_axis = {"range": [0.5, 5.5], "tickvals": [1, 3, 5]}
                if len(columns) == 1:
                    y_axis["title"] = title
            shared = {} if row == 0 else {"matches": f"x{axis_suffix(column)}"}
            layout[f"xaxis{suffix}"] = axis(
                domain=x_domain, anchor=f"y{suffix}", showticklabels=row == count - 1, **shared
            )
            layout[f"yaxis{suffix}"] = axis(domain=y_domain, anchor=f"x{suffix}", **y_axis)
    own = f"{text(headings[1])} (1-5)"  # a manager's name is user text
    placed = ((text(headings[0]), 0.23), (own, 0.77)) if by_round is not None else ((own, 0.5),)
    titles = [
        {
            "text": title,
            "x": x,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 14},
        }
        for title, x in placed
    ]
    return assemble(traces, 110 * count + 40, annotations=titles, **layout)


def progress_by_round(frame: pd.DataFrame) -> go.Figure:
    """The team's progress item, favorable % by round."""
    return assemble(
        [trend_line(frame, PROGRESS.key)],
        260,
        showlegend=False,
        xaxis=round_axis(list(frame["round"])),
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Favorable"}},
    )


def wins_and_setbacks(frame: pd.DataFrame, weeks: list) -> go.Figure:
    """Wins and setbacks logged per week, as bars (setbacks below the line)."""
    frame = pd.DataFrame({"week": weeks}).merge(frame, on="week", how="left").fillna(0)
    traces = [
        {
            "type": "bar",
            "x": list(frame.week),
            "y": list(frame.wins),
            "name": "Small wins",
            "marker": {"color": WIN_COLOUR},
            "hovertemplate": "%{y:.0f} wins<extra></extra>",
        },
        {
            "type": "bar",
            "x": list(frame.week),
            "y": [-v for v in frame.setbacks],
            "name": "Setbacks",
            "marker": {"color": SETBACK_COLOUR},
            "customdata": list(frame.setbacks),
            "hovertemplate": "%{customdata:.0f} setbacks<extra></extra>",
        },
    ]
    return assemble(traces, 260, barmode="relative", yaxis={"title": {"text": "Logged"}})
