"""Known organizations for tests, built by the real demo generator and store."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from dashboard.demo import DemoSpec, build_demo
from dashboard.store import Store

TODAY = date(2026, 11, 24)  # a Tuesday: last week's check-in is still open
SMALL_DEMO = DemoSpec(teams=12, weeks=8, seed=3, today=TODAY)


def build_demo_file(path: Path, spec: DemoSpec = SMALL_DEMO) -> Path:
    with Store(path) as db:
        build_demo(db, spec)
    return path


def copy_database(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


class HeldDatabase:
    """Another process holding a database open, as the running app does."""

    def __init__(self, path: Path) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "holding"

    def __enter__(self) -> HeldDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


_HOLDER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""
