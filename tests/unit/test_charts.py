"""The Plotly figure builders on small hand-built frames: what a user would see (traces,
plotted values, gaps, axes, titles, hover counts) and that text from users reaches
Plotly escaped, wherever it lands.

The frames have exactly the columns the builders read, in the shapes the read API
gives them (queries.team_rounds / trends, team_table, self_vs_team, checkins.self_scores
and progress_counts, overview.self_team and associations), so every expected value
below is computed by hand.
"""

from __future__ import annotations

import html
import inspect
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, item_label

NAN = float("nan")
WEEKS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(4)]  # Mondays
ROUNDS = WEEKS  # a weekly cadence: one round per week
LABELS = [item_label(k) for k in ITEM_KEYS]  # the six catalysts, then Progress
CATALYST_LABELS = [item_label(k) for k in CATALYST_KEYS]

# By round (four weekly rounds). Round 2 cannot be shown (no values, n 0); in round 3
# progress alone is not shown (too few answers to that item).
FAVORABLE = {
    "clear_goals": [80.0, None, 60.0, 70.0],
    "autonomy": [50.0, None, 25.0, 40.0],
    "resources": [70.0, None, 75.0, 80.0],
    "help": [90.0, None, 85.0, 95.0],
    "obstacle_removal": [40.0, None, 35.0, 30.0],
    "respect": [100.0, None, 65.0, 55.0],
    "progress": [60.0, None, None, 50.0],
}
MEANS = {
    "clear_goals": [4.1, None, 3.6, 3.9],
    "autonomy": [3.2, None, 2.9, 3.0],
    "resources": [3.8, None, 3.9, 4.0],
    "help": [4.4, None, 4.2, 4.5],
    "obstacle_removal": [2.7, None, 2.6, 2.5],
    "respect": [4.6, None, 3.7, 3.4],
    "progress": [3.5, None, None, 3.3],
}
ANSWERS = {key: [10, 0, 8, 9] for key in CATALYST_KEYS} | {"progress": [10, 0, 0, 9]}

# The manager's check-ins (checkins.self_scores): weeks 1 and 3 only.
OWN = {
    "clear_goals": [4, 2],
    "autonomy": [5, 3],
    "resources": [3, 3],
    "help": [2, 4],
    "obstacle_removal": [1, 5],
    "respect": [4, 4],
}
OWN_WEEKS = [WEEKS[0], WEEKS[2]]

PAYLOAD = '<b>x</b> <a href="https://evil.example">x</a> <img src=x onerror=alert(1)> $\\alpha$'
RAW = ("<a ", "<img", "<b>x")  # what must never reach the figure from user text


def rounds_frame(favorable=FAVORABLE, means=MEANS, answers=ANSWERS) -> pd.DataFrame:
    """As queries.team_rounds / trends: every round, n, mean and favorable % per item."""
    frame = pd.DataFrame({"round": ROUNDS})
    for key in ITEM_KEYS:
        frame[f"{key}_n"] = answers[key]
        frame[f"{key}_mean"] = pd.Series(means[key], dtype=float)
        frame[f"{key}_favorable_pct"] = pd.Series(favorable[key], dtype=float)
    frame["responses"] = [10, 0, 8, 9]
    return frame


def own_frame() -> pd.DataFrame:
    """As checkins.self_scores: one row per week checked in, ratings and next focus."""
    return pd.DataFrame({"week": OWN_WEEKS, **OWN, "focus": ["autonomy", None]})


