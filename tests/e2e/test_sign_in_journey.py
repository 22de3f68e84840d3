"""Signing in, staying signed in, signing out and being kept out, in a real browser."""

from __future__ import annotations

import re

import pytest
from browser import screenshot, settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"


def test_hr_signs_in_stays_signed_in_and_signs_out(demo_server, page, browser):
    page.goto(f"{demo_server.url}/overview")
    settle(page)
    expect(page.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    sign_in(page, "hr@example.com")

    page.wait_for_url(f"{demo_server.url}/overview")  # back where they were going
    settle(page)
    expect(page.locator(MAIN).get_by_role("heading", name="Overview")).to_be_visible()
    sidebar = page.locator(SIDEBAR)
    for title in ("Home", "Overview", "Manager detail", "Upload"):
        expect(sidebar.get_by_role("link", name=title)).to_be_visible()
    expect(sidebar.get_by_role("link", name="Weekly check-in")).to_have_count(0)
    expect(sidebar).to_contain_text("Signed in as Priya Raman · HR")
    cookie = next(c for c in page.context.cookies() if c["name"] == "catalyst_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("catalyst_session") == -1  # scripts can't read it
    screenshot(page, "hr-signed-in")

    page.reload()
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Priya Raman")

    second_tab = page.context.new_page()
    second_tab.goto(f"{demo_server.url}/upload")
    settle(second_tab)
    expect(second_tab.locator(MAIN).get_by_role("heading", name="Upload")).to_be_visible()
    second_tab.close()

    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{demo_server.url}/")
    settle(page)
    expect(page.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "catalyst_session"]

    # The cookie from before signing out opens nothing any more.
    replay = browser.new_context()
    replay.add_cookies([cookie])
    stale = replay.new_page()
    stale.goto(f"{demo_server.url}/overview")
    settle(stale)
    expect(stale.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    expect(stale.locator(MAIN)).to_contain_text("Your session has ended")
    replay.close()


def test_a_manager_typing_an_hr_address_does_not_see_the_page(demo_server, page):
    page.goto(demo_server.url)
    settle(page)
    sign_in(page, "manager@example.com")
    page.wait_for_url(f"{demo_server.url}/")
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Jordan Blake · Manager")

    page.goto(f"{demo_server.url}/overview")
    settle(page)
    main = page.locator(MAIN)
    expect(main).to_contain_text("Overview is for HR and admins")
    expect(main.get_by_role("heading", name="Overview")).to_have_count(0)
    expect(page.locator(SIDEBAR).get_by_role("link", name="Overview")).to_have_count(0)
    screenshot(page, "manager-on-hr-address")


def test_repeated_failures_are_slowed_down_with_the_same_generic_message(demo_server, page):
    page.goto(demo_server.url)
    settle(page)
    error = page.locator("[data-testid='stAlertContentError']")
    for attempt in range(1, 6):
        sign_in(page, "someone.else@example.com", f"wrong guess {attempt}")
        settle(page)  # each attempt runs to the end before the next click
        expect(error).to_contain_text("The email or password is not right")
    expect(error).to_contain_text("try again in 1 minute")
    sign_in(page, "someone.else@example.com", "one more guess")
    settle(page)
    expect(error).to_contain_text(re.compile(r"try again in 1 minute"))
    screenshot(page, "throttled")


def test_first_run_creates_the_admin_with_the_code_from_the_console(fresh_server, page):
    # The very first request after the server starts goes to a page address:
    # it must get the first-run screen, never the page file on its own.
    page.goto(f"{fresh_server.url}/upload")
    settle(page)
    expect(page.get_by_role("heading", name="Welcome to Catalyst")).to_be_visible()
    code = re.search(r"setup code ([A-Z0-9-]{14})", fresh_server.console()).group(1)

    page.get_by_role("textbox", name="Your name").fill("Ada Admin")
    page.get_by_role("textbox", name="Email").fill("ada@corp.example")
    page.get_by_role("textbox", name="Password", exact=True).fill("a long enough password")
    page.get_by_role("textbox", name="Repeat password").fill("a long enough password")
    page.get_by_role("textbox", name="Setup code").fill(code)
    page.get_by_role("button", name="Create admin account").click()

    page.wait_for_url(f"{fresh_server.url}/upload")
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Ada Admin · Admin")
    expect(page.locator(SIDEBAR).get_by_role("link", name="Admin")).to_be_visible()
    screenshot(page, "first-admin")
