"""An admin invites a new manager in the browser; the manager opens the link in their
own browser, chooses a password and is signed in; a used link is dead."""

from __future__ import annotations

import pytest
from browser import open_signed_in, screenshot, settle, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"


def test_an_invited_manager_sets_a_password_and_is_signed_in(demo_server, page, browser):
    open_signed_in(page, f"{demo_server.url}/admin", "admin@example.com", height=1400)
    main = page.locator(MAIN)
    main.get_by_role("textbox", name="Email").fill("grace.hopper@example.com")
    main.get_by_role("textbox", name="Name").fill("Grace Hopper")
    main.get_by_role("button", name="Add and invite").click()
    settle(page)
    expect(main).to_contain_text("1 invitation link")
    expect(main).to_contain_text("not shown again")
    link = main.locator("[data-testid='stCode']").first.inner_text().strip()
    assert link.startswith(demo_server.url) and "/?invite=" in link
    screenshot(page, "admin-invitation")

    newcomer = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    newcomer.goto(link)
    settle(newcomer)
    expect(newcomer.get_by_text("Hello Grace Hopper")).to_be_visible()
    newcomer.get_by_role("textbox", name="New password").fill("password12345")
    newcomer.get_by_role("textbox", name="Repeat it").fill("password12345")
    newcomer.get_by_role("button", name="Set password and sign in").click()
    settle(newcomer)
    expect(newcomer.locator(MAIN)).to_contain_text("too easy to guess")
    newcomer.get_by_role("textbox", name="New password").fill("tidal lantern orchard")
    newcomer.get_by_role("textbox", name="Repeat it").fill("tidal lantern orchard")
    newcomer.get_by_role("button", name="Set password and sign in").click()
    newcomer.wait_for_url(f"{demo_server.url}/")
    settle(newcomer)
    expect(newcomer.get_by_text("Signed in as")).to_contain_text("Grace Hopper")
    screenshot(newcomer, "invited-manager-signed-in")

    stranger = browser.new_context().new_page()
    stranger.goto(link)
    settle(stranger)
    expect(stranger.locator(MAIN)).to_contain_text("expired or was already used")
    stranger.goto(demo_server.url)
    settle(stranger)
    sign_in(stranger, "grace.hopper@example.com", "tidal lantern orchard")
    stranger.wait_for_url(f"{demo_server.url}/**")
    settle(stranger)
    expect(stranger.get_by_text("Signed in as")).to_contain_text("Grace Hopper")
