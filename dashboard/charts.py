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
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, PROGRESS, item_label

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


def _axis(**settings) -> dict:
    return {"showgrid": True, "zeroline": False, **settings}


def _figure(traces: list[dict], height: int, **layout) -> go.Figure:
    base = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "font": {"size": 13},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        "hoverlabel": {"font": {"size": 13}},
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
    return go.Figure({"data": traces, "layout": base})


def _values(series: pd.Series) -> list:
    """Column values for Plotly, with missing ones as None (drawn as gaps)."""
    return [None if pd.isna(value) else value for value in series]


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
                "x": _values(rows[value]),
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
    return _figure(
        traces,
        60 + 48 * len(rows),
        xaxis={"range": [0.8, 5.2], "tickvals": [1, 2, 3, 4, 5], "title": {"text": "Mean on 1-5"}},
    )


def _line(frame: pd.DataFrame, key: str, **extra) -> dict:
    """One item's favorable % by round, with the answers behind each point."""
    return {
        "type": "scatter",
        "x": list(frame["round"]),
        "y": _values(frame[f"{key}_favorable_pct"]),
        "mode": "lines+markers",
        "connectgaps": False,
        "name": item_label(key),
        "line": {"color": COLOURS[key], "width": 2},
        "marker": {"size": 6},
        "customdata": [int(n) for n in frame[f"{key}_n"].fillna(0)],
        "hovertemplate": "%{y:.0f}% favorable (n=%{customdata})<extra>"
        + text(item_label(key))
        + "</extra>",
        **extra,
    }


def _round_axis(rounds: list) -> dict:
    """Ticks on the rounds themselves (at most about eight), so a week reads as the
    Monday it starts on, as everywhere else, rather than Plotly's Sunday ticks."""
    monthly = len(rounds) > 1 and (rounds[1] - rounds[0]).days >= 28
    return {
        "tickvals": rounds[:: -(-len(rounds) // 8) or 1],
        "tickformat": "%b %Y" if monthly else "%-d %b",
    }


def favorable_by_round(frame: pd.DataFrame, items: tuple[str, ...] = CATALYST_KEYS) -> go.Figure:
    """Favorable % by round, one line per item; rounds not shown are gaps, never zeros."""
    return _figure(
        [_line(frame, key) for key in items],
        360,
        xaxis=_round_axis(list(frame["round"])),
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Favorable"}},
    )


def _suffix(number: int) -> str:
    """Plotly names axes x, x2, x3 ... (the first has no number)."""
    return "" if number == 1 else str(number)


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
            suffix = _suffix(len(columns) * row + column)
            axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False}
            if shows == "team":
                traces.append(_line(by_round, key, **axes))
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
                        "y": _values(own[key]),
                        "mode": "markers",
                        "hovertemplate": "%{y} of 5<extra>" + label + "</extra>",
                        "marker": {"size": 9, "color": COLOURS[key], "symbol": "diamond"},
                        **axes,
                    }
                )
                y_axis = {"range": [0.5, 5.5], "tickvals": [1, 3, 5]}
                if len(columns) == 1:
                    y_axis["title"] = title
            shared = {} if row == 0 else {"matches": f"x{_suffix(column)}"}
            layout[f"xaxis{suffix}"] = _axis(
                domain=x_domain, anchor=f"y{suffix}", showticklabels=row == count - 1, **shared
            )
            layout[f"yaxis{suffix}"] = _axis(domain=y_domain, anchor=f"x{suffix}", **y_axis)
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
    return _figure(traces, 110 * count + 40, annotations=titles, **layout)


def progress_by_round(frame: pd.DataFrame) -> go.Figure:
    """The team's progress item, favorable % by round."""
    return _figure(
        [_line(frame, PROGRESS.key)],
        260,
        showlegend=False,
        xaxis=_round_axis(list(frame["round"])),
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
            "marker": {"color": "#16a34a"},
            "hovertemplate": "%{y:.0f} wins<extra></extra>",
        },
        {
            "type": "bar",
            "x": list(frame.week),
            "y": [-v for v in frame.setbacks],
            "name": "Setbacks",
            "marker": {"color": "#dc2626"},
            "customdata": list(frame.setbacks),
            "hovertemplate": "%{customdata:.0f} setbacks<extra></extra>",
        },
    ]
    return _figure(traces, 260, barmode="relative", yaxis={"title": {"text": "Logged"}})


# ---- HR overview -------------------------------------------------------------------------

# Purple-orange, colour-blind safe, diverging around a neutral midpoint.
DIVERGING = [[0.0, "#b35806"], [0.25, "#f1a340"], [0.5, "#f7f7f7"], [0.75, "#998ec3"],
             [1.0, "#542788"]]  # fmt: skip
