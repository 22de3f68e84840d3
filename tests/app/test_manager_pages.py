"""The manager's pages through AppTest: the check-in and My Team, on a demo ending today."""

from __future__ import annotations

import pytest
from app_helpers import after_redirect, sign_in
from streamlit.testing.v1 import AppTest

from dashboard import checkins, clock
from dashboard.catalysts import CATALYST_KEYS
from dashboard.store import Store


@pytest.fixture
def manager_app(app_on, live_demo_path):
    def start(email: str = "manager@example.com") -> AppTest:
        return after_redirect(sign_in(app_on(live_demo_path), email))

    return start


def open_page(app: AppTest, file: str) -> AppTest:
    app.switch_page(file).run()
    assert not app.exception, app.exception
    return app


def fill_checkin(app: AppTest, ratings: dict[str, int], **fields) -> AppTest:
    for key, value in ratings.items():
        app.radio(key=f"rating-{key}").set_value(value)
    for key, value in fields.items():
        if key.startswith("note-"):
            app.text_input(key=key).input(value)
        elif key == "focus":
            app.selectbox(key="focus").set_value(value)
        else:
            app.text_area(key=key).input(value)
    next(b for b in app.button if b.label == "Save check-in").click()
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_check_in_page_reminds_and_suggests_a_focus(manager_app):
    app = open_page(manager_app(), "pages/checkin.py")
    assert app.title[0].value == "Weekly check-in"
    assert "is not done yet" in app.warning[0].value
    assert app.selectbox(key="focus").value == "obstacle_removal"  # the demo's blind spot
    assert any("largest blind spot" in c.value for c in app.caption)
    labels = app.radio(key="rating-help").options
    assert labels == ["Not at all", "A little", "Partly", "Mostly", "Fully"]


def test_a_saved_check_in_comes_back_when_the_page_is_opened_again(manager_app, live_demo_path):
    app = open_page(manager_app(), "pages/checkin.py")
    ratings = dict(zip(CATALYST_KEYS, [5, 4, 3, 4, 2, 5], strict=True))
    fields = {
        "note-help": "Paired Lee with Sam",
        "wins": "Shipped v2\nFixed login",
        "setbacks": "Build broke",
        "focus": "autonomy",
    }
    fill_checkin(app, ratings, **fields)
    assert app.success[0].value.startswith("Saved your check-in")
    assert not app.warning  # the reminder is gone

    again = open_page(manager_app(), "pages/checkin.py")
    for key, value in ratings.items():
        assert again.radio(key=f"rating-{key}").value == value
    assert again.text_input(key="note-help").value == "Paired Lee with Sam"
    assert again.text_area(key="wins").value == "Shipped v2\nFixed login"
    assert again.selectbox(key="focus").value == "autonomy"
    with Store(live_demo_path) as db, db.reading() as cursor:
        due = checkins.due_week(clock.today_in("Europe/Berlin"))
        assert cursor.execute(
            "SELECT count(*) FROM checkins c JOIN users u ON u.user_id = c.manager_id "
            "WHERE u.email = 'manager@example.com' AND c.week = ?",
            [due],
        ).fetchall() == [(1,)]


def test_an_incomplete_check_in_is_refused_naming_what_is_missing(manager_app):
    app = open_page(manager_app(), "pages/checkin.py")
    fill_checkin(app, {"clear_goals": 4, "autonomy": 3})
    assert "missing: Resources, Help, Obstacle removal, Respect & recognition" in app.error[0].value
    assert app.warning  # still reminded: nothing was saved


def test_my_team_answers_how_am_i_doing_and_what_next(manager_app):
    app = open_page(manager_app(), "pages/my_team.py")
    assert app.title[0].value == "My team"
    markdown = " ".join(m.value for m in app.markdown)
    assert "This week's focus: Obstacle removal" in markdown
    assert any("Blind spot" in w.value and "Obstacle removal" in w.value for w in app.warning)
    assert any("Hidden strength" in s.value for s in app.success)
    assert len(app.get("plotly_chart")) >= 3
    assert int(app.metric[0].value.replace(",", "")) >= 5


def test_my_team_shows_the_saved_check_in_in_its_history(manager_app):
    app = open_page(manager_app(), "pages/checkin.py")
    fill_checkin(app, dict.fromkeys(CATALYST_KEYS, 5), focus="help")
    team = open_page(app, "pages/my_team.py")
    history = team.dataframe[-1].value
    assert history.iloc[0]["Focus next"] == "Help"
    assert history.iloc[0]["Clear goals"] == "Fully"


def test_no_widget_or_state_reaches_another_managers_team(manager_app, live_demo_path):
    app = open_page(manager_app(), "pages/my_team.py")
    with Store(live_demo_path) as db, db.reading() as cursor:
        other = cursor.execute(
            "SELECT t.team_id, t.name FROM teams t JOIN team_history h USING (team_id) "
            "JOIN users u ON u.user_id = h.manager_id WHERE u.email <> 'manager@example.com' "
            "LIMIT 1"
        ).fetchall()[0]
    app.session_state["my_team_team"] = other[0]
    app.query_params["team"] = str(other[0])
    app.run()
    assert not app.exception
    assert other[1] not in app.caption[0].value
    assert app.caption[0].value.startswith("Platform")


def test_a_team_too_small_to_report_shows_no_numbers(app_on, live_demo_path):
    with Store(live_demo_path) as db, db.reading() as cursor:
        email = cursor.execute(
            "SELECT u.email FROM team_history h JOIN users u ON u.user_id = h.manager_id "
            "WHERE h.valid_to IS NULL AND h.headcount < 5 LIMIT 1"
        ).fetchall()[0][0]
    app = open_page(after_redirect(sign_in(app_on(live_demo_path), email)), "pages/my_team.py")
    assert any("fewer than 5 people, so its answers are never shown" in i.value for i in app.info)
    assert app.metric[0].value == "0"
    assert not any("Blind spot" in w.value for w in app.warning)
    assert not any(s.value.startswith("You and your team") for s in app.subheader)
    assert len(app.get("plotly_chart")) == 2  # own ratings, wins and setbacks: no team numbers


def test_a_new_team_without_survey_data_is_told_how_results_arrive(app_on, live_demo_path):
    from datetime import date

    from dashboard import accounts

    with Store(live_demo_path) as db, db.transaction() as cursor:
        hashed = accounts.hash_password("a long enough password")
        manager = accounts.create_user(
            cursor, "new.lead@example.com", {"manager"}, password_hash=hashed, now=date(2026, 1, 1)
        )
        cursor.execute("INSERT INTO teams (name, created_at) VALUES ('New Team', now())")
        cursor.execute(
            "INSERT INTO team_facts (team_id, valid_from, department_id, manager_id, "
            "headcount, recorded_at) SELECT team_id, DATE '2020-01-06', 1, ?, 8, now() FROM teams "
            "WHERE name = 'New Team'",
            [manager],
        )
    app = after_redirect(
        sign_in(app_on(live_demo_path), "new.lead@example.com", "a long enough password")
    )
    open_page(app, "pages/my_team.py")
    assert app.caption[0].value.startswith("New Team")
    assert any("Not enough responses yet" in i.value for i in app.info)
    assert any("How your team's answers get here" in e.label for e in app.expander)
    assert app.metric[0].value == "0"
