"""Shared Streamlit pieces: the store, who is signed in, page guards, empty states."""

from __future__ import annotations

import html
import json
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import (
    accounts,
    checkins,
    clients,
    clock,
    downloads,
    exports,
    manager_detail,
    navigation,
    overview,
    queries,
    rounds,
    settings,
    support,
    team_view,
)
from dashboard import store as store_module
from dashboard.accounts import User
from dashboard.clock import utc_now
from dashboard.markdown import plain
from dashboard.navigation import BROWSER_COOKIE, END_PATH, SESSION_COOKIE, START_PATH
from dashboard.queries import Scope
from dashboard.rounds import Period
from dashboard.store import Store, StoreError
from dashboard.team_view import TeamView

# The session token of a sign-in made in this browser tab. It lives in server
# memory only (never in the browser) and bridges the moment before the cookie
# is set; AppTest, which cannot carry cookies, relies on it.
TOKEN_KEY = "catalyst_session_token"
NEXT_PATH_KEY = "catalyst_next_path"


# Catalyst's only CSS (colours live in .streamlit/config.toml; the CSS cannot tell the
# themes apart, so it uses only the theme's own text colour). Keyboard users see where
# they are: an outline on sidebar links, radio options and segmented controls. A chosen
# segment's label is in the text colour, not the primary teal (which white button text
# needs dark enough in the dark theme to read at 3.7:1 on the segment's tint); its
# teal border and tint still mark it. On touch screens the "Press Enter to
# submit/apply" hints under inputs name keys that are not there, Plotly's toolbar covers
# chart titles (and a finger cannot hover), and headline tiles sit two to a row instead
# of one above the other, so a phone's first screen reaches what they say.
STYLE = """<style>
[data-testid="stSidebarNavLink"]:focus-visible,
[data-testid="stRadio"] label:has(input:focus-visible),
[data-testid="stButtonGroup"] button:focus-visible {
  outline: 2px solid currentColor;
  outline-offset: 2px;
  border-radius: 0.25rem;
}
[data-testid="stButtonGroup"] button:is([data-selected], [data-focused], [data-hovered]),
[data-testid="stButtonGroup"] button:is([data-selected], [data-focused], [data-hovered]) * {
  color: inherit !important;  /* hovered or focused, Streamlit turns it teal again */
}
a.catalyst-download {  /* downloads are links (downloads.py), drawn as buttons */
  display: inline-flex;
  align-items: center;
  gap: 0.5rem;
  min-height: 2.5rem;
  padding: 0.25rem 0.75rem;
  border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
  border-radius: 0.5rem;
  color: inherit;
  text-decoration: none;
}
a.catalyst-download:hover { border-color: currentColor; }
a.catalyst-download:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
a.catalyst-download::before { content: "\\2193" / ""; font-weight: 600; }  /* unread arrow */
@media (pointer: coarse) {
  [data-testid="InputInstructions"] { display: none; }
  .modebar-container { display: none; }
}
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-direction: row;
    flex-wrap: wrap;
  }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has([data-testid="stMetric"]) {
    min-width: calc(50% - 1rem);
    flex: 1 1 calc(50% - 1rem);
  }
}
</style>"""


def style() -> None:
    """Catalyst's CSS, once per run from app.py (st.html with only a style takes no space)."""
    st.html(STYLE)


def store() -> Store:
    """The one Store of this server process; stops the page with a clear message if unusable."""
    try:
        return store_module.shared(settings.database_location())
    except (StoreError, settings.SettingError) as problem:
        st.error(f"Catalyst cannot open its database.\n\n{problem}", icon=":material/error:")
        st.stop()


def _cookie(name: str) -> str | None:
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None  # AppTest hands out mocks


def _cookie_token() -> str | None:
    return _cookie(SESSION_COOKIE)


def client() -> str:
    """Who is asking, for throttling sign-in attempts: the connection's address, or what
    a trusted proxy says in X-Forwarded-For (clients.py). Streamlit reports no address
    for loopback; under AppTest there is no connection, and so no address either."""
    peer = st.context.ip_address
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    return clients.client_address(
        peer if isinstance(peer, str) else None,
        [value for value in forwarded if isinstance(value, str)],
        settings.trusted_proxies(),
    )


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
        f"{plain(user.display_name)} ({role_names(user)}).",
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


