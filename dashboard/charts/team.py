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
    # The legend sits above the plot: below it, wrapped on a phone, it ran into the
    # axis title.
    return assemble(
        traces,
        90 + 48 * len(rows),
        xaxis={"range": [0.8, 5.2], "tickvals": [1, 2, 3, 4, 5], "title": {"text": "Mean on 1-5"}},
        legend={"y": 1.0, "yanchor": "bottom"},
        margin={"t": 50},
    )


PANELS_PER_ROW = 4


def favorable_by_round(frame: pd.DataFrame, items: tuple[str, ...] = CATALYST_KEYS) -> go.Figure:
    """Favorable % by round as small multiples: one panel per item, all on 0-100 and the
    same rounds (seven lines on one axis tangle). Rounds not shown are gaps, never zeros."""
    per_row = min(PANELS_PER_ROW, len(items))
    rows = -(-len(items) // per_row)
    gap_x, gap_y = 0.05, 0.16
    width, height = (1 - gap_x * (per_row - 1)) / per_row, (1 - gap_y * (rows - 1)) / rows
    ticks = round_axis(list(frame["round"]), most=3)
    traces, layout, titles = [], {}, []
    for number, key in enumerate(items):
        row, column = divmod(number, per_row)
        left, top = column * (width + gap_x), 1 - row * (height + gap_y)
        suffix = axis_suffix(number + 1)
        traces.append(trend_line(frame, key, xaxis=f"x{suffix}", yaxis=f"y{suffix}"))
        shared = {} if number == 0 else {"matches": "x"}
        layout[f"xaxis{suffix}"] = axis(
            domain=[left, left + width], anchor=f"y{suffix}", **ticks, **shared
        )
        layout[f"yaxis{suffix}"] = axis(
            domain=[max(0.0, top - height), top],
            anchor=f"x{suffix}",
            range=[0, 100],
            tickvals=[0, 50, 100],
            ticksuffix="%",
            showticklabels=column == 0,
        )
        titles.append(
            {
                "text": text(item_label(key)),
                "x": left + width / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 13},
            }
        )
    return assemble(traces, 200 * rows + 40, showlegend=False, annotations=titles, **layout)


def catalyst_rows(
    by_round: pd.DataFrame | None,
    own: pd.DataFrame,
    weeks: list,
    headings: tuple[str, str] = ("Team mean", "You: own rating"),
) -> go.Figure:
    """One row per catalyst: the team's mean by round on the left, the manager's own
    rating by week on the right, both on 1-5 (one scale per chart: favorable % is drawn
    elsewhere, never beside a 1-5 axis). Rounds not shown and weeks without a check-in
    are gaps. Without team results (``by_round`` None) the manager's ratings take the
    whole width."""
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
                traces.append(trend_line(by_round, key, "mean", **axes))
                y_axis = {"range": [0.5, 5.5], "tickvals": [1, 3, 5], "title": title}
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
    team, own = (f"{text(heading)} (1-5)" for heading in headings)  # a name is user text
    placed = ((team, 0.23), (own, 0.77)) if by_round is not None else ((own, 0.5),)
    titles = [
        {
            "text": title,
            "x": x,
            "y": 1.0,
            "xref": "paper",
            "yref": "paper",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 12},
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
