"""The server's own decisions, on real Starlette requests (the browser tests in
tests/e2e/test_security_journey.py drive the same through `catalyst run`)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from dashboard.middleware import browser_cookie
from dashboard.server import same_origin


def post(**headers: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/session/end",
            "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
        }
    )


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"sec_fetch_site": "same-origin", "host": "catalyst.example.com"}, True),
        ({"sec_fetch_site": "cross-site", "origin": "https://catalyst.example.com"}, False),
        ({"sec_fetch_site": "same-site", "host": "catalyst.example.com"}, False),
        ({"origin": "https://catalyst.example.com", "host": "catalyst.example.com"}, True),
        ({"origin": "https://evil.example", "host": "catalyst.example.com"}, False),
        ({"origin": "null", "host": "catalyst.example.com"}, False),
        ({"host": "catalyst.example.com"}, False),
    ],
    ids=[
        "our page",
        "another site",
        "a sibling subdomain",
        "older browser, our page",
        "older browser, another site",
        "opaque origin",
        "neither header",
    ],
)
def test_sign_out_is_accepted_only_from_our_own_pages(headers, allowed):
    assert same_origin(post(**headers)) is allowed


def test_the_pre_session_cookie_is_out_of_reach_of_scripts_and_other_sites():
    cookie = browser_cookie("RandomValue", secure=True)
    assert cookie.startswith("catalyst_browser=RandomValue;")
    assert {"HttpOnly", "Path=/", "SameSite=lax", "Secure"} <= {
        part.strip() for part in cookie.split(";")
    }
    assert "Max-Age" not in cookie  # it ends with the browser session
