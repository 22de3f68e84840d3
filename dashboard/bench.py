"""``catalyst bench``: build the scale organization and time what users wait for.

Timings are taken in-process with perf_counter; peak memory is the process's
maximum resident set size. Numbers go to the README, never into tests.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dashboard import accounts, queries
from dashboard.demo import MANAGER_EMAIL, DemoSpec, build_demo
from dashboard.queries import Scope
from dashboard.store import Store

Progress = Callable[[str], None]
GOALS = {"demo_build_s": 60, "hr_reads_cold_ms": 1500, "hr_reads_warm_ms": 150,
         "manager_reads_warm_ms": 100, "peak_rss_mb": 1024}  # fmt: skip


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(teams: int, weeks: int, progress: Progress, seed: int = 7) -> dict[str, float]:
    """Build a demo of this size in a temporary database and measure the read API."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.duckdb") as db:
        progress(f"Building the demo organization: {teams:,} teams x {weeks} weeks")
        counts: dict = {}
        build_s = _timed(lambda: counts.update(build_demo(db, DemoSpec(teams, weeks, seed))))
        period = queries.default_period(db, 12)
        hr = Scope.hr()
        with db.reading() as cursor:
            manager = accounts.find_user(cursor, MANAGER_EMAIL).user_id

        def hr_reads() -> None:  # what the HR overview asks for
            queries.team_table(db, hr, period)
            queries.department_table(db, hr, period)
            queries.trends(db, hr, period)
            queries.benchmark(db, period)
            queries.benchmark(db, period.before())

        def manager_reads() -> None:  # what My Team asks for
            mine = Scope.manager(manager)
            queries.team_figure(db, mine, 1, period)
            queries.team_rounds(db, mine, 1, period)
            queries.self_vs_team(db, mine, manager, 1, period)
            queries.benchmark(db, period)

        progress("Timing the read API (last 12 weeks)")
        cold = _timed(hr_reads)
        warm = min(_timed(hr_reads) for _ in range(5))
        manager_warm = min(_timed(manager_reads) for _ in range(5))
    return {
        "teams": teams,
        "weeks": weeks,
        "responses": counts["survey_responses"],
        "demo_build_s": round(build_s, 2),
        "hr_reads_cold_ms": round(cold * 1000, 1),
        "hr_reads_warm_ms": round(warm * 1000, 1),
        "manager_reads_warm_ms": round(manager_warm * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def table(results: dict[str, float]) -> str:
    lines = [f"{'measure':<24} {'value':>12}  goal"]
    for key, value in results.items():
        goal = GOALS.get(key)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        lines.append(f"{key:<24} {shown:>12}  {'<= ' + format(goal, ',') if goal else ''}")
    return "\n".join(lines)
