"""Helpers for driving the real app through AppTest."""

from __future__ import annotations

import html
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.demo import DEMO_PASSWORD
from dashboard.ui import TOKEN_KEY

ROOT = Path(__file__).parents[2]


def text_input(app: AppTest, label: str):
    return next(field for field in app.text_input if field.label == label)


def offered_files(app: AppTest) -> list[str]:
    """The labels of the files a page offers through Catalyst's download route
    (ui.download draws each as a link to /download/…), in page order."""
    links = (re.search(r'class="catalyst-download" href="/download/[^"]+" download="[^"]+">(.*)</a>', m.value)
             for m in app.markdown)  # fmt: skip
    return [html.unescape(link.group(1)) for link in links if link]


def sign_in(app: AppTest, email: str, password: str = DEMO_PASSWORD) -> AppTest:
    text_input(app, "Email").input(email)
    text_input(app, "Password").input(password)
    next(b for b in app.button if b.label == "Sign in").click()
    app.run()
    assert not app.exception, app.exception
    return app


def after_redirect(app: AppTest, token: str | None = None) -> AppTest:
    """What the browser does after signing in: load the app afresh, carrying the session.

    AppTest cannot hold cookies, so the new run gets the session token the
    sign-in stored for its tab; the server checks it exactly like a cookie.
    """
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    reloaded.session_state[TOKEN_KEY] = token or app.session_state[TOKEN_KEY]
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    return reloaded