def as_list(values) -> list:
    """A trace's data array as plain nested lists (Plotly hands back tuples)."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, list | tuple):
        return [as_list(v) for v in values]
    return values


def shown(label: str) -> str:
    """A label as Plotly prints it: entities such as "&amp;" read as the character."""
    return html.unescape(label)


def trace_named(figure: go.Figure, name: str):
    (found,) = [t for t in figure.data if t.name == name]
    return found


# ---- text ------------------------------------------------------------------------------


def test_text_escapes_the_characters_plotly_reads_as_markup():
    assert charts.text('<b>A & "B"</b>') == "&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt;"
    assert charts.text("<a href='x'>") == "&lt;a href=&#x27;x&#x27;&gt;"
    assert charts.text("North") == "North"  # plain names stay as they are
    assert charts.text(42) == "42"


# ---- My Team -----------------------------------------------------------------------------


def comparison_frame() -> pd.DataFrame:
    """As team_view's comparison (queries.self_vs_team plus the benchmark): one row per
    catalyst. The manager has no self score for help; the team none for respect."""
    return pd.DataFrame(
        {
            "catalyst": list(CATALYST_KEYS),
            "self_score": [4.5, 3.0, 4.0, NAN, 2.0, 5.0],
            "self_weeks": [4, 4, 3, 0, 4, 2],
            "team_mean": [3.2, 3.5, 4.0, 3.9, 2.5, NAN],
            "team_answers": [14, 15, 13, 12, 14, 0],
            "benchmark_mean": [3.6, 3.4, 3.8, 4.0, 3.1, 3.9],
            "benchmark_answers": [120, 118, 121, 119, 117, 122],
        }
    )


def test_self_vs_team_puts_each_mean_on_its_catalyst_with_the_first_catalyst_on_top():
    figure = charts.self_vs_team(comparison_frame(), ("Ann Lee", "The team"))
    bottom_up = CATALYST_LABELS[::-1]  # a category axis draws its first category lowest
    manager, team, org = (trace_named(figure, n) for n in ("Ann Lee", "The team", "Organization"))
    assert as_list(manager.y) == as_list(team.y) == as_list(org.y) == bottom_up
    assert as_list(manager.x) == [5.0, 2.0, None, 4.0, 3.0, 4.5]  # no self score: no marker
    assert as_list(team.x) == [None, 2.5, 3.9, 4.0, 3.5, 3.2]
    assert as_list(org.x) == [3.9, 3.1, 4.0, 3.8, 3.4, 3.6]
    # The hover says on how many weeks or answers each mean stands.
    assert as_list(manager.customdata) == [2, 4, 0, 3, 4, 4]
    assert as_list(team.customdata) == [0, 14, 12, 13, 15, 14]
    assert as_list(org.customdata) == [122, 117, 119, 121, 118, 120]
    assert "(n=%{customdata} weeks checked in)" in manager.hovertemplate
    assert "(n=%{customdata} answers)" in team.hovertemplate
    assert "(n=%{customdata} answers)" in org.hovertemplate
    assert [manager.marker.symbol, team.marker.symbol] == ["diamond", "circle"]


def test_self_vs_team_joins_self_and_team_only_where_both_exist():
    figure = charts.self_vs_team(comparison_frame(), ("You", "Your team"))
    lines = [t for t in figure.data if t.mode == "lines"]
    # Four catalysts have both means (help lacks the self score, respect the team mean).
    assert [(as_list(t.x), as_list(t.y)) for t in lines] == [
        ([2.0, 2.5], ["Obstacle removal"] * 2),
        ([4.0, 4.0], ["Resources"] * 2),
        ([3.0, 3.5], ["Autonomy"] * 2),
        ([4.5, 3.2], ["Clear goals"] * 2),
    ]
    assert all(t.showlegend is False for t in lines)
    assert [t.name for t in figure.data if t.mode == "markers"] == [
        "Organization",
        "Your team",
        "You",
    ]
    assert len(figure.data) == 4 + 3


def test_self_vs_team_draws_means_on_one_to_five():
    axis = charts.self_vs_team(comparison_frame()).layout.xaxis
    assert list(axis.range) == [0.8, 5.2]
    assert list(axis.tickvals) == [1, 2, 3, 4, 5]
    assert axis.title.text == "Mean on 1-5"


def test_favorable_by_round_draws_one_panel_per_item_with_gaps_for_rounds_not_shown():
    figure = charts.favorable_by_round(rounds_frame(), ITEM_KEYS)
    assert [t.name for t in figure.data] == LABELS
    for key, trace in zip(ITEM_KEYS, figure.data, strict=True):
        assert as_list(trace.x) == ROUNDS
        assert as_list(trace.y) == FAVORABLE[key]  # None, never 0, where not shown
        assert trace.connectgaps is False  # no line drawn across a round not shown
        assert as_list(trace.customdata) == ANSWERS[key]
        assert "% favorable (n=%{customdata})" in trace.hovertemplate
        assert item_label(key) in html.unescape(trace.hovertemplate)
        assert trace.line.color == charts.COLOURS[key]
    # Progress is also missing from round 3 alone.
    assert as_list(figure.data[-1].y) == [60.0, None, None, 50.0]
    # Small multiples: each item on its own panel, all on 0-100, named above it.
    assert len({(t.xaxis, t.yaxis) for t in figure.data}) == len(ITEM_KEYS)
    for trace in figure.data:
        y_axis = _axis_of(figure, trace.yaxis, "y")
        assert list(y_axis.range) == [0, 100] and y_axis.ticksuffix == "%"
    assert [shown(a.text) for a in figure.layout.annotations] == LABELS


def test_favorable_by_round_shows_only_the_items_asked_for():
    figure = charts.favorable_by_round(rounds_frame(), ("autonomy", "progress"))
    assert [t.name for t in figure.data] == ["Autonomy", "Progress"]
    assert as_list(figure.data[0].y) == [50.0, None, 25.0, 40.0]
    default = charts.favorable_by_round(rounds_frame())
    assert [t.name for t in default.data] == CATALYST_LABELS


def test_round_ticks_read_weeks_as_days_and_months_as_months_and_thin_out():
    weekly = charts.progress_by_round(rounds_frame()).layout.xaxis
    assert as_list(weekly.tickvals) == ROUNDS  # every round labelled when there are few
    assert weekly.tickformat == "%-d %b"
    months = [date(2026, m, 1) for m in range(1, 13)]
    frame = pd.DataFrame({"round": months})
    for key in ITEM_KEYS:
        frame[f"{key}_n"], frame[f"{key}_favorable_pct"] = 10, 50.0
    monthly = charts.progress_by_round(frame).layout.xaxis
    assert monthly.tickformat == "%b %Y"
    assert as_list(monthly.tickvals) == months[::2]  # twelve rounds: every second labelled


def _axis_of(figure: go.Figure, reference: str, kind: str):
    """The layout axis a trace's "x2"/"y3" reference names."""
    return figure.layout[f"{kind}axis{reference[1:]}"]


