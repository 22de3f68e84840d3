"""HR's manager detail through AppTest on a demo ending this week: arriving from the
overview, scope, notes only when shared, and the files on offer."""

from __future__ import annotations

import pytest
from app_helpers import after_redirect, offered_files, sign_in
from streamlit.testing.v1 import AppTest
from test_overview_page import limit_hr, open_overview

from dashboard import clock, focus, queries, rounds, team_view
from dashboard.queries import Scope
from dashboard.store import Store

DOWNLOADS = ["Every table (XLSX)", "One-page summary (PDF)", "One-page summary (PNG)"]


@pytest.fixture
def jordan(live_demo_path) -> tuple[int, int, int]:
    """The demo manager's user id, team id and department id."""
    with Store(live_demo_path) as db, db.reading() as cursor:
        return cursor.execute(
            "SELECT u.user_id, h.team_id, h.department_id FROM users u "
            "JOIN team_history h ON h.manager_id = u.user_id AND h.valid_to IS NULL "
            "WHERE u.email = 'manager@example.com'"
        ).fetchone()


def open_detail(app_on, path, **query: str) -> AppTest:
    app = after_redirect(sign_in(app_on(path), "hr@example.com"))
    app.switch_page("pages/manager_detail.py")
    app.query_params.update(query)
    app.run()
    assert not app.exception, app.exception
    return app


def texts(app: AppTest) -> str:
    parts = [
        e.value
        for kind in ("caption", "markdown", "subheader", "warning", "success", "info")
        for e in app.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_from_the_overview_hr_sees_the_managers_view_read_only(app_on, live_demo_path, jordan):
    manager_id, team_id, _ = jordan
    app = open_overview(
        after_redirect(sign_in(app_on(live_demo_path), "hr@example.com")), view="Heatmap"
    )
    app.selectbox(key="overview_manager").set_value(manager_id).run()
    assert not app.exception
    assert app.selectbox(key="detail_manager").value == manager_id
    shown = texts(app)
    assert "Jordan Blake · Platform" in shown
    assert "This week's focus" not in shown  # coaching is for the manager, not for HR
    for heading in (
        "Jordan Blake and the team, catalyst by catalyst",
        "Focus and commitments",
        "Focus chosen, week by week",
    ):
        assert heading in shown
    # One week-by-week chart set: the team's means beside the manager's own ratings.
    assert "Check-ins week by week" not in shown
    # It opens with the comparison in words.
    assert "the organization on" in app.markdown[0].value or any(
        "the organization on" in m.value for m in app.markdown
    )
    with Store(live_demo_path) as db:
        today = clock.today_in("Europe/Berlin")
        period = rounds.Period.last_rounds(queries.latest_week(db, today), 12, "weekly")
        expected = team_view.collect(
            db,
            Scope(manager_id=manager_id),
            manager_id,
            team_id,
            period,
            today=today,
            with_notes=False,
        )
    responses = next(m.value for m in app.metric if m.label == "Responses")
    assert responses == f"{expected.figure.responses:,}"
    assert f"checked in {len(expected.self_by_week)} of 12 weeks" in shown
    gaps = expected.comparison[expected.comparison.gap_kind.notna()]
    assert len(gaps)  # the demo manager has a blind spot
    for row in gaps.itertuples():
        assert focus.gap_sentence(row, focus.about("Jordan Blake")) in shown
    assert "You rate" not in shown and "your team" not in shown


def test_a_manager_outside_the_hr_users_departments_cannot_be_opened(
    app_on, live_demo_path, jordan
):
    manager_id, _, department_id = jordan
    with Store(live_demo_path) as db, db.reading() as cursor:
        other = cursor.execute(
            "SELECT min(department_id) FROM departments WHERE department_id <> ?", [department_id]
        ).fetchone()[0]
    limit_hr(live_demo_path, [other])
    app = open_detail(app_on, live_demo_path, manager=str(manager_id))
    picker = app.selectbox(key="detail_manager")
    assert manager_id not in picker.options and picker.value is None
    assert "Jordan Blake" not in texts(app)
    assert not app.get("plotly_chart")


@pytest.mark.parametrize("shared", [False, True])
def test_check_in_notes_show_only_when_the_organization_shares_them(
    app_on, live_demo_path, jordan, shared
):
    with Store(live_demo_path) as db, db.transaction() as cursor:
        cursor.execute(
            "INSERT INTO checkin_notes (manager_id, team_id, week, catalyst, note) "
            "SELECT manager_id, team_id, max(week), 'help', 'Paired with Bo on the outage' "
            "FROM checkins WHERE manager_id = ? GROUP BY ALL",
            [jordan[0]],
        )
        cursor.execute(
            "INSERT OR REPLACE INTO settings VALUES ('manager_notes_visible_to_hr', ?, now(), NULL)",
            [str(shared).lower()],
        )
    app = open_detail(app_on, live_demo_path, manager=str(jordan[0]))
    history = next(d.value for d in app.dataframe if "Focus next" in d.value.columns)
    assert ("Notes" in history.columns) is shared
    if shared:
        assert history.Notes.iloc[0] == "Help: Paired with Bo on the outage"
    assert ("check-in notes stay private" in texts(app)) is not shared


def test_both_pages_offer_their_files(app_on, live_demo_path, jordan):
    detail = open_detail(app_on, live_demo_path, manager=str(jordan[0]))
    labels = offered_files(detail)
    assert labels == [DOWNLOADS[0], "Results by round (CSV)", *DOWNLOADS[1:]]
    overview = open_overview(
        after_redirect(sign_in(app_on(live_demo_path), "hr@example.com")), view="Heatmap"
    )
    labels = offered_files(overview)
    assert labels == [DOWNLOADS[0], "Team table as shown (CSV)", *DOWNLOADS[1:]]
