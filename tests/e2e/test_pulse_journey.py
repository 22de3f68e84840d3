"""A respondent answers the team pulse on a phone with the keyboard alone, in English and
in German; the page has no serious axe findings; the link refuses a second use. And a
whole round on the demo, from switching the pulse on to the manager's results."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from browser import ARTIFACTS, ROOT, open_signed_in, screenshot, settle
from fixtures import SAMPLES, write_file
from mailserver import MailServer
from playwright.sync_api import expect
from servers import Server, build_demo
from test_accessibility import BLOCKING, RUN_AXE
from test_admin_journey import MAIN, wait_for_mail

from dashboard import ingest, pulse, queries, rounds
from dashboard.ingest import Source
from dashboard.queries import Scope
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
    screenshot(page, f"pulse-phone-{email.split('@')[0]}-end")  # the comment, the small win
    page.keyboard.press("Enter")
    expect(page.get_by_text(thanks)).to_be_visible()
    again = browser.new_context(viewport=PHONE).new_page()
    again.goto(f"{server.url}/pulse?t={tokens[email]}")
    settle(again)
    # Whose link it was is not known any more: the organization's language says so.
    expect(again.get_by_role("alert")).to_contain_text("has been used already")


# The demo's week after its data: the round of 30 Nov, weekly, in Berlin (UTC+1).
MONDAY = datetime(2026, 11, 30, 9, 30)  # 10:30 in Berlin: the round opens at 9:00
WEDNESDAY = datetime(2026, 12, 2, 10, 30)  # after the reminder on its third day, 10:00
PUBLISHED = datetime(2026, 12, 10, 10, 0)  # closed Sunday night, the 3 grace days passed
PLATFORM = [f"p{i}@example.com" for i in range(1, 8)]


@pytest.fixture
def demo_with_people(tmp_path):
    """The demo (built on Friday 27 Nov, the suite's day) with the people of Platform
    (manager@example.com's team): seven with e-mail, one without, who answers with a
    kiosk code. Mail goes to a loopback SMTP server. (path, mail server, Platform's team
    id, its manager's user id)."""
    db = build_demo(tmp_path / "demo.duckdb")
    rows = [f"{email},Person {n},Platform," for n, email in enumerate(PLATFORM, start=1)]
    people = write_file(tmp_path, "people.csv", "email,name,team,language\n"
                        + "\n".join([*rows, ",Kai Floor,Platform,"]) + "\n")  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "dashboard", "import", "people", str(people), "--db", str(db)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    with Store(db) as store, store.reading() as cursor:
        team_id, manager_id = cursor.execute(
            "SELECT team_id, manager_id FROM team_history JOIN teams USING (team_id) "
            "WHERE name = 'Platform' ORDER BY valid_from DESC LIMIT 1"
        ).fetchone()
    with MailServer() as mail:
        yield db, mail, team_id, manager_id


def test_a_round_from_switching_the_pulse_on_to_the_managers_results(
    demo_with_people, tmp_path, browser, monkeypatch, request
):
    """Issue 22's "done means", on the demo: the admin switches the pulse on; Platform's
    people get their links by e-mail and answer on phones (one with a kiosk code); the
    reminder reaches only those who did not; when the round is published the manager
    sees it on My team and HR on the overview; and the database cannot say who answered
    what. Each step runs the server at its own time, on the same port (links keep
    working), and the scheduler does the rest by itself."""
    db, mail, team_id, manager_id = demo_with_people
    served = {}
    request.addfinalizer(lambda: served and served["server"].stop())  # even when a step fails

    def serve_at(moment: datetime) -> Server:
        if served:
            served["server"].stop()
        monkeypatch.setenv("CATALYST_NOW", moment.isoformat())
        served["server"] = Server(
            db, ARTIFACTS / "pulse-demo.log", secrets=lambda url: mail.secrets(tmp_path),
            port=served.get("port"),
        )  # fmt: skip
        served["port"] = served["server"].port
        return served["server"]

    server = serve_at(MONDAY)
    admin = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    open_signed_in(admin, f"{server.url}/admin?section=Settings", "admin@example.com",
                   height=1400)  # fmt: skip
    main = admin.locator(MAIN)
    main.get_by_text("Team pulse", exact=True).click()
    main.get_by_text("Run Catalyst's own team pulse").click()
    main.get_by_role("button", name="Save settings").click()
    settle(admin)
    expect(main).to_contain_text("Saved")

    # A minute later (a server started then plans at once): the round opens, links go out.
    server = serve_at(MONDAY + timedelta(minutes=1))
    invitations = {email: wait_for_mail(mail, email, "Platform: your team's pulse")[0]
                   for email in PLATFORM}  # fmt: skip
    links = {email: next(u for u in m.links() if "/pulse?t=" in u)
             for email, m in invitations.items()}  # fmt: skip
    assert all(link.startswith(f"{server.url}/pulse?t=") for link in links.values())

    # Five answer by their links on phones; the one without e-mail by a kiosk code.
    for number, email in enumerate(PLATFORM[:5]):
        _answer_on_a_phone(browser, links[email], value=1 + number % 5)
    admin.goto(f"{server.url}/admin?section=Pulse")
    settle(admin)
    expect(main).to_contain_text("5 of 7")
    main.get_by_role("combobox", name="Team", exact=True).click()
    admin.get_by_role("option", name="Platform").click()
    settle(admin)
    main.get_by_role("button", name="Make a sheet of codes").click()
    settle(admin)
    with admin.expect_download() as download:
        main.get_by_role("button", name="Download 1 codes for Platform").click()
    sheet = Path(download.value.path()).read_text()
    (code,) = re.findall(r'class="code">([A-Z0-9]{5}-[A-Z0-9]{5})<', sheet)
    printed = browser.new_context().new_page()
    printed.set_content(sheet)
    printed.emulate_media(media="print")
    screenshot(printed, "pulse-kiosk-sheet-print")
    kiosk = browser.new_context(viewport=PHONE).new_page()
    kiosk.goto(f"{server.url}/pulse")
    settle(kiosk)
    kiosk.get_by_role("textbox").fill(code.lower())
    kiosk.get_by_role("button", name="Open the form").click()
    settle(kiosk)
    _answer(kiosk, value=3)
    again = browser.new_context(viewport=PHONE).new_page()
    again.goto(f"{server.url}/pulse")
    settle(again)
    again.get_by_role("textbox").fill(code)
    again.get_by_role("button", name="Open the form").click()
    settle(again)
    expect(again.get_by_role("alert")).to_contain_text("has been used already")

    # Wednesday: the reminder goes to the two who have not answered, and to nobody else.
    server = serve_at(WEDNESDAY)
    (reminder,) = wait_for_mail(mail, PLATFORM[5], "Reminder: your team's pulse")
    wait_for_mail(mail, PLATFORM[6], "Reminder: your team's pulse")
    reminded = {r.recipients[0] for r in mail.received if "Reminder: your team's pulse"
                in r.message["Subject"]}  # fmt: skip
    assert reminded == set(PLATFORM[5:])
    # The reminder's link replaces Monday's (one live link per person).
    _answer_on_a_phone(browser, next(u for u in reminder.links() if "/pulse?t=" in u), value=4)
    stale = browser.new_context(viewport=PHONE).new_page()
    stale.goto(links[PLATFORM[5]])
    settle(stale)
    expect(stale.get_by_role("alert")).to_contain_text("has been used already")

    # After the close and the grace period: the manager and HR see the round.
    server = serve_at(PUBLISHED)
    assert wait_for_mail(mail, "manager@example.com", "Platform: new results (Week of 30 Nov")
    manager = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    open_signed_in(manager, f"{server.url}/my-team", "manager@example.com", height=1600)
    weeks_shown = manager.get_by_test_id("stMetric").filter(has_text="Weeks with results")
    expect(weeks_shown).to_contain_text("11 of 12")  # the demo's ten weeks and the pulse's
    screenshot(manager, "pulse-round-my-team")
    hr = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    open_signed_in(
        hr, f"{server.url}/manager-detail?manager={manager_id}", "hr@example.com", height=1600
    )
    weeks_shown = hr.get_by_test_id("stMetric").filter(has_text="Weeks with results")
    expect(weeks_shown).to_contain_text("11 of 12")
    screenshot(hr, "pulse-round-manager-detail")
    server.stop()
    served.clear()
    with Store(db) as store, store.reading() as cursor:
        answered = cursor.execute(
            "SELECT count(*), count(DISTINCT submitted_at) FROM survey_responses r "
            "JOIN imports i USING (import_id) WHERE i.layout = 'pulse'"
        ).fetchone()
        waiting = cursor.execute("SELECT count(*) FROM pulse_waiting").fetchone()
        columns = {c for (c,) in cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'pulse_invitations'").fetchall()}  # fmt: skip
    assert answered == (7, 1) and waiting == (0,)  # all dated by their week, nothing waits
    assert columns == {"pulse_id", "team_id", "person_id", "token_hash", "used"}
    monkeypatch.setenv("CATALYST_NOW", PUBLISHED.isoformat())
    the_round = rounds.Period.last_rounds(date(2026, 11, 30), 1, "weekly")
    with Store(db) as store:
        for scope in (Scope.manager(manager_id), Scope.hr()):
            assert queries.team_figure(store, scope, team_id, the_round).responses == 7


def _answer_on_a_phone(browser, link: str, *, value: int) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(link)
    settle(page)
    _answer(page, value=value)


def _answer(page, *, value: int) -> None:
    groups = page.get_by_role("radiogroup")
    expect(groups).to_have_count(7)
    for index in range(7):
        groups.nth(index).get_by_text(str(value), exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
