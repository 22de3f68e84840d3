"""One-page summaries (PDF or PNG) an HR person can attach to an email: the key
findings in words and the charts that show them, for a department (or the chosen
departments) or for one manager.

Plain data in, file bytes out; no I/O, no Streamlit. Drawn with Matplotlib's
object API (no pyplot: no global state, safe in a server). Everything comes from
the read API through the overview or the manager's view, so a page only holds
what the screen shows. Math parsing is off, so a "$" in a team name stays a "$".
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pandas as pd
from matplotlib import rc_context
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from dashboard.catalysts import CATALYST_KEYS, ITEM_KEYS, item_label
from dashboard.charts import COLOURS, DIVERGING, NOT_SHOWN, ORG_COLOUR, SELF_COLOUR, TEAM_COLOUR

A4 = (8.27, 11.69)  # inches, portrait
WRAP = 105  # characters per line of findings
HEATMAP_TEAMS = 30  # rows that fit on the page; the rest are counted in words
FORMATS = {"pdf": "application/pdf", "png": "image/png"}
STYLE = {"text.parse_math": False, "font.size": 9, "axes.spines.top": False,
         "axes.spines.right": False, "axes.titlesize": 10, "axes.titleweight": "bold",
         "axes.titlelocation": "left"}  # fmt: skip


@dataclass
class Page:
    """What one page says: a title, a line on what it stands on, findings in words."""

    title: str
    subtitle: str
    findings: list[str]
    footer: str


def _page(page: Page, layout: tuple[float, ...]) -> tuple[Figure, list]:
    """A portrait page with the words on top and one chart area per entry of
    ``layout`` (relative heights) below them."""
    lines = [
        textwrap.fill(f"•  {finding}", WRAP, subsequent_indent="    ") for finding in page.findings
    ]
    subtitle = textwrap.fill(page.subtitle, WRAP + 15)
    extra = subtitle.count("\n")
    height = 4.3 + extra + sum(line.count("\n") + 1 for line in lines)  # in lines of text
    figure = Figure(figsize=A4)
    # Leave the bottom strip to the footer; the words take the height their lines need.
    figure.set_layout_engine("constrained", rect=(0.02, 0.025, 0.96, 0.965))
    grid = figure.add_gridspec(len(layout) + 1, 1, height_ratios=(0.075 * height, *layout))
    words = figure.add_subplot(grid[0])
    words.axis("off")
    # x in page coordinates: the words start at the page margin, not the plots' edge.
    at = blended_transform_factory(figure.transFigure, words.transAxes)
    step = 1 / height
    words.text(0.04, 1, page.title, fontsize=16, fontweight="bold", va="top", transform=at)
    words.text(
        0.04, 1 - 1.6 * step, subtitle, fontsize=8.5, color="#52525b", va="top", transform=at
    )
    words.text(
        0.04,
        1 - (3.0 + extra) * step,
        "Key findings",
        fontsize=11,
        fontweight="bold",
        va="top",
        transform=at,
    )
    words.text(
        0.04,
        1 - (4.1 + extra) * step,
        "\n".join(lines),
        fontsize=9,
        va="top",
        linespacing=1.5,
        transform=at,
    )
    figure.text(0.04, 0.012, page.footer, fontsize=7, color="#71717a")
    return figure, [figure.add_subplot(grid[i + 1]) for i in range(len(layout))]


def _bytes(figure: Figure, kind: str) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format=kind, dpi=150 if kind == "png" else None)
    return buffer.getvalue()


def _favorable_bars(axes, values: dict[str, float | None], title: str) -> None:
    keys = [k for k in ITEM_KEYS][::-1]
    shown = [values.get(k) for k in keys]
    axes.barh(
        [item_label(k) for k in keys], [v or 0 for v in shown], color=[COLOURS[k] for k in keys]
    )
    for row, value in enumerate(shown):
        axes.text(
            (value or 0) + 1,
            row,
            "not shown" if value is None else f"{value:.0f}%",
            va="center",
            fontsize=8,
        )
    axes.set_xlim(0, 110)
    axes.set_xlabel("Favorable % (answers of 4 or 5)")
    axes.set_title(title)


def _trend_lines(axes, by_round: pd.DataFrame, title: str) -> None:
    """Favorable % by round as small multiples, one panel per item on 0-100 (seven lines
    on one axis tangle)."""
    axes.set_title(title)
    axes.axis("off")
    if by_round["responses"].sum() == 0:
        axes.text(0, 0.9, "No round in this period can be shown.", transform=axes.transAxes)
        return
    per_row, rows = 4, -(-len(ITEM_KEYS) // 4)
    top, gap, bottom = 0.88, 0.3, 0.1  # room for each panel's title and dates
    height = (top - gap * (rows - 1) - bottom) / rows
    for number, key in enumerate(ITEM_KEYS):
        row, column = divmod(number, per_row)
        lowest = top - (row + 1) * height - row * gap
        panel = axes.inset_axes([column * 0.265, lowest, 0.2, height])
        panel.plot(
            by_round["round"],
            by_round[f"{key}_favorable_pct"],
            marker="o",
            markersize=2,
            color=COLOURS[key],
        )
        panel.set_ylim(0, 100)
        panel.set_yticks([0, 50, 100], [] if column else ["0%", "50%", "100%"])
        panel.set_title(item_label(key), fontsize=7)
        panel.xaxis.set_major_locator(MaxNLocator(3))
        panel.xaxis.set_major_formatter(DateFormatter("%-d %b"))
        panel.tick_params(labelsize=6)


def department(
    page: Page,
    teams: pd.DataFrame,
    favorable: dict[str, float | None],
    trends: pd.DataFrame,
    *,
    kind: str = "pdf",
) -> bytes:
    """``teams``: the overview's team rows (display order); ``favorable``: the
    selection's favorable % per item; ``trends``: its figures by round."""
    with rc_context(STYLE):
        return _bytes(department_figure(page, teams, favorable, trends), kind)


