"""The web server: Streamlit's ``st.App`` around ``app.py``, plus the session routes and
the middleware of middleware.py.

A Streamlit script cannot set an HttpOnly cookie, so signing in takes one
hop: the sign-in page starts a server-side session and sends the browser to
``/session/start?ticket=…`` with a one-time ticket; this route exchanges the
ticket for the session (under a new token), sets the cookie and redirects to
the page the visitor wanted. ``/session/end`` ends the session and clears it.

Login CSRF, and why a cookie: a ticket link alone would sign in whichever browser
opens it, so an attacker could send a victim a link to the attacker's own session.
The ticket is therefore bound to the browser that signed in, by a value that
browser has and a link cannot carry: a random pre-session cookie, set by the
server on every page load of a browser without one (a script cannot set cookies,
but it reads those of its connection, st.context.cookies). A value in the URL or
in the page's own script would travel with the captured link, so it would not do.

Sign-out is a same-origin POST (the app's button submits one): a GET, or a POST
from another site, signs nobody out.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from dashboard import accounts, downloads, settings, store
from dashboard.clock import utc_now
from dashboard.mail import preferences
from dashboard.middleware import AdminOnlyMetrics, BrowserCookie, FrameGuard, is_https
from dashboard.navigation import BROWSER_COOKIE, END_PATH, SESSION_COOKIE, START_PATH

# The cookies in which Streamlit keeps a single sign-on identity (st.login), as
# Streamlit 1.67 names them; the browser test of signing out fails if they change.
IDENTITY_COOKIES = ("_streamlit_user", "_streamlit_user_tokens")


def _db() -> store.Store:
    return store.shared(settings.database_location())


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
    redeemed = accounts.redeem_ticket(
        _db(),
        request.query_params.get("ticket", ""),
        browser=request.cookies.get(BROWSER_COOKIE),
        now=utc_now(),
    )
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
        secure=is_https(request),
    )
    return response


def same_origin(request: Request) -> bool:
    """Whether a browser sent this request from one of our own pages.

    Browsers say so in Sec-Fetch-Site; older ones only send Origin, compared with
    the Host asked for. A request with neither is refused.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host")


def end_session(request: Request) -> Response:
    """Sign out of Catalyst, and of the single sign-on identity Streamlit keeps (else the
    next page would sign the same person straight back in). POST from our own pages
    only, so another site cannot sign people out; a GET of this address just gets the
    app (Streamlit serves its page for any GET no route takes)."""
    if not same_origin(request):
        return PlainTextResponse("Sign out from Catalyst's own pages.", status_code=403)
    accounts.end_session(_db(), request.cookies.get(SESSION_COOKIE), now=utc_now())
    response = _redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    for name in request.cookies:  # the identity cookies, and the chunks a large one is cut in
        base, _, chunk = name.rpartition("_")
        if name in IDENTITY_COOKIES or (base in IDENTITY_COOKIES and chunk.isdigit()):
            response.delete_cookie(name, path="/")
    return response


def turn_mail_off(request: Request) -> Response:
    """A mail client's one-click unsubscribe (RFC 8058, the List-Unsubscribe header of
    reminders and digests): reminders and digests off for the person the signed link names.
    The people themselves use the page the link in the message opens."""
    if preferences.turn_off_everything(_db(), request.query_params.get("t", ""), now=utc_now()):
        return PlainTextResponse("Catalyst will send you no more reminders or digests.")
    return PlainTextResponse("This link is not valid.", status_code=404)


async def download(request: Request) -> Response:
    """A file a page offered (downloads.py), made now for the session it was offered to."""
    token = request.cookies.get(SESSION_COOKIE)
    offer = downloads.claimed(request.path_params["ticket"], token)
    policy = settings.session_policy()
    if offer is None or not await run_in_threadpool(
        accounts.session_user, _db(), token, now=utc_now(), policy=policy
    ):
        return PlainTextResponse(
            "This download is no longer offered. Go back to Catalyst, sign in if asked, "
            "and press the download button again.",
            status_code=404,
            headers={"Cache-Control": "no-store"},
        )
    return Response(
        await run_in_threadpool(offer.build),
        media_type=offer.mime,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(offer.file_name)}",
            "Cache-Control": "no-store",
        },
    )


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
        routes=[
            Route(START_PATH, start_session),
            Route(END_PATH, end_session, methods=["POST"]),
            Route(preferences.ONE_CLICK_PATH, turn_mail_off, methods=["POST"]),
            Route(f"{downloads.PATH}/{{ticket}}/{{name}}", download),
        ],
        middleware=[
            Middleware(FrameGuard),
            Middleware(BrowserCookie),
            Middleware(AdminOnlyMetrics, db=_db),
        ],
    )
