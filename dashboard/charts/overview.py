"""The HR overview's charts: the teams x catalysts heatmap, self vs team across
managers, what goes with progress."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.catalysts import ITEM_KEYS, item_label
from dashboard.charts.base import COLOURS, DIVERGING, NOT_SHOWN, REASONS, RULE, assemble, text


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
    # Cells that cannot be shown are grey cells of their own (no hover: the map's gaps
    # say why), so the plot keeps no background plate that would glare in the dark theme.
    grey = {
        "type": "heatmap",
        "z": [[1 if v is None else None for v in row] for row in z],
        "x": trace["x"],
        "y": rows,
        "xgap": 2,
        "ygap": 2,
        "colorscale": [[0.0, NOT_SHOWN], [1.0, NOT_SHOWN]],
        "showscale": False,
        "hoverinfo": "skip",
        "name": "not shown",
    }
    shapes, notes = _department_blocks(list(teams.department)) if grouped else ([], [])
    return assemble(
        [trace, grey],
        170 + 22 * len(teams),
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
                shown = f"{value:.0f}% favorable" if favorable else f"{value:.1f} on 1-5"
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
                    "line": {"color": RULE, "width": 2},
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
    return assemble(
        traces,
        420,
        xaxis={**axis, "title": {"text": "Team's mean"}},
        yaxis={**axis, "title": {"text": "Manager's self score"}},
    )


def associations(frame: pd.DataFrame) -> go.Figure:
    """Per catalyst, the correlation across teams between its favorable % and progress'."""
    rows = frame.sort_values("r")
    return assemble(
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
    return assemble(
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
