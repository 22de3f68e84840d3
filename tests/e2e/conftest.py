"""Browser tests: the real server (`catalyst run`) driven by Debian's Chromium.

Chromium is never downloaded: Playwright launches /usr/bin/chromium. Without
it these tests skip with the reason, except under CI=true or REQUIRE_E2E=1,
where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import ARTIFACTS, ROOT
from playwright.sync_api import expect

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`catalyst run` on a database, in its own process, with its console captured."""

    def __init__(self, db: Path, log: Path, *, secrets=None) -> None:
        """``secrets``: given the server's URL, the secrets file to serve with (SSO)."""
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        # Parallel workers (pytest-xdist) each serve their own demo: one log each.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        log = log.with_name(f"{log.stem}-{worker}{log.suffix}") if worker else log
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("w")
        extra = ["--secrets", str(secrets(self.url))] if secrets else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard",
                "run",
                "--db",
                str(db),
                "--port",
                str(self.port),
                *extra,
            ],
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"catalyst run exited:\n{self.console()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"catalyst run did not answer within {timeout}s:\n{self.console()}")

    def console(self) -> str:
        self._log_file.flush()
        return self.log.read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, browser_type_launch_args):
    """The demo organization as `make run` serves it, ending with this week."""
    db = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "demo",
            "--db",
            str(db),
            "--teams",
            "12",
            "--weeks",
            "10",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    server = Server(db, ARTIFACTS / "demo-server.log")
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path, browser_type_launch_args):
    """A server just started on a database with no accounts (first run)."""
    server = Server(tmp_path / "new.duckdb", ARTIFACTS / "first-run-server.log")
    yield server
    server.stop()
