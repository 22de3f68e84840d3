"""The authorization matrix: every page × role × way in, allowed or denied.

Ways in: the navigation the user is given (a), switching pages inside the app (b), the
page file run on its own as an old-style address would (c), and query parameters or
widget state pointing at data outside the user's scope (d).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import ROOT, after_redirect, sign_in
from streamlit.proto.Navigation_pb2 import Navigation
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options
from test_navigation import signed_in_token
from test_overview_page import limit_hr

from dashboard import navigation
from dashboard.store import Store
from dashboard.ui import TOKEN_KEY

ROLES = ["admin", "hr", "hr_limited", "manager", "other_manager", "signed_out"]

# page key -> the roles that may use it. Everyone else is denied.
EXPECTED = {
    "home":           {"admin", "hr", "hr_limited", "manager", "other_manager"},
    "checkin":        {"manager", "other_manager"},
    "my_team":        {"manager", "other_manager"},
    "overview":       {"admin", "hr", "hr_limited"},
    "manager_detail": {"admin", "hr", "hr_limited"},
    "upload":         {"admin", "hr", "hr_limited"},
    "admin":          {"admin"},
}  # fmt: skip

# page key -> (its title on screen, whom the "not available" note says it is for)
PAGES = {
    "home":           ("Harbor & Pine (demo)", "managers, HR and admins"),
    "checkin":        ("Weekly check-in", "managers"),
    "my_team":        ("My team", "managers"),
    "overview":       ("Overview", "HR and admins"),
    "manager_detail": ("Manager detail", "HR and admins"),
    "upload":         ("Upload", "HR and admins"),
    "admin":          ("Admin", "admins"),
}  # fmt: skip


def _chosen_labels(app: AppTest, key: str) -> str:
    chosen = app.multiselect(key=key)
    return ", ".join(chosen.options[i] for i in chosen.indices)


def _picked_label(app: AppTest, key: str) -> str:
    picker = app.selectbox(key=key)
    return "None" if picker.index is None else picker.options[picker.index]


# What a probe reads off the page, as text.
READ = {
    "page": lambda app: app.title[0].value,
    "departments chosen": lambda app: _chosen_labels(app, "overview_departments"),
    "departments in the table": lambda app: ", ".join(
        sorted(set(app.dataframe[0].value.Department))
    ),
    "manager opened": lambda app: _picked_label(app, "overview_manager"),
    "summary of": lambda app: _picked_label(app, "overview_summary_of"),
    "manager chosen": lambda app: _picked_label(app, "detail_manager"),
    "team shown": lambda app: app.caption[0].value.split(" · ")[0],
    "teams offered": lambda app: ", ".join(
        next(picker for picker in app.selectbox if picker.label == "Team").options
    ),
    "managers offered": lambda app: ", ".join(sorted(app.selectbox(key="detail_manager").options)),
    "file uploaders": lambda app: str(len(app.get("file_uploader"))),
    "notice": lambda app: app.warning[0].value.split(",")[0],
}

# Attempts to reach data outside the scope through the URL or widget state.
# "{name}" stands for a fact of the demo (see facts_of); a value that is exactly one
# "{name}" keeps the fact's type (an id stays an int).
# other_manager_2 leads a second team too, so that the team picker is on screen.
SCOPE_PROBES = [
    # (role, page, query parameters, session state, must not appear, must hold)
    ("hr_limited", "overview", {"departments": "{other_department_ids}"}, {},
     ["{jordan_department}", "Jordan Blake", "Platform"],
     {"departments chosen": "", "departments in the table": "{limited_department}"}),
    ("hr_limited", "overview", {"departments": "{jordan_department_id},{limited_department_id}"},
     {}, ["{jordan_department}", "Jordan Blake", "Platform"],
     {"departments chosen": "{limited_department}",
      "departments in the table": "{limited_department}"}),
    ("hr_limited", "overview", {},
     {"overview_departments": ["{jordan_department_id}", "{limited_department_id}"]},
     ["{jordan_department}", "Jordan Blake", "Platform"],
     {"departments chosen": "{limited_department}",
      "departments in the table": "{limited_department}"}),
    ("hr_limited", "overview", {}, {"overview_summary_of": "{jordan_department_id}"},
     ["{jordan_department}"], {"summary of": "All departments"}),
    ("hr_limited", "overview", {}, {"overview_manager": "{jordan_id}"},
     ["Jordan Blake", "Platform"], {"page": "Overview", "manager opened": "None"}),
    ("hr_limited", "manager_detail", {"manager": "{jordan_id}"}, {},
     ["Jordan Blake", "Platform"],
     {"manager chosen": "None", "managers offered": "{limited_managers}"}),
    ("hr_limited", "manager_detail", {}, {"detail_manager": "{jordan_id}"},
     ["Jordan Blake", "Platform"],
     {"manager chosen": "None", "managers offered": "{limited_managers}"}),
    # Files name teams of any department: a limited HR user imports nothing, undoes
    # nothing and sees no import history (an admin or unlimited HR colleague does).
    ("hr_limited", "upload", {}, {"upload_kind": "roster"}, ["Platform", "History"],
     {"file uploaders": "0",
      "notice": "Uploads change data for the whole organization"}),
    ("other_manager", "my_team", {"team": "{platform_id}"}, {"my_team_team": "{platform_id}"},
     ["Platform", "Jordan Blake"], {"team shown": "{other_team}"}),
    ("other_manager", "checkin", {}, {"checkin_team": "{platform_id}"},
     ["Platform", "Jordan Blake"], {"team shown": "{other_team}"}),
    ("other_manager_2", "my_team", {}, {"my_team_team": "{platform_id}"},
     ["Platform", "Jordan Blake"],
     {"team shown": "{other_team}", "teams offered": "{other_team}, Zeta Lab"}),
    ("other_manager_2", "checkin", {}, {"checkin_team": "{platform_id}"},
     ["Platform", "Jordan Blake"],
     {"team shown": "{other_team}", "teams offered": "{other_team}, Zeta Lab"}),
]  # fmt: skip


def facts_of(path: Path) -> dict:
    """Jordan (manager@example.com), another team's manager, and HR's limited department."""
    with Store(path) as db, db.reading() as cursor:
        led = cursor.execute(
            "SELECT u.user_id, u.email, u.display_name, h.team_id, t.name, h.department_id, "
            "d.name FROM users u "
            "JOIN team_history h ON h.manager_id = u.user_id AND h.valid_to IS NULL "
            "JOIN teams t USING (team_id) JOIN departments d USING (department_id) "
            "ORDER BY u.user_id"
        ).fetchall()
        jordan = next(row for row in led if row[1] == "manager@example.com")
        other = next(row for row in led if row[3] != jordan[3] and row[5] != jordan[5])
        departments = dict(cursor.execute("SELECT department_id, name FROM departments").fetchall())
        limited = min(d for d in departments if d != jordan[5])
        led_there = cursor.execute(  # past managers too, as HR's manager picker lists them
            "SELECT DISTINCT u.display_name FROM team_history h "
            "JOIN users u ON u.user_id = h.manager_id WHERE h.department_id = ? ORDER BY 1",
            [limited],
        ).fetchall()
    return {
        "jordan_id": jordan[0],
        "platform_id": jordan[3],
        "jordan_department_id": jordan[5],
        "jordan_department": jordan[6],
        "other_email": other[1],
        "other_name": other[2],
        "other_team": other[4],
        "limited_department_id": limited,
        "limited_department": departments[limited],
        "other_department_ids": ",".join(str(d) for d in departments if d != limited),
        "limited_managers": ", ".join(name for (name,) in led_there),
    }


def resolve(value, facts: dict):
    if isinstance(value, list):
        return [resolve(v, facts) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        if value[1:-1] in facts:
            return facts[value[1:-1]]
    return value.format(**facts) if isinstance(value, str) else value


def prepare(role: str, path: Path) -> tuple:
    """Set the database up for the role: its email (None signed out), name and role label."""
    facts = facts_of(path)
    if role == "hr_limited":
        limit_hr(path, [facts["limited_department_id"]])
    if role == "other_manager_2":
        with Store(path) as db, db.transaction() as cursor:
            cursor.execute("INSERT INTO teams (name, created_at) VALUES ('Zeta Lab', now())")
            cursor.execute(
                "INSERT INTO team_facts (team_id, valid_from, department_id, manager_id, "
                "headcount, recorded_at) SELECT team_id, DATE '2020-01-06', ?, u.user_id, 8, now() "
                "FROM teams, users u WHERE name = 'Zeta Lab' AND u.email = ?",
                [facts["limited_department_id"], facts["other_email"]],
            )
    other = (facts["other_email"], facts["other_name"], "Manager")
    return {
        "admin": ("admin@example.com", "Dana Whitfield", "Admin"),
        "hr": ("hr@example.com", "Priya Raman", "HR"),
        "hr_limited": ("hr@example.com", "Priya Raman", "HR"),
        "manager": ("manager@example.com", "Jordan Blake", "Manager"),
        "other_manager": other,
        "other_manager_2": other,
        "signed_out": (None, None, None),
    }[role]


@pytest.fixture
def open_as(app_on):
    """app.py on a database, as the role, after signing in (one AppTest per role)."""

    def start(role: str, path: Path) -> AppTest:
        email, name, label = prepare(role, path)
        app = app_on(path)
        if email is None:
            assert app.title[0].value == "Sign in to Catalyst"
            return app
        app = after_redirect(sign_in(app, email))
        assert app.sidebar.caption[0].value == f"Signed in as **{name}** · {label}"
        return app

    return start


@pytest.fixture
def navigation_sent(monkeypatch) -> list:
    """The navigation each run sends the browser (the page list it draws), last one last."""
    sent = []
    original = ForwardMsgQueue.enqueue

    def enqueue(self, msg):
        if msg.WhichOneof("type") == "navigation":
            sent.append(msg.navigation)
        original(self, msg)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", enqueue)
    return sent


def shown_text(app: AppTest) -> str:
    """Everything a user can read on the page: text, widget options, tables, charts."""
    parts = [
        str(e.value)
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "text",
            "info",
            "warning",
            "error",
            "success",
            "exception",
        )
        for e in app.get(kind)
    ]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    parts += [f"{w.label} {w.options}" for w in (*app.selectbox, *app.multiselect, *app.radio)]
    parts += [frame.value.to_csv() for frame in app.dataframe]
    parts += [chart.proto.spec for chart in app.get("plotly_chart")]
    return "\n".join(parts)


def test_the_matrix_covers_every_page_and_role():
    assert list(EXPECTED) == list(PAGES) == [s.key for s in navigation.SCREENS]
    assert set().union(*EXPECTED.values()) == set(ROLES) - {"signed_out"}


@pytest.mark.parametrize("role", ROLES)
def test_navigation_lists_a_page_iff_the_role_may_use_it(open_as, demo_path, navigation_sent, role):
    app = open_as(role, demo_path)
    sent = navigation_sent[-1]
    listed = [p.page_name for p in sent.app_pages if not p.is_hidden]
    hidden = {p.url_pathname for p in sent.app_pages if p.is_hidden}
    if role == "signed_out":  # no page list at all; every address is the sign-in form
        assert sent.position == Navigation.Position.HIDDEN
        assert listed == ["Sign in"]
        assert app.title[0].value == "Sign in to Catalyst"
    else:
        assert sent.position == Navigation.Position.SIDEBAR
    wrong = [s.key for s in navigation.SCREENS if (s.title in listed) != (role in EXPECTED[s.key])]
    assert not wrong, f"{role}: listed {listed}"
    # Every page the role may not use still answers at its address (with the sign-in
    # form or the "not available" note), never with Streamlit's "Page not found".
    denied = {s.url_path for s in navigation.SCREENS if role not in EXPECTED[s.key]}
    assert denied - {""} <= hidden


@pytest.mark.parametrize("role", ROLES)
def test_switching_to_a_page_opens_it_iff_the_role_may_use_it(open_as, demo_path, role):
    app = open_as(role, demo_path)
    wrong = []
    for screen in navigation.SCREENS:
        title, _ = PAGES[screen.key]
        try:
            app.switch_page(screen.file)
        except ValueError as unregistered:
            assert "Could not find a navigation page" in str(unregistered)
            opened = False
        else:
            app.run()
            assert not app.exception, (screen.key, app.exception)
            titles = [t.value for t in app.title]
            opened = titles[:1] == [title]
            if opened:
                assert not [e.value for e in app.error if " is for " in e.value], screen.key
            else:
                assert title not in titles, (screen.key, titles)
        if opened != (role in EXPECTED[screen.key]):
            wrong.append((screen.key, "opened" if opened else "refused"))
    assert not wrong, role


@pytest.mark.parametrize("role", ROLES)
def test_each_page_run_on_its_own_is_stopped_by_its_guard_iff_denied(demo_path, monkeypatch, role):
    """The page file itself, as an old-style address would run it: only its guard stands."""
    email, name, label = prepare(role, demo_path)
    token = signed_in_token(demo_path, email) if email else None
    monkeypatch.setenv("CATALYST_DB", str(demo_path))
    wrong = []
    for screen in navigation.SCREENS:
        title, audience = PAGES[screen.key]
        page = AppTest.from_file(str(ROOT / screen.file), default_timeout=30)
        if token:
            page.session_state[TOKEN_KEY] = token
        with patch_config_options({"client.showErrorDetails": "full"}):
            page.run()
        titles = [t.value for t in page.title]
        if role in EXPECTED[screen.key]:
            # Past the guard, a page file alone cannot link to other pages (st.page_link
            # needs app.py's navigation); that is this way of running it, not the guard.
            broke = [e.message for e in page.exception]
            assert all("Could not find page: `pages/" in m for m in broke), broke
            if titles[:1] != [title] or page.error:
                wrong.append((screen.key, "stopped", titles, [e.value for e in page.error]))
            continue
        assert not page.exception, (screen.key, page.exception)
        if token is None:
            stop = [w.value for w in page.warning]
            if titles or stop != ["Sign in to see this page."]:
                wrong.append((screen.key, "let a signed-out visitor in", titles, stop))
        else:
            note = f"**{title}** is for {audience}. You are signed in as {name} ({label})."
            stop = [e.value for e in page.error]
            if titles or stop != [note]:
                wrong.append((screen.key, "not stopped", titles, stop))
    assert not wrong, role


@pytest.mark.parametrize(
    ("role", "key", "query", "state", "absent", "holds"),
    SCOPE_PROBES,
    ids=[f"{r[0]}-{r[1]}-{'+'.join([*(f'?{q}' for q in r[2]), *r[3]])}" for r in SCOPE_PROBES],
)
def test_no_link_or_widget_state_reaches_outside_the_scope(
    open_as, live_demo_path, role, key, query, state, absent, holds
):
    facts = facts_of(live_demo_path)
    app = open_as(role, live_demo_path)
    for name, value in state.items():  # as if the browser sent it, before the page draws
        app.session_state[name] = resolve(value, facts)
    app.switch_page(navigation.screen(key).file)
    if key == "overview":  # the probes read the heatmap view's team table and manager list
        app.query_params["view"] = "Heatmap"
    app.query_params.update({name: str(resolve(value, facts)) for name, value in query.items()})
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == PAGES[key][0]
    shown = shown_text(app)
    for text in absent:
        assert resolve(text, facts) not in shown
    for what, expected in holds.items():
        assert READ[what](app) == resolve(expected, facts), what
