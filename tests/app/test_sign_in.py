"""The sign-in page and first-run setup through AppTest."""

from __future__ import annotations

from app_helpers import after_redirect, sign_in, text_input

from dashboard import accounts
from dashboard.accounts import SIGN_IN_FAILED
from dashboard.clock import utc_now
from dashboard.demo import DEMO_PASSWORD
from dashboard.store import Store


def test_the_sign_in_page_asks_for_email_and_password(app_on, demo_path):
    app = app_on(demo_path)
    assert app.title[0].value == "Sign in to Catalyst"
    assert [field.label for field in app.text_input] == ["Email", "Password"]
    assert text_input(app, "Password").proto.type == text_input(app, "Password").proto.PASSWORD


def test_wrong_password_and_unknown_email_get_the_same_message(app_on, demo_path):
    wrong = sign_in(app_on(demo_path), "hr@example.com", "not the password")
    unknown = sign_in(app_on(demo_path), "nobody@example.com", DEMO_PASSWORD)
    assert wrong.error[0].value == unknown.error[0].value == SIGN_IN_FAILED


def test_repeated_failures_say_when_to_try_again(app_on, demo_path):
    app = app_on(demo_path)
    for _ in range(5):
        sign_in(app, "hr@example.com", "guess")
    assert "try again in 1 minute" in app.error[0].value


def test_the_demo_database_lists_the_demo_accounts(app_on, demo_path):
    listing = app_on(demo_path).info[0].value
    for email in ("admin@example.com", "hr@example.com", "manager@example.com"):
        assert email in listing
    assert DEMO_PASSWORD in listing


def test_a_real_database_never_lists_accounts(app_on, tmp_path):
    path = tmp_path / "real.duckdb"
    with Store(path) as db, db.transaction() as cursor:
        accounts.create_user(
            cursor, "boss@corp.example", {"admin"}, password_hash=None, now=utc_now()
        )
    app = app_on(path)
    assert app.title[0].value == "Sign in to Catalyst"
    assert not app.info
    assert "example.com" not in str([e.value for e in app.markdown])


def test_signing_in_starts_the_browser_on_its_way_to_the_cookie_route(app_on, demo_path):
    app = sign_in(app_on(demo_path), "hr@example.com")
    assert app.success[0].value.startswith("Signed in")
    redirect = app.get("html")[0].proto.body
    assert "/session/start?ticket=" in redirect
    assert "window.location.replace" in redirect


def first_run_form(app, code, password="a long enough password", repeat=None):
    text_input(app, "Your name").input("Ada Admin")
    text_input(app, "Email").input("ada@corp.example")
    text_input(app, "Password").input(password)
    text_input(app, "Repeat password").input(repeat or password)
    text_input(app, "Setup code").input(code)
    next(b for b in app.button if b.label == "Create admin account").click()
    return app.run()


def test_first_run_creates_the_admin_with_the_setup_code(app_on, tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as db:
        code = accounts.new_setup_code(db, now=utc_now())
    app = app_on(path)
    assert app.title[0].value == "Welcome to Catalyst"
    first_run_form(app, code)
    assert not app.error, [e.value for e in app.error]
    assert app.success[0].value.startswith("Signed in")
    app = after_redirect(app)
    assert app.sidebar.caption[0].value == "Signed in as **Ada Admin** · Admin"


def test_first_run_refuses_a_wrong_code_and_differing_passwords(app_on, tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as db:
        code = accounts.new_setup_code(db, now=utc_now())
    app = app_on(path)
    first_run_form(app, "WRONG-CODE-0000")
    assert "setup code is not right" in app.error[0].value
    first_run_form(app, code, repeat="another long password")
    assert "passwords differ" in app.error[0].value
    first_run_form(app, code, password="short")
    assert "at least 12" in app.error[0].value
    with Store(path) as db, db.reading() as cursor:
        assert not accounts.has_accounts(cursor)


SSO_SECRETS = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a test secret"
[auth.google]
client_id = "a"
client_secret = "b"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
[auth.microsoft]
client_id = "c"
client_secret = "d"
server_metadata_url = "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
"""


def set_sso_only(path, value: str) -> None:
    with Store(path) as db, db.transaction() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO settings VALUES ('sso_only', ?, NULL, NULL)", [value]
        )


def test_configured_providers_are_offered_beside_the_password(
    app_on, demo_path, tmp_path, monkeypatch
):
    (tmp_path / "secrets.toml").write_text(SSO_SECRETS)
    monkeypatch.setenv("CATALYST_SECRETS", str(tmp_path / "secrets.toml"))
    app = app_on(demo_path)
    labels = [b.label for b in app.button]
    assert labels[:2] == ["Sign in with Google", "Sign in with Microsoft"]
    assert [field.label for field in app.text_input] == ["Email", "Password"]


def test_sso_only_hides_the_password_form_once_a_provider_is_configured(
    app_on, demo_path, tmp_path, monkeypatch
):
    set_sso_only(demo_path, "true")
    assert [f.label for f in app_on(demo_path).text_input] == [
        "Email",
        "Password",
    ]  # no provider yet
    (tmp_path / "secrets.toml").write_text(SSO_SECRETS)
    monkeypatch.setenv("CATALYST_SECRETS", str(tmp_path / "secrets.toml"))
    app = app_on(demo_path)
    assert not app.text_input
    assert "single sign-on only" in app.caption[-1].value
    assert [b.label for b in app.button] == ["Sign in with Google", "Sign in with Microsoft"]