def department_figure(
    page: Page, teams: pd.DataFrame, favorable: dict[str, float | None], trends: pd.DataFrame
) -> Figure:
    """The department page before it becomes a file (call within ``rc_context(STYLE)``).
    Every department in ``teams`` is named on it: with its first teams in the grid, or,
    when there are more departments than rows, in words below it."""
    figure, (bars, grid, lines) = _page(page, (1.0, 1.8, 1.1))
    _favorable_bars(bars, favorable, "Favorable % per catalyst")
    drawn, counts = teams_that_fit(teams, HEATMAP_TEAMS)
    _team_grid(grid, drawn, counts)
    left_out = [name for name in counts if name not in set(drawn.department)]
    grid.set_title(
        "Teams × catalysts, favorable %"
        + (
            f" ({len(drawn)} of {len(teams)} teams; all in the workbook)"
            if len(drawn) < len(teams)
            else ""
        )
    )
    if left_out:  # more departments than rows: each is still named, with its teams
        grid.set_xlabel(
            textwrap.fill(
                "No room for: "
                + "; ".join(f"{name} ({_teams(counts[name])})" for name in left_out)
                + ".",
                WRAP,
            ),
            fontsize=7,
            loc="left",
        )
    _trend_lines(lines, trends, "Favorable % by round")
    return figure


