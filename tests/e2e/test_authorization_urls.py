"""Every page's address typed into a real browser, by each role and signed out: the page,
the "not available" note, or the sign-in form, never a page the role may not use."""

from __future__ import annotations

import pytest
from browser import open_signed_in, settle
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"

# page key -> the roles that may open it; signed out, every address is the sign-in form.
EXPECTED = {
    "home":           {"admin", "hr", "manager"},
    "checkin":        {"manager"},
    "my_team":        {"manager"},
    "overview":       {"admin", "hr"},
    "manager_detail": {"admin", "hr"},
    "upload":         {"admin", "hr"},
    "admin":          {"admin"},
}  # fmt: skip

# page key -> (link in the sidebar, heading on the page, text only the page shows,
#              whom the "not available" note says it is for)
PAGES = {
    "home":           ("Home", "Harbor & Pine (demo)", "Welcome, ", "managers, HR and admins"),
    "checkin":        ("Weekly check-in", "Weekly check-in", "Save check-in", "managers"),
    "my_team":        ("My team", "My team", "Past check-ins", "managers"),
    "overview":       ("Overview", "Overview", "Teams reporting", "HR and admins"),
    "manager_detail": ("Manager detail", "Manager detail", "Choose a manager", "HR and admins"),
    "upload":         ("Upload", "Upload", "What are you importing?", "HR and admins"),
    "admin":          ("Admin", "Admin", "Audit log", "admins"),
}  # fmt: skip

ACCOUNTS = {
    "admin": ("admin@example.com", "Dana Whitfield (Admin)"),
    "hr": ("hr@example.com", "Priya Raman (HR)"),
    "manager": ("manager@example.com", "Jordan Blake (Manager)"),
}


def address(key: str) -> str:
    return "" if key == "home" else key.replace("_", "-")


@pytest.mark.parametrize("role", [*ACCOUNTS, "signed_out"])
def test_every_address_shows_the_page_only_to_roles_that_may_use_it(demo_server, page, role):
    main, sidebar = page.locator(MAIN), page.locator(SIDEBAR)
    if role != "signed_out":  # sign in once, then type every address
        open_signed_in(page, demo_server.url, ACCOUNTS[role][0], height=1400)
        expect(sidebar).to_contain_text("Signed in as")
    wrong = []
    for key, (link, heading, content, audience) in PAGES.items():
        page.goto(f"{demo_server.url}/{address(key)}")
        settle(page)
        title = main.get_by_role("heading", name=heading, exact=True)
        if role == "signed_out":
            expect(main.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
            expect(main.get_by_role("textbox", name="Email")).to_be_visible()
            seen = "sign-in form"
        elif role in EXPECTED[key]:
            expect(title).to_be_visible()
            expect(main).to_contain_text(content)
            expect(sidebar.get_by_role("link", name=link, exact=True)).to_be_visible()
            seen = "page"
        else:
            note = f"{link} is for {audience}. You are signed in as {ACCOUNTS[role][1]}."
            expect(main).to_contain_text(note)
            expect(sidebar.get_by_role("link", name=link, exact=True)).to_have_count(0)
            seen = "not available"
        # Checked once the page has drawn what it shows (above): nothing of the page.
        if seen != "page" and (title.count() or content in main.inner_text()):
            wrong.append((key, f"{seen} and the page's own content"))
    assert not wrong, role