def post_browser_to(path: str) -> None:
    """Send the browser to one of our own routes with a POST from this page (same
    origin), for routes that must not answer a link from elsewhere (sign-out)."""
    st.html(
        "<script>(() => { const form = document.createElement('form'); form.method = 'post'; "
        f"form.action = {json.dumps(path)}; document.body.appendChild(form); form.submit(); "
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def complete_sign_in(token: str) -> None:
    """Keep the new session for this tab, then let the browser collect its cookie, with
    a ticket only this browser can redeem (bound to its pre-session cookie, server.py)."""
    st.session_state[TOKEN_KEY] = token
    next_path = st.session_state.get(NEXT_PATH_KEY, "/")
    ticket = accounts.issue_ticket(
        store(), token, next_path, browser=_cookie(BROWSER_COOKIE), now=utc_now()
    )
    st.success("Signed in. Opening Catalyst…", icon=":material/check_circle:")
    send_browser_to(f"{START_PATH}?{urlencode({'ticket': ticket})}")


SSO_REFUSED_KEY = "catalyst_sso_refused"


def sign_in_with_sso_identity() -> bool:
    """A browser back from the single sign-on provider (Streamlit's identity cookie)
    without a Catalyst session: sign that person in if they have an active account,
    else say why not, once. True when the page has nothing else to do."""
    if not settings.sso_providers() or not st.user.get("is_logged_in"):
        return False
    if not st.session_state.get(SSO_REFUSED_KEY):
        token = accounts.sso_sign_in(
            store(),
            st.user.get("email"),
            provider=str(st.user.get("iss") or "sso"),
            verified=st.user.get("email_verified") is not False,
            now=utc_now(),
        )
        if token:
            complete_sign_in(token)
            return True
        st.session_state[SSO_REFUSED_KEY] = True
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Sign in to Catalyst")
        st.error(
            f"{accounts.SSO_NOT_SET_UP}\n\nYou signed in as {plain(st.user.get('email') or '?')}.",
            icon=":material/person_off:",
        )
        if st.button("Sign in with another account"):
            st.session_state.pop(SSO_REFUSED_KEY, None)
            st.logout()
    return True


def sign_out() -> None:
    accounts.end_session(store(), _session_token(), now=utc_now())
    st.session_state.pop(TOKEN_KEY, None)
    post_browser_to(END_PATH)


def empty_state(message: str, next_step: str) -> None:
    """A friendly box for 'nothing here yet' that says what to do next."""
    st.info(f"{message}\n\n**Next:** {next_step}", icon=":material/info:")


def no_results_yet() -> None:
    """Why no survey figure can be shown yet, and what happens next (DESIGN §3: nothing is
    published while the organization is set up, a round only once it has closed)."""
    state = queries.publication_state(store())
    if not state.has_responses:
        empty_state("No survey responses yet.", "upload a survey export on the Upload page.")
    elif state.live_since is None:
        empty_state(
            "Results appear once the organization is live.",
            "while past exports and the roster are put in, everything can still be corrected; "
            "an admin then marks the organization live under Admin → Settings.",
        )
    else:
        when = f" The next is published on {state.next_due:%-d %b %Y}." if state.next_due else ""
        empty_state(
            "No round has been published yet.",
            f"a round's results appear {state.grace_days} days after it has closed, so late "
            f"exports can still be included.{when}",
        )


def held_caption(held: int, min_group_size: int) -> None:
    """Say that late responses wait, without a word about what they say."""
    if held:
        st.caption(
            f"{held:,} later {'response is' if held == 1 else 'responses are'} not included "
            f"yet: late answers are added once they form a group of {min_group_size} or more."
        )


# ---- pieces the manager pages share ---------------------------------------------------------


def hr_scope(user: User) -> Scope:
    """What an HR user may see: every department, or the ones they are limited to. Admins
    see every department.

    Read from the database on every run, never from widgets or the URL.
    """
    if "admin" in user.roles:
        return Scope.hr()
    with store().reading() as cursor:
        return Scope.hr(accounts.hr_departments(cursor, user.user_id))


def org_today() -> date:
    """Today where the organization is: weeks follow its time zone."""
    with store().reading() as cursor:
        return clock.today_in(queries.org_settings(cursor).time_zone)


def team_picker(teams: pd.DataFrame, key: str) -> int | None:
    """Pick one of these teams (team_id, team); None when there are none.

    The options are the caller's own teams, so no widget value can reach another.
    """
    if teams.empty:
        return None
    if len(teams) == 1:
        return int(teams.team_id.iloc[0])
    names = dict(zip(teams.team_id.astype(int), teams.team, strict=True))
    if st.session_state.get(key) not in names:
        st.session_state.pop(key, None)  # a stale or foreign value never selects a team
    return st.selectbox("Team", list(names), format_func=names.get, key=key)


def period_picker(cadence: str, key: str) -> int:
    """How many rounds to look at, from the cadence's presets (default: about 12 weeks)."""
    presets = dict(rounds.PRESETS[cadence])
    choice = st.segmented_control(
        "Period", list(presets), default=list(presets)[1], key=key, label_visibility="collapsed"
    )
    return presets[choice or list(presets)[1]]


# Streamlit 1.67 leaves the sidebar open over the page after a page is chosen on a narrow
# screen (streamlit#12065, when the sidebar has content of its own); a phone user would
# see the menu, not the page. One listener, installed once per browser tab, closes it.
_CLOSE_SIDEBAR_ON_PHONES = """
<script>
(() => {
  if (window.catalystClosesSidebar) return;
  window.catalystClosesSidebar = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest('[data-testid="stSidebarNav"] a');
    if (!link || !window.matchMedia("(max-width: 767px)").matches) return;
    setTimeout(() => {
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }, 300);
  }, true);
})();
</script>
"""


def close_sidebar_after_navigation_on_phones() -> None:
    """See _CLOSE_SIDEBAR_ON_PHONES (fixed code, no user input)."""
    st.sidebar.html(_CLOSE_SIDEBAR_ON_PHONES, unsafe_allow_javascript=True)


def checkin_reminder(user: User, today: date, *, link: bool = True) -> None:
    """A nudge when a finished or finishing week has no check-in yet."""
    with store().reading() as cursor:
        due = checkins.missing(cursor, user.user_id, today)
    for row in due.itertuples():
        st.warning(
            f"Your check-in for **{plain(row.team)}**, week of {row.week:%-d %b}, is not done yet.",
            icon=":material/notifications:",
        )
    if len(due) and link:
        st.page_link(
            navigation.screen("checkin").file,
            label="Do it now (two minutes)",
            icon=":material/checklist:",
        )


def my_team_view(user_id: int, team_id: int, period: Period, today: date) -> TeamView:
    """A manager's own view of one team, cached by small keys until the data changes."""
    db = store()
    versions = queries.version_key(db, manager_id=user_id)
    return _cached_team_view(versions, user_id, team_id, period, today)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_team_view(
    versions: tuple, user_id: int, team_id: int, period: Period, today: date
) -> TeamView:
    # versions (database and data versions) is part of the key: st.cache_data skips
    # only arguments whose names start with an underscore.
    view = team_view.collect(
        store(), Scope.manager(user_id), user_id, team_id, period, today=today, with_notes=True
    )
    view.key = ("my team", versions, user_id, team_id, period, today)
    return view


def hr_overview(
    scope: Scope, period: Period, today: date, whole: Scope | None = None
) -> overview.Overview:
    """The HR overview for a scope and period, compared with ``whole`` (everything the
    user may see), cached by small keys until data changes."""
    return _cached_overview(queries.version_key(store()), scope, period, today, whole or scope)


@st.cache_data(max_entries=64, show_spinner="Gathering the overview…")
def _cached_survey_figures(
    versions: tuple, scope: Scope, period: Period, whole: Scope
) -> overview.SurveyFigures:
    # Apart from the check-in side: a manager checking in leaves these figures cached.
    return overview.survey_figures(store(), scope, period, whole=whole)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_overview(
    versions: tuple, scope: Scope, period: Period, today: date, whole: Scope
) -> overview.Overview:
    db = store()
    survey = _cached_survey_figures(queries.version_key(db, checkins=False), scope, period, whole)
    return overview.collect(db, scope, period, today=today, whole=whole, survey=survey)


def manager_view(
    scope: Scope, manager_id: int, team_id: int, period: Period, today: date
) -> TeamView:
    """HR's read-only view of one manager's team: only that manager's cells within HR's
    scope; notes only when the organization shares them. Cached like the others."""
    return _cached_manager_view(
        queries.version_key(store(), manager_id=manager_id), scope, manager_id, team_id, period,
        today,
    )  # fmt: skip


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_manager_view(
    versions: tuple, scope: Scope, manager_id: int, team_id: int, period: Period, today: date
) -> TeamView:
    view = manager_detail.collect(store(), scope, manager_id, team_id, period, today=today)
    view.key = ("manager detail", versions, scope, manager_id, team_id, period, today)
    return view


FILE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
    "duckdb": "application/octet-stream",
}


