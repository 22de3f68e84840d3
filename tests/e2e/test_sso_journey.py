"""Single sign-on through a real OpenID Connect provider on loopback (oidc-provider-mock,
which runs Authlib's provider code): the full redirect flow in the browser, an
unknown email and a deactivated account refused, signing out ending both sessions,
and a user deactivated while signed in shut out at the next interaction."""

from __future__ import annotations

import re

import oidc_provider_mock
import pytest
from browser import ARTIFACTS, screenshot, settle, sign_in
from playwright.sync_api import expect
from servers import Server, build_demo

from dashboard import accounts
from dashboard.clock import utc_now
from dashboard.store import Store

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
SIGNED_IN = re.compile("^Signed in as")  # the sidebar's line (not "You signed in as")
NOT_SET_UP = "Your account is not set up in Catalyst — ask your HR admin."


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory, provider, browser_type_launch_args):
    """The demo, served with Okta-style single sign-on against the provider; one demo
    manager is deactivated before the server starts."""
    folder = tmp_path_factory.mktemp("sso")
    db = build_demo(folder / "demo.duckdb", teams=6, weeks=4)
    with Store(db) as store, store.reading() as cursor:
        gone = cursor.execute(
            "SELECT user_id, email FROM users WHERE email LIKE '%.%@example.com' ORDER BY 1"
        ).fetchone()
    with Store(db) as store:
        accounts.set_active(store, gone[0], False, now=utc_now(), actor="test")

    def secrets(url: str):
        path = folder / "secrets.toml"
        path.write_text(
            f'[auth]\nredirect_uri = "{url}/oauth2callback"\n'
            'cookie_secret = "a test secret that is long and random enough"\n'
            f'[auth.okta]\nclient_id = "catalyst"\nclient_secret = "not-a-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        )
        return path

    server = Server(db, ARTIFACTS / "sso-server.log", secrets=secrets)
    server.deactivated = gone[1]
    yield server
    server.stop()


def sso_sign_in(page, server, email: str) -> None:
    """Click the provider's button, say who you are on its page, come back."""
    page.goto(server.url)
    settle(page)
    page.get_by_role("button", name="Sign in with Okta").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name=sub]").fill(email)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{server.url}/**")
    settle(page)


def test_a_user_signs_in_with_the_provider_and_signing_out_ends_both(sso_server, page):
    sso_sign_in(page, sso_server, "HR@Example.com")  # the provider's case, not Catalyst's
    expect(page.get_by_text("Signed in as")).to_contain_text("Priya Raman · HR")
    expect(
        page.get_by_role("link", name="Overview", exact=True)
    ).to_be_visible()  # HR's pages, from Catalyst
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    screenshot(page, "sso-signed-in")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{sso_server.url}/")
    settle(page)
    expect(page.get_by_role("button", name="Sign in with Okta")).to_be_visible()
    cookies = {c["name"] for c in page.context.cookies()}
    assert not cookies & {"catalyst_session", "_streamlit_user", "_streamlit_user_tokens"}
    page.reload()  # the provider's identity no longer signs anyone in by itself
    settle(page)
    expect(page.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    expect(page.get_by_text(SIGNED_IN)).to_have_count(0)


@pytest.mark.parametrize("who", ["stranger@example.com", "deactivated"])
def test_nobody_without_an_active_account_gets_in(sso_server, page, who):
    email = sso_server.deactivated if who == "deactivated" else who
    sso_sign_in(page, sso_server, email)
    main = page.locator(MAIN)
    expect(main).to_contain_text(NOT_SET_UP)
    expect(main).to_contain_text(f"You signed in as {email}")
    expect(page.get_by_text(SIGNED_IN)).to_have_count(0)
    page.goto(f"{sso_server.url}/overview")  # no page opens behind the refusal
    settle(page)
    expect(main).to_contain_text(NOT_SET_UP)
    expect(main.get_by_role("heading", name="Overview")).to_have_count(0)
    screenshot(page, f"sso-refused-{who.split('@')[0]}")


def test_a_user_deactivated_while_signed_in_is_out_at_the_next_click(sso_server, page, browser):
    sso_sign_in(page, sso_server, "manager@example.com")
    expect(page.get_by_text("Signed in as")).to_contain_text("Jordan Blake")

    admin = browser.new_context().new_page()
    admin.goto(f"{sso_server.url}/admin")
    settle(admin)
    sign_in(admin, "admin@example.com")
    admin.wait_for_url(f"{sso_server.url}/admin**")
    settle(admin)
    admin.locator("[data-testid='stSelectbox']").filter(has_text="Person").click()
    admin.get_by_role("option", name="Jordan Blake · manager@example.com").click()
    settle(admin)
    admin.get_by_text("Active (can sign in)").click()
    admin.get_by_role("button", name="Save changes").click()
    settle(admin)
    expect(admin.locator(MAIN)).to_contain_text("deactivated: signed out everywhere")

    page.get_by_role("link", name="My team", exact=True).click()  # the identity cookie still lives
    settle(page)
    expect(page.locator(MAIN)).to_contain_text(NOT_SET_UP)
    expect(page.get_by_text(SIGNED_IN)).to_have_count(0)