def test_catalyst_rows_put_team_means_left_and_own_ratings_right_on_one_scale_with_gaps():
    figure = charts.catalyst_rows(rounds_frame(), own_frame(), WEEKS)
    assert len(figure.data) == 2 * len(CATALYST_KEYS)
    for row, key in enumerate(CATALYST_KEYS):
        team, own = figure.data[2 * row], figure.data[2 * row + 1]
        assert as_list(team.x) == ROUNDS
        assert as_list(team.y) == MEANS[key]  # the round not shown is a gap
        assert team.connectgaps is False
        assert as_list(team.customdata) == ANSWERS[key]
        assert "(n=%{customdata})" in team.hovertemplate
        assert as_list(own.x) == WEEKS
        first, third = OWN[key]
        assert as_list(own.y) == [first, None, third, None]  # weeks without a check-in
        assert own.mode == "markers"
        # Team means and own ratings side by side on the same 1-5 scale.
        team_axis, own_axis = _axis_of(figure, team.yaxis, "y"), _axis_of(figure, own.yaxis, "y")
        assert team.yaxis != own.yaxis
        assert list(team_axis.range) == list(own_axis.range) == [0.5, 5.5]
        assert "of 5" in team.hovertemplate
        assert list(own_axis.tickvals) == [1, 3, 5]
        assert shown(team_axis.title.text) == item_label(key)  # each row named on the left
        # The dates show under the bottom row only.
        for trace in (team, own):
            assert _axis_of(figure, trace.xaxis, "x").showticklabels == (row == 5)
    assert [a.text for a in figure.layout.annotations] == [
        "Team mean (1-5)",
        "You: own rating (1-5)",
    ]


