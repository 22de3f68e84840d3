"""A manager's week in a real browser: reminded, checks in and commits to actions, sees
them on My team; and the same check-in on a phone, 390 px wide."""

from __future__ import annotations

import re

import pytest
from browser import open_signed_in, rate, screenshot, settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"


def test_manager_checks_in_commits_and_sees_it_on_my_team(demo_server, page):
    open_signed_in(page, f"{demo_server.url}/checkin", "manager@example.com", height=2600)
    main = page.locator(MAIN)
    # The demo leaves last week and this week without a check-in, so this shows any day,
    # and asks back what was committed to in the last check-in.
    expect(main).to_contain_text("is not done yet")
    expect(main).to_contain_text("Did you?")
    main.get_by_role("radiogroup").first.get_by_text("Done", exact=True).click()
    settle(page)

    rate(page, main, ["4", "3", "5", "4", "2", "5"])
    main.get_by_role("textbox", name="Small wins this week (one per line)").fill("Shipped v2")
    commitment = main.locator("[data-testid='stCheckbox']").first
    promised = commitment.inner_text().strip()
    commitment.click()
    settle(page)
    main.get_by_role("button", name="Save check-in").click()
    settle(page)
    expect(main).to_contain_text("Saved your check-in for the week of")
    screenshot(page, "manager-checked-in")

    main.get_by_role("link", name="See it on My team").click()
    page.wait_for_url(f"{demo_server.url}/my-team")
    settle(page)
    expect(main.get_by_role("heading", name="My team")).to_be_visible()
    expect(main).to_contain_text("This week's focus")
    expect(main).to_contain_text(promised)  # what was committed to, as this week's plan
    expect(main).to_contain_text("Blind spot.")
    expect(main.locator("[data-testid='stPlotlyChart']").first).to_be_visible()
    expect(main).to_contain_text("Focus and commitments")
    screenshot(page, "manager-my-team")


def test_a_manager_checks_in_on_a_phone(demo_server, browser):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(demo_server.url)
    settle(page)
    sign_in(page, "manager@example.com")
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    page.locator("[data-testid='stExpandSidebarButton']").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.get_by_role("link", name="Weekly check-in").click()
    page.wait_for_url(f"{demo_server.url}/checkin")
    settle(page)
    # The page, not the menu: the sidebar closes once a page is chosen.
    expect(sidebar).to_have_attribute("data-collapsed", "true")

    main = page.locator(MAIN)
    scale = main.get_by_role("radiogroup", name=re.compile("^Clear goals"))
    tops = {round(scale.get_by_role("radio", name=str(v)).bounding_box()["y"]) for v in range(1, 6)}
    assert len(tops) == 1, f"the 1-5 scale wraps at 390 px: {tops}"
    rate(page, main, ["3", "3", "4", "4", "2", "3"])
    main.get_by_role("button", name="Save check-in").click()
    settle(page)
    expect(main).to_contain_text("Saved your check-in for the week of")
    screenshot(page, "manager-phone-checked-in")
    phone.close()
