"""Run the real app through AppTest against real database files."""

from __future__ import annotations

import pytest
from app_helpers import ROOT, after_redirect, sign_in
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard import store


@pytest.fixture(autouse=True)
def _serve_like_catalyst_run(monkeypatch):
    """Run app.py on every rerun, as the real server does.

    ``catalyst run`` switches off Streamlit's old pages/-folder mode
    (server.py). AppTest switches it back on before each run, and would then
    run the last page's file on its own, without app.py; undo that.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _close_databases():
    yield
    store.close_shared()  # let other processes and tests open the files again


@pytest.fixture
def app_on(monkeypatch):
    """Start app.py (or a page file) on a database, signed out."""

    def start(path, script: str = "app.py") -> AppTest:
        monkeypatch.setenv("CATALYST_DB", str(path))
        app = AppTest.from_file(str(ROOT / script), default_timeout=30)
        app.run()
        assert not app.exception, app.exception
        return app

    return start


@pytest.fixture
def signed_in(app_on, demo_path):
    """app.py on the small demo, signed in as ``email``, after the page reloads."""

    def start(email: str) -> AppTest:
        app = sign_in(app_on(demo_path), email)
        assert app.success[0].value.startswith("Signed in")
        return after_redirect(app)

    return start
