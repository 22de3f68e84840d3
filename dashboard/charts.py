"""Plotly figure builders: DataFrame in, Figure out. No I/O, no Streamlit.

One colour per catalyst everywhere (a colour-blind-safe palette). Means are
drawn on 1-5 and favorable % on 0-100, never on one axis. Text that came
from users is escaped before Plotly sees it (Plotly renders tags in labels).

Figures are assembled as plain dicts and validated once by ``go.Figure``:
building them trace by trace with ``make_subplots`` and ``update_*`` calls
cost eight times as much on every rerun.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import CATALYST_KEYS, PROGRESS, item_label

COLOURS = {
    "clear_goals": "#0072B2",
    "autonomy": "#E69F00",
    "resources": "#009E73",
    "help": "#CC79A7",
    "obstacle_removal": "#D55E00",
    "respect": "#56B4E9",
    "progress": "#3d3d3d",
}
SELF_COLOUR, TEAM_COLOUR, ORG_COLOUR = "#0f766e", "#1f2937", "#9ca3af"
GRID = "#eef0f2"


def text(value: object) -> str:
    """User-provided text, safe inside Plotly labels and hovers."""
    return html.escape(str(value))


def _axis(**settings) -> dict:
    return {"showgrid": True, "gridcolor": GRID, "zeroline": False, **settings}


def _figure(traces: list[dict], height: int, **layout) -> go.Figure:
    base = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "font": {"size": 13},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"font": {"size": 13}},
        "plot_bgcolor": "white",
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
    return go.Figure({"data": traces, "layout": base})


def _values(series: pd.Series) -> list:
    """Column values for Plotly, with missing ones as None (drawn as gaps)."""
    return [None if pd.isna(value) else value for value in series]


def self_vs_team(frame: pd.DataFrame) -> go.Figure:
    """Dumbbells on 1-5: the manager's self score, the team's mean, the benchmark.

    ``frame``: one row per catalyst with catalyst, self_score, self_weeks,
    team_mean, team_answers, benchmark_mean, benchmark_answers.
    """
    rows = frame.iloc[::-1]  # first catalyst on top
    labels = [item_label(k) for k in rows.catalyst]
    traces = [
        {"type": "scatter", "x": [own, team], "y": [label, label], "mode": "lines",
         "showlegend": False, "hoverinfo": "skip", "line": {"color": "#cbd5e1", "width": 6}}
        for label, own, team in zip(labels, rows.self_score, rows.team_mean, strict=True)
        if pd.notna(own) and pd.notna(team)
    ]  # fmt: skip
    markers = (
        ("Organization", "benchmark_mean", "benchmark_answers", ORG_COLOUR, "line-ns", 18,
         "answers"),
        ("Your team", "team_mean", "team_answers", TEAM_COLOUR, "circle", 14, "answers"),
        ("You", "self_score", "self_weeks", SELF_COLOUR, "diamond", 14, "weeks checked in"),
    )  # fmt: skip
    for name, value, count, colour, symbol, size, unit in markers:
        traces.append(
            {"type": "scatter", "x": _values(rows[value]), "y": labels, "mode": "markers",
             "name": name, "customdata": list(rows[count]),
             "marker": {"color": colour, "symbol": symbol, "size": size,
                        "line": {"width": 2, "color": colour}},
             "hovertemplate": f"{name}: %{{x:.1f}} (n=%{{customdata}} {unit})"
                              "<extra>%{y}</extra>"}
        )  # fmt: skip
    return _figure(
        traces, 60 + 48 * len(rows),
        xaxis={"range": [0.8, 5.2], "tickvals": [1, 2, 3, 4, 5], "title": {"text": "Mean on 1-5"}},
    )  # fmt: skip


def _line(frame: pd.DataFrame, key: str, **extra) -> dict:
    """One item's favorable % by round, with the answers behind each point."""
    return {
        "type": "scatter", "x": list(frame["round"]), "y": _values(frame[f"{key}_favorable_pct"]),
        "mode": "lines+markers", "connectgaps": False, "name": item_label(key),
        "line": {"color": COLOURS[key], "width": 2}, "marker": {"size": 6},
        "customdata": [int(n) for n in frame[f"{key}_n"].fillna(0)],
        "hovertemplate": "%{y:.0f}% favorable (n=%{customdata})<extra>"
                         + text(item_label(key)) + "</extra>",
        **extra,
    }  # fmt: skip


