"""Single sign-on on Catalyst's side: which providers the secrets configure, and who a
provider's identity may sign in as (an active Catalyst user, roles from Catalyst)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard import accounts, settings
from dashboard.settings import SessionPolicy

NOW = datetime(2026, 11, 24, 9, 0)
POLICY = SessionPolicy(idle=timedelta(hours=1), max_age=timedelta(hours=12))


def write_secrets(tmp_path, monkeypatch, text: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    monkeypatch.setenv("CATALYST_SECRETS", str(path))


def test_no_auth_section_means_no_single_sign_on(tmp_path, monkeypatch):
    write_secrets(tmp_path, monkeypatch, '[catalyst]\ndatabase = "x.duckdb"\n')
    assert settings.sso_providers() == {}


def test_named_and_unnamed_providers_with_their_labels(tmp_path, monkeypatch):
    write_secrets(
        tmp_path,
        monkeypatch,
        """
[auth]
redirect_uri = "https://c.example/oauth2callback"
cookie_secret = "s"
client_id = "a"
client_secret = "b"
server_metadata_url = "https://idp.example/.well-known/openid-configuration"
[auth.microsoft]
client_id = "c"
client_secret = "d"
server_metadata_url = "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
[auth.corpidp]
client_id = "e"
client_secret = "f"
server_metadata_url = "https://idp.corp.example/.well-known/openid-configuration"
[catalyst.sso_labels]
corpidp = "Harbor & Pine login"
""",
    )
    assert settings.sso_providers() == {
        "default": "single sign-on",
        "microsoft": "Microsoft",
        "corpidp": "Harbor & Pine login",
    }


def test_an_active_user_signs_in_whatever_the_email_case(demo_store):
    token = accounts.sso_sign_in(
        demo_store, " HR@Example.COM", provider="okta", verified=True, now=NOW
    )
    user = accounts.session_user(demo_store, token, now=NOW, policy=POLICY)
    assert user.email == "hr@example.com" and user.roles == {"hr"}  # Catalyst's roles


@pytest.mark.parametrize(
    ("email", "verified", "reason"),
    [
        ("stranger@example.com", True, "no account with this email"),
        ("hr@example.com", False, "email not verified by the provider"),
        (None, True, "no account with this email"),
        ("deactivated", True, "account deactivated"),
    ],
)
def test_anyone_else_is_refused_and_audited(demo_store, email, verified, reason):
    if email == "deactivated":
        email = "manager@example.com"
        with demo_store.reading() as cursor:
            user_id = accounts.find_user(cursor, email).user_id
        accounts.set_active(demo_store, user_id, False, now=NOW)
    assert (
        accounts.sso_sign_in(demo_store, email, provider="okta", verified=verified, now=NOW) is None
    )
    with demo_store.reading() as cursor:
        action, detail = cursor.execute(
            "SELECT action, detail FROM audit_log ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
    assert (action, detail) == ("sign_in.failure", f"single sign-on (okta): {reason}")