def download(user: User, label: str, file_name: str, build, filters: dict, *, key: str) -> None:
    """A button that downloads a file made on click, written to the audit log. It is a link
    to Catalyst's own download route (downloads.py says why not Streamlit's button)."""
    ticket = st.session_state.setdefault(f"catalyst_download_{key}", downloads.new_ticket())
    address = downloads.offer(
        ticket,
        _session_token() or "",
        file_name,
        FILE_TYPES[file_name.rsplit(".", 1)[-1]],
        exports.recorded(store(), user.user_id, file_name, filters, build),
    )
    # A link of our own, not st.link_button (which opens a new tab). Every part is
    # escaped: the address is ours, and a file name may carry a manager's name.
    st.markdown(
        f'<a class="catalyst-download" href="{html.escape(address)}" '
        f'download="{html.escape(file_name)}">{html.escape(label)}</a>',
        unsafe_allow_html=True,
    )


def section_picker(sections: list[str], param: str, *, key: str) -> str:
    """Which section of a page to draw (only that one runs), kept in the URL as ``param``
    so a link opens the same section."""
    section = (
        st.segmented_control(
            "Section",
            sections,
            default=query_choice(param, sections, sections[0]),
            key=key,
            label_visibility="collapsed",
        )
        or sections[0]
    )
    st.query_params[param] = section
    return section


