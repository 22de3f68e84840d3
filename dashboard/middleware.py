"""What the server adds to every response (server.py puts these around ``st.App``):

* ``FrameGuard``: no page may be framed (clickjacking): ``X-Frame-Options: DENY`` and
  CSP ``frame-ancestors 'none'``. Catalyst frames nothing of its own (no components).
* ``BrowserCookie``: a page loaded by a browser without one gets a random pre-session
  cookie. The sign-in page reads it (scripts see the cookies of their connection) and
  binds its ticket to it, so only this browser can redeem the ticket (login CSRF).
* ``AdminOnlyMetrics``: Streamlit's ``/_stcore/metrics`` answers only a signed-in
  admin; anyone else gets 404, as if it did not exist.

Plain ASGI middleware: it must not buffer or touch the app's WebSocket.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import accounts, settings
from dashboard.clock import utc_now
from dashboard.navigation import BROWSER_COOKIE, SESSION_COOKIE
from dashboard.store import Store

METRICS_PATH = "/_stcore/metrics"


def is_https(request: Request) -> bool:
    """Whether the browser talks https to us (directly or to the proxy in front)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def editing_headers(send: Send, edit: Callable[[MutableHeaders], None]) -> Send:
    """``send``, with ``edit`` applied to the response's headers as they start."""

    async def send_edited(message: Message) -> None:
        if message["type"] == "http.response.start":
            edit(MutableHeaders(scope=message))
        await send(message)

    return send_edited


def _forbid_framing(headers: MutableHeaders) -> None:
    headers["X-Frame-Options"] = "DENY"
    headers.append("Content-Security-Policy", "frame-ancestors 'none'")


class FrameGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = editing_headers(send, _forbid_framing)
        await self.app(scope, receive, send)


class BrowserCookie:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.cookies.get(BROWSER_COOKIE):
            await self.app(scope, receive, send)
            return
        cookie = browser_cookie(secrets.token_urlsafe(32), secure=is_https(request))

        def add_cookie(headers: MutableHeaders) -> None:
            # Pages only: a page load comes before the connection the sign-in page
            # runs on, and one cookie per page load leaves no race between assets.
            if headers.get("content-type", "").startswith("text/html"):
                headers.append("set-cookie", cookie)

        await self.app(scope, receive, editing_headers(send, add_cookie))


def browser_cookie(value: str, *, secure: bool) -> str:
    """The Set-Cookie value of a pre-session cookie: HttpOnly, for this browser session."""
    carrier = Response()
    carrier.set_cookie(
        BROWSER_COOKIE, value, path="/", httponly=True, samesite="lax", secure=secure
    )
    return carrier.headers["set-cookie"]


class AdminOnlyMetrics:
    def __init__(self, app: ASGIApp, *, db: Callable[[], Store]) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith(METRICS_PATH):
            token = Request(scope).cookies.get(SESSION_COOKIE)
            if not await run_in_threadpool(self._is_admin, token):
                await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _is_admin(self, token: str | None) -> bool:
        user = accounts.session_user(
            self.db(), token, now=utc_now(), policy=settings.session_policy()
        )
        return user is not None and "admin" in user.roles