def test_catalyst_rows_without_team_results_give_the_own_ratings_the_whole_width():
    headings = ("The team: favorable %", "Ann Lee: own rating")
    figure = charts.catalyst_rows(None, own_frame(), WEEKS, headings)
    assert len(figure.data) == len(CATALYST_KEYS)
    for key, trace in zip(CATALYST_KEYS, figure.data, strict=True):
        first, third = OWN[key]
        assert as_list(trace.y) == [first, None, third, None]
        axis = _axis_of(figure, trace.yaxis, "y")
        assert list(axis.range) == [0.5, 5.5]
        assert shown(axis.title.text) == item_label(key)
        assert list(_axis_of(figure, trace.xaxis, "x").domain) == [0, 1]
    assert [a.text for a in figure.layout.annotations] == ["Ann Lee: own rating (1-5)"]


def test_progress_by_round_draws_the_progress_item_with_its_gaps():
    figure = charts.progress_by_round(rounds_frame())
    (trace,) = figure.data
    assert trace.name == "Progress"
    assert as_list(trace.x) == ROUNDS
    assert as_list(trace.y) == [60.0, None, None, 50.0]
    assert trace.connectgaps is False
    assert as_list(trace.customdata) == [10, 0, 0, 9]
    assert "(n=%{customdata})" in trace.hovertemplate
    assert list(figure.layout.yaxis.range) == [0, 100]
    assert figure.layout.yaxis.title.text == "Favorable"
    assert figure.layout.showlegend is False


def test_wins_and_setbacks_count_every_week_with_setbacks_below_the_line():
    logged = pd.DataFrame({"week": OWN_WEEKS, "wins": [2, 1], "setbacks": [1, 3]})
    figure = charts.wins_and_setbacks(logged, WEEKS)
    wins, setbacks = trace_named(figure, "Small wins"), trace_named(figure, "Setbacks")
    assert len(figure.data) == 2
    assert wins.type == setbacks.type == "bar"
    assert as_list(wins.x) == as_list(setbacks.x) == WEEKS
    assert as_list(wins.y) == [2, 0, 1, 0]  # a week with nothing logged counts 0
    assert as_list(setbacks.y) == [-1, 0, -3, 0]
    assert as_list(setbacks.customdata) == [1, 0, 3, 0]  # the hover counts them positive
    assert "%{customdata:.0f} setbacks" in setbacks.hovertemplate
    assert figure.layout.barmode == "relative"
    assert figure.layout.yaxis.title.text == "Logged"
    # blue and orange (Okabe-Ito), told apart without red-green colour vision
    assert (wins.marker.color, setbacks.marker.color) == ("#0072B2", "#E69F00")
    assert (charts.WIN_COLOUR, charts.SETBACK_COLOUR) == ("#0072B2", "#E69F00")


# ---- HR overview -----------------------------------------------------------------------------


def teams_frame(managers=("Ann Lee", "Bob Roy", "Cy Ng", "Di Fox")) -> pd.DataFrame:
    """As queries.team_table (ordered by department): North shown, South too small to
    show, East shown but for progress, West with too few responses."""
    favorable = [[80, 50, 70, 90, 40, 100, 60], [NAN] * 7, [25, 60, 75, 85, 35, 65, NAN], [NAN] * 7]
    means = [
        [4.1, 3.2, 3.8, 4.4, 2.7, 4.6, 3.5],
        [NAN] * 7,
        [2.4, 3.3, 3.9, 4.2, 2.6, 3.7, NAN],
        [NAN] * 7,
    ]
    answers = [[10, 10, 9, 10, 10, 10, 7], [0] * 7, [8, 8, 8, 8, 8, 8, 0], [0] * 7]
    frame = pd.DataFrame(
        {
            "department": ["Sales", "Sales", "Ops", "Ops"],
            "team": ["North", "South", "East", "West"],
            "manager": list(managers),
            "status": ["shown", "team_too_small", "shown", "too_few_responses"],
            "responses": [10, 0, 8, 0],
        }
    )
    for column, key in enumerate(ITEM_KEYS):
        frame[f"{key}_favorable_pct"] = [float(row[column]) for row in favorable]
        frame[f"{key}_mean"] = [float(row[column]) for row in means]
        frame[f"{key}_n"] = [row[column] for row in answers]
    return frame


