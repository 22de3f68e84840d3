"""Browser load check (`make load-browser`): concurrent Chromium sessions against one
`catalyst run`, end to end. The server's own figures come from `make load`
(scripts/load.py, at the protocol level): ten Chromium instances on two cores mostly
measure Chromium.

Builds the demo organization in a temporary database, serves it, and drives SESSIONS
headless Chromium pages at once (half HR on the overview, half managers on My team),
each signing in and then making INTERACTIONS clicks. For every click it measures the
time until the app reports the rerun finished, and it counts pages showing an error.
Prints p50/p95 and writes artifacts/load-browser.json. Not part of `make test`.

    make load-browser              # 10 sessions x 10 interactions
    python scripts/load_browser.py --sessions 20 --interactions 5 --teams 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
APP = "[data-testid='stApp']"
HR_CLICKS = ["Self vs team", "Trends", "What goes with progress", "Watch list", "Heatmap"]
MANAGER_CLICKS = ["Last 4 weeks", "Last 26 weeks", "Last 12 weeks"]


def percentiles(prefix: str, values: list[float]) -> dict:
    if not values:
        return {f"{prefix}p50_ms": None, f"{prefix}p95_ms": None, f"{prefix}max_ms": None}
    cuts = statistics.quantiles(values, n=20, method="inclusive") if len(values) > 1 else values
    return {
        f"{prefix}p50_ms": round(statistics.median(values), 1),
        f"{prefix}p95_ms": round(cuts[-1], 1),
        f"{prefix}max_ms": round(max(values), 1),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def finished(page, timeout: float = 60_000) -> None:
    """Until the rerun a click started has finished (seeing it start if it was slow)."""
    try:
        await page.wait_for_selector(f"{APP}[data-test-script-state='running']", timeout=1_000)
    except Exception:  # noqa: BLE001 - a fast rerun may be over before we look
        pass
    await page.wait_for_selector(f"{APP}[data-test-script-state='notRunning']", timeout=timeout)


async def session(browser, url: str, number: int, interactions: int, timings: list, errors: list):
    hr = number % 2 == 0
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    path = "/overview" if hr else "/my-team"
    await page.goto(url + path)
    await page.wait_for_selector(f"{APP}[data-test-connection-state='CONNECTED']", timeout=60_000)
    await finished(page)
    await page.get_by_role("textbox", name="Email").fill(
        "hr@example.com" if hr else "manager@example.com"
    )
    await page.get_by_role("textbox", name="Password").fill("catalyst-demo")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url(f"{url}{path}**", timeout=60_000)
    await finished(page)
    clicks = HR_CLICKS if hr else MANAGER_CLICKS
    for i in range(interactions):
        started = time.perf_counter()
        await page.get_by_role("radio", name=clicks[i % len(clicks)], exact=True).click()
        await finished(page)
        timings.append((time.perf_counter() - started) * 1000)
        if await page.locator("[data-testid='stException']").count():
            errors.append(f"session {number}, click {i}: an error is shown")
    await page.context.close()


async def drive(url: str, sessions: int, interactions: int) -> tuple[list, list]:
    timings, errors = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        results = await asyncio.gather(
            *(session(browser, url, n, interactions, timings, errors) for n in range(sessions)),
            return_exceptions=True,
        )
        errors += [f"session failed: {r!r}" for r in results if isinstance(r, BaseException)]
        await browser.close()
    return timings, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--teams", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "load.duckdb"
        print(f"Building the demo ({args.teams} teams)", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard",
                "demo",
                "--db",
                str(db),
                "--teams",
                str(args.teams),
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        port = free_port()
        url = f"http://localhost:{port}"
        log = Path(folder) / "server.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "run", "--db", str(db), "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            env={**os.environ, "CATALYST_LOG_RERUNS": "1"},
        )
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            print(
                f"{args.sessions} sessions x {args.interactions} interactions on {url}",
                file=sys.stderr,
            )
            timings, errors = asyncio.run(drive(url, args.sessions, args.interactions))
        finally:
            server.terminate()
            server.wait(timeout=15)
        # The server's own time per script run (app.py logs each), apart from the browsers'.
        server_ms = [float(m) for m in re.findall(r"rerun \S+ (\d+) ms", log.read_text())]
    report = {
        "sessions": args.sessions,
        "interactions": args.interactions,
        "reruns": len(timings),
        **percentiles("", timings),
        **percentiles("server_", server_ms),
        "errors": errors,
    }
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "load-browser.json").write_text(json.dumps(report, indent=2))
    print(
        f"{report['reruns']} clicks, click to finished rerun in the browser: p50 "
        f"{report['p50_ms']} ms, p95 {report['p95_ms']} ms, max {report['max_ms']} ms; the "
        f"server's script runs: p50 {report['server_p50_ms']} ms, p95 "
        f"{report['server_p95_ms']} ms; {len(errors)} errors"
    )
    for error in errors:
        print(f"  {error}")
    print(json.dumps(report))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
