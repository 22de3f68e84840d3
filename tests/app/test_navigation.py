"""Who reaches which page: navigation per role, and the guard on every page."""

from __future__ import annotations

import pytest
from app_helpers import ROOT, after_redirect, sign_in
from streamlit.testing.v1 import AppTest

from dashboard import accounts, navigation
from dashboard.clock import utc_now
from dashboard.demo import DEMO_PASSWORD
from dashboard.store import Store
from dashboard.ui import TOKEN_KEY

CLIENT = "192.0.2.10"

ROLES_OF = {
    "manager@example.com": {"manager"},
    "hr@example.com": {"hr"},
    "admin@example.com": {"admin"},
}


EXPECTED_SCREENS = {
    "manager@example.com": ["home", "checkin", "my_team"],
    "hr@example.com": ["home", "overview", "manager_detail", "upload"],
    "admin@example.com": ["home", "overview", "manager_detail", "upload", "admin"],
}


@pytest.mark.parametrize("email", ROLES_OF)
def test_each_role_is_given_exactly_its_pages(email):
    roles = frozenset(ROLES_OF[email])
    assert [s.key for s in navigation.screens_for(roles)] == EXPECTED_SCREENS[email]


@pytest.mark.parametrize("email", ROLES_OF)
def test_each_role_opens_its_pages_and_no_others(signed_in, email):
    app = signed_in(email)
    for screen in navigation.SCREENS:
        if screen.key in EXPECTED_SCREENS[email]:
            app.switch_page(screen.file).run()
            assert not app.exception, (screen.key, app.exception)
            assert not app.error, (screen.key, [e.value for e in app.error])
            assert app.title[0].value in (screen.title, "Harbor & Pine (demo)")
        else:  # not registered for this user at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                app.switch_page(screen.file)


def test_someone_with_two_roles_gets_both_sets_of_pages(app_on, demo_path):
    with Store(demo_path) as db, db.transaction() as cursor:
        cursor.execute(
            "INSERT INTO user_roles SELECT user_id, 'hr' FROM users "
            "WHERE email = 'manager@example.com'"
        )
    app = after_redirect(sign_in(app_on(demo_path), "manager@example.com"))
    assert app.sidebar.caption[0].value == "Signed in as **Jordan Blake** · Manager, HR"
    for key in ("checkin", "my_team", "overview", "upload"):
        app.switch_page(navigation.screen(key).file).run()
        assert not app.error, key


def signed_in_token(path, email) -> str:
    with Store(path) as db:
        return accounts.sign_in(db, email, DEMO_PASSWORD, client=CLIENT, now=utc_now()).token


@pytest.mark.parametrize("key", ["overview", "manager_detail", "upload", "admin"])
def test_the_guard_stops_a_manager_on_pages_of_other_roles(app_on, demo_path, monkeypatch, key):
    """Run the page file itself, as an old-style URL would: only its guard stands in the way."""

    token = signed_in_token(demo_path, "manager@example.com")
    monkeypatch.setenv("CATALYST_DB", str(demo_path))
    page = AppTest.from_file(str(ROOT / navigation.screen(key).file), default_timeout=30)
    page.session_state[TOKEN_KEY] = token
    page.run()
    assert not page.exception
    assert "You are signed in as Jordan Blake (Manager)" in page.error[0].value
    assert not page.title  # nothing of the page itself was drawn


@pytest.mark.parametrize("key", [s.key for s in navigation.SCREENS])
def test_the_guard_stops_a_signed_out_visitor_on_every_page(app_on, demo_path, key):
    page = app_on(demo_path, navigation.screen(key).file)
    assert page.warning[0].value == "Sign in to see this page."
    assert not page.title


def test_a_deactivated_user_is_out_at_the_next_interaction(signed_in, demo_path):
    app = signed_in("hr@example.com")
    token = app.session_state[TOKEN_KEY]
    assert app.sidebar.caption[0].value.startswith("Signed in as")
    with Store(demo_path) as db, db.transaction() as cursor:
        cursor.execute("UPDATE users SET active = false WHERE email = 'hr@example.com'")
    app.run()
    assert app.title[0].value == "Sign in to Catalyst"
    assert not app.metric
    assert after_redirect(app, token).title[0].value == "Sign in to Catalyst"


def test_signing_out_ends_the_session_on_the_server(signed_in, demo_path):
    app = signed_in("hr@example.com")
    next(b for b in app.sidebar.button if b.label == "Sign out").click()
    app.run()
    assert "/session/end" in app.get("html")[0].proto.body
    with Store(demo_path) as db, db.reading() as cursor:
        assert cursor.execute("SELECT count(*) FROM sessions").fetchall() == [(0,)]