def test_heatmap_shows_each_teams_favorable_per_item_and_leaves_the_rest_grey():
    figure = charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=False)
    trace, grey = figure.data
    assert trace.type == "heatmap"
    assert as_list(trace.x) == LABELS
    assert as_list(trace.z) == [
        [80.0, 50.0, 70.0, 90.0, 40.0, 100.0, 60.0],
        [None] * 7,  # never shown: a grey cell of the trace below
        [25.0, 60.0, 75.0, 85.0, 35.0, 65.0, None],
        [None] * 7,
    ]
    assert as_list(grey.z) == [[None] * 7, [1] * 7, [None] * 6 + [1], [1] * 7]
    assert {colour for _, colour in grey.colorscale} == {charts.NOT_SHOWN}
    assert grey.hoverinfo == "skip" and grey.showscale is False
    assert figure.layout.plot_bgcolor == figure.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert trace.hoverongaps is True  # grey cells still say why on hover
    assert as_list(trace.text) == [
        ["80", "50", "70", "90", "40", "100", "60"],
        [""] * 7,
        ["25", "60", "75", "85", "35", "65", ""],
        [""] * 7,
    ]
    assert [trace.zmin, trace.zmid, trace.zmax] == [0, 50, 100]
    assert trace.colorbar.title.text == "Favorable %"


def test_heatmap_rows_are_the_teams_with_their_managers_first_team_on_top():
    figure = charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=False)
    axis = figure.layout.yaxis
    assert as_list(figure.data[0].y) == [0, 1, 2, 3]
    assert as_list(axis.tickvals) == [0, 1, 2, 3]
    assert as_list(axis.ticktext) == [
        "North · Ann Lee",
        "South · Bob Roy",
        "East · Cy Ng",
        "West · Di Fox",
    ]
    assert list(axis.range) == [3.5, -0.5]  # reversed: the first row at the top
    assert figure.layout.xaxis.side == "top"


def test_heatmap_hover_names_the_team_and_gives_n_or_why_a_cell_is_not_shown():
    hover = as_list(
        charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=False).data[0].customdata
    )
    assert hover[0][0] == ["Sales · North · Ann Lee", "80% favorable (n=10)"]
    assert hover[0][6] == ["Sales · North · Ann Lee", "60% favorable (n=7)"]
    assert hover[1][3] == [
        "Sales · South · Bob Roy",
        "not shown: team smaller than the minimum group size: never shown on its own",
    ]
    assert hover[2][1] == ["Ops · East · Cy Ng", "60% favorable (n=8)"]
    assert hover[2][6] == ["Ops · East · Cy Ng", "not shown: fewer than 5 answers"]
    assert hover[3][0][1] == "not shown: fewer responses than the minimum group size"
    template = charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=False).data[0]
    assert "%{customdata[0]}" in template.hovertemplate
    assert "%{customdata[1]}" in template.hovertemplate


def test_heatmap_of_means_is_on_one_to_five():
    trace = charts.heatmap(teams_frame(), "mean", 5, grouped=False).data[0]
    assert as_list(trace.z)[0] == [4.1, 3.2, 3.8, 4.4, 2.7, 4.6, 3.5]
    assert as_list(trace.z)[1] == [None] * 7
    assert as_list(trace.text)[2] == ["2.4", "3.3", "3.9", "4.2", "2.6", "3.7", ""]
    assert [trace.zmin, trace.zmid, trace.zmax] == [1, 3, 5]
    assert trace.colorbar.title.text == "Mean (1-5)"
    assert as_list(trace.customdata)[0][0][1] == "4.1 on 1-5 (n=10)"


