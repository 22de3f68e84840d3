"""The web server: Streamlit's ``st.App`` around ``app.py``, plus the session routes.

A Streamlit script cannot set an HttpOnly cookie, so signing in takes one
hop: the sign-in page starts a server-side session and sends the browser to
``/session/start?ticket=…`` with a one-time ticket; this route exchanges the
ticket for the session (under a new token), sets the cookie and redirects to
the page the visitor wanted. ``/session/end`` ends the session and clears it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from dashboard import accounts, settings, store
from dashboard.clock import utc_now
from dashboard.navigation import END_PATH, SESSION_COOKIE, START_PATH

# The cookies in which Streamlit keeps a single sign-on identity (st.login), as
# Streamlit 1.67 names them; the browser test of signing out fails if they change.
IDENTITY_COOKIES = ("_streamlit_user", "_streamlit_user_tokens")


def _db() -> store.Store:
    return store.shared(settings.database_path())


def _local_path(path: str) -> str:
    """Only same-site paths: a ticket must never redirect anywhere else."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def start_session(request: Request) -> RedirectResponse:
    redeemed = accounts.redeem_ticket(_db(), request.query_params.get("ticket", ""), now=utc_now())
    if redeemed is None:
        return _redirect("/?signin=expired")
    token, next_path = redeemed
    response = _redirect(_local_path(next_path))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_policy().max_age.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https",
    )
    return response


def end_session(request: Request) -> RedirectResponse:
    """Sign out of Catalyst, and of the single sign-on identity Streamlit keeps (else the
    next page would sign the same person straight back in)."""
    accounts.end_session(_db(), request.cookies.get(SESSION_COOKIE), now=utc_now())
    response = _redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    for name in request.cookies:  # the identity cookies, and the chunks a large one is cut in
        base, _, chunk = name.rpartition("_")
        if name in IDENTITY_COOKIES or (base in IDENTITY_COOKIES and chunk.isdigit()):
            response.delete_cookie(name, path="/")
    return response


def create_app(project_dir: Path) -> st.App:
    """The ASGI app serving ``app.py`` from the project folder (absolute path, see FACTS)."""
    # Streamlit treats an app with a pages/ folder as an old-style multipage
    # app until some script run calls st.navigation: until then a URL such as
    # /overview runs pages/overview.py *without* app.py, so without sign-in or
    # navigation (the page guards still stop it). Catalyst always navigates
    # with st.navigation, so switch the old mode off before the first visitor.
    PagesManager.uses_pages_directory = False
    return st.App(
        str(project_dir / "app.py"),
        routes=[Route(START_PATH, start_session), Route(END_PATH, end_session)],
    )
