"""Load test (`make load`): simulated sessions speaking Streamlit's own websocket protocol
to one `catalyst run`, so the figures are the server's, not a browser's.

Builds the demo in a temporary database, opens a real signed-in session per simulated
person (a row in `sessions`, as signing in makes; the cookie goes with the websocket's
handshake), serves it, and runs each level of concurrency for a while. Every session
does what people do, with 2-5 s to think between steps:

* managers open the check-in, rate the six catalysts and save, then open My team and
  change its period;
* HR open the overview, switch views and periods (the page keeps both in the URL, so a
  rerun with a new query string is what a click sends), and download the team table.

A step is timed from the message sent to the server's "script finished"; a rerun that
shows an exception, a sign-in page or a dropped connection is an error. The server's
CPU and memory come from /proc while it runs; memory per idle session is the growth
after every session connected and before the first step.

    make load                                   # 10, 50 and 100 sessions, 60 s each
    python scripts/load.py --levels 25 --seconds 30 --teams 200

Server mode: ``--server postgresql://…/EMPTY_DATABASE`` copies the demo there (`catalyst
copy`) and serves it; ``--servers 2`` starts two app servers on it and gives each session
to one of them in turn, as HAProxy's sticky sessions do. CPU and memory are the servers'
together (PostgreSQL's own are not counted: on this machine it shares the two cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import StringArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import store  # noqa: E402 - after the path is set
from dashboard.accounts.sessions import start_session  # noqa: E402
from dashboard.catalysts import CATALYSTS  # noqa: E402
from dashboard.clock import utc_now  # noqa: E402
from dashboard.navigation import SESSION_COOKIE  # noqa: E402

HR_VIEWS = ["Heatmap", "Self vs team", "Trends", "What goes with progress", "Watch list"]
PERIODS = ["Last 4 weeks", "Last 12 weeks", "Last 26 weeks"]
THINK = (2.0, 5.0)  # seconds between steps, as people do


@dataclass
class Level:
    sessions: int
    timings: list[float] = field(default_factory=list)  # ms, message to script finished
    errors: list[str] = field(default_factory=list)
    steps: int = 0
    downloads: int = 0


class Refused(Exception):
    """A rerun that did not show what a person would expect."""


class Session:
    """One person's tab: a websocket to the server, reruns sent as the browser sends them."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.socket = None
        self.elements: list = []

    async def connect(self) -> None:
        self.socket = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": f"{SESSION_COOKIE}={self.token}"},
            max_size=None,
            open_timeout=60,
            ping_interval=None,  # a browser sends no pings; a busy server must not drop us
        )

    async def rerun(self, page: str, query: str = "", widgets: list | None = None) -> float:
        """Send one rerun and wait until the server finished it; its time in ms."""
        message = BackMsg()
        state = message.rerun_script
        state.page_name, state.query_string = page, query
        state.widget_states.widgets.extend(widgets or [])
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        self.elements = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.socket.recv(), 120))
            kind = forward.WhichOneof("type")
            if kind == "new_session":  # each run starts afresh (st.rerun runs again)
                self.elements = []
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self.elements.append(forward.delta.new_element)
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the same step goes on
                took = (time.perf_counter() - started) * 1000
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise Refused(f"{page}: the script did not compile")
                break
        self._check(page)
        return took

    def _check(self, page: str) -> None:
        for element in self.elements:
            kind = element.WhichOneof("type")
            if kind == "exception":
                raise Refused(f"{page}: {element.exception.message[:120]}")
            if kind == "heading" and element.heading.body.startswith("Sign in"):
                raise Refused(f"{page}: signed out")

    def widget(self, kind: str, label: str):
        for element in self.elements:
            if element.WhichOneof("type") == kind and getattr(element, kind).label == label:
                return getattr(element, kind)
        said = [e.alert.body[:80] for e in self.elements if e.WhichOneof("type") == "alert"]
        raise Refused(f"no {kind} {label!r} on the page ({len(self.elements)} elements; {said})")

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