def test_heatmap_grouped_by_department_rules_off_and_names_each_block():
    figure = charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=True)
    notes = figure.layout.annotations
    assert [n.text for n in notes] == ["<b>Sales</b>", "<b>Ops</b>"]
    assert [n.y for n in notes] == [0.5, 2.5]  # the middle of each block's rows
    assert [n.yref for n in notes] == ["y", "y"]
    (rule,) = figure.layout.shapes  # one line, between Sales and Ops
    assert (rule.y0, rule.y1, rule.yref) == (1.5, 1.5, "y")
    ranked = charts.heatmap(teams_frame(), "favorable_pct", 5, grouped=False)
    assert not ranked.layout.annotations and not ranked.layout.shapes


def test_heatmap_keeps_teams_of_the_same_name_apart_and_prints_no_values_when_large():
    many = pd.concat([teams_frame()] * 11, ignore_index=True)  # 44 rows, names repeated
    trace = charts.heatmap(many, "favorable_pct", 5, grouped=False).data[0]
    assert len(as_list(trace.z)) == len(as_list(trace.y)) == 44
    assert as_list(trace.z)[40] == as_list(trace.z)[0]
    assert trace.text is None  # too many cells to print values legibly


def test_heatmap_hover_of_a_team_without_a_manager_says_no_manager_not_nan():
    # queries.team_table reads managers through a LEFT JOIN; DuckDB hands a missing one
    # to pandas as NaN when other teams have managers (the usual case).
    frame = teams_frame(managers=("Ann Lee", "Bob Roy", NAN, "Di Fox"))
    figure = charts.heatmap(frame, "favorable_pct", 5, grouped=False)
    assert as_list(figure.layout.yaxis.ticktext)[2] == "East"  # the label already copes
    assert as_list(figure.data[0].customdata)[2][0][0] == "Ops · East · no manager"


def self_team_frame() -> pd.DataFrame:
    """As overview's self_team: one row per manager, team and catalyst."""
    return pd.DataFrame(
        {
            "catalyst": ["clear_goals"] * 3 + ["autonomy"],
            "manager": ["Ann Lee", "Bob Roy", "Cy Ng", "Ann Lee"],
            "team": ["North", "South", "East", "North"],
            "department": ["Sales", "Sales", "Ops", "Sales"],
            "self_score": [4.5, 3.0, 4.0, 2.0],
            "team_mean": [3.0, 3.5, 3.0, 4.0],
            "team_answers": [14, 12, 9, 14],
            "gap": [1.5, -0.5, 1.0, -2.0],
        }
    )


def test_self_and_team_plots_each_manager_and_marks_blind_spots_of_a_point_or_more():
    figure = charts.self_and_team(self_team_frame(), "clear_goals")
    assert [t.name for t in figure.data] == ["self = team", "Agree within a point", "Blind spot"]
    diagonal, agree, blind = figure.data
    assert (as_list(diagonal.x), as_list(diagonal.y)) == ([1, 5], [1, 5])
    assert (as_list(agree.x), as_list(agree.y)) == ([3.5], [3.0])  # team mean x, self y
    assert as_list(agree.customdata) == [["Bob Roy", "South", 12]]
    assert (as_list(blind.x), as_list(blind.y)) == ([3.0, 3.0], [4.5, 4.0])  # gap 1 counts
    assert as_list(blind.customdata) == [["Ann Lee", "North", 14], ["Cy Ng", "East", 9]]
    assert "(n=%{customdata[2]})" in blind.hovertemplate
    assert "%{customdata[0]} (%{customdata[1]})" in blind.hovertemplate
    layout = figure.layout
    assert list(layout.xaxis.range) == list(layout.yaxis.range) == [0.8, 5.2]
    assert layout.xaxis.title.text == "Team's mean"
    assert layout.yaxis.title.text == "Manager's self score"


