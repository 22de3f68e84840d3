"""HR in a real browser: the overview on the demo, narrowed to one department, with a
team too small to show greyed out and saying why on hover."""

from __future__ import annotations

import re

import pytest
from browser import open_signed_in, screenshot, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"


def test_hr_narrows_the_overview_to_a_department_and_sees_why_a_team_is_grey(demo_server, page):
    open_signed_in(page, f"{demo_server.url}/overview", "hr@example.com", height=1800)
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
