"""Shared Streamlit pieces: the store, who is signed in, page guards, empty states."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from dashboard import accounts, navigation, settings
from dashboard import store as store_module
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.navigation import END_PATH, SESSION_COOKIE, START_PATH
from dashboard.store import Store, StoreError

# The session token of a sign-in made in this browser tab. It lives in server
# memory only (never in the browser) and bridges the moment before the cookie
# is set; AppTest, which cannot carry cookies, relies on it.
TOKEN_KEY = "catalyst_session_token"
NEXT_PATH_KEY = "catalyst_next_path"


def store() -> Store:
    """The one Store of this server process; stops the page with a clear message if unusable."""
    try:
        return store_module.shared(settings.database_path())
    except StoreError as problem:
        st.error(f"Catalyst cannot open its database.\n\n{problem}", icon=":material/error:")
        st.stop()


def _cookie_token() -> str | None:
    token = st.context.cookies.get(SESSION_COOKIE)
    return token if isinstance(token, str) and token else None  # AppTest hands out mocks


def _session_token() -> str | None:
    return st.session_state.get(TOKEN_KEY) or _cookie_token()


def current_user() -> User | None:
    """The signed-in user, read from the database on every run (roles may have changed)."""
    token = _session_token()
    user = accounts.session_user(store(), token, now=utc_now(), policy=settings.session_policy())
    if user is None and st.session_state.get(TOKEN_KEY):
        del st.session_state[TOKEN_KEY]
    return user


def has_session_cookie() -> bool:
    return _cookie_token() is not None


def guard(key: str) -> User:
    """First line of every page: stop unless the signed-in user's roles allow this screen."""
    screen = navigation.screen(key)
    user = current_user()
    if user is None:
        st.warning("Sign in to see this page.", icon=":material/lock:")
        st.stop()
    if not navigation.allowed(screen, user.roles):
        not_available(screen, user)
        st.stop()
    return user


def not_available(screen: navigation.Screen, user: User) -> None:
    st.error(
        f"**{screen.title}** is for {screen.audience}. You are signed in as "
        f"{user.display_name} ({role_names(user)}).",
        icon=":material/block:",
    )


def role_names(user: User) -> str:
    return ", ".join(accounts.ROLE_LABELS[r] for r in accounts.ROLES if r in user.roles)


def send_browser_to(path: str) -> None:
    """Navigate the browser to one of our own routes (the only way to get a cookie set)."""
    st.html(
        f"<script>window.location.replace({json.dumps(path)});</script>",
        unsafe_allow_javascript=True,
    )


def complete_sign_in(token: str) -> None:
    """Keep the new session for this tab, then let the browser collect its cookie."""
    st.session_state[TOKEN_KEY] = token
    next_path = st.session_state.get(NEXT_PATH_KEY, "/")
    ticket = accounts.issue_ticket(store(), token, next_path, now=utc_now())
    st.success("Signed in. Opening Catalyst…", icon=":material/check_circle:")
    send_browser_to(f"{START_PATH}?{urlencode({'ticket': ticket})}")


def sign_out() -> None:
    accounts.end_session(store(), _session_token(), now=utc_now())
    st.session_state.pop(TOKEN_KEY, None)
    send_browser_to(END_PATH)


def empty_state(message: str, next_step: str) -> None:
    """A friendly box for 'nothing here yet' that says what to do next."""
    st.info(f"{message}\n\n**Next:** {next_step}", icon=":material/info:")


def coming_soon(what: str) -> None:
    """Placeholder for a screen a later release fills; shows no data."""
    st.info(what, icon=":material/construction:")