def test_self_and_team_shows_only_the_chosen_catalyst():
    _, agree, blind = charts.self_and_team(self_team_frame(), "autonomy").data
    assert as_list(agree.customdata) == [["Ann Lee", "North", 14]]
    assert (as_list(agree.x), as_list(agree.y)) == ([4.0], [2.0])
    assert as_list(blind.x) == []


def test_associations_rank_the_catalysts_by_their_correlation_with_progress():
    found = pd.DataFrame(
        {
            "catalyst": list(CATALYST_KEYS),
            "r": [0.42, -0.1, 0.8, 0.05, 0.61, 0.3],
            "n": [12, 12, 11, 12, 12, 10],
        }
    )
    figure = charts.associations(found)
    (bars,) = figure.data
    assert bars.orientation == "h"
    assert as_list(bars.x) == [-0.1, 0.05, 0.3, 0.42, 0.61, 0.8]  # strongest at the top
    assert as_list(bars.y) == [
        "Autonomy",
        "Help",
        "Respect & recognition",
        "Clear goals",
        "Obstacle removal",
        "Resources",
    ]
    assert as_list(bars.customdata) == [12, 12, 10, 12, 12, 11]
    assert "across %{customdata} teams" in bars.hovertemplate
    keys = ["autonomy", "help", "respect", "clear_goals", "obstacle_removal", "resources"]
    assert as_list(bars.marker.color) == [charts.COLOURS[k] for k in keys]
    assert list(figure.layout.xaxis.range) == [-1, 1]
    assert figure.layout.xaxis.title.text == "Correlation with progress"


def test_catalyst_and_progress_plots_each_team_that_has_both_values():
    figure = charts.catalyst_and_progress(teams_frame(), "autonomy")
    (points,) = figure.data
    # South and West show nothing; East has autonomy but no progress to set it against.
    assert as_list(points.x) == [50.0]
    assert as_list(points.y) == [60.0]
    assert as_list(points.customdata) == ["North"]
    assert "%{customdata}: %{x:.0f}% / %{y:.0f}%" in points.hovertemplate
    both = teams_frame()
    both.loc[2, "progress_favorable_pct"] = 45.0
    (points,) = charts.catalyst_and_progress(both, "help").data
    assert (as_list(points.x), as_list(points.y)) == ([90.0, 85.0], [60.0, 45.0])
    assert as_list(points.customdata) == ["North", "East"]
    layout = figure.layout
    assert list(layout.xaxis.range) == list(layout.yaxis.range) == [0, 100]
    assert layout.xaxis.title.text == "Autonomy: favorable"
    assert layout.yaxis.title.text == "Progress: favorable"


# ---- HR's manager detail ---------------------------------------------------------------------


def test_focus_by_week_puts_each_chosen_focus_on_its_catalyst_row():
    own = pd.DataFrame(
        {
            "week": WEEKS,
            **{k: [3, 3, 3, 3] for k in CATALYST_KEYS},
            "focus": ["autonomy", None, "help", "autonomy"],
        }
    )
    figure = charts.focus_by_week(own, WEEKS)
    assert [t.name for t in figure.data] == CATALYST_LABELS  # one colour per catalyst
    chosen = {t.name: (as_list(t.x), as_list(t.y)) for t in figure.data}
    assert chosen["Autonomy"] == ([WEEKS[0], WEEKS[3]], ["Autonomy", "Autonomy"])
    assert chosen["Help"] == ([WEEKS[2]], ["Help"])
    assert all(
        chosen[label] == ([], []) for label in CATALYST_LABELS if label not in ("Autonomy", "Help")
    )
    axis = figure.layout.yaxis
    assert as_list(axis.categoryarray) == CATALYST_LABELS[::-1]  # first catalyst on top
    assert list(axis.range) == [-0.5, 5.5]  # every catalyst has a row, chosen or not
    start, end = figure.layout.xaxis.range
    assert start < WEEKS[0] and end > WEEKS[-1]  # first and last markers not cut in half


# ---- user text reaches Plotly escaped ---------------------------------------------------------


