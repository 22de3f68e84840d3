"""`catalyst run` in a process of its own, for the browser tests (fixtures in conftest.py,
and tests that need a server set up their own way)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from browser import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, console, timeout: float) -> None:
    """Until ``url`` answers its health check; RuntimeError with the console if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{console()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout}s:\n{console()}")


def build_demo(db: Path, *, teams: int = 12, weeks: int = 10) -> Path:
    """`catalyst demo` into ``db`` (a process of its own, as a user runs it)."""
    subprocess.run(
        [sys.executable, "-m", "dashboard", "demo", "--db", str(db), "--teams", str(teams),
         "--weeks", str(weeks)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    return db


class Server:
    """`catalyst run` on a database, in its own process, with its console captured."""

    def __init__(self, db: Path | str, log: Path, *, secrets=None, port: int | None = None) -> None:
        """``db``: a file, or server mode's PostgreSQL URL; ``secrets``: given the
        server's URL, the secrets file to serve with (SSO, mail); ``port``: an earlier
        server's, so that links it sent still work."""
        self.port = port or _free_port()
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
        wait_until_healthy(self.url, self.process, self.console, timeout)

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


HAPROXY = Path("/usr/sbin/haproxy")


class Proxy:
    """Debian's HAProxy with the configuration in deploy/haproxy.cfg, on loopback, in
    front of ``servers`` (named app1, app2 … as the configuration names them)."""

    def __init__(self, servers: list[Server], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CATALYST_PROXY_BIND": f"127.0.0.1:{self.port}"}
        env |= {f"CATALYST_APP{n}": f"127.0.0.1:{s.port}" for n, s in enumerate(servers, 1)}
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            [str(HAPROXY), "-f", str(ROOT / "deploy" / "haproxy.cfg")],
            env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until_healthy(self.url, self.process, log.read_text, 20)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self._log_file.close()
