"""The demo organization: reproducible, believable, with patterns worth finding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fixtures import SMALL_DEMO, TODAY, build_demo_file

from dashboard import accounts, queries
from dashboard.demo import DEMO_PASSWORD, DemoSpec, build_demo
from dashboard.store import Store, StoreError

DEFAULT = DemoSpec(today=TODAY)


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    path = build_demo_file(tmp_path_factory.mktemp("default") / "demo.duckdb", DEFAULT)
    with Store(path) as db, db.reading() as cursor:
        yield cursor


def table_contents(path) -> dict[str, list]:
    with Store(path) as db, db.reading() as cursor:
        names = [
            n
            for (n,) in cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {n: cursor.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall() for n in names}  # noqa: S608


def test_the_same_seed_and_day_give_the_same_database(tmp_path):
    first = table_contents(build_demo_file(tmp_path / "a.duckdb"))
    second = table_contents(build_demo_file(tmp_path / "b.duckdb"))
    assert first.keys() == second.keys()
    for table in first:
        assert first[table] == second[table], f"{table} differs between two builds"


def test_another_seed_gives_other_answers(tmp_path):
    first = table_contents(build_demo_file(tmp_path / "a.duckdb"))
    other = DemoSpec(teams=SMALL_DEMO.teams, weeks=SMALL_DEMO.weeks, seed=99, today=TODAY)
    second = table_contents(build_demo_file(tmp_path / "b.duckdb", other))
    assert first["survey_responses"] != second["survey_responses"]


def test_the_default_organization_has_the_promised_shape(default_demo):
    counts = queries.organization_counts(default_demo)
    assert counts["departments"] == 6
    assert counts["teams"] == 40
    first, last, weeks = queries.survey_weeks(default_demo)
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    assert (first, last, weeks) == (this_monday - timedelta(weeks=25), this_monday, 26)
    sizes = default_demo.execute("SELECT min(headcount), max(headcount) FROM team_facts")
    assert sizes.fetchall() == [(3, 12)]
    assert counts["checkins"] > 500 and counts["wins"] > counts["setbacks"] > 0
    assert queries.is_demo(default_demo)


def test_demo_accounts_sign_in_with_the_demo_password(default_demo):
    for email, role in (
        ("admin@example.com", "admin"),
        ("hr@example.com", "hr"),
        ("manager@example.com", "manager"),
    ):
        user = accounts.find_user(default_demo, email)
        assert role in user.roles
        stored = default_demo.execute(
            "SELECT password_hash FROM users WHERE email = ?", [email]
        ).fetchall()[0][0]
        assert accounts.verify_password(stored, DEMO_PASSWORD)


def test_every_other_manager_is_firstname_lastname(default_demo):
    emails = [
        e
        for (e,) in default_demo.execute(
            "SELECT email FROM users JOIN user_roles USING (user_id) WHERE role = 'manager' "
            "AND email <> 'manager@example.com'"
        ).fetchall()
    ]
    assert len(emails) == 40  # 39 teams, plus the changed team's earlier manager
    assert all(e.count(".") == 2 and e.endswith("@example.com") for e in emails)


def test_manager_example_com_always_has_a_check_in_to_make(default_demo):
    weeks = [
        w
        for (w,) in default_demo.execute(
            "SELECT week FROM checkins JOIN users ON user_id = manager_id "
            "WHERE email = 'manager@example.com' ORDER BY week"
        ).fetchall()
    ]
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    assert len(weeks) >= 15
    assert this_monday not in weeks
    assert this_monday - timedelta(weeks=1) not in weeks


def test_manager_example_com_has_enough_responses_to_show_results(default_demo):
    reportable_weeks = default_demo.execute(
        "SELECT count(*) FROM response_summary s JOIN team_facts f USING (team_id) "
        "JOIN users u ON u.user_id = f.manager_id "
        "WHERE u.email = 'manager@example.com' AND s.responses >= 5"
    ).fetchall()[0][0]
    assert reportable_weeks >= 24


def self_vs_team(cursor, catalyst: str):
    return cursor.execute(
        f"""
        SELECT c.manager_id, avg(c.{catalyst}) - sum(s.{catalyst}_sum) / sum(s.{catalyst}_n)
        FROM checkins c JOIN response_summary s USING (team_id, week)
        GROUP BY c.manager_id
        """  # noqa: S608
    ).fetchall()


def test_some_managers_have_blind_spots_and_some_hidden_strengths(default_demo):
    from dashboard.catalysts import CATALYST_KEYS

    gaps = [gap for key in CATALYST_KEYS for _, gap in self_vs_team(default_demo, key)]
    assert sum(gap >= 1.0 for gap in gaps) >= 5
    assert sum(gap <= -1.0 for gap in gaps) >= 1
    manager = accounts.find_user(default_demo, "manager@example.com").user_id
    assert dict(self_vs_team(default_demo, "obstacle_removal"))[manager] >= 1.0
    assert dict(self_vs_team(default_demo, "respect"))[manager] <= -0.5


def test_obstacle_removal_drops_after_a_manager_change(default_demo):
    (team_id, changed_on), *_ = default_demo.execute(
        "SELECT team_id, max(valid_from) FROM team_facts GROUP BY team_id "
        "HAVING count(DISTINCT manager_id) > 1"
    ).fetchall()
    before, after = default_demo.execute(
        "SELECT avg(obstacle_removal) FILTER (WHERE week < $2), "
        "       avg(obstacle_removal) FILTER (WHERE week >= $2) "
        "FROM survey_responses WHERE team_id = $1",
        [team_id, changed_on],
    ).fetchall()[0]
    assert before - after >= 0.8


def test_a_team_moved_department_and_history_remembers_both(default_demo):
    moved = default_demo.execute(
        "SELECT team_id FROM team_facts GROUP BY team_id HAVING count(DISTINCT department_id) > 1"
    ).fetchall()
    assert len(moved) == 1


def test_some_teams_are_too_small_ever_to_report(default_demo):
    small = default_demo.execute(
        "SELECT count(*) FROM team_history WHERE valid_to IS NULL AND headcount < 5"
    ).fetchall()[0][0]
    assert 2 <= small <= 5


def test_catalysts_move_with_progress_some_more_than_others(default_demo):
    frame = default_demo.execute(
        "SELECT team_id, avg(clear_goals) AS clear_goals, avg(obstacle_removal) AS obstacles, "
        "avg(help) AS help, avg(progress) AS progress FROM survey_responses GROUP BY team_id"
    ).df()
    assert frame.clear_goals.corr(frame.progress) > 0.5
    assert frame.obstacles.corr(frame.progress) > 0.5
    assert frame.help.corr(frame.progress) < frame.clear_goals.corr(frame.progress)


def test_the_demo_refuses_a_database_that_holds_an_organization(demo_path):
    with Store(demo_path) as db:
        with pytest.raises(StoreError, match="already holds an organization"):
            build_demo(db, SMALL_DEMO)
        with db.reading() as cursor:
            assert queries.organization_counts(cursor)["teams"] == SMALL_DEMO.teams


def test_the_current_week_only_has_responses_up_to_today(default_demo):
    latest = default_demo.execute("SELECT max(submitted_at) FROM survey_responses").fetchall()
    assert latest[0][0].date() <= TODAY
    assert latest[0][0].date() >= date(2026, 11, 23)
