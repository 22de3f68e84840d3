"""HR in a real browser: the overview on the demo, narrowed to one department, with a
team too small to show greyed out and saying why on hover."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser import open_signed_in, screenshot, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"


def open_heatmap(page, url: str) -> None:
    """Sign in, then choose the overview's heatmap view (the overview opens on Needs
    support), as a user does."""
    open_signed_in(page, f"{url}/overview", "hr@example.com", height=1800)
    page.locator("[data-testid='stButtonGroup']").get_by_text("Heatmap", exact=True).click()
    page.wait_for_url("**view=Heatmap**")
    settle(page)


def test_hr_narrows_the_overview_to_a_department_and_sees_why_a_team_is_grey(demo_server, page):
    open_heatmap(page, demo_server.url)
    main = page.locator(MAIN)
    expect(main.get_by_role("heading", name="Overview")).to_be_visible()
    expect(main).to_contain_text("Teams reporting")
    expect(main).to_contain_text("11 of 12 teams can be shown")
    screenshot(page, "hr-overview")

    # The demo's People & Finance holds Recruiting, a team too small to be shown.
    main.get_by_role("combobox").first.click()
    page.get_by_role("option", name="People & Finance").click()
    page.keyboard.press("Escape")
    settle(page)
    expect(main).to_contain_text("1 of 2 teams can be shown")
    assert re.search(r"departments=\d+", page.url), page.url
    heatmap = main.locator("[data-testid='stPlotlyChart']").first
    expect(heatmap).to_contain_text("People & Finance")
    expect(heatmap).to_contain_text("Recruiting")

    # Two rows, ordered with the team that cannot be shown last: hover its first cell.
    plot = heatmap.locator(".nsewdrag").first
    box = plot.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 14, box["y"] + box["height"] * 0.75)
    hover = heatmap.locator(".hoverlayer")
    expect(hover).to_contain_text("not shown: team smaller than the minimum group size")
    expect(hover).to_contain_text("Recruiting")
    screenshot(page, "hr-overview-department")


def same(in_file: str, on_screen: str) -> bool:
    """Equal as numbers where both are (the grid writes 50 where the file has 50.0); an
    empty cell in the file is the grid's "–"."""
    if in_file == "":
        return on_screen in ("", "–")
    try:
        return float(in_file) == float(on_screen)
    except ValueError:
        return in_file == on_screen


def test_hr_downloads_the_team_table_and_it_matches_the_screen(demo_server, page):
    open_heatmap(page, demo_server.url)
    main = page.locator(MAIN)
    expect(main).to_contain_text("teams can be shown")
    # What the table on screen holds, read from the grid's accessible cells.
    grid = main.locator("[data-testid='stDataFrame']").first
    expect(grid.locator("[id^='glide-cell-']").first).to_be_attached()
    on_screen: dict[tuple[int, int], str] = {}
    for cell in grid.locator("[id^='glide-cell-']").all():
        column, row = map(int, cell.get_attribute("id").split("-")[2:4])
        if column:  # column 0 holds the row-selection boxes (a row opens its manager)
            on_screen[(row, column - 1)] = cell.inner_text().strip()
    assert len({row for row, _ in on_screen}) >= 5

    main.get_by_role("button", name="Download", exact=True).click()
    link = page.get_by_role("link", name="Team table as shown (CSV)", exact=True)
    with page.expect_download() as info:
        link.click()
    download = info.value
    # The file is made by Catalyst's download route, for this signed-in session only: the
    # same address from a browser without the session is refused, and says what to do.
    stranger = page.context.browser.new_context().request.get(
        f"{demo_server.url}{link.get_attribute('href')}"
    )
    assert stranger.status == 404 and "press the download button again" in stranger.text()
    assert re.fullmatch(r"catalyst-teams-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Department", "Team", "Manager", "Responses", "Shown"]
    assert len(body) == 12  # every team of the demo, shown or not
    for (row, column), shown in on_screen.items():
        assert same(body[row][column], shown), (row, header[column], body[row][column], shown)
    recruiting = next(r for r in body if r[1] == "Recruiting")
    assert recruiting[3:5] == ["0", "no: team too small"] and not any(recruiting[5:])
    screenshot(page, "hr-overview-download")


def test_hr_opens_a_manager_from_who_needs_support_and_from_a_table_row(demo_server, page):
    open_signed_in(page, f"{demo_server.url}/overview", "hr@example.com", height=1800)
    main = page.locator(MAIN)
    expect(main).to_contain_text("have a concern, most points first")
    first = main.get_by_role("link", name=re.compile(r"^1\. "))
    name = first.inner_text().split(". ", 1)[1].split(" · ")[0]
    first.click()
    page.wait_for_url(re.compile(r".*/manager-detail\?manager=\d+&team=\d+"))
    settle(page)
    expect(main.get_by_role("combobox", name="Manager")).to_have_value(name)
    expect(main).to_contain_text("the organization on")  # the comparison, in words
    screenshot(page, "hr-needs-support-opens-manager")

    # A row of the heatmap's team table opens its manager too (a Plotly heatmap sends no
    # clicks): the grid's row-selection box is its first column.
    page.get_by_role("link", name="Overview", exact=True).click()
    page.wait_for_url("**/overview**")
    settle(page)
    main.locator("[data-testid='stButtonGroup']").get_by_text("Heatmap", exact=True).click()
    page.wait_for_url("**view=Heatmap**")
    settle(page)
    grid = main.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 36 + 18)  # header, then the first row
    page.wait_for_url(re.compile(r".*/manager-detail\?manager=\d+&team=\d+"))
    settle(page)
    expect(main.get_by_role("heading", name="Manager detail")).to_be_visible()
