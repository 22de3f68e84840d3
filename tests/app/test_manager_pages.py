"""The manager's pages through AppTest: the check-in and My Team, on a demo ending today."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from app_helpers import after_redirect, sign_in
from fixtures import write_file
from streamlit.testing.v1 import AppTest

from dashboard import checkins, clock, ingest
from dashboard.catalysts import CATALYST_KEYS
from dashboard.ingest import Source
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


def field(app: AppTest, kind: str, name: str):
    """A check-in widget by its name ("rating-help", "wins", "focus"): the page's keys
    also carry the team and week (rating-<team>-<week>-help), found here."""
    prefix, _, item = name.partition("-")
    for widget in getattr(app, kind):
        parts = (widget.key or "").split("-")
        if parts[0] == prefix and (not item or parts[-1] == item):
            return widget
    raise AssertionError(f"no {kind} {name}")


def fill_checkin(app: AppTest, ratings: dict[str, int], **fields) -> AppTest:
    for key, value in ratings.items():
        field(app, "radio", f"rating-{key}").set_value(value)
    for key, value in fields.items():
        if key.startswith("note-"):
            field(app, "text_input", key).input(value)
        elif key == "focus":
            field(app, "selectbox", "focus").set_value(value)
        else:
            field(app, "text_area", key).input(value)
    next(b for b in app.button if b.label == "Save check-in").click()
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_check_in_page_reminds_and_suggests_a_focus(manager_app):
    app = open_page(manager_app(), "pages/checkin.py")
    assert app.title[0].value == "Weekly check-in"
    assert "is not done yet" in app.warning[0].value
    assert field(app, "selectbox", "focus").value == "obstacle_removal"  # the demo's blind spot
    assert any("largest blind spot" in c.value for c in app.caption)
    # Numbers fit one line on a phone; the words are said once, above the scales.
    assert field(app, "radio", "rating-help").options == ["1", "2", "3", "4", "5"]
    assert "1 Not at all · 2 A little · 3 Partly · 4 Mostly · 5 Fully" in [
        c.value for c in app.caption
    ]


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
        assert field(again, "radio", f"rating-{key}").value == value
    assert field(again, "text_input", "note-help").value == "Paired Lee with Sam"
    assert field(again, "text_area", "wins").value == "Shipped v2\nFixed login"
    assert field(again, "selectbox", "focus").value == "autonomy"
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
    errors = [e.value for e in app.error]
    # Each missing rating says so where it is, the first one first; the button sums up.
    assert errors[0] == "Rate Resources to save: choose 1 to 5."
    assert errors[-1] == (
        "Not saved yet: rate Resources, Help, Obstacle removal, Respect & recognition "
        "(marked above)."
    )
    assert len(errors) == 5
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
    # Every chart has a text alternative: the numbers it draws, in a table to open.
    expanders = [e.label for e in app.expander]
    assert expanders.count("The numbers in this chart") == len(app.get("plotly_chart"))


def test_my_team_shows_the_saved_check_in_in_its_history(manager_app):
    app = open_page(manager_app(), "pages/checkin.py")
    fill_checkin(app, dict.fromkeys(CATALYST_KEYS, 5), focus="help")
    team = open_page(app, "pages/my_team.py")
    history = next(d.value for d in team.dataframe if "Focus next" in d.value.columns)
    assert history.iloc[0]["Focus next"] == "Help"
    assert history.iloc[0]["Clear goals"] == "Fully"


def test_my_teams_charts_are_kept_until_the_managers_data_changes(
    manager_app, live_demo_path, tmp_path
):
    """Charts are built once per view and data version (ui.chart's key): opening the page
    again draws the same ones, and new data makes the one it changes anew."""

    def specs(app: AppTest) -> list[str]:
        return [chart.proto.spec for chart in app.get("plotly_chart")]

    first = specs(open_page(manager_app(), "pages/my_team.py"))
    assert specs(open_page(manager_app(), "pages/my_team.py")) == first
    # Wins and setbacks for a week on the chart: its chart must be drawn anew.
    wins = write_file(tmp_path, "wins.csv", "team,week,wins,setbacks\nPlatform,2026-11-09,40,30\n")
    with Store(live_demo_path) as db:
        ingest.import_wins(db, Source(wins.name, wins), now=datetime(2026, 11, 27, 12))
    after = specs(open_page(manager_app(), "pages/my_team.py"))
    assert len(after) == len(first) and after != first
    assert sum(a != b for a, b in zip(after, first, strict=True)) == 1  # only that one


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


def test_commitments_are_asked_back_in_the_next_check_in_and_followed_up(
    manager_app, live_demo_path, monkeypatch
):
    app = open_page(manager_app(), "pages/checkin.py")
    field(app, "selectbox", "focus").set_value("help").run()
    offered = [c for c in app.checkbox if (c.key or "").startswith("commit-")]
    assert len(offered) == 3  # the actions for the focus chosen, not the suggested one
    promised = [offered[0].label, offered[2].label]
    offered[0].check()
    offered[2].check()
    fill_checkin(app, dict.fromkeys(CATALYST_KEYS, 4))
    assert app.success[0].value.startswith("Saved your check-in")

    mine = open_page(app, "pages/my_team.py")
    markdown = " ".join(m.value for m in mine.markdown)
    assert "This week's focus: Help" in markdown and promised[0] in markdown

    monkeypatch.setenv("CATALYST_NOW", "2026-12-04T12:00:00")  # a week later
    later = open_page(manager_app(), "pages/checkin.py")
    asked = [r for r in later.radio if (r.key or "").startswith("kept-")]
    assert [r.label for r in asked] == promised
    assert all(r.value is None for r in asked)  # nothing answered for them
    asked[0].set_value(True)
    asked[1].set_value(False)
    fill_checkin(later, dict.fromkeys(CATALYST_KEYS, 4))
    assert later.success[0].value.startswith("Saved your check-in")
    with Store(live_demo_path) as db, db.reading() as cursor:
        assert cursor.execute(
            "SELECT action, done, answered_week FROM commitments JOIN users ON user_id = "
            "manager_id WHERE email = 'manager@example.com' AND week = '2026-11-23' ORDER BY action"
        ).fetchall() == sorted(
            [(promised[0], True, date(2026, 11, 30)), (promised[1], False, date(2026, 11, 30))]
        )
    history = open_page(later, "pages/my_team.py")
    table = next(d.value for d in history.dataframe if "Done" in d.value.columns)
    assert table.iloc[0]["Focus"] == "Help"
    assert table.iloc[0]["Done"] == "1 of 2"
    assert f"✓ {promised[0]}" in table.iloc[0]["Commitments"]
