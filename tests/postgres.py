"""A throwaway PostgreSQL cluster for the tests of server mode, from the installed server
binaries (Debian's postgresql package; `make test` installs it when root and missing).

Why not a fixture library (pytest-postgresql): CI runs as root, and initdb and postgres
refuse to run as root; the library starts them as the current user. Here the cluster
belongs to the `postgres` system user when the tests run as root (runuser), to the
current user otherwise. It listens on loopback and a socket in its own folder, with
fsync off (a test cluster never outlives its run), and is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SYSTEM_USER = "postgres"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """``with Cluster() as cluster: cluster.url`` — a running, empty cluster."""

    def __init__(self) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError(
                "No PostgreSQL server binaries in /usr/lib/postgresql: run `make test` (it "
                "installs Debian's postgresql as root) or install the package."
            )
        self.bin = binaries
        self.root = os.geteuid() == 0
        self.user = SYSTEM_USER if self.root else os.environ.get("USER") or "postgres"
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="catalyst-pg-"))
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", SYSTEM_USER, "--"] if self.root else []
        done = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode:
            raise RuntimeError(f"{Path(command[0]).name} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> Cluster:
        if self.root:
            shutil.chown(self.folder, SYSTEM_USER, SYSTEM_USER)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user,
                  "-E", "UTF8", "--no-instructions")  # fmt: skip
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "server.log"), "-w", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
