"""What every chart shares: colours (colour-blind safe), user text escaped for Plotly,
axes, lines, round ticks, and the figure assembled from plain dicts."""

from __future__ import annotations

import html
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import item_label

COLOURS = {
    "clear_goals": "#0072B2",
    "autonomy": "#E69F00",
    "resources": "#009E73",
    "help": "#CC79A7",
    "obstacle_removal": "#D55E00",
    "respect": "#56B4E9",
    "progress": "#8c8c8c",  # mid grey: reads on light and dark backgrounds
}


SELF_COLOUR, TEAM_COLOUR, ORG_COLOUR = "#0f766e", "#64748b", "#9ca3af"


def text(value: object) -> str:
    """User-provided text, safe inside Plotly labels and hovers."""
    return html.escape(str(value))


def axis(**settings) -> dict:
    return {"showgrid": True, "zeroline": False, **settings}


TRANSPARENT = "rgba(0,0,0,0)"


def assemble(traces: list[dict], height: int, **layout) -> go.Figure:
    base = {
        "height": height,
        # No plate of our own: Streamlit's light or dark theme shows through.
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "font": {"size": 13},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"font": {"size": 13}},
        "xaxis": axis(),
        "yaxis": axis(),
    }
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
    return go.Figure({"data": traces, "layout": base})


def gaps_as_none(series: pd.Series) -> list:
    """Column values for Plotly, with missing ones as None (drawn as gaps)."""
    return [None if pd.isna(value) else value for value in series]


def trend_line(frame: pd.DataFrame, key: str, measure: str = "favorable_pct", **extra) -> dict:
    """One item's favorable % (or mean on 1-5) by round, with the answers behind each point."""
    shown = "%{y:.0f}% favorable" if measure == "favorable_pct" else "%{y:.1f} of 5"
    return {
        "type": "scatter",
        "x": list(frame["round"]),
        "y": gaps_as_none(frame[f"{key}_{measure}"]),
        "mode": "lines+markers",
        "connectgaps": False,
        "name": item_label(key),
        "line": {"color": COLOURS[key], "width": 2},
        "marker": {"size": 6},
        "customdata": [int(n) for n in frame[f"{key}_n"].fillna(0)],
        "hovertemplate": shown + " (n=%{customdata})<extra>" + text(item_label(key)) + "</extra>",
        **extra,
    }


def round_axis(rounds: list, most: int = 8) -> dict:
    """Ticks on the rounds themselves (at most about ``most``), so a week reads as the
    Monday it starts on, as everywhere else, rather than Plotly's Sunday ticks."""
    monthly = len(rounds) > 1 and (rounds[1] - rounds[0]).days >= 28
    return {
        "tickvals": rounds[:: -(-len(rounds) // most) or 1],
        "tickformat": "%b %Y" if monthly else "%-d %b",
    }


def axis_suffix(number: int) -> str:
    """Plotly names axes x, x2, x3 ... (the first has no number)."""
    return "" if number == 1 else str(number)


# Purple-orange, colour-blind safe, diverging around a neutral midpoint.
DIVERGING = [[0.0, "#b35806"], [0.25, "#f1a340"], [0.5, "#f7f7f7"], [0.75, "#998ec3"],
             [1.0, "#542788"]]  # fmt: skip


NOT_SHOWN = "#d4d4d8"
RULE = "#8c8c8c"  # lines between blocks: 3.4:1 on white, 5.4:1 on the dark theme


REASONS = {
    "team_too_small": "team smaller than the minimum group size: never shown on its own",
    "too_few_responses": "fewer responses than the minimum group size",
    "no_responses": "no responses in this period",
}


# Wins and setbacks wherever they are drawn: blue and orange of the Okabe-Ito palette,
# told apart with every common colour vision deficiency (green and red are not).
WIN_COLOUR, SETBACK_COLOUR = "#0072B2", "#E69F00"


HALF_WEEK = timedelta(days=3.5)  # so the first and last week's markers are not cut in half
