"""The home page, run through Streamlit's AppTest on real databases."""

from __future__ import annotations

from app_helpers import after_redirect, sign_in
from fixtures import SMALL_DEMO, TODAY
from streamlit.testing.v1 import AppTest

from dashboard import accounts
from dashboard.store import Store


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_home_shows_the_demo_organizations_headline_counts(signed_in):
    app = signed_in("hr@example.com")
    assert app.title[0].value == "Harbor & Pine (demo)"
    assert app.markdown[0].value == "Welcome, Priya Raman."
    shown = metrics(app)
    assert shown["Teams"] == str(SMALL_DEMO.teams)
    assert shown["Departments"] == "6"
    assert shown["Survey weeks"] == str(SMALL_DEMO.weeks)
    assert int(shown["Survey responses"].replace(",", "")) > 0
    assert "demo organization" in app.caption[0].value


def test_hr_home_names_who_needs_support_first_and_totals_below(signed_in):
    app = signed_in("hr@example.com")
    headings = [h.value for h in app.header]
    assert headings[:2] == ["Who needs support", "Your organization"]
    links = [link.proto for link in app.get("page_link")]
    ranked = [link for link in links if link.page == "manager-detail"]
    assert [link.label.split(".")[0] for link in ranked] == ["1", "2", "3", "4", "5"]
    assert all(link.query_string.startswith("manager=") for link in ranked)  # opens them
    reasons = [c.value for c in app.caption if "vs org" in c.value or "check-in" in c.value]
    assert len(reasons) >= 5


def test_manager_home_says_the_check_in_is_due_and_this_weeks_focus(signed_in):
    app = signed_in("manager@example.com")
    assert [h.value for h in app.header][0] == "Your week"
    assert "is not done yet" in app.warning[0].value
    focus_line = next(m.value for m in app.markdown if "this week's focus" in m.value)
    assert focus_line.startswith("**Platform** · this week's focus: **")
    assert "Who needs support" not in [h.value for h in app.header]


def test_an_organization_without_data_says_what_to_do_next(app_on, tmp_path):
    path = tmp_path / "new.duckdb"
    with Store(path) as db, db.transaction() as cursor:
        hashed = accounts.hash_password("a long enough password")
        accounts.create_user(
            cursor, "boss@corp.example", {"admin"}, password_hash=hashed, now=TODAY
        )
    app = after_redirect(sign_in(app_on(path), "boss@corp.example", "a long enough password"))
    assert app.title[0].value == "Your organization"
    assert "No organization yet" in app.info[0].value
    assert "catalyst demo" in app.info[0].value
    assert not app.metric


def test_an_unusable_database_shows_a_message_not_a_traceback(app_on, tmp_path):
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00garbage" * 1000)
    app = app_on(damaged)
    assert "cannot open its database" in app.error[0].value
    assert str(damaged) in app.error[0].value
