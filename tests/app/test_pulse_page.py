"""The pulse's respondent page through AppTest: a personal link in English and German, a
kiosk code, a link that refuses a second use, and every statement required."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from app_helpers import ROOT
from fixtures import SAMPLES, write_file
from streamlit.testing.v1 import AppTest

from dashboard import ingest, pulse, pulse_text
from dashboard.ingest import Source
from dashboard.store import Store

NOW = datetime(2026, 11, 25, 10, 0)
WEEK = date(2026, 11, 23)


@pytest.fixture
def round_file(tmp_path, monkeypatch):
    """A database with Support's people (Ada reads German) and an open round: (path,
    {email: link token}, a kiosk code)."""
    path = tmp_path / "pulse.duckdb"
    people = write_file(tmp_path, "people.csv", "email,name,team,language,effective_from\n"
                        "ada@example.com,Ada,Support,de,2026-11-02\n"
                        "bo@example.com,Bo,Support,,2026-11-02\n"
                        ",Cy,Support,,2026-11-02\n")  # fmt: skip
    with Store(path) as db:
        roster = Source("roster.csv", SAMPLES / "roster_example.csv")
        ingest.apply_roster(db, ingest.plan_roster(db, roster), now=NOW)
        ingest.apply_people(db, ingest.plan_people(db, Source("p.csv", people)), now=NOW)
        pulse_id = pulse.open_round(
            db, round_start=WEEK, week=WEEK, closes_at=datetime(2026, 11, 30), now=NOW
        )
        with db.reading() as cursor:
            ids = dict(cursor.execute(
                "SELECT email, person_id FROM people WHERE email IS NOT NULL").fetchall())  # fmt: skip
            (support,) = cursor.execute(
                "SELECT team_id FROM teams WHERE name = 'Support'"
            ).fetchone()
        tokens = {email: pulse.issue_link(db, pulse_id, person) for email, person in ids.items()}
        (code,) = pulse.kiosk_codes(db, pulse_id, support, now=NOW)  # Cy has no e-mail
    monkeypatch.setenv("CATALYST_DB", str(path))
    return path, tokens, code


def open_page(token: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages" / "pulse.py"), default_timeout=30)
    if token:
        app.query_params["t"] = token
    app.run()
    assert not app.exception, app.exception
    return app


def answer_all(app: AppTest, value: int = 4) -> AppTest:
    for radio in app.radio:
        radio.set_value(value)
    return app


def test_a_personal_link_opens_the_form_and_takes_one_answer(round_file):
    path, tokens, _ = round_file
    app = open_page(tokens["bo@example.com"])
    assert app.title[0].value == "Your team's pulse"
    assert [r.label for r in app.radio] == [text for _, text in pulse_text.statements()]
    app.radio[0].set_value(5)
    app.button[0].click().run()  # six statements still open
    assert app.error[0].value == "Answer every statement to send: 6 still open."
    answer_all(app).text_area[0].input("More pairing, please")
    app.button[0].click().run()
    assert app.success[0].value == "Thank you!"
    assert "in the week after 29 Nov 2026" in app.markdown[-1].value
    with Store(path) as db, db.reading() as cursor:
        assert cursor.execute("SELECT comment FROM pulse_waiting").fetchall() == [
            ("More pairing, please",)
        ]
    again = open_page(tokens["bo@example.com"])
    assert again.error[0].value == pulse.GONE and not again.radio


def test_a_german_speaker_reads_every_word_in_german(round_file):
    _, tokens, _ = round_file
    app = open_page(tokens["ada@example.com"])
    assert app.title[0].value == "Der Puls Ihres Teams"
    assert app.radio[0].label.startswith("Meine Führungskraft sorgt dafür")
    assert app.button[0].label == "Antworten senden"
    answer_all(app).button[0].click().run()
    assert app.success[0].value == "Vielen Dank!"
    assert pulse_text.missing_translations("de") == []


def test_a_kiosk_code_typed_on_the_page_opens_the_form_once(round_file):
    _, _, code = round_file
    app = open_page()
    app.text_input[0].input(code.lower())
    app.button[0].click().run()
    assert app.caption[0].value == "Support · about a minute"
    answer_all(app, 3).button[0].click().run()
    assert app.success[0].value == "Thank you!"
    later = open_page()
    later.text_input[0].input(code)
    later.button[0].click().run()
    assert later.error[0].value == pulse.GONE


def test_wrong_codes_from_one_place_are_slowed_down(round_file):
    app = open_page()
    for attempt in range(pulse.WRONG_FREE):
        app.text_input[0].input(f"WRONG{attempt:05d}")
        app.button[0].click().run()
        assert app.error[0].value == pulse.GONE  # the same words as for a used one
    app.text_input[0].input("WRONG99999")
    app.button[0].click().run()
    assert app.error[0].value == "Too many wrong codes from here: try again in 1 min."
