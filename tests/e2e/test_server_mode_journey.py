"""Server mode in a real browser: two app servers on one PostgreSQL, behind HAProxy with
deploy/haproxy.cfg, on loopback. A manager checks in through one server and HR sees it
through the other; mail queued once goes out once though both servers run a scheduler;
the server a tab is on stops, and the tab carries on through the other, signed in."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from browser import ARTIFACTS, open_signed_in, rate, screenshot, settle
from mailserver import MailServer
from playwright.sync_api import expect
from servers import HAPROXY, Proxy, Server, build_demo

from dashboard import store
from dashboard.mail import outbox
from dashboard.store.copying import copy_to_server

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"
STICKY = "CATALYST_SERVER"  # HAProxy's cookie naming a tab's server (deploy/haproxy.cfg)


@pytest.fixture
def two_servers(tmp_path, postgres_database, browser_type_launch_args):
    if not HAPROXY.exists():
        reason = "no HAProxy at /usr/sbin/haproxy (make test installs Debian's haproxy)"
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    url = postgres_database()
    with store.Store(build_demo(tmp_path / "demo.duckdb")) as file:
        copy_to_server(file, url)  # as an installation moves to server mode
    with MailServer() as mail:
        shared = tmp_path / "secrets.toml"  # the same file on every server
        shared.write_text(
            f'[catalyst]\ncookie_secret = "{secrets.token_hex(32)}"\n\n[catalyst.smtp]\n'
            f'host = "127.0.0.1"\nport = {mail.port}\nsecurity = "none"\n'
            'sender = "catalyst@example.com"\n'
        )
        servers = {
            f"app{n}": Server(url, ARTIFACTS / f"server-mode-app{n}.log", secrets=lambda _: shared)
            for n in (1, 2)
        }
        proxy = Proxy(list(servers.values()), ARTIFACTS / "server-mode-haproxy.log")
        yield SimpleNamespace(url=url, servers=servers, proxy=proxy, mail=mail)
        proxy.stop()
        for server in servers.values():
            server.stop()


def pinned(browser, proxy: Proxy, server: str):
    """A new browser whose requests HAProxy sends to ``server``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    context.add_cookies([{"name": STICKY, "value": server, "url": proxy.url}])
    return context.new_page()


def check_ins_on_home(page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Check-ins")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_two_servers_share_one_database_and_a_tab_survives_losing_its_server(two_servers, browser):
    proxy, mail = two_servers.proxy, two_servers.mail

    hr = pinned(browser, proxy, "app2")
    open_signed_in(hr, f"{proxy.url}/", "hr@example.com", height=1600)
    before = int(check_ins_on_home(hr))

    manager = pinned(browser, proxy, "app1")
    open_signed_in(manager, f"{proxy.url}/checkin", "manager@example.com", height=2600)
    main = manager.locator(MAIN)
    expect(main).to_contain_text("is not done yet")
    rate(manager, main, ["4", "3", "5", "4", "2", "5"])
    main.get_by_role("button", name="Save check-in").click()
    settle(manager)
    expect(main).to_contain_text("Saved your check-in for the week of")
    assert {c["name"]: c["value"] for c in manager.context.cookies()}[STICKY] == "app1"

    # The command line writes while both servers run (a file would be locked by them).
    added = subprocess.run(
        [sys.executable, "-m", "dashboard", "user", "add", "lin@example.com", "--role", "hr",
         "--db", two_servers.url], input="tidal lantern orchard\n", capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    hr.reload()  # through the other server, whose caches follow the shared data versions
    settle(hr)
    assert {c["name"]: c["value"] for c in hr.context.cookies()}[STICKY] == "app2"
    assert int(check_ins_on_home(hr)) == before + 1
    screenshot(hr, "server-mode-hr-sees-the-check-in")

    # Both servers run a scheduler, looking every 5 s: what one plans (the demo's
    # reminders and digests) goes out once, by one of them.
    with store.open_store(two_servers.url) as db:
        deadline = time.monotonic() + 90
        while True:
            with db.reading() as cursor:
                counts = outbox.counts(cursor)
            if counts["sent"] and not counts["queued"] and not counts["sending"]:
                break
            assert time.monotonic() < deadline, f"the outbox was not worked through: {counts}"
            time.sleep(1)
        time.sleep(7)  # another round of each scheduler: nothing may come twice
        with db.reading() as cursor:
            sent = outbox.counts(cursor)["sent"]
    ids = [received.message["Message-ID"] for received in mail.received]
    assert len(ids) == len(set(ids)) == sent  # every message sent arrived, and once

    # The manager's server stops: the tab reconnects through HAProxy to the other one,
    # still signed in (sessions are in PostgreSQL), and the check-in is there.
    two_servers.servers["app1"].stop()
    app = "[data-testid='stApp']"
    manager.wait_for_selector(f"{app}:not([data-test-connection-state='CONNECTED'])")
    # Streamlit's page tries again with growing pauses; then a new session, a first run.
    manager.wait_for_selector(f"{app}[data-test-connection-state='CONNECTED']", timeout=90_000)
    settle(manager)
    manager.get_by_test_id("stSidebarNav").get_by_role("link", name="My team").click()
    manager.wait_for_url(f"{proxy.url}/my-team")
    settle(manager)
    expect(main.get_by_role("heading", name="My team")).to_be_visible()
    expect(manager.locator("[data-testid='stSidebar']")).to_contain_text("Jordan Blake")
    expect(main).not_to_contain_text("is not done yet")
    assert {c["name"]: c["value"] for c in manager.context.cookies()}[STICKY] == "app2"
    screenshot(manager, "server-mode-tab-moved-to-the-other-server")
