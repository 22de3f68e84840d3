"""Admin → Pulse through AppTest: the current round's counts (only for teams of k), links
for other channels and a printable sheet of kiosk codes, each made on a click and
audited."""

from __future__ import annotations

from datetime import date, datetime

from app_helpers import after_redirect, sign_in
from fixtures import write_file

from dashboard import ingest, pulse
from dashboard.ingest import Source
from dashboard.markdown import plain
from dashboard.store import Store

WEEK = date(2026, 11, 23)


def test_admin_sees_the_round_and_makes_links_and_kiosk_codes(app_on, demo_path, tmp_path):
    rows = "\n".join(f"p{i}@example.com,Person {i},Platform,,2026-11-02" for i in range(1, 7))
    rows += "\n,Kim,Platform,,2026-11-02\n,Lou,Platform,,2026-11-02"  # no e-mail: codes
    people = write_file(
        tmp_path, "people.csv", f"email,name,team,language,effective_from\n{rows}\n"
    )
    with Store(demo_path) as db:
        now = datetime(2026, 11, 23, 9)
        ingest.apply_people(db, ingest.plan_people(db, Source("p.csv", people)), now=now)
        # Midnight at the end of 29 Nov in Berlin, the demo's time zone.
        closes = datetime(2026, 11, 29, 23)
        pulse.open_round(db, round_start=WEEK, week=WEEK, closes_at=closes, now=now)
    app = after_redirect(sign_in(app_on(demo_path), "admin@example.com"))
    app.switch_page("pages/admin.py")
    app.query_params["section"] = "Pulse"
    app.run()
    assert not app.exception, app.exception
    assert app.markdown[0].value == "**Round of 23 Nov 2026** · open until 29 Nov 2026"
    assert app.dataframe[0].value.to_dict("records") == [{"Team": "Platform", "Answered": "0 of 6"}]
    next(b for b in app.button if b.label == "Make the links").click().run()
    assert [d.label for d in app.get("download_button")][0] == "Download 6 links (CSV)"
    with Store(demo_path) as db, db.reading() as cursor:
        (platform,) = cursor.execute("SELECT team_id FROM teams WHERE name = 'Platform'").fetchone()
    app.selectbox(key="pulse_kiosk_team").set_value(platform).run()
    next(b for b in app.button if b.label == "Make a sheet of codes").click().run()
    assert not app.exception
    labels = [d.label for d in app.get("download_button")]
    assert "Download 2 codes for Platform (HTML, print it)" in labels
    with Store(demo_path) as db, db.reading() as cursor:
        audit = dict(cursor.execute(
            "SELECT action, detail FROM audit_log WHERE action LIKE 'pulse.%'").fetchall())  # fmt: skip
        (codes,) = cursor.execute(
            "SELECT count(*) FROM pulse_invitations WHERE person_id IS NULL"
        ).fetchone()
    assert audit["pulse.links"] == "6 links, round 1" and codes == 2
    assert audit["pulse.kiosk_codes"].startswith("2 codes for team")


def test_admin_leaves_a_team_out_and_skips_the_next_round(app_on, demo_path):
    app = after_redirect(sign_in(app_on(demo_path), "admin@example.com"))
    app.switch_page("pages/admin.py")
    app.query_params["section"] = "Pulse"
    app.run()
    assert app.info[0].value.startswith("No pulse round yet.")
    with Store(demo_path) as db, db.reading() as cursor:
        (platform,) = cursor.execute("SELECT team_id FROM teams WHERE name = 'Platform'").fetchone()
    app.multiselect(key="pulse_left_out").set_value([platform]).run()
    next(b for b in app.button if b.label == "Save the teams left out").click().run()
    assert app.success[0].value == plain("Saved: 1 team left out.")
    next(b for b in app.button if b.label == "Skip the next round").click().run()
    assert app.success[0].value == plain("The round of 30 Nov 2026 is skipped.")
    assert app.markdown[0].value == "**Round of 30 Nov 2026** · skipped"
    with Store(demo_path) as db, db.reading() as cursor:
        setting = cursor.execute(
            "SELECT value FROM settings WHERE key = 'pulse_excluded_teams'"
        ).fetchone()
    assert setting == (str(platform),)
