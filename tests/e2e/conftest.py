"""Browser tests: the real server (`catalyst run`) driven by Debian's Chromium.

Chromium is never downloaded: Playwright launches /usr/bin/chromium. Without
it these tests skip with the reason, except under CI=true or REQUIRE_E2E=1,
where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from browser import ARTIFACTS, ROOT
from playwright.sync_api import expect
from servers import Server, build_demo

# Two workers share two cores with their browsers and servers: a page may take longer
# than Playwright's default 5 s to draw. Waiting longer is not an assertion on time.
expect.set_options(timeout=20_000)

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _browser_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("REQUIRE_E2E") == "1"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright's launch options: Debian's Chromium, no downloads, no network chatter."""
    executable = _chromium()
    if executable is None:
        reason = "no Chromium at /usr/bin/chromium (install Debian's chromium package)"
        if _browser_required():
            pytest.fail(f"browser tests are required here, but {reason}")
        pytest.skip(reason)
    return {"executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1280, "height": 860}}


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, browser_type_launch_args):
    """The demo organization as `make run` serves it, ending with this week."""
    db = build_demo(tmp_path_factory.mktemp("e2e") / "demo.duckdb")
    server = Server(db, ARTIFACTS / "demo-server.log")
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path, browser_type_launch_args):
    """A server just started on a database with no accounts (first run)."""
    server = Server(tmp_path / "new.duckdb", ARTIFACTS / "first-run-server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    candidates = [
        os.environ.get("AXE_CORE"),
        ROOT / ".venv" / "share" / "axe-core" / "axe.min.js",
        Path(sys.prefix) / "share" / "axe-core" / "axe.min.js",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    reason = "no axe-core at .venv/share/axe-core/axe.min.js (scripts/install-axe, make test)"
    if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(f"accessibility tests are required here, but {reason}")
    pytest.skip(reason)