NOT_SHOWN = "#d4d4d8"
REASONS = {
    "team_too_small": "team smaller than the minimum group size: never shown on its own",
    "too_few_responses": "fewer responses than the minimum group size",
    "no_responses": "no responses in this period",
}


def heatmap(teams: pd.DataFrame, metric: str, min_group_size: int, *, grouped: bool) -> go.Figure:
    """Teams (rows, with their manager) x the six catalysts and progress.

    ``teams``: queries.team_table rows in display order; ``metric`` "favorable_pct" or
    "mean"; ``grouped``: rows come in department blocks, which are ruled off and named
    on the right. Cells that cannot be shown stay grey and say why on hover; values
    are printed in the cells when the map is small. Rows sit at 0..n-1 with the labels
    as tick text, so two teams with the same name stay two rows.
    """
    favorable = metric == "favorable_pct"
    z, hover = _heatmap_cells(teams, metric, min_group_size)
    rows = list(range(len(teams)))
    labels = [
        text(f"{t} · {m}" if m else t)
        for t, m in zip(teams.team, teams.manager.fillna(""), strict=True)
    ]
    trace = {
        "type": "heatmap",
        "z": z,
        "x": [item_label(i) for i in ITEM_KEYS],
        "y": rows,
        "customdata": hover,
        "hoverongaps": True,
        "xgap": 2,
        "ygap": 2,
        "colorscale": DIVERGING,
        "zmin": 0 if favorable else 1,
        "zmax": 100 if favorable else 5,
        "zmid": 50 if favorable else 3,
        # A horizontal scale above the map (left, clear of the mode bar) leaves the right
        # margin to department names.
        "colorbar": {
            "title": {"text": "Favorable %" if favorable else "Mean (1-5)", "side": "right"},
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "len": 260,
            "lenmode": "pixels",
            "thickness": 10,
        },
        "hovertemplate": "%{customdata[0]}<br>%{x}: %{customdata[1]}<extra></extra>",
    }
    if len(teams) <= 40:
        trace["text"] = [
            ["" if v is None else (f"{v:.0f}" if favorable else f"{v:.1f}") for v in row]
            for row in z
        ]
        trace["texttemplate"] = "%{text}"
    shapes, notes = _department_blocks(list(teams.department)) if grouped else ([], [])
    return _figure(
        [trace],
        170 + 22 * len(teams),
        plot_bgcolor=NOT_SHOWN,
        shapes=shapes,
        annotations=notes,
        xaxis={"side": "top", "showgrid": False},
        yaxis={
            "autorange": False,
            "range": [len(rows) - 0.5, -0.5],
            "showgrid": False,
            "tickvals": rows,
            "ticktext": labels,
        },
        margin={"l": 10, "r": 150 if grouped else 10, "t": 110, "b": 10},
    )


def _heatmap_cells(
    teams: pd.DataFrame, metric: str, min_group_size: int
) -> tuple[list[list], list[list]]:
    """The heatmap's values (None where not shown) and each cell's hover words."""
    favorable = metric == "favorable_pct"
    z, hover = [], []
    for row in teams.itertuples():
        values, notes = [], []
        for item in ITEM_KEYS:
            value = getattr(row, f"{item}_{metric}")
            if pd.isna(value):
                values.append(None)
                reason = REASONS.get(row.status, f"fewer than {min_group_size} answers")
                notes.append(f"not shown: {reason}")
            else:
                values.append(round(float(value), 2))
                shown = f"{value:.0f}% favorable" if favorable else f"{value:.2f} on 1-5"
                notes.append(f"{shown} (n={int(getattr(row, f'{item}_n'))})")
        z.append(values)
        manager = row.manager if isinstance(row.manager, str) and row.manager else "no manager"
        where = text(f"{row.department} · {row.team} · {manager}")
        hover.append([[where, note] for note in notes])
    return z, hover


def _department_blocks(names: list[str]) -> tuple[list[dict], list[dict]]:
    """Lines between department blocks of rows, and each department's name on the right."""
    shapes, notes = [], []
    starts = [i for i, name in enumerate(names) if i == 0 or name != names[i - 1]]
    for first, after in zip(starts, [*starts[1:], len(names)], strict=True):
        if first:
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": -0.02,
                    "x1": 1.0,
                    "yref": "y",
                    "y0": first - 0.5,
                    "y1": first - 0.5,
                    "line": {"color": "#52525b", "width": 2},
                }
            )
        notes.append(
            {
                "xref": "paper",
                "x": 1.01,
                "xanchor": "left",
                "yref": "y",
                "y": (first + after - 1) / 2,
                "showarrow": False,
                "text": f"<b>{text(names[first])}</b>",
            }
        )
    return shapes, notes


