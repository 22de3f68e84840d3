"""Files made on click, served by Catalyst's own route (server.py), not Streamlit's.

Why not ``st.download_button(data=callable)``: Streamlit makes that file when
the button is pressed, but no session refers to it, so the second script run of
*any* session to finish afterwards deletes it. With many people on one server
that often comes before the browser's fetch, and the download fails with a 404
(the load test lost one HR download in two at 50 sessions).

Here the page *offers* a file: the button is a link to ``/download/<ticket>/<name>``,
and the file is made when that address is fetched, in the request itself. A
ticket is random, one per button of a browser tab (a rerun replaces what it
offers), and serves only the session that was shown the button: the route
compares the request's session cookie with the one the offer was made for, and
that the session is still signed in. Offers not renewed for an hour are dropped.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from dashboard.accounts.sessions import digest

PATH = "/download"
KEEP_SECONDS = 3600


@dataclass(frozen=True)
class Offer:
    session: str  # digest of the session token the button was shown to
    file_name: str
    mime: str
    build: Callable[[], bytes]
    offered: float  # time.monotonic()


_offers: dict[str, Offer] = {}
_lock = threading.Lock()


def new_ticket() -> str:
    return secrets.token_urlsafe(24)


def offer(ticket: str, session_token: str, file_name: str, mime: str, build) -> str:
    """Offer ``build``'s file under ``ticket`` to this session; returns the link's address."""
    now = time.monotonic()
    with _lock:
        for old in [t for t, o in _offers.items() if now - o.offered > KEEP_SECONDS]:
            del _offers[old]
        _offers[ticket] = Offer(digest(session_token), file_name, mime, build, now)
    return f"{PATH}/{ticket}/{quote(file_name)}"


def claimed(ticket: str, session_token: str | None) -> Offer | None:
    """The offer behind ``ticket`` if the request's session is the one it was made for."""
    with _lock:
        found = _offers.get(ticket)
    if (
        found is None
        or not session_token
        or not secrets.compare_digest(found.session, digest(session_token))
    ):
        return None
    return found
