"""Mail in the app through AppTest, with mail written to a folder (as `make run` does):
invitations by e-mail, Admin → Mail, "Forgot your password?" and the preferences page."""

from __future__ import annotations

from datetime import datetime

import pytest
from app_helpers import ROOT, after_redirect, sign_in, text_input
from fixtures import stored
from streamlit.testing.v1 import AppTest

from dashboard import accounts
from dashboard.mail import outbox, preferences
from dashboard.store import Store

NOW = datetime(2026, 11, 27, 12, 0)


@pytest.fixture
def mail_folder(tmp_path, monkeypatch):
    folder = tmp_path / "mail"
    monkeypatch.setenv("CATALYST_MAIL_FOLDER", str(folder))
    monkeypatch.setenv("CATALYST_PUBLIC_URL", "https://catalyst.example.com")
    return folder


def admin(app_on, path, section: str) -> AppTest:
    app = after_redirect(sign_in(app_on(path), "admin@example.com"))
    app.switch_page("pages/admin.py")
    app.query_params["section"] = section
    app.run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def test_adding_a_person_invites_them_by_mail_and_shows_no_link(app_on, demo_path, mail_folder):
    app = admin(app_on, demo_path, "People")
    text_input(app, "Email").input("ada.lovelace@example.com")
    button(app, "Add and invite").click().run()
    assert not app.exception and not app.error
    assert not app.code  # nothing to copy: the code is made when the message goes out
    assert app.success[0].value.endswith(
        "Invitation e-mail to ada.lovelace@example.com on its way (Admin → Mail shows when it "
        "has gone out)."
    )
    with Store(demo_path) as db:
        assert stored(db, "SELECT kind, recipient, state FROM outbox") == [
            ("invitation", "ada.lovelace@example.com", "queued")
        ]


def test_admin_mail_shows_where_mail_goes_sends_a_test_and_retries(app_on, demo_path, mail_folder):
    with Store(demo_path) as db, db.transaction() as cursor:
        failed = outbox.enqueue(cursor, "test", "gone@example.com", {}, now=NOW)
        cursor.execute(
            "UPDATE outbox SET state = 'failed', last_error = '550 no such mailbox' "
            "WHERE message_id = ?",
            [failed],
        )
    app = admin(app_on, demo_path, "Mail")
    settings = dict(app.dataframe[0].value.itertuples(index=False))
    assert settings["Delivery"].startswith(f"written as .eml files to {mail_folder}")
    assert "Password" not in settings
    assert [m.value for m in app.metric][:4] == ["0", "0", "0", "1"]  # waiting … failed
    assert "550 no such mailbox" in app.dataframe[1].value.Why.tolist()
    button(app, "Retry").click().run()
    assert app.success[0].value == "1 message queued again."
    button(app, "Send a test message").click().run()
    assert app.success[0].value == "Sent to admin@example.com."
    (written,) = mail_folder.glob("test-*.eml")
    assert b"To: admin@example.com" in written.read_bytes()
    with Store(demo_path) as db:
        assert stored(db, "SELECT detail FROM audit_log WHERE action = 'mail.test'") == [
            ("to admin@example.com: sent",)
        ]


def test_without_mail_admin_says_how_to_set_it_up(app_on, demo_path):
    app = admin(app_on, demo_path, "Mail")
    assert app.info[0].value.startswith("Mail is not set up, so Catalyst sends nothing")
    assert "[catalyst.smtp]" in app.code[0].value


def test_forgot_password_answers_the_same_for_any_address(app_on, demo_path, mail_folder):
    app = app_on(demo_path)
    for address in ("manager@example.com", "nobody@example.com"):
        text_input(app, "Your email").input(address)
        button(app, "E-mail me a link").click().run()
        assert app.success[0].value.startswith(
            "If Catalyst has an account with that address, a link to choose a new password "
            "is on its way."
        )
    text_input(app, "Your email").input("not an address")
    button(app, "E-mail me a link").click().run()
    assert "is not an email address" in app.error[0].value
    with Store(demo_path) as db:
        assert stored(db, "SELECT kind, recipient FROM outbox") == [
            ("password_reset", "manager@example.com")
        ]


def test_no_reset_by_mail_without_mail(app_on, demo_path):
    app = app_on(demo_path)
    assert not [e for e in app.expander if e.label == "Forgot your password?"]


def test_the_preferences_page_needs_no_sign_in_and_saves_each_click(demo_path, monkeypatch):
    monkeypatch.setenv("CATALYST_DB", str(demo_path))
    with Store(demo_path) as db, db.reading() as cursor:
        manager = accounts.find_user(cursor, "manager@example.com")
        token = preferences.link_token(cursor, manager.user_id)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    app.query_params["mail"] = token
    app.run()
    assert not app.exception
    assert app.title[0].value == "E-mail from Catalyst"
    assert [t.label for t in app.toggle] == ["Check-in reminders", "Weekly digests"]
    app.toggle[0].set_value(False).run()
    with Store(demo_path) as db, db.reading() as cursor:
        assert preferences.of(cursor, manager.user_id) == preferences.Preferences(False, True)
    forged = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    forged.query_params["mail"] = token[:-4] + "0000"
    forged.run()
    assert forged.error[0].value.startswith("This link is not valid")
    assert not forged.toggle