def favorable_by_round(frame: pd.DataFrame, items: tuple[str, ...] = CATALYST_KEYS) -> go.Figure:
    """Favorable % by round, one line per item; rounds not shown are gaps, never zeros."""
    return _figure(
        [_line(frame, key) for key in items], 360,
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Favorable"}},
    )  # fmt: skip


def _suffix(number: int) -> str:
    """Plotly names axes x, x2, x3 ... (the first has no number)."""
    return "" if number == 1 else str(number)


def catalyst_rows(by_round: pd.DataFrame | None, own: pd.DataFrame, weeks: list) -> go.Figure:
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
            suffix = _suffix(len(columns) * row + column)
            axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False}
            if shows == "team":
                traces.append(_line(by_round, key, **axes))
                y_axis = {"range": [0, 100], "tickvals": [0, 100], "ticktext": ["0%", "100%"],
                          "title": title}  # fmt: skip
            else:
                traces.append(
                    {"type": "scatter", "x": list(own.week), "y": _values(own[key]),
                     "mode": "markers", "hovertemplate": "%{y} of 5<extra>" + label + "</extra>",
                     "marker": {"size": 9, "color": COLOURS[key], "symbol": "diamond"}, **axes}
                )  # fmt: skip
                y_axis = {"range": [0.5, 5.5], "tickvals": [1, 3, 5]}
                if len(columns) == 1:
                    y_axis["title"] = title
            shared = {} if row == 0 else {"matches": f"x{_suffix(column)}"}
            layout[f"xaxis{suffix}"] = _axis(domain=x_domain, anchor=f"y{suffix}",
                                             showticklabels=row == count - 1, **shared)  # fmt: skip
            layout[f"yaxis{suffix}"] = _axis(domain=y_domain, anchor=f"x{suffix}", **y_axis)
    headings = (("Your team: favorable %", 0.23), ("You: your own rating (1-5)", 0.77))
    if by_round is None:
        headings = (("Your own rating (1-5)", 0.5),)
    titles = [
        {"text": title, "x": x, "y": 1.0, "xref": "paper", "yref": "paper", "showarrow": False,
         "yanchor": "bottom", "font": {"size": 14}}
        for title, x in headings
    ]  # fmt: skip
    return _figure(traces, 110 * count + 40, annotations=titles, **layout)


def progress_by_round(frame: pd.DataFrame) -> go.Figure:
    """The team's progress item, favorable % by round."""
    return _figure(
        [_line(frame, PROGRESS.key)], 260, showlegend=False,
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Favorable"}},
    )  # fmt: skip


def wins_and_setbacks(frame: pd.DataFrame, weeks: list) -> go.Figure:
    """Wins and setbacks logged per week, as bars (setbacks below the line)."""
    frame = pd.DataFrame({"week": weeks}).merge(frame, on="week", how="left").fillna(0)
    traces = [
        {"type": "bar", "x": list(frame.week), "y": list(frame.wins), "name": "Small wins",
         "marker": {"color": "#16a34a"}, "hovertemplate": "%{y:.0f} wins<extra></extra>"},
        {"type": "bar", "x": list(frame.week), "y": [-v for v in frame.setbacks],
         "name": "Setbacks", "marker": {"color": "#dc2626"}, "customdata": list(frame.setbacks),
         "hovertemplate": "%{customdata:.0f} setbacks<extra></extra>"},
    ]  # fmt: skip
    return _figure(traces, 260, barmode="relative", yaxis={"title": {"text": "Logged"}})
