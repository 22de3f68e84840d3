"""Attacks on signing in, in a real browser against `catalyst run`: locking someone out,
signing a victim in as the attacker, signing people out from another site, framing the
app, reading the server's metrics.

Clients are told apart the way a reverse proxy tells Catalyst: the browser reaches the
server through a small proxy on loopback (a trusted proxy by default) that names the
client in X-Forwarded-For (forwarding_proxy.py).
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from browser import screenshot, settle, sign_in, wait_until_signed_in
from forwarding_proxy import ForwardingProxy
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"
ERROR = "[data-testid='stAlertContentError']"
ATTACKER_SITE = "http://attacker.test/"


@pytest.fixture
def proxies(demo_server):
    """Proxies in front of the demo server, by the client address each one reports."""
    running: dict[str, ForwardingProxy] = {}

    def through(client: str) -> ForwardingProxy:
        running[client] = running.get(client) or ForwardingProxy(demo_server.port, client)
        return running[client]

    yield through
    for proxy in running.values():
        proxy.stop()


def open_sign_in(page, url: str) -> None:
    page.goto(url)
    settle(page)
    expect(page.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()


def signed_in_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "catalyst_session"), None)


def test_a_wrong_password_from_one_client_does_not_lock_out_another(proxies, browser):
    attacker = browser.new_context().new_page()
    open_sign_in(attacker, proxies("203.0.113.66").url)
    for guess in range(5):
        sign_in(attacker, "hr@example.com", f"guess number {guess}")
        settle(attacker)
    expect(attacker.locator(ERROR)).to_contain_text("try again in 1 minute")
    sign_in(attacker, "hr@example.com")  # even the right password waits, from there
    settle(attacker)
    expect(attacker.locator(ERROR)).to_contain_text("try again in")
    screenshot(attacker, "lockout-attacker-waits")

    hr = browser.new_context().new_page()
    office = proxies("198.51.100.20").url
    open_sign_in(hr, office)
    sign_in(hr, "hr@example.com")
    hr.wait_for_url(f"{office}/")
    settle(hr)
    expect(hr.locator(SIDEBAR)).to_contain_text("Signed in as Priya Raman")
    screenshot(hr, "lockout-hr-signs-in")
    attacker.context.close()
    hr.context.close()


def test_a_ticket_from_another_browser_does_not_sign_in(demo_server, browser):
    """Login CSRF: the attacker signs in, keeps the ticket link instead of following it,
    and gets a victim to open it. The victim must not end up signed in as the attacker."""
    attacker = browser.new_context().new_page()
    attacker.route("**/session/start?ticket=*", lambda route: route.abort())
    open_sign_in(attacker, demo_server.url)
    with attacker.expect_request("**/session/start?ticket=*") as kept:
        sign_in(attacker, "manager@example.com")
    ticket_link = kept.value.url

    victim = browser.new_context().new_page()
    open_sign_in(victim, demo_server.url)  # a visitor of the app, with its own cookie
    victim.goto(ticket_link)
    settle(victim)
    expect(victim.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    expect(victim.locator(SIDEBAR)).to_have_count(0)
    assert signed_in_cookie(victim.context) is None
    screenshot(victim, "login-csrf-refused")
    attacker.context.close()
    victim.context.close()


def test_the_ticket_still_signs_in_the_browser_that_asked_for_it(demo_server, page):
    open_sign_in(page, f"{demo_server.url}/my-team")
    sign_in(page, "manager@example.com")
    page.wait_for_url(f"{demo_server.url}/my-team")
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Jordan Blake")
    assert signed_in_cookie(page.context)


def attacker_page(page, body: str) -> None:
    """Open a page of another site (served by the browser itself) with this body."""
    page.route(
        ATTACKER_SITE,
        lambda route: route.fulfill(content_type="text/html", body=f"<html><body>{body}"),
    )
    page.goto(ATTACKER_SITE)


def test_sign_out_refuses_a_cross_site_get(demo_server, page):
    open_sign_in(page, demo_server.url)
    sign_in(page, "hr@example.com")
    page.wait_for_url(f"{demo_server.url}/")
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Priya Raman")

    end = f"{demo_server.url}/session/end"
    attacker_page(page, f'<a id="link" href="{end}">win a prize</a>')
    with page.expect_navigation(url=end):  # a top-level GET from another site carries
        page.click("#link")  # SameSite=Lax cookies: it gets the app's page, nothing more
    attacker_page(page, f'<form id="f" method="post" action="{end}"></form>')
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_url(end)
    expect(page.locator("body")).to_contain_text("Sign out from Catalyst's own pages")

    page.goto(demo_server.url)
    settle(page)
    expect(page.locator(SIDEBAR)).to_contain_text("Signed in as Priya Raman")
    assert signed_in_cookie(page.context)

    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()  # ours still works
    page.wait_for_url(f"{demo_server.url}/")
    settle(page)
    expect(page.get_by_role("heading", name="Sign in to Catalyst")).to_be_visible()
    assert signed_in_cookie(page.context) is None


def response_headers(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers


def test_pages_refuse_to_be_framed(demo_server, page):
    for path in ("/", "/overview", "/session/start?ticket=x", "/_stcore/health"):
        _, headers = response_headers(f"{demo_server.url}{path}")
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path

    # The page's load event waits for its frames, refused or not.
    attacker_page(page, f'<iframe src="{demo_server.url}/" width="800" height="600"></iframe>')
    (framed,) = page.main_frame.child_frames
    assert framed.url == "chrome-error://chromewebdata/"  # Chromium refused to show it


def test_metrics_are_not_public(demo_server, browser):
    metrics = f"{demo_server.url}/_stcore/metrics"
    assert response_headers(metrics)[0] == 404  # anyone on the network

    for email, status in (("hr@example.com", 404), ("admin@example.com", 200)):
        context = browser.new_context()
        page = context.new_page()
        open_sign_in(page, demo_server.url)
        sign_in(page, email)
        wait_until_signed_in(page)  # the sign-in page is at / already
        reply = context.request.get(metrics)
        assert reply.status == status, email
        if status == 200:
            assert "session" in reply.text()
        context.close()
