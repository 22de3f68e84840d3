"""A respondent answers the team pulse on a phone with the keyboard alone, in English and
in German; the page has no serious axe findings; the link refuses a second use."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from browser import ARTIFACTS, screenshot, settle
from fixtures import SAMPLES, write_file
from playwright.sync_api import expect
from servers import Server
from test_accessibility import BLOCKING, RUN_AXE

from dashboard import ingest, pulse
from dashboard.ingest import Source
from dashboard.store import Store

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def pulse_server(tmp_path, browser_type_launch_args):
    """A round of the week of 23 Nov open for Support (Ada reads German): (server, tokens)."""
    path = tmp_path / "pulse.duckdb"
    people = write_file(tmp_path, "people.csv", "email,name,team,language,effective_from\n"
                        "ada@example.com,Ada,Support,de,2026-11-02\n"
                        "bo@example.com,Bo,Support,,2026-11-02\n")  # fmt: skip
    now = datetime(2026, 11, 23, 9, 0)
    with Store(path) as db:
        roster = Source("roster.csv", SAMPLES / "roster_example.csv")
        ingest.apply_roster(db, ingest.plan_roster(db, roster), now=now)
        ingest.apply_people(db, ingest.plan_people(db, Source("p.csv", people)), now=now)
        week = date(2026, 11, 23)
        pulse_id = pulse.open_round(
            db, round_start=week, week=week, closes_at=datetime(2026, 11, 30), now=now
        )
        with db.reading() as cursor:
            ids = dict(cursor.execute("SELECT email, person_id FROM people").fetchall())
        tokens = {email: pulse.issue_link(db, pulse_id, person) for email, person in ids.items()}
    server = Server(path, ARTIFACTS / "pulse-server.log")
    yield server, tokens
    server.stop()


@pytest.mark.parametrize(
    ("email", "thanks", "send"),
    [("bo@example.com", "Thank you!", "Send my answers"),
     ("ada@example.com", "Vielen Dank!", "Antworten senden")],
)  # fmt: skip
def test_a_respondent_answers_on_a_phone_with_the_keyboard(
    pulse_server, browser, axe_script, email, thanks, send
):
    server, tokens = pulse_server
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{server.url}/pulse?t={tokens[email]}")
    settle(page)
    page.add_script_tag(path=str(axe_script))
    serious = [v for v in page.evaluate(RUN_AXE, WCAG) if v["impact"] in BLOCKING]
    assert not serious, serious
    screenshot(page, f"pulse-phone-{email.split('@')[0]}")
    groups = page.locator("[data-testid='stRadio']")
    assert groups.count() == 7
    for index in range(groups.count()):  # focus a group's "4" and choose it with Space
        groups.nth(index).locator("input").nth(3).focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name=send).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(thanks)).to_be_visible()
    again = browser.new_context(viewport=PHONE).new_page()
    again.goto(f"{server.url}/pulse?t={tokens[email]}")
    settle(again)
    # Whose link it was is not known any more: the organization's language says so.
    expect(again.get_by_role("alert")).to_contain_text("has been used already")