async def manager_steps(session: Session, level: Level, until: float) -> None:
    """Check in (rate each catalyst 1-5, save), then My team and two of its periods."""
    await timed(level, session.rerun("checkin"))
    while time.monotonic() < until:
        ratings = []
        for item in CATALYSTS:
            label = (
                f"{item.label} — {item.self_question.removeprefix('This week, how well did I ')}"
            )
            radio = session.widget("radio", label)
            ratings.append(WidgetState(id=radio.id, string_value=random.choice(radio.options)))
        save = session.widget("button", "Save check-in")
        await think(until)
        await timed(level, session.rerun("checkin", "", [*ratings, WidgetState(
            id=save.id, trigger_value=True)]))  # fmt: skip
        said = [e.alert.body for e in session.elements if e.WhichOneof("type") == "alert"]
        if not any(body.startswith("Saved") for body in said):
            raise Refused(f"the check-in was not saved: {said[:2]}")
        await think(until)
        await timed(level, session.rerun("my-team"))
        for period in random.sample(PERIODS, 2):  # the period's buttons, as clicked
            group = session.widget("button_group", "Period")
            await think(until)
            chosen = WidgetState(id=group.id, string_array_value=StringArray(data=[period]))
            await timed(level, session.rerun("my-team", "", [chosen]))
        await think(until)
        await timed(level, session.rerun("checkin"))


async def hr_steps(session: Session, level: Level, until: float) -> None:
    """The overview: views, periods, and the team table's download."""
    while time.monotonic() < until:
        view, period = random.choice(HR_VIEWS), random.choice(PERIODS)
        query = f"view={view}&period={period}".replace(" ", "+")
        await timed(level, session.rerun("overview", query))
        await think(until)
        if random.random() < 0.25:
            await timed(level, download(session))
            level.downloads += 1
            await think(until)


async def download(session: Session) -> float:
    """Take the first file the page offers as the browser does: fetch the address of its
    link (Catalyst's download route makes the file then) with the session's cookie."""
    found = [re.search(r'class="catalyst-download" href="([^"]+)"', e.markdown.body)
             for e in session.elements if e.WhichOneof("type") == "markdown"]  # fmt: skip
    links = [link.group(1) for link in found if link]
    if not links:
        raise Refused("no download on the overview")
    started = time.perf_counter()
    request = urllib.request.Request(  # noqa: S310 - our own server
        session.url + links[0], headers={"Cookie": f"{SESSION_COOKIE}={session.token}"}
    )
    try:
        data = await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=120).read())  # noqa: S310
    except urllib.error.HTTPError as problem:
        raise Refused(f"the download was refused ({problem.code})") from None
    if not data.startswith(b"PK") and b"," not in data[:200]:  # an Excel file or a CSV
        raise Refused("the download is not a file")
    return (time.perf_counter() - started) * 1000


async def timed(level: Level, step) -> None:
    level.timings.append(await step)
    level.steps += 1


async def think(until: float) -> None:
    await asyncio.sleep(min(random.uniform(*THINK), max(0.0, until - time.monotonic())))


async def person(session: Session, hr: bool, level: Level, until: float) -> None:
    try:
        await (hr_steps if hr else manager_steps)(session, level, until)
    except (Refused, OSError, TimeoutError, websockets.ConnectionClosed) as problem:
        level.errors.append(f"{'HR' if hr else 'manager'}: {problem!r}"[:200])