def teams_that_fit(teams: pd.DataFrame, rows: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """The first teams of every department, as evenly as ``rows`` allow (a department
    gives up rows only to those with fewer drawn), in the given order; and each
    department's number of teams. Departments beyond ``rows`` get none."""
    counts = teams.groupby("department", sort=False).size().to_dict()
    quota = dict.fromkeys(counts, 0)
    left = rows
    while left and any(quota[d] < counts[d] for d in counts):
        for name in counts:
            if left and quota[name] < counts[name]:
                quota[name] += 1
                left -= 1
    rank = teams.groupby("department", sort=False).cumcount()
    return teams[rank < teams.department.map(quota)], counts


def _teams(count: int) -> str:
    return f"{count} team{'s' if count != 1 else ''}"


def _team_grid(axes, teams: pd.DataFrame, counts: dict[str, int]) -> None:
    """Teams x items, grey where not shown, the value printed in each shown cell; each
    department's block says how many of its teams it holds."""
    values = teams[[f"{k}_favorable_pct" for k in ITEM_KEYS]].to_numpy(dtype=float)
    colours = LinearSegmentedColormap.from_list(
        "catalyst", [c for _, c in DIVERGING]
    ).with_extremes(bad=NOT_SHOWN)
    axes.imshow(values, cmap=colours, vmin=0, vmax=100, aspect="auto")
    for (row, column), value in pd.DataFrame(values).stack(future_stack=True).items():
        axes.text(
            column,
            row,
            "–" if pd.isna(value) else f"{value:.0f}",
            ha="center",
            va="center",
            fontsize=7,
        )
    axes.set_xticks(
        range(len(ITEM_KEYS)), [textwrap.fill(item_label(k), 12) for k in ITEM_KEYS], fontsize=7
    )
    axes.xaxis.tick_top()
    departments = list(teams.department)
    starts = [i for i, name in enumerate(departments) if i == 0 or name != departments[i - 1]]
    for first, after in zip(starts, [*starts[1:], len(departments)], strict=True):
        if first:
            axes.axhline(first - 0.5, color="#52525b", linewidth=1.2)
        axes.text(
            len(ITEM_KEYS) - 0.4,
            (first + after - 1) / 2,
            departments[first]
            + (
                f" · first {after - first} of {counts[departments[first]]} teams"
                if after - first < counts[departments[first]]
                else ""
            ),
            va="center",
            fontsize=7,
            fontweight="bold",
        )
    labels = [
        f"{t} · {m}" if isinstance(m, str) else t
        for t, m in zip(teams.team, teams.manager, strict=True)
    ]
    axes.set_yticks(range(len(teams)), labels, fontsize=7)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)


def manager(
    page: Page, comparison: pd.DataFrame, by_round: pd.DataFrame, *, kind: str = "pdf"
) -> bytes:
    """``comparison``: queries.self_vs_team with the organization's means (as on My Team);
    ``by_round``: the team's figures by round."""
    with rc_context(STYLE):
        figure, (means, lines) = _page(page, (1.2, 1.3))
        _self_team_org(means, comparison)
        _trend_lines(lines, by_round, "The team's favorable % by round")
        return _bytes(figure, kind)


def _self_team_org(axes, comparison: pd.DataFrame) -> None:
    rows = comparison.set_index("catalyst").reindex(list(CATALYST_KEYS)[::-1])
    labels = [item_label(k) for k in rows.index]
    for y, (own, team) in enumerate(zip(rows.self_score, rows.team_mean, strict=True)):
        if pd.notna(own) and pd.notna(team):
            axes.plot([own, team], [y, y], color="#cbd5e1", linewidth=5, zorder=1)
    for column, name, colour, marker in (
        ("benchmark_mean", "Organization", ORG_COLOUR, "|"),
        ("team_mean", "Team", TEAM_COLOUR, "o"),
        ("self_score", "Manager (own check-ins)", SELF_COLOUR, "D"),
    ):
        axes.scatter(
            rows[column], range(len(rows)), color=colour, marker=marker, s=60, label=name, zorder=2
        )
    axes.set_yticks(range(len(rows)), labels)
    axes.set_xlim(0.8, 5.2)
    axes.set_xlabel("Mean on 1-5, same rounds")
    axes.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    axes.set_title("Manager's own rating, the team's and the organization's")


def footer(organization: str, today: date, min_group_size: int) -> str:
    return (
        f"{organization} · made with Catalyst on {today:%-d %B %Y} · groups of fewer than "
        f"{min_group_size} responses are never shown, on screen or on paper."
    )
