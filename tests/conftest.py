from __future__ import annotations

import os
import sys
from pathlib import Path

# One clock for the whole run, servers and commands started by tests included: what is
# published, due or expired must not depend on the day the suite runs (dashboard/clock.py).
TEST_NOW = "2026-11-27T12:00:00"
os.environ["CATALYST_NOW"] = TEST_NOW

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import SMALL_DEMO, build_demo_file, copy_database  # noqa: E402
from fixtures import budget as fixtures_budget  # noqa: E402
from hypothesis import settings  # noqa: E402

from dashboard.demo import DemoSpec  # noqa: E402
from dashboard.store import Store  # noqa: E402

# Property tests run a modest budget by default; `make fuzz` (CATALYST_FUZZ=20) runs
# twenty times as many examples. Tests with their own max_examples use fixtures.budget.
settings.register_profile("catalyst", max_examples=fixtures_budget(100), deadline=None)
settings.load_profile("catalyst")


@pytest.fixture(scope="session")
def small_demo_file(tmp_path_factory) -> Path:
    """A small demo organization, built once; copy it before writing to it."""
    return build_demo_file(tmp_path_factory.mktemp("demo") / "small.duckdb", SMALL_DEMO)


@pytest.fixture(scope="session")
def live_demo_file(tmp_path_factory) -> Path:
    """A small demo ending this week, for screens that work with today's date."""
    spec = DemoSpec(teams=12, weeks=10, seed=3, today=None)
    return build_demo_file(tmp_path_factory.mktemp("live") / "live.duckdb", spec)


@pytest.fixture
def live_demo_path(live_demo_file, tmp_path) -> Path:
    return copy_database(live_demo_file, tmp_path / "live.duckdb")


@pytest.fixture
def demo_path(small_demo_file, tmp_path) -> Path:
    return copy_database(small_demo_file, tmp_path / "demo.duckdb")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "both_engines: run the test's stores (empty_store, demo_store and what builds on "
        "them) on a DuckDB file and on server mode's PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "file_only(why): in a both_engines module, a test of something only a DuckDB file "
        "has (why says what)",
    )
    config.addinivalue_line(
        "markers", "server_only: in a both_engines module, a test of several servers at once"
    )


def pytest_generate_tests(metafunc):
    if "engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("file_only"):
        metafunc.parametrize("engine", ["duckdb"])
    elif metafunc.definition.get_closest_marker("server_only"):
        metafunc.parametrize("engine", ["postgresql"])
    elif metafunc.definition.get_closest_marker("both_engines"):
        metafunc.parametrize("engine", ["duckdb", "postgresql"])


@pytest.fixture
def engine() -> str:
    """The engine of the test's stores: DuckDB, unless marked both_engines."""
    return "duckdb"


@pytest.fixture
def demo_store(engine, demo_path, request):
    if engine == "duckdb":
        with Store(demo_path) as db:
            yield db
        return
    from dashboard.store import postgres

    url = request.getfixturevalue("postgres_database")(
        template=request.getfixturevalue("demo_template")
    )
    with postgres.Store(url) as db:
        yield db


@pytest.fixture
def empty_store(engine, tmp_path, request):
    if engine == "duckdb":
        with Store(tmp_path / "empty.duckdb") as db:
            yield db
        return
    from dashboard.store import postgres

    url = request.getfixturevalue("postgres_database")(
        template=request.getfixturevalue("empty_template")
    )
    with postgres.Store(url) as db:
        yield db


@pytest.fixture
def roster_store(empty_store):
    """An empty organization with the sample roster: Support, Sales East, Sales West."""
    from datetime import datetime

    from fixtures import SAMPLES

    from dashboard import ingest

    plan = ingest.plan_roster(
        empty_store, ingest.Source("roster.csv", SAMPLES / "roster_example.csv")
    )
    ingest.apply_roster(empty_store, plan, now=datetime(2026, 11, 1))
    return empty_store


@pytest.fixture
def sales_and_ops(empty_store):
    """The Sales and Ops organization of fixtures.sales_and_ops: (store, ids)."""
    from fixtures import sales_and_ops as build

    return empty_store, build(empty_store)


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for this test process (tests/postgres.py). Without
    server binaries the tests that need it skip with the reason, except under CI=true or
    REQUIRE_POSTGRES=1, where they fail: `make test` installs them when it can."""
    from postgres import Cluster, server_binaries

    if server_binaries() is None:
        reason = "no PostgreSQL server binaries in /usr/lib/postgresql (make test installs them)"
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with Cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_database(postgres_cluster):
    """``new(template=None)``: the URL of a new database on the session's cluster (a copy
    of ``template``'s, if given)."""
    import uuid

    import psycopg

    def new(template: str | None = None) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        copied = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(postgres_cluster.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"{copied}')
        return postgres_cluster.url.rsplit("/", 1)[0] + f"/{name}"

    return new


@pytest.fixture(scope="session")
def empty_template(postgres_database) -> str:
    """A database with Catalyst's schema and nothing else, made once; tests get copies."""
    from dashboard.store import migrate_server

    url = postgres_database()
    migrate_server(url)
    return url.rsplit("/", 1)[1]


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """An empty database of its own on the session's cluster."""
    return postgres_database()


@pytest.fixture(scope="session")
def demo_template(small_demo_file, postgres_database) -> str:
    """The small demo copied once to PostgreSQL (`catalyst copy`); tests get copies."""
    from dashboard.store.copying import copy_to_server

    url = postgres_database()
    with Store(small_demo_file) as source:
        copy_to_server(source, url)
    return url.rsplit("/", 1)[1]