class Watch:
    """The servers' CPU (% of one core) and resident memory, together, from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.tick = pids, os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        used = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used += int(fields[11]) + int(fields[12])
        return used / self.tick

    def rss_mb(self) -> float:
        total = 0.0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total


async def run_level(urls: list[str], tokens: list[tuple[str, bool]], watch: Watch, seconds: float):
    level = Level(len(tokens))
    sessions = [Session(urls[n % len(urls)], token) for n, (token, _) in enumerate(tokens)]
    before = watch.rss_mb()
    await asyncio.gather(*(s.connect() for s in sessions))
    # Each opens its first page (as a tab does), then idles: the memory an open tab costs.
    await asyncio.gather(*(s.rerun("overview" if hr else "my-team")
                           for s, (_, hr) in zip(sessions, tokens, strict=True)))  # fmt: skip
    await asyncio.sleep(3)
    idle = (watch.rss_mb() - before) / len(sessions)
    log_from = {log: log.stat().st_size for log in LOGS}
    cpu, started = watch.cpu_seconds(), time.monotonic()
    until = started + seconds
    peak = [watch.rss_mb()]

    async def sample() -> None:
        while time.monotonic() < until:
            peak[0] = max(peak[0], watch.rss_mb())
            await asyncio.sleep(1)

    await asyncio.gather(
        sample(),
        *(person(s, hr, level, until) for s, (_, hr) in zip(sessions, tokens, strict=True)),
    )
    elapsed = time.monotonic() - started
    used = watch.cpu_seconds() - cpu
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return {
        "server_script_ms": script_runs(log_from),
        "sessions": level.sessions,
        "steps": level.steps,
        "downloads": level.downloads,
        "reruns_per_s": round(level.steps / elapsed, 1),
        **percentiles(level.timings),
        "errors": len(level.errors),
        "error_examples": sorted(set(level.errors))[:5],
        "server_cpu_pct": round(100 * used / elapsed),
        "server_cpu_ms_per_step": round(1000 * used / max(1, level.steps), 1),
        "server_peak_mb": round(peak[0]),
        "idle_mb_per_session": round(idle, 1),
    }


def script_runs(offsets: dict[Path, int]) -> dict:
    """The servers' own time per script run and page (app.py logs them), from each log's
    offset: median and p95 per page, apart from the time spent waiting for a turn."""
    found = []
    for path, offset in offsets.items():
        with path.open() as log:
            log.seek(offset)
            found += re.findall(r"rerun (\S+) (\d+) ms", log.read())
    pages: dict[str, list[float]] = {}
    for page, took in found:
        pages.setdefault(page, []).append(float(took))
    return {
        page: {"runs": len(times), "p50": round(statistics.median(times)),
               "p95": round(max(times) if len(times) < 20 else statistics.quantiles(
                   times, n=20)[-1])}
        for page, times in sorted(pages.items())
    }  # fmt: skip


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49]), "p95_ms": round(cuts[94]), "p99_ms": round(cuts[98])}


def sessions_for(location: Path | str, count: int) -> list[tuple[str, bool]]:
    """Real sessions, as signing in makes them: half HR (hr@ and admin@), half managers
    (the demo's, in turn). (token, is HR)."""
    with store.open_store(location) as db, db.transaction() as cursor:
        hr = [u for (u,) in cursor.execute(
            "SELECT user_id FROM users WHERE email IN ('hr@example.com', 'admin@example.com')"
        ).fetchall()]  # fmt: skip
        managers = [u for (u,) in cursor.execute(  # who leads a team now
            "SELECT DISTINCT manager_id FROM team_history WHERE valid_to IS NULL "
            "AND manager_id IS NOT NULL ORDER BY 1").fetchall()]  # fmt: skip
        now = utc_now()
        return [
            (start_session(cursor, (hr if n % 2 == 0 else managers)[n // 2 % (
                len(hr) if n % 2 == 0 else len(managers))], now, via="load test"), n % 2 == 0)
            for n in range(count)
        ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LOGS: list[Path] = []  # each server's console


def serve(db: Path | str, number: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = ROOT / "artifacts" / ("load-server.log" if number == 1 else f"load-server-{number}.log")
    log.parent.mkdir(exist_ok=True)
    LOGS.append(log)
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "run", "--db", str(db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env={**os.environ, "CATALYST_LOG_RERUNS": "1"},  # app.py logs each script run's time
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)  # noqa: S310
            return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,100", help="concurrent sessions, in turn")
    parser.add_argument("--seconds", type=float, default=60, help="per level")
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--db", type=Path, help="serve this database (a copy) instead")
    parser.add_argument("--server", help="server mode: an empty PostgreSQL database's URL")
    parser.add_argument("--servers", type=int, default=1, help="app servers (server mode)")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "load.duckdb"
        if args.db:
            db.write_bytes(args.db.read_bytes())
        else:
            print(f"Building the demo ({args.teams} teams)…", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-m", "dashboard", "demo", "--db", str(db), "--teams",
                 str(args.teams)],
                check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
        if args.server:
            subprocess.run(
                [sys.executable, "-m", "dashboard", "copy", "--from", str(db), "--to",
                 args.server], check=True, capture_output=True, cwd=ROOT,
            )  # fmt: skip
        location = args.server or db
        tokens = sessions_for(location, max(levels))
        started = [serve(location, n) for n in range(1, args.servers + 1)]
        servers, urls = [s for s, _ in started], [u for _, u in started]
        try:
            watch = Watch([server.pid for server in servers])
            for count in levels:
                print(f"{count} sessions for {args.seconds:.0f} s…", file=sys.stderr)
                result = asyncio.run(run_level(urls, tokens[:count], watch, args.seconds))
                result |= {
                    "servers": len(servers),
                    "engine": "postgresql" if args.server else "duckdb",
                }
                results.append(result)
                print(
                    f"  {result['reruns_per_s']} steps/s, p50 {result['p50_ms']} ms, p95 "
                    f"{result['p95_ms']} ms, p99 {result['p99_ms']} ms, {result['errors']} "
                    f"errors, server CPU {result['server_cpu_pct']}% "
                    f"({result['server_cpu_ms_per_step']} ms a step), peak "
                    f"{result['server_peak_mb']} MB, {result['idle_mb_per_session']} MB per "
                    "idle session",
                    file=sys.stderr,
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "load.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