def _strings(value) -> list[str]:
    """Every string anywhere in a figure's JSON: labels, hovers, annotations, titles."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _payload(field: str) -> str:
    return f"{field} {PAYLOAD}"


def _heatmap_with_payload() -> go.Figure:
    frame = teams_frame()
    frame["team"] = [_payload("team"), "South", "East", "West"]
    frame["manager"] = [_payload("manager"), "Bob Roy", "Cy Ng", "Di Fox"]
    frame["department"] = [_payload("department")] * 2 + ["Ops"] * 2
    return charts.heatmap(frame, "favorable_pct", 5, grouped=True)


def _self_and_team_with_payload() -> go.Figure:
    frame = self_team_frame()
    frame["manager"] = [_payload("manager"), "Bob Roy", "Cy Ng", "Ann Lee"]  # a blind spot
    frame["team"] = ["North", _payload("team"), "East", "North"]  # agreeing within a point
    frame["department"] = _payload("department")
    return charts.self_and_team(frame, "clear_goals")


def _catalyst_and_progress_with_payload() -> go.Figure:
    frame = teams_frame()
    frame["team"] = _payload("team")
    frame["manager"] = _payload("manager")
    frame["department"] = _payload("department")
    return charts.catalyst_and_progress(frame, "clear_goals")


# Each case: the builder, the user-text fields it shows, and a figure built with the
# payload in every one of them (HR's manager detail passes the manager's name in
# self_vs_team's ``names`` and in catalyst_rows' ``headings``: "<name>: own rating").
USER_TEXT = {
    "self_vs_team_names": (
        "self_vs_team",
        ["manager", "team"],
        lambda: charts.self_vs_team(comparison_frame(), (_payload("manager"), _payload("team"))),
    ),
    "catalyst_rows_headings": (
        "catalyst_rows",
        ["manager"],
        lambda: charts.catalyst_rows(
            rounds_frame(),
            own_frame(),
            WEEKS,
            ("The team: favorable %", f"{_payload('manager')}: own rating"),
        ),
    ),
    "catalyst_rows_headings_without_team_results": (
        "catalyst_rows",
        ["manager"],
        lambda: charts.catalyst_rows(
            None,
            own_frame(),
            WEEKS,
            ("The team: favorable %", f"{_payload('manager')}: own rating"),
        ),
    ),
    "heatmap_teams_managers_departments": (
        "heatmap",
        ["team", "manager", "department"],
        _heatmap_with_payload,
    ),
    "self_and_team_managers_teams": (
        "self_and_team",
        ["manager", "team"],
        _self_and_team_with_payload,
    ),
    "catalyst_and_progress_teams": (
        "catalyst_and_progress",
        ["team"],
        _catalyst_and_progress_with_payload,
    ),
}
# Builders that show no user text at all: round dates, counts and our catalyst labels.
TEXT_FREE = {
    "favorable_by_round", "progress_by_round", "wins_and_setbacks", "associations",
    "focus_by_week",
}  # fmt: skip


@pytest.mark.parametrize("case", list(USER_TEXT))
def test_user_text_reaches_the_figure_escaped_wherever_it_lands(case):
    _, fields, build = USER_TEXT[case]
    strings = _strings(build().to_plotly_json())
    raw = sorted({f"{mark!r} in {s!r}" for s in strings for mark in RAW if mark in s})
    assert not raw, f"user text reaches Plotly unescaped: {raw}"
    for field in fields:  # shown, as typed: escaped once, not dropped
        assert any(html.escape(_payload(field)) in s for s in strings), field


def test_every_public_builder_is_checked_for_user_text():
    builders = {
        name
        for name, function in inspect.getmembers(charts, inspect.isfunction)
        if function.__module__.startswith(charts.__name__ + ".")
        and not name.startswith("_")
        and inspect.signature(function).return_annotation in (go.Figure, "go.Figure")
    }
    covered = {builder for builder, _, _ in USER_TEXT.values()}
    assert covered | TEXT_FREE == builders
    assert not covered & TEXT_FREE
