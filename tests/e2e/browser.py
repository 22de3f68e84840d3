"""Helpers for driving the real app in Chromium (waiting, signing in, screenshots)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import expect

from dashboard.demo import DEMO_PASSWORD
from dashboard.navigation import SESSION_COOKIE

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"


def settle(page) -> None:
    """Wait like Streamlit's own e2e suite: connected, script finished, no skeletons."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=30_000
    )
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=30_000
    )
    page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=30_000)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def wait_until_signed_in(page, timeout: float = 30) -> None:
    """Until the sign-in's redirect has set the session cookie. Waiting for the address
    is not enough: the sign-in page already stands at the address asked for."""
    deadline = time.monotonic() + timeout
    while not any(c["name"] == SESSION_COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise AssertionError("the sign-in did not complete")
        page.wait_for_timeout(100)


def open_signed_in(page, url: str, email: str, *, height: int) -> None:
    """Open a page as a signed-out visitor does, sign in, and land back on it."""
    page.set_viewport_size({"width": 1400, "height": height})
    page.goto(url)
    settle(page)
    sign_in(page, email)
    wait_until_signed_in(page)
    page.wait_for_url(f"{url}**")  # a page may add its filters to the URL at once
    settle(page)


LABELS = ["Clear goals", "Autonomy", "Resources", "Help", "Obstacle removal", "Respect"]


def rate(page, main, ratings: list[str]) -> None:
    for label, value in zip(LABELS, ratings, strict=True):
        group = main.get_by_role("radiogroup", name=re.compile(f"^{label}"))
        # One rating at a time, each seen as chosen: a click that lands while the page is
        # rerunning for the previous one was once lost (a flaky "missing: Clear goals").
        group.get_by_text(value, exact=True).click()
        expect(group.get_by_role("radio", name=value, exact=True)).to_be_checked()
        settle(page)