def table_opening_managers(table: pd.DataFrame, *, key: str, **options) -> None:
    """A table whose rows open Manager detail: each row carries its manager_id and team_id
    (not drawn). Plotly charts send no click events to Python, and a dataframe's row
    selection does, so every list of teams and managers is one of these."""
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        placeholder="–",
        column_order=[c for c in table.columns if c not in support.ROW_IDS],
        **options,
    )
    picked = event.selection.rows
    if not picked:
        return
    row = table.iloc[picked[0]]
    if pd.notna(row.manager_id):
        st.switch_page(
            "pages/manager_detail.py",
            query_params={"manager": str(int(row.manager_id)), "team": str(int(row.team_id))},
        )


def chart(figure, numbers, *, key: tuple = ()) -> None:
    """A chart and its text alternative: its one-line summary is the caption beside it,
    and the numbers it draws are a table to open (screen readers cannot read a chart).

    With a ``key`` (a cached view's key and the chart's name), ``figure`` and ``numbers``
    are functions that make them, run once per key: building a Plotly figure costs tens
    of milliseconds, a third of a warm My team rerun when it was made on every one."""
    if key:
        figure, numbers = _built_chart(key, figure, numbers)
    elif callable(figure):  # nothing to keep it by: made now
        figure, numbers = figure(), numbers()
    st.plotly_chart(figure, width="stretch")
    with st.expander("The numbers in this chart"):
        st.dataframe(numbers, hide_index=True, width="stretch", placeholder="–")


@st.cache_resource(max_entries=256, show_spinner=False)
def _built_chart(key: tuple, _figure, _numbers) -> tuple:
    # Shared, not copied: Streamlit reads a figure (to_dict) and a table, never changes them.
    return _figure(), _numbers()


def query_choice(name: str, allowed: list, default):
    """A filter value from the URL, if it is one the user may choose; else the default."""
    value = st.query_params.get(name)
    return value if value in allowed else default


def query_ids(name: str, allowed: set[int]) -> list[int]:
    """Ids from the URL ("1,4"), keeping only those the user may see."""
    found = []
    for part in (st.query_params.get(name) or "").split(","):
        if part.strip().isdigit() and int(part) in allowed:
            found.append(int(part))
    return found
