"""The home page, run through Streamlit's AppTest on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import SMALL_DEMO
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app.py")


@pytest.fixture
def app_on(monkeypatch):
    def start(path) -> AppTest:
        monkeypatch.setenv("CATALYST_DB", str(path))
        app = AppTest.from_file(APP, default_timeout=30)
        app.run()
        assert not app.exception, app.exception
        return app

    return start


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_home_shows_the_demo_organizations_headline_counts(app_on, demo_path):
    app = app_on(demo_path)
    assert app.title[0].value == "Harbor & Pine (demo)"
    shown = metrics(app)
    assert shown["Teams"] == str(SMALL_DEMO.teams)
    assert shown["Departments"] == "6"
    assert shown["Survey weeks"] == str(SMALL_DEMO.weeks)
    assert int(shown["Survey responses"].replace(",", "")) > 0
    assert "demo organization" in app.caption[0].value


def test_an_empty_database_says_what_to_do_next(app_on, tmp_path):
    app = app_on(tmp_path / "new.duckdb")
    assert app.title[0].value == "Your organization"
    assert "No organization yet" in app.info[0].value
    assert "catalyst demo" in app.info[0].value
    assert not app.metric


def test_an_unusable_database_shows_a_message_not_a_traceback(app_on, tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00garbage" * 1000)
    app = app_on(damaged)
    assert "cannot open its database" in app.error[0].value
    assert str(damaged) in app.error[0].value