def self_and_team(frame: pd.DataFrame, catalyst: str) -> go.Figure:
    """One point per manager: team mean (x) against self score (y) on 1-5, with the
    diagonal where they agree; blind spots (a point or more above) stand out."""
    rows = frame[frame.catalyst == catalyst]
    blind = rows.gap >= 1
    traces = [
        {
            "type": "scatter",
            "x": [1, 5],
            "y": [1, 5],
            "mode": "lines",
            "hoverinfo": "skip",
            "line": {"color": "#9ca3af", "dash": "dot"},
            "name": "self = team",
        }
    ]
    for name, chosen, colour, size in (
        ("Agree within a point", ~blind, "#998ec3", 8),
        ("Blind spot", blind, "#b35806", 11),
    ):
        part = rows[chosen]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": list(part.team_mean),
                "y": list(part.self_score),
                "marker": {"color": colour, "size": size, "opacity": 0.8},
                "customdata": [
                    [text(m), text(t), int(n)]
                    for m, t, n in zip(part.manager, part.team, part.team_answers, strict=True)
                ],
                "hovertemplate": "%{customdata[0]} (%{customdata[1]})<br>self %{y:.1f}, team "
                "%{x:.1f} (n=%{customdata[2]})<extra></extra>",
            }
        )
    axis = {"range": [0.8, 5.2], "tickvals": [1, 2, 3, 4, 5]}
    return _figure(
        traces,
        420,
        xaxis={**axis, "title": {"text": "Team's mean"}},
        yaxis={**axis, "title": {"text": "Manager's self score"}},
    )


def associations(frame: pd.DataFrame) -> go.Figure:
    """Per catalyst, the correlation across teams between its favorable % and progress'."""
    rows = frame.sort_values("r")
    return _figure(
        [
            {
                "type": "bar",
                "orientation": "h",
                "x": list(rows.r),
                "y": [item_label(c) for c in rows.catalyst],
                "marker": {"color": [COLOURS[c] for c in rows.catalyst]},
                "customdata": list(rows.n),
                "hovertemplate": "r = %{x:.2f} across %{customdata} teams<extra>%{y}</extra>",
            }
        ],
        60 + 40 * len(rows),
        xaxis={"range": [-1, 1], "title": {"text": "Correlation with progress"}},
    )


def catalyst_and_progress(teams: pd.DataFrame, catalyst: str) -> go.Figure:
    """One point per team: the catalyst's favorable % against progress'."""
    rows = teams.dropna(subset=[f"{catalyst}_favorable_pct", "progress_favorable_pct"])
    return _figure(
        [
            {
                "type": "scatter",
                "mode": "markers",
                "x": list(rows[f"{catalyst}_favorable_pct"]),
                "y": list(rows.progress_favorable_pct),
                "marker": {"color": COLOURS[catalyst], "size": 9, "opacity": 0.75},
                "customdata": [text(t) for t in rows.team],
                "hovertemplate": "%{customdata}: %{x:.0f}% / %{y:.0f}%<extra></extra>",
            }
        ],
        380,
        xaxis={
            "range": [0, 100],
            "ticksuffix": "%",
            "title": {"text": f"{item_label(catalyst)}: favorable"},
        },
        yaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "Progress: favorable"}},
    )


# ---- HR's manager detail ---------------------------------------------------------------------

CHECKED_IN, MISSED = "#0f766e", "#d4d4d8"
HALF_WEEK = timedelta(days=3.5)  # so the first and last week's markers are not cut in half


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
    return _figure(
        traces,
        150,
        xaxis=_round_axis(weeks),
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
        suffix = _suffix(index + 1)
        left, top = column * (width + gap), 1 - row * (height + 0.2)
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        label = text(item_label(key))
        traces.append(
            {
                "type": "scatter",
                "x": list(by_round["round"]),
                "y": _values(by_round[f"{key}_mean"]),
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
                "y": _values(own[key]),
                "mode": "markers",
                "name": "Manager's own rating",
                "legendgroup": "self",
                "showlegend": index == 0,
                "marker": {"symbol": "diamond", "size": 9, "color": SELF_COLOUR},
                "hovertemplate": f"Own rating: %{{y:.1f}}<extra>{label}</extra>",
                **axes,
            }
        )
        layout[f"xaxis{suffix}"] = _axis(
            domain=[left, left + width],
            anchor=f"y{suffix}",
            range=x_range,
            **{k: v for k, v in _round_axis(list(by_round["round"])).items() if k != "tickvals"},
            nticks=4,
        )
        layout[f"yaxis{suffix}"] = _axis(
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
    return _figure(traces, 480, annotations=annotations, legend={"y": -0.08}, **layout)


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
    return _figure(
        traces,
        60 + 34 * len(labels),
        xaxis={**_round_axis(weeks), "range": [weeks[0] - HALF_WEEK, weeks[-1] + HALF_WEEK]},
        yaxis={
            "categoryorder": "array",
            "categoryarray": labels[::-1],
            "type": "category",
            "range": [-0.5, len(labels) - 0.5],
        },
    )
